//! The `aibom` binary: parse arguments, run, map the result to an exit code.

use clap::Parser;
use std::process::ExitCode;

/// A scan makes millions of short-lived allocations (tokens, findings, parsed documents);
/// mimalloc takes a quarter less CPU time over them than glibc's allocator. Built with
/// `no_thp`: transparent huge pages for its arenas raised peak RSS by a third
/// (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match aibom::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match aibom::cli::run(cli) {
        Ok(status) => ExitCode::from(status.code()),
        Err(err) => {
            eprintln!("aibom: error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(aibom::cli::ExitStatus::Error.code())
        }
    }
}
