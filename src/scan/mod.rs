//! `run_scan`: walk → claim → detect → cross-file passes → merge → sort.

mod open;
pub mod walker;

use crate::bom::merge::Merger;
use crate::bom::{Bom, Coverage, Finding, Risk, Target, Warning};
use crate::detect::{self, Candidate, Claim, Context, DetectOutcome, FileInput, PostPass};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use walker::SkipRules;

/// Everything a scan needs to know.
#[derive(Debug, Default)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub cloud: Vec<PathBuf>,
    pub excludes: Vec<String>,
    pub include: Vec<String>,
    pub no_default_skips: bool,
    pub respect_gitignore: bool,
    pub follow_symlinks: bool,
    /// Worker threads; 0 = one per core.
    pub threads: usize,
    pub context: Context,
}

/// What the walk gathered: findings already merged, plus those the cross-file passes need.
#[derive(Default)]
struct Collected {
    merger: Merger,
    /// Findings a post pass wants, held back until every file was seen.
    deferred: Vec<Finding>,
    risks: Vec<Risk>,
    warnings: Vec<Warning>,
    metadata: Vec<(String, serde_json::Value)>,
    coverage: Coverage,
}

impl Collected {
    fn add_findings(&mut self, findings: Vec<Finding>, passes: &[PostPass]) {
        for f in findings {
            if passes.iter().any(|p| (p.wants)(&f)) {
                self.deferred.push(f);
            } else {
                self.merger.add(f);
            }
        }
    }

    fn absorb(&mut self, other: Collected) {
        self.merger.absorb(other.merger);
        self.deferred.extend(other.deferred);
        self.risks.extend(other.risks);
        self.warnings.extend(other.warnings);
        self.metadata.extend(other.metadata);
        self.coverage.absorb(other.coverage);
    }
}

/// One walker thread's share: collected without locking, handed over when the thread is done.
struct ThreadSink<'a> {
    local: Collected,
    shared: &'a Mutex<Collected>,
}

impl Drop for ThreadSink<'_> {
    fn drop(&mut self) {
        let local = std::mem::take(&mut self.local);
        self.shared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .absorb(local);
    }
}

/// A scan root and how its files are named in the output.
struct Root {
    path: PathBuf,
    /// Prefix for relative paths ("" when a single root is scanned).
    display: String,
    cloud: bool,
}

/// Scan the given paths and cloud exports into one BOM. Unreadable or malformed input becomes
/// warnings; only an invalid invocation is an error.
pub fn run_scan(opts: &ScanOptions) -> Result<Bom, String> {
    let skips = SkipRules::new(opts.no_default_skips, &opts.include, &opts.excludes)?;
    let mut roots = Vec::new();
    let single = opts.paths.len() + opts.cloud.len() == 1;
    for (list, cloud) in [(&opts.paths, false), (&opts.cloud, true)] {
        for p in list {
            if std::fs::symlink_metadata(p).is_err() {
                return Err(format!("{}: no such file or directory", p.display()));
            }
            let display = if single {
                String::new()
            } else {
                display_root(p)
            };
            roots.push(Root {
                path: p.clone(),
                display,
                cloud,
            });
        }
    }
    let collected = Mutex::new(Collected::default());
    for root in &roots {
        walk_root(root, opts, &skips, &collected);
    }
    let mut c = collected.into_inner().unwrap_or_else(|e| e.into_inner());

    let mut deferred = std::mem::take(&mut c.deferred);
    for pass in detect::post_passes() {
        (pass.run)(&mut deferred, &mut c.risks, &mut c.warnings);
    }
    for f in deferred {
        c.merger.add(f);
    }
    let mut bom = Bom {
        components: c.merger.finish_on(worker_threads(opts.threads)),
        risks: c.risks,
        warnings: c.warnings,
        coverage: c.coverage,
        ..Bom::default()
    };
    for root in &roots {
        bom.targets.push(Target {
            kind: if root.cloud { "cloud" } else { "path" }.to_string(),
            value: display_root(&root.path),
        });
    }
    for (k, v) in c.metadata {
        let entry = bom
            .metadata
            .entry(k)
            .or_insert_with(|| serde_json::Value::Array(Vec::new()));
        if let serde_json::Value::Array(items) = entry {
            items.push(v);
        }
    }
    for v in bom.metadata.values_mut() {
        if let serde_json::Value::Array(items) = v {
            crate::bom::sort_dedup_values(items);
        }
    }
    bom.timestamp = source_date_epoch();
    bom.normalize();
    Ok(bom)
}

