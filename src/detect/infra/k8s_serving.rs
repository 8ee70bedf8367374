//! Model-serving custom resources in Kubernetes manifests: KServe, Seldon and KubeRay.
//!
//! # What it detects
//! Keyed on the `apiVersion` group plus `kind` (Seldon Core 2's `Model` and other projects'
//! `Model` kinds collide on the kind alone):
//! - `serving.kserve.io` `InferenceService`: the predictor's `model` (or old-style framework
//!   key) `storageUri` and a `--model_id`/`--model-id`/`--model` in its `args` → `model`;
//! - `serving.kserve.io` `LLMInferenceService`: `spec.model.uri` (`hf://org/name` → hub model);
//! - `machinelearning.seldon.io` `SeldonDeployment`: every graph node's `modelUri`;
//! - `mlops.seldon.io` `Model` (Seldon Core 2): `spec.storageUri`;
//! - `ray.io` `RayService`: `spec.serveConfigV2`, a YAML document inside a string, parsed
//!   again (bounded) for `applications[].args.llm_configs[].model_loading_config`.
//!
//! Each InferenceService, LLMInferenceService, SeldonDeployment and RayService is also an AI
//! endpoint: a `service` with identity `k8s/<namespace>/<kind>/<name>` (namespace `default`
//! when the manifest has none) that depends on the models it serves, on the AI containers of
//! the same object, and on the containers of the `ServingRuntime` its `runtime:` names (or
//! that auto-selects its model format) in the same file.
//!
//! # Files claimed
//! None itself: called by the `kubernetes` detector for every object it parsed.
//!
//! # Evidence and confidence
//! Storage URIs high, model ids from args or serve configs medium, endpoints high at the line
//! of `metadata.name`.
//!
//! # Not handled
//! `storage: {key, path}` references, InferenceGraph, TrainedModel, Seldon `Server`/`Pipeline`,
//! RayCluster/RayJob entrypoints; runtimes in another file of the scan are not linked.
//!
//! # References
//! <https://kserve.github.io/website/latest/reference/api/>,
//! <https://docs.seldon.io/projects/seldon-core/en/latest/reference/seldon-deployment.html>,
//! <https://docs.ray.io/en/latest/serve/production-guide/kubernetes.html>

use super::k8s::ID;
use super::yaml_text::{self, scalar, Lines};
use crate::bom::{normalize, ComponentKind, Confidence, Evidence, Finding, Method};
use crate::detect::config::model_ref::{self, ServeHint};
use serde_yaml_ng::Value;
use std::collections::BTreeMap;

/// The largest `serveConfigV2` string parsed again.
const MAX_SERVE_CONFIG: usize = 256 * 1024;

/// KServe's old-style predictor keys that name a framework.
const FRAMEWORKS: &[&str] = &[
    "sklearn",
    "xgboost",
    "lightgbm",
    "tensorflow",
    "pytorch",
    "onnx",
    "triton",
    "pmml",
    "paddle",
    "huggingface",
];

/// One Kubernetes object with the line range it was written in.
pub struct Object {
    pub v: Value,
    pub from: u32,
    pub to: u32,
}

impl Object {
    fn meta(&self, key: &str) -> Option<String> {
        self.v
            .get("metadata")
            .and_then(|m| m.get(key))
            .and_then(scalar)
    }

    pub fn kind(&self) -> &str {
        self.v.get("kind").and_then(Value::as_str).unwrap_or("")
    }

    /// The API group: `apiVersion` before the `/` (empty for the core group).
    pub fn group(&self) -> &str {
        let api = self
            .v
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        api.rsplit_once('/').map(|(g, _)| g).unwrap_or("")
    }
}

struct Cx<'a> {
    lines: &'a Lines<'a>,
    path: &'a str,
}

impl Cx<'_> {
    fn evidence(&self, o: &Object, key: Option<&str>, needle: &str, conf: Confidence) -> Evidence {
        let line = match key {
            Some(k) => self.lines.locate(o.from, o.to, k, needle),
            None => self
                .lines
                .find(o.from, o.to, None, needle)
                .unwrap_or(o.from),
        };
        let mut ev = Evidence::new(self.path, Some(line), ID, Method::ConfigKey, conf);
        ev.snippet = self.lines.get(line).map(crate::detect::util::snippet);
        ev
    }
}

