//! One aibom component → a CycloneDX component (model, dataset, library, container) or
//! service (service, mcp-server). The mapping is documented in docs/cyclonedx.md.

use super::license::licenses;
use super::model::{
    Component, ComponentData, ComponentEvidence, DataContents, DatasetRef, HashEntry, Identity,
    IdentityMethod, ModelCard, ModelParameters, Occurrence, OrganizationalEntity, Property,
    Service,
};
use super::{property_name, stringify};
use crate::bom::{self, Bom, ComponentKind, Confidence, Method, Risk};
use crate::render::SpecVersion;
use packageurl::PackageUrl;
use std::collections::{BTreeSet, HashSet};
use std::str::FromStr;

/// The schema's `version` limit.
const MAX_VERSION_LEN: usize = 1024;

/// Properties that also describe the model in `modelCard.properties` (kebab-case; the
/// snake_case spelling of a key is accepted too).
const MODEL_CARD_KEYS: &[&str] = &[
    "context-length",
    "dtype",
    "file-type",
    "format",
    "parameters",
    "quantization",
    "size-label",
    "tensor-count",
    "tensors",
    "torch-dtype",
];

/// The property `key` (kebab-case) or its snake_case spelling, with the key as found.
fn prop<'a>(c: &'a bom::Component, key: &str) -> Option<(&'a str, &'a serde_json::Value)> {
    let snake = key.replace('-', "_");
    c.properties
        .get_key_value(key)
        .or_else(|| c.properties.get_key_value(snake.as_str()))
        .map(|(k, v)| (k.as_str(), v))
}

/// What a component becomes in the CycloneDX document.
pub enum Rendered {
    Component(Box<Component>),
    Service(Box<Service>),
}

/// The CycloneDX component `type` for `c` (services have none).
pub fn component_type(c: &bom::Component) -> Option<&'static str> {
    Some(match c.kind {
        ComponentKind::Model => "machine-learning-model",
        ComponentKind::Dataset => "data",
        ComponentKind::Library if c.prop_str("category") == Some("framework") => "framework",
        ComponentKind::Library => "library",
        ComponentKind::Container => "container",
        ComponentKind::Service | ComponentKind::McpServer => return None,
    })
}

pub fn render(c: &bom::Component, bom: &Bom, risks: &[&Risk], spec: SpecVersion) -> Rendered {
    let (version, long_version) = match c.version.as_deref().filter(|v| !v.is_empty()) {
        Some(v) if v.chars().count() <= MAX_VERSION_LEN => (Some(v.to_string()), None),
        Some(v) => (None, Some(v.to_string())),
        None => (None, None),
    };
    let purl = c
        .purl
        .as_deref()
        .filter(|p| valid_purl(p))
        .map(str::to_string);
    let name = if c.name.trim().is_empty() {
        c.id.clone()
    } else {
        c.name.clone()
    };

    let mut props = common_properties(c);
    if let Some(v) = long_version {
        props.push(Property::new("aibom:version", v));
    }
    if let (Some(p), None) = (&c.purl, &purl) {
        props.push(Property::new("aibom:purl", p.clone()));
    }
    let (hashes, bad_hashes) = hashes(c, spec);
    props.extend(bad_hashes);
    let unresolved: Vec<&String> = c
        .depends_on
        .iter()
        .filter(|d| bom.component(d).is_none())
        .collect();
    for d in unresolved {
        props.push(Property::new("aibom:depends-on", d.clone()));
    }

    let Some(kind) = component_type(c) else {
        let mut s = service(c, name, version, purl, props, spec);
        s.properties.extend(trail_properties(c, risks));
        return Rendered::Service(Box::new(s));
    };
    props.extend(trail_properties(c, risks));
    let model_card = (c.kind == ComponentKind::Model)
        .then(|| model_card(c, bom))
        .flatten();
    let data = if c.kind == ComponentKind::Dataset {
        vec![ComponentData {
            kind: "dataset",
            name: name.clone(),
            contents: c
                .prop_str("url")
                .filter(|u| is_web_iri(u))
                .map(|u| DataContents { url: u.to_string() }),
            classification: c.prop_str("classification").map(str::to_string),
        }]
    } else {
        Vec::new()
    };
    Rendered::Component(Box::new(Component {
        kind,
        bom_ref: Some(c.id.clone()),
        name,
        version,
        evidence: evidence(c, purl.as_deref()),
        purl,
        hashes,
        licenses: licenses(&c.licenses, spec),
        model_card,
        data,
        components: Vec::new(),
        properties: props,
    }))
}

