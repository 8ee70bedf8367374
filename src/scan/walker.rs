//! The parallel walk: default skips, excludes, gitignore on request, symlinks not followed.

use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::Path;

/// Directory names skipped by default: vendored or generated trees that hold other people's
/// code. Each can be re-enabled with `--include NAME`; `--no-default-skips` re-enables all.
pub const DEFAULT_SKIPS: [&str; 11] = [
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    ".venv",
    "venv",
    "site-packages",
    "target",
    "__pycache__",
    ".tox",
    "dist",
];

/// The skip rules of one scan.
#[derive(Debug, Clone)]
pub struct SkipRules {
    skip_dirs: Vec<String>,
    excludes: GlobSet,
}

impl SkipRules {
    pub fn new(
        no_default_skips: bool,
        include: &[String],
        excludes: &[String],
    ) -> Result<Self, String> {
        let skip_dirs = if no_default_skips {
            Vec::new()
        } else {
            DEFAULT_SKIPS
                .iter()
                .filter(|d| !include.iter().any(|i| i == *d))
                .map(|d| d.to_string())
                .collect()
        };
        let mut b = GlobSetBuilder::new();
        for pat in excludes {
            let glob = Glob::new(pat).map_err(|e| format!("--exclude {pat:?}: {e}"))?;
            b.add(glob);
            // `--exclude docs` should also drop everything below docs/
            if !pat.contains('/') && !pat.contains("**") {
                if let Ok(g) = Glob::new(&format!("**/{pat}")) {
                    b.add(g);
                }
            }
        }
        let excludes = b.build().map_err(|e| format!("--exclude: {e}"))?;
        Ok(SkipRules {
            skip_dirs,
            excludes,
        })
    }

    /// True when any `--exclude` glob was given (only then is the relative path needed).
    pub fn has_excludes(&self) -> bool {
        !self.excludes.is_empty()
    }

    /// The rule that skips this entry, if any. `rel` is relative to the scan root.
    pub fn skip_reason(&self, rel: &str, file_name: &str, is_dir: bool) -> Option<String> {
        if is_dir && self.skip_dirs.iter().any(|d| d == file_name) {
            return Some(file_name.to_string());
        }
        if !rel.is_empty() && self.excludes.is_match(Path::new(rel)) {
            return Some("--exclude".to_string());
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_skips_and_excludes() {
        let r =
            SkipRules::new(false, &["dist".into()], &["docs".into(), "*.min.js".into()]).unwrap();
        assert_eq!(
            r.skip_reason("a/node_modules", "node_modules", true)
                .as_deref(),
            Some("node_modules")
        );
        assert_eq!(r.skip_reason("node_modules", "node_modules", false), None);
        assert_eq!(r.skip_reason("dist", "dist", true), None);
        assert_eq!(
            r.skip_reason("docs", "docs", true).as_deref(),
            Some("--exclude")
        );
        assert_eq!(
            r.skip_reason("web/app.min.js", "app.min.js", false)
                .as_deref(),
            Some("--exclude")
        );
        assert!(SkipRules::new(false, &[], &["[".into()]).is_err());
    }
}
