//! Go sources.
//!
//! # What it detects
//! Import paths of AI modules (`library`, through the Go catalogue's import names); go-openai /
//! openai-go requests (`openai.ChatCompletionRequest{Model: openai.GPT4o}`, literal `Model:
//! "…"`), langchaingo constructors and `WithModel("…")` options, provider hosts and env var
//! names (`os.Getenv("OPENAI_API_KEY")`).
//!
//! # Files claimed
//! `*.go`.
//!
//! # Evidence and confidence
//! As for Python.
//!
//! # Not handled
//! Models chosen through variables of other packages.
//!
//! # References
//! github.com/sashabaranov/go-openai, github.com/openai/openai-go, github.com/tmc/langchaingo.

use super::calls::{self, Unit};
use super::lex::{self, Lang, Token};
use super::refs::{self, Emitter, Src};
use super::{imports, patterns, prefilter_hit, relevance};
use crate::bom::normalize::Ecosystem;
use crate::detect::{Candidate, Claim, Context, DetectOutcome, FileInput};

pub const ID: &str = "go-code";

pub fn claim(c: &Candidate) -> Claim {
    if c.ext == "go" {
        Claim::Yes
    } else {
        Claim::No
    }
}

pub fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let mut out = DetectOutcome::default();
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    if prefilter_hit(text) && relevance::relevant(text, &ctx.catalog, relevance::Reader::Go) {
        analyze(&input.rel_path, text, ctx, &mut out);
    }
    out
}

/// Read `text` (the file at `path`) without the relevance filter.
pub fn analyze(path: &str, text: &str, ctx: &Context, out: &mut DetectOutcome) {
    let toks = lex::tokenize(text, Lang::Go);
    let mut unit = calls::analyze(&toks, Lang::Go);
    let found = go_imports(&toks, &mut unit);
    let src = Src::new(path, ID, text);
    let mut em = Emitter::new(&src, out);
    imports::emit(ctx, Ecosystem::Golang, &found, &mut em);
    refs::run(&unit, &toks, Lang::Go, patterns::GO, &mut em);
    drop(unit);
    lex::recycle(toks);
}

/// The package name Go code uses for an import path without an alias.
fn package_name(path: &str) -> String {
    let mut segs: Vec<&str> = path.split('/').collect();
    if segs.len() > 1
        && segs.last().is_some_and(|s| {
            s.len() >= 2 && s.starts_with('v') && s[1..].bytes().all(|b| b.is_ascii_digit())
        })
    {
        segs.pop();
    }
    let last = segs.last().copied().unwrap_or(path);
    let last = last.strip_prefix("go-").unwrap_or(last);
    let last = last.strip_suffix("-go").unwrap_or(last);
    last.replace(['-', '.'], "")
}

fn go_imports(toks: &[Token], unit: &mut Unit) -> Vec<(String, u32)> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if toks[i].ident() != Some("import") {
            i += 1;
            continue;
        }
        let grouped = toks.get(i + 1).is_some_and(|t| t.is_punct('('));
        let mut k = if grouped { i + 2 } else { i + 1 };
        while let Some(t) = toks.get(k) {
            if t.is_punct(')') {
                break;
            }
            let (alias, path_tok) = match (t.ident(), t.is_punct('.') || t.is_punct('_')) {
                (Some(a), _) => (Some(a.to_string()), toks.get(k + 1)),
                (None, true) => (None, toks.get(k + 1)),
                _ => (None, Some(t)),
            };
            let Some(path) = path_tok.and_then(Token::str_lit) else {
                break;
            };
            let local = alias
                .filter(|a| a != "_")
                .unwrap_or_else(|| package_name(path));
            unit.imported.insert(local, path.to_string());
            found.push((path.to_string(), t.line));
            k += if path_tok.map(|p| p.offset) == Some(t.offset) {
                1
            } else {
                2
            };
            if !grouped {
                break;
            }
        }
        i = k + 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names() {
        assert_eq!(package_name("github.com/sashabaranov/go-openai"), "openai");
        assert_eq!(
            package_name("github.com/tmc/langchaingo/llms/ollama"),
            "ollama"
        );
        assert_eq!(package_name("github.com/openai/openai-go/v2"), "openai");
    }

    #[test]
    fn requests_and_options() {
        let ctx = Context::default();
        let src = "package main\nimport (\n\t\"os\"\n\topenai \"github.com/sashabaranov/go-openai\"\n\t\"github.com/tmc/langchaingo/llms/ollama\"\n)\nfunc main() {\n\tc := openai.NewClient(os.Getenv(\"OPENAI_API_KEY\"))\n\treq := openai.ChatCompletionRequest{\n\t\tModel: openai.GPT4o,\n\t}\n\tllm, _ := ollama.New(ollama.WithModel(\"llama3\"))\n\t// ollama.WithModel(\"not-this\")\n}\n";
        let out = detect(
            &FileInput::from_bytes("m.go", src.as_bytes().to_vec()),
            &ctx,
        );
        let ids: Vec<String> = out.findings.iter().map(|f| f.id()).collect();
        assert!(ids.contains(&"model:openai/gpt-4o".to_string()), "{ids:?}");
        assert!(ids.contains(&"model:ollama/llama3".to_string()), "{ids:?}");
        assert!(!ids.iter().any(|i| i.contains("not-this")));
    }
}
