//! CycloneDX 1.6 / 1.7 JSON (ML-BOM) from the canonical BOM.
//!
//! Models become `machine-learning-model` components with a `modelCard`, datasets `data`
//! components, libraries `library` / `framework`, containers `container`; hosted services and
//! MCP servers go in `services`. Everything aibom knows that the schema has no field for is a
//! namespaced `aibom:` property, because the schemas reject unknown keys. Risks are not CVEs,
//! so they are properties too (on the component and on the BOM), never `vulnerabilities`.
//! The field-by-field mapping is in docs/cyclonedx.md; tests validate the output against the
//! official schemas.
//!
//! Deterministic: components keep the BOM's id order, properties a fixed order, and the
//! `serialNumber` is a name-based UUID computed from the content (timestamp excluded), so the
//! same scan gives the same document and any change of content gives a new serial number.

mod component;
mod license;
mod model;

use crate::bom::{Bom, Risk};
use crate::render::SpecVersion;
use component::Rendered;
use model::{Component, Dependency, Document, Lifecycle, Metadata, Property, Tools};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

pub use component::{component_type, hash_alg, is_web_iri, valid_purl};
pub use license::{expression as spdx_expression, spdx_id};

/// Render `bom` as a pretty-printed CycloneDX JSON document with a trailing newline.
pub fn render(bom: &Bom, spec: SpecVersion) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing plain structs of strings, numbers and vectors into memory cannot fail.
    let _ = render_to(bom, spec, &mut out);
    out
}

/// [`render`] streamed into a writer (a large document is not held twice in memory).
pub fn render_to<W: std::io::Write>(
    bom: &Bom,
    spec: SpecVersion,
    w: &mut W,
) -> std::io::Result<()> {
    let doc = document(bom, spec);
    serde_json::to_writer_pretty(&mut *w, &doc).map_err(std::io::Error::other)?;
    w.write_all(b"\n")
}

fn document(bom: &Bom, spec: SpecVersion) -> Document {
    let mut components = Vec::new();
    let mut services = Vec::new();
    let by_component = risks_by_component(bom);
    for c in &bom.components {
        let risks = by_component
            .get(c.id.as_str())
            .map_or(&[][..], Vec::as_slice);
        match component::render(c, bom, risks, spec) {
            Rendered::Component(x) => components.push(*x),
            Rendered::Service(s) => services.push(*s),
        }
    }
    Document {
        schema: format!(
            "http://cyclonedx.org/schema/bom-{}.schema.json",
            spec.as_str()
        ),
        bom_format: "CycloneDX",
        spec_version: spec.as_str(),
        serial_number: serial_number(bom, spec),
        version: 1,
        metadata: metadata(bom),
        components,
        services,
        dependencies: dependencies(bom),
    }
}

fn metadata(bom: &Bom) -> Metadata {
    let mut lifecycles = Vec::new();
    if bom.targets.iter().any(|t| t.kind != "cloud") {
        lifecycles.push(Lifecycle { phase: "pre-build" });
    }
    if bom.targets.iter().any(|t| t.kind == "cloud") {
        lifecycles.push(Lifecycle {
            phase: "operations",
        });
    }
    Metadata {
        timestamp: bom.timestamp.clone(),
        lifecycles,
        tools: Tools {
            components: vec![Component {
                kind: "application",
                name: bom.tool.name.clone(),
                version: Some(bom.tool.version.clone()),
                ..Component::default()
            }],
        },
        component: target_component(bom),
        properties: bom_properties(bom),
    }
}

fn target(t: &crate::bom::Target) -> Component {
    Component {
        kind: "application",
        bom_ref: Some(format!("aibom-target:{}:{}", t.kind, t.value)),
        name: t.value.clone(),
        properties: vec![Property::new("aibom:target:kind", t.kind.clone())],
        ..Component::default()
    }
}

