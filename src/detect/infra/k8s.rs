//! Kubernetes manifests, including KServe and Seldon resources.
//!
//! # What it detects
//! In every document of a (multi-document) manifest: each container under `containers:` /
//! `initContainers:` at any depth (Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, Pods,
//! KServe `ServingRuntime` and `InferenceService` predictors, Seldon `componentSpecs`, OpenShift
//! templates) with an AI image becomes a `container`; model ids in its `args`/`command`
//! (`--model`, `--model-id=`, `--model_path hf:…`) and model-naming `env` values (`MODEL_ID`)
//! become `model`s tied to the image as `served-model`; AI provider env var names become
//! `service`s. A KServe `InferenceService` predictor's `storageUri` and a Seldon graph's
//! `modelUri` become `model`s with `model-format` and `runtime` properties.
//!
//! # Files claimed
//! `*.yaml`/`*.yml` whose first 4 KiB contain both `apiVersion:` and `kind:` (compose files,
//! workflows and Helm values are left to their own detectors).
//!
//! # Evidence and confidence
//! Images high, models and services medium, at the line of the value (found in the text).
//!
//! # Not handled
//! Helm templates with `{{ }}` are not rendered (they usually fail to parse and are skipped
//! with a warning only when the file had no template markers; templates are skipped silently).
//! Kustomize patches are not applied.
//!
//! # References
//! <https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#Container>,
//! <https://kserve.github.io/website/latest/reference/api/>, <https://docs.seldon.io/projects/seldon-core/en/latest/reference/seldon-deployment.html>

use super::workload::{self, Workload};
use super::yaml_text::{self, scalar, Lines};
use crate::bom::{normalize, ComponentKind, Confidence, Evidence, Finding, Method};
use crate::detect::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use serde_yaml_ng::Value;

pub const ID: &str = "kubernetes";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "infra",
    summary:
        "AI images, served models and provider env vars in Kubernetes, KServe and Seldon manifests",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: Some(sniff),
    detect,
};

fn claim(c: &Candidate) -> Claim {
    if !(c.ext == "yaml" || c.ext == "yml") {
        return Claim::No;
    }
    if super::compose::is_compose_name(c.name_lower)
        || super::helm::is_values_name(c.name_lower)
        || super::gh_workflow::is_workflow_path(c.rel_path)
        || matches!(c.name_lower, "dvc.yaml" | "dvc.lock")
    {
        return Claim::No;
    }
    Claim::Sniff
}

fn sniff(head: &[u8]) -> bool {
    let has = |needle: &[u8]| memchr::memmem::find(head, needle).is_some();
    has(b"apiVersion:") && has(b"kind:")
}

fn detect(input: &FileInput, _ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let mut out = DetectOutcome::default();
    let lines = Lines::new(text);
    let mut parsed = Vec::new();
    for doc in yaml_text::split_docs(text) {
        match yaml_text::parse(doc.text) {
            Ok(v) => parsed.push((doc.first_line, doc.end_line, v)),
            Err(e) => {
                // templated manifests are not YAML until rendered; not a defect of the file
                if !doc.text.contains("{{") {
                    out.warn(
                        input,
                        ID,
                        format!("document at line {}: {e}", doc.first_line),
                    );
                    out.failed = true;
                }
            }
        }
    }
    let mut workloads = Vec::new();
    for (from, to, v) in &parsed {
        let mut containers = Vec::new();
        collect_containers(v, &mut containers, 0);
        for c in containers {
            let mut args = workload::args_of(c.get("command"));
            args.extend(workload::args_of(c.get("args")));
            workloads.push(Workload {
                image: c.get("image").and_then(scalar),
                args,
                env: workload::env_of(c.get("env"), &lines, *from, *to),
                from: *from,
                to: *to,
            });
        }
    }
    let context = workloads.iter().any(Workload::is_ai);
    for w in &workloads {
        workload::report(w, context, &lines, &input.rel_path, ID, &mut out);
    }
    for (from, to, v) in &parsed {
        out.findings
            .extend(kserve_models(v, &lines, *from, *to, &input.rel_path));
        out.findings
            .extend(seldon_models(v, &lines, *from, *to, &input.rel_path));
    }
    out
}

