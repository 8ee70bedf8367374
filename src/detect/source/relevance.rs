//! A cheap test that a Python file can yield any finding, so that the many files that cannot
//! (most of a large tree: utilities, tests, scripts that import nothing AI) are not tokenised.
//!
//! Every finding or risk the Python reader ([`super::python::analyze`]) reports needs at least
//! one of these words in the text, matched ASCII case-insensitively:
//!
//! - an import the catalogue knows: the last segment of an exact import name (it is written in
//!   the text whichever form the import takes: `import a.b`, `from a import b`), or the first
//!   segment of a prefix (`langchain_`, `llama_index`);
//! - a call pattern: the module it must be imported from (first segment), or, for a pattern
//!   without one, the last segment of its callee;
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

/// True unless `text` certainly yields nothing for the Python reader.
pub fn python_relevant(text: &str, catalog: &Catalog) -> bool {
    match catalog
        .python_filter
        .get_or_init(|| build(&python_words(catalog)))
    {
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

/// The words for the Python reader, sorted and deduplicated.
pub fn python_words(catalog: &Catalog) -> Vec<String> {
    let mut words: Vec<String> = FIXED.iter().map(|w| w.to_string()).collect();
    for (name, prefix) in catalog.import_names(Ecosystem::Pypi) {
        let w = if prefix {
            first_segment(name)
        } else {
            last_segment(name)
        };
        words.push(w.to_string());
    }
    words.extend(pattern_words(patterns::PYTHON));
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

fn pattern_words(table: &[Pattern]) -> Vec<String> {
    let mut out = Vec::new();
    for p in table {
        match p.import {
            Some(modules) if !modules.is_empty() => {
                out.extend(modules.split('|').map(|m| first_segment(m).to_string()));
            }
            _ => out.push(last_segment(p.callee).to_string()),
        }
    }
    out
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

    /// Runs the Python reader without the filter.
    fn analyze(text: &str, ctx: &Context) -> DetectOutcome {
        let mut out = DetectOutcome::default();
        let src = Src::new("t.py", super::super::python::ID, text);
        super::super::python::analyze(&src, text, ctx, &mut out);
        out
    }

    fn py_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                py_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "py") {
                out.push(p);
            }
        }
    }

    #[test]
    fn relevance_covers_every_finding_in_the_fixtures() {
        let ctx = ctx();
        let mut files = Vec::new();
        py_files(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
            &mut files,
        );
        assert!(files.len() >= 5, "fixtures not found");
        let mut reported = 0;
        for f in files {
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            let out = analyze(&text, &ctx);
            if !out.findings.is_empty() || !out.risks.is_empty() {
                reported += 1;
                assert!(
                    python_relevant(&text, &ctx.catalog),
                    "{} yields findings but the filter would skip it",
                    f.display()
                );
            }
        }
        assert!(reported >= 3);
    }

    #[test]
    fn relevance_covers_every_pattern_and_provider() {
        let ctx = ctx();
        // each call pattern, written as its import requirement asks
        for p in patterns::PYTHON {
            let root = p.callee.split('.').next().unwrap_or(p.callee);
            let import = match p.import {
                Some(m) if !m.is_empty() => {
                    let m = m.split('|').next().unwrap_or(m);
                    format!("from {m} import {root}\n")
                }
                Some(_) => format!("from somewhere import {root}\n"),
                None => String::new(),
            };
            let text = format!("{import}x = {}(\"org/some-model\")\n", p.callee);
            if !analyze(&text, &ctx).findings.is_empty() {
                assert!(python_relevant(&text, &ctx.catalog), "{text}");
            }
        }
        for p in PROVIDERS {
            for v in p.env_vars {
                let text = format!("k = os.environ[\"{}\"]\n", v.replace('*', "X"));
                if !analyze(&text, &ctx).findings.is_empty() {
                    assert!(python_relevant(&text, &ctx.catalog), "{text}");
                }
            }
        }
    }

    #[test]
    fn plain_code_is_skipped_and_user_catalogue_entries_count() {
        let mut ctx = ctx();
        let plain = "import json\n\ndef load(p):\n    return json.load(open(p))\n";
        assert!(!python_relevant(plain, &ctx.catalog));
        assert!(analyze(plain, &ctx).findings.is_empty());
        let custom = "import acme_brain\n";
        assert!(!python_relevant(custom, &ctx.catalog));
        ctx.catalog
            .extend_from_toml(
                "[[pypi]]\nname = \"acme-brain\"\ncategory = \"llm-sdk\"\nimports = [\"acme_brain\"]\n",
            )
            .unwrap();
        assert!(python_relevant(custom, &ctx.catalog));
        assert_eq!(analyze(custom, &ctx).findings.len(), 1);
    }
}
