//! Reading a BOM file back: native `aibom/v1`, or CycloneDX 1.4–1.7 JSON written by aibom or by
//! other tools (cdxgen, syft, …), detected by content, not by file name.
//!
//! CycloneDX mapping: `type` machine-learning-model → model, data → dataset, library/framework →
//! library, container → container; `services[]` → service. aibom's own `aibom:*` properties
//! (`aibom:kind`, `aibom:provider`, `aibom:id`) restore what CycloneDX has no field for. Nested
//! components and services are flattened. Components of other types (file, operating-system,
//! device, …) are not AI-BOM material and are skipped, counted in one warning.
//! `evidence.occurrences` become evidence; a component without occurrences gets one evidence
//! record pointing at the BOM file itself, so every change still says where it came from.

use crate::bom::{
    id, Bom, Component, ComponentKind, Confidence, Evidence, Finding, Hash, Method, Risk, Severity,
    Target, Warning,
};
use serde_json::Value;

/// Largest BOM file read (a BOM of a monorepo with every package is a few MiB).
pub const MAX_BOM_BYTES: u64 = 256 * 1024 * 1024;

/// Nesting limit for `components[].components[]` (bounded recursion on hostile input).
const MAX_DEPTH: usize = 32;

/// Read and parse a BOM file; `label` names it in evidence and errors.
pub fn load_path(path: &std::path::Path) -> Result<Bom, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.len() > MAX_BOM_BYTES {
        return Err(format!(
            "{}: {} bytes is larger than the {} MiB a BOM may have",
            path.display(),
            meta.len(),
            MAX_BOM_BYTES >> 20
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let label = path.to_string_lossy().replace('\\', "/");
    parse(&bytes, &label).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parse `aibom/v1` or CycloneDX JSON.
pub fn parse(bytes: &[u8], label: &str) -> Result<Bom, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    if value.get("schema").and_then(Value::as_str) == Some(crate::bom::SCHEMA_ID) {
        let mut bom = crate::render::json::parse(bytes)?;
        bom.normalize();
        return Ok(bom);
    }
    if value.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        return Ok(from_cyclonedx(&value, label));
    }
    Err("neither an aibom/v1 document (\"schema\") nor CycloneDX JSON (\"bomFormat\")".into())
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

struct Reader<'a> {
    label: &'a str,
    components: Vec<Component>,
    skipped: usize,
}

/// Convert a CycloneDX document. Never fails: what cannot be read is skipped.
pub fn from_cyclonedx(doc: &Value, label: &str) -> Bom {
    let mut r = Reader {
        label,
        components: Vec::new(),
        skipped: 0,
    };
    for c in array(doc, "components") {
        r.component(c, 0);
    }
    for s in array(doc, "services") {
        r.service(s, 0);
    }
    let mut bom = Bom {
        tool: crate::bom::Tool {
            name: tool_name(doc).unwrap_or_else(|| "unknown".to_string()),
            version: String::new(),
        },
        ..Bom::default()
    };
    let target = doc
        .get("metadata")
        .and_then(|m| m.get("component"))
        .and_then(|c| str_of(c, "name"))
        .unwrap_or(label);
    bom.targets.push(Target {
        kind: "bom".to_string(),
        value: target.to_string(),
    });
    // Same component listed twice (nested and top level): merge evidence.
    r.components.sort_by(|a, b| a.id.cmp(&b.id));
    let mut merged: Vec<Component> = Vec::new();
    for c in r.components {
        match merged.last_mut() {
            Some(last) if last.id == c.id => {
                last.evidence.extend(c.evidence);
                last.hashes.extend(c.hashes);
                last.licenses.extend(c.licenses);
            }
            _ => merged.push(c),
        }
    }
    bom.components = merged;
    for v in array(doc, "vulnerabilities") {
        if let Some(risk) = vulnerability(v, label) {
            bom.risks.push(risk);
        }
    }
    if r.skipped > 0 {
        bom.warnings.push(Warning::new(
            label,
            Some("cyclonedx-import"),
            format!(
                "{} component(s) of types that are not AI-BOM kinds (file, operating-system, …) were skipped",
                r.skipped
            ),
        ));
    }
    bom.normalize();
    bom
}

fn tool_name(doc: &Value) -> Option<String> {
    let tools = doc.get("metadata")?.get("tools")?;
    // 1.5+ object form {components: [...]}, or the 1.4 array form.
    let first = tools
        .get("components")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .or_else(|| tools.as_array().and_then(|a| a.first()))?;
    str_of(first, "name").map(str::to_string)
}

/// `name`/`value` pairs; `aibom:`-prefixed ones lose their prefix.
fn properties(v: &Value) -> Vec<(String, String)> {
    array(v, "properties")
        .iter()
        .filter_map(|p| Some((str_of(p, "name")?.to_string(), p.get("value")?.clone())))
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            (k, v)
        })
        .collect()
}

