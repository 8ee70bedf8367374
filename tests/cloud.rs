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
fn kubernetes_exports() {
    let bom = common::scan_cloud("cloud/k8s");
    insta::assert_snapshot!(snap(&bom));
    // read by the infra detector, with no "not a recognised cloud export" warning
    assert!(bom.warnings.is_empty(), "{:?}", bom.warnings);
    assert_eq!(bom.coverage.claimed, 2);
    for id in [
        "container:docker/vllm/vllm-openai@v0.6.3.post1",
        "model:huggingface/Qwen/Qwen2-7B-Instruct",
        "model:huggingface/mistralai/Mistral-7B-Instruct-v0.3",
        "model:s3://acme-triton-models/vision",
        "model:ollama/nomic-embed-text",
        "service:k8s/genai/InferenceService/llama3-8b-instruct",
    ] {
        assert!(bom.components.iter().any(|c| c.id == id), "{id} missing");
    }
    // nothing twice: one evidence entry per place
    for c in &bom.components {
        let mut places: Vec<_> = c
            .evidence
            .iter()
            .map(|e| (e.path.clone(), e.line))
            .collect();
        let n = places.len();
        places.dedup();
        assert_eq!(n, places.len(), "{} reported twice", c.id);
    }
    // the same files scanned as a repository give the same components
    let repo = common::scan_fixture("cloud/k8s");
    let ids = |b: &Bom| {
        b.components
            .iter()
            .map(|c| c.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&bom), ids(&repo));
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
    // the CLI export, the Terraform state and the repo code that calls the deployment
    assert_eq!(model.evidence.len(), 3);
    assert!(model
        .evidence
        .iter()
        .any(|e| e.path.ends_with("repo/app.py")));
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

/// The asset list of the reference samples' EXPECTED.md (fixtures/cloud/{aws,azure,gcp,terraform}
/// are those samples), one row per asset: file, kind as EXPECTED.md writes it, accepted names,
/// provider as EXPECTED.md writes it. `endpoint` and `deployment` are `service` components
/// here. Where EXPECTED.md names a SageMaker deployment `config/variant`, the component is the
/// endpoint config (the variant is its `variants` property); ARM deployment names
/// `account/deployment` are the deployment name with an `account` property.
const EXPECTED: &[(&str, &str, &[&str], &str)] = &[
    (
        "aws/aws-sagemaker-list-models.json",
        "model",
        &["llama3-8b-instruct-tgi-2024-06-11"],
        "aws-sagemaker",
    ),
    (
        "aws/aws-sagemaker-list-models.json",
        "model",
        &["churn-xgboost-v7"],
        "aws-sagemaker",
    ),
    (
        "aws/aws-sagemaker-list-models.json",
        "model",
        &["support-intent-distilbert"],
        "aws-sagemaker",
    ),
    (
        "aws/aws-sagemaker-describe-model.json",
        "model",
        &["llama3-8b-instruct-tgi-2024-06-11"],
        "aws-sagemaker",
    ),
    (
        "aws/aws-sagemaker-list-endpoints.json",
        "endpoint",
        &["llama3-8b-instruct-endpoint"],
        "aws-sagemaker",
    ),
    (
        "aws/aws-sagemaker-list-endpoints.json",
        "endpoint",
        &["churn-xgboost-prod"],
        "aws-sagemaker",
    ),
    (
        "aws/aws-sagemaker-describe-endpoint-config.json",
        "deployment",
        &["llama3-8b-instruct-config"],
        "aws-sagemaker",
    ),
    (
        "aws/aws-sagemaker-list-training-jobs.json",
        "model",
        &["churn-xgboost-2024-05-30-09-14-02-117"],
        "aws-sagemaker",
    ),
    (
        "aws/aws-sagemaker-list-training-jobs.json",
        "model",
        &["intent-distilbert-ft-2024-03-17-22-10-45-880"],
        "aws-sagemaker",
    ),
    (
        "aws/aws-sagemaker-list-training-jobs.json",
        "model",
        &["intent-distilbert-ft-2024-03-17-20-01-13-402"],
        "aws-sagemaker",
    ),
    (
        "aws/aws-sagemaker-describe-training-job.json",
        "model",
        &["churn-xgboost-2024-05-30-09-14-02-117"],
        "aws-sagemaker",
    ),
    (
        "aws/aws-sagemaker-describe-training-job.json",
        "dataset",
        &["s3://acme-ml-data-111122223333/churn/2024-05/train/"],
        "aws-s3",
    ),
    (
        "aws/aws-sagemaker-describe-training-job.json",
        "dataset",
        &["s3://acme-ml-data-111122223333/churn/2024-05/validation/"],
        "aws-s3",
    ),
    (
        "aws/aws-sagemaker-list-model-packages.json",
        "model",
        &["churn-models"],
        "aws-sagemaker",
    ),
    (
        "aws/aws-bedrock-list-custom-models.json",
        "model",
        &["support-titan-ft-v2"],
        "aws-bedrock",
    ),
    (
        "aws/aws-bedrock-list-custom-models.json",
        "model",
        &["claims-llama31-8b-ft"],
        "aws-bedrock",
    ),
    (
        "aws/aws-bedrock-get-custom-model.json",
        "model",
        &["support-titan-ft-v2"],
        "aws-bedrock",
    ),
    (
        "aws/aws-bedrock-get-custom-model.json",
        "dataset",
        &["s3://acme-bedrock-tuning-111122223333/support/train.jsonl"],
        "aws-s3",
    ),
    (
        "aws/aws-bedrock-get-custom-model.json",
        "dataset",
        &["s3://acme-bedrock-tuning-111122223333/support/validation.jsonl"],
        "aws-s3",
    ),
    (
        "aws/aws-bedrock-list-provisioned-model-throughputs.json",
        "deployment",
        &["support-titan-ft-v2-pt"],
        "aws-bedrock",
    ),
    (
        "aws/aws-bedrock-list-model-customization-jobs.json",
        "model",
        &["support-titan-ft-v2"],
        "aws-bedrock",
    ),
    (
        "aws/aws-bedrock-list-model-customization-jobs.json",
        "model",
        &["claims-llama31-8b-ft-v2"],
        "aws-bedrock",
    ),
    (
        "aws/aws-bedrock-agent-list-agents.json",
        "service",
        &["claims-assistant"],
        "aws-bedrock",
    ),
    (
        "aws/aws-bedrock-agent-list-agents.json",
        "service",
        &["it-helpdesk-agent"],
        "aws-bedrock",
    ),
    (
        "aws/aws-bedrock-agent-get-agent.json",
        "service",
        &["claims-assistant"],
        "aws-bedrock",
    ),
    (
        "aws/aws-bedrock-agent-get-knowledge-base.json",
        "dataset",
        &["claims-policies-kb"],
        "aws-bedrock",
    ),
    (
        "aws/cloudformation.yaml",
        "model",
        &["IntentModel", "intent-classifier-dev"],
        "aws-sagemaker",
    ),
    (
        "aws/cloudformation.yaml",
        "deployment",
        &["IntentEndpointConfig", "intent-classifier-dev-cfg"],
        "aws-sagemaker",
    ),
    (
        "aws/cloudformation.yaml",
        "endpoint",
        &["IntentEndpoint", "intent-classifier-dev"],
        "aws-sagemaker",
    ),
    (
        "aws/cloudformation.yaml",
        "dataset",
        &["ClaimsKnowledgeBase", "claims-policies-kb-dev"],
        "aws-bedrock",
    ),
    (
        "aws/cloudformation.yaml",
        "service",
        &["ClaimsAgent", "claims-assistant-dev"],
        "aws-bedrock",
    ),
    (
        "azure/azure-cognitiveservices-account-list.json",
        "service",
        &["contoso-openai-prod"],
        "azure-openai",
    ),
    (
        "azure/azure-cognitiveservices-account-list.json",
        "service",
        &["contoso-docintel"],
        "azure-ai-services",
    ),
    (
        "azure/azure-openai-deployments.json",
        "deployment",
        &["gpt-4o"],
        "azure-openai",
    ),
    (
        "azure/azure-openai-deployments.json",
        "deployment",
        &["text-embedding-3-small"],
        "azure-openai",
    ),
    (
        "azure/azure-openai-deployments.json",
        "deployment",
        &["chat-legacy"],
        "azure-openai",
    ),
    (
        "azure/azure-ml-models.json",
        "model",
        &["credit-risk-lgbm"],
        "azure-ml",
    ),
    (
        "azure/azure-ml-models.json",
        "model",
        &["invoice-layoutlmv3"],
        "azure-ml",
    ),
    (
        "azure/azure-ml-online-endpoints.json",
        "endpoint",
        &["credit-risk-ep"],
        "azure-ml",
    ),
    (
        "azure/azure-ml-online-deployments.json",
        "deployment",
        &["blue"],
        "azure-ml",
    ),
    (
        "azure/azure-ml-online-deployments.json",
        "deployment",
        &["green"],
        "azure-ml",
    ),
    (
        "azure/azure-arm-template.json",
        "service",
        &["contoso-openai-dev"],
        "azure-openai",
    ),
    (
        "azure/azure-arm-template.json",
        "deployment",
        &["gpt-4o-mini"],
        "azure-openai",
    ),
    (
        "azure/azure-arm-template.json",
        "deployment",
        &["embeddings"],
        "azure-openai",
    ),
    (
        "azure/azure-arm-template.json",
        "service",
        &["mlw-contoso-dev"],
        "azure-ml",
    ),
    (
        "azure/azure-arm-template.json",
        "endpoint",
        &["mlw-contoso-dev/phi3-ep"],
        "azure-ml",
    ),
    (
        "azure/azure-arm-template.json",
        "deployment",
        &["mlw-contoso-dev/phi3-ep/phi3-mini-blue"],
        "azure-ml",
    ),
    (
        "gcp/gcp-services-enabled.json",
        "service",
        &["aiplatform.googleapis.com"],
        "gcp-vertex-ai",
    ),
    (
        "gcp/gcp-services-enabled.json",
        "service",
        &["generativelanguage.googleapis.com"],
        "gcp-gemini-api",
    ),
    (
        "gcp/gcp-services-enabled.json",
        "service",
        &["discoveryengine.googleapis.com"],
        "gcp-vertex-ai-search",
    ),
    (
        "gcp/gcp-services-enabled.json",
        "service",
        &["speech.googleapis.com"],
        "gcp-speech",
    ),
    (
        "gcp/gcp-vertex-models.json",
        "model",
        &["churn-sklearn"],
        "gcp-vertex-ai",
    ),
    (
        "gcp/gcp-vertex-models.json",
        "model",
        &["llama3_1-8b-instruct-vllm"],
        "gcp-vertex-ai",
    ),
    (
        "gcp/gcp-vertex-endpoints.json",
        "endpoint",
        &["churn-endpoint"],
        "gcp-vertex-ai",
    ),
    (
        "gcp/gcp-vertex-endpoints.json",
        "endpoint",
        &["llama3_1-8b-instruct-mg-one-click-deploy"],
        "gcp-vertex-ai",
    ),
    (
        "gcp/gcp-vertex-endpoints.json",
        "deployment",
        &["churn-sklearn-v3"],
        "gcp-vertex-ai",
    ),
    (
        "gcp/gcp-vertex-endpoints.json",
        "deployment",
        &["llama3_1-8b-instruct-vllm"],
        "gcp-vertex-ai",
    ),
    (
        "gcp/gcp-vertex-endpoint-describe.json",
        "endpoint",
        &["churn-endpoint"],
        "gcp-vertex-ai",
    ),
    (
        "gcp/gcp-vertex-endpoint-describe.json",
        "deployment",
        &["churn-sklearn-v3"],
        "gcp-vertex-ai",
    ),
    (
        "gcp/gcp-vertex-custom-jobs.json",
        "model",
        &["churn-sklearn-train-20240603"],
        "gcp-vertex-ai",
    ),
    (
        "gcp/gcp-vertex-custom-jobs.json",
        "dataset",
        &["gs://acme-ml-prod-data/churn/2024-06/train.csv"],
        "gcp-gcs",
    ),
    (
        "gcp/gcp-vertex-custom-jobs.json",
        "model",
        &["gemma2-9b-lora-support-v1"],
        "gcp-vertex-ai",
    ),
    (
        "gcp/gcp-vertex-custom-jobs.json",
        "dataset",
        &["gs://acme-ml-prod-data/support/sft/train.jsonl"],
        "gcp-gcs",
    ),
    (
        "terraform/terraform-state.json",
        "service",
        &["it-helpdesk"],
        "aws-bedrock",
    ),
    (
        "terraform/terraform-state.json",
        "endpoint",
        &["support-chat-mistral-7b"],
        "aws-sagemaker",
    ),
    (
        "terraform/terraform-state.json",
        "deployment",
        &["support-chat-mistral-7b-cfg"],
        "aws-sagemaker",
    ),
    (
        "terraform/terraform-state.json",
        "model",
        &["support-chat-mistral-7b"],
        "aws-sagemaker",
    ),
    (
        "terraform/terraform-state.json",
        "service",
        &["contoso-openai-dev"],
        "azure-openai",
    ),
    (
        "terraform/terraform-state.json",
        "deployment",
        &["embeddings"],
        "azure-openai",
    ),
    (
        "terraform/terraform-state.json",
        "deployment",
        &["gpt-4o"],
        "azure-openai",
    ),
    (
        "terraform/terraform-plan.json",
        "service",
        &["aiplatform.googleapis.com"],
        "gcp-vertex-ai",
    ),
    (
        "terraform/terraform-plan.json",
        "dataset",
        &["support-tickets-2024"],
        "gcp-vertex-ai",
    ),
    (
        "terraform/terraform-plan.json",
        "endpoint",
        &["recs-endpoint", "1455120022"],
        "gcp-vertex-ai",
    ),
    (
        "terraform/terraform-plan.json",
        "deployment",
        &[
            "gemma2-9b-support",
            "google_vertex_ai_endpoint_with_model_garden_deployment.gemma",
        ],
        "gcp-vertex-ai",
    ),
];

/// EXPECTED.md's "must not report" names, per case directory.
const MUST_NOT: &[(&str, &[&str])] = &[
    (
        "aws",
        &[
            "ArtifactsBucket",
            "SageMakerExecutionRole",
            "BedrockRole",
            "Claude 3.5 Sonnet",
            "Llama 3.1 8B Instruct",
            "meta.llama3-1-8b-instruct-v1:0",
        ],
    ),
    (
        "azure",
        &[
            "[parameters('storageName')]",
            "[format('kv-{0}', uniqueString(resourceGroup().id))]",
            "Standard_LRS",
        ],
    ),
    (
        "gcp",
        &[
            "bigquery.googleapis.com",
            "compute.googleapis.com",
            "storage.googleapis.com",
        ],
    ),
    (
        "terraform",
        &[
            "aws_iam_role.agent",
            "aws_iam_role.sagemaker",
            "aws_s3_bucket.web_assets",
            "azurerm_resource_group.ai",
            "rg-genai-dev",
            "acme-web-assets-111122223333",
            "recs-serving",
            "Recs serving",
        ],
    ),
];

/// EXPECTED.md's provider spellings → this tool's.
fn provider(expected: &str) -> &str {
    match expected {
        "aws-bedrock" => "amazon-bedrock",
        "gcp-vertex-ai" => "google-vertex-ai",
        "gcp-gcs" => "google-cloud-storage",
        "gcp-gemini-api" => "google-gemini-api",
        "gcp-vertex-ai-search" => "google-vertex-ai-search",
        "gcp-speech" => "google-speech",
        other => other,
    }
}

#[test]
fn reference_samples_expected_assets_are_found() {
    let cases = ["aws", "azure", "gcp", "terraform"];
    let boms: Vec<(&str, Bom)> = cases
        .iter()
        .map(|c| (*c, common::scan_cloud(&format!("cloud/{c}"))))
        .collect();
    let mut missing = Vec::new();
    for (file, kind, names, prov) in EXPECTED {
        let (case, file_name) = file.split_once('/').expect("case/file");
        let bom = &boms.iter().find(|(c, _)| *c == case).expect("case").1;
        let kind = match *kind {
            "endpoint" | "deployment" => "service",
            k => k,
        };
        let found = bom.components.iter().any(|c| {
            c.kind.as_str() == kind
                && names.contains(&c.name.as_str())
                && c.provider.as_deref() == Some(provider(prov))
                && c.evidence.iter().any(|e| e.path == file_name)
        });
        if !found {
            missing.push(format!("{file}: {kind} {names:?} ({prov})"));
        }
    }
    assert!(
        missing.is_empty(),
        "expected assets not found:\n{}",
        missing.join("\n")
    );
    for (case, names) in MUST_NOT {
        let bom = &boms.iter().find(|(c, _)| c == case).expect("case").1;
        for c in &bom.components {
            assert!(
                !names.contains(&c.name.as_str()),
                "{case}: must not report {}",
                c.name
            );
        }
    }
    // EXPECTED.md's details for the rows that carry model ids, versions and links
    let prop = |case: &str, id: &str, key: &str| -> String {
        let bom = &boms.iter().find(|(c, _)| *c == case).expect("case").1;
        let c = bom
            .component(id)
            .unwrap_or_else(|| panic!("{case}: no {id}"));
        c.properties
            .get(key)
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .unwrap_or_else(|| panic!("{id}: no {key}"))
    };
    let sm =
        "model:arn:aws:sagemaker:us-east-1:111122223333:model/llama3-8b-instruct-tgi-2024-06-11";
    assert_eq!(
        prop("aws", sm, "jumpstart-model-id"),
        "meta-textgeneration-llama-3-8b-instruct"
    );
    assert_eq!(prop("aws", sm, "serving"), "tgi");
    assert_eq!(
        prop("aws", "service:amazon-bedrock/agent/KXTQ4R7ZPA", "model-id"),
        "anthropic.claude-3-5-sonnet-20240620-v1:0"
    );
    assert_eq!(
        prop(
            "aws",
            "dataset:amazon-bedrock/knowledge-base/QW3ERT7YUI",
            "embedding-model"
        ),
        "amazon.titan-embed-text-v2:0"
    );
    let vllm = "model:projects/482910375561/locations/us-central1/models/2817203937485930496@1";
    assert_eq!(
        prop("gcp", vllm, "model-id"),
        "meta-llama/Meta-Llama-3.1-8B-Instruct"
    );
    assert_eq!(
        prop("gcp", vllm, "base-model"),
        "publishers/meta/models/llama3-1"
    );
    assert_eq!(prop("gcp", vllm, "serving"), "vllm");
    assert_eq!(
        prop(
            "gcp",
            "model:projects/482910375561/locations/us-central1/customJobs/8853702219840159744",
            "base-model"
        ),
        "google/gemma-2-9b-it"
    );
    assert_eq!(
        prop(
            "terraform",
            "model:arn:aws:sagemaker:us-east-1:111122223333:model/support-chat-mistral-7b",
            "model-id"
        ),
        "mistralai/Mistral-7B-Instruct-v0.2"
    );
    let chat = "service:/subscriptions/3f2b6c1e-8d4a-4e7b-9c21-5a6d7e8f9012/resourcegroups/rg-genai-prod/providers/microsoft.cognitiveservices/accounts/contoso-openai-prod/deployments/chat-legacy";
    assert_eq!(prop("azure", chat, "model-name"), "gpt-35-turbo");
    assert_eq!(prop("azure", chat, "model-version"), "0125");
    // endpoint -> deployment -> model links
    let azure = &boms[1].1;
    let ep = azure
        .components
        .iter()
        .find(|c| c.name == "credit-risk-ep")
        .expect("endpoint");
    assert_eq!(ep.depends_on.len(), 2, "{:?}", ep.depends_on);
    let blue = azure
        .components
        .iter()
        .find(|c| c.name == "blue")
        .expect("blue");
    assert!(blue.depends_on[0].ends_with("/models/credit-risk-lgbm/versions/5"));
    // the foundation-model catalogue adds nothing by itself
    let catalogue = common::scan_with("cloud/aws/aws-bedrock-list-foundation-models.json", |o| {
        o.cloud = std::mem::take(&mut o.paths);
    });
    assert!(catalogue.components.is_empty() && catalogue.warnings.is_empty());
}

mod robustness {
    use aibom::detect::{registry, Context, FileInput};
    use proptest::prelude::*;

    const SEEDS: &[&str] = &[
        "{\"Models\": [{\"ModelName\": ",
        "{\"format_version\":\"1.0\",\"terraform_version\":\"1.11.4\",\"values\":{\"root_module\":{\"child_modules\":[",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  M:\n    Type: AWS::SageMaker::Model\n    Properties: !Sub ",
        "{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\", \"contentVersion\": \"1\", \"resources\": [{\"type\": \"Microsoft.CognitiveServices/accounts\", \"name\": \"[format(",
        "resource \"azurerm_cognitive_deployment\" \"d\" {\n  name = \"${var.",
        "[{\"name\": \"projects/1/locations/l/models/2\", \"containerSpec\": {\"args\": [",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn cloud_detectors_never_panic(seed in 0usize..6, tail in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut bytes = SEEDS[seed].as_bytes().to_vec();
            bytes.extend(tail);
            let ctx = Context::default();
            for d in registry().iter().filter(|d| d.family == "cloud") {
                for name in ["e.json", "t.yaml", "main.tf"] {
                    let input = FileInput::from_bytes(name, bytes.clone());
                    let _ = (d.detect)(&input, &ctx);
                }
            }
        }
    }
}
