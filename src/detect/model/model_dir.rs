//! The model-directory pass: a directory with a model config, shard index, diffusers
//! pipeline, sentence-transformers modules, PEFT adapter or MLflow `MLmodel` is ONE model;
//! the weight files in it (and, for a diffusers pipeline, in its component subdirectories)
//! become its parts. The card's licence, base model and datasets become `licenses`, a
//! `depends_on` edge to a hub model and `dataset` components.
//!
//! Identity: the directory digest, sha256 over the sorted lines `relpath NUL sha256 LF` of its
//! hashed parts, when every part was hashed; otherwise the directory path.

use super::hf_config::{dir_of, MARKER};
use super::licenses;
use crate::bom::{
    normalize, ComponentKind, Confidence, Evidence, Finding, Hash, Method, Risk, Warning,
};
use crate::risk::risk;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Detectors whose findings are model files that can be parts of a directory.
const FILE_DETECTORS: &[&str] = &[
    "coreml-model",
    "gguf-header",
    "hdf5-model",
    "keras-archive",
    "lfs-pointer",
    "numpy-array",
    "onnx-model",
    "pickle-model",
    "pytorch-checkpoint",
    "safetensors-header",
    "tflite-model",
];

fn is_file_model(f: &Finding) -> bool {
    f.kind == ComponentKind::Model && FILE_DETECTORS.contains(&f.evidence.detector.as_str())
}

/// The findings [`fold_model_dirs`] reads or rewrites: model files that can be parts, and
/// anything carrying an internal `aibom.` hint (directory markers, Modelfile links).
pub fn wants(f: &Finding) -> bool {
    is_file_model(f) || f.properties.keys().any(|k| k.starts_with("aibom."))
}

/// Fold model directories; link Modelfiles to local weights; drop internal hints.
pub fn fold_model_dirs(
    findings: &mut Vec<Finding>,
    risks: &mut Vec<Risk>,
    _warnings: &mut Vec<Warning>,
) {
    let all = std::mem::take(findings);
    let (markers, mut rest): (Vec<Finding>, Vec<Finding>) = all
        .into_iter()
        .partition(|f| f.properties.contains_key(MARKER));
    let mut by_dir: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
    for m in markers {
        by_dir
            .entry(dir_of(&m.evidence.path).to_string())
            .or_default()
            .push(m);
    }
    // a card alone does not make a model directory; weights beside it do
    let weight_dirs: BTreeSet<String> = rest
        .iter()
        .filter(|f| is_file_model(f))
        .map(|f| dir_of(&f.evidence.path).to_string())
        .collect();
    let model_dirs: Vec<String> = by_dir
        .iter()
        .filter(|(d, ms)| {
            ms.iter()
                .any(|m| !matches!(marker_kind(m), "card" | "tokenizer"))
                || weight_dirs.contains(d.as_str())
        })
        .map(|(d, _)| d.clone())
        .collect();
    // diffusers component directories fold into the pipeline root
    let diffusers_roots: Vec<String> = model_dirs
        .iter()
        .filter(|d| {
            by_dir
                .get(*d)
                .is_some_and(|ms| ms.iter().any(|m| marker_kind(m) == "diffusers"))
        })
        .cloned()
        .collect();
    let owner = |d: &str| -> Option<String> {
        if let Some(root) = diffusers_roots.iter().find(|r| under(d, r)) {
            return Some(root.clone());
        }
        model_dirs.iter().any(|m| m == d).then(|| d.to_string())
    };
    let mut remap: BTreeMap<String, String> = BTreeMap::new();
    let mut parts_of: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
    let mut kept = Vec::new();
    for f in rest.drain(..) {
        if is_file_model(&f) {
            if let Some(root) = owner(dir_of(&f.evidence.path)) {
                parts_of.entry(root).or_default().push(f);
                continue;
            }
        }
        kept.push(f);
    }
    let mut markers_of: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
    for (d, ms) in by_dir {
        if let Some(root) = owner(&d) {
            markers_of.entry(root).or_default().extend(ms);
        }
    }
    let roots: BTreeSet<String> = markers_of.keys().chain(parts_of.keys()).cloned().collect();
    for root in roots {
        let ms = markers_of.remove(&root).unwrap_or_default();
        let parts = parts_of.remove(&root).unwrap_or_default();
        build_dir(&root, ms, parts, &mut kept, risks, &mut remap);
    }
    for r in risks.iter_mut() {
        if let Some(c) = &r.component {
            if let Some(n) = remap.get(c) {
                r.component = Some(n.clone());
            }
        }
    }
    link_modelfiles(&mut kept);
    for f in kept.iter_mut().filter(|f| f.kind == ComponentKind::Model) {
        f.properties.retain(|k, _| !k.starts_with("aibom."));
    }
    *findings = kept;
}

