//! DVC pipelines and tracked data.
//!
//! # What it detects
//! Data and models DVC tracks: `outs` of `*.dvc` files (with their MD5 and size), `deps` and
//! `outs` of `dvc.yaml` stages and the same entries in `dvc.lock` (with MD5). A data-like path
//! (under `data/`, `datasets/`, `raw/`, `processed/`…, or with a data extension such as
//! `.csv`, `.parquet`, `.jsonl`, `.tfrecord`) becomes a `dataset`; a model-like path (`.pkl`,
//! `.pt`, `.onnx`, `.safetensors`…, or under `models/`) becomes a `model`. Code, parameter and
//! metric files are not reported. Identity is `dvc/<path from the repository root>`, so a
//! stage output and its lock entry merge. A `dvc import` source is kept as `source-repo`.
//!
//! # Files claimed
//! `dvc.yaml`, `dvc.lock`, `*.dvc`.
//!
//! # Evidence and confidence
//! `*.dvc` and `dvc.lock` entries high (DVC tracks them with a hash); `dvc.yaml` entries medium
//! (declared, not necessarily produced yet). Method `manifest`/`lockfile`.
//!
//! # Not handled
//! Template variables (`${item}`) and `foreach` stages expand at run time; paths containing
//! them are skipped. The DVC cache and remotes are not read.
//!
//! # References
//! <https://dvc.org/doc/user-guide/project-structure/dvcyaml-files>,
//! <https://dvc.org/doc/user-guide/project-structure/dvc-files>

use crate::bom::{ComponentKind, Confidence, Evidence, Finding, Hash, Method};
use crate::detect::infra::yaml_text::{self, scalar, Lines};
use crate::detect::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use serde_yaml_ng::Value;

pub const ID: &str = "dvc";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "config",
    summary: "DVC-tracked datasets and models (dvc.yaml, dvc.lock, *.dvc) with MD5 hashes",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    if matches!(c.name_lower, "dvc.yaml" | "dvc.lock") || (c.ext == "dvc" && c.name_lower.len() > 4)
    {
        Claim::Yes
    } else {
        Claim::No
    }
}

const DATA_EXT: &[&str] = &[
    "csv",
    "tsv",
    "parquet",
    "jsonl",
    "ndjson",
    "arrow",
    "feather",
    "tfrecord",
    "tfrecords",
    "npy",
    "npz",
    "avro",
    "orc",
    "xml",
    "xlsx",
    "zip",
    "tar",
    "gz",
    "tgz",
    "zst",
    "hdf5",
    "sqlite",
    "db",
    "txt",
    "json",
    "wav",
    "flac",
    "mp3",
    "png",
    "jpg",
    "jpeg",
];
const MODEL_EXT: &[&str] = &[
    "pkl",
    "pickle",
    "joblib",
    "pt",
    "pth",
    "ckpt",
    "onnx",
    "h5",
    "keras",
    "safetensors",
    "gguf",
    "pb",
    "tflite",
    "mlmodel",
    "bin",
    "model",
    "cbm",
    "xgb",
    "lgb",
];
const DATA_DIRS: &[&str] = &[
    "data",
    "dataset",
    "datasets",
    "raw",
    "processed",
    "prepared",
    "interim",
    "features",
    "corpus",
];
const MODEL_DIRS: &[&str] = &["model", "models", "checkpoints", "weights"];
const NOT_DATA_EXT: &[&str] = &[
    "py", "sh", "ipynb", "r", "jl", "js", "ts", "yaml", "yml", "toml", "cfg", "ini", "md", "lock",
];

/// What a tracked path is, from its shape.
fn classify(path: &str) -> Option<ComponentKind> {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if NOT_DATA_EXT.contains(&ext) {
        return None;
    }
    let dirs: Vec<&str> = lower.split('/').collect();
    if MODEL_EXT.contains(&ext) || dirs.iter().any(|d| MODEL_DIRS.contains(d)) {
        return Some(ComponentKind::Model);
    }
    if DATA_EXT.contains(&ext) || dirs.iter().any(|d| DATA_DIRS.contains(d)) {
        return Some(ComponentKind::Dataset);
    }
    None
}

/// `base/rel` with `.` and `..` resolved; `None` when it climbs out of the repository.
fn join(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        Vec::new()
    } else {
        base.split('/').filter(|s| !s.is_empty()).collect()
    };
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// An entry's path: a string, or the single key of a map (`- data/x: {cache: false}`).
fn entry_path(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Mapping(m) => match m.get("path").and_then(scalar) {
            Some(p) => Some(p),
            None if m.len() == 1 => m.keys().next().and_then(scalar),
            None => None,
        },
        _ => None,
    }
}

