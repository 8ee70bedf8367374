//! Cloud and IaC exports: golden snapshots of each fixture case scanned with `--cloud` (and,
//! for IaC, as a repository), plus the asset list of the reference samples as assertions.

mod common;

use aibom::bom::Bom;

fn snap(bom: &Bom) -> String {
    common::summary(bom)
}

#[test]
fn aws_exports() {
    insta::assert_snapshot!(snap(&common::scan_cloud("cloud/aws")));
}

#[test]
fn azure_exports() {
    insta::assert_snapshot!(snap(&common::scan_cloud("cloud/azure")));
}

#[test]
fn gcp_exports() {
    insta::assert_snapshot!(snap(&common::scan_cloud("cloud/gcp")));
}

#[test]
fn terraform_exports() {
    insta::assert_snapshot!(snap(&common::scan_cloud("cloud/terraform")));
}

#[test]
fn malformed_inputs_warn_and_the_rest_completes() {
    let bom = common::scan_cloud("cloud/malformed");
    insta::assert_snapshot!(snap(&bom));
    // truncated JSON, CLI error text, broken YAML, broken HCL: four failures, one warning each
    assert_eq!(bom.coverage.failed, 4, "{:?}", bom.warnings);
    assert!(bom.components.is_empty());
}

#[test]
fn paged_exports_merge_and_partial_pages_are_flagged() {
    let bom = common::scan_cloud("cloud/paged");
    insta::assert_snapshot!(snap(&bom));
    let churn = bom
        .component("model:arn:aws:sagemaker:us-east-1:111122223333:model/churn-xgboost-v7")
        .expect("model on both pages");
    assert_eq!(churn.evidence.len(), 2);
    assert_eq!(bom.components.len(), 3);
    assert!(bom
        .warnings
        .iter()
        .any(|w| w.message.starts_with("partial export")));
}

#[test]
fn cloud_risks() {
    let bom = common::scan_cloud("cloud/risks");
    insta::assert_snapshot!(snap(&bom));
    let rules: Vec<&str> = bom.risks.iter().map(|r| r.rule.as_str()).collect();
    for rule in [
        "AIBOM-CLOUD-EXTERNAL-MODEL-DATA",
        "AIBOM-CLOUD-NO-CONTENT-FILTER",
    ] {
        assert!(rules.contains(&rule), "{rule} missing from {rules:?}");
    }
    // the private account (keys off, no public access) and the configured logging raise nothing
    assert!(!bom
        .risks
        .iter()
        .any(|r| r.message.contains("contoso-openai-private")));
    assert!(!rules.contains(&"AIBOM-CLOUD-NO-INVOCATION-LOGGING"));
}

#[test]
fn forced_format_reads_an_empty_logging_reply() {
    let bom = common::scan_with("cloud/bedrock-logging-off", |o| {
        o.cloud = std::mem::take(&mut o.paths);
        o.context.cloud_format = Some("aws-bedrock".into());
    });
    insta::assert_snapshot!(snap(&bom));
    assert_eq!(bom.risks.len(), 1);
    assert_eq!(bom.risks[0].rule, "AIBOM-CLOUD-NO-INVOCATION-LOGGING");
    // without the forced shape an empty object is not an export and not an error
    let plain = common::scan_cloud("cloud/bedrock-logging-off");
    assert!(plain.risks.is_empty());
}

#[test]
fn mixed_repo_and_account_merge_one_deployment() {
    // relative roots (cargo runs tests from the package root) keep evidence paths portable
    let bom = common::scan_with("cloud/mixed/repo", |o| {
        o.paths = vec!["fixtures/cloud/mixed/repo".into()];
        o.cloud = vec!["fixtures/cloud/mixed/exports".into()];
    });
    insta::assert_snapshot!(snap(&bom));
    let dep = bom
        .component("service:/subscriptions/3f2b6c1e-8d4a-4e7b-9c21-5a6d7e8f9012/resourcegroups/rg-genai-dev/providers/microsoft.cognitiveservices/accounts/contoso-openai-dev/deployments/gpt-4o")
        .expect("deployment");
    let files: Vec<&str> = dep.evidence.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        files,
        vec![
            "fixtures/cloud/mixed/exports/aoai-dev-deployments.json",
            "fixtures/cloud/mixed/exports/terraform-state.json"
        ]
    );
    assert!(
        !dep.properties.keys().any(|k| k.starts_with("conflicts.")),
        "{:?}",
        dep.properties
    );
    let model = bom
        .component("model:azure-openai/gpt-4o")
        .expect("deployment-name model");
    assert_eq!(model.evidence.len(), 2);
    assert_eq!(model.version.as_deref(), Some("2024-08-06"));
}

#[test]
fn iac_files_in_a_repo_scan() {
    // CloudFormation, ARM, Terraform JSON and .tf found in a tree; CLI exports are not read there
    let bom = common::scan_fixture("cloud/terraform");
    insta::assert_snapshot!(snap(&bom));
    let aws = common::scan_fixture("cloud/aws");
    assert!(aws
        .components
        .iter()
        .all(|c| c.evidence.iter().all(|e| e.detector == "cloudformation")));
    assert!(aws
        .component("model:aws-sagemaker/model/intent-classifier-dev")
        .is_some());
    let azure = common::scan_fixture("cloud/azure");
    assert!(azure
        .components
        .iter()
        .all(|c| c.evidence.iter().all(|e| e.detector == "arm-template")));
    assert!(azure.warnings.is_empty());
}

#[test]
fn oversized_export_is_a_warning_not_a_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("tfstate.json");
    // a real-looking head (what the sniff sees), then a sparse tail past the 32 MiB bound
    let mut head = String::from(
        r#"{"format_version":"1.0","terraform_version":"1.11.4","values":{"root_module":{"resources":["#,
    );
    while head.len() < 8192 {
        head.push_str(
            r#"{"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket","values":{}},"#,
        );
    }
    std::fs::write(&big, head).expect("write head");
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&big)
        .expect("open");
    f.set_len(33 * 1024 * 1024).expect("sparse file");
    std::fs::write(
        dir.path().join("models.json"),
        br#"{"Models": [{"ModelName": "m", "ModelArn": "arn:aws:sagemaker:us-east-1:1:model/m"}]}"#,
    )
    .expect("write");
    let opts = aibom::scan::ScanOptions {
        cloud: vec![dir.path().to_path_buf()],
        context: aibom::detect::Context {
            catalog: aibom::catalog::Catalog::builtin(),
            ..Default::default()
        },
        ..Default::default()
    };
    let bom = aibom::scan::run_scan(&opts).expect("scan");
    assert_eq!(bom.components.len(), 1);
    assert!(
        bom.warnings
            .iter()
            .any(|w| w.path == "tfstate.json" && w.message.contains("limit")),
        "{:?}",
        bom.warnings
    );
}
