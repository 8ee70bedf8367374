//! setup.py, read as text (never executed).
//!
//! # What it detects
//! AI packages in `install_requires=[…]` (scope `required`) and `extras_require={…}` (scope
//! `optional`) when they are literal lists of string literals, or a name bound once at the top
//! level of the file to such a literal (`REQUIRED = [...]`, then `install_requires=REQUIRED`).
//!
//! # Files claimed
//! `setup.py`.
//!
//! # Evidence and confidence
//! One `library` finding per AI requirement string at its line, method `manifest`, confidence
//! high; `constraint`, `extras`, `marker` from the PEP 508 string, no version.
//!
//! # Not handled
//! Anything computed: list concatenation, comprehensions, reading a requirements file in code,
//! f-strings. Those give a warning, because the declared list could not be read. Comments and
//! docstrings are skipped by the tokenizer, so a mention there is never a dependency.
//!
//! # References
//! <https://setuptools.pypa.io/en/latest/userguide/dependency_management.html>.

use super::{dep_finding, pep508, Dep};
use crate::bom::Method;
use crate::detect::{
    util::line_at, Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};

pub const ID: &str = "python-setup-py";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "python",
    summary: "setup.py: literal install_requires / extras_require lists (never executed)",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    if c.name_lower == "setup.py" {
        Claim::Yes
    } else {
        Claim::No
    }
}

/// A Python token, as much as this detector needs.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    /// A string literal's value and its byte offset; `None` value for f-strings/bytes.
    Str(Option<String>, usize),
    Punct(char),
}

/// Tokenize Python source: names, string literals (all quote forms and prefixes), single
/// punctuation characters. Comments are dropped.
fn tokenize(src: &str) -> Vec<Tok> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'#' {
            while b.get(i).is_some_and(|&c| c != b'\n') {
                i += 1;
            }
        } else if c.is_ascii_whitespace() || c == b'\\' {
            i += 1;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while b
                .get(i)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
            {
                i += 1;
            }
            let word = &src[start..i];
            let is_prefix = word.len() <= 2 && word.chars().all(|c| "rRuUbBfF".contains(c));
            if is_prefix && matches!(b.get(i), Some(b'"' | b'\'')) {
                let plain = !word.to_ascii_lowercase().contains(['f', 'b']);
                let raw = word.to_ascii_lowercase().contains('r');
                let (val, end) = string_at(src, i, raw);
                out.push(Tok::Str(val.filter(|_| plain), start));
                i = end;
            } else {
                out.push(Tok::Name(word.to_string()));
            }
        } else if c == b'"' || c == b'\'' {
            let (val, end) = string_at(src, i, false);
            out.push(Tok::Str(val, i));
            i = end;
        } else {
            let ch = src[i..].chars().next().unwrap_or(' ');
            out.push(Tok::Punct(ch));
            i += ch.len_utf8();
        }
    }
    out
}

/// Read the string literal starting at `i` (a quote). Returns its value (simple escapes
/// resolved) and the offset after it; an unterminated string runs to the end.
fn string_at(src: &str, i: usize, raw: bool) -> (Option<String>, usize) {
    let rest = &src[i..];
    let q = &rest[..1];
    let triple = rest.starts_with(&q.repeat(3));
    let delim = if triple { q.repeat(3) } else { q.to_string() };
    let body_start = i + delim.len();
    let mut val = String::new();
    let mut chars = src[body_start..].char_indices();
    while let Some((off, ch)) = chars.next() {
        let at = body_start + off;
        if src[at..].starts_with(&delim) {
            return (Some(val), at + delim.len());
        }
        if ch == '\\' && !raw {
            if let Some((_, e)) = chars.next() {
                val.push(match e {
                    'n' => '\n',
                    't' => '\t',
                    other => other,
                });
            }
            continue;
        }
        if ch == '\n' && !triple {
            return (None, at);
        }
        val.push(ch);
    }
    (None, src.len())
}

/// A literal list of strings starting at token `i` (`[`), or why it is not one.
fn literal_list(toks: &[Tok], i: usize) -> Result<(Vec<(String, usize)>, usize), String> {
    let open = match toks.get(i) {
        Some(Tok::Punct(c @ ('[' | '('))) => *c,
        _ => return Err("not a literal list".to_string()),
    };
    let close = if open == '[' { ']' } else { ')' };
    let mut items = Vec::new();
    let mut j = i + 1;
    loop {
        match toks.get(j) {
            Some(Tok::Str(Some(s), off)) => items.push((s.clone(), *off)),
            Some(Tok::Punct(',')) => {}
            Some(Tok::Punct(c)) if *c == close => return Ok((items, j + 1)),
            _ => return Err("not a literal list of strings".to_string()),
        }
        j += 1;
    }
}

