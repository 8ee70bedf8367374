//! `aibom diff`: what changed in the AI inventory between two BOMs.
//!
//! Components are paired, in this order, by exact id, by purl without version, by kind plus
//! normalised name; what stays unpaired is added or removed. A pair whose version, hashes,
//! licences or provider differ yields one change per field. Risks are compared by rule, path,
//! component (through the pairing, so a version bump does not turn every risk over) and message.
//! Changes are ordered by importance: new risks by severity, new models, providers and datasets,
//! changed weights and licences, then the rest. The JSON form is `aibom-diff/v1` (docs/diff.md).

pub mod failon;
pub mod git;
pub mod load;
pub mod report;

use crate::bom::{normalize, Bom, Component, ComponentKind, Coverage, Risk, Severity, Target};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Wire id of the JSON diff.
pub const DIFF_SCHEMA: &str = "aibom-diff/v1";

/// How many evidence locations a change lists.
const EVIDENCE_LIMIT: usize = 5;

/// What kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeClass {
    NewRisk,
    Added,
    HashChange,
    LicenseChange,
    ProviderChange,
    VersionChange,
    Removed,
    ResolvedRisk,
}

impl ChangeClass {
    pub const ALL: [ChangeClass; 8] = [
        ChangeClass::NewRisk,
        ChangeClass::Added,
        ChangeClass::HashChange,
        ChangeClass::LicenseChange,
        ChangeClass::ProviderChange,
        ChangeClass::VersionChange,
        ChangeClass::Removed,
        ChangeClass::ResolvedRisk,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeClass::NewRisk => "new-risk",
            ChangeClass::Added => "added",
            ChangeClass::HashChange => "hash-change",
            ChangeClass::LicenseChange => "license-change",
            ChangeClass::ProviderChange => "provider-change",
            ChangeClass::VersionChange => "version-change",
            ChangeClass::Removed => "removed",
            ChangeClass::ResolvedRisk => "resolved-risk",
        }
    }

    /// A heading for people.
    pub fn title(self) -> &'static str {
        match self {
            ChangeClass::NewRisk => "New risks",
            ChangeClass::Added => "Added",
            ChangeClass::HashChange => "Changed content (hash)",
            ChangeClass::LicenseChange => "Changed licence",
            ChangeClass::ProviderChange => "Changed provider",
            ChangeClass::VersionChange => "Changed version",
            ChangeClass::Removed => "Removed",
            ChangeClass::ResolvedRisk => "Resolved risks",
        }
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub class: ChangeClass,
    /// The component's kind (for risks: of the component the risk is about, if any).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<ComponentKind>,
    /// Component id on the side where it exists (the new side for changes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    pub name: String,
    /// The value before and after (version, hashes, licences, provider), where it applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// One sentence for people.
    pub message: String,
    /// Where it is: `path:line`, at most five, the most relevant side.
    pub evidence: Vec<String>,
    /// Evidence locations left out of `evidence`.
    #[serde(skip_serializing_if = "is_zero")]
    pub more_evidence: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// One side of the comparison, summarised.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// What the user named: a file, or a git revision.
    pub source: String,
    pub targets: Vec<Target>,
    pub components: usize,
    pub risks: usize,
    pub coverage: Coverage,
}

/// The whole diff (`aibom-diff/v1`).
#[derive(Debug, Clone, Serialize)]
pub struct BomDiff {
    pub schema: &'static str,
    pub old: Side,
    pub new: Side,
    /// Count per class, every class present (0 when none).
    pub summary: BTreeMap<&'static str, usize>,
    pub changes: Vec<Change>,
}

impl BomDiff {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    pub fn count(&self, class: ChangeClass) -> usize {
        self.changes.iter().filter(|c| c.class == class).count()
    }
}

fn loc(path: &str, line: Option<u32>) -> String {
    match line {
        Some(l) => format!("{path}:{l}"),
        None => path.to_string(),
    }
}

fn evidence(c: &Component) -> (Vec<String>, usize) {
    let mut all: Vec<String> = c.evidence.iter().map(|e| loc(&e.path, e.line)).collect();
    all.dedup();
    let more = all.len().saturating_sub(EVIDENCE_LIMIT);
    all.truncate(EVIDENCE_LIMIT);
    (all, more)
}

fn norm_name(c: &Component) -> String {
    format!("{}:{}", c.kind.as_str(), normalize::pypi_name(&c.name))
}

