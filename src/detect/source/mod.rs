//! The `source` detector family: what code, notebooks and scripts actually use — AI packages
//! imported, models loaded, datasets pulled, hosted AI APIs called, MCP servers implemented,
//! and AI provider credentials committed to the tree.
//!
//! A hand tokenizer per language family ([`lex`]) drops comments and docstrings and yields
//! string literals; a call recogniser ([`calls`]) finds `callee(args)` with keyword arguments
//! and same-file constants; one pattern table per language ([`patterns`]) says what each call
//! means; [`refs`] turns matches into findings. A literal prefilter keeps files without any of
//! the words the tables need from being tokenised at all.

use super::{Detector, Maturity, PostPass, Scope};
use aho_corasick::AhoCorasick;
use std::sync::OnceLock;

pub mod calls;
pub mod go_src;
pub mod imports;
pub mod js;
pub mod jvm_src;
pub mod lex;
pub mod nbformat;
pub mod patterns;

pub mod python;
pub mod refs;
pub mod relevance;
pub mod rust_src;
pub mod secrets;
pub mod shell;

pub use crate::detect::providers::{
    provider_for_env_var, provider_for_host, provider_service_finding, Provider,
};
pub use secrets::{find_secrets, redact_all, safe_snippet, SecretMatch};

/// This family's detectors (the registry sorts them by id).
pub const DETECTORS: &[Detector] = &[
    Detector {
        id: secrets::ID,
        family: "source",
        summary: "AI provider keys (OpenAI, Anthropic, Hugging Face, Google, Groq, …) committed in text files",
        maturity: Maturity::Stable,
        scope: Scope::Repo,
        claim: secrets::claim,
        sniff: None,
        detect: secrets::detect,
    },
    Detector {
        id: go_src::ID,
        family: "source",
        summary: "Go: AI module imports, go-openai/langchaingo models, provider hosts and env vars",
        maturity: Maturity::Preview,
        scope: Scope::Repo,
        claim: go_src::claim,
        sniff: None,
        detect: go_src::detect,
    },
    Detector {
        id: js::ID,
        family: "source",
        summary: "JS/TS: AI imports, SDK model calls, Vercel AI SDK, transformers.js, MCP servers",
        maturity: Maturity::Stable,
        scope: Scope::Repo,
        claim: js::claim,
        sniff: None,
        detect: js::detect,
    },
    Detector {
        id: jvm_src::ID,
        family: "source",
        summary: "Java/Kotlin: AI imports, LangChain4j / Spring AI builder models",
        maturity: Maturity::Preview,
        scope: Scope::Repo,
        claim: jvm_src::claim,
        sniff: None,
        detect: jvm_src::detect,
    },
    Detector {
        id: python::ID,
        family: "source",
        summary: "Python and notebook code cells: AI imports, hub models/datasets, API models, MCP servers",
        maturity: Maturity::Stable,
        scope: Scope::Repo,
        claim: python::claim,
        sniff: None,
        detect: python::detect,
    },
    Detector {
        id: rust_src::ID,
        family: "source",
        summary: "Rust: AI crate uses, hf-hub models, async-openai models",
        maturity: Maturity::Preview,
        scope: Scope::Repo,
        claim: rust_src::claim,
        sniff: None,
        detect: rust_src::detect,
    },
    Detector {
        id: shell::ID,
        family: "source",
        summary: "Shell scripts: ollama pull/run models, docker run of AI images, pip install",
        maturity: Maturity::Preview,
        scope: Scope::Repo,
        claim: shell::claim,
        sniff: None,
        detect: shell::detect,
    },
];

/// This family's cross-file passes.
pub const POST_PASSES: &[PostPass] = &[];

/// True when `text` holds any word the pattern tables need.
pub fn prefilter_hit(text: &str) -> bool {
    static AC: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    match AC.get_or_init(|| AhoCorasick::new(patterns::PREFILTER).ok()) {
        Some(ac) => ac.is_match(text),
        None => true,
    }
}
