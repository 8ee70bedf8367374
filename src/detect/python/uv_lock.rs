//! uv.lock, uv's universal lock file.
//!
//! # What it detects
//! Every locked AI package with its resolved version. The project's own packages (sources
//! `editable`, `virtual`, or a workspace member) are the roots: their `dependencies`,
//! `optional-dependencies` and `dev-dependencies` name the direct dependencies; every other
//! package is transitive.
//!
//! # Files claimed
//! `uv.lock`.
//!
//! # Evidence and confidence
//! One `library` finding per `[[package]]` entry at its `name = "…"` line, method `lockfile`,
//! confidence high, `version` as locked (local versions like `2.3.1+cu121` kept), `dependency`
//! `direct`/`transitive`, `source` for git/URL/path sources, `index` for
//! a registry other than PyPI. A package locked at two versions (a fork by marker) is two
//! findings.
//!
//! # Not handled
//! Wheel and sdist hashes are not copied (one per platform build, not one per component).
//! `scope` is left to pyproject.toml: a package listed in several dependency groups (directly and
//! through `include-group`) has no single scope in the lock, and two answers would conflict.
//!
//! # References
//! <https://docs.astral.sh/uv/concepts/projects/layout/#the-lockfile>.

use super::toml_tree::{self, Node};
use super::{dep_finding, Dep};
use crate::bom::{normalize::pypi_name, Method};
use crate::detect::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use std::collections::BTreeSet;

pub const ID: &str = "python-uv-lock";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "python",
    summary: "uv.lock: locked versions, direct/transitive from the project's root packages",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    if c.name_lower == "uv.lock" {
        Claim::Yes
    } else {
        Claim::No
    }
}

const PYPI_INDEX: &str = "https://pypi.org/simple";

fn is_root(pkg: &Node, members: &[String]) -> bool {
    let source = pkg.get("source").map(|s| &s.node);
    let local = source.is_some_and(|s| s.get("editable").is_some() || s.get("virtual").is_some());
    local
        || pkg
            .get_str("name")
            .is_some_and(|n| members.iter().any(|m| pypi_name(m) == pypi_name(n)))
}

/// Names listed in a uv dependency array (`[{ name = "torch" }, …]`).
fn names(node: Option<&Node>) -> Vec<String> {
    node.and_then(Node::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(|d| d.node.get_str("name").map(pypi_name))
        .collect()
}

/// Normalised names of the direct dependencies: everything a root package lists.
fn direct_names(roots: &[&Node]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for root in roots {
        out.extend(names(root.get("dependencies").map(|i| &i.node)));
        for section in ["optional-dependencies", "dev-dependencies"] {
            for list in root
                .get(section)
                .and_then(|i| i.node.as_table())
                .into_iter()
                .flat_map(|t| t.values())
            {
                out.extend(names(Some(&list.node)));
            }
        }
    }
    out
}

fn source_props(pkg: &Node, d: &mut Dep) {
    let Some(src) = pkg.get("source").map(|s| &s.node) else {
        return;
    };
    if let Some(reg) = src.get_str("registry") {
        if reg.trim_end_matches('/') != PYPI_INDEX {
            d.index = Some(super::strip_userinfo(reg));
        }
        return;
    }
    for (key, prefix) in [
        ("git", "git+"),
        ("url", ""),
        ("path", ""),
        ("directory", ""),
    ] {
        if let Some(v) = src.get_str(key) {
            d.source = Some(super::strip_userinfo(&format!("{prefix}{v}")));
            return;
        }
    }
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let root = match super::toml_lock::parse_lock(text) {
        Ok(r) => r,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let lines = crate::detect::deps::LineIndex::new(text);
    let mut out = DetectOutcome::default();
    if root.get("version").is_none() {
        out.warn(input, ID, "no lock file `version`; read as uv.lock anyway");
    }
    let members: Vec<String> = root
        .path(&["manifest", "members"])
        .map(|m| {
            m.node
                .as_array()
                .unwrap_or_default()
                .iter()
                .filter_map(|i| i.node.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let packages: Vec<&toml_tree::Item> = root
        .get("package")
        .and_then(|p| p.node.as_array())
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let roots: Vec<&Node> = packages
        .iter()
        .map(|p| &p.node)
        .filter(|p| is_root(p, &members))
        .collect();
    let direct = direct_names(&roots);
    for pkg in packages {
        let node = &pkg.node;
        if is_root(node, &members) {
            continue;
        }
        let Some(name_item) = node.get("name") else {
            out.warn(
                input,
                ID,
                format!(
                    "a [[package]] entry without a name near line {}",
                    pkg.line_in(&lines).unwrap_or(0)
                ),
            );
            continue;
        };
        let Some(name) = name_item.node.as_str() else {
            continue;
        };
        let mut d = Dep::new(name, name_item.line_in(&lines));
        d.version = node.get_str("version").map(str::to_string);
        if !roots.is_empty() {
            d.dependency = Some(if direct.contains(&pypi_name(name)) {
                "direct"
            } else {
                "transitive"
            });
        }
        source_props(node, &mut d);
        out.findings.extend(dep_finding(
            ctx,
            &input.rel_path,
            ID,
            Method::Lockfile,
            Some(text),
            &d,
        ));
    }
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
            &FileInput::from_bytes("uv.lock", text.as_bytes().to_vec()),
            &ctx,
        )
    }

    #[test]
    fn roots_decide_direct_and_transitive() {
        let text = r#"version = 1
revision = 2
requires-python = ">=3.11"

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "openai" },
]

[package.dev-dependencies]
dev = [
    { name = "wandb" },
]

[[package]]
name = "openai"
version = "1.30.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "tiktoken"
version = "0.7.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "torch"
version = "2.3.1+cu121"
source = { registry = "https://download.pytorch.org/whl/cu121" }

[[package]]
name = "wandb"
version = "0.17.0"
source = { git = "https://github.com/wandb/wandb?rev=v0.17.0#abc123" }
"#;
        let out = run(text);
        let got: Vec<String> = out
            .findings
            .iter()
            .map(|f| {
                format!(
                    "{}@{} {} {} line={}",
                    f.name,
                    f.version.as_deref().unwrap_or("-"),
                    f.properties["dependency"].as_str().unwrap(),
                    f.properties
                        .get("scope")
                        .and_then(|s| s.as_str())
                        .unwrap_or("-"),
                    f.evidence.line.unwrap()
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "openai@1.30.1 direct - line=19",
                "tiktoken@0.7.0 transitive - line=24",
                "torch@2.3.1+cu121 transitive - line=29",
                "wandb@0.17.0 direct - line=34"
            ]
        );
        assert_eq!(
            out.findings[2].properties["index"],
            "https://download.pytorch.org/whl/cu121"
        );
        assert!(out.findings[3].properties["source"]
            .as_str()
            .unwrap()
            .starts_with("git+https://github.com/wandb"));
    }

    #[test]
    fn truncated_lock_fails() {
        let out = run("version = 1\n[[package]]\nname = \"torch\"\nversion = \"2.");
        assert!(out.failed);
    }
}
