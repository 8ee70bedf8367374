//! GGUF (llama.cpp / ggml) v1–v3: header, metadata key/values and tensor infos, streamed.
//!
//! What it detects: `general.architecture/name/basename/size_label/license/type`,
//! `general.file_type` → quantization name (Q4_K_M …), `<arch>.context_length`, the
//! parameter count (Σ Π dims over tensor infos) and the tensor-type histogram, tokenizer
//! model and vocabulary size, and the chat template (length + sha256; checked for template
//! injection, not printed).
//!
//! Files claimed: `.gguf` outright; sniffed among other model/ambiguous/extensionless files
//! (a GGUF renamed `.model` or `.bin` is still GGUF).
//!
//! Evidence and confidence: `gguf-header`, high. Risks: `AIBOM-GGUF-TEMPLATE` (a chat template
//! reaching for Python internals), licence rules, `AIBOM-MALFORMED`.
//!
//! Not handled: big-endian v3 files are recognised but reported as unsupported; tensor data is
//! never read (only hashed). Bounds: strings ≤ 64 MiB, arrays ≤ 2^30 elements and within the
//! file, ≤ 1 M KVs, ≤ 1 M tensors, ≤ 4 dims, nested arrays ≤ depth 2.
//!
//! References: ggml `docs/gguf.md`, `src/gguf.cpp`; MODEL-FORMATS §2.

use super::super::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use super::classify::Content;
use super::ReadSeek;
use crate::risk::risk;
use std::collections::BTreeMap;
use std::io::{Read, SeekFrom};

pub const DETECTOR: Detector = Detector {
    id: "gguf-header",
    family: "model",
    summary: "GGUF v1-v3: architecture, quantization, parameters, licence, chat-template check",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: Some(sniff),
    detect,
};

const MAX_STRING: u64 = 64 * 1024 * 1024;
const MAX_ARRAY: u64 = 1 << 30;
const MAX_KV: u64 = 1_000_000;
const MAX_TENSORS: u64 = 1_000_000;
const KEEP_STRING: u64 = 1024 * 1024;

fn claim(c: &Candidate) -> Claim {
    if c.ext == "llamafile" {
        return Claim::No;
    }
    super::claim_binary(c, &["gguf"])
}

fn sniff(head: &[u8]) -> bool {
    super::classify::classify(head) == Some(Content::Gguf)
}

/// A kept metadata value.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Int(i128),
    Float(f64),
    Bool(bool),
    Str(String),
    /// An array: element count and the first few string values.
    Array(u64, Vec<String>),
}

/// What the header says.
#[derive(Debug, Default)]
pub struct Gguf {
    pub version: u32,
    pub kv: BTreeMap<String, Val>,
    pub tensors: u64,
    pub parameters: u64,
    pub types: BTreeMap<String, u64>,
    pub chat_template: Option<String>,
}

struct R<'a> {
    r: &'a mut dyn ReadSeek,
    pos: u64,
    size: u64,
    v1: bool,
}

impl R<'_> {
    fn bytes(&mut self, n: u64) -> Result<Vec<u8>, String> {
        if n > self.size.saturating_sub(self.pos) {
            return Err(format!(
                "length {n} at byte {} runs past the end of the file",
                self.pos
            ));
        }
        let mut b = Vec::new();
        (&mut self.r)
            .take(n)
            .read_to_end(&mut b)
            .map_err(|e| e.to_string())?;
        if b.len() as u64 != n {
            return Err(format!("truncated at byte {}", self.pos));
        }
        self.pos += n;
        Ok(b)
    }
    fn skip(&mut self, n: u64) -> Result<(), String> {
        if n > self.size.saturating_sub(self.pos) {
            return Err(format!(
                "length {n} at byte {} runs past the end of the file",
                self.pos
            ));
        }
        self.pos += n;
        self.r
            .seek(SeekFrom::Start(self.pos))
            .map_err(|e| e.to_string())?;
        Ok(())
    }
    fn uint(&mut self, n: u64) -> Result<u64, String> {
        let b = self.bytes(n)?;
        Ok(b.iter().rev().fold(0u64, |a, &x| (a << 8) | u64::from(x)))
    }
    fn u32(&mut self) -> Result<u64, String> {
        self.uint(4)
    }
    fn count(&mut self) -> Result<u64, String> {
        if self.v1 {
            self.uint(4)
        } else {
            self.uint(8)
        }
    }
    /// A string, kept whole up to `keep` bytes (longer ones are skipped, returned empty).
    fn string(&mut self, keep: u64) -> Result<String, String> {
        let n = self.count()?;
        if n > MAX_STRING {
            return Err(format!(
                "string length {n} at byte {} exceeds the limit",
                self.pos
            ));
        }
        if n > keep {
            self.skip(n)?;
            return Ok(String::new());
        }
        Ok(String::from_utf8_lossy(&self.bytes(n)?).into_owned())
    }
}

