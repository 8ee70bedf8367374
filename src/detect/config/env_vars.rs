//! Environment variables seen in configuration (`.env` files, compose `environment:`,
//! Kubernetes `env:`, workflow `env:`) turned into findings: the AI provider a variable name
//! announces becomes a `service`, a model id in a model-naming variable becomes a `model`.
//! Values are read only to find model ids; no value is ever recorded.

use super::model_ref::{self, ServeHint};
use super::providers;
use crate::bom::{Confidence, Evidence, Finding, Method};
use std::collections::BTreeSet;

/// One variable: its name, the value as written (if any) and its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    pub value: Option<String>,
    pub line: Option<u32>,
}

impl EnvVar {
    pub fn new(name: &str, value: Option<&str>, line: Option<u32>) -> Self {
        EnvVar {
            name: name.trim().to_string(),
            value: value.map(str::to_string),
            line,
        }
    }
}

/// The literal a compose-style value stands for: `${X-default}`/`${X:-default}` give the
/// default, `${X}` and `$X` give nothing, anything else is itself.
pub fn effective_value(v: &str) -> Option<&str> {
    let v = v.trim();
    if let Some(inner) = v.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        let (_, rest) = inner.split_once('-')?;
        let rest = rest.strip_prefix('-').unwrap_or(rest);
        let rest = rest.trim_matches(|c| c == '"' || c == '\'');
        return (!rest.is_empty() && !rest.contains('$')).then_some(rest);
    }
    if v.starts_with('$') || v.is_empty() {
        return None;
    }
    Some(v)
}

/// Whether a set of variables (one container, one compose service, one env file) points at an
/// Ollama server.
pub fn ollama_hint(vars: &[EnvVar]) -> bool {
    vars.iter().any(|v| {
        matches!(
            v.name.as_str(),
            "OLLAMA_BASE_URL" | "OLLAMA_HOST" | "OLLAMA_API_BASE" | "OLLAMA_URL"
        )
    })
}

/// Service findings (one per provider, at its first variable) and model findings.
pub fn findings(vars: &[EnvVar], hint: ServeHint, path: &str, detector: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let hint = if hint == ServeHint::None && ollama_hint(vars) {
        ServeHint::Ollama
    } else {
        hint
    };
    for v in vars {
        if let Some(p) = providers::by_env_var(&v.name) {
            if seen.insert(p.key) {
                let mut ev = Evidence::new(
                    path,
                    v.line,
                    detector,
                    Method::ConfigKey,
                    Confidence::Medium,
                );
                ev.snippet = Some(v.name.clone());
                out.push(service(p, ev));
            }
        }
        if model_ref::is_model_key(&v.name) {
            let Some(value) = v.value.as_deref().and_then(effective_value) else {
                continue;
            };
            let mut ev = Evidence::new(
                path,
                v.line,
                detector,
                Method::ConfigKey,
                Confidence::Medium,
            );
            ev.snippet = Some(format!("{}={value}", v.name));
            if let Some(f) = model_ref::from_env(&v.name, value, hint, ev) {
                out.push(f);
            }
        }
    }
    out
}

/// The `service` finding for a provider, with the identity convention every family shares.
pub fn service(p: &providers::Provider, ev: Evidence) -> Finding {
    crate::detect::providers::provider_service_finding(p, ev)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        assert_eq!(effective_value("${LLM-llama2}"), Some("llama2"));
        assert_eq!(effective_value("${LLM:-llama2}"), Some("llama2"));
        assert_eq!(effective_value("${OPENAI_API_KEY}"), None);
        assert_eq!(effective_value("${OPENAI_API_KEY-}"), None);
        assert_eq!(effective_value("$X"), None);
        assert_eq!(effective_value("gpt-4o"), Some("gpt-4o"));
    }

    #[test]
    fn services_and_models() {
        let vars = vec![
            EnvVar::new(
                "OLLAMA_BASE_URL",
                Some("${OLLAMA_BASE_URL-http://host:11434}"),
                Some(1),
            ),
            EnvVar::new("LLM", Some("${LLM-llama2}"), Some(2)),
            EnvVar::new(
                "EMBEDDING_MODEL",
                Some("${EMBEDDING_MODEL-sentence_transformer}"),
                Some(3),
            ),
            EnvVar::new("OPENAI_API_KEY", Some("${OPENAI_API_KEY-}"), Some(4)),
            EnvVar::new("OPENAI_BASE_URL", None, Some(5)),
            EnvVar::new("AWS_ACCESS_KEY_ID", None, Some(6)),
        ];
        let ids: Vec<String> = findings(&vars, ServeHint::None, "c.yml", "t")
            .iter()
            .map(|f| f.id())
            .collect();
        assert_eq!(
            ids,
            vec!["service:ollama", "model:ollama/llama2", "service:openai"]
        );
    }
}
