//! Per-ecosystem name normalisation and package URLs (purl spec).

use packageurl::PackageUrl;
use std::cell::RefCell;
use std::collections::HashMap;
use std::str::FromStr;

/// Package ecosystems aibom reads manifests for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ecosystem {
    Pypi,
    Npm,
    Cargo,
    Golang,
    Maven,
}

impl Ecosystem {
    pub const ALL: [Ecosystem; 5] = [
        Ecosystem::Pypi,
        Ecosystem::Npm,
        Ecosystem::Cargo,
        Ecosystem::Golang,
        Ecosystem::Maven,
    ];

    /// The purl type (and the catalogue's ecosystem key).
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Pypi => "pypi",
            Ecosystem::Npm => "npm",
            Ecosystem::Cargo => "cargo",
            Ecosystem::Golang => "golang",
            Ecosystem::Maven => "maven",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// The canonical spelling of a package name, used for identity and catalogue look-ups.
    pub fn normalize_name(self, name: &str) -> String {
        match self {
            Ecosystem::Pypi => pypi_name(name),
            // npm names are case-sensitive in the registry but new ones must be lowercase;
            // keep them as written. Cargo treats `-` and `_` as the same crate.
            Ecosystem::Npm | Ecosystem::Golang | Ecosystem::Maven => name.trim().to_string(),
            Ecosystem::Cargo => name.trim().to_string(),
        }
    }
}

/// PEP 503 normalisation: lowercase, runs of `-`, `_`, `.` become one `-`.
pub fn pypi_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_sep = false;
    for ch in name.trim().chars() {
        if matches!(ch, '-' | '_' | '.') {
            pending_sep = true;
            continue;
        }
        if pending_sep && !out.is_empty() {
            out.push('-');
        }
        pending_sep = false;
        out.extend(ch.to_lowercase());
    }
    out
}

/// Build a versionless purl for a package. For npm, `name` may carry its `@scope/`; for Maven
/// and Go the namespace is split off the last `/` or `:` segment.
pub fn package_purl(eco: Ecosystem, name: &str) -> Option<String> {
    // Remembered per thread: a monorepo's lock files and imports name the same packages
    // thousands of times, and building a purl costs some 3 000 instructions. Bounded, so a
    // tree of endless distinct names cannot grow it.
    const KEPT: usize = 4096;
    thread_local! {
        static MEMO: RefCell<[HashMap<String, Option<String>>; Ecosystem::ALL.len()]> =
            RefCell::default();
    }
    let remembered = MEMO.try_with(|memo| {
        let mut memo = memo.try_borrow_mut().ok()?;
        let names = memo.get_mut(eco as usize)?;
        if let Some(purl) = names.get(name) {
            return Some(purl.clone());
        }
        let purl = build_package_purl(eco, name);
        if names.len() >= KEPT {
            names.clear();
        }
        names.insert(name.to_string(), purl.clone());
        Some(purl)
    });
    match remembered {
        Ok(Some(purl)) => purl,
        _ => build_package_purl(eco, name),
    }
}

fn build_package_purl(eco: Ecosystem, name: &str) -> Option<String> {
    let name = eco.normalize_name(name);
    let (namespace, short) = match eco {
        Ecosystem::Npm => match name.strip_prefix('@').and_then(|n| n.split_once('/')) {
            Some((scope, short)) => (Some(format!("@{scope}")), short.to_string()),
            None => (None, name.clone()),
        },
        Ecosystem::Maven => match name.split_once(':') {
            Some((group, artifact)) => (Some(group.to_string()), artifact.to_string()),
            None => (None, name.clone()),
        },
        Ecosystem::Golang => match name.rsplit_once('/') {
            Some((ns, short)) => (Some(ns.to_string()), short.to_string()),
            None => (None, name.clone()),
        },
        Ecosystem::Pypi | Ecosystem::Cargo => (None, name.clone()),
    };
    build_purl(eco.as_str(), namespace.as_deref(), &short, None)
}

/// Build a purl from its parts; `None` when the parts are not valid for the type.
pub fn build_purl(
    ty: &str,
    namespace: Option<&str>,
    name: &str,
    version: Option<&str>,
) -> Option<String> {
    if name.is_empty() {
        return None;
    }
    let mut p = PackageUrl::new(ty.to_string(), name.to_string()).ok()?;
    if let Some(ns) = namespace.filter(|n| !n.is_empty()) {
        p.with_namespace(ns.to_string()).ok()?;
    }
    if let Some(v) = version.filter(|v| !v.is_empty()) {
        p.with_version(v.to_string()).ok()?;
    }
    Some(p.to_string())
}

/// The purl with `version` set (replacing any version it had).
pub fn purl_with_version(purl: &str, version: Option<&str>) -> String {
    let Ok(mut p) = PackageUrl::from_str(purl) else {
        return purl.to_string();
    };
    p.without_version();
    if let Some(v) = version.filter(|v| !v.is_empty()) {
        if p.with_version(v.to_string()).is_err() {
            return purl.to_string();
        }
    }
    p.to_string()
}

/// The purl without its version, for pairing components across versions.
pub fn purl_without_version(purl: &str) -> String {
    purl_with_version(purl, None)
}

/// A Hugging Face hub purl: `pkg:huggingface/<org>/<name>[@revision]`.
pub fn huggingface_purl(repo_id: &str) -> Option<String> {
    let repo_id = repo_id.trim().trim_matches('/');
    match repo_id.split_once('/') {
        Some((org, name)) if !name.contains('/') => {
            build_purl("huggingface", Some(org), name, None)
        }
        None => build_purl("huggingface", None, repo_id, None),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503() {
        assert_eq!(pypi_name("Flash_Attn"), "flash-attn");
        assert_eq!(pypi_name("zope.interface"), "zope-interface");
        assert_eq!(pypi_name("a__-.b"), "a-b");
    }

    #[test]
    fn purls() {
        assert_eq!(
            package_purl(Ecosystem::Pypi, "Torch_Vision").as_deref(),
            Some("pkg:pypi/torch-vision")
        );
        assert_eq!(
            package_purl(Ecosystem::Npm, "@ai-sdk/openai").as_deref(),
            Some("pkg:npm/%40ai-sdk/openai")
        );
        assert_eq!(
            package_purl(Ecosystem::Maven, "dev.langchain4j:langchain4j").as_deref(),
            Some("pkg:maven/dev.langchain4j/langchain4j")
        );
        assert_eq!(
            package_purl(Ecosystem::Golang, "github.com/sashabaranov/go-openai").as_deref(),
            Some("pkg:golang/github.com/sashabaranov/go-openai")
        );
        assert_eq!(
            purl_with_version("pkg:pypi/torch", Some("2.3.0+cu121")),
            "pkg:pypi/torch@2.3.0%2Bcu121"
        );
        assert_eq!(
            huggingface_purl("meta-llama/Meta-Llama-3-8B").as_deref(),
            Some("pkg:huggingface/meta-llama/Meta-Llama-3-8B")
        );
    }

    #[test]
    fn remembered_purls_are_those_built() {
        // past the memo's bound (it is cleared and refilled) and on repeats, the same answers
        for round in 0..2 {
            for i in 0..5000 {
                for eco in Ecosystem::ALL {
                    let name = format!("Pkg_{i}");
                    assert_eq!(
                        package_purl(eco, &name),
                        build_package_purl(eco, &name),
                        "{eco:?} {name} round {round}"
                    );
                }
            }
        }
        assert_eq!(package_purl(Ecosystem::Npm, ""), None);
        assert_eq!(package_purl(Ecosystem::Npm, ""), None);
    }
}
