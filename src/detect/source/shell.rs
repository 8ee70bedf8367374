//! Shell commands in scripts and notebook `!`/`%%bash` lines: `ollama pull|run MODEL`,
//! `docker run … IMAGE` of AI serving images, `pip install PACKAGE`.
//!
//! # What it detects
//! Ollama models (`ollama/<model>`, with the Ollama service), AI serving/training containers
//! started with `docker run`, and AI packages installed with `pip install`.
//!
//! # Files claimed
//! `*.sh`, `*.bash` (and notebook shell lines through the Python detector).
//!
//! # Evidence and confidence
//! Commands: high (`api-call` for models, `manifest` for pip packages, medium).
//!
//! # Not handled
//! Variables in the command (`ollama pull $MODEL`), here-documents, aliases.
//!
//! # References
//! `docker run --help`, `ollama --help`, `pip install --help`.

use super::refs::{Emitter, Src};
use crate::bom::normalize::Ecosystem;
use crate::bom::{ComponentKind, Confidence, Finding, Method};
use crate::detect::providers;
use crate::detect::util::package_finding;
use crate::detect::{Candidate, Claim, Context, DetectOutcome, FileInput};

pub const ID: &str = "shell-commands";

pub fn claim(c: &Candidate) -> Claim {
    match c.ext {
        "sh" | "bash" => Claim::Yes,
        _ => Claim::No,
    }
}

pub fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let mut out = DetectOutcome::default();
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    if !["ollama", "docker", "pip"].iter().any(|w| text.contains(w)) {
        return out;
    }
    let src = Src::new(&input.rel_path, ID, text);
    let mut em = Emitter::new(&src, &mut out);
    let mut pending: Option<(String, u32)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = i as u32 + 1;
        let (mut acc, start) = pending.take().unwrap_or((String::new(), line));
        let body = strip_comment(raw);
        acc.push_str(body.trim_end());
        if let Some(s) = acc.strip_suffix('\\') {
            pending = Some((format!("{s} "), start));
            continue;
        }
        analyze_line(ctx, &acc, start, &mut em);
    }
    if let Some((acc, start)) = pending {
        analyze_line(ctx, &acc, start, &mut em);
    }
    out
}

fn strip_comment(line: &str) -> &str {
    let t = line.trim_start();
    if t.starts_with('#') {
        return "";
    }
    // ` #` starts a comment outside quotes
    let mut q: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match (q, c) {
            (None, '\'' | '"') => q = Some(c),
            (Some(o), _) if o == c => q = None,
            (None, '#') if prev.is_whitespace() => return &line[..i],
            _ => {}
        }
        prev = c;
    }
    line
}

/// Split a command line into words, honouring quotes and `$(…)`.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut q: Option<char> = None;
    let mut depth = 0u32;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (q, c) {
            (None, '\'' | '"') => q = Some(c),
            (Some(o), _) if o == c => q = None,
            (None, '$') if chars.peek() == Some(&'(') => {
                depth += 1;
                cur.push(c);
            }
            (None, ')') if depth > 0 => {
                depth -= 1;
                cur.push(c);
            }
            (None, ';' | '|' | '&') if depth == 0 => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                out.push(c.to_string());
            }
            (None, _) if c.is_whitespace() && depth == 0 => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
        if out.len() > 512 {
            break;
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Options of `docker run` that take a separate value.
const DOCKER_VALUE_OPTS: &[&str] = &[
    "-e",
    "--env",
    "-p",
    "--publish",
    "-v",
    "--volume",
    "--name",
    "--gpus",
    "--shm-size",
    "-w",
    "--workdir",
    "--network",
    "--net",
    "--entrypoint",
    "--mount",
    "-u",
    "--user",
    "--env-file",
    "--ipc",
    "--runtime",
    "--platform",
    "-l",
    "--label",
    "--device",
    "--restart",
    "-m",
    "--memory",
    "--cpus",
    "--add-host",
    "-h",
    "--hostname",
    "--ulimit",
    "--cap-add",
    "--security-opt",
    "--pull",
    "--log-driver",
    "--tmpfs",
];

/// Image name words that mark an AI serving/training image.
const AI_IMAGE_WORDS: &[&str] = &[
    "vllm",
    "text-generation-inference",
    "text-embeddings-inference",
    "ollama",
    "tritonserver",
    "triton",
    "pytorch",
    "tensorflow",
    "nvidia",
    "cuda",
    "huggingface",
    "rayproject",
    "llama",
    "localai",
    "nemo",
    "openvino",
    "sglang",
    "lmdeploy",
    "tgi",
    "mlflow",
    "kserve",
];

/// One (joined) command line.
pub fn analyze_line(ctx: &Context, line: &str, at: u32, em: &mut Emitter) {
    let w = words(line);
    for (i, word) in w.iter().enumerate() {
        let cmd = word.rsplit('/').next().unwrap_or(word);
        match cmd {
            "ollama" => {
                let verb = w.get(i + 1).map(String::as_str);
                if matches!(verb, Some("pull" | "run")) {
                    if let Some(m) = w.get(i + 2).filter(|m| ollama_name(m)) {
                        if let Some(p) = providers::provider("ollama") {
                            em.provider_model(m, p, at, Confidence::High);
                        }
                    }
                }
            }
            "docker" | "podman" if w.get(i + 1).map(String::as_str) == Some("run") => {
                if let Some(image) = docker_image(&w[i + 2..]) {
                    container(&image, at, em);
                }
            }
            "pip" | "pip3" | "uv"
                if w.get(i + 1).map(String::as_str) == Some("install")
                    || (cmd == "uv" && w.get(i + 1).map(String::as_str) == Some("pip")) =>
            {
                let start = if cmd == "uv" { i + 3 } else { i + 2 };
                for arg in w.iter().skip(start) {
                    if matches!(arg.as_str(), ";" | "|" | "&") {
                        break;
                    }
                    if arg.starts_with('-') || arg.contains(['/', '$', '<', '>']) {
                        continue;
                    }
                    let (name, version) = match arg.split_once("==") {
                        Some((n, v)) => (n, Some(v)),
                        None => (
                            arg.split(['<', '>', '=', '~', '!', ';'])
                                .next()
                                .unwrap_or(arg),
                            None,
                        ),
                    };
                    let name = name.split('[').next().unwrap_or(name);
                    if name.is_empty()
                        || !name
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
                    {
                        continue;
                    }
                    let ev = em.src.evidence(at, Method::Manifest, Confidence::Medium);
                    if let Some(f) = package_finding(ctx, Ecosystem::Pypi, name, version, ev) {
                        em.out.findings.push(f);
                    }
                }
            }
            _ => {}
        }
    }
}

fn ollama_name(m: &str) -> bool {
    !m.is_empty()
        && m.len() <= 128
        && m.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'/'))
        && m.as_bytes()
            .first()
            .is_some_and(|b| b.is_ascii_alphanumeric())
}

