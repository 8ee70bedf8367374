//! AWS CloudFormation templates (JSON or YAML, short-form intrinsic tags included) and the
//! `aws cloudformation get-template` wrapper (`TemplateBody` as an object or a YAML string).
//!
//! # What it detects
//! - `AWS::SageMaker::Model` → `model`; `::EndpointConfig`, `::Endpoint`,
//!   `::InferenceComponent` → `service`, linked endpoint → config → model through `!Ref` /
//!   `!GetAtt` or literal names.
//! - `AWS::Bedrock::Agent` → `service` linked to its foundation model and knowledge bases (no
//!   `GuardrailConfiguration` → `AIBOM-CLOUD-NO-CONTENT-FILTER`); `::KnowledgeBase` → `dataset`
//!   linked to its embedding model; `::DataSource` → `dataset` (its S3 bucket).
//! - Names: the name property resolved against parameter `Default`s (`!Ref`, `!Sub`,
//!   `!Join`, `!FindInMap`, `!GetAtt` of another resource's name); pseudo parameters stay as
//!   written (`${AWS::Region}`); the logical id when there is no name. The logical id is kept
//!   as `logical-id`. A value that cannot be resolved is kept readable, never dropped.
//!
//! # Files claimed
//! Repo scans: `*.json|*.yaml|*.yml|*.template` whose head has `AWSTemplateFormatVersion` or
//! `AWS::` types. `--cloud`: any document with a `Resources` map of `AWS::` types.
//!
//! # Evidence and confidence
//! `cloudformation`, method `cloud-export`, confidence high; line of the logical id.
//!
//! # Not handled
//! Nested stacks (`AWS::CloudFormation::Stack` `TemplateURL` cannot be followed offline),
//! macros/transforms, conditions (every resource is reported). IAM policies that name model
//! ARNs are not assets.
//!
//! # References
//! CloudFormation template anatomy; intrinsic function reference; resource schemas.

use super::aws_bedrock::{foundation_model, no_guardrail_risk};
use super::aws_sagemaker::{
    emit_endpoint, emit_endpoint_config, emit_model, sm_identity, SmModel, Variant,
};
use super::common::{arr, parse_text, s, Emitter};
use crate::bom::ComponentKind;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// How deep intrinsic functions are resolved.
const MAX_DEPTH: usize = 16;

pub fn recognise(doc: &Value) -> bool {
    template(doc).is_some()
}

/// The template inside a document: itself, or `TemplateBody` (object or YAML/JSON string).
fn template(doc: &Value) -> Option<std::borrow::Cow<'_, Value>> {
    let is_template = |v: &Value| {
        v.get("Resources")
            .and_then(Value::as_object)
            .is_some_and(|r| {
                r.values().any(|x| {
                    s(x, "Type")
                        .is_some_and(|t| t.starts_with("AWS::") || t.starts_with("Custom::"))
                })
            })
    };
    if is_template(doc) {
        return Some(std::borrow::Cow::Borrowed(doc));
    }
    match doc.get("TemplateBody")? {
        o @ Value::Object(_) if is_template(o) => Some(std::borrow::Cow::Borrowed(o)),
        Value::String(body) => parse_text(body)
            .ok()
            .filter(is_template)
            .map(std::borrow::Cow::Owned),
        _ => None,
    }
}

struct Resolver<'a> {
    params: BTreeMap<String, String>,
    mappings: &'a Value,
    /// Logical id → resolved name.
    names: BTreeMap<String, String>,
}

