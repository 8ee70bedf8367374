//! pyproject.toml dependency tables.
//!
//! # What it detects
//! AI packages declared in PEP 621 `[project] dependencies` and `optional-dependencies`,
//! PEP 735 `[dependency-groups]` (with `{include-group = "…"}` entries checked), uv's legacy
//! `[tool.uv] dev-dependencies`, and Poetry's `[tool.poetry.dependencies]`,
//! `[tool.poetry.dev-dependencies]` and `[tool.poetry.group.<name>.dependencies]` (string,
//! table and multiple-constraint forms; `git`/`url`/`path` sources).
//!
//! # Files claimed
//! `pyproject.toml`.
//!
//! # Evidence and confidence
//! One `library` finding per declared AI package at the line of its entry, method `manifest`,
//! confidence high. Declarations carry no version, only `constraint`; `scope` is `required`,
//! `optional` (with `extra` naming the optional-dependency group), `dev` or `group:<name>`.
//! A lock file of the same project supplies the resolved version when the BOM is merged.
//!
//! # Not handled
//! `dynamic = ["dependencies"]` (the list lives in another file or in code; never executed);
//! `[build-system] requires` (build-time tooling, not a runtime dependency). An included group's
//! entries are reported once, under the group that lists them.
//!
//! # References
//! <https://packaging.python.org/en/latest/specifications/pyproject-toml/>,
//! <https://peps.python.org/pep-0735/>, <https://python-poetry.org/docs/pyproject/>.

use super::toml_tree::{self, Item, Node};
use super::{dep_finding, group_scope, pep508, Dep};
use crate::bom::Method;
use crate::detect::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use std::collections::BTreeSet;

pub const ID: &str = "python-pyproject";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "python",
    summary: "pyproject.toml: PEP 621, PEP 735 dependency groups, Poetry and uv dependency tables",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    if c.name_lower == "pyproject.toml" {
        Claim::Yes
    } else {
        Claim::No
    }
}

/// Every dependency a pyproject.toml declares, plus problems found on the way.
pub fn declared(root: &Node, text: &str) -> (Vec<Dep>, Vec<String>) {
    let mut deps = Vec::new();
    let mut problems = Vec::new();
    let pep508_list = |item: &Item,
                       scope: &str,
                       extra: Option<&str>,
                       problems: &mut Vec<String>,
                       deps: &mut Vec<Dep>| {
        for entry in item.node.as_array().unwrap_or_default() {
            let Some(s) = entry.node.as_str() else {
                continue;
            };
            match pep508::parse(s) {
                Ok(r) => {
                    let mut d = Dep::from_requirement(&r, entry.line(text));
                    d.version = None;
                    d.scope = Some(scope.to_string());
                    d.extra = extra.map(str::to_string);
                    deps.push(d);
                }
                Err(e) => problems.push(match entry.line(text) {
                    Some(l) => format!("line {l}: {e}; entry skipped"),
                    None => format!("{e}; entry skipped"),
                }),
            }
        }
    };
    if let Some(list) = root.path(&["project", "dependencies"]) {
        pep508_list(list, "required", None, &mut problems, &mut deps);
    }
    if let Some(t) = root
        .path(&["project", "optional-dependencies"])
        .and_then(|i| i.node.as_table())
    {
        for (extra, list) in t {
            pep508_list(list, "optional", Some(extra), &mut problems, &mut deps);
        }
    }
    if let Some(t) = root
        .get("dependency-groups")
        .and_then(|i| i.node.as_table())
    {
        for (group, list) in t {
            pep508_list(list, &group_scope(group), None, &mut problems, &mut deps);
            for entry in list.node.as_array().unwrap_or_default() {
                if let Some(inc) = entry.node.get_str("include-group") {
                    check_include(root, group, inc, &mut Vec::new(), &mut problems);
                }
            }
        }
    }
    if let Some(list) = root.path(&["tool", "uv", "dev-dependencies"]) {
        pep508_list(list, "dev", None, &mut problems, &mut deps);
    }
    if let Some(poetry) = root.path(&["tool", "poetry"]) {
        poetry_table(poetry.node.get("dependencies"), "required", text, &mut deps);
        poetry_table(poetry.node.get("dev-dependencies"), "dev", text, &mut deps);
        if let Some(groups) = poetry.node.get("group").and_then(|g| g.node.as_table()) {
            for (name, g) in groups {
                poetry_table(
                    g.node.get("dependencies"),
                    &group_scope(name),
                    text,
                    &mut deps,
                );
            }
        }
    }
    // a group reached through several includes reports its problem once
    problems.sort();
    problems.dedup();
    (deps, problems)
}