fn purl_key(c: &Component) -> Option<String> {
    c.purl.as_deref().map(normalize::purl_without_version)
}

/// Pair old and new components. Returns (old index, new index) pairs and the unpaired rest.
fn pair(old: &[Component], new: &[Component]) -> (Vec<(usize, usize)>, Vec<usize>, Vec<usize>) {
    let mut old_used = vec![false; old.len()];
    let mut new_used = vec![false; new.len()];
    let mut pairs = Vec::new();
    type Key = fn(&Component) -> Option<String>;
    let keys: [Key; 3] = [|c| Some(c.id.clone()), purl_key, |c| Some(norm_name(c))];
    for key in keys {
        let mut index: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, c) in old.iter().enumerate() {
            if !old_used[i] {
                if let Some(k) = key(c) {
                    index.entry(k).or_default().push(i);
                }
            }
        }
        for (j, c) in new.iter().enumerate() {
            if new_used[j] {
                continue;
            }
            let Some(k) = key(c) else { continue };
            let Some(cands) = index.get_mut(&k) else {
                continue;
            };
            if let Some(pos) = cands.iter().position(|i| !old_used[*i]) {
                let i = cands.remove(pos);
                old_used[i] = true;
                new_used[j] = true;
                pairs.push((i, j));
            }
        }
    }
    let removed = (0..old.len()).filter(|i| !old_used[*i]).collect();
    let added = (0..new.len()).filter(|j| !new_used[*j]).collect();
    (pairs, removed, added)
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "(none)".to_string()
    } else {
        v.join(", ")
    }
}

fn component_change(
    class: ChangeClass,
    c: &Component,
    old: Option<String>,
    new: Option<String>,
    message: String,
) -> Change {
    let (evidence, more_evidence) = evidence(c);
    Change {
        class,
        kind: Some(c.kind),
        component: Some(c.id.clone()),
        name: c.name.clone(),
        old,
        new,
        rule: None,
        severity: None,
        message,
        evidence,
        more_evidence,
    }
}

fn compare_pair(o: &Component, n: &Component, out: &mut Vec<Change>) {
    let label = format!("{} {}", n.kind, n.name);
    if o.version != n.version {
        let (a, b) = (o.version.clone(), n.version.clone());
        out.push(component_change(
            ChangeClass::VersionChange,
            n,
            a.clone(),
            b.clone(),
            format!(
                "{label}: version {} → {}",
                a.as_deref().unwrap_or("(none)"),
                b.as_deref().unwrap_or("(none)")
            ),
        ));
    }
    let oh: BTreeSet<String> = o
        .hashes
        .iter()
        .map(|h| format!("{}:{}", h.alg, h.value))
        .collect();
    let nh: BTreeSet<String> = n
        .hashes
        .iter()
        .map(|h| format!("{}:{}", h.alg, h.value))
        .collect();
    // Without hashes on one side (a --no-hash scan) nothing can be said. A library whose version
    // changed is expected to have new hashes; same version with new bytes is the alarm.
    let content_kind = matches!(n.kind, ComponentKind::Model | ComponentKind::Dataset);
    if !oh.is_empty() && !nh.is_empty() && oh != nh && (content_kind || o.version == n.version) {
        let a: Vec<String> = oh.into_iter().collect();
        let b: Vec<String> = nh.into_iter().collect();
        out.push(component_change(
            ChangeClass::HashChange,
            n,
            Some(a.join(", ")),
            Some(b.join(", ")),
            format!("{label}: content changed under the same name (new hash)"),
        ));
    }
    let mut ol = o.licenses.clone();
    let mut nl = n.licenses.clone();
    ol.sort();
    nl.sort();
    if ol != nl {
        out.push(component_change(
            ChangeClass::LicenseChange,
            n,
            Some(list(&ol)),
            Some(list(&nl)),
            format!("{label}: licence {} → {}", list(&ol), list(&nl)),
        ));
    }
    if let (Some(a), Some(b)) = (&o.provider, &n.provider) {
        if !a.eq_ignore_ascii_case(b) {
            out.push(component_change(
                ChangeClass::ProviderChange,
                n,
                Some(a.clone()),
                Some(b.clone()),
                format!("{label}: provider {a} → {b}"),
            ));
        }
    }
}

/// Identity of a risk across the two sides: the component id is mapped to the old side.
fn risk_key(r: &Risk, to_old: &BTreeMap<&str, &str>) -> (String, String, String, String) {
    let comp = r
        .component
        .as_deref()
        .map(|c| to_old.get(c).copied().unwrap_or(c).to_string())
        .unwrap_or_default();
    (r.rule.clone(), r.path.clone(), comp, r.message.clone())
}

