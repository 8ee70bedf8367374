//! Maven `pom.xml` dependencies.
//!
//! ## What it detects
//! AI/ML artifacts (`groupId:artifactId`) in `<dependencies>` of the project and of its
//! profiles, and in `<dependencyManagement>`. `${property}` references in coordinates and
//! versions are resolved from the same pom's `<properties>` and from `${project.version}`,
//! `${project.groupId}` (falling back to `<parent>`), so `${langchain4j.version}` reads as
//! `0.35.0`. A dependency without a `<version>` takes the one its pom's
//! `<dependencyManagement>` gives.
//!
//! ## Files claimed
//! `pom.xml`, and `*.pom` files.
//!
//! ## Evidence and confidence
//! `manifest`, high: the line of the `<dependency>` element. A plain version is the component
//! version (Maven resolves the declared one, "nearest wins"); a range (`[1.0,2.0)`) or an
//! unresolved `${…}` stays a `constraint` only. Scopes: `compile`/`runtime`/`system` →
//! `required`, `test` → `dev`, `provided` → `provided`, `<optional>true</optional>` →
//! `optional`. Managed-only entries carry no `scope`: a child module's use supplies it, and
//! its versionless declaration folds into the managed version when both are scanned.
//!
//! ## Not handled
//! Properties inherited from a parent pom elsewhere, `settings.xml` and profile activation;
//! BOM imports (`<type>pom</type>` + `<scope>import</scope>`, a version set rather than a
//! library); build plugin dependencies.
//!
//! ## References
//! <https://maven.apache.org/pom.html#Dependencies>

use crate::bom::normalize::Ecosystem;
use crate::bom::Method;
use crate::detect::deps::{self, Dep};
use crate::detect::{util, Candidate, Claim, Context, DetectOutcome, Detector, FileInput};
use crate::detect::{Maturity, Scope};
use quick_xml::events::Event;
use quick_xml::Reader;
use std::collections::BTreeMap;

pub const ID: &str = "maven-pom";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "jvm",
    summary: "Maven pom.xml dependencies and dependencyManagement, ${property} versions",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    if c.name_lower == "pom.xml" || c.ext == "pom" {
        Claim::Yes
    } else {
        Claim::No
    }
}

#[derive(Debug, Default, Clone)]
struct RawDep {
    group: String,
    artifact: String,
    version: String,
    scope: String,
    optional: String,
    kind: String,
    managed: bool,
    line: u32,
}

#[derive(Debug, Default)]
struct Pom {
    props: BTreeMap<String, String>,
    version: String,
    group: String,
    parent_version: String,
    parent_group: String,
    deps: Vec<RawDep>,
}

/// Element nesting past this is not a pom.
const MAX_DEPTH: usize = 64;

