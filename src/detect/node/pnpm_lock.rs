//! `pnpm-lock.yaml`, lockfile versions 5.x, 6.x and 9.x.
//!
//! ## What it detects
//! Every locked AI/ML package with its resolved version, from the `packages:` keys in all
//! three spellings: `/openai/4.52.0` (5.x), `/openai@4.52.0` (6.x) and `openai@4.52.0` (9.x),
//! scoped names and peer suffixes (`_zod@3.23.8`, `(zod@3.23.8)`) included. The importers
//! (`importers:` per workspace project, or the top-level `dependencies:` of a single-project
//! 5.x/6.x lock) say which packages are direct and carry their specifiers.
//!
//! ## Files claimed
//! `pnpm-lock.yaml`.
//!
//! ## Evidence and confidence
//! `lockfile`, high: the line of the package key. Direct packages get `dependency=direct`,
//! the importer's specifier as `constraint` and the importer section's scope; others are
//! `transitive`. The `dev: true|false` and `optional: true` flags of 5.x/6.x set `scope`;
//! 9.x locks drop those flags, so a transitive package there has no `scope`.
//!
//! ## Not handled
//! `link:` and `file:` importer entries (the project's own code). The file is read line by
//! line, in the regular shape pnpm writes. A line out of that shape (an unclosed flow value or
//! quote, a key under a scalar, a tab) has the whole file parsed as YAML, so a broken file is
//! reported with the parser's message and whatever entries could be read; a file pnpm wrote is
//! not parsed twice.
//!
//! ## References
//! <https://github.com/pnpm/spec/tree/master/lockfile>

use crate::bom::normalize::Ecosystem;
use crate::bom::Method;
use crate::detect::deps::{self, Dep};
use crate::detect::{Candidate, Claim, Context, DetectOutcome, Detector, FileInput};
use crate::detect::{Maturity, Scope};
use std::collections::BTreeMap;

pub const ID: &str = "pnpm-lock";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "node",
    summary: "pnpm-lock.yaml 5.x/6.x/9.x: resolved versions, direct deps from importers",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    if c.name_lower == "pnpm-lock.yaml" {
        Claim::Yes
    } else {
        Claim::No
    }
}

