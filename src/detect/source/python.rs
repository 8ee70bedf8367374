//! Python source and the code cells of Jupyter notebooks.
//!
//! # What it detects
//! Imports of AI packages (`import torch`, `from transformers import …`) as `library`
//! components through the catalogue's import names; hub models and datasets, hosted-API models
//! and their providers, vector stores, MCP server implementations (`FastMCP("name")`, tools from
//! `@mcp.tool()`), provider hosts and env var names, `trust_remote_code=True` (see
//! `refs.rs` and the `PYTHON` table in `patterns.rs`). In notebooks, `!`/`%` shell lines and
//! `%%bash` cells go to the shell recogniser (`ollama pull`, `docker run`, `pip install`).
//!
//! # Files claimed
//! `*.py`, `*.pyi`, `*.ipynb`.
//!
//! # Evidence and confidence
//! Imports: high, `import-statement`. Notebook evidence cites the line of the notebook's JSON
//! text holding the source line, plus the cell index and the line within the cell.
//!
//! # Not handled
//! Markdown and raw cells and cell outputs (prose and echoed results are not uses); relative
//! imports; names bound through `importlib`.
//!
//! # References
//! nbformat 4 (nbformat.readthedocs.io/en/latest/format_description.html).

use super::calls::{self, Unit};
use super::lex::{self, Lang, TokKind, Token};
use super::refs::{self, Emitter, LineLoc, Src};
use super::{imports, nbformat, patterns, prefilter_hit, relevance, shell};
use crate::bom::normalize::Ecosystem;
use crate::detect::deps::LineIndex;
use crate::detect::{Candidate, Claim, Context, DetectOutcome, FileInput};
use std::collections::HashMap;

pub const ID: &str = "python-code";

pub fn claim(c: &Candidate) -> Claim {
    match c.ext {
        "py" | "pyi" | "ipynb" => Claim::Yes,
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
    if input.rel_path.to_ascii_lowercase().ends_with(".ipynb") {
        notebook(input, text, ctx, &mut out);
    } else if relevance::relevant(text, &ctx.catalog, relevance::Reader::Python) {
        let src = Src::new(&input.rel_path, ID, text);
        analyze(&src, text, ctx, &mut out);
    }
    out
}

/// Analyse Python text (a file, or a notebook's code cells joined).
pub fn analyze(src: &Src, text: &str, ctx: &Context, out: &mut DetectOutcome) {
    let toks = lex::tokenize(text, Lang::Python);
    let mut unit = calls::analyze(&toks, Lang::Python);
    function_scopes(text, &mut unit);
    let found = python_imports(&toks, &mut unit);
    let mut em = Emitter::new(src, out);
    imports::emit(ctx, Ecosystem::Pypi, &found, &mut em);
    refs::run(&unit, &toks, Lang::Python, patterns::PYTHON, &mut em);
    drop(unit);
    lex::recycle(toks);
}

/// Python scoping by indentation: an assignment inside a `def` (or `class`) body is visible
/// only until that body ends, so `model_id = "…"` in one method never becomes the value of a
/// `model_id` parameter of another. Module-level assignments (column 0, or nested only in
/// `if`/`with`/`try` blocks) keep file scope.
fn function_scopes(text: &str, unit: &mut Unit) {
    if unit.consts.is_empty() {
        return;
    }
    let starts: Vec<usize> = std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
        .collect();
    // indentation of each line, None for blank and comment-only lines
    let indents: Vec<Option<usize>> = starts
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let end = starts.get(i + 1).copied().unwrap_or(text.len());
            let line = text.get(s..end).unwrap_or("");
            let body = line.trim_start_matches([' ', '\t']);
            if body.trim().is_empty() || body.starts_with('#') {
                None
            } else {
                Some(line.len() - body.len())
            }
        })
        .collect();
    let opens_scope = |j: usize| {
        let s = starts.get(j).copied().unwrap_or(0);
        let body = text.get(s..).unwrap_or("").trim_start_matches([' ', '\t']);
        body.starts_with("def ") || body.starts_with("async def ") || body.starts_with("class ")
    };
    let owners = scope_owners(&indents, opens_scope);
    // where each owner's body ends: the first later line indented no deeper than its header
    let mut ends: HashMap<usize, usize> = HashMap::new();
    for list in unit.consts.values_mut() {
        for entry in list.iter_mut() {
            let li = starts.partition_point(|&s| s <= entry.0).saturating_sub(1);
            if indents.get(li).copied().flatten().is_none() {
                continue;
            }
            let Some(owner) = owners.get(li).copied().flatten() else {
                continue;
            };
            let end = *ends.entry(owner).or_insert_with(|| {
                let depth = indents[owner].unwrap_or(0);
                (owner + 1..indents.len())
                    .find(|&j| indents[j].is_some_and(|d| d <= depth))
                    .map_or(text.len(), |j| starts[j])
            });
            entry.3 = end;
        }
    }
}

