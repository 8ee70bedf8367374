//! Gradle version catalogs (`gradle/libs.versions.toml`).
//!
//! ## What it detects
//! AI/ML artifacts in the `[libraries]` table, in each notation Gradle accepts:
//! `"g:a:v"`, `{ module = "g:a", version = "v" }`, `{ group = "g", name = "a", version.ref =
//! "key" }` and rich versions (`version = { strictly = "v" }`, `require`, `prefer`). A
//! `version.ref` is resolved from `[versions]`.
//!
//! ## Files claimed
//! `*.versions.toml`.
//!
//! ## Evidence and confidence
//! `manifest`, high: the line of the library's key. A catalog is where a Gradle build
//! declares its dependencies today; the build scripts only name its accessors. A plain
//! version is the component version, anything else the `constraint`. The catalog does not say
//! which configuration uses an entry, so there is no `scope`.
//!
//! ## Not handled
//! `[bundles]` and `[plugins]` (they only regroup libraries or name build plugins); whether
//! a build script actually references an entry.
//!
//! ## References
//! <https://docs.gradle.org/current/userguide/platforms.html#sub:conventional-dependencies-toml>

use crate::bom::normalize::Ecosystem;
use crate::bom::Method;
use crate::detect::deps::{self, Dep};
use crate::detect::{util, Candidate, Claim, Context, DetectOutcome, Detector, FileInput};
use crate::detect::{Maturity, Scope};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::{Spanned, Value};

pub const ID: &str = "gradle-version-catalog";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "jvm",
    summary: "Gradle version catalogs (libs.versions.toml) [libraries]",
    maturity: Maturity::Preview,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    if c.name_lower.ends_with(".versions.toml") {
        Claim::Yes
    } else {
        Claim::No
    }
}

#[derive(Debug, Deserialize)]
struct VersionCatalog {
    #[serde(default)]
    versions: BTreeMap<String, Value>,
    #[serde(default)]
    libraries: BTreeMap<Spanned<String>, Value>,
}

/// A version value: a string, or a rich version table (`strictly`, `require`, `prefer`).
fn version_of(v: &Value, versions: &BTreeMap<String, Value>) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Table(t) => {
            if let Some(r) = t.get("ref").and_then(Value::as_str) {
                return versions
                    .get(r)
                    .and_then(|x| version_of(x, &BTreeMap::new()));
            }
            ["strictly", "require", "prefer"]
                .iter()
                .find_map(|k| t.get(*k).and_then(Value::as_str))
                .map(str::to_string)
        }
        _ => None,
    }
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let cat: VersionCatalog = match toml::from_str(text) {
        Ok(c) => c,
        Err(e) => {
            let at = e
                .span()
                .map(|s| format!(" (line {})", util::line_at(text, s.start)))
                .unwrap_or_default();
            return DetectOutcome::failure(input, ID, format!("invalid TOML{at}: {}", e.message()));
        }
    };
    let lines = deps::LineIndex::new(text);
    let mut found = Vec::new();
    for (key, value) in &cat.libraries {
        let line = lines.line(key.span().start);
        let (coord, version) = match value {
            Value::String(s) => {
                let mut parts = s.splitn(3, ':');
                let g = parts.next().unwrap_or("");
                let a = parts.next().unwrap_or("");
                (format!("{g}:{a}"), parts.next().map(str::to_string))
            }
            Value::Table(t) => {
                let module = t.get("module").and_then(Value::as_str).map(str::to_string);
                let coord = module.or_else(|| {
                    let g = t.get("group").and_then(Value::as_str)?;
                    let a = t.get("name").and_then(Value::as_str)?;
                    Some(format!("{g}:{a}"))
                });
                let Some(coord) = coord else { continue };
                (
                    coord,
                    t.get("version").and_then(|v| version_of(v, &cat.versions)),
                )
            }
            _ => continue,
        };
        if coord.starts_with(':') || coord.ends_with(':') {
            continue;
        }
        let mut d = Dep::new(coord, line);
        if let Some(v) = version.filter(|v| !v.is_empty()) {
            if deps::is_exact_version(&v) {
                d.version = Some(v);
            } else {
                d.constraint = Some(v);
            }
        }
        d.snippet = lines.snippet(text, line);
        found.push(d);
    }
    let mut out = DetectOutcome::default();
    deps::emit(
        ctx,
        input,
        ID,
        Ecosystem::Maven,
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
            &FileInput::from_bytes("gradle/libs.versions.toml", text.as_bytes().to_vec()),
            &ctx,
        )
    }

    #[test]
    fn notations() {
        let out = run("[versions]\nlangchain4j = \"0.35.0\"\n\n[libraries]\nlc4j-openai = { module = \"dev.langchain4j:langchain4j-open-ai\", version.ref = \"langchain4j\" }\ndjl = { group = \"ai.djl\", name = \"api\", version = { strictly = \"0.28.0\" } }\nort = \"com.microsoft.onnxruntime:onnxruntime:1.18.0\"\nguava = \"com.google.guava:guava:33.2.1-jre\"\ntf = { module = \"org.tensorflow:tensorflow-core-api\", version = \"[1.0,2.0)\" }\n");
        let got: Vec<_> = out
            .findings
            .iter()
            .map(|f| (f.name.as_str(), f.version.as_deref(), f.evidence.line))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "dev.langchain4j:langchain4j-open-ai",
                    Some("0.35.0"),
                    Some(5)
                ),
                ("ai.djl:api", Some("0.28.0"), Some(6)),
                (
                    "com.microsoft.onnxruntime:onnxruntime",
                    Some("1.18.0"),
                    Some(7)
                ),
                ("org.tensorflow:tensorflow-core-api", None, Some(9)),
            ]
        );
        assert_eq!(out.findings[3].properties["constraint"], "[1.0,2.0)");
    }

    #[test]
    fn bad_toml() {
        let out = run("[libraries]\nx = { module = \"a:b\"\n");
        assert!(out.failed);
    }
}
