//! A cheap test that a Python, JS/TS or Go file can yield any finding, so that the many files
//! that cannot (most of a large tree: utilities, tests, scripts that import nothing AI) are not
//! tokenised.
//!
//! Every finding or risk those readers report (catalogue imports, then [`super::refs::run`]
//! over the language's pattern table) needs at least one of these words in the text, matched
//! ASCII case-insensitively:
//!
//! - an import the catalogue knows. JS and Go write the whole specifier or path in a string,
//!   so the whole name (or prefix) is the word. Python may split a dotted name
//!   (`from a import b`), so the word is the last segment of an exact name, or the first
//!   segment of a prefix (`langchain_`, `llama_index`);
//! - a call pattern: the module it must be imported from (whole for JS and Go, first segment
//!   for Python), or, for a pattern without one, the last segment of its callee;
//! - a provider's environment variable (a `FOO_*` pattern by its `FOO_`) or host (the fixed
//!   part of `*.suffix` and `pre*post`);
//! - `trust_remote_code`, and the roots of the built-in dataset calls.
//!
//! The words are derived from the same tables the reader uses, so a new pattern, provider or
//! catalogue entry (also a user's `--catalog` file) is covered without editing this list. The
//! `relevance_covers_every_finding` tests check the claim against every fixture.

use super::patterns::{self, Pattern};
use crate::bom::normalize::Ecosystem;
use crate::catalog::Catalog;
use crate::detect::providers::PROVIDERS;
use aho_corasick::AhoCorasick;

/// Words that are not in any table but lead to a report: remote code, built-in datasets.
const FIXED: &[&str] = &[
    "trust_remote_code",
    "trustRemoteCode",
    "torchvision",
    "keras",
    "tensorflow_datasets",
];

/// The languages with a relevance filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Python,
    Js,
    Go,
}

impl Reader {
    fn slot(self) -> usize {
        match self {
            Reader::Python => 0,
            Reader::Js => 1,
            Reader::Go => 2,
        }
    }

    fn ecosystem(self) -> Ecosystem {
        match self {
            Reader::Python => Ecosystem::Pypi,
            Reader::Js => Ecosystem::Npm,
            Reader::Go => Ecosystem::Golang,
        }
    }

    fn table(self) -> &'static [Pattern] {
        match self {
            Reader::Python => patterns::PYTHON,
            Reader::Js => patterns::JS,
            Reader::Go => patterns::GO,
        }
    }
}

/// True unless `text` certainly yields nothing for `reader`.
pub fn relevant(text: &str, catalog: &Catalog, reader: Reader) -> bool {
    match catalog.source_filters[reader.slot()].get_or_init(|| build(&words(catalog, reader))) {
        Some(ac) => ac.is_match(text),
        // the filter could not be built: read everything
        None => true,
    }
}

fn build(words: &[String]) -> Option<AhoCorasick> {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(words)
        .ok()
}

fn first_segment(s: &str) -> &str {
    s.split('.').find(|p| !p.is_empty()).unwrap_or(s)
}

fn last_segment(s: &str) -> &str {
    s.rsplit('.').find(|p| !p.is_empty()).unwrap_or(s)
}

