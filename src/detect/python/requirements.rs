//! pip requirements files.
//!
//! # What it detects
//! AI packages declared in pip requirements files: PEP 508 lines (extras, specifiers, markers,
//! `name @ url`), bare archive/wheel URLs and VCS references (`git+https://…@ref#egg=name`,
//! also behind `-e`), local wheel paths. Files pulled in with `-r`/`--requirement` are parsed
//! too, relative to the including file, each at most once; `-c`/`--constraint` files pin the
//! versions of packages the requirement set declares.
//!
//! # Files claimed
//! `*requirements*.txt` / `*requirements*.in` (`requirements.txt`, `requirements-dev.txt`,
//! `dev-requirements.in`, …) and any `.txt`/`.in` file under a `requirements/` directory.
//!
//! # Evidence and confidence
//! One `library` finding per declared AI package, at the line where its logical line starts,
//! method `manifest`, confidence high. `constraint` is the specifier; a single `==`/`===` pin
//! is also the resolved version (local versions such as `+cu121` kept). `scope` is `dev` for
//! files whose name says so (`dev`, `test`, `lint`, `docs`, `ci` as a word of the file name),
//! otherwise `required`. `--hash` values become component hashes. A constraint-file pin of a
//! declared package is a second finding with the pinned version at the constraint file's line.
//!
//! # Not handled
//! Includes given as URLs (never fetched), absolute paths and paths that climb above the scanned
//! tree; environment variables (`${VAR}`) are not expanded; markers are reported, never
//! evaluated; a package that appears only in a constraint file is not a dependency and is not
//! reported. Include chains are cut at a depth of 16 and a cycle is reported as a warning.
//!
//! # References
//! <https://pip.pypa.io/en/stable/reference/requirements-file-format/>,
//! <https://peps.python.org/pep-0508/>.

use super::{dep_finding, parse_hash, pep508, Dep};
use crate::bom::{Method, Warning};
use crate::detect::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

pub const ID: &str = "python-requirements";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "python",
    summary: "pip requirements files (-r/-c includes, extras, markers, hashes, URLs, VCS refs)",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

const MAX_INCLUDE_DEPTH: usize = 16;
const MAX_WARNINGS_PER_FILE: usize = 20;

fn claim(c: &Candidate) -> Claim {
    let text_ext = matches!(c.ext, "txt" | "in");
    if text_ext && (c.name_lower.contains("requirements") || c.in_dir("requirements")) {
        Claim::Yes
    } else {
        Claim::No
    }
}

/// What one logical line of a requirements file is.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Requirement(Box<Dep>),
    /// `-r FILE` (`constraint == false`) or `-c FILE`.
    Include {
        constraint: bool,
        path: String,
        line: u32,
    },
    /// A line that is not a requirement and could not be understood.
    Invalid {
        line: u32,
        reason: String,
    },
}

/// Split a file into logical lines: continuation backslashes joined, comments removed. Each
/// item is the 1-based line where the logical line starts.
pub fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = 0u32;
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if cur.is_empty() {
            start = i as u32 + 1;
        }
        match raw.strip_suffix('\\') {
            Some(head) => {
                cur.push_str(head);
                cur.push(' ');
            }
            None => {
                cur.push_str(raw);
                let line = strip_comment(&cur).trim().to_string();
                if !line.is_empty() {
                    out.push((start, line));
                }
                cur.clear();
            }
        }
    }
    let line = strip_comment(&cur).trim().to_string();
    if !line.is_empty() {
        out.push((start, line));
    }
    out
}

/// pip's rule: `#` at the start of a line or after whitespace begins a comment (a `#` inside a
/// URL fragment such as `#egg=` does not).
fn strip_comment(line: &str) -> &str {
    let b = line.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'#' && (i == 0 || b.get(i - 1).is_some_and(|p| p.is_ascii_whitespace())) {
            return &line[..i];
        }
    }
    line
}

/// Parse requirements text into entries. `pub` so the conda detector can read `pip:` items.
pub fn parse_text(text: &str) -> Vec<Entry> {
    logical_lines(text)
        .into_iter()
        .filter_map(|(line, l)| parse_line(&l, line))
        .collect()
}

