//! Golden scans of the model fixtures (fixtures/model/<case>/, made by
//! fixtures/model/generate.py). Each snapshot is the compact summary of one case.

mod common;

use aibom::bom::Bom;

fn case(name: &str) -> Bom {
    common::scan_fixture(&format!("model/{name}"))
}

macro_rules! golden {
    ($($test:ident => $case:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                insta::assert_snapshot!(common::summary(&case($case)));
            }
        )*
    };
}

golden! {
    safetensors_single => "safetensors",
    hf_sharded_directory => "hf-sharded",
    hf_remote_code => "hf-remote-code",
    peft_adapter => "peft-adapter",
    diffusers_pipeline => "diffusers",
    sentence_transformers => "sentence-transformers",
    gguf_header => "gguf",
    gguf_template_injection => "gguf-template",
    onnx_model => "onnx",
    onnx_external_data_traversal => "onnx-external",
    pickles => "pickles",
    pytorch_zip => "pytorch",
    pytorch_hidden_member => "pytorch-hidden",
    pytorch_legacy => "pytorch-legacy",
    torchscript => "torchscript",
    numpy_plain => "numpy",
    numpy_object_arrays => "numpy-object",
    keras_lambda => "keras",
    keras_h5_lambda => "keras-h5",
    lfs_pointer => "lfs",
    llamafile => "llamafile",
    mislabelled => "mislabelled",
    mlflow => "mlflow",
    ollama => "ollama",
    tf_savedmodel => "savedmodel",
    hostile => "hostile",
}

/// Rules each case must raise: the snapshots show everything, these pin the verdicts so a
/// snapshot update cannot silently lose one.
#[test]
fn verdicts_are_pinned() {
    let expect: &[(&str, &str, &str)] = &[
        ("pickles", "global_os_system.pkl", "AIBOM-PICKLE-RCE"),
        ("pickles", "stack_global.pkl", "AIBOM-PICKLE-RCE"),
        ("pickles", "memo_binget.pkl", "AIBOM-PICKLE-RCE"),
        ("pickles", "proto0_inst.pickle", "AIBOM-PICKLE-RCE"),
        ("pickles", "getattr_chain.pkl", "AIBOM-PICKLE-RCE"),
        ("pickles", "nested_loads.pkl", "AIBOM-PICKLE-RCE"),
        ("pickles", "collect_env.pkl", "AIBOM-PICKLE-RCE"),
        ("pickles", "pandas_url.pkl", "AIBOM-PICKLE-RCE"),
        ("pickles", "truncated.pkl", "AIBOM-PICKLE-RCE"),
        ("pickles", "truncated.pkl", "AIBOM-MALFORMED"),
        ("pickles", "unknown_global.joblib", "AIBOM-PICKLE-UNKNOWN"),
        ("pickles", "safe_state.pkl", "AIBOM-PICKLE-UNSAFE-FORMAT"),
        ("pytorch-hidden", "checkpoint.pth", "AIBOM-PICKLE-RCE"),
        ("numpy-object", "arrays.npz", "AIBOM-PICKLE-RCE"),
        ("numpy-object", "evil.npy", "AIBOM-PICKLE-RCE"),
        ("mislabelled", "payload.gguf", "AIBOM-PICKLE-RCE"),
        ("mislabelled", "payload.gguf", "AIBOM-MALFORMED"),
        ("mislabelled", "notes.safetensors", "AIBOM-MALFORMED"),
        ("hostile", "slip.pt", "AIBOM-ARCHIVE-TRAVERSAL"),
        ("hostile", "bomb.npz", "AIBOM-ARCHIVE-BOMB"),
        ("hostile", "huge-header.safetensors", "AIBOM-MALFORMED"),
        ("hostile", "counts.gguf", "AIBOM-MALFORMED"),
        ("hostile", "empty.safetensors", "AIBOM-MALFORMED"),
        ("gguf-template", "evil.gguf", "AIBOM-GGUF-TEMPLATE"),
        (
            "onnx-external",
            "traversal.onnx",
            "AIBOM-ONNX-EXTERNAL-DATA",
        ),
        ("keras", "lambda.keras", "AIBOM-KERAS-LAMBDA"),
        ("keras-h5", "legacy.h5", "AIBOM-KERAS-LAMBDA"),
        ("torchscript", "scripted.pt", "AIBOM-TORCHSCRIPT-CODE"),
        ("llamafile", "tiny.llamafile", "AIBOM-EXECUTABLE-MODEL"),
        (
            "savedmodel",
            "exported_classifier/saved_model.pb",
            "AIBOM-TF-GRAPH-FILE-IO",
        ),
        ("hf-remote-code", "custom/config.json", "AIBOM-REMOTE-CODE"),
        (
            "sentence-transformers",
            "st-model/modules.json",
            "AIBOM-REMOTE-CODE",
        ),
        (
            "sentence-transformers",
            "st-model/model.safetensors.index.json",
            "AIBOM-MALFORMED",
        ),
        (
            "hf-remote-code",
            "custom/tokenizer_config.json",
            "AIBOM-REMOTE-CODE",
        ),
        (
            "hf-remote-code",
            "custom/tokenizer_config.json",
            "AIBOM-GGUF-TEMPLATE",
        ),
    ];
    for (c, path, rule) in expect {
        let bom = case(c);
        assert!(
            bom.risks.iter().any(|r| r.path == *path && r.rule == *rule),
            "{c}/{path}: expected {rule}, got {:?}",
            bom.risks
                .iter()
                .map(|r| (&r.path, &r.rule))
                .collect::<Vec<_>>()
        );
    }
    // safe files stay free of the dangerous verdicts
    for c in [
        "safetensors",
        "gguf",
        "onnx",
        "numpy",
        "pytorch",
        "pytorch-legacy",
    ] {
        let bom = case(c);
        assert!(
            !bom.risks
                .iter()
                .any(|r| r.rule == "AIBOM-PICKLE-RCE" || r.rule == "AIBOM-MALFORMED"),
            "{c}: {:?}",
            bom.risks
        );
    }
}

