//! SARIF 2.1.0 for GitHub code scanning and other SARIF consumers: risks (`aibom scan -f sarif`)
//! and policy violations (`aibom check -f sarif`).
//!
//! A small hand-written serde model of the part of SARIF we emit. Every rule aibom knows is
//! listed in `tool.driver.rules` with help text taken from docs/rules.md at compile time.
//! `partialFingerprints` hash rule, path, component and the message with line numbers removed,
//! so an alert keeps its identity when unrelated edits move it to another line.

use crate::bom::{Bom, Severity};
use crate::policy::{Report, RuleId};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/aibom/aibom";
const RULES_DOC: &str = include_str!("../../docs/rules.md");
/// Key of our fingerprint in `partialFingerprints`; bump the suffix if its inputs change.
pub const FINGERPRINT_KEY: &str = "aibomFinding/v1";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    automation_details: AutomationDetails,
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocationBase>,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct ArtifactLocationBase {
    description: Message,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: String,
    semantic_version: String,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: String,
    name: String,
    short_description: Message,
    full_description: Message,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
    precision: &'static str,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize, Clone)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Message,
    locations: Vec<SarifLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Message,
    locations: Vec<SarifLocation>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    properties: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    justification: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

/// SARIF level of a severity: critical/high → error, medium → warning, low/info → note.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub derives its critical/high/medium/low from this 0–10 score.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// The body of `## <id>` in docs/rules.md, if documented.
pub fn rule_help(id: &str) -> Option<&'static str> {
    let mut rest = RULES_DOC;
    while let Some(pos) = rest.find("\n## ") {
        rest = &rest[pos + 4..];
        let (heading, body) = rest.split_once('\n').unwrap_or((rest, ""));
        if heading.trim() == id {
            let end = body.find("\n## ").unwrap_or(body.len());
            return Some(body[..end].trim());
        }
    }
    None
}

/// `AIBOM-PICKLE-RCE` → `PickleRce`.
fn pascal_name(id: &str) -> String {
    id.trim_start_matches("AIBOM-")
        .split('-')
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f
                    .to_uppercase()
                    .chain(cs.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect()
}

fn descriptor(id: &str, summary: &str, severity: Severity) -> ReportingDescriptor {
    let help = rule_help(id);
    let full = help
        .and_then(|h| h.split("\n\n").next())
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| summary.to_string());
    let markdown = help
        .map(str::to_string)
        .unwrap_or_else(|| summary.to_string());
    let text = markdown.replace('`', "");
    let policy = id.starts_with("AIBOM-POLICY-");
    ReportingDescriptor {
        id: id.to_string(),
        name: pascal_name(id),
        short_description: Message {
            text: summary.to_string(),
        },
        full_description: Message { text: full },
        help: Help { text, markdown },
        default_configuration: Configuration {
            level: level(severity),
        },
        properties: RuleProperties {
            tags: if policy {
                vec!["ai-bom", "policy"]
            } else {
                vec!["ai-bom", "security", "supply-chain"]
            },
            precision: "high",
            security_severity: security_severity(severity),
        },
    }
}

/// Every rule: the risk rules, then the policy rules (each list sorted by id).
fn all_rules() -> Vec<ReportingDescriptor> {
    let mut rules: Vec<ReportingDescriptor> = crate::risk::RULES
        .iter()
        .map(|r| descriptor(r.id, r.summary, r.severity))
        .collect();
    rules.extend(
        RuleId::ALL
            .iter()
            .map(|r| descriptor(r.as_str(), r.summary(), r.severity())),
    );
    rules
}

/// The message with line references removed, so fingerprints survive lines moving.
fn message_without_lines(message: &str) -> String {
    static RE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| regex::Regex::new(r"(?i)\blines? \d+\b|:\d+(:\d+)?\b").ok());
    match re {
        Some(re) => re.replace_all(message, "").into_owned(),
        None => message.to_string(),
    }
}

/// Stable fingerprint: sha256 over rule, path, component and line-free message.
pub fn fingerprint(rule: &str, path: &str, component: Option<&str>, message: &str) -> String {
    let mut h = Sha256::new();
    for part in [
        rule,
        path,
        component.unwrap_or(""),
        &message_without_lines(message),
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn location(path: &str, line: Option<u32>) -> SarifLocation {
    SarifLocation {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                // SARIF wants a URI reference: percent-encode what is not safe in a path.
                uri: encode_uri_path(path),
                uri_base_id: "%SRCROOT%",
            },
            region: line
                .filter(|l| *l > 0)
                .map(|start_line| Region { start_line }),
        },
    }
}

fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn log(bom: &Bom, results: Vec<SarifResult>, category: &str) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing plain structs into memory cannot fail.
    let _ = write_log(bom, results, category, &mut out);
    out
}

