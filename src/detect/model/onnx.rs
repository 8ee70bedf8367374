//! ONNX models: a `ModelProto` read with a small protobuf wire reader (no schema compiled in).
//!
//! What it detects: `ir_version`, opset imports, producer name/version, domain,
//! model_version, graph name, metadata_props, the parameter count (Σ Π dims over graph
//! initializers, not subgraphs), the op-type count, non-standard operator domains, and tensors
//! kept in external files, whose locations must stay inside the model's directory.
//!
//! Files claimed: `.onnx` outright; sniffed (protobuf shape with a graph or opsets) among
//! ambiguous and extensionless files.
//!
//! Evidence and confidence: `onnx-model`, high. Risks: `AIBOM-ONNX-EXTERNAL-DATA` for an
//! external-data location that is absolute or contains `..` (CVE-2022-25882,
//! CVE-2024-27318); `AIBOM-MALFORMED`.
//!
//! Not handled: subgraph initializers (If/Loop bodies) and model-local functions are not
//! counted. Tensor bytes are skipped by seeking, never read. Nesting is capped at 16.
//!
//! References: `onnx/onnx.proto`; <https://protobuf.dev/programming-guides/encoding/>.

use super::super::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use super::classify::Content;
use super::ReadSeek;
use crate::risk::risk;
use std::io::{Read, SeekFrom};

pub const DETECTOR: Detector = Detector {
    id: "onnx-model",
    family: "model",
    summary: "ONNX: ir/opset versions, producer, metadata_props, parameters, external-data paths",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: Some(sniff),
    detect,
};

fn claim(c: &Candidate) -> Claim {
    if c.ext == "mlmodel" {
        return Claim::No;
    }
    super::claim_binary(c, &["onnx"])
}

fn sniff(head: &[u8]) -> bool {
    super::classify::classify(head) == Some(Content::Onnx)
}

/// A protobuf field as the reader meets it.
pub enum Wire {
    Varint(u64),
    /// A length-delimited payload of this many bytes; the reader sits at its start.
    Len(u64),
    Fixed,
}

/// A protobuf reader over a seekable source, bounded by message ends.
pub struct Pb<'a> {
    pub r: &'a mut dyn ReadSeek,
    pub pos: u64,
}

impl Pb<'_> {
    fn byte(&mut self) -> Result<u8, String> {
        let mut b = [0u8; 1];
        self.r
            .read_exact(&mut b)
            .map_err(|_| format!("truncated at byte {}", self.pos))?;
        self.pos += 1;
        Ok(b[0])
    }
    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for i in 0..10 {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(format!("varint too long at byte {}", self.pos))
    }
    /// The next field before `end`, or `None` at the end of the message.
    pub fn next(&mut self, end: u64) -> Result<Option<(u64, Wire)>, String> {
        if self.pos >= end {
            return Ok(None);
        }
        let tag = self.varint()?;
        let field = tag >> 3;
        let w = match tag & 7 {
            0 => Wire::Varint(self.varint()?),
            1 => {
                self.skip(8, end)?;
                Wire::Fixed
            }
            5 => {
                self.skip(4, end)?;
                Wire::Fixed
            }
            2 => {
                let len = self.varint()?;
                if self.pos.checked_add(len).is_none_or(|e| e > end) {
                    return Err(format!(
                        "field {field} length {len} runs past its message at byte {}",
                        self.pos
                    ));
                }
                Wire::Len(len)
            }
            t => return Err(format!("unsupported wire type {t} at byte {}", self.pos)),
        };
        Ok(Some((field, w)))
    }
    pub fn skip(&mut self, n: u64, end: u64) -> Result<(), String> {
        let to = self
            .pos
            .checked_add(n)
            .filter(|t| *t <= end)
            .ok_or("skip past the message end")?;
        self.r
            .seek(SeekFrom::Start(to))
            .map_err(|e| e.to_string())?;
        self.pos = to;
        Ok(())
    }
    /// A string payload, kept up to `keep` bytes.
    pub fn string(&mut self, len: u64, keep: u64, end: u64) -> Result<String, String> {
        if len > keep {
            self.skip(len, end)?;
            return Ok(String::new());
        }
        let mut b = Vec::new();
        (&mut self.r)
            .take(len)
            .read_to_end(&mut b)
            .map_err(|e| e.to_string())?;
        if b.len() as u64 != len {
            return Err("truncated string".into());
        }
        self.pos += len;
        Ok(String::from_utf8_lossy(&b).into_owned())
    }
}

