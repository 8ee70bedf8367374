//! Amazon Bedrock and Bedrock Agents exports from the AWS CLI (`aws bedrock …`, `aws bedrock-agent …`).
//!
//! # What it detects
//! - `list-custom-models` / `get-custom-model` / `list-imported-models` → `model`
//!   (`resource-type=custom-model|imported-model`), depending on its base model
//!   `amazon-bedrock/<base-model-id>`; `get-custom-model` adds training/validation `dataset`s.
//! - `list-model-customization-jobs` → the `model` each job produces (merged by ARN with the
//!   custom model once the job has completed).
//! - `list-provisioned-model-throughputs` → `service` (`resource-type=provisioned-throughput`).
//! - `get-model-invocation-logging-configuration` → `AIBOM-CLOUD-NO-INVOCATION-LOGGING` when no
//!   destination is configured (an empty `{}` reply only with `--cloud-format aws-bedrock`).
//! - `list-agents` / `get-agent` → `service` (agent) depending on its foundation model;
//!   `get-agent` without a guardrail → `AIBOM-CLOUD-NO-CONTENT-FILTER`.
//! - `list-knowledge-bases` / `get-knowledge-base` → `dataset`, depending on its embedding model.
//!
//! # Files claimed
//! `--cloud` JSON/YAML with the top-level keys of those commands (see `recognise`).
//!
//! # Evidence and confidence
//! `cloud-export`, method `cloud-export`, confidence high.
//!
//! # Not handled
//! `list-foundation-models` is the region's catalogue, not the account's inventory: it is
//! recognised and reports nothing. Guardrails, flows, prompts and inference profiles are not
//! reported.
//!
//! # References
//! botocore `bedrock/2023-04-20` and `bedrock-agent/2023-06-05` service models.

use super::common::{arn_region, arr, at_str, bedrock_model_id, s, scalar, Emitter};
use crate::bom::{ComponentKind, Finding};
use serde_json::Value;

pub const PROVIDER: &str = "amazon-bedrock";

pub fn recognise(doc: &Value) -> bool {
    let Some(o) = doc.as_object() else {
        return false;
    };
    [
        "modelSummaries",
        "provisionedModelSummaries",
        "modelCustomizationJobSummaries",
        "agentSummaries",
        "knowledgeBaseSummaries",
    ]
    .iter()
    .any(|k| o.get(*k).is_some_and(Value::is_array))
        || o.contains_key("loggingConfig")
        || o.get("agent").is_some_and(|a| a.get("agentId").is_some())
        || o.get("knowledgeBase")
            .is_some_and(|a| a.get("knowledgeBaseId").is_some())
        || o.contains_key("modelArn") && o.contains_key("baseModelArn")
}

/// The id of a Bedrock foundation model component (`model:amazon-bedrock/<id>`), emitting it.
pub fn foundation_model(em: &mut Emitter, reference: &str) -> String {
    let id = bedrock_model_id(reference);
    let mut f = em
        .finding(
            ComponentKind::Model,
            &id,
            &format!("{PROVIDER}/{id}"),
            PROVIDER,
            reference,
        )
        .prop("resource-type", "foundation-model");
    if id != reference && !reference.starts_with("arn:") {
        f = f.prop("inference-profile", reference);
    }
    let fid = f.id();
    em.push(f);
    fid
}

/// The component id a model reference (custom-model ARN or foundation model) points at.
fn model_ref(em: &mut Emitter, reference: &str) -> String {
    if reference.contains(":custom-model/") || reference.contains(":imported-model/") {
        format!("model:{reference}")
    } else {
        foundation_model(em, reference)
    }
}

pub fn extract(doc: &Value, em: &mut Emitter) {
    for m in arr(doc, "modelSummaries") {
        let Some(arn) = s(m, "modelArn") else {
            continue;
        };
        // The foundation-model catalogue is not something the account deployed.
        if arn.contains(":foundation-model/") {
            continue;
        }
        custom_model(m, em);
    }
    if doc.get("baseModelArn").is_some() && doc.get("modelArn").is_some() {
        custom_model(doc, em);
    }
    for j in arr(doc, "modelCustomizationJobSummaries") {
        customization_job(j, em);
    }
    for p in arr(doc, "provisionedModelSummaries") {
        provisioned(p, em);
    }
    if let Some(cfg) = doc.get("loggingConfig") {
        logging(cfg, em);
    }
    for a in arr(doc, "agentSummaries") {
        agent(a, em, false);
    }
    if let Some(a) = doc.get("agent") {
        agent(a, em, true);
    }
    for k in arr(doc, "knowledgeBaseSummaries") {
        knowledge_base(k, em);
    }
    if let Some(k) = doc.get("knowledgeBase") {
        knowledge_base(k, em);
    }
}

