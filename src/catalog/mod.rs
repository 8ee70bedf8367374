//! The AI package catalogue: which packages are AI, what they are, who provides them, and which
//! import names map to them. Data lives in one TOML file per ecosystem, compiled in; users add
//! entries with `--catalog FILE` (same format) without rebuilding.

use crate::bom::normalize::Ecosystem;
use crate::detect::source::relevance::Filter;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

const BUILTIN: [(Ecosystem, &str); 5] = [
    (Ecosystem::Pypi, include_str!("pypi.toml")),
    (Ecosystem::Npm, include_str!("npm.toml")),
    (Ecosystem::Cargo, include_str!("cargo.toml")),
    (Ecosystem::Golang, include_str!("golang.toml")),
    (Ecosystem::Maven, include_str!("maven.toml")),
];

/// What kind of AI package an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Training/inference frameworks: torch, tensorflow, jax.
    Framework,
    /// Clients of hosted LLM APIs: openai, anthropic.
    LlmSdk,
    /// Agent and orchestration frameworks: langchain, crewai.
    Agent,
    /// Vector databases and their clients.
    VectorStore,
    /// Local inference runtimes: onnxruntime, llama-cpp-python, candle.
    Inference,
    /// Model serving: vllm, tritonclient, bentoml.
    Serving,
    /// Model hubs and model-definition libraries: huggingface-hub, transformers.
    Hub,
    /// Experiment tracking, pipelines, data versioning.
    Mlops,
    /// Classic machine learning: scikit-learn, xgboost.
    ClassicMl,
    Tokenizer,
    Evaluation,
    Guardrails,
    /// Dataset libraries.
    Data,
    /// Model Context Protocol SDKs.
    Mcp,
    /// Computer vision, speech and other ML toolkits.
    Toolkit,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Framework => "framework",
            Category::LlmSdk => "llm-sdk",
            Category::Agent => "agent",
            Category::VectorStore => "vector-store",
            Category::Inference => "inference",
            Category::Serving => "serving",
            Category::Hub => "hub",
            Category::Mlops => "mlops",
            Category::ClassicMl => "classic-ml",
            Category::Tokenizer => "tokenizer",
            Category::Evaluation => "evaluation",
            Category::Guardrails => "guardrails",
            Category::Data => "data",
            Category::Mcp => "mcp",
            Category::Toolkit => "toolkit",
        }
    }
}

/// One catalogue entry, as written in the TOML files.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Package name as the ecosystem spells it; a trailing `*` makes it a prefix pattern
    /// (`langchain-*`, `@langchain/*`).
    pub name: String,
    pub category: Category,
    /// Who makes it.
    #[serde(default)]
    pub vendor: Option<String>,
    /// The AI provider whose hosted API this SDK calls (`openai`, `anthropic`, …).
    #[serde(default)]
    pub provider: Option<String>,
    /// Import names (Python modules, JS module specifiers, Rust crate paths, Go import paths)
    /// that mean this package is used. A trailing `*` is a prefix pattern.
    #[serde(default)]
    pub imports: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default)]
    package: Vec<Entry>,
}

/// A user catalogue file: entries under `[[<ecosystem>]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserCatalogFile {
    #[serde(default)]
    pypi: Vec<Entry>,
    #[serde(default)]
    npm: Vec<Entry>,
    #[serde(default)]
    cargo: Vec<Entry>,
    #[serde(default)]
    golang: Vec<Entry>,
    #[serde(default)]
    maven: Vec<Entry>,
}

/// The loaded catalogue with exact and prefix indexes per ecosystem.
#[derive(Debug, Default)]
pub struct Catalog {
    // Hashed by name, one map per ecosystem (`Ecosystem as usize`): a look-up borrows the name
    // and hashes it once, where an ordered map of (ecosystem, name) keys compared strings at
    // every level. Whatever lists these sorts first, so no output depends on hash order.
    exact: [HashMap<String, Entry>; Ecosystem::ALL.len()],
    prefixes: Vec<(Ecosystem, String, Entry)>,
    imports_exact: [HashMap<String, Entry>; Ecosystem::ALL.len()],
    import_prefixes: Vec<(Ecosystem, String, Entry)>,
    /// The source relevance filters (`detect::source::relevance`) for Python, JS/TS and Go,
    /// built from these entries on first use; reset whenever entries are added.
    pub(crate) source_filters: [OnceLock<Option<Filter>>; 3],
}

