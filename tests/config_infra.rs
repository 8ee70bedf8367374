//! Golden snapshots of the config and infra families over their fixtures: MCP client configs,
//! assistant instruction files, env files, DVC, compose, Kubernetes/KServe/Seldon, Helm values,
//! workflows, Dockerfiles, near misses that must report nothing and malformed files.

mod common;

use aibom::bom::Bom;

fn metadata(bom: &Bom) -> String {
    serde_json::to_string_pretty(&bom.metadata).unwrap_or_default()
}

#[test]
fn mcp_clients() {
    let bom = common::scan_fixture("config/mcp-clients");
    insta::assert_snapshot!(format!(
        "{}\nmetadata: {}\n",
        common::summary(&bom),
        metadata(&bom)
    ));
    let json = serde_json::to_string(&bom).unwrap();
    // env values and credential arguments never leave the scanner
    assert!(!json.contains("BSAd9f8a7c6b5e4d3c2b1a0f9e8d7c6b5a4"));
    assert!(!json.contains("postgresql://app:app"));
}

#[test]
fn env_files() {
    let bom = common::scan_fixture("config/env-files");
    insta::assert_snapshot!(common::summary(&bom));
    let json = serde_json::to_string(&bom).unwrap();
    assert!(
        !json.contains("contoso.openai.azure.com"),
        "env values are not recorded"
    );
}

#[test]
fn dvc_project() {
    let bom = common::scan_fixture("config/dvc-project");
    insta::assert_snapshot!(format!(
        "{}\nmetadata: {}\n",
        common::summary(&bom),
        metadata(&bom)
    ));
}

#[test]
fn config_near_misses_report_nothing() {
    let bom = common::scan_fixture("config/near-miss");
    assert!(bom.components.is_empty(), "{}", common::summary(&bom));
    assert!(bom.metadata.is_empty());
}

#[test]
fn config_malformed() {
    let bom = common::scan_fixture("config/malformed");
    insta::assert_snapshot!(common::summary(&bom));
    assert!(bom.coverage.failed >= 2);
}

#[test]
fn genai_compose() {
    insta::assert_snapshot!(common::summary(&common::scan_fixture(
        "infra/genai-compose"
    )));
}

#[test]
fn kserve_and_deployments() {
    insta::assert_snapshot!(common::summary(&common::scan_fixture("infra/kserve")));
}

#[test]
fn helm_chart() {
    insta::assert_snapshot!(common::summary(&common::scan_fixture("infra/helm-chart")));
}

#[test]
fn workflow() {
    insta::assert_snapshot!(common::summary(&common::scan_fixture("infra/workflow")));
}

#[test]
fn dockerfiles() {
    insta::assert_snapshot!(common::summary(&common::scan_fixture("infra/dockerfiles")));
}

#[test]
fn infra_near_misses_report_nothing() {
    let bom = common::scan_fixture("infra/near-miss");
    assert!(bom.components.is_empty(), "{}", common::summary(&bom));
    assert!(bom.risks.is_empty());
}

#[test]
fn infra_malformed() {
    let bom = common::scan_fixture("infra/malformed");
    insta::assert_snapshot!(common::summary(&bom));
}

#[test]
fn train_recipes() {
    insta::assert_snapshot!(common::summary(&common::scan_fixture(
        "config/train-recipe"
    )));
}
