//! `[models]`: allow/deny globs over model ids, denied formats (the pickle family), pinned hub
//! revisions, and content hashes for model files.

use crate::bom::{normalize, Bom, Component, ComponentKind, Method};
use crate::policy::config::Pattern;
use crate::policy::{Policy, RuleId, Violation};

/// Formats whose loaders unpickle: loading them runs code. `pickle` in `deny_formats` means all.
pub const PICKLE_FORMATS: &[&str] = &[
    "ckpt",
    "cloudpickle",
    "dill",
    "joblib",
    "numpy-pickle",
    "pickle",
    "pkl",
    "pytorch",
    "pytorch-legacy",
    "pytorch-zip",
    "torch",
];

/// The strings a model glob is matched against: `huggingface/org/name@rev`, the same without the
/// version, the purl without `pkg:`, and the plain name.
pub fn model_keys(c: &Component) -> Vec<String> {
    let mut keys = Vec::new();
    let id = c.id.split_once(':').map(|(_, rest)| rest).unwrap_or(&c.id);
    keys.push(id.to_string());
    if let Some((base, _)) = id.rsplit_once('@') {
        keys.push(base.to_string());
    }
    if let Some(purl) = &c.purl {
        let p = normalize::purl_without_version(purl);
        keys.push(p.strip_prefix("pkg:").unwrap_or(&p).to_string());
    }
    keys.push(c.name.clone());
    keys.dedup();
    keys
}

/// Whether a component is stored in a pickle-based format: by its `format` property or a
/// pickle risk reported against it.
pub fn is_pickle(c: &Component, bom: &Bom) -> bool {
    let by_format = ["format", "serialization"].iter().any(|k| {
        c.prop_str(k).is_some_and(|f| {
            let f = f.to_lowercase();
            PICKLE_FORMATS.contains(&f.as_str()) || f.contains("pickle")
        })
    });
    by_format
        || bom.risks.iter().any(|r| {
            r.component.as_deref() == Some(c.id.as_str()) && r.rule.starts_with("AIBOM-PICKLE-")
        })
}

fn is_hub(c: &Component) -> bool {
    matches!(c.kind, ComponentKind::Model | ComponentKind::Dataset)
        && c.purl
            .as_deref()
            .is_some_and(|p| p.starts_with("pkg:huggingface/"))
}

fn is_commit(v: &str) -> bool {
    v.len() == 40 && v.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A model that is a file (or directory) on disk, as opposed to a hub or API reference.
fn is_model_file(c: &Component) -> bool {
    c.evidence.iter().any(|e| {
        matches!(
            e.method,
            Method::BinaryHeader | Method::LfsPointer | Method::FileName
        )
    }) || matches!(
        c.prop_str("source"),
        Some("file" | "local-file" | "directory")
    )
}

pub fn check(bom: &Bom, policy: &Policy, out: &mut Vec<Violation>) {
    let format_patterns: Vec<Pattern> = policy
        .deny_formats
        .iter()
        .filter(|f| f.as_str() != "pickle")
        .filter_map(|f| Pattern::new(f).ok())
        .collect();
    let deny_pickle = policy.deny_formats.iter().any(|f| f == "pickle");
    for c in bom
        .components
        .iter()
        .filter(|c| c.kind == ComponentKind::Model)
    {
        let keys = model_keys(c);
        if let Some(p) = policy
            .deny_models
            .iter()
            .find(|p| keys.iter().any(|k| p.is_match(k)))
        {
            out.push(Violation::new(
                RuleId::ModelDenied,
                Some(c),
                format!("{} matches denied model pattern {:?}", c.name, p.text),
            ));
        } else if let Some(allow) = &policy.allow_models {
            if !allow.iter().any(|p| keys.iter().any(|k| p.is_match(k))) {
                out.push(Violation::new(
                    RuleId::ModelNotAllowed,
                    Some(c),
                    format!("{} matches no allowed model pattern", c.name),
                ));
            }
        }
        let format = c.prop_str("format").map(str::to_lowercase);
        if deny_pickle && is_pickle(c, bom) {
            out.push(Violation::new(
                RuleId::ModelFormat,
                Some(c),
                format!(
                    "{} is stored in a pickle-based format ({})",
                    c.name,
                    format.as_deref().unwrap_or("pickle")
                ),
            ));
        } else if let Some(f) = &format {
            if let Some(p) = format_patterns.iter().find(|p| p.is_match(f)) {
                out.push(Violation::new(
                    RuleId::ModelFormat,
                    Some(c),
                    format!("{} has denied format {f} (pattern {:?})", c.name, p.text),
                ));
            }
        }
        if policy.require_hashes && c.hashes.is_empty() && is_model_file(c) {
            out.push(Violation::new(
                RuleId::MissingHash,
                Some(c),
                format!("model file {} has no content hash", c.name),
            ));
        }
    }
    if policy.require_pinned_revision {
        for c in bom.components.iter().filter(|c| is_hub(c)) {
            if !c.version.as_deref().is_some_and(is_commit) {
                out.push(Violation::new(
                    RuleId::UnpinnedRevision,
                    Some(c),
                    match &c.version {
                        Some(v) => {
                            format!("{} {} is pinned to {v:?}, not a commit", c.kind, c.name)
                        }
                        None => format!("{} {} has no pinned revision", c.kind, c.name),
                    },
                ));
            }
        }
    }
}
