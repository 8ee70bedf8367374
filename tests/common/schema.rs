//! Offline JSON Schema validation for tests: CycloneDX 1.6 / 1.7 against the vendored official
//! schemas (tests/schemas/cyclonedx/), and aibom/v1 against docs/schema/aibom-v1.schema.json.
//!
//! The CycloneDX schemas `$ref` each other by `http://cyclonedx.org/schema/<file>`; a
//! retriever serves the vendored copies for exactly those URIs and refuses anything else, so
//! validation never touches the network. Besides the schema, the two MUSTs it cannot express
//! are checked: bom-refs are unique and every dependency ref names one.

use jsonschema::{Draft, Retrieve, Uri, Validator};
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::OnceLock;

const BASE: &str = "http://cyclonedx.org/schema/";

fn vendored(name: &str) -> Option<&'static str> {
    Some(match name {
        "bom-1.6.schema.json" => include_str!("../schemas/cyclonedx/bom-1.6.schema.json"),
        "bom-1.7.schema.json" => include_str!("../schemas/cyclonedx/bom-1.7.schema.json"),
        "spdx.schema.json" => include_str!("../schemas/cyclonedx/spdx.schema.json"),
        "jsf-0.82.schema.json" => include_str!("../schemas/cyclonedx/jsf-0.82.schema.json"),
        "cryptography-defs.schema.json" => {
            include_str!("../schemas/cyclonedx/cryptography-defs.schema.json")
        }
        _ => return None,
    })
}

struct Vendored;

impl Retrieve for Vendored {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let text = uri
            .as_str()
            .strip_prefix(BASE)
            .and_then(vendored)
            .ok_or_else(|| format!("refusing to fetch {uri}: not a vendored schema"))?;
        Ok(serde_json::from_str(text)?)
    }
}

fn cyclonedx_validator(version: &str) -> &'static Validator {
    static V16: OnceLock<Validator> = OnceLock::new();
    static V17: OnceLock<Validator> = OnceLock::new();
    let cell = match version {
        "1.6" => &V16,
        "1.7" => &V17,
        other => panic!("no vendored CycloneDX schema for {other}"),
    };
    cell.get_or_init(|| {
        let text = vendored(&format!("bom-{version}.schema.json")).expect("vendored");
        let schema: Value = serde_json::from_str(text).expect("schema is JSON");
        jsonschema::options()
            .with_draft(Draft::Draft7)
            .should_validate_formats(true)
            .with_retriever(Vendored)
            .build(&schema)
            .expect("schema compiles")
    })
}

fn problems(validator: &Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// Every reason `bytes` is not a valid CycloneDX `version` document (empty when valid).
pub fn cyclonedx_problems(bytes: &[u8], version: &str) -> Vec<String> {
    let doc: Value = match serde_json::from_slice(bytes) {
        Ok(d) => d,
        Err(e) => return vec![format!("not JSON: {e}")],
    };
    let mut out = problems(cyclonedx_validator(version), &doc);
    let mut refs = BTreeSet::new();
    collect_refs(&doc, &mut refs, &mut out);
    for dep in doc["dependencies"].as_array().into_iter().flatten() {
        let named =
            std::iter::once(&dep["ref"]).chain(dep["dependsOn"].as_array().into_iter().flatten());
        for r in named.filter_map(Value::as_str) {
            if !refs.contains(r) {
                out.push(format!("dependency {r:?} is not a bom-ref in this BOM"));
            }
        }
    }
    out
}

fn collect_refs(v: &Value, refs: &mut BTreeSet<String>, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("bom-ref", Value::String(s)) => {
                        if !refs.insert(s.clone()) {
                            out.push(format!("duplicate bom-ref {s:?}"));
                        }
                    }
                    _ => collect_refs(v, refs, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_refs(i, refs, out)),
        _ => {}
    }
}

/// Panic with every problem unless `bytes` is valid CycloneDX `version`.
pub fn assert_valid_cyclonedx(bytes: &[u8], version: &str) {
    let p = cyclonedx_problems(bytes, version);
    assert!(
        p.is_empty(),
        "invalid CycloneDX {version}:\n{}",
        p.join("\n")
    );
}

fn native_validator() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| {
        let text = include_str!("../../docs/schema/aibom-v1.schema.json");
        let schema: Value = serde_json::from_str(text).expect("schema is JSON");
        jsonschema::options()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(true)
            .offline()
            .build(&schema)
            .expect("schema compiles")
    })
}

/// Every reason `bytes` is not a valid aibom/v1 document (empty when valid).
pub fn native_problems(bytes: &[u8]) -> Vec<String> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(doc) => problems(native_validator(), &doc),
        Err(e) => vec![format!("not JSON: {e}")],
    }
}

/// Panic with every problem unless `bytes` is a valid aibom/v1 document.
pub fn assert_valid_native(bytes: &[u8]) {
    let p = native_problems(bytes);
    assert!(p.is_empty(), "invalid aibom/v1:\n{}", p.join("\n"));
}
