//! Renderers: pure functions from the canonical [`Bom`] to bytes.

pub mod cyclonedx;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod table;

use crate::bom::Bom;

/// Output formats of `aibom scan` (and, where they make sense, `merge`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Native aibom/v1 JSON.
    Json,
    /// CycloneDX JSON (1.6 by default, `--spec-version 1.7`).
    Cyclonedx,
    /// A table for people; never parse it.
    Table,
    /// SARIF 2.1.0: risks as code-scanning alerts.
    Sarif,
    /// GitHub-flavoured Markdown (job summaries, wikis).
    Markdown,
}

impl Format {
    /// The format a file name asks for: `*.cdx.json`, `*.json`, …
    pub fn from_file_name(name: &str) -> Option<Format> {
        let n = name.to_ascii_lowercase();
        if n.ends_with(".cdx.json")
            || n.ends_with(".cyclonedx.json")
            || n.ends_with(".bom.json") && n.contains("cdx")
        {
            Some(Format::Cyclonedx)
        } else if n.ends_with(".sarif") || n.ends_with(".sarif.json") {
            Some(Format::Sarif)
        } else if n.ends_with(".md") {
            Some(Format::Markdown)
        } else if n.ends_with(".json") {
            Some(Format::Json)
        } else if n.ends_with(".txt") {
            Some(Format::Table)
        } else {
            None
        }
    }
}

/// CycloneDX specification versions aibom writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SpecVersion {
    #[default]
    #[value(name = "1.6")]
    V1_6,
    #[value(name = "1.7")]
    V1_7,
}

impl SpecVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            SpecVersion::V1_6 => "1.6",
            SpecVersion::V1_7 => "1.7",
        }
    }
}

/// Knobs that change rendering but not content.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    pub spec_version: SpecVersion,
    /// ANSI colours in the table (the CLI decides: a terminal, and NO_COLOR unset).
    pub color: bool,
}

/// Render `bom` in `format` into `w`. The native JSON is streamed; the other formats are
/// built whole first (they are a fraction of its size or need the whole document).
pub fn render_to<W: std::io::Write>(
    bom: &Bom,
    format: Format,
    opts: &RenderOptions,
    w: &mut W,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::render_to(bom, w),
        Format::Cyclonedx => cyclonedx::render_to(bom, opts.spec_version, w),
        Format::Sarif => sarif::render_to(bom, w),
        _ => w.write_all(&render(bom, format, opts)),
    }
}

/// Render `bom` in `format`.
pub fn render(bom: &Bom, format: Format, opts: &RenderOptions) -> Vec<u8> {
    match format {
        Format::Json => json::render(bom),
        Format::Cyclonedx => cyclonedx::render(bom, opts.spec_version),
        Format::Table => table::render(bom, opts).into_bytes(),
        Format::Sarif => sarif::render(bom),
        Format::Markdown => markdown::render(bom).into_bytes(),
    }
}
