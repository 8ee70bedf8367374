//! Ollama `Modelfile`s: a model built from a base model (registry name or local weights),
//! optional LoRA adapter, template and parameters.
//!
//! What it detects: `FROM` (the base model), `ADAPTER`, `TEMPLATE` (hash and length only),
//! `SYSTEM`, `LICENSE`, `PARAMETER` names.
//!
//! Files claimed: `Modelfile` and `*.modelfile`, by name.
//!
//! Evidence and confidence: `ollama-modelfile`, method manifest, high. A registry `FROM`
//! becomes a model component `ollama/<name>` the Modelfile depends on; a local path is linked
//! to the model component found at that path by the directory pass.
//!
//! Not handled: `MESSAGE` history, `REQUIRES`. Go templates cannot reach Python, so the
//! template is not checked for injection.
//!
//! References: <https://github.com/ollama/ollama/blob/main/docs/modelfile.md>

use super::super::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use crate::bom::{ComponentKind, Confidence, Evidence, Finding, Method};

pub const DETECTOR: Detector = Detector {
    id: "ollama-modelfile",
    family: "model",
    summary: "Ollama Modelfile: FROM base model, ADAPTER, TEMPLATE hash, parameters",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    if !c.cloud && c.size < 1024 * 1024 && (c.file_name == "Modelfile" || c.ext == "modelfile") {
        Claim::Yes
    } else {
        Claim::No
    }
}

/// Instructions as (keyword uppercased, argument, 1-based line); `"""` blocks joined.
pub fn instructions(text: &str) -> Vec<(String, String, u32)> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, raw)) = lines.next() {
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let (kw, arg) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
        let mut arg = arg.trim().to_string();
        if let Some(rest) = arg.strip_prefix("\"\"\"") {
            let mut body = rest.to_string();
            if let Some(end) = body.find("\"\"\"") {
                body.truncate(end);
            } else {
                for (_, more) in lines.by_ref() {
                    if let Some(end) = more.find("\"\"\"") {
                        body.push('\n');
                        body.push_str(&more[..end]);
                        break;
                    }
                    body.push('\n');
                    body.push_str(more);
                }
            }
            arg = body;
        }
        out.push((kw.to_ascii_uppercase(), arg, i as u32 + 1));
    }
    out
}

fn is_path(s: &str) -> bool {
    s.starts_with('.')
        || s.starts_with('/')
        || s.starts_with('~')
        || s.ends_with(".gguf")
        || s.ends_with(".bin")
        || s.ends_with(".safetensors")
}

/// `base` joined with a relative path, `..` resolved; `None` when it leaves the scan root.
pub fn resolve(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

fn detect(input: &FileInput, _ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, DETECTOR.id, e),
    };
    let ins = instructions(text);
    let Some((_, from, from_line)) = ins.iter().find(|(k, _, _)| k == "FROM").cloned() else {
        return DetectOutcome::failure(input, DETECTOR.id, "Modelfile without a FROM instruction");
    };
    let dir = super::hf_config::dir_of(&input.rel_path);
    let name = dir
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("Modelfile");
    let mut ev = Evidence::new(
        &input.rel_path,
        Some(from_line),
        DETECTOR.id,
        Method::Manifest,
        Confidence::High,
    );
    ev.snippet = Some(super::short(&format!("FROM {from}"), 120));
    let mut f = Finding::new(ComponentKind::Model, name, ev)
        .with_identity(input.rel_path.clone())
        .prop("format", "ollama-modelfile")
        .prop("source", "file");
    let mut out = DetectOutcome::default();
    if is_path(&from) {
        if from.starts_with('/') || from.starts_with('~') {
            f = f.prop("from", "(absolute path)");
        } else if let Some(p) = resolve(dir, &from) {
            f = f
                .prop("from", super::short(&from, 200))
                .prop("aibom.from-path", p);
        }
    } else {
        let mut bev = Evidence::new(
            &input.rel_path,
            Some(from_line),
            DETECTOR.id,
            Method::Manifest,
            Confidence::High,
        );
        bev.snippet = Some(super::short(&format!("FROM {from}"), 120));
        let base = Finding::new(ComponentKind::Model, from.clone(), bev)
            .with_identity(format!("ollama/{from}"))
            .with_provider("ollama")
            .prop("source", "registry-reference");
        f = f.prop("from", super::short(&from, 200));
        f.depends_on.push(base.id());
        out.findings.push(base);
    }
    let mut params = Vec::new();
    for (k, arg, _) in &ins {
        match k.as_str() {
            "ADAPTER" => {
                f = f.prop("adapter", super::short(arg, 200));
                if let Some(p) = resolve(dir, arg).filter(|_| !arg.starts_with('/')) {
                    f = f.prop("aibom.adapter-path", p);
                }
            }
            "TEMPLATE" => {
                use sha2::Digest;
                f = f
                    .prop(
                        "template-sha256",
                        super::hash::hex(&sha2::Sha256::digest(arg.as_bytes())),
                    )
                    .prop("template-length", arg.len());
            }
            "SYSTEM" => f = f.prop("system-prompt-length", arg.len()),
            "LICENSE" => {
                let first = arg.lines().next().unwrap_or("").trim();
                if !first.is_empty() && first.len() < 64 {
                    f.licenses.push(super::licenses::to_spdx(first));
                }
            }
            "PARAMETER" => {
                if let Some(p) = arg.split_whitespace().next() {
                    if !params.contains(&p.to_string()) {
                        params.push(p.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    if !params.is_empty() {
        f = f.prop("parameters-set", params);
    }
    out.findings.push(f);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_blocks_and_paths() {
        let t = "# c\nFROM llama3.2:1b\nPARAMETER temperature 0.2\nTEMPLATE \"\"\"{{ .System }}\n{{ .Prompt }}\"\"\"\nADAPTER ./lora.gguf\n";
        let i = instructions(t);
        assert_eq!(i[0], ("FROM".into(), "llama3.2:1b".into(), 2));
        assert!(i[2].1.contains(".Prompt"));
        assert_eq!(resolve("a/b", "../c.gguf").as_deref(), Some("a/c.gguf"));
        assert_eq!(resolve("", "../x"), None);
        let out = detect(
            &FileInput::from_bytes("m/Modelfile", t.as_bytes().to_vec()),
            &Context::default(),
        );
        assert_eq!(out.findings.len(), 2);
    }
}