fn marker_kind(f: &Finding) -> &str {
    f.properties
        .get(MARKER)
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn under(d: &str, root: &str) -> bool {
    root.is_empty() || d == root || d.strip_prefix(root).is_some_and(|r| r.starts_with('/'))
}

fn rel_to(root: &str, path: &str) -> String {
    if root.is_empty() {
        return path.to_string();
    }
    path.strip_prefix(root)
        .map(|p| p.trim_start_matches('/').to_string())
        .unwrap_or_else(|| path.to_string())
}

fn build_dir(
    root: &str,
    markers: Vec<Finding>,
    parts: Vec<Finding>,
    out: &mut Vec<Finding>,
    risks: &mut Vec<Risk>,
    remap: &mut BTreeMap<String, String>,
) {
    let kinds: BTreeSet<String> = markers.iter().map(|m| marker_kind(m).to_string()).collect();
    let format = if kinds.contains("diffusers") {
        "diffusers"
    } else if kinds.contains("peft") {
        "peft-adapter"
    } else if kinds.contains("sentence-transformers") {
        "sentence-transformers"
    } else if kinds.contains("mlflow") {
        "mlflow"
    } else {
        "huggingface"
    };
    let old_marker_id = markers.first().map(Finding::id);
    let name = root
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("model")
        .to_string();
    // the directory digest over its parts
    let mut lines: Vec<(String, String)> = Vec::new();
    let mut all_hashed = !parts.is_empty();
    for p in &parts {
        match p.hashes.iter().find(|h| h.alg == "SHA-256") {
            Some(h) => lines.push((rel_to(root, &p.evidence.path), h.value.clone())),
            None => all_hashed = false,
        }
    }
    lines.sort();
    let identity = if all_hashed {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        for (p, d) in &lines {
            h.update(p.as_bytes());
            h.update([0u8]);
            h.update(d.as_bytes());
            h.update(b"\n");
        }
        format!("sha256:{}", super::hash::hex(&h.finalize()))
    } else if root.is_empty() {
        ".".to_string()
    } else {
        root.to_string()
    };
    let first_ev = markers
        .iter()
        .find(|m| marker_kind(m) != "card")
        .or(markers.first())
        .map(|m| m.evidence.clone())
        .or_else(|| parts.first().map(|p| p.evidence.clone()))
        .unwrap_or_else(|| {
            Evidence::new(
                root,
                None,
                "hf-model-dir",
                Method::ConfigKey,
                Confidence::Medium,
            )
        });
    let mut main = Finding::new(ComponentKind::Model, name.clone(), first_ev)
        .with_identity(identity)
        .prop("format", format)
        .prop("source", "directory");
    if all_hashed {
        if let Some(d) = main
            .identity
            .as_deref()
            .and_then(|i| i.strip_prefix("sha256:"))
        {
            main.hashes.push(Hash {
                alg: "SHA-256".into(),
                value: d.to_string(),
            });
            main = main.prop(
                "hash-of",
                "directory digest: sha256 over sorted 'relpath NUL sha256 LF' lines of its parts",
            );
        }
    }
    let new_id = main.id();
    // facts from the markers (config first, the card fills gaps)
    let mut ordered = markers;
    ordered.sort_by_key(|m| (marker_kind(m) == "card", m.evidence.path.clone()));
    for m in &ordered {
        // a diffusers component's own config describes the component, not the pipeline
        let own = dir_of(&m.evidence.path) == root;
        for (k, v) in m.properties.iter().filter(|_| own || format != "diffusers") {
            if k == MARKER || k.starts_with("aibom.") {
                continue;
            }
            main.properties
                .entry(k.clone())
                .or_insert_with(|| v.clone());
        }
        remap.insert(m.id(), new_id.clone());
    }
    // parts
    // parameters per part format; a directory often holds the same weights twice
    // (safetensors and a .bin), so one format is summed: safetensors when present
    let mut per_format: BTreeMap<String, u64> = BTreeMap::new();
    for p in &parts {
        let fmt = p
            .properties
            .get("format")
            .and_then(Value::as_str)
            .unwrap_or("");
        if let Some(n) = p.properties.get("parameters").and_then(Value::as_u64) {
            let e = per_format.entry(fmt.to_string()).or_default();
            *e = e.saturating_add(n);
        }
    }
    let counted = per_format
        .get("safetensors")
        .or_else(|| per_format.values().next())
        .copied();
    let mut formats: BTreeSet<String> = BTreeSet::new();
    let mut part_names = Vec::new();
    for p in &parts {
        if let Some(fm) = p.properties.get("format").and_then(Value::as_str) {
            formats.insert(fm.to_string());
        }
        for l in &p.licenses {
            main.licenses.push(l.clone());
        }
        part_names.push(rel_to(root, &p.evidence.path));
        remap.insert(p.id(), new_id.clone());
    }
    // shards the index lists that are not beside it
    for m in ordered.iter().filter(|m| marker_kind(m) == "index") {
        let dir = dir_of(&m.evidence.path);
        let listed: Vec<&str> = m
            .properties
            .get("shard-files")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let present: BTreeSet<&str> = parts.iter().map(|p| p.evidence.path.as_str()).collect();
        let missing: Vec<&str> = listed
            .iter()
            .copied()
            .filter(|s| {
                let full = if dir.is_empty() {
                    s.to_string()
                } else {
                    format!("{dir}/{s}")
                };
                !present.contains(full.as_str())
            })
            .collect();
        if !missing.is_empty() {
            risks.push(risk(
                "AIBOM-MALFORMED",
                Some(new_id.clone()),
                format!(
                    "shard index lists files that are not in the directory: {}",
                    missing.join(", ")
                ),
                &m.evidence.path,
                m.evidence.line,
            ));
        }
    }
    if let Some(n) = counted {
        main.properties.insert("parameters".into(), n.into());
    }
    if !part_names.is_empty() {
        part_names.sort();
        main.properties.insert("parts".into(), part_names.into());
        main.properties.insert(
            "part-formats".into(),
            formats.into_iter().collect::<Vec<_>>().into(),
        );
    }
    // licence
    let path = main.evidence.path.clone();
    let card = ordered.iter().find(|m| marker_kind(m) == "card");
    let card_path = card
        .map(|c| c.evidence.path.clone())
        .unwrap_or_else(|| path.clone());
    if let Some(l) = main
        .properties
        .remove("card-license")
        .and_then(|v| v.as_str().map(str::to_string))
    {
        main.licenses.push(licenses::to_spdx(&l));
        if let Some(r) = licenses::license_risk(&l, Some(new_id.clone()), &card_path) {
            risks.push(r);
        }
    }
    if main.licenses.is_empty() {
        risks.push(risk(
            "AIBOM-LICENSE-MISSING",
            Some(new_id.clone()),
            format!("model directory {} declares no licence (no model card licence, none in the weights)", if root.is_empty() { "." } else { root }),
            &path,
            None,
        ));
    }
    // base model and datasets
    let mut bases: Vec<String> = Vec::new();
    for v in main.properties.get("base-model").into_iter() {
        match v {
            Value::String(s) => bases.push(s.clone()),
            Value::Array(a) => bases.extend(a.iter().filter_map(Value::as_str).map(str::to_string)),
            _ => {}
        }
    }
    bases.dedup();
    for b in bases {
        if let Some(purl) = normalize::huggingface_purl(&b) {
            let src = card
                .filter(|c| c.properties.contains_key("base-model"))
                .or_else(|| {
                    ordered
                        .iter()
                        .find(|m| m.properties.contains_key("base-model"))
                });
            let line = src
                .and_then(|c| c.properties.get("aibom.base-line"))
                .and_then(Value::as_u64)
                .map(|l| l as u32);
            let ev_path = src
                .map(|c| c.evidence.path.clone())
                .unwrap_or_else(|| path.clone());
            let ev = Evidence::new(
                &ev_path,
                line.or(src.and_then(|s| s.evidence.line)),
                "hf-model-dir",
                Method::ConfigKey,
                Confidence::High,
            );
            let base = Finding::new(ComponentKind::Model, b.clone(), ev)
                .with_purl(purl)
                .with_provider("huggingface")
                .prop("source", "hub-reference");
            main.depends_on.push(base.id());
            out.push(base);
        }
    }
    if let Some(c) = card {
        let ds: Vec<String> = c
            .properties
            .get("datasets")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let line = c
            .properties
            .get("aibom.datasets-line")
            .and_then(Value::as_u64)
            .map(|l| l as u32);
        for d in ds {
            let ev = Evidence::new(
                &c.evidence.path,
                line,
                "hf-model-dir",
                Method::ConfigKey,
                Confidence::Medium,
            );
            let mut df = Finding::new(ComponentKind::Dataset, d.clone(), ev)
                .with_provider("huggingface")
                .prop("source", "model-card");
            if let Some(p) = normalize::huggingface_purl(&d) {
                df = df.with_purl(p);
            }
            main.depends_on.push(df.id());
            out.push(df);
        }
    }
    // every other evidence record joins the directory's component
    for m in &ordered {
        if m.evidence == main.evidence {
            continue;
        }
        let mut e = Finding::new(ComponentKind::Model, name.clone(), m.evidence.clone());
        e.identity = main.identity.clone();
        out.push(e);
    }
    for p in &parts {
        let mut e = Finding::new(ComponentKind::Model, name.clone(), p.evidence.clone());
        e.identity = main.identity.clone();
        out.push(e);
    }
    let _ = old_marker_id;
    out.push(main);
}

/// A Modelfile whose FROM/ADAPTER is a local path depends on the model found there.
fn link_modelfiles(findings: &mut [Finding]) {
    let by_path: BTreeMap<String, String> = findings
        .iter()
        .filter(|f| is_file_model(f))
        .map(|f| (f.evidence.path.clone(), f.id()))
        .collect();
    for f in findings.iter_mut() {
        for key in ["aibom.from-path", "aibom.adapter-path"] {
            let target = f
                .properties
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_string);
            if let Some(id) = target.and_then(|t| by_path.get(&t)) {
                f.depends_on.push(id.clone());
            }
        }
    }
}
