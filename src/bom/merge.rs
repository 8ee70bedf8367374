//! Findings → components: group by identity, union the evidence, keep conflicts visible.
//!
//! [`Merger`] takes findings one at a time, in any order, from any number of threads (each
//! thread merges its own, then the partial results are absorbed into one), so a scan never
//! holds every finding at once: memory follows the number of components and evidence entries,
//! not the number of findings.
//!
//! The result does not depend on arrival order. A field with one value (name, version,
//! provider, each property) takes it from the best-ranked finding that has the field, ranked by
//! confidence (highest first), then by evidence (smallest first), then by the value itself; every
//! other value seen for it is kept as `conflicts.<field>`. Sets (licences, hashes, dependencies,
//! evidence) are unions.

use super::{id, normalize, Component, ComponentKind, Evidence, Finding, Hash, Properties};
use serde_json::Value;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

/// Merge findings into sorted components.
///
/// A library declared without a resolved version (a manifest constraint, an import) folds into
/// the locked component(s) of the same package when a lock file resolved it: those in the same
/// directory or an ancestor of the declaration, else the single locked version if there is only
/// one. Otherwise it stays a versionless component carrying its constraint.
pub fn merge(findings: Vec<Finding>) -> Vec<Component> {
    let mut m = Merger::default();
    for f in findings {
        m.add(f);
    }
    m.finish()
}

/// The component id of `f` ([`Finding::id`]), from `cache` when it has a purl.
fn id_of<'c>(cache: &'c mut PurlIds, f: &Finding) -> Cow<'c, str> {
    let Some(purl) = &f.purl else {
        return Cow::Owned(f.id());
    };
    let version = f.version.as_deref().unwrap_or("");
    let known = |e: &(ComponentKind, String, String)| e.0 == f.kind && e.1 == version;
    let hit = cache
        .get(purl.as_str())
        .and_then(|v| v.iter().position(known));
    if !cache.contains_key(purl.as_str()) {
        cache.insert(purl.clone(), Vec::new());
    }
    let Some(list) = cache.get_mut(purl.as_str()) else {
        return Cow::Owned(f.id());
    };
    let i = match hit {
        Some(i) => i,
        None => {
            list.push((f.kind, version.to_string(), f.id()));
            list.len() - 1
        }
    };
    Cow::Borrowed(list[i].2.as_str())
}

/// purl → (kind, version or "", component id).
type PurlIds = HashMap<String, Vec<(ComponentKind, String, String)>>;

/// An order-independent, incremental [`merge`].
#[derive(Debug, Default)]
pub struct Merger {
    components: HashMap<String, Partial>,
    /// Unversioned library findings by component id, then directory: whether and into which
    /// locked version they fold is only known once every lock file was read.
    pending: HashMap<String, HashMap<String, Partial>>,
    /// Versionless purl → directory → versions, of every resolved library finding.
    resolved: HashMap<String, Locked>,
    /// Building a purl-based id parses the purl, and the same few purls recur in thousands of
    /// findings.
    purl_ids: PurlIds,
}

impl Merger {
    pub fn add(&mut self, f: Finding) {
        let id = id_of(&mut self.purl_ids, &f);
        if let (ComponentKind::Library, Some(purl)) = (f.kind, &f.purl) {
            match &f.version {
                Some(v) => {
                    let dir = parent_dir(&f.evidence.path);
                    let by_dir = match self.resolved.get_mut(purl.as_str()) {
                        Some(m) => m,
                        None => self.resolved.entry(purl.clone()).or_default(),
                    };
                    // looked up by reference: a monorepo locks the same package in many places
                    match by_dir.get_mut(dir) {
                        Some(vs) if vs.contains(v.as_str()) => {}
                        Some(vs) => {
                            vs.insert(v.clone());
                        }
                        None => {
                            by_dir.insert(dir.to_string(), BTreeSet::from([v.clone()]));
                        }
                    }
                }
                None => {
                    let by_dir = match self.pending.get_mut(id.as_ref()) {
                        Some(m) => m,
                        None => self.pending.entry(id.into_owned()).or_default(),
                    };
                    let dir = parent_dir(&f.evidence.path);
                    match by_dir.get_mut(dir) {
                        Some(p) => p.add(f),
                        None => {
                            by_dir.insert(dir.to_string(), Partial::new(f));
                        }
                    }
                    return;
                }
            }
        }
        match self.components.get_mut(id.as_ref()) {
            Some(p) => p.add(f),
            None => {
                self.components.insert(id.into_owned(), Partial::new(f));
            }
        }
    }

