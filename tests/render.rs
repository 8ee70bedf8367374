//! Renderers over the sample BOM (tests/common/sample.rs) and over real scans: golden output
//! per format, schema validation (CycloneDX 1.6 and 1.7 against the official schemas, aibom/v1
//! against docs/schema/aibom-v1.schema.json), determinism, and the table's width promise.

mod common;

use aibom::bom::Bom;
use aibom::render::{self, cyclonedx, json, table, Format, RenderOptions, SpecVersion};
use common::sample;
use common::schema::{assert_valid_cyclonedx, assert_valid_native, cyclonedx_problems};
use serde_json::Value;
use tabled::grid::util::string::get_string_width;

fn cdx(bom: &Bom, spec: SpecVersion) -> Vec<u8> {
    cyclonedx::render(bom, spec)
}

fn cdx_json(bom: &Bom, spec: SpecVersion) -> Value {
    serde_json::from_slice(&cdx(bom, spec)).unwrap()
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

fn plain_table(bom: &Bom) -> String {
    table::render(bom, &RenderOptions::default())
}

// ---------- CycloneDX ----------

#[test]
fn cyclonedx_1_6_golden() {
    insta::assert_snapshot!(text(cdx(&sample::bom(), SpecVersion::V1_6)));
}

#[test]
fn cyclonedx_1_7_golden() {
    insta::assert_snapshot!(text(cdx(&sample::bom(), SpecVersion::V1_7)));
}

#[test]
fn cyclonedx_validates_against_the_official_schemas() {
    let bom = sample::bom();
    assert_valid_cyclonedx(&cdx(&bom, SpecVersion::V1_6), "1.6");
    assert_valid_cyclonedx(&cdx(&bom, SpecVersion::V1_7), "1.7");
    let mut stamped = bom.clone();
    stamped.timestamp = Some("2024-05-01T12:30:00Z".into());
    assert_valid_cyclonedx(&cdx(&stamped, SpecVersion::V1_6), "1.6");
    let empty = Bom::default();
    assert_valid_cyclonedx(&cdx(&empty, SpecVersion::V1_6), "1.6");
    assert_valid_cyclonedx(&cdx(&empty, SpecVersion::V1_7), "1.7");
}

#[test]
fn the_validator_rejects_what_the_schema_forbids() {
    // Guards the guard: a validator that accepted everything would make the test above vacuous.
    let mut doc = cdx_json(&sample::bom(), SpecVersion::V1_6);
    doc["components"][0]["licenses"] = serde_json::json!([{"license": {"id": "apache-2.0"}}]);
    doc["components"][1]["type"] = Value::from("weights");
    doc["serialNumber"] = Value::from("urn:uuid:NOT-A-UUID");
    doc["metadata"]["timestamp"] = Value::from("yesterday");
    doc["dependencies"][0]["dependsOn"] = serde_json::json!(["nowhere"]);
    let p = cyclonedx_problems(&serde_json::to_vec(&doc).unwrap(), "1.6");
    let all = p.join("\n");
    for needle in [
        "/components/0/licenses",
        "/components/1/type",
        "/serialNumber",
        "/metadata/timestamp",
        "\"nowhere\"",
    ] {
        assert!(all.contains(needle), "{needle} not reported in:\n{all}");
    }
    // 1.6 forbids mixing licence objects and expressions; 1.7 allows it.
    let mut mixed = cdx_json(&sample::bom(), SpecVersion::V1_6);
    mixed["components"][0]["licenses"] =
        serde_json::json!([{"license": {"id": "MIT"}}, {"expression": "MIT OR Apache-2.0"}]);
    let bytes = serde_json::to_vec(&mixed).unwrap();
    assert!(!cyclonedx_problems(&bytes, "1.6").is_empty());
    mixed["specVersion"] = Value::from("1.7");
    mixed["$schema"] = Value::from("http://cyclonedx.org/schema/bom-1.7.schema.json");
    assert_valid_cyclonedx(&serde_json::to_vec(&mixed).unwrap(), "1.7");
}

fn find<'a>(list: &'a Value, bom_ref: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c["bom-ref"] == bom_ref)
        .unwrap_or_else(|| panic!("{bom_ref} not found"))
}

