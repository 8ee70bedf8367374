//! `Cargo.lock`, format versions 1 to 4.
//!
//! ## What it detects
//! Every locked AI/ML crate (`[[package]]` name, version, source) with its resolved version.
//! Packages without a `source` are the workspace's own crates; the crates they list in their
//! `dependencies` are `dependency=direct`, every other locked crate is `transitive`.
//!
//! ## Files claimed
//! `Cargo.lock`.
//!
//! ## Evidence and confidence
//! `lockfile`, high: the line of the package's `name`. The lock's `checksum` (the sha256 of
//! the `.crate` archive) becomes a SHA-256 hash of the component.
//!
//! ## Not handled
//! Workspace crates themselves (they are the project, not a dependency). The lock does not say
//! which dependency kind (dev/build) pulled a crate in, so there is no `scope`; the
//! `Cargo.toml` declaration supplies it when merged.
//!
//! ## References
//! <https://doc.rust-lang.org/cargo/guide/cargo-toml-vs-cargo-lock.html>

use crate::bom::normalize::Ecosystem;
use crate::bom::{Hash, Method};
use crate::detect::deps::{self, Dep};
use crate::detect::python::toml_lock;
use crate::detect::python::toml_tree::Node;
use crate::detect::{util, Candidate, Claim, Context, DetectOutcome, Detector, FileInput};
use crate::detect::{Maturity, Scope};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use toml::Spanned;

pub const ID: &str = "cargo-lock";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "rust",
    summary: "Cargo.lock v1-v4: resolved versions, direct vs transitive, checksums",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    if c.file_name == "Cargo.lock" {
        Claim::Yes
    } else {
        Claim::No
    }
}

#[derive(Debug, Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<Package>,
}

