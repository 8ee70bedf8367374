//! `aibom completions <shell>` and `aibom man`: generated from the clap definition, so they
//! never drift from the real options.

use super::output::write_stdout;
use super::{Cli, ExitStatus};
use clap::CommandFactory;

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to write a completion script for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn run(args: CompletionsArgs) -> anyhow::Result<ExitStatus> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "aibom", &mut buf);
    write_stdout(&buf)?;
    Ok(ExitStatus::Success)
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {}

/// The man page (roff) of `aibom`: `aibom man > aibom.1; man ./aibom.1`.
pub fn man(_args: ManArgs) -> anyhow::Result<ExitStatus> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
    write_stdout(&buf)?;
    Ok(ExitStatus::Success)
}
