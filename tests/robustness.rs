//! Any byte string given to any detector returns, without panicking, in bounded time.
//! Each generated input is offered under many real file names, so every detector that claims
//! (or sniffs) that name parses it.

use aibom::catalog::Catalog;
use aibom::detect::{registry, Candidate, Claim, Context, FileInput};
use proptest::prelude::*;
use std::sync::OnceLock;

const NAMES: &[&str] = &[
    "requirements.txt",
    "requirements-dev.in",
    "pyproject.toml",
    "poetry.lock",
    "uv.lock",
    "Pipfile",
    "Pipfile.lock",
    "setup.cfg",
    "setup.py",
    "environment.yml",
    "package.json",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "Cargo.toml",
    "Cargo.lock",
    "go.mod",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "model.safetensors",
    "model.gguf",
    "model.onnx",
    "pytorch_model.bin",
    "model.pt",
    "weights.ckpt",
    "model.pkl",
    "model.joblib",
    "arr.npy",
    "arr.npz",
    "model.keras",
    "model.h5",
    "model.tflite",
    "model.mlmodel",
    "config.json",
    "adapter_config.json",
    "model_index.json",
    "modules.json",
    "MLmodel",
    "Modelfile",
    "README.md",
    "notebook.ipynb",
    "app.py",
    "app.ts",
    "app.js",
    "main.go",
    "main.rs",
    "Main.java",
    "Main.kt",
    ".env",
    ".env.example",
    ".vscode/mcp.json",
    "claude_desktop_config.json",
    "Dockerfile",
    "docker-compose.yml",
    "deploy.yaml",
    "values.yaml",
    ".github/workflows/ci.yml",
    "dvc.yaml",
    "data.dvc",
    "dvc.lock",
    ".gitattributes",
    "main.tf",
    "template.json",
    "template.yaml",
    "export.json",
    "noext",
];

fn context() -> &'static Context {
    static CTX: OnceLock<Context> = OnceLock::new();
    CTX.get_or_init(|| Context {
        catalog: Catalog::builtin(),
        hash: true,
        ..Default::default()
    })
}

fn run_all(bytes: &[u8], cloud: bool) {
    for name in NAMES {
        let file_name = name.rsplit('/').next().unwrap_or(name);
        let lower = file_name.to_lowercase();
        let ext = lower
            .rsplit_once('.')
            .map(|(_, e)| e)
            .unwrap_or("")
            .to_string();
        let cand = Candidate {
            rel_path: name,
            file_name,
            name_lower: &lower,
            ext: &ext,
            size: bytes.len() as u64,
            cloud,
        };
        for d in registry().iter().filter(|d| d.scope.covers(cloud)) {
            let wants = match (d.claim)(&cand) {
                Claim::No => false,
                Claim::Yes => true,
                Claim::Sniff => d.sniff.is_some_and(|s| s(&bytes[..bytes.len().min(4096)])),
            };
            if wants {
                let input = FileInput::from_bytes(name, bytes.to_vec());
                let _ = (d.detect)(&input, context());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        run_all(&bytes, false);
        run_all(&bytes, true);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "(?s).{0,800}") {
        run_all(text.as_bytes(), false);
    }

    #[test]
    fn format_magic_with_garbage_never_panics(
        magic in prop::sample::select(vec![
            b"GGUF".to_vec(), b"PK\x03\x04".to_vec(), b"\x80\x04\x95".to_vec(), b"\x93NUMPY".to_vec(),
            b"\x89HDF\r\n\x1a\n".to_vec(), b"\xff\xff\xff\xff\xff\xff\xff\x7f{".to_vec(),
            b"version https://git-lfs.github.com/spec/v1\n".to_vec(), b"{\"cells\":[".to_vec(),
            b"{\"Endpoints\":[".to_vec(), b"{\"format_version\":\"1.0\",\"values\":".to_vec(),
        ]),
        tail in proptest::collection::vec(any::<u8>(), 0..1024),
    ) {
        let mut bytes = magic;
        bytes.extend(tail);
        run_all(&bytes, false);
        run_all(&bytes, true);
    }
}