fn risk_change(class: ChangeClass, r: &Risk, bom: &Bom) -> Change {
    let comp = r.component.as_deref().and_then(|id| bom.component(id));
    let verb = if class == ChangeClass::NewRisk {
        "new"
    } else {
        "resolved"
    };
    Change {
        class,
        kind: comp.map(|c| c.kind),
        component: r.component.clone(),
        name: comp
            .map(|c| c.name.clone())
            .unwrap_or_else(|| r.path.clone()),
        old: None,
        new: None,
        rule: Some(r.rule.clone()),
        severity: Some(r.severity),
        message: format!(
            "{verb} {} risk {}: {}",
            r.severity.as_str(),
            r.rule,
            r.message
        ),
        evidence: vec![loc(&r.path, r.line)],
        more_evidence: 0,
    }
}

/// Importance, smaller first.
fn rank(c: &Change) -> (u8, u8, std::cmp::Reverse<Option<Severity>>) {
    use ChangeClass::*;
    let kind_rank = |k: Option<ComponentKind>| match k {
        Some(ComponentKind::Model) => 0,
        Some(ComponentKind::Service) => 1,
        Some(ComponentKind::McpServer) => 2,
        Some(ComponentKind::Dataset) => 3,
        Some(ComponentKind::Container) => 4,
        Some(ComponentKind::Library) => 5,
        None => 6,
    };
    let class_rank = match c.class {
        NewRisk => 0,
        Added if kind_rank(c.kind) <= 3 => 1,
        HashChange => 2,
        LicenseChange => 3,
        ProviderChange => 4,
        Added => 5,
        VersionChange => 6,
        Removed => 7,
        ResolvedRisk => 8,
    };
    (class_rank, kind_rank(c.kind), std::cmp::Reverse(c.severity))
}

/// Compare two BOMs. `old_source`/`new_source` name them in the output.
pub fn diff(old: &Bom, new: &Bom, old_source: &str, new_source: &str) -> BomDiff {
    let (pairs, removed, added) = pair(&old.components, &new.components);
    let mut changes = Vec::new();
    let mut to_old: BTreeMap<&str, &str> = BTreeMap::new();
    for (i, j) in &pairs {
        let (o, n) = (&old.components[*i], &new.components[*j]);
        to_old.insert(n.id.as_str(), o.id.as_str());
        compare_pair(o, n, &mut changes);
    }
    for j in added {
        let c = &new.components[j];
        let what = match c.kind {
            ComponentKind::Service => "new provider/service",
            _ => "added",
        };
        changes.push(component_change(
            ChangeClass::Added,
            c,
            None,
            c.version.clone(),
            format!("{what} {} {}{}", c.kind, c.name, at_version(c)),
        ));
    }
    for i in removed {
        let c = &old.components[i];
        changes.push(component_change(
            ChangeClass::Removed,
            c,
            c.version.clone(),
            None,
            format!("removed {} {}{}", c.kind, c.name, at_version(c)),
        ));
    }
    let identity = BTreeMap::new();
    let old_keys: BTreeSet<_> = old.risks.iter().map(|r| risk_key(r, &identity)).collect();
    let new_keys: BTreeSet<_> = new.risks.iter().map(|r| risk_key(r, &to_old)).collect();
    for r in &new.risks {
        if !old_keys.contains(&risk_key(r, &to_old)) {
            changes.push(risk_change(ChangeClass::NewRisk, r, new));
        }
    }
    for r in &old.risks {
        if !new_keys.contains(&risk_key(r, &identity)) {
            changes.push(risk_change(ChangeClass::ResolvedRisk, r, old));
        }
    }
    changes.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then_with(|| a.component.cmp(&b.component))
            .then_with(|| a.message.cmp(&b.message))
    });
    changes.dedup();
    let mut summary: BTreeMap<&'static str, usize> = BTreeMap::new();
    for class in ChangeClass::ALL {
        summary.insert(
            class.as_str(),
            changes.iter().filter(|c| c.class == class).count(),
        );
    }
    BomDiff {
        schema: DIFF_SCHEMA,
        old: side(old, old_source),
        new: side(new, new_source),
        summary,
        changes,
    }
}

