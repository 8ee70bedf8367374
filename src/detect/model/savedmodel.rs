//! TensorFlow SavedModel (`saved_model.pb`): the graph is a program, so its ops are listed.
//!
//! What it detects: the `SavedModel` protobuf: tags and TensorFlow version of each meta graph,
//! signature names, and the op histogram over `graph_def.node` and every function of the
//! function library (where TF2 keeps almost everything). Ops that touch the file system or call
//! back into Python (`ReadFile`, `WriteFile`, `MatchingFiles`, `DeleteFile`, `ImmutableConst`,
//! `PyFunc`, `EagerPyFunc`, `PyFuncStateless`) raise `AIBOM-TF-GRAPH-FILE-IO` (high), named.
//!
//! Files claimed: `saved_model.pb` by name (the directory is the model).
//!
//! Evidence and confidence: `tf-savedmodel`, binary header, high.
//!
//! Not handled: `saved_model.pbtxt` (text format), parameter counts from the object graph or
//! `variables.index`, `keras_metadata.pb` Lambda layers, and `SaveV2`/`RestoreV2`, which every
//! SavedModel carries for its own variables and so say nothing on their own.
//!
//! References: tensorflow `core/protobuf/saved_model.proto`, `meta_graph.proto`,
//! `framework/graph.proto`, `framework/function.proto`; MODEL-FORMATS §9.

use super::super::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use super::onnx::{Pb, Wire};
use crate::risk::risk;
use std::collections::BTreeMap;
use std::io::Cursor;

