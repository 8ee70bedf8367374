//! `aibom diff` and `aibom merge`: golden diffs between fixture BOM pairs (native and CycloneDX
//! from other tools), a git repository built in the test, and the exit code of every
//! `--fail-on` class.

mod common;

use aibom::diff::{self, load, report, ChangeClass};
use std::path::{Path, PathBuf};
use std::process::Command;

fn pair_dir(case: &str) -> PathBuf {
    common::fixtures().join("bom-pairs").join(case)
}

/// Load a fixture BOM, labelled by its file name so goldens do not depend on the checkout.
fn load_pair(case: &str, file: &str) -> aibom::bom::Bom {
    let bytes = std::fs::read(pair_dir(case).join(file)).unwrap();
    load::parse(&bytes, file).unwrap()
}

fn release_diff() -> diff::BomDiff {
    let old = load_pair("aibom-release", "v1.2.aibom.json");
    let new = load_pair("aibom-release", "v1.3.aibom.json");
    diff::diff(&old, &new, "v1.2.aibom.json", "v1.3.aibom.json")
}

#[test]
fn native_release_pair_table() {
    insta::assert_snapshot!(report::table(&release_diff()));
}

#[test]
fn native_release_pair_json_schema() {
    let d = release_diff();
    let v: serde_json::Value = serde_json::from_slice(&report::json(&d)).unwrap();
    assert_eq!(v["schema"], "aibom-diff/v1");
    assert_eq!(v["summary"]["new-risk"], 3);
    assert_eq!(v["summary"]["hash-change"], 1);
    assert_eq!(v["changes"][0]["class"], "new-risk");
    assert_eq!(v["changes"][0]["severity"], "critical");
    insta::assert_json_snapshot!(v);
}

#[test]
fn native_release_pair_markdown() {
    insta::assert_snapshot!(report::markdown(&release_diff()));
}

#[test]
fn cdxgen_to_syft_pair() {
    let old = load_pair("cdxgen-to-syft", "old.cdx.json");
    let new = load_pair("cdxgen-to-syft", "new.cdx.json");
    let d = diff::diff(&old, &new, "old.cdx.json", "new.cdx.json");
    // Versions are matched by purl across tools, not reported as remove + add.
    assert_eq!(d.count(ChangeClass::VersionChange), 3);
    assert_eq!(d.count(ChangeClass::Removed), 1);
    insta::assert_snapshot!(report::table(&d));
}

#[test]
fn identical_boms_have_no_changes() {
    let a = load_pair("aibom-release", "v1.3.aibom.json");
    let d = diff::diff(&a, &a, "a", "a");
    assert!(d.is_empty());
    assert_eq!(report::summary_line(&d), "no AI-BOM changes");
}

#[test]
fn markdown_stays_under_the_comment_budget() {
    use aibom::bom::{Bom, Component, ComponentKind, Confidence, Evidence, Method};
    let mut new = Bom::default();
    for i in 0..3000 {
        new.components.push(Component {
            id: format!("library:pypi/pkg-{i:04}@1.0"),
            kind: ComponentKind::Library,
            name: format!("pkg-{i:04}"),
            version: Some("1.0".into()),
            purl: Some(format!("pkg:pypi/pkg-{i:04}@1.0")),
            provider: None,
            licenses: vec![],
            hashes: vec![],
            properties: Default::default(),
            depends_on: vec![],
            evidence: vec![Evidence::new(
                "requirements.txt",
                Some(i + 1),
                "t",
                Method::Manifest,
                Confidence::High,
            )],
        });
    }
    new.normalize();
    let d = diff::diff(&Bom::default(), &new, "old", "new");
    let md = report::markdown(&d);
    assert!(md.len() <= report::MARKDOWN_BUDGET, "{} bytes", md.len());
    assert!(md.contains("**Truncated:**"));
    assert_eq!(
        md.matches("<details").count(),
        md.matches("</details>").count()
    );
}

