//! The reference engine shared by every language: matches recognised calls against a pattern
//! table and turns them into model, dataset, service and MCP-server findings and risks.
//!
//! # What it detects
//! Hub models (`pkg:huggingface/...`, revision as version, `AIBOM-UNPINNED-MODEL` when not
//! pinned to a commit), hub and built-in datasets, hosted-API models (`provider/model`), the
//! provider serving them (a `service`), vector stores, MCP server implementations with their
//! literal tool names, provider hosts and environment variable names in string literals, and
//! `trust_remote_code=True` (`AIBOM-REMOTE-CODE`).
//!
//! # Files claimed
//! None (the language detectors call it).
//!
//! # Evidence and confidence
//! Call arguments that are literals or resolve to a same-file constant: high. Hosts and
//! environment variable names in string literals: medium.
//!
//! # Not handled
//! Values computed at run time; a model chosen from configuration is not reported (the config
//! detectors see the configuration).
//!
//! # References
//! See `patterns.rs`.

use super::calls::{first_segment, split_last_dot, Call, Unit, Val};
use super::lex::{Lang, TokKind, Token};
use super::patterns::{self, Pattern, Role};
use super::secrets::safe_snippet;
use crate::bom::{normalize, ComponentKind, Confidence, Evidence, Finding, Method};
use crate::detect::deps::LineIndex;
use crate::detect::providers::{self, Provider};
use crate::detect::DetectOutcome;
use crate::risk::risk;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

/// Where a tokenised line sits in the file a person opens (notebooks map code lines back to
/// their JSON line and cell).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineLoc {
    pub line: u32,
    pub cell: Option<u32>,
    pub cell_line: Option<u32>,
}

/// One unit of source text being analysed, and how to cite it.
pub struct Src<'a> {
    pub path: &'a str,
    pub detector: &'static str,
    text: &'a str,
    /// Line starts, found with SIMD search: collecting `str::lines` for every file was 4 % of
    /// the CPU time of scanning a Rust repository, and only the lines cited are ever read.
    lines: LineIndex,
    /// For notebooks: index = tokenised line - 1.
    pub map: Option<Vec<LineLoc>>,
}

impl<'a> Src<'a> {
    pub fn new(path: &'a str, detector: &'static str, text: &'a str) -> Self {
        Src {
            path,
            detector,
            text,
            lines: LineIndex::new(text),
            map: None,
        }
    }

    pub fn evidence(&self, line: u32, method: Method, confidence: Confidence) -> Evidence {
        let loc = match &self.map {
            Some(m) => m
                .get(line.saturating_sub(1) as usize)
                .copied()
                .unwrap_or(LineLoc {
                    line,
                    cell: None,
                    cell_line: None,
                }),
            None => LineLoc {
                line,
                cell: None,
                cell_line: None,
            },
        };
        let mut ev = Evidence::new(self.path, Some(loc.line), self.detector, method, confidence);
        ev.cell = loc.cell;
        ev.cell_line = loc.cell_line;
        if let Some(text) = self.lines.line_text(self.text, line.max(1)) {
            ev.snippet = Some(safe_snippet(text));
        }
        ev
    }

    /// The line to cite in a risk.
    pub fn cite(&self, line: u32) -> u32 {
        match &self.map {
            Some(m) => m
                .get(line.saturating_sub(1) as usize)
                .map(|l| l.line)
                .unwrap_or(line),
            None => line,
        }
    }
}

/// Who serves a call.
#[derive(Debug, Clone, PartialEq)]
enum Serve {
    Known(&'static Provider),
    /// An OpenAI-shaped client pointed at a server not in the provider table.
    SelfHosted(Option<String>),
}

impl Serve {
    fn key(&self) -> String {
        match self {
            Serve::Known(p) => p.key.to_string(),
            Serve::SelfHosted(Some(h)) => format!("openai-compatible/{h}"),
            Serve::SelfHosted(None) => "openai-compatible".to_string(),
        }
    }

