//! Git LFS pointer files standing in for model weights.
//!
//! What it detects: a small text file in place of a model (`version
//! https://git-lfs.github.com/spec/v1`, `oid sha256:<hex>`, `size <n>`), the usual state of
//! a clone made without `git lfs pull`.
//!
//! Files claimed: sniffed among model, ambiguous and extensionless files; the content decides.
//!
//! Evidence and confidence: `lfs-pointer`, high. The component is identified by the oid,
//! which is the sha256 of the real file, so it merges with the real weights scanned elsewhere.
//! The format the extension promises is kept as `format`.
//!
//! Not handled: the real file is not fetched. A pointer is never a parse failure of the
//! format its extension names.
//!
//! References: <https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md>

use super::super::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use super::classify::LFS_PREFIX;
use crate::bom::{ComponentKind, Confidence, Evidence, Finding, Hash, Method};

pub const DETECTOR: Detector = Detector {
    id: "lfs-pointer",
    family: "model",
    summary: "Git LFS pointer files in place of model weights (oid as sha256)",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: Some(sniff),
    detect,
};

fn claim(c: &Candidate) -> Claim {
    if c.size > 1024 {
        return Claim::No;
    }
    match super::claim_binary(c, &[]) {
        Claim::No => Claim::No,
        _ => Claim::Sniff,
    }
}

fn sniff(head: &[u8]) -> bool {
    head.starts_with(LFS_PREFIX)
}

/// (oid hex, size) of a pointer.
pub fn parse_pointer(text: &str) -> Option<(String, Option<u64>)> {
    let mut oid = None;
    let mut size = None;
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("oid sha256:") {
            let v = v.trim();
            if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) {
                oid = Some(v.to_ascii_lowercase());
            }
        } else if let Some(v) = line.strip_prefix("size ") {
            size = v.trim().parse().ok();
        }
    }
    oid.map(|o| (o, size))
}

fn detect(input: &FileInput, _ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, DETECTOR.id, e),
    };
    let Some((oid, size)) = parse_pointer(text) else {
        return DetectOutcome::failure(input, DETECTOR.id, "Git LFS pointer without a sha256 oid");
    };
    let ext = super::ext_of(&input.rel_path);
    let mut ev = Evidence::new(
        &input.rel_path,
        Some(1),
        DETECTOR.id,
        Method::LfsPointer,
        Confidence::High,
    );
    ev.snippet = Some(format!("oid sha256:{oid}"));
    let mut f = Finding::new(ComponentKind::Model, input.file_name.clone(), ev)
        .with_identity(format!("sha256:{oid}"))
        .prop("format", super::promised_format(&ext).unwrap_or("unknown"))
        .prop("lfs-pointer", true)
        .prop("source", "file");
    if let Some(s) = size {
        f = f.prop("size", s);
    }
    f.hashes.push(Hash {
        alg: "SHA-256".to_string(),
        value: oid,
    });
    DetectOutcome {
        findings: vec![f],
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer() {
        let t = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n";
        let (oid, size) = parse_pointer(t).unwrap();
        assert!(oid.starts_with("4d7a"));
        assert_eq!(size, Some(12345));
        assert!(
            parse_pointer("version https://git-lfs.github.com/spec/v1\noid sha256:zz\n").is_none()
        );
        let out = detect(
            &FileInput::from_bytes("m.safetensors", t.as_bytes().to_vec()),
            &Context::default(),
        );
        assert_eq!(out.findings.len(), 1);
        assert_eq!(
            out.findings[0].id(),
            "model:sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"
        );
    }
}
