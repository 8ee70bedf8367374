//! Kubernetes manifests and `kubectl get -o json|yaml` output, including KServe, Seldon and
//! KubeRay resources.
//!
//! # What it detects
//! In every document of a (multi-document) manifest, and in every item of a `List` (`kind:
//! List` or any `*List`, as `kubectl get` prints them): each container under `containers:` /
//! `initContainers:` at any depth (Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, Pods,
//! KServe `ServingRuntime` and `InferenceService` predictors, Seldon `componentSpecs`, Ray head
//! and worker groups, OpenShift templates) with an AI image becomes a `container`; model ids in
//! its `args`/`command` (`--model`, `--model-id=`, `--model_path hf:…`), `ollama pull|run`
//! in its command or `lifecycle.postStart` script, and model-naming `env` values (`MODEL_ID`)
//! become `model`s tied to the image as `served-model`; AI provider env var names become
//! `service`s. Serving custom resources (KServe, Seldon, Ray) are read by
//! [`super::k8s_serving`]: their models, and an endpoint `service` per resource.
//!
//! # Files claimed
//! `*.yaml`/`*.yml` whose first 4 KiB contain both `apiVersion:` and `kind:` (compose files,
//! workflows and Helm values are left to their own detectors), and `*.json` whose first 4 KiB
//! contain both `"apiVersion"` and `"kind"`. In repository scans and for `--cloud` files.
//!
//! # Evidence and confidence
//! Images high, models and services medium, at the line of the value (found in the text,
//! within the document or `List` item).
//!
//! # Not handled
//! Helm templates with `{{ }}` are not rendered (they usually fail to parse and are skipped
//! with a warning only when the file had no template markers; templates are skipped silently).
//! `CustomResourceDefinition` documents are not parsed (they define an API, they run nothing).
//! Kustomize patches are not applied. `last-applied-configuration` annotations (a second copy of
//! the object as a JSON string) are ignored.
//!
//! # References
//! <https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#Container>,
//! <https://kubernetes.io/docs/reference/kubectl/generated/kubectl_get/>

use super::k8s_serving::{self, Object};
use super::workload::{self, Workload};
use super::yaml_text::{self, scalar, Lines};
use crate::bom::ComponentKind;
use crate::detect::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use serde_yaml_ng::Value;

pub const ID: &str = "kubernetes";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "infra",
    summary: "AI images, served models, endpoints and provider env vars in Kubernetes manifests and kubectl output (KServe, Seldon, Ray)",
    maturity: Maturity::Stable,
    scope: Scope::Both,
    claim,
    sniff: Some(sniff),
    detect,
};

