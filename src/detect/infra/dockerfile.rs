//! Dockerfiles and Containerfiles.
//!
//! # What it detects
//! `FROM` images of AI serving and training (the table in `images.rs`) as `container`
//! components, including every stage of a multi-stage build and tags given through `ARG`
//! defaults (`ARG VLLM_VERSION=v0.6.3` … `FROM vllm/vllm-openai:${VLLM_VERSION}`). A model id
//! on the serving command line (`--model`, `--model-id` in `CMD`/`ENTRYPOINT`) or in
//! `ENV MODEL_ID=…` becomes a `model` component, and the final stage's AI image gets it as
//! `served-model` and in `depends_on`.
//!
//! # Files claimed
//! `Dockerfile`, `Containerfile`, `*.Dockerfile`, `*.Containerfile`, `Dockerfile.*`,
//! `Containerfile.*`.
//!
//! # Evidence and confidence
//! High for images (method `config-key`, the `FROM` line); medium for models.
//!
//! # Not handled
//! Build args given only on the command line (`--build-arg`) cannot be resolved; such a tag is
//! kept as `tag-unresolved` without a version, an unresolved repository is skipped. Generic base
//! images (`python`, `node`, `ubi9`) are not AI and not reported. Heredocs are not parsed.
//! `RUN` commands are not read: packages installed in the image (`RUN pip install vllm`) and
//! models pulled at build time are not reported from here.
//!
//! # References
//! <https://docs.docker.com/reference/dockerfile/>

use super::images;
use crate::bom::{Confidence, Evidence, Finding, Method};
use crate::detect::config::model_ref::{self, ServeHint};
use crate::detect::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use std::collections::BTreeMap;

pub const ID: &str = "dockerfile";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "infra",
    summary: "AI serving/training base images and served models in Dockerfiles/Containerfiles",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    let n = c.name_lower;
    let yes = n == "dockerfile"
        || n == "containerfile"
        || n.ends_with(".dockerfile")
        || n.ends_with(".containerfile")
        || n.starts_with("dockerfile.")
        || n.starts_with("containerfile.");
    if yes {
        Claim::Yes
    } else {
        Claim::No
    }
}

/// One logical instruction: continuation lines joined, with its first line.
struct Instruction {
    line: u32,
    keyword: String,
    rest: String,
}

fn instructions(text: &str) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut cur: Option<(u32, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let trimmed = raw.trim();
        if trimmed.starts_with('#') {
            continue; // comments (and parser directives) end nothing, even inside continuations
        }
        let (body, cont) = match trimmed.strip_suffix('\\') {
            Some(b) => (b, true),
            None => (trimmed, false),
        };
        match &mut cur {
            Some((_, acc)) => {
                acc.push(' ');
                acc.push_str(body);
            }
            None if body.is_empty() => continue,
            None => cur = Some((i as u32 + 1, body.to_string())),
        }
        if !cont {
            if let Some((line, acc)) = cur.take() {
                let acc = acc.trim().to_string();
                let (kw, rest) = acc.split_once(char::is_whitespace).unwrap_or((&acc, ""));
                out.push(Instruction {
                    line,
                    keyword: kw.to_ascii_uppercase(),
                    rest: rest.trim().to_string(),
                });
            }
        }
    }
    if let Some((line, acc)) = cur {
        let (kw, rest) = acc.split_once(char::is_whitespace).unwrap_or((&acc, ""));
        out.push(Instruction {
            line,
            keyword: kw.to_ascii_uppercase(),
            rest: rest.trim().to_string(),
        });
    }
    out
}

/// `${VAR}`, `$VAR`, `${VAR:-default}` substituted from `args`; unknown variables are left.
fn substitute(s: &str, args: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i + 1..).unwrap_or("");
        if let Some(inner_end) = after.strip_prefix('{').and_then(|a| a.find('}')) {
            let inner = after.get(1..inner_end + 1).unwrap_or("");
            let (name, default) = match inner.split_once(":-").or_else(|| inner.split_once('-')) {
                Some((n, d)) => (n, Some(d)),
                None => (inner, None),
            };
            match args
                .get(name)
                .filter(|v| !v.is_empty())
                .map(String::as_str)
                .or(default)
            {
                Some(v) => out.push_str(v),
                None => {
                    out.push_str("${");
                    out.push_str(inner);
                    out.push('}');
                }
            }
            rest = after.get(inner_end + 2..).unwrap_or("");
        } else {
            let n = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            let name = after.get(..n).unwrap_or("");
            match args.get(name) {
                Some(v) if !name.is_empty() => out.push_str(v),
                _ => {
                    out.push('$');
                    out.push_str(name);
                }
            }
            rest = after.get(n..).unwrap_or("");
        }
    }
    out.push_str(rest);
    out
}

