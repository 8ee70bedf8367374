//! Azure Machine Learning exports from the `az ml` CLI extension (v2): `az ml model list`,
//! `az ml online-endpoint list|show`, `az ml online-deployment list|show`.
//!
//! # What it detects
//! - Models (container list with `latest_version`, or one entry per version) → `model`,
//!   identity = lowercased `/subscriptions/…/models/<name>/versions/<v>`.
//! - Online endpoints → `service` with auth mode, scoring URI and public network access,
//!   linked to the deployments its `traffic` names.
//! - Online deployments → `service`, linked to the model they serve (workspace model id or
//!   registry URI `azureml://registries/<r>/models/<m>/versions/<v>`).
//! - Risks: `AIBOM-CLOUD-PUBLIC-ENDPOINT` (public_network_access enabled),
//!   `AIBOM-CLOUD-KEY-AUTH` (auth_mode key).
//!
//! # Files claimed
//! `--cloud` JSON whose items have `azureml:` or `Microsoft.MachineLearningServices` ids and
//! the snake_case keys of those entities.
//!
//! # Evidence and confidence
//! `cloud-export`, method `cloud-export`, confidence high.
//!
//! # Not handled
//! Batch endpoints, jobs, data assets, environments.
//!
//! # References
//! azure-ai-ml entity schemas as dumped by `az ml`.

use super::common::{s, scalar, Emitter};
use crate::bom::ComponentKind;
use serde_json::Value;

pub const PROVIDER: &str = "azure-ml";

fn items(doc: &Value) -> Vec<&Value> {
    match doc {
        Value::Array(a) => a.iter().collect(),
        o @ Value::Object(_) => vec![o],
        _ => Vec::new(),
    }
}

fn is_ml_id(id: &str) -> bool {
    id.to_ascii_lowercase()
        .contains("/microsoft.machinelearningservices/workspaces/")
}

pub fn recognise(doc: &Value) -> bool {
    items(doc).iter().any(|v| {
        s(v, "id").is_some_and(is_ml_id)
            && (v.get("scoring_uri").is_some()
                || v.get("endpoint_name").is_some()
                || v.get("latest_version").is_some()
                || v.get("version").is_some())
    })
}

/// The model id a reference points at, and (name, version) when they can be read from it.
/// Accepts `azureml:/subscriptions/…/models/<n>/versions/<v>`, `azureml://registries/…` and
/// the short `azureml:<name>:<version>`.
pub fn model_ref(reference: &str) -> (String, Option<(String, Option<String>)>) {
    let r = reference.trim();
    let body = r.strip_prefix("azureml:").unwrap_or(r);
    if !body.starts_with('/') {
        // azureml:name:version (workspace-relative)
        let mut parts = body.splitn(2, ':');
        let name = parts.next().unwrap_or(body).to_string();
        let version = parts.next().map(str::to_string);
        let id = match &version {
            Some(v) => format!("azureml/models/{}/versions/{v}", name.to_ascii_lowercase()),
            None => format!("azureml/models/{}", name.to_ascii_lowercase()),
        };
        return (id, Some((name, version)));
    }
    let id = if body.starts_with("//") {
        format!("azureml:{}", body.to_ascii_lowercase())
    } else {
        body.to_ascii_lowercase()
    };
    let segs: Vec<&str> = body.split('/').collect();
    let nv = segs.iter().position(|x| *x == "models").and_then(|i| {
        let name = segs.get(i + 1)?.to_string();
        let version = match segs.get(i + 2) {
            Some(&"versions") => segs.get(i + 3).map(|v| v.to_string()),
            _ => None,
        };
        Some((name, version))
    });
    (id, nv)
}

/// Emit a model from a reference (a deployment's `model`), so its dependency resolves.
pub fn emit_model_ref(em: &mut Emitter, reference: &str) -> String {
    let (identity, nv) = model_ref(reference);
    let (name, version) = nv.unwrap_or((reference.to_string(), None));
    let mut f = em
        .finding(ComponentKind::Model, &name, &identity, PROVIDER, reference)
        .with_version(version);
    if let Some(reg) = reference.strip_prefix("azureml://registries/") {
        if let Some(r) = reg.split('/').next() {
            f = f.prop("registry", r);
        }
    }
    let id = f.id();
    em.push(f);
    id
}

pub fn extract(doc: &Value, em: &mut Emitter) {
    for v in items(doc) {
        let Some(id) = s(v, "id") else {
            continue;
        };
        if !is_ml_id(id) {
            continue;
        }
        if v.get("scoring_uri").is_some() {
            endpoint(v, id, em);
        } else if v.get("endpoint_name").is_some() {
            deployment(v, id, em);
        } else if v.get("latest_version").is_some() || v.get("version").is_some() {
            model(v, id, em);
        }
    }
}

