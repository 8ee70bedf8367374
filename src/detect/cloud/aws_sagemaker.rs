//! Amazon SageMaker exports from the AWS CLI (`aws sagemaker list-*/describe-* --output json|yaml`).
//!
//! # What it detects
//! - `list-models` / `describe-model` → `model` (ARN identity; image, model data URL, Hugging
//!   Face model id from `Environment`, JumpStart id hint from the S3 path, serving stack).
//! - `list-endpoints` / `describe-endpoint` → `service` (endpoint), linked to its endpoint config.
//! - `list-endpoint-configs` / `describe-endpoint-config` → `service` (endpoint config), linked to
//!   the model of every production and shadow variant.
//! - `list-training-jobs` / `describe-training-job` → `model` (`resource-type=training-job`) and a
//!   `dataset` per S3 input channel.
//! - `list-model-packages` / `describe-model-package` → `model` (registry version).
//! - `list-inference-components` / `describe-inference-component` → `service`.
//! - Container images → `container`.
//!
//! # Files claimed
//! `--cloud` JSON/YAML whose keys match one of the shapes above (see `recognise`).
//!
//! # Evidence and confidence
//! `cloud-export`, method `cloud-export`, confidence high; the line of the resource's name.
//!
//! # Not handled
//! Notebook instances, domains, pipelines. `list-*` summaries carry no details; combine them
//! with `describe-*` outputs (they merge by ARN).
//!
//! # References
//! botocore `sagemaker/2017-07-24/service-2.json` output shapes.

use super::common::{
    account_in_bucket, arn_account, arn_region, arr, at_str, s, s3_bucket, scalar, Emitter,
};
use crate::bom::ComponentKind;
use serde_json::Value;

pub const PROVIDER: &str = "aws-sagemaker";

/// True when the document is one of the SageMaker CLI shapes.
pub fn recognise(doc: &Value) -> bool {
    let Some(o) = doc.as_object() else {
        return false;
    };
    const LISTS: [&str; 7] = [
        "Models",
        "Endpoints",
        "EndpointConfigs",
        "TrainingJobSummaries",
        "ModelPackageSummaryList",
        "ModelPackageGroupSummaryList",
        "InferenceComponents",
    ];
    LISTS.iter().any(|k| o.get(*k).is_some_and(Value::is_array))
        || o.contains_key("ModelArn") && o.contains_key("ModelName")
        || o.contains_key("EndpointArn")
        || o.contains_key("EndpointConfigArn")
        || o.contains_key("TrainingJobArn")
        || o.contains_key("ModelPackageArn")
        || o.contains_key("InferenceComponentArn")
}

/// `arn:aws:sagemaker:REGION:ACCOUNT:` taken from any SageMaker ARN.
pub fn arn_prefix(arn: &str) -> Option<String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() == 6 && parts[2] == "sagemaker" {
        Some(format!(
            "{}:{}:{}:{}:{}:",
            parts[0], parts[1], parts[2], parts[3], parts[4]
        ))
    } else {
        None
    }
}

/// The id of a SageMaker resource: its ARN when known (SageMaker lowercases names in ARNs),
/// else `aws-sagemaker/<type>/<name>`.
pub fn sm_identity(prefix: Option<&str>, typ: &str, name: &str) -> String {
    match prefix {
        Some(p) => format!("{p}{typ}/{}", name.to_ascii_lowercase()),
        None => format!("{PROVIDER}/{typ}/{}", name.to_ascii_lowercase()),
    }
}

/// A SageMaker model as any source describes it.
pub struct SmModel<'a> {
    pub name: &'a str,
    pub arn: Option<&'a str>,
    pub image: Option<&'a str>,
    pub model_data: Option<&'a str>,
    /// `HF_MODEL_ID`/`MODEL_ID` from the container environment.
    pub env_model_id: Option<&'a str>,
    pub model_package: Option<&'a str>,
    /// Where the name is written (for the evidence line).
    pub needle: &'a str,
}

