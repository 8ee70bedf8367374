//! NumPy `.npy` arrays and `.npz` archives of them.
//!
//! What it detects: dtype, shape and element count from the `.npy` header dict (parsed as a
//! literal, never evaluated); object arrays (`descr` with `O`), whose data is a pickle that
//! `np.load(allow_pickle=True)` runs: it is walked like any pickle. `.npz` members are read
//! through the bounded zip reader (headers only, whole member only for object arrays).
//!
//! Files claimed: `.npy` `.npz` outright; `.npy` content sniffed elsewhere.
//!
//! Evidence and confidence: `numpy-array`, high. Risks: `AIBOM-NUMPY-OBJECT-ARRAY` and the
//! pickle verdicts of the embedded pickle; archive risks for `.npz`.
//!
//! Not handled: structured dtypes are reported as written, their fields not expanded.
//!
//! References: numpy `lib/format.py`; MODEL-FORMATS §6.

use super::super::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use super::classify::Content;
use super::{pickle, pickle_verdict, zip};
use crate::bom::Finding;
use crate::risk::risk;

pub const DETECTOR: Detector = Detector {
    id: "numpy-array",
    family: "model",
    summary: "NumPy .npy/.npz: dtype, shape, object arrays (pickle inside) walked",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: Some(sniff),
    detect,
};

const MAX_HEADER: usize = 65_536;

fn claim(c: &Candidate) -> Claim {
    super::claim_binary(c, &["npy", "npz"])
}

fn sniff(head: &[u8]) -> bool {
    head.starts_with(b"\x93NUMPY")
}

/// The parsed `.npy` header.
#[derive(Debug, PartialEq)]
pub struct NpyHeader {
    pub descr: String,
    pub shape: Vec<u64>,
    /// Where the data (or the pickle of an object array) starts.
    pub data_offset: usize,
}

impl NpyHeader {
    pub fn is_object(&self) -> bool {
        self.descr.contains('O')
    }
}

/// Parse the magic, version, length and dict literal.
pub fn parse_header(b: &[u8]) -> Result<NpyHeader, String> {
    if !b.starts_with(b"\x93NUMPY") {
        return Err("no NumPy magic".into());
    }
    let major = *b.get(6).ok_or("truncated header")?;
    let (len, start): (usize, usize) = match major {
        1 => (
            usize::from(u16::from_le_bytes([
                *b.get(8).ok_or("truncated")?,
                *b.get(9).ok_or("truncated")?,
            ])),
            10,
        ),
        2 | 3 => {
            let l = b.get(8..12).ok_or("truncated header")?;
            (u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize, 12)
        }
        v => return Err(format!("unsupported .npy version {v}")),
    };
    if len > MAX_HEADER {
        return Err(format!("header length {len} exceeds the limit"));
    }
    let end = start.checked_add(len).ok_or("header length overflows")?;
    let text = b
        .get(start..end)
        .ok_or("header runs past the end of the data")?;
    let text = String::from_utf8_lossy(text);
    let descr = dict_str(&text, "descr")
        .or_else(|| dict_raw(&text, "descr").map(|s| s.chars().take(200).collect()))
        .ok_or("header has no descr")?;
    let shape_txt = dict_raw(&text, "shape").ok_or("header has no shape")?;
    let inner = shape_txt
        .trim()
        .strip_prefix('(')
        .and_then(|s| s.split(')').next())
        .ok_or("shape is not a tuple")?;
    let mut shape = Vec::new();
    for part in inner.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let p = part.trim_end_matches('L');
        shape.push(
            p.parse::<u64>()
                .map_err(|_| format!("bad shape entry {part:?}"))?,
        );
    }
    Ok(NpyHeader {
        descr,
        shape,
        data_offset: end,
    })
}

/// The text after `'key':` in a dict literal.
fn dict_raw<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let pat = format!("'{key}':");
    let i = text.find(&pat)?;
    text.get(i + pat.len()..)
}

/// A quoted string value of `key`.
fn dict_str(text: &str, key: &str) -> Option<String> {
    let v = dict_raw(text, key)?.trim_start();
    let q = v.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let rest = v.get(1..)?;
    rest.find(q).map(|e| rest[..e].to_string())
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let content = match super::gate(input, DETECTOR.id, |c| {
        matches!(c, Content::Npy | Content::Zip)
    }) {
        Ok(c) => c,
        Err(out) => return out,
    };
    if content == Content::Zip {
        return detect_npz(input, ctx);
    }
    let mut out = DetectOutcome::default();
    let mut f = super::file_model(input, ctx, DETECTOR.id, "npy", &mut out);
    let head = super::read_prefix(input, (MAX_HEADER + 16) as u64).unwrap_or_default();
    match parse_header(&head) {
        Ok(h) => {
            describe(&mut f, &h);
            if h.is_object() {
                let data = super::read_prefix(input, pickle::MAX_PICKLE).unwrap_or_default();
                let body = data.get(h.data_offset..).unwrap_or(&[]);
                object_array(&mut out, input, &mut f, body, "");
            }
        }
        Err(e) => super::malformed(&mut out, input, DETECTOR.id, &f, &e),
    }
    out.findings.push(f);
    out
}

