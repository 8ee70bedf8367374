//! The policy file (`aibom-policy.toml`): the raw serde shape, and its validation into a
//! [`Policy`] whose invariants hold. Validation collects every problem with its location
//! (`key` and line) instead of stopping at the first, so one edit fixes them all.

use super::RuleId;
use crate::bom::Severity;
use globset::{GlobBuilder, GlobMatcher};
use serde::Deserialize;
use toml::Spanned;

/// The starter policy `aibom check --init` writes, and the policy used when none is found.
/// Its defaults already fail on critical risks and on pickle-format models.
pub const STARTER: &str = include_str!("starter.toml");

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default)]
    providers: RawProviders,
    #[serde(default)]
    models: RawModels,
    #[serde(default)]
    licenses: RawLicenses,
    #[serde(default)]
    risks: RawRisks,
    #[serde(default)]
    waivers: Vec<RawWaiver>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawProviders {
    allow: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    deny: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawModels {
    allow: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    deny: Vec<Spanned<String>>,
    #[serde(default)]
    deny_formats: Vec<Spanned<String>>,
    #[serde(default)]
    require_pinned_revision: bool,
    #[serde(default)]
    require_hashes: bool,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLicenses {
    allow: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    deny: Vec<Spanned<String>>,
    non_commercial: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    deny_non_commercial: bool,
    kinds: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRisks {
    max_severity: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    rule: Spanned<String>,
    component: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
    expires: Option<Spanned<String>>,
}

/// A case-insensitive glob kept with its source text.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub text: String,
    matcher: GlobMatcher,
}

impl Pattern {
    pub fn new(text: &str) -> Result<Pattern, String> {
        let glob = GlobBuilder::new(text)
            .case_insensitive(true)
            .literal_separator(false)
            .build()
            .map_err(|e| format!("invalid glob {text:?}: {}", e.kind()))?;
        Ok(Pattern {
            text: text.to_string(),
            matcher: glob.compile_matcher(),
        })
    }

    pub fn is_match(&self, s: &str) -> bool {
        self.matcher.is_match(s)
    }
}

/// A calendar date, `YYYY-MM-DD`, compared as a tuple.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    pub fn parse(s: &str) -> Option<Date> {
        let mut it = s.trim().splitn(3, '-');
        let (y, m, d) = (it.next()?, it.next()?, it.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let date = Date {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
            day: d.parse().ok()?,
        };
        let leap = (date.year % 4 == 0 && date.year % 100 != 0) || date.year % 400 == 0;
        let days = match date.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days).contains(&date.day).then_some(date)
    }

    /// The civil date of a Unix day number (Howard Hinnant's `civil_from_days`).
    pub fn from_unix_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// One waiver: which violations it silences, why, and until when.
#[derive(Debug, Clone)]
pub struct Waiver {
    /// 0-based position in the file, and its line, for messages.
    pub index: usize,
    pub line: usize,
    pub rule: Pattern,
    pub component: Option<Pattern>,
    pub path: Option<Pattern>,
    pub reason: String,
    pub expires: Option<Date>,
}

/// A validated policy.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub allow_providers: Option<Vec<String>>,
    pub deny_providers: Vec<String>,
    pub allow_models: Option<Vec<Pattern>>,
    pub deny_models: Vec<Pattern>,
    /// Lowercased format names; `pickle` stands for the whole pickle family.
    pub deny_formats: Vec<String>,
    pub require_pinned_revision: bool,
    pub require_hashes: bool,
    pub allow_licenses: Option<Vec<Pattern>>,
    pub deny_licenses: Vec<Pattern>,
    pub non_commercial: Vec<Pattern>,
    pub deny_non_commercial: bool,
    /// Component kinds the licence rules apply to.
    pub license_kinds: Vec<crate::bom::ComponentKind>,
    pub max_severity: Option<Severity>,
    pub waivers: Vec<Waiver>,
    /// The policy file as named to the user (for the location of waiver findings).
    pub source: String,
}

/// Licences that forbid commercial use, used when the policy gives no `non_commercial` list.
pub const DEFAULT_NON_COMMERCIAL: &[&str] = &[
    "CC-BY-NC-*",
    "CC-BY-NC-SA-*",
    "CC-BY-NC-ND-*",
    "*-NC-*",
    "cc-by-nc*",
    "LicenseRef-*NonCommercial*",
    "LicenseRef-*non-commercial*",
];