/// The words for `reader`, sorted and deduplicated.
pub fn words(catalog: &Catalog, reader: Reader) -> Vec<String> {
    let python = reader == Reader::Python;
    let mut words: Vec<String> = FIXED.iter().map(|w| w.to_string()).collect();
    for (name, prefix) in catalog.import_names(reader.ecosystem()) {
        let w = match (python, prefix) {
            (false, _) => name,
            (true, true) => first_segment(name),
            (true, false) => last_segment(name),
        };
        words.push(w.to_string());
    }
    for p in reader.table() {
        match p.import {
            Some(modules) if !modules.is_empty() => {
                for m in modules.split('|') {
                    words.push(if python { first_segment(m) } else { m }.to_string());
                }
            }
            _ => words.push(last_segment(p.callee).to_string()),
        }
    }
    for p in PROVIDERS {
        for v in p.env_vars {
            words.push(v.trim_end_matches('*').to_string());
        }
        for h in p.hosts {
            let fixed = match h.split_once('*') {
                Some((pre, post)) => {
                    let post = post.trim_start_matches('.');
                    if pre.len() > post.len() {
                        pre
                    } else {
                        post
                    }
                }
                None => h,
            };
            words.push(fixed.to_string());
        }
    }
    words.retain(|w| !w.is_empty());
    words.sort();
    words.dedup();
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::source::refs::Src;
    use crate::detect::{Context, DetectOutcome};
    use std::path::Path;

    fn ctx() -> Context {
        Context {
            catalog: Catalog::builtin(),
            ..Context::default()
        }
    }

    /// Runs a reader without the filter.
    fn analyze(text: &str, ctx: &Context, reader: Reader) -> DetectOutcome {
        let mut out = DetectOutcome::default();
        match reader {
            Reader::Python => {
                let src = Src::new("t.py", super::super::python::ID, text);
                super::super::python::analyze(&src, text, ctx, &mut out);
            }
            Reader::Js => super::super::js::analyze("t.ts", text, ctx, &mut out),
            Reader::Go => super::super::go_src::analyze("t.go", text, ctx, &mut out),
        }
        out
    }

    fn sources(dir: &Path, out: &mut Vec<(std::path::PathBuf, Reader)>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                sources(&p, out);
                continue;
            }
            let reader = match p.extension().and_then(|x| x.to_str()) {
                Some("py") => Reader::Python,
                Some("js" | "mjs" | "cjs" | "ts" | "tsx" | "jsx") => Reader::Js,
                Some("go") => Reader::Go,
                _ => continue,
            };
            out.push((p, reader));
        }
    }

    #[test]
    fn relevance_covers_every_finding_in_the_fixtures() {
        let ctx = ctx();
        let mut files = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
            &mut files,
        );
        assert!(files.len() >= 10, "fixtures not found");
        let mut reported = 0;
        for (f, reader) in files {
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            let out = analyze(&text, &ctx, reader);
            if !out.findings.is_empty() || !out.risks.is_empty() {
                reported += 1;
                assert!(
                    relevant(&text, &ctx.catalog, reader),
                    "{} yields findings but the filter would skip it",
                    f.display()
                );
            }
        }
        assert!(reported >= 5);
    }

    #[test]
    fn relevance_covers_every_pattern_and_provider() {
        let ctx = ctx();
        for reader in [Reader::Python, Reader::Js, Reader::Go] {
            let mut exercised = 0;
            // each call pattern, written as its import requirement asks
            for p in reader.table() {
                let root = p.callee.split('.').next().unwrap_or(p.callee);
                let module = match p.import {
                    Some(m) if !m.is_empty() => m.split('|').next().unwrap_or(m),
                    Some(_) => "somewhere",
                    None => "",
                };
                let call = format!("{}(\"org/some-model\")", p.callee);
                let text = match (reader, module) {
                    (Reader::Python, "") => format!("x = {call}\n"),
                    (Reader::Python, m) => format!("from {m} import {root}\nx = {call}\n"),
                    (Reader::Js, "") => format!("const x = {call};\n"),
                    (Reader::Js, m) => {
                        format!("import {{ {root} }} from \"{m}\";\nconst x = {call};\n")
                    }
                    (Reader::Go, "") => format!("package main\nfunc f() {{ x := {call} }}\n"),
                    (Reader::Go, m) => {
                        format!("package main\nimport {root} \"{m}\"\nfunc f() {{ x := {call} }}\n")
                    }
                };
                if !analyze(&text, &ctx, reader).findings.is_empty() {
                    exercised += 1;
                    assert!(relevant(&text, &ctx.catalog, reader), "{reader:?}: {text}");
                }
            }
            // most patterns yield a finding from this minimal call (100/120, 58/66, 16/20)
            assert!(
                exercised * 4 >= reader.table().len() * 3,
                "{reader:?}: only {exercised} patterns exercised"
            );
            for p in PROVIDERS {
                for v in p.env_vars {
                    let text = format!("k = getenv(\"{}\")\n", v.replace('*', "X"));
                    if !analyze(&text, &ctx, reader).findings.is_empty() {
                        assert!(relevant(&text, &ctx.catalog, reader), "{text}");
                    }
                }
            }
        }
    }

    #[test]
    fn plain_code_is_skipped_and_user_catalogue_entries_count() {
        let mut ctx = ctx();
        let plain = "import json\n\ndef load(p):\n    return json.load(open(p))\n";
        assert!(!relevant(plain, &ctx.catalog, Reader::Python));
        assert!(analyze(plain, &ctx, Reader::Python).findings.is_empty());
        let custom = "import acme_brain\n";
        assert!(!relevant(custom, &ctx.catalog, Reader::Python));
        ctx.catalog
            .extend_from_toml(
                "[[pypi]]\nname = \"acme-brain\"\ncategory = \"llm-sdk\"\nimports = [\"acme_brain\"]\n",
            )
            .unwrap();
        assert!(relevant(custom, &ctx.catalog, Reader::Python));
        assert_eq!(analyze(custom, &ctx, Reader::Python).findings.len(), 1);
    }
}
