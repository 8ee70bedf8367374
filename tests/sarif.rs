//! SARIF 2.1.0 output: valid against the vendored OASIS schema (scan and check), every rule
//! documented, fingerprints stable when lines move.

mod common;

use aibom::policy::{self, config, Date};
use aibom::render::{self, sarif, Format, RenderOptions};
use serde_json::Value;

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(include_str!("schemas/sarif/sarif-schema-2.1.0.json"))
        .expect("vendored schema parses");
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

fn assert_valid(doc: &Value) {
    let v = validator();
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{}: {}", e.instance_path(), e))
        .collect();
    assert!(errors.is_empty(), "SARIF invalid:\n{}", errors.join("\n"));
}

fn release_bom() -> aibom::bom::Bom {
    let mut bom = aibom::diff::load::load_path(
        &common::fixtures().join("bom-pairs/aibom-release/v1.3.aibom.json"),
    )
    .unwrap();
    bom.warnings.push(aibom::bom::Warning::new(
        "models/broken.safetensors",
        Some("safetensors"),
        "header length exceeds file size",
    ));
    bom
}

fn scan_sarif(bom: &aibom::bom::Bom) -> Value {
    let bytes = render::render(bom, Format::Sarif, &RenderOptions::default());
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn scan_sarif_is_schema_valid_and_complete() {
    let doc = scan_sarif(&release_bom());
    assert_valid(&doc);
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    // Every risk rule and every policy rule is described, with help from docs/rules.md.
    assert_eq!(
        rules.len(),
        aibom::risk::RULES.len() + aibom::policy::RuleId::ALL.len()
    );
    for r in rules {
        assert!(!r["help"]["markdown"].as_str().unwrap().is_empty());
        assert!(
            r["fullDescription"]["text"].as_str().unwrap().len() > 20,
            "{r}"
        );
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    let rce = &results[0];
    assert_eq!(rce["ruleId"], "AIBOM-PICKLE-RCE");
    assert_eq!(rce["level"], "error");
    let idx = rce["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[idx]["id"], "AIBOM-PICKLE-RCE");
    let remote = &results[1];
    assert_eq!(
        remote["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "src/llm.py"
    );
    assert_eq!(
        remote["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
        "%SRCROOT%"
    );
    assert_eq!(
        remote["locations"][0]["physicalLocation"]["region"]["startLine"],
        21
    );
    assert_eq!(results[3]["level"], "note");
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), 1);
}

#[test]
fn check_sarif_is_schema_valid_with_suppressions() {
    let dir = common::fixtures().join("policy/every-rule");
    let bom = aibom::diff::load::load_path(&dir.join("aibom.json")).unwrap();
    let policy =
        config::parse(&std::fs::read_to_string(dir.join("aibom-policy.toml")).unwrap()).unwrap();
    let report = policy::check(&bom, &policy, Date::parse("2025-06-01").unwrap());
    let doc: Value = serde_json::from_slice(&sarif::render_check(&bom, &report)).unwrap();
    assert_valid(&doc);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), report.violations.len());
    let suppressed = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .count();
    assert_eq!(suppressed, 2);
    assert_eq!(doc["runs"][0]["automationDetails"]["id"], "aibom/check/");
}

#[test]
fn fingerprints_survive_moved_lines_and_differ_elsewhere() {
    let bom = release_bom();
    // Messages that mention their own line, as some detectors write them.
    let fp = |doc: &Value, i: usize| {
        doc["runs"][0]["results"][i]["partialFingerprints"]["aibomFinding/v1"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let with_lines = |shift: u32| {
        let mut b = bom.clone();
        for r in &mut b.risks {
            if let Some(l) = r.line {
                r.line = Some(l + shift);
                r.message = format!("{} (line {})", r.message, l + shift);
            }
        }
        b
    };
    let before = scan_sarif(&with_lines(0));
    let moved = with_lines(7);
    let after = scan_sarif(&moved);
    for i in 0..4 {
        assert_eq!(fp(&before, i), fp(&after, i), "result {i} churned");
    }
    let all: std::collections::BTreeSet<String> = (0..4).map(|i| fp(&before, i)).collect();
    assert_eq!(all.len(), 4, "distinct findings share a fingerprint");
    // Byte-identical output for the same input.
    assert_eq!(
        render::render(&bom, Format::Sarif, &RenderOptions::default()),
        render::render(&bom, Format::Sarif, &RenderOptions::default())
    );
}

#[test]
fn scan_cli_writes_sarif_by_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("aibom.sarif");
    let st = std::process::Command::new(env!("CARGO_BIN_EXE_aibom"))
        .arg("scan")
        .arg(dir.path())
        .arg("-o")
        .arg(&out)
        .arg("-q")
        .status()
        .unwrap();
    assert!(st.success());
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_valid(&doc);
    assert_eq!(doc["version"], "2.1.0");
}
