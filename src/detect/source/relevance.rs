//! A cheap test that a Python, JS/TS or Go file can yield any finding, so that the many files
//! that cannot (most of a large tree: utilities, tests, scripts that import nothing AI) are not
//! tokenised.
//!
//! Every finding or risk those readers report (catalogue imports, then [`super::refs::run`]
//! over the language's pattern table) needs certain words in the text, standing where the
//! reader needs them:
//!
//! - an import the catalogue knows. Python may split a dotted name (`from a import b`), but
//!   writes every segment of it as a whole identifier in its exact case, the first one after
//!   `import`, `from` or `,`: `azure.ai.ml` needs `azure`, `ai` and `ml`, so neither `html`
//!   nor `yaml` is a use of it, `ray` is not found in `array`, and `together` in a comment is
//!   not the Together SDK (a prefix's last segment may continue: `langchain_openai`). A JS
//!   specifier or Go import path opens a string and ends it (or goes on at `/`, `.`, `:`), so
//!   the Vercel SDK `ai` is not found in `main` or `said`;
//! - a call pattern: a callee is matched as written, so all of its segments are there as
//!   identifiers, and so is the module its root must come from: `genai.configure` needs
//!   `genai` and `configure`, not just the common `configure`; transformers.js's `pipeline`
//!   needs `pipeline` and a scoped specifier (`"@…`), not any `@`;
//! - a provider's environment variable (a `FOO_*` pattern by its `FOO_`) or host (the fixed
//!   part of `*.suffix` and `pre*post`), anywhere and in any case;
//! - `trust_remote_code`, and the roots of the built-in dataset calls.
//!
//! A file is relevant when every word of at least one requirement is in it. The requirements
//! are derived from the same tables the reader uses, so a new pattern, provider or catalogue
//! entry (also a user's `--catalog` file) is covered without editing this list. The
//! `relevance_covers_every_finding` tests check the claim against every fixture and pattern.

use super::patterns::{self, Pattern};
use crate::bom::normalize::Ecosystem;
use crate::catalog::Catalog;
use crate::detect::providers::PROVIDERS;
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;

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

/// A word a requirement needs, and where it may stand.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Word {
    text: String,
    /// no ASCII letter, digit or `_` just before it (it starts an identifier)
    left: bool,
    /// none just after it (it ends an identifier)
    right: bool,
    /// its case must match: Python identifiers are case-sensitive; hosts and variable names
    /// are matched in any case
    exact_case: bool,
    /// it follows `import`, `from` or `,` (across blanks and line continuations): the first
    /// segment of a module an import statement names
    after_import: bool,
    /// it opens a string (a JS module specifier, a Go import path)
    after_quote: bool,
    /// it is followed by the end of the string or by `/`, `.` or `:` (the catalogue matches
    /// a specifier's parents at those)
    ends_specifier: bool,
}

impl Word {
    fn anywhere(text: &str) -> Word {
        Word {
            text: text.to_string(),
            left: false,
            right: false,
            exact_case: false,
            after_import: false,
            after_quote: false,
            ends_specifier: false,
        }
    }

    /// The start of a string literal: a module specifier (or its prefix, `open_end`).
    fn specifier(text: &str, open_end: bool) -> Word {
        Word {
            after_quote: true,
            ends_specifier: !open_end,
            exact_case: true,
            ..Word::anywhere(text)
        }
    }

    /// The occurrence of this word at `start..end` of `bytes` (found in any case) counts.
    fn stands_at(&self, bytes: &[u8], start: usize, end: usize) -> bool {
        (!self.left || start == 0 || !is_ident_byte(bytes[start - 1]))
            && (!self.right || !bytes.get(end).copied().is_some_and(is_ident_byte))
            && (!self.exact_case || bytes.get(start..end) == Some(self.text.as_bytes()))
            && (!self.after_import || follows_import(bytes, start))
            && (!self.after_quote || start > 0 && is_quote(bytes[start - 1]))
            && (!self.ends_specifier
                || bytes
                    .get(end)
                    .is_some_and(|&b| is_quote(b) || matches!(b, b'/' | b'.' | b':')))
    }
}

