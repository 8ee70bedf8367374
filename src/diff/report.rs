//! Rendering a [`BomDiff`]: a table for people, `aibom-diff/v1` JSON for machines, and
//! GitHub-flavoured Markdown sized for a pull-request comment.

use super::{BomDiff, Change, ChangeClass};
use crate::render::markdown::cell;
use tabled::settings::Style;
use tabled::{Table, Tabled};

/// GitHub rejects comments over 65,536 characters; stay clear of it.
pub const MARKDOWN_BUDGET: usize = 60_000;

/// The one-line summary: `2 added, 1 removed, 3 changed, 1 new risk`.
pub fn summary_line(d: &BomDiff) -> String {
    if d.changes.is_empty() {
        return "no AI-BOM changes".to_string();
    }
    let changed = d.count(ChangeClass::VersionChange)
        + d.count(ChangeClass::HashChange)
        + d.count(ChangeClass::LicenseChange)
        + d.count(ChangeClass::ProviderChange);
    let mut parts = Vec::new();
    for (n, label) in [
        (d.count(ChangeClass::NewRisk), "new risk"),
        (d.count(ChangeClass::Added), "added"),
        (d.count(ChangeClass::Removed), "removed"),
        (changed, "changed"),
        (d.count(ChangeClass::ResolvedRisk), "resolved risk"),
    ] {
        if n > 0 {
            let plural = if n > 1 && label.ends_with("risk") {
                "s"
            } else {
                ""
            };
            parts.push(format!("{n} {label}{plural}"));
        }
    }
    parts.join(", ")
}

fn what(c: &Change) -> String {
    match (c.class, c.kind) {
        (ChangeClass::NewRisk | ChangeClass::ResolvedRisk, _) => {
            format!(
                "{} {}",
                c.class.as_str(),
                c.severity.map(|s| s.as_str()).unwrap_or("")
            )
        }
        (class, Some(k)) => format!("{} {k}", class.as_str()),
        (class, None) => class.as_str().to_string(),
    }
}

/// Hash lists shortened for people: `SHA-256:3f5e1a6c0b9d…`.
fn short_hashes(s: &str) -> String {
    s.split(", ")
        .map(|h| match h.split_once(':') {
            Some((alg, v)) if v.len() > 12 => format!("{alg}:{}…", &v[..12.min(v.len())]),
            _ => h.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn detail(c: &Change) -> String {
    match c.class {
        ChangeClass::HashChange => format!(
            "{} → {}",
            short_hashes(c.old.as_deref().unwrap_or("")),
            short_hashes(c.new.as_deref().unwrap_or(""))
        ),
        ChangeClass::NewRisk | ChangeClass::ResolvedRisk => c.message.clone(),
        ChangeClass::Added => c.new.clone().unwrap_or_default(),
        ChangeClass::Removed => c.old.clone().unwrap_or_default(),
        _ => format!(
            "{} → {}",
            c.old.as_deref().unwrap_or("(none)"),
            c.new.as_deref().unwrap_or("(none)")
        ),
    }
}

fn wher(c: &Change) -> String {
    let mut s = c.evidence.join(", ");
    if c.more_evidence > 0 {
        s.push_str(&format!(" (+{})", c.more_evidence));
    }
    s
}

#[derive(Tabled)]
struct Row {
    change: String,
    component: String,
    detail: String,
    #[tabled(rename = "where")]
    location: String,
}

pub fn table(d: &BomDiff) -> String {
    let rows: Vec<Row> = d
        .changes
        .iter()
        .map(|c| Row {
            change: what(c),
            component: c.component.clone().unwrap_or_else(|| c.name.clone()),
            detail: detail(c),
            location: wher(c),
        })
        .collect();
    let mut out = String::new();
    if !rows.is_empty() {
        out.push_str(&Table::new(rows).with(Style::sharp()).to_string());
        out.push('\n');
    }
    out.push_str(&format!(
        "{} → {}: {}\n",
        d.old.source,
        d.new.source,
        summary_line(d)
    ));
    out
}

pub fn json(d: &BomDiff) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(d).unwrap_or_default();
    out.push(b'\n');
    out
}

fn md_row(c: &Change) -> String {
    let icon = match c.class {
        ChangeClass::NewRisk => "🔴",
        ChangeClass::Added => "➕",
        ChangeClass::Removed => "➖",
        ChangeClass::ResolvedRisk => "✅",
        _ => "✏️",
    };
    let locs: Vec<String> = c
        .evidence
        .iter()
        .map(|e| format!("`{}`", cell(e)))
        .collect();
    let more = if c.more_evidence > 0 {
        format!(" +{}", c.more_evidence)
    } else {
        String::new()
    };
    format!(
        "| {icon} {} | `{}` | {} | {}{more} |\n",
        cell(&what(c)),
        cell(c.component.as_deref().unwrap_or(&c.name)),
        cell(&detail(c)),
        locs.join(" ")
    )
}

const MD_HEADER: &str = "| change | component | detail | where |\n|---|---|---|---|\n";

/// Markdown for a PR comment: summary, the most important changes, then every class in a
/// collapsible section; truncated with a note once the budget is reached.
pub fn markdown(d: &BomDiff) -> String {
    let mut out = format!(
        "### AI-BOM diff: {}\n\n`{}` → `{}` · {} → {} components · {} → {} risks\n",
        summary_line(d),
        cell(&d.old.source),
        cell(&d.new.source),
        d.old.components,
        d.new.components,
        d.old.risks,
        d.new.risks
    );
    if d.changes.is_empty() {
        return out;
    }
    let note_reserve = 400;
    let mut shown = 0usize;
    let mut truncated = false;
    let top: Vec<&Change> = d.changes.iter().take(10).collect();
    out.push('\n');
    out.push_str(MD_HEADER);
    for c in &top {
        out.push_str(&md_row(c));
    }
    // A short diff is shown whole above; sections only help when there is more to read.
    let sections: &[ChangeClass] = if d.changes.len() > top.len() {
        &ChangeClass::ALL
    } else {
        &[]
    };
    for class in sections.iter().copied() {
        let items: Vec<&Change> = d.changes.iter().filter(|c| c.class == class).collect();
        if items.is_empty() {
            continue;
        }
        let open = if class == ChangeClass::NewRisk {
            " open"
        } else {
            ""
        };
        let head = format!(
            "\n<details{open}><summary><b>{}</b> ({})</summary>\n\n{MD_HEADER}",
            class.title(),
            items.len()
        );
        if out.len() + head.len() + note_reserve > MARKDOWN_BUDGET {
            truncated = true;
            break;
        }
        out.push_str(&head);
        for c in items {
            let row = md_row(c);
            if out.len() + row.len() + note_reserve > MARKDOWN_BUDGET {
                truncated = true;
                break;
            }
            out.push_str(&row);
            shown += 1;
        }
        out.push_str("\n</details>\n");
        if truncated {
            break;
        }
    }
    if truncated {
        out.push_str(&format!(
            "\n> **Truncated:** {} of {} changes are listed here to fit a comment; run `aibom diff -f json` for all of them.\n",
            shown,
            d.changes.len()
        ));
    }
    out
}