fn service(
    c: &bom::Component,
    name: String,
    version: Option<String>,
    purl: Option<String>,
    mut props: Vec<Property>,
    spec: SpecVersion,
) -> Service {
    // Services have no purl, hashes or evidence in CycloneDX: keep them as properties.
    if let Some(p) = purl {
        props.push(Property::new("aibom:purl", p));
    }
    for h in &c.hashes {
        props.push(Property::new(
            "aibom:hash",
            format!("{}:{}", h.alg, h.value),
        ));
    }
    for o in occurrences(c) {
        let loc = match o.line {
            Some(l) => format!("{}:{l}", o.location),
            None => o.location,
        };
        props.push(Property::new("aibom:occurrence", loc));
    }
    let endpoints: Vec<String> = endpoint_values(c)
        .into_iter()
        .filter(|e| is_web_iri(e))
        .collect();
    let trust_boundary = if endpoints.is_empty() {
        None
    } else {
        // Calling anything but this machine crosses a trust boundary.
        Some(endpoints.iter().any(|e| !is_loopback(e)))
    };
    Service {
        bom_ref: c.id.clone(),
        provider: c
            .provider
            .as_ref()
            .filter(|p| !p.trim().is_empty())
            .map(|p| OrganizationalEntity { name: p.clone() }),
        name,
        version,
        endpoints,
        trust_boundary,
        licenses: licenses(&c.licenses, spec),
        properties: props,
    }
}

/// `aibom:kind`, `aibom:category`, `aibom:provider`, and every property as `aibom:<key>`.
fn common_properties(c: &bom::Component) -> Vec<Property> {
    let mut props = vec![Property::new("aibom:kind", c.kind.as_str())];
    if let Some(cat) = c.properties.get("category") {
        for v in stringify(cat) {
            props.push(Property::new("aibom:category", v));
        }
    }
    if let Some(p) = &c.provider {
        props.push(Property::new("aibom:provider", p.clone()));
    }
    for (k, v) in c.properties.iter().filter(|(k, _)| *k != "category") {
        let name = property_name(k);
        for s in stringify(v) {
            props.push(Property::new(name.clone(), s));
        }
    }
    props
}

/// The detectors that saw `c` and the risks on it: the last properties of every entry.
fn trail_properties(c: &bom::Component, risks: &[&Risk]) -> Vec<Property> {
    let mut props = Vec::new();
    let detectors: BTreeSet<&str> = c.evidence.iter().map(|e| e.detector.as_str()).collect();
    for d in detectors {
        props.push(Property::new("aibom:detector", d));
    }
    for r in risks {
        props.push(Property::new("aibom:risk", super::risk_text(r)));
    }
    props
}

fn model_card(c: &bom::Component, bom: &Bom) -> Option<ModelCard> {
    let first = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| prop(c, k))
            .map(|(_, v)| stringify(v).join(", "))
            .filter(|s| !s.is_empty())
    };
    let params = ModelParameters {
        task: first(&["pipeline-tag", "task"]),
        architecture_family: first(&["architecture-family", "model-type"]),
        model_architecture: first(&["architecture", "architectures"]),
        datasets: c
            .depends_on
            .iter()
            .filter(|d| {
                bom.component(d)
                    .is_some_and(|x| x.kind == ComponentKind::Dataset)
            })
            .map(|d| DatasetRef {
                reference: d.clone(),
            })
            .collect(),
    };
    let mut properties = Vec::new();
    for key in MODEL_CARD_KEYS {
        if let Some((k, v)) = prop(c, key) {
            for s in stringify(v) {
                properties.push(Property::new(property_name(k), s));
            }
        }
    }
    let card = ModelCard {
        model_parameters: (!params.is_empty()).then_some(params),
        properties,
    };
    (card.model_parameters.is_some() || !card.properties.is_empty()).then_some(card)
}

