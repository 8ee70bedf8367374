//! `package-lock.json` and `npm-shrinkwrap.json`, lockfile versions 1, 2 and 3.
//!
//! ## What it detects
//! Every installed AI/ML package with its resolved version. Version 2 and 3 locks are read
//! from the `packages` map (`node_modules/…` install paths, nested and scoped); version 1 locks
//! from the nested `dependencies` tree. `dev`, `optional`, `devOptional` and `peer` flags
//! become the `scope` property.
//!
//! ## Files claimed
//! `package-lock.json`, `npm-shrinkwrap.json`.
//!
//! ## Evidence and confidence
//! `lockfile`, high: the line of the package's entry. In v2/v3 locks a package installed at
//! `node_modules/<name>` (or `<workspace>/node_modules/<name>`) whose name the root or a
//! workspace entry declares is `dependency=direct`, every other one `transitive`. Version 1
//! locks do not record what the root declares, so their entries carry no `dependency`
//! property; the `package.json` beside them supplies it when merged.
//!
//! ## Not handled
//! Linked workspace packages (`"link": true`) and local workspace sources are the project's
//! own code, not dependencies. Git and tarball versions are reported without a version.
//!
//! ## References
//! <https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json>

use super::package_json::split_alias;
use crate::bom::normalize::Ecosystem;
use crate::bom::Method;
use crate::detect::deps::{self, Dep};
use crate::detect::{Candidate, Claim, Context, DetectOutcome, Detector, FileInput};
use crate::detect::{Maturity, Scope};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

pub const ID: &str = "npm-package-lock";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "node",
    summary: "package-lock.json / npm-shrinkwrap.json v1, v2, v3: resolved versions, dev/optional",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    match c.name_lower {
        "package-lock.json" | "npm-shrinkwrap.json" => Claim::Yes,
        _ => Claim::No,
    }
}

