//! Shared shape of a dependency entry read from a manifest or lock file, and the one place
//! that turns entries into `library` findings for the package-manifest families (node, rust,
//! go, jvm). Keeping it here means every ecosystem spells its properties the same way:
//!
//! - `constraint`: the requirement as declared (`^4.52.0`, `0.21`, `[1.0,2.0)`);
//! - `scope`: `required`, `dev`, `peer`, `optional`, `build` or `provided`;
//! - `dependency`: `direct` or `transitive`, when the file says which.

use super::{util, Context, DetectOutcome, FileInput};
use crate::bom::normalize::Ecosystem;
use crate::bom::{Confidence, Evidence, Method};
use std::collections::BTreeMap;

/// One dependency entry as a parser saw it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dep {
    pub name: String,
    /// Resolved or exact version; `None` for a range.
    pub version: Option<String>,
    pub constraint: Option<String>,
    pub scope: Option<&'static str>,
    /// `Some(true)` direct, `Some(false)` transitive, `None` unknown.
    pub direct: Option<bool>,
    /// 1-based line of the entry.
    pub line: u32,
    pub snippet: Option<String>,
    /// Extra properties (`rename`, `replaced-by`, …), sorted by key when emitted.
    pub extra: Vec<(&'static str, String)>,
}

impl Dep {
    pub fn new(name: impl Into<String>, line: u32) -> Self {
        Dep {
            name: name.into(),
            line,
            ..Default::default()
        }
    }
}

/// How strongly a scope ties a package to the shipped product; when one file lists a package
/// twice (in `dependencies` and `devDependencies`), the stronger scope wins.
fn scope_rank(scope: Option<&str>) -> u8 {
    match scope {
        Some("required") => 6,
        Some("optional") => 5,
        Some("peer") => 4,
        Some("provided") => 3,
        Some("build") => 2,
        Some("dev") => 1,
        _ => 0,
    }
}

/// True when `v` is a bare version with nothing that makes it a range (`4.52.0`, `1.0.0-rc.1`).
pub fn is_exact_version(v: &str) -> bool {
    let v = v.trim();
    !v.is_empty()
        && v.chars().next().is_some_and(|c| c.is_ascii_digit())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'))
        && !v.contains(".x")
        && !v.ends_with(".X")
        && !v.ends_with('+')
}

/// Turn the entries of one file into findings. Entries with the same name and version are
/// folded into one (stronger scope, direct over transitive, first line), so a file never
/// yields two findings of one component that would disagree on a property.
pub fn emit(
    ctx: &Context,
    input: &FileInput,
    detector: &str,
    eco: Ecosystem,
    method: Method,
    deps: Vec<Dep>,
    out: &mut DetectOutcome,
) {
    let mut folded: BTreeMap<(String, Option<String>), Dep> = BTreeMap::new();
    for d in deps {
        if d.name.trim().is_empty() {
            continue;
        }
        let key = (d.name.clone(), d.version.clone());
        match folded.get_mut(&key) {
            None => {
                folded.insert(key, d);
            }
            Some(prev) => {
                if scope_rank(d.scope) > scope_rank(prev.scope) {
                    prev.scope = d.scope;
                }
                prev.direct = match (prev.direct, d.direct) {
                    (Some(true), _) | (_, Some(true)) => Some(true),
                    (Some(false), _) | (_, Some(false)) => Some(false),
                    _ => None,
                };
                if prev.constraint.is_none() {
                    prev.constraint = d.constraint;
                }
                if d.line < prev.line {
                    prev.line = d.line;
                    prev.snippet = d.snippet;
                }
            }
        }
    }
    let mut found: Vec<_> = folded.into_values().collect();
    found.sort_by_key(|d| d.line);
    for d in found {
        let mut ev = Evidence::new(
            &input.rel_path,
            Some(d.line),
            detector,
            method,
            Confidence::High,
        );
        ev.snippet = d.snippet.as_deref().map(util::snippet);
        let Some(mut f) = util::package_finding(ctx, eco, &d.name, d.version.as_deref(), ev) else {
            continue;
        };
        if let Some(c) = d.constraint.filter(|c| !c.is_empty()) {
            f = f.prop("constraint", c);
        }
        if let Some(s) = d.scope {
            f = f.prop("scope", s);
        }
        if let Some(direct) = d.direct {
            f = f.prop("dependency", if direct { "direct" } else { "transitive" });
        }
        for (k, v) in d.extra {
            f = f.prop(k, v);
        }
        out.findings.push(f);
    }
}

/// Newline offsets of a text, for many line look-ups in one big file (a lock with thousands of
/// entries) without rescanning it from the start each time.
pub struct LineIndex {
    newlines: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        LineIndex {
            newlines: memchr::memchr_iter(b'\n', text.as_bytes()).collect(),
        }
    }

    /// 1-based line of byte `offset` (same answer as [`util::line_at`]).
    pub fn line(&self, offset: usize) -> u32 {
        self.newlines.partition_point(|&n| n < offset) as u32 + 1
    }

    /// The text of 1-based line `line` of `text` (the text this index was built from), as
    /// [`util::nth_line`] gives it for `line - 1`.
    pub fn line_text<'t>(&self, text: &'t str, line: u32) -> Option<&'t str> {
        let i = (line as usize).checked_sub(1)?;
        let start = self.line_start(line)?;
        if start >= text.len() {
            return None;
        }
        let end = self.newlines.get(i).copied().unwrap_or(text.len());
        let l = text.get(start..end)?;
        Some(if end < text.len() {
            l.strip_suffix('\r').unwrap_or(l)
        } else {
            l
        })
    }

    /// Byte offset where 1-based line `line` starts (past the end for a line after the last).
    pub fn line_start(&self, line: u32) -> Option<usize> {
        match (line as usize).checked_sub(1)? {
            0 => Some(0),
            n => self.newlines.get(n - 1).map(|nl| nl + 1),
        }
    }

    /// [`util::snippet`] of 1-based line `line`: bounded, so an entry of a minified one-line
    /// file does not copy the whole file.
    pub fn snippet(&self, text: &str, line: u32) -> Option<String> {
        self.line_text(text, line).map(util::snippet)
    }
}

