//! Azure Resource Manager templates and compiled Bicep (`az bicep build`, `az group export`,
//! the portal's "Export template").
//!
//! # What it detects
//! - `Microsoft.CognitiveServices/accounts` → `service` (public network access, local auth
//!   when the template sets them); `…/accounts/deployments` → `service` plus the
//!   `azure-openai/<deployment-name>` `model` (see `azure_cognitive.rs`), with model
//!   format/name/version, SKU and RAI policy.
//! - `Microsoft.MachineLearningServices/workspaces` → `service`; `…/onlineEndpoints` →
//!   `service` (auth mode, public network access); `…/onlineEndpoints/deployments` → `service`
//!   linked to the model it serves; `…/serverlessEndpoints` → `service` linked to its model.
//! - Names are resolved: `parameters()` (default or the value a parent deployment passes),
//!   `variables()`, `format()`, `concat()`, `toLower()`, `toUpper()`; what cannot be resolved
//!   stays raw and the expression is kept as `name-expr`.
//! - Walks the array and the `languageVersion 2.0` object forms, nested child `resources[]`
//!   (short types qualified by the parent) and `Microsoft.Resources/deployments` inner templates.
//!
//! # Files claimed
//! Repo scans: `*.json` whose head has `deploymentTemplate.json#`. `--cloud`: any JSON with
//! that `$schema`, or `resources` plus `contentVersion`.
//!
//! # Evidence and confidence
//! `arm-template`, method `cloud-export`, confidence high; line of the resource's name.
//!
//! # Not handled
//! `templateLink` (a URI, not followed offline), `copy` expansion (one entry, raw name),
//! `existing` references (declared elsewhere), conditions.
//!
//! # References
//! ARM template syntax and template functions documentation.

use super::azure_cognitive::{self as az, Account, Deployment};
use super::azure_ml::{emit_model_ref, endpoint_risks};
use super::common::{s, scalar, Emitter};
use crate::bom::ComponentKind;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

const MAX_DEPTH: usize = 16;

pub fn recognise(doc: &Value) -> bool {
    let Some(o) = doc.as_object() else {
        return false;
    };
    s(doc, "$schema").is_some_and(|x| x.contains("deploymentTemplate.json"))
        || o.contains_key("contentVersion") && o.contains_key("resources")
}

#[derive(Default, Clone)]
struct Scope {
    params: BTreeMap<String, Value>,
    vars: BTreeMap<String, Value>,
}

impl Scope {
    fn new(tpl: &Value, passed: Option<&Map<String, Value>>, outer: Option<&Scope>) -> Scope {
        let mut sc = Scope::default();
        if let Some(ps) = tpl.get("parameters").and_then(Value::as_object) {
            for (k, p) in ps {
                if let Some(d) = p.get("defaultValue") {
                    sc.params.insert(k.clone(), d.clone());
                }
            }
        }
        if let (Some(passed), Some(outer)) = (passed, outer) {
            for (k, p) in passed {
                if let Some(v) = p.get("value") {
                    let v = match v.as_str().and_then(|e| outer.eval_str(e)) {
                        Some(r) => Value::String(r),
                        None => v.clone(),
                    };
                    sc.params.insert(k.clone(), v);
                }
            }
        }
        if let Some(vs) = tpl.get("variables").and_then(Value::as_object) {
            sc.vars = vs.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        }
        sc
    }

    /// Resolve a string that may be an ARM expression (`[…]`); `None` when it cannot be.
    fn eval_str(&self, s: &str) -> Option<String> {
        self.eval_str_at(s, 0)
    }

