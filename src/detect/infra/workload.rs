//! One running container as the YAML formats describe it (a compose service, a Kubernetes
//! container): its image, command line and environment, turned into container, model and
//! service findings with the served model tied to its image.

use super::images;
use super::yaml_text::{scalar, Lines};
use crate::bom::{Confidence, Evidence, Finding, Method};
use crate::detect::config::env_vars::{self, EnvVar};
use crate::detect::config::model_ref::{self, ServeHint};
use crate::detect::config::providers;
use crate::detect::DetectOutcome;
use serde_yaml_ng::Value;

/// A container to report, with the line range of the document or block it came from.
#[derive(Debug, Default)]
pub struct Workload {
    pub image: Option<String>,
    pub args: Vec<String>,
    pub env: Vec<EnvVar>,
    pub from: u32,
    pub to: u32,
}

impl Workload {
    /// Whether this workload alone shows an AI signal (for images that need context).
    pub fn is_ai(&self) -> bool {
        let ai_image = self
            .image
            .as_deref()
            .and_then(images::ImageRef::parse)
            .and_then(|i| images::ai_image(&i))
            .is_some_and(|r| !r.needs_context);
        ai_image
            || self
                .env
                .iter()
                .any(|v| providers::by_env_var(&v.name).is_some())
            || model_ref::model_args(&self.args).iter().any(|(_, v)| {
                let ev = Evidence::new("", None, "", Method::ConfigKey, Confidence::Low);
                model_ref::from_value(v, ServeHint::None, ev).is_some()
            })
    }
}

/// A YAML list or string as arguments.
pub fn args_of(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Sequence(items)) => items.iter().filter_map(scalar).collect(),
        Some(Value::String(s)) => model_ref::split_command(s),
        _ => Vec::new(),
    }
}

/// Remote model repositories of a server (Triton's `--model-repository=s3://…`, TorchServe's
/// `--model-store`): one location holding the models it serves. Local paths are not assets.
pub fn model_repositories(args: &[String]) -> Vec<String> {
    const FLAGS: &[&str] = &["--model-repository", "--model-store", "--model_repository"];
    let mut out = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let a = a.trim();
        let value = match a.split_once('=') {
            Some((f, v)) if FLAGS.contains(&f) => Some(v.to_string()),
            None if FLAGS.contains(&a) => args.get(i + 1).cloned(),
            _ => None,
        };
        if let Some(v) = value.filter(|v| v.contains("://") && !out.contains(v)) {
            out.push(v);
        }
    }
    out
}

/// Model names after `ollama pull` / `ollama run` in a command line, including shell scripts
/// passed as one argument (`sh -c "ollama serve & sleep 5 && ollama pull llama3.1:8b"`).
pub fn ollama_pulls(args: &[String]) -> Vec<String> {
    let mut words = Vec::new();
    for a in args.iter().take(256) {
        if a.contains(char::is_whitespace) {
            words.extend(model_ref::split_command(a));
        } else {
            words.push(a.clone());
        }
    }
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let is_ollama = w == "ollama" || w.ends_with("/ollama");
        if !is_ollama || !matches!(words.get(i + 1).map(String::as_str), Some("pull" | "run")) {
            continue;
        }
        let name = words
            .iter()
            .skip(i + 2)
            .find(|x| !x.starts_with('-'))
            .map(|x| x.trim_end_matches([';', '&', '|']).to_string());
        if let Some(n) = name.filter(|n| !n.is_empty() && !out.contains(n)) {
            out.push(n);
        }
    }
    out
}

/// Index of a `--trust-remote-code` argument that turns the option on.
pub fn trust_remote_code(args: &[String]) -> Option<usize> {
    args.iter().position(|a| {
        let a = a.trim();
        a == "--trust-remote-code"
            || a == "--trust_remote_code"
            || a.split_once('=').is_some_and(|(k, v)| {
                matches!(k, "--trust-remote-code" | "--trust_remote_code")
                    && matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes")
            })
    })
}

