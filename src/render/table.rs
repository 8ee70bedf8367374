//! A table for people at a terminal: grouped by kind, a closing summary line.

use super::RenderOptions;
use crate::bom::{Bom, ComponentKind};
use tabled::settings::Style;
use tabled::{Table, Tabled};

#[derive(Tabled)]
struct Row {
    kind: String,
    name: String,
    version: String,
    #[tabled(rename = "category/provider")]
    category: String,
    #[tabled(rename = "where found")]
    location: String,
}

pub fn render(bom: &Bom, _opts: &RenderOptions) -> String {
    let mut rows = Vec::new();
    for kind in ComponentKind::ALL {
        for c in bom.components.iter().filter(|c| c.kind == kind) {
            let ev = c.evidence.first();
            let location = ev
                .map(|e| match e.line {
                    Some(l) => format!("{}:{l}", e.path),
                    None => e.path.clone(),
                })
                .unwrap_or_default();
            rows.push(Row {
                kind: kind.to_string(),
                name: c.name.clone(),
                version: c.version.clone().unwrap_or_default(),
                category: c
                    .prop_str("category")
                    .or(c.provider.as_deref())
                    .unwrap_or("")
                    .to_string(),
                location,
            });
        }
    }
    let mut out = String::new();
    if !rows.is_empty() {
        out.push_str(&Table::new(rows).with(Style::sharp()).to_string());
        out.push('\n');
    }
    let cov = &bom.coverage;
    out.push_str(&format!(
        "{} components, {} risks, {} warnings; {} files walked, {} claimed, {} parsed, {} failed\n",
        bom.components.len(),
        bom.risks.len(),
        bom.warnings.len(),
        cov.walked,
        cov.claimed,
        cov.parsed,
        cov.failed
    ));
    out
}