/// Look an entry up after the previous one: `find(from)` gives the first match at or after
/// `from`. Entries of a file come in file order, so each is searched for from `cursor` (just
/// past the previous match), and from `start` (the top of its section) only when that fails;
/// searching every entry from the top was quadratic in the number of entries.
pub fn search_forward(
    cursor: &mut usize,
    start: usize,
    find: impl Fn(usize) -> Option<usize>,
) -> Option<usize> {
    let at = find(*cursor).or_else(|| find(start));
    if let Some(at) = at {
        *cursor = (*cursor).max(at + 1);
    }
    at
}

/// Byte offset of the first `"key"` (JSON-quoted) followed by `:` at or after `from`; `None`
/// when it is not there. JSON parsers drop positions, so lines are recovered from the text.
pub fn json_key_at(text: &str, key: &str, from: usize) -> Option<usize> {
    let quoted = serde_json::to_string(key).ok()?;
    let mut start = from.min(text.len());
    while let Some(rel) = text.get(start..)?.find(&quoted) {
        let at = start + rel;
        let after = text.get(at + quoted.len()..)?.trim_start();
        if after.starts_with(':') {
            return Some(at);
        }
        start = at + quoted.len();
    }
    None
}

/// Read a file next to (or above) a claimed input, bounded: used to resolve Cargo workspace
/// inheritance and similar one-hop references. Never follows more than `MAX_SIDE_BYTES`.
pub fn read_side_file(path: &std::path::Path) -> Option<String> {
    use std::io::Read;
    const MAX_SIDE_BYTES: u64 = 4 * 1024 * 1024;
    let file = std::fs::File::open(path).ok()?;
    if file.metadata().ok()?.len() > MAX_SIDE_BYTES {
        return None;
    }
    let mut buf = String::new();
    file.take(MAX_SIDE_BYTES).read_to_string(&mut buf).ok()?;
    Some(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_versions() {
        assert!(is_exact_version("4.52.0"));
        assert!(is_exact_version("1.0.0-rc.1"));
        assert!(!is_exact_version("^4.52.0"));
        assert!(!is_exact_version("~1.2"));
        assert!(!is_exact_version(">=1, <2"));
        assert!(!is_exact_version("1.x"));
        assert!(!is_exact_version("1.+"));
        assert!(is_exact_version("1.0.0+build.5"));
        assert!(!is_exact_version("*"));
        assert!(!is_exact_version("latest"));
        assert!(!is_exact_version(""));
    }

    #[test]
    fn line_index_agrees_with_line_at() {
        let t = "a\nbb\n\nccc";
        let idx = LineIndex::new(t);
        for off in 0..=t.len() + 2 {
            assert_eq!(idx.line(off), util::line_at(t, off), "offset {off}");
        }
    }

    #[test]
    fn line_text_agrees_with_nth_line() {
        for t in [
            "a\nbb\n\nccc",
            "x\r\ny\r\n",
            "",
            "\n",
            "one",
            "a\r",
            "é\nü\n",
        ] {
            let idx = LineIndex::new(t);
            for line in 0..8u32 {
                let want = line
                    .checked_sub(1)
                    .and_then(|i| util::nth_line(t, i as usize));
                assert_eq!(idx.line_text(t, line), want, "{t:?} line {line}");
            }
        }
        let long = "x".repeat(10_000);
        assert_eq!(
            LineIndex::new(&long)
                .snippet(&long, 1)
                .map(|s| s.chars().count()),
            Some(118)
        );
    }

    #[test]
    fn forward_search_falls_back_to_the_start() {
        let t = r#"{"deps": {"b": "1", "a": "2", "b2": "3"}}"#;
        let start = json_key_at(t, "deps", 0).unwrap();
        let mut cursor = start;
        let a = search_forward(&mut cursor, start, |f| json_key_at(t, "a", f));
        assert_eq!(a, t.find("\"a\""));
        assert_eq!(cursor, a.unwrap() + 1);
        // out of file order: found from the section start, the cursor stays
        let b = search_forward(&mut cursor, start, |f| json_key_at(t, "b", f));
        assert_eq!((b, cursor), (t.find("\"b\""), a.unwrap() + 1));
        assert_eq!(
            search_forward(&mut cursor, start, |f| json_key_at(t, "c", f)),
            None
        );
    }

    #[test]
    fn json_lines() {
        let t = "{\n  \"a\": {\n    \"openai\": \"^4\"\n  },\n  \"openai\": 1\n}";
        let line =
            |key: &str, from: usize| json_key_at(t, key, from).map(|at| util::line_at(t, at));
        assert_eq!(line("openai", 0), Some(3));
        let at = json_key_at(t, "a", 0).unwrap();
        assert_eq!(line("openai", at + 30), Some(5));
        assert_eq!(line("missing", 0), None);
    }
}
