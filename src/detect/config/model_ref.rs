//! Model ids written in configuration: env var values (`MODEL_ID=…`, `LLM=${LLM:-llama2}`) and
//! serving command lines (`--model …`, `--model-id=…`, `hf:org/name`). Shared by the config and
//! infra families so a model named in a compose file and in a Kubernetes manifest is one
//! component.
//!
//! A value becomes a model only when its shape says so: a Hugging Face repo id (`org/name`), a
//! hosted model id whose prefix names its provider (`gpt-4o`, `claude-…`, `gemini-…`, Bedrock
//! `vendor.model`), or — when the context is an Ollama server — an Ollama tag (`mistral:latest`).
//! Paths (`/mnt/models/`), URLs, placeholders and selector words (`sentence_transformer`) are not.

use crate::bom::{normalize, ComponentKind, Evidence, Finding};

/// What the surrounding configuration says about who serves the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ServeHint {
    #[default]
    None,
    /// An Ollama image or `OLLAMA_*` variables next to the value.
    Ollama,
}

/// Env var names whose value is a model id (exact names; `*_MODEL`, `*_MODEL_ID` and
/// `*_MODEL_NAME` are accepted too, see [`is_model_key`]).
const MODEL_KEYS: &[&str] = &[
    "LLM",
    "MODEL",
    "MODEL_ID",
    "MODEL_NAME",
    "LLM_MODEL",
    "HF_MODEL_ID",
];

/// Keys that select a model family or backend rather than name a model; their values are only
/// taken when they are unambiguous ids (an `org/name` repo id or a provider-prefixed id).
const SELECTOR_PREFIXES: &[&str] = &["EMBEDDING", "EMBED"];

/// Whether an env var name carries a model id.
pub fn is_model_key(name: &str) -> bool {
    MODEL_KEYS.contains(&name)
        || name.ends_with("_MODEL")
        || name.ends_with("_MODEL_ID")
        || name.ends_with("_MODEL_NAME")
}

/// Whether the key selects rather than names (its value needs a stricter shape).
fn is_selector_key(name: &str) -> bool {
    SELECTOR_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// A model finding for `value` seen under env var `key`, or `None`.
pub fn from_env(key: &str, value: &str, hint: ServeHint, ev: Evidence) -> Option<Finding> {
    let f = if key.starts_with("OLLAMA_") {
        // the key itself says the value is an Ollama model name
        let raw = value.trim().trim_matches(|c| c == '"' || c == '\'');
        if is_placeholder(raw) || raw.starts_with(['/', '.', '$', '{', '<']) || raw.contains("://")
        {
            None
        } else {
            ollama(raw, ev)
        }
    } else if is_selector_key(key) {
        from_value(value, ServeHint::None, ev)
    } else {
        from_value(value, hint, ev)
    };
    f.map(|f| f.prop("config-key", key))
}

/// A model finding for a model id given on a command line or in a config value.
pub fn from_value(value: &str, hint: ServeHint, ev: Evidence) -> Option<Finding> {
    let raw = value.trim().trim_matches(|c| c == '"' || c == '\'');
    let id = raw
        .strip_prefix("hf://")
        .or_else(|| raw.strip_prefix("hf:"))
        .or_else(|| raw.strip_prefix("huggingface:"))
        .unwrap_or(raw);
    if id.is_empty() || id.len() > 200 || is_placeholder(id) {
        return None;
    }
    if id.starts_with(['/', '.', '~', '$', '{', '<', '-']) || id.contains("://") {
        return None;
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.' | ':'))
    {
        return None;
    }
    if let Some(f) = hosted(id, ev.clone()) {
        return Some(f);
    }
    // an `org/name` id is a hub repository even next to an Ollama server (Ollama's own
    // namespaced names are rare; hub ids in serving config are common)
    if id.contains('/') {
        return hub(id, ev);
    }
    if hint == ServeHint::Ollama {
        return ollama(id, ev);
    }
    None
}

/// An ollama model (`mistral`, `llama3.2:3b`), identity `ollama/<name>` with `:latest` dropped
/// because Ollama treats `mistral` and `mistral:latest` as the same model.
fn ollama(id: &str, ev: Evidence) -> Option<Finding> {
    let (name, tag) = match id.split_once(':') {
        Some((n, t)) => (n, Some(t)),
        None => (id, None),
    };
    // underscores do not occur in Ollama library names; they mark selector words
    // (`sentence_transformer`), and a name needs a letter
    if name.is_empty()
        || name.contains('_')
        || name.len() > 100
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '/'))
        || !name.chars().any(|c| c.is_ascii_alphabetic())
    {
        return None;
    }
    if tag.is_some_and(|t| t.is_empty() || t.contains(':')) {
        return None;
    }
    let identity = match tag {
        Some(t) if t != "latest" => format!("ollama/{name}:{t}"),
        _ => format!("ollama/{name}"),
    };
    Some(
        Finding::new(ComponentKind::Model, id, ev)
            .with_identity(identity)
            .with_provider("ollama")
            .prop("source", "ollama"),
    )
}