/// Endpoint values from the `endpoint` / `endpoints` properties.
fn endpoint_values(c: &bom::Component) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["endpoint", "endpoints"] {
        if let Some(v) = c.properties.get(key) {
            for s in stringify(v) {
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
    }
    out
}

/// Hashes the schema accepts (known algorithm for the spec version, hex of a valid length),
/// and the rest as `aibom:hash` properties.
fn hashes(c: &bom::Component, spec: SpecVersion) -> (Vec<HashEntry>, Vec<Property>) {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for h in &c.hashes {
        let content = h.value.trim().to_ascii_lowercase();
        let ok_len = matches!(content.len(), 32 | 40 | 64 | 96 | 128)
            && content.bytes().all(|b| b.is_ascii_hexdigit());
        match hash_alg(&h.alg, spec) {
            Some(alg) if ok_len => good.push(HashEntry { alg, content }),
            _ => bad.push(Property::new(
                "aibom:hash",
                format!("{}:{}", h.alg, h.value),
            )),
        }
    }
    if c.kind != ComponentKind::Service && c.kind != ComponentKind::McpServer {
        (good, bad)
    } else {
        (Vec::new(), Vec::new())
    }
}

/// The CycloneDX spelling of a hash algorithm (`sha256`, `SHA_256`, `sha-256` → `SHA-256`).
pub fn hash_alg(alg: &str, spec: SpecVersion) -> Option<&'static str> {
    let key: String = alg
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    Some(match key.as_str() {
        "MD5" => "MD5",
        "SHA1" => "SHA-1",
        "SHA256" => "SHA-256",
        "SHA384" => "SHA-384",
        "SHA512" => "SHA-512",
        "SHA3256" => "SHA3-256",
        "SHA3384" => "SHA3-384",
        "SHA3512" => "SHA3-512",
        "BLAKE2B256" => "BLAKE2b-256",
        "BLAKE2B384" => "BLAKE2b-384",
        "BLAKE2B512" => "BLAKE2b-512",
        "BLAKE3" => "BLAKE3",
        "STREEBOG256" if spec == SpecVersion::V1_7 => "Streebog-256",
        "STREEBOG512" if spec == SpecVersion::V1_7 => "Streebog-512",
        _ => return None,
    })
}

fn occurrences(c: &bom::Component) -> Vec<Occurrence> {
    let mut out: Vec<Occurrence> = Vec::new();
    // A set, not a scan of `out`: the most imported package of a monorepo has tens of thousands
    // of evidence entries, and the scan made rendering quadratic (seconds at 200k files).
    let mut seen: HashSet<(&str, Option<u32>)> = HashSet::with_capacity(c.evidence.len());
    for e in &c.evidence {
        if !seen.insert((e.path.as_str(), e.line)) {
            continue;
        }
        let cell = match (e.cell, e.cell_line) {
            (Some(cell), Some(l)) => Some(format!("cell {cell}, line {l}")),
            (Some(cell), None) => Some(format!("cell {cell}")),
            _ => None,
        };
        let context = match (cell, &e.snippet) {
            (Some(c), Some(s)) => Some(format!("{c}: {s}")),
            (Some(c), None) => Some(c),
            (None, Some(s)) => Some(s.clone()),
            (None, None) => None,
        };
        out.push(Occurrence {
            location: e.path.clone(),
            line: e.line,
            additional_context: context,
        });
    }
    out
}

fn evidence(c: &bom::Component, purl: Option<&str>) -> Option<ComponentEvidence> {
    let mut methods: Vec<IdentityMethod> = Vec::new();
    let mut seen: BTreeSet<(&'static str, &str)> = BTreeSet::new();
    let mut sorted: Vec<&bom::Evidence> = c.evidence.iter().collect();
    // Highest confidence first, so the kept entry per (technique, detector) is the best one.
    sorted.sort_by_key(|e| std::cmp::Reverse(e.confidence));
    for e in sorted {
        let technique = technique(e.method);
        if seen.insert((technique, e.detector.as_str())) {
            methods.push(IdentityMethod {
                technique,
                confidence: confidence(e.confidence),
                value: e.detector.clone(),
            });
        }
    }
    methods.sort_by(|a, b| (a.technique, &a.value).cmp(&(b.technique, &b.value)));
    let identity = if methods.is_empty() {
        Vec::new()
    } else {
        let (field, value) = match purl {
            Some(p) => ("purl", p.to_string()),
            None => ("name", c.name.clone()),
        };
        vec![Identity {
            field,
            confidence: confidence(c.confidence()),
            concluded_value: value,
            methods,
        }]
    };
    let occurrences = occurrences(c);
    (!identity.is_empty() || !occurrences.is_empty()).then_some(ComponentEvidence {
        identity,
        occurrences,
    })
}

/// aibom's three levels on CycloneDX's 0..1 scale.
fn confidence(c: Confidence) -> f64 {
    match c {
        Confidence::High => 0.9,
        Confidence::Medium => 0.6,
        Confidence::Low => 0.3,
    }
}

fn technique(m: Method) -> &'static str {
    match m {
        Method::Manifest | Method::Lockfile | Method::ConfigKey | Method::LfsPointer => {
            "manifest-analysis"
        }
        Method::BinaryHeader => "binary-analysis",
        Method::ImportStatement | Method::ApiCall | Method::StringLiteral => "source-code-analysis",
        Method::FileName => "filename",
        Method::CloudExport | Method::Bom => "other",
    }
}

