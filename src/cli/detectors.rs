//! `aibom detectors`: the registry as a list.

use super::ExitStatus;
use crate::detect::{registry, Maturity};

#[derive(Debug, clap::Args)]
pub struct DetectorsArgs {}

pub fn run(_args: DetectorsArgs) -> anyhow::Result<ExitStatus> {
    super::output::write_stdout(listing().as_bytes())?;
    Ok(ExitStatus::Success)
}

/// One line per detector: id, family, maturity, summary.
pub fn listing() -> String {
    let mut out = String::new();
    for d in registry() {
        let maturity = match d.maturity {
            Maturity::Stable => "stable",
            Maturity::Preview => "preview",
        };
        out.push_str(&format!(
            "{:<28} {:<8} {:<8} {}\n",
            d.id, d.family, maturity, d.summary
        ));
    }
    out
}