impl Resolver<'_> {
    /// A readable string for any value; `${…}` placeholders it cannot fill stay as written.
    fn text(&self, v: &Value, depth: usize) -> String {
        if depth > MAX_DEPTH {
            return String::new();
        }
        match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Object(o) if o.len() == 1 => {
                let (k, arg) = o
                    .iter()
                    .next()
                    .map(|(k, a)| (k.as_str(), a))
                    .unwrap_or(("", v));
                match k {
                    "Ref" => {
                        let r = arg.as_str().unwrap_or("");
                        self.params
                            .get(r)
                            .or_else(|| self.names.get(r))
                            .cloned()
                            .unwrap_or_else(|| format!("${{{r}}}"))
                    }
                    "Fn::Sub" => match arg {
                        Value::String(t) => self.sub(t, &Map::new(), depth),
                        Value::Array(a) => {
                            let t = a.first().and_then(Value::as_str).unwrap_or("");
                            let empty = Map::new();
                            let vars = a.get(1).and_then(Value::as_object).unwrap_or(&empty);
                            self.sub(t, vars, depth)
                        }
                        _ => compact(v),
                    },
                    "Fn::GetAtt" => {
                        let (res, attr) = getatt(arg);
                        if attr.ends_with("Name") {
                            if let Some(n) = self.names.get(res) {
                                return n.clone();
                            }
                        }
                        format!("${{{res}.{attr}}}")
                    }
                    "Fn::Join" => {
                        let sep = arg.get(0).and_then(Value::as_str).unwrap_or("");
                        let parts = arg.get(1).and_then(Value::as_array);
                        match parts {
                            Some(p) => p
                                .iter()
                                .map(|x| self.text(x, depth + 1))
                                .collect::<Vec<_>>()
                                .join(sep),
                            None => compact(v),
                        }
                    }
                    "Fn::FindInMap" => {
                        let keys: Vec<String> = arg
                            .as_array()
                            .map(|a| a.iter().map(|x| self.text(x, depth + 1)).collect())
                            .unwrap_or_default();
                        let found = match keys.as_slice() {
                            [m, k1, k2] => self
                                .mappings
                                .get(m)
                                .and_then(|x| x.get(k1))
                                .and_then(|x| x.get(k2)),
                            _ => None,
                        };
                        found.map_or_else(|| compact(v), |x| self.text(x, depth + 1))
                    }
                    _ => compact(v),
                }
            }
            other => compact(other),
        }
    }

    fn sub(&self, t: &str, vars: &Map<String, Value>, depth: usize) -> String {
        let mut out = String::new();
        let mut rest = t;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                return out;
            };
            let key = &after[..end];
            let value = if let Some(v) = vars.get(key) {
                Some(self.text(v, depth + 1))
            } else if let Some(p) = self.params.get(key) {
                Some(p.clone())
            } else if let Some((res, attr)) = key.split_once('.') {
                self.names
                    .get(res)
                    .filter(|_| attr.ends_with("Name"))
                    .cloned()
            } else {
                self.names.get(key).cloned()
            };
            match value {
                Some(v) => out.push_str(&v),
                None => {
                    out.push_str("${");
                    out.push_str(key);
                    out.push('}');
                }
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }

    fn prop(&self, props: &Value, key: &str) -> Option<String> {
        props
            .get(key)
            .map(|v| self.text(v, 0))
            .filter(|x| !x.is_empty())
    }
}

fn getatt(arg: &Value) -> (&str, &str) {
    match arg {
        Value::Array(a) => (
            a.first().and_then(Value::as_str).unwrap_or(""),
            a.get(1).and_then(Value::as_str).unwrap_or(""),
        ),
        Value::String(s) => s.split_once('.').unwrap_or((s, "")),
        _ => ("", ""),
    }
}

fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// The logical id a `Ref`/`GetAtt` points at.
fn ref_target(v: &Value) -> Option<&str> {
    if let Some(r) = v.get("Ref").and_then(Value::as_str) {
        return Some(r);
    }
    v.get("Fn::GetAtt").map(|a| getatt(a).0)
}

const NAME_KEYS: [(&str, &str); 8] = [
    ("AWS::SageMaker::Model", "ModelName"),
    ("AWS::SageMaker::EndpointConfig", "EndpointConfigName"),
    ("AWS::SageMaker::Endpoint", "EndpointName"),
    (
        "AWS::SageMaker::InferenceComponent",
        "InferenceComponentName",
    ),
    ("AWS::Bedrock::Agent", "AgentName"),
    ("AWS::Bedrock::KnowledgeBase", "Name"),
    ("AWS::Bedrock::DataSource", "Name"),
    ("AWS::SageMaker::ModelPackageGroup", "ModelPackageGroupName"),
];

pub fn extract(doc: &Value, em: &mut Emitter) {
    let Some(tpl) = template(doc) else {
        return;
    };
    let tpl: &Value = &tpl;
    let mut r = Resolver {
        params: BTreeMap::new(),
        mappings: tpl.get("Mappings").unwrap_or(&Value::Null),
        names: BTreeMap::new(),
    };
    if let Some(ps) = tpl.get("Parameters").and_then(Value::as_object) {
        for (k, p) in ps {
            if let Some(d) = p.get("Default").filter(|d| !d.is_object() && !d.is_array()) {
                r.params.insert(k.clone(), r.text(d, 0));
            }
        }
    }
    let Some(resources) = tpl.get("Resources").and_then(Value::as_object) else {
        return;
    };
    // Pass 1: names, so references between resources resolve in any order.
    for (id, res) in resources {
        let typ = s(res, "Type").unwrap_or("");
        if let Some((_, key)) = NAME_KEYS.iter().find(|(t, _)| *t == typ) {
            let props = res.get("Properties").unwrap_or(&Value::Null);
            let name = r.prop(props, key).unwrap_or_else(|| id.clone());
            r.names.insert(id.clone(), name);
        }
    }
    for (id, res) in resources {
        let typ = s(res, "Type").unwrap_or("");
        let props = res.get("Properties").unwrap_or(&Value::Null);
        let Some(name) = r.names.get(id).cloned() else {
            continue;
        };
        let needle = format!("{id}:");
        let needle = if em.line_of(&needle).is_some() {
            needle
        } else {
            format!("\"{id}\"")
        };
        let before = em.out.findings.len();
        resource(em, &r, typ, &name, props, &needle);
        for f in em.out.findings.iter_mut().skip(before) {
            if f.evidence
                .snippet
                .as_deref()
                .is_some_and(|sn| sn.contains(id.as_str()))
            {
                f.properties
                    .entry("logical-id".into())
                    .or_insert_with(|| id.as_str().into());
            }
        }
    }
}

