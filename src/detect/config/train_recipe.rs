//! Training recipes: YAML configs for Hugging Face TRL/Accelerate scripts, Axolotl and
//! LLaMA-Factory that name the base model and datasets at the top level.
//!
//! # What it detects
//! Top-level `model_name_or_path`, `base_model`, `model_id`, `pretrained_model_name_or_path`
//! (version from `model_revision`/`revision` unless it is a branch name like `main`) as hub
//! `model`s, and `dataset_id_or_path`, `dataset_name`, `dataset` and Axolotl
//! `datasets: [{path: …}]` as hub `dataset`s — only for values shaped like a hub id
//! (`org/name`).
//!
//! # Files claimed
//! `*.yaml`/`*.yml` whose first 4 KiB has one of those keys at the start of a line (compose,
//! workflow, Helm values and DVC files are left to their detectors).
//!
//! # Evidence and confidence
//! Medium, method `config-key`, the line of the key.
//!
//! # Not handled
//! Local paths (`train_dataset.json`, `./data`) are not hub ids and are skipped; nested
//! argument groups other than Axolotl's `datasets` list are not read.
//!
//! # References
//! <https://huggingface.co/docs/trl/main/en/clis>, <https://axolotl-ai-cloud.github.io/axolotl/docs/config.html>

use super::model_ref::{self, ServeHint};
use crate::bom::{normalize, ComponentKind, Confidence, Evidence, Finding, Method};
use crate::detect::infra::yaml_text::{self, scalar, Lines};
use crate::detect::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use serde_yaml_ng::Value;

pub const ID: &str = "train-recipe";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "config",
    summary:
        "base models and hub datasets named in training recipe YAML (TRL, Axolotl, LLaMA-Factory)",
    maturity: Maturity::Preview,
    scope: Scope::Repo,
    claim,
    sniff: Some(sniff),
    detect,
};

const MODEL_KEYS: &[&str] = &[
    "model_name_or_path",
    "base_model",
    "model_id",
    "pretrained_model_name_or_path",
];
const DATASET_KEYS: &[&str] = &["dataset_id_or_path", "dataset_name", "dataset"];

fn claim(c: &Candidate) -> Claim {
    if !(c.ext == "yaml" || c.ext == "yml")
        || crate::detect::infra::compose::is_compose_name(c.name_lower)
        || crate::detect::infra::helm::is_values_name(c.name_lower)
        || crate::detect::infra::gh_workflow::is_workflow_path(c.rel_path)
        || matches!(c.name_lower, "dvc.yaml" | "dvc.lock")
    {
        return Claim::No;
    }
    Claim::Sniff
}

fn sniff(head: &[u8]) -> bool {
    head.split(|b| *b == b'\n').any(|line| {
        MODEL_KEYS
            .iter()
            .chain(DATASET_KEYS)
            .any(|k| line.starts_with(k.as_bytes()) && line.get(k.len()) == Some(&b':'))
            || line.starts_with(b"datasets:")
    })
}

fn detect(input: &FileInput, _ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let root = match yaml_text::parse(text) {
        Ok(v) => v,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let mut out = DetectOutcome::default();
    let Some(m) = root.as_mapping() else {
        return out;
    };
    let lines = Lines::new(text);
    let total = text.lines().count() as u32 + 1;
    let revision = ["model_revision", "revision"]
        .iter()
        .find_map(|k| m.get(*k).and_then(scalar))
        .filter(|r| !matches!(r.as_str(), "main" | "master" | ""));
    let ev = |key: &str, value: &str| {
        let line = lines
            .find_key(1, total, key)
            .or_else(|| lines.find(1, total, None, value))
            .unwrap_or(1);
        let mut e = Evidence::new(
            &input.rel_path,
            Some(line),
            ID,
            Method::ConfigKey,
            Confidence::Medium,
        );
        e.snippet = lines.get(line).map(crate::detect::util::snippet);
        e
    };
    for key in MODEL_KEYS {
        let Some(v) = m.get(*key).and_then(scalar) else {
            continue;
        };
        if !v.contains('/') || looks_local(&v) {
            continue;
        }
        if let Some(f) = model_ref::from_value(&v, ServeHint::None, ev(key, &v)) {
            if f.kind == ComponentKind::Model && f.purl.is_some() {
                out.findings
                    .push(f.with_version(revision.clone()).prop("config-key", *key));
            }
        }
    }
    let mut datasets: Vec<(String, String)> = DATASET_KEYS
        .iter()
        .filter_map(|k| m.get(*k).and_then(scalar).map(|v| (k.to_string(), v)))
        .collect();
    if let Some(Value::Sequence(items)) = m.get("datasets") {
        datasets.extend(
            items
                .iter()
                .filter_map(|i| i.get("path").and_then(scalar))
                .map(|v| ("path".to_string(), v)),
        );
    }
    for (key, v) in datasets {
        if let Some(f) = hub_dataset(&v, ev(&key, &v)) {
            out.findings.push(f);
        }
    }
    out
}

/// A relative path that happens to have one slash (`data/train.jsonl`, `runs/ckpt`).
fn looks_local(v: &str) -> bool {
    let (org, name) = v.split_once('/').unwrap_or(("", v));
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    matches!(
        ext,
        "json" | "jsonl" | "csv" | "parquet" | "txt" | "bin" | "safetensors" | "pt" | "arrow"
    ) || matches!(
        org,
        "data" | "datasets" | "models" | "checkpoints" | "outputs" | "output" | "runs" | "tmp"
    )
}

/// A hub dataset for an `org/name` value that is not a local path.
fn hub_dataset(v: &str, ev: Evidence) -> Option<Finding> {
    let v = v.trim();
    let (org, name) = v.split_once('/')?;
    let ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
    };
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if !ok(org)
        || !ok(name)
        || matches!(ext, "json" | "jsonl" | "csv" | "parquet" | "txt")
        || matches!(org, "data" | "datasets")
    {
        return None;
    }
    let purl = normalize::build_purl("huggingface", Some(org), name, None)?;
    Some(
        Finding::new(ComponentKind::Dataset, v, ev)
            .with_purl(purl)
            .with_provider("huggingface")
            .prop("source", "hub-reference"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        let out = detect(
            &FileInput::from_bytes("recipes/r.yaml", text.as_bytes().to_vec()),
            &Context::default(),
        );
        out.findings
            .iter()
            .map(|f| format!("{}@{}", f.id(), f.evidence.line.unwrap_or(0)))
            .collect()
    }

    #[test]
    fn trl_recipe() {
        let text = "# Model arguments\nmodel_name_or_path: Qwen/Qwen2.5-3B-Instruct\nmodel_revision: main\n\n# Dataset arguments\ndataset_id_or_path: Jiayi-Pan/Countdown-Tasks-3to4\n";
        assert!(sniff(text.as_bytes()));
        assert_eq!(
            ids(text),
            vec![
                "model:huggingface/Qwen/Qwen2.5-3B-Instruct@2",
                "dataset:huggingface/Jiayi-Pan/Countdown-Tasks-3to4@6"
            ]
        );
    }

    #[test]
    fn near_misses() {
        assert!(ids(
            "model_name_or_path: ./checkpoints/run1\ndataset_id_or_path: train_dataset.json\n"
        )
        .is_empty());
        assert!(ids("base_model: data/model.json\ndatasets:\n  - path: data/train.jsonl\n    type: alpaca\n").is_empty());
        assert!(!sniff(b"name: x\n  model_name_or_path: nested\n"));
    }
}
