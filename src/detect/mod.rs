//! Detectors: stateless descriptors in one explicit list.
//!
//! A detector says which files it claims (by name, extension or a sniff of the first bytes),
//! and turns one claimed file into findings, risks and warnings. It never executes, imports or
//! unpickles anything it reads. Adding a detector touches: its format file, one line in its
//! family's `DETECTORS` list, a fixture directory and a test.

pub mod cloud;
pub mod config;
pub mod deps;
pub mod go;
pub mod infra;
pub mod input;
pub mod jvm;
pub mod model;
pub mod node;
pub mod providers;
pub mod python;
pub mod rust;
pub mod source;
pub mod util;

pub use input::{Candidate, FileInput};

use crate::bom::{Finding, Risk, Warning};
use crate::catalog::Catalog;
use std::sync::OnceLock;

/// Where a detector applies: files under a scanned path, files given with `--cloud`, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Repo,
    Cloud,
    Both,
}

impl Scope {
    pub fn covers(self, cloud: bool) -> bool {
        match self {
            Scope::Repo => !cloud,
            Scope::Cloud => cloud,
            Scope::Both => true,
        }
    }
}

/// A detector's answer to "do you want this file?", decided without reading it (or, for
/// `Sniff`, after looking at its first bytes only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    No,
    Yes,
    /// Read the head of the file and ask [`Detector::sniff`].
    Sniff,
}

/// Maturity of a detector, shown by `aibom detectors`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Maturity {
    Stable,
    Preview,
}

/// Options and shared data every detector may read.
#[derive(Debug, Default)]
pub struct Context {
    pub catalog: Catalog,
    /// Stream a sha256 of model files.
    pub hash: bool,
    /// Report non-AI packages too (tagged `aibom:ai=false`).
    pub all_packages: bool,
    /// `--cloud-format NAME`: force this cloud export shape for every `--cloud` file.
    pub cloud_format: Option<String>,
}

/// How many bytes `Claim::Sniff` detectors are shown.
pub const SNIFF_BYTES: usize = 4096;

/// A detector descriptor.
pub struct Detector {
    /// Stable kebab-case id, written into every evidence record.
    pub id: &'static str,
    /// Family, as in `src/detect/<family>/`.
    pub family: &'static str,
    /// One line for `aibom detectors` and docs/detectors.md.
    pub summary: &'static str,
    pub maturity: Maturity,
    pub scope: Scope,
    pub claim: fn(&Candidate) -> Claim,
    /// Decides on the first [`SNIFF_BYTES`] bytes when `claim` answered `Sniff`.
    pub sniff: Option<fn(&[u8]) -> bool>,
    pub detect: fn(&FileInput, &Context) -> DetectOutcome,
}

/// Cross-file work run once after every file was parsed (fold shards into one model, tie a
/// config.json to the weights beside it, resolve a deployment to the model it serves).
///
/// Only the findings some pass `wants` are held back for the passes; every other finding is
/// merged as soon as its file is done, so a scan's memory does not grow with its findings.
#[derive(Clone, Copy)]
pub struct PostPass {
    /// True for a finding this pass reads or rewrites.
    pub wants: fn(&Finding) -> bool,
    pub run: fn(&mut Vec<Finding>, &mut Vec<Risk>, &mut Vec<Warning>),
}

/// What one detector made of one file. Partial success is normal.
#[derive(Debug, Default)]
pub struct DetectOutcome {
    pub findings: Vec<Finding>,
    pub risks: Vec<Risk>,
    pub warnings: Vec<Warning>,
    /// The file could not be parsed (at least in part); the reason is in `warnings`.
    pub failed: bool,
    /// BOM-level facts (key, value); values of one key are collected into an array.
    pub metadata: Vec<(String, serde_json::Value)>,
}

impl DetectOutcome {
    /// A file this detector claimed but could not parse.
    pub fn failure(input: &FileInput, detector: &str, reason: impl Into<String>) -> Self {
        DetectOutcome {
            warnings: vec![Warning::new(&input.rel_path, Some(detector), reason)],
            failed: true,
            ..Default::default()
        }
    }

    pub fn warn(&mut self, input: &FileInput, detector: &str, message: impl Into<String>) {
        self.warnings
            .push(Warning::new(&input.rel_path, Some(detector), message));
    }

    pub fn extend(&mut self, other: DetectOutcome) {
        self.findings.extend(other.findings);
        self.risks.extend(other.risks);
        self.warnings.extend(other.warnings);
        self.failed |= other.failed;
        self.metadata.extend(other.metadata);
    }
}

/// Every detector, sorted by id.
pub fn registry() -> &'static [&'static Detector] {
    static REGISTRY: OnceLock<Vec<&'static Detector>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let families: [&'static [Detector]; 10] = [
            cloud::DETECTORS,
            config::DETECTORS,
            go::DETECTORS,
            infra::DETECTORS,
            jvm::DETECTORS,
            model::DETECTORS,
            node::DETECTORS,
            python::DETECTORS,
            rust::DETECTORS,
            source::DETECTORS,
        ];
        let mut all: Vec<&'static Detector> = families.iter().flat_map(|f| f.iter()).collect();
        all.sort_by_key(|d| d.id);
        all
    })
}

/// Every cross-file pass, in a fixed order.
pub fn post_passes() -> Vec<PostPass> {
    [
        model::POST_PASSES,
        source::POST_PASSES,
        infra::POST_PASSES,
        cloud::POST_PASSES,
        config::POST_PASSES,
    ]
    .iter()
    .flat_map(|p| p.iter().copied())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detector_ids_are_unique_and_kebab_case() {
        let reg = registry();
        for pair in reg.windows(2) {
            assert_ne!(pair[0].id, pair[1].id, "duplicate detector id");
        }
        for d in reg {
            assert!(
                !d.id.is_empty()
                    && d.id
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "detector id {:?} is not kebab-case",
                d.id
            );
            assert!(!d.summary.is_empty(), "{} has no summary", d.id);
            if d.sniff.is_none() {
                // a detector without a sniff must never answer Sniff; checked per detector in
                // its own tests, here we just make sure the descriptor is complete
                assert!(!d.family.is_empty());
            }
        }
    }
}
