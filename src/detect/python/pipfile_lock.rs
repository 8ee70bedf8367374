//! Pipfile.lock (Pipenv's lock file, JSON).
//!
//! # What it detects
//! Every locked AI package in `default` (scope `required`), `develop` (`dev`) and custom
//! categories (`group:<name>`), with the version from its `"version": "==x"` pin. The Pipfile
//! beside the lock (read, never executed) tells `direct` from `transitive`.
//!
//! # Files claimed
//! `Pipfile.lock`.
//!
//! # Evidence and confidence
//! One `library` finding per locked AI package at the line of its key, method `lockfile`,
//! confidence high; `marker` and `extras` as locked, `source` for git/path/file entries,
//! `index` for a non-default named index.
//!
//! # Not handled
//! `hashes` are not copied (one per platform build); `_meta.hash` is not verified against the
//! Pipfile.
//!
//! # References
//! <https://pipenv.pypa.io/en/latest/pipfile.html#pipfile-lock-security-features>.

use super::{dep_finding, group_scope, read_sibling, Dep};
use crate::bom::{normalize::pypi_name, Method};
use crate::detect::deps::{search_forward, LineIndex};
use crate::detect::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use serde_json::Value;

pub const ID: &str = "python-pipfile-lock";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "python",
    summary:
        "Pipfile.lock: locked versions per category, direct/transitive via the sibling Pipfile",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    if c.file_name == "Pipfile.lock" {
        Claim::Yes
    } else {
        Claim::No
    }
}

/// Byte offset of the JSON key `"key":` at or after `from`, if any.
fn find_key(text: &str, key: &str, from: usize) -> Option<usize> {
    let needle = format!("\"{key}\"");
    let mut at = from;
    while let Some(i) = text.get(at..)?.find(&needle) {
        let pos = at + i;
        let after = text.get(pos + needle.len()..)?.trim_start();
        if after.starts_with(':') {
            return Some(pos);
        }
        at = pos + needle.len();
    }
    None
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let doc: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return DetectOutcome::failure(input, ID, format!("invalid JSON: {e}")),
    };
    let Some(top) = doc.as_object() else {
        return DetectOutcome::failure(
            input,
            ID,
            "not a Pipfile.lock: the top level is not an object",
        );
    };
    let mut out = DetectOutcome::default();
    if !top.contains_key("_meta") {
        out.warn(input, ID, "no _meta section; read as Pipfile.lock anyway");
    }
    let direct: Option<std::collections::BTreeSet<String>> = read_sibling(input, "Pipfile")
        .and_then(|(_, t)| {
            let root = super::toml_tree::parse(&t).ok()?;
            Some(
                super::pipfile::declared(&root, &t)
                    .iter()
                    .map(|d| pypi_name(&d.name))
                    .collect(),
            )
        });
    let lines = LineIndex::new(text);
    for (section, entries) in top {
        if section == "_meta" {
            continue;
        }
        let Some(entries) = entries.as_object() else {
            continue;
        };
        let section_at = find_key(text, section, 0).unwrap_or(0);
        let mut cursor = section_at;
        let scope = match section.as_str() {
            "default" => "required".to_string(),
            "develop" => "dev".to_string(),
            s => group_scope(s),
        };
        for (name, entry) in entries {
            let at = search_forward(&mut cursor, section_at, |from| find_key(text, name, from));
            let line = at.map(|o| lines.line(o));
            let mut d = Dep::new(name, line);
            d.scope = Some(scope.clone());
            let s = |k: &str| entry.get(k).and_then(Value::as_str);
            d.version = s("version")
                .and_then(|v| v.strip_prefix("=="))
                .map(str::to_string);
            d.marker = s("markers").map(str::to_string);
            if let Some(extras) = entry.get("extras").and_then(Value::as_array) {
                d.extras = extras
                    .iter()
                    .filter_map(|e| e.as_str().map(str::to_string))
                    .collect();
            }
            if let Some(git) = s("git") {
                d.source = Some(super::strip_userinfo(&match s("ref") {
                    Some(r) => format!("git+{git}@{r}"),
                    None => format!("git+{git}"),
                }));
            } else if let Some(p) = s("path").or_else(|| s("file")) {
                d.source = Some(super::strip_userinfo(p));
            }
            if let Some(ix) = s("index").filter(|i| *i != "pypi") {
                d.index = Some(ix.to_string());
            }
            if let Some(direct) = &direct {
                d.dependency = Some(if direct.contains(&pypi_name(name)) {
                    "direct"
                } else {
                    "transitive"
                });
            }
            out.findings.extend(dep_finding(
                ctx,
                &input.rel_path,
                ID,
                Method::Lockfile,
                Some(text),
                &d,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn sections_versions_lines() {
        let ctx = Context {
            catalog: Catalog::builtin(),
            ..Default::default()
        };
        let text = r#"{
    "_meta": {"hash": {"sha256": "00"}, "pipfile-spec": 6, "requires": {}, "sources": []},
    "default": {
        "openai": {
            "hashes": ["sha256:aa"],
            "index": "pypi",
            "markers": "python_full_version >= '3.7.1'",
            "version": "==1.30.1"
        }
    },
    "develop": {
        "openai": {"version": "==1.30.1"},
        "mlflow": {"version": "==2.13.0"}
    }
}"#;
        let out = detect(
            &FileInput::from_bytes("Pipfile.lock", text.as_bytes().to_vec()),
            &ctx,
        );
        let got: Vec<String> = out
            .findings
            .iter()
            .map(|f| {
                format!(
                    "{}@{} {} {:?}",
                    f.name,
                    f.version.as_deref().unwrap(),
                    f.properties["scope"].as_str().unwrap(),
                    f.evidence.line
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "openai@1.30.1 required Some(4)",
                "openai@1.30.1 dev Some(12)",
                "mlflow@2.13.0 dev Some(13)"
            ]
        );
        assert!(
            detect(
                &FileInput::from_bytes("Pipfile.lock", b"{\"default\": {".to_vec()),
                &ctx
            )
            .failed
        );
        assert!(
            detect(
                &FileInput::from_bytes("Pipfile.lock", b"[1]".to_vec()),
                &ctx
            )
            .failed
        );
    }
}
