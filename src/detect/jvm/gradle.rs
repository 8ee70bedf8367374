//! Gradle build scripts: `build.gradle` (Groovy DSL) and `build.gradle.kts` (Kotlin DSL).
//!
//! ## What it detects
//! AI/ML artifacts declared in dependency configurations, in string notation
//! (`implementation 'g:a:v'`, `implementation("g:a:v")`, `"implementation"("g:a:v")`) and map
//! notation (`implementation group: 'g', name: 'a', version: 'v'`,
//! `implementation(group = "g", name = "a", version = "v")`). `$name` / `${name}` versions
//! are resolved from simple assignments in the same script (`val v = "…"`, `def v = '…'`,
//! `ext { v = '…' }`, `extra["v"] = "…"`) and from the `gradle.properties` beside it.
//!
//! ## Files claimed
//! `build.gradle`, `build.gradle.kts`, and other `*.gradle` / `*.gradle.kts` scripts.
//!
//! ## Evidence and confidence
//! `manifest`, high: the line of the declaration. Scope from the configuration:
//! `test*`/`androidTest*`/`developmentOnly` → `dev`, `compileOnly` → `provided`,
//! `annotationProcessor`/`kapt`/`ksp` → `build`, everything else (`implementation`, `api`,
//! `runtimeOnly`, legacy `compile`, variant-prefixed `debugImplementation`) → `required`.
//! A plain version is the component version; dynamic versions (`1.+`, `latest.release`,
//! ranges) and unresolved variables stay a `constraint`.
//!
//! ## Not handled
//! Scripts are never evaluated: versions computed by code, `platform(...)` BOMs, version
//! catalog accessors (`libs.langchain4j.openai`; the `gradle-version-catalog` detector reads
//! the catalog itself), and declarations split across lines.
//!
//! ## References
//! <https://docs.gradle.org/current/userguide/declaring_dependencies.html>

use crate::bom::normalize::Ecosystem;
use crate::bom::Method;
use crate::detect::deps::{self, Dep};
use crate::detect::{Candidate, Claim, Context, DetectOutcome, Detector, FileInput};
use crate::detect::{Maturity, Scope};
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::OnceLock;

pub const ID: &str = "gradle-build";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "jvm",
    summary: "build.gradle / build.gradle.kts dependency declarations (string and map notation)",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    let n = c.name_lower;
    if (n.ends_with(".gradle") || n.ends_with(".gradle.kts")) && !n.starts_with("settings.") {
        Claim::Yes
    } else {
        Claim::No
    }
}

