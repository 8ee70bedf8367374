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

/// The component with this id, or a failure naming what was found.
fn component<'a>(bom: &'a Bom, id: &str) -> &'a aibom::bom::Component {
    bom.components
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("{id} missing:\n{}", common::summary(bom)))
}

fn prop(c: &aibom::bom::Component, key: &str) -> String {
    match c.properties.get(key) {
        Some(serde_json::Value::String(s)) => s.clone(),
        other => format!("{other:?}"),
    }
}

#[test]
fn kserve_llm_inference_services() {
    let bom = common::scan_fixture("infra/kserve-llm");
    insta::assert_snapshot!(common::summary(&bom));
    // every asset of the reference sample
    let runtime = component(&bom, "container:docker/vllm/vllm-openai@v0.6.3.post1");
    assert_eq!(prop(runtime, "category"), "serving");
    let iris = component(&bom, "service:k8s/demo/InferenceService/sklearn-iris");
    assert_eq!(prop(iris, "model-format"), "sklearn");
    assert_eq!(
        iris.depends_on,
        vec!["model:gs://kfserving-examples/models/sklearn/1.0/model"]
    );
    let llama = component(
        &bom,
        "service:k8s/genai/InferenceService/llama3-8b-instruct",
    );
    assert_eq!(prop(llama, "model-format"), "huggingface");
    assert!(llama
        .depends_on
        .contains(&"model:huggingface/meta-llama/Meta-Llama-3-8B-Instruct".to_string()));
    let granite = component(
        &bom,
        "service:k8s/genai/InferenceService/granite-8b-instruct",
    );
    assert_eq!(prop(granite, "runtime"), "vllm-runtime");
    assert_eq!(
        granite.depends_on,
        vec![
            "container:docker/vllm/vllm-openai@v0.6.3.post1",
            "model:oci://quay.io/redhat-ai-services/modelcar-catalog:granite-3.1-8b-instruct",
        ],
        "the endpoint serves its model on the named runtime's container"
    );
    // must not: the Secret, nor its placeholder value
    let json = serde_json::to_string(&bom).unwrap();
    assert!(!json.contains("hf-token") && !json.contains("REPLACE_ME"));
    assert_eq!(bom.components.len(), 7, "{}", common::summary(&bom));
}

#[test]
fn serving_crds() {
    let bom = common::scan_fixture("infra/serving-crds");
    insta::assert_snapshot!(common::summary(&bom));
    let seldon = component(&bom, "service:k8s/seldon/SeldonDeployment/income-model");
    assert_eq!(prop(seldon, "runtime"), "SKLEARN_SERVER");
    assert_eq!(
        seldon.depends_on,
        vec!["model:gs://seldon-models/v1.19.0/sklearn/income/model"]
    );
    let iris = component(
        &bom,
        "model:gs://seldon-models/scv2/samples/mlserver_1.6.0/iris-sklearn",
    );
    assert_eq!(iris.name, "iris");
    assert_eq!(prop(iris, "resource-type"), "Model (mlops.seldon.io)");
    let ray = component(&bom, "service:k8s/serving/RayService/qwen-serve");
    assert_eq!(
        ray.depends_on,
        vec![
            "container:docker/rayproject/ray-llm@2.44.0-py311-cu124",
            "model:huggingface/Qwen/Qwen2.5-7B-Instruct",
        ]
    );
    let opt = component(&bom, "service:k8s/llm-d/LLMInferenceService/opt-125m");
    assert!(opt
        .depends_on
        .contains(&"model:huggingface/facebook/opt-125m".to_string()));
}

#[test]
fn kubectl_lists() {
    let bom = common::scan_fixture("infra/kubectl-list");
    insta::assert_snapshot!(common::summary(&bom));
    let served = |id: &str| prop(component(&bom, id), "served-model");
    assert_eq!(
        served("container:docker/vllm/vllm-openai@v0.6.3.post1"),
        "Qwen/Qwen2-7B-Instruct"
    );
    assert_eq!(
        served(
            "container:docker/huggingface/text-generation-inference@2.4.0?repository_url=ghcr.io"
        ),
        "mistralai/Mistral-7B-Instruct-v0.3"
    );
    let triton = component(
        &bom,
        "container:docker/nvidia/tritonserver@24.08-py3?repository_url=nvcr.io",
    );
    assert_eq!(
        triton.depends_on,
        vec!["model:s3://acme-triton-models/vision"]
    );
    assert_eq!(
        served("container:docker/ollama/ollama@0.3.14"),
        "llama3.1:8b, nomic-embed-text"
    );
    component(&bom, "model:ollama/llama3.1:8b");
    component(&bom, "container:docker/lmsysorg/sglang@v0.4.1-cu124");
    // must not: nginx, redis, postgres; each list item's evidence is its own line
    let summary = common::summary(&bom);
    for not in ["nginx", "redis", "postgres", "web-frontend"] {
        assert!(!summary.contains(not), "{not} reported:\n{summary}");
    }
    assert!(bom.warnings.is_empty(), "{:?}", bom.warnings);
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