fn parse(text: &str) -> (Pom, Option<String>) {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut pom = Pom::default();
    let mut stack: Vec<String> = Vec::new();
    let lines = crate::detect::deps::LineIndex::new(text);
    let mut cur: Option<RawDep> = None;
    let mut error = None;
    loop {
        let ev = reader.read_event();
        let pos = reader.buffer_position() as usize;
        match ev {
            Ok(Event::Start(e)) => {
                if stack.len() >= MAX_DEPTH {
                    error = Some("elements nested too deep".to_string());
                    break;
                }
                stack.push(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
                if let Some(managed) = dependency_context(&stack) {
                    cur = Some(RawDep {
                        managed,
                        line: lines.line(pos.saturating_sub(1)),
                        ..Default::default()
                    });
                }
            }
            Ok(Event::End(_)) => {
                if dependency_context(&stack).is_some() {
                    if let Some(d) = cur.take() {
                        pom.deps.push(d);
                    }
                }
                stack.pop();
            }
            Ok(Event::Text(t)) => {
                let value = t
                    .unescape()
                    .map(|c| c.trim().to_string())
                    .unwrap_or_default();
                assign(&mut pom, &mut cur, &stack, value);
            }
            Ok(Event::CData(t)) => {
                let value = String::from_utf8_lossy(&t).trim().to_string();
                assign(&mut pom, &mut cur, &stack, value);
            }
            Ok(Event::Eof) => {
                if !stack.is_empty() {
                    error = Some(format!(
                        "unexpected end of file inside <{}>",
                        stack.join("><")
                    ));
                }
                break;
            }
            Ok(_) => {}
            Err(e) => {
                error = Some(format!("line {}: {e}", util::line_at(text, pos)));
                break;
            }
        }
    }
    (pom, error)
}

/// `Some(managed)` when the element path ends at a `<dependency>` we read.
fn dependency_context(stack: &[String]) -> Option<bool> {
    let s: Vec<&str> = stack.iter().map(String::as_str).collect();
    match s.as_slice() {
        ["project", "dependencies", "dependency"]
        | ["project", "profiles", "profile", "dependencies", "dependency"] => Some(false),
        ["project", "dependencyManagement", "dependencies", "dependency"]
        | ["project", "profiles", "profile", "dependencyManagement", "dependencies", "dependency"] => {
            Some(true)
        }
        _ => None,
    }
}

fn assign(pom: &mut Pom, cur: &mut Option<RawDep>, stack: &[String], value: String) {
    let s: Vec<&str> = stack.iter().map(String::as_str).collect();
    match s.as_slice() {
        ["project", "properties", key] => {
            pom.props.insert(key.to_string(), value);
        }
        ["project", "version"] => pom.version = value,
        ["project", "groupId"] => pom.group = value,
        ["project", "parent", "version"] => pom.parent_version = value,
        ["project", "parent", "groupId"] => pom.parent_group = value,
        [.., "dependency", field] if dependency_context(&stack[..stack.len() - 1]).is_some() => {
            if let Some(d) = cur.as_mut() {
                match *field {
                    "groupId" => d.group = value,
                    "artifactId" => d.artifact = value,
                    "version" => d.version = value,
                    "scope" => d.scope = value,
                    "optional" => d.optional = value,
                    "type" => d.kind = value,
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

impl Pom {
    /// Expand `${…}` references; `None` when one cannot be resolved.
    fn resolve(&self, s: &str) -> Option<String> {
        let mut s = s.to_string();
        // a few rounds: properties may refer to properties; a cycle just stops here
        for _ in 0..8 {
            let Some(start) = s.find("${") else {
                return Some(s);
            };
            let end = start + s[start..].find('}')?;
            let key = &s[start + 2..end];
            let value = match key {
                "project.version" | "pom.version" | "version" => Some(if self.version.is_empty() {
                    &self.parent_version
                } else {
                    &self.version
                }),
                "project.groupId" | "pom.groupId" | "groupId" => Some(if self.group.is_empty() {
                    &self.parent_group
                } else {
                    &self.group
                }),
                "project.parent.version" => Some(&self.parent_version),
                _ => self.props.get(key),
            }
            .filter(|v| !v.is_empty())?
            .clone();
            s.replace_range(start..=end, &value);
        }
        (!s.contains("${")).then_some(s)
    }
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let (pom, error) = parse(text);
    let mut out = DetectOutcome::default();
    if let Some(e) = error {
        out.warn(
            input,
            ID,
            format!("invalid XML: {e}; entries before it were read"),
        );
        out.failed = true;
    }
    let coord = |d: &RawDep| -> Option<String> {
        let g = pom.resolve(&d.group)?;
        let a = pom.resolve(&d.artifact)?;
        (!g.is_empty() && !a.is_empty()).then(|| format!("{g}:{a}"))
    };
    let mut managed: BTreeMap<String, String> = BTreeMap::new();
    for d in pom.deps.iter().filter(|d| d.managed) {
        if let Some(c) = coord(d) {
            managed.entry(c).or_insert_with(|| d.version.clone());
        }
    }
    let used: Vec<String> = pom
        .deps
        .iter()
        .filter(|d| !d.managed)
        .filter_map(coord)
        .collect();
    let mut found = Vec::new();
    for d in &pom.deps {
        let Some(name) = coord(d) else {
            continue;
        };
        if d.managed && (used.contains(&name) || (d.kind == "pom" && d.scope == "import")) {
            continue;
        }
        let declared = if d.version.is_empty() && !d.managed {
            managed.get(&name).cloned().unwrap_or_default()
        } else {
            d.version.clone()
        };
        let resolved = pom.resolve(&declared);
        let mut dep = Dep::new(name, d.line);
        dep.version = resolved.clone().filter(|v| deps::is_exact_version(v));
        dep.constraint = match &resolved {
            Some(v) if !v.is_empty() && dep.version.is_none() => Some(v.clone()),
            None if !declared.is_empty() => Some(declared.clone()),
            _ => None,
        };
        if !d.managed {
            dep.direct = Some(true);
            dep.scope = Some(match (d.optional.as_str(), d.scope.as_str()) {
                ("true", _) => "optional",
                (_, "test") => "dev",
                (_, "provided") => "provided",
                _ => "required",
            });
        }
        dep.snippet = Some(format!("{}:{}", d.group, d.artifact));
        found.push(dep);
    }
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

    fn run(text: &str) -> DetectOutcome {
        let ctx = Context {
            catalog: Catalog::builtin(),
            ..Default::default()
        };
        detect(
            &FileInput::from_bytes("pom.xml", text.as_bytes().to_vec()),
            &ctx,
        )
    }

    fn rows(out: &DetectOutcome) -> Vec<String> {
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

    const POM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>app</artifactId>
  <version>1.2.0</version>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>dev.langchain4j</groupId>
        <artifactId>langchain4j-bom</artifactId>
        <version>${langchain4j.version}</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
      <dependency>
        <groupId>ai.djl</groupId>
        <artifactId>api</artifactId>
        <version>0.28.0</version>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>dev.langchain4j</groupId>
      <artifactId>langchain4j-open-ai</artifactId>
      <version>${langchain4j.version}</version>
      <exclusions>
        <exclusion><groupId>com.squareup.okhttp3</groupId><artifactId>okhttp</artifactId></exclusion>
      </exclusions>
    </dependency>
    <dependency>
      <groupId>ai.djl</groupId>
      <artifactId>api</artifactId>
    </dependency>
    <dependency>
      <groupId>com.microsoft.onnxruntime</groupId>
      <artifactId>onnxruntime</artifactId>
      <version>[1.17,2.0)</version>
      <scope>test</scope>
    </dependency>
    <dependency>
      <groupId>org.springframework.ai</groupId>
      <artifactId>spring-ai-openai</artifactId>
      <version>${spring-ai.version}</version>
      <optional>true</optional>
    </dependency>
  </dependencies>
  <properties>
    <langchain4j.version>0.35.0</langchain4j.version>
  </properties>
</project>
"#;

    #[test]
    fn properties_management_scopes_and_exclusions() {
        let out = run(POM);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        assert_eq!(
            rows(&out),
            vec![
                "dev.langchain4j:langchain4j-open-ai@0.35.0 l24 required -",
                "ai.djl:api@0.28.0 l32 required -",
                "com.microsoft.onnxruntime:onnxruntime@- l36 dev [1.17,2.0)",
                "org.springframework.ai:spring-ai-openai@- l42 optional ${spring-ai.version}",
            ]
        );
        assert_eq!(
            out.findings[0].purl.as_deref(),
            Some("pkg:maven/dev.langchain4j/langchain4j-open-ai")
        );
    }

    #[test]
    fn broken_xml_keeps_what_was_read() {
        let cut = &POM[..POM.find("<groupId>com.microsoft").unwrap()];
        let out = run(cut);
        assert!(out.failed);
        assert!(
            out.warnings[0].message.contains("invalid XML"),
            "{:?}",
            out.warnings
        );
        assert_eq!(out.findings.len(), 2);
        let out = run("<project><dependencies><dependency></oops></project>");
        assert!(out.failed);
    }
}
