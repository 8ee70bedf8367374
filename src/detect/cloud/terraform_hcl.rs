//! Terraform configuration (`*.tf`, HCL) found in a repository or given with `--cloud`.
//!
//! # What it detects
//! `resource "<type>" "<name>"` blocks of the AI resource types (see `terraform_resources.rs`)
//! and their literal attributes; nested blocks become arrays, exactly as `terraform show
//! -json` writes them, so both readers share one mapping.
//!
//! # Files claimed
//! `*.tf` (repo scans and `--cloud`).
//!
//! # Evidence and confidence
//! `terraform-hcl`, method `config-key`, confidence high for literal names; the line of the
//! `resource` block.
//!
//! # Not handled
//! Expressions are not evaluated beyond two literal substitutions: `var.x` (its literal
//! `default`) and `<type>.<name>.name` (that resource's literal name), also inside templates
//! (`"m-${var.env}"`). Any other reference or call is kept as `${…}` text and never used as an
//! identity. `count` / `for_each` give one entry. Modules are not followed. `*.tf.json` is not
//! read.
//!
//! # References
//! HCL native syntax specification; Terraform resource block syntax. Parsed with `hcl-rs`.

use super::common::Emitter;
use super::terraform_resources::{emit, is_ai_type, Resource};
use crate::bom::Method;
use crate::detect::{DetectOutcome, FileInput};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub const ID: &str = "terraform-hcl";

/// Nesting deeper than this is cut (bounded recursion).
const MAX_DEPTH: usize = 32;

/// Deepest bracket nesting the HCL parser is given (real configurations stay far below).
const MAX_PARSE_NESTING: usize = 48;

