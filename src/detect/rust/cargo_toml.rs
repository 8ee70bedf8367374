//! `Cargo.toml` dependency tables.
//!
//! ## What it detects
//! AI/ML crates declared in `[dependencies]` (scope `required`, or `optional` with
//! `optional = true`), `[dev-dependencies]` (`dev`), `[build-dependencies]` (`build`) and the
//! same tables under `[target.'cfg(..)'.…]`. A renamed dependency
//! (`llm = { package = "async-openai", … }`) is reported under the real crate name with the
//! local name as `rename`. `workspace = true` entries take their requirement from the
//! `[workspace.dependencies]` of the workspace root, found by looking at the `Cargo.toml` of
//! each enclosing directory inside the scanned tree (never above it).
//!
//! ## Files claimed
//! `Cargo.toml`.
//!
//! ## Evidence and confidence
//! `manifest`, high: the line of the dependency's key. The requirement is the `constraint`;
//! only an `=x.y.z` requirement is also the version (a bare `0.23` is a caret range). Git and
//! path dependencies carry `source=git` / `source=path`.
//!
//! ## Not handled
//! `[workspace.dependencies]` alone declare nothing a crate uses, so they are read only to
//! resolve inheritance. `[patch]` and `[replace]` sections. Cargo is never run (`cargo
//! metadata` would execute build scripts' resolution on an untrusted tree).
//!
//! ## References
//! <https://doc.rust-lang.org/cargo/reference/specifying-dependencies.html>,
//! <https://doc.rust-lang.org/cargo/reference/workspaces.html#the-dependencies-table>

use crate::bom::normalize::Ecosystem;
use crate::bom::Method;
use crate::detect::deps::{self, Dep};
use crate::detect::{util, Candidate, Claim, Context, DetectOutcome, Detector, FileInput};
use crate::detect::{Maturity, Scope};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::{Spanned, Value};

pub const ID: &str = "cargo-toml";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "rust",
    summary: "Cargo.toml dependency tables, renames and workspace inheritance",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    if c.file_name == "Cargo.toml" {
        Claim::Yes
    } else {
        Claim::No
    }
}

type DepTable = BTreeMap<Spanned<String>, Value>;

#[derive(Debug, Default, Deserialize)]
struct Tables {
    #[serde(default)]
    dependencies: DepTable,
    #[serde(default, rename = "dev-dependencies", alias = "dev_dependencies")]
    dev: DepTable,
    #[serde(default, rename = "build-dependencies", alias = "build_dependencies")]
    build: DepTable,
}

// Not `#[serde(flatten)]`: flattening buffers the input and loses the key spans.
#[derive(Debug, Default, Deserialize)]
struct Manifest {
    #[serde(default)]
    dependencies: DepTable,
    #[serde(default, rename = "dev-dependencies", alias = "dev_dependencies")]
    dev: DepTable,
    #[serde(default, rename = "build-dependencies", alias = "build_dependencies")]
    build: DepTable,
    #[serde(default)]
    target: BTreeMap<String, Tables>,
    #[serde(default)]
    workspace: Option<Workspace>,
}

#[derive(Debug, Default, Deserialize)]
struct Workspace {
    #[serde(default)]
    dependencies: BTreeMap<String, Value>,
}

/// How many enclosing directories are searched for the workspace root.
const MAX_WORKSPACE_HOPS: usize = 16;

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let manifest: Manifest = match toml::from_str(text) {
        Ok(m) => m,
        Err(e) => {
            let msg = e.message().to_string();
            let line = e.span().map(|s| util::line_at(text, s.start));
            let at = line.map(|l| format!(" (line {l})")).unwrap_or_default();
            return DetectOutcome::failure(input, ID, format!("invalid TOML{at}: {msg}"));
        }
    };
    let mut out = DetectOutcome::default();
    let mut root: Option<BTreeMap<String, Value>> = None;
    let mut root_searched = false;
    let mut missing_root = false;
    let mut found = Vec::new();

    let mut tables: Vec<(&DepTable, &'static str)> = vec![
        (&manifest.dependencies, "required"),
        (&manifest.dev, "dev"),
        (&manifest.build, "build"),
    ];
    for t in manifest.target.values() {
        tables.extend([
            (&t.dependencies, "required"),
            (&t.dev, "dev"),
            (&t.build, "build"),
        ]);
    }
    let lines = deps::LineIndex::new(text);
    for (table, scope) in tables {
        for (key, value) in table {
            let local = key.get_ref().as_str();
            let line = lines.line(key.span().start);
            let mut spec = value.clone();
            if value.get("workspace").and_then(Value::as_bool) == Some(true) {
                if !root_searched {
                    root_searched = true;
                    root = manifest
                        .workspace
                        .as_ref()
                        .map(|w| w.dependencies.clone())
                        .or_else(|| find_workspace_root(input));
                }
                match root.as_ref().and_then(|r| r.get(local)) {
                    Some(inherited) => spec = merge_inherited(inherited, value),
                    None => missing_root = true,
                }
            }
            let mut d = dep_from(local, &spec, scope, line);
            d.snippet = lines.snippet(text, line);
            found.push(d);
        }
    }
    if missing_root {
        out.warn(
            input,
            ID,
            "`workspace = true` dependencies whose workspace root is not in the scanned tree; \
             their requirements are unknown",
        );
    }
    deps::emit(
        ctx,
        input,
        ID,
        Ecosystem::Cargo,
        Method::Manifest,
        found,
        &mut out,
    );
    out
}

