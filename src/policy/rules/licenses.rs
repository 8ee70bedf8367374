//! `[licenses]`: SPDX allow/deny lists and the non-commercial list, over model and dataset
//! licences (or the kinds the policy names). An SPDX expression is read simply: `A OR B` is
//! acceptable when either side is, `A AND B` when both are; `WITH` exceptions and parentheses
//! are ignored for matching.

use crate::bom::{Bom, Component, ComponentKind, Method};
use crate::policy::config::Pattern;
use crate::policy::{Policy, RuleId, Violation};

/// Alternatives of an expression, each a list of licence ids that must all hold.
fn alternatives(expr: &str) -> Vec<Vec<String>> {
    let cleaned = expr.replace(['(', ')'], " ");
    cleaned
        .split(" OR ")
        .map(|alt| {
            alt.split(" AND ")
                .map(|id| {
                    let id = id.split(" WITH ").next().unwrap_or(id);
                    id.trim().to_string()
                })
                .filter(|id| !id.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|a| !a.is_empty())
        .collect()
}

fn any_match(list: &[Pattern], id: &str) -> bool {
    list.iter().any(|p| p.is_match(id))
}

/// True when every alternative contains an id matching `list` (no way around it).
fn every_alternative_hits(expr: &str, list: &[Pattern]) -> bool {
    let alts = alternatives(expr);
    !alts.is_empty() && alts.iter().all(|a| a.iter().any(|id| any_match(list, id)))
}

/// A model called through a provider's API: no purl, a provider, no file on disk.
fn is_hosted_api_model(c: &Component) -> bool {
    c.kind == ComponentKind::Model
        && c.purl.is_none()
        && c.provider.is_some()
        && !c.evidence.iter().any(|e| {
            matches!(
                e.method,
                Method::BinaryHeader | Method::LfsPointer | Method::FileName
            )
        })
}

pub fn check(bom: &Bom, policy: &Policy, out: &mut Vec<Violation>) {
    for c in bom
        .components
        .iter()
        .filter(|c| policy.license_kinds.contains(&c.kind))
    {
        for lic in &c.licenses {
            if every_alternative_hits(lic, &policy.deny_licenses) {
                out.push(Violation::new(
                    RuleId::LicenseDenied,
                    Some(c),
                    format!("{} is licensed {lic}, which is denied", c.name),
                ));
            } else if policy.deny_non_commercial
                && every_alternative_hits(lic, &policy.non_commercial)
            {
                out.push(Violation::new(
                    RuleId::LicenseNoncommercial,
                    Some(c),
                    format!("{} is licensed {lic}, which forbids commercial use", c.name),
                ));
            } else if let Some(allow) = &policy.allow_licenses {
                let ok = alternatives(lic)
                    .iter()
                    .any(|a| a.iter().all(|id| any_match(allow, id)));
                if !ok {
                    out.push(Violation::new(
                        RuleId::LicenseNotAllowed,
                        Some(c),
                        format!("{} is licensed {lic}, which is not allowed", c.name),
                    ));
                }
            }
        }
        // A hosted API model (gpt-4o) is governed by the provider's terms, not a licence.
        if c.licenses.is_empty() && policy.allow_licenses.is_some() && !is_hosted_api_model(c) {
            out.push(Violation::new(
                RuleId::LicenseNotAllowed,
                Some(c),
                format!("{} {} declares no licence", c.kind, c.name),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions() {
        assert_eq!(
            alternatives("(MIT OR Apache-2.0) AND BSD-3-Clause WITH LLVM-exception"),
            vec![
                vec!["MIT".to_string()],
                vec!["Apache-2.0".to_string(), "BSD-3-Clause".to_string()]
            ]
        );
        let deny = vec![Pattern::new("AGPL-*").unwrap()];
        assert!(every_alternative_hits("AGPL-3.0-only", &deny));
        assert!(!every_alternative_hits("AGPL-3.0-only OR MIT", &deny));
    }
}
