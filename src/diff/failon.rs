//! `--fail-on`: which changes make `aibom diff` exit 1.

use super::{BomDiff, Change, ChangeClass};
use crate::bom::{ComponentKind, Severity};

/// One `--fail-on` item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    NewModel,
    RemovedModel,
    NewLibrary,
    /// A new service component (a hosted AI provider or API).
    NewProvider,
    NewDataset,
    NewContainer,
    NewMcpServer,
    VersionChange,
    HashChange,
    LicenseChange,
    ProviderChange,
    Any,
    /// A new risk of this severity or above.
    Risk(Severity),
}

/// The spellings `--fail-on` accepts (risk:<severity> aside).
pub const NAMES: &[&str] = &[
    "new-model",
    "removed-model",
    "new-library",
    "new-provider",
    "new-dataset",
    "new-container",
    "new-mcp-server",
    "version-change",
    "hash-change",
    "license-change",
    "provider-change",
    "any",
];

impl Gate {
    pub fn parse(s: &str) -> Result<Gate, String> {
        let s = s.trim();
        if let Some(sev) = s.strip_prefix("risk:") {
            return Severity::parse(sev).map(Gate::Risk).ok_or_else(|| {
                format!("unknown severity in {s:?} (info, low, medium, high, critical)")
            });
        }
        Ok(match s {
            "new-model" => Gate::NewModel,
            "removed-model" => Gate::RemovedModel,
            "new-library" => Gate::NewLibrary,
            "new-provider" => Gate::NewProvider,
            "new-dataset" => Gate::NewDataset,
            "new-container" => Gate::NewContainer,
            "new-mcp-server" => Gate::NewMcpServer,
            "version-change" => Gate::VersionChange,
            "hash-change" => Gate::HashChange,
            "license-change" | "licence-change" => Gate::LicenseChange,
            "provider-change" => Gate::ProviderChange,
            "any" => Gate::Any,
            "new-risk" => Gate::Risk(Severity::Info),
            _ => {
                return Err(format!(
                    "unknown --fail-on class {s:?} (expected {}, new-risk or risk:<severity>)",
                    NAMES.join(", ")
                ))
            }
        })
    }

    /// Parse a comma-separated list.
    pub fn parse_list(s: &str) -> Result<Vec<Gate>, String> {
        s.split(',')
            .filter(|p| !p.trim().is_empty())
            .map(Gate::parse)
            .collect()
    }

    pub fn name(self) -> String {
        match self {
            Gate::Risk(s) => format!("risk:{}", s.as_str()),
            other => {
                let i = [
                    Gate::NewModel,
                    Gate::RemovedModel,
                    Gate::NewLibrary,
                    Gate::NewProvider,
                    Gate::NewDataset,
                    Gate::NewContainer,
                    Gate::NewMcpServer,
                    Gate::VersionChange,
                    Gate::HashChange,
                    Gate::LicenseChange,
                    Gate::ProviderChange,
                    Gate::Any,
                ]
                .iter()
                .position(|g| *g == other)
                .unwrap_or(0);
                NAMES.get(i).copied().unwrap_or("any").to_string()
            }
        }
    }

    pub fn matches(self, c: &Change) -> bool {
        let added = |k: ComponentKind| c.class == ChangeClass::Added && c.kind == Some(k);
        match self {
            Gate::NewModel => added(ComponentKind::Model),
            Gate::RemovedModel => {
                c.class == ChangeClass::Removed && c.kind == Some(ComponentKind::Model)
            }
            Gate::NewLibrary => added(ComponentKind::Library),
            Gate::NewProvider => added(ComponentKind::Service),
            Gate::NewDataset => added(ComponentKind::Dataset),
            Gate::NewContainer => added(ComponentKind::Container),
            Gate::NewMcpServer => added(ComponentKind::McpServer),
            Gate::VersionChange => c.class == ChangeClass::VersionChange,
            Gate::HashChange => c.class == ChangeClass::HashChange,
            Gate::LicenseChange => c.class == ChangeClass::LicenseChange,
            Gate::ProviderChange => c.class == ChangeClass::ProviderChange,
            Gate::Any => true,
            Gate::Risk(min) => {
                c.class == ChangeClass::NewRisk && c.severity.is_some_and(|s| s >= min)
            }
        }
    }
}

/// Every (gate, change) that matched, in the diff's order.
pub fn matched<'a>(gates: &[Gate], diff: &'a BomDiff) -> Vec<(Gate, &'a Change)> {
    let mut out = Vec::new();
    for c in &diff.changes {
        if let Some(g) = gates.iter().find(|g| g.matches(c)) {
            out.push((*g, c));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for n in NAMES {
            assert_eq!(Gate::parse(n).unwrap().name(), *n);
        }
        assert_eq!(
            Gate::parse("risk:high").unwrap(),
            Gate::Risk(Severity::High)
        );
        assert!(Gate::parse("risk:severe").is_err());
        assert!(Gate::parse("new-thing").is_err());
        assert_eq!(Gate::parse_list("new-model, risk:low").unwrap().len(), 2);
    }
}
