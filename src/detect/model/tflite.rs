//! TensorFlow Lite flatbuffers (`.tflite`, `.lite`).
//!
//! What it detects: the `TFL3` identifier, the schema version and the description string
//! of the root `Model` table, read through bounds-checked flatbuffer offsets.
//!
//! Files claimed: `.tflite .lite` outright; sniffed elsewhere by `TFL3` at offset 4.
//!
//! Evidence and confidence: `tflite-model`, high.
//!
//! Not handled: operator codes, subgraphs, tensors and the metadata flatbuffer (no parameter
//! count yet). Only the first 16 MiB are read.
//!
//! References: tensorflow `lite/schema/schema.fbs`; MODEL-FORMATS §10.

use super::super::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use super::classify::Content;

pub const DETECTOR: Detector = Detector {
    id: "tflite-model",
    family: "model",
    summary: "TensorFlow Lite: schema version and description",
    maturity: Maturity::Preview,
    scope: Scope::Repo,
    claim,
    sniff: Some(sniff),
    detect,
};

fn claim(c: &Candidate) -> Claim {
    super::claim_binary(c, &["tflite", "lite"])
}

fn sniff(head: &[u8]) -> bool {
    super::classify::classify(head) == Some(Content::Tflite)
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at.checked_add(4)?)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}
fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at.checked_add(2)?)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
}

/// The absolute position of field `id` of the table at `table`, if present.
fn field(b: &[u8], table: usize, id: usize) -> Option<usize> {
    let soff = u32_at(b, table)? as i32;
    let vt = (table as i64).checked_sub(i64::from(soff))?;
    let vt = usize::try_from(vt).ok()?;
    let vt_len = usize::from(u16_at(b, vt)?);
    let slot = 4 + 2 * id;
    if slot + 2 > vt_len {
        return None;
    }
    let off = usize::from(u16_at(b, vt + slot)?);
    (off != 0).then_some(table + off)
}

/// (version, description) of a TFLite model buffer.
pub fn parse(b: &[u8]) -> Option<(Option<u32>, Option<String>)> {
    let root = u32_at(b, 0)? as usize;
    // the root table must lie inside the buffer
    u32_at(b, root)?;
    let version = field(b, root, 0).and_then(|p| u32_at(b, p));
    let desc = field(b, root, 3).and_then(|p| {
        let s = p.checked_add(u32_at(b, p)? as usize)?;
        let len = u32_at(b, s)? as usize;
        let bytes = b.get(s + 4..s.checked_add(4)?.checked_add(len.min(4096))?)?;
        Some(String::from_utf8_lossy(bytes).into_owned())
    });
    Some((version, desc))
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    if let Err(out) = super::gate(input, DETECTOR.id, |c| *c == Content::Tflite) {
        return out;
    }
    let mut out = DetectOutcome::default();
    let mut f = super::file_model(input, ctx, DETECTOR.id, "tflite", &mut out);
    let data = super::read_prefix(input, 16 * 1024 * 1024).unwrap_or_default();
    match parse(&data) {
        Some((v, d)) => {
            if let Some(v) = v {
                f = f.prop("schema-version", v);
            }
            if let Some(d) = d.filter(|d| !d.is_empty()) {
                f = f.prop("description", super::short(&d, 200));
            }
        }
        None => super::malformed(
            &mut out,
            input,
            DETECTOR.id,
            &f,
            "root table offset out of bounds",
        ),
    }
    out.findings.push(f);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_offsets_do_not_panic() {
        let mut b = vec![0xff, 0xff, 0xff, 0x7f];
        b.extend_from_slice(b"TFL3");
        assert!(parse(&b).is_none());
        let out = detect(&FileInput::from_bytes("x.tflite", b), &Context::default());
        assert!(out.failed);
    }
}