/// Resolve a value at token `i`: a literal list, or a name assigned a literal list at the top
/// level (`NAME = [...]`).
fn list_value(toks: &[Tok], i: usize) -> Result<Vec<(String, usize)>, String> {
    if let Some(Tok::Name(name)) = toks.get(i) {
        let after = toks.get(i + 1);
        if !matches!(after, Some(Tok::Punct(',' | ')' | '}'))) {
            return Err(format!("`{name}` is an expression, not a literal list"));
        }
        let defs: Vec<usize> = (0..toks.len())
            .filter(|&k| {
                toks.get(k) == Some(&Tok::Name(name.clone()))
                    && toks.get(k + 1) == Some(&Tok::Punct('='))
                    && !matches!(toks.get(k + 2), Some(Tok::Punct('=')))
            })
            .collect();
        return match defs.as_slice() {
            [k] => literal_list(toks, k + 2)
                .map(|(l, _)| l)
                .map_err(|e| format!("`{name}`: {e}")),
            _ => Err(format!("`{name}` is not bound once to a literal list")),
        };
    }
    let (list, next) = literal_list(toks, i)?;
    match toks.get(next) {
        None | Some(Tok::Punct(',' | ')' | '}')) => Ok(list),
        Some(_) => Err("a computed expression, not a literal list".to_string()),
    }
}

/// A requirement string, its byte offset, its scope and the extra that declares it.
type Declared = (String, usize, &'static str, Option<String>);

/// Requirements of `install_requires` and `extras_require`, and why others were not read.
fn declared(src: &str) -> (Vec<Declared>, Vec<String>) {
    let toks = tokenize(src);
    let mut reqs = Vec::new();
    let mut problems = Vec::new();
    for (k, t) in toks.iter().enumerate() {
        let Tok::Name(n) = t else { continue };
        if toks.get(k + 1) != Some(&Tok::Punct('=')) {
            continue;
        }
        match n.as_str() {
            "install_requires" => match list_value(&toks, k + 2) {
                Ok(l) => reqs.extend(l.into_iter().map(|(s, o)| (s, o, "required", None))),
                Err(e) => problems.push(format!("install_requires: {e}; not evaluated")),
            },
            "extras_require" => {
                if toks.get(k + 2) != Some(&Tok::Punct('{')) {
                    problems.push("extras_require: not a literal dict; not evaluated".to_string());
                    continue;
                }
                let mut j = k + 3;
                while let Some(Tok::Str(Some(extra), _)) = toks.get(j) {
                    if toks.get(j + 1) != Some(&Tok::Punct(':')) {
                        break;
                    }
                    match literal_list(&toks, j + 2) {
                        Ok((l, next)) => {
                            reqs.extend(
                                l.into_iter()
                                    .map(|(s, o)| (s, o, "optional", Some(extra.clone()))),
                            );
                            j = next;
                            if toks.get(j) == Some(&Tok::Punct(',')) {
                                j += 1;
                            }
                        }
                        Err(e) => {
                            problems.push(format!("extras_require[{extra:?}]: {e}; not evaluated"));
                            break;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    (reqs, problems)
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let mut out = DetectOutcome::default();
    let (reqs, problems) = declared(text);
    for p in problems {
        out.warn(input, ID, p);
    }
    for (s, off, scope, extra) in reqs {
        let line = line_at(text, off);
        match pep508::parse(&s) {
            Ok(r) => {
                let mut d = Dep::from_requirement(&r, Some(line));
                d.version = None;
                d.scope = Some(scope.to_string());
                d.extra = extra;
                out.findings.extend(dep_finding(
                    ctx,
                    &input.rel_path,
                    ID,
                    Method::Manifest,
                    Some(text),
                    &d,
                ));
            }
            Err(e) => out.warn(input, ID, format!("line {line}: {e}; entry skipped")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_lists_and_names() {
        let src = "# install_requires=['openai']\n\"\"\"install_requires=['anthropic']\"\"\"\nBASE = [\n    'torch>=2.1',  # cuda\n    \"numpy\",\n]\nsetup(\n    name='x',\n    install_requires=BASE,\n    extras_require={\n        'rag': ['chromadb>=0.5', 'langchain'],\n        \"eval\": [r'ragas'],\n    },\n)\n";
        let (reqs, problems) = declared(src);
        let got: Vec<(String, u32, &str)> = reqs
            .iter()
            .map(|(s, o, sc, _)| (s.clone(), line_at(src, *o), *sc))
            .collect();
        assert_eq!(
            got,
            [
                ("torch>=2.1".to_string(), 4, "required"),
                ("numpy".to_string(), 5, "required"),
                ("chromadb>=0.5".to_string(), 11, "optional"),
                ("langchain".to_string(), 11, "optional"),
                ("ragas".to_string(), 12, "optional"),
            ]
        );
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn computed_lists_warn() {
        let (reqs, problems) = declared("setup(install_requires=open('r.txt').read().split())");
        assert!(reqs.is_empty());
        assert_eq!(problems.len(), 1);
        let (_, problems) = declared("setup(install_requires=['a'] + EXTRA)");
        assert_eq!(problems.len(), 1);
        let (reqs, _) = declared("setup(install_requires=[f'torch=={V}', 'openai'])");
        assert!(reqs.is_empty());
    }

    #[test]
    fn unterminated_and_garbage_do_not_panic() {
        for src in [
            "install_requires=['torch",
            "'''",
            "install_requires=",
            "é\u{0}[[[",
            "r'",
        ] {
            let _ = declared(src);
        }
    }
}
