//! Terraform JSON: `terraform show -json` of a state or a plan, and raw `terraform.tfstate` (v4).
//!
//! # What it detects
//! The AI resource types of the aws, azurerm and google providers (see
//! `terraform_resources.rs`): SageMaker models/endpoint configs/endpoints, Bedrock custom
//! models, provisioned throughput, agents and knowledge bases, Azure cognitive accounts and
//! deployments, Azure ML workspaces, Vertex AI endpoints, Model Garden deployments, datasets and
//! enabled AI APIs. Each finding carries `terraform-address`.
//!
//! - State: `values.root_module`, child modules recursively.
//! - Plan: `resource_changes[].change.after` (deleted resources are skipped; the planned action
//!   is kept as `planned-action`); `planned_values` when there are no resource changes.
//! - Raw state: `resources[].instances[].attributes`.
//!
//! # Files claimed
//! Repo scans: `*.json`, `*.tfstate`, `*.tfplan.json` whose head names `terraform_version`.
//! `--cloud`: any JSON with that envelope.
//!
//! # Evidence and confidence
//! `terraform-json`, method `cloud-export`, confidence high; line of the address (the real
//! output is one line).
//!
//! # Not handled
//! Data sources (lookups, not managed assets), Kubernetes/Helm resources inside Terraform,
//! files over 32 MiB (a warning says so). Sensitive attributes are never copied.
//!
//! # References
//! Terraform JSON output format (format_version 1.x); state file format v4.

use super::common::{arr, s, Emitter};
use super::terraform_resources::{emit, is_ai_type, Resource};
use serde_json::Value;

/// Module nesting deeper than this is not walked (bounded recursion).
const MAX_MODULE_DEPTH: usize = 32;

pub fn recognise(doc: &Value) -> bool {
    let Some(o) = doc.as_object() else {
        return false;
    };
    (o.contains_key("format_version") || o.contains_key("terraform_version"))
        && (o.contains_key("values")
            || o.contains_key("planned_values")
            || o.contains_key("resource_changes")
            || o.get("resources").is_some_and(Value::is_array))
}

pub fn extract(doc: &Value, em: &mut Emitter) {
    let changes = arr(doc, "resource_changes");
    if !changes.is_empty() {
        for rc in changes {
            plan_change(rc, em);
        }
        return;
    }
    if let Some(root) = doc.get("planned_values").and_then(|v| v.get("root_module")) {
        walk_module(root, em, 0);
        return;
    }
    if let Some(root) = doc.get("values").and_then(|v| v.get("root_module")) {
        walk_module(root, em, 0);
        return;
    }
    for r in arr(doc, "resources") {
        raw_state_resource(r, em);
    }
}

/// An address as it is written inside a JSON string (`this[\"k\"]`), to find its line.
fn json_escaped(address: &str) -> String {
    let quoted = serde_json::to_string(address).unwrap_or_default();
    quoted.trim_matches('"').to_string()
}

fn managed(r: &Value) -> bool {
    s(r, "mode").is_none_or(|m| m == "managed")
}

fn walk_module(m: &Value, em: &mut Emitter, depth: usize) {
    if depth > MAX_MODULE_DEPTH {
        em.warn("Terraform modules nested too deeply; the rest was not read");
        return;
    }
    for r in arr(m, "resources") {
        let (Some(typ), Some(address)) = (s(r, "type"), s(r, "address")) else {
            continue;
        };
        if !managed(r) || !is_ai_type(typ) {
            continue;
        }
        let values = r.get("values").unwrap_or(&Value::Null);
        let needle = json_escaped(address);
        emit(
            em,
            &Resource {
                typ,
                address,
                values,
                needle: &needle,
                action: None,
            },
        );
    }
    for c in arr(m, "child_modules") {
        walk_module(c, em, depth + 1);
    }
}