pub const DETECTOR: Detector = Detector {
    id: "tf-savedmodel",
    family: "model",
    summary: "TensorFlow SavedModel: tags, TF version, signatures, op histogram, file-I/O ops",
    maturity: Maturity::Preview,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

/// Graph ops that read, write or map files, or run Python, when the graph is executed.
const HOST_OPS: &[&str] = &[
    "DeleteFile",
    "EagerPyFunc",
    "ImmutableConst",
    "MatchingFiles",
    "PyFunc",
    "PyFuncStateless",
    "ReadFile",
    "WriteFile",
];

/// The largest graph read: bigger protobufs hold frozen weights, not more ops worth a look.
const MAX_PB_BYTES: u64 = 64 * 1024 * 1024;
/// Distinct op names kept; a real graph has a few hundred.
const MAX_OPS: usize = 4096;

fn claim(c: &Candidate) -> Claim {
    if !c.cloud && c.name_lower == "saved_model.pb" {
        Claim::Yes
    } else {
        Claim::No
    }
}

/// What a SavedModel says about itself.
#[derive(Debug, Default, PartialEq)]
pub struct SavedModel {
    pub tags: Vec<String>,
    pub tensorflow_version: Option<String>,
    pub signatures: Vec<String>,
    /// op name → how many nodes use it
    pub ops: BTreeMap<String, u64>,
}

/// Parse a SavedModel protobuf; a broken message keeps what was read before the break.
pub fn parse(bytes: &[u8]) -> (SavedModel, Option<String>) {
    let mut cur = Cursor::new(bytes);
    let mut pb = Pb {
        r: &mut cur,
        pos: 0,
    };
    let mut m = SavedModel::default();
    let err = saved_model(&mut pb, bytes.len() as u64, &mut m).err();
    m.tags.sort();
    m.tags.dedup();
    m.signatures.sort();
    m.signatures.dedup();
    (m, err)
}

fn saved_model(pb: &mut Pb, end: u64, m: &mut SavedModel) -> Result<(), String> {
    while let Some((field, w)) = pb.next(end)? {
        match (field, w) {
            (2, Wire::Len(len)) => {
                let e = pb.pos + len;
                meta_graph(pb, e, m)?;
            }
            (_, Wire::Len(len)) => pb.skip(len, end)?,
            _ => {}
        }
    }
    Ok(())
}

fn meta_graph(pb: &mut Pb, end: u64, m: &mut SavedModel) -> Result<(), String> {
    while let Some((field, w)) = pb.next(end)? {
        let Wire::Len(len) = w else { continue };
        let e = pb.pos + len;
        match field {
            1 => meta_info(pb, e, m)?,
            2 => graph_def(pb, e, m)?,
            5 => {
                // map<string, SignatureDef> entry: 1 key
                while let Some((f, w)) = pb.next(e)? {
                    match (f, w) {
                        (1, Wire::Len(l)) => {
                            let key = pb.string(l, 256, e)?;
                            if !key.is_empty() && m.signatures.len() < 256 {
                                m.signatures.push(key);
                            }
                        }
                        (_, Wire::Len(l)) => pb.skip(l, e)?,
                        _ => {}
                    }
                }
            }
            _ => pb.skip(len, end)?,
        }
    }
    Ok(())
}

fn meta_info(pb: &mut Pb, end: u64, m: &mut SavedModel) -> Result<(), String> {
    while let Some((field, w)) = pb.next(end)? {
        let Wire::Len(len) = w else { continue };
        match field {
            4 => {
                let tag = pb.string(len, 256, end)?;
                if !tag.is_empty() && m.tags.len() < 64 {
                    m.tags.push(tag);
                }
            }
            5 => {
                let v = pb.string(len, 64, end)?;
                if !v.is_empty() {
                    m.tensorflow_version = Some(v);
                }
            }
            _ => pb.skip(len, end)?,
        }
    }
    Ok(())
}

fn graph_def(pb: &mut Pb, end: u64, m: &mut SavedModel) -> Result<(), String> {
    while let Some((field, w)) = pb.next(end)? {
        let Wire::Len(len) = w else { continue };
        let e = pb.pos + len;
        match field {
            1 => node_def(pb, e, m)?,
            2 => {
                // FunctionDefLibrary: 1 function → FunctionDef: 3 node_def
                while let Some((f, w)) = pb.next(e)? {
                    let Wire::Len(l) = w else { continue };
                    let fe = pb.pos + l;
                    if f != 1 {
                        pb.skip(l, e)?;
                        continue;
                    }
                    while let Some((ff, w)) = pb.next(fe)? {
                        let Wire::Len(ll) = w else { continue };
                        if ff == 3 {
                            let ne = pb.pos + ll;
                            node_def(pb, ne, m)?;
                        } else {
                            pb.skip(ll, fe)?;
                        }
                    }
                }
            }
            _ => pb.skip(len, end)?,
        }
    }
    Ok(())
}

fn node_def(pb: &mut Pb, end: u64, m: &mut SavedModel) -> Result<(), String> {
    while let Some((field, w)) = pb.next(end)? {
        let Wire::Len(len) = w else { continue };
        if field == 2 {
            let op = pb.string(len, 128, end)?;
            if !op.is_empty() && (m.ops.len() < MAX_OPS || m.ops.contains_key(&op)) {
                *m.ops.entry(op).or_default() += 1;
            }
        } else {
            pb.skip(len, end)?;
        }
    }
    Ok(())
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let mut out = DetectOutcome::default();
    let mut f = super::file_model(input, ctx, DETECTOR.id, "tensorflow-savedmodel", &mut out);
    // the directory is what people call the model
    if let Some(dir) = input.rel_path.rsplit('/').nth(1) {
        f.name = dir.to_string();
    }
    let bytes = match super::read_prefix(input, MAX_PB_BYTES) {
        Ok(b) => b,
        Err(e) => {
            out.warn(input, DETECTOR.id, e);
            out.failed = true;
            out.findings.push(f);
            return out;
        }
    };
    let (m, err) = parse(&bytes);
    if !m.tags.is_empty() {
        f = f.prop("tags", m.tags.clone());
    }
    if let Some(v) = &m.tensorflow_version {
        f = f.prop("tensorflow-version", v.as_str());
    }
    if !m.signatures.is_empty() {
        f = f.prop("signatures", m.signatures.clone());
    }
    f = f.prop("op-types", m.ops.len() as u64);
    let host: Vec<&str> = HOST_OPS
        .iter()
        .copied()
        .filter(|op| m.ops.contains_key(*op))
        .collect();
    if !host.is_empty() {
        f = f.prop("host-ops", host.clone());
        out.risks.push(risk(
            "AIBOM-TF-GRAPH-FILE-IO",
            Some(f.id()),
            format!(
                "SavedModel graph uses {}: running the model can read, write or map files or call Python",
                host.join(", ")
            ),
            &input.rel_path,
            None,
        ));
    }
    if let Some(e) = err {
        if m.ops.is_empty() && m.tags.is_empty() {
            super::malformed(
                &mut out,
                input,
                DETECTOR.id,
                &f,
                &format!("not a SavedModel protobuf: {e}"),
            );
        } else {
            out.warn(
                input,
                DETECTOR.id,
                format!("SavedModel protobuf broken after what was read: {e}"),
            );
        }
    }
    out.findings.push(f);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }
    fn field(n: u64, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        varint(n << 3 | 2, &mut out);
        varint(payload.len() as u64, &mut out);
        out.extend_from_slice(payload);
        out
    }
    fn node(name: &str, op: &str) -> Vec<u8> {
        [field(1, name.as_bytes()), field(2, op.as_bytes())].concat()
    }

    /// A SavedModel with a `WriteFile` hidden in the function library, as TF2 writes them.
    pub fn hostile_saved_model() -> Vec<u8> {
        let meta_info = [field(4, b"serve"), field(5, b"2.16.1")].concat();
        let function = field(3, &node("w", "WriteFile"));
        let library = field(1, &function);
        let graph = [
            field(1, &node("x", "Placeholder")),
            field(1, &node("save/SaveV2", "SaveV2")),
            field(2, &library),
        ]
        .concat();
        let signature = field(1, b"serving_default");
        let meta = [field(1, &meta_info), field(2, &graph), field(5, &signature)].concat();
        let mut doc = vec![0x08, 0x01];
        doc.extend(field(2, &meta));
        doc
    }

    #[test]
    fn reads_tags_version_signatures_and_ops_in_functions() {
        let (m, err) = parse(&hostile_saved_model());
        assert_eq!(err, None);
        assert_eq!(m.tags, ["serve"]);
        assert_eq!(m.tensorflow_version.as_deref(), Some("2.16.1"));
        assert_eq!(m.signatures, ["serving_default"]);
        assert_eq!(m.ops.get("WriteFile"), Some(&1));
        let out = detect(
            &FileInput::from_bytes("exported/saved_model.pb", hostile_saved_model()),
            &Context::default(),
        );
        assert_eq!(out.risks.len(), 1);
        assert!(out.risks[0].message.contains("WriteFile"));
        assert_eq!(out.findings[0].name, "exported");
    }

    #[test]
    fn benign_graph_has_no_risk_and_garbage_is_malformed() {
        let graph = field(1, &node("x", "MatMul"));
        let meta = field(2, &graph);
        let doc = field(2, &meta);
        let out = detect(
            &FileInput::from_bytes("m/saved_model.pb", doc),
            &Context::default(),
        );
        assert!(out.risks.is_empty() && !out.failed);
        let junk = detect(
            &FileInput::from_bytes("m/saved_model.pb", vec![0xff; 64]),
            &Context::default(),
        );
        assert!(junk.failed);
        assert_eq!(junk.risks[0].rule, "AIBOM-MALFORMED");
        // a length that runs past the message is an error, not an allocation
        let (_, err) = parse(&[0x12, 0xff, 0xff, 0xff, 0xff, 0x0f]);
        assert!(err.is_some());
    }
}