fn describe(f: &mut Finding, h: &NpyHeader) {
    let elems = h.shape.iter().try_fold(1u64, |a, d| a.checked_mul(*d));
    f.properties.insert("dtype".into(), h.descr.clone().into());
    let shape: Vec<serde_json::Value> = h.shape.iter().map(|d| (*d).into()).collect();
    f.properties.insert("shape".into(), shape.into());
    if let Some(e) = elems {
        f.properties.insert("parameters".into(), e.into());
    }
}

fn object_array(
    out: &mut DetectOutcome,
    input: &FileInput,
    f: &mut Finding,
    body: &[u8],
    member: &str,
) {
    let place = if member.is_empty() {
        String::new()
    } else {
        format!(" (member {member})")
    };
    out.risks.push(risk(
        "AIBOM-NUMPY-OBJECT-ARRAY",
        Some(f.id()),
        format!("object array{place}: its data is a pickle that np.load(allow_pickle=True) runs"),
        &input.rel_path,
        None,
    ));
    let w = pickle::walk(body);
    pickle_verdict::apply(out, input, DETECTOR.id, f, &w, member);
    if let Some(e) = &w.error {
        super::malformed(
            out,
            input,
            DETECTOR.id,
            f,
            &format!("object-array pickle{place}: {e}"),
        );
    }
}

fn detect_npz(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let mut out = DetectOutcome::default();
    let mut f = super::file_model(input, ctx, DETECTOR.id, "npz", &mut out);
    let mut r = match super::source(input) {
        Ok(r) => r,
        Err(e) => return DetectOutcome::failure(input, DETECTOR.id, e),
    };
    let a = match zip::list(&mut r, input.size) {
        Ok(a) => a,
        Err(e) => {
            super::malformed(&mut out, input, DETECTOR.id, &f, &format!("zip: {e}"));
            out.findings.push(f);
            return out;
        }
    };
    zip::archive_risks(&a, &f.id(), &input.rel_path, &mut out.risks);
    let mut arrays = Vec::new();
    let mut total: u64 = 0;
    for e in a.entries.iter().take(10_000) {
        let m = match zip::read(&mut r, &a, e, (MAX_HEADER + 16) as u64) {
            Ok(m) => m,
            Err(err) => {
                out.warn(input, DETECTOR.id, err);
                continue;
            }
        };
        match parse_header(&m.data) {
            Ok(h) => {
                let elems = h
                    .shape
                    .iter()
                    .try_fold(1u64, |a, d| a.checked_mul(*d))
                    .unwrap_or(0);
                total = total.saturating_add(elems);
                arrays.push(format!("{}:{}", e.name, h.descr));
                if h.is_object() {
                    let whole = zip::read(&mut r, &a, e, pickle::MAX_PICKLE)
                        .map(|m| m.data)
                        .unwrap_or_default();
                    let body = whole.get(h.data_offset..).unwrap_or(&[]);
                    object_array(&mut out, input, &mut f, body, &e.name);
                }
            }
            Err(_) if super::classify::is_pickle_head(&m.data) => {
                // a pickle stored under any name is walked all the same
                let whole = zip::read(&mut r, &a, e, pickle::MAX_PICKLE)
                    .map(|m| m.data)
                    .unwrap_or_default();
                let w = pickle::walk(&whole);
                pickle_verdict::apply(&mut out, input, DETECTOR.id, &mut f, &w, &e.name);
            }
            Err(err) => out.warn(input, DETECTOR.id, format!("member {}: {err}", e.name)),
        }
    }
    arrays.truncate(64);
    f = f.prop("arrays", arrays).prop("parameters", total);
    out.findings.push(f);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header() {
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        let h = b"{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }          \n";
        b.extend_from_slice(&(h.len() as u16).to_le_bytes());
        b.extend_from_slice(h);
        let p = parse_header(&b).unwrap();
        assert_eq!(p.descr, "<f4");
        assert_eq!(p.shape, vec![3, 4]);
        assert!(!p.is_object());
        let mut b = b"\x93NUMPY\x02\x00".to_vec();
        b.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(parse_header(&b).is_err());
        assert!(parse_header(b"\x93NUMPY").is_err());
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        let h = b"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }\n";
        b.extend_from_slice(&(h.len() as u16).to_le_bytes());
        b.extend_from_slice(h);
        b.extend_from_slice(
            b"\x80\x03cbuiltins\nexec\nq\x00X\x01\x00\x00\x00xq\x01\x85q\x02Rq\x03.",
        );
        let out = detect(&FileInput::from_bytes("o.npy", b), &Context::default());
        assert!(out.risks.iter().any(|r| r.rule == "AIBOM-PICKLE-RCE"));
    }
}
