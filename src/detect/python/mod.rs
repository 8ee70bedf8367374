//! The `python` detector family: dependency manifests and lock files of the Python packaging
//! tools (pip, PEP 621/735 pyproject.toml, Poetry, uv, Pipenv, setuptools, conda).
//!
//! Every detector reports AI packages (per the catalogue) as `library` findings through
//! [`dep_finding`], so properties are spelled the same way everywhere: `constraint`, `scope`,
//! `dependency`, `extras`, `marker`, `source`.

pub mod conda;
pub mod pep508;
pub mod pipfile;
pub mod pipfile_lock;
pub mod poetry_lock;
pub mod pyproject;
pub mod requirements;
pub mod setup_cfg;
pub mod setup_py;
pub mod toml_lock;
pub mod toml_tree;
pub mod uv_lock;

use super::{util, Context, Detector, FileInput};
use crate::bom::{normalize::Ecosystem, Confidence, Evidence, Finding, Method};

/// This family's detectors (the registry sorts them by id).
pub const DETECTORS: &[Detector] = &[
    conda::DETECTOR,
    pipfile::DETECTOR,
    pipfile_lock::DETECTOR,
    poetry_lock::DETECTOR,
    pyproject::DETECTOR,
    requirements::DETECTOR,
    setup_cfg::DETECTOR,
    setup_py::DETECTOR,
    uv_lock::DETECTOR,
];

/// What a manifest or lock file says about one dependency.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dep {
    pub name: String,
    /// The resolved version (lock files, exact pins).
    pub version: Option<String>,
    /// The declared specifier.
    pub constraint: Option<String>,
    /// `required`, `optional`, `dev` or `group:<name>`.
    pub scope: Option<String>,
    /// `direct` or `transitive`, when the file knows.
    pub dependency: Option<&'static str>,
    pub extras: Vec<String>,
    pub marker: Option<String>,
    /// A URL or VCS reference the package comes from (credentials removed).
    pub source: Option<String>,
    /// The extra (optional-dependency group) that declares it.
    pub extra: Option<String>,
    /// A non-default package index (lock files).
    pub index: Option<String>,
    pub hashes: Vec<crate::bom::Hash>,
    /// 1-based line of the declaration.
    pub line: Option<u32>,
}

impl Dep {
    pub fn new(name: impl Into<String>, line: Option<u32>) -> Self {
        Dep {
            name: name.into(),
            line,
            ..Default::default()
        }
    }

    /// Fill name, extras, specifier, marker and URL from a parsed PEP 508 requirement. An
    /// exact `==` pin is also the resolved version.
    pub fn from_requirement(req: &pep508::Requirement, line: Option<u32>) -> Self {
        let mut d = Dep::new(req.name.clone(), line);
        d.extras = req.extras.clone();
        d.constraint = req.specifier.clone();
        d.version = req.pinned_version().map(str::to_string);
        d.marker = req.marker.clone();
        d.source = req.url.as_deref().map(strip_userinfo);
        d
    }
}

/// The library finding for `dep`, or `None` when it is not an AI package (and
/// `--all-packages` is off). `path` is where the evidence points (may be an included file).
pub fn dep_finding(
    ctx: &Context,
    path: &str,
    detector: &str,
    method: Method,
    text: Option<&str>,
    dep: &Dep,
) -> Option<Finding> {
    let ev = Evidence::new(path, dep.line, detector, method, Confidence::High);
    let mut f = util::package_finding(ctx, Ecosystem::Pypi, &dep.name, dep.version.as_deref(), ev)?;
    // the snippet only for a dependency that is reported: a lock file lists thousands
    if let (Some(text), Some(line)) = (text, dep.line) {
        if let Some(l) = util::nth_line(text, line.saturating_sub(1) as usize) {
            f.evidence.snippet = Some(util::snippet(&strip_userinfo(l)));
        }
    }
    apply_props(&mut f, dep);
    Some(f)
}

/// Add the shared dependency properties of `dep` to `f`.
pub fn apply_props(f: &mut Finding, dep: &Dep) {
    let props: [(&str, Option<&str>); 7] = [
        ("constraint", dep.constraint.as_deref()),
        ("scope", dep.scope.as_deref()),
        ("dependency", dep.dependency),
        ("marker", dep.marker.as_deref()),
        ("source", dep.source.as_deref()),
        ("extra", dep.extra.as_deref()),
        ("index", dep.index.as_deref()),
    ];
    for (k, v) in props {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            f.properties.insert(k.to_string(), v.into());
        }
    }
    if !dep.extras.is_empty() {
        let mut extras = dep.extras.clone();
        extras.sort();
        extras.dedup();
        f.properties.insert("extras".to_string(), extras.into());
    }
    f.hashes.extend(dep.hashes.iter().cloned());
}