/// The deepest `{`/`[`/`(` nesting outside quoted strings (a cheap over-estimate).
fn max_nesting(text: &str) -> usize {
    let (mut depth, mut max, mut quoted, mut escaped) = (0usize, 0usize, false, false);
    for b in text.bytes() {
        if quoted {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => quoted = false,
                // `${…}` inside a string opens real expressions
                b'{' => depth += 1,
                b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            max = max.max(depth);
            continue;
        }
        match b {
            b'"' => quoted = true,
            b'{' | b'[' | b'(' => {
                depth += 1;
                max = max.max(depth);
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Literal values that references can be replaced with: `var.x` defaults and the literal
/// `name` of other resources (`aws_sagemaker_model.m.name`).
#[derive(Default)]
struct Refs {
    vars: BTreeMap<String, String>,
    names: BTreeMap<String, String>,
}

impl Refs {
    /// The value of a reference (`var.env`, `type.name.name`), if it is known literally.
    fn lookup(&self, reference: &str) -> Option<&String> {
        if let Some(v) = reference.strip_prefix("var.") {
            return self.vars.get(v);
        }
        let (addr, attr) = reference.rsplit_once('.')?;
        (attr == "name").then(|| self.names.get(addr)).flatten()
    }

    /// `${…}` interpolations in a template replaced where their value is known.
    fn template(&self, raw: &str) -> String {
        let mut out = String::new();
        let mut rest = raw;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                return out;
            };
            match self.lookup(after[..end].trim()) {
                Some(v) => out.push_str(v),
                None => out.push_str(&rest[start..start + 3 + end]),
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }

    fn expr(&self, e: &hcl::Expression, depth: usize) -> Value {
        use hcl::Expression as E;
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        match e {
            E::Null => Value::Null,
            E::Bool(b) => Value::Bool(*b),
            E::Number(n) => serde_json::to_value(n).unwrap_or(Value::Null),
            E::String(s) => Value::String(s.clone()),
            E::Array(a) => Value::Array(a.iter().map(|x| self.expr(x, depth + 1)).collect()),
            E::Object(o) => {
                let mut m = Map::new();
                for (k, v) in o {
                    let key = k.to_string();
                    m.insert(key.trim_matches('"').to_string(), self.expr(v, depth + 1));
                }
                Value::Object(m)
            }
            E::Parenthesis(inner) => self.expr(inner, depth + 1),
            E::TemplateExpr(t) => Value::String(self.template(&t.to_string())),
            // References, calls and operations: the literal they name, else readable `${…}`
            // text that is never taken for a value.
            other => {
                let text = other.to_string();
                match self.lookup(&text) {
                    Some(v) => Value::String(v.clone()),
                    None => Value::String(format!("${{{text}}}")),
                }
            }
        }
    }

    fn body(&self, body: &hcl::Body, depth: usize) -> Value {
        let mut m = Map::new();
        if depth > MAX_DEPTH {
            return Value::Object(m);
        }
        for attr in body.attributes() {
            m.insert(attr.key().to_string(), self.expr(attr.expr(), 0));
        }
        for b in body.blocks() {
            let entry = m
                .entry(b.identifier().to_string())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(a) = entry {
                a.push(self.body(b.body(), depth + 1));
            }
        }
        Value::Object(m)
    }
}

/// Name-like attributes whose literal value stands for the resource in references.
const NAME_KEYS: [&str; 4] = ["name", "agent_name", "custom_model_name", "display_name"];

fn collect_refs(body: &hcl::Body) -> Refs {
    let mut refs = Refs::default();
    for b in body.blocks() {
        let labels: Vec<&str> = b.labels().iter().map(|l| l.as_str()).collect();
        if let ("variable", [name]) = (b.identifier(), labels.as_slice()) {
            if let Some(Value::String(d)) = b
                .body()
                .attributes()
                .find(|a| a.key() == "default")
                .map(|a| refs.expr(a.expr(), 0))
            {
                if !d.contains("${") {
                    refs.vars.insert((*name).to_string(), d);
                }
            }
        }
    }
    for b in body.blocks() {
        let labels: Vec<&str> = b.labels().iter().map(|l| l.as_str()).collect();
        if let ("resource", [typ, name]) = (b.identifier(), labels.as_slice()) {
            let literal = b
                .body()
                .attributes()
                .find(|a| NAME_KEYS.contains(&a.key()))
                .map(|a| refs.expr(a.expr(), 0));
            if let Some(Value::String(n)) =
                literal.filter(|v| v.as_str().is_some_and(|s| !s.contains("${")))
            {
                refs.names.insert(format!("{typ}.{name}"), n);
            }
        }
    }
    refs
}

pub fn detect(input: &FileInput, _ctx: &crate::detect::Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e.to_string()),
    };
    // Cheap pre-check: most .tf files in a repo have no AI resource at all.
    if ![
        "aws_sagemaker_",
        "aws_bedrock",
        "azurerm_cognitive_",
        "azurerm_machine_learning_",
        "azurerm_ai_",
        "google_vertex_ai_",
        "google_project_service",
    ]
    .iter()
    .any(|t| text.contains(t))
    {
        return DetectOutcome::default();
    }
    // The HCL parser recurses per nesting level: refuse pathological nesting before parsing.
    if max_nesting(text) > MAX_PARSE_NESTING {
        return DetectOutcome::failure(
            input,
            ID,
            format!("HCL nested deeper than {MAX_PARSE_NESTING} levels; not parsed"),
        );
    }
    let body = match hcl::parse(text) {
        Ok(b) => b,
        Err(e) => {
            let msg = e.to_string();
            let first = msg.lines().next().unwrap_or("parse error");
            return DetectOutcome::failure(input, ID, format!("malformed HCL: {first}"));
        }
    };
    let refs = collect_refs(&body);
    let mut em = Emitter::new(&input.rel_path, text, ID);
    for b in body.blocks() {
        if b.identifier() != "resource" {
            continue;
        }
        let labels: Vec<&str> = b.labels().iter().map(|l| l.as_str()).collect();
        let [typ, name] = labels.as_slice() else {
            continue;
        };
        if !is_ai_type(typ) {
            continue;
        }
        let values = refs.body(b.body(), 0);
        let address = format!("{typ}.{name}");
        let quoted = format!("\"{typ}\" \"{name}\"");
        let needle = if em.line_of(&quoted).is_some() {
            quoted
        } else {
            (*name).to_string()
        };
        emit(
            &mut em,
            &Resource {
                typ,
                address: &address,
                values: &values,
                needle: &needle,
                action: None,
            },
        );
    }
    let mut out = em.out;
    for f in &mut out.findings {
        f.evidence.method = Method::ConfigKey;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bom::ComponentKind;

    fn run(text: &str) -> DetectOutcome {
        let input = FileInput::from_bytes("main.tf", text.as_bytes().to_vec());
        detect(&input, &crate::detect::Context::default())
    }

    #[test]
    fn resource_blocks_and_literal_attributes() {
        let out = run(r#"
resource "azurerm_cognitive_account" "oa" {
  name                = "contoso-oa"
  kind                = "OpenAI"
  sku_name            = "S0"
  local_auth_enabled  = true
  resource_group_name = azurerm_resource_group.rg.name
}

resource "azurerm_cognitive_deployment" "chat" {
  name                 = "chat"
  cognitive_account_id = azurerm_cognitive_account.oa.id
  model {
    format  = "OpenAI"
    name    = "gpt-4o"
    version = "2024-08-06"
  }
  sku {
    name = "GlobalStandard"
  }
}

resource "aws_s3_bucket" "b" { bucket = "x" }
"#);
        assert!(!out.failed);
        let ids: Vec<String> = out.findings.iter().map(|f| f.id()).collect();
        assert!(
            ids.contains(&"model:azure-openai/chat".to_string()),
            "{ids:?}"
        );
        assert!(ids.contains(&"service:terraform/azurerm_cognitive_account.oa".to_string()));
        let dep = out
            .findings
            .iter()
            .find(|f| f.kind == ComponentKind::Service && f.name == "chat")
            .unwrap();
        assert_eq!(dep.properties["model-name"], "gpt-4o");
        assert_eq!(dep.evidence.line, Some(10));
        assert!(out.risks.iter().any(|r| r.rule == "AIBOM-CLOUD-KEY-AUTH"));
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = format!(
            "resource \"aws_sagemaker_model\" \"m\" {{\n  name = {}{}\n}}\n",
            "[".repeat(50_000),
            "]".repeat(50_000)
        );
        let out = run(&deep);
        assert!(out.failed && out.warnings[0].message.contains("nested deeper"));
        let ok = format!(
            "resource \"aws_sagemaker_model\" \"m\" {{\n  name = \"m\"\n  tags = {}{}\n}}\n",
            "[".repeat(40),
            "]".repeat(40)
        );
        assert!(!run(&ok).failed);
    }

    #[test]
    fn malformed_hcl_is_a_warning() {
        let out = run("resource \"aws_sagemaker_model\" \"m\" {\n  name = \n");
        assert!(out.failed);
        assert!(out.warnings[0].message.starts_with("malformed HCL"));
    }
}
