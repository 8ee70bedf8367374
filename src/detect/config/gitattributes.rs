//! Git LFS patterns in `.gitattributes`.
//!
//! # What it detects
//! Lines that route a model-like (`*.safetensors`, `*.gguf`, `*.pt`, `*.onnx`, `models/**`…)
//! or data-like (`*.parquet`, `*.csv`, `*.tfrecord`, `data/**`…) pattern through
//! `filter=lfs`. Each is recorded as BOM metadata under `lfs-pattern`
//! (`{"path", "line", "pattern", "kind"}`), not as a component: a pattern is a promise about
//! files that may or may not exist, and the LFS pointer files themselves are what the model
//! detectors report as components. Every Hugging Face model repository carries the same
//! boilerplate list, so components per pattern would be noise; metadata keeps the fact that
//! the repository is set up to hold weights or data.
//!
//! # Files claimed
//! `.gitattributes` anywhere.
//!
//! # Evidence and confidence
//! Metadata only, with path and line.
//!
//! # Not handled
//! Patterns of other filters, macro attributes, and negations (`-filter`) are ignored.
//!
//! # References
//! <https://git-scm.com/docs/gitattributes>, <https://github.com/git-lfs/git-lfs/blob/main/docs/man/git-lfs-track.adoc>

use crate::detect::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};

pub const ID: &str = "gitattributes-lfs";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "config",
    summary: "Git LFS patterns for model weights and datasets in .gitattributes (BOM metadata)",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

const MODEL_EXT: &[&str] = &[
    "safetensors",
    "gguf",
    "ggml",
    "bin",
    "pt",
    "pth",
    "ckpt",
    "onnx",
    "h5",
    "keras",
    "pb",
    "tflite",
    "msgpack",
    "mlmodel",
    "joblib",
    "pkl",
    "pickle",
    "model",
    "ot",
    "mar",
    "nemo",
];
const DATA_EXT: &[&str] = &[
    "parquet", "arrow", "csv", "tsv", "jsonl", "ndjson", "tfrecord", "npy", "npz", "feather",
    "avro", "wav", "flac", "mp3",
];

fn claim(c: &Candidate) -> Claim {
    if c.name_lower == ".gitattributes" {
        Claim::Yes
    } else {
        Claim::No
    }
}

/// `model`, `dataset` or nothing for a gitattributes pattern.
fn classify(pattern: &str) -> Option<&'static str> {
    let lower = pattern.to_ascii_lowercase();
    let last = lower.rsplit('/').next().unwrap_or(&lower);
    let ext = last.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let dirs: Vec<&str> = lower.split('/').collect();
    if MODEL_EXT.contains(&ext)
        || dirs
            .iter()
            .any(|d| matches!(*d, "models" | "model" | "weights" | "checkpoints"))
    {
        return Some("model");
    }
    if DATA_EXT.contains(&ext)
        || dirs
            .iter()
            .any(|d| matches!(*d, "data" | "datasets" | "dataset"))
    {
        return Some("dataset");
    }
    None
}

fn detect(input: &FileInput, _ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let mut out = DetectOutcome::default();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let Some(pattern) = parts.next() else {
            continue;
        };
        if !parts.any(|a| a == "filter=lfs") {
            continue;
        }
        if let Some(kind) = classify(pattern) {
            out.metadata.push((
                "lfs-pattern".to_string(),
                serde_json::json!({"path": input.rel_path, "line": i + 1, "pattern": pattern, "kind": kind}),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lfs_patterns() {
        let text = "*.safetensors filter=lfs diff=lfs merge=lfs -text\n# *.gguf filter=lfs\n*.png filter=lfs diff=lfs merge=lfs -text\ndata/** filter=lfs diff=lfs merge=lfs -text\n*.parquet -filter\n*.py text eol=lf\n";
        let out = detect(
            &FileInput::from_bytes(".gitattributes", text.as_bytes().to_vec()),
            &Context::default(),
        );
        assert!(out.findings.is_empty());
        let got: Vec<_> = out
            .metadata
            .iter()
            .map(|(_, v)| {
                (
                    v["pattern"].as_str().unwrap_or("").to_string(),
                    v["kind"].as_str().unwrap_or("").to_string(),
                    v["line"].as_u64(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("*.safetensors".into(), "model".into(), Some(1)),
                ("data/**".into(), "dataset".into(), Some(4))
            ]
        );
    }
}