/// For each line, the innermost enclosing line (by indentation) that `opens_scope`, if any: one
/// pass with the stack of enclosing lines. Walking outwards from every assignment instead was
/// quadratic in a long function or module.
fn scope_owners(
    indents: &[Option<usize>],
    opens_scope: impl Fn(usize) -> bool,
) -> Vec<Option<usize>> {
    // enclosing lines, outermost first: (indentation, line, innermost scope-opening line
    // among this one and those enclosing it)
    let mut stack: Vec<(usize, usize, Option<usize>)> = Vec::new();
    let mut owners = vec![None; indents.len()];
    for (j, indent) in indents.iter().enumerate() {
        let Some(d) = *indent else { continue };
        while stack.last().is_some_and(|&(sd, _, _)| sd >= d) {
            stack.pop();
        }
        let enclosing = stack.last().and_then(|&(_, _, scope)| scope);
        owners[j] = enclosing;
        let scope = if opens_scope(j) { Some(j) } else { enclosing };
        stack.push((d, j, scope));
    }
    owners
}

/// `import a.b as c, d` and `from a.b import c as d, (e, f)`: fills `unit.imported` and returns
/// (module path, line) for every import.
fn python_imports(toks: &[Token], unit: &mut Unit) -> Vec<(String, u32)> {
    let mut found = Vec::new();
    let at_stmt = |i: usize| {
        i == 0
            || matches!(toks[i - 1].kind, TokKind::Newline)
            || toks[i - 1].is_punct(';')
            || toks[i - 1].is_punct(':')
    };
    let dotted = |mut k: usize| -> (String, usize) {
        let mut s = String::new();
        while let Some(w) = toks.get(k).and_then(Token::ident) {
            s.push_str(w);
            if toks.get(k + 1).is_some_and(|t| t.is_punct('.')) {
                s.push('.');
                k += 2;
            } else {
                k += 1;
                break;
            }
        }
        (s, k)
    };
    for i in 0..toks.len() {
        if !at_stmt(i) {
            continue;
        }
        match toks[i].ident() {
            Some("import") => {
                let mut k = i + 1;
                loop {
                    let (m, next) = dotted(k);
                    if m.is_empty() {
                        break;
                    }
                    k = next;
                    let local = if toks.get(k).and_then(Token::ident) == Some("as") {
                        let a = toks
                            .get(k + 1)
                            .and_then(Token::ident)
                            .unwrap_or("")
                            .to_string();
                        k += 2;
                        a
                    } else {
                        m.split('.').next().unwrap_or("").to_string()
                    };
                    let root_module = if local == m.split('.').next().unwrap_or("") {
                        m.split('.').next().unwrap_or("").to_string()
                    } else {
                        m.clone()
                    };
                    unit.imported.insert(local, root_module);
                    found.push((m, toks[i].line));
                    if toks.get(k).is_some_and(|t| t.is_punct(',')) {
                        k += 1;
                    } else {
                        break;
                    }
                }
            }
            Some("from") => {
                if toks.get(i + 1).is_some_and(|t| t.is_punct('.')) {
                    continue; // relative import
                }
                let (m, mut k) = dotted(i + 1);
                if m.is_empty() || toks.get(k).and_then(Token::ident) != Some("import") {
                    continue;
                }
                k += 1;
                found.push((m.clone(), toks[i].line));
                let mut parens = false;
                while let Some(t) = toks.get(k) {
                    match &t.kind {
                        TokKind::Punct('(') => parens = true,
                        TokKind::Punct(')') => break,
                        TokKind::Punct(',') | TokKind::Punct('*') => {}
                        TokKind::Newline if !parens => break,
                        TokKind::Ident(name) => {
                            let mut local = name.to_string();
                            if toks.get(k + 1).and_then(Token::ident) == Some("as") {
                                if let Some(a) = toks.get(k + 2).and_then(Token::ident) {
                                    local = a.to_string();
                                }
                                k += 2;
                            }
                            unit.imported.insert(local, format!("{m}.{name}"));
                        }
                        _ => break,
                    }
                    k += 1;
                }
            }
            _ => {}
        }
    }
    found
}

