//! Imports as uses: an imported AI package is a `library` component even where no manifest
//! declares it, and merges with manifest findings of the same purl.
//!
//! # What it detects
//! Module paths mapped to packages by the catalogue's `imports` field.
//!
//! # Files claimed
//! None (the language detectors collect the imports).
//!
//! # Evidence and confidence
//! `import-statement`, high, at the first import of the package in the file; no version.
//!
//! # Not handled
//! Imports of packages that are not in the catalogue (not AI) are not reported.
//!
//! # References
//! See `src/catalog/mod.rs`.

use super::refs::Emitter;
use crate::bom::normalize::{pypi_name, Ecosystem};
use crate::bom::{Confidence, Method};
use crate::detect::util::package_finding;
use crate::detect::Context;
use std::collections::BTreeSet;

/// Emit one library finding per package imported in the file.
pub fn emit(ctx: &Context, eco: Ecosystem, imports: &[(String, u32)], em: &mut Emitter) {
    let mut seen = BTreeSet::new();
    for (module, line) in imports {
        let Some(name) = package_for(ctx, eco, module) else {
            continue;
        };
        if !seen.insert(name.clone()) {
            continue;
        }
        let ev = em
            .src
            .evidence(*line, Method::ImportStatement, Confidence::High);
        if let Some(f) = package_finding(ctx, eco, &name, None, ev) {
            em.out.findings.push(f.prop("import", module.as_str()));
        }
    }
}

/// The package an import path belongs to, by the catalogue. Prefix entries (`langchain-*`)
/// name the package after the imported distribution (`langchain_openai` → `langchain-openai`).
pub fn package_for(ctx: &Context, eco: Ecosystem, module: &str) -> Option<String> {
    let entry = ctx.catalog.lookup_import(eco, module)?;
    let Some(prefix) = entry.name.strip_suffix('*') else {
        return Some(entry.name.clone());
    };
    let candidate = match eco {
        Ecosystem::Pypi => pypi_name(module.split('.').next().unwrap_or(module)),
        Ecosystem::Npm => npm_package(module)?.to_string(),
        Ecosystem::Cargo => module
            .split("::")
            .next()
            .unwrap_or(module)
            .replace('_', "-"),
        Ecosystem::Golang | Ecosystem::Maven => return None,
    };
    let same_entry = ctx
        .catalog
        .lookup(eco, &candidate)
        .is_some_and(|e| e.name == entry.name);
    (same_entry && candidate.starts_with(&eco.normalize_name(prefix))).then_some(candidate)
}

/// The package part of an npm specifier: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`.
pub fn npm_package(spec: &str) -> Option<&str> {
    if spec.starts_with(['.', '/']) || spec.starts_with("node:") || spec.is_empty() {
        return None;
    }
    let mut parts = spec.splitn(3, '/');
    let first = parts.next()?;
    if first.starts_with('@') {
        let second = parts.next()?;
        Some(&spec[..first.len() + 1 + second.len()])
    } else {
        Some(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_specifiers() {
        assert_eq!(npm_package("@ai-sdk/openai"), Some("@ai-sdk/openai"));
        assert_eq!(
            npm_package("@langchain/openai/chat"),
            Some("@langchain/openai")
        );
        assert_eq!(npm_package("openai/resources"), Some("openai"));
        assert_eq!(npm_package("./local"), None);
        assert_eq!(npm_package("node:fs"), None);
    }
}
