//! Java and Kotlin sources.
//!
//! # What it detects
//! `import dev.langchain4j…` and other catalogued Maven packages (`library`); hosted models in
//! builder chains (`OpenAiChatModel.builder().modelName("gpt-4o")`, Spring AI
//! `OpenAiChatOptions.builder().model("…")`) with the provider of the builder class; provider
//! hosts and env var names (`System.getenv("OPENAI_API_KEY")`).
//!
//! # Files claimed
//! `*.java`, `*.kt`, `*.kts`.
//!
//! # Evidence and confidence
//! As for Python.
//!
//! # Not handled
//! Models set through properties files (the config detectors' part) or injected beans.
//!
//! # References
//! docs.langchain4j.dev, docs.spring.io/spring-ai.

use super::calls::{self, Unit, Val};
use super::lex::{self, Lang, Token};
use super::patterns::{JVM_BUILDERS, JVM_BUILDER_PREFIXES, JVM_MODEL_CONSTANTS};
use super::refs::{self, api_id, Emitter, Src};
use super::{imports, prefilter_hit};
use crate::bom::normalize::Ecosystem;
use crate::bom::Confidence;
use crate::detect::providers;
use crate::detect::{Candidate, Claim, Context, DetectOutcome, FileInput};

pub const ID: &str = "jvm-code";

pub fn claim(c: &Candidate) -> Claim {
    match c.ext {
        "java" | "kt" | "kts" => Claim::Yes,
        _ => Claim::No,
    }
}

pub fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let mut out = DetectOutcome::default();
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    if !prefilter_hit(text) {
        return out;
    }
    let toks = lex::tokenize(text, Lang::Jvm);
    let mut unit = calls::analyze(&toks, Lang::Jvm);
    let found = jvm_imports(&toks, &mut unit);
    let src = Src::new(&input.rel_path, ID, text);
    let mut em = Emitter::new(&src, &mut out);
    imports::emit(ctx, Ecosystem::Maven, &found, &mut em);
    builders(&unit, &toks, &mut em);
    refs::run(&unit, &toks, Lang::Jvm, &[], &mut em);
    drop(unit);
    lex::recycle(toks);
    out
}

fn jvm_imports(toks: &[Token], unit: &mut Unit) -> Vec<(String, u32)> {
    let mut found = Vec::new();
    for i in 0..toks.len() {
        if toks[i].ident() != Some("import") || (i > 0 && toks[i - 1].line == toks[i].line) {
            continue;
        }
        let mut k = i + 1;
        if toks.get(k).and_then(Token::ident) == Some("static") {
            k += 1;
        }
        let mut path = String::new();
        while let Some(seg) = toks.get(k).and_then(Token::ident) {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(seg);
            if toks.get(k + 1).is_some_and(|t| t.is_punct('.')) {
                k += 2;
            } else {
                break;
            }
        }
        if path.is_empty() {
            continue;
        }
        if let Some(last) = path.rsplit('.').next() {
            unit.imported.insert(last.to_string(), path.clone());
        }
        found.push((path, toks[i].line));
    }
    found
}

/// The provider a builder class names: an exact low-level SDK class, or a LangChain4j /
/// Spring AI `<Provider>…Model` / `<Provider>…Options` class.
fn builder_provider(class: &str) -> Option<&'static str> {
    if let Some((_, p)) = JVM_BUILDERS.iter().find(|(c, _)| *c == class) {
        return Some(p);
    }
    if !(class.ends_with("Model") || class.ends_with("Options")) {
        return None;
    }
    JVM_BUILDER_PREFIXES
        .iter()
        .find(|(prefix, _)| class.starts_with(prefix))
        .map(|(_, p)| *p)
}