/// What the model says.
#[derive(Debug, Default)]
pub struct Onnx {
    pub ir_version: Option<u64>,
    pub producer: String,
    pub producer_version: String,
    pub domain: String,
    pub model_version: Option<u64>,
    pub graph_name: String,
    pub opsets: Vec<(String, u64)>,
    pub metadata: Vec<(String, String)>,
    pub parameters: u64,
    pub initializers: u64,
    pub nodes: u64,
    pub op_domains: Vec<String>,
    pub external: Vec<String>,
}

fn pairs(pb: &mut Pb, end: u64) -> Result<(String, String), String> {
    let (mut k, mut v) = (String::new(), String::new());
    while let Some((f, w)) = pb.next(end)? {
        match (f, w) {
            (1, Wire::Len(l)) => k = pb.string(l, 4096, end)?,
            (2, Wire::Len(l)) => v = pb.string(l, 4096, end)?,
            (_, Wire::Len(l)) => pb.skip(l, end)?,
            _ => {}
        }
    }
    Ok((k, v))
}

/// Parse a ModelProto of `size` bytes: what was read, and why reading stopped early.
pub fn parse(r: &mut dyn ReadSeek, size: u64) -> (Onnx, Option<String>) {
    let mut m = Onnx::default();
    let mut pb = Pb { r, pos: 0 };
    let err = model(&mut pb, size, &mut m).err();
    (m, err)
}

fn model(pb: &mut Pb, end: u64, m: &mut Onnx) -> Result<(), String> {
    while let Some((f, w)) = pb.next(end)? {
        match (f, w) {
            (1, Wire::Varint(v)) => m.ir_version = Some(v),
            (5, Wire::Varint(v)) => m.model_version = Some(v),
            (2, Wire::Len(l)) => m.producer = pb.string(l, 1024, end)?,
            (3, Wire::Len(l)) => m.producer_version = pb.string(l, 1024, end)?,
            (4, Wire::Len(l)) => m.domain = pb.string(l, 1024, end)?,
            (7, Wire::Len(l)) => {
                let e = pb.pos + l;
                graph(pb, e, m)?;
            }
            (8, Wire::Len(l)) => {
                let e = pb.pos + l;
                let (mut d, mut v) = (String::new(), 0);
                while let Some((f, w)) = pb.next(e)? {
                    match (f, w) {
                        (1, Wire::Len(l)) => d = pb.string(l, 1024, e)?,
                        (2, Wire::Varint(x)) => v = x,
                        (_, Wire::Len(l)) => pb.skip(l, e)?,
                        _ => {}
                    }
                }
                m.opsets
                    .push((if d.is_empty() { "ai.onnx".into() } else { d }, v));
            }
            (14, Wire::Len(l)) => {
                let e = pb.pos + l;
                let kv = pairs(pb, e)?;
                if m.metadata.len() < 64 {
                    m.metadata.push(kv);
                }
            }
            (_, Wire::Len(l)) => pb.skip(l, end)?,
            _ => {}
        }
    }
    Ok(())
}

fn graph(pb: &mut Pb, end: u64, m: &mut Onnx) -> Result<(), String> {
    while let Some((f, w)) = pb.next(end)? {
        match (f, w) {
            (2, Wire::Len(l)) => m.graph_name = pb.string(l, 1024, end)?,
            (1, Wire::Len(l)) => {
                m.nodes += 1;
                let e = pb.pos + l;
                while let Some((f, w)) = pb.next(e)? {
                    match (f, w) {
                        (7, Wire::Len(l)) => {
                            let d = pb.string(l, 256, e)?;
                            if !d.is_empty()
                                && d != "ai.onnx"
                                && !m.op_domains.contains(&d)
                                && m.op_domains.len() < 32
                            {
                                m.op_domains.push(d);
                            }
                        }
                        (_, Wire::Len(l)) => pb.skip(l, e)?,
                        _ => {}
                    }
                }
            }
            (5, Wire::Len(l)) => {
                let e = pb.pos + l;
                tensor(pb, e, m)?;
            }
            (_, Wire::Len(l)) => pb.skip(l, end)?,
            _ => {}
        }
    }
    Ok(())
}

fn tensor(pb: &mut Pb, end: u64, m: &mut Onnx) -> Result<(), String> {
    let mut elems: u64 = 1;
    while let Some((f, w)) = pb.next(end)? {
        match (f, w) {
            (1, Wire::Varint(d)) => elems = elems.saturating_mul(d),
            (1, Wire::Len(l)) => {
                // packed dims
                let e = pb.pos + l;
                while pb.pos < e {
                    elems = elems.saturating_mul(pb.varint()?);
                }
            }
            (13, Wire::Len(l)) => {
                let e = pb.pos + l;
                let (k, v) = pairs(pb, e)?;
                if k == "location" && m.external.len() < 1000 && !m.external.contains(&v) {
                    m.external.push(v);
                }
            }
            (_, Wire::Len(l)) => pb.skip(l, end)?,
            _ => {}
        }
    }
    m.initializers += 1;
    m.parameters = m.parameters.saturating_add(elems);
    Ok(())
}