    fn service(&self, ev: Evidence) -> Option<Finding> {
        match self {
            Serve::Known(p) => Some(providers::provider_service_finding(p, ev)),
            Serve::SelfHosted(host) => {
                let base = providers::provider("openai-compatible")?;
                let mut f = providers::provider_service_finding(base, ev).with_identity(self.key());
                if let Some(h) = host {
                    f.name = format!("{} ({h})", base.name);
                    f = f.prop("endpoint", h.as_str());
                }
                Some(f)
            }
        }
    }
}

/// Collects findings for one source unit, deduplicating per-file noise.
pub struct Emitter<'s, 'a> {
    pub src: &'s Src<'a>,
    pub out: &'s mut DetectOutcome,
    services: BTreeMap<String, usize>,
    unpinned: BTreeSet<String>,
}

/// At most this many evidence lines per service per file: enough to audit, not a flood.
const MAX_SERVICE_EVIDENCE: usize = 5;

impl<'s, 'a> Emitter<'s, 'a> {
    pub fn new(src: &'s Src<'a>, out: &'s mut DetectOutcome) -> Self {
        Emitter {
            src,
            out,
            services: BTreeMap::new(),
            unpinned: BTreeSet::new(),
        }
    }

    fn service(&mut self, serve: &Serve, line: u32, method: Method, conf: Confidence) {
        let n = self.services.entry(serve.key()).or_insert(0);
        if *n >= MAX_SERVICE_EVIDENCE {
            return;
        }
        *n += 1;
        if let Some(f) = serve.service(self.src.evidence(line, method, conf)) {
            self.out.findings.push(f);
        }
    }

    pub fn provider_service(
        &mut self,
        p: &'static Provider,
        line: u32,
        method: Method,
        conf: Confidence,
    ) {
        self.service(&Serve::Known(p), line, method, conf);
    }

    /// A hub model; returns its component id.
    pub fn hub_model(
        &mut self,
        id: &str,
        revision: Option<&str>,
        line: u32,
        conf: Confidence,
    ) -> Option<String> {
        let purl = normalize::huggingface_purl(id)?;
        let f = Finding::new(
            ComponentKind::Model,
            id,
            self.src.evidence(line, Method::ApiCall, conf),
        )
        .with_purl(purl)
        .with_version(revision.map(str::to_string))
        .with_provider("huggingface")
        .prop("source", "hub-reference");
        let cid = f.id();
        self.out.findings.push(f);
        if let Some(hf) = providers::provider("huggingface") {
            self.provider_service(hf, line, Method::ApiCall, Confidence::Medium);
        }
        let pinned = revision.is_some_and(is_commit_sha);
        if !pinned && self.unpinned.insert(id.to_string()) {
            let msg = match revision {
                Some(r) => format!(
                    "hub model {id} is loaded at revision {r:?}, a movable ref, not a commit"
                ),
                None => format!("hub model {id} is loaded without a pinned revision"),
            };
            self.out.risks.push(risk(
                "AIBOM-UNPINNED-MODEL",
                Some(cid.clone()),
                msg,
                self.src.path,
                Some(self.src.cite(line)),
            ));
        }
        Some(cid)
    }

    pub fn hub_dataset(
        &mut self,
        id: &str,
        config: Option<&str>,
        revision: Option<&str>,
        line: u32,
        conf: Confidence,
    ) {
        let Some(purl) = normalize::huggingface_purl(id) else {
            return;
        };
        let mut f = Finding::new(
            ComponentKind::Dataset,
            id,
            self.src.evidence(line, Method::ApiCall, conf),
        )
        .with_purl(purl)
        .with_version(revision.map(str::to_string))
        .with_provider("huggingface")
        .prop("source", "hub-reference");
        if let Some(c) = config {
            f = f.prop("config", c);
        }
        self.out.findings.push(f);
        if let Some(hf) = providers::provider("huggingface") {
            self.provider_service(hf, line, Method::ApiCall, Confidence::Medium);
        }
    }

    /// A built-in dataset of a framework (`torchvision/CIFAR10`, `tfds/mnist`, `keras/mnist`).
    pub fn builtin_dataset(&mut self, source: &str, name: &str, version: Option<&str>, line: u32) {
        let f = Finding::new(
            ComponentKind::Dataset,
            name,
            self.src.evidence(line, Method::ApiCall, Confidence::High),
        )
        .with_identity(format!("{source}/{name}"))
        .with_version(version.map(str::to_string))
        .prop("source", source);
        self.out.findings.push(f);
    }

    fn api_model(&mut self, id: &str, serve: &Serve, line: u32, conf: Confidence) {
        let key = serve.key();
        let f = Finding::new(
            ComponentKind::Model,
            id,
            self.src.evidence(line, Method::ApiCall, conf),
        )
        .with_identity(format!("{key}/{id}"))
        .with_provider(key.as_str())
        .prop("source", "api");
        self.out.findings.push(f);
        self.service(serve, line, Method::ApiCall, conf);
    }

