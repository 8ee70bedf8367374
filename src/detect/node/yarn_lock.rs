//! `yarn.lock`, both the classic v1 format and the Berry (v2+) YAML format.
//!
//! ## What it detects
//! Every locked AI/ML package with its resolved version. Classic entries look like
//! `openai@^4.0.0, openai@^4.52.0:` followed by `  version "4.52.0"`; Berry entries like
//! `"openai@npm:^4.52.0":` followed by `  version: 4.52.0` and `  resolution: "openai@npm:4.52.0"`,
//! after a `__metadata:` block.
//!
//! ## Files claimed
//! `yarn.lock`.
//!
//! ## Evidence and confidence
//! `lockfile`, high: the line of the entry's header. The header's ranges become the
//! `constraint` property. In Berry locks the workspace entries (`app@workspace:.`) list the
//! project's own dependencies, so their packages are `dependency=direct` and the rest
//! `transitive`; classic locks do not say, and their entries carry no `dependency` property.
//!
//! ## Not handled
//! Dev/optional scope (yarn does not record it; `package.json` supplies it when merged).
//! Workspace, `link:`, `portal:`, `file:` and patch-only entries are the project's own code.
//! The parser is line-based and tolerant: it is a small reader for the subset yarn writes, not a
//! YAML parser, so a malformed line is skipped rather than failing the file.
//!
//! ## References
//! <https://classic.yarnpkg.com/lang/en/docs/yarn-lock/>, <https://yarnpkg.com/advanced/lexicon>

use crate::bom::normalize::Ecosystem;
use crate::bom::Method;
use crate::detect::deps::{self, Dep};
use crate::detect::{Candidate, Claim, Context, DetectOutcome, Detector, FileInput};
use crate::detect::{Maturity, Scope};
use std::collections::BTreeSet;

pub const ID: &str = "yarn-lock";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "node",
    summary: "yarn.lock, classic v1 and Berry: resolved versions",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    if c.name_lower == "yarn.lock" {
        Claim::Yes
    } else {
        Claim::No
    }
}

/// One entry block of the lock.
#[derive(Debug, Default)]
struct Block {
    line: u32,
    header: String,
    version: Option<String>,
    resolution: Option<String>,
    deps: Vec<String>,
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(s)
}

/// `@scope/name@range` → (`@scope/name`, `range`); the first `@` after position 0 splits.
pub fn split_descriptor(desc: &str) -> (&str, &str) {
    let desc = unquote(desc);
    match desc.get(1..).and_then(|r| r.find('@')) {
        Some(i) => (&desc[..i + 1], &desc[i + 2..]),
        None => (desc, ""),
    }
}

fn parse_blocks(text: &str) -> (Vec<Block>, bool) {
    let mut blocks: Vec<Block> = Vec::new();
    let mut berry = false;
    let mut in_deps = false;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let body = line.trim();
        if indent == 0 {
            in_deps = false;
            let Some(header) = body.strip_suffix(':') else {
                continue;
            };
            if header == "__metadata" {
                berry = true;
                blocks.push(Block::default()); // placeholder so its fields are not misread
                continue;
            }
            blocks.push(Block {
                line: i as u32 + 1,
                header: header.to_string(),
                ..Default::default()
            });
            continue;
        }
        let Some(block) = blocks.last_mut() else {
            continue;
        };
        if indent <= 2 {
            in_deps = matches!(
                body,
                "dependencies:" | "optionalDependencies:" | "peerDependencies:"
            );
            if let Some(v) = body
                .strip_prefix("version:")
                .or_else(|| body.strip_prefix("version "))
            {
                block.version = Some(unquote(v).to_string());
            } else if let Some(r) = body.strip_prefix("resolution:") {
                block.resolution = Some(unquote(r).to_string());
            }
        } else if in_deps {
            // `    openai: "npm:^4.52.0"` (Berry) or `    openai "^4.52.0"` (classic)
            let key = match body.split_once(": ") {
                Some((k, _)) if berry => k,
                _ => body.split_whitespace().next().unwrap_or(""),
            };
            block
                .deps
                .push(unquote(key.trim_end_matches(':')).to_string());
        }
    }
    (blocks, berry)
}

