use super::*;
use crate::catalog::Catalog;

fn ctx() -> Context {
    Context {
        catalog: Catalog::builtin(),
        ..Default::default()
    }
}

fn deps(text: &str) -> Vec<Dep> {
    parse_text(text)
        .into_iter()
        .filter_map(|e| match e {
            Entry::Requirement(d) => Some(*d),
            _ => None,
        })
        .collect()
}

#[test]
fn claims() {
    let c = |p: &str| {
        let name = p.rsplit('/').next().unwrap();
        let lower = name.to_lowercase();
        let ext = lower
            .rsplit_once('.')
            .map(|(_, e)| e.to_string())
            .unwrap_or_default();
        claim(&Candidate {
            rel_path: p,
            file_name: name,
            name_lower: &lower,
            ext: &ext,
            size: 1,
            cloud: false,
        })
    };
    assert_eq!(c("requirements.txt"), Claim::Yes);
    assert_eq!(c("a/requirements-dev.in"), Claim::Yes);
    assert_eq!(c("dev_requirements.txt"), Claim::Yes);
    assert_eq!(c("requirements/base.txt"), Claim::Yes);
    assert_eq!(c("notes.txt"), Claim::No);
    assert_eq!(c("requirements.md"), Claim::No);
}

#[test]
fn continuation_comments_crlf_hashes() {
    let text = "# top comment\r\ntorch==2.3.0+cu121 \\\r\n    --hash=sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa \\\r\n    --hash sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\r\n\r\nopenai>=1.30 # pinned later\r\n";
    let d = deps(text);
    assert_eq!(d.len(), 2);
    assert_eq!(d[0].name, "torch");
    assert_eq!(d[0].version.as_deref(), Some("2.3.0+cu121"));
    assert_eq!(d[0].line, Some(2));
    assert_eq!(d[0].hashes.len(), 2);
    assert_eq!(d[1].line, Some(6));
    assert_eq!(d[1].constraint.as_deref(), Some(">=1.30"));
}

#[test]
fn extras_markers_urls_vcs() {
    let text = "transformers[torch,sentencepiece]>=4.40,<5; python_version >= \"3.9\"\n\
        git+https://user:tok@github.com/huggingface/peft@v0.11.1#egg=peft\n\
        -e git+https://github.com/openai/whisper.git@ba3f3cd#egg=openai-whisper\n\
        https://download.pytorch.org/whl/cu121/torch-2.3.1%2Bcu121-cp311-cp311-linux_x86_64.whl\n\
        ./vendor/tiktoken-0.7.0-cp311-cp311-manylinux_2_17_x86_64.whl\n\
        -e .\n\
        langchain @ https://files.example.org/langchain-0.2.0.tar.gz ; sys_platform == 'linux'\n";
    let d = deps(text);
    assert_eq!(d.len(), 6, "{d:#?}");
    assert_eq!(d[0].extras, ["torch", "sentencepiece"]);
    assert_eq!(d[0].marker.as_deref(), Some("python_version >= \"3.9\""));
    assert_eq!(d[1].name, "peft");
    assert_eq!(
        d[1].source.as_deref(),
        Some("git+https://github.com/huggingface/peft@v0.11.1#egg=peft")
    );
    assert_eq!(d[2].name, "openai-whisper");
    assert_eq!(d[3].name, "torch");
    assert_eq!(d[3].version.as_deref(), Some("2.3.1+cu121"));
    assert_eq!(d[4].name, "tiktoken");
    assert_eq!(d[4].source, None);
    assert_eq!(d[5].name, "langchain");
    assert_eq!(d[5].marker.as_deref(), Some("sys_platform == 'linux'"));
}

#[test]
fn options_and_includes() {
    let e = parse_text("-i https://tok@pypi.example/simple\n--extra-index-url https://x\n-r base.txt\n--requirement=more.in\n-c constraints.txt\n-rshort.txt\n--pre\n");
    let includes: Vec<_> = e
        .iter()
        .filter_map(|e| match e {
            Entry::Include {
                constraint, path, ..
            } => Some((*constraint, path.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        includes,
        [
            (false, "base.txt"),
            (false, "more.in"),
            (true, "constraints.txt"),
            (false, "short.txt")
        ]
    );
}

#[test]
fn garbage_lines_are_invalid_not_fatal() {
    let e = parse_text("torch >> 2\n$$$ junk\nopenai\n-r\n");
    assert_eq!(
        e.iter()
            .filter(|e| matches!(e, Entry::Invalid { .. }))
            .count(),
        3
    );
    assert_eq!(deps("torch >> 2\nopenai\n").len(), 1);
}

#[test]
fn detect_reports_ai_only_with_scope() {
    let input = FileInput::from_bytes(
        "svc/requirements-dev.txt",
        b"\xEF\xBB\xBFnumpy==1.26\nopenai==1.30.1\nbad line here\n".to_vec(),
    );
    let out = detect(&input, &ctx());
    assert_eq!(out.findings.len(), 1);
    let f = &out.findings[0];
    assert_eq!(f.name, "openai");
    assert_eq!(f.version.as_deref(), Some("1.30.1"));
    assert_eq!(f.properties["scope"], "dev");
    assert_eq!(f.evidence.line, Some(2));
    assert_eq!(out.warnings.len(), 1);
    assert!(!out.failed);
}

#[test]
fn binary_is_a_failure() {
    let input = FileInput::from_bytes("requirements.txt", b"torch\0\0\x01\x02".to_vec());
    let out = detect(&input, &ctx());
    assert!(out.failed);
    assert_eq!(out.warnings.len(), 1);
}

#[test]
fn includes_outside_the_tree_are_refused() {
    let from = Node {
        rel: "a/requirements.txt".into(),
        abs: PathBuf::from("/x/a/requirements.txt"),
    };
    assert_eq!(resolve(&from, "../b/r.txt").unwrap().rel, "b/r.txt");
    assert_eq!(resolve(&from, "./sub/r.txt").unwrap().rel, "a/sub/r.txt");
    assert!(resolve(&from, "../../etc/passwd").is_err());
    assert!(resolve(&from, "/etc/passwd").is_err());
    assert!(resolve(&from, "https://example.com/r.txt").is_err());
}

#[test]
fn archive_names() {
    assert_eq!(
        archive_name_version("vllm-0.5.4-cp38-abi3-manylinux1_x86_64.whl"),
        Some(("vllm".into(), "0.5.4".into()))
    );
    assert_eq!(
        archive_name_version("llama_cpp_python-0.2.77.tar.gz"),
        Some(("llama_cpp_python".into(), "0.2.77".into()))
    );
    assert_eq!(archive_name_version("x.tar.gz"), None);
}

#[test]
fn short_option_before_multibyte_char() {
    // found by fuzzing (tests/fuzz, target requirements): `&l[..2]` split inside `ә`
    assert!(deps("-\u{4d9}nd\n-r\u{4d9}\n").is_empty());
    assert!(parse_text("-\u{4d9}\n")
        .iter()
        .all(|e| !matches!(e, Entry::Include { .. })));
    match parse_line("-r\u{4d9}.txt", 1) {
        Some(Entry::Include { path, .. }) => assert_eq!(path, "\u{4d9}.txt"),
        other => panic!("{other:?}"),
    }
}
