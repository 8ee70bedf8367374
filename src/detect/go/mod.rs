//! The `go` detector family.

use super::Detector;

/// This family's detectors (the registry sorts them by id).
pub const DETECTORS: &[Detector] = &[];