/// The member's keys (optional, features) layered over the workspace's entry.
fn merge_inherited(inherited: &Value, member: &Value) -> Value {
    let mut table = match inherited {
        Value::String(v) => {
            let mut t = toml::map::Map::new();
            t.insert("version".into(), Value::String(v.clone()));
            t
        }
        Value::Table(t) => t.clone(),
        _ => toml::map::Map::new(),
    };
    if let Some(m) = member.as_table() {
        for (k, v) in m {
            if k != "workspace" {
                table.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Table(table)
}

fn dep_from(local: &str, spec: &Value, scope: &'static str, line: u32) -> Dep {
    let (req, table) = match spec {
        Value::String(s) => (Some(s.as_str()), None),
        Value::Table(t) => (t.get("version").and_then(Value::as_str), Some(t)),
        _ => (None, None),
    };
    let get = |k: &str| table.and_then(|t| t.get(k));
    let real = get("package").and_then(Value::as_str).unwrap_or(local);
    let mut d = Dep::new(real, line);
    d.constraint = req.map(|r| r.trim().to_string());
    d.version = req
        .and_then(|r| r.trim().strip_prefix('='))
        .map(str::trim)
        .filter(|v| deps::is_exact_version(v))
        .map(str::to_string);
    d.scope = Some(
        if scope == "required" && get("optional").and_then(Value::as_bool) == Some(true) {
            "optional"
        } else {
            scope
        },
    );
    d.direct = Some(true);
    if real != local {
        d.extra.push(("rename", local.to_string()));
    }
    if get("git").is_some() {
        d.extra.push(("source", "git".to_string()));
    } else if get("path").is_some() && req.is_none() {
        d.extra.push(("source", "path".to_string()));
    }
    d
}

/// The `[workspace.dependencies]` of the nearest enclosing `Cargo.toml` that has a
/// `[workspace]` table, looking only at directories inside the scanned tree.
fn find_workspace_root(input: &FileInput) -> Option<BTreeMap<String, Value>> {
    let levels = input.rel_path.matches('/').count().min(MAX_WORKSPACE_HOPS);
    let mut dir = input.abs_path.parent()?;
    for _ in 0..levels {
        dir = dir.parent()?;
        let Some(text) = deps::read_side_file(&dir.join("Cargo.toml")) else {
            continue;
        };
        let Ok(m) = toml::from_str::<Manifest>(&text) else {
            continue;
        };
        if let Some(w) = m.workspace {
            return Some(w.dependencies);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn ctx() -> Context {
        Context {
            catalog: Catalog::builtin(),
            ..Default::default()
        }
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
                    "{}@{} l{} {} {} {}",
                    f.name,
                    f.version.as_deref().unwrap_or("-"),
                    f.evidence.line.unwrap_or(0),
                    p("scope"),
                    p("constraint"),
                    p("rename")
                )
            })
            .collect()
    }

    #[test]
    fn tables_renames_targets_and_inline_workspace() {
        let text = r#"[workspace]
members = ["."]

[workspace.dependencies]
tokenizers = { version = "0.19", default-features = false }

[package]
name = "app"
version = "0.1.0"

[dependencies]
serde = "1"
candle-core = "=0.6.0"
llm = { package = "async-openai", version = "0.23", optional = true }
tokenizers = { workspace = true, features = ["onig"] }

[dev-dependencies]
ollama-rs = "0.2"

[build-dependencies.hf-hub]
version = "0.3.2"

[target.'cfg(target_os = "macos")'.dependencies]
candle-nn = { version = "0.6", features = ["metal"] }
"#;
        let out = detect(
            &FileInput::from_bytes("Cargo.toml", text.as_bytes().to_vec()),
            &ctx(),
        );
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        assert_eq!(
            rows(&out),
            vec![
                "candle-core@0.6.0 l13 required =0.6.0 -",
                "async-openai@- l14 optional 0.23 llm",
                "tokenizers@- l15 required 0.19 -",
                "ollama-rs@- l18 dev 0.2 -",
                "hf-hub@- l20 build 0.3.2 -",
                "candle-nn@- l24 required 0.6 -",
            ]
        );
    }

    #[test]
    fn workspace_root_read_from_an_enclosing_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[workspace]\nmembers = [\"crates/*\"]\n[workspace.dependencies]\nort = \"2.0.0-rc.4\"\n",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("crates/app")).unwrap();
        let member = dir.path().join("crates/app/Cargo.toml");
        let text = "[dependencies]\nort.workspace = true\nrig-core = { workspace = true }\n";
        std::fs::write(&member, text).unwrap();
        let input = FileInput::new(
            "crates/app/Cargo.toml".into(),
            member,
            text.len() as u64,
            false,
        );
        let out = detect(&input, &ctx());
        assert_eq!(
            rows(&out),
            vec![
                "ort@- l2 required 2.0.0-rc.4 -",
                "rig-core@- l3 required - -"
            ]
        );
        // rig-core is not in the root's table
        assert_eq!(out.warnings.len(), 1);
    }

    #[test]
    fn bad_toml_is_a_warning_with_a_line() {
        let out = detect(
            &FileInput::from_bytes(
                "Cargo.toml",
                b"[dependencies]\nopenai = \"1\nx = 2\n".to_vec(),
            ),
            &ctx(),
        );
        assert!(out.failed);
        assert!(
            out.warnings[0].message.starts_with("invalid TOML (line 2)"),
            "{:?}",
            out.warnings
        );
    }
}
