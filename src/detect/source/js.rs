//! JavaScript and TypeScript sources.
//!
//! # What it detects
//! `import … from "x"`, `export … from "x"`, `require("x")` and dynamic `import("x")` of AI
//! packages (`library`, through the npm catalogue's import names); SDK calls of the `JS` table
//! in `patterns.rs`: OpenAI/Anthropic/Gemini/Bedrock/Ollama clients, Vercel AI SDK provider
//! functions (`openai('gpt-4o')`), LangChain.js wrappers, transformers.js `pipeline(task,
//! 'Xenova/…')`, MCP servers (`new McpServer({name})`, `server.tool("name", …)`); provider hosts
//! and `process.env.NAME` of provider variables.
//!
//! # Files claimed
//! `*.js`, `*.mjs`, `*.cjs`, `*.ts`, `*.mts`, `*.cts`, `*.tsx`, `*.jsx` (not `*.min.js`, not
//! `*.d.ts`).
//!
//! # Evidence and confidence
//! As for Python: literal arguments high, imports high, hosts/env names medium.
//!
//! # Not handled
//! Bundled or minified code; JSX text is skipped only as far as the tokenizer's one-line
//! string rule allows.
//!
//! # References
//! ECMAScript modules; the SDKs' documentation.

use super::calls::{self, Unit};
use super::lex::{self, Lang, TokKind, Token};
use super::refs::{self, Emitter, Src};
use super::{imports, patterns, prefilter_hit, relevance};
use crate::bom::normalize::Ecosystem;
use crate::detect::{Candidate, Claim, Context, DetectOutcome, FileInput};

pub const ID: &str = "js-code";

pub fn claim(c: &Candidate) -> Claim {
    let n = c.name_lower;
    if n.ends_with(".min.js") || n.ends_with(".d.ts") {
        return Claim::No;
    }
    match c.ext {
        "js" | "mjs" | "cjs" | "ts" | "mts" | "cts" | "tsx" | "jsx" => Claim::Yes,
        _ => Claim::No,
    }
}

pub fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let mut out = DetectOutcome::default();
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    if prefilter_hit(text) && relevance::relevant(text, &ctx.catalog, relevance::Reader::Js) {
        analyze(&input.rel_path, text, ctx, &mut out);
    }
    out
}

/// Read `text` (the file at `path`) without the relevance filter.
pub fn analyze(path: &str, text: &str, ctx: &Context, out: &mut DetectOutcome) {
    let toks = lex::tokenize(text, Lang::Js);
    let mut unit = calls::analyze(&toks, Lang::Js);
    let found = js_imports(&toks, &mut unit);
    let src = Src::new(path, ID, text);
    let mut em = Emitter::new(&src, out);
    imports::emit(ctx, Ecosystem::Npm, &found, &mut em);
    refs::run(&unit, &toks, Lang::Js, patterns::JS, &mut em);
    drop(unit);
    lex::recycle(toks);
}

fn js_imports(toks: &[Token], unit: &mut Unit) -> Vec<(String, u32)> {
    let mut found = Vec::new();
    for i in 0..toks.len() {
        let Some(w) = toks[i].ident() else { continue };
        if i > 0 && toks[i - 1].is_punct('.') {
            continue;
        }
        match w {
            "import" | "export" => {
                let next = toks.get(i + 1);
                // import "x"  /  import("x")
                if let Some(s) = next.and_then(Token::str_lit) {
                    found.push((s.to_string(), toks[i].line));
                    continue;
                }
                if w == "import" && next.is_some_and(|t| t.is_punct('(')) {
                    if let Some(s) = toks.get(i + 2).and_then(Token::str_lit) {
                        found.push((s.to_string(), toks[i].line));
                    }
                    continue;
                }
                // import X, { A, B as C } from "x";  export { A } from "x"
                let mut names = Vec::new();
                let mut k = i + 1;
                let mut module = None;
                while let Some(t) = toks.get(k) {
                    if k > i + 200 || t.is_punct(';') {
                        break;
                    }
                    if t.ident() == Some("from") {
                        module = toks.get(k + 1).and_then(Token::str_lit);
                        break;
                    }
                    if let Some(n) = t.ident() {
                        if toks.get(k + 1).and_then(Token::ident) == Some("as") {
                            if let Some(a) = toks.get(k + 2).and_then(Token::ident) {
                                names.push(a.to_string());
                            }
                            k += 3;
                            continue;
                        }
                        if !matches!(n, "type" | "typeof") {
                            names.push(n.to_string());
                        }
                    } else if !matches!(t.kind, TokKind::Punct('{' | '}' | ',' | '*')) {
                        break;
                    }
                    k += 1;
                }
                if let Some(m) = module {
                    for n in names {
                        unit.imported.insert(n, m.to_string());
                    }
                    found.push((m.to_string(), toks[i].line));
                }
            }
            "require" if toks.get(i + 1).is_some_and(|t| t.is_punct('(')) => {
                let Some(m) = toks.get(i + 2).and_then(Token::str_lit) else {
                    continue;
                };
                found.push((m.to_string(), toks[i].line));
                // const X = require("x")  /  const { A, B: C } = require("x")
                if i >= 2 && toks[i - 1].is_punct('=') {
                    if let Some(n) = toks[i - 2].ident() {
                        unit.imported.insert(n.to_string(), m.to_string());
                    } else if toks[i - 2].is_punct('}') {
                        let mut k = i - 2;
                        while k > 0 && !toks[k].is_punct('{') && k + 64 > i {
                            k -= 1;
                            if let Some(n) = toks[k].ident() {
                                if !toks.get(k + 1).is_some_and(|t| t.is_punct(':')) {
                                    unit.imported.insert(n.to_string(), m.to_string());
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn ids(text: &str) -> Vec<String> {
        let ctx = Context {
            catalog: Catalog::builtin(),
            ..Default::default()
        };
        let out = detect(
            &FileInput::from_bytes("a.ts", text.as_bytes().to_vec()),
            &ctx,
        );
        let mut v: Vec<String> = out.findings.iter().map(|f| f.id()).collect();
        v.sort();
        v.dedup();
        v
    }

    #[test]
    fn sdk_calls_and_vercel_provider_functions() {
        let v = ids("import OpenAI from \"openai\";\nimport { openai } from '@ai-sdk/openai';\nconst client = new OpenAI();\nconst r = await client.chat.completions.create({ model: \"gpt-4o\", messages });\nconst m = openai('gpt-4o-mini');\n");
        assert!(v.contains(&"model:openai/gpt-4o".to_string()), "{v:?}");
        assert!(v.contains(&"model:openai/gpt-4o-mini".to_string()), "{v:?}");
        assert!(v.contains(&"service:openai".to_string()));
    }

    #[test]
    fn near_misses() {
        let v = ids("// openai('gpt-4o')\nconst s = `use ${x} gpt-4o`;\nif (model === 'gpt-4') {}\nfunction openai(x) {}\nopenai('gpt-4o');\n");
        assert!(v.iter().all(|i| !i.starts_with("model:")), "{v:?}");
    }
}
