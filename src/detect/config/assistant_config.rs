//! AI coding-assistant instruction files committed to the repository.
//!
//! # What it detects
//! `AGENTS.md`, `CLAUDE.md`, `GEMINI.md`, `.cursorrules`, `.cursor/rules/*`, `.windsurfrules`,
//! `.clinerules`, `.github/copilot-instructions.md` and `.github/instructions/*.instructions.md`.
//! Each is recorded as BOM metadata under `assistant-config` as `{"path", "assistant"}`, not as
//! a component: such a file configures a developer's tool, it is not something the project
//! ships or calls, and it has no version or identity an inventory could track. It still tells a
//! reviewer that AI agents work on this code and which instructions they get.
//!
//! # Files claimed
//! The names above (by name and directory only; nothing is read but the file size).
//!
//! # Evidence and confidence
//! Metadata only; the path is the evidence. Empty files are skipped.
//!
//! # Not handled
//! The instructions themselves are not interpreted. Assistant configs in home directories are
//! outside a repository scan.
//!
//! # References
//! <https://agents.md>, <https://docs.anthropic.com/en/docs/claude-code/memory>,
//! <https://docs.github.com/en/copilot/customizing-copilot/adding-repository-custom-instructions-for-github-copilot>,
//! <https://docs.cursor.com/context/rules>

use crate::detect::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};

pub const ID: &str = "assistant-config";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "config",
    summary: "AI assistant instruction files (AGENTS.md, CLAUDE.md, .cursorrules, Copilot…) as BOM metadata",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

/// The assistant a file configures, from its path.
pub fn assistant(rel_path: &str) -> Option<&'static str> {
    let lower = rel_path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let in_dir = |d: &str| lower.split('/').rev().skip(1).any(|c| c == d);
    match name {
        "agents.md" => Some("agents-md"),
        "claude.md" | "claude.local.md" => Some("claude-code"),
        "gemini.md" => Some("gemini-cli"),
        ".cursorrules" => Some("cursor"),
        ".windsurfrules" => Some("windsurf"),
        ".clinerules" => Some("cline"),
        "copilot-instructions.md" if in_dir(".github") => Some("github-copilot"),
        n if n.ends_with(".instructions.md") && lower.contains(".github/instructions/") => {
            Some("github-copilot")
        }
        n if (n.ends_with(".mdc") || n.ends_with(".md")) && lower.contains(".cursor/rules/") => {
            Some("cursor")
        }
        _ => None,
    }
}

fn claim(c: &Candidate) -> Claim {
    // every name [`assistant`] knows is a dotfile or ends in `.md`/`.mdc`: other files are
    // turned away without lowercasing their path
    let maybe = c.name_lower.starts_with('.')
        || c.name_lower.ends_with(".md")
        || c.name_lower.ends_with(".mdc");
    if maybe && assistant(c.rel_path).is_some() {
        Claim::Yes
    } else {
        Claim::No
    }
}

fn detect(input: &FileInput, _ctx: &Context) -> DetectOutcome {
    let mut out = DetectOutcome::default();
    if input.size == 0 {
        return out;
    }
    if let Some(a) = assistant(&input.rel_path) {
        out.metadata.push((
            "assistant-config".to_string(),
            serde_json::json!({"path": input.rel_path, "assistant": a}),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(assistant("AGENTS.md"), Some("agents-md"));
        assert_eq!(assistant("sub/CLAUDE.md"), Some("claude-code"));
        assert_eq!(
            assistant(".github/copilot-instructions.md"),
            Some("github-copilot")
        );
        assert_eq!(
            assistant(".github/instructions/py.instructions.md"),
            Some("github-copilot")
        );
        assert_eq!(assistant(".cursor/rules/style.mdc"), Some("cursor"));
        assert_eq!(assistant(".cursorrules"), Some("cursor"));
        // near misses
        assert_eq!(assistant("docs/copilot-instructions.md"), None);
        assert_eq!(assistant("docs/agents.mdx"), None);
        assert_eq!(assistant("README.md"), None);
        assert_eq!(assistant("rules/style.mdc"), None);
    }

    #[test]
    fn metadata_not_components() {
        let out = detect(
            &FileInput::from_bytes("CLAUDE.md", b"# rules".to_vec()),
            &Context::default(),
        );
        assert!(out.findings.is_empty());
        assert_eq!(out.metadata.len(), 1);
        assert_eq!(out.metadata[0].1["assistant"], "claude-code");
        let empty = detect(
            &FileInput::from_bytes("CLAUDE.md", Vec::new()),
            &Context::default(),
        );
        assert!(empty.metadata.is_empty());
    }
}
