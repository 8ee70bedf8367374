//! A table for people at a terminal: one section per kind, a risks section, a warnings line
//! and a closing coverage line. Never parse it; the JSON formats are the contract.
//!
//! Every line fits [`WIDTH`] columns: column widths are computed once for all sections (so the
//! sections line up), the widest columns give way first, and cut values end (or, for paths,
//! start) with `…`. Display widths count East Asian wide characters as two. Text from the
//! scanned tree is sanitized first: control and bidirectional-override characters become `�`,
//! so a crafted file name cannot move the cursor or reorder what the terminal shows.
//! Colour (severity-coloured, bold headings) only when asked; otherwise no escape codes.

use super::RenderOptions;
use crate::bom::{Bom, Component, ComponentKind, Risk, Severity};
use std::collections::BTreeMap;
use tabled::builder::Builder;
use tabled::grid::util::string::{get_char_width, get_string_width};
use tabled::settings::Style;

/// The terminal width the output must fit.
pub const WIDTH: usize = 100;

pub fn render(bom: &Bom, opts: &RenderOptions) -> String {
    let paint = Paint(opts.color);
    let mut out = String::new();

    let groups: Vec<(ComponentKind, Vec<&Component>)> = ComponentKind::ALL
        .into_iter()
        .map(|k| (k, bom.components.iter().filter(|c| c.kind == k).collect()))
        .filter(|(_, v): &(ComponentKind, Vec<&Component>)| !v.is_empty())
        .collect();
    if !groups.is_empty() {
        let by_component = super::cyclonedx::risks_by_component(bom);
        let header = ["name", "version", "category", "where found", "risks"];
        let rows: Vec<Vec<(String, Option<Severity>)>> = groups
            .iter()
            .flat_map(|(_, cs)| cs.iter().map(|c| component_row(c, &by_component)))
            .collect();
        let cuts = [Cut::End, Cut::End, Cut::End, Cut::Start, Cut::End];
        // version gives way first, then category, where found, and the name last
        let widths = fit(
            &header,
            &rows,
            &[(1, 10), (2, 14), (3, 22), (0, 28)],
            &[12, 7, 8, 14, usize::MAX],
        );
        let mut rows = rows.into_iter();
        for (kind, cs) in &groups {
            out.push_str(&paint.bold(&format!("{} ({})", plural(*kind, cs.len()), cs.len())));
            out.push('\n');
            let section: Vec<_> = rows.by_ref().take(cs.len()).collect();
            out.push_str(&grid(&header, &section, &widths, &cuts, paint));
            out.push('\n');
        }
    }

    if !bom.risks.is_empty() {
        let header = ["severity", "rule", "location", "message"];
        let rows: Vec<Vec<(String, Option<Severity>)>> = bom
            .risks
            .iter()
            .map(|r| {
                vec![
                    (r.severity.as_str().to_string(), Some(r.severity)),
                    (clean(&r.rule), None),
                    (location(&r.path, r.line), None),
                    (clean(&r.message), None),
                ]
            })
            .collect();
        let widths = fit(
            &header,
            &rows,
            &[(3, 40), (2, 20)],
            &[usize::MAX, 12, 14, 20],
        );
        // messages matter most here: wrap them (a few lines at most) rather than cut them
        let cuts = [Cut::End, Cut::End, Cut::Start, Cut::Wrap(4)];
        out.push_str(&paint.bold(&format!("risks ({})", bom.risks.len())));
        out.push('\n');
        out.push_str(&grid(&header, &rows, &widths, &cuts, paint));
        out.push('\n');
    }

    if !bom.warnings.is_empty() {
        let n = bom.warnings.len();
        out.push_str(&format!(
            "{n} {}: files not read completely; the JSON output lists each with its reason\n",
            if n == 1 { "warning" } else { "warnings" }
        ));
    }
    for line in wrap(&summary_segments(bom), WIDTH) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn component_row(
    c: &Component,
    by_component: &BTreeMap<&str, Vec<&Risk>>,
) -> Vec<(String, Option<Severity>)> {
    // a model file has no catalogue category: its format is what a reader wants to see
    let category = c
        .prop_str("category")
        .or_else(|| c.prop_str("format"))
        .map(clean);
    let provider = c.provider.as_deref().map(clean);
    let cat = match (category, provider) {
        (Some(c), Some(p)) if c != p => format!("{c}/{p}"),
        (Some(c), _) => c,
        (None, Some(p)) => p,
        (None, None) => String::new(),
    };
    let found = match c.evidence.first() {
        Some(e) if c.evidence.len() > 1 => {
            format!("{} +{}", location(&e.path, e.line), c.evidence.len() - 1)
        }
        Some(e) => location(&e.path, e.line),
        None => String::new(),
    };
    let risks = by_component
        .get(c.id.as_str())
        .map_or(&[][..], Vec::as_slice);
    let worst = risks.iter().map(|r| r.severity).max();
    let risk_cell = match worst {
        Some(s) => format!("{} {}", risks.len(), s.as_str()),
        None => String::new(),
    };
    vec![
        (
            clean(if c.name.trim().is_empty() {
                &c.id
            } else {
                &c.name
            }),
            None,
        ),
        (clean(c.version.as_deref().unwrap_or("")), None),
        (cat, None),
        (found, None),
        (risk_cell, worst),
    ]
}

fn location(path: &str, line: Option<u32>) -> String {
    match line {
        Some(l) => format!("{}:{l}", clean(path)),
        None => clean(path),
    }
}

fn plural(kind: ComponentKind, n: usize) -> &'static str {
    let one = n == 1;
    match kind {
        ComponentKind::Model if one => "model",
        ComponentKind::Model => "models",
        ComponentKind::Dataset if one => "dataset",
        ComponentKind::Dataset => "datasets",
        ComponentKind::Library if one => "library",
        ComponentKind::Library => "libraries",
        ComponentKind::Service if one => "service",
        ComponentKind::Service => "services",
        ComponentKind::Container if one => "container",
        ComponentKind::Container => "containers",
        ComponentKind::McpServer if one => "mcp-server",
        ComponentKind::McpServer => "mcp-servers",
    }
}

