//! Core ML `.mlmodel` files (a protobuf `Model`).
//!
//! What it detects: `specificationVersion`, the model type (from the oneof field number),
//! and the description metadata: shortDescription, versionString, author, license.
//!
//! Files claimed: `.mlmodel` outright; sniffed elsewhere by protobuf shape.
//!
//! Evidence and confidence: `coreml-model`, high.
//!
//! Not handled: `.mlpackage` directories, layer weights (no parameter count), user-defined
//! metadata.
//!
//! References: coremltools `mlmodel/format/Model.proto`; MODEL-FORMATS §11.

use super::super::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use super::classify::Content;
use super::onnx::{Pb, Wire};

pub const DETECTOR: Detector = Detector {
    id: "coreml-model",
    family: "model",
    summary: "Core ML .mlmodel: spec version, model type, author/licence metadata",
    maturity: Maturity::Preview,
    scope: Scope::Repo,
    claim,
    sniff: Some(sniff),
    detect,
};

fn claim(c: &Candidate) -> Claim {
    if c.ext == "onnx" {
        return Claim::No;
    }
    super::claim_binary(c, &["mlmodel"])
}

fn sniff(head: &[u8]) -> bool {
    super::classify::classify(head) == Some(Content::CoreMl)
}

fn model_type(field: u64) -> Option<&'static str> {
    Some(match field {
        200..=202 => "pipeline",
        300..=304 => "regressor",
        400..=404 => "classifier",
        500 => "neuralNetwork",
        502 => "mlProgram",
        555 => "customModel",
        556 => "linkedModel",
        600..=610 => "featureEngineering",
        900 => "identity",
        2000..=2006 => "createML",
        3000 => "serializedModel",
        _ => return None,
    })
}

fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    if let Err(out) = super::gate(input, DETECTOR.id, |c| *c == Content::CoreMl) {
        return out;
    }
    let mut out = DetectOutcome::default();
    let mut f = super::file_model(input, ctx, DETECTOR.id, "coreml", &mut out);
    let mut r = match super::source(input) {
        Ok(r) => r,
        Err(e) => return DetectOutcome::failure(input, DETECTOR.id, e),
    };
    let mut pb = Pb { r: &mut r, pos: 0 };
    let end = input.size;
    let mut meta: Vec<(&str, String)> = Vec::new();
    let res: Result<(), String> = (|| {
        while let Some((field, w)) = pb.next(end)? {
            match (field, w) {
                (1, Wire::Varint(v)) => f
                    .properties
                    .insert("spec-version".into(), v.into())
                    .map(|_| ())
                    .unwrap_or(()),
                (2, Wire::Len(l)) => {
                    let e = pb.pos + l;
                    while let Some((df, w)) = pb.next(e)? {
                        match (df, w) {
                            (100, Wire::Len(l)) => {
                                let me = pb.pos + l;
                                while let Some((mf, w)) = pb.next(me)? {
                                    match (mf, w) {
                                        (1..=4, Wire::Len(l)) => {
                                            let s = pb.string(l, 4096, me)?;
                                            let k = [
                                                "description",
                                                "model-version",
                                                "author",
                                                "license",
                                            ][(mf - 1) as usize];
                                            meta.push((k, s));
                                        }
                                        (_, Wire::Len(l)) => pb.skip(l, me)?,
                                        _ => {}
                                    }
                                }
                            }
                            (_, Wire::Len(l)) => pb.skip(l, e)?,
                            _ => {}
                        }
                    }
                }
                (other, w) => {
                    if let Some(t) = model_type(other) {
                        f.properties.insert("model-type".into(), t.into());
                    }
                    if let Wire::Len(l) = w {
                        pb.skip(l, end)?;
                    }
                }
            }
        }
        Ok(())
    })();
    for (k, v) in meta {
        if v.is_empty() {
            continue;
        }
        if k == "license" {
            f.licenses.push(super::licenses::to_spdx(&v));
        } else {
            f.properties.insert(k.into(), super::short(&v, 200).into());
        }
    }
    if let Err(e) = res {
        super::malformed(&mut out, input, DETECTOR.id, &f, &e);
    }
    out.findings.push(f);
    out
}