fn aibom() -> Command {
    Command::new(env!("CARGO_BIN_EXE_aibom"))
}

fn run_diff(old: &Path, new: &Path, fail_on: &str) -> (i32, String) {
    let out = aibom()
        .arg("diff")
        .arg(old)
        .arg(new)
        .args(["-f", "json", "--fail-on", fail_on])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_fail_on_class_sets_the_exit_code() {
    let old = pair_dir("aibom-release").join("v1.2.aibom.json");
    let new = pair_dir("aibom-release").join("v1.3.aibom.json");
    let cases = [
        ("new-model", "added model meta-llama/Meta-Llama-3-8B"),
        ("removed-model", "removed model bert-base-uncased"),
        ("new-library", "added library anthropic"),
        ("new-provider", "new provider/service service Anthropic API"),
        ("new-dataset", "added dataset stanfordnlp/imdb"),
        ("version-change", "version 2.1.0 → 2.3.1"),
        ("hash-change", "content changed under the same name"),
        ("license-change", "licence CC-BY-SA-4.0 → CC-BY-4.0"),
        ("provider-change", "provider openai → azure-openai"),
        ("any", "AIBOM-PICKLE-RCE"),
        ("risk:critical", "AIBOM-PICKLE-RCE"),
        ("risk:high", "AIBOM-REMOTE-CODE"),
    ];
    for (class, expect) in cases {
        let (code, err) = run_diff(&old, &new, class);
        assert_eq!(code, 1, "--fail-on {class}: {err}");
        assert!(
            err.contains(&format!("--fail-on {class}:")),
            "{class}: {err}"
        );
        assert!(
            err.contains(expect),
            "{class}: expected {expect:?} in {err}"
        );
    }
    // The reverse direction adds no library, service or dataset, and its one new risk
    // (bert's unpinned revision) is low: below the risk:medium threshold.
    for class in ["new-library", "new-provider", "new-dataset", "risk:medium"] {
        let (code, err) = run_diff(&new, &old, class);
        assert_eq!(code, 0, "reverse --fail-on {class}: {err}");
    }
    let (code, err) = run_diff(&new, &old, "new-model,risk:low");
    assert_eq!(code, 1);
    assert!(
        err.contains("--fail-on risk:low: new low risk AIBOM-UNPINNED-MODEL"),
        "{err}"
    );
    let (code, _) = run_diff(&old, &old, "any");
    assert_eq!(code, 0);
    let (code, err) = run_diff(&old, &new, "new-thing");
    assert_eq!(code, 2, "{err}");
    let out = aibom().args(["diff", "only-one.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = aibom()
        .arg("diff")
        .arg(&old)
        .arg(common::fixtures().join("does-not-exist.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

fn git(dir: &Path, args: &[&str]) {
    let st = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .unwrap();
    assert!(st.status.success(), "git {args:?}: {:?}", st);
}

#[test]
fn git_revisions_are_scanned_without_touching_the_work_tree() {
    let repo = tempfile::tempdir().unwrap();
    let r = repo.path();
    git(r, &["init", "-q", "-b", "main"]);
    std::fs::write(r.join("requirements.txt"), "torch==2.1.0\n").unwrap();
    std::fs::create_dir(r.join("src")).unwrap();
    std::fs::write(r.join("src/app.py"), "import torch\n").unwrap();
    git(r, &["add", "."]);
    git(r, &["commit", "-q", "-m", "one"]);
    git(r, &["tag", "v1"]);
    std::fs::write(
        r.join("requirements.txt"),
        "torch==2.3.1\ntransformers==4.44.2\n",
    )
    .unwrap();
    std::fs::write(
        r.join("src/model.py"),
        "from transformers import AutoModel\n",
    )
    .unwrap();
    std::fs::write(r.join("src/extra.py"), "x = 1\n").unwrap();
    git(r, &["add", "."]);
    git(r, &["commit", "-q", "-m", "two"]);
    // An uncommitted file must not be seen by either side, and must survive the diff.
    std::fs::write(r.join("src/uncommitted.py"), "y = 2\n").unwrap();

    let out = aibom()
        .current_dir(r)
        .args(["diff", "--git", "v1..main", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "aibom-diff/v1");
    // The walker saw exactly each commit's files: 2 in v1, 4 in main (not the uncommitted one).
    assert_eq!(v["old"]["coverage"]["walked"], 2, "{v}");
    assert_eq!(v["new"]["coverage"]["walked"], 4, "{v}");
    assert_eq!(v["old"]["targets"][0]["kind"], "git");
    assert!(v["old"]["targets"][0]["value"]
        .as_str()
        .unwrap()
        .starts_with("v1 ("));
    assert!(r.join("src/uncommitted.py").exists());
    let status = Command::new("git")
        .arg("-C")
        .arg(r)
        .args(["status", "--porcelain"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&status.stdout),
        "?? src/uncommitted.py\n"
    );
    let worktrees = Command::new("git")
        .arg("-C")
        .arg(r)
        .args(["worktree", "list"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&worktrees.stdout).lines().count(),
        1
    );

    // A sub-path scans only that directory; the default head is HEAD.
    let out = aibom()
        .args(["diff", "--git", "v1", "-f", "json"])
        .arg(r.join("src"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["old"]["coverage"]["walked"], 1);
    assert_eq!(v["new"]["coverage"]["walked"], 3);

    // An unknown revision is a usage error.
    let out = aibom()
        .current_dir(r)
        .args(["diff", "--git", "no-such-rev"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn merge_keeps_origins_and_dedupes() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("api.aibom.json");
    let b = dir.path().join("worker.aibom.json");
    std::fs::copy(pair_dir("aibom-release").join("v1.2.aibom.json"), &a).unwrap();
    std::fs::copy(pair_dir("aibom-release").join("v1.3.aibom.json"), &b).unwrap();
    let out_path = dir.path().join("org.aibom.json");
    let st = aibom()
        .arg("merge")
        .arg(&a)
        .arg(&b)
        .arg("-o")
        .arg(&out_path)
        .status()
        .unwrap();
    assert!(st.success());
    let bom = load::load_path(&out_path).unwrap();
    let targets: Vec<&str> = bom.targets.iter().map(|t| t.value.as_str()).collect();
    assert_eq!(targets, ["api", "worker"]);
    // openai 1.12.0 is in both: one component, two origins, evidence from each.
    let openai = bom.component("library:pypi/openai@1.12.0").unwrap();
    assert_eq!(
        openai.properties["origins"],
        serde_json::json!(["api", "worker"])
    );
    let paths: Vec<&str> = openai.evidence.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["api/requirements.txt", "worker/requirements.txt"]);
    assert!(bom
        .risks
        .iter()
        .all(|r| r.path.starts_with("api/") || r.path.starts_with("worker/")));
    insta::assert_snapshot!(common::summary(&bom));
    // Any output format, chosen from the file name.
    let md = dir.path().join("org.md");
    let st = aibom()
        .arg("merge")
        .arg(&a)
        .arg(&b)
        .arg("-o")
        .arg(&md)
        .status()
        .unwrap();
    assert!(st.success());
    assert!(std::fs::read_to_string(&md)
        .unwrap()
        .starts_with("# AI bill of materials"));
}

#[test]
fn completions_and_man_page_come_from_the_clap_definition() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = aibom().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("fail-on"),
            "{shell} completion lacks diff --fail-on"
        );
    }
    let out = aibom().arg("man").output().unwrap();
    assert!(out.status.success());
    let roff = String::from_utf8_lossy(&out.stdout);
    assert!(roff.contains(".TH aibom 1"));
    assert!(roff.contains("diff"));
    // Progress goes to a terminal only: a piped stderr stays silent.
    let out = aibom()
        .arg("scan")
        .arg(common::fixtures().join("policy"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("scanning"));
}
