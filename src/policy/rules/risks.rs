//! `[risks] max_severity`: every risk above the cap is a violation carrying the risk's rule.

use crate::bom::Bom;
use crate::policy::{Location, Policy, RuleId, Violation};

pub fn check(bom: &Bom, policy: &Policy, out: &mut Vec<Violation>) {
    let Some(max) = policy.max_severity else {
        return;
    };
    for r in bom.risks.iter().filter(|r| r.severity > max) {
        out.push(Violation {
            rule: RuleId::RiskSeverity,
            severity: r.severity,
            risk_rule: Some(r.rule.clone()),
            component: r.component.clone(),
            message: format!(
                "{} ({}, above {}): {}",
                r.rule,
                r.severity.as_str(),
                max.as_str(),
                r.message
            ),
            evidence: vec![Location {
                path: r.path.clone(),
                line: r.line,
            }],
            waived: None,
        });
    }
}
