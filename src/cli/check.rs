//! `aibom check [--policy FILE] [PATH|BOM]` and `aibom check --init [PATH]`.

use super::output::{write_atomic, write_stdout};
use super::ExitStatus;
use crate::bom::Bom;
use crate::catalog::Catalog;
use crate::detect::Context as DetectContext;
use crate::policy::{self, config, Policy, Report};
use crate::scan::{run_scan, ScanOptions};
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};

/// The policy file looked for when `--policy` is not given.
pub const DEFAULT_POLICY_FILE: &str = "aibom-policy.toml";

/// Output formats of `aibom check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// A table for people.
    Table,
    /// `aibom-check/v1` JSON.
    Json,
    /// SARIF 2.1.0 (code-scanning alerts; waived violations carry a suppression).
    Sarif,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// A directory to scan, or a BOM file (.json: aibom/v1 or CycloneDX). With --init: where
    /// to write the starter policy.
    #[arg(value_name = "PATH|BOM")]
    pub target: Option<PathBuf>,
    /// The policy file (default: aibom-policy.toml in PATH or the current directory, else the
    /// built-in starter policy).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Write a commented starter policy (refuses to overwrite an existing file).
    #[arg(long)]
    pub init: bool,
    /// Output format (default: from the -o file name, else table).
    #[arg(short = 'f', long, value_enum)]
    pub format: Option<CheckFormat>,
    /// Write the report to FILE instead of stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Skip paths matching GLOB when scanning (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Do not hash model files when scanning.
    #[arg(long)]
    pub no_hash: bool,
    /// Print nothing on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

fn init(target: Option<&Path>) -> anyhow::Result<ExitStatus> {
    let path = match target {
        Some(p) if p.is_dir() => p.join(DEFAULT_POLICY_FILE),
        Some(p) => p.to_path_buf(),
        None => PathBuf::from(DEFAULT_POLICY_FILE),
    };
    if path.exists() {
        bail!("{} already exists; not overwriting it", path.display());
    }
    std::fs::write(&path, config::STARTER)
        .with_context(|| format!("writing {}", path.display()))?;
    eprintln!("aibom: wrote {}", path.display());
    Ok(ExitStatus::Success)
}

fn load_policy(args: &CheckArgs, quiet: bool) -> anyhow::Result<Policy> {
    let found = match &args.policy {
        Some(p) => Some(p.clone()),
        None => {
            let dir = args
                .target
                .as_deref()
                .filter(|p| p.is_dir())
                .unwrap_or(Path::new("."));
            let candidate = dir.join(DEFAULT_POLICY_FILE);
            candidate.is_file().then_some(candidate)
        }
    };
    let (text, source) = match &found {
        Some(p) => (
            std::fs::read_to_string(p)
                .with_context(|| format!("reading policy {}", p.display()))?,
            p.to_string_lossy().replace('\\', "/"),
        ),
        None => {
            if !quiet {
                eprintln!(
                    "aibom: no {DEFAULT_POLICY_FILE}; using the built-in starter policy (aibom check --init writes it)"
                );
            }
            (config::STARTER.to_string(), "(built-in policy)".to_string())
        }
    };
    match config::parse(&text) {
        Ok(mut p) => {
            p.source = source;
            Ok(p)
        }
        Err(errors) => {
            let list: Vec<String> = errors.iter().map(|e| format!("  {source}: {e}")).collect();
            bail!(
                "invalid policy, {} problem(s):\n{}",
                errors.len(),
                list.join("\n")
            )
        }
    }
}

fn load_target(args: &CheckArgs) -> anyhow::Result<Bom> {
    let target = args.target.clone().unwrap_or_else(|| PathBuf::from("."));
    let is_bom = target.is_file()
        && target
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_bom {
        return crate::diff::load::load_path(&target).map_err(anyhow::Error::msg);
    }
    let opts = ScanOptions {
        paths: vec![target],
        excludes: args.exclude.clone(),
        context: DetectContext {
            catalog: Catalog::builtin(),
            hash: !args.no_hash,
            ..Default::default()
        },
        ..Default::default()
    };
    let _progress = super::progress::Progress::start("", args.quiet);
    run_scan(&opts).map_err(anyhow::Error::msg)
}

/// Wrap `text` at spaces so that, after `indent`, no line passes 100 columns.
fn wrap_indented(text: &str, indent: &str) -> String {
    let width = 100usize.saturating_sub(indent.chars().count()).max(20);
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(indent);
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(indent);
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The report for a terminal: one block per violation (severity, rule, where; then the message
/// and the component), wrapped to 100 columns, and a closing verdict line.
pub fn table(report: &Report) -> String {
    const INDENT: &str = "          ";
    let mut out = String::new();
    for v in &report.violations {
        let rule = match &v.waived {
            Some(_) => format!("{} (waived)", v.rule),
            None => v.rule.to_string(),
        };
        let mut locations: Vec<String> = v.evidence.iter().take(3).map(|e| e.to_string()).collect();
        if v.evidence.len() > 3 {
            locations.push(format!("+{}", v.evidence.len() - 3));
        }
        out.push_str(&format!(
            "{:<9} {rule}  {}\n",
            v.severity.as_str(),
            locations.join(", ")
        ));
        out.push_str(&wrap_indented(&v.message, INDENT));
        if let Some(c) = &v.component {
            out.push_str(&wrap_indented(&format!("component: {c}"), INDENT));
        }
        if let Some(reason) = &v.waived {
            out.push_str(&wrap_indented(&format!("waived: {reason}"), INDENT));
        }
        out.push('\n');
    }
    let failing = report.failing().count();
    let waived = report.violations.len() - failing;
    out.push_str(&format!(
        "{}: {failing} violation(s), {waived} waived\n",
        if failing == 0 {
            "policy passed"
        } else {
            "policy failed"
        }
    ));
    out
}

pub fn run(args: CheckArgs) -> anyhow::Result<ExitStatus> {
    if args.init {
        return init(args.target.as_deref());
    }
    let policy = load_policy(&args, args.quiet)?;
    let today = policy::today().map_err(anyhow::Error::msg)?;
    let bom = load_target(&args)?;
    let report = policy::check(&bom, &policy, today);
    let format = args
        .format
        .or_else(|| {
            let n = args
                .output
                .as_ref()?
                .file_name()?
                .to_string_lossy()
                .to_lowercase();
            if n.ends_with(".sarif") || n.ends_with(".sarif.json") {
                Some(CheckFormat::Sarif)
            } else if n.ends_with(".json") {
                Some(CheckFormat::Json)
            } else {
                None
            }
        })
        .unwrap_or(CheckFormat::Table);
    let bytes = match format {
        CheckFormat::Table => table(&report).into_bytes(),
        CheckFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&report).unwrap_or_default();
            v.push(b'\n');
            v
        }
        CheckFormat::Sarif => crate::render::sarif::render_check(&bom, &report),
    };
    match &args.output {
        Some(p) => write_atomic(p, &bytes)?,
        None => write_stdout(&bytes)?,
    }
    if report.passed() {
        Ok(ExitStatus::Success)
    } else {
        if !args.quiet && format != CheckFormat::Table {
            eprintln!(
                "aibom: policy failed: {} violation(s)",
                report.failing().count()
            );
        }
        Ok(ExitStatus::Failure)
    }
}
