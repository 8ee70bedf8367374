//! Terraform resource types that are AI assets, mapped to findings. Shared by the
//! `terraform show -json` reader (state, plan, raw tfstate) and the `.tf` (HCL) reader, which
//! both hand over `(type, address, values)` with nested blocks as arrays.
//!
//! Identities follow the CLI exports so one asset seen in state and in a CLI export is one
//! component: AWS ARNs, lowercased Azure resource ids, GCP resource names. Without them (plain
//! `.tf` files, unknown-after-apply values) the id falls back to a name-based form.

use super::aws_bedrock::{agent_identity, kb_identity, no_guardrail_risk};
use super::aws_sagemaker::{self, arn_prefix, SmModel, Variant};
use super::azure_cognitive::{self as az, Account, Deployment};
use super::common::{arr, bedrock_model_id, block, s, scalar, Emitter};
use super::gcp_vertex;
use crate::bom::ComponentKind;
use serde_json::Value;

/// One resource instance.
pub struct Resource<'a> {
    pub typ: &'a str,
    pub address: &'a str,
    pub values: &'a Value,
    /// Text to locate the evidence line.
    pub needle: &'a str,
    /// Planned action from a plan (`create`, `update`, `replace`, `no-op`), if any.
    pub action: Option<&'a str>,
}

/// Types this module reports (anything else is ignored: non-AI resources are not assets).
pub fn is_ai_type(t: &str) -> bool {
    t.starts_with("aws_sagemaker_")
        || t.starts_with("aws_bedrock")
        || t.starts_with("azurerm_cognitive_")
        || t.starts_with("azurerm_machine_learning_")
        || t.starts_with("azurerm_ai_")
        || t.starts_with("google_vertex_ai_")
        || t == "google_project_service"
}

fn fallback(r: &Resource) -> String {
    format!("terraform/{}", r.address)
}

/// A string attribute that is a real value (not an unresolved HCL expression `${…}`).
fn lit<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    s(v, key).filter(|x| !x.starts_with("${"))
}

