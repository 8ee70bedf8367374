//! Small helpers shared by detectors: line numbers, snippets, redaction, package findings.

use super::Context;
use crate::bom::{normalize, normalize::Ecosystem, ComponentKind, Evidence, Finding};
use crate::catalog::Category;

/// `\n` bytes in `bytes` (memchr counts with vector compares; a plain `filter().count()`
/// goes a byte at a time).
pub fn count_newlines(bytes: &[u8]) -> u32 {
    u32::try_from(memchr::memchr_iter(b'\n', bytes).count()).unwrap_or(u32::MAX)
}

/// 1-based line number of byte `offset` in `text`.
pub fn line_at(text: &str, offset: usize) -> u32 {
    let end = offset.min(text.len());
    count_newlines(&text.as_bytes()[..end]) + 1
}

/// The `index`-th line of `text` (0-based), as `str::lines` would yield it, found with memchr
/// rather than by walking every line before it (a large lock file has tens of thousands).
pub fn nth_line(text: &str, index: usize) -> Option<&str> {
    let bytes = text.as_bytes();
    let start = match index {
        0 => 0,
        n => memchr::memchr_iter(b'\n', bytes).nth(n - 1)? + 1,
    };
    if start >= bytes.len() {
        return None;
    }
    let line = match memchr::memchr(b'\n', &bytes[start..]) {
        // a line ended by `\n` loses a `\r` before it, as `str::lines` does
        Some(len) => {
            let l = &text[start..start + len];
            l.strip_suffix('\r').unwrap_or(l)
        }
        None => &text[start..],
    };
    Some(line)
}

/// A snippet for evidence: one line, trimmed, at most 120 characters.
pub fn snippet(line: &str) -> String {
    let line = line.trim();
    // counting only as far as the limit: a minified line can be megabytes
    if line.char_indices().nth(120).is_none() {
        return line.to_string();
    }
    let end = line.char_indices().nth(117).map_or(line.len(), |(i, _)| i);
    let mut s = line[..end].to_string();
    s.push('…');
    s
}

/// The only form in which a secret ever leaves the scanner: its first four characters and its
/// length. Enough to find and rotate the key, useless to an attacker.
pub fn redact_secret(secret: &str) -> String {
    let head: String = secret.chars().take(4).collect();
    format!("{head}…(redacted, {} chars)", secret.chars().count())
}

/// A `library` finding for a package dependency, or `None` when the package is not AI and
/// `--all-packages` is off. Sets the purl, category, vendor/provider from the catalogue.
pub fn package_finding(
    ctx: &Context,
    eco: Ecosystem,
    name: &str,
    version: Option<&str>,
    evidence: Evidence,
) -> Option<Finding> {
    let normalized = eco.normalize_name(name);
    if normalized.is_empty() {
        return None;
    }
    let entry = ctx.catalog.lookup(eco, &normalized);
    if entry.is_none() && !ctx.all_packages {
        return None;
    }
    let purl = normalize::package_purl(eco, &normalized)?;
    let mut f = Finding::new(ComponentKind::Library, normalized, evidence)
        .with_purl(purl)
        .with_version(version.map(str::to_string))
        .prop("ecosystem", eco.as_str());
    match entry {
        Some(e) => {
            f = f.prop("category", e.category.as_str()).prop("ai", true);
            if e.category == Category::Framework {
                f = f.prop("framework", true);
            }
            if let Some(v) = &e.vendor {
                f = f.prop("vendor", v.as_str());
            }
            if let Some(p) = &e.provider {
                f.provider = Some(p.clone());
            }
        }
        None => f = f.prop("ai", false),
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_cut_at_120_characters() {
        // the definition: count every character, keep 117 and an ellipsis beyond 120
        let by_definition = |line: &str| {
            let line = line.trim();
            if line.chars().count() <= 120 {
                return line.to_string();
            }
            let mut s: String = line.chars().take(117).collect();
            s.push('…');
            s
        };
        for n in [0, 1, 116, 117, 118, 119, 120, 121, 122, 500] {
            for unit in ["a", "é", "日", "🦀"] {
                let line = format!("  {}\t", unit.repeat(n));
                assert_eq!(snippet(&line), by_definition(&line), "{n} × {unit}");
            }
        }
        assert_eq!(snippet(&"x".repeat(121)).chars().count(), 118);
        assert_eq!(snippet(&"x".repeat(120)).chars().count(), 120);
    }

    #[test]
    fn nth_line_is_str_lines_nth() {
        for text in [
            "",
            "a",
            "a\n",
            "a\n\n",
            "a\r\nb\r\n",
            "x\r",
            "\n\nz",
            "é\nü\r\n\r\nq\r",
        ] {
            for i in 0..6 {
                assert_eq!(nth_line(text, i), text.lines().nth(i), "{text:?} {i}");
            }
        }
    }

    #[test]
    fn lines_and_redaction() {
        assert_eq!(line_at("a\nb\nc", 0), 1);
        assert_eq!(line_at("a\nb\nc", 2), 2);
        assert_eq!(line_at("a\nb\nc", 99), 3);
        let r = redact_secret("sk-proj-abcdefghijklmnop");
        assert!(r.starts_with("sk-p"));
        assert!(!r.contains("abcdef"));
    }
}