/// Emit a model (and its image); returns the model's component id.
pub fn emit_model(em: &mut Emitter, m: &SmModel, prefix: Option<&str>) -> String {
    let identity = match m.arn {
        Some(a) => a.to_string(),
        None => sm_identity(prefix, "model", m.name),
    };
    let mut f = em
        .finding(ComponentKind::Model, m.name, &identity, PROVIDER, m.needle)
        .prop("resource-type", "model");
    if let Some(r) = m.arn.and_then(arn_region) {
        f = f.prop("region", r);
    }
    if let Some(url) = m.model_data {
        f = f.prop("model-data-url", url);
        if let Some(hint) = jumpstart_id(url) {
            f = f.prop("jumpstart-model-id", hint);
        }
    }
    if let Some(id) = m.env_model_id.filter(|v| !v.starts_with('/')) {
        f = f.prop("model-id", id);
    }
    if let Some(p) = m.model_package {
        f = f.prop("model-package", p);
    }
    if let Some(image) = m.image {
        f = f.prop("image", image);
        if let Some(sv) = super::common::serving_from_image(image) {
            f = f.prop("serving", sv);
        }
        let cid = em.container(image, Some(PROVIDER));
        f.depends_on.push(cid);
    }
    external_data_risk(em, &f, m.arn, m.model_data);
    let id = f.id();
    em.push(f);
    id
}

/// `AIBOM-CLOUD-EXTERNAL-MODEL-DATA`: the artifact bucket names another account than the model's.
fn external_data_risk(
    em: &mut Emitter,
    f: &crate::bom::Finding,
    arn: Option<&str>,
    url: Option<&str>,
) {
    let (Some(account), Some(url)) = (arn.and_then(arn_account), url) else {
        return;
    };
    let Some(other) = s3_bucket(url).and_then(account_in_bucket) else {
        return;
    };
    if other != account {
        em.risk(
            "AIBOM-CLOUD-EXTERNAL-MODEL-DATA",
            f,
            format!(
                "model {} loads its artifact from {url}, a bucket of account {other}, not of the model's account {account}",
                f.name
            ),
            url,
        );
    }
}

/// The JumpStart model id inside a JumpStart cache path, e.g.
/// `s3://jumpstart-…/meta-textgeneration/meta-textgeneration-llama-3-8b-instruct/artifacts/…`.
fn jumpstart_id(url: &str) -> Option<&str> {
    if !url.contains("jumpstart") {
        return None;
    }
    let mut segs = url.trim_start_matches("s3://").split('/').skip(1);
    let family = segs.next()?;
    let id = segs.next()?;
    (id.starts_with(family) && id.len() > family.len()).then_some(id)
}

/// A production or shadow variant: (variant name, model name, instance type or "serverless").
pub type Variant<'a> = (&'a str, Option<&'a str>, Option<String>);

/// Emit an endpoint config; returns its id.
pub fn emit_endpoint_config(
    em: &mut Emitter,
    name: &str,
    arn: Option<&str>,
    prefix: Option<&str>,
    variants: &[Variant],
    needle: &str,
) -> String {
    let identity = arn.map_or_else(
        || sm_identity(prefix, "endpoint-config", name),
        str::to_string,
    );
    let mut f = em
        .finding(ComponentKind::Service, name, &identity, PROVIDER, needle)
        .prop("resource-type", "endpoint-config");
    let mut names = Vec::new();
    let mut instances = Vec::new();
    for (variant, model, instance) in variants {
        names.push(Value::from(*variant));
        if let Some(i) = instance {
            instances.push(Value::from(i.as_str()));
        }
        if let Some(m) = model {
            f.depends_on
                .push(format!("model:{}", sm_identity(prefix, "model", m)));
        }
    }
    if !names.is_empty() {
        f = f.prop("variants", names);
    }
    instances.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    instances.dedup();
    if !instances.is_empty() {
        f = f.prop("instance-types", instances);
    }
    let id = f.id();
    em.push(f);
    id
}

