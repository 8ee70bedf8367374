//! `go.mod` requirements.
//!
//! ## What it detects
//! AI/ML modules in `require` directives, single-line and parenthesised blocks. Since Go 1.17
//! the main module's `go.mod` lists every module the build needs, with the version minimal
//! version selection picked, so the listed version is the component version. A requirement
//! marked `// indirect` is `dependency=transitive`, any other `direct`. A `replace` directive
//! keeps the module's identity (the code is still imported by its original path) and is
//! recorded as the `replaced-by` property (`github.com/fork/x v1.2.3` or a local `../x`).
//!
//! ## Files claimed
//! `go.mod`.
//!
//! ## Evidence and confidence
//! `manifest`, high: the line of the requirement.
//!
//! ## Not handled
//! `exclude` and `retract` (they remove versions, they add none), `tool` and `godebug`
//! directives, `go.work` workspaces and `go.sum` (it lists every module version ever
//! consulted, including ones the build does not use, so it would over-report).
//!
//! ## References
//! <https://go.dev/ref/mod#go-mod-file>

use crate::bom::normalize::Ecosystem;
use crate::bom::Method;
use crate::detect::deps::{self, Dep};
use crate::detect::{Candidate, Claim, Context, DetectOutcome, Detector, FileInput};
use crate::detect::{Maturity, Scope};

pub const ID: &str = "go-mod";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "go",
    summary: "go.mod require directives (blocks, // indirect, replace)",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    if c.file_name == "go.mod" {
        Claim::Yes
    } else {
        Claim::No
    }
}

/// A token of a go.mod line: a bare word or a "quoted"/`raw` string.
fn tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let first = rest.chars().next().unwrap_or(' ');
        if first == '"' || first == '`' {
            let body = &rest[1..];
            match body.find(first) {
                Some(end) => {
                    out.push(body[..end].to_string());
                    rest = body[end + 1..].trim_start();
                }
                None => {
                    out.push(body.to_string());
                    break;
                }
            }
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            out.push(rest[..end].to_string());
            rest = rest[end..].trim_start();
        }
    }
    out
}

/// The line without its `//` comment, and whether the comment is the `indirect` marker.
fn split_comment(line: &str) -> (&str, bool) {
    match line.find("//") {
        Some(i) => {
            let comment = line[i + 2..].trim();
            let indirect = comment == "indirect" || comment.starts_with("indirect;");
            (&line[..i], indirect)
        }
        None => (line, false),
    }
}

#[derive(Debug)]
struct Replace {
    old: String,
    old_version: Option<String>,
    new: String,
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let mut out = DetectOutcome::default();
    let mut found: Vec<Dep> = Vec::new();
    let mut replaces: Vec<Replace> = Vec::new();
    let mut block: Option<String> = None;
    let mut bad = 0usize;
    for (i, raw) in text.lines().enumerate() {
        let (code, indirect) = split_comment(raw);
        let code = code.trim();
        if code.is_empty() {
            continue;
        }
        let (verb, args) = match &block {
            Some(_) if code == ")" => {
                block = None;
                continue;
            }
            Some(v) => (v.clone(), code),
            None => {
                let (verb, rest) = code.split_once(char::is_whitespace).unwrap_or((code, ""));
                let rest = rest.trim();
                if rest == "(" {
                    block = Some(verb.to_string());
                    continue;
                }
                (verb.to_string(), rest)
            }
        };
        match verb.as_str() {
            "require" => {
                let t = tokens(args);
                let (Some(path), Some(version)) = (t.first(), t.get(1)) else {
                    bad += 1;
                    continue;
                };
                let mut d = Dep::new(path.as_str(), i as u32 + 1);
                d.version = Some(version.clone());
                d.direct = Some(!indirect);
                d.snippet = Some(raw.to_string());
                found.push(d);
            }
            "replace" => {
                let Some((old, new)) = args.split_once("=>") else {
                    bad += 1;
                    continue;
                };
                let old = tokens(old);
                let new = tokens(new);
                let Some(old_path) = old.first() else {
                    bad += 1;
                    continue;
                };
                if new.is_empty() {
                    bad += 1;
                    continue;
                }
                replaces.push(Replace {
                    old: old_path.clone(),
                    old_version: old.get(1).cloned(),
                    new: new.join(" "),
                });
            }
            _ => {}
        }
    }
    if block.is_some() {
        out.warn(input, ID, "unterminated `(` block (truncated go.mod?)");
    }
    if bad > 0 {
        out.warn(
            input,
            ID,
            format!("{bad} malformed require/replace lines skipped"),
        );
    }
    for d in &mut found {
        let hit = replaces.iter().rev().find(|r| {
            r.old == d.name
                && r.old_version
                    .as_ref()
                    .is_none_or(|v| Some(v) == d.version.as_ref())
        });
        if let Some(r) = hit {
            d.extra.push(("replaced-by", r.new.clone()));
        }
    }
    deps::emit(
        ctx,
        input,
        ID,
        Ecosystem::Golang,
        Method::Manifest,
        found,
        &mut out,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn run(text: &str) -> DetectOutcome {
        let ctx = Context {
            catalog: Catalog::builtin(),
            ..Default::default()
        };
        detect(
            &FileInput::from_bytes("go.mod", text.as_bytes().to_vec()),
            &ctx,
        )
    }

    fn rows(out: &DetectOutcome) -> Vec<String> {
        out.findings
            .iter()
            .map(|f| {
                let p = |k: &str| {
                    f.properties
                        .get(k)
                        .and_then(|v| v.as_str())
                        .unwrap_or("-")
                        .to_string()
                };
                format!(
                    "{}@{} l{} {} {}",
                    f.name,
                    f.version.as_deref().unwrap_or("-"),
                    f.evidence.line.unwrap_or(0),
                    p("dependency"),
                    p("replaced-by")
                )
            })
            .collect()
    }

    #[test]
    fn blocks_indirect_and_replace() {
        let out = run("module example.com/app\n\ngo 1.22.0\n\ntoolchain go1.22.4\n\nrequire github.com/sashabaranov/go-openai v1.26.0\n\nrequire (\n\tgithub.com/tmc/langchaingo v0.1.12\n\t\"github.com/weaviate/weaviate-go-client/v4\" v4.15.0 // indirect\n\tgolang.org/x/net v0.25.0 // indirect\n)\n\nreplace github.com/sashabaranov/go-openai => github.com/acme/go-openai v1.26.1\n\nreplace github.com/tmc/langchaingo v0.1.11 => ../langchaingo\n\nexclude github.com/tmc/langchaingo v0.1.10\n");
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        assert_eq!(
            rows(&out),
            vec![
                "github.com/sashabaranov/go-openai@v1.26.0 l7 direct github.com/acme/go-openai v1.26.1",
                "github.com/tmc/langchaingo@v0.1.12 l10 direct -",
                "github.com/weaviate/weaviate-go-client/v4@v4.15.0 l11 transitive -",
            ]
        );
        assert_eq!(
            out.findings[0].purl.as_deref(),
            Some("pkg:golang/github.com/sashabaranov/go-openai")
        );
    }

    #[test]
    fn truncated_and_malformed() {
        let out = run("module x\nrequire (\n\tgithub.com/tmc/langchaingo\n\tgithub.com/ollama/ollama v0.3.0\n");
        assert_eq!(
            rows(&out),
            vec!["github.com/ollama/ollama@v0.3.0 l4 direct -"]
        );
        assert_eq!(out.warnings.len(), 2, "{:?}", out.warnings);
        assert_eq!(tokens("\"a b\" `c` d"), vec!["a b", "c", "d"]);
    }
}