/// `N components (x models, …)`, `R risks`, `W warnings`, `files: walked …`.
fn summary_segments(bom: &Bom) -> Vec<String> {
    let n = bom.components.len();
    let mut first = format!("{n} component{}", if n == 1 { "" } else { "s" });
    let counts: Vec<String> = ComponentKind::ALL
        .into_iter()
        .filter_map(|k| {
            let n = bom.components.iter().filter(|c| c.kind == k).count();
            (n > 0).then(|| format!("{n} {}", plural(k, n)))
        })
        .collect();
    if !counts.is_empty() {
        first.push_str(&format!(" ({})", counts.join(", ")));
    }
    let r = bom.risks.len();
    let w = bom.warnings.len();
    let cov = &bom.coverage;
    let skipped: u64 = cov.skipped.values().sum();
    vec![
        first,
        format!("{r} risk{}", if r == 1 { "" } else { "s" }),
        format!("{w} warning{}", if w == 1 { "" } else { "s" }),
        format!(
            "files: walked {}, claimed {}, parsed {}, failed {}, skipped {skipped}",
            cov.walked, cov.claimed, cov.parsed, cov.failed
        ),
    ]
}

/// Join segments with ` · `, starting a new line where the next one would pass `width`.
fn wrap(segments: &[String], width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for s in segments {
        if cur.is_empty() {
            cur = s.clone();
        } else if get_string_width(&cur) + 3 + get_string_width(s) <= width {
            cur.push_str(" · ");
            cur.push_str(s);
        } else {
            lines.push(std::mem::take(&mut cur));
            cur = s.clone();
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

#[derive(Clone, Copy)]
enum Cut {
    /// Keep the beginning (names, messages).
    End,
    /// Keep the end (paths: the file name and line matter most).
    Start,
    /// Wrap at spaces into at most this many lines, the last cut with `…` if needed.
    Wrap(usize),
}

/// Column widths that fit [`WIDTH`] with the sharp style's borders and padding. Start from the
/// natural widths; if too wide, cut columns to their soft caps in the order given (the least
/// important first), then shave the widest column above its floor until the table fits.
fn fit(
    header: &[&str],
    rows: &[Vec<(String, Option<Severity>)>],
    soft_caps: &[(usize, usize)],
    floors: &[usize],
) -> Vec<usize> {
    let mut widths: Vec<usize> = header.iter().map(|h| get_string_width(h)).collect();
    for row in rows {
        for (w, (cell, _)) in widths.iter_mut().zip(row) {
            *w = (*w).max(get_string_width(cell));
        }
    }
    let budget = WIDTH.saturating_sub(3 * header.len() + 1);
    let floors: Vec<usize> = widths
        .iter()
        .zip(header)
        .zip(floors)
        .map(|((w, h), f)| (*f).max(get_string_width(h)).min(*w))
        .collect();
    for &(col, cap) in soft_caps {
        let total: usize = widths.iter().sum();
        if total <= budget {
            break;
        }
        let cap = cap.max(floors[col]);
        if widths[col] > cap {
            widths[col] -= (widths[col] - cap).min(total - budget);
        }
    }
    while widths.iter().sum::<usize>() > budget {
        let Some((i, _)) = widths
            .iter()
            .enumerate()
            .filter(|(i, w)| **w > floors[*i])
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
        else {
            break;
        };
        widths[i] -= 1;
    }
    widths
}

fn grid(
    header: &[&str],
    rows: &[Vec<(String, Option<Severity>)>],
    widths: &[usize],
    cuts: &[Cut],
    paint: Paint,
) -> String {
    let mut b = Builder::new();
    b.push_record(
        header
            .iter()
            .zip(widths)
            .map(|(h, w)| paint.bold(&pad(h, *w))),
    );
    for row in rows {
        b.push_record(
            row.iter()
                .zip(widths)
                .zip(cuts)
                .map(|(((cell, sev), w), cut)| {
                    if let Cut::Wrap(max) = cut {
                        return wrap_cell(cell, *w, *max)
                            .iter()
                            .map(|l| pad(l, *w))
                            .collect::<Vec<_>>()
                            .join("\n");
                    }
                    let text = fit_cell(cell, *w, *cut);
                    let padded = pad(&text, *w);
                    match sev {
                        // colour the text only, so the padding stays plain
                        Some(s) if !text.is_empty() => {
                            let rest = &padded[text.len()..];
                            format!("{}{rest}", paint.severity(*s, &text))
                        }
                        _ => padded,
                    }
                }),
        );
    }
    let mut t = b.build();
    t.with(Style::sharp());
    t.to_string()
}

fn pad(s: &str, width: usize) -> String {
    let w = get_string_width(s);
    let mut out = s.to_string();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}

/// `s` in lines of at most `width` columns, broken at spaces (inside a word when a word is
/// longer than a line), at most `max` lines.
fn wrap_cell(s: &str, width: usize, max: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in s.split(' ').filter(|w| !w.is_empty()) {
        let sep = usize::from(!cur.is_empty());
        if get_string_width(&cur) + sep + get_string_width(word) <= width {
            if sep == 1 {
                cur.push(' ');
            }
            cur.push_str(word);
            continue;
        }
        if !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
        }
        let mut rest = word;
        while get_string_width(rest) > width {
            let mut used = 0;
            let split = rest
                .char_indices()
                .find(|(_, c)| {
                    used += get_char_width(*c);
                    used > width
                })
                .map(|(i, _)| i)
                .unwrap_or(rest.len());
            if split == 0 {
                break;
            }
            lines.push(rest[..split].to_string());
            rest = &rest[split..];
        }
        cur = rest.to_string();
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.len() > max && max > 0 {
        lines.truncate(max);
        let last = lines.pop().unwrap_or_default();
        lines.push(fit_cell(&format!("{last} …"), width, Cut::End));
        if let Some(l) = lines.last_mut() {
            if !l.ends_with('…') {
                l.push('…');
            }
        }
    }
    lines
}

/// `s` cut to `width` display columns with `…` marking the cut.
fn fit_cell(s: &str, width: usize, cut: Cut) -> String {
    if get_string_width(s) <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let room = width - 1;
    let mut used = 0;
    let mut kept: Vec<char> = Vec::new();
    let from_end = matches!(cut, Cut::Start);
    let chars: Box<dyn Iterator<Item = char>> = if from_end {
        Box::new(s.chars().rev())
    } else {
        Box::new(s.chars())
    };
    for c in chars {
        let cw = get_char_width(c);
        if used + cw > room {
            break;
        }
        used += cw;
        kept.push(c);
    }
    if from_end {
        ['…'].into_iter().chain(kept.into_iter().rev()).collect()
    } else {
        kept.into_iter().chain(['…']).collect()
    }
}

/// Text from the scanned tree with terminal-controlling characters replaced.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            let bidi_or_invisible = matches!(c,
                '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}' | '\u{FEFF}');
            if c.is_control() || bidi_or_invisible {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn wrap(self, code: &str, s: &str) -> String {
        if self.0 && !s.is_empty() {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn bold(self, s: &str) -> String {
        self.wrap("1", s)
    }

    fn severity(self, sev: Severity, s: &str) -> String {
        let code = match sev {
            Severity::Critical => "1;31",
            Severity::High => "31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info => "2",
        };
        self.wrap(code, s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_cut_by_display_width() {
        assert_eq!(fit_cell("transformers", 20, Cut::End), "transformers");
        assert_eq!(fit_cell("transformers", 6, Cut::End), "trans…");
        assert_eq!(
            fit_cell("src/deep/dir/app.py:12", 10, Cut::Start),
            "…app.py:12"
        );
        // wide characters take two columns and are never split
        let cut = fit_cell("日本語コーパス", 8, Cut::End);
        assert_eq!(cut, "日本語…");
        assert!(get_string_width(&cut) <= 8);
        assert_eq!(fit_cell("abc", 0, Cut::End), "");
    }

    #[test]
    fn messages_wrap_at_spaces_within_a_line_budget() {
        assert_eq!(wrap_cell("one two three", 7, 4), ["one two", "three"]);
        assert_eq!(wrap_cell("abcdefghij", 4, 4), ["abcd", "efgh", "ij"]);
        let many = wrap_cell("a b c d e f g h", 1, 3);
        assert_eq!(many.len(), 3);
        assert!(many[2].ends_with('…'));
        for l in wrap_cell("日本語のメッセージ とても長い", 5, 10) {
            assert!(get_string_width(&l) <= 5, "{l}");
        }
        assert!(wrap_cell("", 5, 2).is_empty());
    }

    #[test]
    fn terminal_controls_are_neutralized() {
        assert_eq!(
            clean("a\x1b[2Jb\u{202E}c\nd"),
            "a\u{FFFD}[2Jb\u{FFFD}c\u{FFFD}d"
        );
    }

    #[test]
    fn the_summary_wraps_at_segment_boundaries() {
        let segs: Vec<String> = ["a".repeat(60), "b".repeat(30), "c".repeat(30)]
            .into_iter()
            .collect();
        let lines = wrap(&segs, 100);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0], format!("{} · {}", "a".repeat(60), "b".repeat(30)));
    }

    #[test]
    fn widths_fit_the_budget() {
        let header = ["name", "version", "category", "where found", "risks"];
        let rows = vec![vec![
            ("n".repeat(80), None),
            ("v".repeat(30), None),
            ("c".repeat(40), None),
            ("w".repeat(90), None),
            ("2 critical".to_string(), Some(Severity::Critical)),
        ]];
        let w = fit(&header, &rows, &[(1, 12)], &[12, 7, 10, 14, usize::MAX]);
        assert_eq!(w.iter().sum::<usize>() + 3 * 5 + 1, WIDTH);
        assert_eq!(w[4], 10);
    }
}