fn notebook(input: &FileInput, text: &str, ctx: &Context, out: &mut DetectOutcome) {
    let nb = match nbformat::parse(text) {
        Ok(nb) => nb,
        Err(e) => {
            out.extend(DetectOutcome::failure(
                input,
                ID,
                format!("notebook is not valid JSON: {e}"),
            ));
            return;
        }
    };
    let Some(cells) = nb.cells else {
        out.warn(
            input,
            ID,
            "notebook has no `cells` array (nbformat 4 expected)",
        );
        return;
    };
    // `"source":` keys in file order: nbformat writes one per cell, and none appears inside
    // outputs (their strings escape quotes), so the n-th key is the n-th cell's source
    let source_keys: Vec<usize> =
        memchr::memmem::find_iter(text.as_bytes(), b"\"source\":").collect();
    let keys_align = source_keys.len() == cells.count;
    let index = LineIndex::new(text);
    let mut code = String::new();
    let mut map: Vec<LineLoc> = Vec::new();
    let mut shell_lines: Vec<(String, u32)> = Vec::new();
    for (ci, cell) in cells.kept.iter().enumerate() {
        if !cell.code {
            continue;
        }
        let lines = &cell.lines;
        let key_off = if keys_align {
            source_keys.get(ci).copied()
        } else {
            None
        };
        let json_lines =
            match key_off.and_then(|at| nbformat::source_offsets(text, at, lines.len())) {
                Some(offsets) => offsets.into_iter().map(|o| index.line(o)).collect(),
                None => locate_lines(text, &index, key_off, lines),
            };
        let whole_shell = lines
            .first()
            .map(|l| {
                let l = l.trim();
                l.starts_with("%%bash") || l.starts_with("%%sh") || l.starts_with("%%script bash")
            })
            .unwrap_or(false);
        for (li, line) in lines.iter().enumerate() {
            let loc = LineLoc {
                line: json_lines.get(li).copied().unwrap_or(1),
                cell: Some(ci as u32),
                cell_line: Some(li as u32 + 1),
            };
            let body = line.trim_end_matches(['\n', '\r']);
            let trimmed = body.trim_start();
            let is_shell = whole_shell || trimmed.starts_with('!') || trimmed.starts_with('%');
            map.push(loc);
            if is_shell {
                let cmd = trimmed.trim_start_matches('!').trim_start_matches('%');
                shell_lines.push((cmd.to_string(), map.len() as u32));
                code.push('\n');
            } else {
                code.push_str(body);
                code.push('\n');
            }
        }
        // a cell always ends a statement
        map.push(map.last().copied().unwrap_or(LineLoc {
            line: 1,
            cell: None,
            cell_line: None,
        }));
        code.push('\n');
    }
    let mut src = Src::new(&input.rel_path, ID, &code);
    src.map = Some(map);
    if relevance::relevant(&code, &ctx.catalog, relevance::Reader::Python) {
        analyze(&src, &code, ctx, out);
    }
    // shell lines: continuation lines (`\` at the end) are joined first
    let mut em = Emitter::new(&src, out);
    let mut pending: Option<(String, u32)> = None;
    for (cmd, line) in shell_lines {
        let (mut acc, start) = pending.take().unwrap_or((String::new(), line));
        acc.push_str(cmd.trim_end());
        if let Some(stripped) = acc.strip_suffix('\\') {
            pending = Some((format!("{stripped} "), start));
            continue;
        }
        shell::analyze_line(ctx, &acc, start, &mut em);
    }
    if let Some((acc, start)) = pending {
        shell::analyze_line(ctx, &acc, start, &mut em);
    }
}

