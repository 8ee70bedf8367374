//! Waivers: silence matching violations until their expiry date. An expired waiver silences
//! nothing and is reported as `AIBOM-POLICY-WAIVER-EXPIRED`, so it cannot rot unnoticed.

use crate::policy::config::Waiver;
use crate::policy::{Date, Location, Policy, RuleId, Violation};

fn matches(w: &Waiver, v: &Violation) -> bool {
    let rule_ok = w.rule.is_match(v.rule.as_str())
        || v.risk_rule.as_deref().is_some_and(|r| w.rule.is_match(r));
    let component_ok = match &w.component {
        None => true,
        Some(p) => v.component.as_deref().is_some_and(|c| p.is_match(c)),
    };
    let path_ok = match &w.path {
        None => true,
        Some(p) => v.evidence.iter().any(|e| p.is_match(&e.path)),
    };
    rule_ok && component_ok && path_ok
}

pub fn apply(policy: &Policy, today: Date, out: &mut Vec<Violation>) {
    let (live, expired): (Vec<&Waiver>, Vec<&Waiver>) = policy
        .waivers
        .iter()
        .partition(|w| w.expires.is_none_or(|e| today <= e));
    for v in out.iter_mut() {
        if let Some(w) = live.iter().find(|w| matches(w, v)) {
            v.waived = Some(w.reason.clone());
        }
    }
    for w in expired {
        let still_needed = out.iter().filter(|v| matches(w, v)).count();
        let expires = w.expires.map(|d| d.to_string()).unwrap_or_default();
        out.push(Violation {
            rule: RuleId::WaiverExpired,
            severity: RuleId::WaiverExpired.severity(),
            risk_rule: None,
            component: None,
            message: format!(
                "waiver #{} for {} expired on {expires} ({} violation(s) it covered now fail): {}",
                w.index + 1,
                w.rule.text,
                still_needed,
                w.reason
            ),
            evidence: vec![Location {
                path: policy.source.clone(),
                line: u32::try_from(w.line).ok(),
            }],
            waived: None,
        });
    }
}
