//! safetensors weights: the header JSON only (8-byte length + JSON), never the tensor data.
//!
//! What it detects: tensor count, exact parameter count (Σ Π shape), the per-dtype element
//! breakdown, `__metadata__` entries (`format`, kohya `ss_*`, `modelspec.*`), and the
//! validation the reference library performs: header bound, offsets that match dtype × shape,
//! offsets that tile the data buffer, and duplicate tensor names (a parser differential).
//!
//! Files claimed: `.safetensors` outright; sniffed among other model/ambiguous/extensionless
//! files by header shape.
//!
//! Evidence and confidence: `safetensors-header`, high.
//!
//! Not handled: nothing in the data buffer is read except by the hash.
//!
//! References: <https://github.com/huggingface/safetensors> (format section); MODEL-FORMATS §1.

use super::super::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use super::classify::Content;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;

pub const DETECTOR: Detector = Detector {
    id: "safetensors-header",
    family: "model",
    summary: "safetensors weights: tensors, exact parameter count, dtypes, __metadata__",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: Some(sniff),
    detect,
};

/// The reference library's own header limit.
const MAX_HEADER: u64 = 100_000_000;
const MAX_META_PROPS: usize = 32;

fn claim(c: &Candidate) -> Claim {
    super::claim_binary(c, &["safetensors"])
}

fn sniff(head: &[u8]) -> bool {
    super::classify::classify(head) == Some(Content::Safetensors)
}

/// Bits per element of a dtype.
fn dtype_bits(d: &str) -> Option<u64> {
    Some(match d {
        "BOOL" | "U8" | "I8" | "F8_E4M3" | "F8_E5M2" | "F8_E4M3FNUZ" | "F8_E5M2FNUZ"
        | "F8_E8M0" => 8,
        "U16" | "I16" | "F16" | "BF16" => 16,
        "U32" | "I32" | "F32" => 32,
        "U64" | "I64" | "F64" | "C64" => 64,
        "F4" => 4,
        "F6_E2M3" | "F6_E3M2" => 6,
        _ => return None,
    })
}

/// The header as an ordered list of entries, duplicates kept (serde maps drop them).
struct Entries(Vec<(String, Value)>);

impl<'de> serde::Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Entries, A::Error> {
                let mut v = Vec::new();
                while let Some((k, val)) = m.next_entry::<String, Value>()? {
                    v.push((k, val));
                }
                Ok(Entries(v))
            }
        }
        d.deserialize_map(V)
    }
}

/// What the header says.
#[derive(Debug, Default)]
pub struct Header {
    pub tensors: u64,
    pub parameters: u64,
    pub by_dtype: BTreeMap<String, u64>,
    pub metadata: Vec<(String, String)>,
    pub names: Vec<String>,
    pub problems: Vec<String>,
}

/// Parse and validate a header. `data_len` is the size of the data buffer when known.
pub fn parse_header(json: &[u8], data_len: Option<u64>) -> Result<Header, String> {
    let text = std::str::from_utf8(json).map_err(|e| format!("header is not UTF-8: {e}"))?;
    if !text.starts_with('{') {
        return Err("header does not start with '{'".into());
    }
    let entries: Entries =
        serde_json::from_str(text.trim_end()).map_err(|e| format!("header is not JSON: {e}"))?;
    let mut h = Header::default();
    let mut ranges: Vec<(u64, u64)> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (name, v) in entries.0 {
        if !seen.insert(name.clone()) {
            h.problems.push(format!("duplicate tensor name {name:?}"));
            continue;
        }
        if name == "__metadata__" {
            if let Value::Object(m) = v {
                for (k, val) in m {
                    match val {
                        Value::String(s) => h.metadata.push((k, s)),
                        _ => h
                            .problems
                            .push(format!("__metadata__ value of {k:?} is not a string")),
                    }
                }
            }
            continue;
        }
        let dtype = v.get("dtype").and_then(Value::as_str).unwrap_or("");
        let Some(shape) = v.get("shape").and_then(Value::as_array) else {
            h.problems.push(format!("tensor {name:?} has no shape"));
            continue;
        };
        let mut elems: Option<u64> = Some(1);
        for d in shape {
            elems = elems.and_then(|e| d.as_u64().and_then(|d| e.checked_mul(d)));
        }
        let Some(elems) = elems else {
            h.problems.push(format!(
                "tensor {name:?} has an invalid or overflowing shape"
            ));
            continue;
        };
        h.tensors += 1;
        h.parameters = h.parameters.saturating_add(elems);
        *h.by_dtype.entry(dtype.to_string()).or_default() += elems;
        if h.names.len() < 1_000_000 {
            h.names.push(name.clone());
        }
        let offs = v.get("data_offsets").and_then(Value::as_array);
        let (b, e) = match offs.map(|o| {
            (
                o.first().and_then(Value::as_u64),
                o.get(1).and_then(Value::as_u64),
            )
        }) {
            Some((Some(b), Some(e))) if b <= e => (b, e),
            _ => {
                h.problems
                    .push(format!("tensor {name:?} has invalid data_offsets"));
                continue;
            }
        };
        match dtype_bits(dtype) {
            Some(bits) => {
                let need = elems.checked_mul(bits).map(|x| x.div_ceil(8));
                if need != Some(e - b) {
                    h.problems.push(format!(
                        "tensor {name:?}: {} bytes for {elems} {dtype} elements",
                        e - b
                    ));
                }
            }
            None => h
                .problems
                .push(format!("tensor {name:?} has unknown dtype {dtype:?}")),
        }
        ranges.push((b, e));
    }
    ranges.sort_unstable();
    let mut cursor = 0u64;
    for (b, e) in &ranges {
        if *b != cursor {
            h.problems.push(format!(
                "tensor data does not tile the buffer (gap or overlap at byte {cursor})"
            ));
            break;
        }
        cursor = *e;
    }
    if let Some(len) = data_len {
        if h.problems.is_empty() && cursor != len {
            h.problems.push(format!(
                "tensor data covers {cursor} bytes but the data buffer is {len} bytes"
            ));
        }
    }
    Ok(h)
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    // a header whose declared length is absurd is still a (broken) safetensors file: report
    // the length problem itself rather than "unknown content"
    let broken_header = input
        .head()
        .is_ok_and(|h| h.get(8) == Some(&b'{') && super::classify::classify(h).is_none());
    if !broken_header {
        if let Err(out) = super::gate(input, DETECTOR.id, |c| *c == Content::Safetensors) {
            return out;
        }
    }
    let mut out = DetectOutcome::default();
    let mut f = super::file_model(input, ctx, DETECTOR.id, "safetensors", &mut out);
    let header = read_header(input);
    match header {
        Err(e) => super::malformed(&mut out, input, DETECTOR.id, &f, &e),
        Ok((json, n)) => {
            let data_len = input.size.checked_sub(8 + n);
            match parse_header(&json, data_len) {
                Err(e) => super::malformed(&mut out, input, DETECTOR.id, &f, &e),
                Ok(h) => {
                    f = f
                        .prop("tensors", h.tensors)
                        .prop("parameters", h.parameters)
                        .prop("header-bytes", n);
                    let dtypes: Vec<String> =
                        h.by_dtype.iter().map(|(d, n)| format!("{d}:{n}")).collect();
                    f = f.prop("dtypes", dtypes);
                    for (k, v) in h.metadata.iter().take(MAX_META_PROPS) {
                        f = f.prop(&format!("meta.{k}"), super::short(v, 200));
                    }
                    if h.metadata.len() > MAX_META_PROPS {
                        f = f.prop("meta-entries", h.metadata.len());
                    }
                    if let Some(p) = h.problems.first() {
                        let why = if h.problems.len() > 1 {
                            format!("{p} (and {} more problems)", h.problems.len() - 1)
                        } else {
                            p.clone()
                        };
                        super::malformed(&mut out, input, DETECTOR.id, &f, &why);
                    }
                }
            }
        }
    }
    out.findings.push(f);
    out
}

