//! setup.cfg (setuptools declarative configuration).
//!
//! # What it detects
//! AI packages in `[options] install_requires` (scope `required`) and
//! `[options.extras_require]` (scope `optional`, `extra` naming the extra), one PEP 508
//! requirement per line.
//!
//! # Files claimed
//! `setup.cfg`.
//!
//! # Evidence and confidence
//! One `library` finding per declared AI package at its line, method `manifest`, confidence
//! high; `constraint`, `extras`, `marker` as declared, no version.
//!
//! # Not handled
//! `file:` directives (the named file is claimed on its own when it is a requirements file);
//! `tests_require`/`setup_requires` (build and test tooling); `%(interpolation)s`.
//!
//! # References
//! <https://setuptools.pypa.io/en/latest/userguide/declarative_config.html>.

use super::{dep_finding, pep508, Dep};
use crate::bom::Method;
use crate::detect::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};

pub const ID: &str = "python-setup-cfg";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "python",
    summary: "setup.cfg: [options] install_requires and [options.extras_require]",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    if c.name_lower == "setup.cfg" {
        Claim::Yes
    } else {
        Claim::No
    }
}

/// (section, key, 1-based line, value line) for every value line of an INI file, continuation
/// lines included.
fn ini_values(text: &str) -> Vec<(String, String, u32, String)> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut key: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u32 + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let indented = raw.starts_with([' ', '\t']);
        if indented {
            if let Some(k) = &key {
                out.push((section.clone(), k.clone(), line_no, trimmed.to_string()));
            }
            continue;
        }
        if let Some(s) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = s.trim().to_ascii_lowercase();
            key = None;
            continue;
        }
        match trimmed.split_once(['=', ':']) {
            Some((k, v)) => {
                let k = k.trim().to_ascii_lowercase().replace('-', "_");
                let v = v.trim();
                if !v.is_empty() {
                    out.push((section.clone(), k.clone(), line_no, v.to_string()));
                }
                key = Some(k);
            }
            None => key = None,
        }
    }
    out
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let mut out = DetectOutcome::default();
    for (section, key, line, value) in ini_values(text) {
        let (scope, extra) = match (section.as_str(), key.as_str()) {
            ("options", "install_requires") => ("required", None),
            ("options.extras_require", extra) => ("optional", Some(extra.to_string())),
            _ => continue,
        };
        // an inline comment after whitespace, as in requirements files
        let value = match value.find(" #") {
            Some(i) => value[..i].trim(),
            None => value.as_str(),
        };
        if value.is_empty() || value.starts_with("file:") {
            continue;
        }
        match pep508::parse(value) {
            Ok(r) => {
                let mut d = Dep::from_requirement(&r, Some(line));
                d.version = None;
                d.scope = Some(scope.to_string());
                d.extra = extra;
                out.findings.extend(dep_finding(
                    ctx,
                    &input.rel_path,
                    ID,
                    Method::Manifest,
                    Some(text),
                    &d,
                ));
            }
            Err(e) => out.warn(input, ID, format!("line {line}: {e}; entry skipped")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn options_and_extras() {
        let ctx = Context {
            catalog: Catalog::builtin(),
            ..Default::default()
        };
        let text = "[metadata]\r\nname = demo\r\n\r\n[options]\r\npackages = find:\r\ninstall_requires =\r\n    torch>=2.1\r\n    # a comment\r\n    numpy\r\n    transformers[torch] ~= 4.40 ; python_version >= \"3.9\"\r\n[options.extras_require]\r\nvector = chromadb>=0.5\r\nbroken =\r\n    (((\r\n";
        let out = detect(
            &FileInput::from_bytes("setup.cfg", text.as_bytes().to_vec()),
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
                "torch required Some(7)",
                "transformers required Some(10)",
                "chromadb optional Some(12)"
            ]
        );
        assert_eq!(out.findings[2].properties["extra"], "vector");
        assert_eq!(out.warnings.len(), 1);
    }
}
