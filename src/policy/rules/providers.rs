//! `[providers] allow/deny`: which hosted AI providers a component may come from.

use crate::bom::Bom;
use crate::policy::{Policy, RuleId, Violation};

pub fn check(bom: &Bom, policy: &Policy, out: &mut Vec<Violation>) {
    for c in &bom.components {
        let Some(provider) = c.provider.as_deref().map(|p| p.trim().to_lowercase()) else {
            continue;
        };
        if policy.deny_providers.contains(&provider) {
            out.push(Violation::new(
                RuleId::ProviderDenied,
                Some(c),
                format!("{} uses denied provider {provider}", c.name),
            ));
        } else if let Some(allow) = &policy.allow_providers {
            if !allow.contains(&provider) {
                out.push(Violation::new(
                    RuleId::ProviderNotAllowed,
                    Some(c),
                    format!("{} uses provider {provider}, which is not allowed", c.name),
                ));
            }
        }
    }
}