fn claim(c: &Candidate) -> Claim {
    match c.ext {
        "json" => return Claim::Sniff,
        "yaml" | "yml" => {}
        _ => return Claim::No,
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
    let json = head
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    if json {
        has(b"\"apiVersion\"") && has(b"\"kind\"")
    } else {
        has(b"apiVersion:") && has(b"kind:")
    }
}

fn detect(input: &FileInput, _ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let mut out = DetectOutcome::default();
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let json = trimmed.starts_with('{');
    let mut docs = Vec::new();
    if !json {
        docs = yaml_text::split_docs(text);
        docs.retain(|d| !is_crd(d.text));
        if docs.is_empty() {
            return out;
        }
    }
    let lines = Lines::new(text);
    let mut parsed = Vec::new();
    if json {
        match serde_json::from_str::<Value>(trimmed) {
            Ok(v) => parsed.push(Object {
                v,
                from: 1,
                to: u32::try_from(text.lines().count())
                    .unwrap_or(u32::MAX)
                    .saturating_add(1),
            }),
            Err(e) => {
                // a --cloud file also goes to `cloud-export`, which reports the parse error
                if !input.cloud {
                    out.warn(input, ID, format!("invalid JSON: {e}"));
                }
                out.failed = true;
                return out;
            }
        }
    } else {
        for doc in docs {
            match yaml_text::parse(doc.text) {
                Ok(v) => parsed.push(Object {
                    v,
                    from: doc.first_line,
                    to: doc.end_line,
                }),
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
    }
    let objects = expand_lists(parsed, text, &lines, json);
    let mut workloads: Vec<(usize, Workload)> = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        let mut containers = Vec::new();
        collect_containers(&o.v, &mut containers, 0);
        for c in containers {
            let mut args = workload::args_of(c.get("command"));
            args.extend(workload::args_of(c.get("args")));
            // `ollama pull` is often run only from a postStart hook
            let hook = c
                .get("lifecycle")
                .and_then(|l| l.get("postStart"))
                .and_then(|p| p.get("exec"))
                .and_then(|e| e.get("command"));
            args.extend(workload::args_of(hook));
            workloads.push((
                i,
                Workload {
                    image: c.get("image").and_then(scalar),
                    args,
                    env: workload::env_of(c.get("env"), &lines, o.from, o.to),
                    from: o.from,
                    to: o.to,
                },
            ));
        }
    }
    let context = workloads.iter().any(|(_, w)| w.is_ai());
    let mut container_ids = vec![Vec::new(); objects.len()];
    for (i, w) in &workloads {
        let mut part = DetectOutcome::default();
        workload::report(w, context, &lines, &input.rel_path, ID, &mut part);
        if let Some(ids) = container_ids.get_mut(*i) {
            ids.extend(
                part.findings
                    .iter()
                    .filter(|f| f.kind == ComponentKind::Container)
                    .map(crate::bom::Finding::id),
            );
        }
        out.extend(part);
    }
    let (found, warnings) = k8s_serving::report(&objects, &container_ids, &lines, &input.rel_path);
    out.findings.extend(found);
    for w in warnings {
        out.warn(input, ID, w);
    }
    out
}

/// Whether a YAML document is a `CustomResourceDefinition`: an API schema, which runs nothing
/// and names no image or model, and is often megabytes of OpenAPI (KServe's own CRDs are 2.7 MB
/// each). Read from the top-level `kind:` line, so the document is never parsed.
fn is_crd(doc: &str) -> bool {
    let at_line_starts = memchr::memmem::find_iter(doc.as_bytes(), b"\nkind:").map(|nl| nl + 1);
    let first = doc.starts_with("kind:").then_some(0);
    first.into_iter().chain(at_line_starts).any(|at| {
        let rest = doc.get(at + "kind:".len()..).unwrap_or("");
        let v = rest.split('\n').next().unwrap_or(rest);
        let v = v.split(" #").next().unwrap_or(v).trim();
        v.trim_matches(|c| c == '"' || c == '\'') == "CustomResourceDefinition"
    })
}

/// Whether an object is a `List` (`kind: List`, `PodList`, …) with an `items` sequence.
fn is_list(v: &Value) -> bool {
    v.get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && v.get("items").is_some_and(Value::is_sequence)
}

/// Replace each `List` by its items, each with the line range it was written in (the whole
/// list's range when the items cannot be told apart in the text).
fn expand_lists(parsed: Vec<Object>, text: &str, lines: &Lines, json: bool) -> Vec<Object> {
    let mut out = Vec::new();
    for mut o in parsed {
        if !is_list(&o.v) {
            out.push(o);
            continue;
        }
        let items = match o.v.get_mut("items") {
            Some(Value::Sequence(items)) => std::mem::take(items),
            _ => Vec::new(),
        };
        let ranges = if json {
            json_item_ranges(text)
        } else {
            yaml_item_ranges(lines, o.from, o.to)
        };
        let fits = ranges.len() == items.len();
        for (n, v) in items.into_iter().enumerate() {
            let (from, to) = match ranges.get(n) {
                Some(r) if fits => *r,
                _ => (o.from, o.to),
            };
            out.push(Object { v, from, to });
        }
    }
    out
}

/// Line ranges `[from, to)` of the objects directly inside an array directly inside the
/// top-level object (a `List`'s `items`), found by a scan that skips strings.
fn json_item_ranges(text: &str) -> Vec<(u32, u32)> {
    let mut stack: Vec<u8> = Vec::new();
    let (mut in_str, mut esc) = (false, false);
    let mut line = 1u32;
    let mut start = 1u32;
    let mut out = Vec::new();
    for b in text.bytes() {
        if b == b'\n' {
            line = line.saturating_add(1);
        }
        if in_str {
            if esc {
                esc = false;
            } else if b == b'\\' {
                esc = true;
            } else if b == b'"' {
                in_str = false;
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'{' | b'[' => {
                if b == b'{' && stack.as_slice() == b"{[" {
                    start = line;
                }
                stack.push(b);
                if stack.len() > 256 {
                    return Vec::new();
                }
            }
            b'}' | b']' => {
                stack.pop();
                if b == b'}' && stack.as_slice() == b"{[" {
                    out.push((start, line.saturating_add(1)));
                }
            }
            _ => {}
        }
    }
    out
}

/// Line ranges of the entries of the top-level `items:` sequence of a YAML document.
fn yaml_item_ranges(lines: &Lines, from: u32, to: u32) -> Vec<(u32, u32)> {
    let Some(items_at) = (from..to).find(|n| lines.get(*n).map(str::trim_end) == Some("items:"))
    else {
        return Vec::new();
    };
    let mut marker: Option<usize> = None;
    let mut starts = Vec::new();
    let mut end = to;
    for n in items_at + 1..to {
        let Some(l) = lines.get(n) else { break };
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let indent = l.len() - t.len();
        let entry = t.starts_with("- ") || t == "-";
        match marker {
            None if entry => {
                marker = Some(indent);
                starts.push(n);
            }
            None => break,
            Some(m) if indent < m || (indent == m && !entry) => {
                end = n;
                break;
            }
            Some(m) if indent == m => starts.push(n),
            Some(_) => {}
        }
    }
    let mut out = Vec::new();
    for (k, s) in starts.iter().enumerate() {
        out.push((*s, starts.get(k + 1).copied().unwrap_or(end)));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bom::Finding;

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
                "service:k8s/default/InferenceService/llama@4",
                "model:huggingface/meta-llama/Llama-3.1-8B-Instruct@11",
                "service:k8s/default/SeldonDeployment/iris@16",
                "model:gs://seldon-models/v1.19.0/sklearn/iris@21",
            ]
        );
        assert_eq!(out.findings[1].properties["model-format"], "huggingface");
        assert_eq!(out.findings[3].properties["runtime"], "SKLEARN_SERVER");
        assert_eq!(out.findings[0].properties["runtime"], "vllm-runtime");
        assert_eq!(out.findings[0].depends_on, vec![out.findings[1].id()]);
    }

    #[test]
    fn crds_key_on_group_and_kind() {
        // a `Model` of another project is not Seldon's; an InferenceService of another group
        // is not KServe's
        let text = "apiVersion: example.com/v1\nkind: Model\nmetadata:\n  name: m\nspec:\n  storageUri: s3://b/m\n---\napiVersion: other.io/v1\nkind: InferenceService\nmetadata:\n  name: x\nspec:\n  predictor:\n    model:\n      storageUri: s3://b/x\n---\napiVersion: mlops.seldon.io/v1alpha1\nkind: Model\nmetadata:\n  name: iris\nspec:\n  storageUri: gs://b/iris-sklearn\n";
        assert_eq!(ids(text), vec!["model:gs://b/iris-sklearn@22"]);
    }

    #[test]
    fn kubectl_json_list_items_have_their_own_lines() {
        let text = "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        {\n            \"apiVersion\": \"apps/v1\",\n            \"kind\": \"Deployment\",\n            \"spec\": {\"template\": {\"spec\": {\"containers\": [{\"image\": \"vllm/vllm-openai:v1\", \"args\": [\"--model\", \"Qwen/Qwen2-7B-Instruct\"]}]}}}\n        },\n        {\n            \"apiVersion\": \"apps/v1\",\n            \"kind\": \"Deployment\",\n            \"spec\": {\"template\": {\"spec\": {\"containers\": [{\"image\": \"vllm/vllm-openai:v1\", \"args\": [\"--model\", \"Qwen/Qwen2-7B-Instruct\"]}]}}}\n        },\n        {\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"spec\": {\"template\": {\"spec\": {\"containers\": [{\"image\": \"nginx:1\"}]}}}}\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\"resourceVersion\": \"\"}\n}\n";
        assert!(sniff(text.as_bytes()));
        assert_eq!(json_item_ranges(text), vec![(4, 9), (9, 14), (14, 15)]);
        assert_eq!(
            ids(text),
            vec![
                "container:docker/vllm/vllm-openai@v1@7",
                "model:huggingface/Qwen/Qwen2-7B-Instruct@7",
                "container:docker/vllm/vllm-openai@v1@12",
                "model:huggingface/Qwen/Qwen2-7B-Instruct@12",
            ]
        );
        let bad = run("{\"apiVersion\": \"v1\", \"items\": [");
        assert!(bad.failed);
        assert_eq!(bad.warnings.len(), 1);
    }

    #[test]
    fn kubectl_yaml_list() {
        let text = "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n  spec:\n    containers:\n    - image: ollama/ollama:0.3.14\n      lifecycle:\n        postStart:\n          exec:\n            command: [/bin/sh, -c, 'sleep 5 && ollama pull llama3.1:8b']\n- apiVersion: v1\n  kind: Pod\n  spec:\n    containers:\n    - image: ollama/ollama:0.3.14\nkind: List\nmetadata:\n  resourceVersion: ''\n";
        let lines = Lines::new(text);
        assert_eq!(yaml_item_ranges(&lines, 1, 21), vec![(3, 12), (12, 17)]);
        assert_eq!(
            ids(text),
            vec![
                "container:docker/ollama/ollama@0.3.14@7",
                "model:ollama/llama3.1:8b@11",
                "container:docker/ollama/ollama@0.3.14@16",
            ]
        );
    }

    #[test]
    fn ray_serve_config_inside_a_string() {
        let text = "apiVersion: ray.io/v1\nkind: RayService\nmetadata:\n  name: q\n  namespace: ray\nspec:\n  serveConfigV2: |\n    applications:\n    - name: llm\n      args:\n        llm_configs:\n        - model_loading_config:\n            model_id: qwen\n            model_source: Qwen/Qwen2.5-7B-Instruct\n";
        let out = run(text);
        let got: Vec<_> = out.findings.iter().map(Finding::id).collect();
        assert_eq!(
            got,
            vec![
                "service:k8s/ray/RayService/q",
                "model:huggingface/Qwen/Qwen2.5-7B-Instruct"
            ]
        );
        assert_eq!(out.findings[1].evidence.line, Some(14));
        assert_eq!(out.findings[1].properties["served-model-name"], "qwen");
        let bad = run(&text.replace("    applications:", "    applications: [\n"));
        assert_eq!(bad.findings.len(), 1, "the endpoint is still reported");
        assert!(bad.warnings[0].message.contains("serveConfigV2"));
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
    fn crds_are_not_parsed() {
        // controller-gen output: a schema whose `default` holds a container list, then a
        // document the block reader and serde_yaml reject; neither is read nor warned about,
        // the Deployment after them is
        let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: servers.example.io\nspec:\n  group: example.io\n  versions:\n  - name: v1\n    schema:\n      openAPIV3Schema:\n        properties:\n          spec:\n            default:\n              containers:\n              - image: vllm/vllm-openai:v0.6.0\n";
        let bad_crd = "apiVersion: apiextensions.k8s.io/v1\nkind: \"CustomResourceDefinition\"  # generated\nspec: [\n";
        let deploy = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - image: ollama/ollama:0.3.0\n";
        let out = run(&format!("{crd}---\n{bad_crd}---\n{deploy}"));
        assert!(!out.failed);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        assert_eq!(ids(&format!("{crd}---\n{deploy}")).len(), 1);
        assert!(ids(&format!("{crd}---\n{deploy}"))[0].contains("ollama"));
        // `kind:` of a nested map is not the document's kind
        assert!(!is_crd(
            "apiVersion: v1\nkind: Pod\nspec:\n  kind: CustomResourceDefinition\n"
        ));
        assert!(is_crd(bad_crd));
        assert!(is_crd(
            "kind: CustomResourceDefinition\r\napiVersion: apiextensions.k8s.io/v1\r\n"
        ));
        assert!(!is_crd(
            "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: |\n    kind: CustomResourceDefinition\n"
        ));
    }

    #[test]
    fn sniffing() {
        assert!(sniff(b"apiVersion: v1\nkind: Pod\n"));
        assert!(!sniff(b"name: ci\non: push\n"));
    }
}
