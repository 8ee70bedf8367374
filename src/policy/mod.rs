//! `aibom check`: evaluate a BOM against a [`Policy`] into [`Violation`]s.
//!
//! Rules live in `rules/` (one file per area). Each violation carries a [`RuleId`] (serialized in
//! the `AIBOM-POLICY-*` form, documented in docs/rules.md), the component and its evidence.
//! Waivers are applied last; an expired waiver no longer waives and is reported itself.

pub mod config;
pub mod rules;

pub use config::{Date, Policy};

use crate::bom::{Bom, Component, Severity};
use serde::Serialize;

/// Stable ids of policy rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum RuleId {
    #[serde(rename = "AIBOM-POLICY-LICENSE-DENIED")]
    LicenseDenied,
    #[serde(rename = "AIBOM-POLICY-LICENSE-NONCOMMERCIAL")]
    LicenseNoncommercial,
    #[serde(rename = "AIBOM-POLICY-LICENSE-NOT-ALLOWED")]
    LicenseNotAllowed,
    #[serde(rename = "AIBOM-POLICY-MISSING-HASH")]
    MissingHash,
    #[serde(rename = "AIBOM-POLICY-MODEL-DENIED")]
    ModelDenied,
    #[serde(rename = "AIBOM-POLICY-MODEL-FORMAT")]
    ModelFormat,
    #[serde(rename = "AIBOM-POLICY-MODEL-NOT-ALLOWED")]
    ModelNotAllowed,
    #[serde(rename = "AIBOM-POLICY-PROVIDER-DENIED")]
    ProviderDenied,
    #[serde(rename = "AIBOM-POLICY-PROVIDER-NOT-ALLOWED")]
    ProviderNotAllowed,
    #[serde(rename = "AIBOM-POLICY-RISK-SEVERITY")]
    RiskSeverity,
    #[serde(rename = "AIBOM-POLICY-UNPINNED-REVISION")]
    UnpinnedRevision,
    #[serde(rename = "AIBOM-POLICY-WAIVER-EXPIRED")]
    WaiverExpired,
}

impl RuleId {
    /// Every policy rule, sorted by id.
    pub const ALL: [RuleId; 12] = [
        RuleId::LicenseDenied,
        RuleId::LicenseNoncommercial,
        RuleId::LicenseNotAllowed,
        RuleId::MissingHash,
        RuleId::ModelDenied,
        RuleId::ModelFormat,
        RuleId::ModelNotAllowed,
        RuleId::ProviderDenied,
        RuleId::ProviderNotAllowed,
        RuleId::RiskSeverity,
        RuleId::UnpinnedRevision,
        RuleId::WaiverExpired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::LicenseDenied => "AIBOM-POLICY-LICENSE-DENIED",
            RuleId::LicenseNoncommercial => "AIBOM-POLICY-LICENSE-NONCOMMERCIAL",
            RuleId::LicenseNotAllowed => "AIBOM-POLICY-LICENSE-NOT-ALLOWED",
            RuleId::MissingHash => "AIBOM-POLICY-MISSING-HASH",
            RuleId::ModelDenied => "AIBOM-POLICY-MODEL-DENIED",
            RuleId::ModelFormat => "AIBOM-POLICY-MODEL-FORMAT",
            RuleId::ModelNotAllowed => "AIBOM-POLICY-MODEL-NOT-ALLOWED",
            RuleId::ProviderDenied => "AIBOM-POLICY-PROVIDER-DENIED",
            RuleId::ProviderNotAllowed => "AIBOM-POLICY-PROVIDER-NOT-ALLOWED",
            RuleId::RiskSeverity => "AIBOM-POLICY-RISK-SEVERITY",
            RuleId::UnpinnedRevision => "AIBOM-POLICY-UNPINNED-REVISION",
            RuleId::WaiverExpired => "AIBOM-POLICY-WAIVER-EXPIRED",
        }
    }

    /// One line, for tables and SARIF short descriptions.
    pub fn summary(self) -> &'static str {
        match self {
            RuleId::LicenseDenied => "licence is on the deny list",
            RuleId::LicenseNoncommercial => "licence forbids commercial use",
            RuleId::LicenseNotAllowed => "licence is not on the allow list",
            RuleId::MissingHash => "model file has no content hash",
            RuleId::ModelDenied => "model is on the deny list",
            RuleId::ModelFormat => "model format is denied (pickle executes code on load)",
            RuleId::ModelNotAllowed => "model is not on the allow list",
            RuleId::ProviderDenied => "provider is on the deny list",
            RuleId::ProviderNotAllowed => "provider is not on the allow list",
            RuleId::RiskSeverity => "risk exceeds the maximum allowed severity",
            RuleId::UnpinnedRevision => "hub model or dataset is not pinned to a commit",
            RuleId::WaiverExpired => "waiver has expired",
        }
    }

    /// The severity a violation of this rule has when it has no risk of its own.
    pub fn severity(self) -> Severity {
        match self {
            RuleId::ModelFormat | RuleId::ModelDenied | RuleId::ProviderDenied => Severity::High,
            RuleId::LicenseDenied | RuleId::LicenseNoncommercial => Severity::High,
            RuleId::WaiverExpired | RuleId::MissingHash | RuleId::UnpinnedRevision => Severity::Low,
            _ => Severity::Medium,
        }
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place a violation points at.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}", self.path),
            None => f.write_str(&self.path),
        }
    }
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub rule: RuleId,
    pub severity: Severity,
    /// For `AIBOM-POLICY-RISK-SEVERITY`: the risk's own rule id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk_rule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    pub message: String,
    pub evidence: Vec<Location>,
    /// The reason of the waiver that silences it; a waived violation does not fail the check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived: Option<String>,
}