fn props<'a>(v: &'a Value, name: &str) -> Vec<&'a str> {
    v["properties"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["name"] == name)
        .filter_map(|p| p["value"].as_str())
        .collect()
}

#[test]
fn cyclonedx_maps_every_kind_and_field() {
    let doc = cdx_json(&sample::bom(), SpecVersion::V1_6);
    let comps = &doc["components"];
    let services = &doc["services"];

    let llama = find(comps, sample::LLAMA);
    assert_eq!(llama["type"], "machine-learning-model");
    assert_eq!(
        llama["purl"],
        "pkg:huggingface/meta-llama/Llama-3.1-8B-Instruct@0e9e39f249a16976918f6564b8830bc894c89659"
    );
    let params = &llama["modelCard"]["modelParameters"];
    assert_eq!(params["task"], "text-generation");
    assert_eq!(params["architectureFamily"], "llama");
    assert_eq!(params["modelArchitecture"], "LlamaForCausalLM");
    assert_eq!(
        params["datasets"],
        serde_json::json!([{"ref": sample::SQUAD}, {"ref": sample::CORPUS}])
    );
    assert_eq!(
        llama["licenses"],
        serde_json::json!([{"license": {"name": "llama3.1"}}])
    );
    assert_eq!(props(llama, "aibom:language"), ["en", "de", "ja"]);
    assert_eq!(
        props(llama, "aibom:depends-on"),
        ["model:unknown/never-found"]
    );
    assert_eq!(props(llama, "aibom:risk").len(), 1);
    let occ = &llama["evidence"]["occurrences"];
    assert_eq!(occ[1]["location"], "src/chat.py");
    assert_eq!(occ[1]["line"], 12);
    assert_eq!(occ[0]["additionalContext"], "cell 2, line 3");

    let gguf = find(comps, &format!("model:sha256:{}", sample::GGUF_SHA));
    assert_eq!(
        gguf["hashes"],
        serde_json::json!([{"alg": "SHA-256", "content": sample::GGUF_SHA}])
    );
    assert_eq!(
        gguf["licenses"],
        serde_json::json!([{"license": {"id": "Apache-2.0"}}])
    );
    assert_eq!(props(&gguf["modelCard"], "aibom:quantization"), ["Q4_K_M"]);
    assert_eq!(
        props(&gguf["modelCard"], "aibom:parameters"),
        ["1100048384"]
    );
    assert_eq!(props(&gguf["modelCard"], "aibom:context-length"), ["2048"]);
    assert_eq!(props(gguf, "aibom:general:name"), ["TinyLlama 1.1B Chat"]);
    assert!(gguf.get("purl").is_none());

    let pickle = find(comps, &format!("model:sha256:{}", sample::PICKLE_SHA));
    assert_eq!(
        pickle["hashes"].as_array().unwrap().len(),
        1,
        "CRC32 is not a CycloneDX alg"
    );
    assert_eq!(props(pickle, "aibom:hash"), ["CRC32:cbf43926"]);
    assert_eq!(props(pickle, "aibom:risk").len(), 2);

    let squad = find(comps, sample::SQUAD);
    assert_eq!(squad["type"], "data");
    assert_eq!(squad["data"][0]["type"], "dataset");
    assert_eq!(
        squad["data"][0]["contents"]["url"],
        "https://huggingface.co/datasets/rajpurkar/squad"
    );
    assert_eq!(find(comps, sample::CORPUS)["name"], "日本語コーパス");

    let torch = find(comps, "library:pypi/torch@2.3.1");
    assert_eq!(torch["type"], "framework");
    assert_eq!(
        torch["evidence"]["occurrences"].as_array().unwrap().len(),
        2
    );
    assert_eq!(props(torch, "aibom:category"), ["framework"]);
    assert_eq!(
        find(comps, "library:pypi/transformers@4.44.2")["type"],
        "library"
    );
    let candle = find(comps, "library:cargo/candle-core@0.6.0");
    assert_eq!(
        candle["licenses"],
        serde_json::json!([{"expression": "MIT OR Apache-2.0"}])
    );
    let openai_lib = find(comps, "library:pypi/openai");
    assert!(openai_lib.get("version").is_none());
    assert_eq!(props(openai_lib, "aibom:constraint"), [">=1.30,<2"]);
    assert_eq!(
        find(comps, "container:docker/vllm/vllm-openai@v0.5.4")["type"],
        "container"
    );

    let api = find(services, "service:openai api");
    assert_eq!(api["provider"]["name"], "openai");
    assert_eq!(
        api["endpoints"],
        serde_json::json!(["https://api.openai.com/v1"])
    );
    assert_eq!(api["x-trust-boundary"], true);
    assert!(props(api, "aibom:risk")[0].contains("(redacted, 51 chars)"));
    let azure = find(services, "service:azure openai");
    assert!(
        azure.get("endpoints").is_none(),
        "a templated endpoint is not an IRI"
    );
    assert_eq!(
        props(azure, "aibom:endpoint"),
        ["https://${var.resource}.openai.azure.com/"]
    );
    let mcp = find(
        services,
        "mcp-server:npm/%40modelcontextprotocol/server-github",
    );
    assert_eq!(props(mcp, "aibom:kind"), ["mcp-server"]);
    assert_eq!(
        props(mcp, "aibom:purl"),
        ["pkg:npm/%40modelcontextprotocol/server-github"]
    );
    assert_eq!(props(mcp, "aibom:occurrence"), [".cursor/mcp.json:4"]);
    assert_eq!(
        find(services, "mcp-server:local-tools")["x-trust-boundary"],
        false
    );

    let deps = doc["dependencies"].as_array().unwrap();
    let dep = |r: &str| {
        deps.iter()
            .find(|d| d["ref"] == r)
            .map(|d| d["dependsOn"].clone())
    };
    assert_eq!(
        dep(sample::LLAMA),
        Some(serde_json::json!([sample::SQUAD, sample::CORPUS]))
    );
    assert_eq!(
        dep("service:openai api"),
        Some(serde_json::json!(["model:openai/gpt-4o"]))
    );

    let meta = &doc["metadata"];
    assert!(meta.get("timestamp").is_none());
    assert_eq!(meta["tools"]["components"][0]["name"], "aibom");
    assert_eq!(meta["component"]["name"], ".");
    assert_eq!(props(meta, "aibom:coverage:walked"), ["42"]);
    assert_eq!(props(meta, "aibom:coverage:skipped:node_modules"), ["3"]);
    assert_eq!(props(meta, "aibom:risk").len(), 6);
    assert_eq!(props(meta, "aibom:warning").len(), 3);
    assert_eq!(
        props(meta, "aibom:metadata:assistant-instructions"),
        [".github/copilot-instructions.md", "AGENTS.md"]
    );
    assert!(doc.get("vulnerabilities").is_none(), "risks are not CVEs");
}