fn plan_change(rc: &Value, em: &mut Emitter) {
    let (Some(typ), Some(address)) = (s(rc, "type"), s(rc, "address")) else {
        return;
    };
    if !managed(rc) || !is_ai_type(typ) {
        return;
    }
    let change = rc.get("change").unwrap_or(&Value::Null);
    let actions: Vec<&str> = arr(change, "actions")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let action = match actions.as_slice() {
        ["delete"] => return,
        ["delete", "create"] | ["create", "delete"] => "replace",
        [a] => a,
        _ => "unknown",
    };
    let Some(after) = change.get("after").filter(|a| a.is_object()) else {
        return;
    };
    let needle = json_escaped(address);
    emit(
        em,
        &Resource {
            typ,
            address,
            values: after,
            needle: &needle,
            action: Some(action),
        },
    );
}

fn raw_state_resource(r: &Value, em: &mut Emitter) {
    let (Some(typ), Some(name)) = (s(r, "type"), s(r, "name")) else {
        return;
    };
    if !managed(r) || !is_ai_type(typ) {
        return;
    }
    let module = s(r, "module");
    for inst in arr(r, "instances") {
        let base = match module {
            Some(m) => format!("{m}.{typ}.{name}"),
            None => format!("{typ}.{name}"),
        };
        let address = match inst.get("index_key") {
            Some(Value::String(k)) => format!("{base}[\"{k}\"]"),
            Some(Value::Number(n)) => format!("{base}[{n}]"),
            _ => base,
        };
        let values = inst.get("attributes").unwrap_or(&Value::Null);
        let needle = format!("\"name\": \"{name}\"");
        let needle = if em.line_of(&needle).is_some() {
            needle
        } else {
            name.to_string()
        };
        emit(
            em,
            &Resource {
                typ,
                address: &address,
                values,
                needle: &needle,
                action: None,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> crate::detect::DetectOutcome {
        let doc = super::super::common::parse_text(text).unwrap();
        assert!(recognise(&doc));
        let mut em = Emitter::new("t.json", text, "terraform-json");
        extract(&doc, &mut em);
        em.out
    }

    #[test]
    fn plan_skips_deletes_and_keeps_replace() {
        let out = run(
            r#"{"format_version":"1.2","terraform_version":"1.11.4","resource_changes":[
            {"address":"aws_sagemaker_endpoint.old","mode":"managed","type":"aws_sagemaker_endpoint","name":"old",
             "change":{"actions":["delete"],"before":{"name":"old"},"after":null}},
            {"address":"aws_sagemaker_endpoint.new","mode":"managed","type":"aws_sagemaker_endpoint","name":"new",
             "change":{"actions":["delete","create"],"after":{"name":"new","endpoint_config_name":"cfg"}}},
            {"address":"aws_iam_role.r","mode":"managed","type":"aws_iam_role","name":"r","change":{"actions":["create"],"after":{"name":"r"}}}]}"#,
        );
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].name, "new");
        assert_eq!(out.findings[0].properties["planned-action"], "replace");
    }

    #[test]
    fn raw_state_and_nested_modules() {
        let out = run(r#"{"version":4,"terraform_version":"1.11.4","resources":[
            {"module":"module.ai","mode":"managed","type":"azurerm_cognitive_deployment","name":"this",
             "instances":[{"index_key":"gpt-4o","attributes":{"name":"gpt-4o","id":"/S/accounts/A/deployments/gpt-4o","model":[{"format":"OpenAI","name":"gpt-4o","version":"1"}]}}]}]}"#);
        let dep = out
            .findings
            .iter()
            .find(|f| f.name == "gpt-4o" && f.kind == crate::bom::ComponentKind::Service)
            .unwrap();
        assert_eq!(
            dep.properties["terraform-address"],
            "module.ai.azurerm_cognitive_deployment.this[\"gpt-4o\"]"
        );
        let nested = run(
            r#"{"format_version":"1.0","values":{"root_module":{"child_modules":[{"address":"module.a","child_modules":[{"address":"module.a.module.b",
            "resources":[{"address":"module.a.module.b.aws_sagemaker_model.m","mode":"managed","type":"aws_sagemaker_model","name":"m","values":{"name":"m"}}]}]}]}}}"#,
        );
        assert_eq!(nested.findings.len(), 1);
    }
}
