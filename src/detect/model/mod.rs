//! The `model` detector family: model artifacts on disk, recognised by content, read
//! header-only, hashed by streaming, and checked for serialization that runs code on load.
//!
//! Every binary detector claims its own extensions outright and *sniffs* every other
//! model-ish or extensionless file, so the content decides the format: a GGUF renamed
//! `.model` is read as GGUF, a pickle renamed `.gguf` is still walked, and a file whose
//! extension promises a format it does not contain is reported as `AIBOM-MALFORMED`.
//! Directory layouts (Hugging Face, diffusers, sentence-transformers, PEFT, MLflow) are folded
//! into one model per directory by [`model_dir::fold_model_dirs`].

pub mod classify;
pub mod coreml;
pub mod gguf;
pub mod hash;
pub mod hdf5;
pub mod hf_config;
pub mod keras;
pub mod lfs;
pub mod licenses;
pub mod llamafile;
pub mod model_dir;
pub mod modelfile;
pub mod numpy;
pub mod onnx;
pub mod pickle;
pub mod pickle_verdict;
pub mod pickle_walk;
pub mod pytorch;
pub mod safetensors;
pub mod savedmodel;
pub mod tflite;
pub mod zip;

use super::{Candidate, Claim, Context, DetectOutcome, Detector, FileInput, PostPass};
use crate::bom::{ComponentKind, Confidence, Evidence, Finding, Hash, Method};
use crate::risk::risk;
use classify::Content;
use std::io::{BufReader, Cursor, Read, Seek};

/// This family's detectors (the registry sorts them by id).
pub const DETECTORS: &[Detector] = &[
    coreml::DETECTOR,
    gguf::DETECTOR,
    hdf5::DETECTOR,
    hf_config::DETECTOR,
    keras::DETECTOR,
    lfs::DETECTOR,
    llamafile::DETECTOR,
    modelfile::DETECTOR,
    numpy::DETECTOR,
    onnx::DETECTOR,
    pickle::DETECTOR,
    pytorch::DETECTOR,
    safetensors::DETECTOR,
    savedmodel::DETECTOR,
    tflite::DETECTOR,
];

/// This family's cross-file passes.
pub const POST_PASSES: &[PostPass] = &[PostPass {
    wants: model_dir::wants,
    run: model_dir::fold_model_dirs,
}];

/// Extensions some model detector claims outright; every model detector sniffs the others'.
pub const MODEL_EXTENSIONS: &[&str] = &[
    "bin",
    "ckpt",
    "dill",
    "gguf",
    "h5",
    "hdf5",
    "joblib",
    "keras",
    "lite",
    "llamafile",
    "mlmodel",
    "model",
    "npy",
    "npz",
    "onnx",
    "pickle",
    "pkl",
    "pt",
    "pth",
    "ptl",
    "safetensors",
    "sav",
    "tflite",
];

/// Extensions that say nothing reliable about the content, so the content is sniffed.
const AMBIGUOUS_EXTENSIONS: &[&str] = &[
    "dat", "data", "ggml", "mdl", "params", "pb", "weights", "zip",
];

/// The claim shared by the binary detectors: `Yes` for `own` extensions, `Sniff` for every
/// other model extension, ambiguous extension or no extension, `No` for everything else
/// (source files, documents, images are never opened).
pub fn claim_binary(c: &Candidate, own: &[&str]) -> Claim {
    if c.cloud {
        return Claim::No;
    }
    if own.contains(&c.ext) {
        return Claim::Yes;
    }
    if c.ext.is_empty()
        || MODEL_EXTENSIONS.contains(&c.ext)
        || AMBIGUOUS_EXTENSIONS.contains(&c.ext)
        || looks_like_shard_suffix(c.ext)
    {
        return Claim::Sniff;
    }
    Claim::No
}

/// `model.bin.part3`, `x.00001`: split downloads keep the real extension in the middle.
fn looks_like_shard_suffix(ext: &str) -> bool {
    !ext.is_empty() && ext.bytes().all(|b| b.is_ascii_digit())
}