/// The scanned target; several targets are nested under one application.
fn target_component(bom: &Bom) -> Option<Component> {
    match bom.targets.as_slice() {
        [] => None,
        [one] => Some(target(one)),
        many => Some(Component {
            kind: "application",
            bom_ref: Some("aibom-targets".to_string()),
            name: many
                .iter()
                .map(|t| t.value.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            components: many.iter().map(target).collect(),
            ..Component::default()
        }),
    }
}

/// Risks keyed by the id of the component they are about, in BOM order.
pub(crate) fn risks_by_component(bom: &Bom) -> BTreeMap<&str, Vec<&Risk>> {
    let mut map: BTreeMap<&str, Vec<&Risk>> = BTreeMap::new();
    for r in &bom.risks {
        if let Some(id) = r.component.as_deref() {
            map.entry(id).or_default().push(r);
        }
    }
    map
}

/// `RULE severity message (path:line)`, the text of an `aibom:risk` property.
fn risk_text(r: &Risk) -> String {
    let loc = match r.line {
        Some(l) => format!("{}:{l}", r.path),
        None => r.path.clone(),
    };
    format!("{} {} {} ({loc})", r.rule, r.severity.as_str(), r.message)
}

/// Coverage, counts, every risk and warning, and the BOM's metadata entries.
fn bom_properties(bom: &Bom) -> Vec<Property> {
    let cov = &bom.coverage;
    let mut p = vec![
        Property::new("aibom:coverage:walked", cov.walked.to_string()),
        Property::new("aibom:coverage:claimed", cov.claimed.to_string()),
        Property::new("aibom:coverage:parsed", cov.parsed.to_string()),
        Property::new("aibom:coverage:failed", cov.failed.to_string()),
    ];
    for (rule, n) in &cov.skipped {
        p.push(Property::new(
            format!("aibom:coverage:skipped:{rule}"),
            n.to_string(),
        ));
    }
    p.push(Property::new("aibom:risks", bom.risks.len().to_string()));
    p.push(Property::new(
        "aibom:warnings",
        bom.warnings.len().to_string(),
    ));
    for r in &bom.risks {
        p.push(Property::new("aibom:risk", risk_text(r)));
    }
    for w in &bom.warnings {
        let text = match &w.detector {
            Some(d) => format!("{}: {} ({d})", w.path, w.message),
            None => format!("{}: {}", w.path, w.message),
        };
        p.push(Property::new("aibom:warning", text));
    }
    for (k, v) in &bom.metadata {
        let name = format!("aibom:metadata:{}", k.replace('.', ":"));
        for s in stringify(v) {
            p.push(Property::new(name.clone(), s));
        }
    }
    p
}

/// `depends_on` edges whose both ends are in the BOM, one entry per component that has any.
fn dependencies(bom: &Bom) -> Vec<Dependency> {
    let mut out = Vec::new();
    for c in &bom.components {
        let deps: BTreeSet<&str> = c
            .depends_on
            .iter()
            .map(String::as_str)
            .filter(|d| *d != c.id && bom.component(d).is_some())
            .collect();
        if !deps.is_empty() {
            out.push(Dependency {
                reference: c.id.clone(),
                depends_on: deps.into_iter().map(str::to_string).collect(),
            });
        }
    }
    out
}

/// `aibom:` + the property key, dots turned into the taxonomy's `:` separator.
fn property_name(key: &str) -> String {
    format!("aibom:{}", key.replace('.', ":"))
}

/// A property value as CycloneDX strings: scalars as text, each element of an array as its
/// own property (CycloneDX allows repeated names), objects and nested arrays as compact JSON.
/// `null` gives nothing.
fn stringify(v: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    fn scalar(v: &Value) -> Option<String> {
        match v {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            Value::Bool(_) | Value::Number(_) => Some(v.to_string()),
            Value::Array(_) | Value::Object(_) => Some(v.to_string()),
        }
    }
    match v {
        Value::Array(items) => items.iter().filter_map(scalar).collect(),
        other => scalar(other).into_iter().collect(),
    }
}

/// `urn:uuid:` + an RFC 4122 name-based UUID (version 5 layout, SHA-256 instead of SHA-1)
/// over the spec version and the native JSON of `bom` without its timestamp.
fn serial_number(bom: &Bom, spec: SpecVersion) -> String {
    let mut h = Sha256::new();
    h.update(b"aibom cyclonedx serial\n");
    h.update(spec.as_str().as_bytes());
    h.update(b"\n");
    // Streamed into the hash (Sha256 is an io::Write): neither a copy of the BOM nor its JSON
    // is held in memory (both were 100+ MB on a large monorepo). Hashing cannot fail.
    let _ = serde_json::to_writer_pretty(&mut h, &Untimed(bom));
    h.update(b"\n");
    let digest = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50; // version 5
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A BOM serialized as its native JSON without the timestamp (which `Bom` skips when unset),
/// by reference. `untimed_json_is_the_native_json_without_the_timestamp` holds it to that.
struct Untimed<'a>(&'a Bom);

impl serde::Serialize for Untimed<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let b = self.0;
        let mut st = s.serialize_struct("Bom", 8)?;
        st.serialize_field("schema", &b.schema)?;
        st.serialize_field("tool", &b.tool)?;
        st.serialize_field("targets", &b.targets)?;
        st.serialize_field("components", &b.components)?;
        st.serialize_field("risks", &b.risks)?;
        st.serialize_field("warnings", &b.warnings)?;
        st.serialize_field("coverage", &b.coverage)?;
        if !b.metadata.is_empty() {
            st.serialize_field("metadata", &b.metadata)?;
        }
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untimed_json_is_the_native_json_without_the_timestamp() {
        let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
        let opts = crate::scan::ScanOptions {
            paths: vec![demo],
            threads: 1,
            ..crate::scan::ScanOptions::default()
        };
        let mut bom = crate::scan::run_scan(&opts).unwrap();
        assert!(!bom.components.is_empty() && !bom.risks.is_empty());
        bom.metadata
            .insert("assistant.files".into(), serde_json::json!(["AGENTS.md"]));
        bom.timestamp = Some("2024-01-01T00:00:00Z".into());
        let untimed = serde_json::to_vec_pretty(&Untimed(&bom)).unwrap();
        bom.timestamp = None;
        assert_eq!(
            String::from_utf8(untimed).unwrap(),
            String::from_utf8(serde_json::to_vec_pretty(&bom).unwrap()).unwrap()
        );
    }

    #[test]
    fn serial_numbers_are_well_formed_v5_uuids() {
        let bom = Bom::default();
        let s = serial_number(&bom, SpecVersion::V1_6);
        let uuid = s.strip_prefix("urn:uuid:").unwrap();
        let groups: Vec<&str> = uuid.split('-').collect();
        assert_eq!(
            groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(uuid
            .chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c)));
        assert!(groups[2].starts_with('5'));
        assert!(matches!(&groups[3][..1], "8" | "9" | "a" | "b"));
        assert_ne!(s, serial_number(&bom, SpecVersion::V1_7));
        let mut stamped = bom.clone();
        stamped.timestamp = Some("2024-01-01T00:00:00Z".into());
        assert_eq!(s, serial_number(&stamped, SpecVersion::V1_6));
    }

    #[test]
    fn values_are_stringified_deterministically() {
        use serde_json::json;
        assert_eq!(stringify(&json!("a")), ["a"]);
        assert_eq!(stringify(&json!(7)), ["7"]);
        assert_eq!(stringify(&json!(true)), ["true"]);
        assert!(stringify(&json!(null)).is_empty());
        assert_eq!(stringify(&json!(["x", 1, [2]])), ["x", "1", "[2]"]);
        assert_eq!(stringify(&json!({"b": 1, "a": 2})), [r#"{"b":1,"a":2}"#]);
    }
}
