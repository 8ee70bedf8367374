//! Model-directory marker files: Hugging Face `config.json`, the model card `README.md`,
//! sharded-checkpoint indexes, diffusers `model_index.json`, sentence-transformers
//! `modules.json`, PEFT `adapter_config.json` and MLflow `MLmodel`.
//!
//! What it detects: per file, the facts that describe the directory's model (architecture,
//! model_type, dtype, card licence / base_model / datasets / pipeline_tag / library_name,
//! shard lists, diffusers components, adapter base model, MLflow flavors). Each becomes a
//! *marker* that `model_dir::fold_model_dirs` turns into one model per directory; markers
//! never reach the BOM on their own.
//!
//! Files claimed: the names above (`*.index.json` for shard indexes), by name only.
//!
//! Evidence and confidence: `hf-model-dir`, method config-key, high for configs, medium for
//! the card. Risks: `AIBOM-REMOTE-CODE` for `auto_map` (custom code shipped with the model or
//! pulled from another repo) and custom sentence-transformers module types; MLflow
//! pickle-based flavors get `AIBOM-PICKLE-UNSAFE-FORMAT`.
//!
//! `tokenizer_config.json` chat templates are hashed and checked for template injection
//! (`AIBOM-GGUF-TEMPLATE`), its `auto_map` is remote code.
//!
//! Not handled: `chat_template.jinja` files, `generation_config.json`. A `config.json`
//! without `architectures`/`model_type` is not a model config and is ignored.
//!
//! References: transformers `configuration_utils.py`; HF model-card spec; MODEL-FORMATS §13-19.

use super::super::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use crate::bom::{ComponentKind, Confidence, Evidence, Finding, Method};
use crate::risk::risk;
use serde_json::Value;

pub const DETECTOR: Detector = Detector {
    id: "hf-model-dir",
    family: "model",
    summary: "Model directories: HF config.json + card, shard index, diffusers, sentence-transformers, PEFT, MLflow",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

/// Property key that marks a marker finding (removed by the post pass).
pub const MARKER: &str = "aibom.marker";

fn claim(c: &Candidate) -> Claim {
    if c.cloud || c.size > 16 * 1024 * 1024 {
        return Claim::No;
    }
    match c.name_lower {
        "config.json"
        | "model_index.json"
        | "modules.json"
        | "adapter_config.json"
        | "tokenizer_config.json"
        | "readme.md" => Claim::Yes,
        _ if c.file_name == "MLmodel" => Claim::Yes,
        n if n.ends_with(".safetensors.index.json") || n.ends_with(".bin.index.json") => Claim::Yes,
        _ => Claim::No,
    }
}

/// The directory of a relative path ("" for the root).
pub fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

/// A marker finding for the directory of `input`.
fn marker(input: &FileInput, kind: &str, conf: Confidence, line: Option<u32>) -> Finding {
    let ev = Evidence::new(&input.rel_path, line, DETECTOR.id, Method::ConfigKey, conf);
    let dir = dir_of(&input.rel_path);
    let name = dir
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("model");
    Finding::new(ComponentKind::Model, name, ev)
        .with_identity(format!("modeldir:{dir}"))
        .prop(MARKER, kind)
}

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k)
        .and_then(Value::as_str)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
}

/// A scalar or list of strings.
fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(x)) if !x.is_empty() => vec![x.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .take(100)
            .collect(),
        _ => Vec::new(),
    }
}

/// A repo id or name that is safe to print (not an absolute path of the writer's machine).
pub fn printable_ref(s: &str) -> Option<String> {
    let t = s.trim();
    let abs = t.starts_with('/')
        || t.starts_with('~')
        || t.starts_with('.')
        || t.contains('\\')
        || t.as_bytes().get(1) == Some(&b':');
    (!t.is_empty() && !abs).then(|| super::short(t, 200))
}