/// Findings and risks for one workload, added to `out`.
pub fn report(
    w: &Workload,
    context: bool,
    lines: &Lines,
    path: &str,
    detector: &str,
    out: &mut DetectOutcome,
) {
    let found = findings(w, context, lines, path, detector);
    if let Some(i) = trust_remote_code(&w.args) {
        let needle = w.args.get(i).map(String::as_str).unwrap_or("--trust");
        let line = lines
            .find(w.from, w.to, None, needle.trim())
            .unwrap_or(w.from);
        // the risk is about the model the container loads, else the container itself
        let component = found
            .iter()
            .find(|f| f.kind == crate::bom::ComponentKind::Model)
            .or_else(|| {
                found
                    .iter()
                    .find(|f| f.kind == crate::bom::ComponentKind::Container)
            })
            .map(Finding::id);
        out.risks.push(crate::risk::risk(
            "AIBOM-REMOTE-CODE",
            component,
            "container serves a model with --trust-remote-code: Python code from the model repository runs at load",
            path,
            Some(line),
        ));
    }
    out.findings.extend(found);
}

/// Findings for one workload.
pub fn findings(
    w: &Workload,
    context: bool,
    lines: &Lines,
    path: &str,
    detector: &str,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut container: Option<(Finding, bool)> = None;
    if let Some(image) = &w.image {
        let line = lines.locate(w.from, w.to, "image", image);
        let ev = images::evidence(path, line, detector, lines.get(line));
        if let Some((f, row)) = images::container_finding(image, context, ev) {
            container = Some((f, row.ollama));
        }
    }
    let hint = if container.as_ref().is_some_and(|(_, o)| *o) || env_vars::ollama_hint(&w.env) {
        ServeHint::Ollama
    } else {
        ServeHint::None
    };
    let mut models = Vec::new();
    for (_, value) in model_ref::model_args(&w.args) {
        let line = lines.find(w.from, w.to, None, &value).unwrap_or(w.from);
        let mut ev = Evidence::new(
            path,
            Some(line),
            detector,
            Method::ConfigKey,
            Confidence::Medium,
        );
        ev.snippet = lines.get(line).map(crate::detect::util::snippet);
        if let Some(m) = model_ref::from_value(&value, hint, ev) {
            models.push(m);
        }
    }
    for value in model_repositories(&w.args) {
        let line = lines.find(w.from, w.to, None, &value).unwrap_or(w.from);
        let mut ev = Evidence::new(
            path,
            Some(line),
            detector,
            Method::ConfigKey,
            Confidence::High,
        );
        ev.snippet = lines.get(line).map(crate::detect::util::snippet);
        if let Some(m) = super::k8s_serving::uri_model(&value, &value, ev) {
            models.push(m.prop("model-repository", "true"));
        }
    }
    for name in ollama_pulls(&w.args) {
        let line = lines.find(w.from, w.to, None, &name).unwrap_or(w.from);
        let mut ev = Evidence::new(
            path,
            Some(line),
            detector,
            Method::ConfigKey,
            Confidence::Medium,
        );
        ev.snippet = lines.get(line).map(crate::detect::util::snippet);
        if let Some(m) = model_ref::from_value(&name, ServeHint::Ollama, ev) {
            models.push(m);
        }
    }
    for f in env_vars::findings(&w.env, hint, path, detector) {
        if f.kind == crate::bom::ComponentKind::Model {
            models.push(f);
        } else {
            out.push(f);
        }
    }
    if let Some((mut c, _)) = container {
        if !models.is_empty() {
            let mut names: Vec<String> = models.iter().map(|m| m.name.clone()).collect();
            names.sort();
            names.dedup();
            c.depends_on.extend(models.iter().map(Finding::id));
            c.properties
                .insert("served-model".into(), names.join(", ").into());
        }
        out.insert(0, c);
    }
    out.extend(models);
    out
}

