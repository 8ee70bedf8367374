//! Helm chart values files.
//!
//! # What it detects
//! Image settings anywhere in the values tree — `image: {registry?, repository, tag}` maps and
//! `image: "repo:tag"` strings — that name an AI image (table in `images.rs`) become
//! `container` components. Provider env var names in `env:`/`extraEnv:` lists become `service`s.
//!
//! # Files claimed
//! `values.yaml`, `values.yml`, `values-*.yaml`, `values.*.yaml`, `*-values.yaml`.
//!
//! # Evidence and confidence
//! High for images (line of `repository:`), medium for services.
//!
//! # Not handled
//! Templates are not rendered, so an image assembled in a template from several values, or a
//! tag defaulting to the chart's `appVersion`, is reported with the parts the values file has.
//!
//! # References
//! <https://helm.sh/docs/chart_template_guide/values_files/>

use super::images;
use super::workload;
use super::yaml_text::{self, scalar, Lines};
use crate::detect::config::env_vars;
use crate::detect::config::model_ref::ServeHint;
use crate::detect::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use serde_yaml_ng::Value;

pub const ID: &str = "helm-values";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "infra",
    summary: "AI images in Helm chart values files",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

pub fn is_values_name(n: &str) -> bool {
    let Some(stem) = n.strip_suffix(".yaml").or_else(|| n.strip_suffix(".yml")) else {
        return false;
    };
    stem == "values"
        || stem.starts_with("values-")
        || stem.starts_with("values.")
        || stem.ends_with("-values")
}

fn claim(c: &Candidate) -> Claim {
    if is_values_name(c.name_lower) {
        Claim::Yes
    } else {
        Claim::No
    }
}

fn detect(input: &FileInput, _ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let root = match yaml_text::parse(text) {
        Ok(v) => v,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let lines = Lines::new(text);
    let total = text.lines().count() as u32 + 1;
    let mut found = Vec::new();
    walk(&root, &mut found, 0);
    let mut out = DetectOutcome::default();
    let mut cursor = 1;
    for (image, needle_key, needle) in found {
        // values files repeat keys; search forward from the previous hit so each image gets
        // its own line
        let line = lines
            .find(cursor, total, Some(&needle_key), &needle)
            .unwrap_or_else(|| lines.locate(1, total, &needle_key, &needle));
        cursor = line;
        let ev = images::evidence(&input.rel_path, line, ID, lines.get(line));
        if let Some((f, _)) = images::container_finding(&image, true, ev) {
            out.findings.push(f);
        }
    }
    let mut envs = Vec::new();
    workload::env_under_keys(
        &root,
        &["env", "extraEnv", "extraEnvVars"],
        &lines,
        total,
        &mut envs,
    );
    out.findings.extend(env_vars::findings(
        &envs,
        ServeHint::None,
        &input.rel_path,
        ID,
    ));
    out
}

/// Images as (reference, key to find, value to find), in document order.
fn walk(v: &Value, out: &mut Vec<(String, String, String)>, depth: usize) {
    if depth > 32 {
        return;
    }
    let Value::Mapping(m) = v else {
        if let Value::Sequence(items) = v {
            items.iter().for_each(|i| walk(i, out, depth + 1));
        }
        return;
    };
    if let Some(repo) = m.get("repository").and_then(scalar) {
        let registry = m.get("registry").and_then(scalar).filter(|r| !r.is_empty());
        let tag = m.get("tag").and_then(scalar).filter(|t| !t.is_empty());
        let mut image = match registry {
            Some(r) if !repo.starts_with(&format!("{r}/")) => format!("{r}/{repo}"),
            _ => repo.clone(),
        };
        if let Some(t) = tag {
            image = format!("{image}:{t}");
        }
        out.push((image, "repository".to_string(), repo));
    }
    for (k, child) in m {
        if k.as_str() == Some("image") {
            if let Some(s) = child.as_str() {
                out.push((s.to_string(), "image".to_string(), s.to_string()));
                continue;
            }
        }
        walk(child, out, depth + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        let out = detect(
            &FileInput::from_bytes("values.yaml", text.as_bytes().to_vec()),
            &Context::default(),
        );
        out.findings
            .iter()
            .map(|f| format!("{}@{}", f.id(), f.evidence.line.unwrap_or(0)))
            .collect()
    }

    #[test]
    fn image_maps_and_strings() {
        let text = "image:\n  all:\n    repository: milvusdb/milvus\n    tag: v2.4.12\nattu:\n  image:\n    repository: zilliz/attu\n    tag: v2.4\nserver:\n  image: vllm/vllm-openai:v0.6.3\n  env:\n    - name: HF_TOKEN\n      valueFrom: {secretKeyRef: {name: hf, key: token}}\n";
        assert_eq!(
            ids(text),
            vec![
                "container:docker/milvusdb/milvus@v2.4.12@3",
                "container:docker/vllm/vllm-openai@v0.6.3@10",
                "service:huggingface@12",
            ]
        );
    }

    #[test]
    fn near_misses() {
        assert!(
            ids("image:\n  repository: bitnami/postgresql\n  tag: 16\nreplicaCount: 1\n")
                .is_empty()
        );
        assert!(ids("# image: ollama/ollama\n").is_empty());
        let bad = detect(
            &FileInput::from_bytes("values.yaml", b"a: [\n".to_vec()),
            &Context::default(),
        );
        assert!(bad.failed);
        assert!(is_values_name("openshift-values.yaml") && is_values_name("values.prod.yaml"));
        assert!(!is_values_name("my-values-file.txt") && !is_values_name("evalues.yaml"));
    }
}