fn detect(input: &FileInput, _ctx: &Context) -> DetectOutcome {
    let name = input.file_name.to_ascii_lowercase();
    if name == "readme.md" {
        return card(input);
    }
    if input.file_name == "MLmodel" {
        return mlflow(input);
    }
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, DETECTOR.id, e),
    };
    let v: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) if name == "config.json" => {
            // many tools write a config.json; only a model config that fails matters
            let _ = e;
            return DetectOutcome::default();
        }
        Err(e) => return DetectOutcome::failure(input, DETECTOR.id, format!("not JSON: {e}")),
    };
    let mut out = DetectOutcome::default();
    let line = |key: &str| {
        text.find(&format!("\"{key}\""))
            .map(|o| super::super::util::line_at(text, o))
    };
    match name.as_str() {
        "config.json" => {
            let archs = strings(v.get("architectures"));
            let mt = s(&v, "model_type");
            if archs.is_empty() && mt.is_none() {
                return out;
            }
            let mut f = marker(
                input,
                "config",
                Confidence::High,
                line("architectures").or(line("model_type")),
            );
            if let Some(a) = archs.first() {
                f = f.prop("architecture", a.clone());
            }
            if let Some(m) = mt {
                f = f.prop("model-type", m);
            }
            if let Some(d) = s(&v, "torch_dtype").or_else(|| s(&v, "dtype")) {
                f = f.prop("torch-dtype", d);
            }
            if let Some(n) = s(&v, "_name_or_path").and_then(|n| printable_ref(&n)) {
                f = f.prop("name-or-path", n);
            }
            if let Some(t) = s(&v, "transformers_version") {
                f = f.prop("transformers-version", t);
            }
            if let Some(q) = v.get("quantization_config") {
                if let Some(m) = s(q, "quant_method") {
                    f = f.prop("quantization", m);
                }
            }
            if let Some(Value::Object(m)) = v.get("auto_map") {
                let mods: Vec<String> =
                    m.values().flat_map(|x| strings(Some(x))).take(10).collect();
                let other_repo = mods.iter().any(|x| x.contains("--"));
                out.risks.push(risk(
                    "AIBOM-REMOTE-CODE",
                    Some(f.id()),
                    format!(
                        "config.json auto_map loads custom code{}: {}",
                        if other_repo {
                            " from another repository"
                        } else {
                            " shipped with the model"
                        },
                        mods.join(", ")
                    ),
                    &input.rel_path,
                    line("auto_map"),
                ));
            }
            out.findings.push(f);
        }
        "tokenizer_config.json" => {
            let templates: Vec<String> = match v.get("chat_template") {
                Some(Value::String(t)) => vec![t.clone()],
                Some(Value::Array(a)) => a.iter().filter_map(|x| s(x, "template")).collect(),
                _ => Vec::new(),
            };
            let remote = v.get("auto_map").is_some();
            if templates.is_empty() && !remote {
                return out;
            }
            let mut f = marker(
                input,
                "tokenizer",
                Confidence::High,
                line("chat_template").or(line("auto_map")),
            );
            if !templates.is_empty() {
                use sha2::Digest;
                let joined = templates.join("\n");
                f = f
                    .prop(
                        "chat-template-sha256",
                        super::hash::hex(&sha2::Sha256::digest(joined.as_bytes())),
                    )
                    .prop("chat-template-length", joined.len());
                let hits = super::gguf::template_hits(&joined);
                if !hits.is_empty() {
                    out.risks.push(risk(
                        "AIBOM-GGUF-TEMPLATE",
                        Some(f.id()),
                        format!("tokenizer chat template reaches for Python internals ({}): rendering it outside a sandbox runs code", hits.join(", ")),
                        &input.rel_path,
                        line("chat_template"),
                    ));
                }
            }
            if remote {
                out.risks.push(risk(
                    "AIBOM-REMOTE-CODE",
                    Some(f.id()),
                    "tokenizer_config.json auto_map loads a custom tokenizer class (code)",
                    &input.rel_path,
                    line("auto_map"),
                ));
            }
            out.findings.push(f);
        }
        "model_index.json" => {
            let mut f = marker(input, "diffusers", Confidence::High, line("_class_name"));
            if let Some(c) = s(&v, "_class_name") {
                f = f.prop("architecture", c);
            }
            if let Some(c) = s(&v, "_diffusers_version") {
                f = f.prop("diffusers-version", c);
            }
            if let Value::Object(m) = &v {
                let comps: Vec<String> = m
                    .iter()
                    .filter(|(k, _)| !k.starts_with('_'))
                    .filter_map(|(k, x)| {
                        let a = x.as_array()?;
                        Some(format!("{k}:{}", a.get(1).and_then(Value::as_str)?))
                    })
                    .collect();
                f = f.prop("pipeline-components", comps);
            }
            out.findings.push(f);
        }
        "modules.json" => {
            let Some(mods) = v.as_array() else { return out };
            let types: Vec<String> = mods.iter().filter_map(|m| s(m, "type")).collect();
            if types.is_empty() {
                return out;
            }
            let f = marker(input, "sentence-transformers", Confidence::High, Some(1))
                .prop("modules", types.clone());
            let custom: Vec<&String> = types
                .iter()
                .filter(|t| !t.starts_with("sentence_transformers."))
                .collect();
            if !custom.is_empty() {
                out.risks.push(risk(
                    "AIBOM-REMOTE-CODE",
                    Some(f.id()),
                    format!("sentence-transformers module types outside the library load custom code: {}", custom.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")),
                    &input.rel_path,
                    None,
                ));
            }
            out.findings.push(f);
        }
        "adapter_config.json" => {
            let mut f = marker(input, "peft", Confidence::High, line("peft_type"));
            for (k, p) in [("peft_type", "peft-type"), ("task_type", "task-type")] {
                if let Some(x) = s(&v, k) {
                    f = f.prop(p, x);
                }
            }
            for (k, p) in [("r", "lora-rank"), ("lora_alpha", "lora-alpha")] {
                if let Some(x) = v.get(k).filter(|x| x.is_number()) {
                    f = f.prop(p, x.clone());
                }
            }
            if let Some(b) = s(&v, "base_model_name_or_path").and_then(|b| printable_ref(&b)) {
                f = f.prop("base-model", b);
            }
            out.findings.push(f);
        }
        _ => {
            // a shard index
            let Some(Value::Object(map)) = v.get("weight_map") else {
                return DetectOutcome::failure(
                    input,
                    DETECTOR.id,
                    "shard index without a weight_map",
                );
            };
            let mut shards: Vec<String> = map
                .values()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            shards.sort();
            shards.dedup();
            let bad: Vec<&String> = shards
                .iter()
                .filter(|x| x.contains('/') || x.contains('\\') || x.contains(".."))
                .collect();
            let mut f = marker(input, "index", Confidence::High, line("weight_map"))
                .prop("shards", shards.len())
                .prop("indexed-tensors", map.len());
            if let Some(t) = v
                .get("metadata")
                .and_then(|m| m.get("total_size"))
                .and_then(Value::as_u64)
            {
                f = f.prop("total-size", t);
            }
            if !bad.is_empty() {
                out.risks.push(risk(
                    "AIBOM-MALFORMED",
                    Some(f.id()),
                    format!(
                        "shard index points outside its directory: {}",
                        bad.iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    &input.rel_path,
                    None,
                ));
            }
            f = f.prop("shard-files", shards);
            out.findings.push(f);
        }
    }
    out
}

/// The YAML front matter of a model card, bounded.
fn front_matter(text: &str) -> Option<(&str, u32)> {
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let end = rest.find("\n---")?;
    let fm = rest.get(..end)?;
    (fm.len() <= 1024 * 1024).then_some((fm, 2))
}

fn card(input: &FileInput) -> DetectOutcome {
    let Ok(text) = input.text() else {
        return DetectOutcome::default();
    };
    let Some((fm, first_line)) = front_matter(text) else {
        return DetectOutcome::default();
    };
    // anchors/aliases are refused outright: a card has no use for them (billion laughs)
    if fm
        .lines()
        .any(|l| l.contains(": &") || l.contains(": *") || l.trim_start().starts_with("- *"))
    {
        return DetectOutcome::failure(
            input,
            DETECTOR.id,
            "model card front matter uses YAML anchors; not read",
        );
    }
    let Ok(y) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(fm) else {
        return DetectOutcome::failure(input, DETECTOR.id, "model card front matter is not YAML");
    };
    let Ok(v) = serde_json::to_value(&y) else {
        return DetectOutcome::default();
    };
    let keys = [
        "license",
        "base_model",
        "datasets",
        "pipeline_tag",
        "library_name",
        "model-index",
    ];
    if !keys.iter().any(|k| v.get(k).is_some()) {
        return DetectOutcome::default();
    }
    let line_of = |key: &str| {
        fm.lines()
            .position(|l| l.starts_with(&format!("{key}:")))
            .map(|i| first_line + i as u32)
    };
    let mut f = marker(
        input,
        "card",
        Confidence::Medium,
        line_of("license").or(Some(1)),
    );
    let mut lic = s(&v, "license");
    if lic.as_deref() == Some("other") {
        lic = s(&v, "license_name").or(lic);
    }
    if let Some(l) = lic {
        f = f.prop("card-license", l);
    }
    for (k, p) in [("pipeline_tag", "task"), ("library_name", "library")] {
        if let Some(x) = s(&v, k) {
            f = f.prop(p, x);
        }
    }
    let langs = strings(v.get("language"));
    if !langs.is_empty() {
        f = f.prop("language", langs);
    }
    let base: Vec<String> = strings(v.get("base_model"))
        .iter()
        .filter_map(|b| printable_ref(b))
        .collect();
    if !base.is_empty() {
        f = f.prop("base-model", base);
    }
    let ds: Vec<String> = strings(v.get("datasets"))
        .iter()
        .filter_map(|b| printable_ref(b))
        .collect();
    if !ds.is_empty() {
        f = f.prop("datasets", ds);
        if let Some(l) = line_of("datasets") {
            f = f.prop("aibom.datasets-line", l);
        }
    }
    if let Some(l) = line_of("base_model") {
        f = f.prop("aibom.base-line", l);
    }
    DetectOutcome {
        findings: vec![f],
        ..Default::default()
    }
}

fn mlflow(input: &FileInput) -> DetectOutcome {
    let Ok(text) = input.text() else {
        return DetectOutcome::failure(input, DETECTOR.id, "MLmodel is not text");
    };
    if text.contains(": &") || text.contains(": *") {
        return DetectOutcome::failure(input, DETECTOR.id, "MLmodel uses YAML anchors; not read");
    }
    let Ok(y) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text) else {
        return DetectOutcome::failure(input, DETECTOR.id, "MLmodel is not YAML");
    };
    let Ok(v) = serde_json::to_value(&y) else {
        return DetectOutcome::default();
    };
    let Some(Value::Object(flavors)) = v.get("flavors") else {
        return DetectOutcome::failure(input, DETECTOR.id, "MLmodel without flavors");
    };
    let names: Vec<String> = flavors.keys().cloned().collect();
    let mut f =
        marker(input, "mlflow", Confidence::High, Some(1)).prop("mlflow-flavors", names.clone());
    for (k, p) in [
        ("run_id", "mlflow-run-id"),
        ("model_uuid", "mlflow-model-uuid"),
        ("mlflow_version", "mlflow-version"),
    ] {
        if let Some(x) = s(&v, k) {
            f = f.prop(p, x);
        }
    }
    let mut out = DetectOutcome::default();
    let pickled: Vec<&String> = names
        .iter()
        .filter(|n| {
            matches!(
                n.as_str(),
                "sklearn"
                    | "pytorch"
                    | "python_function"
                    | "pmdarima"
                    | "statsmodels"
                    | "xgboost"
                    | "lightgbm"
            )
        })
        .filter(|n| {
            n.as_str() != "python_function"
                || flavors.get(n.as_str()).is_some_and(|p| {
                    p.get("python_model").is_some() || p.get("code").is_some_and(|c| !c.is_null())
                })
        })
        .collect();
    if !pickled.is_empty() {
        out.risks.push(risk(
            "AIBOM-PICKLE-UNSAFE-FORMAT",
            Some(f.id()),
            format!(
                "MLflow flavor(s) {} load pickled objects or user code",
                pickled
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            &input.rel_path,
            None,
        ));
    }
    out.findings.push(f);
    out
}
