//! llamafile executables: an Actually Portable Executable with the weights in a zip appended
//! at the end.
//!
//! What it detects: the `MZqFpD='` APE prefix, the appended zip's members, and the embedded
//! GGUF (read in place through its stored member, never copied).
//!
//! Files claimed: `.llamafile` outright; sniffed elsewhere by the APE prefix.
//!
//! Evidence and confidence: `llamafile`, high. Risks: `AIBOM-EXECUTABLE-MODEL` (running the
//! file runs native code), the GGUF risks, archive risks.
//!
//! Not handled: compressed GGUF members (llamafile stores them uncompressed to mmap them).
//!
//! References: <https://github.com/Mozilla-Ocho/llamafile>; MODEL-FORMATS §12.

use super::super::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use super::classify::Content;
use super::zip;
use crate::risk::risk;
use std::io::{Cursor, Read, Seek, SeekFrom};

pub const DETECTOR: Detector = Detector {
    id: "llamafile",
    family: "model",
    summary: "llamafile executables: embedded GGUF metadata, executable-model risk",
    maturity: Maturity::Preview,
    scope: Scope::Repo,
    claim,
    sniff: Some(sniff),
    detect,
};

fn claim(c: &Candidate) -> Claim {
    super::claim_binary(c, &["llamafile"])
}

fn sniff(head: &[u8]) -> bool {
    super::classify::classify(head) == Some(Content::Llamafile)
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    if let Err(out) = super::gate(input, DETECTOR.id, |c| *c == Content::Llamafile) {
        return out;
    }
    let mut out = DetectOutcome::default();
    let mut f = super::file_model(input, ctx, DETECTOR.id, "llamafile", &mut out);
    out.risks.push(risk(
        "AIBOM-EXECUTABLE-MODEL",
        Some(f.id()),
        "llamafile is a native executable with the weights appended: running it runs its code",
        &input.rel_path,
        None,
    ));
    let mut r = match super::source(input) {
        Ok(r) => r,
        Err(e) => return DetectOutcome::failure(input, DETECTOR.id, e),
    };
    match zip::list(&mut r, input.size) {
        Ok(a) => {
            zip::archive_risks(&a, &f.id(), &input.rel_path, &mut out.risks);
            let gguf = a
                .entries
                .iter()
                .find(|e| e.name.to_ascii_lowercase().ends_with(".gguf"));
            match gguf {
                Some(e) if e.method == 0 => {
                    f = f.prop("embedded-gguf", e.name.clone());
                    // the header lives at the member's data start; read a bounded window
                    let m = zip::read(&mut r, &a, e, 0);
                    let start = m
                        .ok()
                        .map(|_| ())
                        .and_then(|_| data_start(&mut r, a.base + e.local_offset));
                    if let Some(start) = start {
                        let window = e.uncompressed.min(64 * 1024 * 1024);
                        let mut buf = Vec::new();
                        if r.seek(SeekFrom::Start(start)).is_ok()
                            && (&mut r).take(window).read_to_end(&mut buf).is_ok()
                        {
                            let len = buf.len() as u64;
                            let parsed =
                                super::gguf::parse(&mut Cursor::new(buf), len.min(e.uncompressed));
                            let g = match parsed {
                                Ok(g) => g,
                                Err((g, _)) => g,
                            };
                            super::gguf::describe(&mut out, input, &mut f, &g);
                        }
                    }
                }
                Some(e) => out.warn(
                    input,
                    DETECTOR.id,
                    format!("embedded {} is compressed; not read", e.name),
                ),
                None => out.warn(
                    input,
                    DETECTOR.id,
                    "no .gguf member in the appended archive",
                ),
            }
        }
        Err(e) => out.warn(input, DETECTOR.id, format!("no appended zip: {e}")),
    }
    out.findings.push(f);
    out
}

/// Where a member's data starts, from its local header.
fn data_start(r: &mut dyn super::ReadSeek, local: u64) -> Option<u64> {
    r.seek(SeekFrom::Start(local)).ok()?;
    let mut h = [0u8; 30];
    r.read_exact(&mut h).ok()?;
    let n = u64::from(u16::from_le_bytes([h[26], h[27]]));
    let x = u64::from(u16::from_le_bytes([h[28], h[29]]));
    Some(local + 30 + n + x)
}