/// Every env var list found under a key named in `keys`, at any depth of `v` (bounded), read with
/// [`env_of`]. Workflows keep `env:` at workflow, job and step level; Helm values under `env`,
/// `extraEnv` or `extraEnvVars` of any sub-chart.
pub fn env_under_keys(v: &Value, keys: &[&str], lines: &Lines, total: u32, out: &mut Vec<EnvVar>) {
    fn walk(
        v: &Value,
        keys: &[&str],
        lines: &Lines,
        total: u32,
        out: &mut Vec<EnvVar>,
        depth: usize,
    ) {
        if depth > 32 {
            return;
        }
        match v {
            Value::Mapping(m) => {
                for (k, child) in m {
                    if k.as_str().is_some_and(|k| keys.contains(&k)) {
                        out.extend(env_of(Some(child), lines, 1, total));
                    } else {
                        walk(child, keys, lines, total, out, depth + 1);
                    }
                }
            }
            Value::Sequence(items) => items
                .iter()
                .for_each(|i| walk(i, keys, lines, total, out, depth + 1)),
            _ => {}
        }
    }
    walk(v, keys, lines, total, out, 0);
}

/// Env vars of a Kubernetes `env:` list (`- name: X` / `value: Y`) or a compose `environment:`
/// (a `K=V` list or a map), with the line of each name.
pub fn env_of(v: Option<&Value>, lines: &Lines, from: u32, to: u32) -> Vec<EnvVar> {
    let mut out = Vec::new();
    let mut cursor = from;
    let mut push = |name: &str, value: Option<String>, key: Option<&str>| {
        if name.is_empty() {
            return;
        }
        let line = lines
            .find(cursor, to, key, name)
            .or_else(|| lines.find(from, to, key, name));
        if let Some(l) = line {
            cursor = l;
        }
        out.push(EnvVar::new(name, value.as_deref(), line));
    };
    match v {
        Some(Value::Sequence(items)) => {
            for item in items {
                match item {
                    Value::String(s) => {
                        let (k, val) = match s.split_once('=') {
                            Some((k, v)) => (k, Some(v.to_string())),
                            None => (s.as_str(), None),
                        };
                        push(k.trim(), val, None);
                    }
                    Value::Mapping(m) => {
                        let name = m.get("name").and_then(scalar).unwrap_or_default();
                        let value = m.get("value").and_then(scalar);
                        push(&name, value, Some("name"));
                    }
                    _ => {}
                }
            }
        }
        Some(Value::Mapping(m)) => {
            for (k, val) in m {
                if let Some(k) = scalar(k) {
                    push(&k, scalar(val), None);
                }
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn ollama_pulls_in_commands_and_scripts() {
        let args = words(&[
            "/bin/sh",
            "-c",
            "ollama serve & sleep 5 && ollama pull llama3.1:8b && ollama run --verbose phi3; ollama list",
        ]);
        assert_eq!(ollama_pulls(&args), vec!["llama3.1:8b", "phi3"]);
        assert_eq!(
            ollama_pulls(&words(&["ollama", "pull", "mistral"])),
            vec!["mistral"]
        );
        // the word alone, another program's `pull`, a dangling `pull`
        assert!(ollama_pulls(&words(&["git", "pull", "origin"])).is_empty());
        assert!(ollama_pulls(&words(&["ollama", "serve"])).is_empty());
        assert!(ollama_pulls(&words(&["ollama", "pull"])).is_empty());
    }

    #[test]
    fn remote_model_repositories_only() {
        let args = words(&[
            "--model-repository=s3://bucket/models",
            "--model-store",
            "gs://b/store",
            "--model-repository=/models",
        ]);
        assert_eq!(
            model_repositories(&args),
            vec!["s3://bucket/models", "gs://b/store"]
        );
    }
}
