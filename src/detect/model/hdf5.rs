//! HDF5 files (`.h5`, `.hdf5`): the signature, and for Keras models the `model_config`
//! attribute found by a bounded byte scan.
//!
//! What it detects: the HDF5 superblock version; a Keras `model_config` JSON (fixed-length
//! attribute or global-heap string) located by scanning for `{"class_name"`, then walked like
//! a `.keras` config (Lambda layers, custom code);
//!
//! Files claimed: `.h5 .hdf5` outright; sniffed elsewhere by signature (at 0/512/1024/2048).
//!
//! Evidence and confidence: `hdf5-model`, high for the format, the Keras facts as found.
//! Risks: `AIBOM-KERAS-LAMBDA` (Keras < 3.11.3 ignored safe_mode for .h5, CVE-2025-9905),
//! `AIBOM-KERAS-CUSTOM-CODE`.
//!
//! Not handled: no HDF5 object traversal, so no dataset shapes and no parameter count; a
//! config split across fractal-heap blocks is not found. Only the first 32 MiB are scanned.
//!
//! References: HDF5 file format specification; MODEL-FORMATS §8.

use super::super::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use super::classify::Content;
use serde_json::Value;

pub const DETECTOR: Detector = Detector {
    id: "hdf5-model",
    family: "model",
    summary: "HDF5 / Keras .h5: signature, model_config Lambda and custom-code check",
    maturity: Maturity::Preview,
    scope: Scope::Repo,
    claim,
    sniff: Some(sniff),
    detect,
};

const SCAN: u64 = 32 * 1024 * 1024;

fn claim(c: &Candidate) -> Claim {
    if c.ext == "keras" {
        return Claim::No;
    }
    super::claim_binary(c, &["h5", "hdf5"])
}

fn sniff(head: &[u8]) -> bool {
    super::classify::classify(head) == Some(Content::Hdf5)
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    if let Err(out) = super::gate(input, DETECTOR.id, |c| *c == Content::Hdf5) {
        return out;
    }
    detect_as(input, ctx, DETECTOR.id)
}

/// Read an HDF5 file (also used for Keras-2 files named `.keras`).
pub fn detect_as(input: &FileInput, ctx: &Context, detector: &str) -> DetectOutcome {
    let mut out = DetectOutcome::default();
    let mut f = super::file_model(input, ctx, detector, "hdf5", &mut out);
    let data = match super::read_prefix(input, SCAN) {
        Ok(d) => d,
        Err(e) => return DetectOutcome::failure(input, detector, e),
    };
    let sig = memchr::memmem::find(&data, b"\x89HDF\r\n\x1a\n");
    if let Some(v) = sig.and_then(|s| data.get(s + 8)) {
        f = f.prop("hdf5-superblock", u64::from(*v));
    }
    if let Some(cfg) = find_config(&data) {
        f.properties.insert("format".into(), "keras-h5".into());
        let c = super::keras::walk_config(&cfg);
        super::keras::apply(&mut out, &input.rel_path, &mut f, &c);
    }
    out.findings.push(f);
    out
}

/// The first `{"class_name"…}` JSON value in the bytes that parses and looks like a model.
fn find_config(data: &[u8]) -> Option<Value> {
    for start in memchr::memmem::find_iter(data, b"{\"class_name\"").take(64) {
        let rest = data.get(start..)?;
        let mut it = serde_json::Deserializer::from_slice(rest).into_iter::<Value>();
        if let Some(Ok(v)) = it.next() {
            if v.get("config").is_some() {
                return Some(v);
            }
        }
    }
    None
}