#[derive(Debug, Deserialize)]
struct Package {
    name: Spanned<String>,
    #[serde(default)]
    version: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

/// A `[[package]]` entry, however it was read.
struct Locked {
    name: String,
    /// Byte offset of the name's value.
    name_at: usize,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    dependencies: Vec<String>,
}

impl From<Package> for Locked {
    fn from(p: Package) -> Self {
        let name_at = p.name.span().start;
        Locked {
            name: p.name.into_inner(),
            name_at,
            version: p.version,
            source: p.source,
            checksum: p.checksum,
            dependencies: p.dependencies,
        }
    }
}

/// The packages of a lock read by the lock-file reader, typed as [`Lock`] would type them:
/// `None` wherever the typed reading fails (a package without a name, a non-string version),
/// so that the general parser reports it.
fn packages_from_tree(root: &Node) -> Option<Vec<Locked>> {
    let Some(list) = root.get("package") else {
        return Some(Vec::new());
    };
    let opt_str = |t: &Node, key: &str| -> Option<Option<String>> {
        match t.get(key).map(|i| &i.node) {
            None => Some(None),
            Some(Node::Str(s)) => Some(Some(s.clone())),
            Some(_) => None,
        }
    };
    let mut out = Vec::new();
    for item in list.node.as_array()? {
        let t = &item.node;
        t.as_table()?;
        let name = t.get("name")?;
        let dependencies = match t.get("dependencies").map(|i| &i.node) {
            None => Vec::new(),
            Some(Node::Array(items)) => items
                .iter()
                .map(|i| i.node.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()?,
            Some(_) => return None,
        };
        out.push(Locked {
            name: name.node.as_str()?.to_string(),
            name_at: name.start?,
            version: opt_str(t, "version")?.unwrap_or_default(),
            source: opt_str(t, "source")?,
            checksum: opt_str(t, "checksum")?,
            dependencies,
        });
    }
    Some(out)
}

/// Every package of the lock: by the lock-file reader when the file is in its shape, else by
/// the general parser (which also words the error of an invalid file).
fn read_packages(text: &str) -> Result<Vec<Locked>, String> {
    if let Some(packages) = toml_lock::parse(text).as_ref().and_then(packages_from_tree) {
        return Ok(packages);
    }
    match toml::from_str::<Lock>(text) {
        Ok(l) => Ok(l.package.into_iter().map(Locked::from).collect()),
        Err(e) => {
            let at = e
                .span()
                .map(|s| format!(" (line {})", util::line_at(text, s.start)))
                .unwrap_or_default();
            Err(format!("invalid TOML{at}: {}", e.message()))
        }
    }
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let packages = match read_packages(text) {
        Ok(p) => p,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    // `name` or `name version` or `name version (source)`, as members list them
    let mut direct: BTreeSet<(String, Option<String>)> = BTreeSet::new();
    for p in packages.iter().filter(|p| p.source.is_none()) {
        for d in &p.dependencies {
            let mut it = d.split_whitespace();
            if let Some(name) = it.next() {
                direct.insert((name.to_string(), it.next().map(str::to_string)));
            }
        }
    }
    let lines = deps::LineIndex::new(text);
    let mut found = Vec::new();
    let mut checksums: BTreeMap<(String, String), String> = BTreeMap::new();
    for p in packages.iter().filter(|p| p.source.is_some()) {
        let name = &p.name;
        let mut d = Dep::new(name.as_str(), lines.line(p.name_at));
        d.version = (!p.version.is_empty()).then(|| p.version.clone());
        d.direct = Some(
            direct.contains(&(name.clone(), None))
                || direct.contains(&(name.clone(), Some(p.version.clone()))),
        );
        d.snippet = Some(format!("{name} {}", p.version));
        if let Some(c) = p.checksum.as_ref().filter(|c| is_sha256(c)) {
            checksums.insert((name.clone(), p.version.clone()), c.to_ascii_lowercase());
        }
        found.push(d);
    }
    let mut out = DetectOutcome::default();
    deps::emit(
        ctx,
        input,
        ID,
        Ecosystem::Cargo,
        Method::Lockfile,
        found,
        &mut out,
    );
    for f in &mut out.findings {
        let key = (f.name.clone(), f.version.clone().unwrap_or_default());
        if let Some(c) = checksums.get(&key) {
            f.hashes.push(Hash {
                alg: "SHA-256".into(),
                value: c.clone(),
            });
        }
    }
    out
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
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
            &FileInput::from_bytes("Cargo.lock", text.as_bytes().to_vec()),
            &ctx,
        )
    }

    #[test]
    fn v4_lock_direct_and_transitive() {
        let out = run(r#"# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "async-openai",
 "tokenizers 0.19.1",
]

[[package]]
name = "async-openai"
version = "0.23.4"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "dc0e5ff98f9e7c605df4c88783a0439d1dc667ce86bd79e99d4164f8b0c05ccc"
dependencies = [
 "tokenizers 0.15.2",
]

[[package]]
name = "tokenizers"
version = "0.15.2"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "tokenizers"
version = "0.19.1"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#);
        let got: Vec<_> = out
            .findings
            .iter()
            .map(|f| {
                (
                    f.name.as_str(),
                    f.version.as_deref().unwrap_or(""),
                    f.evidence.line.unwrap_or(0),
                    f.properties["dependency"].as_str().unwrap_or(""),
                    f.hashes.len(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("async-openai", "0.23.4", 14, "direct", 1),
                ("tokenizers", "0.15.2", 23, "transitive", 0),
                ("tokenizers", "0.19.1", 28, "direct", 0),
            ]
        );
    }

    #[test]
    fn bad_lock() {
        let out = run("version = 3\n[[package]]\nname = \"ort\"\nversion = ");
        assert!(out.failed);
        assert!(out.warnings[0].message.contains("invalid TOML"));
        let out = run("[[package]]\nversion = \"1\"\n");
        assert!(
            out.failed,
            "a package without a name is not a Cargo.lock entry"
        );
    }
}