/// An external-data location that escapes the model's directory.
pub fn escapes(loc: &str) -> bool {
    super::zip::escapes_root(loc)
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    if let Err(out) = super::gate(input, DETECTOR.id, |c| *c == Content::Onnx) {
        return out;
    }
    let mut out = DetectOutcome::default();
    let mut f = super::file_model(input, ctx, DETECTOR.id, "onnx", &mut out);
    let (m, err) = match super::source(input) {
        Ok(mut r) => parse(&mut r, input.size),
        Err(e) => (Onnx::default(), Some(e)),
    };
    if let Some(v) = m.ir_version {
        f = f.prop("ir-version", v);
    }
    if let Some(v) = m.model_version {
        f = f.prop("model-version", v);
    }
    for (k, v) in [
        ("producer", &m.producer),
        ("producer-version", &m.producer_version),
        ("domain", &m.domain),
        ("graph-name", &m.graph_name),
    ] {
        if !v.is_empty() {
            f = f.prop(k, super::short(v, 200));
        }
    }
    let opsets: Vec<String> = m.opsets.iter().map(|(d, v)| format!("{d}:{v}")).collect();
    if !opsets.is_empty() {
        f = f.prop("opsets", opsets);
    }
    for (k, v) in &m.metadata {
        f = f.prop(
            &format!("meta.{}", super::short(k, 64)),
            super::short(v, 200),
        );
        if k.eq_ignore_ascii_case("license") && !v.is_empty() {
            f.licenses.push(super::licenses::to_spdx(v));
        }
    }
    f = f
        .prop("parameters", m.parameters)
        .prop("initializers", m.initializers)
        .prop("nodes", m.nodes);
    if !m.op_domains.is_empty() {
        f = f.prop("custom-op-domains", m.op_domains.clone());
    }
    if !m.external.is_empty() {
        f = f.prop("external-data", m.external.clone());
        let bad: Vec<&str> = m
            .external
            .iter()
            .filter(|l| escapes(l))
            .map(String::as_str)
            .collect();
        if !bad.is_empty() {
            out.risks.push(risk(
                "AIBOM-ONNX-EXTERNAL-DATA",
                Some(f.id()),
                format!(
                    "external-data location escapes the model directory: {}",
                    bad.join(", ")
                ),
                &input.rel_path,
                None,
            ));
        }
    }
    if let Some(e) = err {
        super::malformed(&mut out, input, DETECTOR.id, &f, &e);
    }
    out.findings.push(f);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(field: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![(field << 3) | 2, body.len() as u8];
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn model_fields() {
        let mut init = vec![0x08, 0x02, 0x08, 0x03]; // dims 2, 3
        init.extend(ld(
            13,
            &[ld(1, b"location"), ld(2, b"../../etc/passwd")].concat(),
        ));
        let graph = [ld(2, b"g"), ld(5, &init)].concat();
        let mut b = vec![0x08, 0x08];
        b.extend(ld(2, b"pytorch"));
        b.extend(ld(7, &graph));
        b.extend(ld(8, &[0x10, 0x11]));
        b.extend(ld(14, &[ld(1, b"author"), ld(2, b"me")].concat()));
        let (m, err) = parse(&mut std::io::Cursor::new(b.as_slice()), b.len() as u64);
        assert_eq!(err, None);
        assert_eq!(m.ir_version, Some(8));
        assert_eq!(m.parameters, 6);
        assert_eq!(m.opsets, vec![("ai.onnx".to_string(), 17)]);
        let out = detect(&FileInput::from_bytes("m.onnx", b), &Context::default());
        assert!(out
            .risks
            .iter()
            .any(|r| r.rule == "AIBOM-ONNX-EXTERNAL-DATA"));
    }

    #[test]
    fn hostile() {
        // graph field claiming 2^40 bytes
        let b = [0x08, 0x08, 0x3a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20];
        assert!(parse(&mut std::io::Cursor::new(&b[..]), b.len() as u64)
            .1
            .is_some());
        let b = [0x08, 0x08, 0x0b];
        assert!(parse(&mut std::io::Cursor::new(&b[..]), b.len() as u64)
            .1
            .is_some());
    }
}