/// A problem in the policy file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub key: String,
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}: {}", self.key, self.message),
            None => write!(f, "{}: {}", self.key, self.message),
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map(|s| s.bytes().filter(|b| *b == b'\n').count() + 1)
        .unwrap_or(1)
}

struct Validator<'a> {
    text: &'a str,
    errors: Vec<ConfigError>,
}

impl Validator<'_> {
    fn err(&mut self, key: &str, span: Option<std::ops::Range<usize>>, message: impl Into<String>) {
        self.errors.push(ConfigError {
            key: key.to_string(),
            line: span.map(|s| line_of(self.text, s.start)),
            message: message.into(),
        });
    }

    fn patterns(&mut self, key: &str, list: &[Spanned<String>]) -> Vec<Pattern> {
        let mut out = Vec::new();
        for (i, item) in list.iter().enumerate() {
            match Pattern::new(item.get_ref()) {
                Ok(p) => out.push(p),
                Err(e) => self.err(&format!("{key}[{i}]"), Some(item.span()), e),
            }
        }
        out
    }
}

/// Parse and validate a policy file. Every problem is returned, each with its location.
pub fn parse(text: &str) -> Result<Policy, Vec<ConfigError>> {
    let raw: RawPolicy = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            return Err(vec![ConfigError {
                key: "policy".to_string(),
                line: e.span().map(|s| line_of(text, s.start)),
                message: e.message().trim().to_string(),
            }])
        }
    };
    let mut v = Validator {
        text,
        errors: Vec::new(),
    };
    let lower = |l: &[Spanned<String>]| -> Vec<String> {
        l.iter()
            .map(|s| s.get_ref().trim().to_lowercase())
            .collect()
    };
    let mut policy = Policy {
        allow_providers: raw.providers.allow.as_deref().map(lower),
        deny_providers: lower(&raw.providers.deny),
        allow_models: raw
            .models
            .allow
            .as_deref()
            .map(|l| v.patterns("models.allow", l)),
        deny_models: v.patterns("models.deny", &raw.models.deny),
        deny_formats: lower(&raw.models.deny_formats),
        require_pinned_revision: raw.models.require_pinned_revision,
        require_hashes: raw.models.require_hashes,
        allow_licenses: raw
            .licenses
            .allow
            .as_deref()
            .map(|l| v.patterns("licenses.allow", l)),
        deny_licenses: v.patterns("licenses.deny", &raw.licenses.deny),
        non_commercial: Vec::new(),
        deny_non_commercial: raw.licenses.deny_non_commercial,
        license_kinds: vec![
            crate::bom::ComponentKind::Model,
            crate::bom::ComponentKind::Dataset,
        ],
        max_severity: None,
        waivers: Vec::new(),
        source: "aibom-policy.toml".to_string(),
    };
    policy.non_commercial = match &raw.licenses.non_commercial {
        Some(list) => v.patterns("licenses.non_commercial", list),
        None => DEFAULT_NON_COMMERCIAL
            .iter()
            .filter_map(|p| Pattern::new(p).ok())
            .collect(),
    };
    if let Some(kinds) = &raw.licenses.kinds {
        policy.license_kinds.clear();
        for (i, k) in kinds.iter().enumerate() {
            match crate::bom::ComponentKind::parse(k.get_ref()) {
                Some(kind) => policy.license_kinds.push(kind),
                None => v.err(
                    &format!("licenses.kinds[{i}]"),
                    Some(k.span()),
                    format!(
                        "unknown kind {:?} (expected model, dataset, library, service, container, mcp-server)",
                        k.get_ref()
                    ),
                ),
            }
        }
    }
    for (i, f) in raw.models.deny_formats.iter().enumerate() {
        if f.get_ref().trim().is_empty() {
            v.err(
                &format!("models.deny_formats[{i}]"),
                Some(f.span()),
                "empty format name",
            );
        }
    }
    if let Some(sev) = &raw.risks.max_severity {
        match Severity::parse(sev.get_ref()) {
            Some(s) => policy.max_severity = Some(s),
            None => v.err(
                "risks.max_severity",
                Some(sev.span()),
                format!(
                    "unknown severity {:?} (expected info, low, medium, high or critical)",
                    sev.get_ref()
                ),
            ),
        }
    }
    for (i, w) in raw.waivers.iter().enumerate() {
        let key = format!("waivers[{i}]");
        // An expired waiver is reported at its date, the line to edit.
        let line = line_of(text, w.expires.as_ref().unwrap_or(&w.rule).span().start);
        let rule_text = w.rule.get_ref().trim();
        let known = RuleId::ALL.iter().any(|r| r.as_str() == rule_text)
            || crate::risk::rule(rule_text).is_some()
            || rule_text.contains('*');
        if !known {
            v.err(
                &format!("{key}.rule"),
                Some(w.rule.span()),
                format!(
                    "unknown rule {rule_text:?} (an AIBOM-POLICY-* or AIBOM-* risk id, or a glob)"
                ),
            );
        }
        let rule = v.patterns(&format!("{key}.rule"), std::slice::from_ref(&w.rule));
        let component = w
            .component
            .as_ref()
            .map(|c| v.patterns(&format!("{key}.component"), std::slice::from_ref(c)));
        let path = w
            .path
            .as_ref()
            .map(|c| v.patterns(&format!("{key}.path"), std::slice::from_ref(c)));
        let reason = match &w.reason {
            Some(r) if !r.get_ref().trim().is_empty() => r.get_ref().trim().to_string(),
            Some(r) => {
                v.err(&format!("{key}.reason"), Some(r.span()), "reason is empty");
                String::new()
            }
            None => {
                v.err(
                    &format!("{key}.reason"),
                    Some(w.rule.span()),
                    "a waiver needs a reason",
                );
                String::new()
            }
        };
        let expires = match &w.expires {
            Some(e) => match Date::parse(e.get_ref()) {
                Some(d) => Some(d),
                None => {
                    v.err(
                        &format!("{key}.expires"),
                        Some(e.span()),
                        format!("{:?} is not a date (YYYY-MM-DD)", e.get_ref()),
                    );
                    None
                }
            },
            None => None,
        };
        if let Some(rule) = rule.into_iter().next() {
            policy.waivers.push(Waiver {
                index: i,
                line,
                rule,
                component: component.and_then(|c| c.into_iter().next()),
                path: path.and_then(|c| c.into_iter().next()),
                reason,
                expires,
            });
        }
    }
    if v.errors.is_empty() {
        Ok(policy)
    } else {
        Err(v.errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starter_policy_is_valid_and_strict_where_promised() {
        let p = parse(STARTER).expect("starter parses");
        assert_eq!(p.max_severity, Some(Severity::High));
        assert!(p.deny_formats.iter().any(|f| f == "pickle"));
    }

    #[test]
    fn every_problem_is_collected_with_its_line() {
        let text = "[risks]\nmax_severity = \"severe\"\n\n[models]\ndeny = [\"a[\"]\n\n[[waivers]]\nrule = \"AIBOM-NOPE\"\nexpires = \"2024-02-30\"\n";
        let errs = parse(text).unwrap_err();
        let keys: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert_eq!(errs.len(), 5, "{keys:#?}");
        assert!(keys
            .iter()
            .any(|k| k.starts_with("line 2: risks.max_severity")));
        assert!(keys.iter().any(|k| k.starts_with("line 5: models.deny[0]")));
        assert!(keys
            .iter()
            .any(|k| k.starts_with("line 8: waivers[0].rule")));
        assert!(keys.iter().any(|k| k.contains("waivers[0].reason")));
        assert!(keys
            .iter()
            .any(|k| k.starts_with("line 9: waivers[0].expires")));
    }

    #[test]
    fn unknown_keys_are_rejected_with_a_line() {
        let errs = parse("[models]\nallow_list = []\n").unwrap_err();
        assert_eq!(errs[0].line, Some(2), "{errs:?}");
        assert!(errs[0].message.contains("allow_list"), "{errs:?}");
    }

    #[test]
    fn dates() {
        assert_eq!(
            Date::parse("2024-02-29").map(|d| d.to_string()).as_deref(),
            Some("2024-02-29")
        );
        assert!(Date::parse("2023-02-29").is_none());
        assert!(Date::parse("2023-1-01").is_none());
        assert_eq!(Date::from_unix_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_unix_days(19_782).to_string(), "2024-02-29");
    }
}