#[test]
fn sharded_directory_is_one_model_with_its_parts() {
    let bom = case("hf-sharded");
    let models: Vec<_> = bom
        .components
        .iter()
        .filter(|c| c.prop_str("source") == Some("directory"))
        .collect();
    assert_eq!(models.len(), 1);
    let m = models[0];
    assert_eq!(m.properties["parameters"], 36);
    assert_eq!(m.licenses, vec!["Apache-2.0".to_string()]);
    assert!(m
        .depends_on
        .contains(&"model:huggingface/google-bert/bert-base-uncased".to_string()));
    assert!(m
        .depends_on
        .contains(&"dataset:huggingface/stanfordnlp/imdb".to_string()));
    // the two shard files are evidence of the directory, not components of their own
    assert!(m
        .evidence
        .iter()
        .any(|e| e.path.ends_with("model-00002-of-00002.safetensors")));
}

#[test]
fn no_hash_identifies_by_path() {
    let bom = common::scan_with("model/safetensors", |o| o.context.hash = false);
    assert_eq!(bom.components[0].id, "model:model.safetensors");
    assert!(bom.components[0].hashes.is_empty());
}

#[cfg(unix)]
#[test]
fn fifo_named_like_a_model_is_never_opened() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("weights.bin");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        return; // no mkfifo on this system: nothing to test
    }
    std::fs::write(dir.path().join("empty.gguf"), b"").unwrap();
    let bom = aibom::scan::run_scan(&aibom::scan::ScanOptions {
        paths: vec![dir.path().to_path_buf()],
        ..Default::default()
    })
    .unwrap();
    assert_eq!(bom.coverage.skipped.get("special-file"), Some(&1));
    assert!(bom
        .risks
        .iter()
        .any(|r| r.path == "empty.gguf" && r.rule == "AIBOM-MALFORMED"));
}

/// Every model detector survives truncated and bit-flipped versions of every fixture: no panic,
/// and a claimed broken file is reported, never silently passed.
#[test]
fn mangled_fixtures_never_panic() {
    use aibom::detect::{model::DETECTORS, Context, FileInput};
    let ctx = Context {
        hash: true,
        ..Default::default()
    };
    let mut files = Vec::new();
    let mut stack = vec![common::fixtures().join("model")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_none_or(|x| x != "py") {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut runs = 0;
    for p in &files {
        let bytes = std::fs::read(p).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let len = bytes.len();
        let mut variants: Vec<Vec<u8>> = [
            0,
            1,
            7,
            8,
            9,
            16,
            31,
            64,
            len / 3,
            len / 2,
            len.saturating_sub(1),
        ]
        .iter()
        .filter(|&&n| n <= len)
        .map(|&n| bytes[..n].to_vec())
        .collect();
        for at in [4usize, 8, 12, 20, 40, len / 2] {
            if at < len {
                let mut v = bytes.clone();
                v[at] ^= 0xff;
                variants.push(v);
            }
        }
        for v in variants {
            for d in DETECTORS {
                let input = FileInput::from_bytes(&name, v.clone());
                let _ = (d.detect)(&input, &ctx);
                runs += 1;
            }
        }
    }
    assert!(runs > 1000, "only {runs} runs");
}