/// With `--cloud-format aws-bedrock`, an empty reply of
/// `get-model-invocation-logging-configuration` means logging is off.
pub fn extract_forced(doc: &Value, em: &mut Emitter) {
    if doc.as_object().is_some_and(|o| o.is_empty()) {
        logging(&Value::Null, em);
        return;
    }
    extract(doc, em);
}

fn custom_model(m: &Value, em: &mut Emitter) {
    let (Some(arn), Some(name)) = (s(m, "modelArn"), s(m, "modelName")) else {
        return;
    };
    let kind = if arn.contains(":imported-model/") {
        "imported-model"
    } else {
        "custom-model"
    };
    let mut f = em
        .finding(ComponentKind::Model, name, arn, PROVIDER, arn)
        .prop("resource-type", kind);
    if let Some(r) = arn_region(arn) {
        f = f.prop("region", r);
    }
    if let Some(c) = s(m, "customizationType") {
        f = f.prop("customization-type", c);
    }
    if let Some(st) = s(m, "modelStatus") {
        f = f.prop("model-status", st);
    }
    if let Some(base) = s(m, "baseModelArn") {
        f = f.prop("base-model", bedrock_model_id(base));
        let bid = model_ref(em, base);
        f.depends_on.push(bid);
    }
    if let Some(teacher) = at_str(
        m,
        &[
            "customizationConfig",
            "distillationConfig",
            "teacherModelConfig",
            "teacherModelIdentifier",
        ],
    ) {
        let tid = model_ref(em, teacher);
        f.depends_on.push(tid);
    }
    if let Some(uri) = at_str(m, &["trainingDataConfig", "s3Uri"]) {
        let d = em.dataset_uri(uri, name, Some("training"));
        f.depends_on.push(d);
    }
    for v in arr(
        m.get("validationDataConfig").unwrap_or(&Value::Null),
        "validators",
    ) {
        if let Some(uri) = s(v, "s3Uri") {
            let d = em.dataset_uri(uri, name, Some("validation"));
            f.depends_on.push(d);
        }
    }
    if let Some(out) = at_str(m, &["outputDataConfig", "s3Uri"]) {
        f = f.prop("output-uri", out);
    }
    em.push(f);
}

fn customization_job(j: &Value, em: &mut Emitter) {
    let Some(job_arn) = s(j, "jobArn") else {
        return;
    };
    let name = s(j, "customModelName")
        .or_else(|| s(j, "jobName"))
        .unwrap_or(job_arn);
    // Until the job completes there is no custom model ARN: the job stands for it.
    let identity = s(j, "customModelArn").unwrap_or(job_arn);
    let mut f = em
        .finding(ComponentKind::Model, name, identity, PROVIDER, job_arn)
        .prop("resource-type", "custom-model")
        .prop("job-arn", job_arn);
    if let Some(n) = s(j, "jobName") {
        f = f.prop("job-name", n);
    }
    if let Some(st) = s(j, "status") {
        f = f.prop("job-status", st);
    }
    if let Some(c) = s(j, "customizationType") {
        f = f.prop("customization-type", c);
    }
    if let Some(base) = s(j, "baseModelArn") {
        f = f.prop("base-model", bedrock_model_id(base));
        let bid = model_ref(em, base);
        f.depends_on.push(bid);
    }
    em.push(f);
}

fn provisioned(p: &Value, em: &mut Emitter) {
    let (Some(arn), Some(name)) = (s(p, "provisionedModelArn"), s(p, "provisionedModelName"))
    else {
        return;
    };
    let mut f = em
        .finding(ComponentKind::Service, name, arn, PROVIDER, arn)
        .prop("resource-type", "provisioned-throughput");
    if let Some(r) = arn_region(arn) {
        f = f.prop("region", r);
    }
    if let Some(u) = scalar(p, "modelUnits") {
        f = f.prop("model-units", u);
    }
    if let Some(c) = s(p, "commitmentDuration") {
        f = f.prop("commitment", c);
    }
    if let Some(st) = s(p, "status") {
        f = f.prop("status", st);
    }
    if let Some(m) = s(p, "modelArn") {
        let mid = model_ref(em, m);
        f.depends_on.push(mid);
    }
    em.push(f);
}

fn logging(cfg: &Value, em: &mut Emitter) {
    let cw = cfg.get("cloudWatchConfig").is_some_and(|c| !c.is_null());
    let s3 = cfg.get("s3Config").is_some_and(|c| !c.is_null());
    if cw || s3 {
        return;
    }
    let line = em.line_of("loggingConfig");
    em.out.risks.push(crate::risk::risk(
        "AIBOM-CLOUD-NO-INVOCATION-LOGGING",
        None,
        "Bedrock model invocation logging has no CloudWatch or S3 destination: prompts and completions are not recorded",
        em.rel_path,
        line,
    ));
}