impl Catalog {
    /// The built-in catalogue. Panics only if the compiled-in data is malformed, which the
    /// catalogue tests rule out.
    pub fn builtin() -> Catalog {
        let mut c = Catalog::default();
        for (eco, text) in BUILTIN {
            let file: CatalogFile = toml::from_str(text).unwrap_or_else(|e| {
                panic!("built-in {} catalogue is malformed: {e}", eco.as_str())
            });
            for entry in file.package {
                c.add(eco, entry);
            }
        }
        c.finish();
        c
    }

    /// Add the entries of a user catalogue file (same entry format, one `[[pypi]]`, `[[npm]]`,
    /// … table per entry). User entries override built-in ones of the same name.
    pub fn extend_from_toml(&mut self, text: &str) -> Result<usize, String> {
        let file: UserCatalogFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut n = 0;
        for (eco, entries) in [
            (Ecosystem::Pypi, file.pypi),
            (Ecosystem::Npm, file.npm),
            (Ecosystem::Cargo, file.cargo),
            (Ecosystem::Golang, file.golang),
            (Ecosystem::Maven, file.maven),
        ] {
            for e in entries {
                self.add(eco, e);
                n += 1;
            }
        }
        self.finish();
        Ok(n)
    }

    fn add(&mut self, eco: Ecosystem, entry: Entry) {
        for imp in &entry.imports {
            match imp.strip_suffix('*') {
                Some(prefix) => self
                    .import_prefixes
                    .push((eco, prefix.to_string(), entry.clone())),
                None => {
                    if let Some(m) = self.imports_exact.get_mut(eco as usize) {
                        m.insert(imp.clone(), entry.clone());
                    }
                }
            }
        }
        match entry.name.strip_suffix('*') {
            Some(raw) => {
                let mut prefix = normalize_key(eco, raw).into_owned();
                // PEP 503 normalisation drops a trailing separator; keep it, or `langchain-*`
                // would also match `langchainx`
                if eco == Ecosystem::Pypi && raw.ends_with(['-', '_', '.']) {
                    prefix.push('-');
                }
                self.prefixes.push((eco, prefix, entry));
            }
            None => {
                let key = normalize_key(eco, &entry.name);
                let key = key.into_owned();
                if let Some(m) = self.exact.get_mut(eco as usize) {
                    m.insert(key, entry);
                }
            }
        }
    }

    fn finish(&mut self) {
        self.source_filters = Default::default();
        // longest prefix first, so `langchain-community*` would beat `langchain-*`
        self.prefixes
            .sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.1.cmp(&b.1)));
        self.import_prefixes
            .sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.1.cmp(&b.1)));
    }

    /// The entry for a package, by normalised name.
    pub fn lookup(&self, eco: Ecosystem, name: &str) -> Option<&Entry> {
        let key = normalize_key(eco, name);
        if let Some(e) = self
            .exact
            .get(eco as usize)
            .and_then(|m| m.get(key.as_ref()))
        {
            return Some(e);
        }
        self.prefixes
            .iter()
            .find(|(e, p, _)| *e == eco && key.starts_with(p.as_str()))
            .map(|(_, _, entry)| entry)
    }

    /// The package an import name belongs to. `module` is the full dotted/slashed import path;
    /// the longest listed prefix of it (at a `.`, `/` or `::` boundary) wins.
    pub fn lookup_import(&self, eco: Ecosystem, module: &str) -> Option<&Entry> {
        let names = self.imports_exact.get(eco as usize);
        let mut candidate = module;
        loop {
            if let Some(e) = names.and_then(|m| m.get(candidate)) {
                return Some(e);
            }
            match candidate.rfind(['.', '/', ':']) {
                Some(i) => candidate = candidate[..i].trim_end_matches(':'),
                None => break,
            }
        }
        self.import_prefixes
            .iter()
            .find(|(e, p, _)| *e == eco && module.starts_with(p.as_str()))
            .map(|(_, _, entry)| entry)
    }

    /// Import names of one ecosystem: exact names, then prefixes (without their `*`).
    pub fn import_names(&self, eco: Ecosystem) -> impl Iterator<Item = (&str, bool)> {
        let mut exact: Vec<&str> = self
            .imports_exact
            .get(eco as usize)
            .into_iter()
            .flat_map(|m| m.keys())
            .map(String::as_str)
            .collect();
        exact.sort_unstable();
        exact.into_iter().map(|n| (n, false)).chain(
            self.import_prefixes
                .iter()
                .filter(move |(e, _, _)| *e == eco)
                .map(|(_, p, _)| (p.as_str(), true)),
        )
    }

    /// Every entry of one ecosystem (exact names), for tests and documentation.
    pub fn entries(&self, eco: Ecosystem) -> impl Iterator<Item = &Entry> {
        let mut exact: Vec<(&String, &Entry)> = self
            .exact
            .get(eco as usize)
            .into_iter()
            .flat_map(|m| m.iter())
            .collect();
        exact.sort_unstable_by(|a, b| a.0.cmp(b.0));
        exact.into_iter().map(|(_, v)| v).chain(
            self.prefixes
                .iter()
                .filter(move |(e, _, _)| *e == eco)
                .map(|(_, _, v)| v),
        )
    }
}

