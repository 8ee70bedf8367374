//! A hand-built BOM that exercises every renderer path: all six kinds, a model with model-card
//! data and a dataset dependency, a fine-tuned model with a base model, SPDX ids (exact and
//! lower-case), a compound expression and non-SPDX licence names, hashes, notebook evidence,
//! risks of every severity (one for a redacted secret), warnings, skipped directories,
//! repository metadata and non-ASCII names. Built through the real `Finding` → `merge` path so
//! ids are what detectors would produce.

use aibom::bom::{
    merge, Bom, ComponentKind, Confidence, Coverage, Evidence, Finding, Hash, Method, Risk,
    Severity, Target, Tool, Warning,
};
use std::collections::BTreeMap;

fn ev(path: &str, line: Option<u32>, detector: &str, method: Method, c: Confidence) -> Evidence {
    Evidence::new(path, line, detector, method, c)
}

fn risk(
    rule: &str,
    severity: Severity,
    component: Option<&str>,
    path: &str,
    line: Option<u32>,
    message: &str,
) -> Risk {
    Risk {
        rule: rule.to_string(),
        severity,
        component: component.map(str::to_string),
        message: message.to_string(),
        path: path.to_string(),
        line,
    }
}

pub const LLAMA: &str =
    "model:huggingface/meta-llama/Llama-3.1-8B-Instruct@0e9e39f249a16976918f6564b8830bc894c89659";
pub const SQUAD: &str = "dataset:huggingface/rajpurkar/squad";
pub const CORPUS: &str = "dataset:日本語コーパス";
pub const GGUF_SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
pub const PICKLE_SHA: &str = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";

