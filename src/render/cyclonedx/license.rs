//! Licence strings → CycloneDX `licenses`.
//!
//! A string that is an SPDX licence id (matched case-insensitively, as SPDX prescribes, and
//! written in the list's spelling: `apache-2.0` → `Apache-2.0`) becomes `{"license": {"id"}}`;
//! the id must be in the enum of the vendored `spdx.schema.json`, or the document would not
//! validate. A well-formed compound SPDX expression (`MIT OR Apache-2.0`, `GPL-2.0-only WITH
//! Classpath-exception-2.0`, `LicenseRef-…`) becomes `{"expression"}`. Anything else (hub tags
//! such as `openrail++`, `llama3`, `other`) is a named licence `{"license": {"name"}}`.
//!
//! 1.6 allows either a list of licence objects or exactly one expression; 1.7 allows them
//! mixed. For 1.6 a mix is folded into one `AND` expression when every part is SPDX, and
//! otherwise the expressions are written as named licences, so nothing is dropped.

use super::model::{License, LicenseChoice};
use crate::render::SpecVersion;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const SPDX_IDS: &str = include_str!("spdx_ids.txt");

/// lowercased id → the list's spelling.
fn ids() -> &'static BTreeMap<String, &'static str> {
    static IDS: OnceLock<BTreeMap<String, &'static str>> = OnceLock::new();
    IDS.get_or_init(|| {
        SPDX_IDS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| (l.to_ascii_lowercase(), l))
            .collect()
    })
}

/// The SPDX list spelling of `s`, when it is a licence id of the vendored list.
pub fn spdx_id(s: &str) -> Option<&'static str> {
    ids().get(&s.to_ascii_lowercase()).copied()
}

#[derive(Debug, Clone, PartialEq)]
enum Classified {
    Id(&'static str),
    Expression(String),
    Name(String),
}

fn classify(s: &str) -> Option<Classified> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(id) = spdx_id(s) {
        return Some(Classified::Id(id));
    }
    Some(match expression(s) {
        Some(e) => Classified::Expression(e),
        None => Classified::Name(s.to_string()),
    })
}

/// The `licenses` array for `licenses` (already sorted and deduplicated by the BOM).
pub fn licenses(licenses: &[String], spec: SpecVersion) -> Vec<LicenseChoice> {
    let mut parts: Vec<Classified> = Vec::new();
    for c in licenses.iter().filter_map(|s| classify(s)) {
        if !parts.contains(&c) {
            parts.push(c);
        }
    }
    let has_expression = parts.iter().any(|p| matches!(p, Classified::Expression(_)));
    if spec == SpecVersion::V1_6 && has_expression && parts.len() > 1 {
        let all_spdx = parts.iter().all(|p| !matches!(p, Classified::Name(_)));
        if all_spdx {
            let joined: Vec<String> = parts
                .iter()
                .map(|p| match p {
                    Classified::Id(id) => (*id).to_string(),
                    Classified::Expression(e) => format!("({e})"),
                    Classified::Name(n) => n.clone(),
                })
                .collect();
            return vec![LicenseChoice::Expression {
                expression: joined.join(" AND "),
            }];
        }
        return parts
            .into_iter()
            .map(|p| match p {
                Classified::Id(id) => license(License::Id(id.to_string())),
                Classified::Expression(e) | Classified::Name(e) => license(License::Name(e)),
            })
            .collect();
    }
    parts
        .into_iter()
        .map(|p| match p {
            Classified::Id(id) => license(License::Id(id.to_string())),
            Classified::Expression(e) => LicenseChoice::Expression { expression: e },
            Classified::Name(n) => license(License::Name(n)),
        })
        .collect()
}

fn license(l: License) -> LicenseChoice {
    LicenseChoice::License { license: l }
}

/// `s` rewritten with list spellings if it is a well-formed SPDX licence expression that is
/// not a plain id: `(`, `)`, `AND`, `OR`, `WITH <exception>`, ids with an optional `+`, and
/// `LicenseRef-` / `DocumentRef-…:LicenseRef-` references. Operators must be upper case.
pub fn expression(s: &str) -> Option<String> {
    let spaced = s.replace('(', " ( ").replace(')', " ) ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    if tokens.is_empty() || tokens.len() > 256 {
        return None;
    }
    let mut p = Parser {
        tokens: &tokens,
        pos: 0,
        depth: 0,
        out: Vec::new(),
    };
    p.expr()?;
    if p.pos != tokens.len() {
        return None;
    }
    let text = p.out.join(" ").replace("( ", "(").replace(" )", ")");
    Some(text)
}

