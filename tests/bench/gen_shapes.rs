//! Writes valid files of unusual size and shape, one per directory, to show that scan time
//! grows linearly with the number of entries in a file.
//!
//! ```text
//! cargo run --release --example gen-shapes -- --entries 20000 --out /tmp/shapes
//! ```
//!
//! Each shape is a file a generator, a minifier or a large project could write: a Python
//! module holding a 20 000-entry table, a minified package.json, a Pipfile.lock on one line, a
//! build file with thousands of dependencies, a file full of keys. Every file also names one
//! AI package or call, so the detectors read it to the end. `tests/bench/run.sh` scans each at
//! two sizes and reports the ratio: four times the entries should cost about four times the time.
//! The same arguments always produce the same bytes.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

fn write(path: &Path, text: &str) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(path, text)
}

/// `n` items joined by `sep`, each from `item(i)`.
fn join(n: usize, sep: &str, item: impl Fn(usize) -> String) -> String {
    (0..n).map(item).collect::<Vec<_>>().join(sep)
}

/// A key-shaped token with a deterministic body (never a real key).
fn fake_key(i: usize) -> String {
    let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut body = String::from("hf_");
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    for _ in 0..36 {
        x ^= x >> 29;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        body.push(ALPHABET[(x % ALPHABET.len() as u64) as usize] as char);
    }
    body
}