#[test]
fn licences_fold_into_one_expression_for_1_6_only() {
    let mut bom = sample::bom();
    let i = bom
        .components
        .iter()
        .position(|c| c.id == "library:cargo/candle-core@0.6.0")
        .unwrap();
    bom.components[i].licenses = vec!["BSD-3-Clause".into(), "MIT OR Apache-2.0".into()];
    let v16 = cdx_json(&bom, SpecVersion::V1_6);
    let v17 = cdx_json(&bom, SpecVersion::V1_7);
    let lic =
        |d: &Value| find(&d["components"], "library:cargo/candle-core@0.6.0")["licenses"].clone();
    assert_eq!(
        lic(&v16),
        serde_json::json!([{"expression": "BSD-3-Clause AND (MIT OR Apache-2.0)"}])
    );
    assert_eq!(
        lic(&v17),
        serde_json::json!([{"license": {"id": "BSD-3-Clause"}}, {"expression": "MIT OR Apache-2.0"}])
    );
    assert_valid_cyclonedx(&cdx(&bom, SpecVersion::V1_6), "1.6");
    assert_valid_cyclonedx(&cdx(&bom, SpecVersion::V1_7), "1.7");
}

#[test]
fn several_targets_nest_under_one_application() {
    let mut bom = sample::bom();
    bom.targets = vec![
        aibom::bom::Target {
            kind: "cloud".into(),
            value: "exports/aws.json".into(),
        },
        aibom::bom::Target {
            kind: "path".into(),
            value: "services/api".into(),
        },
    ];
    let doc = cdx_json(&bom, SpecVersion::V1_6);
    let c = &doc["metadata"]["component"];
    assert_eq!(c["name"], "exports/aws.json, services/api");
    assert_eq!(c["components"].as_array().unwrap().len(), 2);
    assert_eq!(
        doc["metadata"]["lifecycles"],
        serde_json::json!([{"phase": "pre-build"}, {"phase": "operations"}])
    );
    assert_valid_cyclonedx(&cdx(&bom, SpecVersion::V1_6), "1.6");
}

