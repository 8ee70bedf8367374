//! The binary as a user runs it: formats chosen by file name, determinism, exit codes, the
//! detector listing, and the demo the README's first command scans.

mod common;

use std::process::Command;

fn aibom(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_aibom"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("binary runs")
}

fn demo() -> String {
    common::fixtures()
        .join("demo")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn detector_listing_is_stable() {
    let out = aibom(&["detectors"]);
    assert!(out.status.success());
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn same_tree_gives_byte_identical_output_in_every_format() {
    for format in ["json", "cyclonedx", "table", "sarif", "markdown"] {
        let a = aibom(&["scan", &demo(), "-q", "-f", format]);
        let b = aibom(&["scan", &demo(), "-q", "-f", format, "--threads", "1"]);
        assert!(
            a.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&a.stderr)
        );
        assert_eq!(a.stdout, b.stdout, "{format} output differs between runs");
        assert!(
            a.stderr.is_empty(),
            "{format}: -q prints nothing on stderr: {}",
            String::from_utf8_lossy(&a.stderr)
        );
    }
}

#[test]
fn output_format_follows_the_file_name_and_defaults_to_json_off_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let cdx = dir.path().join("bom.cdx.json");
    let out = aibom(&["scan", &demo(), "-q", "-o", cdx.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(
        out.stdout.is_empty(),
        "stdout carries only the BOM, and here it went to a file"
    );
    let bytes = std::fs::read(&cdx).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(doc["bomFormat"], "CycloneDX");
    assert_eq!(doc["specVersion"], "1.6");
    common::schema::assert_valid_cyclonedx(&bytes, "1.6");

    // stdout is a pipe here: aibom/v1 JSON
    let piped = aibom(&["scan", &demo(), "-q"]);
    let bom = aibom::render::json::parse(&piped.stdout).expect("aibom/v1 JSON on a pipe");
    assert!(!bom.components.is_empty());
}

#[test]
fn the_demo_shows_every_kind_and_its_risks() {
    let bom = common::scan_fixture("demo");
    let ids: Vec<&str> = bom.components.iter().map(|c| c.id.as_str()).collect();
    for want in [
        "model:huggingface/meta-llama/Meta-Llama-3-8B-Instruct",
        "model:openai/gpt-4o",
        "model:azure-openai/gpt-4o",
        "dataset:huggingface/squad",
        "library:pypi/torch@2.3.1",
        "library:npm/ai",
        "service:openai",
        "container:docker/vllm/vllm-openai@v0.6.3",
        "mcp-server:npm/%40modelcontextprotocol/server-github",
    ] {
        assert!(ids.contains(&want), "{want} missing from {ids:#?}");
    }
    // prose, comments, docstrings and placeholders are not uses
    for absent in [
        "model:openai/gpt-4",
        "model:openai/gpt-3.5-turbo",
        "model:huggingface/mistralai/Mistral-7B-v0.1",
    ] {
        assert!(
            !ids.contains(&absent),
            "{absent} reported from a comment or prose"
        );
    }
    assert!(bom.components.iter().all(|c| !c.evidence.is_empty()));
    let rules: Vec<&str> = bom.risks.iter().map(|r| r.rule.as_str()).collect();
    assert!(rules.contains(&"AIBOM-PICKLE-RCE"));
    assert!(rules.contains(&"AIBOM-REMOTE-CODE"));
    assert!(
        !rules.contains(&"AIBOM-SECRET"),
        "the sk-... placeholder is not a key"
    );
}

#[test]
fn invocation_errors_exit_2_with_a_message() {
    let missing = aibom(&["scan", "/definitely/not/here"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no such file"));
    let flag = aibom(&["scan", "--no-such-flag"]);
    assert_eq!(flag.status.code(), Some(2));
    let glob = aibom(&["scan", &demo(), "--exclude", "["]);
    assert_eq!(glob.status.code(), Some(2));
}

#[test]
fn excludes_and_skips_are_counted_in_coverage() {
    let out = aibom(&["scan", &demo(), "-q", "--exclude", "web", "-f", "json"]);
    let bom = aibom::render::json::parse(&out.stdout).unwrap();
    assert_eq!(bom.coverage.skipped.get("--exclude"), Some(&1));
    assert!(bom
        .components
        .iter()
        .all(|c| c.evidence.iter().all(|e| !e.path.starts_with("web/"))));
}

/// `-o` onto something that is not a regular file (`/dev/null`, a FIFO) writes into it; the
/// atomic temp-and-rename would put a regular file in its place.
#[test]
fn output_into_a_fifo_keeps_the_fifo() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("out.json");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(&fifo).unwrap())
    };
    let out = aibom(&[
        "scan",
        "-q",
        "-f",
        "json",
        "-o",
        fifo.to_str().unwrap(),
        &demo(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // checked before joining: a replaced FIFO would leave the reader blocked for ever
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced");
    let bytes = reader.join().unwrap();
    assert!(aibom::render::json::parse(&bytes).is_ok());
}