/// Emit the findings of one resource.
pub fn emit(em: &mut Emitter, r: &Resource) {
    let v = r.values;
    let before = em.out.findings.len();
    match r.typ {
        "aws_sagemaker_model" => {
            let name = lit(v, "name").unwrap_or(r.address);
            let pc = block(v, "primary_container")
                .or_else(|| arr(v, "container").first().filter(|c| c.is_object()));
            let env_id = pc
                .and_then(|c| c.get("environment"))
                .and_then(|e| s(e, "HF_MODEL_ID").or_else(|| s(e, "MODEL_ID")));
            let model_data = pc.and_then(|c| {
                lit(c, "model_data_url").or_else(|| {
                    block(c, "model_data_source")
                        .and_then(|m| block(m, "s3_data_source"))
                        .and_then(|s3| lit(s3, "s3_uri"))
                })
            });
            aws_sagemaker::emit_model(
                em,
                &SmModel {
                    name,
                    arn: lit(v, "arn"),
                    image: pc.and_then(|c| lit(c, "image")),
                    model_data,
                    env_model_id: env_id,
                    model_package: pc.and_then(|c| lit(c, "model_package_name")),
                    needle: r.needle,
                },
                None,
            );
        }
        "aws_sagemaker_endpoint_configuration" => {
            let name = lit(v, "name").unwrap_or(r.address);
            let arn = lit(v, "arn");
            let prefix = arn.and_then(arn_prefix);
            let variants: Vec<Variant> = arr(v, "production_variants")
                .iter()
                .chain(arr(v, "shadow_production_variants"))
                .map(|pv| {
                    let instance = lit(pv, "instance_type").map(str::to_string).or_else(|| {
                        block(pv, "serverless_config").map(|_| "serverless".to_string())
                    });
                    (
                        lit(pv, "variant_name").unwrap_or("variant"),
                        lit(pv, "model_name"),
                        instance,
                    )
                })
                .collect();
            aws_sagemaker::emit_endpoint_config(
                em,
                name,
                arn,
                prefix.as_deref(),
                &variants,
                r.needle,
            );
        }
        "aws_sagemaker_endpoint" => {
            let name = lit(v, "name").unwrap_or(r.address);
            let arn = lit(v, "arn");
            let prefix = arn.and_then(arn_prefix);
            aws_sagemaker::emit_endpoint(
                em,
                name,
                arn,
                prefix.as_deref(),
                lit(v, "endpoint_config_name"),
                None,
                r.needle,
            );
        }
        "aws_bedrock_custom_model" => {
            let name = lit(v, "custom_model_name").unwrap_or(r.address);
            let identity = lit(v, "custom_model_arn").map_or_else(
                || format!("amazon-bedrock/custom-model/{name}"),
                str::to_string,
            );
            let mut f = em
                .finding(
                    ComponentKind::Model,
                    name,
                    &identity,
                    "amazon-bedrock",
                    r.needle,
                )
                .prop("resource-type", "custom-model");
            if let Some(c) = lit(v, "customization_type") {
                f = f.prop("customization-type", c);
            }
            if let Some(b) = lit(v, "base_model_identifier") {
                f = f.prop("base-model", bedrock_model_id(b));
                let bid = super::aws_bedrock::foundation_model(em, b);
                f.depends_on.push(bid);
            }
            for t in arr(v, "training_data_config") {
                if let Some(u) = lit(t, "s3_uri") {
                    let d = em.dataset_uri(u, name, Some("training"));
                    f.depends_on.push(d);
                }
            }
            for val in arr(v, "validation_data_config") {
                for vd in arr(val, "validator") {
                    if let Some(u) = lit(vd, "s3_uri") {
                        let d = em.dataset_uri(u, name, Some("validation"));
                        f.depends_on.push(d);
                    }
                }
            }
            em.push(f);
        }
        "aws_bedrock_provisioned_model_throughput" => {
            let name = lit(v, "provisioned_model_name").unwrap_or(r.address);
            let identity = lit(v, "provisioned_model_arn")
                .or_else(|| lit(v, "arn"))
                .map_or_else(|| fallback(r), str::to_string);
            let mut f = em
                .finding(
                    ComponentKind::Service,
                    name,
                    &identity,
                    "amazon-bedrock",
                    r.needle,
                )
                .prop("resource-type", "provisioned-throughput");
            if let Some(u) = scalar(v, "model_units") {
                f = f.prop("model-units", u);
            }
            if let Some(m) = lit(v, "model_arn") {
                if m.contains(":custom-model/") {
                    f.depends_on.push(format!("model:{m}"));
                } else {
                    let mid = super::aws_bedrock::foundation_model(em, m);
                    f.depends_on.push(mid);
                }
            }
            em.push(f);
        }
        "aws_bedrockagent_agent" => {
            let name = lit(v, "agent_name").unwrap_or(r.address);
            let identity = lit(v, "agent_id").map_or_else(
                || format!("amazon-bedrock/agent-name/{name}"),
                agent_identity,
            );
            let mut f = em
                .finding(
                    ComponentKind::Service,
                    name,
                    &identity,
                    "amazon-bedrock",
                    r.needle,
                )
                .prop("resource-type", "agent");
            if let Some(id) = lit(v, "agent_id") {
                f = f.prop("agent-id", id);
            }
            if let Some(m) = lit(v, "foundation_model") {
                f = f.prop("model-id", bedrock_model_id(m));
                let mid = super::aws_bedrock::foundation_model(em, m);
                f.depends_on.push(mid);
            }
            if arr(v, "guardrail_configuration").is_empty()
                && v.get("guardrail_configuration").is_some()
            {
                no_guardrail_risk(em, &f);
            }
            em.push(f);
        }
        "aws_bedrockagent_knowledge_base" => {
            let name = lit(v, "name").unwrap_or(r.address);
            let identity = lit(v, "id").map_or_else(|| fallback(r), kb_identity);
            let mut f = em
                .finding(
                    ComponentKind::Dataset,
                    name,
                    &identity,
                    "amazon-bedrock",
                    r.needle,
                )
                .prop("resource-type", "knowledge-base");
            let emb = block(v, "knowledge_base_configuration")
                .and_then(|k| block(k, "vector_knowledge_base_configuration"))
                .and_then(|k| lit(k, "embedding_model_arn"));
            if let Some(m) = emb {
                f = f.prop("embedding-model", bedrock_model_id(m));
                let mid = super::aws_bedrock::foundation_model(em, m);
                f.depends_on.push(mid);
            }
            em.push(f);
        }
        "azurerm_cognitive_account" | "azurerm_ai_services" => {
            let name = lit(v, "name").unwrap_or(r.address);
            let kind = lit(v, "kind").or(if r.typ == "azurerm_ai_services" {
                Some("AIServices")
            } else {
                None
            });
            az::emit_account(
                em,
                &Account {
                    name,
                    identity: lit(v, "id").map_or_else(|| fallback(r), str::to_ascii_lowercase),
                    kind,
                    endpoint: lit(v, "endpoint"),
                    region: lit(v, "location"),
                    sku: lit(v, "sku_name"),
                    public: v
                        .get("public_network_access_enabled")
                        .and_then(Value::as_bool),
                    key_auth: v.get("local_auth_enabled").and_then(Value::as_bool),
                    needle: r.needle,
                },
            );
        }
        "azurerm_cognitive_deployment" => {
            let name = lit(v, "name").unwrap_or(r.address);
            let account_id = lit(v, "cognitive_account_id");
            // In a .tf file the account is a reference: link to its address-based id.
            let account_ref = s(v, "cognitive_account_id")
                .and_then(|r| r.strip_prefix("${azurerm_cognitive_account."))
                .and_then(|r| r.strip_suffix(".id}"))
                .map(|n| format!("service:terraform/azurerm_cognitive_account.{n}"));
            let identity = lit(v, "id")
                .map(str::to_ascii_lowercase)
                .or_else(|| {
                    account_id.map(|a| format!("{a}/deployments/{name}").to_ascii_lowercase())
                })
                .unwrap_or_else(|| fallback(r));
            let model = block(v, "model").unwrap_or(&Value::Null);
            let sku = block(v, "sku").unwrap_or(&Value::Null);
            az::emit_deployment(
                em,
                &Deployment {
                    name,
                    identity,
                    account: account_id.and_then(|a| a.rsplit('/').next()),
                    account_id: account_id
                        .map(|a| format!("service:{}", a.to_ascii_lowercase()))
                        .or(account_ref),
                    model_format: lit(model, "format"),
                    model_name: lit(model, "name"),
                    model_version: lit(model, "version"),
                    sku: lit(sku, "name"),
                    capacity: scalar(sku, "capacity"),
                    rai_policy: v.get("rai_policy_name").map(|_| lit(v, "rai_policy_name")),
                    needle: r.needle,
                },
            );
        }
        "azurerm_machine_learning_workspace"
        | "azurerm_ai_foundry"
        | "azurerm_ai_foundry_project" => {
            let name = lit(v, "name").unwrap_or(r.address);
            let identity = lit(v, "id").map_or_else(|| fallback(r), str::to_ascii_lowercase);
            let mut f = em
                .finding(
                    ComponentKind::Service,
                    name,
                    &identity,
                    "azure-ml",
                    r.needle,
                )
                .prop("resource-type", r.typ.trim_start_matches("azurerm_"));
            if let Some(l) = lit(v, "location") {
                f = f.prop("region", l);
            }
            if let Some(p) = v
                .get("public_network_access_enabled")
                .and_then(Value::as_bool)
            {
                f = f.prop(
                    "public-network-access",
                    if p { "enabled" } else { "disabled" },
                );
            }
            em.push(f);
        }
        "google_vertex_ai_endpoint" => {
            let name = lit(v, "display_name").unwrap_or(r.address);
            let identity = match (
                lit(v, "project"),
                lit(v, "location").or(lit(v, "region")),
                lit(v, "name"),
            ) {
                (Some(p), Some(l), Some(n)) => format!("projects/{p}/locations/{l}/endpoints/{n}"),
                _ => fallback(r),
            };
            let mut f = em
                .finding(
                    ComponentKind::Service,
                    name,
                    &identity,
                    gcp_vertex::PROVIDER,
                    r.needle,
                )
                .prop("resource-type", "endpoint");
            if let Some(l) = lit(v, "location").or(lit(v, "region")) {
                f = f.prop("region", l);
            }
            em.push(f);
        }
        "google_vertex_ai_endpoint_with_model_garden_deployment" => {
            let model_id =
                lit(v, "publisher_model_name").or_else(|| lit(v, "hugging_face_model_id"));
            let display = block(v, "model_config")
                .and_then(|m| lit(m, "model_display_name"))
                .or_else(|| lit(v, "deployed_model_display_name"))
                .or(model_id)
                .unwrap_or(r.address);
            let mut f = em
                .finding(
                    ComponentKind::Service,
                    display,
                    &fallback(r),
                    gcp_vertex::PROVIDER,
                    r.needle,
                )
                .prop("resource-type", "model-garden-deployment");
            if let Some(m) = model_id {
                f = f.prop("model-id", m);
                let mf = em
                    .finding(
                        ComponentKind::Model,
                        m,
                        &format!("{}/{m}", gcp_vertex::PROVIDER),
                        gcp_vertex::PROVIDER,
                        m,
                    )
                    .prop("resource-type", "publisher-model");
                f.depends_on.push(mf.id());
                em.push(mf);
            }
            let ms = block(v, "deploy_config")
                .and_then(|d| block(d, "dedicated_resources"))
                .and_then(|d| block(d, "machine_spec"));
            if let Some(ms) = ms {
                if let Some(mt) = lit(ms, "machine_type") {
                    f = f.prop("machine-type", mt);
                }
                if let Some(a) = lit(ms, "accelerator_type") {
                    f = f.prop("accelerator", a);
                }
            }
            em.push(f);
        }
        "google_vertex_ai_dataset" => {
            let name = lit(v, "display_name").unwrap_or(r.address);
            let identity = lit(v, "name")
                .filter(|n| n.starts_with("projects/"))
                .map_or_else(|| fallback(r), str::to_string);
            let mut f = em
                .finding(
                    ComponentKind::Dataset,
                    name,
                    &identity,
                    gcp_vertex::PROVIDER,
                    r.needle,
                )
                .prop("resource-type", "dataset");
            if let Some(t) = lit(v, "metadata_schema_uri")
                .and_then(|u| u.rsplit('/').next())
                .and_then(|f| f.split('_').next())
            {
                f = f.prop("data-type", t);
            }
            em.push(f);
        }
        "google_project_service" => {
            let Some(api) = lit(v, "service") else {
                return;
            };
            let Some(provider) = gcp_vertex::api_provider(api) else {
                return;
            };
            let project = lit(v, "project").unwrap_or("");
            let f = em
                .finding(
                    ComponentKind::Service,
                    api,
                    &gcp_vertex::api_identity(project, api),
                    provider,
                    r.needle,
                )
                .prop("resource-type", "enabled-api")
                .prop("project", project);
            em.push(f);
        }
        _ => {}
    }
    // Every finding made for this resource carries its address (and planned action).
    for f in em.out.findings.iter_mut().skip(before) {
        let shared = matches!(
            f.properties.get("resource-type").and_then(Value::as_str),
            None | Some("foundation-model" | "publisher-model" | "deployment-model")
        );
        if !shared {
            f.properties
                .entry("terraform-address".to_string())
                .or_insert_with(|| r.address.into());
        }
        if let Some(a) = r.action {
            f.properties
                .entry("planned-action".to_string())
                .or_insert_with(|| a.into());
        }
    }
}