/// `["a", "b"]` exec form, or a shell-form string split on whitespace and quotes.
fn command_args(rest: &str) -> Vec<String> {
    if rest.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<Vec<String>>(rest) {
            return v.iter().flat_map(|a| model_ref::split_command(a)).collect();
        }
    }
    model_ref::split_command(rest)
}

fn detect(input: &FileInput, _ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let mut out = DetectOutcome::default();
    let mut args: BTreeMap<String, String> = BTreeMap::new();
    let mut stages: Vec<String> = Vec::new();
    // index into out.findings of the current stage's AI container, and its Ollama-ness
    let mut stage_container: Option<(usize, bool)> = None;
    let mut models: Vec<Finding> = Vec::new();
    let mut last_container: Option<(usize, bool)> = None;
    for ins in instructions(text) {
        match ins.keyword.as_str() {
            "ARG" => {
                for part in model_ref::split_command(&ins.rest) {
                    let (k, v) = part.split_once('=').unwrap_or((part.as_str(), ""));
                    args.entry(k.to_string()).or_insert_with(|| v.to_string());
                }
            }
            "FROM" => {
                let words: Vec<&str> = ins
                    .rest
                    .split_whitespace()
                    .filter(|w| !w.starts_with("--"))
                    .collect();
                let Some(image) = words.first() else { continue };
                let image = substitute(image, &args);
                if let (Some(kw), Some(alias)) = (words.get(1), words.get(2)) {
                    if kw.eq_ignore_ascii_case("as") {
                        stages.push(alias.to_ascii_lowercase());
                    }
                }
                stage_container = None;
                if stages.iter().any(|s| *s == image.to_ascii_lowercase()) {
                    continue; // a previous stage, not an image
                }
                let ev = images::evidence(
                    &input.rel_path,
                    ins.line,
                    ID,
                    Some(&format!("FROM {}", ins.rest)),
                );
                if let Some((f, row)) = images::container_finding(&image, true, ev) {
                    stage_container = Some((out.findings.len(), row.ollama));
                    out.findings.push(f);
                }
                last_container = stage_container;
            }
            "ENV" => {
                let parts = model_ref::split_command(&ins.rest);
                let pairs: Vec<(String, String)> = if parts.len() >= 2 && !parts[0].contains('=') {
                    vec![(parts[0].clone(), parts[1..].join(" "))]
                } else {
                    parts
                        .iter()
                        .filter_map(|p| {
                            p.split_once('=')
                                .map(|(k, v)| (k.to_string(), v.to_string()))
                        })
                        .collect()
                };
                for (k, v) in pairs {
                    let v = substitute(&v, &args);
                    if model_ref::is_model_key(&k) {
                        let hint = if stage_container.is_some_and(|(_, o)| o) {
                            ServeHint::Ollama
                        } else {
                            ServeHint::None
                        };
                        if let Some(m) =
                            model_ref::from_env(&k, &v, hint, model_ev(input, ins.line, &ins))
                        {
                            models.push(m);
                        }
                    }
                    args.insert(k, v);
                }
            }
            "CMD" | "ENTRYPOINT" => {
                let argv: Vec<String> = command_args(&ins.rest)
                    .iter()
                    .map(|a| substitute(a, &args))
                    .collect();
                let hint = if stage_container.is_some_and(|(_, o)| o) {
                    ServeHint::Ollama
                } else {
                    ServeHint::None
                };
                for (_, value) in model_ref::model_args(&argv) {
                    if let Some(m) =
                        model_ref::from_value(&value, hint, model_ev(input, ins.line, &ins))
                    {
                        models.push(m);
                    }
                }
            }
            _ => {}
        }
    }
    // the image that runs is the last stage's; tie served models to it
    if let Some((idx, _)) = last_container {
        let mut ids: Vec<String> = models.iter().map(Finding::id).collect();
        let mut names: Vec<String> = models.iter().map(|m| m.name.clone()).collect();
        ids.sort();
        ids.dedup();
        names.sort();
        names.dedup();
        if let Some(c) = out.findings.get_mut(idx) {
            if !ids.is_empty() {
                c.depends_on.extend(ids);
                c.properties
                    .insert("served-model".into(), names.join(", ").into());
            }
        }
    }
    out.findings.extend(models);
    out
}