/// The sample findings, before merge.
pub fn findings() -> Vec<Finding> {
    use ComponentKind::*;
    use Confidence::*;
    let mut out = Vec::new();

    // A hub model referenced from code and from a notebook, with card data and two datasets.
    let mut llama = Finding::new(
        Model,
        "meta-llama/Llama-3.1-8B-Instruct",
        ev(
            "src/chat.py",
            Some(12),
            "hf-from-pretrained",
            Method::ApiCall,
            High,
        ),
    )
    .with_purl("pkg:huggingface/meta-llama/Llama-3.1-8B-Instruct")
    .with_version(Some("0e9e39f249a16976918f6564b8830bc894c89659".into()))
    .with_provider("huggingface")
    .prop("architecture", "LlamaForCausalLM")
    .prop("model_type", "llama")
    .prop("pipeline_tag", "text-generation")
    .prop("source", "hub-reference")
    .prop("language", serde_json::json!(["en", "de", "ja"]));
    llama.licenses = vec!["llama3.1".into()];
    llama.depends_on = vec![
        SQUAD.into(),
        CORPUS.into(),
        "model:unknown/never-found".into(),
    ];
    llama.evidence.snippet = Some(r#"AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B-Instruct", revision="0e9e39f")"#.into());
    out.push(llama.clone());
    let mut nb = llama.clone();
    nb.evidence = ev(
        "notebooks/探索.ipynb",
        Some(48),
        "notebook",
        Method::ApiCall,
        Medium,
    );
    nb.evidence.cell = Some(2);
    nb.evidence.cell_line = Some(3);
    out.push(nb);

    // A local GGUF file: identity by sha256, header facts, a lower-case SPDX id.
    let mut gguf = Finding::new(
        Model,
        "models/tinyllama-1.1b-chat.Q4_K_M.gguf",
        ev(
            "models/tinyllama-1.1b-chat.Q4_K_M.gguf",
            None,
            "gguf-header",
            Method::BinaryHeader,
            High,
        ),
    )
    .with_identity(format!("sha256:{GGUF_SHA}"))
    .prop("format", "gguf")
    .prop("architecture", "llama")
    .prop("quantization", "Q4_K_M")
    .prop("parameters", 1_100_048_384u64)
    .prop("context-length", 2048)
    .prop("general.name", "TinyLlama 1.1B Chat");
    gguf.licenses = vec!["apache-2.0".into()];
    gguf.hashes = vec![Hash {
        alg: "SHA-256".into(),
        value: GGUF_SHA.into(),
    }];
    gguf.depends_on = vec![LLAMA.into()];
    out.push(gguf);

    // A pickle with a dangerous import and a non-ASCII file name; an odd hash algorithm.
    let mut pickle = Finding::new(
        Model,
        "models/klassifikator-größe.pkl",
        ev(
            "models/klassifikator-größe.pkl",
            None,
            "pickle",
            Method::BinaryHeader,
            High,
        ),
    )
    .with_identity(format!("sha256:{PICKLE_SHA}"))
    .prop("format", "pickle")
    .prop(
        "imports",
        serde_json::json!(["os.system", "sklearn.svm._classes.SVC"]),
    );
    pickle.hashes = vec![
        Hash {
            alg: "sha256".into(),
            value: PICKLE_SHA.into(),
        },
        Hash {
            alg: "CRC32".into(),
            value: "cbf43926".into(),
        },
    ];
    out.push(pickle);

    // A hosted API model.
    out.push(
        Finding::new(
            Model,
            "gpt-4o",
            ev(
                "src/chat.py",
                Some(30),
                "python-openai",
                Method::ApiCall,
                High,
            ),
        )
        .with_identity("openai/gpt-4o")
        .with_provider("openai")
        .prop("source", "api"),
    );

    // Datasets: a hub dataset (SPDX licence) and a DVC-tracked one with a Japanese name.
    let mut squad = Finding::new(
        Dataset,
        "rajpurkar/squad",
        ev(
            "src/train.py",
            Some(8),
            "hf-load-dataset",
            Method::ApiCall,
            High,
        ),
    )
    .with_identity("huggingface/rajpurkar/squad")
    .with_provider("huggingface")
    .prop("url", "https://huggingface.co/datasets/rajpurkar/squad");
    squad.licenses = vec!["CC-BY-SA-4.0".into()];
    out.push(squad);
    out.push(
        Finding::new(
            Dataset,
            "日本語コーパス",
            ev(
                "data/コーパス.dvc",
                Some(1),
                "dvc",
                Method::Manifest,
                Medium,
            ),
        )
        .prop("classification", "internal"),
    );

    // Libraries: a framework declared and locked (one component, two evidence entries), a hub
    // library, an npm scope, a compound licence, a declared-only dependency.
    let declared = Finding::new(
        Library,
        "torch",
        ev(
            "requirements.txt",
            Some(3),
            "python-requirements",
            Method::Manifest,
            High,
        ),
    )
    .with_purl("pkg:pypi/torch")
    .with_version(Some("2.3.1".into()))
    .prop("category", "framework")
    .prop("constraint", "==2.3.1")
    .prop("scope", "direct");
    let mut locked = declared.clone();
    locked.evidence = ev(
        "uv.lock",
        Some(812),
        "python-uv-lock",
        Method::Lockfile,
        High,
    );
    locked.licenses = vec!["BSD-3-Clause".into()];
    out.push(declared);
    out.push(locked);
    let mut transformers = Finding::new(
        Library,
        "transformers",
        ev(
            "uv.lock",
            Some(1650),
            "python-uv-lock",
            Method::Lockfile,
            High,
        ),
    )
    .with_purl("pkg:pypi/transformers")
    .with_version(Some("4.44.2".into()))
    .with_provider("huggingface")
    .prop("category", "hub")
    .prop("scope", "direct");
    transformers.licenses = vec!["Apache-2.0".into()];
    out.push(transformers);
    let mut lc = Finding::new(
        Library,
        "@langchain/core",
        ev(
            "web/package-lock.json",
            Some(77),
            "npm-package-lock",
            Method::Lockfile,
            High,
        ),
    )
    .with_purl("pkg:npm/%40langchain/core")
    .with_version(Some("0.2.20".into()))
    .with_provider("langchain")
    .prop("category", "agent")
    .prop("dev", false);
    lc.licenses = vec!["MIT".into()];
    out.push(lc);
    let mut candle = Finding::new(
        Library,
        "candle-core",
        ev(
            "Cargo.lock",
            Some(240),
            "cargo-lock",
            Method::Lockfile,
            High,
        ),
    )
    .with_purl("pkg:cargo/candle-core")
    .with_version(Some("0.6.0".into()))
    .with_provider("huggingface")
    .prop("category", "inference");
    candle.licenses = vec!["MIT OR Apache-2.0".into()];
    out.push(candle);
    out.push(
        Finding::new(
            Library,
            "openai",
            ev(
                "pyproject.toml",
                Some(14),
                "python-pyproject",
                Method::Manifest,
                High,
            ),
        )
        .with_purl("pkg:pypi/openai")
        .with_provider("openai")
        .prop("category", "llm-sdk")
        .prop("constraint", ">=1.30,<2"),
    );

    // A serving container.
    out.push(
        Finding::new(
            Container,
            "vllm/vllm-openai",
            ev(
                "deploy/compose.yaml",
                Some(5),
                "docker-compose",
                Method::ConfigKey,
                High,
            ),
        )
        .with_purl("pkg:docker/vllm/vllm-openai")
        .with_version(Some("v0.5.4".into()))
        .prop("category", "serving"),
    );

    // Services: a hosted API with a real endpoint, one whose endpoint is a template.
    let mut openai = Finding::new(
        Service,
        "OpenAI API",
        ev(
            "src/chat.py",
            Some(5),
            "python-openai",
            Method::ImportStatement,
            High,
        ),
    )
    .with_provider("openai")
    .prop("endpoint", "https://api.openai.com/v1");
    openai.depends_on = vec!["model:openai/gpt-4o".into()];
    out.push(openai);
    out.push(
        Finding::new(
            Service,
            "Azure OpenAI",
            ev(
                "infra/main.tf",
                Some(21),
                "terraform",
                Method::ConfigKey,
                Medium,
            ),
        )
        .with_provider("microsoft")
        .prop("endpoint", "https://${var.resource}.openai.azure.com/")
        .prop("deployment", "chat-prod"),
    );

    // An MCP server launched with npx, and a local one reached over loopback.
    out.push(
        Finding::new(
            McpServer,
            "@modelcontextprotocol/server-github",
            ev(
                ".cursor/mcp.json",
                Some(4),
                "mcp-config",
                Method::ConfigKey,
                High,
            ),
        )
        .with_purl("pkg:npm/%40modelcontextprotocol/server-github")
        .prop("command", "npx")
        .prop("transport", "stdio")
        .prop("env", serde_json::json!(["GITHUB_TOKEN"])),
    );
    out.push(
        Finding::new(
            McpServer,
            "local-tools",
            ev(
                ".vscode/mcp.json",
                Some(9),
                "mcp-config",
                Method::ConfigKey,
                High,
            ),
        )
        .prop("endpoint", "http://127.0.0.1:8931/mcp")
        .prop("transport", "http"),
    );
    out
}

/// The sample BOM, normalized as `run_scan` leaves it.
pub fn bom() -> Bom {
    let pickle_id = format!("model:sha256:{PICKLE_SHA}");
    let mut metadata = BTreeMap::new();
    metadata.insert(
        "assistant-instructions".to_string(),
        serde_json::json!([".github/copilot-instructions.md", "AGENTS.md"]),
    );
    let mut skipped = BTreeMap::new();
    skipped.insert("node_modules".to_string(), 3);
    skipped.insert(".git".to_string(), 1);
    let mut bom = Bom {
        targets: vec![Target {
            kind: "path".into(),
            value: ".".into(),
        }],
        components: merge::merge(findings()),
        risks: vec![
            risk(
                "AIBOM-PICKLE-RCE",
                Severity::Critical,
                Some(&pickle_id),
                "models/klassifikator-größe.pkl",
                None,
                "pickle imports os.system (runs a shell command on load)",
            ),
            risk(
                "AIBOM-PICKLE-UNSAFE-FORMAT",
                Severity::Info,
                Some(&pickle_id),
                "models/klassifikator-größe.pkl",
                None,
                "pickle-based format executes code when loaded; prefer safetensors",
            ),
            risk(
                "AIBOM-SECRET",
                Severity::High,
                Some("service:openai api"),
                "config/.env",
                Some(2),
                "OpenAI API key sk-p…(redacted, 51 chars) committed to the tree",
            ),
            risk(
                "AIBOM-LICENSE-RESTRICTIVE",
                Severity::Low,
                Some(LLAMA),
                "src/chat.py",
                Some(12),
                "llama3.1 licence carries use restrictions",
            ),
            risk(
                "AIBOM-REMOTE-CODE",
                Severity::High,
                None,
                "src/chat.py",
                Some(40),
                "from_pretrained(..., trust_remote_code=True) runs code from the model repository",
            ),
            risk(
                "AIBOM-MALFORMED",
                Severity::Medium,
                None,
                "weights/broken.safetensors",
                None,
                "header length 18446744073709551615 exceeds file size 64",
            ),
        ],
        warnings: vec![
            Warning::new(
                "weights/broken.safetensors",
                Some("safetensors-header"),
                "header length 18446744073709551615 exceeds file size 64",
            ),
            Warning::new(
                "requirements-dev.txt",
                Some("python-requirements"),
                "line 7: cannot parse requirement \"torch>=\"",
            ),
            Warning::new(
                "models/loop",
                None,
                "symlink loop back to models; not followed",
            ),
        ],
        coverage: Coverage {
            walked: 42,
            claimed: 17,
            parsed: 15,
            failed: 2,
            skipped,
        },
        metadata,
        // Fixed, so the golden files do not change with every release.
        tool: Tool {
            name: "aibom".into(),
            version: "0.1.0".into(),
        },
        ..Bom::default()
    };
    bom.normalize();
    bom
}