    /// A hosted model served by a known provider.
    pub fn provider_model(&mut self, id: &str, p: &'static Provider, line: u32, conf: Confidence) {
        self.api_model(id, &Serve::Known(p), line, conf);
    }
}

/// A 40-hex commit sha.
pub fn is_commit_sha(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A Hugging Face hub id (`org/name` or a canonical org-less name), not a local path.
pub fn hub_id(s: &str, sentence_transformers: bool) -> Option<String> {
    let s = s.trim();
    if s.is_empty() || s.len() > 200 || looks_local(s) {
        return None;
    }
    let part_ok = |p: &str| {
        !p.is_empty()
            && p.len() <= 96
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && p.as_bytes()
                .first()
                .is_some_and(|b| b.is_ascii_alphanumeric())
            && !p.ends_with('.')
    };
    match s.split_once('/') {
        Some((org, name)) => {
            if !part_ok(org) || !part_ok(name) || is_placeholder(org) || is_placeholder(name) {
                return None;
            }
            Some(s.to_string())
        }
        None => {
            if !part_ok(s) || is_placeholder(s) {
                return None;
            }
            if sentence_transformers && patterns::ST_PREFIXES.iter().any(|p| s.starts_with(p)) {
                return Some(format!("sentence-transformers/{s}"));
            }
            patterns::CANONICAL_MODELS
                .contains(&s)
                .then(|| s.to_string())
        }
    }
}

fn looks_local(s: &str) -> bool {
    s.starts_with(['.', '/', '~', '\\', '$', '{', '<'])
        || s.contains('\\')
        || s.contains("//")
        || s.contains(':')
        || s.matches('/').count() > 1
        || [
            ".gguf",
            ".bin",
            ".pt",
            ".pth",
            ".safetensors",
            ".onnx",
            ".json",
            ".csv",
            ".jsonl",
            ".parquet",
            ".txt",
            ".ckpt",
            ".h5",
            ".zip",
            ".tar",
        ]
        .iter()
        .any(|e| s.to_ascii_lowercase().ends_with(e))
}

/// Obvious placeholders that are never a real id.
pub fn is_placeholder(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    matches!(
        l.as_str(),
        "model"
            | "model_name"
            | "model-name"
            | "model_id"
            | "model-id"
            | "your-model"
            | "your_model"
            | "my-model"
            | "my_model"
            | "none"
            | "null"
            | "default"
            | "test"
            | "xxx"
            | "placeholder"
            | "string"
            | "todo"
            | "tbd"
    ) || l.starts_with("your-")
        || l.starts_with("your_")
        || l.starts_with("<")
        || l.contains("xxx")
        || l.contains("path/to")
        || l.contains("path-to")
}

/// A plausible hosted-API model id (or deployment name).
pub fn api_id(s: &str) -> bool {
    let s = s.trim();
    (1..=128).contains(&s.len())
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'/' | b'@')
        })
        && s.as_bytes()
            .first()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && !is_placeholder(s)
}

fn import_ok(unit: &Unit, lang: Lang, call: &Call, pat: &Pattern) -> bool {
    match pat.import {
        None => true,
        Some("") => unit.is_imported(call.root()),
        Some(want) => {
            let any = |m: &str| want.split('|').any(|w| m.starts_with(w));
            match unit.module_of(call.root()) {
                Some(m) => any(m),
                // Rust methods are called on locals bound from the crate's types
                None => lang == Lang::Rust && unit.imported.values().any(|m| any(m)),
            }
        }
    }
}

/// A pattern table by the last segment of each callee, so a call is compared with the few
/// patterns that can match it rather than with the whole table (it was one of a scan's
/// largest costs: every call against every pattern).
struct PatternIndex {
    /// Last callee segment → indexes into the table, ascending.
    by_last: HashMap<&'static str, Vec<usize>>,
}

