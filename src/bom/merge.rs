//! Findings → components: group by identity, union the evidence, keep conflicts visible.

use super::{normalize, Component, ComponentKind, Finding};
use std::collections::BTreeMap;

/// Merge findings into sorted components.
///
/// A library declared without a resolved version (a manifest constraint, an import) folds into
/// the locked component(s) of the same package when a lock file resolved it: those in the same
/// directory or an ancestor of the declaration, else the single locked version if there is only
/// one. Otherwise it stays a versionless component carrying its constraint.
pub fn merge(findings: Vec<Finding>) -> Vec<Component> {
    let findings = fold_unversioned_into_locked(findings);
    let mut keyed: Vec<(String, Finding)> = findings.into_iter().map(|f| (f.id(), f)).collect();
    // Parallel detection arrives in any order: sort so merging (first value wins) is stable.
    keyed.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| b.1.evidence.confidence.cmp(&a.1.evidence.confidence))
            .then_with(|| a.1.evidence.cmp(&b.1.evidence))
    });

    let mut out: Vec<Component> = Vec::new();
    for (id, f) in keyed {
        match out.last_mut() {
            Some(c) if c.id == id => absorb(c, f),
            _ => out.push(start(id, f)),
        }
    }
    for c in &mut out {
        c.evidence.sort();
        c.evidence.dedup();
        c.licenses.sort();
        c.licenses.dedup();
        c.hashes.sort();
        c.hashes.dedup();
        c.depends_on.sort();
        c.depends_on.dedup();
        c.depends_on.retain(|d| d != &c.id);
    }
    out
}

fn start(id: String, f: Finding) -> Component {
    let purl = f
        .purl
        .as_deref()
        .map(|p| normalize::purl_with_version(p, f.version.as_deref()));
    Component {
        id,
        kind: f.kind,
        name: f.name,
        version: f.version,
        purl,
        provider: f.provider,
        licenses: f.licenses,
        hashes: f.hashes,
        properties: f.properties,
        depends_on: f.depends_on,
        evidence: vec![f.evidence],
    }
}

fn absorb(c: &mut Component, f: Finding) {
    if c.version.is_none() {
        c.version = f.version;
    } else if f.version.is_some() && f.version != c.version {
        note_conflict(c, "version", f.version.as_deref().map(Into::into));
    }
    if c.provider.is_none() {
        c.provider = f.provider;
    }
    c.licenses.extend(f.licenses);
    c.hashes.extend(f.hashes);
    c.depends_on.extend(f.depends_on);
    for (k, v) in f.properties {
        match c.properties.get(&k) {
            None => {
                c.properties.insert(k, v);
            }
            Some(existing) if *existing == v => {}
            Some(_) => note_conflict(c, &k, Some(v)),
        }
    }
    c.evidence.push(f.evidence);
}

/// Keep a second, different value of a field as `conflicts.<field>` instead of dropping it.
fn note_conflict(c: &mut Component, field: &str, value: Option<serde_json::Value>) {
    let Some(value) = value else { return };
    let key = format!("conflicts.{field}");
    let entry = c
        .properties
        .entry(key)
        .or_insert_with(|| serde_json::Value::Array(Vec::new()));
    if let serde_json::Value::Array(items) = entry {
        if !items.contains(&value) {
            items.push(value);
            items.sort_by_key(|a| a.to_string());
        }
    }
}

fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

fn is_ancestor_or_same(dir: &str, of: &str) -> bool {
    dir.is_empty()
        || of == dir
        || of
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

fn fold_unversioned_into_locked(findings: Vec<Finding>) -> Vec<Finding> {
    // versionless purl → (directory, version) of every resolved library finding
    let mut resolved: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for f in &findings {
        if let (ComponentKind::Library, Some(purl), Some(v)) = (f.kind, &f.purl, &f.version) {
            resolved
                .entry(purl.clone())
                .or_default()
                .push((parent_dir(&f.evidence.path).to_string(), v.clone()));
        }
    }
    for list in resolved.values_mut() {
        list.sort();
        list.dedup();
    }
    let mut out = Vec::with_capacity(findings.len());
    for f in findings {
        let targets = match (f.kind, &f.purl, &f.version) {
            (ComponentKind::Library, Some(purl), None) => resolved.get(purl),
            _ => None,
        };
        let Some(targets) = targets else {
            out.push(f);
            continue;
        };
        let here = parent_dir(&f.evidence.path);
        let mut versions: Vec<&String> = targets
            .iter()
            .filter(|(dir, _)| is_ancestor_or_same(dir, here) || is_ancestor_or_same(here, dir))
            .map(|(_, v)| v)
            .collect();
        if versions.is_empty() {
            let all: Vec<&String> = targets.iter().map(|(_, v)| v).collect();
            if all.len() == 1 {
                versions = all;
            }
        }
        versions.sort();
        versions.dedup();
        if versions.is_empty() {
            out.push(f);
            continue;
        }
        for v in versions {
            out.push(f.clone().with_version(Some(v.clone())));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bom::{Confidence, Evidence, Method};

    fn lib(path: &str, version: Option<&str>, method: Method) -> Finding {
        Finding::new(
            ComponentKind::Library,
            "transformers",
            Evidence::new(path, Some(3), "test", method, Confidence::High),
        )
        .with_purl("pkg:pypi/transformers")
        .with_version(version.map(str::to_string))
    }

    #[test]
    fn declared_and_locked_are_one_component() {
        let out = merge(vec![
            lib("pyproject.toml", None, Method::Manifest).prop("constraint", ">=4.40"),
            lib("uv.lock", Some("4.44.2"), Method::Lockfile),
        ]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].version.as_deref(), Some("4.44.2"));
        assert_eq!(out[0].purl.as_deref(), Some("pkg:pypi/transformers@4.44.2"));
        assert_eq!(out[0].evidence.len(), 2);
        assert_eq!(out[0].prop_str("constraint"), Some(">=4.40"));
    }

    #[test]
    fn two_versions_in_two_projects_stay_two() {
        let out = merge(vec![
            lib("a/uv.lock", Some("4.1.0"), Method::Lockfile),
            lib("b/uv.lock", Some("4.2.0"), Method::Lockfile),
            lib("a/pyproject.toml", None, Method::Manifest),
        ]);
        assert_eq!(out.len(), 2);
        let a = out
            .iter()
            .find(|c| c.version.as_deref() == Some("4.1.0"))
            .unwrap();
        assert_eq!(a.evidence.len(), 2);
    }

    #[test]
    fn unresolved_declaration_stays_versionless() {
        let out = merge(vec![lib("requirements.txt", None, Method::Manifest)]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].id, "library:pypi/transformers");
    }

    #[test]
    fn conflicting_properties_are_kept() {
        let out = merge(vec![
            lib("x/uv.lock", Some("1"), Method::Lockfile).prop("scope", "dev"),
            lib("y/uv.lock", Some("1"), Method::Lockfile).prop("scope", "required"),
        ]);
        assert_eq!(out.len(), 1);
        assert!(out[0].properties.contains_key("conflicts.scope"));
    }
}
