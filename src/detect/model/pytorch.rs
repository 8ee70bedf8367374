//! PyTorch checkpoints: the zip format (torch ≥ 1.6), TorchScript archives, and the legacy
//! pickle format, in `.pt .pth .ckpt .ptl` files and in `.bin`/extensionless files by content.
//!
//! What it detects: the format; the archive version; every pickle member under *any* member
//! name (`data.pkl`, `archive/data.pkl`, `constants.pkl`, or a pickle hidden as
//! `x/payload.bin`), walked for imported callables; TorchScript `code/` members; member names
//! that escape the archive root and zip-bomb ratios; the raw tensor byte total.
//!
//! Files claimed: `.pt .pth .ckpt .ptl` outright; sniffed among other model/ambiguous files
//! when the first zip member looks like a torch archive.
//!
//! Evidence and confidence: `pytorch-checkpoint`, high. Risks: the pickle verdicts
//! (`AIBOM-PICKLE-*`), `AIBOM-TORCHSCRIPT-CODE`, `AIBOM-ARCHIVE-TRAVERSAL`,
//! `AIBOM-ARCHIVE-BOMB`, `AIBOM-MALFORMED`.
//!
//! The parameter count is Σ Π size over the distinct `_rebuild_tensor*` calls of `data.pkl`
//! (the walker keeps the symbolic argument tuples), so tied weights count once.
//!
//! Not handled: tensor subclasses rebuilt by other helpers (quantized, sparse, wrapper
//! subclasses) are not counted; the pre-1.0 tar layout; 7z wrappers.
//!
//! References: `torch/serialization.py`; MODEL-FORMATS §4.

use super::super::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use super::classify::{is_pickle_head, Content};
use super::{pickle, pickle_verdict, zip};
use crate::risk::risk;

pub const DETECTOR: Detector = Detector {
    id: "pytorch-checkpoint",
    family: "model",
    summary: "PyTorch zip / legacy / TorchScript checkpoints: pickle members walked, code flagged",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: Some(sniff),
    detect,
};

const OWN: &[&str] = &["pt", "pth", "ckpt", "ptl", "pt2"];
const MAX_MEMBER_PICKLE: u64 = pickle::MAX_PICKLE;

fn claim(c: &Candidate) -> Claim {
    // these containers have their own detectors
    if matches!(
        c.ext,
        "npz" | "keras" | "pkl" | "joblib" | "pickle" | "llamafile"
    ) {
        return Claim::No;
    }
    super::claim_binary(c, OWN)
}

/// A zip whose first member is a torch archive member.
fn sniff(head: &[u8]) -> bool {
    if !head.starts_with(b"PK\x03\x04") {
        return false;
    }
    let n = head
        .get(26..28)
        .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])));
    let Some(name) = n.and_then(|n| head.get(30..30 + n)) else {
        return false;
    };
    let name = String::from_utf8_lossy(name);
    name.ends_with("data.pkl")
        || name.ends_with("/version")
        || name.ends_with(".format_version")
        || name.ends_with("constants.pkl")
        || name.contains("/code/")
        || name.ends_with("byteorder")
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let content = match super::gate(input, DETECTOR.id, |c| {
        matches!(c, Content::Zip | Content::Pickle | Content::PytorchLegacy)
    }) {
        Ok(c) => c,
        Err(out) => return out,
    };
    match content {
        Content::Zip => detect_zip_as(input, ctx, DETECTOR.id, "pytorch"),
        c => {
            let format = if c == Content::PytorchLegacy {
                "pytorch-legacy"
            } else {
                "pickle"
            };
            let mut out = DetectOutcome::default();
            let mut f = super::file_model(input, ctx, DETECTOR.id, format, &mut out);
            match super::read_prefix(input, MAX_MEMBER_PICKLE) {
                Ok(data) => {
                    let w = pickle::walk(&data);
                    if let Some(n) = w.tensor_parameters() {
                        f = f.prop("parameters", n);
                    }
                    pickle_verdict::apply(&mut out, input, DETECTOR.id, &mut f, &w, "");
                    if let Some(e) = &w.error {
                        super::malformed(
                            &mut out,
                            input,
                            DETECTOR.id,
                            &f,
                            &format!("pickle stream: {e}"),
                        );
                    }
                }
                Err(e) => super::malformed(&mut out, input, DETECTOR.id, &f, &e),
            }
            out.findings.push(f);
            out
        }
    }
}