/// One `key: value` line with the keys of its enclosing mappings.
#[derive(Debug)]
struct Line<'a> {
    path: Vec<&'a str>,
    value: Option<&'a str>,
    line: u32,
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['\'', '"'] {
        if let Some(inner) = s.strip_prefix(q).and_then(|x| x.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// Split `key: value` honouring a quoted key (v9 keys such as `'@a/b@1.0.0':`).
fn split_key(body: &str) -> Option<(&str, Option<&str>)> {
    let end = if let Some(q) = body.chars().next().filter(|c| *c == '\'' || *c == '"') {
        body.get(1..)?.find(q)? + 2
    } else {
        0
    };
    let rest = body.get(end..)?;
    let colon = rest
        .find(": ")
        .or_else(|| rest.ends_with(':').then(|| rest.len() - 1))?;
    let key = body.get(..end + colon)?;
    let value = body.get(end + colon + 1..)?.trim();
    Some((unquote(key), (!value.is_empty()).then_some(value)))
}

/// Whether a value is complete on its line, as pnpm writes every value: a flow mapping or list
/// closes, a quoted scalar ends with its quote.
fn closed(value: &str) -> bool {
    let v = value.trim_end();
    let close = match v.as_bytes().first() {
        Some(b'{') => '}',
        Some(b'[') => ']',
        Some(b'\'') => '\'',
        Some(b'"') => '"',
        _ => return true,
    };
    v.len() >= 2 && v.ends_with(close)
}

/// The `key: value` lines, and whether every line had the shape pnpm writes. A file that does
/// not is checked by the YAML parser, which names what is wrong; a regular one (every lock
/// pnpm writes) is not parsed twice.
fn walk(text: &str) -> (Vec<Line<'_>>, bool) {
    let mut out = Vec::new();
    let mut regular = true;
    let mut stack: Vec<(usize, &str)> = Vec::new();
    // indentation of the last `key: value` line with a scalar value: nothing may nest under it
    let mut scalar_at: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        let body = line.trim_start_matches(' ');
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = line.len() - body.len();
        if body.starts_with('\t') || scalar_at.is_some_and(|at| indent > at) {
            regular = false;
        }
        if let Some(item) = body.strip_prefix("- ") {
            regular &= closed(item);
            continue;
        }
        let Some((key, value)) = split_key(body) else {
            regular = false;
            continue;
        };
        while stack.last().is_some_and(|(ind, _)| *ind >= indent) {
            stack.pop();
        }
        let mut path: Vec<&str> = Vec::with_capacity(stack.len() + 1);
        path.extend(stack.iter().map(|(_, k)| *k));
        path.push(key);
        if let Some(v) = value {
            regular &= closed(v);
        }
        out.push(Line {
            path,
            value: value.map(unquote),
            line: i as u32 + 1,
        });
        match value {
            None => {
                stack.push((indent, key));
                scalar_at = None;
            }
            Some(_) => scalar_at = Some(indent),
        }
    }
    (out, regular)
}

/// `(name, version)` of a `packages:` key.
pub fn parse_package_key(key: &str, v5: bool) -> Option<(String, String)> {
    let key = key.strip_prefix('/').unwrap_or(key);
    if v5 && !key.contains('(') {
        let (name, version) = key.rsplit_once('/')?;
        let version = version.split('_').next()?;
        return Some((name.to_string(), version.to_string()));
    }
    let base = key.split('(').next()?;
    let at = base.get(1..)?.rfind('@')? + 1;
    Some((base[..at].to_string(), base[at + 1..].to_string()))
}

fn bare_version(v: &str) -> &str {
    v.split(['(', '_']).next().unwrap_or(v)
}

#[derive(Debug, Default)]
struct Direct {
    scope: &'static str,
    version: Option<String>,
    specifier: Option<String>,
}

fn section_scope(s: &str) -> Option<&'static str> {
    match s {
        "dependencies" => Some("required"),
        "devDependencies" => Some("dev"),
        "optionalDependencies" => Some("optional"),
        _ => None,
    }
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let mut out = DetectOutcome::default();
    let (lines, regular) = walk(text);
    if !regular {
        if let Err(e) = serde_yaml_ng::from_str::<serde::de::IgnoredAny>(text) {
            out.warn(
                input,
                ID,
                format!("invalid YAML: {e}; entries before it were read"),
            );
            out.failed = true;
        }
    }
    let lock_version = lines
        .iter()
        .find(|l| l.path.len() == 1 && l.path[0] == "lockfileVersion")
        .and_then(|l| l.value)
        .unwrap_or_default();
    let v5 = lock_version.starts_with('5');

    // importers (or the top level of a single-project lock): name → direct facts
    let mut direct: BTreeMap<&str, Direct> = BTreeMap::new();
    let mut specifiers: BTreeMap<&str, &str> = BTreeMap::new();
    for l in &lines {
        let rel: &[&str] = match l.path.first().copied() {
            Some("importers") if l.path.len() >= 3 => &l.path[2..],
            Some("importers") | Some("packages") | Some("snapshots") => continue,
            _ => &l.path[..],
        };
        match rel {
            [s, name] if *s == "specifiers" => {
                if let Some(v) = l.value {
                    specifiers.insert(name, v);
                }
            }
            [section, name, rest @ ..] => {
                let Some(scope) = section_scope(section) else {
                    continue;
                };
                let d = direct.entry(name).or_insert_with(|| Direct {
                    scope,
                    ..Default::default()
                });
                match (rest, l.value) {
                    ([], Some(v)) => d.version = Some(bare_version(v).to_string()),
                    (["version"], Some(v)) => d.version = Some(bare_version(v).to_string()),
                    (["specifier"], Some(v)) => d.specifier = Some(v.to_string()),
                    _ => {}
                }
            }
            _ => {}
        }
    }

    let mut found: Vec<Dep> = Vec::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for l in &lines {
        if l.path.first().copied() != Some("packages") {
            continue;
        }
        match &l.path[1..] {
            [key] => {
                let Some((name, version)) = parse_package_key(key, v5) else {
                    continue;
                };
                let mut d = Dep::new(name.clone(), l.line);
                d.version = deps::is_exact_version(&version).then(|| version.clone());
                let dir = direct
                    .get(name.as_str())
                    .filter(|x| x.version.as_deref().is_none_or(|v| v == version));
                d.direct = Some(dir.is_some());
                if let Some(x) = dir {
                    d.scope = Some(x.scope);
                    d.constraint = x
                        .specifier
                        .clone()
                        .or_else(|| specifiers.get(name.as_str()).map(|s| s.to_string()));
                }
                d.snippet = Some(key.to_string());
                index.insert(key, found.len());
                found.push(d);
            }
            [key, flag] => {
                let Some(d) = index.get(key).and_then(|&i| found.get_mut(i)) else {
                    continue;
                };
                match (*flag, l.value) {
                    ("dev", Some("true")) => d.scope = Some("dev"),
                    ("dev", Some("false")) if d.scope != Some("optional") => {
                        d.scope = Some("required")
                    }
                    ("optional", Some("true")) => d.scope = Some("optional"),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    deps::emit(
        ctx,
        input,
        ID,
        Ecosystem::Npm,
        Method::Lockfile,
        found,
        &mut out,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn run(text: &str) -> DetectOutcome {
        let ctx = Context {
            catalog: Catalog::builtin(),
            ..Default::default()
        };
        detect(
            &FileInput::from_bytes("pnpm-lock.yaml", text.as_bytes().to_vec()),
            &ctx,
        )
    }

    fn rows(out: &DetectOutcome) -> Vec<String> {
        out.findings
            .iter()
            .map(|f| {
                let p = |k: &str| {
                    f.properties
                        .get(k)
                        .and_then(|v| v.as_str())
                        .unwrap_or("-")
                        .to_string()
                };
                format!(
                    "{}@{} l{} {} {} {}",
                    f.name,
                    f.version.as_deref().unwrap_or("-"),
                    f.evidence.line.unwrap_or(0),
                    p("scope"),
                    p("dependency"),
                    p("constraint")
                )
            })
            .collect()
    }

    #[test]
    fn keys_of_every_version() {
        assert_eq!(
            parse_package_key("/openai/4.52.0", true),
            Some(("openai".into(), "4.52.0".into()))
        );
        assert_eq!(
            parse_package_key("/@langchain/openai/0.0.28_zod@3.22.4", true),
            Some(("@langchain/openai".into(), "0.0.28".into()))
        );
        assert_eq!(
            parse_package_key("/@langchain/core@0.2.3(openai@4.52.0)", false),
            Some(("@langchain/core".into(), "0.2.3".into()))
        );
        assert_eq!(
            parse_package_key("openai@4.52.0", false),
            Some(("openai".into(), "4.52.0".into()))
        );
        assert_eq!(parse_package_key("nonsense", false), None);
    }

    #[test]
    fn v6_single_project() {
        let out = run("lockfileVersion: '6.0'\n\nsettings:\n  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n\ndependencies:\n  '@langchain/core':\n    specifier: ^0.2.3\n    version: 0.2.3(openai@4.52.0)\n\ndevDependencies:\n  openai:\n    specifier: ^4.52.0\n    version: 4.52.0\n\npackages:\n\n  /@langchain/core@0.2.3(openai@4.52.0):\n    resolution: {integrity: sha512-x}\n    engines: {node: '>=18'}\n    dev: false\n\n  /openai@4.52.0:\n    resolution: {integrity: sha512-y}\n    dev: true\n\n  /openai@4.20.0:\n    resolution: {integrity: sha512-z}\n    dev: false\n");
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        assert_eq!(
            rows(&out),
            vec![
                "@langchain/core@0.2.3 l19 required direct ^0.2.3",
                "openai@4.52.0 l24 dev direct ^4.52.0",
                "openai@4.20.0 l28 required transitive -",
            ]
        );
    }

    #[test]
    fn v9_importers_and_broken_yaml() {
        let text = "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      openai:\n        specifier: 4.52.0\n        version: 4.52.0(zod@3.23.8)\n\npackages:\n\n  '@langchain/core@0.2.3':\n    resolution: {integrity: sha512-x}\n\n  openai@4.52.0:\n    resolution: {integrity: sha512-y}\n\nsnapshots:\n\n  openai@4.52.0(zod@3.23.8):\n    dependencies:\n      zod: 3.23.8\n";
        let out = run(text);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        assert_eq!(
            rows(&out),
            vec![
                "@langchain/core@0.2.3 l13 - transitive -",
                "openai@4.52.0 l16 required direct 4.52.0",
            ]
        );
        let broken = format!(
            "{}  openai@4.52.0: [unclosed\n",
            &text[..text.find("snapshots").unwrap()]
        );
        let out = run(&broken);
        assert!(out.failed);
        assert_eq!(out.findings.len(), 2);
        assert!(out.warnings[0].message.starts_with("invalid YAML: "));
        // a key nested under a scalar value
        let nested = text.replace(
            "    resolution: {integrity: sha512-y}\n",
            "    resolution: sha512-y\n      tarball: x\n",
        );
        assert!(run(&nested).failed);
    }

    #[test]
    fn irregular_but_valid_yaml_is_not_a_warning() {
        // a flow mapping over two lines: not pnpm's shape, still YAML
        let text = "lockfileVersion: '9.0'\n\npackages:\n\n  openai@4.52.0:\n    resolution: {integrity: sha512-y,\n      tarball: https://example.test/openai.tgz}\n";
        assert!(!walk(text).1);
        let out = run(text);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        assert!(!out.failed);
        assert_eq!(rows(&out), vec!["openai@4.52.0 l5 - transitive -"]);
    }

    #[test]
    fn the_fixtures_are_in_the_regular_shape() {
        for name in ["pnpm-v6", "pnpm-v9"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/node")
                .join(name)
                .join("pnpm-lock.yaml");
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(walk(&text).1, "{name}");
        }
    }
}