/// One logical line (comment already removed). `None` for options that carry no dependency.
pub fn parse_line(l: &str, line: u32) -> Option<Entry> {
    let l = l.trim();
    if l.is_empty() {
        return None;
    }
    if l.starts_with('-') {
        return parse_option(l, line);
    }
    // per-requirement options start at the first ` --` token
    let tokens: Vec<&str> = l.split_whitespace().collect();
    let opt_at = tokens
        .iter()
        .position(|t| t.starts_with("--"))
        .unwrap_or(tokens.len());
    let req_text = tokens[..opt_at].join(" ");
    let opts = &tokens[opt_at..];
    let mut dep = match parse_requirement(&req_text, line) {
        Ok(Some(d)) => d,
        Ok(None) => return None,
        Err(reason) => return Some(Entry::Invalid { line, reason }),
    };
    let mut i = 0;
    while let Some(tok) = opts.get(i) {
        if let Some(v) = tok.strip_prefix("--hash=") {
            dep.hashes.extend(parse_hash(v));
        } else if *tok == "--hash" {
            if let Some(v) = opts.get(i + 1) {
                dep.hashes.extend(parse_hash(v));
                i += 1;
            }
        }
        i += 1;
    }
    Some(Entry::Requirement(Box::new(dep)))
}

fn parse_option(l: &str, line: u32) -> Option<Entry> {
    let (name, value) = match l.split_once(|c: char| c == '=' || c.is_whitespace()) {
        Some((n, v)) if n.starts_with("--") => (n, v.trim()),
        Some((n, v)) if n.len() == 2 => (n, v.trim()),
        // `-rfile.txt`; byte 2 may sit inside a multi-byte character (`-ә…`), so split checked
        _ if !l.starts_with("--") => match l.split_at_checked(2) {
            Some((n, v)) if !v.is_empty() => (n, v.trim()),
            _ => (l, ""),
        },
        _ => (l, ""),
    };
    match name {
        "-r" | "--requirement" | "-c" | "--constraint" => {
            if value.is_empty() {
                return Some(Entry::Invalid {
                    line,
                    reason: format!("{name} without a file name"),
                });
            }
            Some(Entry::Include {
                constraint: name.starts_with("-c") || name == "--constraint",
                path: value.to_string(),
                line,
            })
        }
        "-e" | "--editable" => match parse_requirement(value, line) {
            Ok(Some(d)) => Some(Entry::Requirement(Box::new(d))),
            Ok(None) => None,
            Err(reason) => Some(Entry::Invalid { line, reason }),
        },
        // index, find-links, binary and install options carry no dependency
        _ => None,
    }
}

/// A requirement that is a PEP 508 string, a URL or a path. `Ok(None)`: a local project
/// directory that names no package.
fn parse_requirement(s: &str, line: u32) -> Result<Option<Dep>, String> {
    let s = s.trim();
    let is_url = s.contains("://")
        && s.split("://").next().is_some_and(|scheme| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.')
        });
    let is_path = s.starts_with('.') || s.starts_with('/') || s.starts_with('~');
    if !is_url && !is_path && !is_archive(s) {
        return pep508::parse(s).map(|r| Some(Dep::from_requirement(&r, Some(line))));
    }
    let (location, marker) = match s.split_once(" ;").or_else(|| s.split_once("; ")) {
        Some((u, m)) => (
            u.trim(),
            Some(m.split_whitespace().collect::<Vec<_>>().join(" ")),
        ),
        None => (s, None),
    };
    let (base, fragment) = location.split_once('#').unwrap_or((location, ""));
    let egg = fragment
        .split('&')
        .find_map(|kv| kv.strip_prefix("egg="))
        .map(|e| e.split('[').next().unwrap_or(e).to_string());
    let file = percent_decode(base.rsplit('/').next().unwrap_or(base));
    let file = file.as_str();
    let (name, version) = match egg {
        Some(e) => (e, None),
        None => match archive_name_version(file) {
            Some((n, v)) => (n, Some(v)),
            None if is_path => return Ok(None),
            None => {
                return Err(format!(
                    "cannot tell the package name of {:?}",
                    crate::detect::util::snippet(&super::strip_userinfo(s))
                ))
            }
        },
    };
    if !pep508::is_valid_name(&name) {
        return Err(format!(
            "bad package name {:?}",
            crate::detect::util::snippet(&name)
        ));
    }
    let mut dep = Dep::new(name, Some(line));
    dep.version = version;
    dep.marker = marker;
    if is_url {
        dep.source = Some(super::strip_userinfo(location));
    }
    Ok(Some(dep))
}