impl PatternIndex {
    /// The index of `table`, built once. Each language has one table.
    fn of(lang: Lang, table: &'static [Pattern]) -> &'static PatternIndex {
        static INDEXES: [OnceLock<PatternIndex>; 5] = [const { OnceLock::new() }; 5];
        let slot = match lang {
            Lang::Python => 0,
            Lang::Js => 1,
            Lang::Go => 2,
            Lang::Rust => 3,
            Lang::Jvm => 4,
        };
        INDEXES[slot].get_or_init(|| {
            let mut by_last: HashMap<&'static str, Vec<usize>> = HashMap::new();
            for (i, p) in table.iter().enumerate() {
                let last = p.callee.rsplit('.').next().unwrap_or(p.callee);
                by_last.entry(last).or_default().push(i);
            }
            PatternIndex { by_last }
        })
    }

    /// Indexes, in table order, of every pattern [`pattern_matches`] could accept for
    /// `callee`: those ending in its last segment, and for `X.from_*` those ending in `X`.
    fn candidates<'s>(&'s self, callee: &str) -> impl Iterator<Item = usize> + 's {
        let (last, owner) = match split_last_dot(callee) {
            Some((before, last)) => (
                last,
                Some(split_last_dot(before).map_or(before, |(_, o)| o)),
            ),
            None => (callee, None),
        };
        let direct = self.by_last.get(last).map(Vec::as_slice).unwrap_or(&[]);
        let via_from = match owner {
            Some(owner) if last.starts_with("from_") => {
                self.by_last.get(owner).map(Vec::as_slice).unwrap_or(&[])
            }
            _ => &[],
        };
        merge_sorted(direct, via_from)
    }
}

/// The union of two ascending index lists, ascending.
fn merge_sorted<'s>(a: &'s [usize], b: &'s [usize]) -> impl Iterator<Item = usize> + 's {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        let next = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) if x == y => {
                i += 1;
                j += 1;
                x
            }
            (Some(&x), Some(&y)) if x < y => {
                i += 1;
                x
            }
            (_, Some(&y)) => {
                j += 1;
                y
            }
            (Some(&x), None) => {
                i += 1;
                x
            }
            (None, None) => return None,
        };
        Some(next)
    })
}

/// The callee ends with the pattern, or (for classes) calls one of its `from_*` constructors.
fn pattern_matches(call: &Call, pat: &Pattern) -> bool {
    if call.ends_with(pat.callee) {
        return true;
    }
    matches!(pat.role, Role::Service(_) | Role::Client(_))
        && call
            .callee
            .strip_prefix(pat.callee)
            .and_then(|m| m.strip_prefix('.'))
            .is_some_and(|m| m.starts_with("from_") && !m.contains('.'))
}

/// The argument of a pattern: positional first, then keywords in order.
fn arg<'c>(call: &'c Call, pat: &Pattern) -> Option<&'c Val> {
    for k in pat.kws {
        if let Some(v) = call.kw(k) {
            return Some(v);
        }
    }
    pat.pos.and_then(|i| call.positional(i))
}

/// Who serves a call made by a client of `default`, given its base-URL argument.
fn served_by(unit: &Unit, call: &Call, default: &'static Provider) -> Serve {
    let Some(v) = patterns::BASE_URL_KWS.iter().find_map(|k| call.kw(k)) else {
        return Serve::Known(default);
    };
    let openai_shaped = default.key == "openai";
    match unit.resolve(v, call.offset) {
        Some((url, _, _)) => match providers::provider_for_host(&url) {
            Some(p) => Serve::Known(p),
            None if openai_shaped => Serve::SelfHosted(providers::host_of(&url)),
            None => Serve::Known(default),
        },
        None if openai_shaped => Serve::SelfHosted(None),
        None => Serve::Known(default),
    }
}