/// Follow `{include-group}` references from `group`, reporting unknown groups and cycles.
fn check_include(
    root: &Node,
    group: &str,
    inc: &str,
    chain: &mut Vec<String>,
    problems: &mut Vec<String>,
) {
    chain.push(group.to_string());
    if chain.iter().any(|g| g == inc) {
        problems.push(format!(
            "dependency group cycle {} -> {inc}",
            chain.join(" -> ")
        ));
    } else {
        match root.path(&["dependency-groups", inc]) {
            None => problems.push(format!(
                "dependency group {group:?} includes unknown group {inc:?}"
            )),
            Some(list) if chain.len() < 16 => {
                for entry in list.node.as_array().unwrap_or_default() {
                    if let Some(next) = entry.node.get_str("include-group") {
                        check_include(root, inc, next, chain, problems);
                    }
                }
            }
            Some(_) => {}
        }
    }
    chain.pop();
}

/// A Poetry (or Pipfile) dependency table: `name = "^1"` or `name = { version, extras,
/// markers, optional, git/url/path, … }` or a list of such tables.
pub fn poetry_table(table: Option<&Item>, scope: &str, text: &str, deps: &mut Vec<Dep>) {
    let Some(t) = table.and_then(|i| i.node.as_table()) else {
        return;
    };
    for (name, item) in t {
        if name.eq_ignore_ascii_case("python") || !pep508::is_valid_name(name) {
            continue;
        }
        deps.push(table_dep(name, item, scope, text));
    }
}

/// One entry of a Poetry/Pipfile dependency table.
pub fn table_dep(name: &str, item: &Item, scope: &str, text: &str) -> Dep {
    let mut d = Dep::new(name, item.line(text));
    d.scope = Some(scope.to_string());
    let one = |node: &Node, d: &mut Dep| -> Option<String> {
        match node {
            Node::Str(s) => Some(s.clone()),
            Node::Table(_) => {
                d.extras.extend(node.get_strs("extras"));
                if let Some(m) = node.get_str("markers") {
                    d.marker = Some(m.split_whitespace().collect::<Vec<_>>().join(" "));
                }
                if node.get("optional").and_then(|o| o.node.as_bool()) == Some(true)
                    && scope == "required"
                {
                    d.scope = Some("optional".to_string());
                }
                if let Some(git) = node.get_str("git") {
                    let r = ["rev", "tag", "branch", "ref"]
                        .iter()
                        .find_map(|k| node.get_str(k));
                    let url = match r {
                        Some(r) => format!("git+{git}@{r}"),
                        None => format!("git+{git}"),
                    };
                    d.source = Some(super::strip_userinfo(&url));
                } else if let Some(u) = node
                    .get_str("url")
                    .or_else(|| node.get_str("path"))
                    .or_else(|| node.get_str("file"))
                {
                    d.source = Some(super::strip_userinfo(u));
                }
                node.get_str("version").map(str::to_string)
            }
            _ => None,
        }
    };
    let constraints: Vec<String> = match &item.node {
        Node::Array(list) => list.iter().filter_map(|i| one(&i.node, &mut d)).collect(),
        node => one(node, &mut d).into_iter().collect(),
    };
    let constraints: Vec<String> = constraints
        .into_iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty() && c != "*")
        .collect();
    if !constraints.is_empty() {
        d.constraint = Some(constraints.join(" || "));
    }
    d
}

