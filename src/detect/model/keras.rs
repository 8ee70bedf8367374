//! Keras v3 `.keras` archives (zip of `config.json`, `metadata.json`, weights) and the Keras
//! config walker shared with HDF5 `model_config`.
//!
//! What it detects: keras_version, the root class, the layer-class histogram over the *whole*
//! config tree (nested sub-models included), Lambda layers (marshalled bytecode),
//! references to functions or classes outside `keras`, the unsafe-deserialization toggle,
//! and `TFSMLayer` (loads an external SavedModel).
//!
//! Files claimed: `.keras` outright.
//!
//! Evidence and confidence: `keras-archive`, high. Risks: `AIBOM-KERAS-LAMBDA`,
//! `AIBOM-KERAS-CUSTOM-CODE`, archive risks, `AIBOM-MALFORMED`.
//!
//! Not handled: weights (`model.weights.h5`) are not opened, so no parameter count. The
//! Lambda bytecode is never unmarshalled.
//!
//! References: keras `saving_lib.py`, `serialization_lib.py`; CVE-2024-3660, CVE-2025-1550,
//! CVE-2025-9906; MODEL-FORMATS §7.

use super::super::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use super::classify::Content;
use super::zip;
use crate::bom::Finding;
use crate::risk::risk;
use serde_json::Value;
use std::collections::BTreeMap;