fn normalize_key(eco: Ecosystem, name: &str) -> Cow<'_, str> {
    match eco {
        // callers mostly pass names already normalised: borrowed then
        Ecosystem::Pypi if is_pypi_normal(name) => Cow::Borrowed(name),
        Ecosystem::Pypi => Cow::Owned(crate::bom::normalize::pypi_name(name)),
        Ecosystem::Cargo if name.contains('_') => Cow::Owned(name.replace('_', "-")),
        _ => Cow::Borrowed(name),
    }
}

/// True when PEP 503 normalisation leaves `name` as it is: lowercase ASCII letters, digits and
/// single inner `-`.
fn is_pypi_normal(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
        && !name.contains("--")
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn builtin_catalogue_is_well_formed_and_has_no_duplicates() {
        let mut total = 0;
        for (eco, text) in BUILTIN {
            let file: CatalogFile = toml::from_str(text).expect("catalogue parses");
            let mut seen = BTreeSet::new();
            for e in &file.package {
                let key = normalize_key(eco, &e.name);
                assert!(
                    seen.insert(key.clone()),
                    "duplicate {} entry {key}",
                    eco.as_str()
                );
                assert!(!e.name.trim().is_empty());
                assert_eq!(e.name, e.name.trim(), "stray whitespace in {}", e.name);
            }
            total += file.package.len();
        }
        assert!(total >= 1);
    }

    #[test]
    fn user_entries_extend_the_catalogue() {
        let mut c = Catalog::builtin();
        let n = c
            .extend_from_toml(
                "[[pypi]]\nname = \"acme_llm\"\ncategory = \"llm-sdk\"\nprovider = \"acme\"\n",
            )
            .unwrap();
        assert_eq!(n, 1);
        let e = c.lookup(Ecosystem::Pypi, "Acme.LLM").unwrap();
        assert_eq!(e.provider.as_deref(), Some("acme"));
        assert!(c.extend_from_toml("[[pypi]]\nname = 1\n").is_err());
    }

    #[test]
    fn names_taken_as_already_normal_are_those_pep503_keeps() {
        let names = [
            "torch",
            "flash-attn",
            "a1-b2",
            "Torch",
            "flash_attn",
            "zope.interface",
            "-torch",
            "torch-",
            "a--b",
            "",
            "ünicode",
            "x",
            "0",
        ];
        for n in names {
            if is_pypi_normal(n) {
                assert_eq!(crate::bom::normalize::pypi_name(n), n, "{n:?}");
            }
        }
        assert!(is_pypi_normal("flash-attn") && !is_pypi_normal("Flash-Attn"));
        // borrowed or normalised, a look-up finds the same entry
        let c = Catalog::builtin();
        for (name, spelled) in [
            ("openai", "OpenAI"),
            ("langchain-openai", "langchain_openai"),
        ] {
            let direct = c.lookup(Ecosystem::Pypi, name).map(|e| &e.name);
            assert!(direct.is_some(), "{name} is catalogued");
            assert_eq!(direct, c.lookup(Ecosystem::Pypi, spelled).map(|e| &e.name));
        }
    }

    #[test]
    fn listings_are_sorted_whatever_the_hash_order() {
        let c = Catalog::builtin();
        for eco in Ecosystem::ALL {
            let exact: Vec<&str> = c
                .import_names(eco)
                .take_while(|(_, prefix)| !prefix)
                .map(|(n, _)| n)
                .collect();
            assert!(exact.windows(2).all(|w| w[0] < w[1]), "{eco:?}");
        }
        let names: Vec<String> = c
            .entries(Ecosystem::Pypi)
            .map(|e| normalize_key(Ecosystem::Pypi, &e.name).into_owned())
            .filter(|n| !n.ends_with('*'))
            .collect();
        assert!(names.len() > 10);
        assert!(names.windows(2).all(|w| w[0] < w[1]));
    }
}
