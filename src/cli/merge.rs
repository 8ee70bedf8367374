//! `aibom merge BOM… -o OUT`: one inventory from many (each a repo or a cloud account).
//!
//! Each input's origin is its single target (`services/api`, a git revision), or, when that is
//! just `.`, the file name without `.aibom.json`/`.cdx.json`. Evidence, risk and warning paths
//! are prefixed with the origin, every component lists its `origins`, and components with the
//! same id across inputs become one with the union of their evidence.

use super::output::{write_atomic, write_stdout};
use super::ExitStatus;
use crate::bom::{Bom, Component, Target};
use crate::render::{self, Format, RenderOptions, SpecVersion};
use anyhow::bail;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// BOM files to combine (aibom/v1 or CycloneDX JSON).
    #[arg(required = true, value_name = "BOM")]
    pub boms: Vec<PathBuf>,
    /// Write the merged BOM to FILE instead of stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Output format (default: from the -o file name, else aibom JSON).
    #[arg(short = 'f', long, value_enum)]
    pub format: Option<Format>,
    /// CycloneDX specification version.
    #[arg(long, value_enum, default_value = "1.6")]
    pub spec_version: SpecVersion,
}

/// The origin label of one input BOM.
pub fn origin_of(bom: &Bom, path: &Path) -> String {
    if let [t] = bom.targets.as_slice() {
        if t.value != "." && !t.value.is_empty() && t.kind != "bom" {
            return t.value.clone();
        }
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bom".to_string());
    let mut stem = name.as_str();
    for suffix in [".json", ".cdx", ".cyclonedx", ".aibom", ".bom"] {
        if let Some(s) = stem.strip_suffix(suffix) {
            stem = s;
        }
    }
    if stem.is_empty() {
        name
    } else {
        stem.to_string()
    }
}

fn prefixed(origin: &str, path: &str) -> String {
    if path.is_empty() || path == "." {
        origin.to_string()
    } else {
        format!("{origin}/{path}")
    }
}

fn absorb(into: &mut Component, c: Component) {
    if into.version.is_none() {
        into.version = c.version;
    }
    if into.provider.is_none() {
        into.provider = c.provider;
    }
    into.licenses.extend(c.licenses);
    into.hashes.extend(c.hashes);
    into.depends_on.extend(c.depends_on);
    into.evidence.extend(c.evidence);
    for (k, v) in c.properties {
        match into.properties.get(&k) {
            None => {
                into.properties.insert(k, v);
            }
            Some(existing) if *existing == v || k == "origins" => {}
            Some(_) => {
                let key = format!("conflicts.{k}");
                let entry = into
                    .properties
                    .entry(key)
                    .or_insert_with(|| serde_json::Value::Array(Vec::new()));
                if let serde_json::Value::Array(items) = entry {
                    if !items.contains(&v) {
                        items.push(v);
                    }
                }
            }
        }
    }
}

/// Combine `(origin, bom)` pairs into one BOM.
pub fn merge_boms(inputs: Vec<(String, Bom)>) -> Bom {
    let mut out = Bom::default();
    let mut by_id: BTreeMap<String, Component> = BTreeMap::new();
    let mut origins: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (origin, bom) in inputs {
        // An already-merged BOM keeps its paths and origins.
        let merged_before = bom.targets.len() > 1 && bom.targets.iter().all(|t| t.kind == "bom");
        let fix = |p: &str| {
            if merged_before {
                p.to_string()
            } else {
                prefixed(&origin, p)
            }
        };
        if merged_before {
            out.targets.extend(bom.targets.iter().cloned());
        } else {
            out.targets.push(Target {
                kind: "bom".to_string(),
                value: origin.clone(),
            });
        }
        for mut c in bom.components {
            for e in &mut c.evidence {
                e.path = fix(&e.path);
            }
            let list = origins.entry(c.id.clone()).or_default();
            match c.properties.get("origins").and_then(|v| v.as_array()) {
                Some(prev) if merged_before => {
                    list.extend(prev.iter().filter_map(|v| v.as_str().map(str::to_string)))
                }
                _ => list.push(origin.clone()),
            }
            match by_id.get_mut(&c.id) {
                Some(existing) => absorb(existing, c),
                None => {
                    by_id.insert(c.id.clone(), c);
                }
            }
        }
        for mut r in bom.risks {
            r.path = fix(&r.path);
            out.risks.push(r);
        }
        for mut w in bom.warnings {
            w.path = fix(&w.path);
            out.warnings.push(w);
        }
        out.coverage.absorb(bom.coverage);
        for (k, v) in bom.metadata {
            let entry = out
                .metadata
                .entry(k)
                .or_insert_with(|| serde_json::Value::Array(Vec::new()));
            if let serde_json::Value::Array(items) = entry {
                let new = match v {
                    serde_json::Value::Array(a) => a,
                    other => vec![other],
                };
                items.extend(new);
            }
        }
    }
    for (id, mut c) in by_id {
        let mut list = origins.remove(&id).unwrap_or_default();
        list.sort();
        list.dedup();
        c.properties.insert(
            "origins".to_string(),
            serde_json::Value::Array(list.into_iter().map(serde_json::Value::String).collect()),
        );
        out.components.push(c);
    }
    for v in out.metadata.values_mut() {
        if let serde_json::Value::Array(items) = v {
            crate::bom::sort_dedup_values(items);
        }
    }
    out.normalize();
    out
}

pub fn run(args: MergeArgs) -> anyhow::Result<ExitStatus> {
    let mut inputs = Vec::new();
    for p in &args.boms {
        let bom = crate::diff::load::load_path(p).map_err(anyhow::Error::msg)?;
        inputs.push((origin_of(&bom, p), bom));
    }
    if inputs.is_empty() {
        bail!("nothing to merge");
    }
    let bom = merge_boms(inputs);
    let format = args
        .format
        .or_else(|| {
            args.output
                .as_ref()
                .and_then(|p| p.file_name())
                .and_then(|n| Format::from_file_name(&n.to_string_lossy()))
        })
        .unwrap_or(Format::Json);
    let opts = RenderOptions {
        spec_version: args.spec_version,
        color: false,
    };
    let bytes = render::render(&bom, format, &opts);
    match &args.output {
        Some(p) => write_atomic(p, &bytes)?,
        None => write_stdout(&bytes)?,
    }
    Ok(ExitStatus::Success)
}
