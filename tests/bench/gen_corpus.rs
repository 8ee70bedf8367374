//! Writes a deterministic synthetic monorepo for benchmarking `aibom scan`.
//!
//! ```text
//! cargo run --release --example gen-corpus -- --files 200000 --out /tmp/corpus [--big-model-mb 2048]
//! ```
//!
//! The tree mixes Python/TypeScript/Go/Rust/Java/shell sources with and without AI calls,
//! manifests and lock files of every supported ecosystem (copied from the fixtures, so each parser
//! sees what its tool writes), notebooks, node_modules- and .venv-like trees (skipped by default),
//! Docker/Compose/Kubernetes/Terraform/workflow/MCP files, and model files: small real-shaped
//! ONNX/npy/pickle/PyTorch/Keras/HDF5/GGUF/safetensors files, one large safetensors file (written
//! for real, so hashing reads real bytes) and one sparse 8 GiB GGUF.
//! The same arguments always produce the same bytes.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: small, fast and deterministic across platforms
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const PY_AI: &str = r#"import os
from openai import OpenAI
from transformers import AutoModel

MODEL_ID = "bert-base-uncased"
client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])


def answer(q):
    model = AutoModel.from_pretrained(MODEL_ID)
    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": q}])
"#;

const PY_PLAIN: &str = r#"import json
import logging

log = logging.getLogger(__name__)


def load(path):
    """Read a JSON settings file."""
    with open(path) as fh:
        return json.load(fh)


def merge(a, b):
    out = dict(a)
    out.update(b)
    return out
"#;

const TS_AI: &str = r#"import { openai } from "@ai-sdk/openai";
import { generateText } from "ai";

export async function summarize(text: string) {
  const { text: out } = await generateText({ model: openai("gpt-4o-mini"), prompt: text });
  return out;
}
"#;

const TS_PLAIN: &str = r#"export interface User {
  id: string;
  name: string;
}

export function greet(u: User): string {
  return `Hello, ${u.name}`;
}
"#;

const GO_AI: &str = r#"package chat

import (
	"context"

	openai "github.com/sashabaranov/go-openai"
)

func Ask(c *openai.Client, q string) (openai.ChatCompletionResponse, error) {
	return c.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model:    "gpt-4o",
		Messages: []openai.ChatCompletionMessage{{Role: "user", Content: q}},
	})
}
"#;

const GO_PLAIN: &str = "package util\n\nimport \"strings\"\n\nfunc Clean(s string) string {\n\treturn strings.TrimSpace(s)\n}\n";

const RS_AI: &str = "use candle_core::{Device, Tensor};\n\npub fn zeros() -> candle_core::Result<Tensor> {\n    Tensor::zeros((2, 2), candle_core::DType::F32, &Device::Cpu)\n}\n";

const RS_PLAIN: &str = "pub fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn adds() {\n        assert_eq!(super::add(1, 2), 3);\n    }\n}\n";

const REQUIREMENTS: &str =
    "torch==2.3.1\ntransformers==4.44.2\nopenai==1.40.0\nrequests==2.32.3\nnumpy==1.26.4\n";

const PACKAGE_JSON: &str = r#"{
  "name": "svc",
  "version": "1.0.0",
  "dependencies": { "openai": "^4.52.0", "@ai-sdk/openai": "^0.0.40", "express": "^4.19.2" }
}
"#;

const GO_MOD: &str = "module example.com/svc\n\ngo 1.22\n\nrequire (\n\tgithub.com/sashabaranov/go-openai v1.28.1\n\tgithub.com/google/uuid v1.6.0 // indirect\n)\n";

const CARGO_TOML: &str = "[package]\nname = \"svc\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ncandle-core = \"0.6\"\nserde = \"1\"\n";

const NOTEBOOK: &str = r##"{
 "cells": [
  {"cell_type": "markdown", "metadata": {}, "source": ["# Fine-tuning\n"]},
  {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
   "source": ["from datasets import load_dataset\n", "ds = load_dataset(\"imdb\")\n"]}
 ],
 "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
 "nbformat": 4,
 "nbformat_minor": 5
}
"##;

const DOCKERFILE: &str =
    "FROM vllm/vllm-openai:v0.6.3\nCMD [\"--model\", \"mistralai/Mistral-7B-Instruct-v0.3\"]\n";