fn shapes(n: usize) -> Vec<(&'static str, &'static str, String)> {
    let mut v = Vec::new();
    let mut py_dict = String::from("import openai\n\nTABLE = {\n");
    for i in 0..n {
        let _ = writeln!(py_dict, "    \"key{i}\": \"value{i}\",");
    }
    py_dict.push_str("}\nclient = openai.OpenAI()\n");
    v.push(("py-dict-literal", "table.py", py_dict));
    let mut py_consts = String::from("import openai\n\nclient = openai.OpenAI()\n");
    for i in 0..n {
        let _ = writeln!(py_consts, "M{i} = \"model-{i}\"");
    }
    for i in (0..n).step_by(8) {
        let _ = writeln!(py_consts, "client.chat.completions.create(model=M{i})");
    }
    v.push(("py-constants", "consts.py", py_consts));
    let mut py_def = String::from("import openai\n\nclient = openai.OpenAI()\n\n\ndef run():\n");
    for i in 0..n / 2 {
        let _ = writeln!(
            py_def,
            "    model = \"gpt-4o-{i}\"\n    client.chat.completions.create(model=model)"
        );
    }
    v.push(("py-long-function", "run.py", py_def));
    let mut js = String::from("import OpenAI from \"openai\";\n\nexport const TABLE = {\n");
    for i in 0..n {
        let _ = writeln!(js, "  k{i}: \"v{i}\",");
    }
    js.push_str("};\n");
    v.push(("ts-object-literal", "table.ts", js));
    let mut go = String::from(
        "package table\n\nimport \"github.com/sashabaranov/go-openai\"\n\nvar _ = openai.GPT4o\n\nvar Table = map[string]string{\n",
    );
    for i in 0..n {
        let _ = writeln!(go, "\t\"k{i}\": \"v{i}\",");
    }
    go.push_str("}\n");
    v.push(("go-map-literal", "table.go", go));
    let mut rs =
        String::from("use async_openai::Client;\n\npub const TABLE: &[(&str, &str)] = &[\n");
    for i in 0..n {
        let _ = writeln!(rs, "    (\"k{i}\", \"v{i}\"),");
    }
    rs.push_str("];\n");
    v.push(("rs-const-table", "table.rs", rs));
    let deps = join(n, ",", |i| format!("\"pkg-{i}\":\"^1.0.{i}\""));
    v.push((
        "package-json-minified",
        "package.json",
        format!("{{\"name\":\"app\",\"dependencies\":{{{deps},\"openai\":\"4.52.0\"}}}}"),
    ));
    let deps = join(n, ",\n    ", |i| format!("\"pkg-{i}\": \"^1.0.{i}\""));
    v.push((
        "package-json",
        "package.json",
        format!("{{\n  \"name\": \"app\",\n  \"dependencies\": {{\n    {deps},\n    \"openai\": \"4.52.0\"\n  }}\n}}\n"),
    ));
    let pkgs = join(n, ",", |i| {
        format!("\"pkg-{i}\":{{\"hashes\":[],\"version\":\"==1.0.{i}\"}}")
    });
    v.push((
        "pipfile-lock-one-line",
        "Pipfile.lock",
        format!("{{\"_meta\":{{\"hash\":{{}}}},\"default\":{{{pkgs},\"torch\":{{\"version\":\"==2.3.1\"}}}},\"develop\":{{}}}}"),
    ));
    let pom_deps = join(n, "\n", |i| {
        format!("    <dependency><groupId>org.example</groupId><artifactId>lib-{i}</artifactId><version>1.0.{i}</version></dependency>")
    });
    v.push((
        "pom-xml",
        "pom.xml",
        format!("<project>\n  <dependencies>\n{pom_deps}\n    <dependency><groupId>dev.langchain4j</groupId><artifactId>langchain4j</artifactId><version>1.0.0</version></dependency>\n  </dependencies>\n</project>\n"),
    ));
    let gradle = join(n, "\n", |i| {
        format!("    implementation 'org.example:lib-{i}:1.0.{i}'")
    });
    v.push((
        "build-gradle",
        "build.gradle",
        format!("dependencies {{\n{gradle}\n    implementation 'dev.langchain4j:langchain4j:1.0.0'\n}}\n"),
    ));
    let libs = join(n, "\n", |i| {
        format!("lib{i} = {{ module = \"org.example:lib-{i}\", version = \"1.0.{i}\" }}")
    });
    v.push((
        "gradle-version-catalog",
        "gradle/libs.versions.toml",
        format!("[libraries]\n{libs}\nlc4j = {{ module = \"dev.langchain4j:langchain4j\", version = \"1.0.0\" }}\n"),
    ));
    let crates = join(n, "\n", |i| format!("crate-{i} = \"1.0.{i}\""));
    v.push((
        "cargo-toml",
        "Cargo.toml",
        format!("[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\n{crates}\nasync-openai = \"0.23\"\n"),
    ));
    let conda = join(n, "\n", |i| format!("  - pkg-{i}=1.0.{i}"));
    v.push((
        "conda-environment",
        "environment.yml",
        format!("name: app\ndependencies:\n{conda}\n  - pytorch=2.3.1\n"),
    ));
    v.push((
        "requirements",
        "requirements.txt",
        format!(
            "{}\ntorch==2.3.1\n",
            join(n, "\n", |i| format!("pkg-{i}==1.0.{i}"))
        ),
    ));
    v.push((
        "secrets-one-per-line",
        "keys.env",
        join(n, "", |i| format!("KEY_{i}={}\n", fake_key(i))),
    ));
    v.push((
        "secrets-one-line",
        "keys.txt",
        join(n / 4, " ", fake_key) + "\n",
    ));
    let cells = join(n / 10, ",\n", |i| {
        format!(
            "  {{\"cell_type\": \"code\", \"execution_count\": {i}, \"metadata\": {{}}, \"outputs\": [], \"source\": [{}]}}",
            join(10, ", ", |j| format!("\"x_{i}_{j} = \\\"a\\/b\\\"\\n\""))
        )
    });
    v.push((
        "notebook-many-cells",
        "many.ipynb",
        format!("{{\n \"cells\": [\n  {{\"cell_type\": \"code\", \"metadata\": {{}}, \"outputs\": [], \"source\": [\"import openai\\n\"]}},\n{cells}\n ],\n \"metadata\": {{}},\n \"nbformat\": 4,\n \"nbformat_minor\": 5\n}}\n"),
    ));
    let imports = join(n, "\n", |i| format!("import {{ f{i} }} from \"pkg-{i}\";"));
    v.push((
        "ts-many-imports",
        "index.ts",
        format!("{imports}\nimport OpenAI from \"openai\";\nconst c = new OpenAI();\n"),
    ));
    let imports = join(n, "\n", |i| format!("import com.example.p{i}.C{i};"));
    v.push((
        "java-many-imports",
        "App.java",
        format!("package app;\n\n{imports}\nimport dev.langchain4j.model.openai.OpenAiChatModel;\n\nclass App {{}}\n"),
    ));
    let calls = join(n, "\n", |_| {
        "client.chat.completions.create(model=\"gpt-4o\", messages=[])".to_string()
    });
    v.push((
        "py-same-call-repeated",
        "calls.py",
        format!("from openai import OpenAI\n\nclient = OpenAI()\n{calls}\n"),
    ));
    let docs = join(n / 4, "\n---\n", |i| {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          image: vllm/vllm-openai:v0.6.{i}\n          env:\n            - name: OPENAI_API_KEY\n              valueFrom: {{secretKeyRef: {{name: s, key: k}}}}")
    });
    v.push(("k8s-many-documents", "deploy.yaml", docs + "\n"));
    let services = join(n / 4, "\n", |i| {
        format!("  svc{i}:\n    image: ollama/ollama:0.3.{i}\n    environment:\n      - OLLAMA_HOST=0.0.0.0")
    });
    v.push((
        "compose-many-services",
        "docker-compose.yml",
        format!("services:\n{services}\n"),
    ));
    v.push((
        "dockerfile-many-runs",
        "Dockerfile",
        format!(
            "FROM python:3.11-slim\n{}\n",
            join(n / 4, "\n", |i| format!("RUN pip install torch==2.3.{i}"))
        ),
    ));
    let resources = join(n / 4, "\n", |i| {
        format!("resource \"aws_sagemaker_endpoint\" \"e{i}\" {{\n  name                 = \"endpoint-{i}\"\n  endpoint_config_name = \"config-{i}\"\n}}")
    });
    v.push(("terraform-many-resources", "main.tf", resources + "\n"));
    let packages = join(n / 2, ",\n", |i| {
        format!("    \"node_modules/pkg-{i}\": {{\n      \"version\": \"1.0.{i}\",\n      \"resolved\": \"https://registry.npmjs.org/pkg-{i}/-/pkg-{i}-1.0.{i}.tgz\",\n      \"integrity\": \"sha512-x\"\n    }}")
    });
    v.push((
        "package-lock",
        "package-lock.json",
        format!("{{\n  \"name\": \"app\",\n  \"lockfileVersion\": 3,\n  \"packages\": {{\n    \"\": {{ \"name\": \"app\", \"dependencies\": {{ \"openai\": \"^4\" }} }},\n{packages},\n    \"node_modules/openai\": {{ \"version\": \"4.52.0\" }}\n  }}\n}}\n"),
    ));
    let entries = join(n / 2, "\n", |i| {
        format!("\"pkg-{i}@^1.0.0\":\n  version \"1.0.{i}\"\n  resolved \"https://registry.yarnpkg.com/pkg-{i}/-/pkg-{i}-1.0.{i}.tgz\"\n  integrity sha512-x\n")
    });
    v.push((
        "yarn-lock",
        "yarn.lock",
        format!("# yarn lockfile v1\n\n\n{entries}\nopenai@^4.0.0:\n  version \"4.52.0\"\n"),
    ));
    let pkgs = join(n / 2, "\n", |i| {
        format!("[[package]]\nname = \"pkg-{i}\"\nversion = \"1.0.{i}\"\nsource = {{ registry = \"https://pypi.org/simple\" }}\ndependencies = [\n    {{ name = \"pkg-{}\" }},\n]\n", i + 1)
    });
    v.push((
        "uv-lock",
        "uv.lock",
        format!("version = 1\nrequires-python = \">=3.10\"\n\n{pkgs}\n[[package]]\nname = \"torch\"\nversion = \"2.3.1\"\nsource = {{ registry = \"https://pypi.org/simple\" }}\n"),
    ));
    let crates = join(n / 2, "\n", |i| {
        format!("[[package]]\nname = \"crate-{i}\"\nversion = \"1.0.{i}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\ndependencies = [\n \"crate-{}\",\n]\n", i + 1)
    });
    v.push((
        "cargo-lock",
        "Cargo.lock",
        format!("version = 3\n\n{crates}\n[[package]]\nname = \"async-openai\"\nversion = \"0.23.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"),
    ));
    let requires = join(n, "\n", |i| format!("\texample.com/m{i} v1.0.{i}"));
    v.push((
        "go-mod",
        "go.mod",
        format!("module example.com/app\n\ngo 1.22\n\nrequire (\n{requires}\n\tgithub.com/sashabaranov/go-openai v1.28.0\n)\n"),
    ));
    let servers = join(n / 4, ",\n", |i| {
        format!(
            "    \"s{i}\": {{ \"command\": \"npx\", \"args\": [\"-y\", \"@scope/server-{i}\"] }}"
        )
    });
    v.push((
        "mcp-many-servers",
        ".cursor/mcp.json",
        format!("{{\n  \"mcpServers\": {{\n{servers}\n  }}\n}}\n"),
    ));
    // every LFS-tracked pattern is a metadata entry of the BOM
    v.push((
        "gitattributes-many-lfs",
        ".gitattributes",
        join(n, "\n", |i| {
            format!("weights/part-{i:05}.safetensors filter=lfs diff=lfs merge=lfs -text")
        }) + "\n",
    ));
    v
}