/// `%2B` → `+` in a URL's file name (torch's local versions are written that way).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (c, hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn is_archive(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    [".whl", ".tar.gz", ".zip", ".tar.bz2"]
        .iter()
        .any(|e| l.ends_with(e))
}

/// `torch-2.3.1+cu121-cp311-cp311-linux_x86_64.whl` → (`torch`, `2.3.1+cu121`);
/// `openai-1.30.0.tar.gz` → (`openai`, `1.30.0`).
pub fn archive_name_version(file: &str) -> Option<(String, String)> {
    if let Some(stem) = file.strip_suffix(".whl") {
        let mut parts = stem.split('-');
        let name = parts.next()?;
        let version = parts.next()?;
        return (pep508::is_valid_name(name) && !version.is_empty())
            .then(|| (name.to_string(), version.to_string()));
    }
    let stem = [".tar.gz", ".zip", ".tar.bz2"]
        .iter()
        .find_map(|e| file.strip_suffix(e))?;
    let (name, version) = stem.rsplit_once('-')?;
    (pep508::is_valid_name(name) && version.starts_with(|c: char| c.is_ascii_digit()))
        .then(|| (name.to_string(), version.to_string()))
}

/// `dev` when a word of the file name (or its `requirements/` sub-path) says the file is for
/// development, else `required`.
pub fn scope_for(rel_path: &str) -> &'static str {
    let name = rel_path
        .rsplit('/')
        .next()
        .unwrap_or(rel_path)
        .to_ascii_lowercase();
    let dev = name.split(['-', '_', '.']).any(|w| {
        matches!(
            w,
            "dev"
                | "develop"
                | "development"
                | "test"
                | "tests"
                | "testing"
                | "lint"
                | "docs"
                | "doc"
                | "ci"
        )
    });
    if dev {
        "dev"
    } else {
        "required"
    }
}

/// A file of the include graph: where it is for evidence and where to open it.
struct Node {
    rel: String,
    abs: PathBuf,
}

/// Resolve `include` against the directory of `from`. `None` for URLs, absolute paths and
/// paths that leave the scanned tree.
fn resolve(from: &Node, include: &str) -> Result<Node, String> {
    if include.contains("://") {
        return Err("is a URL; includes are never fetched".to_string());
    }
    if include.starts_with('/')
        || include.starts_with('~')
        || include.contains('\\')
        || include.contains("${")
    {
        return Err("is an absolute, home-relative or variable path; not followed".to_string());
    }
    let mut parts: Vec<&str> = from.rel.split('/').collect();
    parts.pop();
    for seg in include.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.is_empty() {
                    return Err("climbs above the scanned tree; not followed".to_string());
                }
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let abs = from
        .abs
        .parent()
        .map(|d| d.join(include))
        .unwrap_or_else(|| PathBuf::from(include));
    Ok(Node {
        rel: parts.join("/"),
        abs,
    })
}

struct Walk<'a> {
    ctx: &'a Context,
    out: DetectOutcome,
    /// Files already parsed (diamond includes are read once).
    seen: BTreeSet<String>,
    /// Declared packages (normalised name) of the requirement set.
    declared: BTreeSet<String>,
    /// Constraint pins: normalised name → (path, text line, dep).
    pins: BTreeMap<String, (String, Option<String>, Dep)>,
    warnings: usize,
}

