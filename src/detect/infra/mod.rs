//! The `infra` detector family: Dockerfiles, docker-compose, Kubernetes manifests (incl. KServe
//! and Seldon), Helm values and GitHub Actions workflows.

pub mod compose;
pub mod dockerfile;
pub mod gh_workflow;
pub mod helm;
pub mod images;
pub mod k8s;
pub mod k8s_serving;
pub mod workload;
pub mod yaml_block;
pub mod yaml_text;

use super::{Detector, PostPass};

/// This family's detectors (the registry sorts them by id).
pub const DETECTORS: &[Detector] = &[
    compose::DETECTOR,
    dockerfile::DETECTOR,
    gh_workflow::DETECTOR,
    helm::DETECTOR,
    k8s::DETECTOR,
];

/// This family's cross-file passes.
pub const POST_PASSES: &[PostPass] = &[];
