//! `package.json` dependency sections.
//!
//! ## What it detects
//! AI/ML packages declared in `dependencies` (scope `required`), `devDependencies` (`dev`),
//! `peerDependencies` (`peer`), `optionalDependencies` (`optional`) and
//! `bundleDependencies`/`bundledDependencies` (names only, `required`). Every entry is a direct
//! dependency. npm scopes are kept (`@ai-sdk/openai`).
//!
//! ## Files claimed
//! `package.json` anywhere in the tree (the walker already skips `node_modules/`).
//!
//! ## Evidence and confidence
//! `manifest`, high: the line of the entry's key. The declared range becomes the `constraint`
//! property; a bare exact version (`"4.52.0"`) is also the component version. Ranges, tags,
//! `workspace:`/`file:`/git/URL specifiers carry no version: the lock file resolves them.
//!
//! ## Not handled
//! `overrides`/`resolutions` (they pin, they do not declare a use); npm aliases
//! (`"foo": "npm:openai@^4"`) are reported under the real package name.
//!
//! ## References
//! <https://docs.npmjs.com/cli/v10/configuring-npm/package-json>

use crate::bom::normalize::Ecosystem;
use crate::bom::Method;
use crate::detect::deps::{self, Dep};
use crate::detect::{Candidate, Claim, Context, DetectOutcome, Detector, FileInput};
use crate::detect::{Maturity, Scope};

pub const ID: &str = "npm-package-json";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "node",
    summary: "package.json dependency sections (all five), scopes kept",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    if c.name_lower == "package.json" {
        Claim::Yes
    } else {
        Claim::No
    }
}

const SECTIONS: [(&str, &str); 4] = [
    ("dependencies", "required"),
    ("devDependencies", "dev"),
    ("peerDependencies", "peer"),
    ("optionalDependencies", "optional"),
];

/// Split an npm alias `npm:openai@^4` into the real name and range.
pub fn split_alias(spec: &str) -> Option<(&str, &str)> {
    let rest = spec.strip_prefix("npm:")?;
    let at = rest.get(1..)?.find('@').map(|i| i + 1);
    match at {
        Some(i) => Some((&rest[..i], &rest[i + 1..])),
        None => Some((rest, "")),
    }
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let doc: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return DetectOutcome::failure(input, ID, format!("invalid JSON: {e}")),
    };
    let mut out = DetectOutcome::default();
    let Some(obj) = doc.as_object() else {
        out.warn(input, ID, "package.json is not a JSON object; nothing read");
        out.failed = true;
        return out;
    };
    // one index and forward searches: a package.json with thousands of entries is looked up
    // entry by entry, and each look-up from the top made that quadratic
    let lines = deps::LineIndex::new(text);
    let mut found = Vec::new();
    for (section, scope) in SECTIONS {
        let Some(map) = obj.get(section).and_then(|v| v.as_object()) else {
            continue;
        };
        let section_at = deps::json_key_at(text, section, 0).unwrap_or(0);
        let mut cursor = section_at;
        for (name, spec) in map {
            let spec = spec.as_str().unwrap_or("").trim();
            let (real, range) = split_alias(spec).unwrap_or((name.as_str(), spec));
            let at = deps::search_forward(&mut cursor, section_at, |from| {
                deps::json_key_at(text, name, from)
            });
            let line = at.map_or(1, |at| lines.line(at));
            let mut d = Dep::new(real, line);
            d.version = deps::is_exact_version(range).then(|| range.to_string());
            d.constraint = (!range.is_empty()).then(|| range.to_string());
            d.scope = Some(scope);
            d.direct = Some(true);
            d.snippet = lines.snippet(text, line);
            found.push(d);
        }
    }
    for section in ["bundleDependencies", "bundledDependencies"] {
        let Some(list) = obj.get(section).and_then(|v| v.as_array()) else {
            continue;
        };
        let section_at = deps::json_key_at(text, section, 0).unwrap_or(0);
        let mut cursor = section_at;
        for name in list.iter().filter_map(|v| v.as_str()) {
            let quoted = serde_json::to_string(name).unwrap_or_default();
            let at = deps::search_forward(&mut cursor, section_at, |from| {
                text.get(from..)?.find(&quoted).map(|i| from + i)
            });
            let line = at.map_or(1, |at| lines.line(at));
            let mut d = Dep::new(name, line);
            d.scope = Some("required");
            d.direct = Some(true);
            found.push(d);
        }
    }
    deps::emit(
        ctx,
        input,
        ID,
        Ecosystem::Npm,
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
            &FileInput::from_bytes("package.json", text.as_bytes().to_vec()),
            &ctx,
        )
    }

    #[test]
    fn sections_scopes_and_lines() {
        let out = run(r#"{
  "name": "app",
  "dependencies": {
    "@ai-sdk/openai": "^0.0.36",
    "express": "^4.19.2",
    "openai": "4.52.0"
  },
  "devDependencies": {
    "langchain": "~0.2.5"
  },
  "peerDependencies": { "@langchain/core": ">=0.2.0" },
  "optionalDependencies": { "onnxruntime-node": "1.18.0" }
}"#);
        assert!(out.warnings.is_empty());
        let got: Vec<_> = out
            .findings
            .iter()
            .map(|f| {
                (
                    f.name.as_str(),
                    f.version.as_deref(),
                    f.evidence.line,
                    f.properties["scope"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("@ai-sdk/openai", None, Some(4), "required"),
                ("openai", Some("4.52.0"), Some(6), "required"),
                ("langchain", None, Some(9), "dev"),
                ("@langchain/core", None, Some(11), "peer"),
                ("onnxruntime-node", Some("1.18.0"), Some(12), "optional"),
            ]
        );
        assert_eq!(
            out.findings[0].purl.as_deref(),
            Some("pkg:npm/%40ai-sdk/openai")
        );
        assert_eq!(out.findings[2].properties["constraint"], "~0.2.5");
    }

    #[test]
    fn aliases_and_bundles() {
        let out = run(
            r#"{"dependencies": {"llm": "npm:openai@^4.1.0"}, "bundleDependencies": ["ollama"]}"#,
        );
        let names: Vec<_> = out.findings.iter().map(|f| f.name.as_str()).collect();
        // both on line 1: ordered by name
        assert_eq!(names, vec!["ollama", "openai"]);
        assert_eq!(split_alias("npm:@scope/x@1"), Some(("@scope/x", "1")));
    }

    #[test]
    fn malformed_is_a_warning() {
        let out = run("{\"dependencies\": {\"openai\": ");
        assert!(out.failed);
        assert!(out.warnings[0].message.contains("invalid JSON"));
        let out = run("[1, 2]");
        assert!(out.failed);
        assert!(out.findings.is_empty());
    }
}
