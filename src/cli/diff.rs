//! `aibom diff OLD NEW` and `aibom diff --git BASE[..HEAD] [PATH]`.

use super::output::{write_atomic, write_stdout};
use super::ExitStatus;
use crate::catalog::Catalog;
use crate::detect::Context as DetectContext;
use crate::diff::{self, failon::Gate, git, load, report};
use crate::scan::ScanOptions;
use anyhow::{bail, Context};
use std::path::PathBuf;

/// Output formats of `aibom diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// A table for people.
    Table,
    /// `aibom-diff/v1` JSON (docs/diff.md).
    Json,
    /// GitHub-flavoured Markdown for a pull-request comment.
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// OLD and NEW BOM files (aibom/v1 or CycloneDX JSON); with --git, the path to scan (default .).
    #[arg(value_name = "OLD NEW | PATH")]
    pub files: Vec<PathBuf>,
    /// Compare two git revisions, BASE..HEAD (HEAD defaults to HEAD; BASE...HEAD diffs from the merge base).
    #[arg(long, value_name = "BASE[..HEAD]")]
    pub git: Option<String>,
    /// Output format (default: from the -o file name, else table).
    #[arg(short = 'f', long, value_enum)]
    pub format: Option<DiffFormat>,
    /// Write the diff to FILE instead of stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a change of these classes is found: new-model, removed-model, new-library,
    /// new-provider, new-dataset, new-container, new-mcp-server, version-change, hash-change,
    /// license-change, provider-change, any, risk:<severity> (comma-separated).
    #[arg(long, value_name = "CLASSES")]
    pub fail_on: Option<String>,
    /// With --git: skip paths matching GLOB (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// With --git: do not hash model files.
    #[arg(long)]
    pub no_hash: bool,
    /// Print nothing on stderr but the --fail-on verdict.
    #[arg(short, long)]
    pub quiet: bool,
}

fn scan_options(args: &DiffArgs) -> impl Fn(PathBuf) -> ScanOptions + '_ {
    move |root| ScanOptions {
        paths: vec![root],
        excludes: args.exclude.clone(),
        context: DetectContext {
            catalog: Catalog::builtin(),
            hash: !args.no_hash,
            ..Default::default()
        },
        ..Default::default()
    }
}

pub fn run(args: DiffArgs) -> anyhow::Result<ExitStatus> {
    let gates = match &args.fail_on {
        Some(list) => Gate::parse_list(list).map_err(anyhow::Error::msg)?,
        None => Vec::new(),
    };
    let (old, new, old_name, new_name) = match &args.git {
        Some(spec) => {
            if args.files.len() > 1 {
                bail!(
                    "with --git give at most one PATH (got {})",
                    args.files.len()
                );
            }
            let path = args
                .files
                .first()
                .cloned()
                .unwrap_or_else(|| PathBuf::from("."));
            let range = git::RevRange::parse(spec).map_err(anyhow::Error::msg)?;
            let repo = git::Repo::open(&path).map_err(anyhow::Error::msg)?;
            let head = repo.resolve(&range.head).map_err(anyhow::Error::msg)?;
            let mut base = repo.resolve(&range.base).map_err(anyhow::Error::msg)?;
            if range.merge_base {
                base = repo.merge_base(&base, &head).map_err(anyhow::Error::msg)?;
            }
            let opts = scan_options(&args);
            let _progress = super::progress::Progress::start(" two revisions", args.quiet);
            let old = git::scan_revision(&repo, &range.base, &base, &opts)
                .map_err(anyhow::Error::msg)
                .with_context(|| format!("scanning {}", range.base))?;
            let new = git::scan_revision(&repo, &range.head, &head, &opts)
                .map_err(anyhow::Error::msg)
                .with_context(|| format!("scanning {}", range.head))?;
            (old, new, range.base.clone(), range.head.clone())
        }
        None => {
            let [a, b] = args.files.as_slice() else {
                bail!(
                    "give two BOM files (OLD NEW), or --git BASE[..HEAD] (got {} file(s))",
                    args.files.len()
                );
            };
            let old = load::load_path(a).map_err(anyhow::Error::msg)?;
            let new = load::load_path(b).map_err(anyhow::Error::msg)?;
            let name = |p: &PathBuf| p.to_string_lossy().replace('\\', "/");
            (old, new, name(a), name(b))
        }
    };
    let d = diff::diff(&old, &new, &old_name, &new_name);
    let format = args
        .format
        .or_else(|| {
            let n = args
                .output
                .as_ref()?
                .file_name()?
                .to_string_lossy()
                .to_lowercase();
            if n.ends_with(".json") {
                Some(DiffFormat::Json)
            } else if n.ends_with(".md") {
                Some(DiffFormat::Markdown)
            } else {
                None
            }
        })
        .unwrap_or(DiffFormat::Table);
    let bytes = match format {
        DiffFormat::Table => report::table(&d).into_bytes(),
        DiffFormat::Json => report::json(&d),
        DiffFormat::Markdown => report::markdown(&d).into_bytes(),
    };
    match &args.output {
        Some(p) => write_atomic(p, &bytes)?,
        None => write_stdout(&bytes)?,
    }
    let hits = diff::failon::matched(&gates, &d);
    if hits.is_empty() {
        return Ok(ExitStatus::Success);
    }
    let mut err = String::new();
    for (gate, change) in &hits {
        let at = change
            .evidence
            .first()
            .map(|e| format!(" at {e}"))
            .unwrap_or_default();
        err.push_str(&format!(
            "aibom: --fail-on {}: {}{at}\n",
            gate.name(),
            change.message
        ));
    }
    eprint!("{err}");
    Ok(ExitStatus::Failure)
}