/// The built filter: a search for every word's text, and the requirements by word.
#[derive(Debug)]
pub struct Filter {
    /// every distinct text of a word, in any case: an NFA, quick to build
    nfa: AhoCorasick,
    /// the same as a DFA, about three times faster to run but milliseconds to build (a third
    /// of a small repository's scan), so built only once [`DFA_AFTER`] bytes were searched
    dfa: OnceLock<Option<AhoCorasick>>,
    building: AtomicBool,
    searched: AtomicUsize,
    texts: Vec<String>,
    /// per text: the words of that text (their conditions differ)
    by_text: Vec<Vec<usize>>,
    words: Vec<Word>,
    /// per word: a requirement of this word alone (the search can stop at it)
    alone: Vec<bool>,
    /// per word: the requirements of several words that include it
    wider: Vec<Vec<usize>>,
    /// requirements of several words, by word id
    reqs: Vec<Vec<usize>>,
}

/// Bytes searched with the NFA before the DFA is built: past about 1.5 MB the DFA has paid
/// for its build.
const DFA_AFTER: usize = 2 << 20;

/// True unless `text` certainly yields nothing for `reader`.
pub fn relevant(text: &str, catalog: &Catalog, reader: Reader) -> bool {
    match catalog.source_filters[reader.slot()]
        .get_or_init(|| Filter::build(&requirements(catalog, reader)))
    {
        Some(f) => f.is_match(text),
        // the filter could not be built: read everything
        None => true,
    }
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_quote(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'`')
}

/// The text before `at` ends, blanks and line continuations aside, with `import`, `from`
/// or `,`.
fn follows_import(bytes: &[u8], at: usize) -> bool {
    let mut i = at;
    while i > 0 && matches!(bytes[i - 1], b' ' | b'\t' | b'\r' | b'\n' | b'\\' | b'\x0c') {
        i -= 1;
    }
    let before = &bytes[..i];
    before.ends_with(b",") || before.ends_with(b"import") || before.ends_with(b"from")
}

impl Filter {
    fn build(requirements: &[Vec<Word>]) -> Option<Filter> {
        // one automaton pattern per distinct word; the same text with other conditions is
        // another pattern, reported at the same places
        let mut ids: BTreeMap<&Word, usize> = BTreeMap::new();
        let mut words: Vec<Word> = Vec::new();
        let mut alone: Vec<bool> = Vec::new();
        let mut several: Vec<Vec<usize>> = Vec::new();
        for req in requirements {
            let mut r: Vec<usize> = req
                .iter()
                .map(|w| {
                    *ids.entry(w).or_insert_with(|| {
                        words.push(w.clone());
                        alone.push(false);
                        words.len() - 1
                    })
                })
                .collect();
            r.sort_unstable();
            r.dedup();
            match r.as_slice() {
                [] => {}
                [one] => alone[*one] = true,
                _ => several.push(r),
            }
        }
        let mut by_text: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, w) in words.iter().enumerate() {
            by_text
                .entry(w.text.to_ascii_lowercase())
                .or_default()
                .push(i);
        }
        let texts: Vec<String> = by_text.keys().cloned().collect();
        let nfa = automaton(&texts, None)?;
        let by_text = by_text.into_values().collect();
        let mut wider = vec![Vec::new(); words.len()];
        for (i, r) in several.iter().enumerate() {
            for &w in r {
                wider[w].push(i);
            }
        }
        Some(Filter {
            nfa,
            dfa: OnceLock::new(),
            building: AtomicBool::new(false),
            searched: AtomicUsize::new(0),
            texts,
            by_text,
            words,
            alone,
            wider,
            reqs: several,
        })
    }

    fn is_match(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        let mut seen = vec![false; self.words.len()];
        // true once an occurrence completes a requirement
        let mut occurrence = |text_id: usize, start: usize, end: usize| {
            for &id in &self.by_text[text_id] {
                if seen[id] || !self.words[id].stands_at(bytes, start, end) {
                    continue;
                }
                if self.alone[id] {
                    return true;
                }
                seen[id] = true;
                if self.wider[id]
                    .iter()
                    .any(|&r| self.reqs[r].iter().all(|&w| seen[w]))
                {
                    return true;
                }
            }
            false
        };
        if let Some(Some(dfa)) = self.dfa.get() {
            return dfa
                .find_overlapping_iter(text)
                .any(|m| occurrence(m.pattern().as_usize(), m.start(), m.end()));
        }
        let mut last_end = 0;
        let hit = self.nfa.find_overlapping_iter(text).any(|m| {
            last_end = m.end();
            occurrence(m.pattern().as_usize(), m.start(), m.end())
        });
        self.searched_with_nfa(if hit { last_end } else { text.len() });
        hit
    }

    /// Counts bytes the NFA went through; the search that passes [`DFA_AFTER`] builds the
    /// DFA (the other threads go on with the NFA meanwhile).
    fn searched_with_nfa(&self, len: usize) {
        let before = self.searched.fetch_add(len, Ordering::Relaxed);
        if before.saturating_add(len) >= DFA_AFTER && !self.building.swap(true, Ordering::AcqRel) {
            // only this thread gets here, so nobody waits for the build
            self.dfa
                .get_or_init(|| automaton(&self.texts, Some(AhoCorasickKind::DFA)));
        }
    }
}