/// Findings and warnings for the serving resources among `objects`. `containers[i]` holds the
/// component ids of the AI containers already reported for `objects[i]`.
pub fn report(
    objects: &[Object],
    containers: &[Vec<String>],
    lines: &Lines,
    path: &str,
) -> (Vec<Finding>, Vec<String>) {
    let cx = Cx { lines, path };
    let none = Vec::new();
    let ids = |i: usize| containers.get(i).unwrap_or(&none);
    // ServingRuntimes of this file: by name, and by the formats they auto-select
    let mut runtimes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut auto: Vec<(String, String)> = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        if o.group() != "serving.kserve.io"
            || !matches!(o.kind(), "ServingRuntime" | "ClusterServingRuntime")
        {
            continue;
        }
        let Some(name) = o.meta("name") else { continue };
        let formats =
            o.v.get("spec")
                .and_then(|s| s.get("supportedModelFormats"))
                .and_then(Value::as_sequence);
        for f in formats.into_iter().flatten() {
            let on = f.get("autoSelect").and_then(Value::as_bool) == Some(true);
            if let (true, Some(n)) = (on, f.get("name").and_then(scalar)) {
                auto.push((n.to_ascii_lowercase(), name.clone()));
            }
        }
        runtimes
            .entry(name)
            .or_default()
            .extend(ids(i).iter().cloned());
    }
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        let found = match (o.group(), o.kind()) {
            ("serving.kserve.io", "InferenceService") => {
                inference_service(&cx, o, &runtimes, &auto)
            }
            ("serving.kserve.io", "LLMInferenceService") => llm_inference_service(&cx, o),
            ("machinelearning.seldon.io", "SeldonDeployment") => seldon_deployment(&cx, o),
            ("mlops.seldon.io", "Model") => {
                out.extend(seldon_model(&cx, o));
                continue;
            }
            ("ray.io", "RayService") => ray_service(&cx, o, &mut warnings),
            _ => continue,
        };
        let Some((mut endpoint, models, runtime_ids)) = found else {
            continue;
        };
        endpoint.depends_on.extend(models.iter().map(Finding::id));
        endpoint.depends_on.extend(ids(i).iter().cloned());
        endpoint.depends_on.extend(runtime_ids);
        endpoint.depends_on.sort();
        endpoint.depends_on.dedup();
        out.push(endpoint);
        out.extend(models);
    }
    (out, warnings)
}

type Endpoint = (Finding, Vec<Finding>, Vec<String>);

/// The endpoint `service` of a serving resource.
fn endpoint(cx: &Cx, o: &Object, provider: &str) -> Option<Finding> {
    let name = o.meta("name").filter(|n| !n.is_empty())?;
    let ns = o.meta("namespace");
    let kind = o.kind();
    let ev = cx.evidence(o, Some("name"), &name, Confidence::High);
    let identity = format!("k8s/{}/{kind}/{name}", ns.as_deref().unwrap_or("default"));
    let mut f = Finding::new(ComponentKind::Service, name.as_str(), ev)
        .with_identity(identity)
        .with_provider(provider)
        .prop("resource-type", kind);
    if let Some(ns) = ns {
        f = f.prop("namespace", ns);
    }
    Some(f)
}

/// A model named by a storage URI: a hub id for `hf://org/name`, else the URI itself.
pub fn uri_model(uri: &str, fallback_name: &str, ev: Evidence) -> Option<Finding> {
    let uri = uri.trim();
    if uri.is_empty() {
        return None;
    }
    if let Some(id) = uri.strip_prefix("hf://") {
        let purl = normalize::huggingface_purl(id)?;
        return Some(
            Finding::new(ComponentKind::Model, id, ev)
                .with_purl(purl)
                .with_provider("huggingface")
                .prop("source", "hub-reference"),
        );
    }
    let name = uri
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        // `…/model` and `…/models` say nothing; the resource's own name does
        .filter(|s| !s.is_empty() && !s.ends_with(':') && !matches!(*s, "model" | "models"))
        .unwrap_or(fallback_name);
    Some(
        Finding::new(ComponentKind::Model, name, ev)
            .with_identity(uri.to_string())
            .prop("storage-uri", uri)
            .prop("source", "deployment"),
    )
}