fn licenses(v: &Value) -> Vec<String> {
    array(v, "licenses")
        .iter()
        .filter_map(|l| {
            if let Some(e) = str_of(l, "expression") {
                return Some(e.to_string());
            }
            let lic = l.get("license")?;
            str_of(lic, "id")
                .or_else(|| str_of(lic, "name"))
                .map(str::to_string)
        })
        .collect()
}

fn hashes(v: &Value) -> Vec<Hash> {
    array(v, "hashes")
        .iter()
        .filter_map(|h| {
            Some(Hash {
                alg: str_of(h, "alg")?.to_string(),
                value: str_of(h, "content")?.to_lowercase(),
            })
        })
        .collect()
}

fn kind_of_type(ty: &str) -> Option<ComponentKind> {
    match ty {
        "machine-learning-model" => Some(ComponentKind::Model),
        "data" => Some(ComponentKind::Dataset),
        "library" | "framework" => Some(ComponentKind::Library),
        "container" => Some(ComponentKind::Container),
        _ => None,
    }
}

impl Reader<'_> {
    fn evidence(&self, v: &Value) -> Vec<Evidence> {
        let confidence = v
            .get("evidence")
            .and_then(|e| e.get("identity"))
            .and_then(|i| {
                // 1.5 has one identity object, 1.6+ an array.
                i.as_array()
                    .and_then(|a| a.first())
                    .unwrap_or(i)
                    .get("confidence")
                    .and_then(Value::as_f64)
            })
            .map(|c| {
                if c >= 0.8 {
                    Confidence::High
                } else if c >= 0.4 {
                    Confidence::Medium
                } else {
                    Confidence::Low
                }
            })
            .unwrap_or(Confidence::Medium);
        let occurrences = v
            .get("evidence")
            .map(|e| array(e, "occurrences"))
            .unwrap_or(&[]);
        let mut out: Vec<Evidence> = occurrences
            .iter()
            .filter_map(|o| {
                let location = str_of(o, "location")?;
                // cdxgen writes `src/app.py#12`; the schema's field is `line`.
                let (path, hash_line) = match location.rsplit_once('#') {
                    Some((p, l)) if l.parse::<u32>().is_ok() => (p, l.parse().ok()),
                    _ => (location, None),
                };
                let line = o
                    .get("line")
                    .and_then(Value::as_u64)
                    .and_then(|l| u32::try_from(l).ok())
                    .or(hash_line);
                Some(Evidence::new(
                    path,
                    line,
                    "cyclonedx-import",
                    Method::Bom,
                    confidence,
                ))
            })
            .collect();
        // syft keeps locations as properties (`syft:location:0:path`), cdxgen as `SrcFile`.
        if out.is_empty() {
            for p in array(v, "properties") {
                let name = str_of(p, "name").unwrap_or("");
                let is_location = name == "SrcFile"
                    || (name.starts_with("syft:location:") && name.ends_with(":path"));
                if let (true, Some(path)) = (is_location, str_of(p, "value")) {
                    out.push(Evidence::new(
                        path.trim_start_matches('/'),
                        None,
                        "cyclonedx-import",
                        Method::Bom,
                        confidence,
                    ));
                }
            }
        }
        if out.is_empty() {
            out.push(Evidence::new(
                self.label,
                None,
                "cyclonedx-import",
                Method::Bom,
                confidence,
            ));
        }
        out
    }

    fn build(&mut self, v: &Value, kind: ComponentKind, props: Vec<(String, String)>) {
        let Some(mut name) = str_of(v, "name").map(str::to_string) else {
            return;
        };
        if let Some(group) = str_of(v, "group") {
            if str_of(v, "purl").is_none() {
                name = format!("{group}/{name}");
            }
        }
        let version = str_of(v, "version").map(str::to_string);
        let purl = str_of(v, "purl").map(str::to_string);
        let mut provider = str_of(v, "provider")
            .or_else(|| v.get("provider").and_then(|p| str_of(p, "name")))
            .or_else(|| v.get("supplier").and_then(|p| str_of(p, "name")))
            .map(str::to_string);
        let mut comp_id = None;
        let mut identity = None;
        let mut properties = crate::bom::Properties::new();
        for (k, val) in props {
            match k.as_str() {
                "aibom:provider" => provider = Some(val),
                "aibom:id" => comp_id = Some(val),
                "aibom:identity" => identity = Some(val),
                "aibom:kind" => {}
                _ => {
                    let key = k.strip_prefix("aibom:").unwrap_or(&k).to_string();
                    properties.insert(key, Value::String(val));
                }
            }
        }
        if let Some(card) = v.get("modelCard").and_then(|m| m.get("modelParameters")) {
            for (src, dst) in [
                ("architectureFamily", "architecture-family"),
                ("modelArchitecture", "architecture"),
                ("task", "task"),
            ] {
                if let Some(s) = str_of(card, src) {
                    properties
                        .entry(dst.to_string())
                        .or_insert_with(|| Value::String(s.to_string()));
                }
            }
        }
        let bom_ref = str_of(v, "bom-ref");
        let evidence = self.evidence(v);
        // The id: aibom's own (aibom:id, or a bom-ref in aibom's `kind:` form), else computed
        // from purl/identity/name by the same rules a scan uses.
        let prefix = format!("{}:", kind.as_str());
        let id = comp_id
            .or_else(|| {
                bom_ref
                    .filter(|r| r.starts_with(&prefix))
                    .map(str::to_string)
            })
            .unwrap_or_else(|| {
                let mut f = Finding::new(kind, name.clone(), evidence[0].clone())
                    .with_version(version.clone());
                if let Some(p) = &purl {
                    f = f.with_purl(crate::bom::normalize::purl_without_version(p));
                }
                if let Some(i) = &identity {
                    f.identity = Some(i.clone());
                }
                id::component_id(&f)
            });
        self.components.push(Component {
            id,
            kind,
            name,
            version,
            purl,
            provider,
            licenses: licenses(v),
            hashes: hashes(v),
            properties,
            depends_on: Vec::new(),
            evidence,
        });
    }

    fn component(&mut self, v: &Value, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let props = properties(v);
        let declared = props
            .iter()
            .find(|(k, _)| k == "aibom:kind")
            .and_then(|(_, val)| ComponentKind::parse(val));
        let ty = str_of(v, "type").unwrap_or("library");
        match declared.or_else(|| kind_of_type(ty)) {
            Some(kind) => self.build(v, kind, props),
            None => self.skipped += 1,
        }
        for c in array(v, "components") {
            self.component(c, depth + 1);
        }
    }

    fn service(&mut self, v: &Value, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let props = properties(v);
        let kind = props
            .iter()
            .find(|(k, _)| k == "aibom:kind")
            .and_then(|(_, val)| ComponentKind::parse(val))
            .unwrap_or(ComponentKind::Service);
        let mut props = props;
        let endpoints: Vec<&str> = array(v, "endpoints")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if !endpoints.is_empty() {
            props.push(("endpoints".to_string(), endpoints.join(" ")));
        }
        self.build(v, kind, props);
        for s in array(v, "services") {
            self.service(s, depth + 1);
        }
    }
}