#[test]
fn output_is_deterministic_and_the_serial_follows_content() {
    let bom = sample::bom();
    for spec in [SpecVersion::V1_6, SpecVersion::V1_7] {
        assert_eq!(cdx(&bom, spec), cdx(&sample::bom(), spec));
    }
    assert_eq!(json::render(&bom), json::render(&sample::bom()));
    assert_eq!(plain_table(&bom), plain_table(&sample::bom()));

    let serial = |b: &Bom| {
        cdx_json(b, SpecVersion::V1_6)["serialNumber"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let s = serial(&bom);
    assert!(s.starts_with("urn:uuid:"));
    // a timestamp alone does not make it a different BOM
    let mut stamped = bom.clone();
    stamped.timestamp = Some("2024-05-01T12:30:00Z".into());
    assert_eq!(serial(&stamped), s);
    // any change of content does
    let mut changed = bom.clone();
    changed.components[0]
        .properties
        .insert("extra".into(), Value::from(1));
    assert_ne!(serial(&changed), s);
    let mut fewer = bom.clone();
    fewer.warnings.pop();
    assert_ne!(serial(&fewer), s);
    assert_ne!(
        cdx_json(&bom, SpecVersion::V1_7)["serialNumber"]
            .as_str()
            .unwrap(),
        s
    );
}

#[test]
fn real_scans_validate() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("requirements.txt"),
        "torch==2.3.1\nopenai>=1.30\n",
    )
    .unwrap();
    let bom = aibom::scan::run_scan(&aibom::scan::ScanOptions {
        paths: vec![dir.path().to_path_buf()],
        ..Default::default()
    })
    .unwrap();
    assert_valid_cyclonedx(&cdx(&bom, SpecVersion::V1_6), "1.6");
    assert_valid_cyclonedx(&cdx(&bom, SpecVersion::V1_7), "1.7");
    assert_valid_native(&json::render(&bom));
    let fixtures = common::fixtures();
    if fixtures.join("demo").is_dir() {
        let demo = common::scan_fixture("demo");
        assert_valid_cyclonedx(&cdx(&demo, SpecVersion::V1_6), "1.6");
        assert_valid_cyclonedx(&cdx(&demo, SpecVersion::V1_7), "1.7");
        assert_valid_native(&json::render(&demo));
    }
}

// ---------- native JSON ----------

#[test]
fn native_json_golden() {
    insta::assert_snapshot!(text(json::render(&sample::bom())));
}

#[test]
fn native_json_validates_against_its_schema() {
    let bom = sample::bom();
    assert_valid_native(&json::render(&bom));
    let mut stamped = bom.clone();
    stamped.timestamp = Some("2024-05-01T12:30:00Z".into());
    assert_valid_native(&json::render(&stamped));
    assert_valid_native(&json::render(&Bom::default()));
    // and the schema is not vacuous
    let mut doc: Value = serde_json::from_slice(&json::render(&bom)).unwrap();
    doc["components"][0]["kind"] = Value::from("weights");
    doc["risks"][0]["severity"] = Value::from("urgent");
    doc["coverage"]["walked"] = Value::from(-1);
    doc["unexpected"] = Value::from(true);
    let p = common::schema::native_problems(&serde_json::to_vec(&doc).unwrap());
    assert!(p.len() >= 4, "{p:?}");
}

