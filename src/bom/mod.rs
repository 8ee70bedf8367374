//! The canonical AI bill of materials: one model that every renderer, `diff` and `check` read.
//!
//! Detectors produce [`Finding`]s; [`merge`] folds them into [`Component`]s keyed by the
//! identity rules in `docs/architecture.md`. Everything serialized here is sorted so that the
//! same input always gives byte-identical output.

pub mod id;
pub mod merge;
pub mod normalize;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The wire id of the native JSON format.
pub const SCHEMA_ID: &str = "aibom/v1";

/// The closed set of component kinds (ARCHITECTURE.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentKind {
    Model,
    Dataset,
    Library,
    Service,
    Container,
    McpServer,
}

impl ComponentKind {
    pub const ALL: [ComponentKind; 6] = [
        ComponentKind::Model,
        ComponentKind::Dataset,
        ComponentKind::Library,
        ComponentKind::Service,
        ComponentKind::Container,
        ComponentKind::McpServer,
    ];

    /// The kebab-case wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::Model => "model",
            ComponentKind::Dataset => "dataset",
            ComponentKind::Library => "library",
            ComponentKind::Service => "service",
            ComponentKind::Container => "container",
            ComponentKind::McpServer => "mcp-server",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for ComponentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure a detector is that the evidence means what it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

/// How the evidence was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    Manifest,
    Lockfile,
    BinaryHeader,
    LfsPointer,
    ImportStatement,
    ApiCall,
    StringLiteral,
    ConfigKey,
    CloudExport,
    FileName,
    /// Taken from another BOM (`aibom merge`).
    Bom,
}

/// Risk severity, ordered from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Severity::Info,
            Severity::Low,
            Severity::Medium,
            Severity::High,
            Severity::Critical,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// Where and why we believe a component is present.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Evidence {
    /// Path relative to the scan root (or the export file), forward slashes.
    pub path: String,
    /// 1-based line in the file as a person opens it (for notebooks: the line of the JSON text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Notebook cell index (0-based) and 1-based line within that cell, when the file is a notebook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell_line: Option<u32>,
    /// Stable kebab-case id of the detector that saw it.
    pub detector: String,
    pub method: Method,
    pub confidence: Confidence,
    /// A short excerpt, truncated, secrets redacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
}

impl Evidence {
    pub fn new(
        path: &str,
        line: Option<u32>,
        detector: &str,
        method: Method,
        confidence: Confidence,
    ) -> Self {
        Evidence {
            path: path.to_string(),
            line,
            cell: None,
            cell_line: None,
            detector: detector.to_string(),
            method,
            confidence,
            snippet: None,
        }
    }
}

/// A content digest.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hash {
    /// CycloneDX spelling: `SHA-256`, `MD5`, …
    pub alg: String,
    pub value: String,
}

/// Free-form, typed-by-value properties. Keys are kebab- or snake-case words; values are JSON
/// scalars or arrays. A BTreeMap keeps output order stable.
pub type Properties = BTreeMap<String, serde_json::Value>;

/// What one detector saw in one place. Identity fields decide which component it merges into.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub kind: ComponentKind,
    pub name: String,
    /// The resolved version (or a hub revision, a model version). Constraints go in properties.
    pub version: Option<String>,
    /// The package URL *without* version; the version is added from `version` when rendered.
    pub purl: Option<String>,
    /// Identity override for components that have no purl: a sha256, an ARN, `provider/model`.
    pub identity: Option<String>,
    pub provider: Option<String>,
    pub licenses: Vec<String>,
    pub hashes: Vec<Hash>,
    pub properties: Properties,
    /// Ids of components this one depends on (base model, training data, served model).
    pub depends_on: Vec<String>,
    pub evidence: Evidence,
}

impl Finding {
    pub fn new(kind: ComponentKind, name: impl Into<String>, evidence: Evidence) -> Self {
        Finding {
            kind,
            name: name.into(),
            version: None,
            purl: None,
            identity: None,
            provider: None,
            licenses: Vec::new(),
            hashes: Vec::new(),
            properties: Properties::new(),
            depends_on: Vec::new(),
            evidence,
        }
    }

    pub fn with_version(mut self, version: Option<String>) -> Self {
        self.version = version.filter(|v| !v.is_empty());
        self
    }

    pub fn with_purl(mut self, purl: impl Into<String>) -> Self {
        self.purl = Some(purl.into());
        self
    }

    pub fn with_identity(mut self, identity: impl Into<String>) -> Self {
        self.identity = Some(identity.into());
        self
    }

    pub fn with_provider(mut self, provider: impl Into<String>) -> Self {
        self.provider = Some(provider.into());
        self
    }

    pub fn prop(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.properties.insert(key.to_string(), value.into());
        self
    }

    /// The component id this finding merges into (see [`id::component_id`]).
    pub fn id(&self) -> String {
        id::component_id(self)
    }
}

/// A merged component of the BOM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Component {
    pub id: String,
    pub kind: ComponentKind,
    pub name: String,
    pub version: Option<String>,
    pub purl: Option<String>,
    pub provider: Option<String>,
    #[serde(default)]
    pub licenses: Vec<String>,
    #[serde(default)]
    pub hashes: Vec<Hash>,
    #[serde(default)]
    pub properties: Properties,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
}