/// A model id or URI from a serving config value.
fn model_value(value: &str, ev: Evidence) -> Option<Finding> {
    if value.contains("://") {
        uri_model(value, value, ev)
    } else {
        model_ref::from_value(value, ServeHint::None, ev)
    }
}

fn inference_service(
    cx: &Cx,
    o: &Object,
    runtimes: &BTreeMap<String, Vec<String>>,
    auto: &[(String, String)],
) -> Option<Endpoint> {
    let mut ep = endpoint(cx, o, "kserve")?;
    let name = ep.name.clone();
    let pred =
        o.v.get("spec")
            .and_then(|s| s.get("predictor"))
            .and_then(Value::as_mapping);
    let mut models = Vec::new();
    let mut format = None;
    let mut runtime = None;
    for (k, spec) in pred.into_iter().flatten() {
        let key = k.as_str().unwrap_or("");
        if !(key == "model" || FRAMEWORKS.contains(&key)) || !spec.is_mapping() {
            continue;
        }
        let fmt = match key {
            "model" => spec
                .get("modelFormat")
                .and_then(|f| f.get("name"))
                .and_then(scalar),
            other => Some(other.to_string()),
        };
        let rt = spec.get("runtime").and_then(scalar);
        let mut here = Vec::new();
        if let Some(uri) = spec.get("storageUri").and_then(scalar) {
            let ev = cx.evidence(o, Some("storageUri"), &uri, Confidence::High);
            here.extend(uri_model(&uri, &name, ev));
        }
        let args = super::workload::args_of(spec.get("args"));
        for (_, value) in model_ref::model_args(&args) {
            let ev = cx.evidence(o, None, &value, Confidence::Medium);
            here.extend(model_ref::from_value(&value, ServeHint::None, ev));
        }
        for mut f in here {
            f = f.prop("inference-service", name.as_str());
            if let Some(fmt) = &fmt {
                f = f.prop("model-format", fmt.as_str());
            }
            if let Some(rt) = &rt {
                f = f.prop("runtime", rt.as_str());
            }
            models.push(f);
        }
        format = format.or(fmt);
        runtime = runtime.or(rt);
    }
    // the runtime KServe would pick: the named one, else one that auto-selects the format
    let picked = runtime.clone().or_else(|| {
        let fmt = format.as_deref()?.to_ascii_lowercase();
        auto.iter().find(|(f, _)| *f == fmt).map(|(_, n)| n.clone())
    });
    let runtime_ids = picked
        .and_then(|r| runtimes.get(&r).cloned())
        .unwrap_or_default();
    if let Some(f) = format {
        ep = ep.prop("model-format", f);
    }
    if let Some(r) = runtime {
        ep = ep.prop("runtime", r);
    }
    Some((ep, models, runtime_ids))
}

fn llm_inference_service(cx: &Cx, o: &Object) -> Option<Endpoint> {
    let ep = endpoint(cx, o, "kserve")?;
    let model = o.v.get("spec").and_then(|s| s.get("model"));
    let mut models = Vec::new();
    if let Some(uri) = model.and_then(|m| m.get("uri")).and_then(scalar) {
        let ev = cx.evidence(o, Some("uri"), &uri, Confidence::High);
        models.extend(
            uri_model(&uri, &ep.name, ev).map(|f| f.prop("inference-service", ep.name.as_str())),
        );
    }
    Some((ep, models, Vec::new()))
}