/// Every container map under a `containers`/`initContainers` list, depth-first, in order.
fn collect_containers<'a>(v: &'a Value, out: &mut Vec<&'a Value>, depth: usize) {
    if depth > 32 {
        return;
    }
    match v {
        Value::Mapping(m) => {
            for (k, child) in m {
                let key = k.as_str().unwrap_or("");
                if matches!(key, "containers" | "initContainers") {
                    if let Value::Sequence(items) = child {
                        out.extend(items.iter().filter(|i| i.get("image").is_some()));
                        continue;
                    }
                }
                collect_containers(child, out, depth + 1);
            }
        }
        Value::Sequence(items) => items
            .iter()
            .for_each(|i| collect_containers(i, out, depth + 1)),
        _ => {}
    }
}

fn kind_of(v: &Value) -> &str {
    v.get("kind").and_then(Value::as_str).unwrap_or("")
}

/// A model named by a storage URI: a hub id for `hf://org/name`, else the URI itself.
fn uri_model(uri: &str, fallback_name: &str, ev: Evidence) -> Option<Finding> {
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
        .filter(|s| !s.is_empty() && !s.ends_with(':'))
        .unwrap_or(fallback_name);
    Some(
        Finding::new(ComponentKind::Model, name, ev)
            .with_identity(uri.to_string())
            .prop("storage-uri", uri)
            .prop("source", "deployment"),
    )
}

/// KServe `InferenceService`: `spec.predictor.model` (or a framework key) with `storageUri`.
fn kserve_models(v: &Value, lines: &Lines, from: u32, to: u32, path: &str) -> Vec<Finding> {
    if kind_of(v) != "InferenceService" {
        return Vec::new();
    }
    let name = v
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(scalar)
        .unwrap_or_default();
    let Some(pred) = v
        .get("spec")
        .and_then(|s| s.get("predictor"))
        .and_then(Value::as_mapping)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, spec) in pred {
        let Some(uri) = spec.get("storageUri").and_then(scalar) else {
            continue;
        };
        let format = match k.as_str() {
            Some("model") => spec
                .get("modelFormat")
                .and_then(|f| f.get("name"))
                .and_then(scalar),
            other => other.map(str::to_string),
        };
        let line = lines.locate(from, to, "storageUri", &uri);
        let mut ev = Evidence::new(path, Some(line), ID, Method::ConfigKey, Confidence::High);
        ev.snippet = lines.get(line).map(crate::detect::util::snippet);
        if let Some(mut f) = uri_model(&uri, &name, ev) {
            f = f.prop("inference-service", name.as_str());
            if let Some(fmt) = format {
                f = f.prop("model-format", fmt);
            }
            if let Some(rt) = spec.get("runtime").and_then(scalar) {
                f = f.prop("runtime", rt);
            }
            out.push(f);
        }
    }
    out
}