/// Emit an endpoint; returns its id.
pub fn emit_endpoint(
    em: &mut Emitter,
    name: &str,
    arn: Option<&str>,
    prefix: Option<&str>,
    config: Option<&str>,
    status: Option<&str>,
    needle: &str,
) -> String {
    let identity = arn.map_or_else(|| sm_identity(prefix, "endpoint", name), str::to_string);
    let mut f = em
        .finding(ComponentKind::Service, name, &identity, PROVIDER, needle)
        .prop("resource-type", "endpoint");
    if let Some(r) = arn.and_then(arn_region) {
        f = f.prop("region", r);
    }
    if let Some(st) = status {
        f = f.prop("status", st);
    }
    if let Some(c) = config {
        f.depends_on.push(format!(
            "service:{}",
            sm_identity(prefix, "endpoint-config", c)
        ));
    }
    let id = f.id();
    em.push(f);
    id
}

/// Extract every SageMaker asset of the document.
pub fn extract(doc: &Value, em: &mut Emitter) {
    for m in arr(doc, "Models") {
        if let Some(name) = s(m, "ModelName") {
            emit_model(
                em,
                &SmModel {
                    name,
                    arn: s(m, "ModelArn"),
                    image: None,
                    model_data: None,
                    env_model_id: None,
                    model_package: None,
                    needle: name,
                },
                None,
            );
        }
    }
    if doc.get("ModelArn").is_some() {
        describe_model(doc, em);
    }
    for e in arr(doc, "Endpoints") {
        endpoint(e, em);
    }
    if doc.get("EndpointArn").is_some() && doc.get("InferenceComponentArn").is_none() {
        endpoint(doc, em);
    }
    for c in arr(doc, "EndpointConfigs") {
        endpoint_config(c, em);
    }
    if doc.get("EndpointConfigArn").is_some() {
        endpoint_config(doc, em);
    }
    for t in arr(doc, "TrainingJobSummaries") {
        training_job(t, em);
    }
    if doc.get("TrainingJobArn").is_some() {
        training_job(doc, em);
    }
    for p in arr(doc, "ModelPackageSummaryList") {
        model_package(p, em);
    }
    if doc.get("ModelPackageArn").is_some() {
        model_package(doc, em);
    }
    for c in arr(doc, "InferenceComponents") {
        inference_component(c, em);
    }
    if doc.get("InferenceComponentArn").is_some() {
        inference_component(doc, em);
    }
}

fn describe_model(doc: &Value, em: &mut Emitter) {
    let Some(name) = s(doc, "ModelName") else {
        return;
    };
    let arn = s(doc, "ModelArn");
    // An inference pipeline lists its containers instead of a primary one.
    let containers: Vec<&Value> = match doc.get("PrimaryContainer") {
        Some(c) if c.is_object() => vec![c],
        _ => arr(doc, "Containers").iter().collect(),
    };
    let first = containers.first().copied();
    let model_data = first.and_then(|c| {
        s(c, "ModelDataUrl").or_else(|| at_str(c, &["ModelDataSource", "S3DataSource", "S3Uri"]))
    });
    let env_id = first.and_then(|c| {
        at_str(c, &["Environment", "HF_MODEL_ID"])
            .or_else(|| at_str(c, &["Environment", "MODEL_ID"]))
    });
    let id = emit_model(
        em,
        &SmModel {
            name,
            arn,
            image: first.and_then(|c| s(c, "Image")),
            model_data,
            env_model_id: env_id,
            model_package: first.and_then(|c| s(c, "ModelPackageName")),
            needle: name,
        },
        None,
    );
    // Further pipeline containers are images of the same model.
    for c in containers.iter().skip(1) {
        if let Some(image) = s(c, "Image") {
            let cid = em.container(image, Some(PROVIDER));
            if let Some(m) = em.out.findings.iter_mut().rev().find(|f| f.id() == id) {
                m.depends_on.push(cid);
            }
        }
    }
}

fn endpoint(e: &Value, em: &mut Emitter) {
    let Some(name) = s(e, "EndpointName") else {
        return;
    };
    let arn = s(e, "EndpointArn");
    let prefix = arn.and_then(arn_prefix);
    emit_endpoint(
        em,
        name,
        arn,
        prefix.as_deref(),
        s(e, "EndpointConfigName"),
        s(e, "EndpointStatus"),
        name,
    );
    for v in arr(e, "ProductionVariants") {
        for img in arr(v, "DeployedImages") {
            if let Some(i) = s(img, "SpecifiedImage") {
                em.container(i, Some(PROVIDER));
            }
        }
    }
}

