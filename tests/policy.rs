//! `aibom check`: every policy rule fires on its fixture, every waiver path (live by component,
//! live by path and risk id, expired, out of scope) behaves, and the exit codes hold.

mod common;

use aibom::policy::{self, config, Date, RuleId};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

fn case(name: &str) -> PathBuf {
    common::fixtures().join("policy").join(name)
}

fn every_rule_report(today: &str) -> policy::Report {
    let bom = aibom::diff::load::load_path(&case("every-rule").join("aibom.json")).unwrap();
    let text = std::fs::read_to_string(case("every-rule").join("aibom-policy.toml")).unwrap();
    let policy = config::parse(&text).unwrap();
    policy::check(&bom, &policy, Date::parse(today).unwrap())
}

fn lines(report: &policy::Report) -> String {
    report
        .violations
        .iter()
        .map(|v| {
            let wher: Vec<String> = v.evidence.iter().map(|e| e.to_string()).collect();
            format!(
                "{}{} {} [{}] {} <- {}",
                v.rule,
                v.waived
                    .as_ref()
                    .map(|r| format!(" WAIVED({r})"))
                    .unwrap_or_default(),
                v.severity.as_str(),
                v.component.as_deref().unwrap_or("-"),
                v.message,
                wher.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_rule_fires() {
    let report = every_rule_report("2025-06-01");
    let fired: BTreeSet<RuleId> = report.violations.iter().map(|v| v.rule).collect();
    let all: BTreeSet<RuleId> = RuleId::ALL.into_iter().collect();
    assert_eq!(
        fired,
        all,
        "rules that never fired: {:?}",
        all.difference(&fired)
    );
    assert!(!report.passed());
    insta::assert_snapshot!(lines(&report));
}

#[test]
fn waiver_paths() {
    let report = every_rule_report("2025-06-01");
    let find = |rule: RuleId, component: &str| {
        report
            .violations
            .iter()
            .find(|v| v.rule == rule && v.component.as_deref() == Some(component))
            .unwrap_or_else(|| panic!("{rule} on {component} missing"))
    };
    // Live, by component glob.
    assert!(find(
        RuleId::LicenseNotAllowed,
        "dataset:huggingface/stanfordnlp/imdb"
    )
    .waived
    .is_some());
    // Live, by path and the risk's own rule id.
    let remote = report
        .violations
        .iter()
        .find(|v| v.risk_rule.as_deref() == Some("AIBOM-REMOTE-CODE"))
        .unwrap();
    assert!(remote.waived.is_some());
    // Expired: waives nothing, and is reported at its line in the policy file.
    assert!(find(RuleId::MissingHash, "model:models/legacy.pkl")
        .waived
        .is_none());
    let expired = report
        .violations
        .iter()
        .find(|v| v.rule == RuleId::WaiverExpired)
        .unwrap();
    assert_eq!(
        expired.evidence[0].line,
        Some(46),
        "the line of its expires key"
    );
    assert!(expired.message.contains("expired on 2024-01-31"));
    // Out of scope (path glob does not match): no effect.
    assert!(find(RuleId::ModelFormat, "model:models/legacy.pkl")
        .waived
        .is_none());

    // On the expiry day a waiver still holds; the day after it does not.
    let on_the_day = every_rule_report("2099-01-01");
    let after = every_rule_report("2099-01-02");
    let imdb = |r: &policy::Report| {
        r.violations
            .iter()
            .find(|v| {
                v.rule == RuleId::LicenseNotAllowed
                    && v.component.as_deref() == Some("dataset:huggingface/stanfordnlp/imdb")
            })
            .unwrap()
            .waived
            .is_some()
    };
    assert!(imdb(&on_the_day));
    assert!(!imdb(&after));
    let expired_count = |r: &policy::Report| {
        r.violations
            .iter()
            .filter(|v| v.rule == RuleId::WaiverExpired)
            .count()
    };
    assert_eq!(expired_count(&on_the_day), 1);
    assert_eq!(expired_count(&after), 3);
}

fn aibom() -> Command {
    Command::new(env!("CARGO_BIN_EXE_aibom"))
}

#[test]
fn exit_codes_and_formats() {
    let out = aibom()
        .env("AIBOM_TODAY", "2025-06-01")
        .arg("check")
        .arg("--policy")
        .arg(case("every-rule").join("aibom-policy.toml"))
        .arg(case("every-rule").join("aibom.json"))
        .args(["-f", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "aibom-check/v1");
    assert!(v["violations"][0]["rule"]
        .as_str()
        .unwrap()
        .starts_with("AIBOM-POLICY-"));

    // Found next to the target without --policy; table output names the verdict.
    let out = aibom()
        .env("AIBOM_TODAY", "2025-06-01")
        .current_dir(case("every-rule"))
        .args(["check", "aibom.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("AIBOM-POLICY-PROVIDER-DENIED"), "{table}");
    assert!(table.contains("policy failed"), "{table}");

    // A clean BOM passes the built-in starter policy.
    let dir = tempfile::tempdir().unwrap();
    let out = aibom()
        .current_dir(dir.path())
        .arg("check")
        .arg(case("clean").join("aibom.json"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // Bad AIBOM_TODAY and a bad policy are usage errors (2), every problem listed with its line.
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[risks]\nmax_severity = \"worst\"\n[[waivers]]\nrule = \"AIBOM-X\"\n",
    )
    .unwrap();
    let out = aibom()
        .arg("check")
        .arg("--policy")
        .arg(&bad)
        .arg(case("clean").join("aibom.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("3 problem(s)"), "{err}");
    assert!(err.contains("line 2: risks.max_severity"), "{err}");
    assert!(err.contains("line 4: waivers[0].rule"), "{err}");
    let out = aibom()
        .env("AIBOM_TODAY", "June 1st")
        .arg("check")
        .arg(case("clean").join("aibom.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn init_writes_a_starter_that_fails_on_critical_and_pickle() {
    let dir = tempfile::tempdir().unwrap();
    let st = aibom()
        .current_dir(dir.path())
        .args(["check", "--init"])
        .output()
        .unwrap();
    assert_eq!(st.status.code(), Some(0));
    let path = dir.path().join("aibom-policy.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, config::STARTER);
    // Refuses to overwrite.
    std::fs::write(&path, "# mine\n").unwrap();
    let st = aibom()
        .current_dir(dir.path())
        .args(["check", "--init"])
        .output()
        .unwrap();
    assert_eq!(st.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n");

    // The starter's defaults: a critical risk and a pickle model fail, nothing else does.
    let bom = aibom::diff::load::load_path(&case("every-rule").join("aibom.json")).unwrap();
    let report = policy::check(
        &bom,
        &config::parse(config::STARTER).unwrap(),
        Date::parse("2025-06-01").unwrap(),
    );
    let fired: BTreeSet<(RuleId, Option<String>)> = report
        .violations
        .iter()
        .map(|v| (v.rule, v.risk_rule.clone()))
        .collect();
    assert_eq!(
        fired,
        BTreeSet::from([
            (RuleId::ModelFormat, None),
            (RuleId::RiskSeverity, Some("AIBOM-PICKLE-RCE".to_string())),
        ])
    );
}

#[test]
fn a_directory_is_scanned() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "nothing here\n").unwrap();
    let out = aibom()
        .arg("check")
        .arg(dir.path())
        .arg("-q")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("policy passed"));
}
