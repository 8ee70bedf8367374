//! The `node` detector family: npm, yarn and pnpm manifests and lock files.

use super::Detector;

pub mod package_json;
pub mod package_lock;
pub mod pnpm_lock;
pub mod yarn_lock;

/// This family's detectors (the registry sorts them by id).
pub const DETECTORS: &[Detector] = &[
    package_json::DETECTOR,
    package_lock::DETECTOR,
    pnpm_lock::DETECTOR,
    yarn_lock::DETECTOR,
];