/// The v1 tree is nested per conflicting version; real trees stay far below this.
const MAX_DEPTH: usize = 64;

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let doc: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return DetectOutcome::failure(input, ID, format!("invalid JSON: {e}")),
    };
    let mut out = DetectOutcome::default();
    let mut found = Vec::new();
    if let Some(packages) = doc.get("packages").and_then(Value::as_object) {
        read_packages(text, packages, &mut found);
    } else if let Some(tree) = doc.get("dependencies").and_then(Value::as_object) {
        let lines = deps::LineIndex::new(text);
        read_v1(text, &lines, tree, 0, 0, &mut found, &mut out, input);
    } else if !doc.is_object() {
        out.warn(input, ID, "lock file is not a JSON object; nothing read");
        out.failed = true;
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

fn flag(entry: &Value, key: &str) -> bool {
    entry.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn scope_of(entry: &Value) -> &'static str {
    if flag(entry, "dev") || flag(entry, "devOptional") {
        "dev"
    } else if flag(entry, "optional") {
        "optional"
    } else if flag(entry, "peer") {
        "peer"
    } else {
        "required"
    }
}

/// A lock `version` that names a registry version (aliases `npm:name@1.2.3` resolved).
fn lock_version(v: &str) -> (Option<&str>, Option<String>) {
    if let Some((real, ver)) = split_alias(v) {
        return (
            Some(real),
            deps::is_exact_version(ver).then(|| ver.to_string()),
        );
    }
    (None, deps::is_exact_version(v).then(|| v.to_string()))
}

fn read_packages(text: &str, packages: &Map<String, Value>, found: &mut Vec<Dep>) {
    let lines = deps::LineIndex::new(text);
    // Names the root and each workspace declare: their hoisted installs are direct.
    let mut declared: BTreeSet<&str> = BTreeSet::new();
    for (key, entry) in packages {
        if key.contains("node_modules/") {
            continue;
        }
        for section in [
            "dependencies",
            "devDependencies",
            "optionalDependencies",
            "peerDependencies",
        ] {
            if let Some(m) = entry.get(section).and_then(Value::as_object) {
                declared.extend(m.keys().map(String::as_str));
            }
        }
    }
    let mut cursor = 0;
    for (key, entry) in packages {
        let Some(idx) = key.rfind("node_modules/") else {
            continue;
        };
        if flag(entry, "link") {
            continue;
        }
        let install_name = &key[idx + "node_modules/".len()..];
        let name = entry
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(install_name);
        let version = entry.get("version").and_then(Value::as_str).unwrap_or("");
        let (alias, version) = lock_version(version);
        // serde_json keeps file order: searching on from the previous key keeps a lock with
        // thousands of packages linear instead of quadratic.
        let hit = deps::json_key_at(text, key, cursor).or_else(|| deps::json_key_at(text, key, 0));
        if let Some(at) = hit {
            cursor = at;
        }
        let line = hit.map_or(1, |at| lines.line(at));
        let mut d = Dep::new(alias.unwrap_or(name), line);
        d.version = version;
        d.scope = Some(scope_of(entry));
        let hoisted = key.matches("node_modules/").count() == 1;
        d.direct = Some(hoisted && declared.contains(install_name));
        d.snippet = Some(format!("{key} {}", d.version.as_deref().unwrap_or("")));
        found.push(d);
    }
}

#[allow(clippy::too_many_arguments)]
fn read_v1(
    text: &str,
    lines: &deps::LineIndex,
    tree: &Map<String, Value>,
    from: usize,
    depth: usize,
    found: &mut Vec<Dep>,
    out: &mut DetectOutcome,
    input: &FileInput,
) {
    if depth > MAX_DEPTH {
        out.warn(input, ID, "dependency tree nested too deep; rest not read");
        return;
    }
    let mut cursor = from;
    for (name, entry) in tree {
        if !entry.is_object() {
            continue;
        }
        // serde_json keeps file order, so siblings are found in sequence; each search starts
        // after the previous sibling's whole object, never inside it.
        let at = object_key_at(text, name, cursor);
        let end = at.map_or(cursor, |a| object_end(text, a));
        let version = entry.get("version").and_then(Value::as_str).unwrap_or("");
        let (alias, version) = lock_version(version);
        let mut d = Dep::new(alias.unwrap_or(name), lines.line(at.unwrap_or(0)));
        d.version = version;
        d.scope = Some(scope_of(entry));
        d.snippet = Some(format!("{name} {}", d.version.as_deref().unwrap_or("")));
        found.push(d);
        if let Some(nested) = entry.get("dependencies").and_then(Value::as_object) {
            read_v1(
                text,
                lines,
                nested,
                at.unwrap_or(cursor),
                depth + 1,
                found,
                out,
                input,
            );
        }
        cursor = end;
    }
}

/// Byte offset just past the object that starts after the key at `at` (strings and escapes
/// honoured); the end of the text when it never closes.
fn object_end(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let Some(open) = text.get(at..).and_then(|t| t.find('{')).map(|i| at + i) else {
        return text.len();
    };
    let (mut depth, mut in_str, mut esc) = (0usize, false, false);
    for (i, &b) in bytes.iter().enumerate().skip(open) {
        if in_str {
            match b {
                _ if esc => esc = false,
                b'\\' => esc = true,
                b'"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    text.len()
}

/// Byte offset of `"key": {` at or after `from`: the object-valued key, so a same-named
/// string in an earlier entry's `requires` is not mistaken for the entry.
fn object_key_at(text: &str, key: &str, from: usize) -> Option<usize> {
    let mut start = from;
    loop {
        let at = deps::json_key_at(text, key, start)?;
        let after = text.get(at..)?.split_once(':')?.1.trim_start();
        if after.starts_with('{') {
            return Some(at);
        }
        start = at + 1;
    }
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
            &FileInput::from_bytes("package-lock.json", text.as_bytes().to_vec()),
            &ctx,
        )
    }

    fn rows(out: &DetectOutcome) -> Vec<(String, String, u32, String, String)> {
        out.findings
            .iter()
            .map(|f| {
                (
                    f.name.clone(),
                    f.version.clone().unwrap_or_default(),
                    f.evidence.line.unwrap_or(0),
                    f.properties["scope"].as_str().unwrap_or("").to_string(),
                    f.properties
                        .get("dependency")
                        .and_then(|v| v.as_str())
                        .unwrap_or("")
                        .to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn v3_packages_direct_transitive_nested_scoped() {
        let out = run(r#"{
  "name": "app",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "app",
      "dependencies": { "openai": "^4.52.0", "@langchain/openai": "^0.2.1" },
      "devDependencies": { "ollama": "^0.5.2" }
    },
    "node_modules/@langchain/openai": {
      "version": "0.2.1",
      "dependencies": { "openai": "^4.49.1" }
    },
    "node_modules/@langchain/openai/node_modules/openai": {
      "version": "4.49.1"
    },
    "node_modules/ollama": { "version": "0.5.2", "dev": true },
    "node_modules/openai": { "version": "4.52.0" },
    "node_modules/onnxruntime-node": { "version": "1.18.0", "optional": true }
  }
}"#);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let r = rows(&out);
        let s = |a: &str, b: &str, c: u32, d: &str, e: &str| {
            (
                a.to_string(),
                b.to_string(),
                c,
                d.to_string(),
                e.to_string(),
            )
        };
        assert_eq!(
            r,
            vec![
                s("@langchain/openai", "0.2.1", 11, "required", "direct"),
                s("openai", "4.49.1", 15, "required", "transitive"),
                s("ollama", "0.5.2", 18, "dev", "direct"),
                s("openai", "4.52.0", 19, "required", "direct"),
                s("onnxruntime-node", "1.18.0", 20, "optional", "transitive"),
            ]
        );
    }

    #[test]
    fn v1_tree_with_requires_before_the_entry() {
        let out = run(r#"{
  "name": "app",
  "lockfileVersion": 1,
  "requires": true,
  "dependencies": {
    "langchain": {
      "version": "0.1.36",
      "requires": { "openai": "^4.32.1" },
      "dependencies": {
        "openai": { "version": "4.32.1" }
      }
    },
    "my-openai": { "version": "npm:openai@4.52.0" },
    "openai": { "version": "4.52.0", "dev": true }
  }
}"#);
        let r = rows(&out);
        assert_eq!(r.len(), 3, "{r:?}");
        assert_eq!((r[0].0.as_str(), r[0].2), ("langchain", 6));
        assert_eq!(
            (r[1].0.as_str(), r[1].1.as_str(), r[1].2),
            ("openai", "4.32.1", 10)
        );
        // the alias and the dev install resolve to one version: folded, stronger scope kept
        assert_eq!(
            (r[2].1.as_str(), r[2].2, r[2].3.as_str()),
            ("4.52.0", 13, "required")
        );
    }

    #[test]
    fn truncated_lock_is_a_warning() {
        let out =
            run("{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/openai\": {");
        assert!(out.failed);
        assert!(out.findings.is_empty());
        assert!(out.warnings[0].message.contains("invalid JSON"));
    }
}
