//! Google Cloud exports from `gcloud … --format=json`: Vertex AI models, endpoints, custom jobs,
//! and `gcloud services list` (which AI APIs are enabled).
//!
//! # What it detects
//! - `gcloud ai models list|list-version|describe` → `model` (identity = resource name +
//!   `@versionId`), with artifact URI, serving image (`container`), Model Garden base model and
//!   the Hugging Face id from `MODEL_ID` / `--model=`.
//! - `gcloud ai endpoints list|describe` → `service` (endpoint) and one `service` per deployed
//!   model, linked endpoint → deployed model → model version.
//! - `gcloud ai custom-jobs list|describe` → `model` (`resource-type=custom-job`) with image,
//!   base model and `dataset`s from `gs://` input flags in the args (best effort).
//! - `gcloud services list` → `service` for each enabled AI API (Vertex AI, Gemini API, …).
//!
//! # Files claimed
//! `--cloud` JSON whose items have `projects/…/locations/…/{models,endpoints,customJobs}/…` or
//! `projects/…/services/…` names.
//!
//! # Evidence and confidence
//! `cloud-export`, method `cloud-export`, confidence high (custom-job datasets: medium).
//!
//! # Not handled
//! Training pipelines, batch prediction jobs, feature stores, indexes.
//!
//! # References
//! Vertex AI v1 REST resources (Model, Endpoint, CustomJob); Service Usage API.

use super::common::{arr, at_str, s, serving_from_image, Emitter};
use crate::bom::{ComponentKind, Confidence};
use serde_json::Value;

pub const PROVIDER: &str = "google-vertex-ai";

fn items(doc: &Value) -> Vec<&Value> {
    match doc {
        Value::Array(a) => a.iter().collect(),
        o @ Value::Object(_) => vec![o],
        _ => Vec::new(),
    }
}

fn resource_type(name: &str) -> Option<&'static str> {
    let segs: Vec<&str> = name.split('/').collect();
    match segs.as_slice() {
        ["projects", _, "locations", _, "models", _] => Some("model"),
        ["projects", _, "locations", _, "endpoints", _] => Some("endpoint"),
        ["projects", _, "locations", _, "customJobs", _] => Some("custom-job"),
        ["projects", _, "services", _] => Some("api"),
        _ => None,
    }
}

pub fn recognise(doc: &Value) -> bool {
    items(doc)
        .iter()
        .any(|v| s(v, "name").and_then(resource_type).is_some())
}

/// AI APIs worth reporting when enabled, with the provider each stands for.
pub const AI_APIS: [(&str, &str); 14] = [
    ("aiplatform.googleapis.com", "google-vertex-ai"),
    ("automl.googleapis.com", "google-vertex-ai"),
    ("dialogflow.googleapis.com", "google-dialogflow"),
    ("discoveryengine.googleapis.com", "google-vertex-ai-search"),
    ("documentai.googleapis.com", "google-document-ai"),
    ("generativelanguage.googleapis.com", "google-gemini-api"),
    ("language.googleapis.com", "google-natural-language"),
    ("ml.googleapis.com", "google-ai-platform"),
    ("notebooks.googleapis.com", "google-vertex-ai"),
    ("speech.googleapis.com", "google-speech"),
    ("texttospeech.googleapis.com", "google-text-to-speech"),
    ("translate.googleapis.com", "google-translate"),
    (
        "videointelligence.googleapis.com",
        "google-video-intelligence",
    ),
    ("vision.googleapis.com", "google-vision"),
];

/// The provider of an AI API, or `None` for a non-AI one.
pub fn api_provider(api: &str) -> Option<&'static str> {
    AI_APIS.iter().find(|(a, _)| *a == api).map(|(_, p)| *p)
}

/// Identity of an enabled API: `google-cloud/<project>/services/<api>`.
pub fn api_identity(project: &str, api: &str) -> String {
    format!("google-cloud/projects/{project}/services/{api}")
}

fn region_of(name: &str) -> Option<&str> {
    let mut it = name.split('/');
    while let Some(seg) = it.next() {
        if seg == "locations" {
            return it.next();
        }
    }
    None
}