struct Patterns {
    /// `conf` + the rest of the declaration.
    decl: Regex,
    /// the first string literal
    string: Regex,
    map_group: Regex,
    map_name: Regex,
    map_version: Regex,
    assign: Regex,
    var: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    // The patterns are literals checked by the tests, so building them cannot fail.
    P.get_or_init(|| Patterns {
        decl: Regex::new(r#"^\s*"?([A-Za-z][A-Za-z0-9]*)"?\s*(\(|\s)\s*(.*)$"#).unwrap(),
        string: Regex::new(r#"^\(?\s*["']([^"']+)["']"#).unwrap(),
        map_group: Regex::new(r#"\bgroup\s*[:=]\s*["']([^"']+)["']"#).unwrap(),
        map_name: Regex::new(r#"\bname\s*[:=]\s*["']([^"']+)["']"#).unwrap(),
        map_version: Regex::new(r#"\bversion\s*[:=]\s*["']([^"']+)["']"#).unwrap(),
        assign: Regex::new(
            r#"^\s*(?:(?:val|var|def|String)\s+|ext\.|extra\[\s*["']|set\(\s*["'])?([A-Za-z_][A-Za-z0-9_.]*)["']?\s*\]?\s*[=,]\s*["']([^"'$]+)["']\s*\)?\s*;?\s*$"#,
        )
        .unwrap(),
        var: Regex::new(r"\$\{?([A-Za-z_][A-Za-z0-9_.]*)\}?").unwrap(),
    })
}

const BASE_CONFIGS: [&str; 11] = [
    "implementation",
    "api",
    "compileOnly",
    "runtimeOnly",
    "compile",
    "runtime",
    "annotationProcessor",
    "kapt",
    "ksp",
    "compileOnlyApi",
    "developmentOnly",
];

/// The scope of a dependency configuration name, `None` when it is not one.
pub fn config_scope(conf: &str) -> Option<&'static str> {
    let base = BASE_CONFIGS.iter().find(|b| {
        conf == **b
            || conf
                .strip_suffix(&capitalize(b))
                .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
    })?;
    let lower = conf.to_ascii_lowercase();
    Some(
        if lower.starts_with("test")
            || lower.starts_with("androidtest")
            || *base == "developmentOnly"
        {
            "dev"
        } else if base.starts_with("compileOnly") {
            "provided"
        } else if matches!(*base, "annotationProcessor" | "kapt" | "ksp") {
            "build"
        } else {
            "required"
        },
    )
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// Strip `//` and `/* */` comments outside string literals; `in_block` carries across lines.
fn strip_comments(line: &str, in_block: &mut bool) -> String {
    let mut out = String::with_capacity(line.len());
    let mut quote: Option<char> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if *in_block {
            if c == '*' && chars.peek() == Some(&'/') {
                chars.next();
                *in_block = false;
            }
            continue;
        }
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
                out.push(c);
            }
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == '/' && chars.peek() == Some(&'/') => break,
            None if c == '/' && chars.peek() == Some(&'*') => {
                chars.next();
                *in_block = true;
            }
            None => out.push(c),
        }
    }
    out
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let p = patterns();
    let mut vars: BTreeMap<String, String> = BTreeMap::new();
    if let Some(props) = input
        .abs_path
        .parent()
        .and_then(|d| deps::read_side_file(&d.join("gradle.properties")))
    {
        for line in props.lines() {
            if let Some((k, v)) = line.split_once('=') {
                if !k.trim_start().starts_with('#') {
                    vars.insert(k.trim().to_string(), v.trim().to_string());
                }
            }
        }
    }
    let mut in_block = false;
    let mut lines = Vec::new();
    for raw in text.lines() {
        let code = strip_comments(raw, &mut in_block);
        if let Some(c) = p.assign.captures(&code) {
            vars.insert(c[1].to_string(), c[2].to_string());
        }
        lines.push(code);
    }
    let resolve = |s: &str| -> Option<String> {
        let mut missing = false;
        let r = p
            .var
            .replace_all(s, |c: &regex::Captures| match vars.get(&c[1]) {
                Some(v) => v.clone(),
                None => {
                    missing = true;
                    c[0].to_string()
                }
            });
        (!missing).then(|| r.into_owned())
    };
    let line_index = deps::LineIndex::new(text);
    let mut found = Vec::new();
    for (i, code) in lines.iter().enumerate() {
        let Some(c) = p.decl.captures(code) else {
            continue;
        };
        let Some(scope) = config_scope(&c[1]) else {
            continue;
        };
        let rest = c.get(3).map_or("", |m| m.as_str()).trim();
        let rest_full = if &c[2] == "(" {
            format!("({rest}")
        } else {
            rest.to_string()
        };
        let (group, artifact, version) = if let Some(s) = p.string.captures(&rest_full) {
            let mut parts = s[1].split('@').next().unwrap_or("").splitn(4, ':');
            let g = parts.next().unwrap_or("").to_string();
            let a = parts.next().unwrap_or("").to_string();
            (g, a, parts.next().map(str::to_string))
        } else if let (Some(g), Some(a)) = (
            p.map_group.captures(&rest_full),
            p.map_name.captures(&rest_full),
        ) {
            let v = p.map_version.captures(&rest_full).map(|v| v[1].to_string());
            (g[1].to_string(), a[1].to_string(), v)
        } else {
            continue;
        };
        if group.is_empty() || artifact.is_empty() {
            continue;
        }
        let mut d = Dep::new(format!("{group}:{artifact}"), i as u32 + 1);
        if let Some(v) = version.filter(|v| !v.is_empty()) {
            match resolve(&v) {
                Some(r) if deps::is_exact_version(&r) => d.version = Some(r),
                Some(r) => d.constraint = Some(r),
                None => d.constraint = Some(v),
            }
        }
        d.scope = Some(scope);
        d.direct = Some(true);
        d.snippet = line_index.snippet(text, i as u32 + 1);
        found.push(d);
    }
    let mut out = DetectOutcome::default();
    deps::emit(
        ctx,
        input,
        ID,
        Ecosystem::Maven,
        Method::Manifest,
        found,
        &mut out,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn run(name: &str, text: &str) -> Vec<String> {
        let ctx = Context {
            catalog: Catalog::builtin(),
            ..Default::default()
        };
        let out = detect(&FileInput::from_bytes(name, text.as_bytes().to_vec()), &ctx);
        out.findings
            .iter()
            .map(|f| {
                let p = |k: &str| {
                    f.properties
                        .get(k)
                        .and_then(|v| v.as_str())
                        .unwrap_or("-")
                        .to_string()
                };
                format!(
                    "{}@{} l{} {} {}",
                    f.name,
                    f.version.as_deref().unwrap_or("-"),
                    f.evidence.line.unwrap_or(0),
                    p("scope"),
                    p("constraint")
                )
            })
            .collect()
    }

    #[test]
    fn groovy_string_and_map_notation() {
        let got = run(
            "build.gradle",
            "ext {\n    djlVersion = '0.28.0'\n}\n\ndependencies {\n    implementation 'dev.langchain4j:langchain4j-open-ai:0.35.0'\n    implementation \"ai.djl:api:${djlVersion}\"\n    testImplementation group: 'org.tensorflow', name: 'tensorflow-core-platform', version: '1.0.0'\n    compileOnly 'org.deeplearning4j:deeplearning4j-core:1.+'\n    // implementation 'com.openai:openai-java:0.8.0'\n    implementation platform('dev.langchain4j:langchain4j-bom:0.35.0')\n    implementation 'com.google.guava:guava:33.2.1-jre'\n    implementation project(':core')\n    implementation \"com.anthropic:anthropic-java:$unknownVersion\"\n}\n",
        );
        assert_eq!(
            got,
            vec![
                "dev.langchain4j:langchain4j-open-ai@0.35.0 l6 required -",
                "ai.djl:api@0.28.0 l7 required -",
                "org.tensorflow:tensorflow-core-platform@1.0.0 l8 dev -",
                "org.deeplearning4j:deeplearning4j-core@- l9 provided 1.+",
                "com.anthropic:anthropic-java@- l14 required $unknownVersion",
            ]
        );
    }

    #[test]
    fn kotlin_dsl() {
        let got = run(
            "build.gradle.kts",
            "val springAiVersion = \"1.0.0\"\nextra[\"ortVersion\"] = \"1.18.0\"\n\ndependencies {\n    implementation(\"org.springframework.ai:spring-ai-openai:$springAiVersion\")\n    \"implementation\"(\"com.openai:openai-java:0.8.0\")\n    runtimeOnly(group = \"com.microsoft.onnxruntime\", name = \"onnxruntime\", version = \"${ortVersion}\")\n    debugImplementation(\"com.google.genai:google-genai:1.0.0\") /* trailing */\n    kapt(\"ai.djl:api:0.28.0\")\n    implementation(libs.langchain4j.openai)\n}\n",
        );
        assert_eq!(
            got,
            vec![
                "org.springframework.ai:spring-ai-openai@1.0.0 l5 required -",
                "com.openai:openai-java@0.8.0 l6 required -",
                "com.microsoft.onnxruntime:onnxruntime@1.18.0 l7 required -",
                "com.google.genai:google-genai@1.0.0 l8 required -",
                "ai.djl:api@0.28.0 l9 build -",
            ]
        );
    }

    #[test]
    fn configs_and_comments() {
        assert_eq!(config_scope("testImplementation"), Some("dev"));
        assert_eq!(config_scope("androidTestImplementation"), Some("dev"));
        assert_eq!(config_scope("compileOnly"), Some("provided"));
        assert_eq!(config_scope("version"), None);
        assert_eq!(config_scope("Implementation"), None);
        let mut b = false;
        assert_eq!(strip_comments("a 'http://x' // c", &mut b), "a 'http://x' ");
        assert_eq!(strip_comments("a /* b", &mut b), "a ");
        assert!(b);
        assert_eq!(strip_comments("b */ c", &mut b), " c");
        assert!(run("build.gradle", "\u{0}\u{1}").is_empty());
    }
}