/// A Hugging Face hub repo id (`org/name`).
fn hub(id: &str, ev: Evidence) -> Option<Finding> {
    let (org, name) = id.split_once('/')?;
    let seg_ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 96
            && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && !s.contains(':')
            && !s.ends_with('.')
            && s.chars().any(|c| c.is_ascii_alphabetic())
    };
    if name.contains('/') || !seg_ok(org) || !seg_ok(name) {
        return None;
    }
    let purl = normalize::huggingface_purl(id)?;
    Some(
        Finding::new(ComponentKind::Model, id, ev)
            .with_purl(purl)
            .with_provider("huggingface")
            .prop("source", "hub-reference"),
    )
}

/// A hosted API model id whose prefix names the provider.
fn hosted(id: &str, ev: Evidence) -> Option<Finding> {
    let provider = hosted_provider(id)?;
    Some(
        Finding::new(ComponentKind::Model, id, ev)
            .with_identity(format!("{provider}/{id}"))
            .with_provider(provider)
            .prop("source", "api"),
    )
}

fn hosted_provider(id: &str) -> Option<&'static str> {
    if id.contains('/') {
        return None;
    }
    const OPENAI: &[&str] = &[
        "gpt-",
        "chatgpt-",
        "text-embedding-",
        "dall-e-",
        "whisper-1",
        "tts-1",
        "o1",
        "o3",
        "o4-",
    ];
    if OPENAI.iter().any(|p| id.starts_with(p)) {
        // `o1`/`o3` alone or with a suffix (`o1-mini`), never `o10x`
        let rest = id.get(2..).unwrap_or("");
        if id.starts_with('o') && !(rest.is_empty() || rest.starts_with('-')) {
            return None;
        }
        return Some("openai");
    }
    if id.starts_with("claude-") {
        return Some("anthropic");
    }
    if id.starts_with("gemini-") {
        return Some("google-gemini");
    }
    // Bedrock ids are `vendor.model-…`, with a version after a colon
    const BEDROCK: &[&str] = &[
        "anthropic.",
        "amazon.",
        "meta.",
        "cohere.",
        "ai21.",
        "mistral.",
        "stability.",
    ];
    if BEDROCK.iter().any(|p| id.starts_with(p)) && id.contains('-') {
        return Some("aws-bedrock");
    }
    None
}

/// Template placeholders and example values that name no model.
fn is_placeholder(v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    [
        "your",
        "changeme",
        "change-me",
        "xxx",
        "model_name",
        "model-name",
        "model_id",
        "none",
        "null",
        "todo",
        "example",
    ]
    .iter()
    .any(|p| l == *p || l.starts_with(&format!("{p}-")) || l.starts_with(&format!("{p}_")))
        || l.contains("your-")
        || l.contains("your_")
}

