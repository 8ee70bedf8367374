//! Small helpers shared by detectors: line numbers, snippets, redaction, package findings.

use super::Context;
use crate::bom::{normalize, normalize::Ecosystem, ComponentKind, Evidence, Finding};
use crate::catalog::Category;

/// 1-based line number of byte `offset` in `text`.
pub fn line_at(text: &str, offset: usize) -> u32 {
    let end = offset.min(text.len());
    memchr::memchr_iter(b'\n', &text.as_bytes()[..end]).count() as u32 + 1
}

/// A snippet for evidence: one line, trimmed, at most 120 characters.
pub fn snippet(line: &str) -> String {
    let line = line.trim();
    if line.chars().count() <= 120 {
        return line.to_string();
    }
    let mut s: String = line.chars().take(117).collect();
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
    fn lines_and_redaction() {
        assert_eq!(line_at("a\nb\nc", 0), 1);
        assert_eq!(line_at("a\nb\nc", 2), 2);
        assert_eq!(line_at("a\nb\nc", 99), 3);
        let r = redact_secret("sk-proj-abcdefghijklmnop");
        assert!(r.starts_with("sk-p"));
        assert!(!r.contains("abcdef"));
    }
}