fn scalar_size(t: u64) -> Option<u64> {
    Some(match t {
        0 | 1 | 7 => 1,
        2 | 3 => 2,
        4..=6 => 4,
        10..=12 => 8,
        _ => return None,
    })
}

fn value(r: &mut R, t: u64, key: &str, depth: u32) -> Result<Option<Val>, String> {
    let wanted = key.starts_with("general.")
        || key.starts_with("tokenizer.chat_template")
        || key.ends_with(".context_length")
        || key.ends_with(".expert_count")
        || key == "tokenizer.ggml.model";
    Ok(match t {
        0..=7 | 10..=12 => {
            let n = scalar_size(t).unwrap_or(1);
            let raw = r.uint(n)?;
            Some(match t {
                1 => Val::Int(i128::from(raw as u8 as i8)),
                3 => Val::Int(i128::from(raw as u16 as i16)),
                5 => Val::Int(i128::from(raw as u32 as i32)),
                11 => Val::Int(i128::from(raw as i64)),
                6 => Val::Float(f64::from(f32::from_bits(raw as u32))),
                12 => Val::Float(f64::from_bits(raw)),
                7 => Val::Bool(raw != 0),
                _ => Val::Int(i128::from(raw)),
            })
        }
        8 => {
            let keep = if key.starts_with("tokenizer.chat_template") {
                MAX_STRING
            } else if wanted {
                KEEP_STRING
            } else {
                0
            };
            Some(Val::Str(r.string(keep)?))
        }
        9 => {
            if depth >= 2 {
                return Err(format!("arrays nested deeper than 2 in {key}"));
            }
            let et = r.u32()?;
            let n = r.count()?;
            if n > MAX_ARRAY {
                return Err(format!("array {key} declares {n} elements"));
            }
            let mut first = Vec::new();
            if let Some(sz) = scalar_size(et) {
                let total = n.checked_mul(sz).ok_or("array size overflows")?;
                r.skip(total)?;
            } else if et == 8 {
                for i in 0..n {
                    let keep = if wanted && i < 8 { 256 } else { 0 };
                    let s = r.string(keep)?;
                    if wanted && i < 8 {
                        first.push(s);
                    }
                }
            } else if et == 9 {
                for _ in 0..n {
                    value(r, 9, key, depth + 1)?;
                }
            } else {
                return Err(format!("array {key} has unknown element type {et}"));
            }
            Some(Val::Array(n, first))
        }
        other => return Err(format!("unknown value type {other} for {key}")),
    })
}

/// ggml tensor types: (name, elements per block, bytes per block).
fn ggml_type(t: u64) -> Option<(&'static str, u64, u64)> {
    Some(match t {
        0 => ("F32", 1, 4),
        1 => ("F16", 1, 2),
        2 => ("Q4_0", 32, 18),
        3 => ("Q4_1", 32, 20),
        6 => ("Q5_0", 32, 22),
        7 => ("Q5_1", 32, 24),
        8 => ("Q8_0", 32, 34),
        9 => ("Q8_1", 32, 40),
        10 => ("Q2_K", 256, 84),
        11 => ("Q3_K", 256, 110),
        12 => ("Q4_K", 256, 144),
        13 => ("Q5_K", 256, 176),
        14 => ("Q6_K", 256, 210),
        15 => ("Q8_K", 256, 292),
        16 => ("IQ2_XXS", 256, 66),
        17 => ("IQ2_XS", 256, 74),
        18 => ("IQ3_XXS", 256, 98),
        19 => ("IQ1_S", 256, 50),
        20 => ("IQ4_NL", 32, 18),
        21 => ("IQ3_S", 256, 110),
        22 => ("IQ2_S", 256, 82),
        23 => ("IQ4_XS", 256, 136),
        24 => ("I8", 1, 1),
        25 => ("I16", 1, 2),
        26 => ("I32", 1, 4),
        27 => ("I64", 1, 8),
        28 => ("F64", 1, 8),
        29 => ("IQ1_M", 256, 56),
        30 => ("BF16", 1, 2),
        34 => ("TQ1_0", 256, 54),
        35 => ("TQ2_0", 256, 66),
        39 => ("MXFP4", 32, 17),
        _ => return None,
    })
}