fn endpoint_config(c: &Value, em: &mut Emitter) {
    let Some(name) = s(c, "EndpointConfigName") else {
        return;
    };
    let arn = s(c, "EndpointConfigArn");
    let prefix = arn.and_then(arn_prefix);
    let variants: Vec<Variant> = arr(c, "ProductionVariants")
        .iter()
        .chain(arr(c, "ShadowProductionVariants"))
        .filter_map(|v| {
            let instance = s(v, "InstanceType")
                .map(str::to_string)
                .or_else(|| v.get("ServerlessConfig").map(|_| "serverless".to_string()));
            Some((s(v, "VariantName")?, s(v, "ModelName"), instance))
        })
        .collect();
    emit_endpoint_config(em, name, arn, prefix.as_deref(), &variants, name);
}

/// Hyperparameter keys that name the base model of a fine-tune.
const BASE_MODEL_KEYS: [&str; 4] = [
    "model_name_or_path",
    "model_id",
    "pretrained_model_name_or_path",
    "base_model",
];

fn training_job(t: &Value, em: &mut Emitter) {
    let Some(name) = s(t, "TrainingJobName") else {
        return;
    };
    let arn = s(t, "TrainingJobArn");
    let prefix = arn.and_then(arn_prefix);
    let identity = arn.map_or_else(
        || sm_identity(prefix.as_deref(), "training-job", name),
        str::to_string,
    );
    let mut f = em
        .finding(ComponentKind::Model, name, &identity, PROVIDER, name)
        .prop("resource-type", "training-job");
    if let Some(st) = s(t, "TrainingJobStatus") {
        f = f.prop("status", st);
    }
    let artifact = at_str(t, &["ModelArtifacts", "S3ModelArtifacts"]);
    if let Some(a) = artifact {
        f = f.prop("model-data-url", a);
    }
    if let Some(image) = at_str(t, &["AlgorithmSpecification", "TrainingImage"]) {
        f = f.prop("image", image);
        let cid = em.container(image, Some(PROVIDER));
        f.depends_on.push(cid);
    }
    if let Some(alg) = at_str(t, &["AlgorithmSpecification", "AlgorithmName"]) {
        f = f.prop("algorithm", alg);
    }
    if let Some(hp) = t.get("HyperParameters") {
        // The SageMaker Python SDK JSON-encodes hyperparameter strings ("\"org/model\"").
        if let Some(base) = BASE_MODEL_KEYS
            .iter()
            .find_map(|k| s(hp, k))
            .map(|v| v.trim_matches('"'))
        {
            f = f.prop("base-model", base);
        }
    }
    for ch in arr(t, "InputDataConfig") {
        let channel = s(ch, "ChannelName");
        let uri = at_str(ch, &["DataSource", "S3DataSource", "S3Uri"])
            .map(str::to_string)
            .or_else(|| {
                let fs = at(ch, &["DataSource", "FileSystemDataSource"])?;
                Some(format!(
                    "{}://{}{}",
                    s(fs, "FileSystemType").unwrap_or("fs").to_ascii_lowercase(),
                    s(fs, "FileSystemId")?,
                    s(fs, "DirectoryPath").unwrap_or("")
                ))
            });
        if let Some(uri) = uri {
            let did = em.dataset_uri(&uri, name, channel);
            f.depends_on.push(did);
        }
    }
    external_data_risk(em, &f, arn, artifact);
    em.push(f);
}

use super::common::at;

fn model_package(p: &Value, em: &mut Emitter) {
    let Some(arn) = s(p, "ModelPackageArn") else {
        return;
    };
    let group = s(p, "ModelPackageGroupName").or_else(|| s(p, "ModelPackageName"));
    let name = group.unwrap_or(arn);
    let mut f = em
        .finding(ComponentKind::Model, name, arn, PROVIDER, arn)
        .prop("resource-type", "model-package")
        .with_version(scalar(p, "ModelPackageVersion"));
    if let Some(a) = s(p, "ModelApprovalStatus") {
        f = f.prop("approval", a);
    }
    if let Some(st) = s(p, "ModelPackageStatus") {
        f = f.prop("status", st);
    }
    for c in arr(at_or_null(p, "InferenceSpecification"), "Containers") {
        if let Some(image) = s(c, "Image") {
            let cid = em.container(image, Some(PROVIDER));
            f.depends_on.push(cid);
        }
        if let Some(url) = s(c, "ModelDataUrl") {
            f = f.prop("model-data-url", url);
        }
    }
    em.push(f);
}