/// `--threads` as a count: 0 means one per core.
fn worker_threads(asked: usize) -> usize {
    match asked {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
}

/// The root as the user gave it, forward slashes, without a leading `./`.
fn display_root(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    let s = s.trim_start_matches("./").trim_end_matches('/');
    if s.is_empty() {
        ".".to_string()
    } else {
        s.to_string()
    }
}

fn walk_root(root: &Root, opts: &ScanOptions, skips: &SkipRules, out: &Mutex<Collected>) {
    let mut builder = ignore::WalkBuilder::new(&root.path);
    builder
        .hidden(false)
        .parents(false)
        .ignore(false)
        .git_global(false)
        .git_exclude(opts.respect_gitignore)
        .git_ignore(opts.respect_gitignore)
        .require_git(false)
        .follow_links(opts.follow_symlinks)
        .threads(opts.threads);
    let root_path = root.path.clone();
    let filter_skips = skips.clone();
    let skipped: std::sync::Arc<Mutex<BTreeMap<String, u64>>> = Default::default();
    let skipped_in_filter = skipped.clone();
    builder.filter_entry(move |entry| {
        // the relative path is only needed to match --exclude globs
        let rel = if filter_skips.has_excludes() {
            relative(&root_path, entry.path())
        } else {
            String::new()
        };
        let name = entry.file_name().to_string_lossy();
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        match filter_skips.skip_reason(&rel, &name, is_dir) {
            Some(reason) => {
                if let Ok(mut m) = skipped_in_filter.lock() {
                    *m.entry(reason).or_default() += 1;
                }
                false
            }
            None => true,
        }
    });
    // the detectors that may see this root's files, chosen once rather than per file
    let registry: Vec<&detect::Detector> = detect::registry()
        .iter()
        .copied()
        .filter(|d| d.scope.covers(root.cloud))
        .collect();
    let registry = registry.as_slice();
    let passes = detect::post_passes();
    let passes = passes.as_slice();
    builder.build_parallel().run(|| {
        let root = &root;
        let mut sink = ThreadSink {
            local: Collected::default(),
            shared: out,
        };
        let mut dirs = open::DirHandles::default();
        Box::new(move |result| {
            let local = &mut sink.local;
            match result {
                Ok(entry) => visit(root, &entry, opts, registry, passes, &mut dirs, local),
                Err(err) => {
                    let path = error_path(&err)
                        .map(|p| join_display(&root.display, &relative(&root.path, p)))
                        .unwrap_or_else(|| join_display(&root.display, ""));
                    local
                        .warnings
                        .push(Warning::new(&path, None, walk_error_message(&err)));
                }
            }
            ignore::WalkState::Continue
        })
    });
    let skipped = skipped.lock().map(|m| m.clone()).unwrap_or_default();
    let mut g = out.lock().unwrap_or_else(|e| e.into_inner());
    for (k, v) in skipped {
        *g.coverage.skipped.entry(k).or_default() += v;
    }
}

fn visit(
    root: &Root,
    entry: &ignore::DirEntry,
    opts: &ScanOptions,
    registry: &[&detect::Detector],
    passes: &[PostPass],
    dirs: &mut open::DirHandles,
    out: &mut Collected,
) {
    let Some(ft) = entry.file_type() else { return };
    if ft.is_dir() {
        return;
    }
    let rel = join_display_owned(&root.display, relative(&root.path, entry.path()));
    let rel = if rel.is_empty() {
        entry.file_name().to_string_lossy().into_owned()
    } else {
        rel
    };
    if ft.is_symlink() {
        // not followed (a link may point out of the tree, or loop); counted so it is visible
        bump_skip(out, "symlink");
        return;
    }
    // A regular file (by its directory entry) is opened once, here: its size comes from the
    // open handle (no second lookup of the path) and every read reuses the handle. Anything
    // else is only stat'ed, never opened.
    let file = if ft.is_file() {
        match dirs.open(entry.path()) {
            Ok(f) => Some(f),
            Err(e) => {
                out.warnings
                    .push(Warning::new(&rel, None, format!("cannot open: {e}")));
                return;
            }
        }
    } else {
        None
    };
    let meta = match file.as_ref().map_or_else(
        || entry.metadata().map_err(|e| e.to_string()),
        |f| f.metadata().map_err(|e| e.to_string()),
    ) {
        Ok(m) => m,
        Err(e) => {
            out.warnings
                .push(Warning::new(&rel, None, format!("cannot stat: {e}")));
            return;
        }
    };
    if !meta.is_file() {
        // FIFOs, sockets and devices are never opened: a read could block forever
        bump_skip(out, "special-file");
        return;
    }
    let file_name = entry.file_name().to_string_lossy();
    let name_lower = file_name.to_lowercase();
    let ext = name_lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let mut input = FileInput::new(rel, entry.path().to_path_buf(), meta.len(), root.cloud);
    if let Some(f) = file {
        input = input.with_open_file(f);
    }
    let cand = Candidate {
        rel_path: &input.rel_path,
        file_name: &file_name,
        name_lower: &name_lower,
        ext,
        size: meta.len(),
        cloud: root.cloud,
    };
    let mut outcome = DetectOutcome::default();
    let mut claimed = false;
    for d in registry {
        let wants = match (d.claim)(&cand) {
            Claim::No => false,
            Claim::Yes => true,
            Claim::Sniff => match (d.sniff, input.head()) {
                (Some(sniff), Ok(head)) => sniff(head),
                _ => false,
            },
        };
        if wants {
            claimed = true;
            outcome.extend((d.detect)(&input, &opts.context));
        }
    }
    out.coverage.walked += 1;
    if claimed {
        out.coverage.claimed += 1;
        if outcome.failed {
            out.coverage.failed += 1;
        } else {
            out.coverage.parsed += 1;
        }
    }
    out.add_findings(outcome.findings, passes);
    out.risks.extend(outcome.risks);
    out.warnings.extend(outcome.warnings);
    out.metadata.extend(outcome.metadata);
}

fn bump_skip(out: &mut Collected, rule: &str) {
    *out.coverage.skipped.entry(rule.to_string()).or_default() += 1;
}

/// `path` relative to `root`, forward slashes; non-UTF-8 bytes are shown lossily.
pub fn relative(root: &Path, path: &Path) -> String {
    // Fast path for every walked entry: the walker joins names onto the root as given, so the
    // path's bytes start with the root's; `Path::strip_prefix` compares component by component.
    let (r, p) = (
        root.as_os_str().as_encoded_bytes(),
        path.as_os_str().as_encoded_bytes(),
    );
    if cfg!(unix) && !r.is_empty() && p.starts_with(r) {
        let rest = &p[r.len()..];
        let rest = if r.ends_with(b"/") {
            Some(rest)
        } else {
            rest.strip_prefix(b"/")
        };
        if let Some(s) = rest.and_then(|b| std::str::from_utf8(b).ok()) {
            if is_plain_relative(s) {
                return s.to_string();
            }
        }
    }
    let rel = path.strip_prefix(root).unwrap_or(path);
    // Fast path, taken for every walked entry on Unix: a UTF-8 relative path with no `.`, empty
    // or root component is already what the component loop below would build (it allocated and
    // re-pushed each component, 7% of a scan's instructions).
    if let Some(s) = rel.to_str() {
        if cfg!(unix) && is_plain_relative(s) {
            return s.to_string();
        }
    }
    let mut s = String::new();
    for (i, c) in rel.components().enumerate() {
        if i > 0 {
            s.push('/');
        }
        s.push_str(&c.as_os_str().to_string_lossy());
    }
    s
}

/// True when `s` is relative and has no empty, `.` or `..` component (so `Path::components`
/// would yield exactly its `/`-separated parts).
fn is_plain_relative(s: &str) -> bool {
    // one pass over the bytes: a component is bad when empty or made of one or two dots
    let mut len = 0usize;
    let mut dots_only = true;
    for &b in s.as_bytes().iter().chain(std::iter::once(&b'/')) {
        if b == b'/' {
            if len == 0 || (dots_only && len <= 2) {
                return false;
            }
            len = 0;
            dots_only = true;
        } else {
            len += 1;
            dots_only &= b == b'.';
        }
    }
    true
}

/// [`join_display`] of an owned `rel`, which is returned as it is when there is no prefix
/// (every file of a single-root scan: no copy).
fn join_display_owned(prefix: &str, rel: String) -> String {
    if prefix.is_empty() || prefix == "." {
        rel
    } else {
        join_display(prefix, &rel)
    }
}

fn join_display(prefix: &str, rel: &str) -> String {
    match (prefix.is_empty() || prefix == ".", rel.is_empty()) {
        (true, _) => rel.to_string(),
        (false, true) => prefix.to_string(),
        (false, false) => format!("{prefix}/{rel}"),
    }
}

fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } => error_path(err),
        ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(child),
        ignore::Error::Partial(errs) => errs.first().and_then(error_path),
        _ => None,
    }
}