fn docker_image(args: &[String]) -> Option<String> {
    let mut k = 0;
    while let Some(a) = args.get(k) {
        if a.starts_with('-') {
            k += if DOCKER_VALUE_OPTS.contains(&a.as_str()) {
                2
            } else {
                1
            };
            continue;
        }
        let ok = a.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/' | b':' | b'@')
        }) && a
            .as_bytes()
            .first()
            .is_some_and(|b| b.is_ascii_alphanumeric());
        return ok.then(|| a.clone());
    }
    None
}

fn container(image: &str, at: u32, em: &mut Emitter) {
    let lower = image.to_ascii_lowercase();
    if !AI_IMAGE_WORDS.iter().any(|w| lower.contains(w)) {
        return;
    }
    let (repo, digest) = match lower.split_once('@') {
        Some((r, d)) => (r.to_string(), Some(d.to_string())),
        None => (lower.clone(), None),
    };
    // the tag is after the last `:` that follows the last `/` (a registry port is not a tag)
    let slash = repo.rfind('/').map(|i| i + 1).unwrap_or(0);
    let (name, tag) = match repo[slash..].rfind(':') {
        Some(i) => (
            repo[..slash + i].to_string(),
            Some(repo[slash + i + 1..].to_string()),
        ),
        None => (repo.clone(), None),
    };
    let mut f = Finding::new(
        ComponentKind::Container,
        name.as_str(),
        em.src.evidence(at, Method::ApiCall, Confidence::High),
    )
    .with_identity(image.to_ascii_lowercase())
    .with_version(tag.or(digest))
    .prop("image", image);
    f = f.prop("started-by", "docker run");
    em.out.findings.push(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn run(text: &str) -> DetectOutcome {
        let ctx = Context {
            catalog: Catalog::builtin(),
            ..Default::default()
        };
        detect(
            &FileInput::from_bytes("s.sh", text.as_bytes().to_vec()),
            &ctx,
        )
    }

    #[test]
    fn ollama_docker_pip() {
        let out = run("#!/bin/sh\n# ollama pull not-this\nollama pull llama3.2:3b\ndocker run --gpus all -e HF_TOKEN=$(cat ~/t x) -p 8080:80 \\\n  ghcr.io/huggingface/text-generation-inference:3.0.1 --model-id x\ndocker run -d postgres:16\npip install -q torch==2.3.1 requests\n");
        let ids: Vec<String> = out.findings.iter().map(|f| f.id()).collect();
        assert!(
            ids.contains(&"model:ollama/llama3.2:3b".to_string()),
            "{ids:?}"
        );
        assert!(
            ids.contains(
                &"container:ghcr.io/huggingface/text-generation-inference:3.0.1".to_string()
            ),
            "{ids:?}"
        );
        assert!(
            ids.contains(&"library:pypi/torch@2.3.1".to_string()),
            "{ids:?}"
        );
        assert!(!ids
            .iter()
            .any(|i| i.contains("not-this") || i.contains("postgres") || i.contains("requests")));
        let c = out
            .findings
            .iter()
            .find(|f| f.kind == ComponentKind::Container)
            .unwrap();
        assert_eq!(c.version.as_deref(), Some("3.0.1"));
        assert_eq!(c.evidence.line, Some(4));
    }
}