const K8S: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: tgi\nspec:\n  template:\n    spec:\n      containers:\n        - name: tgi\n          image: ghcr.io/huggingface/text-generation-inference:2.2.0\n          args: [\"--model-id\", \"bigscience/bloom-560m\"]\n";

const TERRAFORM: &str = "resource \"aws_sagemaker_endpoint\" \"e\" {\n  name                 = \"churn\"\n  endpoint_config_name = \"churn-config\"\n}\n";

/// Manifest and lock-file sets, one per package directory in rotation, taken from the real-shaped
/// fixtures so every supported ecosystem's parser is exercised on what its tool writes.
const MANIFEST_SETS: &[&[(&str, &[u8])]] = &[
    &[("requirements.txt", REQUIREMENTS.as_bytes())],
    &[("package.json", PACKAGE_JSON.as_bytes())],
    &[("go.mod", GO_MOD.as_bytes()), ("go.sum", GO_SUM.as_bytes())],
    &[("Cargo.toml", CARGO_TOML.as_bytes())],
    &[(
        "README.md",
        b"# internal package\n\nNo AI here; see the gpt-4o evaluation notes elsewhere.\n",
    )],
    &[
        (
            "package.json",
            include_bytes!("../../fixtures/node/npm-lock-v3/package.json"),
        ),
        (
            "package-lock.json",
            include_bytes!("../../fixtures/node/npm-lock-v3/package-lock.json"),
        ),
    ],
    &[
        (
            "package.json",
            include_bytes!("../../fixtures/node/yarn-classic/package.json"),
        ),
        (
            "yarn.lock",
            include_bytes!("../../fixtures/node/yarn-classic/yarn.lock"),
        ),
    ],
    &[
        (
            "package.json",
            include_bytes!("../../fixtures/node/yarn-berry/package.json"),
        ),
        (
            "yarn.lock",
            include_bytes!("../../fixtures/node/yarn-berry/yarn.lock"),
        ),
    ],
    &[
        (
            "package.json",
            include_bytes!("../../fixtures/node/pnpm-v9/package.json"),
        ),
        (
            "pnpm-lock.yaml",
            include_bytes!("../../fixtures/node/pnpm-v9/pnpm-lock.yaml"),
        ),
    ],
    &[
        (
            "pyproject.toml",
            include_bytes!("../../fixtures/python/poetry/pyproject.toml"),
        ),
        (
            "poetry.lock",
            include_bytes!("../../fixtures/python/poetry/poetry.lock"),
        ),
    ],
    &[
        (
            "pyproject.toml",
            include_bytes!("../../fixtures/python/pyproject-uv/pyproject.toml"),
        ),
        (
            "uv.lock",
            include_bytes!("../../fixtures/python/pyproject-uv/uv.lock"),
        ),
    ],
    &[
        (
            "Pipfile",
            include_bytes!("../../fixtures/python/pipenv/Pipfile"),
        ),
        (
            "Pipfile.lock",
            include_bytes!("../../fixtures/python/pipenv/Pipfile.lock"),
        ),
    ],
    &[
        (
            "setup.py",
            include_bytes!("../../fixtures/python/setuptools/setup.py"),
        ),
        (
            "setup.cfg",
            include_bytes!("../../fixtures/python/setuptools/setup.cfg"),
        ),
        (
            "environment.yml",
            include_bytes!("../../fixtures/python/conda/environment.yml"),
        ),
        ("requirements-pip.txt", b"accelerate==0.33.0\n"),
    ],
    &[
        ("Cargo.toml", CARGO_TOML.as_bytes()),
        (
            "Cargo.lock",
            include_bytes!("../../fixtures/rust/workspace/Cargo.lock"),
        ),
    ],
    &[(
        "pom.xml",
        include_bytes!("../../fixtures/jvm/maven/pom.xml"),
    )],
    &[
        (
            "build.gradle.kts",
            include_bytes!("../../fixtures/jvm/gradle-kts/app/build.gradle.kts"),
        ),
        (
            "gradle/libs.versions.toml",
            include_bytes!("../../fixtures/jvm/gradle-kts/gradle/libs.versions.toml"),
        ),
    ],
    &[(
        "build.gradle",
        include_bytes!("../../fixtures/jvm/gradle-groovy/build.gradle"),
    )],
    &[
        (
            "docker-compose.yml",
            include_bytes!("../../fixtures/infra/genai-compose/docker-compose.yml"),
        ),
        (
            ".env.example",
            include_bytes!("../../fixtures/config/env-files/.env.example"),
        ),
        (
            ".cursor/mcp.json",
            include_bytes!("../../fixtures/config/mcp-clients/.cursor/mcp.json"),
        ),
        (
            ".github/workflows/ai-review.yml",
            include_bytes!("../../fixtures/infra/workflow/.github/workflows/ai-review.yml"),
        ),
    ],
];

/// Small real-shaped model files of several formats (the big and sparse ones are written below).
const MODELS: &[(&str, &[u8])] = &[
    (
        "small/model.onnx",
        include_bytes!("../../fixtures/model/onnx/tiny.onnx"),
    ),
    (
        "small/weights.npy",
        include_bytes!("../../fixtures/model/numpy/weights.npy"),
    ),
    (
        "small/state.pkl",
        include_bytes!("../../fixtures/model/pickles/safe_state.pkl"),
    ),
    (
        "small/model.pt",
        include_bytes!("../../fixtures/model/pytorch/model.pt"),
    ),
    (
        "small/scripted.pt",
        include_bytes!("../../fixtures/model/torchscript/scripted.pt"),
    ),
    (
        "small/legacy.h5",
        include_bytes!("../../fixtures/model/keras-h5/legacy.h5"),
    ),
    (
        "small/model.keras",
        include_bytes!("../../fixtures/model/keras/lambda.keras"),
    ),
    (
        "small/tiny-llama.Q4_K_M.gguf",
        include_bytes!("../../fixtures/model/gguf/tiny-llama.Q4_K_M.gguf"),
    ),
];

const GO_SUM: &str = "github.com/google/uuid v1.6.0 h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=\ngithub.com/google/uuid v1.6.0/go.mod h1:TdyyuBtCsTS8SM7qa0zvW0s/OJ3zAbbbzrgsSaTemhs=\ngithub.com/sashabaranov/go-openai v1.28.1 h1:aREx6faUTeOZNMDTNGAY8B9vNmmN7qoGvDV0Ke2rTTM=\ngithub.com/sashabaranov/go-openai v1.28.1/go.mod h1:lj5b/K+zjTSFxVLijLSTDZuP7adOgerWeFyZLUhAKRg=\n";

const JAVA_AI: &[u8] = include_bytes!("../../fixtures/source/java/Assistant.java");

const JAVA_PLAIN: &str = "package com.example.util;\n\nimport java.util.List;\n\npublic final class Strings {\n    private Strings() {}\n\n    public static String join(List<String> parts) {\n        return String.join(\",\", parts);\n    }\n}\n";

const SHELL_AI: &str = "#!/bin/sh\nset -eu\nollama pull llama3.1:8b\npip install vllm==0.6.3\n";

fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(path, bytes)
}

