//! Azure OpenAI / Azure AI Services exports: `az cognitiveservices account list|show` and
//! `az cognitiveservices account deployment list|show`.
//!
//! # What it detects
//! - Accounts → `service` (identity = the lowercased ARM resource id; provider `azure-openai`
//!   for kind `OpenAI`, `azure-ai-services` for the other kinds), with endpoint, region, kind,
//!   public network access and local (key) auth.
//! - Deployments → `service` (identity = lowercased `…/accounts/<a>/deployments/<d>`), linked to
//!   its account and to a `model` with identity `azure-openai/<deployment-name>`: application
//!   code calls Azure OpenAI by deployment name, so the same id links code and account. The
//!   model keeps `model-name`, `model-version` and `model-format` as properties.
//! - Risks: `AIBOM-CLOUD-PUBLIC-ENDPOINT` (publicNetworkAccess Enabled), `AIBOM-CLOUD-KEY-AUTH`
//!   (disableLocalAuth not true), `AIBOM-CLOUD-NO-CONTENT-FILTER` (raiPolicyName null/empty).
//!
//! # Files claimed
//! `--cloud` JSON arrays/objects whose `type` is `Microsoft.CognitiveServices/accounts[/deployments]`.
//!
//! # Evidence and confidence
//! `cloud-export`, method `cloud-export`, confidence high; line of the resource id.
//!
//! # Not handled
//! Commitment plans, RAI policy contents, projects.
//!
//! # References
//! azure-mgmt-cognitiveservices models as printed by azure-cli (keys sorted, nulls kept).

use super::common::{at, at_str, s, scalar, Emitter};
use crate::bom::{ComponentKind, Finding};
use serde_json::Value;

pub const ACCOUNT_TYPE: &str = "microsoft.cognitiveservices/accounts";
pub const DEPLOYMENT_TYPE: &str = "microsoft.cognitiveservices/accounts/deployments";

fn items(doc: &Value) -> Vec<&Value> {
    match doc {
        Value::Array(a) => a.iter().collect(),
        o @ Value::Object(_) => vec![o],
        _ => Vec::new(),
    }
}

fn type_of(v: &Value) -> String {
    s(v, "type").unwrap_or("").to_ascii_lowercase()
}

pub fn recognise(doc: &Value) -> bool {
    items(doc).iter().any(|v| {
        let t = type_of(v);
        (t == ACCOUNT_TYPE || t == DEPLOYMENT_TYPE) && v.get("id").is_some()
    })
}

/// Provider of an account kind.
pub fn provider_for_kind(kind: Option<&str>) -> &'static str {
    match kind {
        Some(k) if k.eq_ignore_ascii_case("openai") => "azure-openai",
        _ => "azure-ai-services",
    }
}

/// An account as any source describes it.
pub struct Account<'a> {
    pub name: &'a str,
    pub identity: String,
    pub kind: Option<&'a str>,
    pub endpoint: Option<&'a str>,
    pub region: Option<&'a str>,
    pub sku: Option<&'a str>,
    /// `Some(true)` when the source says public network access is on.
    pub public: Option<bool>,
    /// `Some(true)` when key (local) auth is allowed.
    pub key_auth: Option<bool>,
    pub needle: &'a str,
}

pub fn emit_account(em: &mut Emitter, a: &Account) -> String {
    let mut f = em
        .finding(
            ComponentKind::Service,
            a.name,
            &a.identity,
            provider_for_kind(a.kind),
            a.needle,
        )
        .prop("resource-type", "cognitive-services-account");
    if let Some(k) = a.kind {
        f = f.prop("account-kind", k);
    }
    if let Some(e) = a.endpoint {
        f = f.prop("endpoint", e);
    }
    if let Some(r) = a.region {
        f = f.prop("region", r);
    }
    if let Some(sku) = a.sku {
        f = f.prop("sku", sku);
    }
    if let Some(p) = a.public {
        f = f.prop(
            "public-network-access",
            if p { "enabled" } else { "disabled" },
        );
        if p {
            em.risk(
                "AIBOM-CLOUD-PUBLIC-ENDPOINT",
                &f,
                format!("AI account {} accepts traffic from public networks", a.name),
                "",
            );
        }
    }
    if let Some(k) = a.key_auth {
        f = f.prop("auth-mode", if k { "key-and-entra-id" } else { "entra-id" });
        if k {
            em.risk(
                "AIBOM-CLOUD-KEY-AUTH",
                &f,
                format!(
                    "AI account {} allows API-key (local) authentication; keys are long-lived shared secrets",
                    a.name
                ),
                "",
            );
        }
    }
    let id = f.id();
    em.push(f);
    id
}

/// A deployment as any source describes it.
pub struct Deployment<'a> {
    pub name: &'a str,
    pub identity: String,
    pub account: Option<&'a str>,
    /// Component id of the account, when known.
    pub account_id: Option<String>,
    pub model_format: Option<&'a str>,
    pub model_name: Option<&'a str>,
    pub model_version: Option<&'a str>,
    pub sku: Option<&'a str>,
    pub capacity: Option<String>,
    /// `Some(None)`: the source shows the field and it is empty (no content filter).
    pub rai_policy: Option<Option<&'a str>>,
    pub needle: &'a str,
}