fn at_or_null<'a>(v: &'a Value, key: &str) -> &'a Value {
    v.get(key).unwrap_or(&Value::Null)
}

fn inference_component(c: &Value, em: &mut Emitter) {
    let Some(name) = s(c, "InferenceComponentName") else {
        return;
    };
    let arn = s(c, "InferenceComponentArn");
    let prefix = arn.and_then(arn_prefix);
    let identity = arn.map_or_else(
        || sm_identity(prefix.as_deref(), "inference-component", name),
        str::to_string,
    );
    let mut f = em
        .finding(ComponentKind::Service, name, &identity, PROVIDER, name)
        .prop("resource-type", "inference-component");
    if let Some(st) = s(c, "InferenceComponentStatus") {
        f = f.prop("status", st);
    }
    if let Some(ep) = s(c, "EndpointName") {
        f = f.prop("endpoint", ep);
    }
    let spec = at_or_null(c, "Specification");
    if let Some(m) = s(spec, "ModelName") {
        f.depends_on.push(format!(
            "model:{}",
            sm_identity(prefix.as_deref(), "model", m)
        ));
    }
    if let Some(image) = at_str(spec, &["Container", "DeployedImage", "SpecifiedImage"])
        .or_else(|| at_str(spec, &["Container", "Image"]))
    {
        let cid = em.container(image, Some(PROVIDER));
        f.depends_on.push(cid);
    }
    em.push(f);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> crate::detect::DetectOutcome {
        let doc = super::super::common::parse_text(text).unwrap();
        assert!(recognise(&doc));
        let mut em = Emitter::new("x.json", text, "cloud-export");
        extract(&doc, &mut em);
        em.out
    }

    #[test]
    fn endpoint_config_links_variant_models() {
        let out = run(
            r#"{"EndpointConfigName": "cfg", "EndpointConfigArn": "arn:aws:sagemaker:us-east-1:111122223333:endpoint-config/cfg",
            "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": "My-Model", "InstanceType": "ml.g5.2xlarge"}],
            "ShadowProductionVariants": [{"VariantName": "shadow", "ModelName": "m2", "ServerlessConfig": {"MemorySizeInMB": 2048}}]}"#,
        );
        let f = &out.findings[0];
        assert_eq!(
            f.depends_on,
            vec![
                "model:arn:aws:sagemaker:us-east-1:111122223333:model/my-model",
                "model:arn:aws:sagemaker:us-east-1:111122223333:model/m2"
            ]
        );
    }

    #[test]
    fn external_bucket_is_a_risk_and_local_model_path_is_not_an_id() {
        let out = run(
            r#"{"ModelName": "m", "ModelArn": "arn:aws:sagemaker:us-east-1:111122223333:model/m",
            "PrimaryContainer": {"Image": "img:1", "ModelDataUrl": "s3://vendor-444455556666/m.tar.gz",
            "Environment": {"HF_MODEL_ID": "/opt/ml/model"}}}"#,
        );
        let m = out
            .findings
            .iter()
            .find(|f| f.kind == ComponentKind::Model)
            .unwrap();
        assert!(!m.properties.contains_key("model-id"));
        assert_eq!(out.risks.len(), 1);
        assert_eq!(out.risks[0].rule, "AIBOM-CLOUD-EXTERNAL-MODEL-DATA");
    }

    #[test]
    fn jumpstart_hint() {
        assert_eq!(
            jumpstart_id("s3://jumpstart-private-cache-prod-us-east-1/meta-textgeneration/meta-textgeneration-llama-3-8b-instruct/artifacts/x/"),
            Some("meta-textgeneration-llama-3-8b-instruct")
        );
        assert_eq!(jumpstart_id("s3://bucket/a/b"), None);
    }
}
