//! The subset of the CycloneDX 1.6 / 1.7 JSON object model that aibom writes.
//!
//! Hand-written rather than generated: aibom emits a small part of the specification, and
//! owning the structs gives exact control over key order and over what differs between 1.6
//! and 1.7 (only the licence choice, see `license.rs`). Field order is the order of the keys
//! in the output. Every optional field is skipped when empty, because the schemas use
//! `additionalProperties: false` and several arrays must not be empty to be meaningful.

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Document {
    #[serde(rename = "$schema")]
    pub schema: String,
    #[serde(rename = "bomFormat")]
    pub bom_format: &'static str,
    #[serde(rename = "specVersion")]
    pub spec_version: &'static str,
    #[serde(rename = "serialNumber")]
    pub serial_number: String,
    pub version: u32,
    pub metadata: Metadata,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<Service>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Dependency>,
}

#[derive(Debug, Serialize)]
pub struct Metadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lifecycles: Vec<Lifecycle>,
    pub tools: Tools,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<Component>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
}

#[derive(Debug, Serialize)]
pub struct Lifecycle {
    pub phase: &'static str,
}

/// The 1.5+ object form of `metadata.tools` (the array form is deprecated).
#[derive(Debug, Serialize)]
pub struct Tools {
    pub components: Vec<Component>,
}

#[derive(Debug, Default, Serialize)]
pub struct Component {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    pub bom_ref: Option<String>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<HashEntry>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<LicenseChoice>,
    #[serde(rename = "modelCard", skip_serializing_if = "Option::is_none")]
    pub model_card: Option<ModelCard>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<ComponentData>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<ComponentEvidence>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
}

#[derive(Debug, Serialize)]
pub struct Service {
    #[serde(rename = "bom-ref")]
    pub bom_ref: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<OrganizationalEntity>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<String>,
    #[serde(rename = "x-trust-boundary", skip_serializing_if = "Option::is_none")]
    pub trust_boundary: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<LicenseChoice>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
}

#[derive(Debug, Serialize)]
pub struct OrganizationalEntity {
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct HashEntry {
    pub alg: &'static str,
    pub content: String,
}

/// One item of a `licenses` array: a licence object or an SPDX expression.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum LicenseChoice {
    License { license: License },
    Expression { expression: String },
}

/// Exactly one of `id` (an SPDX id from the schema's enum) or `name`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum License {
    #[serde(rename = "id")]
    Id(String),
    #[serde(rename = "name")]
    Name(String),
}

#[derive(Debug, Default, Serialize)]
pub struct ModelCard {
    #[serde(rename = "modelParameters", skip_serializing_if = "Option::is_none")]
    pub model_parameters: Option<ModelParameters>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
}

#[derive(Debug, Default, Serialize)]
pub struct ModelParameters {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    #[serde(rename = "architectureFamily", skip_serializing_if = "Option::is_none")]
    pub architecture_family: Option<String>,
    #[serde(rename = "modelArchitecture", skip_serializing_if = "Option::is_none")]
    pub model_architecture: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub datasets: Vec<DatasetRef>,
}

impl ModelParameters {
    pub fn is_empty(&self) -> bool {
        self.task.is_none()
            && self.architecture_family.is_none()
            && self.model_architecture.is_none()
            && self.datasets.is_empty()
    }
}

/// A modelCard dataset given by reference to a `data` component (`{"ref": ...}`).
#[derive(Debug, Serialize)]
pub struct DatasetRef {
    #[serde(rename = "ref")]
    pub reference: String,
}

#[derive(Debug, Serialize)]
pub struct ComponentData {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contents: Option<DataContents>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classification: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DataContents {
    pub url: String,
}

#[derive(Debug, Serialize)]
pub struct ComponentEvidence {
    /// An array in 1.6 and 1.7 (the single-object form is deprecated in both).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub identity: Vec<Identity>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub occurrences: Vec<Occurrence>,
}

#[derive(Debug, Serialize)]
pub struct Identity {
    pub field: &'static str,
    pub confidence: f64,
    #[serde(rename = "concludedValue")]
    pub concluded_value: String,
    pub methods: Vec<IdentityMethod>,
}

#[derive(Debug, Serialize)]
pub struct IdentityMethod {
    pub technique: &'static str,
    pub confidence: f64,
    pub value: String,
}

#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Occurrence {
    pub location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(rename = "additionalContext", skip_serializing_if = "Option::is_none")]
    pub additional_context: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Property {
    pub name: String,
    pub value: String,
}

impl Property {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Property {
            name: name.into(),
            value: value.into(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Dependency {
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(rename = "dependsOn")]
    pub depends_on: Vec<String>,
}
