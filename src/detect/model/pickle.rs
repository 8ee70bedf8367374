//! Raw pickle files (`.pkl`, `.pickle`, `.joblib`, `.dill`, `.sav`), walked with the opcode
//! walker (`pickle_walk`) that every pickle-bearing format shares.
//!
//! What it detects: the callables a pickle imports (`GLOBAL`, `STACK_GLOBAL` with operands
//! resolved through the memo, `INST`, `EXT*`), and which of them it calls (`REDUCE`, `OBJ`,
//! `INST`, `NEWOBJ`, `NEWOBJ_EX`, `BUILD`). Nothing is unpickled: the walker is a stack
//! machine over symbols that never calls or imports.
//!
//! Files claimed: `.pkl .pickle .joblib .dill .sav` outright; any other model, ambiguous or
//! extensionless file whose head is a protocol 2..5 pickle (legacy PyTorch included).
//!
//! Evidence and confidence: `pickle-model`, high. Verdicts (see `pickle_verdict`):
//! `AIBOM-PICKLE-RCE`, `AIBOM-PICKLE-UNKNOWN`, else `AIBOM-PICKLE-UNSAFE-FORMAT`.
//!
//! Not handled: compressed joblib files (zlib/gzip/lz4 wrappers) are reported as such, not
//! inflated; the raw array bytes joblib writes inline stop the walk (globals before them are
//! kept). Bounds: 64 MiB of pickle, 50 M opcodes, stack 10 000, memo 1 M entries.
//!
//! References: CPython `Lib/pickletools.py`; picklescan `scanner.py`; modelscan `settings.py`.

use super::super::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use super::classify::Content;
use super::pickle_verdict;

pub use super::pickle_walk::{walk, Global, Walk, MAX_PICKLE};

pub const DETECTOR: Detector = Detector {
    id: "pickle-model",
    family: "model",
    summary: "Python pickle / joblib files: imported callables by opcode walk, RCE verdicts",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: Some(sniff),
    detect,
};

const OWN: &[&str] = &["pkl", "pickle", "joblib", "dill", "sav"];

fn claim(c: &Candidate) -> Claim {
    // .pt/.pth/.ckpt belong to the PyTorch detector, which walks their pickles itself
    if matches!(c.ext, "pt" | "pth" | "ckpt" | "ptl") {
        return Claim::No;
    }
    super::claim_binary(c, OWN)
}

fn sniff(head: &[u8]) -> bool {
    matches!(
        super::classify::classify(head),
        Some(Content::Pickle) | Some(Content::PytorchLegacy)
    )
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let ext = super::ext_of(&input.rel_path);
    let content = if OWN.contains(&ext.as_str()) {
        // protocol 0/1 pickles have no magic: trust the extension, let the walk decide
        match input.head() {
            Ok(h) => match super::classify::classify(h) {
                Some(Content::LfsPointer) => return DetectOutcome::default(),
                Some(c @ (Content::Pickle | Content::PytorchLegacy)) => Some(c),
                Some(Content::Zip) if ext == "pkl" || ext == "joblib" => {
                    // a zip named .pkl: its pickles are walked by the archive reader
                    return super::pytorch::detect_zip_as(input, ctx, DETECTOR.id, "pickle");
                }
                Some(other) => {
                    return super::gate(input, DETECTOR.id, |_| false)
                        .err()
                        .unwrap_or_else(|| {
                            DetectOutcome::failure(input, DETECTOR.id, other.describe())
                        })
                }
                None => None,
            },
            Err(e) => return DetectOutcome::failure(input, DETECTOR.id, e),
        }
    } else {
        match super::gate(input, DETECTOR.id, |c| {
            matches!(c, Content::Pickle | Content::PytorchLegacy)
        }) {
            Ok(c) => Some(c),
            Err(out) => return out,
        }
    };
    let format = if content == Some(Content::PytorchLegacy) {
        "pytorch-legacy"
    } else if ext == "joblib" {
        "joblib"
    } else {
        "pickle"
    };
    let mut out = DetectOutcome::default();
    let mut f = super::file_model(input, ctx, DETECTOR.id, format, &mut out);
    let data = match super::read_prefix(input, MAX_PICKLE) {
        Ok(d) => d,
        Err(e) => {
            super::malformed(&mut out, input, DETECTOR.id, &f, &e);
            out.findings.push(f);
            return out;
        }
    };
    if data.is_empty() {
        super::malformed(&mut out, input, DETECTOR.id, &f, "empty file");
        out.findings.push(f);
        return out;
    }
    let w = walk(&data);
    if let Some(n) = w.tensor_parameters() {
        f = f.prop("parameters", n);
    }
    pickle_verdict::apply(&mut out, input, DETECTOR.id, &mut f, &w, "");
    if w.pickles == 0 && w.globals.is_empty() && content.is_none() {
        // no magic, nothing recognisable: not a pickle at all
        let why = format!(
            "extension .{ext} promises pickle but the content does not parse as one ({})",
            w.error.clone().unwrap_or_default()
        );
        let mut o = DetectOutcome::failure(input, DETECTOR.id, why.clone());
        o.risks.push(crate::risk::risk(
            "AIBOM-MALFORMED",
            None,
            why,
            &input.rel_path,
            None,
        ));
        return o;
    }
    if let Some(err) = &w.error {
        let joblib_inline = w.globals.iter().any(|g| g.name == "NumpyArrayWrapper");
        if joblib_inline {
            f = f.prop(
                "pickle-walk",
                format!("partial: stopped at joblib inline array data ({err})"),
            );
        } else {
            super::malformed(
                &mut out,
                input,
                DETECTOR.id,
                &f,
                &format!("pickle stream: {err}"),
            );
        }
    }
    if input.size > MAX_PICKLE {
        out.warn(
            input,
            DETECTOR.id,
            format!("only the first {MAX_PICKLE} bytes were walked"),
        );
    }
    out.findings.push(f);
    out
}