impl Component {
    /// Highest confidence among the evidence.
    pub fn confidence(&self) -> Confidence {
        self.evidence
            .iter()
            .map(|e| e.confidence)
            .max()
            .unwrap_or(Confidence::Low)
    }

    /// A string property, if present.
    pub fn prop_str(&self, key: &str) -> Option<&str> {
        self.properties.get(key).and_then(|v| v.as_str())
    }
}

/// A security or compliance finding with a stable `AIBOM-*` rule id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Risk {
    pub rule: String,
    pub severity: Severity,
    #[serde(default)]
    pub component: Option<String>,
    pub message: String,
    pub path: String,
    #[serde(default)]
    pub line: Option<u32>,
}

/// Something that could not be read or understood. Never fatal.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Warning {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detector: Option<String>,
    pub message: String,
}

impl Warning {
    pub fn new(path: &str, detector: Option<&str>, message: impl Into<String>) -> Self {
        Warning {
            path: path.to_string(),
            detector: detector.map(str::to_string),
            message: message.into(),
        }
    }
}

/// What the scan saw and what it could not read, so a user can tell what is missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Files the walker yielded (after skips).
    pub walked: u64,
    /// Files at least one detector claimed.
    pub claimed: u64,
    /// Claimed files every claiming detector parsed.
    pub parsed: u64,
    /// Claimed files some detector failed on (reasons are in `warnings`).
    pub failed: u64,
    /// Entries not walked, by the rule that skipped them (`node_modules`, `--exclude`, `gitignore`…).
    #[serde(default)]
    pub skipped: BTreeMap<String, u64>,
}

impl Coverage {
    /// Add another scan's (or thread's) counts to these.
    pub fn absorb(&mut self, other: Coverage) {
        self.walked += other.walked;
        self.claimed += other.claimed;
        self.parsed += other.parsed;
        self.failed += other.failed;
        for (k, v) in other.skipped {
            *self.skipped.entry(k).or_default() += v;
        }
    }
}

/// What was scanned.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Target {
    /// `path`, `cloud`, `bom` (merged from another BOM), `git`.
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "aibom".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// The whole AI-BOM: the `aibom/v1` document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bom {
    pub schema: String,
    pub tool: Tool,
    /// Only set when `SOURCE_DATE_EPOCH` is given: output stays reproducible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    pub targets: Vec<Target>,
    pub components: Vec<Component>,
    #[serde(default)]
    pub risks: Vec<Risk>,
    #[serde(default)]
    pub warnings: Vec<Warning>,
    #[serde(default)]
    pub coverage: Coverage,
    /// Repository-level facts that are not components (AI assistant instruction files, …).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: Properties,
}

/// Sort metadata values by their JSON text and drop duplicates: the order is deterministic, and
/// each value appears once however many times (overlapping roots, merged BOMs) it was added.
/// Sorting first keeps this O(n log n); a monorepo can hold thousands of entries per key.
pub fn sort_dedup_values(items: &mut Vec<serde_json::Value>) {
    items.sort_by_cached_key(|a| a.to_string());
    items.dedup();
}

impl Default for Bom {
    fn default() -> Self {
        Bom {
            schema: SCHEMA_ID.to_string(),
            tool: Tool::default(),
            timestamp: None,
            targets: Vec::new(),
            components: Vec::new(),
            risks: Vec::new(),
            warnings: Vec::new(),
            coverage: Coverage::default(),
            metadata: Properties::new(),
        }
    }
}

impl Bom {
    pub fn component(&self, id: &str) -> Option<&Component> {
        self.components
            .binary_search_by(|c| c.id.as_str().cmp(id))
            .ok()
            .and_then(|i| self.components.get(i))
    }

    /// Sort everything that is serialized, so output is deterministic.
    pub fn normalize(&mut self) {
        for c in &mut self.components {
            c.evidence.sort();
            c.evidence.dedup();
            c.hashes.sort();
            c.hashes.dedup();
            c.licenses.sort();
            c.licenses.dedup();
            c.depends_on.sort();
            c.depends_on.dedup();
        }
        self.components.sort_by(|a, b| a.id.cmp(&b.id));
        self.risks.sort_by(|a, b| {
            b.severity.cmp(&a.severity).then_with(|| {
                (&a.rule, &a.path, a.line, &a.component, &a.message).cmp(&(
                    &b.rule,
                    &b.path,
                    b.line,
                    &b.component,
                    &b.message,
                ))
            })
        });
        self.risks.dedup();
        self.warnings.sort();
        self.warnings.dedup();
        self.targets.sort();
        self.targets.dedup();
    }
}

#[cfg(test)]
mod tests {
    use super::sort_dedup_values;
    use serde_json::json;

    #[test]
    fn metadata_values_sorted_by_json_text_and_deduplicated() {
        let mut v = vec![
            json!({"path": "b/AGENTS.md"}),
            json!("x"),
            json!({"path": "a/AGENTS.md"}),
            json!({"path": "b/AGENTS.md"}),
            json!("x"),
        ];
        sort_dedup_values(&mut v);
        assert_eq!(
            v,
            [
                json!("x"),
                json!({"path": "a/AGENTS.md"}),
                json!({"path": "b/AGENTS.md"})
            ]
        );
    }
}