pub const DETECTOR: Detector = Detector {
    id: "keras-archive",
    family: "model",
    summary: "Keras v3 .keras: layer classes, Lambda layers, custom-code references",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

const MAX_CONFIG: u64 = 16 * 1024 * 1024;

fn claim(c: &Candidate) -> Claim {
    if c.ext == "keras" && !c.cloud {
        Claim::Yes
    } else {
        Claim::No
    }
}

/// What a Keras config tree holds.
#[derive(Debug, Default)]
pub struct Config {
    pub classes: BTreeMap<String, u64>,
    pub lambdas: Vec<String>,
    pub foreign: Vec<String>,
    pub unsafe_toggle: bool,
    pub tfsm: bool,
    pub root: Option<String>,
}

/// Walk every object of a config tree (depth-capped).
pub fn walk_config(v: &Value) -> Config {
    let mut c = Config::default();
    if let Some(r) = v.get("class_name").and_then(Value::as_str) {
        c.root = Some(r.to_string());
    }
    visit(v, &mut c, 0);
    c
}

fn visit(v: &Value, c: &mut Config, depth: u32) {
    if depth > 128 {
        return;
    }
    match v {
        Value::Object(m) => {
            let class = m.get("class_name").and_then(Value::as_str);
            if let Some(cl) = class {
                if m.contains_key("config") && cl != "__lambda__" && c.classes.len() < 1000 {
                    *c.classes.entry(cl.to_string()).or_default() += 1;
                }
                if cl == "Lambda" {
                    let name = m
                        .get("config")
                        .and_then(|x| x.get("name"))
                        .and_then(Value::as_str)
                        .unwrap_or("lambda");
                    c.lambdas.push(name.to_string());
                }
                if cl == "TFSMLayer" {
                    c.tfsm = true;
                }
                if let Some(module) = m.get("module").and_then(Value::as_str) {
                    let keras =
                        module == "keras" || module.starts_with("keras.") || module == "builtins";
                    if !keras && c.foreign.len() < 20 {
                        let what = match m.get("config") {
                            Some(Value::String(s)) => format!("{module}.{s}"),
                            _ => format!("{module}.{cl}"),
                        };
                        if !c.foreign.contains(&what) {
                            c.foreign.push(what);
                        }
                    }
                }
            }
            for (k, x) in m {
                if k == "function_type" && x.as_str() == Some("lambda") && c.lambdas.is_empty() {
                    c.lambdas.push("lambda (Keras 2 function_type)".into());
                }
                visit(x, c, depth + 1);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| visit(x, c, depth + 1)),
        Value::String(s) if s.contains("enable_unsafe_deserialization") => {
            c.unsafe_toggle = true;
        }
        _ => {}
    }
}

/// Put a config's facts on the finding and raise its risks.
pub fn apply(out: &mut DetectOutcome, path: &str, f: &mut Finding, c: &Config) {
    if let Some(r) = &c.root {
        f.properties.insert("architecture".into(), r.clone().into());
    }
    let classes: Vec<String> = c
        .classes
        .iter()
        .map(|(k, v)| format!("{k}:{v}"))
        .take(64)
        .collect();
    f.properties.insert("layer-classes".into(), classes.into());
    if !c.lambdas.is_empty() {
        out.risks.push(risk(
            "AIBOM-KERAS-LAMBDA",
            Some(f.id()),
            format!("Lambda layer(s) {}: loading with safe_mode off (or via .h5) runs embedded bytecode", c.lambdas.join(", ")),
            path,
            None,
        ));
    }
    let mut custom = Vec::new();
    if !c.foreign.is_empty() {
        custom.push(format!(
            "references outside keras: {}",
            c.foreign.join(", ")
        ));
    }
    if c.unsafe_toggle {
        custom.push("calls enable_unsafe_deserialization".to_string());
    }
    if c.tfsm {
        custom.push("TFSMLayer loads an external SavedModel".to_string());
    }
    if !custom.is_empty() {
        out.risks.push(risk(
            "AIBOM-KERAS-CUSTOM-CODE",
            Some(f.id()),
            format!("Keras config imports code on load: {}", custom.join("; ")),
            path,
            None,
        ));
    }
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let content = match super::gate(input, DETECTOR.id, |c| {
        matches!(c, Content::Zip | Content::Hdf5)
    }) {
        Ok(c) => c,
        Err(out) => return out,
    };
    if content == Content::Hdf5 {
        // Keras 2 wrote HDF5 under this name; the HDF5 detector reads it the same way
        return super::hdf5::detect_as(input, ctx, DETECTOR.id);
    }
    let mut out = DetectOutcome::default();
    let mut f = super::file_model(input, ctx, DETECTOR.id, "keras", &mut out);
    let mut r = match super::source(input) {
        Ok(r) => r,
        Err(e) => return DetectOutcome::failure(input, DETECTOR.id, e),
    };
    let a = match zip::list(&mut r, input.size) {
        Ok(a) => a,
        Err(e) => {
            super::malformed(&mut out, input, DETECTOR.id, &f, &format!("zip: {e}"));
            out.findings.push(f);
            return out;
        }
    };
    zip::archive_risks(&a, &f.id(), &input.rel_path, &mut out.risks);
    let read_json =
        |r: &mut Box<dyn super::ReadSeek + '_>, name: &str| -> Option<Result<Value, String>> {
            let e = a.entries.iter().find(|e| e.name == name)?;
            Some(zip::read(r, &a, e, MAX_CONFIG).and_then(|m| {
                if m.truncated {
                    return Err(format!("{name} exceeds {MAX_CONFIG} bytes"));
                }
                serde_json::from_slice(&m.data).map_err(|e| format!("{name}: {e}"))
            }))
        };
    if let Some(Ok(meta)) = read_json(&mut r, "metadata.json") {
        if let Some(v) = meta.get("keras_version").and_then(Value::as_str) {
            f = f.prop("keras-version", super::short(v, 40));
        }
    }
    match read_json(&mut r, "config.json") {
        Some(Ok(cfg)) => {
            let c = walk_config(&cfg);
            apply(&mut out, &input.rel_path, &mut f, &c);
        }
        Some(Err(e)) => super::malformed(&mut out, input, DETECTOR.id, &f, &e),
        None => super::malformed(
            &mut out,
            input,
            DETECTOR.id,
            &f,
            "archive has no config.json",
        ),
    }
    let weights: Vec<&str> = a
        .entries
        .iter()
        .filter(|e| e.name.starts_with("model.weights"))
        .map(|e| e.name.as_str())
        .collect();
    if !weights.is_empty() {
        f = f.prop("weights", weights.join(", "));
    }
    out.findings.push(f);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_lambda_and_foreign_module() {
        let cfg: Value = serde_json::from_str(r#"{"class_name":"Sequential","config":{"layers":[
            {"module":"keras.layers","class_name":"Dense","config":{"units":2}},
            {"class_name":"Functional","config":{"layers":[{"module":"keras.layers","class_name":"Lambda","config":{"name":"evil","function":{"class_name":"__lambda__","config":{"code":"4wEA"}}}}]}},
            {"module":"os","class_name":"function","config":"system"}]}}"#).unwrap();
        let c = walk_config(&cfg);
        assert_eq!(c.lambdas, vec!["evil".to_string()]);
        assert_eq!(c.foreign, vec!["os.system".to_string()]);
        assert_eq!(c.root.as_deref(), Some("Sequential"));
    }
}
