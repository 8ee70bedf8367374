//! Golden scans of the Python manifest fixtures (fixtures/python/<case>).

mod common;

fn case(name: &str) -> String {
    common::summary(&common::scan_fixture(&format!("python/{name}")))
}

#[test]
fn requirements() {
    insta::assert_snapshot!(case("requirements"));
}

#[test]
fn pyproject_uv() {
    let bom = common::scan_fixture("python/pyproject-uv");
    // declared in pyproject.toml and locked in uv.lock: one component, two evidence entries
    let openai = bom
        .component("library:pypi/openai@1.35.3")
        .expect("openai merged into its locked version");
    assert_eq!(openai.evidence.len(), 2);
    assert_eq!(openai.prop_str("constraint"), Some(">=1.30"));
    assert_eq!(openai.prop_str("dependency"), Some("direct"));
    insta::assert_snapshot!(common::summary(&bom));
}

#[test]
fn poetry() {
    insta::assert_snapshot!(case("poetry"));
}

#[test]
fn pipenv() {
    insta::assert_snapshot!(case("pipenv"));
}

#[test]
fn setuptools() {
    insta::assert_snapshot!(case("setuptools"));
}

#[test]
fn conda() {
    insta::assert_snapshot!(case("conda"));
}

#[test]
fn malformed_files_warn_and_the_rest_is_reported() {
    let bom = common::scan_fixture("python/malformed");
    assert!(bom.component("library:pypi/vllm@0.5.4").is_some());
    assert!(bom.coverage.failed >= 3, "{:?}", bom.coverage);
    for path in [
        "bad-toml/pyproject.toml",
        "truncated/poetry.lock",
        "binary/requirements.txt",
    ] {
        assert!(
            bom.warnings.iter().any(|w| w.path.ends_with(path)),
            "no warning for {path}: {:?}",
            bom.warnings
        );
    }
    assert!(bom
        .warnings
        .iter()
        .any(|w| w.message.contains("include cycle")));
    insta::assert_snapshot!(common::summary(&bom));
}

#[test]
fn all_packages_lists_non_ai_dependencies_too() {
    let bom = common::scan_with("python/requirements", |o| o.context.all_packages = true);
    let requests = bom
        .components
        .iter()
        .find(|c| c.name == "requests")
        .expect("requests is listed with --all-packages");
    assert_eq!(requests.properties["ai"], serde_json::Value::Bool(false));
    assert!(!case("requirements").contains("requests"));
}