/// The SARIF log streamed into `w`, so a large one is not also held as a buffer.
fn write_log<W: std::io::Write>(
    bom: &Bom,
    results: Vec<SarifResult>,
    category: &str,
    w: &mut W,
) -> std::io::Result<()> {
    let notifications = bom
        .warnings
        .iter()
        .map(|w| Notification {
            level: "warning",
            message: Message {
                text: match &w.detector {
                    Some(d) => format!("{} ({d})", w.message),
                    None => w.message.clone(),
                },
            },
            locations: vec![location(&w.path, None)],
        })
        .collect();
    let version = bom.tool.version.clone();
    let doc = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "aibom",
                    semantic_version: version.clone(),
                    version,
                    information_uri: INFORMATION_URI,
                    rules: all_rules(),
                },
            },
            automation_details: AutomationDetails {
                id: format!("aibom/{category}/"),
            },
            original_uri_base_ids: BTreeMap::from([(
                "%SRCROOT%",
                ArtifactLocationBase {
                    description: Message {
                        text: "The root of the scanned tree.".to_string(),
                    },
                },
            )]),
            invocations: vec![Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *w, &doc).map_err(std::io::Error::other)?;
    w.write_all(b"\n")
}

fn rule_index(id: &str) -> Option<usize> {
    let risk = crate::risk::RULES.iter().position(|r| r.id == id);
    let policy = || {
        RuleId::ALL
            .iter()
            .position(|r| r.as_str() == id)
            .map(|i| i + crate::risk::RULES.len())
    };
    risk.or_else(policy)
}

/// SARIF of a BOM's risks. A risk whose rule is not in [`crate::risk::RULES`] (a BOM written by
/// a newer aibom) is still emitted, without `ruleIndex`.
pub fn render(bom: &Bom) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing plain structs into memory cannot fail.
    let _ = render_to(bom, &mut out);
    out
}

/// [`render`] streamed into a writer.
pub fn render_to<W: std::io::Write>(bom: &Bom, w: &mut W) -> std::io::Result<()> {
    let results = bom
        .risks
        .iter()
        .map(|r| {
            let mut properties = BTreeMap::new();
            if let Some(c) = &r.component {
                properties.insert("component", c.clone());
            }
            properties.insert("severity", r.severity.as_str().to_string());
            SarifResult {
                rule_id: r.rule.clone(),
                rule_index: rule_index(&r.rule),
                level: level(r.severity),
                message: Message {
                    text: r.message.clone(),
                },
                locations: vec![location(&r.path, r.line)],
                partial_fingerprints: BTreeMap::from([(
                    FINGERPRINT_KEY,
                    fingerprint(&r.rule, &r.path, r.component.as_deref(), &r.message),
                )]),
                suppressions: Vec::new(),
                properties,
            }
        })
        .collect();
    write_log(bom, results, "scan", w)
}

/// SARIF of a policy check. Waived violations are emitted with a suppression, as SARIF intends.
pub fn render_check(bom: &Bom, report: &Report) -> Vec<u8> {
    let results = report
        .violations
        .iter()
        .map(|v| {
            let first = v.evidence.first();
            let path = first.map(|e| e.path.as_str()).unwrap_or(".");
            let mut properties = BTreeMap::new();
            if let Some(c) = &v.component {
                properties.insert("component", c.clone());
            }
            if let Some(r) = &v.risk_rule {
                properties.insert("risk", r.clone());
            }
            properties.insert("severity", v.severity.as_str().to_string());
            SarifResult {
                rule_id: v.rule.as_str().to_string(),
                rule_index: rule_index(v.rule.as_str()),
                level: level(v.severity),
                message: Message {
                    text: v.message.clone(),
                },
                locations: v
                    .evidence
                    .iter()
                    .take(1000)
                    .map(|e| location(&e.path, e.line))
                    .collect(),
                partial_fingerprints: BTreeMap::from([(
                    FINGERPRINT_KEY,
                    fingerprint(v.rule.as_str(), path, v.component.as_deref(), &v.message),
                )]),
                suppressions: v
                    .waived
                    .iter()
                    .map(|reason| Suppression {
                        kind: "external",
                        justification: reason.clone(),
                    })
                    .collect(),
                properties,
            }
        })
        .collect();
    log(bom, results, "check")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_is_split_by_heading_and_tolerates_gaps() {
        let h = rule_help("AIBOM-PICKLE-RCE").expect("documented");
        assert!(h.contains("A pickle stream"));
        assert!(!h.contains("## "));
        assert!(rule_help("AIBOM-NOT-A-RULE").is_none());
        let d = descriptor("AIBOM-NOT-A-RULE", "fallback", Severity::Low);
        assert_eq!(d.help.text, "fallback");
    }

    #[test]
    fn fingerprints_ignore_line_numbers_only() {
        let a = fingerprint("R", "a.py", Some("c"), "bad call at line 12");
        let b = fingerprint("R", "a.py", Some("c"), "bad call at line 40");
        let c = fingerprint("R", "b.py", Some("c"), "bad call at line 12");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(pascal_name("AIBOM-PICKLE-RCE"), "PickleRce");
        assert_eq!(encode_uri_path("a b/c#.py"), "a%20b/c%23.py");
    }
}
