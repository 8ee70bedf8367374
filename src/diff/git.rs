//! `aibom diff --git BASE[..HEAD] [PATH]`: scan two revisions of a repository without touching
//! the user's working tree or index. Each revision is exported with `git archive` into a
//! private temporary directory and scanned there; the directory is removed afterwards.
//!
//! `git archive` honours `export-ignore` attributes and does not run LFS smudge filters, so LFS
//! files are scanned as the pointers they are in the repository (which aibom reports).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// `BASE..HEAD`, `BASE...HEAD` (from the merge base, as GitHub shows a PR) or `BASE` (HEAD = HEAD).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevRange {
    pub base: String,
    pub head: String,
    pub merge_base: bool,
}

impl RevRange {
    pub fn parse(s: &str) -> Result<RevRange, String> {
        let (base, head, merge_base) = if let Some((a, b)) = s.split_once("...") {
            (a, b, true)
        } else if let Some((a, b)) = s.split_once("..") {
            (a, b, false)
        } else {
            (s, "", false)
        };
        let base = if base.is_empty() { "HEAD" } else { base };
        let head = if head.is_empty() { "HEAD" } else { head };
        for r in [base, head] {
            if r.starts_with('-') {
                return Err(format!("{r:?} is not a revision"));
            }
        }
        Ok(RevRange {
            base: base.to_string(),
            head: head.to_string(),
            merge_base,
        })
    }
}

fn git(repo: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A repository location: its top level and the scanned path's prefix inside it.
#[derive(Debug, Clone)]
pub struct Repo {
    pub top: PathBuf,
    /// `sub/dir/` or empty.
    pub prefix: String,
}

impl Repo {
    pub fn open(path: &Path) -> Result<Repo, String> {
        let top = git(path, &["rev-parse", "--show-toplevel"])?;
        let prefix = git(path, &["rev-parse", "--show-prefix"])?;
        Ok(Repo {
            top: PathBuf::from(top),
            prefix,
        })
    }

    /// The full commit id of a revision.
    pub fn resolve(&self, rev: &str) -> Result<String, String> {
        git(
            &self.top,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &format!("{rev}^{{commit}}"),
            ],
        )
        .map_err(|_| format!("{rev:?} is not a commit in {}", self.top.display()))
    }

    pub fn merge_base(&self, a: &str, b: &str) -> Result<String, String> {
        git(&self.top, &["merge-base", a, b])
    }

    /// Export `commit` into `dest` (which must exist and be empty).
    pub fn export(&self, commit: &str, dest: &Path) -> Result<(), String> {
        let mut archive = Command::new("git")
            .arg("-C")
            .arg(&self.top)
            .args(["archive", "--format=tar", commit])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run git archive: {e}"))?;
        let Some(stdout) = archive.stdout.take() else {
            return Err("git archive gave no output".into());
        };
        let tar = Command::new("tar")
            .arg("-x")
            .arg("-f")
            .arg("-")
            .arg("-C")
            .arg(dest)
            .stdin(stdout)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("cannot run tar: {e}"))?;
        let status = archive
            .wait_with_output()
            .map_err(|e| format!("git archive: {e}"))?;
        if !status.status.success() {
            return Err(format!(
                "git archive {commit}: {}",
                String::from_utf8_lossy(&status.stderr).trim()
            ));
        }
        if !tar.status.success() {
            return Err(format!(
                "tar: {}",
                String::from_utf8_lossy(&tar.stderr).trim()
            ));
        }
        Ok(())
    }
}

/// A temporary directory removed on drop.
pub struct TempTree {
    pub path: PathBuf,
}

impl TempTree {
    pub fn new(tag: &str) -> Result<TempTree, String> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "aibom-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(TempTree { path })
    }
}

impl Drop for TempTree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Export `rev` and scan it. `options` builds the scan options for a root directory. The BOM's
/// target becomes `git:<rev> (<short commit>)`; evidence paths are relative to the scanned
/// path inside the repository, as they would be for a scan of the working tree.
pub fn scan_revision(
    repo: &Repo,
    rev: &str,
    commit: &str,
    options: &dyn Fn(PathBuf) -> crate::scan::ScanOptions,
) -> Result<crate::bom::Bom, String> {
    let tree = TempTree::new("git")?;
    repo.export(commit, &tree.path)?;
    let root = tree.path.join(repo.prefix.trim_end_matches('/'));
    if !root.is_dir() {
        // The path did not exist at that revision: an empty inventory, not an error.
        std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    }
    let mut bom = crate::scan::run_scan(&options(root))?;
    let short: String = commit.chars().take(12).collect();
    bom.targets = vec![crate::bom::Target {
        kind: "git".to_string(),
        value: format!("{rev} ({short})"),
    }];
    Ok(bom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let r = RevRange::parse("v1.2..v1.3").unwrap();
        assert_eq!(
            (r.base.as_str(), r.head.as_str(), r.merge_base),
            ("v1.2", "v1.3", false)
        );
        let r = RevRange::parse("origin/main").unwrap();
        assert_eq!((r.base.as_str(), r.head.as_str()), ("origin/main", "HEAD"));
        assert!(RevRange::parse("main...feature").unwrap().merge_base);
        assert!(RevRange::parse("--output=x").is_err());
    }
}
