//! poetry.lock.
//!
//! # What it detects
//! Every locked AI package with its resolved version. The lock file does not say which
//! packages are direct; the `pyproject.toml` beside it does, so it is read (never executed) to
//! tell `direct` from `transitive`.
//!
//! # Files claimed
//! `poetry.lock`.
//!
//! # Evidence and confidence
//! One `library` finding per `[[package]]` entry at its `name = "…"` line, method `lockfile`,
//! confidence high. `scope` from the entry's `groups` (Poetry ≥ 1.5/2.x) or `category` (older
//! lock files): `main` → `required` (or `optional` when the entry is `optional = true`), `dev`
//! → `dev`, other groups `group:<name>`. `source` for git/url/file/directory packages, `index`
//! for a named legacy source.
//!
//! # Not handled
//! `files` hashes are not copied (one per platform build). Without a readable pyproject.toml
//! beside the lock, `dependency` is omitted.
//!
//! # References
//! <https://python-poetry.org/docs/basic-usage/#committing-your-poetrylock-file-to-version-control>.

use super::toml_tree::Node;
use super::{dep_finding, group_scope, read_sibling, Dep};
use crate::bom::{normalize::pypi_name, Method};
use crate::detect::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};

pub const ID: &str = "python-poetry-lock";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "python",
    summary:
        "poetry.lock: locked versions, groups, direct/transitive via the sibling pyproject.toml",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    if c.name_lower == "poetry.lock" {
        Claim::Yes
    } else {
        Claim::No
    }
}

fn scope_of(pkg: &Node) -> Option<String> {
    let mut groups = pkg.get_strs("groups");
    if groups.is_empty() {
        groups.extend(pkg.get_str("category").map(str::to_string));
    }
    groups.sort();
    // `main` wins: a package that is also in a dev group is still installed for users
    let g = groups
        .iter()
        .find(|g| *g == "main")
        .or_else(|| groups.first())?;
    let optional = pkg.get("optional").and_then(|o| o.node.as_bool()) == Some(true);
    Some(if g == "main" && optional {
        "optional".to_string()
    } else {
        group_scope(g)
    })
}

fn source_props(pkg: &Node, d: &mut Dep) {
    let Some(src) = pkg.get("source").map(|s| &s.node) else {
        return;
    };
    let url = src.get_str("url").unwrap_or_default();
    match src.get_str("type").unwrap_or_default() {
        "git" => {
            let r = src
                .get_str("resolved_reference")
                .or_else(|| src.get_str("reference"));
            let v = match r {
                Some(r) => format!("git+{url}@{r}"),
                None => format!("git+{url}"),
            };
            d.source = Some(super::strip_userinfo(&v));
        }
        "legacy" | "" => {
            if !url.is_empty() {
                d.index = Some(super::strip_userinfo(url));
            }
        }
        _ => {
            if !url.is_empty() {
                d.source = Some(super::strip_userinfo(url));
            }
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
    if root.path(&["metadata", "content-hash"]).is_none() {
        out.warn(
            input,
            ID,
            "no [metadata] content-hash; the lock file may be incomplete",
        );
    }
    let direct =
        read_sibling(input, "pyproject.toml").and_then(|(_, t)| super::pyproject::direct_names(&t));
    for pkg in root
        .get("package")
        .and_then(|p| p.node.as_array())
        .unwrap_or_default()
    {
        let node = &pkg.node;
        let Some(name_item) = node.get("name") else {
            continue;
        };
        let Some(name) = name_item.node.as_str() else {
            continue;
        };
        let mut d = Dep::new(name, name_item.line_in(&lines));
        d.version = node.get_str("version").map(str::to_string);
        d.scope = scope_of(node);
        if let Some(direct) = &direct {
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
            &FileInput::from_bytes("poetry.lock", text.as_bytes().to_vec()),
            &ctx,
        )
    }

    #[test]
    fn groups_and_categories() {
        let text = "# This file is automatically @generated by Poetry 1.8.3 and should not be changed by hand.\n\n[[package]]\nname = \"torch\"\nversion = \"2.3.1\"\ndescription = \"Tensors\"\noptional = false\npython-versions = \">=3.8.0\"\ngroups = [\"main\", \"dev\"]\nfiles = []\n\n[[package]]\nname = \"wandb\"\nversion = \"0.17.0\"\ndescription = \"\"\noptional = false\npython-versions = \">=3.7\"\ncategory = \"dev\"\n\n[package.source]\ntype = \"git\"\nurl = \"https://github.com/wandb/wandb.git\"\nreference = \"main\"\nresolved_reference = \"abc\"\n\n[metadata]\nlock-version = \"2.0\"\npython-versions = \"^3.10\"\ncontent-hash = \"00\"\n";
        let out = run(text);
        assert_eq!(out.findings.len(), 2);
        assert_eq!(out.findings[0].evidence.line, Some(4));
        assert_eq!(out.findings[0].properties["scope"], "required");
        assert_eq!(out.findings[1].properties["scope"], "dev");
        assert_eq!(
            out.findings[1].properties["source"],
            "git+https://github.com/wandb/wandb.git@abc"
        );
        // no pyproject beside an in-memory file: direct/transitive unknown
        assert!(!out.findings[0].properties.contains_key("dependency"));
        assert!(out.warnings.is_empty());
    }

    #[test]
    fn truncated_is_a_failure() {
        let out = run("[[package]]\nname = \"torch\"\nversion = \"2.3");
        assert!(out.failed);
        assert!(out.warnings[0].message.contains("invalid TOML"));
    }
}