/// LLAMA_FTYPE names for `general.file_type`.
pub fn file_type_name(t: i128) -> Option<&'static str> {
    Some(match t {
        0 => "F32",
        1 => "F16",
        2 => "Q4_0",
        3 => "Q4_1",
        7 => "Q8_0",
        8 => "Q5_0",
        9 => "Q5_1",
        10 => "Q2_K",
        11 => "Q3_K_S",
        12 => "Q3_K_M",
        13 => "Q3_K_L",
        14 => "Q4_K_S",
        15 => "Q4_K_M",
        16 => "Q5_K_S",
        17 => "Q5_K_M",
        18 => "Q6_K",
        19 => "IQ2_XXS",
        20 => "IQ2_XS",
        21 => "Q2_K_S",
        22 => "IQ3_XS",
        23 => "IQ3_XXS",
        24 => "IQ1_S",
        25 => "IQ4_NL",
        26 => "IQ3_S",
        27 => "IQ3_M",
        28 => "IQ2_S",
        29 => "IQ2_M",
        30 => "IQ4_XS",
        31 => "IQ1_M",
        32 => "BF16",
        36 => "TQ1_0",
        37 => "TQ2_0",
        38 => "MXFP4_MOE",
        _ => return None,
    })
}

/// Parse a GGUF header from `r` (positioned at the magic), `size` bytes long.
pub fn parse(r: &mut dyn ReadSeek, size: u64) -> Result<Gguf, (Gguf, String)> {
    let mut g = Gguf::default();
    let mut rd = R {
        r,
        pos: 0,
        size,
        v1: false,
    };
    if let Err(e) = parse_into(&mut rd, &mut g) {
        return Err((g, e));
    }
    Ok(g)
}

fn parse_into(r: &mut R, g: &mut Gguf) -> Result<(), String> {
    let magic = r.bytes(4)?;
    if magic != b"GGUF" {
        return Err("no GGUF magic".into());
    }
    let v = r.u32()? as u32;
    if v & 0xFFFF == 0 {
        return Err("big-endian GGUF is not supported".into());
    }
    if !(1..=3).contains(&v) {
        return Err(format!("unsupported GGUF version {v}"));
    }
    g.version = v;
    r.v1 = v == 1;
    let tensors = r.count()?;
    let kvs = r.count()?;
    if kvs > MAX_KV {
        return Err(format!("{kvs} metadata entries exceed the limit"));
    }
    if tensors > MAX_TENSORS {
        return Err(format!("{tensors} tensors exceed the limit"));
    }
    for _ in 0..kvs {
        let key = r.string(65_535)?;
        if key.is_empty() {
            return Err(format!("empty or over-long metadata key at byte {}", r.pos));
        }
        let t = r.u32()?;
        let val = value(r, t, &key, 0)?;
        if g.kv.contains_key(&key) {
            return Err(format!("duplicate metadata key {key}"));
        }
        if let Some(Val::Str(s)) = &val {
            if key == "tokenizer.chat_template" {
                g.chat_template = Some(s.clone());
            }
        }
        let keep = key.starts_with("general.")
            || key.ends_with(".context_length")
            || key.ends_with(".expert_count")
            || key == "tokenizer.ggml.model"
            || key == "tokenizer.ggml.tokens";
        if let Some(val) = val.filter(|_| keep) {
            g.kv.insert(key, val);
        } else if g.kv.len() < 100_000 {
            // kept only to catch duplicates; bounded so hostile key counts stay cheap
            g.kv.insert(key, Val::Bool(true));
        }
    }
    for _ in 0..tensors {
        let _name = r.string(256)?;
        let n_dims = r.u32()?;
        if n_dims > 4 {
            return Err(format!("tensor with {n_dims} dimensions (ggml allows 4)"));
        }
        let mut elems: u64 = 1;
        for _ in 0..n_dims {
            let d = r.count()?;
            elems = elems.checked_mul(d).ok_or("tensor dimensions overflow")?;
        }
        let t = r.u32()?;
        let _offset = r.uint(8)?;
        g.tensors += 1;
        g.parameters = g
            .parameters
            .checked_add(elems)
            .ok_or("parameter count overflows")?;
        let name = ggml_type(t)
            .map(|x| x.0.to_string())
            .unwrap_or(format!("type{t}"));
        *g.types.entry(name).or_default() += 1;
    }
    Ok(())
}

