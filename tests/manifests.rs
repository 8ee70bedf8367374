//! Golden snapshots of the node, rust, go and jvm dependency-manifest detectors over their
//! fixtures (lock files written by the real tools), plus the malformed cases.

mod common;

fn snap(case: &str) -> String {
    let bom = common::scan_fixture(case);
    common::summary(&bom)
}

macro_rules! golden {
    ($name:ident, $case:literal) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(snap($case));
        }
    };
}

golden!(node_npm_lock_v1, "node/npm-lock-v1");
golden!(node_npm_lock_v3, "node/npm-lock-v3");
golden!(node_yarn_classic, "node/yarn-classic");
golden!(node_yarn_berry, "node/yarn-berry");
golden!(node_pnpm_v6, "node/pnpm-v6");
golden!(node_pnpm_v9, "node/pnpm-v9");
golden!(node_malformed, "node/malformed");
golden!(rust_workspace, "rust/workspace");
golden!(rust_malformed, "rust/malformed");
golden!(go_module, "go/module");
golden!(go_malformed, "go/malformed");
golden!(jvm_maven, "jvm/maven");
golden!(jvm_gradle_groovy, "jvm/gradle-groovy");
golden!(jvm_gradle_kts, "jvm/gradle-kts");
golden!(jvm_malformed, "jvm/malformed");

#[test]
fn declared_and_locked_npm_packages_are_one_component() {
    let bom = common::scan_fixture("node/npm-lock-v3");
    let openai: Vec<_> = bom
        .components
        .iter()
        .filter(|c| c.name == "openai" && c.version.as_deref() == Some("4.52.0"))
        .collect();
    assert_eq!(openai.len(), 1, "{openai:?}");
    let detectors: Vec<_> = openai[0]
        .evidence
        .iter()
        .map(|e| e.detector.as_str())
        .collect();
    assert_eq!(detectors, vec!["npm-package-lock", "npm-package-json"]);
}

#[test]
fn malformed_files_are_counted_as_failed_and_the_rest_is_reported() {
    for case in ["node/malformed", "rust/malformed", "jvm/malformed"] {
        let bom = common::scan_fixture(case);
        assert!(bom.coverage.failed >= 1, "{case}: {:?}", bom.coverage);
        assert!(!bom.warnings.is_empty(), "{case}");
        assert!(
            !bom.components.is_empty(),
            "{case}: the good files still report"
        );
    }
}