/// Run the pattern table over the unit's calls.
pub fn run(unit: &Unit, toks: &[Token], lang: Lang, table: &'static [Pattern], em: &mut Emitter) {
    let index = PatternIndex::of(lang, table);
    let mut clients: BTreeMap<String, Serve> = BTreeMap::new();
    let mut remote_code_components: BTreeMap<u32, String> = BTreeMap::new();
    let mut mcp: Vec<(String, &Call, &'static str)> = Vec::new();
    for call in &unit.calls {
        builtin_datasets(unit, call, em);
        let Some(pat) = index
            .candidates(&call.callee)
            .map(|i| &table[i])
            .find(|p| pattern_matches(call, p) && import_ok(unit, lang, call, p))
        else {
            client_method(unit, call, &clients, em);
            continue;
        };
        let resolved = arg(call, pat).and_then(|v| unit.resolve(v, call.offset));
        let conf = Confidence::High;
        // literal arguments are cited where written; resolved names at the call
        let at = |r: &(String, u32, bool)| if r.2 { r.1 } else { call.line };
        match pat.role {
            Role::HubModel | Role::StModel => {
                let Some(r) = resolved else { continue };
                let repo_type = call
                    .kw("repo_type")
                    .and_then(|v| unit.resolve(v, call.offset))
                    .map(|r| r.0);
                if repo_type.as_deref() == Some("dataset") {
                    if let Some(id) = hub_id(&r.0, false).filter(|id| id.contains('/')) {
                        let rev = literal_kw(unit, call, "revision");
                        em.hub_dataset(&id, None, rev.as_deref(), at(&r), conf);
                    }
                    continue;
                }
                if repo_type.as_deref().is_some_and(|t| t != "model") {
                    continue;
                }
                let Some(id) = hub_id(&r.0, pat.role == Role::StModel) else {
                    continue;
                };
                let rev = literal_kw(unit, call, "revision").or_else(|| {
                    (pat.callee == "Repo.with_revision")
                        .then(|| {
                            call.positional(2)
                                .and_then(|v| unit.resolve(v, call.offset))
                                .map(|r| r.0)
                        })
                        .flatten()
                });
                if let Some(cid) = em.hub_model(&id, rev.as_deref(), at(&r), conf) {
                    if call.kw("trust_remote_code") == Some(&Val::Bool(true)) {
                        remote_code_components.insert(call.line, cid);
                    }
                }
            }
            Role::Dataset => {
                let Some(r) = resolved else { continue };
                if patterns::LOCAL_DATASET_BUILDERS.contains(&r.0.as_str()) {
                    continue;
                }
                let Some(id) = hub_id(&r.0, false).or_else(|| bare_dataset(&r.0)) else {
                    continue;
                };
                let config = call
                    .positional(1)
                    .or_else(|| call.kw("name"))
                    .and_then(|v| unit.resolve(v, call.offset))
                    .map(|r| r.0);
                let rev = literal_kw(unit, call, "revision");
                em.hub_dataset(&id, config.as_deref(), rev.as_deref(), at(&r), conf);
            }
            Role::ApiModel(key) => {
                let Some(r) = resolved.or_else(|| go_constant(arg(call, pat))) else {
                    // the provider is still used
                    if let Some(p) = providers::provider(key) {
                        em.provider_service(p, call.line, Method::ApiCall, conf);
                    }
                    continue;
                };
                if !api_id(&r.0) {
                    continue;
                }
                let serve = match key {
                    "" => receiver_serve(unit, call, pat.callee, &clients, &r.0),
                    "litellm" => litellm_serve(&r.0),
                    k => providers::provider(k).map(|p| served_by(unit, call, p)),
                };
                let Some(serve) = serve else { continue };
                let id = match key {
                    "litellm" => {
                        r.0.split_once('/')
                            .map(|(_, m)| m.to_string())
                            .unwrap_or(r.0.clone())
                    }
                    _ => r.0.clone(),
                };
                em.api_model(&id, &serve, at(&r), conf);
            }
            Role::Client(key) => {
                let Some(p) = providers::provider(key) else {
                    continue;
                };
                let serve = served_by(unit, call, p);
                if let Some(var) = &call.assigned_to {
                    clients.insert(var.clone(), serve.clone());
                }
                match resolved.filter(|r| api_id(&r.0)) {
                    Some(r) => em.api_model(&r.0, &serve, at(&r), conf),
                    None => em.service(&serve, call.line, Method::ApiCall, conf),
                }
            }
            Role::Service(key) => {
                if let Some(p) = providers::provider(key) {
                    em.provider_service(p, call.line, Method::ApiCall, conf);
                }
            }
            Role::McpServer(sdk) => {
                let name = resolved
                    .map(|r| r.0)
                    .filter(|n| !n.trim().is_empty() && n.len() <= 200)
                    .unwrap_or_else(|| em.src.path.to_string());
                mcp.push((name, call, sdk));
            }
        }
    }
    remote_code(toks, &remote_code_components, em);
    mcp_servers(unit, toks, lang, &mcp, em);
    literals(toks, em);
}

fn literal_kw(unit: &Unit, call: &Call, key: &str) -> Option<String> {
    call.kw(key)
        .and_then(|v| unit.resolve(v, call.offset))
        .map(|r| r.0)
}

/// Org-less hub datasets (`squad`, `cnn_dailymail`, `banking77`): plain lowercase names.
fn bare_dataset(s: &str) -> Option<String> {
    let ok = (2..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'))
        && s.as_bytes().first().is_some_and(|b| b.is_ascii_lowercase())
        && !is_placeholder(s)
        && !matches!(
            s,
            "data" | "dataset" | "train" | "test" | "validation" | "dataset_id" | "dataset_name"
        );
    ok.then(|| s.to_string())
}

fn go_constant(v: Option<&Val>) -> Option<(String, u32, bool)> {
    let Some(Val::Name(n, line)) = v else {
        return None;
    };
    let (pkg, c) = n.rsplit_once('.')?;
    if pkg != "openai" {
        return None;
    }
    patterns::GO_OPENAI_CONSTANTS
        .iter()
        .find(|(k, _)| *k == c)
        .map(|(_, id)| (id.to_string(), *line, true))
}

/// The provider of a call on a client: the client variable it was made on, the SDK module it
/// was called through, the only client in the file, or the id's shape.
fn receiver_serve(
    unit: &Unit,
    call: &Call,
    suffix: &str,
    clients: &BTreeMap<String, Serve>,
    id: &str,
) -> Option<Serve> {
    let receiver = call
        .callee
        .strip_suffix(suffix)
        .map(|r| r.trim_end_matches('.'))
        .unwrap_or("");
    if let Some(s) = clients.get(receiver) {
        return Some(s.clone());
    }
    if !receiver.is_empty() {
        if let Some(p) = providers::provider(receiver) {
            if unit.is_imported(receiver) {
                return Some(Serve::Known(p));
            }
        }
    }
    let mut distinct: Vec<&Serve> = clients.values().collect();
    distinct.dedup();
    if distinct.len() == 1 {
        return distinct.first().map(|s| (*s).clone());
    }
    providers::provider_for_model_id(id).map(Serve::Known)
}

fn litellm_serve(id: &str) -> Option<Serve> {
    match id.split_once('/') {
        Some((prefix, _)) => providers::provider_for_prefix(prefix).map(Serve::Known),
        None => providers::provider_for_model_id(id).map(Serve::Known),
    }
}

/// `client.chat(model="…")` style calls on a known client variable (Cohere, Mistral, Ollama,
/// provider functions made by `createOpenAI`).
fn client_method(unit: &Unit, call: &Call, clients: &BTreeMap<String, Serve>, em: &mut Emitter) {
    let (receiver, direct) = match clients.get(call.callee.as_ref()) {
        Some(s) => (s, true),
        // the receiver of `client.method(…)`: the callee's first segment, when it has more
        None => match Some(call.root())
            .filter(|r| r.len() < call.callee.len())
            .and_then(|r| clients.get(r))
        {
            Some(s) => (s, false),
            None => return,
        },
    };
    let v = ["model", "model_id", "modelId"]
        .iter()
        .find_map(|k| call.kw(k))
        .or_else(|| if direct { call.positional(0) } else { None });
    let Some(r) = v.and_then(|v| unit.resolve(v, call.offset)) else {
        return;
    };
    if api_id(&r.0) {
        let line = if r.2 { r.1 } else { call.line };
        em.api_model(&r.0, &receiver.clone(), line, Confidence::High);
    }
}

/// torchvision.datasets.X(…), keras.datasets.x.load_data(), tfds.load("x").
fn builtin_datasets(unit: &Unit, call: &Call, em: &mut Emitter) {
    // one lookup (this runs for every call of a file)
    let root = call.root();
    let (module, imported) = match unit.imported.get(root) {
        Some(m) => (m.as_str(), true),
        None => (root, false),
    };
    // every name below starts with one of these: skip the rest (it allocates) for other calls
    let head = if imported { module } else { &call.callee };
    let head = first_segment(head);
    if !matches!(
        head,
        "torchvision" | "keras" | "tensorflow" | "tf" | "tensorflow_datasets"
    ) {
        return;
    }
    let full = if imported {
        match call.callee.split_once('.') {
            Some((_, rest)) => format!("{module}.{rest}"),
            None => module.to_string(),
        }
    } else {
        call.callee.to_string()
    };
    if let Some(rest) = full.strip_prefix("torchvision.datasets.") {
        if !rest.contains('.')
            && rest.starts_with(|c: char| c.is_ascii_uppercase())
            && rest != "ImageFolder"
            && rest != "DatasetFolder"
        {
            em.builtin_dataset("torchvision", rest, None, call.line);
        }
        return;
    }
    for prefix in [
        "keras.datasets.",
        "tensorflow.keras.datasets.",
        "tf.keras.datasets.",
    ] {
        if let Some(rest) = full.strip_prefix(prefix) {
            if let Some(name) = rest.strip_suffix(".load_data") {
                if !name.contains('.') {
                    em.builtin_dataset("keras", name, None, call.line);
                }
            }
            return;
        }
    }
    if full == "tensorflow_datasets.load" || full == "tensorflow_datasets.builder" {
        let v = call.positional(0).or_else(|| call.kw("name"));
        if let Some(r) = v.and_then(|v| unit.resolve(v, call.offset)) {
            let (name, version) = match r.0.split_once(':') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (r.0.clone(), None),
            };
            if bare_dataset(&name).is_some() || name.contains('/') {
                em.builtin_dataset("tfds", &name, version.as_deref(), call.line);
            }
        }
    }
}

/// `trust_remote_code=True`, `"trust_remote_code": True`, `trust_remote_code: true`.
fn remote_code(toks: &[Token], components: &BTreeMap<u32, String>, em: &mut Emitter) {
    // one substring search of the text instead of a look at every token, in the many files
    // that never name the flag
    let text = em.src.text.as_bytes();
    if memchr::memmem::find(text, b"trust_remote_code").is_none()
        && memchr::memmem::find(text, b"trustRemoteCode").is_none()
    {
        return;
    }
    for (i, t) in toks.iter().enumerate() {
        let named = match &t.kind {
            TokKind::Ident(w) => *w == "trust_remote_code" || *w == "trustRemoteCode",
            TokKind::Str { value, .. } => value == "trust_remote_code",
            _ => false,
        };
        if !named {
            continue;
        }
        let sep = toks.get(i + 1);
        let is_assign = sep.is_some_and(|s| s.is_punct('=') || s.is_punct(':'))
            && !toks.get(i + 2).is_some_and(|s| s.is_punct('='));
        let is_true = toks
            .get(i + 2)
            .and_then(Token::ident)
            .is_some_and(|w| w == "True" || w == "true");
        if is_assign && is_true {
            let component = components
                .range(t.line.saturating_sub(30)..=t.line)
                .next_back()
                .map(|(_, c)| c.clone());
            em.out.risks.push(risk(
                "AIBOM-REMOTE-CODE",
                component,
                "trust_remote_code=True runs Python code from the model repository at load time",
                em.src.path,
                Some(em.src.cite(t.line)),
            ));
        }
    }
}

/// `s.contains(char::is_whitespace)`, by bytes unless the text has non-ASCII characters.
fn has_whitespace(s: &str) -> bool {
    let mut ascii = true;
    for b in s.bytes() {
        if matches!(b, b'\t'..=b'\r' | b' ') {
            return true;
        }
        ascii &= b < 0x80;
    }
    !ascii && s.contains(char::is_whitespace)
}

/// Hosts and provider environment variable names written in string literals (and JS
/// `process.env.NAME`).
fn literals(toks: &[Token], em: &mut Emitter) {
    for (i, t) in toks.iter().enumerate() {
        let name: Option<&str> = match &t.kind {
            TokKind::Str {
                value,
                interpolated: false,
                statement: false,
            } => Some(value.as_ref()),
            TokKind::Ident(w)
                if i >= 2 && toks[i - 1].is_punct('.') && toks[i - 2].ident() == Some("env") =>
            {
                Some(w)
            }
            _ => None,
        };
        let Some(v) = name else { continue };
        if v.len() > 300 || has_whitespace(v) {
            continue;
        }
        if let Some(p) = providers::provider_for_env_var(v) {
            em.provider_service(p, t.line, Method::ConfigKey, Confidence::Medium);
        } else if v.contains(['.', ':']) {
            if let Some(p) = providers::provider_for_host(v) {
                em.provider_service(p, t.line, Method::StringLiteral, Confidence::Medium);
            }
        }
    }
}

/// MCP servers implemented in this file, with tools declared by decorator or registration.
fn mcp_servers(
    unit: &Unit,
    toks: &[Token],
    lang: Lang,
    servers: &[(String, &Call, &'static str)],
    em: &mut Emitter,
) {
    for (idx, (name, call, sdk)) in servers.iter().enumerate() {
        let var = call.assigned_to.clone().unwrap_or_default();
        // this server's span: until the same variable is bound to the next server
        let end = servers
            .iter()
            .skip(idx + 1)
            .find(|(_, c, _)| c.assigned_to.as_deref() == Some(var.as_str()))
            .map(|(_, c, _)| c.offset)
            .unwrap_or(usize::MAX);
        let in_span = |o: usize| o > call.offset && o < end;
        let mut tools = BTreeSet::new();
        let mut transport = None;
        if !var.is_empty() {
            for c in unit.calls.iter().filter(|c| in_span(c.offset)) {
                let Some(method) = c
                    .callee
                    .strip_prefix(var.as_str())
                    .and_then(|m| m.strip_prefix('.'))
                else {
                    continue;
                };
                match method {
                    "tool" | "registerTool" if lang == Lang::Js => {
                        if let Some(Val::Str(n, _)) = c.positional(0) {
                            tools.insert(n.clone());
                        }
                    }
                    "tool" => {
                        if let Some(Val::Str(n, _)) = c.kw("name").or_else(|| c.positional(0)) {
                            tools.insert(n.clone());
                        } else if let Some(f) = decorated_function(toks, c.tok) {
                            tools.insert(f);
                        }
                    }
                    "run" | "run_async" => {
                        if let Some(Val::Str(t, _)) = c.kw("transport").or_else(|| c.positional(0))
                        {
                            transport = Some(t.clone());
                        }
                    }
                    _ => {}
                }
            }
            if lang == Lang::Python {
                // bare `@mcp.tool` decorators (no call parentheses)
                for (i, t) in toks.iter().enumerate() {
                    if t.is_punct('@')
                        && in_span(t.offset)
                        && toks.get(i + 1).and_then(Token::ident) == Some(var.as_str())
                        && toks.get(i + 2).is_some_and(|t| t.is_punct('.'))
                        && toks.get(i + 3).and_then(Token::ident) == Some("tool")
                        && toks
                            .get(i + 4)
                            .is_some_and(|t| matches!(t.kind, TokKind::Newline))
                    {
                        if let Some(f) = decorated_function(toks, i + 1) {
                            tools.insert(f);
                        }
                    }
                }
            }
        }
        if lang == Lang::Js && transport.is_none() {
            for (c, t) in [
                ("StdioServerTransport", "stdio"),
                ("SSEServerTransport", "sse"),
                ("StreamableHTTPServerTransport", "streamable-http"),
            ] {
                if unit.calls.iter().any(|k| k.name() == c) {
                    transport = Some(t.to_string());
                    break;
                }
            }
        }
        let mut f = Finding::new(
            ComponentKind::McpServer,
            name.as_str(),
            em.src
                .evidence(call.line, Method::ApiCall, Confidence::High),
        )
        .with_identity(format!("impl:{}", name.to_lowercase()))
        .prop("source", "implementation")
        .prop("sdk", *sdk);
        if let Some(t) = transport {
            f = f.prop("transport", t);
        }
        if !tools.is_empty() {
            f = f.prop("tools", tools.into_iter().collect::<Vec<_>>());
        }
        em.out.findings.push(f);
    }
}

/// The function a decorator at token `at` decorates: the first `def NAME` after it.
fn decorated_function(toks: &[Token], at: usize) -> Option<String> {
    toks.iter()
        .skip(at)
        .take(200)
        .collect::<Vec<_>>()
        .windows(2)
        .find(|w| w[0].ident() == Some("def"))
        .and_then(|w| w[1].ident().map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_check_matches_the_char_definition() {
        for s in [
            "",
            "a",
            "a b",
            "a\tb",
            "a\u{b}b",
            "a\u{c}",
            "\r",
            "é",
            "é\u{a0}",
            "x\u{2003}",
            "x\u{85}",
            "\u{1f600}",
            "a\u{1c}b",
            "no-space_here",
        ] {
            assert_eq!(has_whitespace(s), s.contains(char::is_whitespace), "{s:?}");
        }
    }

    #[test]
    fn hub_ids_and_local_paths() {
        assert_eq!(
            hub_id("meta-llama/Llama-3.1-8B", false).as_deref(),
            Some("meta-llama/Llama-3.1-8B")
        );
        assert_eq!(
            hub_id("bert-base-uncased", false).as_deref(),
            Some("bert-base-uncased")
        );
        assert_eq!(
            hub_id("all-MiniLM-L6-v2", true).as_deref(),
            Some("sentence-transformers/all-MiniLM-L6-v2")
        );
        for local in [
            "./models/x",
            "/abs/model",
            ".",
            "merged-weights",
            "out/dir/x",
            "model.gguf",
            "C:\\m",
            "your-org/your-model",
            "~/m",
        ] {
            assert_eq!(hub_id(local, true), None, "{local}");
        }
        assert!(is_commit_sha("099c0f8cbfc522e7c3a476edfb749f576b164539"));
        assert!(!is_commit_sha("main"));
        assert!(api_id("anthropic.claude-3-5-sonnet-20240620-v1:0"));
        assert!(!api_id("model_name"));
        assert!(!api_id("gpt 4"));
    }
}
