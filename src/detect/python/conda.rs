//! conda environment files.
//!
//! # What it detects
//! AI packages in `dependencies:`: conda match specs (`pytorch=2.1`, `conda-forge::numpy>=1.26`,
//! `pytorch==2.3.1=py3.11_cuda12.1_cudnn8.9.2_0`) reported as `pkg:conda/<name>` with the
//! catalogue entry of the PyPI package they ship (`pytorch` → torch), and the nested `pip:`
//! list, read with the requirements-file rules (`-r`/`-c` includes resolved relative to the
//! environment file, as conda hands the list to pip) and
//! reported as PyPI packages.
//!
//! # Files claimed
//! `environment.yml`, `environment.yaml`, `environment-*.yml`/`.yaml`, `conda.yml`/`.yaml`,
//! and `*.yml`/`*.yaml` whose name contains `environment` or `conda-env`, and `conda/*.yml`.
//!
//! # Evidence and confidence
//! One `library` finding per AI dependency at the line of its list item, method `manifest`,
//! confidence high; `constraint` as declared (`=2.1`, `>=1.26`); a version only for an exact
//! `==` pin or a pin with a build string; `channel` for `channel::name`. pip items follow the
//! requirements-file rules (an `==` pin is the version).
//!
//! # Not handled
//! `channels:` priorities; `variables:`; `explicit` spec files (`@EXPLICIT` URL lists);
//! conda-lock files.
//!
//! # References
//! <https://docs.conda.io/projects/conda/en/latest/user-guide/tasks/manage-environments.html#create-env-file-manually>,
//! <https://docs.conda.io/projects/conda-build/en/latest/resources/package-spec.html>.

use super::requirements::{self, Entry};
use super::{apply_props, dep_finding, Dep};
use crate::bom::{normalize, Confidence, Evidence, Method};
use crate::detect::deps::LineIndex;
use crate::detect::{
    util, Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use serde_yaml_ng::Value;

pub const ID: &str = "python-conda-env";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "python",
    summary: "conda environment.yml: conda match specs and the nested pip: section",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    if !matches!(c.ext, "yml" | "yaml") {
        return Claim::No;
    }
    let stem = c
        .name_lower
        .trim_end_matches(".yaml")
        .trim_end_matches(".yml");
    if stem.starts_with("environment")
        || stem.contains("conda-env")
        || stem == "conda"
        || c.in_dir("conda")
    {
        Claim::Yes
    } else {
        Claim::No
    }
}

/// conda package names whose PyPI name (and catalogue entry) differs.
const CONDA_TO_PYPI: [(&str, &str); 8] = [
    ("pytorch", "torch"),
    ("pytorch-cpu", "torch"),
    ("pytorch-gpu", "torch"),
    ("py-xgboost", "xgboost"),
    ("py-xgboost-gpu", "xgboost"),
    ("faiss", "faiss-cpu"),
    ("libfaiss", "faiss-cpu"),
    ("tensorflow-base", "tensorflow"),
];

/// A conda match spec: `[channel::]name[ op version[=build]]`.
#[derive(Debug, PartialEq)]
pub struct MatchSpec {
    pub channel: Option<String>,
    pub name: String,
    pub constraint: Option<String>,
    /// Exact version when pinned with `==` or together with a build string.
    pub version: Option<String>,
}

pub fn parse_match_spec(s: &str) -> Option<MatchSpec> {
    let s = s.split('#').next()?.trim();
    let (channel, rest) = match s.split_once("::") {
        Some((c, r)) => (Some(c.rsplit('/').next().unwrap_or(c).to_string()), r),
        None => (None, s),
    };
    let rest = rest.trim();
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        .unwrap_or(rest.len());
    let name = &rest[..end];
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let spec: String = rest[end..].split_whitespace().collect::<Vec<_>>().join("");
    let spec = spec.trim_start_matches('[').to_string();
    if spec.starts_with('[') {
        return None;
    }
    let mut version = None;
    if let Some(v) = spec.strip_prefix("==") {
        version = Some(v.split('=').next().unwrap_or(v).to_string());
    } else if let Some(v) = spec.strip_prefix('=') {
        // `=1.2=build`: the build string makes it exact
        if let Some((v, _build)) = v.split_once('=') {
            version = Some(v.to_string());
        }
    }
    let version = version.filter(|v| !v.is_empty() && !v.contains(['*', ',', '|', '<', '>']));
    Some(MatchSpec {
        channel,
        name: name.to_string(),
        constraint: (!spec.is_empty()).then_some(spec),
        version,
    })
}

/// Line of the list item `item`, searching forward from `cursor` (items are in file order).
fn item_line(text: &str, lines: &LineIndex, item: &str, cursor: &mut usize) -> Option<u32> {
    let at = text.get(*cursor..)?.find(item)? + *cursor;
    *cursor = at + item.len();
    Some(lines.line(at))
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let doc: Value = match serde_yaml_ng::from_str(text) {
        Ok(v) => v,
        Err(e) => return DetectOutcome::failure(input, ID, format!("invalid YAML: {e}")),
    };
    let mut out = DetectOutcome::default();
    let Some(deps) = doc.get("dependencies").and_then(Value::as_sequence) else {
        return out;
    };
    let mut cursor = text.find("dependencies").unwrap_or(0);
    let lines = LineIndex::new(text);
    for item in deps {
        match item {
            Value::String(s) => {
                let line = item_line(text, &lines, s, &mut cursor);
                conda_dep(ctx, input, text, &lines, s, line, &mut out);
            }
            Value::Mapping(m) => {
                let Some(pip) = m.get("pip").and_then(Value::as_sequence) else {
                    continue;
                };
                for p in pip.iter().filter_map(Value::as_str) {
                    let line = item_line(text, &lines, p, &mut cursor).unwrap_or(0);
                    pip_item(ctx, input, text, p, line, &mut out);
                }
            }
            _ => {}
        }
    }
    out
}

