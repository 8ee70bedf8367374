//! Command-line interface: clap definitions and one module per subcommand.

pub mod check;
pub mod completions;
pub mod detectors;
pub mod diff;
pub mod merge;
pub mod output;
pub mod progress;
pub mod scan;

use clap::{Parser, Subcommand};

/// What AI is in here? An offline AI bill of materials for source trees and cloud exports.
#[derive(Debug, Parser)]
#[command(name = "aibom", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan paths and cloud exports into one AI-BOM.
    Scan(scan::ScanArgs),
    /// List every detector: id, family, maturity, what it reads.
    Detectors(detectors::DetectorsArgs),
    /// Compare two BOMs, or two git revisions: added, removed and changed AI components.
    Diff(diff::DiffArgs),
    /// Combine several BOMs (repos, accounts) into one inventory.
    Merge(merge::MergeArgs),
    /// Check a tree or a BOM against a policy (aibom-policy.toml); exit 1 on violations.
    Check(check::CheckArgs),
    /// Write a shell completion script to stdout.
    Completions(completions::CompletionsArgs),
    /// Write the man page (roff) to stdout.
    Man(completions::ManArgs),
}

/// Process exit status (ARCHITECTURE.md): 0 ok, 1 a gate or policy failed, 2 usage or fatal error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success,
    Failure,
    Error,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
        }
    }
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Detectors(args) => detectors::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Check(args) => check::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => completions::man(args),
    }
}