pub fn model_identity(name: &str, version: Option<&str>) -> String {
    match version {
        Some(v) => format!("{name}@{v}"),
        None => name.to_string(),
    }
}

pub fn extract(doc: &Value, em: &mut Emitter) {
    for v in items(doc) {
        let Some(name) = s(v, "name") else {
            continue;
        };
        match resource_type(name) {
            Some("model") => model(v, name, em),
            Some("endpoint") => endpoint(v, name, em),
            Some("custom-job") => custom_job(v, name, em),
            Some("api") => api(v, name, em),
            _ => {}
        }
    }
}

fn flag_value<'a>(args: &'a [Value], flags: &[&str]) -> Option<&'a str> {
    args.iter().filter_map(Value::as_str).find_map(|a| {
        let (k, v) = a.split_once('=')?;
        flags.contains(&k.trim_start_matches('-')).then_some(v)
    })
}

fn model(v: &Value, name: &str, em: &mut Emitter) {
    let display = s(v, "displayName").unwrap_or(name);
    let version = s(v, "versionId");
    let mut f = em
        .finding(
            ComponentKind::Model,
            display,
            &model_identity(name, version),
            PROVIDER,
            name,
        )
        .with_version(version.map(str::to_string))
        .prop("resource-type", "model")
        .prop("resource-name", name);
    if let Some(r) = region_of(name) {
        f = f.prop("region", r);
    }
    if let Some(a) = s(v, "artifactUri") {
        f = f.prop("model-data-url", a);
    }
    if let Some(st) = at_str(v, &["modelSourceInfo", "sourceType"]) {
        f = f.prop("source-type", st);
    }
    if let Some(b) = at_str(
        v,
        &["baseModelSource", "modelGardenSource", "publicModelName"],
    ) {
        f = f.prop("base-model", b);
    }
    let spec = v.get("containerSpec").unwrap_or(&Value::Null);
    let env_id = arr(spec, "env")
        .iter()
        .find(|e| matches!(s(e, "name"), Some("MODEL_ID" | "HF_MODEL_ID")))
        .and_then(|e| s(e, "value"));
    if let Some(id) =
        env_id.or_else(|| flag_value(arr(spec, "args"), &["model", "model-id", "model_id"]))
    {
        f = f.prop("model-id", id);
    }
    if let Some(image) = s(spec, "imageUri") {
        f = f.prop("image", image);
        if let Some(sv) = serving_from_image(image) {
            f = f.prop("serving", sv);
        }
        let cid = em.container(image, Some(PROVIDER));
        f.depends_on.push(cid);
    }
    em.push(f);
}

fn endpoint(v: &Value, name: &str, em: &mut Emitter) {
    let display = s(v, "displayName").unwrap_or(name);
    let mut f = em
        .finding(ComponentKind::Service, display, name, PROVIDER, name)
        .prop("resource-type", "endpoint");
    if let Some(r) = region_of(name) {
        f = f.prop("region", r);
    }
    let private = v
        .get("privateServiceConnectConfig")
        .is_some_and(|p| !p.is_null())
        || s(v, "network").is_some();
    if private {
        f = f.prop("public-network-access", "disabled");
    }
    for dm in arr(v, "deployedModels") {
        let Some(dm_id) = s(dm, "id") else {
            continue;
        };
        let dm_name = s(dm, "displayName").unwrap_or(dm_id);
        let identity = format!("{name}/deployedModels/{dm_id}");
        // `"id": "<n>"` is the deployed model itself; the bare number also keys trafficSplit.
        let quoted = format!("\"id\": \"{dm_id}\"");
        let needle = if em.line_of(&quoted).is_some() {
            quoted.as_str()
        } else {
            dm_id
        };
        let mut d = em
            .finding(ComponentKind::Service, dm_name, &identity, PROVIDER, needle)
            .prop("resource-type", "deployed-model")
            .prop("endpoint", display);
        if let Some(mt) = at_str(dm, &["dedicatedResources", "machineSpec", "machineType"]) {
            d = d.prop("machine-type", mt);
        }
        if let Some(acc) = at_str(
            dm,
            &["dedicatedResources", "machineSpec", "acceleratorType"],
        ) {
            d = d.prop("accelerator", acc);
        }
        if let Some(m) = s(dm, "model") {
            d.depends_on.push(format!(
                "model:{}",
                model_identity(m, s(dm, "modelVersionId"))
            ));
        }
        f.depends_on.push(d.id());
        em.push(d);
    }
    em.push(f);
}