fn conda_dep(
    ctx: &Context,
    input: &FileInput,
    text: &str,
    lines: &LineIndex,
    s: &str,
    line: Option<u32>,
    out: &mut DetectOutcome,
) {
    let Some(spec) = parse_match_spec(s) else {
        out.warn(
            input,
            ID,
            format!(
                "line {}: not a conda match spec: {:?}",
                line.unwrap_or(0),
                util::snippet(s)
            ),
        );
        return;
    };
    let lower = spec.name.to_ascii_lowercase();
    let pypi = CONDA_TO_PYPI
        .iter()
        .find(|(c, _)| *c == lower)
        .map(|(_, p)| p.to_string())
        .unwrap_or_else(|| lower.clone());
    let mut ev = Evidence::new(
        &input.rel_path,
        line,
        ID,
        Method::Manifest,
        Confidence::High,
    );
    ev.snippet = line.and_then(|l| lines.snippet(text, l));
    let Some(mut f) = util::package_finding(
        ctx,
        normalize::Ecosystem::Pypi,
        &pypi,
        spec.version.as_deref(),
        ev,
    ) else {
        return;
    };
    let Some(purl) = normalize::build_purl("conda", None, &lower, None) else {
        return;
    };
    f.name = lower;
    f.purl = Some(purl);
    f.properties.insert("ecosystem".to_string(), "conda".into());
    let mut d = Dep::new(&f.name, line);
    d.constraint = spec.constraint;
    d.scope = Some("required".to_string());
    apply_props(&mut f, &d);
    if let Some(c) = spec.channel {
        f.properties.insert("channel".to_string(), c.into());
    }
    out.findings.push(f);
}

fn pip_item(
    ctx: &Context,
    input: &FileInput,
    text: &str,
    p: &str,
    line: u32,
    out: &mut DetectOutcome,
) {
    let line_text = p.split(" #").next().unwrap_or(p);
    match requirements::parse_line(line_text, line) {
        Some(Entry::Requirement(mut d)) => {
            let d = d.as_mut();
            d.scope = Some("required".to_string());
            out.findings.extend(dep_finding(
                ctx,
                &input.rel_path,
                ID,
                Method::Manifest,
                Some(text),
                d,
            ));
        }
        Some(Entry::Invalid { line, reason }) => out.warn(
            input,
            ID,
            format!("line {line}: pip item: {reason}; skipped"),
        ),
        Some(Entry::Include {
            path,
            constraint,
            line,
        }) => {
            out.extend(requirements::scan_include(
                ctx, input, &path, constraint, line,
            ));
        }
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn match_specs() {
        let m = parse_match_spec("conda-forge::numpy>=1.26").unwrap();
        assert_eq!(m.channel.as_deref(), Some("conda-forge"));
        assert_eq!(m.constraint.as_deref(), Some(">=1.26"));
        assert_eq!(m.version, None);
        let m = parse_match_spec("pytorch=2.1").unwrap();
        assert_eq!(
            (m.constraint.as_deref(), m.version.as_deref()),
            (Some("=2.1"), None)
        );
        let m = parse_match_spec("pytorch==2.3.1=py3.11_cuda12.1_0").unwrap();
        assert_eq!(m.version.as_deref(), Some("2.3.1"));
        let m = parse_match_spec("pytorch 2.1.0 py3.10_0").unwrap();
        assert_eq!(m.name, "pytorch");
        assert!(parse_match_spec("::").is_none());
        assert!(parse_match_spec("").is_none());
    }

    #[test]
    fn conda_and_pip_sections() {
        let ctx = Context {
            catalog: Catalog::builtin(),
            ..Default::default()
        };
        let text = "name: ml\nchannels:\n  - pytorch\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pytorch::pytorch=2.1\n  - conda-forge::numpy>=1.26\n  - pip\n  - pip:\n      - openai==1.30.1\n      - \"transformers>=4.40\"\n      - -r requirements.txt\n";
        let out = detect(
            &FileInput::from_bytes("environment.yml", text.as_bytes().to_vec()),
            &ctx,
        );
        let got: Vec<String> = out
            .findings
            .iter()
            .map(|f| {
                format!(
                    "{} {:?} {:?} {:?}",
                    f.purl.as_deref().unwrap(),
                    f.version,
                    f.properties.get("constraint"),
                    f.evidence.line
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "pkg:conda/pytorch None Some(String(\"=2.1\")) Some(7)",
                "pkg:pypi/openai Some(\"1.30.1\") Some(String(\"==1.30.1\")) Some(11)",
                "pkg:pypi/transformers None Some(String(\">=4.40\")) Some(12)",
            ]
        );
        assert_eq!(out.findings[0].properties["channel"], "pytorch");
        assert_eq!(out.findings[0].properties["category"], "framework");
        // the in-memory env file has no requirements.txt beside it
        assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
        assert!(out.warnings[0].message.contains("could not be read"));
        let bad = detect(
            &FileInput::from_bytes("environment.yml", b"dependencies: [a\n  - : :".to_vec()),
            &ctx,
        );
        assert!(bad.failed);
    }
}