/// The format an extension promises, for mismatch reports.
pub fn promised_format(ext: &str) -> Option<&'static str> {
    Some(match ext {
        "safetensors" => "safetensors",
        "gguf" => "gguf",
        "onnx" => "onnx",
        "pt" | "pth" | "ckpt" | "ptl" => "pytorch",
        "pkl" | "pickle" | "joblib" | "dill" | "sav" => "pickle",
        "npy" => "npy",
        "npz" => "npz",
        "keras" => "keras",
        "h5" | "hdf5" => "hdf5",
        "tflite" | "lite" => "tflite",
        "mlmodel" => "coreml",
        "llamafile" => "llamafile",
        _ => return None,
    })
}

/// The lowercased extension of a path's file name ("" when none).
pub fn ext_of(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path).to_lowercase();
    match name.rsplit_once('.') {
        Some((stem, e)) if !stem.is_empty() => e.to_string(),
        _ => String::new(),
    }
}

/// What a binary detector does before parsing a file it claimed: read the head, and step
/// aside (or report a mismatch) when the content belongs to another detector.
///
/// Returns `Err(outcome)` when this detector is done with the file, `Ok(content)` to go on.
pub fn gate(
    input: &FileInput,
    detector: &str,
    accepts: fn(&Content) -> bool,
) -> Result<Content, DetectOutcome> {
    let head = match input.head() {
        Ok(h) => h,
        Err(e) => return Err(DetectOutcome::failure(input, detector, e)),
    };
    let content = classify::classify(head);
    match content {
        Some(c) if accepts(&c) => Ok(c),
        // a Git LFS pointer is reported by the lfs detector, never as a broken model
        Some(Content::LfsPointer) => Err(DetectOutcome::default()),
        other => {
            let ext = ext_of(&input.rel_path);
            let promised = promised_format(&ext).unwrap_or("a model format");
            let found = match &other {
                Some(c) => format!("the content is {}", c.describe()),
                None if input.size == 0 => "the file is empty".to_string(),
                None if classify::is_mostly_text(head) => {
                    "the content is text, not a model".to_string()
                }
                None => "the content matches no known model format".to_string(),
            };
            Err(mismatch(input, detector, promised, &ext, &found))
        }
    }
}

/// An `AIBOM-MALFORMED` risk plus a warning for a file whose extension lies.
fn mismatch(
    input: &FileInput,
    detector: &str,
    promised: &str,
    ext: &str,
    found: &str,
) -> DetectOutcome {
    let reason = format!("extension .{ext} promises {promised} but {found}");
    let mut out = DetectOutcome::failure(input, detector, reason.clone());
    out.risks
        .push(risk("AIBOM-MALFORMED", None, reason, &input.rel_path, None));
    out
}

/// A model file that failed to parse: warning, `failed`, and an `AIBOM-MALFORMED` risk on
/// the component (which is still reported with whatever was read before the failure).
pub fn malformed(
    out: &mut DetectOutcome,
    input: &FileInput,
    detector: &str,
    f: &Finding,
    why: &str,
) {
    out.warn(input, detector, why.to_string());
    out.failed = true;
    out.risks.push(risk(
        "AIBOM-MALFORMED",
        Some(f.id()),
        format!(
            "{}: {why}",
            f.properties
                .get("format")
                .and_then(|v| v.as_str())
                .unwrap_or("model")
        ),
        &input.rel_path,
        None,
    ));
}