/// Patterns of a Jinja chat template that reaches Python internals (SSTI).
const TEMPLATE_PATTERNS: &[&str] = &[
    "__class__",
    "__mro__",
    "__subclasses__",
    "__globals__",
    "__init__",
    "__builtins__",
    "__import__",
    "__getattribute__",
    "_templatereference__context",
    "\\x5f",
    "\\u005f",
    "'_'*2",
    "\"_\"*2",
    "lipsum.",
    "cycler.",
    "joiner.",
    "namespace.",
    "popen",
    "system(",
    "subprocess",
    "eval(",
    "exec(",
    "{% import",
    "{%- import",
    "{% include",
    "{%- include",
    "{% extends",
    "{%- extends",
    "from os",
    "os.",
];

/// The patterns a chat template matches, if any.
pub fn template_hits(t: &str) -> Vec<&'static str> {
    let l = t.to_ascii_lowercase();
    TEMPLATE_PATTERNS
        .iter()
        .copied()
        .filter(|p| match *p {
            // `os.` only as a name of its own, not the end of `pos.` or `bos.`
            "os." => l.match_indices("os.").any(|(i, _)| {
                let before = i.checked_sub(1).and_then(|b| l.as_bytes().get(b));
                before.is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b'_')
            }),
            p => l.contains(p),
        })
        .collect()
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    if let Err(out) = super::gate(input, DETECTOR.id, |c| *c == Content::Gguf) {
        return out;
    }
    let mut out = DetectOutcome::default();
    let mut f = super::file_model(input, ctx, DETECTOR.id, "gguf", &mut out);
    let parsed = super::source(input)
        .map_err(|e| (Gguf::default(), e))
        .and_then(|mut r| parse(&mut r, input.size));
    let (g, err) = match parsed {
        Ok(g) => (g, None),
        Err((g, e)) => (g, Some(e)),
    };
    describe(&mut out, input, &mut f, &g);
    if let Some(e) = err {
        super::malformed(&mut out, input, DETECTOR.id, &f, &e);
    }
    out.findings.push(f);
    out
}