/// The header bytes and their declared length, bounded before anything is allocated.
fn read_header(input: &FileInput) -> Result<(Vec<u8>, u64), String> {
    let mut r = super::source(input)?;
    let mut len = [0u8; 8];
    r.read_exact(&mut len)
        .map_err(|_| "file is shorter than the 8-byte header length".to_string())?;
    let n = u64::from_le_bytes(len);
    if n > MAX_HEADER {
        return Err(format!(
            "header length {n} exceeds the {MAX_HEADER}-byte limit"
        ));
    }
    if n.checked_add(8).is_none_or(|end| end > input.size) {
        return Err(format!(
            "header length {n} exceeds the file size {}",
            input.size
        ));
    }
    let mut buf = Vec::new();
    r.take(n)
        .read_to_end(&mut buf)
        .map_err(|e| format!("read error: {e}"))?;
    Ok((buf, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(json: &str, data: usize) -> Vec<u8> {
        let mut v = (json.len() as u64).to_le_bytes().to_vec();
        v.extend_from_slice(json.as_bytes());
        v.extend(std::iter::repeat_n(0u8, data));
        v
    }

    #[test]
    fn parses_counts_and_metadata() {
        let j = r#"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"b":{"dtype":"I64","shape":[],"data_offsets":[24,32]}}"#;
        let h = parse_header(j.as_bytes(), Some(32)).unwrap();
        assert_eq!((h.tensors, h.parameters), (2, 7));
        assert!(h.problems.is_empty(), "{:?}", h.problems);
        assert_eq!(h.metadata, vec![("format".into(), "pt".into())]);
        let out = detect(
            &FileInput::from_bytes("m.safetensors", file(j, 32)),
            &Context::default(),
        );
        assert!(!out.failed);
        assert_eq!(out.findings[0].properties["parameters"], 7);
    }

    #[test]
    fn hostile_headers() {
        // length near 2^64
        let mut v = u64::MAX.to_le_bytes().to_vec();
        v.extend_from_slice(b"{\"a\":1}");
        let out = detect(
            &FileInput::from_bytes("x.safetensors", v),
            &Context::default(),
        );
        assert!(out.failed && out.risks.iter().any(|r| r.rule == "AIBOM-MALFORMED"));
        // duplicate keys and bad offsets
        let j = r#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#;
        assert!(!parse_header(j.as_bytes(), Some(4))
            .unwrap()
            .problems
            .is_empty());
        let j = r#"{"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4]}}"#;
        assert!(!parse_header(j.as_bytes(), Some(4))
            .unwrap()
            .problems
            .is_empty());
        let j = r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#;
        assert!(!parse_header(j.as_bytes(), Some(4))
            .unwrap()
            .problems
            .is_empty());
        // a text file named .safetensors
        let out = detect(
            &FileInput::from_bytes("t.safetensors", b"hello\n".to_vec()),
            &Context::default(),
        );
        assert!(out.failed && out.risks[0].message.contains("text"));
        let out = detect(
            &FileInput::from_bytes("e.safetensors", Vec::new()),
            &Context::default(),
        );
        assert!(out.failed && out.risks[0].message.contains("empty"));
    }
}
