//! The `rust` detector family: Cargo manifests and lock files, read as TOML (cargo is never
//! run on a scanned tree).

use super::Detector;

pub mod cargo_lock;
pub mod cargo_toml;

/// This family's detectors (the registry sorts them by id).
pub const DETECTORS: &[Detector] = &[cargo_lock::DETECTOR, cargo_toml::DETECTOR];