/// Flags whose value is training input (as opposed to output locations).
fn is_input_flag(flag: &str) -> bool {
    let f = flag.to_ascii_lowercase();
    let input = ["data", "dataset", "train", "eval", "valid", "input", "test"]
        .iter()
        .any(|k| f.contains(k));
    let output = ["output", "model-dir", "model_dir", "checkpoint", "log"]
        .iter()
        .any(|k| f.contains(k));
    input && !output
}

fn custom_job(v: &Value, name: &str, em: &mut Emitter) {
    let display = s(v, "displayName").unwrap_or(name);
    let mut f = em
        .finding(ComponentKind::Model, display, name, PROVIDER, name)
        .prop("resource-type", "custom-job");
    if let Some(st) = s(v, "state") {
        f = f.prop("status", st);
    }
    let pools = arr(v.get("jobSpec").unwrap_or(&Value::Null), "workerPoolSpecs");
    for pool in pools {
        let (spec, image_key) = match (pool.get("containerSpec"), pool.get("pythonPackageSpec")) {
            (Some(c), _) => (c, "imageUri"),
            (None, Some(p)) => (p, "executorImageUri"),
            _ => continue,
        };
        if let Some(image) = s(spec, image_key) {
            f = f.prop("image", image);
            let cid = em.container(image, Some(PROVIDER));
            f.depends_on.push(cid);
        }
        let args = arr(spec, "args");
        if let Some(base) = flag_value(
            args,
            &[
                "pretrained_model_name_or_path",
                "model_name_or_path",
                "base_model",
                "model_id",
            ],
        ) {
            f = f.prop("base-model", base);
        }
        for a in args.iter().filter_map(Value::as_str) {
            let Some((flag, val)) = a.split_once('=') else {
                continue;
            };
            if val.starts_with("gs://") && is_input_flag(flag) {
                let did = em.dataset_uri(val, display, None);
                // Read from free-form args, not a structured field.
                if let Some(d) = em.out.findings.last_mut() {
                    d.evidence.confidence = Confidence::Medium;
                }
                f.depends_on.push(did);
            }
        }
    }
    em.push(f);
}

fn api(v: &Value, name: &str, em: &mut Emitter) {
    let api = name.rsplit('/').next().unwrap_or(name);
    let Some(provider) = api_provider(api) else {
        return;
    };
    if s(v, "state").is_some_and(|st| st != "ENABLED") {
        return;
    }
    let project = name.split('/').nth(1).unwrap_or("");
    let mut f = em
        .finding(
            ComponentKind::Service,
            api,
            &api_identity(project, api),
            provider,
            name,
        )
        .prop("resource-type", "enabled-api")
        .prop("project", project);
    if let Some(t) = at_str(v, &["config", "title"]) {
        f = f.prop("title", t);
    }
    em.push(f);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_flags() {
        assert!(is_input_flag("--train-data"));
        assert!(is_input_flag("--train_dataset"));
        assert!(!is_input_flag("--output_dir"));
        assert!(!is_input_flag("--model-dir"));
    }

    #[test]
    fn non_ai_api_is_skipped() {
        let text = r#"[{"name": "projects/1/services/compute.googleapis.com", "state": "ENABLED"},
                      {"name": "projects/1/services/aiplatform.googleapis.com", "state": "ENABLED"}]"#;
        let doc = super::super::common::parse_text(text).unwrap();
        assert!(recognise(&doc));
        let mut em = Emitter::new("s.json", text, "cloud-export");
        extract(&doc, &mut em);
        assert_eq!(em.out.findings.len(), 1);
        assert_eq!(
            em.out.findings[0].provider.as_deref(),
            Some("google-vertex-ai")
        );
    }
}