fn walk_error_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. } => walk_error_message(err),
        ignore::Error::WithDepth { err, .. } => walk_error_message(err),
        ignore::Error::Loop { ancestor, .. } => {
            format!("symlink loop back to {}; not followed", ancestor.display())
        }
        other => other.to_string(),
    }
}

/// RFC 3339 time from `SOURCE_DATE_EPOCH`, the only way a timestamp enters the output.
fn source_date_epoch() -> Option<String> {
    let secs: i64 = std::env::var("SOURCE_DATE_EPOCH")
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(rfc3339(secs))
}

/// Seconds since the epoch → `YYYY-MM-DDTHH:MM:SSZ` (civil-from-days, proleptic Gregorian).
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_relative_is_components_without_empty_or_dots() {
        let by_components = |s: &str| {
            let p = Path::new(s);
            !s.is_empty()
                && p.is_relative()
                && p.components().count() == s.split('/').count()
                && p.components()
                    .all(|c| matches!(c, std::path::Component::Normal(_)))
        };
        for s in [
            "", "a", "a/b", "/a", "a/", "a//b", "./a", "a/.", "a/./b", "../a", "a/..", "...",
            "a/.../b", ".a", "a./b", "..b", ".", "..", "/", "a/b/c.py",
        ] {
            assert_eq!(is_plain_relative(s), by_components(s), "{s:?}");
        }
    }

    #[test]
    fn relative_paths() {
        let root = Path::new("/r");
        assert_eq!(relative(root, Path::new("/r/a/b.py")), "a/b.py");
        assert_eq!(relative(root, Path::new("/r")), "");
        assert_eq!(relative(Path::new("."), Path::new("./a/./b")), "a/b");
        assert_eq!(relative(Path::new("x"), Path::new("x//a/b/")), "a/b");
        assert_eq!(relative(Path::new("/"), Path::new("/etc/x")), "etc/x");
        assert_eq!(relative(Path::new("/r/"), Path::new("/r/a")), "a");
        // a sibling that shares the root's bytes is not under it
        assert_ne!(relative(Path::new("/r"), Path::new("/rx/a")), "x/a");
        assert!(is_plain_relative("a/b.c/d"));
        assert!(!is_plain_relative("a//b"));
        assert!(!is_plain_relative("./a"));
        assert!(!is_plain_relative(""));
        assert!(!is_plain_relative("a/../b"));
        assert!(!is_plain_relative("/a"));
    }

    #[test]
    fn epoch_formatting() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    }
}