#[test]
fn native_json_round_trips() {
    let bom = sample::bom();
    let bytes = json::render(&bom);
    let back = json::parse(&bytes).unwrap();
    assert_eq!(back, bom);
    assert_eq!(json::render(&back), bytes);
    assert!(json::parse(br#"{"schema": "aibom/v2"}"#).is_err());
    assert!(json::parse(b"not json").is_err());
}

// ---------- table ----------

#[test]
fn table_golden() {
    insta::assert_snapshot!(plain_table(&sample::bom()));
}

#[test]
fn table_fits_100_columns_and_is_plain_without_colour() {
    let out = plain_table(&sample::bom());
    for line in out.lines() {
        assert!(
            get_string_width(line) <= table::WIDTH,
            "too wide ({}): {line}",
            get_string_width(line)
        );
    }
    assert!(!out.contains('\x1b'));
    // long values are cut, not wrapped
    let mut bom = sample::bom();
    bom.components[0].name = "x".repeat(300);
    bom.components[0].evidence[0].path = format!("{}/file.py", "deep/".repeat(60));
    bom.risks[0].message = "m".repeat(500);
    let out = plain_table(&bom);
    let widest = out.lines().map(get_string_width).max().unwrap();
    assert!(widest <= table::WIDTH, "{widest}");
    assert!(out.contains("xxxx…"));
    assert!(out.contains("/file.py:5 "), "{out}");
    // component rows are one line each: long values are cut, never wrapped
    let components_part = &out[..out.find("risks (").unwrap()];
    let body_rows = components_part
        .lines()
        .filter(|l| l.starts_with('│'))
        .count();
    let sections = bom
        .components
        .iter()
        .map(|c| c.kind)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    assert_eq!(body_rows, bom.components.len() + sections);
    // a long risk message wraps inside its cell and is cut after four lines
    let risks_part = &out[out.find("risks (").unwrap()..];
    assert!(
        risks_part.lines().filter(|l| l.contains("mmmm")).count() == 4,
        "{risks_part}"
    );
}

#[test]
fn table_colours_severities_only_when_asked() {
    let bom = sample::bom();
    let coloured = table::render(
        &bom,
        &RenderOptions {
            color: true,
            ..Default::default()
        },
    );
    assert!(coloured.contains("\x1b[1;31mcritical\x1b[0m"));
    assert!(coloured.contains("\x1b[31mhigh\x1b[0m"));
    assert!(coloured.contains("\x1b[36m1 low\x1b[0m"));
    // colour changes no layout: stripping the codes gives the plain table
    let stripped = regex::Regex::new("\x1b\\[[0-9;]*m")
        .unwrap()
        .replace_all(&coloured, "");
    assert_eq!(stripped, plain_table(&bom));
}

#[test]
fn table_of_an_empty_bom_is_just_the_summary() {
    assert_eq!(
        plain_table(&Bom::default()),
        "0 components · 0 risks · 0 warnings · files: walked 0, claimed 0, parsed 0, failed 0, skipped 0\n"
    );
}

#[test]
fn render_dispatches_by_format() {
    let bom = sample::bom();
    let opts = RenderOptions {
        spec_version: SpecVersion::V1_7,
        color: false,
    };
    assert_eq!(
        render::render(&bom, Format::Json, &opts),
        json::render(&bom)
    );
    assert_eq!(
        render::render(&bom, Format::Cyclonedx, &opts),
        cdx(&bom, SpecVersion::V1_7)
    );
    assert_eq!(
        render::render(&bom, Format::Table, &opts),
        plain_table(&bom).into_bytes()
    );
}

fn awkward_bom() -> Bom {
    let mut bom = sample::bom();
    let c = &mut bom.components[0];
    c.name = String::new();
    c.provider = Some("evil\u{1b}[2J\u{202e}".into());
    c.version = Some("9".repeat(2000));
    c.purl = Some("pkg:/not a purl".into());
    c.licenses = vec![
        "MIT OR".into(),
        "(Apache-2.0".into(),
        "LicenseRef-".into(),
        "gpl-2.0+".into(),
    ];
    c.hashes = vec![aibom::bom::Hash {
        alg: "SHA-256".into(),
        value: "abc".into(),
    }];
    c.properties
        .insert("nested".into(), serde_json::json!({"a": [1, {"b": null}]}));
    c.properties
        .insert("endpoint".into(), Value::from("https://exa mple.com"));
    c.properties
        .insert("ctl\u{1b}key".into(), Value::from("v\u{0}\u{7}"));
    c.depends_on = vec![c.id.clone(), "nowhere:at-all".into()];
    let i = bom
        .components
        .iter()
        .position(|c| c.id == "service:openai api")
        .unwrap();
    bom.components[i].properties.insert(
        "endpoints".into(),
        serde_json::json!([
            "https://例え.jp/推論?q=1#x",
            "https://exa mple.com",
            "http://[::1]:8080/"
        ]),
    );
    bom
}

#[test]
fn awkward_values_still_validate() {
    let bom = awkward_bom();
    let id = bom.components[0].id.clone();
    for spec in [SpecVersion::V1_6, SpecVersion::V1_7] {
        let bytes = cdx(&bom, spec);
        assert_valid_cyclonedx(&bytes, spec.as_str());
        let doc: Value = serde_json::from_slice(&bytes).unwrap();
        let out = find(&doc["components"], &id);
        assert_eq!(
            out["name"],
            id.as_str(),
            "an empty name falls back to the id"
        );
        assert!(
            out.get("version").is_none()
                && out.get("purl").is_none()
                && out.get("hashes").is_none()
        );
        assert_eq!(props(out, "aibom:version")[0].len(), 2000);
        assert_eq!(props(out, "aibom:purl"), ["pkg:/not a purl"]);
        assert_eq!(props(out, "aibom:hash"), ["SHA-256:abc"]);
        assert_eq!(props(out, "aibom:nested"), [r#"{"a":[1,{"b":null}]}"#]);
    }
    let doc = cdx_json(&bom, SpecVersion::V1_6);
    assert_eq!(
        find(&doc["services"], "service:openai api")["endpoints"],
        serde_json::json!(["https://api.openai.com/v1", "https://例え.jp/推論?q=1#x"])
    );
    assert_valid_native(&json::render(&bom));
    let table = plain_table(&bom);
    assert!(table.contains("evil\u{fffd}"), "{table}");
    assert!(!table.contains('\u{1b}') && !table.contains('\u{202e}'));
}

/// Not a test: `AIBOM_DUMP_DIR=dir cargo test --release --test render -- --ignored --nocapture`
/// writes the sample renderings (and a 20,000-component BOM) to `dir` for checking with an
/// independent validator, and prints how long rendering the large BOM takes.
#[test]
#[ignore]
fn dump_and_time() {
    let Some(dir) = std::env::var_os("AIBOM_DUMP_DIR") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let bom = sample::bom();
    for spec in [SpecVersion::V1_6, SpecVersion::V1_7] {
        std::fs::write(
            dir.join(format!("sample-{}.cdx.json", spec.as_str())),
            cdx(&bom, spec),
        )
        .unwrap();
        let awkward = cdx(&awkward_bom(), spec);
        std::fs::write(
            dir.join(format!("awkward-{}.cdx.json", spec.as_str())),
            awkward,
        )
        .unwrap();
    }
    let mut large = Bom {
        components: Vec::new(),
        ..bom.clone()
    };
    for i in 0..20_000 {
        for c in &bom.components {
            let mut c = c.clone();
            c.id = format!("{}-{i:05}", c.id);
            c.depends_on.clear();
            large.components.push(c);
            if large.components.len() == 20_000 {
                break;
            }
        }
        if large.components.len() == 20_000 {
            break;
        }
    }
    large.normalize();
    for (name, f) in [
        (
            "cyclonedx-1.6",
            &(|b: &Bom| cdx(b, SpecVersion::V1_6)) as &dyn Fn(&Bom) -> Vec<u8>,
        ),
        ("json", &|b: &Bom| json::render(b)),
        ("table", &|b: &Bom| plain_table(b).into_bytes()),
    ] {
        let t = std::time::Instant::now();
        let out = f(&large);
        println!(
            "{name}: {} components, {} bytes, {:?}",
            large.components.len(),
            out.len(),
            t.elapsed()
        );
        if name == "cyclonedx-1.6" {
            std::fs::write(dir.join("large-1.6.cdx.json"), &out).unwrap();
        }
    }
}
