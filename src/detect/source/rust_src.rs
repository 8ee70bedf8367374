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

use super::calls::{self, Unit, Val};
use super::lex::{self, Lang, TokKind, Token};
use super::refs::{self, api_id, Emitter, Src};
use super::{imports, patterns, prefilter_hit};
use crate::bom::normalize::Ecosystem;
use crate::bom::Confidence;
use crate::detect::providers;
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
    if unit.imported.keys().any(|k| k == "rig") {
        rig_models(&unit, &toks, &mut em);
    }
    drop(unit);
    lex::recycle(toks);
    out
}

/// rig: `client.agent(openai::GPT_4O)`, `.completion_model("gpt-4o")`, `.embedding_model(…)`.
/// The provider is the module of the constant, else the module of the `Client` the receiver
/// variable was built from (`let c = openai::Client::from_env();`); a client built with
/// `.base_url(…)` is served by that host's provider, or by nobody we can name. No provider, no
/// model.
fn rig_models(unit: &Unit, toks: &[Token], em: &mut Emitter) {
    let module_provider = |m: &str| {
        patterns::RIG_MODULES
            .iter()
            .find(|(k, _)| *k == m)
            .and_then(|(_, p)| providers::provider(p))
    };
    // variable → provider of the client it holds (None: pointed at an unknown base URL)
    // (token, variable, provider); the nearest assignment before a call is the one it sees
    let clients: Vec<(usize, &str, Option<&'static providers::Provider>)> = unit
        .calls
        .iter()
        .filter_map(|c| {
            let var = c.assigned_to.as_deref()?;
            let segs: Vec<&str> = c.callee.split('.').collect();
            let at = segs.iter().position(|s| *s == "Client")?;
            let module = *segs.get(at.checked_sub(1)?)?;
            let p = module_provider(module)?;
            let end = (c.tok..toks.len().min(c.tok + 2000))
                .find(|&k| toks[k].is_punct(';'))
                .unwrap_or(toks.len());
            let base = unit
                .calls
                .iter()
                .find(|b| b.tok > c.tok && b.tok < end && b.name() == "base_url");
            match base {
                None => Some((c.tok, var, Some(p))),
                Some(b) => match b.positional(0) {
                    Some(Val::Str(u, _)) => Some((c.tok, var, providers::provider_for_host(u))),
                    _ => Some((c.tok, var, None)),
                },
            }
        })
        .collect();
    for call in &unit.calls {
        if !matches!(
            call.name(),
            "agent" | "completion_model" | "embedding_model" | "extractor"
        ) {
            continue;
        }
        let receiver = call.root();
        let receiver_client = clients
            .iter()
            .rev()
            .find(|(t, v, _)| *v == receiver && *t < call.tok)
            .map(|(_, _, p)| *p);
        let receiver_provider = receiver_client.flatten();
        let Some(arg) = call.positional(0) else {
            continue;
        };
        let (id, line, provider) = match arg {
            Val::Str(s, l) => (s.clone(), *l, receiver_provider),
            Val::Name(n, l) => {
                let segs: Vec<&str> = n.split('.').collect();
                let last = segs.last().copied().unwrap_or("");
                // the module: a provider segment of the path, or of the constant's import
                let imported = unit.imported.get(last).map(String::as_str).unwrap_or("");
                let module = segs
                    .iter()
                    .copied()
                    .chain(imported.split("::"))
                    .find(|s| module_provider(s).is_some());
                let by_table = module.and_then(|m| {
                    patterns::RIG_CONSTANTS
                        .iter()
                        .find(|(mm, c, _)| *mm == m && *c == last)
                        .map(|(_, _, id)| id.to_string())
                });
                // a client with a custom base URL serves whatever the constant names
                let provider = match receiver_client {
                    Some(p) => p,
                    None => module.and_then(module_provider),
                };
                match by_table.or_else(|| unit.resolve(arg, call.offset).map(|r| r.0)) {
                    Some(id) => (id, *l, provider),
                    None => continue,
                }
            }
            _ => continue,
        };
        let Some(p) = provider else {
            continue;
        };
        if api_id(&id) {
            em.provider_model(&id, p, line.max(call.line), Confidence::High);
        }
    }
}

/// `use a::b::{C, D as E};`, `extern crate x;`, and `krate::path` uses of catalogued crates.
fn rust_imports(ctx: &Context, toks: &[Token], unit: &mut Unit) -> Vec<(String, u32)> {
    let mut found = Vec::new();
    // `mod openai;` and `use crate::providers::openai;` put a *local* module named like a
    // crate in scope: its `openai::…` paths are not uses of the `openai` crate
    let (local, use_ranges) = local_modules(toks);
    // the ranges are disjoint and in token order
    let in_use = |i: usize| {
        let n = use_ranges.partition_point(|&(a, _)| a < i);
        n > 0 && use_ranges[n - 1].1 > i
    };
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
        // a qualified path `krate::…` not preceded by `::` (the token checks first: the
        // name lookups ran for every identifier of a file before)
        let after_sep = i >= 1 && toks[i - 1].is_punct(':');
        if !path_sep(i + 1) || after_sep {
            continue;
        }
        let shadowed = unit.imported.contains_key(w) || local.contains(w) || in_use(i);
        if !shadowed && ctx.catalog.lookup_import(Ecosystem::Cargo, w).is_some() {
            unit.imported.insert(w.to_string(), w.to_string());
            found.push((w.to_string(), toks[i].line));
        }
    }
    found
}