fn seldon_deployment(cx: &Cx, o: &Object) -> Option<Endpoint> {
    let mut ep = endpoint(cx, o, "seldon")?;
    let mut models = Vec::new();
    let mut runtime = None;
    let preds =
        o.v.get("spec")
            .and_then(|s| s.get("predictors"))
            .and_then(Value::as_sequence);
    for p in preds.into_iter().flatten() {
        let mut stack: Vec<&Value> = p.get("graph").into_iter().collect();
        let mut guard = 0;
        while let Some(node) = stack.pop() {
            guard += 1;
            if guard > 256 {
                break;
            }
            let implementation = node.get("implementation").and_then(scalar);
            if let Some(uri) = node.get("modelUri").and_then(scalar) {
                let name = ep.name.clone();
                let ev = cx.evidence(o, Some("modelUri"), &uri, Confidence::High);
                if let Some(mut f) = uri_model(&uri, &name, ev) {
                    if let Some(i) = &implementation {
                        f = f.prop("runtime", i.as_str());
                    }
                    models.push(f);
                }
            }
            runtime = runtime.or(implementation);
            if let Some(children) = node.get("children").and_then(Value::as_sequence) {
                stack.extend(children.iter().rev());
            }
        }
    }
    if let Some(r) = runtime {
        ep = ep.prop("runtime", r);
    }
    Some((ep, models, Vec::new()))
}

/// Seldon Core 2 `Model`: a model, named after the resource, at `spec.storageUri`.
fn seldon_model(cx: &Cx, o: &Object) -> Option<Finding> {
    let name = o.meta("name").filter(|n| !n.is_empty())?;
    let spec = o.v.get("spec")?;
    let uri = spec.get("storageUri").and_then(scalar)?;
    let ev = cx.evidence(o, Some("storageUri"), &uri, Confidence::High);
    let mut f = uri_model(&uri, &name, ev)?;
    if f.provider.is_none() {
        f.name = name;
        f = f.with_provider("seldon");
    }
    f = f.prop("resource-type", "Model (mlops.seldon.io)");
    if let Some(ns) = o.meta("namespace") {
        f = f.prop("namespace", ns);
    }
    let reqs: Vec<String> = spec
        .get("requirements")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(scalar)
        .collect();
    if !reqs.is_empty() {
        f = f.prop("requirements", reqs.join(", "));
    }
    Some(f)
}

fn ray_service(cx: &Cx, o: &Object, warnings: &mut Vec<String>) -> Option<Endpoint> {
    let ep = endpoint(cx, o, "ray-serve")?;
    let parsed;
    let config = match o.v.get("spec").and_then(|s| s.get("serveConfigV2")) {
        Some(Value::String(s)) if s.len() > MAX_SERVE_CONFIG => {
            warnings.push(format!(
                "RayService {}: serveConfigV2 over {MAX_SERVE_CONFIG} bytes; not parsed",
                ep.name
            ));
            None
        }
        Some(Value::String(s)) => match yaml_text::parse(s) {
            Ok(v) => {
                parsed = v;
                Some(&parsed)
            }
            Err(e) => {
                warnings.push(format!("RayService {}: serveConfigV2: {e}", ep.name));
                None
            }
        },
        Some(v @ Value::Mapping(_)) => Some(v),
        _ => None,
    };
    let mut models = Vec::new();
    let apps = config
        .and_then(|c| c.get("applications"))
        .and_then(Value::as_sequence);
    for app in apps.into_iter().flatten().take(256) {
        let configs = app
            .get("args")
            .and_then(|a| a.get("llm_configs"))
            .and_then(Value::as_sequence);
        for c in configs.into_iter().flatten().take(256) {
            let Some(load) = c.get("model_loading_config") else {
                continue;
            };
            let id = load.get("model_id").and_then(scalar);
            let source = load.get("model_source").and_then(scalar);
            let Some(value) = source.clone().or_else(|| id.clone()) else {
                continue;
            };
            let key = if source.is_some() {
                "model_source"
            } else {
                "model_id"
            };
            let ev = cx.evidence(o, Some(key), &value, Confidence::Medium);
            let Some(mut f) = model_value(&value, ev) else {
                continue;
            };
            if let (Some(id), true) = (&id, source.is_some()) {
                f = f.prop("served-model-name", id.as_str());
            }
            if let Some(a) = app.get("name").and_then(scalar) {
                f = f.prop("ray-application", a);
            }
            models.push(f);
        }
    }
    Some((ep, models, Vec::new()))
}