    /// `depth` carries through `variables()` that hold expressions, so cycles end.
    fn eval_str_at(&self, s: &str, depth: usize) -> Option<String> {
        let t = s.trim();
        if t.starts_with("[[") {
            return Some(t[1..].to_string());
        }
        match t.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
            Some(expr) => self.eval(expr.trim(), depth),
            None => Some(t.to_string()),
        }
    }

    fn eval(&self, e: &str, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        let e = e.trim();
        if let Some(lit) = e.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')) {
            return Some(lit.replace("''", "'"));
        }
        if !e.is_empty() && e.chars().all(|c| c.is_ascii_digit()) {
            return Some(e.to_string());
        }
        let open = e.find('(')?;
        if !e.ends_with(')') {
            return None; // property access or index after the call
        }
        let func = e[..open].trim().to_ascii_lowercase();
        let args: Vec<String> = split_args(&e[open + 1..e.len() - 1])?
            .iter()
            .map(|a| self.eval(a, depth + 1))
            .collect::<Option<Vec<_>>>()?;
        let value_of = |v: &Value| -> Option<String> {
            match v {
                Value::String(x) => self.eval_str_at(x, depth + 1),
                Value::Number(n) => Some(n.to_string()),
                Value::Bool(b) => Some(b.to_string()),
                _ => None,
            }
        };
        match (func.as_str(), args.as_slice()) {
            ("parameters", [p]) => value_of(self.params.get(p)?),
            ("variables", [v]) => value_of(self.vars.get(v)?),
            ("concat", parts) => Some(parts.concat()),
            ("tolower", [x]) => Some(x.to_lowercase()),
            ("toupper", [x]) => Some(x.to_uppercase()),
            ("format", [fmt, rest @ ..]) => {
                let mut out = fmt.clone();
                for (i, a) in rest.iter().enumerate() {
                    out = out.replace(&format!("{{{i}}}"), a);
                }
                Some(out)
            }
            _ => None,
        }
    }

    /// A value as text: resolved when possible, else raw.
    fn text(&self, v: &Value) -> Option<String> {
        match v {
            Value::String(x) => Some(self.eval_str(x).unwrap_or_else(|| x.clone())),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    fn prop(&self, v: &Value, key: &str) -> Option<String> {
        v.get(key)
            .and_then(|x| self.text(x))
            .filter(|x| !x.is_empty())
    }
}

/// Split call arguments at top-level commas (outside quotes and parentheses).
fn split_args(s: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    for (i, c) in s.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' | '[' if !quoted => depth += 1,
            ')' | ']' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                out.push(s[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    if quoted || depth != 0 {
        return None;
    }
    let last = s[start..].trim();
    if !last.is_empty() {
        out.push(last);
    }
    Some(out)
}

pub fn extract(doc: &Value, em: &mut Emitter) {
    let scope = Scope::new(doc, None, None);
    walk(doc.get("resources"), &scope, None, em, 0);
    link_endpoints(em);
}

fn resources_of(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(Value::Object(o)) => o.values().collect(),
        _ => Vec::new(),
    }
}

fn walk(
    list: Option<&Value>,
    sc: &Scope,
    parent: Option<(&str, &str)>,
    em: &mut Emitter,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        em.warn("ARM template nested too deeply; the rest was not read");
        return;
    }
    for res in resources_of(list) {
        if res.get("existing").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let (Some(typ), Some(raw_name)) = (s(res, "type"), s(res, "name")) else {
            continue;
        };
        let resolved = sc.eval_str(raw_name);
        let short = resolved.clone().unwrap_or_else(|| raw_name.to_string());
        let (typ, name) = match parent {
            Some((pt, pn)) if !typ.contains('/') => {
                (format!("{pt}/{typ}"), format!("{pn}/{short}"))
            }
            _ => (typ.to_string(), short),
        };
        let expr = (resolved.is_none() || raw_name.starts_with('[')).then_some(raw_name);
        if typ.eq_ignore_ascii_case("Microsoft.Resources/deployments") {
            let props = res.get("properties").unwrap_or(&Value::Null);
            if let Some(inner) = props.get("template") {
                let passed = props.get("parameters").and_then(Value::as_object);
                let inner_scope = Scope::new(inner, passed, Some(sc));
                walk(inner.get("resources"), &inner_scope, None, em, depth + 1);
            } else if props.get("templateLink").is_some() {
                em.warn(format!(
                    "nested deployment {name} links an external template (templateLink), which is not followed"
                ));
            }
            continue;
        }
        resource(em, sc, res, &typ, &name, expr, raw_name);
        if res.get("resources").is_some() {
            walk(res.get("resources"), sc, Some((&typ, &name)), em, depth + 1);
        }
    }
}

fn identity(typ: &str, name: &str) -> String {
    format!("azure-arm/{}/{}", typ, name).to_ascii_lowercase()
}

fn resource(
    em: &mut Emitter,
    sc: &Scope,
    res: &Value,
    typ: &str,
    name: &str,
    expr: Option<&str>,
    needle: &str,
) {
    let props = res.get("properties").unwrap_or(&Value::Null);
    let lt = typ.to_ascii_lowercase();
    let before = em.out.findings.len();
    let last = name.rsplit('/').next().unwrap_or(name);
    match lt.as_str() {
        "microsoft.cognitiveservices/accounts" => {
            let kind = sc.prop(res, "kind");
            let public = sc
                .prop(props, "publicNetworkAccess")
                .map(|p| p.eq_ignore_ascii_case("enabled"));
            let key_auth = props
                .get("disableLocalAuth")
                .and_then(Value::as_bool)
                .map(|d| !d);
            let sku = res.get("sku").and_then(|x| sc.prop(x, "name"));
            az::emit_account(
                em,
                &Account {
                    name,
                    identity: identity(typ, name),
                    kind: kind.as_deref(),
                    endpoint: None,
                    region: None,
                    sku: sku.as_deref(),
                    public,
                    key_auth,
                    needle,
                },
            );
        }
        "microsoft.cognitiveservices/accounts/deployments" => {
            let account = name.split('/').next().unwrap_or(name);
            let model = props.get("model").unwrap_or(&Value::Null);
            let (fmt, mname, mver) = (
                sc.prop(model, "format"),
                sc.prop(model, "name"),
                sc.prop(model, "version"),
            );
            let sku = res.get("sku").unwrap_or(&Value::Null);
            let sku_name = sc.prop(sku, "name");
            let rai = sc.prop(props, "raiPolicyName");
            az::emit_deployment(
                em,
                &Deployment {
                    name: last,
                    identity: identity(typ, name),
                    account: Some(account),
                    account_id: Some(format!(
                        "service:{}",
                        identity("Microsoft.CognitiveServices/accounts", account)
                    )),
                    model_format: fmt.as_deref(),
                    model_name: mname.as_deref(),
                    model_version: mver.as_deref(),
                    sku: sku_name.as_deref(),
                    capacity: scalar(sku, "capacity"),
                    rai_policy: props.get("raiPolicyName").map(|_| rai.as_deref()),
                    needle,
                },
            );
        }
        "microsoft.machinelearningservices/workspaces" => {
            let mut f = em
                .finding(
                    ComponentKind::Service,
                    name,
                    &identity(typ, name),
                    "azure-ml",
                    needle,
                )
                .prop("resource-type", "ml-workspace");
            if let Some(k) = sc.prop(res, "kind") {
                f = f.prop("workspace-kind", k);
            }
            if let Some(p) = sc.prop(props, "publicNetworkAccess") {
                f = f.prop("public-network-access", p.to_ascii_lowercase());
            }
            em.push(f);
        }
        "microsoft.machinelearningservices/workspaces/onlineendpoints"
        | "microsoft.machinelearningservices/workspaces/serverlessendpoints" => {
            let mut f = em
                .finding(
                    ComponentKind::Service,
                    name,
                    &identity(typ, name),
                    "azure-ml",
                    needle,
                )
                .prop(
                    "resource-type",
                    if lt.ends_with("onlineendpoints") {
                        "online-endpoint"
                    } else {
                        "serverless-endpoint"
                    },
                );
            let auth = sc.prop(props, "authMode");
            let public = sc.prop(props, "publicNetworkAccess");
            if let Some(a) = &auth {
                f = f.prop("auth-mode", a.to_ascii_lowercase());
            }
            if let Some(p) = &public {
                f = f.prop("public-network-access", p.to_ascii_lowercase());
            }
            if let Some(m) = props
                .get("modelSettings")
                .and_then(|m| sc.prop(m, "modelId"))
            {
                let mid = emit_model_ref(em, &m);
                f.depends_on.push(mid);
            }
            endpoint_risks(em, &f, auth.as_deref(), public.as_deref());
            em.push(f);
        }
        "microsoft.machinelearningservices/workspaces/onlineendpoints/deployments" => {
            let mut f = em
                .finding(
                    ComponentKind::Service,
                    name,
                    &identity(typ, name),
                    "azure-ml",
                    needle,
                )
                .prop("resource-type", "online-deployment");
            if let Some(i) = sc.prop(props, "instanceType") {
                f = f.prop("instance-type", i);
            }
            if let Some(m) = sc.prop(props, "model") {
                let mid = emit_model_ref(em, &m);
                f.depends_on.push(mid);
            }
            em.push(f);
        }
        _ => {}
    }
    if let Some(e) = expr {
        for f in em.out.findings.iter_mut().skip(before) {
            if f.kind == ComponentKind::Service {
                f.properties.insert("name-expr".into(), e.into());
            }
        }
    }
}

/// An online endpoint depends on the deployments declared under it (`ws/ep/dep` under `ws/ep`).
fn link_endpoints(em: &mut Emitter) {
    let is = |f: &crate::bom::Finding, t: &str| {
        f.properties.get("resource-type").and_then(Value::as_str) == Some(t)
    };
    let deps: Vec<(String, String)> = em
        .out
        .findings
        .iter()
        .filter(|f| is(f, "online-deployment"))
        .map(|f| (f.name.to_ascii_lowercase(), f.id()))
        .collect();
    for f in em
        .out
        .findings
        .iter_mut()
        .filter(|f| is(f, "online-endpoint"))
    {
        let prefix = format!("{}/", f.name.to_ascii_lowercase());
        for (name, id) in &deps {
            if name.starts_with(&prefix) {
                f.depends_on.push(id.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_resolve() {
        let tpl = serde_json::json!({"parameters": {"acct": {"defaultValue": "a1"}}, "variables": {"v": "[concat(parameters('acct'), '-x')]"}});
        let sc = Scope::new(&tpl, None, None);
        assert_eq!(
            sc.eval_str("[format('{0}/{1}', parameters('acct'), 'gpt')]")
                .as_deref(),
            Some("a1/gpt")
        );
        assert_eq!(sc.eval_str("[variables('v')]").as_deref(), Some("a1-x"));
        assert_eq!(sc.eval_str("[toLower('AB')]").as_deref(), Some("ab"));
        assert_eq!(sc.eval_str("[uniqueString(resourceGroup().id)]"), None);
        assert_eq!(sc.eval_str("plain").as_deref(), Some("plain"));
        assert_eq!(split_args("'a,b', f(x, y)"), Some(vec!["'a,b'", "f(x, y)"]));
        let cyclic =
            serde_json::json!({"variables": {"a": "[variables('b')]", "b": "[variables('a')]"}});
        assert_eq!(
            Scope::new(&cyclic, None, None).eval_str("[variables('a')]"),
            None
        );
    }

    #[test]
    fn nested_deployment_and_symbolic_form() {
        let text = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "languageVersion": "2.0", "contentVersion": "1.0.0.0",
          "parameters": {"n": {"defaultValue": "outer"}},
          "resources": {"mod": {"type": "Microsoft.Resources/deployments", "name": "m",
             "properties": {"parameters": {"acct": {"value": "[parameters('n')]"}}, "template": {"parameters": {"acct": {"type": "string"}},
               "resources": [{"type": "Microsoft.CognitiveServices/accounts", "name": "[parameters('acct')]", "kind": "OpenAI", "properties": {},
                  "resources": [{"type": "deployments", "name": "chat", "properties": {"model": {"format": "OpenAI", "name": "gpt-4o", "version": "1"}}}]}]}}},
            "ex": {"type": "Microsoft.CognitiveServices/accounts", "name": "elsewhere", "existing": true}}}"#;
        let doc: Value = serde_json::from_str(text).unwrap();
        assert!(recognise(&doc));
        let mut em = Emitter::new("a.json", text, "arm-template");
        extract(&doc, &mut em);
        let names: Vec<&str> = em.out.findings.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, vec!["outer", "chat", "chat"]);
        assert_eq!(em.out.findings[2].properties["account"], "outer");
    }
}
