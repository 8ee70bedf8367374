//! The `go` detector family: Go module files.

use super::Detector;

pub mod go_mod;

/// This family's detectors (the registry sorts them by id).
pub const DETECTORS: &[Detector] = &[go_mod::DETECTOR];