fn model(v: &Value, id: &str, em: &mut Emitter) {
    let Some(name) = s(v, "name") else {
        return;
    };
    let version = scalar(v, "version").or_else(|| scalar(v, "latest_version"));
    let mut base = id
        .strip_prefix("azureml:")
        .unwrap_or(id)
        .to_ascii_lowercase();
    if let (Some(ver), false) = (&version, base.contains("/versions/")) {
        base = format!("{base}/versions/{ver}");
    }
    let mut f = em
        .finding(ComponentKind::Model, name, &base, PROVIDER, id)
        .with_version(version)
        .prop("resource-type", "model");
    if let Some(p) = s(v, "path") {
        f = f.prop("model-uri", p);
    }
    if let Some(j) = s(v, "job_name") {
        f = f.prop("job-name", j);
    }
    // `custom_model` in a container list is only the SDK default, not the real type.
    if v.get("latest_version").is_none() {
        if let Some(t) = s(v, "type") {
            f = f.prop("model-type", t);
        }
    }
    if let Some(fl) = v.get("flavors").and_then(Value::as_object) {
        let mut names: Vec<&str> = fl.keys().map(String::as_str).collect();
        names.sort_unstable();
        f = f.prop("flavors", names.join(","));
    }
    em.push(f);
}

fn endpoint(v: &Value, id: &str, em: &mut Emitter) {
    let Some(name) = s(v, "name") else {
        return;
    };
    let identity = id.to_ascii_lowercase();
    let mut f = em
        .finding(ComponentKind::Service, name, &identity, PROVIDER, id)
        .prop("resource-type", "online-endpoint");
    if let Some(u) = s(v, "scoring_uri") {
        f = f.prop("endpoint", u);
    }
    if let Some(l) = s(v, "location") {
        f = f.prop("region", l);
    }
    let auth = s(v, "auth_mode");
    let public = s(v, "public_network_access");
    if let Some(a) = auth {
        f = f.prop("auth-mode", a.to_ascii_lowercase());
    }
    if let Some(p) = public {
        f = f.prop("public-network-access", p.to_ascii_lowercase());
    }
    if let Some(t) = v.get("traffic").and_then(Value::as_object) {
        for dep in t.keys() {
            f.depends_on.push(format!(
                "service:{identity}/deployments/{}",
                dep.to_ascii_lowercase()
            ));
        }
    }
    endpoint_risks(em, &f, auth, public);
    em.push(f);
}

/// Public access and key auth on an Azure ML endpoint (shared with ARM templates).
pub fn endpoint_risks(
    em: &mut Emitter,
    f: &crate::bom::Finding,
    auth: Option<&str>,
    public: Option<&str>,
) {
    if public.is_some_and(|p| p.eq_ignore_ascii_case("enabled")) {
        em.risk(
            "AIBOM-CLOUD-PUBLIC-ENDPOINT",
            f,
            format!(
                "online endpoint {} accepts traffic from public networks",
                f.name
            ),
            "",
        );
    }
    if auth.is_some_and(|a| a.eq_ignore_ascii_case("key")) {
        em.risk(
            "AIBOM-CLOUD-KEY-AUTH",
            f,
            format!(
                "online endpoint {} authenticates callers with static keys",
                f.name
            ),
            "",
        );
    }
}

fn deployment(v: &Value, id: &str, em: &mut Emitter) {
    let Some(name) = s(v, "name") else {
        return;
    };
    let mut f = em
        .finding(
            ComponentKind::Service,
            name,
            &id.to_ascii_lowercase(),
            PROVIDER,
            id,
        )
        .prop("resource-type", "online-deployment");
    if let Some(e) = s(v, "endpoint_name") {
        f = f.prop("endpoint-name", e);
    }
    if let Some(i) = s(v, "instance_type") {
        f = f.prop("instance-type", i);
    }
    if let Some(c) = scalar(v, "instance_count") {
        f = f.prop("instance-count", c);
    }
    if let Some(t) = s(v, "type") {
        f = f.prop("compute-type", t);
    }
    if let Some(m) = s(v, "model") {
        let mid = emit_model_ref(em, m);
        f.depends_on.push(mid);
    }
    em.push(f);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_references() {
        let (id, nv) =
            model_ref("azureml://registries/azureml/models/Phi-3-mini-4k-instruct/versions/15");
        assert_eq!(
            id,
            "azureml://registries/azureml/models/phi-3-mini-4k-instruct/versions/15"
        );
        assert_eq!(
            nv,
            Some(("Phi-3-mini-4k-instruct".into(), Some("15".into())))
        );
        let (id, _) = model_ref("azureml:/subscriptions/S/resourceGroups/R/providers/Microsoft.MachineLearningServices/workspaces/W/models/m/versions/4");
        assert!(id.starts_with("/subscriptions/s/") && id.ends_with("/models/m/versions/4"));
        let (id, nv) = model_ref("azureml:credit:3");
        assert_eq!(id, "azureml/models/credit/versions/3");
        assert_eq!(nv.unwrap().1.as_deref(), Some("3"));
    }
}