/// The identity of an agent: its id is what every source (CLI, Terraform state) shares.
pub fn agent_identity(agent_id: &str) -> String {
    format!("{PROVIDER}/agent/{agent_id}")
}

fn agent(a: &Value, em: &mut Emitter, full: bool) {
    let (Some(id), Some(name)) = (s(a, "agentId"), s(a, "agentName")) else {
        return;
    };
    let mut f = em
        .finding(
            ComponentKind::Service,
            name,
            &agent_identity(id),
            PROVIDER,
            name,
        )
        .prop("resource-type", "agent")
        .prop("agent-id", id);
    if let Some(arn) = s(a, "agentArn") {
        f = f.prop("arn", arn);
        if let Some(r) = arn_region(arn) {
            f = f.prop("region", r);
        }
    }
    if let Some(st) = s(a, "agentStatus") {
        f = f.prop("status", st);
    }
    if let Some(m) = s(a, "foundationModel") {
        f = f.prop("model-id", bedrock_model_id(m));
        let mid = model_ref(em, m);
        f.depends_on.push(mid);
    }
    for pc in arr(
        a.get("promptOverrideConfiguration").unwrap_or(&Value::Null),
        "promptConfigurations",
    ) {
        if let Some(m) = s(pc, "foundationModel") {
            let mid = model_ref(em, m);
            f.depends_on.push(mid);
        }
    }
    let guarded = a
        .get("guardrailConfiguration")
        .is_some_and(|g| !g.is_null())
        || s(a, "guardrailIdentifier").is_some();
    if full && !guarded {
        no_guardrail_risk(em, &f);
    }
    em.push(f);
}

/// `AIBOM-CLOUD-NO-CONTENT-FILTER` for an agent with no guardrail.
pub fn no_guardrail_risk(em: &mut Emitter, f: &Finding) {
    em.risk(
        "AIBOM-CLOUD-NO-CONTENT-FILTER",
        f,
        format!("Bedrock agent {} has no guardrail configured", f.name),
        "",
    );
}

/// The identity of a knowledge base.
pub fn kb_identity(kb_id: &str) -> String {
    format!("{PROVIDER}/knowledge-base/{kb_id}")
}

fn knowledge_base(k: &Value, em: &mut Emitter) {
    let (Some(id), Some(name)) = (s(k, "knowledgeBaseId"), s(k, "name")) else {
        return;
    };
    let mut f = em
        .finding(
            ComponentKind::Dataset,
            name,
            &kb_identity(id),
            PROVIDER,
            name,
        )
        .prop("resource-type", "knowledge-base");
    if let Some(arn) = s(k, "knowledgeBaseArn") {
        f = f.prop("arn", arn);
    }
    if let Some(t) = at_str(k, &["knowledgeBaseConfiguration", "type"]) {
        f = f.prop("knowledge-base-type", t);
    }
    if let Some(t) = at_str(k, &["storageConfiguration", "type"]) {
        f = f.prop("storage-type", t);
    }
    if let Some(m) = at_str(
        k,
        &[
            "knowledgeBaseConfiguration",
            "vectorKnowledgeBaseConfiguration",
            "embeddingModelArn",
        ],
    ) {
        f = f.prop("embedding-model", bedrock_model_id(m));
        let mid = model_ref(em, m);
        f.depends_on.push(mid);
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
    fn foundation_catalogue_reports_nothing() {
        let out = run(
            r#"{"modelSummaries": [{"modelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0", "modelId": "amazon.titan-embed-text-v2:0"}]}"#,
        );
        assert!(out.findings.is_empty());
    }

    #[test]
    fn logging_without_destination_is_a_risk() {
        let out = run(r#"{"loggingConfig": {"textDataDeliveryEnabled": true}}"#);
        assert_eq!(out.risks[0].rule, "AIBOM-CLOUD-NO-INVOCATION-LOGGING");
        let ok = run(r#"{"loggingConfig": {"s3Config": {"bucketName": "logs"}}}"#);
        assert!(ok.risks.is_empty());
    }

    #[test]
    fn agent_without_guardrail_and_profile_model() {
        let out = run(
            r#"{"agent": {"agentId": "A1", "agentName": "bot", "foundationModel": "us.anthropic.claude-3-5-sonnet-20241022-v2:0"}}"#,
        );
        let agent = out
            .findings
            .iter()
            .find(|f| f.kind == ComponentKind::Service)
            .unwrap();
        assert_eq!(
            agent.depends_on,
            vec!["model:amazon-bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0"]
        );
        assert_eq!(out.risks[0].rule, "AIBOM-CLOUD-NO-CONTENT-FILTER");
    }
}