/// The name a model reference resolves to (another resource's name or a literal).
fn linked_name(r: &Resolver, v: Option<&Value>) -> Option<String> {
    let v = v?;
    if let Some(t) = ref_target(v) {
        if let Some(n) = r.names.get(t) {
            return Some(n.clone());
        }
    }
    Some(r.text(v, 0)).filter(|x| !x.is_empty())
}

fn resource(em: &mut Emitter, r: &Resolver, typ: &str, name: &str, props: &Value, needle: &str) {
    match typ {
        "AWS::SageMaker::Model" => {
            let pc = props
                .get("PrimaryContainer")
                .or_else(|| arr(props, "Containers").first())
                .unwrap_or(&Value::Null);
            let image = r.prop(pc, "Image");
            let data = r.prop(pc, "ModelDataUrl").or_else(|| {
                pc.get("ModelDataSource")
                    .and_then(|m| m.get("S3DataSource"))
                    .and_then(|s3| r.prop(s3, "S3Uri"))
            });
            let env = pc.get("Environment").unwrap_or(&Value::Null);
            let env_id = r
                .prop(env, "HF_MODEL_ID")
                .or_else(|| r.prop(env, "MODEL_ID"));
            emit_model(
                em,
                &SmModel {
                    name,
                    arn: None,
                    image: image.as_deref(),
                    model_data: data.as_deref(),
                    env_model_id: env_id.as_deref(),
                    model_package: None,
                    needle,
                },
                None,
            );
        }
        "AWS::SageMaker::EndpointConfig" => {
            let pvs: Vec<&Value> = arr(props, "ProductionVariants")
                .iter()
                .chain(arr(props, "ShadowProductionVariants"))
                .collect();
            let owned: Vec<(String, Option<String>, Option<String>)> = pvs
                .iter()
                .map(|pv| {
                    let instance = r
                        .prop(pv, "InstanceType")
                        .or_else(|| pv.get("ServerlessConfig").map(|_| "serverless".into()));
                    (
                        r.prop(pv, "VariantName")
                            .unwrap_or_else(|| "variant".into()),
                        linked_name(r, pv.get("ModelName")),
                        instance,
                    )
                })
                .collect();
            let variants: Vec<Variant> = owned
                .iter()
                .map(|(v, m, i)| (v.as_str(), m.as_deref(), i.clone()))
                .collect();
            emit_endpoint_config(em, name, None, None, &variants, needle);
        }
        "AWS::SageMaker::Endpoint" => {
            let cfg = linked_name(r, props.get("EndpointConfigName"));
            emit_endpoint(em, name, None, None, cfg.as_deref(), None, needle);
        }
        "AWS::SageMaker::InferenceComponent" => {
            let mut f = em
                .finding(
                    ComponentKind::Service,
                    name,
                    &sm_identity(None, "inference-component", name),
                    super::aws_sagemaker::PROVIDER,
                    needle,
                )
                .prop("resource-type", "inference-component");
            let spec = props.get("Specification").unwrap_or(&Value::Null);
            if let Some(m) = linked_name(r, spec.get("ModelName")) {
                f.depends_on
                    .push(format!("model:{}", sm_identity(None, "model", &m)));
            }
            if let Some(image) = spec.get("Container").and_then(|c| r.prop(c, "Image")) {
                let cid = em.container(&image, Some(super::aws_sagemaker::PROVIDER));
                f.depends_on.push(cid);
            }
            if let Some(ep) = linked_name(r, props.get("EndpointName")) {
                f = f.prop("endpoint", ep);
            }
            em.push(f);
        }
        "AWS::Bedrock::Agent" => {
            let mut f = em
                .finding(
                    ComponentKind::Service,
                    name,
                    &format!("amazon-bedrock/agent-name/{name}"),
                    "amazon-bedrock",
                    needle,
                )
                .prop("resource-type", "agent");
            if let Some(m) = r.prop(props, "FoundationModel") {
                f = f.prop("model-id", super::common::bedrock_model_id(&m));
                let mid = foundation_model(em, &m);
                f.depends_on.push(mid);
            }
            for kb in arr(props, "KnowledgeBases") {
                if let Some(n) = linked_name(r, kb.get("KnowledgeBaseId")) {
                    f.depends_on
                        .push(format!("dataset:amazon-bedrock/knowledge-base-name/{n}"));
                }
            }
            if props.get("GuardrailConfiguration").is_none() {
                no_guardrail_risk(em, &f);
            }
            em.push(f);
        }
        "AWS::Bedrock::KnowledgeBase" => {
            let mut f = em
                .finding(
                    ComponentKind::Dataset,
                    name,
                    &format!("amazon-bedrock/knowledge-base-name/{name}"),
                    "amazon-bedrock",
                    needle,
                )
                .prop("resource-type", "knowledge-base");
            let cfg = props
                .get("KnowledgeBaseConfiguration")
                .unwrap_or(&Value::Null);
            if let Some(t) = r.prop(cfg, "Type") {
                f = f.prop("knowledge-base-type", t);
            }
            if let Some(m) = cfg
                .get("VectorKnowledgeBaseConfiguration")
                .and_then(|v| r.prop(v, "EmbeddingModelArn"))
            {
                f = f.prop("embedding-model", super::common::bedrock_model_id(&m));
                let mid = foundation_model(em, &m);
                f.depends_on.push(mid);
            }
            em.push(f);
        }
        "AWS::Bedrock::DataSource" => {
            let bucket = props
                .get("DataSourceConfiguration")
                .and_then(|d| d.get("S3Configuration"))
                .and_then(|s3| r.prop(s3, "BucketArn"));
            let kb = linked_name(r, props.get("KnowledgeBaseId"));
            let mut f = em
                .finding(
                    ComponentKind::Dataset,
                    bucket.as_deref().unwrap_or(name),
                    bucket.as_deref().unwrap_or(name),
                    "aws-s3",
                    needle,
                )
                .prop("resource-type", "knowledge-base-data-source");
            if let Some(k) = kb {
                f = f.prop("used-by", k);
            }
            em.push(f);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_tags_resolve_and_link() {
        let text = "Parameters:\n  Env: {Type: String, Default: dev}\nResources:\n  M:\n    Type: AWS::SageMaker::Model\n    Properties:\n      ModelName: !Sub 'm-${Env}-${AWS::Region}'\n      PrimaryContainer: {Image: !Sub '${AWS::AccountId}.dkr.ecr/x:1'}\n  C:\n    Type: AWS::SageMaker::EndpointConfig\n    Properties:\n      ProductionVariants:\n        - {VariantName: A, ModelName: !GetAtt M.ModelName, InstanceType: ml.m5.large}\n  E:\n    Type: AWS::SageMaker::Endpoint\n    Properties:\n      EndpointConfigName: !GetAtt C.EndpointConfigName\n";
        let doc = parse_text(text).unwrap();
        assert!(recognise(&doc));
        let mut em = Emitter::new("t.yaml", text, "cloudformation");
        extract(&doc, &mut em);
        let model = em
            .out
            .findings
            .iter()
            .find(|f| f.kind == ComponentKind::Model)
            .unwrap();
        assert_eq!(model.name, "m-dev-${AWS::Region}");
        let cfg = em.out.findings.iter().find(|f| f.name == "C").unwrap();
        assert_eq!(
            cfg.depends_on,
            vec![format!("model:aws-sagemaker/model/m-dev-${{aws::region}}")]
        );
        let ep = em.out.findings.iter().find(|f| f.name == "E").unwrap();
        assert_eq!(
            ep.depends_on,
            vec!["service:aws-sagemaker/endpoint-config/c"]
        );
        assert_eq!(ep.evidence.line, Some(14));
    }

    #[test]
    fn get_template_wrapper_with_yaml_string() {
        let doc = serde_json::json!({"TemplateBody": "Resources:\n  A:\n    Type: AWS::Bedrock::Agent\n    Properties: {AgentName: a, FoundationModel: anthropic.claude-v2}\n"});
        assert!(recognise(&doc));
        let mut em = Emitter::new("t.json", "", "cloudformation");
        extract(&doc, &mut em);
        assert!(em.out.findings.iter().any(|f| f.name == "a"));
        assert_eq!(em.out.risks.len(), 1);
    }
}