/// Scan a zip container: list it, walk every pickle member, flag TorchScript code and
/// archive abuse. `format` is the fallback when no torch member names the format.
pub fn detect_zip_as(
    input: &FileInput,
    ctx: &Context,
    detector: &str,
    format: &str,
) -> DetectOutcome {
    let mut out = DetectOutcome::default();
    let mut f = super::file_model(input, ctx, detector, format, &mut out);
    let mut r = match super::source(input) {
        Ok(r) => r,
        Err(e) => return DetectOutcome::failure(input, detector, e),
    };
    let archive = match zip::list(&mut r, input.size) {
        Ok(a) => a,
        Err(e) => {
            super::malformed(&mut out, input, detector, &f, &format!("zip: {e}"));
            out.findings.push(f);
            return out;
        }
    };
    let id = f.id();
    zip::archive_risks(&archive, &id, &input.rel_path, &mut out.risks);
    let mut code: Vec<&str> = Vec::new();
    let mut tensor_bytes: u64 = 0;
    let mut pickles = 0usize;
    let mut is_torch = false;
    let mut parameters: Option<u64> = None;
    for e in &archive.entries {
        let lower = e.name.to_ascii_lowercase();
        if lower.contains("/code/") || lower.starts_with("code/") {
            if lower.ends_with(".py") || lower.ends_with(".pkl") || !lower.ends_with('/') {
                code.push(&e.name);
            }
            continue;
        }
        let in_data = lower.split('/').rev().nth(1) == Some("data");
        if in_data {
            tensor_bytes = tensor_bytes.saturating_add(e.uncompressed);
            continue;
        }
        if lower.ends_with("data.pkl") || lower.ends_with("/version") {
            is_torch = true;
        }
        if lower.ends_with("/version") && e.uncompressed <= 16 {
            if let Ok(m) = zip::read(&mut r, &archive, e, 16) {
                let v = String::from_utf8_lossy(&m.data).trim().to_string();
                if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
                    f = f.prop("pytorch-archive-version", v);
                }
            }
            continue;
        }
        let named_pickle = lower.ends_with(".pkl") || lower.ends_with(".pickle");
        let peek = if named_pickle {
            None
        } else {
            zip::read(&mut r, &archive, e, 8).ok()
        };
        let sniffed = peek
            .as_ref()
            .is_some_and(|m| is_pickle_head(&m.data) || m.data.starts_with(b"\x80\x02\x8a"));
        if !(named_pickle || sniffed) {
            continue;
        }
        match zip::read(&mut r, &archive, e, MAX_MEMBER_PICKLE) {
            Ok(m) => {
                if let Some(local) = &m.local_name {
                    out.risks.push(risk(
                        "AIBOM-ARCHIVE-TRAVERSAL",
                        Some(id.clone()),
                        format!("member {} is named {local} in its local header: readers disagree on what it is", e.name),
                        &input.rel_path,
                        None,
                    ));
                }
                pickles += 1;
                let w = pickle::walk(&m.data);
                if lower.ends_with("data.pkl") {
                    if let Some(n) = w.tensor_parameters() {
                        parameters = Some(parameters.unwrap_or(0).saturating_add(n));
                    }
                }
                pickle_verdict::apply(&mut out, input, detector, &mut f, &w, &e.name);
                if let Some(err) = &w.error {
                    let why = if m.truncated {
                        format!(
                            "member {}: larger than the {MAX_MEMBER_PICKLE}-byte walk limit",
                            e.name
                        )
                    } else {
                        format!("member {}: pickle stream {err}", e.name)
                    };
                    super::malformed(&mut out, input, detector, &f, &why);
                }
            }
            Err(err) => super::malformed(&mut out, input, detector, &f, &err),
        }
    }
    if !code.is_empty() {
        f.properties.insert("format".into(), "torchscript".into());
        let shown: Vec<&str> = code.iter().take(5).copied().collect();
        out.risks.push(risk(
            "AIBOM-TORCHSCRIPT-CODE",
            Some(id.clone()),
            format!(
                "TorchScript archive with {} code member(s) ({}): torch.jit.load runs this program",
                code.len(),
                shown.join(", ")
            ),
            &input.rel_path,
            None,
        ));
    } else if is_torch {
        f.properties.insert("format".into(), "pytorch".into());
    }
    f = f
        .prop("archive-members", archive.entries.len())
        .prop("pickle-members", pickles);
    if tensor_bytes > 0 {
        f = f.prop("tensor-bytes", tensor_bytes);
    }
    if let Some(n) = parameters {
        f = f.prop("parameters", n);
    }
    if pickles == 0 && code.is_empty() && format == "pytorch" {
        super::malformed(
            &mut out,
            input,
            detector,
            &f,
            "zip archive without a pickle member (not a PyTorch checkpoint)",
        );
    }
    out.findings.push(f);
    out
}
