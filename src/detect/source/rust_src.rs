//! Rust sources.
//!
//! # What it detects
//! `use` / `extern crate` / qualified paths of AI crates (`library`, through the Cargo
//! catalogue's import names); hf-hub `api.model("org/name")`, `Repo::with_revision(…)`,
//! `api.dataset(…)`; async-openai `.model("gpt-4o")`; provider hosts and env var names.
//!
//! # Files claimed
//! `*.rs`.
//!
//! # Evidence and confidence
//! As for Python.
//!
//! # Not handled
//! Macros that build ids; ids passed through `format!`.
//!
//! # References
//! docs.rs/hf-hub, docs.rs/async-openai, docs.rs/candle-core.

use super::calls::{self, Unit};
use super::lex::{self, Lang, Token};
use super::refs::{self, Emitter, Src};
use super::{imports, patterns, prefilter_hit};
use crate::bom::normalize::Ecosystem;
use crate::detect::{Candidate, Claim, Context, DetectOutcome, FileInput};
use std::collections::BTreeSet;

pub const ID: &str = "rust-code";

pub fn claim(c: &Candidate) -> Claim {
    if c.ext == "rs" {
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
    if !prefilter_hit(text) {
        return out;
    }
    let toks = lex::tokenize(text, Lang::Rust);
    let mut unit = calls::analyze(&toks, Lang::Rust);
    let found = rust_imports(ctx, &toks, &mut unit);
    let src = Src::new(&input.rel_path, ID, text);
    let mut em = Emitter::new(&src, &mut out);
    imports::emit(ctx, Ecosystem::Cargo, &found, &mut em);
    refs::run(&unit, &toks, Lang::Rust, patterns::RUST, &mut em);
    out
}

/// `use a::b::{C, D as E};`, `extern crate x;`, and `krate::path` uses of catalogued crates.
fn rust_imports(ctx: &Context, toks: &[Token], unit: &mut Unit) -> Vec<(String, u32)> {
    let mut found = Vec::new();
    // `mod openai;` and `use crate::providers::openai;` put a *local* module named like a
    // crate in scope: its `openai::…` paths are not uses of the `openai` crate
    let local = local_modules(toks);
    for i in 0..toks.len() {
        let Some(w) = toks[i].ident() else { continue };
        let path_sep = |k: usize| {
            toks.get(k).is_some_and(|t| t.is_punct(':'))
                && toks.get(k + 1).is_some_and(|t| t.is_punct(':'))
        };
        if w == "extern" && toks.get(i + 1).and_then(Token::ident) == Some("crate") {
            if let Some(c) = toks.get(i + 2).and_then(Token::ident) {
                unit.imported.insert(c.to_string(), c.to_string());
                found.push((c.to_string(), toks[i].line));
            }
            continue;
        }
        if w == "use" {
            // collect the path up to `;` or `{`
            let mut path = String::new();
            let mut k = i + 1;
            while let Some(t) = toks.get(k) {
                if let Some(seg) = t.ident() {
                    if !path.is_empty() {
                        path.push_str("::");
                    }
                    path.push_str(seg);
                    k += 1;
                    if path_sep(k) {
                        k += 2;
                        continue;
                    }
                }
                break;
            }
            if path.is_empty()
                || matches!(
                    path.split("::").next(),
                    Some("crate" | "self" | "super" | "std" | "core")
                )
                || path.split("::").next().is_some_and(|r| local.contains(r))
            {
                continue;
            }
            found.push((path.clone(), toks[i].line));
            let root = path.split("::").next().unwrap_or("").to_string();
            unit.imported.insert(root.clone(), root.clone());
            if let Some(last) = path.rsplit("::").next() {
                unit.imported.insert(last.to_string(), path.clone());
            }
            if toks.get(k).is_some_and(|t| t.is_punct('{')) {
                let mut j = k + 1;
                while let Some(t) = toks.get(j) {
                    if t.is_punct('}') || t.is_punct(';') || j > k + 200 {
                        break;
                    }
                    if let Some(n) = t.ident() {
                        if n != "as" && n != "self" {
                            unit.imported.insert(n.to_string(), format!("{path}::{n}"));
                        }
                    }
                    j += 1;
                }
            }
            continue;
        }
        // a qualified path `krate::…` not preceded by `::`
        if path_sep(i + 1)
            && !(i >= 1 && toks[i - 1].is_punct(':'))
            && !unit.imported.contains_key(w)
            && !local.contains(w)
            && ctx.catalog.lookup_import(Ecosystem::Cargo, w).is_some()
        {
            unit.imported.insert(w.to_string(), w.to_string());
            found.push((w.to_string(), toks[i].line));
        }
    }
    found
}

/// Names of modules declared (`mod x`) or imported from this crate (`use crate::a::x;`,
/// `use super::{x, y}`) in the file.
fn local_modules(toks: &[Token]) -> BTreeSet<String> {
    let mut local = BTreeSet::new();
    for i in 0..toks.len() {
        match toks[i].ident() {
            Some("mod") => {
                if let Some(n) = toks.get(i + 1).and_then(Token::ident) {
                    local.insert(n.to_string());
                }
            }
            Some("use")
                if matches!(
                    toks.get(i + 1).and_then(Token::ident),
                    Some("crate" | "self" | "super")
                ) =>
            {
                // every name up to the `;` that is not followed by `::` is brought into scope
                let mut k = i + 1;
                while let Some(t) = toks.get(k) {
                    if t.is_punct(';') || k > i + 200 {
                        break;
                    }
                    if let Some(n) = t.ident() {
                        let qualified = toks.get(k + 1).is_some_and(|t| t.is_punct(':'));
                        if !qualified && !matches!(n, "as" | "self" | "super" | "crate") {
                            local.insert(n.to_string());
                        }
                    }
                    k += 1;
                }
            }
            _ => {}
        }
    }
    local
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn hf_hub_and_async_openai() {
        let ctx = Context {
            catalog: Catalog::builtin(),
            ..Default::default()
        };
        let src = "use hf_hub::api::sync::Api;\nuse candle_core::Tensor;\nfn main() {\n    let api = Api::new().unwrap();\n    let repo = api.model(\"sentence-transformers/all-MiniLM-L6-v2\".to_string());\n    // api.model(\"org/not-this\")\n}\n";
        let out = detect(
            &FileInput::from_bytes("m.rs", src.as_bytes().to_vec()),
            &ctx,
        );
        let ids: Vec<String> = out.findings.iter().map(|f| f.id()).collect();
        assert!(
            ids.contains(&"model:huggingface/sentence-transformers/all-MiniLM-L6-v2".to_string()),
            "{ids:?}"
        );
        assert!(
            ids.iter().any(|i| i == "library:cargo/candle-core"),
            "{ids:?}"
        );
        assert!(!ids.iter().any(|i| i.contains("not-this")));
    }

    #[test]
    fn local_module_named_like_a_crate_is_not_the_crate() {
        let ctx = Context {
            catalog: Catalog::builtin(),
            ..Default::default()
        };
        let src = "use crate::providers::openai;\nuse super::{anthropic, gemini};\npub mod cohere;\nfn f() {\n    let c = openai::Client::from_env();\n    let a = anthropic::Client::new(\"k\");\n    let m = cohere::EmbeddingModel::new();\n}\n";
        let out = detect(
            &FileInput::from_bytes("p.rs", src.as_bytes().to_vec()),
            &ctx,
        );
        let libs: Vec<String> = out
            .findings
            .iter()
            .map(|f| f.id())
            .filter(|i| i.starts_with("library:"))
            .collect();
        assert!(libs.is_empty(), "{libs:?}");
        // the same path with no local module in scope is the crate
        let src = "use std::env;\nfn f() {\n    let c = openai::Client::new(\"k\");\n}\n";
        let out = detect(
            &FileInput::from_bytes("q.rs", src.as_bytes().to_vec()),
            &ctx,
        );
        assert!(
            out.findings
                .iter()
                .any(|f| f.id() == "library:cargo/openai"),
            "{:?}",
            out.findings.iter().map(|f| f.id()).collect::<Vec<_>>()
        );
    }
}