/// The model finding for an Azure OpenAI deployment name; returns its id.
pub fn deployment_model(em: &mut Emitter, d: &Deployment, provider: &str) -> String {
    let mut f = em
        .finding(
            ComponentKind::Model,
            d.name,
            &format!("azure-openai/{}", d.name.to_ascii_lowercase()),
            provider,
            d.needle,
        )
        .prop("resource-type", "deployment-model")
        .with_version(d.model_version.map(str::to_string));
    if let Some(n) = d.model_name {
        f = f.prop("model-name", n);
    }
    if let Some(fm) = d.model_format {
        f = f.prop("model-format", fm);
    }
    let id = f.id();
    em.push(f);
    id
}

pub fn emit_deployment(em: &mut Emitter, d: &Deployment) -> Finding {
    let provider = match d.model_format {
        Some(f) if !f.eq_ignore_ascii_case("openai") => "azure-ai-services",
        _ => "azure-openai",
    };
    let mut f = em
        .finding(
            ComponentKind::Service,
            d.name,
            &d.identity,
            provider,
            d.needle,
        )
        .prop("resource-type", "cognitive-services-deployment");
    if let Some(a) = d.account {
        f = f.prop("account", a);
    }
    if let Some(n) = d.model_name {
        f = f.prop("model-name", n);
    }
    if let Some(v) = d.model_version {
        f = f.prop("model-version", v);
    }
    if let Some(fm) = d.model_format {
        f = f.prop("model-format", fm);
    }
    if let Some(sku) = d.sku {
        f = f.prop("sku", sku);
    }
    if let Some(c) = &d.capacity {
        f = f.prop("capacity", c.as_str());
    }
    match d.rai_policy {
        Some(Some(p)) => f = f.prop("rai-policy", p),
        Some(None) => em.risk(
            "AIBOM-CLOUD-NO-CONTENT-FILTER",
            &f,
            format!("deployment {} has no RAI (content filter) policy", d.name),
            "",
        ),
        None => {}
    }
    let mid = deployment_model(em, d, provider);
    f.depends_on.push(mid);
    if let Some(a) = &d.account_id {
        f.depends_on.push(a.clone());
    }
    em.push(f.clone());
    f
}

/// `…/accounts/<acct>` of a deployment id, and the account name.
pub fn account_of(deployment_id: &str) -> Option<(&str, &str)> {
    let lower = deployment_id.to_ascii_lowercase();
    let pos = lower.find("/deployments/")?;
    let acct_id = &deployment_id[..pos];
    let name = acct_id.rsplit('/').next()?;
    Some((acct_id, name))
}

fn tri_bool(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => Some(s.eq_ignore_ascii_case("enabled") || s == "true"),
        _ => None,
    }
}

pub fn extract(doc: &Value, em: &mut Emitter) {
    for v in items(doc) {
        let t = type_of(v);
        let (Some(id), Some(name)) = (s(v, "id"), s(v, "name")) else {
            continue;
        };
        let props = v.get("properties").unwrap_or(&Value::Null);
        if t == ACCOUNT_TYPE {
            // disableLocalAuth null means the default: keys are accepted.
            let key_auth = match props.get("disableLocalAuth") {
                Some(Value::Bool(b)) => Some(!b),
                Some(Value::Null) => Some(true),
                _ => None,
            };
            emit_account(
                em,
                &Account {
                    name,
                    identity: id.to_ascii_lowercase(),
                    kind: s(v, "kind"),
                    endpoint: s(props, "endpoint"),
                    region: s(v, "location"),
                    sku: at_str(v, &["sku", "name"]),
                    public: tri_bool(props.get("publicNetworkAccess")),
                    key_auth,
                    needle: id,
                },
            );
        } else if t == DEPLOYMENT_TYPE {
            let model = props.get("model").unwrap_or(&Value::Null);
            let account = account_of(id);
            emit_deployment(
                em,
                &Deployment {
                    name,
                    identity: id.to_ascii_lowercase(),
                    account: account.map(|a| a.1),
                    account_id: account.map(|a| format!("service:{}", a.0.to_ascii_lowercase())),
                    model_format: s(model, "format"),
                    model_name: s(model, "name"),
                    model_version: s(model, "version"),
                    sku: at_str(v, &["sku", "name"]),
                    capacity: at(v, &["sku"]).and_then(|sku| scalar(sku, "capacity")),
                    rai_policy: props
                        .as_object()
                        .filter(|o| o.contains_key("raiPolicyName"))
                        .map(|_| s(props, "raiPolicyName")),
                    needle: id,
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_links_account_and_name_model() {
        let text = r#"[{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/Acct/deployments/chat",
            "name": "chat", "type": "Microsoft.CognitiveServices/accounts/deployments",
            "properties": {"model": {"format": "OpenAI", "name": "gpt-35-turbo", "version": "0125"}, "raiPolicyName": null},
            "sku": {"name": "Standard", "capacity": 60}}]"#;
        let doc = super::super::common::parse_text(text).unwrap();
        assert!(recognise(&doc));
        let mut em = Emitter::new("d.json", text, "cloud-export");
        extract(&doc, &mut em);
        let dep = em
            .out
            .findings
            .iter()
            .find(|f| f.kind == ComponentKind::Service)
            .unwrap();
        assert_eq!(
            dep.depends_on,
            vec![
                "model:azure-openai/chat",
                "service:/subscriptions/s/resourcegroups/rg/providers/microsoft.cognitiveservices/accounts/acct"
            ]
        );
        assert_eq!(em.out.risks[0].rule, "AIBOM-CLOUD-NO-CONTENT-FILTER");
    }
}
