#![no_main]
//! The block YAML reader against the general YAML parser: a document it reads must be valid
//! YAML that the general parser reads as the same tree, keys in the same order. Then the
//! Kubernetes, compose and workflow detectors on the same bytes.

mod common;

use aibom::detect::infra::yaml_block;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = yaml_block::agrees_with_general(text) {
            panic!("the block reader and the general parser disagree: {e}");
        }
    }
    common::run("kubernetes", "deploy.yaml", data);
    common::run("docker-compose", "compose.yaml", data);
    common::run("github-workflow", ".github/workflows/ci.yml", data);
});
