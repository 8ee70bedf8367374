//! Pipfile (Pipenv's manifest).
//!
//! # What it detects
//! AI packages in `[packages]` (scope `required`), `[dev-packages]` (`dev`) and Pipenv's custom
//! package categories (`group:<name>`), in string (`"==2.1"`, `"*"`) and table form (`version`,
//! `extras`, `markers`, `git`/`ref`, `path`, `file`).
//!
//! # Files claimed
//! `Pipfile`.
//!
//! # Evidence and confidence
//! One `library` finding per declared AI package at its line, method `manifest`, confidence
//! high; `constraint` as declared (`*` means none), no version (Pipfile.lock has it).
//!
//! # Not handled
//! `[requires]` (the Python version), `[[source]]` index definitions, `[scripts]`.
//!
//! # References
//! <https://pipenv.pypa.io/en/latest/pipfile.html>.

use super::toml_tree;
use super::{dep_finding, group_scope};
use crate::bom::Method;
use crate::detect::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};

pub const ID: &str = "python-pipfile";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "python",
    summary: "Pipfile: [packages], [dev-packages] and custom package categories",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    if c.file_name == "Pipfile" {
        Claim::Yes
    } else {
        Claim::No
    }
}

/// Sections that are not package categories.
const NOT_PACKAGES: [&str; 4] = ["source", "requires", "scripts", "pipenv"];

/// Every declared dependency of a Pipfile, by section.
pub fn declared(root: &toml_tree::Node, text: &str) -> Vec<super::Dep> {
    let mut deps = Vec::new();
    for (section, item) in root.as_table().into_iter().flatten() {
        if NOT_PACKAGES.contains(&section.as_str()) || item.node.as_table().is_none() {
            continue;
        }
        super::pyproject::poetry_table(Some(item), &group_scope(section), text, &mut deps);
    }
    deps
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
    for d in declared(&root, text) {
        out.findings.extend(dep_finding(
            ctx,
            &input.rel_path,
            ID,
            Method::Manifest,
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

    #[test]
    fn sections_and_forms() {
        let ctx = Context {
            catalog: Catalog::builtin(),
            ..Default::default()
        };
        let text = "[[source]]\nurl = \"https://pypi.org/simple\"\nverify_ssl = true\nname = \"pypi\"\n\n[packages]\ntorch = \"==2.1.0\"\nlangchain = \"*\"\ntransformers = {version = \">=4.40\", extras = [\"torch\"]}\nrequests = \"*\"\n\n[dev-packages]\nmlflow = \"*\"\n\n[eval]\nragas = \">=0.1\"\n\n[requires]\npython_version = \"3.11\"\n";
        let out = detect(
            &FileInput::from_bytes("Pipfile", text.as_bytes().to_vec()),
            &ctx,
        );
        let got: Vec<String> = out
            .findings
            .iter()
            .map(|f| {
                format!(
                    "{} {} {:?}",
                    f.name,
                    f.properties["scope"].as_str().unwrap(),
                    f.evidence.line
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "mlflow dev Some(13)",
                "ragas group:eval Some(16)",
                "langchain required Some(8)",
                "torch required Some(7)",
                "transformers required Some(9)"
            ]
        );
        assert!(out.findings.iter().all(|f| f.version.is_none()));
        let bad = detect(
            &FileInput::from_bytes("Pipfile", b"[packages\n".to_vec()),
            &ctx,
        );
        assert!(bad.failed);
    }
}