/// Remove `user:password@` from every URL in `s`, so a token in an index or VCS URL never
/// reaches the output.
pub fn strip_userinfo(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let auth_end = tail
            .find(['/', '?', '#', ' ', '"', '\''])
            .unwrap_or(tail.len());
        match tail[..auth_end].rfind('@') {
            Some(at) => rest = &tail[at + 1..],
            None => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

/// `sha256:hex` (pip, uv, Poetry and Pipenv spelling) as a CycloneDX hash, when well-formed.
pub fn parse_hash(s: &str) -> Option<crate::bom::Hash> {
    let (alg, value) = s.trim().split_once([':', '='])?;
    let (alg, len) = match alg.to_ascii_lowercase().as_str() {
        "sha256" => ("SHA-256", 64),
        "sha384" => ("SHA-384", 96),
        "sha512" => ("SHA-512", 128),
        _ => return None,
    };
    (value.len() == len && value.bytes().all(|b| b.is_ascii_hexdigit())).then(|| crate::bom::Hash {
        alg: alg.to_string(),
        value: value.to_ascii_lowercase(),
    })
}

/// The scope of a Poetry / PEP 735 / Pipenv group: `dev` stays `dev`, others are
/// `group:<name>`.
pub fn group_scope(group: &str) -> String {
    match group {
        "dev" | "develop" | "dev-packages" => "dev".to_string(),
        "main" | "default" | "packages" => "required".to_string(),
        g => format!("group:{g}"),
    }
}

/// Read a sibling file of `input` (same directory), bounded like every other read. `None`
/// when it does not exist or cannot be read.
pub fn read_sibling(input: &FileInput, name: &str) -> Option<(String, String)> {
    let abs = input.abs_path.parent()?.join(name);
    if !abs.is_file() {
        return None;
    }
    let rel = match input.rel_path.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{name}"),
        None => name.to_string(),
    };
    let size = std::fs::metadata(&abs).ok()?.len();
    let sib = FileInput::new(rel.clone(), abs, size, input.cloud);
    sib.text().ok().map(|t| (rel, t.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_stripped() {
        assert_eq!(
            strip_userinfo("git+https://user:ghp_secret@github.com/a/b@v1#egg=b"),
            "git+https://github.com/a/b@v1#egg=b"
        );
        assert_eq!(
            strip_userinfo("-i https://tok@pypi.example/simple x @ https://h/p"),
            "-i https://pypi.example/simple x @ https://h/p"
        );
        assert_eq!(strip_userinfo("torch>=2"), "torch>=2");
    }

    #[test]
    fn pypi_catalogue_maps_names_and_imports() {
        use crate::catalog::Catalog;
        let c = Catalog::builtin();
        let eco = Ecosystem::Pypi;
        let n = c.entries(eco).count();
        assert!(n >= 180, "only {n} PyPI entries");
        let cat = |name: &str| c.lookup(eco, name).map(|e| e.name.as_str());
        assert_eq!(cat("langchain-community"), Some("langchain-*"));
        assert_eq!(cat("Langchain_OpenAI"), Some("langchain-openai"));
        assert_eq!(cat("langchainx"), None);
        assert_eq!(
            cat("llama-index-vector-stores-qdrant"),
            Some("llama-index-*")
        );
        assert_eq!(cat("onnxruntime-gpu"), Some("onnxruntime-*"));
        assert_eq!(
            c.lookup(eco, "anthropic")
                .and_then(|e| e.provider.as_deref()),
            Some("anthropic")
        );
        for not_ai in [
            "numpy",
            "pandas",
            "requests",
            "pillow",
            "fastapi",
            "streamlit",
            "flask",
            "boto3",
            "elasticsearch",
            "scipy",
            "pydantic",
            "django",
        ] {
            assert!(c.lookup(eco, not_ai).is_none(), "{not_ai} is not AI");
        }
        let imp = |m: &str| c.lookup_import(eco, m).map(|e| e.name.as_str());
        assert_eq!(imp("sklearn.linear_model"), Some("scikit-learn"));
        assert_eq!(imp("cv2"), Some("opencv-python"));
        assert_eq!(
            imp("google.generativeai.types"),
            Some("google-generativeai")
        );
        assert_eq!(imp("google.genai"), Some("google-genai"));
        assert_eq!(imp("sentence_transformers"), Some("sentence-transformers"));
        assert_eq!(imp("huggingface_hub"), Some("huggingface-hub"));
        assert_eq!(imp("flash_attn"), Some("flash-attn"));
        assert_eq!(imp("llama_index.core"), Some("llama-index"));
        assert_eq!(imp("langchain_openai"), Some("langchain-openai"));
        assert_eq!(imp("langchain_community.llms"), Some("langchain-*"));
        assert_eq!(imp("tensorflow.keras"), Some("tensorflow"));
        assert_eq!(imp("faiss"), Some("faiss-cpu"));
        assert_eq!(imp("os.path"), None);
    }

    #[test]
    fn hashes() {
        let h = parse_hash(&format!("sha256:{}", "A".repeat(64))).unwrap();
        assert_eq!(h.alg, "SHA-256");
        assert_eq!(h.value, "a".repeat(64));
        assert!(parse_hash("sha256:abc").is_none());
        assert!(parse_hash("md5:d41d8cd98f00b204e9800998ecf8427e").is_none());
    }
}