/// Seldon `SeldonDeployment`: every graph node's `modelUri`, with its `implementation`.
fn seldon_models(v: &Value, lines: &Lines, from: u32, to: u32, path: &str) -> Vec<Finding> {
    if kind_of(v) != "SeldonDeployment" {
        return Vec::new();
    }
    let mut out = Vec::new();
    let preds = v
        .get("spec")
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
            if let Some(uri) = node.get("modelUri").and_then(scalar) {
                let name = node.get("name").and_then(scalar).unwrap_or_default();
                let line = lines.locate(from, to, "modelUri", &uri);
                let mut ev =
                    Evidence::new(path, Some(line), ID, Method::ConfigKey, Confidence::High);
                ev.snippet = lines.get(line).map(crate::detect::util::snippet);
                if let Some(mut f) = uri_model(&uri, &name, ev) {
                    if let Some(i) = node.get("implementation").and_then(scalar) {
                        f = f.prop("runtime", i);
                    }
                    out.push(f);
                }
            }
            if let Some(children) = node.get("children").and_then(Value::as_sequence) {
                stack.extend(children.iter().rev());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> DetectOutcome {
        detect(
            &FileInput::from_bytes("deploy/k8s.yaml", text.as_bytes().to_vec()),
            &Context::default(),
        )
    }

    fn ids(text: &str) -> Vec<String> {
        run(text)
            .findings
            .iter()
            .map(|f| format!("{}@{}", f.id(), f.evidence.line.unwrap_or(0)))
            .collect()
    }

    #[test]
    fn deployment_with_args_and_env() {
        let text = "kind: Deployment\napiVersion: apps/v1\nspec:\n  template:\n    spec:\n      containers:\n        - name: server\n          env:\n            - name: HUGGING_FACE_HUB_TOKEN\n              value: ''\n          args: [\n            \"--model\",\n            \"mistralai/Mistral-7B-Instruct-v0.2\" ]\n          image: 'quay.io/acme/vllm-openai-ubi9:0.4.2'\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: vllm\n";
        assert_eq!(
            ids(text),
            vec![
                "container:docker/acme/vllm-openai-ubi9@0.4.2?repository_url=quay.io@14",
                "service:huggingface@9",
                "model:huggingface/mistralai/Mistral-7B-Instruct-v0.2@13",
            ]
        );
    }

    #[test]
    fn kserve_and_seldon() {
        let text = "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: llama\nspec:\n  predictor:\n    model:\n      modelFormat:\n        name: huggingface\n      runtime: vllm-runtime\n      storageUri: hf://meta-llama/Llama-3.1-8B-Instruct\n---\napiVersion: machinelearning.seldon.io/v1\nkind: SeldonDeployment\nmetadata:\n  name: iris\nspec:\n  predictors:\n  - graph:\n      implementation: SKLEARN_SERVER\n      modelUri: gs://seldon-models/v1.19.0/sklearn/iris\n      name: classifier\n    name: default\n";
        let out = run(text);
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| format!("{}@{}", f.id(), f.evidence.line.unwrap_or(0)))
            .collect();
        assert_eq!(
            ids,
            vec![
                "model:huggingface/meta-llama/Llama-3.1-8B-Instruct@11",
                "model:gs://seldon-models/v1.19.0/sklearn/iris@21",
            ]
        );
        assert_eq!(out.findings[0].properties["model-format"], "huggingface");
        assert_eq!(out.findings[1].properties["runtime"], "SKLEARN_SERVER");
    }

    #[test]
    fn remote_code_flag_is_a_risk() {
        let text = "apiVersion: serving.kserve.io/v1alpha1\nkind: ServingRuntime\nspec:\n  containers:\n    - image: quay.io/acme/sbert-runtime:1.2.0\n      args:\n        - '--model-path=/mnt/models'\n        - '--trust-remote-code=True'\n";
        let out = run(text);
        assert_eq!(out.risks.len(), 1);
        assert_eq!(out.risks[0].rule, "AIBOM-REMOTE-CODE");
        assert_eq!(out.risks[0].line, Some(8));
        let off = run(&text.replace("=True", "=False"));
        assert!(off.risks.is_empty());
    }

    #[test]
    fn near_misses_and_bad_docs() {
        // generic images, a commented-out AI image, etcd bundled with milvus, a templated doc
        let text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    image: docker.io/milvusdb/etcd:3.5.14-r1\n    # image: vllm/vllm-openai:latest\n  - name: b\n    image: python:3.11\n---\napiVersion: v1\nkind: Pod\nspec: {{ .Values.spec }}\n";
        let out = run(text);
        assert!(out.findings.is_empty(), "{:?}", out.findings);
        assert!(out.warnings.is_empty());
        let bad = run("apiVersion: v1\nkind: Pod\nspec: [\n---\napiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: ollama/ollama\n");
        assert!(bad.failed);
        assert_eq!(bad.findings.len(), 1, "the good document is still read");
    }

    #[test]
    fn sniffing() {
        assert!(sniff(b"apiVersion: v1\nkind: Pod\n"));
        assert!(!sniff(b"name: ci\non: push\n"));
    }
}
