//! The `config` detector family: MCP client configs, AI assistant instruction files, `.env`
//! files, DVC pipelines and `.gitattributes` LFS patterns. Also home of the provider table and
//! the env-var/model-id helpers the `infra` family shares.

pub mod assistant_config;
pub mod dotenv;
pub mod dvc;
pub mod env_vars;
pub mod gitattributes;
pub mod jsonc;
pub mod mcp_config;
pub mod model_ref;
pub mod providers;
pub mod train_recipe;

use super::{Detector, PostPass};

/// This family's detectors (the registry sorts them by id).
pub const DETECTORS: &[Detector] = &[
    assistant_config::DETECTOR,
    dotenv::DETECTOR,
    dvc::DETECTOR,
    gitattributes::DETECTOR,
    mcp_config::DETECTOR,
    train_recipe::DETECTOR,
];

/// This family's cross-file passes.
pub const POST_PASSES: &[PostPass] = &[];
