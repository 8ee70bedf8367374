//! Docker Compose files.
//!
//! # What it detects
//! For every service: an AI `image:` (table in `images.rs`) as a `container`; model ids on its
//! `command:`/`entrypoint:` (`--model …`) and in model-naming `environment:` variables, including
//! compose defaults (`LLM=${LLM-llama2}`), as `model`s (an Ollama service or one with
//! `OLLAMA_*` variables makes bare names Ollama models); AI provider variable names
//! (`OPENAI_API_KEY`, `LANGCHAIN_API_KEY`, …) as `service`s. General-purpose databases that
//! double as vector stores (`neo4j`, `redis-stack`, Elasticsearch) are reported only when the
//! same file shows another AI signal.
//!
//! # Files claimed
//! `docker-compose*.yml`/`.yaml`, `compose*.yml`/`.yaml`.
//!
//! # Evidence and confidence
//! Images high, models and services medium (method `config-key`), at the line of the value.
//!
//! # Not handled
//! `env_file:` contents (the `.env` detector reads those files itself), `extends:` across files,
//! variable interpolation beyond `${VAR-default}`/`${VAR:-default}`.
//!
//! # References
//! <https://docs.docker.com/reference/compose-file/services/>

use super::workload::{self, Workload};
use super::yaml_text::{self, scalar, Lines};
use crate::detect::deps;
use crate::detect::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use serde_yaml_ng::Value;

pub const ID: &str = "docker-compose";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "infra",
    summary: "AI images, served models and provider env vars in docker-compose files",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

pub fn is_compose_name(name_lower: &str) -> bool {
    (name_lower.starts_with("docker-compose") || name_lower.starts_with("compose"))
        && (name_lower.ends_with(".yml") || name_lower.ends_with(".yaml"))
}

fn claim(c: &Candidate) -> Claim {
    if is_compose_name(c.name_lower) {
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
    let mut out = DetectOutcome::default();
    let Some(services) = root.get("services").and_then(Value::as_mapping) else {
        return out;
    };
    let lines = Lines::new(text);
    let total = text.lines().count() as u32 + 1;
    let mut workloads = Vec::new();
    let mut cursor = 1;
    for (name, svc) in services {
        let Some(name) = scalar(name) else { continue };
        // the service block starts at its key; search forward from there
        let found = deps::search_forward(&mut cursor, 1, |from| {
            lines
                .find_key(from as u32, total, &name)
                .map(|l| l as usize)
        });
        let from = found.map_or(1, |l| l as u32);
        let mut args = workload::args_of(svc.get("entrypoint"));
        args.extend(workload::args_of(svc.get("command")));
        workloads.push(Workload {
            image: svc.get("image").and_then(scalar),
            args,
            env: workload::env_of(svc.get("environment"), &lines, from, total),
            from,
            to: total,
        });
    }
    let context = workloads.iter().any(Workload::is_ai);
    for w in &workloads {
        workload::report(w, context, &lines, &input.rel_path, ID, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        let out = detect(
            &FileInput::from_bytes("docker-compose.yml", text.as_bytes().to_vec()),
            &Context::default(),
        );
        out.findings
            .iter()
            .map(|f| format!("{}@{}", f.id(), f.evidence.line.unwrap_or(0)))
            .collect()
    }

    #[test]
    fn genai_stack_shape() {
        let text = "services:\n  llm: &llm\n    image: ollama/ollama:latest\n  llm-gpu:\n    <<: *llm\n  pull-model:\n    image: genai-stack/pull-model:latest\n    environment:\n      - OLLAMA_BASE_URL=${OLLAMA_BASE_URL-http://host.docker.internal:11434}\n      - LLM=${LLM-llama2}\n  database:\n    image: neo4j:5.26\n  bot:\n    environment:\n      - OPENAI_API_KEY=${OPENAI_API_KEY-}\n      - EMBEDDING_MODEL=${EMBEDDING_MODEL-sentence_transformer}\n      - LANGCHAIN_API_KEY=${LANGCHAIN_API_KEY}\n";
        assert_eq!(
            ids(text),
            vec![
                "container:docker/ollama/ollama@latest@3",
                // the service that inherits the image through `<<: *llm`
                "container:docker/ollama/ollama@latest@4",
                "service:ollama@9",
                "model:ollama/llama2@10",
                "container:docker/neo4j@5.26@12",
                "service:openai@15",
                "service:langsmith@17",
            ]
        );
    }

    #[test]
    fn near_misses_and_malformed() {
        // no AI signal: the database alone is not reported, nor generic images
        assert!(ids("services:\n  db:\n    image: neo4j:5\n  web:\n    image: nginx\n    command: [\"--model\", \"/srv/m\"]\n").is_empty());
        assert!(ids("version: '3'\n").is_empty());
        let bad = detect(
            &FileInput::from_bytes("compose.yaml", b"services:\n  a: [\n".to_vec()),
            &Context::default(),
        );
        assert!(bad.failed && bad.warnings.len() == 1);
    }

    #[test]
    fn command_models() {
        let text = "services:\n  vllm:\n    image: vllm/vllm-openai:v0.6.3\n    command: --model mistralai/Mistral-7B-Instruct-v0.3 --port 8000\n";
        assert_eq!(
            ids(text),
            vec![
                "container:docker/vllm/vllm-openai@v0.6.3@3",
                "model:huggingface/mistralai/Mistral-7B-Instruct-v0.3@4"
            ]
        );
    }
}