/// aibom risks exported as CycloneDX vulnerabilities (`id` = the rule id).
fn vulnerability(v: &Value, label: &str) -> Option<Risk> {
    let rule = str_of(v, "id").filter(|id| id.starts_with("AIBOM-"))?;
    let severity = array(v, "ratings")
        .iter()
        .filter_map(|r| str_of(r, "severity"))
        .find_map(Severity::parse)
        .unwrap_or(Severity::Medium);
    let props = properties(v);
    let prop = |k: &str| props.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    Some(Risk {
        rule: rule.to_string(),
        severity,
        component: array(v, "affects")
            .first()
            .and_then(|a| str_of(a, "ref"))
            .map(str::to_string),
        message: str_of(v, "description")
            .or_else(|| str_of(v, "detail"))
            .unwrap_or(rule)
            .to_string(),
        path: prop("aibom:path").unwrap_or_else(|| label.to_string()),
        line: prop("aibom:line").and_then(|l| l.parse().ok()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_the_format() {
        assert!(parse(b"{\"hello\": 1}", "x").is_err());
        assert!(parse(b"not json", "x").is_err());
        let cdx = br#"{"bomFormat":"CycloneDX","specVersion":"1.4","components":[
            {"type":"library","name":"torch","version":"2.1.0","purl":"pkg:pypi/torch@2.1.0",
             "components":[{"type":"machine-learning-model","name":"bert","bom-ref":"x"}]},
            {"type":"operating-system","name":"debian"}],
            "services":[{"name":"OpenAI API","provider":{"name":"OpenAI"},"endpoints":["https://api.openai.com/v1"]}]}"#;
        let bom = parse(cdx, "old.cdx.json").unwrap();
        let ids: Vec<&str> = bom.components.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "library:pypi/torch@2.1.0",
                "model:bert",
                "service:openai api"
            ]
        );
        assert_eq!(bom.components[2].provider.as_deref(), Some("OpenAI"));
        assert_eq!(bom.components[1].evidence[0].path, "old.cdx.json");
        assert_eq!(
            bom.warnings.len(),
            1,
            "the operating-system is skipped, and said so"
        );
    }

    #[test]
    fn hostile_nesting_is_bounded() {
        let mut s = String::from("{\"bomFormat\":\"CycloneDX\",\"components\":[");
        for i in 0..40 {
            s.push_str(&format!(
                "{{\"type\":\"library\",\"name\":\"a{i}\",\"components\":["
            ));
        }
        for _ in 0..40 {
            s.push_str("]}");
        }
        s.push_str("]}");
        let bom = parse(s.as_bytes(), "x").unwrap();
        assert_eq!(bom.components.len(), MAX_DEPTH + 1);
    }
}