fn safetensors_header(tensors: usize) -> Vec<u8> {
    let mut json = String::from("{\"__metadata__\":{\"format\":\"pt\"}");
    let mut offset = 0u64;
    for i in 0..tensors {
        let len = 4 * 16;
        json.push_str(&format!(
            ",\"layer.{i}.weight\":{{\"dtype\":\"F32\",\"shape\":[4,4],\"data_offsets\":[{offset},{}]}}",
            offset + len
        ));
        offset += len;
    }
    json.push('}');
    let mut out = (json.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(json.as_bytes());
    out.resize(out.len() + offset as usize, 0);
    out
}

fn big_safetensors(path: &Path, megabytes: u64) -> io::Result<()> {
    let bytes = megabytes * 1024 * 1024;
    let json =
        format!("{{\"w\":{{\"dtype\":\"U8\",\"shape\":[{bytes}],\"data_offsets\":[0,{bytes}]}}}}");
    let mut f = io::BufWriter::with_capacity(1 << 20, fs::File::create(path)?);
    f.write_all(&(json.len() as u64).to_le_bytes())?;
    f.write_all(json.as_bytes())?;
    let mut rng = Rng(0x5eed);
    let mut chunk = vec![0u8; 1 << 20];
    for _ in 0..megabytes {
        // pseudo-random bytes: a zero page would let a filesystem or a hasher take shortcuts
        for b in chunk.chunks_mut(8) {
            let v = rng.next().to_le_bytes();
            b.copy_from_slice(&v[..b.len()]);
        }
        f.write_all(&chunk)?;
    }
    f.flush()
}

fn main() -> io::Result<()> {
    let mut files: u64 = 10_000;
    let mut out = PathBuf::from("/tmp/aibom-corpus");
    let mut big_mb: u64 = 1024;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--files" => files = args.next().and_then(|v| v.parse().ok()).unwrap_or(files),
            "--out" => out = args.next().map(PathBuf::from).unwrap_or(out),
            "--big-model-mb" => big_mb = args.next().and_then(|v| v.parse().ok()).unwrap_or(big_mb),
            other => {
                eprintln!("gen-corpus: unknown argument {other:?}");
                std::process::exit(2);
            }
        }
    }
    if out.exists() {
        fs::remove_dir_all(&out)?;
    }
    let mut rng = Rng(0xA1B0_u64 ^ files);
    let per_pkg = 100u64;
    let mut written = 0u64;
    let mut pkg = 0u64;
    while written < files {
        let dir = out
            .join(format!("services/svc{:04}", pkg / 20))
            .join(format!("pkg{pkg:05}"));
        // one manifest set per package directory, rotating through every ecosystem
        let set = MANIFEST_SETS[(pkg as usize) % MANIFEST_SETS.len()];
        for (name, body) in set {
            write(&dir.join(name), body)?;
        }
        written += set.len() as u64;
        for i in 0..per_pkg.min(files.saturating_sub(written)) {
            let ai = rng.below(10) == 0;
            let (name, body): (String, &str) = match rng.below(100) {
                0..=34 => (format!("mod_{i}.py"), if ai { PY_AI } else { PY_PLAIN }),
                35..=59 => (format!("mod_{i}.ts"), if ai { TS_AI } else { TS_PLAIN }),
                60..=71 => (format!("mod_{i}.go"), if ai { GO_AI } else { GO_PLAIN }),
                72..=81 => (format!("mod_{i}.rs"), if ai { RS_AI } else { RS_PLAIN }),
                82..=83 => (format!("nb_{i}.ipynb"), NOTEBOOK),
                84 => (
                    format!("run_{i}.sh"),
                    if ai { SHELL_AI } else { "#!/bin/sh\necho ok\n" },
                ),
                85..=86 => (format!("Dockerfile.{i}"), DOCKERFILE),
                87..=88 => (format!("deploy_{i}.yaml"), K8S),
                89 => (format!("infra_{i}.tf"), TERRAFORM),
                90..=93 => {
                    let body = if ai {
                        std::str::from_utf8(JAVA_AI).unwrap_or(JAVA_PLAIN)
                    } else {
                        JAVA_PLAIN
                    };
                    (format!("Mod{i}.java"), body)
                }
                _ => (format!("data_{i}.txt"), "plain text, nothing to see\n"),
            };
            write(&dir.join("src").join(name), body.as_bytes())?;
            written += 1;
        }
        // vendored trees that the default skips must not pay for
        if pkg % 10 == 0 {
            for j in 0..20 {
                write(
                    &dir.join(format!("node_modules/openai/lib/f{j}.js")),
                    TS_AI.as_bytes(),
                )?;
                write(
                    &dir.join(format!(".venv/lib/python3.11/site-packages/torch/m{j}.py")),
                    PY_AI.as_bytes(),
                )?;
            }
        }
        pkg += 1;
    }
    let models = out.join("models");
    for (name, body) in MODELS {
        write(&models.join(name), body)?;
    }
    write(
        &models.join("small/model.safetensors"),
        &safetensors_header(32),
    )?;
    let mut gguf = b"GGUF".to_vec();
    gguf.extend_from_slice(&3u32.to_le_bytes());
    gguf.extend_from_slice(&0u64.to_le_bytes());
    gguf.extend_from_slice(&0u64.to_le_bytes());
    write(&models.join("small/tiny.gguf"), &gguf)?;
    // a sparse multi-GB GGUF: costs nothing to walk, and header parsing must not read it all
    let sparse = fs::File::create(models.join("sparse-8g.gguf"))?;
    sparse.set_len(8 * 1024 * 1024 * 1024)?;
    drop(sparse);
    {
        use std::io::{Seek, SeekFrom};
        let mut f = fs::OpenOptions::new()
            .write(true)
            .open(models.join("sparse-8g.gguf"))?;
        f.seek(SeekFrom::Start(0))?;
        f.write_all(&gguf)?;
    }
    if big_mb > 0 {
        fs::create_dir_all(models.join("large"))?;
        big_safetensors(&models.join("large/model.safetensors"), big_mb)?;
    }
    println!(
        "gen-corpus: {written} source/manifest files in {} package dirs, models in {}",
        pkg,
        models.display()
    );
    Ok(())
}