    /// Take in what another merger collected (another thread's share of the scan).
    pub fn absorb(&mut self, other: Merger) {
        for (id, p) in other.components {
            absorb_into(&mut self.components, id, p);
        }
        for (id, by_dir) in other.pending {
            let mine = self.pending.entry(id).or_default();
            for (dir, p) in by_dir {
                absorb_into(mine, dir, p);
            }
        }
        for (purl, by_dir) in other.resolved {
            let mine = self.resolved.entry(purl).or_default();
            for (dir, vs) in by_dir {
                mine.entry(dir).or_default().extend(vs);
            }
        }
    }

    /// Fold unversioned libraries into locked versions and build sorted components.
    pub fn finish(self) -> Vec<Component> {
        self.finish_on(1)
    }

    /// [`Merger::finish`], folding and building the components on up to `threads` threads.
    pub fn finish_on(mut self, threads: usize) -> Vec<Component> {
        // boxed: a partial is ~330 bytes, and a flat vector of them held a second copy of every
        // pending entry next to the maps being emptied (12 MB more peak memory at 200k files)
        let pending: Vec<Pending> = std::mem::take(&mut self.pending)
            .into_iter()
            .flat_map(|(id, m)| {
                m.into_iter()
                    .map(move |(dir, p)| (id.clone(), dir, Box::new(p)))
            })
            .collect();
        for folded in fold_pending_on(pending, &self.resolved, threads) {
            for (id, p) in folded {
                absorb_into(&mut self.components, id, p);
            }
        }
        let mut out = build_components(self.components, threads);
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }
}

/// An unversioned library partial awaiting its lock file: component id, directory, partial.
type Pending = (String, String, Box<Partial>);