impl Walk<'_> {
    fn warn(&mut self, path: &str, msg: String) {
        self.warnings += 1;
        if self.warnings <= MAX_WARNINGS_PER_FILE {
            self.out.warnings.push(Warning::new(path, Some(ID), msg));
        }
    }

    fn file(&mut self, node: &Node, text: &str, chain: &mut Vec<String>, constraint: bool) {
        chain.push(node.rel.clone());
        for entry in parse_text(text) {
            match entry {
                Entry::Invalid { line, reason } => {
                    self.warn(&node.rel, format!("line {line}: {reason}; line skipped"));
                }
                Entry::Requirement(mut dep) if constraint => {
                    // a pin, not a declaration: only the version is news
                    dep.scope = None;
                    dep.constraint = None;
                    dep.extras.clear();
                    if dep.version.is_some() {
                        let key = crate::bom::normalize::pypi_name(&dep.name);
                        self.pins.entry(key).or_insert((
                            node.rel.clone(),
                            Some(text.to_string()),
                            *dep,
                        ));
                    }
                }
                Entry::Requirement(mut dep) => {
                    dep.scope = Some(scope_for(&node.rel).to_string());
                    self.declared
                        .insert(crate::bom::normalize::pypi_name(&dep.name));
                    if let Some(f) =
                        dep_finding(self.ctx, &node.rel, ID, Method::Manifest, Some(text), &dep)
                    {
                        self.out.findings.push(f);
                    }
                }
                Entry::Include {
                    constraint: c,
                    path,
                    line,
                } => {
                    self.include(node, &path, line, chain, constraint || c);
                }
            }
        }
        chain.pop();
    }

    fn include(
        &mut self,
        from: &Node,
        path: &str,
        line: u32,
        chain: &mut Vec<String>,
        constraint: bool,
    ) {
        let shown = crate::detect::util::snippet(&super::strip_userinfo(path));
        let target = match resolve(from, path) {
            Ok(t) => t,
            Err(why) => {
                self.warn(&from.rel, format!("line {line}: include {shown:?} {why}"));
                return;
            }
        };
        if chain.contains(&target.rel) {
            let mut cycle = chain.clone();
            cycle.push(target.rel.clone());
            self.warn(
                &from.rel,
                format!(
                    "line {line}: include cycle {}; not followed again",
                    cycle.join(" -> ")
                ),
            );
            return;
        }
        if chain.len() >= MAX_INCLUDE_DEPTH {
            self.warn(&from.rel, format!("line {line}: includes nested deeper than {MAX_INCLUDE_DEPTH}; {shown:?} not followed"));
            return;
        }
        if !self.seen.insert(format!("{}|{constraint}", target.rel)) {
            return;
        }
        let size = std::fs::metadata(&target.abs).map(|m| m.len()).unwrap_or(0);
        let input = FileInput::new(target.rel.clone(), target.abs.clone(), size, false);
        match input.text() {
            Ok(text) => {
                let text = text.to_string();
                self.file(&target, &text, chain, constraint);
            }
            Err(e) => self.warn(
                &from.rel,
                format!(
                    "line {line}: included file {:?} could not be read: {e}",
                    target.rel
                ),
            ),
        }
    }
}

/// Follow one `-r`/`-c` include written in `input` at `line` (a conda `pip:` item) with the
/// same rules as a requirements file.
pub fn scan_include(
    ctx: &Context,
    input: &FileInput,
    path: &str,
    constraint: bool,
    line: u32,
) -> DetectOutcome {
    let mut walk = new_walk(ctx);
    let root = Node {
        rel: input.rel_path.clone(),
        abs: input.abs_path.clone(),
    };
    walk.include(&root, path, line, &mut vec![root.rel.clone()], constraint);
    finish(walk, ctx, input)
}

fn new_walk(ctx: &Context) -> Walk<'_> {
    Walk {
        ctx,
        out: DetectOutcome::default(),
        seen: BTreeSet::new(),
        declared: BTreeSet::new(),
        pins: BTreeMap::new(),
        warnings: 0,
    }
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let mut walk = new_walk(ctx);
    let root = Node {
        rel: input.rel_path.clone(),
        abs: input.abs_path.clone(),
    };
    walk.seen.insert(format!("{}|false", root.rel));
    walk.file(&root, text, &mut Vec::new(), false);
    finish(walk, ctx, input)
}

fn finish(mut walk: Walk<'_>, ctx: &Context, input: &FileInput) -> DetectOutcome {
    let pins = std::mem::take(&mut walk.pins);
    for (name, (path, text, dep)) in pins {
        if walk.declared.contains(&name) {
            if let Some(f) = dep_finding(ctx, &path, ID, Method::Manifest, text.as_deref(), &dep) {
                walk.out.findings.push(f);
            }
        }
    }
    if walk.warnings > MAX_WARNINGS_PER_FILE {
        let more = walk.warnings - MAX_WARNINGS_PER_FILE;
        walk.out
            .warn(input, ID, format!("{more} more problems not shown"));
    }
    walk.out
}

#[cfg(test)]
#[path = "requirements_tests.rs"]
mod tests;