/// Names that a file binds to something other than a crate: modules it declares (`mod x`) and
/// the leaf names of its `use` statements (`use crate::a::x;`, `use rig::{c::{D}, providers::x}`):
/// after those, `x::…` is a path into that module, not a use of a crate called `x`. Also
/// returns the token ranges of the `use` statements, whose inner paths are not uses either.
fn local_modules<'a>(toks: &[Token<'a>]) -> (BTreeSet<&'a str>, Vec<(usize, usize)>) {
    let mut local = BTreeSet::new();
    let mut ranges = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        match toks[i].ident() {
            Some("mod") => {
                if let Some(TokKind::Ident(n)) = toks.get(i + 1).map(|t| &t.kind) {
                    local.insert(*n);
                }
            }
            Some("use") if i == 0 || !toks[i - 1].is_punct(':') => {
                let root = toks.get(i + 1).and_then(Token::ident);
                let mut k = i + 1;
                while let Some(t) = toks.get(k) {
                    if t.is_punct(';') || k > i + 2000 {
                        break;
                    }
                    if let TokKind::Ident(n) = t.kind {
                        let qualified = toks.get(k + 1).is_some_and(|t| t.is_punct(':'));
                        // `use openai;` (2015 style) names the crate itself
                        let bare_root = k == i + 1 && !qualified;
                        if !qualified
                            && !bare_root
                            && !matches!(n, "as" | "self" | "super" | "crate")
                            && Some(n) != root.filter(|_| k == i + 1)
                        {
                            local.insert(n);
                        }
                    }
                    k += 1;
                }
                ranges.push((i, k));
                i = k;
            }
            _ => {}
        }
        i += 1;
    }
    (local, ranges)
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
        let src = "use crate::providers::openai;\nuse super::{anthropic, gemini};\npub mod cohere;\nuse crate::providers::{mistral, openai::embedding::EncodingFormat};\nuse rig::{\n    client::{CompletionClient, EmbeddingsClient},\n    providers::hf_hub,\n};\nfn g() { let c = hf_hub::Client::new(); }\nfn f() {\n    let c = openai::Client::from_env();\n    let a = anthropic::Client::new(\"k\");\n    let m = cohere::EmbeddingModel::new();\n}\n";
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
        // `use rig::{…}` is a real use of the rig crate; nothing else is
        assert_eq!(libs, vec!["library:cargo/rig-core".to_string()]);
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

    #[test]
    fn rig_agents_and_models() {
        let ctx = Context {
            catalog: Catalog::builtin(),
            ..Default::default()
        };
        let src = "use rig::{\n    client::{CompletionClient, ProviderClient},\n    providers::{anthropic, openai},\n};\n\nconst MODEL: &str = \"gpt-4o-mini\";\n\nasync fn run() {\n    let openai_client = openai::Client::from_env();\n    let a = openai_client.agent(openai::GPT_4O).build();\n    let b = openai_client.agent(\"gpt-5-nano\").build();\n    let c = openai_client.completion_model(MODEL);\n    let claude = anthropic::Client::from_env();\n    let d = claude.agent(anthropic::completion::CLAUDE_SONNET_4_6).build();\n    let e = other.agent(\"mystery-model\").build();\n    let local = openai::Client::builder().api_key(\"x\").base_url(server.url()).build();\n    let f = local.agent(\"local-served-model\").build();\n    let ol = openai::Client::builder().base_url(\"http://localhost:11434/v1\").build();\n    let g = ol.agent(\"llama3.2\").build();\n}\nfn two() {\n    let agent = anthropic::Client::from_env()\n        .agent(\"claude-opus-4-6\")\n        .build();\n}\nfn three() {\n    let agent = openai::Client::from_env();\n    // openai_client.agent(\"gpt-commented\")\n}\n";
        let out = detect(
            &FileInput::from_bytes("main.rs", src.as_bytes().to_vec()),
            &ctx,
        );
        let ids: Vec<String> = out.findings.iter().map(|f| f.id()).collect();
        for want in [
            "model:openai/gpt-4o",
            "model:openai/gpt-5-nano",
            "model:openai/gpt-4o-mini",
            "model:anthropic/claude-sonnet-4-6",
            "model:anthropic/claude-opus-4-6",
        ] {
            assert!(ids.contains(&want.to_string()), "{want} not in {ids:?}");
        }
        assert!(!ids
            .iter()
            .any(|i| i.contains("mystery") || i.contains("commented")));
        assert!(!ids.iter().any(|i| i == "library:cargo/openai"), "{ids:?}");
    }
}
