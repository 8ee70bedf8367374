//! GitHub-flavoured Markdown of a BOM: a summary line, one table per kind, risks, and the
//! warnings folded in a `<details>` block. For READMEs, wikis and job summaries.

use crate::bom::{Bom, ComponentKind};

/// Escape a table cell: pipes, newlines and HTML-looking text.
pub fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace(['\n', '\r'], " ")
}

fn heading(kind: ComponentKind) -> &'static str {
    match kind {
        ComponentKind::Model => "Models",
        ComponentKind::Dataset => "Datasets",
        ComponentKind::Library => "Libraries",
        ComponentKind::Service => "Services",
        ComponentKind::Container => "Containers",
        ComponentKind::McpServer => "MCP servers",
    }
}

pub fn render(bom: &Bom) -> String {
    let mut out = String::from("# AI bill of materials\n\n");
    let counts: Vec<String> = ComponentKind::ALL
        .iter()
        .filter_map(|k| {
            let n = bom.components.iter().filter(|c| c.kind == *k).count();
            (n > 0).then(|| format!("{n} {}", heading(*k).to_lowercase()))
        })
        .collect();
    let targets: Vec<String> = bom
        .targets
        .iter()
        .map(|t| format!("`{}`", t.value))
        .collect();
    out.push_str(&format!(
        "**{}** components ({}), **{}** risks, {} warnings in {}.\n",
        bom.components.len(),
        if counts.is_empty() {
            "none".to_string()
        } else {
            counts.join(", ")
        },
        bom.risks.len(),
        bom.warnings.len(),
        if targets.is_empty() {
            "no target".to_string()
        } else {
            targets.join(", ")
        }
    ));
    for kind in ComponentKind::ALL {
        let items: Vec<_> = bom.components.iter().filter(|c| c.kind == kind).collect();
        if items.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n## {}\n\n| name | version | provider | licence | where found |\n|---|---|---|---|---|\n",
            heading(kind)
        ));
        for c in items {
            let wher: Vec<String> = c
                .evidence
                .iter()
                .take(3)
                .map(|e| match e.line {
                    Some(l) => format!("`{}:{l}`", cell(&e.path)),
                    None => format!("`{}`", cell(&e.path)),
                })
                .collect();
            let more = c.evidence.len().saturating_sub(3);
            out.push_str(&format!(
                "| {} | {} | {} | {} | {}{} |\n",
                cell(&c.name),
                cell(c.version.as_deref().unwrap_or("")),
                cell(c.provider.as_deref().unwrap_or("")),
                cell(&c.licenses.join(", ")),
                wher.join(" "),
                if more > 0 {
                    format!(" +{more}")
                } else {
                    String::new()
                }
            ));
        }
    }
    if !bom.risks.is_empty() {
        out.push_str("\n## Risks\n\n| severity | rule | where | message |\n|---|---|---|---|\n");
        for r in &bom.risks {
            let wher = match r.line {
                Some(l) => format!("{}:{l}", r.path),
                None => r.path.clone(),
            };
            out.push_str(&format!(
                "| {} | `{}` | `{}` | {} |\n",
                r.severity.as_str(),
                r.rule,
                cell(&wher),
                cell(&r.message)
            ));
        }
    }
    if !bom.warnings.is_empty() {
        out.push_str(&format!(
            "\n<details><summary>{} warnings (files that could not be read)</summary>\n\n",
            bom.warnings.len()
        ));
        for w in &bom.warnings {
            out.push_str(&format!("- `{}`: {}\n", cell(&w.path), cell(&w.message)));
        }
        out.push_str("\n</details>\n");
    }
    let cov = &bom.coverage;
    out.push_str(&format!(
        "\n_{} files walked, {} claimed, {} parsed, {} failed._\n",
        cov.walked, cov.claimed, cov.parsed, cov.failed
    ));
    out
}