/// Normalised names of the direct dependencies a pyproject.toml declares (for lock files that
/// cannot tell direct from transitive themselves).
pub fn direct_names(text: &str) -> Option<BTreeSet<String>> {
    let root = toml_tree::parse(text).ok()?;
    let (deps, _) = declared(&root, text);
    Some(
        deps.iter()
            .map(|d| crate::bom::normalize::pypi_name(&d.name))
            .collect(),
    )
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let root = match toml_tree::parse(text) {
        Ok(r) => r,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let mut out = DetectOutcome::default();
    let (deps, problems) = declared(&root, text);
    for p in problems {
        out.warn(input, ID, p);
    }
    for d in &deps {
        out.findings.extend(dep_finding(
            ctx,
            &input.rel_path,
            ID,
            Method::Manifest,
            Some(text),
            d,
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
            &FileInput::from_bytes("pyproject.toml", text.as_bytes().to_vec()),
            &ctx,
        )
    }

    #[test]
    fn pep621_and_groups() {
        let text = "[project]\nname = \"x\"\ndependencies = [\n  \"torch>=2.1 ; platform_system != 'Darwin'\",\n  \"requests\",\n  \"not valid ((\",\n]\n[project.optional-dependencies]\ngpu = [\"bitsandbytes>=0.43\"]\n[dependency-groups]\ndev = [\"wandb\", {include-group = \"test\"}]\ntest = [\"evaluate\", {include-group = \"missing\"}]\n";
        let out = run(text);
        let names: Vec<(&str, &str, Option<u32>)> = out
            .findings
            .iter()
            .map(|f| {
                (
                    f.name.as_str(),
                    f.properties["scope"].as_str().unwrap(),
                    f.evidence.line,
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                ("torch", "required", Some(4)),
                ("bitsandbytes", "optional", Some(9)),
                ("wandb", "dev", Some(11)),
                ("evaluate", "group:test", Some(12))
            ]
        );
        assert!(out.findings.iter().all(|f| f.version.is_none()));
        assert_eq!(
            out.findings[0].properties["marker"],
            "platform_system != 'Darwin'"
        );
        assert_eq!(out.findings[1].properties["extra"], "gpu");
        assert_eq!(out.warnings.len(), 2, "{:?}", out.warnings);
    }

    #[test]
    fn poetry_tables() {
        let text = "[tool.poetry.dependencies]\r\npython = \"^3.10\"\r\ntorch = { version = \"^2.1\", source = \"pytorch\" }\r\ntransformers = {version=\"4.40.0\", extras=[\"torch\"], optional=true}\r\npeft = { git = \"https://github.com/huggingface/peft.git\", tag = \"v0.11.1\" }\r\nxformers = [{version = \"<0.0.26\", python = \"<3.9\"}, {version = \">=0.0.26\", python = \">=3.9\"}]\r\n[tool.poetry.group.eval.dependencies]\r\nragas = \"*\"\r\n[tool.poetry.dev-dependencies]\r\nmlflow = \"^2\"\r\n";
        let out = run(text);
        let by = |n: &str| out.findings.iter().find(|f| f.name == n).unwrap();
        assert_eq!(by("torch").properties["constraint"], "^2.1");
        assert_eq!(by("torch").evidence.line, Some(3));
        assert_eq!(by("transformers").properties["scope"], "optional");
        assert_eq!(by("transformers").version, None);
        assert_eq!(
            by("peft").properties["source"],
            "git+https://github.com/huggingface/peft.git@v0.11.1"
        );
        assert_eq!(
            by("xformers").properties["constraint"],
            "<0.0.26 || >=0.0.26"
        );
        assert_eq!(by("ragas").properties["scope"], "group:eval");
        assert!(!by("ragas").properties.contains_key("constraint"));
        assert_eq!(by("mlflow").properties["scope"], "dev");
    }

    #[test]
    fn bad_toml_fails_with_warning() {
        let out = run("[project\ndependencies = [\"torch\"]\n");
        assert!(out.failed);
        assert!(
            out.warnings[0].message.contains("line 1"),
            "{:?}",
            out.warnings
        );
        assert!(run("").findings.is_empty());
    }
}