/// The JSON-text line of each source line, searching forward from the cell's `"source":` key:
/// for a source [`nbformat::source_offsets`] cannot read in place.
fn locate_lines(
    text: &str,
    index: &LineIndex,
    key_off: Option<usize>,
    lines: &[String],
) -> Vec<u32> {
    let Some(mut cursor) = key_off else {
        return Vec::new();
    };
    let key_line = index.line(cursor);
    let mut out = Vec::with_capacity(lines.len());
    let mut last = key_line;
    for l in lines {
        let needle = serde_json::to_string(l).unwrap_or_default();
        // the encoded line without its closing quote, so `"a\n"` and `"a"` both match
        let needle = needle.strip_suffix('"').unwrap_or(&needle);
        let found = text
            .get(cursor..)
            .and_then(|rest| {
                // bounded: a source line sits close after the previous one
                let window = &rest[..floor_boundary(rest, 64 * 1024 + needle.len())];
                window.find(needle)
            })
            .map(|i| cursor + i);
        match found {
            Some(at) => {
                last = index.line(at);
                cursor = at + needle.len();
            }
            None if out.is_empty() => last = key_line,
            None => {}
        }
        out.push(last);
    }
    out
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bom::ComponentKind;
    use crate::catalog::Catalog;

    fn run(path: &str, text: &str) -> DetectOutcome {
        let ctx = Context {
            catalog: Catalog::builtin(),
            ..Default::default()
        };
        detect(&FileInput::from_bytes(path, text.as_bytes().to_vec()), &ctx)
    }

    #[test]
    fn scope_owners_follow_the_outward_walk() {
        // the definition: walk back from the line to each less indented line, outwards
        fn by_walk(indents: &[Option<usize>], opens: &[bool], li: usize) -> Option<usize> {
            let mut cur = indents[li]?;
            for j in (0..li).rev() {
                let Some(d) = indents[j] else { continue };
                if d >= cur {
                    continue;
                }
                if opens[j] {
                    return Some(j);
                }
                cur = d;
                if d == 0 {
                    break;
                }
            }
            None
        }
        let mut x = 0x2545_f491_u64;
        for _ in 0..200 {
            let n = 40;
            let (mut indents, mut opens) = (Vec::new(), Vec::new());
            for _ in 0..n {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                indents.push((x % 7 != 0).then_some((x >> 8) as usize % 5 * 4));
                opens.push((x >> 20) % 3 == 0);
            }
            let owners = scope_owners(&indents, |j| opens[j]);
            for li in 0..n {
                if indents[li].is_some() {
                    assert_eq!(
                        owners[li],
                        by_walk(&indents, &opens, li),
                        "{indents:?} {opens:?} line {li}"
                    );
                }
            }
        }
    }

    fn ids(out: &DetectOutcome) -> Vec<String> {
        let mut v: Vec<String> = out.findings.iter().map(|f| f.id()).collect();
        v.sort();
        v.dedup();
        v
    }

    #[test]
    fn imports_resolve_through_the_catalogue() {
        let out = run(
            "a.py",
            "import torch\nfrom transformers import AutoModel\nimport os, PIL\n",
        );
        let ids = ids(&out);
        assert!(ids.contains(&"library:pypi/torch".to_string()), "{ids:?}");
        assert!(ids.contains(&"library:pypi/transformers".to_string()));
        assert!(!ids.iter().any(|i| i.contains("pil") || i.contains("/os")));
    }

    #[test]
    fn hub_model_through_a_constant_with_remote_code() {
        let out = run(
            "a.py",
            "from transformers import AutoModelForCausalLM\nmodel_id = \"org/model-7b\"\nm = AutoModelForCausalLM.from_pretrained(model_id, trust_remote_code=True)\n",
        );
        assert!(ids(&out).contains(&"model:huggingface/org/model-7b".to_string()));
        let rules: Vec<_> = out
            .risks
            .iter()
            .map(|r| (r.rule.as_str(), r.line))
            .collect();
        assert!(rules.contains(&("AIBOM-REMOTE-CODE", Some(3))));
        assert!(rules.contains(&("AIBOM-UNPINNED-MODEL", Some(3))));
    }

    #[test]
    fn an_assignment_in_another_function_is_not_a_parameter_value() {
        let src = "from transformers import AutoModel\nfrom vllm import LLM\n\nDEFAULT = \"org/module-level\"\n\nclass A:\n    def __init__(self, model_id=None):\n        self.model = LLM(model=model_id)\n\n    def load(self):\n        return AutoModel.from_pretrained(DEFAULT)\n\nclass B:\n    def __init__(self, model_id=None):\n        if model_id is None:\n            model_id = \"org/default-b\"\n        self.m = AutoModel.from_pretrained(model_id)\n\n    def other(self, model_id):\n        return AutoModel.from_pretrained(model_id)\n";
        let out = run("m.py", src);
        let model_lines: Vec<(String, Option<u32>)> = out
            .findings
            .iter()
            .filter(|f| f.kind == ComponentKind::Model)
            .map(|f| (f.name.clone(), f.evidence.line))
            .collect();
        // the default resolved where it is in scope (line 17), module constants everywhere
        assert!(
            model_lines.contains(&("org/default-b".to_string(), Some(17))),
            "{model_lines:?}"
        );
        assert!(
            model_lines.contains(&("org/module-level".to_string(), Some(11))),
            "{model_lines:?}"
        );
        // never at the other methods' calls (lines 8 and 20)
        assert!(
            !model_lines
                .iter()
                .any(|(n, l)| n == "org/default-b" && matches!(l, Some(8) | Some(20))),
            "{model_lines:?}"
        );
    }

    #[test]
    fn near_misses_report_nothing() {
        let out = run(
            "a.py",
            "\"\"\"Uses from_pretrained(\"org/doc-model\").\"\"\"\n# m = AutoModel.from_pretrained(\"org/commented\")\nif llm == \"gpt-4\":\n    pass\nx = name.startswith((\"anthropic.claude\",))\nm = AutoModel.from_pretrained(\"./local/dir\")\n# trust_remote_code=True\n",
        );
        assert!(
            out.findings.iter().all(|f| f.kind != ComponentKind::Model),
            "{:?}",
            ids(&out)
        );
        assert!(out.risks.is_empty(), "{:?}", out.risks);
    }

    #[test]
    fn notebook_cells_map_to_json_lines() {
        let nb = r##"{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": [
    "load_dataset(\"not/this\")"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {},
   "outputs": [],
   "source": [
    "from datasets import load_dataset\n",
    "ds = load_dataset(\"squad\")\n",
    "!ollama pull llama3.2"
   ]
  }
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}"##;
        let out = run("n.ipynb", nb);
        let ds = out
            .findings
            .iter()
            .find(|f| f.kind == ComponentKind::Dataset)
            .expect("dataset");
        assert_eq!(ds.name, "squad");
        assert_eq!(ds.evidence.line, Some(17));
        assert_eq!(
            (ds.evidence.cell, ds.evidence.cell_line),
            (Some(1), Some(2))
        );
        let m = out
            .findings
            .iter()
            .find(|f| f.kind == ComponentKind::Model)
            .expect("ollama model");
        assert_eq!(m.id(), "model:ollama/llama3.2");
        assert_eq!(m.evidence.line, Some(18));
        assert!(!ids(&out).iter().any(|i| i.contains("not/this")));
    }

    #[test]
    fn broken_notebook_is_a_warning() {
        let out = run("n.ipynb", "{\"cells\": [ {\"source\": \"import x\" }, ");
        assert!(out.failed);
        let out = run(
            "n.ipynb",
            "{\"cells\": [{\"cell_type\": \"code\", \"source\": 3}], \"x\": \"import\"}",
        );
        assert!(!out.failed);
    }
}