/// [`fold_pending`] on up to `threads` threads, each folding an equal share into a map of its
/// own. In a monorepo this is one entry per package per project directory, and absorbing is
/// order-independent, so the shares need no coordination.
fn fold_pending_on(
    pending: Vec<Pending>,
    resolved: &HashMap<String, Locked>,
    threads: usize,
) -> Vec<HashMap<String, Partial>> {
    // below this a thread costs more than it saves
    const PER_THREAD: usize = 512;
    let threads = threads.clamp(1, pending.len().div_ceil(PER_THREAD).max(1));
    if threads == 1 {
        return vec![fold_pending(pending, resolved)];
    }
    let share = pending.len().div_ceil(threads);
    let mut shares = Vec::with_capacity(threads);
    let mut rest = pending;
    while rest.len() > share {
        let tail = rest.split_off(share);
        shares.push(rest);
        rest = tail;
    }
    shares.push(rest);
    std::thread::scope(|s| {
        let handles: Vec<_> = shares
            .into_iter()
            .map(|share| s.spawn(move || fold_pending(share, resolved)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Unversioned library partials (component id, directory, partial) folded into the versions
/// locked for their directory ([`fold_targets`]), or kept under their own id when none is.
fn fold_pending(
    pending: Vec<Pending>,
    resolved: &HashMap<String, Locked>,
) -> HashMap<String, Partial> {
    let mut out: HashMap<String, Partial> = HashMap::new();
    // (kind, purl, version) → id: the same few packages recur in every project directory, and an id
    // parses its purl
    let mut ids: HashMap<(ComponentKind, String, String), String> = HashMap::new();
    let mut versioned_id = |q: &Partial, v: &str| -> String {
        let purl = q.ident.purl.clone().unwrap_or_default();
        let key = (q.ident.kind, purl, v.to_string());
        ids.entry(key).or_insert_with(|| q.id()).clone()
    };
    for (id, here, p) in pending {
        let p = *p;
        let mut versions = p
            .ident
            .purl
            .as_ref()
            .and_then(|purl| resolved.get(purl))
            .map(|targets| fold_targets(targets, &here))
            .unwrap_or_default();
        let Some(last) = versions.pop() else {
            absorb_into(&mut out, id, p);
            continue;
        };
        // a copy per extra version; the last one takes the partial itself
        for v in versions {
            let mut q = p.clone();
            q.set_version(v);
            let id = versioned_id(&q, q.ident.version.as_deref().unwrap_or(""));
            absorb_into(&mut out, id, q);
        }
        let mut q = p;
        q.set_version(last);
        let id = versioned_id(&q, q.ident.version.as_deref().unwrap_or(""));
        absorb_into(&mut out, id, q);
    }
    out
}

/// [`Partial::into_component`] for every component, on up to `threads` threads. Sorting the
/// evidence is most of the work, and one package seen in every project of a monorepo can carry
/// a quarter of all evidence, so the largest components are dealt out first, each to the
/// thread with the least work so far.
fn build_components(parts: HashMap<String, Partial>, threads: usize) -> Vec<Component> {
    let threads = threads.clamp(1, parts.len().max(1));
    if threads == 1 {
        return parts
            .into_iter()
            .map(|(id, p)| p.into_component(id))
            .collect();
    }
    let mut parts: Vec<(String, Partial)> = parts.into_iter().collect();
    parts.sort_by_key(|p| std::cmp::Reverse(p.1.evidence.len()));
    let mut shares: Vec<(usize, Vec<(String, Partial)>)> =
        (0..threads).map(|_| (0, Vec::new())).collect();
    for part in parts {
        if let Some(share) = shares.iter_mut().min_by_key(|(load, _)| *load) {
            share.0 += part.1.evidence.len() + 1;
            share.1.push(part);
        }
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = shares
            .into_iter()
            .map(|(_, share)| {
                s.spawn(move || {
                    share
                        .into_iter()
                        .map(|(id, p)| p.into_component(id))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

fn absorb_into<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Partial>, key: K, p: Partial) {
    match map.get_mut(&key) {
        Some(existing) => existing.absorb(p),
        None => {
            map.insert(key, p);
        }
    }
}

/// Directory → versions a package is locked at.
type Locked = BTreeMap<String, BTreeSet<String>>;

/// The locked versions an unversioned declaration in directory `here` folds into.
///
/// Lock directories are looked up, not scanned: a package declared and locked in each of
/// thousands of projects would otherwise cost a comparison per pair of projects.
fn fold_targets(targets: &Locked, here: &str) -> Vec<String> {
    let mut versions: Vec<&String> = Vec::new();
    // `here` and its ancestors, up to the root ("")
    let mut dir = here;
    loop {
        if let Some(vs) = targets.get(dir) {
            versions.extend(vs);
        }
        if dir.is_empty() {
            break;
        }
        dir = parent_dir(dir);
    }
    // its descendants: the keys under `here/`, which sort together (every key, from the root)
    let under = if here.is_empty() {
        String::new()
    } else {
        format!("{here}/")
    };
    let from = (Bound::Included(under.as_str()), Bound::Unbounded);
    for (dir, vs) in targets.range::<str, _>(from) {
        if !dir.starts_with(&under) {
            break;
        }
        if !dir.is_empty() {
            versions.extend(vs);
        }
    }
    // else only a package locked exactly once in the tree (one directory, one version)
    if versions.is_empty() {
        let mut all = targets.values().flatten();
        if let (Some(only), None) = (all.next(), all.next()) {
            versions.push(only);
        }
    }
    versions.sort();
    versions.dedup();
    versions.into_iter().cloned().collect()
}

/// A value and the evidence index of the finding it came from.
#[derive(Debug, Clone)]
struct Slot<T> {
    rank: usize,
    value: T,
}

/// A property: the winning value and every distinct value seen (the winner included).
#[derive(Debug, Clone)]
struct PropSlot {
    rank: usize,
    value: Value,
    seen: Vec<Value>,
}

impl PropSlot {
    fn saw(&mut self, v: &Value) {
        if !self.seen.contains(v) {
            self.seen.push(v.clone());
        }
    }

    /// Take `value`, of the finding at `rank`, if it ranks before the current one.
    fn offer(&mut self, evidence: &[Evidence], rank: usize, value: Value) {
        let wins = rank_order(evidence, rank, self.rank)
            .then_with(|| value_order(&value, &self.value))
            .is_lt();
        if wins {
            self.rank = rank;
            self.value = value;
        }
    }
}

/// One component while findings are still arriving. Ranks are indexes into `evidence`, which
/// only grows until [`Partial::into_component`].
#[derive(Debug, Clone)]
struct Partial {
    evidence: Vec<Evidence>,
    /// The best-ranked finding, whose identity fields name the component.
    top: usize,
    ident: Identity,
    version: Option<Slot<String>>,
    versions_seen: BTreeSet<String>,
    provider: Option<Slot<String>>,
    licenses: BTreeSet<String>,
    hashes: BTreeSet<Hash>,
    depends_on: BTreeSet<String>,
    properties: BTreeMap<String, PropSlot>,
}

/// How evidence `a` ranks against `b`: `Less` when `a` comes first (higher confidence, then the
/// smaller evidence).
fn rank_order(evidence: &[Evidence], a: usize, b: usize) -> Ordering {
    let (x, y) = (&evidence[a], &evidence[b]);
    y.confidence.cmp(&x.confidence).then_with(|| x.cmp(y))
}

fn offer<T: Ord>(evidence: &[Evidence], slot: &mut Option<Slot<T>>, rank: usize, value: T) {
    let wins = match slot {
        None => true,
        Some(s) => rank_order(evidence, rank, s.rank)
            .then_with(|| value.cmp(&s.value))
            .is_lt(),
    };
    if wins {
        *slot = Some(Slot { rank, value });
    }
}

/// Values in the order of their JSON text. Two strings with nothing JSON escapes compare as
/// their texts would (a closing `"` after each) without building them: merging compares
/// property values for every finding.
fn value_order(a: &Value, b: &Value) -> Ordering {
    fn plain(s: &str) -> bool {
        !s.bytes().any(|c| c == b'"' || c == b'\\' || c < 0x20)
    }
    match (a, b) {
        (Value::String(x), Value::String(y)) if plain(x) && plain(y) => {
            x.bytes().chain([b'"']).cmp(y.bytes().chain([b'"']))
        }
        _ => a.to_string().cmp(&b.to_string()),
    }
}

/// The fields of a finding that are merged field by field.
struct Fields {
    version: Option<String>,
    provider: Option<String>,
    licenses: Vec<String>,
    hashes: Vec<Hash>,
    depends_on: Vec<String>,
    properties: Properties,
}

/// A finding split into its evidence, identity and mergeable fields.
fn split(f: Finding) -> (Evidence, Identity, Fields) {
    let Finding {
        kind,
        name,
        version,
        purl,
        identity,
        provider,
        licenses,
        hashes,
        properties,
        depends_on,
        evidence,
    } = f;
    let ident = Identity {
        kind,
        name,
        purl,
        identity,
        version: version.clone(),
    };
    let fields = Fields {
        version,
        provider,
        licenses,
        hashes,
        depends_on,
        properties,
    };
    (evidence, ident, fields)
}

/// The identity fields of the best-ranked finding, which name the component.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Identity {
    kind: ComponentKind,
    name: String,
    purl: Option<String>,
    version: Option<String>,
    identity: Option<String>,
}

impl Partial {
    fn new(f: Finding) -> Self {
        let (evidence, ident, fields) = split(f);
        let mut p = Partial {
            evidence: vec![evidence],
            top: 0,
            ident,
            version: None,
            versions_seen: BTreeSet::new(),
            provider: None,
            licenses: BTreeSet::new(),
            hashes: BTreeSet::new(),
            depends_on: BTreeSet::new(),
            properties: BTreeMap::new(),
        };
        p.add_fields(0, fields);
        p
    }

    fn add(&mut self, f: Finding) {
        let (evidence, ident, fields) = split(f);
        let rank = self.evidence.len();
        self.evidence.push(evidence);
        self.offer_identity(rank, ident);
        self.add_fields(rank, fields);
    }

    fn offer_identity(&mut self, rank: usize, ident: Identity) {
        let wins = rank_order(&self.evidence, rank, self.top)
            .then_with(|| ident.cmp(&self.ident))
            .is_lt();
        if wins {
            self.top = rank;
            self.ident = ident;
        }
    }

    fn add_fields(&mut self, rank: usize, f: Fields) {
        if let Some(v) = f.version {
            self.versions_seen.insert(v.clone());
            offer(&self.evidence, &mut self.version, rank, v);
        }
        if let Some(p) = f.provider {
            offer(&self.evidence, &mut self.provider, rank, p);
        }
        self.licenses.extend(f.licenses);
        self.hashes.extend(f.hashes);
        self.depends_on.extend(f.depends_on);
        for (key, value) in f.properties {
            self.offer_value(key, rank, value);
        }
    }

    /// [`Partial::offer_prop`] for one value, without building a slot when the property is
    /// already there (most findings repeat properties the component has).
    fn offer_value(&mut self, key: String, rank: usize, value: Value) {
        let Some(slot) = self.properties.get_mut(&key) else {
            self.properties.insert(
                key,
                PropSlot {
                    rank,
                    seen: vec![value.clone()],
                    value,
                },
            );
            return;
        };
        slot.saw(&value);
        slot.offer(&self.evidence, rank, value);
    }

    fn offer_prop(&mut self, key: String, new: PropSlot) {
        let Some(slot) = self.properties.get_mut(&key) else {
            self.properties.insert(key, new);
            return;
        };
        for v in &new.seen {
            slot.saw(v);
        }
        slot.offer(&self.evidence, new.rank, new.value);
    }

    fn absorb(&mut self, other: Partial) {
        let off = self.evidence.len();
        self.evidence.extend(other.evidence);
        self.offer_identity(other.top + off, other.ident);
        if let Some(s) = other.version {
            offer(&self.evidence, &mut self.version, s.rank + off, s.value);
        }
        self.versions_seen.extend(other.versions_seen);
        if let Some(s) = other.provider {
            offer(&self.evidence, &mut self.provider, s.rank + off, s.value);
        }
        self.licenses.extend(other.licenses);
        self.hashes.extend(other.hashes);
        self.depends_on.extend(other.depends_on);
        for (key, mut slot) in other.properties {
            slot.rank += off;
            self.offer_prop(key, slot);
        }
    }

    /// Every finding folded here takes version `v` (an unversioned declaration resolved by a
    /// lock file).
    fn set_version(&mut self, v: String) {
        self.ident.version = Some(v.clone());
        self.versions_seen = BTreeSet::from([v.clone()]);
        self.version = Some(Slot {
            rank: self.top,
            value: v,
        });
    }

    fn id(&self) -> String {
        let i = &self.ident;
        id::identity_id(
            i.kind,
            i.purl.as_deref(),
            i.version.as_deref(),
            i.identity.as_deref(),
            &i.name,
        )
    }

    fn into_component(self, id: String) -> Component {
        let Identity {
            kind,
            name,
            purl,
            version: top_version,
            ..
        } = self.ident;
        let purl = purl
            .as_deref()
            .map(|p| normalize::purl_with_version(p, top_version.as_deref()));
        let version = self.version.map(|s| s.value);
        let mut properties = Properties::new();
        let mut conflicts: Vec<(String, Vec<Value>)> = Vec::new();
        if let Some(v) = &version {
            let others: Vec<Value> = self
                .versions_seen
                .iter()
                .filter(|s| *s != v)
                .map(|s| Value::String(s.clone()))
                .collect();
            if !others.is_empty() {
                conflicts.push(("version".to_string(), others));
            }
        }
        for (k, slot) in self.properties {
            let others: Vec<Value> = slot.seen.into_iter().filter(|v| *v != slot.value).collect();
            if !others.is_empty() {
                conflicts.push((k.clone(), others));
            }
            properties.insert(k, slot.value);
        }
        for (field, mut values) in conflicts {
            let entry = properties
                .entry(format!("conflicts.{field}"))
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = entry {
                values.retain(|v| !items.contains(v));
                items.extend(values);
                items.sort_by(value_order);
            }
        }
        let mut evidence = self.evidence;
        // equal evidence is identical in every field, so an unstable sort is deterministic
        evidence.sort_unstable();
        evidence.dedup();
        let mut depends_on = self.depends_on;
        depends_on.remove(&id);
        Component {
            kind,
            name,
            version,
            purl,
            provider: self.provider.map(|s| s.value),
            licenses: self.licenses.into_iter().collect(),
            hashes: self.hashes.into_iter().collect(),
            properties,
            depends_on: depends_on.into_iter().collect(),
            evidence,
            id,
        }
    }
}

fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
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

    /// Findings with ties, conflicts, providers, folds and hashes, for the order tests.
    fn mixed() -> Vec<Finding> {
        let ev = |path: &str, line, conf| {
            Evidence::new(path, Some(line), "test", Method::ImportStatement, conf)
        };
        let mut v = vec![
            lib("a/pyproject.toml", None, Method::Manifest).prop("constraint", ">=4"),
            lib("a/uv.lock", Some("4.1.0"), Method::Lockfile).prop("scope", "dev"),
            lib("a/sub/uv.lock", Some("4.2.0"), Method::Lockfile).prop("scope", "required"),
            lib("b/requirements.txt", None, Method::Manifest).prop("constraint", "==4.3"),
            lib("a/x.py", None, Method::ImportStatement).prop("scope", "optional"),
        ];
        for (i, conf) in [Confidence::Low, Confidence::High, Confidence::Medium]
            .into_iter()
            .enumerate()
        {
            let line = i as u32 + 1;
            v.push(
                Finding::new(ComponentKind::Model, "gpt-4o", ev("m.py", line, conf))
                    .with_identity("openai/gpt-4o")
                    .with_provider(["openai", "azure-openai", "openrouter"][i])
                    .with_version(Some(format!("2024-0{line}")))
                    .prop("call", format!("c{line}")),
            );
        }
        // the same evidence twice with different values: the smaller value wins either way
        for tag in ["b", "a"] {
            v.push(
                Finding::new(
                    ComponentKind::Service,
                    "OpenAI API",
                    ev("s.py", 9, Confidence::High),
                )
                .prop("tag", tag),
            );
        }
        v
    }

    fn is_ancestor_or_same(dir: &str, of: &str) -> bool {
        dir.is_empty()
            || of == dir
            || of
                .strip_prefix(dir)
                .is_some_and(|rest| rest.starts_with('/'))
    }

    /// The fold rule as first written: every lock directory that is an ancestor, the same or
    /// a descendant of the declaration's, else the only locked version.
    fn fold_targets_by_definition(targets: &Locked, here: &str) -> Vec<String> {
        let mut versions: Vec<&String> = targets
            .iter()
            .filter(|(dir, _)| is_ancestor_or_same(dir, here) || is_ancestor_or_same(here, dir))
            .flat_map(|(_, vs)| vs)
            .collect();
        if versions.is_empty() && targets.values().map(BTreeSet::len).sum::<usize>() == 1 {
            versions = targets.values().flatten().collect();
        }
        versions.sort();
        versions.dedup();
        versions.into_iter().cloned().collect()
    }

    #[test]
    fn values_order_as_their_json_text() {
        let values: Vec<Value> = [
            "", "a", "a!", "a ", "a\"", "a\\", "a\n", "ab", "a\u{7f}", "é", "a#", "1", "~",
        ]
        .iter()
        .map(|s| Value::String(s.to_string()))
        .chain([Value::Bool(true), Value::from(12), Value::Null])
        .collect();
        for a in &values {
            for b in &values {
                assert_eq!(
                    value_order(a, b),
                    a.to_string().cmp(&b.to_string()),
                    "{a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn fold_targets_follow_the_directory_rule() {
        let dirs = ["", "a", "a/b", "a/b/c", "a/bc", "ab", "a-b", "b", "b/a"];
        // every subset of lock directories, each locking its own version (two for "a/b")
        for mask in 0u32..(1 << dirs.len()) {
            let mut targets = Locked::new();
            for (i, d) in dirs
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
            {
                let vs = targets.entry(d.to_string()).or_default();
                vs.insert(format!("1.{i}"));
                if *d == "a/b" {
                    vs.insert("2.0".to_string());
                }
            }
            for here in dirs.iter().chain(&["c", "a/b/c/d", "b/ab"]) {
                assert_eq!(
                    fold_targets(&targets, here),
                    fold_targets_by_definition(&targets, here),
                    "locks {:?}, declared in {here:?}",
                    targets.keys().collect::<Vec<_>>()
                );
            }
        }
    }

    #[test]
    fn merge_does_not_depend_on_order_or_on_how_work_is_split() {
        let expected = merge(mixed());
        assert!(expected
            .iter()
            .any(|c| c.properties.contains_key("conflicts.version")));
        let n = mixed().len();
        for rot in 0..n {
            let mut f = mixed();
            f.rotate_left(rot);
            assert_eq!(merge(f.clone()), expected, "rotation {rot}");
            f.reverse();
            assert_eq!(merge(f.clone()), expected, "reversed rotation {rot}");
            // two threads' shares, absorbed either way round
            let (a, b) = f.split_at(rot);
            for (first, second) in [(a, b), (b, a)] {
                let mut m1 = Merger::default();
                first.iter().cloned().for_each(|x| m1.add(x));
                let mut m2 = Merger::default();
                second.iter().cloned().for_each(|x| m2.add(x));
                m1.absorb(m2);
                // and the components built on any number of threads
                let threads = 1 + rot % 4;
                assert_eq!(
                    m1.finish_on(threads),
                    expected,
                    "split at {rot}, {threads} threads"
                );
            }
        }
        let model = expected
            .iter()
            .find(|c| c.kind == ComponentKind::Model)
            .unwrap();
        // the high-confidence finding names the version and provider
        assert_eq!(model.version.as_deref(), Some("2024-02"));
        assert_eq!(model.provider.as_deref(), Some("azure-openai"));
        let svc = expected
            .iter()
            .find(|c| c.kind == ComponentKind::Service)
            .unwrap();
        assert_eq!(svc.prop_str("tag"), Some("a"));
        assert_eq!(svc.evidence.len(), 1);
    }

    #[test]
    fn folding_many_directories_gives_the_same_components_on_any_number_of_threads() {
        // enough unversioned declarations for the fold to be split across threads: projects
        // locking one or two versions, others locking nothing, one nested under a locked one
        let mut findings = Vec::new();
        for i in 0..3000 {
            let dir = format!("p{}/s{}", i % 700, i % 3);
            let declared = lib(&format!("{dir}/pyproject.toml"), None, Method::Manifest)
                .prop("constraint", format!(">={}", i % 5));
            findings.push(declared);
            if i % 700 < 300 {
                let lock = format!("p{}/uv.lock", i % 700);
                findings.push(lib(&lock, Some(&format!("4.{}", i % 4)), Method::Lockfile));
                if i % 7 == 0 {
                    findings.push(lib(&lock, Some("5.0"), Method::Lockfile));
                }
            }
        }
        let finish = |threads: usize| {
            let mut m = Merger::default();
            findings.iter().cloned().for_each(|f| m.add(f));
            assert!(m.pending.values().map(HashMap::len).sum::<usize>() > 2000);
            m.finish_on(threads)
        };
        let one = finish(1);
        assert!(one.len() > 5, "{} components", one.len());
        // the unlocked projects keep an unversioned component
        assert!(one.iter().any(|c| c.version.is_none()));
        for threads in [2, 3, 8] {
            assert_eq!(finish(threads), one, "{threads} threads");
        }
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
