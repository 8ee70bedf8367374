//! The `infra` detector family: Dockerfiles, docker-compose, Kubernetes manifests (incl. KServe
//! and Seldon), Helm values and GitHub Actions workflows.

pub mod dockerfile;
pub mod images;
pub mod yaml_text;

use super::{Detector, PostPass};

/// This family's detectors (the registry sorts them by id).
pub const DETECTORS: &[Detector] = &[dockerfile::DETECTOR];

/// This family's cross-file passes.
pub const POST_PASSES: &[PostPass] = &[];