struct Ctx<'a> {
    input: &'a FileInput,
    lines: Lines<'a>,
    total: u32,
    dir: String,
    method: Method,
    confidence: Confidence,
}

fn push_entry(cx: &Ctx, v: &Value, stage: Option<&str>, out: &mut DetectOutcome) {
    let Some(raw) = entry_path(v) else { return };
    if raw.contains("${") || raw.contains("://") {
        return;
    }
    let Some(path) = join(&cx.dir, &raw) else {
        return;
    };
    let Some(kind) = classify(&path) else { return };
    let line = entry_line(cx, &raw, stage);
    let mut ev = Evidence::new(&cx.input.rel_path, Some(line), ID, cx.method, cx.confidence);
    ev.snippet = cx.lines.get(line).map(crate::detect::util::snippet);
    let mut f = Finding::new(kind, path.as_str(), ev)
        .with_identity(format!("dvc/{path}"))
        .prop("source", "dvc");
    // a path's role and stage differ between one stage's outs and the next stage's deps and
    // would only clash on merge; the snippet and line show them
    let md5 = v.get("md5").and_then(scalar);
    if let Some(md5) = md5 {
        let (value, dir) = match md5.strip_suffix(".dir") {
            Some(h) => (h.to_string(), true),
            None => (md5.clone(), false),
        };
        if value.len() == 32 && value.chars().all(|c| c.is_ascii_hexdigit()) {
            f.hashes.push(Hash {
                alg: "MD5".to_string(),
                value: value.to_ascii_lowercase(),
            });
        }
        if dir {
            f = f.prop("dvc-directory", true);
        }
    }
    if let Some(size) = v.get("size").and_then(Value::as_u64) {
        f = f.prop("size", size);
    }
    out.findings.push(f);
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
    let dir = input
        .rel_path
        .rsplit_once('/')
        .map(|(d, _)| d.to_string())
        .unwrap_or_default();
    let name = input.file_name.to_ascii_lowercase();
    let mut out = DetectOutcome::default();
    let mut cx = Ctx {
        input,
        lines: Lines::new(text),
        total: text.lines().count() as u32 + 1,
        dir,
        method: Method::Lockfile,
        confidence: Confidence::High,
    };
    if name.ends_with(".dvc") {
        let outs = root.get("outs").and_then(Value::as_sequence);
        let source = root.get("deps").and_then(Value::as_sequence).and_then(|d| {
            d.iter()
                .find_map(|x| x.get("repo").and_then(|r| r.get("url")).and_then(scalar))
        });
        let before = out.findings.len();
        for o in outs.into_iter().flatten() {
            // a .dvc file says outright that this path is tracked data: default to dataset
            push_tracked(&cx, o, &mut out);
        }
        if let Some(src) = source {
            for f in out.findings.iter_mut().skip(before) {
                f.properties
                    .insert("source-repo".into(), src.clone().into());
            }
        }
        return out;
    }
    if name == "dvc.yaml" {
        cx.method = Method::Manifest;
        cx.confidence = Confidence::Medium;
    }
    let stages = root.get("stages").and_then(Value::as_mapping).or_else(|| {
        // dvc.lock before schema 2.0 kept stages at the top level
        (name == "dvc.lock").then(|| root.as_mapping()).flatten()
    });
    for (stage, body) in stages.into_iter().flatten() {
        let stage = scalar(stage).unwrap_or_default();
        if body.get("foreach").is_some() || body.get("matrix").is_some() {
            continue;
        }
        let wdir = body.get("wdir").and_then(scalar);
        let saved = cx.dir.clone();
        if let Some(w) = &wdir {
            cx.dir = join(&saved, w).unwrap_or_else(|| saved.clone());
        }
        for key in ["deps", "outs"] {
            for e in body
                .get(key)
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
            {
                push_entry(&cx, e, Some(&stage), &mut out);
            }
        }
        cx.dir = saved;
    }
    out
}

/// The line of a list entry naming `raw` (`- raw`, `- path: raw`, `- raw:`), searched from the
/// stage's key so a path also named in a stage's `cmd` gets the line of its entry.
fn entry_line(cx: &Ctx, raw: &str, stage: Option<&str>) -> u32 {
    let from = stage
        .and_then(|s| cx.lines.find_key(1, cx.total, s))
        .unwrap_or(1);
    let is_entry = |l: u32| {
        cx.lines.get(l).is_some_and(|text| {
            let t = yaml_text::strip_comment(text).trim();
            let t = t.strip_prefix("- ").unwrap_or(t).trim_start();
            let t = t.strip_prefix("path:").unwrap_or(t).trim();
            let t = t.strip_suffix(':').unwrap_or(t);
            t.trim_matches(|c| c == '"' || c == '\'') == raw
        })
    };
    (from..cx.total)
        .find(|l| is_entry(*l))
        .or_else(|| (1..cx.total).find(|l| is_entry(*l)))
        .unwrap_or(from)
}

