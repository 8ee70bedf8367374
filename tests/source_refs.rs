//! Golden snapshots of the `source` family over its fixtures: what code, notebooks and scripts
//! use, near-misses that must report nothing, and secrets that must never be printed.

mod common;

use aibom::render::{render, Format, RenderOptions};

#[test]
fn python() {
    insta::assert_snapshot!(common::summary(&common::scan_fixture("source/python")));
}

#[test]
fn notebook() {
    let bom = common::scan_fixture("source/notebook");
    // notebook evidence cites the JSON line and the cell
    let m = bom
        .component("model:huggingface/answerdotai/ModernBERT-base")
        .expect("model from a code cell");
    assert!(m
        .evidence
        .iter()
        .all(|e| e.cell.is_some() && e.cell_line.is_some()));
    insta::assert_snapshot!(common::summary(&bom));
}

#[test]
fn js_ts() {
    insta::assert_snapshot!(common::summary(&common::scan_fixture("source/js-ts")));
}

#[test]
fn go() {
    insta::assert_snapshot!(common::summary(&common::scan_fixture("source/go")));
}

#[test]
fn rust() {
    insta::assert_snapshot!(common::summary(&common::scan_fixture("source/rust")));
}

#[test]
fn java() {
    insta::assert_snapshot!(common::summary(&common::scan_fixture("source/java")));
}

#[test]
fn near_misses_report_nothing() {
    let bom = common::scan_fixture("source/near-misses");
    let s = common::summary(&bom);
    // imports are real uses; everything else in these files is prose, comments or aliases
    for line in s.lines() {
        assert!(
            line.starts_with("library:"),
            "near-miss reported something: {line}"
        );
    }
    assert!(bom.risks.is_empty(), "{:?}", bom.risks);
    insta::assert_snapshot!(s);
}

#[test]
fn secrets_are_reported_and_never_printed() {
    let bom = common::scan_fixture("source/secrets");
    let raw = std::fs::read_to_string(common::fixtures().join("source/secrets/.env")).unwrap()
        + &std::fs::read_to_string(common::fixtures().join("source/secrets/config.py")).unwrap();
    // every key body (what follows the first 4 characters) must be absent from every renderer
    let bodies: Vec<String> = aibom::detect::source::find_secrets(&raw)
        .iter()
        .map(|m| raw[m.start + 4..m.end].to_string())
        .collect();
    assert_eq!(bodies.len(), 5, "five live-looking keys in the fixture");
    for format in [Format::Json, Format::Cyclonedx, Format::Table] {
        let out = String::from_utf8(render(&bom, format, &RenderOptions::default())).unwrap();
        for b in &bodies {
            assert!(!out.contains(b.as_str()), "{format:?} leaks a secret");
            assert!(!out.contains(&b[..12]), "{format:?} leaks part of a secret");
        }
    }
    insta::assert_snapshot!(common::summary(&bom));
}
