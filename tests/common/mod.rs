//! Shared helpers for integration tests: scan a fixture with default options and print the
//! result in a compact, review-friendly form for golden files.
#![allow(dead_code)]

pub mod sample;
pub mod schema;

use aibom::bom::Bom;
use aibom::catalog::Catalog;
use aibom::detect::Context;
use aibom::scan::{run_scan, ScanOptions};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The repository's fixtures directory.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Scan `fixtures/<rel>` with default options (hashing on, one thread for stable timing).
pub fn scan_fixture(rel: &str) -> Bom {
    scan_with(rel, |_| {})
}

/// Scan `fixtures/<rel>` after letting the caller adjust the options.
pub fn scan_with(rel: &str, adjust: impl FnOnce(&mut ScanOptions)) -> Bom {
    let mut opts = ScanOptions {
        paths: vec![fixtures().join(rel)],
        context: Context {
            catalog: Catalog::builtin(),
            hash: true,
            ..Default::default()
        },
        ..Default::default()
    };
    adjust(&mut opts);
    run_scan(&opts).expect("scan runs")
}

/// Scan `fixtures/<rel>` as cloud exports (`--cloud`), with no repository path.
pub fn scan_cloud(rel: &str) -> Bom {
    scan_with(rel, |o| o.cloud = std::mem::take(&mut o.paths))
}

/// One line per component, risk and warning:
/// `library pypi/torch@2.3.1 [category=framework, scope=required] <- requirements.txt:3 (python-requirements)`
pub fn summary(bom: &Bom) -> String {
    let mut out = String::new();
    for c in &bom.components {
        let props: Vec<String> = c
            .properties
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect();
        let ev: Vec<String> = c
            .evidence
            .iter()
            .map(|e| match e.line {
                Some(l) => format!("{}:{l} ({})", e.path, e.detector),
                None => format!("{} ({})", e.path, e.detector),
            })
            .collect();
        let _ = write!(out, "{}", c.id);
        if let Some(p) = &c.provider {
            let _ = write!(out, " provider={p}");
        }
        if !c.licenses.is_empty() {
            let _ = write!(out, " licenses={}", c.licenses.join("|"));
        }
        for h in &c.hashes {
            let _ = write!(out, " {}={}", h.alg, h.value);
        }
        if !props.is_empty() {
            let _ = write!(out, " [{}]", props.join(", "));
        }
        if !c.depends_on.is_empty() {
            let _ = write!(out, " depends_on={}", c.depends_on.join("|"));
        }
        let _ = writeln!(out, " <- {}", ev.join("; "));
    }
    for r in &bom.risks {
        let loc = match r.line {
            Some(l) => format!("{}:{l}", r.path),
            None => r.path.clone(),
        };
        let _ = writeln!(
            out,
            "risk {} {} {loc}: {}",
            r.rule,
            r.severity.as_str(),
            r.message
        );
    }
    for w in &bom.warnings {
        let _ = writeln!(out, "warning {}: {}", w.path, w.message);
    }
    out
}