fn automaton(texts: &[String], kind: Option<AhoCorasickKind>) -> Option<AhoCorasick> {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .kind(kind)
        .build(texts)
        .ok()
}

/// The segments of a dotted name (a callee, a Python module), each a whole identifier in its
/// exact case; with `open_end`, the last may continue (a prefix); with `imported`, the first
/// follows `import`, `from` or `,` (a module a Python import statement names). A segment that
/// is not an identifier is only looked for, anywhere and in any case.
fn segments(name: &str, open_end: bool, imported: bool, into: &mut Vec<Word>) {
    let parts: Vec<&str> = name.split('.').filter(|p| !p.is_empty()).collect();
    for (i, p) in parts.iter().enumerate() {
        let ident = p.bytes().all(is_ident_byte);
        into.push(Word {
            left: ident,
            right: ident && !(open_end && i + 1 == parts.len()),
            exact_case: ident,
            after_import: ident && imported && i == 0,
            ..Word::anywhere(p)
        });
    }
}

/// The requirements for `reader`: a file can yield a finding only if it holds every word of
/// one of them. Sorted and deduplicated.
fn requirements(catalog: &Catalog, reader: Reader) -> Vec<Vec<Word>> {
    let python = reader == Reader::Python;
    let mut reqs: Vec<Vec<Word>> = FIXED.iter().map(|w| vec![Word::anywhere(w)]).collect();
    // a module: a Python import statement's dotted name, a JS specifier or Go path in a string
    let module = |m: &str, open_end: bool, into: &mut Vec<Word>| {
        if python {
            segments(m, open_end, true, into);
        } else {
            into.push(Word::specifier(m, open_end));
        }
    };
    for (name, prefix) in catalog.import_names(reader.ecosystem()) {
        let mut r = Vec::new();
        module(name, prefix, &mut r);
        reqs.push(r);
    }
    for p in reader.table() {
        // the callee is matched as written: every segment is there
        let mut callee = Vec::new();
        segments(p.callee, false, false, &mut callee);
        match p.import {
            Some("") if python => {
                // the root is imported from anywhere: there is an import statement
                segments("import", false, false, &mut callee);
                reqs.push(callee);
            }
            Some(ms) if !ms.is_empty() => {
                // the root is imported from a module that starts with one of these
                for m in ms.split('|') {
                    let mut r = callee.clone();
                    module(m, true, &mut r);
                    reqs.push(r);
                }
            }
            _ => reqs.push(callee),
        }
    }
    for p in PROVIDERS {
        for v in p.env_vars {
            reqs.push(vec![Word::anywhere(v.trim_end_matches('*'))]);
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
            reqs.push(vec![Word::anywhere(fixed)]);
        }
    }
    for r in &mut reqs {
        r.retain(|w| !w.text.is_empty());
        r.sort();
        r.dedup();
    }
    reqs.retain(|r| !r.is_empty());
    reqs.sort();
    reqs.dedup();
    reqs
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

    fn fixture_sources() -> Vec<(std::path::PathBuf, Reader)> {
        let mut files = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
            &mut files,
        );
        files
    }

    #[test]
    fn relevance_covers_every_finding_in_the_fixtures() {
        let ctx = ctx();
        let files = fixture_sources();
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

    /// The filter's answer on each text is the expected one, and so is the reader's (a text
    /// is relevant exactly when the reader reports something from it).
    fn filter_and_reader_agree(reader: Reader, cases: &[(&str, bool)]) {
        let ctx = ctx();
        for &(text, expected) in cases {
            assert_eq!(relevant(text, &ctx.catalog, reader), expected, "{text:?}");
            let reported = !analyze(text, &ctx, reader).findings.is_empty();
            assert_eq!(reported, expected, "reader on {text:?}");
        }
    }

    #[test]
    fn a_name_inside_a_longer_identifier_or_in_prose_is_not_a_use() {
        filter_and_reader_agree(
            Reader::Python,
            &[
                // `ray` and `shap` are catalogue imports; `array` and `shape` are not them
                ("import numpy\nx = numpy.array(shape)\n", false),
                ("import ray\nray.init()\n", true),
                // `together` is the Together SDK only where an import statement names it
                ("# used together with the cache\nimport json\n", false),
                ("import together\n", true),
                ("import os, \\\n    ray\n", true),
                (
                    "try:\n    import ray\nexcept ImportError:\n    ray = None\n",
                    true,
                ),
                // Python names are case-sensitive
                ("import Ray\n", false),
                // a callee segment is a whole identifier
                (
                    "p = hf_hub_download(\"google-bert/bert-base-uncased\", \"config.json\")\n",
                    true,
                ),
                (
                    "p = my_hf_hub_download(\"google-bert/bert-base-uncased\", \"config.json\")\n",
                    false,
                ),
                // a callee without an import needs every segment, not just `configure`
                ("settings.configure(debug=True)\n", false),
                (
                    "import google.generativeai as genai\ngenai.configure(api_key=k)\n",
                    true,
                ),
            ],
        );
    }

    #[test]
    fn the_dfa_answers_as_the_nfa_does() {
        let ctx = ctx();
        let files = fixture_sources();
        let texts: Vec<String> = files
            .iter()
            .filter_map(|(f, _)| std::fs::read_to_string(f).ok())
            .chain(
                [
                    "import numpy
x = numpy.array(shape)
",
                    "import ray
",
                    "from azure.ai import ml
",
                    "html = yaml
",
                ]
                .map(String::from),
            )
            .collect();
        for reader in [Reader::Python, Reader::Js, Reader::Go] {
            let filter = Filter::build(&requirements(&ctx.catalog, reader)).unwrap();
            let by_nfa: Vec<bool> = texts.iter().map(|t| filter.is_match(t)).collect();
            assert!(filter.dfa.get().is_none(), "built before {DFA_AFTER} bytes");
            filter.searched_with_nfa(DFA_AFTER);
            assert!(matches!(filter.dfa.get(), Some(Some(_))));
            let by_dfa: Vec<bool> = texts.iter().map(|t| filter.is_match(t)).collect();
            assert_eq!(by_nfa, by_dfa, "{reader:?}");
            assert!(by_nfa.iter().any(|&m| m) && by_nfa.iter().any(|&m| !m));
        }
    }

    #[test]
    fn a_js_specifier_is_a_string_and_a_decorator_is_not_a_scope() {
        filter_and_reader_agree(
            Reader::Js,
            &[
                // the Vercel AI SDK is the specifier `ai`, not the letters in `main` or `said`
                ("function main() { return said(wait); }\n", false),
                ("import { generateText } from \"ai\";\n", true),
                ("import { createStreamableUI } from 'ai/rsc';\n", true),
                ("import { x } from \"ai-utils\";\n", false),
                // `pipeline` needs a scoped specifier, not a decorator's `@`
                (
                    "@Injectable()\nclass A { run() { return pipeline(1); } }\n",
                    false,
                ),
                (
                    "import { pipeline } from \"@xenova/transformers\";\n\
                     const p = await pipeline(\"sentiment-analysis\", \"Xenova/bert-base\");\n",
                    true,
                ),
            ],
        );
    }
}