struct Parser<'a> {
    tokens: &'a [&'a str],
    pos: usize,
    depth: usize,
    out: Vec<String>,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a str> {
        self.tokens.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<&'a str> {
        let t = self.tokens.get(self.pos).copied();
        self.pos += 1;
        t
    }

    fn expr(&mut self) -> Option<()> {
        self.term()?;
        while let Some(op @ ("AND" | "OR")) = self.peek() {
            self.out.push(op.to_string());
            self.pos += 1;
            self.term()?;
        }
        Some(())
    }

    fn term(&mut self) -> Option<()> {
        if self.peek() == Some("(") {
            self.depth += 1;
            if self.depth > 32 {
                return None;
            }
            self.pos += 1;
            self.out.push("(".to_string());
            self.expr()?;
            if self.next() != Some(")") {
                return None;
            }
            self.out.push(")".to_string());
            self.depth -= 1;
            return Some(());
        }
        let tok = self.next()?;
        let simple = simple_license(tok)?;
        self.out.push(simple);
        if self.peek() == Some("WITH") {
            self.pos += 1;
            let exception = self.next()?;
            if !is_idstring(exception) {
                return None;
            }
            self.out.push("WITH".to_string());
            self.out.push(exception.to_string());
        }
        Some(())
    }
}

/// `[A-Za-z0-9.-]+`, the SPDX idstring.
fn is_idstring(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

fn simple_license(tok: &str) -> Option<String> {
    if matches!(tok, "AND" | "OR" | "WITH" | "(" | ")") {
        return None;
    }
    let (doc, rest) = match tok.split_once(':') {
        Some((d, r)) => (Some(d), r),
        None => (None, tok),
    };
    if let Some(d) = doc {
        let ok = d.strip_prefix("DocumentRef-").is_some_and(is_idstring);
        if !ok {
            return None;
        }
    }
    if let Some(r) = rest.strip_prefix("LicenseRef-") {
        return is_idstring(r).then(|| tok.to_string());
    }
    if doc.is_some() {
        return None;
    }
    let (base, plus) = match rest.strip_suffix('+') {
        Some(b) => (b, "+"),
        None => (rest, ""),
    };
    spdx_id(base).map(|id| format!("{id}{plus}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(l: &[&str], spec: SpecVersion) -> String {
        let v: Vec<String> = l.iter().map(|s| s.to_string()).collect();
        serde_json::to_string(&licenses(&v, spec)).unwrap()
    }

    #[test]
    fn the_vendored_list_is_complete_and_exact() {
        assert_eq!(ids().len(), 811);
        assert_eq!(spdx_id("apache-2.0"), Some("Apache-2.0"));
        assert_eq!(spdx_id("CC-BY-NC-4.0"), Some("CC-BY-NC-4.0"));
        assert_eq!(spdx_id("openrail++"), None);
        assert_eq!(spdx_id("llama3"), None);
    }

    #[test]
    fn ids_names_and_expressions() {
        assert_eq!(
            render(&["mit", "llama3"], SpecVersion::V1_6),
            r#"[{"license":{"id":"MIT"}},{"license":{"name":"llama3"}}]"#
        );
        assert_eq!(
            render(&["Apache-2.0 OR mit"], SpecVersion::V1_6),
            r#"[{"expression":"Apache-2.0 OR MIT"}]"#
        );
        assert_eq!(
            render(
                &["(MIT OR Apache-2.0) AND GPL-2.0-only WITH Classpath-exception-2.0"],
                SpecVersion::V1_7
            ),
            r#"[{"expression":"(MIT OR Apache-2.0) AND GPL-2.0-only WITH Classpath-exception-2.0"}]"#
        );
        assert_eq!(
            render(&["LicenseRef-acme-1"], SpecVersion::V1_6),
            r#"[{"expression":"LicenseRef-acme-1"}]"#
        );
    }

    #[test]
    fn mixes_fold_for_1_6_and_stay_apart_for_1_7() {
        assert_eq!(
            render(&["Apache-2.0 OR MIT", "BSD-3-Clause"], SpecVersion::V1_6),
            r#"[{"expression":"(Apache-2.0 OR MIT) AND BSD-3-Clause"}]"#
        );
        assert_eq!(
            render(&["Apache-2.0 OR MIT", "openrail"], SpecVersion::V1_6),
            r#"[{"license":{"name":"Apache-2.0 OR MIT"}},{"license":{"name":"openrail"}}]"#
        );
        assert_eq!(
            render(&["Apache-2.0 OR MIT", "openrail"], SpecVersion::V1_7),
            r#"[{"expression":"Apache-2.0 OR MIT"},{"license":{"name":"openrail"}}]"#
        );
    }

    #[test]
    fn malformed_expressions_are_names() {
        for bad in [
            "MIT or Apache-2.0",
            "MIT OR",
            "(MIT",
            "MIT)",
            "Nonsense-1.0 OR MIT",
            "MIT WITH",
            "AND",
            "DocumentRef-x:MIT",
            "Apache 2.0",
        ] {
            assert_eq!(expression(bad), None, "{bad}");
        }
        let deep = format!("{}MIT{}", "(".repeat(100), ")".repeat(100));
        assert_eq!(expression(&deep), None);
        assert_eq!(render(&["", "  "], SpecVersion::V1_6), "[]");
    }
}