/// The component for one model file: named after the file, identified by its sha256 when
/// hashing is on (so copies merge) and by its path otherwise.
pub fn file_model(
    input: &FileInput,
    ctx: &Context,
    detector: &str,
    format: &str,
    out: &mut DetectOutcome,
) -> Finding {
    let evidence = Evidence::new(
        &input.rel_path,
        None,
        detector,
        Method::BinaryHeader,
        Confidence::High,
    );
    let mut f = Finding::new(ComponentKind::Model, input.file_name.clone(), evidence)
        .prop("format", format)
        .prop("size", input.size)
        .prop("source", "file");
    let ext = ext_of(&input.rel_path);
    if let Some(promised) = promised_format(&ext) {
        if promised != format && !compatible(promised, format) {
            f = f.prop("extension-format", promised);
        }
    }
    if ctx.hash {
        match hash::sha256_input(input) {
            Ok(hex) => {
                f.hashes.push(Hash {
                    alg: "SHA-256".to_string(),
                    value: hex.clone(),
                });
                f.identity = Some(format!("sha256:{hex}"));
            }
            Err(e) => {
                out.warn(input, detector, format!("cannot hash: {e}"));
                f.identity = Some(input.rel_path.clone());
            }
        }
    } else {
        f.identity = Some(input.rel_path.clone());
    }
    f
}

/// Formats an extension may legitimately hold besides its own (a `.pt` holds a zip or a
/// legacy pickle, a `.keras` of Keras 2 is HDF5).
fn compatible(promised: &str, format: &str) -> bool {
    matches!(
        (promised, format),
        ("pytorch", "pytorch-legacy")
            | ("pytorch", "torchscript")
            | ("pytorch", "pickle")
            | ("pickle", "joblib")
            | ("keras", "hdf5")
            | ("hdf5", "keras-h5")
    )
}

/// Something to read a model file from: the cached bytes of a test input, or the file.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// Open an input for header parsing without reading it whole.
pub fn source(input: &FileInput) -> Result<Box<dyn ReadSeek + '_>, String> {
    if let Some(b) = input.cached_bytes() {
        return Ok(Box::new(Cursor::new(b)));
    }
    let f = input.open().map_err(|e| format!("cannot open: {e}"))?;
    Ok(Box::new(BufReader::with_capacity(64 * 1024, f)))
}

/// Read at most `cap` bytes from the start of the input.
pub fn read_prefix(input: &FileInput, cap: u64) -> Result<Vec<u8>, String> {
    if let Some(b) = input.cached_bytes() {
        let n = b.len().min(usize::try_from(cap).unwrap_or(usize::MAX));
        return Ok(b.get(..n).unwrap_or(b).to_vec());
    }
    let f = input.open().map_err(|e| format!("cannot open: {e}"))?;
    let mut buf = Vec::new();
    f.take(cap)
        .read_to_end(&mut buf)
        .map_err(|e| format!("read error: {e}"))?;
    Ok(buf)
}

/// Shorten a value for a property: one line, at most `max` characters.
pub fn short(s: &str, max: usize) -> String {
    let one: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let one = one.trim();
    if one.chars().count() <= max {
        return one.to_string();
    }
    let mut t: String = one.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand<'a>(name: &'a str, lower: &'a str, ext: &'a str) -> Candidate<'a> {
        Candidate {
            rel_path: name,
            file_name: name,
            name_lower: lower,
            ext,
            size: 10,
            cloud: false,
        }
    }

    #[test]
    fn claims_own_sniffs_others_and_ignores_source() {
        let own = ["gguf"];
        assert_eq!(
            claim_binary(&cand("a.gguf", "a.gguf", "gguf"), &own),
            Claim::Yes
        );
        assert_eq!(
            claim_binary(&cand("a.model", "a.model", "model"), &own),
            Claim::Sniff
        );
        assert_eq!(
            claim_binary(&cand("weights", "weights", ""), &own),
            Claim::Sniff
        );
        assert_eq!(claim_binary(&cand("a.py", "a.py", "py"), &own), Claim::No);
        assert_eq!(claim_binary(&cand("a.md", "a.md", "md"), &own), Claim::No);
    }

    #[test]
    fn extensions() {
        assert_eq!(ext_of("a/b/model.Safetensors"), "safetensors");
        assert_eq!(ext_of("a/.hidden"), "");
        assert_eq!(ext_of("Modelfile"), "");
        assert_eq!(short("a\nb", 10), "a b");
        assert_eq!(short("abcdef", 4), "abc…");
    }
}
