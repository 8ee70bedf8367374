//! GitHub Actions workflows.
//!
//! # What it detects
//! Steps that `uses:` an AI action (table below) become a `service` for the provider the action
//! calls; AI provider variable names in `env:` maps (workflow, job and step level) and in
//! `${{ secrets.NAME }}` references become `service`s; an AI image in a job's `container:` or
//! `services:` becomes a `container`.
//!
//! # Files claimed
//! `.github/workflows/*.yml` and `*.yaml`.
//!
//! # Evidence and confidence
//! Medium (method `config-key`), the line of the `uses:`, variable or reference.
//!
//! # Not handled
//! Reusable workflows and composite actions defined elsewhere are not followed; a secret's
//! value is never known.
//!
//! # References
//! <https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions>

use super::images;
use super::workload;
use super::yaml_text::{self, scalar, strip_comment, Lines};
use crate::bom::{Confidence, Evidence, Method};
use crate::detect::config::env_vars::{self, EnvVar};
use crate::detect::config::model_ref::ServeHint;
use crate::detect::config::providers;
use crate::detect::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use serde_yaml_ng::Value;
use std::collections::BTreeSet;

pub const ID: &str = "github-workflow";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "infra",
    summary: "AI actions, AI provider secrets/env vars and AI images in GitHub Actions workflows",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

/// Actions that call an AI provider: (action without `@ref`, provider key).
const AI_ACTIONS: &[(&str, &str)] = &[
    ("actions/ai-inference", "github-models"),
    ("anthropics/claude-code-action", "anthropic"),
    ("anthropics/claude-code-base-action", "anthropic"),
    ("coderabbitai/ai-pr-reviewer", "openai"),
    ("google-github-actions/run-gemini-cli", "google-gemini"),
    ("openai/codex-action", "openai"),
];

pub fn is_workflow_path(rel: &str) -> bool {
    // the extension first: this runs for every file of a scan, and lowercasing allocates
    let ends_with = |suffix: &str| {
        rel.len() >= suffix.len()
            && rel.as_bytes()[rel.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
    };
    if !(ends_with(".yml") || ends_with(".yaml")) {
        return false;
    }
    let lower = rel.to_ascii_lowercase();
    lower.starts_with(".github/workflows/") || lower.contains("/.github/workflows/")
}

fn claim(c: &Candidate) -> Claim {
    if is_workflow_path(c.rel_path) {
        Claim::Yes
    } else {
        Claim::No
    }
}

fn detect(input: &FileInput, _ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let root = match yaml_text::parse(text) {
        Ok(v) => v,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let lines = Lines::new(text);
    let total = text.lines().count() as u32 + 1;
    let mut out = DetectOutcome::default();

    // `uses:` of AI actions
    let mut uses = Vec::new();
    collect_key(&root, "uses", &mut uses, 0);
    let mut seen = BTreeSet::new();
    for u in uses {
        let action = u.split('@').next().unwrap_or(&u).to_ascii_lowercase();
        let Some((_, key)) = AI_ACTIONS
            .iter()
            .find(|(a, _)| action == *a || action.starts_with(&format!("{a}/")))
        else {
            continue;
        };
        let Some(p) = providers::by_key(key) else {
            continue;
        };
        if !seen.insert((p.key, action.clone())) {
            continue;
        }
        let line = lines.locate(1, total, "uses", &u);
        let mut ev = Evidence::new(
            &input.rel_path,
            Some(line),
            ID,
            Method::ConfigKey,
            Confidence::Medium,
        );
        ev.snippet = Some(format!("uses: {u}"));
        out.findings.push(env_vars::service(p, ev));
    }

    // env maps at any level, then `secrets.NAME` references anywhere in the text
    let mut vars = Vec::new();
    workload::env_under_keys(&root, &["env"], &lines, total, &mut vars);
    for (i, line) in lines_iter(text) {
        let code = strip_comment(line);
        let mut rest = code;
        while let Some(at) = rest.find("secrets.") {
            let after = rest.get(at + 8..).unwrap_or("");
            let n = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if let Some(name) = after.get(..n).filter(|s| !s.is_empty()) {
                vars.push(EnvVar::new(name, None, Some(i)));
            }
            rest = after.get(n..).unwrap_or("");
        }
    }
    vars.sort_by_key(|v| v.line);
    out.findings.extend(
        env_vars::findings(&vars, ServeHint::None, &input.rel_path, ID)
            .into_iter()
            .filter(|f| f.kind == crate::bom::ComponentKind::Service),
    );

    // job containers and service containers
    let mut imgs = Vec::new();
    if let Some(jobs) = root.get("jobs").and_then(Value::as_mapping) {
        for job in jobs.values() {
            match job.get("container") {
                Some(Value::String(s)) => imgs.push(s.clone()),
                Some(c) => imgs.extend(c.get("image").and_then(scalar)),
                None => {}
            }
            if let Some(svcs) = job.get("services").and_then(Value::as_mapping) {
                imgs.extend(
                    svcs.values()
                        .filter_map(|s| s.get("image").and_then(scalar)),
                );
            }
        }
    }
    for img in imgs {
        let line = lines.locate(1, total, "image", &img);
        let ev = images::evidence(&input.rel_path, line, ID, lines.get(line));
        if let Some((f, _)) = images::container_finding(&img, true, ev) {
            out.findings.push(f);
        }
    }
    out
}

fn lines_iter(text: &str) -> impl Iterator<Item = (u32, &str)> {
    text.lines().enumerate().map(|(i, l)| (i as u32 + 1, l))
}

fn collect_key(v: &Value, key: &str, out: &mut Vec<String>, depth: usize) {
    if depth > 32 {
        return;
    }
    match v {
        Value::Mapping(m) => {
            for (k, child) in m {
                if k.as_str() == Some(key) {
                    out.extend(scalar(child));
                } else {
                    collect_key(child, key, out, depth + 1);
                }
            }
        }
        Value::Sequence(items) => items
            .iter()
            .for_each(|i| collect_key(i, key, out, depth + 1)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        let out = detect(
            &FileInput::from_bytes(".github/workflows/ci.yml", text.as_bytes().to_vec()),
            &Context::default(),
        );
        out.findings
            .iter()
            .map(|f| format!("{}@{}", f.id(), f.evidence.line.unwrap_or(0)))
            .collect()
    }

    #[test]
    fn actions_secrets_and_env() {
        let text = "name: review\non: [pull_request]\njobs:\n  review:\n    runs-on: ubuntu-latest\n    env:\n      OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}\n    steps:\n      - uses: actions/checkout@v4\n      - uses: anthropics/claude-code-action@v1\n        with:\n          anthropic_api_key: ${{ secrets.ANTHROPIC_API_KEY }}\n";
        assert_eq!(
            ids(text),
            vec![
                "service:anthropic@10",
                "service:openai@7",
                "service:anthropic@12"
            ]
        );
    }

    #[test]
    fn near_misses() {
        let text = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    # env: {OPENAI_API_KEY: x}\n    steps:\n      - uses: actions/setup-python@v5\n      - run: echo ${{ secrets.NPM_TOKEN }}\n";
        assert!(ids(text).is_empty(), "{:?}", ids(text));
        assert!(
            is_workflow_path(".github/workflows/a.yaml") && !is_workflow_path("workflows/a.yml")
        );
        let bad = detect(
            &FileInput::from_bytes(".github/workflows/x.yml", b"on: [\n".to_vec()),
            &Context::default(),
        );
        assert!(bad.failed);
    }
}