/// `X.builder()…modelName("…")`: the builder class in the same statement names the provider,
/// unless a `.baseUrl("…")` in the statement points the client at another known provider.
/// A model-name enum constant (`modelName(GPT_4_O_MINI)`) stands for the id it carries.
fn builders(unit: &Unit, toks: &[Token], em: &mut Emitter) {
    for call in &unit.calls {
        if !matches!(call.name(), "modelName" | "model" | "deploymentName") {
            continue;
        }
        let Some(arg) = call.positional(0) else {
            continue;
        };
        let r = match unit.resolve(arg, call.offset) {
            Some(r) => r,
            None => match arg {
                Val::Name(n, l) => {
                    let last = n.rsplit('.').next().unwrap_or(n);
                    match JVM_MODEL_CONSTANTS.iter().find(|(c, _)| *c == last) {
                        Some((_, id)) => (id.to_string(), *l, true),
                        None => continue,
                    }
                }
                _ => continue,
            },
        };
        if !api_id(&r.0) {
            continue;
        }
        // walk back to the statement start looking for a known builder class
        let mut k = call.tok;
        let mut provider = None;
        while k > 0 && call.tok - k < 400 {
            k -= 1;
            let t = &toks[k];
            if t.is_punct(';') || t.is_punct('{') || t.is_punct('}') {
                break;
            }
            if let Some(p) = t.ident().and_then(builder_provider) {
                provider = Some(p);
                break;
            }
        }
        let Some(mut p) = provider.and_then(providers::provider) else {
            continue;
        };
        if let Some(host_p) =
            statement_base_url(unit, toks, k).and_then(|u| providers::provider_for_host(&u))
        {
            p = host_p;
        }
        let line = if r.2 { r.1 } else { call.line };
        em.provider_model(&r.0, p, line, Confidence::High);
    }
}

/// The literal of a `.baseUrl("…")` call in the statement that starts at token `from`.
fn statement_base_url(unit: &Unit, toks: &[Token], from: usize) -> Option<String> {
    let end = (from..toks.len().min(from + 2000))
        .find(|&k| toks[k].is_punct(';'))
        .unwrap_or(toks.len());
    unit.calls
        .iter()
        .filter(|c| c.tok > from && c.tok < end && matches!(c.name(), "baseUrl" | "endpoint"))
        .find_map(|c| match c.positional(0) {
            Some(Val::Str(s, _)) => Some(s.clone()),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn langchain4j_builder() {
        let src = "import dev.langchain4j.model.openai.OpenAiChatModel;\nclass A {\n  ChatModel m = OpenAiChatModel.builder()\n      .apiKey(System.getenv(\"OPENAI_API_KEY\"))\n      .modelName(\"gpt-4o-mini\")\n      .build();\n  // .modelName(\"not-this\")\n  Foo f = Foo.builder().modelName(\"unknown-provider\").build();\n}\n";
        let out = detect(
            &FileInput::from_bytes("A.java", src.as_bytes().to_vec()),
            &Context::default(),
        );
        let ids: Vec<String> = out.findings.iter().map(|f| f.id()).collect();
        assert!(
            ids.contains(&"model:openai/gpt-4o-mini".to_string()),
            "{ids:?}"
        );
        assert!(ids.contains(&"service:openai".to_string()));
        assert!(!ids
            .iter()
            .any(|i| i.contains("not-this") || i.contains("unknown-provider")));
    }

    #[test]
    fn langchain4j_classes_constants_and_base_url() {
        let src = "import static dev.langchain4j.model.openai.OpenAiChatModelName.GPT_4_O_MINI;\nclass B {\n  EmbeddingModel e = GoogleAiEmbeddingModel.builder()\n      .modelName(\"gemini-embedding-001\")\n      .build();\n  ChatModel c = OpenAiChatModel.builder().modelName(GPT_4_O_MINI).build();\n  ChatModel x = OpenAiChatModel.builder()\n      .baseUrl(\"https://api.cerebras.ai/v1\")\n      .modelName(\"llama-4-scout-17b-16e-instruct\")\n      .build();\n  Foo f = FooModel.builder().modelName(GPT_4_O).build();\n  ChatModel u = OpenAiChatModel.builder().modelName(SOME_UNKNOWN_CONSTANT).build();\n}\n";
        let out = detect(
            &FileInput::from_bytes("B.java", src.as_bytes().to_vec()),
            &Context::default(),
        );
        let ids: Vec<String> = out.findings.iter().map(|f| f.id()).collect();
        for want in [
            "model:google-gemini/gemini-embedding-001",
            "model:openai/gpt-4o-mini",
            "model:cerebras/llama-4-scout-17b-16e-instruct",
        ] {
            assert!(ids.contains(&want.to_string()), "{want} not in {ids:?}");
        }
        assert!(!ids.iter().any(|i| i.contains("openai/llama")), "{ids:?}");
        assert!(!ids
            .iter()
            .any(|i| i.contains("gpt-4o\"") || i.ends_with("/gpt-4o")));
        assert!(!ids.iter().any(|i| i.to_lowercase().contains("unknown")));
    }
}