/// A purl that parses (type, name, encoding), so consumers can rely on the field.
pub fn valid_purl(p: &str) -> bool {
    p.starts_with("pkg:") && PackageUrl::from_str(p).is_ok()
}

/// An absolute http(s)/ws(s) URL made only of characters an IRI may contain, so it passes
/// the schema's `iri-reference` format. Templated or partial values stay properties. Square
/// brackets (IPv6 literals) are refused too: some widely used validators reject them.
pub fn is_web_iri(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let Some(rest) = ["https://", "http://", "wss://", "ws://"]
        .iter()
        .find_map(|p| lower.strip_prefix(p))
    else {
        return false;
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if host_end == 0 {
        return false;
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(|x| x.is_ascii_hexdigit());
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
            continue;
        }
        let ok = b >= 0x80 || b.is_ascii_alphanumeric() || b"-._~:/?#@!$&'()*+,;=".contains(&b);
        if !ok {
            return false;
        }
        i += 1;
    }
    true
}

fn is_loopback(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower.split_once("://").map(|(_, r)| r).unwrap_or("");
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    host == "localhost" || host.starts_with("127.") || host == "::1" || host == "0.0.0.0"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_algorithms_are_spelled_as_cyclonedx_does() {
        assert_eq!(hash_alg("sha256", SpecVersion::V1_6), Some("SHA-256"));
        assert_eq!(hash_alg("SHA-256", SpecVersion::V1_6), Some("SHA-256"));
        assert_eq!(hash_alg("sha3_512", SpecVersion::V1_6), Some("SHA3-512"));
        assert_eq!(
            hash_alg("blake2b-256", SpecVersion::V1_7),
            Some("BLAKE2b-256")
        );
        assert_eq!(hash_alg("Streebog-256", SpecVersion::V1_6), None);
        assert_eq!(
            hash_alg("Streebog-256", SpecVersion::V1_7),
            Some("Streebog-256")
        );
        assert_eq!(hash_alg("crc32", SpecVersion::V1_7), None);
    }

    #[test]
    fn endpoints_must_be_absolute_iris() {
        assert!(is_web_iri("https://api.openai.com/v1"));
        assert!(is_web_iri("http://localhost:8000/v1/chat/completions"));
        assert!(is_web_iri("https://例え.jp/推論"));
        assert!(!is_web_iri("${OPENAI_BASE_URL}/v1"));
        assert!(!is_web_iri("https://{resource}.openai.azure.com"));
        assert!(!is_web_iri("https:///path"));
        assert!(!is_web_iri("api.openai.com"));
        assert!(!is_web_iri("https://a b"));
        assert!(!is_web_iri("https://a/%zz"));
        assert!(!is_web_iri("http://[::1]:8080/"));
        assert!(is_loopback("http://127.0.0.1:11434/api"));
        assert!(is_loopback("http://[::1]:8080"));
        assert!(is_loopback("http://user@localhost"));
        assert!(!is_loopback("https://api.anthropic.com"));
    }

    #[test]
    fn purls_are_checked() {
        assert!(valid_purl("pkg:pypi/torch@2.3.1"));
        assert!(valid_purl("pkg:npm/%40langchain/core@0.2.0"));
        assert!(!valid_purl("pypi/torch"));
        assert!(!valid_purl("pkg:"));
        assert!(!valid_purl("pkg:/torch"));
    }
}