/// A `*.dvc` out: like a stage entry, but an unclassifiable path is still tracked data.
fn push_tracked(cx: &Ctx, v: &Value, out: &mut DetectOutcome) {
    let before = out.findings.len();
    push_entry(cx, v, None, out);
    if out.findings.len() > before {
        return;
    }
    let Some(raw) = entry_path(v) else { return };
    let Some(path) = join(&cx.dir, &raw) else {
        return;
    };
    let lower = path.to_ascii_lowercase();
    let ext = lower
        .rsplit('/')
        .next()
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e)
        .unwrap_or("");
    if NOT_DATA_EXT.contains(&ext) {
        return;
    }
    // re-run with the dataset kind forced by pretending the path sits under data/
    let mut f_out = DetectOutcome::default();
    let mut forced = v.clone();
    if let Value::Mapping(m) = &mut forced {
        m.insert(Value::from("path"), Value::from(format!("data/{raw}")));
    }
    push_entry(cx, &forced, None, &mut f_out);
    for mut f in f_out.findings {
        f.name = path.clone();
        f.identity = Some(format!("dvc/{path}"));
        f.evidence.line = Some(entry_line(cx, &raw, None));
        f.evidence.snippet = f
            .evidence
            .line
            .and_then(|l| cx.lines.get(l))
            .map(crate::detect::util::snippet);
        out.findings.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(path: &str, text: &str) -> DetectOutcome {
        detect(
            &FileInput::from_bytes(path, text.as_bytes().to_vec()),
            &Context::default(),
        )
    }

    fn ids(out: &DetectOutcome) -> Vec<String> {
        out.findings
            .iter()
            .map(|f| format!("{}@{}", f.id(), f.evidence.line.unwrap_or(0)))
            .collect()
    }

    #[test]
    fn dvc_file() {
        let text = "outs:\n- md5: 22a1a2931c8370d3aeedd7183606fd7f\n  size: 14445097\n  hash: md5\n  path: data.xml\n";
        let out = run("data/data.xml.dvc", text);
        assert_eq!(ids(&out), vec!["dataset:dvc/data/data.xml@5"]);
        assert_eq!(
            out.findings[0].hashes[0].value,
            "22a1a2931c8370d3aeedd7183606fd7f"
        );
        let odd = run(
            "corpus.dvc",
            "outs:\n- md5: b8f4d5a78e55e88906d5f4aeaf43802e.dir\n  path: corpus_v2\n",
        );
        assert_eq!(ids(&odd), vec!["dataset:dvc/corpus_v2@3"]);
        assert_eq!(odd.findings[0].properties["dvc-directory"], true);
    }

    #[test]
    fn pipeline_and_lock() {
        let yaml = "stages:\n  prepare:\n    cmd: python src/prepare.py data/data.xml\n    deps:\n    - data/data.xml\n    - src/prepare.py\n    params:\n    - prepare.seed\n    outs:\n    - data/prepared\n  train:\n    cmd: python src/train.py data/features model.pkl\n    deps:\n    - data/features\n    - src/train.py\n    outs:\n    - model.pkl\n    metrics:\n    - eval/metrics.json:\n        cache: false\n";
        assert_eq!(
            ids(&run("dvc.yaml", yaml)),
            vec![
                "dataset:dvc/data/data.xml@5",
                "dataset:dvc/data/prepared@10",
                "dataset:dvc/data/features@14",
                "model:dvc/model.pkl@17",
            ]
        );
        let lock = "schema: '2.0'\nstages:\n  train:\n    cmd: python src/train.py\n    deps:\n    - path: src/train.py\n      hash: md5\n      md5: 0a2d7b3b0e5e4f0f1c0f8d5a2f6a4f2a\n    outs:\n    - path: model.pkl\n      hash: md5\n      md5: 7d4f6d5bd1e5d8f8b0b8a0c2c6c0a1b2\n      size: 1923\n";
        let out = run("sub/dvc.lock", lock);
        assert_eq!(ids(&out), vec!["model:dvc/sub/model.pkl@10"]);
        assert_eq!(out.findings[0].hashes.len(), 1);
    }

    #[test]
    fn near_misses_and_malformed() {
        assert!(run("dvc.yaml", "stages:\n  s:\n    cmd: make\n    deps: [src/a.py, params.yaml]\n    outs: ['${item}.csv']\n").findings.is_empty());
        assert!(run("x.dvc", "outs:\n- path: ../../../etc/passwd\n")
            .findings
            .is_empty());
        assert!(run("dvc.yaml", "stages: [\n").failed);
        assert_eq!(join("a/b", "../c"), Some("a/c".to_string()));
        assert_eq!(join("", "../c"), None);
    }
}