fn model_ev(input: &FileInput, line: u32, ins: &Instruction) -> Evidence {
    let mut ev = Evidence::new(
        &input.rel_path,
        Some(line),
        ID,
        Method::ConfigKey,
        Confidence::Medium,
    );
    ev.snippet = Some(crate::detect::util::snippet(&format!(
        "{} {}",
        ins.keyword, ins.rest
    )));
    ev
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        let out = detect(
            &FileInput::from_bytes("Dockerfile", text.as_bytes().to_vec()),
            &Context::default(),
        );
        out.findings
            .iter()
            .map(|f| format!("{}@{}", f.id(), f.evidence.line.unwrap_or(0)))
            .collect()
    }

    #[test]
    fn multi_stage_args_and_models() {
        let text = "# syntax=docker/dockerfile:1\nARG VLLM_VERSION=v0.6.3\nFROM python:3.11 AS build\nRUN pip install x\nFROM --platform=linux/amd64 vllm/vllm-openai:${VLLM_VERSION} AS serve\nFROM serve\nENV MODEL_ID=meta-llama/Meta-Llama-3-8B-Instruct\nCMD [\"--model\", \"meta-llama/Meta-Llama-3-8B-Instruct\", \\\n  \"--port\", \"8000\"]\n";
        assert_eq!(
            ids(text),
            vec![
                "container:docker/vllm/vllm-openai@v0.6.3@5",
                "model:huggingface/meta-llama/Meta-Llama-3-8B-Instruct@7",
                "model:huggingface/meta-llama/Meta-Llama-3-8B-Instruct@8",
            ]
        );
    }

    #[test]
    fn served_model_on_final_ai_stage() {
        let text = "FROM ghcr.io/huggingface/text-generation-inference:2.0\nENTRYPOINT text-generation-launcher --model-id=google/flan-t5-xl\n";
        let out = detect(
            &FileInput::from_bytes("tgi.Dockerfile", text.as_bytes().to_vec()),
            &Context::default(),
        );
        let c = &out.findings[0];
        assert_eq!(c.properties["served-model"], "google/flan-t5-xl");
        assert_eq!(c.depends_on, vec!["model:huggingface/google/flan-t5-xl"]);
    }

    #[test]
    fn near_misses() {
        // generic bases, commented FROM, unresolved base, a stage alias, local model paths
        let text = "FROM node:alpine\n# FROM vllm/vllm-openai:latest\nFROM ${BASE_IMAGE}\nFROM registry.access.redhat.com/ubi9/python-311 AS cuda-runtime\nFROM cuda-runtime\nCMD [\"--model\", \"/mnt/models\"]\n";
        assert!(ids(text).is_empty(), "{:?}", ids(text));
        assert!(ids("").is_empty());
        let bad = detect(
            &FileInput::from_bytes("Dockerfile", vec![0xff, 0xfe, 0]),
            &Context::default(),
        );
        assert!(bad.failed);
    }

    #[test]
    fn substitution() {
        let mut a = BTreeMap::new();
        a.insert("T".to_string(), "1.0".to_string());
        assert_eq!(substitute("x:${T}", &a), "x:1.0");
        assert_eq!(substitute("x:$T-y", &a), "x:1.0-y");
        assert_eq!(substitute("x:${U:-2}", &a), "x:2");
        assert_eq!(substitute("x:${U}", &a), "x:${U}");
        assert_eq!(substitute("$", &a), "$");
        assert_eq!(substitute("${", &a), "${");
    }
}
