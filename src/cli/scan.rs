//! `aibom scan`.

use super::output::{color_allowed, write_atomic_with, write_stdout_with};
use super::ExitStatus;
use crate::catalog::Catalog;
use crate::detect::Context as DetectContext;
use crate::render::{self, Format, RenderOptions, SpecVersion};
use crate::scan::{run_scan, ScanOptions};
use anyhow::Context;
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Directories or files to scan (default: the current directory, unless only --cloud is given).
    pub paths: Vec<PathBuf>,
    /// Cloud or IaC export files or directories (AWS/Azure/GCP CLI JSON, Terraform state, …).
    #[arg(long, value_name = "FILE")]
    pub cloud: Vec<PathBuf>,
    /// Force one cloud export shape for every --cloud file instead of detecting it.
    #[arg(long, value_name = "NAME")]
    pub cloud_format: Option<String>,
    /// Output format (default: from the -o file name, else table on a terminal and JSON otherwise).
    #[arg(short = 'f', long, value_enum)]
    pub format: Option<Format>,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// CycloneDX specification version.
    #[arg(long, value_enum, default_value = "1.6")]
    pub spec_version: SpecVersion,
    /// Skip paths matching GLOB (repeatable; a bare name matches at any depth).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Scan a directory that is skipped by default (node_modules, .venv, target, dist, …).
    #[arg(long, value_name = "DIR")]
    pub include: Vec<String>,
    /// Scan every directory normally skipped by default.
    #[arg(long)]
    pub no_default_skips: bool,
    /// Honour .gitignore files (off by default: git-ignored weights are what an inventory must see).
    #[arg(long)]
    pub respect_gitignore: bool,
    /// Follow symbolic links (loops are detected and reported).
    #[arg(long)]
    pub follow_symlinks: bool,
    /// Do not hash model files.
    #[arg(long)]
    pub no_hash: bool,
    /// Also list non-AI dependencies (tagged aibom:ai=false), so one document is SBOM and AI-BOM.
    #[arg(long)]
    pub all_packages: bool,
    /// Extra catalogue entries (TOML, see docs/detectors.md).
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Print no warnings on stderr.
    #[arg(short, long)]
    pub quiet: bool,
    /// Print every warning on stderr (default: the first 20).
    #[arg(short, long)]
    pub verbose: bool,
}

pub fn run(args: ScanArgs) -> anyhow::Result<ExitStatus> {
    let mut catalog = Catalog::builtin();
    if let Some(path) = &args.catalog {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading catalogue {}", path.display()))?;
        catalog
            .extend_from_toml(&text)
            .map_err(|e| anyhow::anyhow!("catalogue {}: {e}", path.display()))?;
    }
    let paths = if args.paths.is_empty() && args.cloud.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let opts = ScanOptions {
        paths,
        cloud: args.cloud.clone(),
        excludes: args.exclude.clone(),
        include: args.include.clone(),
        no_default_skips: args.no_default_skips,
        respect_gitignore: args.respect_gitignore,
        follow_symlinks: args.follow_symlinks,
        threads: args.threads,
        context: DetectContext {
            catalog,
            hash: !args.no_hash,
            all_packages: args.all_packages,
            cloud_format: args.cloud_format.clone(),
        },
    };
    let progress = super::progress::Progress::start("", args.quiet);
    let bom = run_scan(&opts).map_err(anyhow::Error::msg);
    drop(progress);
    let bom = bom?;

    if !args.quiet {
        let limit = if args.verbose { usize::MAX } else { 20 };
        let mut err = std::io::stderr().lock();
        for w in bom.warnings.iter().take(limit) {
            use std::io::Write;
            let _ = writeln!(err, "warning: {}: {}", w.path, w.message);
        }
        if bom.warnings.len() > limit {
            use std::io::Write;
            let _ = writeln!(
                err,
                "warning: … and {} more (-v shows all; the JSON lists every one)",
                bom.warnings.len() - limit
            );
        }
    }

    let stdout_tty = std::io::stdout().is_terminal();
    let format = args
        .format
        .or_else(|| {
            args.output
                .as_ref()
                .and_then(|p| p.file_name())
                .and_then(|n| Format::from_file_name(&n.to_string_lossy()))
        })
        .unwrap_or(if args.output.is_none() && stdout_tty {
            Format::Table
        } else {
            Format::Json
        });
    let ropts = RenderOptions {
        spec_version: args.spec_version,
        color: args.output.is_none() && color_allowed(stdout_tty),
    };
    match &args.output {
        Some(path) => write_atomic_with(path, |w| render::render_to(&bom, format, &ropts, w))?,
        None => write_stdout_with(|w| render::render_to(&bom, format, &ropts, w))?,
    }
    // The process exits next and the OS takes the memory back at once; freeing a large BOM
    // entry by entry first costs tens of milliseconds on a big monorepo.
    std::mem::forget(bom);
    Ok(ExitStatus::Success)
}
