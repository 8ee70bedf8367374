//! The `cloud` detector family.

use super::{Detector, PostPass};

/// This family's detectors (the registry sorts them by id).
pub const DETECTORS: &[Detector] = &[];

/// This family's cross-file passes.
pub const POST_PASSES: &[PostPass] = &[];
