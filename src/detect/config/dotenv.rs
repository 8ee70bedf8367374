//! `.env` files and their templates.
//!
//! # What it detects
//! Environment variable names that announce an AI provider (`OPENAI_API_KEY`,
//! `AZURE_OPENAI_ENDPOINT`, `HF_TOKEN`, `OLLAMA_BASE_URL`, `LANGCHAIN_API_KEY`, …, the table in
//! `providers.rs`) become `service` findings; model ids in model-naming variables (`MODEL_ID`,
//! `LLM`, `OLLAMA_MODEL`, `*_MODEL_NAME`) become `model` findings when the value has a model's
//! shape (see `model_ref.rs`).
//!
//! # Files claimed
//! `.env`, `.env.*` (`.env.example`, `.env.local`, …), `env.example`, `env.sample`,
//! `env.template`, `example.env`, `sample.env` and `*.env`.
//!
//! # Evidence and confidence
//! Medium, method `config-key`, the line of the assignment. The snippet is the variable name
//! only: values are never recorded (live keys are the secrets detector's business).
//!
//! # Not handled
//! Commented-out assignments (`#OPENAI_API_KEY=sk-...`) are templates, not configuration, and
//! are skipped. Multi-line quoted values are read as their first line. Variable expansion is
//! not performed beyond compose-style `${X:-default}` defaults.
//!
//! # References
//! <https://github.com/motdotla/dotenv#rules>, <https://docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/>

use super::env_vars::{self, EnvVar};
use super::model_ref::ServeHint;
use crate::detect::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};

pub const ID: &str = "dotenv";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "config",
    summary: "AI provider env var names and model ids in .env files and their templates",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    let n = c.name_lower;
    let yes = n == ".env"
        || n.starts_with(".env.")
        || matches!(
            n,
            "env.example" | "env.sample" | "env.template" | "example.env" | "sample.env"
        )
        || (c.ext == "env" && n.len() > 4);
    if yes {
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
    let vars = parse(text);
    DetectOutcome {
        findings: env_vars::findings(&vars, ServeHint::None, &input.rel_path, ID),
        ..Default::default()
    }
}

/// The active assignments of an env file, in order.
pub fn parse(text: &str) -> Vec<EnvVar> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim();
        let valid = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            continue;
        }
        out.push(EnvVar::new(name, Some(&unquote(value)), Some(i as u32 + 1)));
    }
    out
}

/// A value without its quotes or, when unquoted, without a trailing ` # comment`.
fn unquote(v: &str) -> String {
    let v = v.trim();
    for q in ['"', '\''] {
        if let Some(rest) = v.strip_prefix(q) {
            return rest.split(q).next().unwrap_or("").to_string();
        }
    }
    let v = match v.find(" #").or_else(|| v.find("\t#")) {
        Some(i) => v.get(..i).unwrap_or(v),
        None if v.starts_with('#') => "",
        None => v,
    };
    v.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        let input = FileInput::from_bytes(".env.example", text.as_bytes().to_vec());
        detect(&input, &Context::default())
            .findings
            .iter()
            .map(|f| format!("{}@{}", f.id(), f.evidence.line.unwrap_or(0)))
            .collect()
    }

    #[test]
    fn providers_and_models() {
        let text = "# OpenAI\nOPENAI_API_KEY=sk-proj-abc\nexport ANTHROPIC_API_KEY=\"x\"\nOLLAMA_MODEL=llama3.2 # default\nMODEL_NAME='mistralai/Mistral-7B-Instruct-v0.2'\n";
        assert_eq!(
            ids(text),
            vec![
                "service:openai@2",
                "service:anthropic@3",
                "service:ollama@4",
                "model:ollama/llama3.2@4",
                "model:huggingface/mistralai/Mistral-7B-Instruct-v0.2@5"
            ]
        );
    }

    #[test]
    fn near_misses() {
        // commented templates, generic names, a bare model word without context, CRLF, junk
        let text = "#OPENAI_API_KEY=sk-...\r\n# LANGCHAIN_API_KEY=ls_...\r\nDATABASE_URL=postgres://x\r\nLLM=llama2 #or any Ollama model tag\r\n=oops\r\nnot an assignment\r\n";
        assert!(ids(text).is_empty(), "{:?}", ids(text));
        let f = detect(
            &FileInput::from_bytes(".env", "OPENAI_API_KEY=sk-live-123456789".into()),
            &Context::default(),
        );
        let snippets: Vec<_> = f
            .findings
            .iter()
            .filter_map(|f| f.evidence.snippet.clone())
            .collect();
        assert_eq!(snippets, vec!["OPENAI_API_KEY"]);
    }

    #[test]
    fn claims() {
        let c = |n: &str| {
            let lower = n.to_lowercase();
            let ext = lower
                .rsplit_once('.')
                .map(|(_, e)| e.to_string())
                .unwrap_or_default();
            claim(&Candidate {
                rel_path: n,
                file_name: n,
                name_lower: &lower,
                ext: &ext,
                size: 1,
                cloud: false,
            })
        };
        assert_eq!(c(".env"), Claim::Yes);
        assert_eq!(c(".env.example"), Claim::Yes);
        assert_eq!(c("env.example"), Claim::Yes);
        assert_eq!(c("prod.env"), Claim::Yes);
        assert_eq!(c(".envrc"), Claim::No);
        assert_eq!(c("environment.yml"), Claim::No);
    }

    #[test]
    fn binary_is_a_failure() {
        let out = detect(
            &FileInput::from_bytes(".env", vec![0, 1, 2]),
            &Context::default(),
        );
        assert!(out.failed && out.findings.is_empty());
    }
}