/// Put what the header says on the finding and raise template/licence risks.
pub fn describe(out: &mut DetectOutcome, input: &FileInput, f: &mut Finding, g: &Gguf) {
    if g.version > 0 {
        f.properties.insert("gguf-version".into(), g.version.into());
    }
    let s = |k: &str| match g.kv.get(k) {
        Some(Val::Str(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    let arch = s("general.architecture");
    for (key, prop) in [
        ("general.architecture", "architecture"),
        ("general.name", "model-name"),
        ("general.basename", "basename"),
        ("general.size_label", "size-label"),
        ("general.type", "model-type"),
        ("general.finetune", "finetune"),
        ("general.organization", "organization"),
        ("general.quantized_by", "quantized-by"),
        ("tokenizer.ggml.model", "tokenizer"),
    ] {
        if let Some(v) = s(key) {
            f.properties
                .insert(prop.into(), super::short(&v, 200).into());
        }
    }
    if let Some(Val::Int(t)) = g.kv.get("general.file_type") {
        let q = file_type_name(*t)
            .map(str::to_string)
            .unwrap_or(format!("file_type {t}"));
        f.properties.insert("quantization".into(), q.into());
    }
    if let Some(a) = &arch {
        if let Some(Val::Int(c)) = g.kv.get(&format!("{a}.context_length")) {
            f.properties
                .insert("context-length".into(), (*c as i64).into());
        }
    }
    if let Some(Val::Array(n, _)) = g.kv.get("tokenizer.ggml.tokens") {
        f.properties.insert("vocab-size".into(), (*n).into());
    }
    if g.tensors > 0 {
        f.properties.insert("tensors".into(), g.tensors.into());
        f.properties
            .insert("parameters".into(), g.parameters.into());
        let types: Vec<String> = g.types.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        f.properties.insert("tensor-types".into(), types.into());
    }
    if let Some(l) = s("general.license") {
        f.licenses.push(super::licenses::to_spdx(&l));
        if let Some(r) = super::licenses::license_risk(&l, Some(f.id()), &input.rel_path) {
            out.risks.push(r);
        }
    }
    if let Some(t) = &g.chat_template {
        use sha2::Digest;
        let digest = super::hash::hex(&sha2::Sha256::digest(t.as_bytes()));
        f.properties
            .insert("chat-template-sha256".into(), digest.into());
        f.properties
            .insert("chat-template-length".into(), t.len().into());
        let hits = template_hits(t);
        if !hits.is_empty() {
            out.risks.push(risk(
                "AIBOM-GGUF-TEMPLATE",
                Some(f.id()),
                format!(
                    "chat template reaches for Python internals ({}): rendering it outside a sandbox runs code",
                    hits.join(", ")
                ),
                &input.rel_path,
                None,
            ));
        }
    }
}

use crate::bom::Finding;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A v3 GGUF with the given string KVs and one F32 tensor of `dims`.
    pub fn build(kvs: &[(&str, &str)], file_type: Option<u32>, dims: &[u64]) -> Vec<u8> {
        let mut v = b"GGUF".to_vec();
        v.extend_from_slice(&3u32.to_le_bytes());
        v.extend_from_slice(&1u64.to_le_bytes());
        let n = kvs.len() + usize::from(file_type.is_some());
        v.extend_from_slice(&(n as u64).to_le_bytes());
        let s = |v: &mut Vec<u8>, x: &str| {
            v.extend_from_slice(&(x.len() as u64).to_le_bytes());
            v.extend_from_slice(x.as_bytes());
        };
        for (k, val) in kvs {
            s(&mut v, k);
            v.extend_from_slice(&8u32.to_le_bytes());
            s(&mut v, val);
        }
        if let Some(t) = file_type {
            s(&mut v, "general.file_type");
            v.extend_from_slice(&4u32.to_le_bytes());
            v.extend_from_slice(&t.to_le_bytes());
        }
        s(&mut v, "w");
        v.extend_from_slice(&(dims.len() as u32).to_le_bytes());
        for d in dims {
            v.extend_from_slice(&d.to_le_bytes());
        }
        v.extend_from_slice(&0u32.to_le_bytes());
        v.extend_from_slice(&0u64.to_le_bytes());
        v
    }

    #[test]
    fn header() {
        let b = build(
            &[
                ("general.architecture", "llama"),
                ("general.license", "apache-2.0"),
            ],
            Some(15),
            &[4, 8],
        );
        let g = parse(&mut std::io::Cursor::new(b.as_slice()), b.len() as u64).unwrap();
        assert_eq!((g.version, g.tensors, g.parameters), (3, 1, 32));
        let out = detect(&FileInput::from_bytes("m.gguf", b), &Context::default());
        let f = &out.findings[0];
        assert_eq!(f.properties["quantization"], "Q4_K_M");
        assert_eq!(f.licenses, vec!["Apache-2.0".to_string()]);
    }

    #[test]
    fn hostile() {
        // absurd KV count
        let mut b = b"GGUF\x03\0\0\0".to_vec();
        b.extend_from_slice(&0u64.to_le_bytes());
        b.extend_from_slice(&(1u64 << 62).to_le_bytes());
        let out = detect(&FileInput::from_bytes("a.gguf", b), &Context::default());
        assert!(out.failed);
        // a string length of 2^62
        let mut b = b"GGUF\x03\0\0\0".to_vec();
        b.extend_from_slice(&0u64.to_le_bytes());
        b.extend_from_slice(&1u64.to_le_bytes());
        b.extend_from_slice(&(1u64 << 62).to_le_bytes());
        assert!(parse(&mut std::io::Cursor::new(b.as_slice()), b.len() as u64).is_err());
        // dims that overflow
        let b = build(&[], None, &[1 << 32, 1 << 32, 1 << 32, 1 << 32]);
        assert!(parse(&mut std::io::Cursor::new(b.as_slice()), b.len() as u64).is_err());
        // truncated
        let b = build(&[("general.architecture", "llama")], None, &[2]);
        let cut = &b[..b.len() - 5];
        assert!(parse(&mut std::io::Cursor::new(cut), cut.len() as u64).is_err());
    }

    #[test]
    fn template_check() {
        assert!(template_hits("{% for m in messages %}{{ m.content }}{% endfor %}").is_empty());
        assert!(!template_hits("{{ ''.__class__.__mro__[1].__subclasses__() }}").is_empty());
    }
}