fn at_version(c: &Component) -> String {
    c.version
        .as_deref()
        .map(|v| format!(" {v}"))
        .unwrap_or_default()
}

fn side(bom: &Bom, source: &str) -> Side {
    Side {
        source: source.to_string(),
        targets: bom.targets.clone(),
        components: bom.components.len(),
        risks: bom.risks.len(),
        coverage: bom.coverage.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bom::{Confidence, Evidence, Hash, Method};

    fn comp(id: &str, kind: ComponentKind, name: &str, version: Option<&str>) -> Component {
        Component {
            id: id.to_string(),
            kind,
            name: name.to_string(),
            version: version.map(str::to_string),
            purl: None,
            provider: None,
            licenses: vec![],
            hashes: vec![],
            properties: Default::default(),
            depends_on: vec![],
            evidence: vec![Evidence::new(
                "a.py",
                Some(3),
                "t",
                Method::ApiCall,
                Confidence::High,
            )],
        }
    }

    fn bom(components: Vec<Component>) -> Bom {
        let mut b = Bom {
            components,
            ..Bom::default()
        };
        b.normalize();
        b
    }

    #[test]
    fn version_bump_is_a_change_not_add_and_remove() {
        let mut a = comp(
            "library:pypi/torch@2.1.0",
            ComponentKind::Library,
            "torch",
            Some("2.1.0"),
        );
        a.purl = Some("pkg:pypi/torch@2.1.0".into());
        let mut b = comp(
            "library:pypi/torch@2.3.1",
            ComponentKind::Library,
            "torch",
            Some("2.3.1"),
        );
        b.purl = Some("pkg:pypi/torch@2.3.1".into());
        let d = diff(&bom(vec![a]), &bom(vec![b]), "old", "new");
        assert_eq!(d.changes.len(), 1, "{:#?}", d.changes);
        assert_eq!(d.changes[0].class, ChangeClass::VersionChange);
        assert_eq!(d.changes[0].evidence, ["a.py:3"]);
    }

    #[test]
    fn two_versions_pair_exactly_first() {
        let lib = |v: &str| {
            let mut c = comp(
                &format!("library:pypi/x@{v}"),
                ComponentKind::Library,
                "x",
                Some(v),
            );
            c.purl = Some(format!("pkg:pypi/x@{v}"));
            c
        };
        let d = diff(
            &bom(vec![lib("1"), lib("2")]),
            &bom(vec![lib("2"), lib("3")]),
            "o",
            "n",
        );
        let classes: Vec<_> = d
            .changes
            .iter()
            .map(|c| (c.class, c.old.clone(), c.new.clone()))
            .collect();
        assert_eq!(
            classes,
            [(
                ChangeClass::VersionChange,
                Some("1".into()),
                Some("3".into())
            )]
        );
    }

    #[test]
    fn same_name_new_weights() {
        let mut a = comp("model:m", ComponentKind::Model, "m", None);
        a.hashes = vec![Hash {
            alg: "SHA-256".into(),
            value: "aa".into(),
        }];
        let mut b = a.clone();
        b.hashes = vec![Hash {
            alg: "SHA-256".into(),
            value: "bb".into(),
        }];
        let d = diff(&bom(vec![a]), &bom(vec![b]), "o", "n");
        assert_eq!(d.changes[0].class, ChangeClass::HashChange);
    }

    #[test]
    fn risks_follow_the_pairing() {
        let r = |c: &str| Risk {
            rule: "AIBOM-X".into(),
            severity: Severity::High,
            component: Some(c.into()),
            message: "m".into(),
            path: "p".into(),
            line: None,
        };
        let mut o = bom(vec![comp(
            "model:a@1",
            ComponentKind::Model,
            "a",
            Some("1"),
        )]);
        o.risks.push(r("model:a@1"));
        let mut n = bom(vec![comp(
            "model:a@2",
            ComponentKind::Model,
            "a",
            Some("2"),
        )]);
        n.risks.push(r("model:a@2"));
        let d = diff(&o, &n, "o", "n");
        assert_eq!(d.count(ChangeClass::NewRisk), 0);
        assert_eq!(d.count(ChangeClass::ResolvedRisk), 0);
        n.risks[0].severity = Severity::Critical;
        n.risks[0].message = "worse".into();
        let d = diff(&o, &n, "o", "n");
        assert_eq!(d.changes[0].class, ChangeClass::NewRisk, "risks come first");
        assert_eq!(d.count(ChangeClass::ResolvedRisk), 1);
    }
}