/// A monorepo with an assistant instruction file in every package: `n / 4` directories with
/// an `AGENTS.md` each (each file is a metadata entry of the BOM).
fn write_assistant_files(out: &Path, n: usize) -> io::Result<()> {
    for i in 0..n / 4 {
        let path = out
            .join("assistant-files-in-every-package")
            .join(format!("pkg{i:05}/AGENTS.md"));
        write(
            &path,
            "# Notes for coding agents\n\nRun `make test` before committing.\n",
        )?;
    }
    Ok(())
}

fn main() -> io::Result<()> {
    let mut entries: usize = 20_000;
    let mut out = PathBuf::from("/tmp/aibom-shapes");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--entries" => entries = args.next().and_then(|v| v.parse().ok()).unwrap_or(entries),
            "--out" => out = args.next().map(PathBuf::from).unwrap_or(out),
            other => {
                eprintln!("gen-shapes: unknown argument {other:?}");
                std::process::exit(2);
            }
        }
    }
    if out.exists() {
        fs::remove_dir_all(&out)?;
    }
    let all = shapes(entries);
    for (name, file, text) in &all {
        write(&out.join(name).join(file), text)?;
    }
    write_assistant_files(&out, entries)?;
    println!(
        "gen-shapes: {} shapes of {entries} entries in {}",
        all.len() + 1,
        out.display()
    );
    Ok(())
}