/// The model id after a serving flag in an argument list, with the index of the value:
/// `--model X`, `--model=X`, `--model-id X`, `--model_id`, `--model_path`, `--served-model X`.
pub fn model_args(args: &[String]) -> Vec<(usize, String)> {
    const FLAGS: &[&str] = &[
        "--model",
        "--model-id",
        "--model_id",
        "--model-name",
        "--model_name",
        "--model_path",
        "--model-path",
        "--hf-model",
    ];
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].trim();
        if let Some((flag, value)) = a.split_once('=') {
            if FLAGS.contains(&flag) {
                out.push((i, value.to_string()));
            }
        } else if FLAGS.contains(&a) {
            if let Some(v) = args.get(i + 1) {
                out.push((i + 1, v.clone()));
                i += 1;
            }
        }
        i += 1;
    }
    out
}

/// A command line split into arguments the way a shell would for simple cases: whitespace,
/// single and double quotes. No expansion, no escapes beyond `\"` inside double quotes.
pub fn split_command(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') if c == '\\' && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            Some(_) => cur.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                any = true;
            }
            None if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            None => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bom::{Confidence, Method};

    fn ev() -> Evidence {
        Evidence::new("f", Some(1), "t", Method::ConfigKey, Confidence::Medium)
    }

    fn id(v: &str, hint: ServeHint) -> Option<String> {
        from_value(v, hint, ev()).map(|f| f.id())
    }

    #[test]
    fn shapes() {
        assert_eq!(
            id("mistralai/Mistral-7B-Instruct-v0.2", ServeHint::None).as_deref(),
            Some("model:huggingface/mistralai/Mistral-7B-Instruct-v0.2")
        );
        assert_eq!(
            id(
                "hf:nm-testing/granite-7b-lab-pruned50-quant-ds",
                ServeHint::None
            )
            .as_deref(),
            Some("model:huggingface/nm-testing/granite-7b-lab-pruned50-quant-ds")
        );
        assert_eq!(
            id("mistral:latest", ServeHint::Ollama).as_deref(),
            Some("model:ollama/mistral")
        );
        assert_eq!(
            id("llama3.2:3b", ServeHint::Ollama).as_deref(),
            Some("model:ollama/llama3.2:3b")
        );
        assert_eq!(
            id("gpt-4o", ServeHint::None).as_deref(),
            Some("model:openai/gpt-4o")
        );
        assert_eq!(
            id("anthropic.claude-v2", ServeHint::None).as_deref(),
            Some("model:aws-bedrock/anthropic.claude-v2")
        );
        // near misses
        assert_eq!(id("/mnt/models/", ServeHint::None), None);
        assert_eq!(id("llama2", ServeHint::None), None);
        assert_eq!(id("sentence_transformer", ServeHint::Ollama), None);
        assert_eq!(id("s3://bucket/model", ServeHint::None), None);
        assert_eq!(id("${MODEL}", ServeHint::Ollama), None);
        assert_eq!(id("your-model-here", ServeHint::Ollama), None);
        assert_eq!(id("o10x", ServeHint::None), None);
        assert_eq!(id("a/b/c", ServeHint::None), None);
    }

    #[test]
    fn env_keys() {
        assert!(is_model_key("MODEL_ID") && is_model_key("OLLAMA_MODEL") && is_model_key("LLM"));
        assert!(!is_model_key("MODELS_DIR") && !is_model_key("OLLAMA_MODELS"));
        let f = from_env("OLLAMA_MODEL", "llama3", ServeHint::None, ev()).map(|f| f.id());
        assert_eq!(f.as_deref(), Some("model:ollama/llama3"));
        let sel = from_env(
            "EMBEDDING_MODEL",
            "sentence_transformer",
            ServeHint::Ollama,
            ev(),
        );
        assert!(sel.is_none());
    }

    #[test]
    fn args() {
        let a = split_command(r#"--model "org/m" --port=8000 --model-id=x/y"#);
        assert_eq!(a, vec!["--model", "org/m", "--port=8000", "--model-id=x/y"]);
        let m = model_args(&a);
        assert_eq!(m, vec![(1, "org/m".to_string()), (3, "x/y".to_string())]);
        assert!(model_args(&["--model".to_string()]).is_empty());
    }
}