impl Violation {
    pub fn new(rule: RuleId, c: Option<&Component>, message: impl Into<String>) -> Self {
        Violation {
            rule,
            severity: rule.severity(),
            risk_rule: None,
            component: c.map(|c| c.id.clone()),
            message: message.into(),
            evidence: c.map(evidence_of).unwrap_or_default(),
            waived: None,
        }
    }
}

/// The locations of a component's evidence.
pub fn evidence_of(c: &Component) -> Vec<Location> {
    let mut v: Vec<Location> = c
        .evidence
        .iter()
        .map(|e| Location {
            path: e.path.clone(),
            line: e.line,
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

/// The outcome of `check`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: &'static str,
    /// Unwaived violations first, each group ordered by severity then rule.
    pub violations: Vec<Violation>,
}

impl Report {
    /// Violations that count (not waived).
    pub fn failing(&self) -> impl Iterator<Item = &Violation> {
        self.violations.iter().filter(|v| v.waived.is_none())
    }

    pub fn passed(&self) -> bool {
        self.failing().next().is_none()
    }
}

/// The wire id of `aibom check -f json`.
pub const REPORT_SCHEMA: &str = "aibom-check/v1";

/// Evaluate `bom` against `policy`. `today` decides which waivers have expired.
pub fn check(bom: &Bom, policy: &Policy, today: Date) -> Report {
    let mut violations = Vec::new();
    rules::providers::check(bom, policy, &mut violations);
    rules::models::check(bom, policy, &mut violations);
    rules::licenses::check(bom, policy, &mut violations);
    rules::risks::check(bom, policy, &mut violations);
    rules::waivers::apply(policy, today, &mut violations);
    violations.sort_by(|a, b| {
        a.waived
            .is_some()
            .cmp(&b.waived.is_some())
            .then_with(|| b.severity.cmp(&a.severity))
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.component.cmp(&b.component))
            .then_with(|| a.message.cmp(&b.message))
    });
    violations.dedup();
    Report {
        schema: REPORT_SCHEMA,
        violations,
    }
}

/// "Today" for waiver expiry: `AIBOM_TODAY` (YYYY-MM-DD) when set, else the system clock (UTC).
/// This is the only place wall-clock time enters aibom; it changes the exit status of `check`,
/// never the bytes of a BOM.
pub fn today() -> Result<Date, String> {
    if let Some(v) = std::env::var_os("AIBOM_TODAY") {
        let s = v.to_string_lossy();
        return Date::parse(&s).ok_or_else(|| format!("AIBOM_TODAY={s:?} is not YYYY-MM-DD"));
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Ok(Date::from_unix_days((secs / 86_400) as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_sorted_unique_and_documented() {
        for pair in RuleId::ALL.windows(2) {
            assert!(pair[0].as_str() < pair[1].as_str());
        }
        let docs = include_str!("../../docs/rules.md");
        for r in RuleId::ALL {
            assert!(
                docs.contains(&format!("## {}\n", r.as_str())),
                "{r} undocumented"
            );
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
        }
    }
}