fn is_local(range: &str) -> bool {
    ["workspace:", "link:", "portal:", "file:"]
        .iter()
        .any(|p| range.starts_with(p))
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let mut out = DetectOutcome::default();
    let (blocks, berry) = parse_blocks(text);
    let direct: BTreeSet<&str> = blocks
        .iter()
        .filter(|b| b.header.contains("@workspace:"))
        .flat_map(|b| b.deps.iter().map(String::as_str))
        .collect();
    let mut found = Vec::new();
    let mut unversioned = 0usize;
    for b in blocks.iter().filter(|b| !b.header.is_empty()) {
        let descriptors: Vec<&str> = b.header.split(", ").map(unquote).collect();
        let Some(first) = descriptors.first() else {
            continue;
        };
        let (name, first_range) = split_descriptor(first);
        if is_local(first_range) {
            continue;
        }
        // Berry: the resolution names the real package (aliases, patches).
        let real = b
            .resolution
            .as_deref()
            .map(|r| split_descriptor(r).0)
            .filter(|n| !n.is_empty())
            .unwrap_or(name);
        let Some(version) = b.version.as_deref() else {
            unversioned += 1;
            continue;
        };
        let mut ranges: Vec<&str> = descriptors
            .iter()
            .map(|d| split_descriptor(d).1)
            .map(|r| match r.strip_prefix("npm:") {
                // an alias `npm:openai@^4.52.0`: the range is what follows the real name
                Some(rest) => match rest.get(1..).and_then(|x| x.find('@')) {
                    Some(i) => &rest[i + 2..],
                    None => rest,
                },
                None => r,
            })
            .collect();
        ranges.dedup();
        let mut d = Dep::new(real, b.line);
        d.version = deps::is_exact_version(version).then(|| version.to_string());
        d.constraint = Some(ranges.join(" || ")).filter(|c| !c.is_empty());
        if berry {
            d.direct = Some(direct.contains(name));
        }
        d.snippet = Some(format!("{} {version}", b.header));
        found.push(d);
    }
    if unversioned > 0 {
        out.warn(
            input,
            ID,
            format!("{unversioned} entries without a version line (truncated lock file?)"),
        );
    }
    deps::emit(
        ctx,
        input,
        ID,
        Ecosystem::Npm,
        Method::Lockfile,
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
            &FileInput::from_bytes("yarn.lock", text.as_bytes().to_vec()),
            &ctx,
        )
    }

    #[test]
    fn classic_v1() {
        let out = run("# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\n\"@anthropic-ai/sdk@^0.24.0\":\n  version \"0.24.3\"\n  resolved \"https://registry.yarnpkg.com/@anthropic-ai/sdk/-/sdk-0.24.3.tgz#abc\"\n  dependencies:\n    \"@types/node\" \"^18.11.18\"\n\nopenai@^4.0.0, openai@^4.52.0:\n  version \"4.52.0\"\n\nleft-pad@^1.3.0:\n  version \"1.3.0\"\n");
        assert!(out.warnings.is_empty());
        let got: Vec<_> = out
            .findings
            .iter()
            .map(|f| (f.name.as_str(), f.version.as_deref(), f.evidence.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("@anthropic-ai/sdk", Some("0.24.3"), Some(5)),
                ("openai", Some("4.52.0"), Some(11))
            ]
        );
        assert_eq!(
            out.findings[1].properties["constraint"],
            "^4.0.0 || ^4.52.0"
        );
        assert!(!out.findings[1].properties.contains_key("dependency"));
    }

    #[test]
    fn berry_with_workspace_and_alias() {
        let out = run("# This file is generated by running \"yarn install\" inside your project.\n# Manual changes might be lost - proceed with caution!\n\n__metadata:\n  version: 8\n  cacheKey: 10c0\n\n\"@langchain/core@npm:>=0.2.0 <0.3.0\":\n  version: 0.2.9\n  resolution: \"@langchain/core@npm:0.2.9\"\n  dependencies:\n    openai: \"npm:^4.49.1\"\n  languageName: node\n  linkType: hard\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"app@workspace:.\"\n  dependencies:\n    \"@langchain/core\": \"npm:>=0.2.0 <0.3.0\"\n    llm: \"npm:openai@^4.52.0\"\n  languageName: unknown\n  linkType: soft\n\n\"llm@npm:openai@^4.52.0\":\n  version: 4.52.0\n  resolution: \"openai@npm:4.52.0\"\n  languageName: node\n  linkType: hard\n");
        let got: Vec<_> = out
            .findings
            .iter()
            .map(|f| {
                (
                    f.name.as_str(),
                    f.version.as_deref(),
                    f.evidence.line,
                    f.properties["dependency"].as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("@langchain/core", Some("0.2.9"), Some(8), Some("direct")),
                ("openai", Some("4.52.0"), Some(25), Some("direct")),
            ]
        );
        assert_eq!(out.findings[0].properties["constraint"], ">=0.2.0 <0.3.0");
    }

    #[test]
    fn truncated_and_garbage() {
        let out = run("openai@^4.52.0:\n  resolved \"https://x\"\n");
        assert!(out.findings.is_empty());
        assert_eq!(out.warnings.len(), 1);
        let out = run("\u{1}\u{2}garbage: : :\n\t\t:\n");
        assert!(out.findings.is_empty());
    }

    #[test]
    fn descriptors() {
        assert_eq!(split_descriptor("\"@a/b@npm:^1\""), ("@a/b", "npm:^1"));
        assert_eq!(split_descriptor("x@1"), ("x", "1"));
        assert_eq!(split_descriptor("@a/b"), ("@a/b", ""));
    }
}
