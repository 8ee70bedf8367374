//! Live-looking AI provider credentials committed to any text file.
//!
//! # What it detects
//! OpenAI (`sk-…`, `sk-proj-…`, `sk-svcacct-…`), Anthropic (`sk-ant-…`), Hugging Face
//! (`hf_…`), Google (`AIza…`), Replicate (`r8_…`), Groq (`gsk_…`), LangSmith (`lsv2_…`),
//! Perplexity (`pplx-…`), xAI (`xai-…`), and keys recognisable only by context: Cohere and
//! Mistral keys assigned to their variable names, Azure OpenAI keys (32 hex) assigned to a key
//! variable in a file that names an `openai.azure.com` endpoint. Each is an `AIBOM-SECRET`
//! (high) plus the provider's `service` (medium).
//!
//! # Files claimed
//! Text files by extension or name (`.env*`, source, config, notebooks, Markdown, Dockerfile)
//! up to 2 MiB; lock files are skipped.
//!
//! # Evidence and confidence
//! The value never leaves the scanner: messages carry [`redact_secret`] output only and every
//! snippet passes through [`safe_snippet`].
//!
//! # Not handled
//! Generic high-entropy strings without a provider shape; keys split across lines or encoded.
//! Placeholders (`sk-...`, `your-key-here`, `<OPENAI_API_KEY>`, runs of `x`, repeated or
//! sequential characters, low-entropy bodies) are not reported.
//!
//! # References
//! Provider key formats as documented by the providers and by secret-scanning rule sets.

use crate::bom::{Confidence, Evidence, Method};
use crate::detect::deps::LineIndex;
use crate::detect::providers::{self, Provider};
use crate::detect::util::{redact_secret, snippet};
use crate::detect::{Candidate, Claim, Context, DetectOutcome, FileInput};
use crate::risk::risk;
use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::OnceLock;

pub const ID: &str = "ai-secret";

/// Files larger than this are not searched: real config and source files are far smaller.
const MAX_BYTES: u64 = 2 * 1024 * 1024;

/// A secret found in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretMatch {
    pub provider: &'static str,
    pub kind: &'static str,
    pub start: usize,
    pub end: usize,
}

struct Rule {
    /// What must occur in the text for the rule to run.
    trigger: Trigger,
    provider: &'static str,
    kind: &'static str,
    re: Regex,
    /// Capture group holding the key (0 = whole match).
    group: usize,
    /// Minimum distinct characters in the random part.
    min_distinct: usize,
}

fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let r = |provider, kind, re: &str, group, min_distinct| Rule {
            trigger: trigger_of(provider),
            provider,
            kind,
            re: Regex::new(re).unwrap_or_else(|e| panic!("secret rule {kind}: {e}")),
            group,
            min_distinct,
        };
        vec![
            r("anthropic", "Anthropic API key", r"sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,120}|sk-ant-[A-Za-z0-9_-]{40,}", 0, 16),
            r("openai", "OpenAI API key", r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,200}", 0, 16),
            r("openai", "OpenAI API key", r"sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|sk-[A-Za-z0-9]{48}", 0, 16),
            r("huggingface", "Hugging Face token", r"hf_[A-Za-z0-9]{34,40}", 0, 14),
            r("google-gemini", "Google API key", r"AIza[0-9A-Za-z_-]{35}", 0, 14),
            r("replicate", "Replicate API token", r"r8_[A-Za-z0-9]{37}", 0, 14),
            r("groq", "Groq API key", r"gsk_[A-Za-z0-9]{52}", 0, 16),
            r("langsmith", "LangSmith API key", r"lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}", 0, 10),
            r("perplexity", "Perplexity API key", r"pplx-[A-Za-z0-9]{48}", 0, 16),
            r("xai", "xAI API key", r"xai-[A-Za-z0-9]{80}", 0, 16),
            r("cohere", "Cohere API key", r#"(?i)(?:COHERE|CO)_API_KEY["']?\s*[:=]\s*["']?([A-Za-z0-9]{40})\b"#, 1, 14),
            r("mistral", "Mistral API key", r#"(?i)MISTRAL_API_KEY["']?\s*[:=]\s*["']?([A-Za-z0-9]{32})\b"#, 1, 12),
            r("azure-openai", "Azure OpenAI key", r#"(?i)(?:AZURE_OPENAI_(?:API_)?KEY|api[_-]?key)["']?\s*[:=]\s*["']?([a-f0-9]{32})\b"#, 1, 10),
        ]
    })
}

/// What must occur in a text for a rule to be worth running.
#[derive(Debug, Clone, Copy)]
enum Trigger {
    /// A key prefix from [`PREFILTER`], which every match of the rule contains as written.
    Prefix(&'static str),
    /// A key variable name: one of [`KEY_NAMES`] in any case (`COHERE_API_KEY`, `apiKey`).
    KeyName,
    /// An Azure OpenAI endpoint or variable: the Azure rule also accepts `AZURE_OPENAI_KEY`,
    /// which holds none of the words above.
    AzureContext,
}

fn trigger_of(provider: &str) -> Trigger {
    match provider {
        "anthropic" | "openai" => Trigger::Prefix("sk-"),
        "huggingface" => Trigger::Prefix("hf_"),
        "google-gemini" => Trigger::Prefix("AIza"),
        "replicate" => Trigger::Prefix("r8_"),
        "groq" => Trigger::Prefix("gsk_"),
        "langsmith" => Trigger::Prefix("lsv2_"),
        "perplexity" => Trigger::Prefix("pplx-"),
        "xai" => Trigger::Prefix("xai-"),
        "azure-openai" => Trigger::AzureContext,
        _ => Trigger::KeyName,
    }
}

/// Key prefixes, matched as written (the rules are case-sensitive there). None overlaps another,
/// so a non-overlapping search sees every one that occurs.
const PREFILTER: &[&str] = &[
    "sk-", "hf_", "AIza", "r8_", "gsk_", "lsv2_", "pplx-", "xai-",
];

/// Key variable names, matched in any ASCII case by [`has_key_name`].
const KEY_NAMES: &[&str] = &["api_key", "api-key", "apikey"];

fn prefilter() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        // leftmost-first lets the automaton use a SIMD (Teddy) prefilter; with no two prefixes
        // overlapping it reports the same occurrences as standard semantics
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(PREFILTER)
            .unwrap_or_else(|e| panic!("secret prefilter: {e}"))
    })
}

/// Whether `text` holds one of [`KEY_NAMES`] in any case. A scan for `k`/`K` (rare in text)
/// with a look around each, several times faster than a case-insensitive automaton over every
/// byte.
fn has_key_name(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr2_iter(b'k', b'K', b).any(|i| {
        b.get(i..i + 3)
            .is_some_and(|k| k.eq_ignore_ascii_case(b"key"))
            && KEY_NAMES.iter().any(|name| {
                // every name ends in `key`: compare what comes before it
                let head = &name.as_bytes()[..name.len() - 3];
                i >= head.len() && b[i - head.len()..i].eq_ignore_ascii_case(head)
            })
    })
}

/// Whether `text` names an Azure OpenAI endpoint or variable. Searched in every file, so as
/// [`has_key_name`] does: a vectorised scan for the rare `z`/`Z` both words hold, each hit
/// checked in place (two `str::contains` per file were 1.5 % of a scan's instructions on the
/// 200k-file corpus; a prebuilt automaton or `memmem` finder cost more on files this small).
fn has_azure_context(text: &str) -> bool {
    const ENDPOINT: &[u8] = b".openai.azure.com";
    const VARIABLE: &[u8] = b"AZURE_OPENAI";
    let b = text.as_bytes();
    let at = |i: usize, word: &[u8], z: usize| {
        i.checked_sub(z)
            .and_then(|start| b.get(start..start + word.len()))
            .is_some_and(|w| w == word)
    };
    memchr::memchr2_iter(b'z', b'Z', b).any(|i| match b[i] {
        b'z' => at(i, ENDPOINT, 9),
        _ => at(i, VARIABLE, 1),
    })
}

/// Every live-looking provider key in `text`, in order.
pub fn find_secrets(text: &str) -> Vec<SecretMatch> {
    // a rule whose trigger is absent cannot match
    let mut present = [false; PREFILTER.len()];
    for m in prefilter().find_iter(text) {
        present[m.pattern().as_usize()] = true;
    }
    let key_name = has_key_name(text);
    let azure_context = has_azure_context(text);
    if !present.contains(&true) && !key_name && !azure_context {
        return Vec::new();
    }
    // matches by start: ordered for the overlap test (a scan of every earlier match before)
    // and for the result
    let mut taken: BTreeMap<usize, SecretMatch> = BTreeMap::new();
    for rule in rules() {
        let wanted = match rule.trigger {
            Trigger::Prefix(p) => PREFILTER
                .iter()
                .position(|l| *l == p)
                .is_some_and(|i| present[i]),
            Trigger::KeyName => key_name,
            Trigger::AzureContext => azure_context,
        };
        if !wanted {
            continue;
        }
        let spans: Vec<(usize, usize)> = if rule.group == 0 {
            rule.re
                .find_iter(text)
                .map(|m| (m.start(), m.end()))
                .collect()
        } else {
            rule.re
                .captures_iter(text)
                .filter_map(|c| c.get(rule.group))
                .map(|m| (m.start(), m.end()))
                .collect()
        };
        for (start, end) in spans {
            // keys are delimited: not part of a longer identifier
            let before = text[..start].chars().next_back();
            let after = text[end..].chars().next();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                || after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                continue;
            }
            // taken spans never overlap, so the one starting last before `end` ends last
            if taken
                .range(..end)
                .next_back()
                .is_some_and(|(_, m)| start < m.end)
            {
                continue;
            }
            if !looks_live(&text[start..end], rule.min_distinct) {
                continue;
            }
            let found = SecretMatch {
                provider: rule.provider,
                kind: rule.kind,
                start,
                end,
            };
            taken.insert(start, found);
        }
    }
    taken.into_values().collect()
}

/// Shape checks that separate a real key from a placeholder or an example.
fn looks_live(key: &str, min_distinct: usize) -> bool {
    // the random part: after the last known prefix separator
    let body = key
        .trim_start_matches("sk-ant-")
        .trim_start_matches("sk-proj-")
        .trim_start_matches("sk-");
    let lower = body.to_ascii_lowercase();
    for bad in [
        "xxxx",
        "your",
        "example",
        "placeholder",
        "dummy",
        "redacted",
        "insert",
        "0000",
        "1234",
        "abcd",
        "test",
    ] {
        if lower.contains(bad) {
            return false;
        }
    }
    let mut distinct: Vec<char> = body.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < min_distinct {
        return false;
    }
    // a real key mixes letters and digits
    let digits = body.bytes().filter(u8::is_ascii_digit).count();
    let letters = body.bytes().filter(u8::is_ascii_alphabetic).count();
    if digits == 0 || letters == 0 {
        return false;
    }
    entropy(body) >= 3.0
}

/// Shannon entropy in bits per character.
fn entropy(s: &str) -> f64 {
    let mut counts = [0usize; 256];
    for b in s.bytes() {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    if n == 0.0 {
        return 0.0;
    }
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// `text` with every secret replaced by its redacted form.
pub fn redact_all(text: &str) -> String {
    let found = find_secrets(text);
    if found.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for m in found {
        out.push_str(&text[last..m.start]);
        out.push_str(&redact_secret(&text[m.start..m.end]));
        last = m.end;
    }
    out.push_str(&text[last..]);
    out
}

/// An evidence snippet with secrets redacted.
pub fn safe_snippet(line: &str) -> String {
    snippet(&redact_all(line))
}

pub fn claim(c: &Candidate) -> Claim {
    if c.size > MAX_BYTES {
        return Claim::No;
    }
    let n = c.name_lower;
    if n.ends_with(".lock")
        || n == "package-lock.json"
        || n == "pnpm-lock.yaml"
        || n.ends_with(".min.js")
    {
        return Claim::No;
    }
    let by_ext = matches!(
        c.ext,
        "py" | "ipynb"
            | "js"
            | "mjs"
            | "cjs"
            | "ts"
            | "tsx"
            | "jsx"
            | "json"
            | "jsonc"
            | "yaml"
            | "yml"
            | "toml"
            | "sh"
            | "bash"
            | "zsh"
            | "md"
            | "txt"
            | "cfg"
            | "ini"
            | "conf"
            | "properties"
            | "go"
            | "rs"
            | "java"
            | "kt"
            | "rb"
            | "php"
            | "cs"
            | "tf"
            | "tfvars"
            | "env"
            | "r"
            | "swift"
            | "xml"
    );
    if by_ext
        || n.starts_with(".env")
        || n == "dockerfile"
        || n.ends_with(".dockerfile")
        || n.starts_with("dockerfile.")
    {
        Claim::Yes
    } else {
        Claim::No
    }
}

pub fn detect(input: &FileInput, _ctx: &Context) -> DetectOutcome {
    let mut out = DetectOutcome::default();
    let text = match input.text() {
        Ok(t) => t,
        // binary or non-UTF-8 content under a text name: nothing to search, not a failure
        Err(_) => return out,
    };
    let found = find_secrets(text);
    if found.is_empty() {
        return out;
    }
    let lines = LineIndex::new(text);
    for m in &found {
        let line = lines.line(m.start);
        let value = &text[m.start..m.end];
        let line_text = lines.line_text(text, line).unwrap_or("");
        let line_start = lines.line_start(line).unwrap_or(0);
        let line_text = snippet_source(line_text, line_start, &found);
        let mut ev = Evidence::new(
            &input.rel_path,
            Some(line),
            ID,
            Method::StringLiteral,
            Confidence::Medium,
        );
        ev.snippet = Some(safe_snippet(line_text));
        let component = providers::provider(m.provider).map(|p: &'static Provider| {
            let f = providers::provider_service_finding(p, ev);
            let id = f.id();
            out.findings.push(f);
            id
        });
        out.risks.push(risk(
            "AIBOM-SECRET",
            component,
            format!(
                "{} committed in plain text: {}",
                m.kind,
                redact_secret(value)
            ),
            &input.rel_path,
            Some(line),
        ));
    }
    out
}

/// Enough of a long line (starting at byte `line_start` of the text `found` was found in)
/// for its snippet, never ending inside a key. Redacting a whole minified line once for every
/// key in it was quadratic; a snippet shows only its first characters, and redaction shrinks a
/// key to no less than an eighth.
fn snippet_source<'t>(line: &'t str, line_start: usize, found: &[SecretMatch]) -> &'t str {
    const ENOUGH: usize = 4096;
    if line.len() <= ENOUGH {
        return line;
    }
    let mut cut = line_start + ENOUGH;
    // `found` is sorted and never overlaps: only the last key starting before the cut can
    // straddle it
    let before = found.partition_point(|m| m.start < cut);
    if let Some(m) = before.checked_sub(1).and_then(|i| found.get(i)) {
        if cut < m.end {
            cut = m.end;
        }
    }
    let mut cut = (cut - line_start).min(line.len());
    while !line.is_char_boundary(cut) {
        cut += 1;
    }
    &line[..cut]
}

#[cfg(test)]
mod tests {
    use super::*;

    // assembled at run time so the source never holds a key-shaped literal
    fn key(prefix: &str, body: &str) -> String {
        format!("{prefix}{body}")
    }
    const BODY48: &str = "Qm7vT2kR9xLp4WnZ8cJ3hYf6bD1sGa5eUq0tMiKoVrNlPzEw";

    #[test]
    fn a_long_line_is_cut_for_its_snippet_after_the_key_it_would_split() {
        let k = key("hf_", "Qm7vT2kR9xLp4WnZ8cJ3hYf6bD1sGa5eUq0t");
        let text = format!("{} {k} {}\n", "a".repeat(4090), "b".repeat(5000));
        let found = find_secrets(&text);
        assert_eq!(found.len(), 1);
        assert!(found[0].start < 4096 && 4096 < found[0].end);
        let line = text.trim_end();
        assert_eq!(snippet_source(line, 0, &found).len(), found[0].end);
        let short = format!("x = '{k}'");
        assert_eq!(snippet_source(&short, 0, &find_secrets(&short)), short);
        // a one-line file with a key every few bytes: each snippet is redacted
        let many: String = (0..2000).map(|_| format!("{k} ")).collect();
        let out = detect(
            &FileInput::from_bytes("keys.txt", many.into_bytes()),
            &Context::default(),
        );
        assert_eq!(out.risks.len(), 2000);
        assert!(out.findings.iter().all(|f| !f
            .evidence
            .snippet
            .as_deref()
            .unwrap_or("")
            .contains("Qm7vT2kR9x")));
    }

    #[test]
    fn live_keys_are_found_and_redacted() {
        let k = key("sk-proj-", &format!("{BODY48}Ab3"));
        let text = format!("OPENAI_API_KEY={k}\n");
        let found = find_secrets(&text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].provider, "openai");
        let red = redact_all(&text);
        assert!(!red.contains(BODY48));
        assert!(red.contains("sk-p…(redacted"));
        let hf = key("hf_", &BODY48[..34]);
        assert_eq!(find_secrets(&format!("token = \"{hf}\"")).len(), 1);
        let ant = key("sk-ant-api03-", &format!("{BODY48}{BODY48}xY"));
        assert_eq!(find_secrets(&ant)[0].provider, "anthropic");
    }

    #[test]
    fn key_names_in_any_case() {
        for (t, want) in [
            ("MISTRAL_API_KEY=x", true),
            ("apiKey: x", true),
            ("api-key", true),
            ("APIKEY", true),
            ("x_Api_Key", true),
            ("key", false),
            ("api key", false),
            ("monkey", false),
            ("api_ke", false),
            ("", false),
        ] {
            assert_eq!(has_key_name(t), want, "{t}");
            let lower = t.to_ascii_lowercase();
            assert_eq!(KEY_NAMES.iter().any(|k| lower.contains(k)), want, "{t}");
        }
        let body = &BODY48[..32];
        for name in ["MISTRAL_API_KEY", "mistral_api_key"] {
            let found = find_secrets(&format!("{name}={body}\n"));
            assert_eq!(found.len(), 1, "{name}");
            assert_eq!(found[0].provider, "mistral");
        }
        let co = &BODY48[..40];
        let found = find_secrets(&format!("CO_API_KEY: \"{co}\""));
        assert_eq!(found[0].provider, "cohere");
    }

    #[test]
    fn azure_key_under_its_own_variable_name() {
        // `AZURE_OPENAI_KEY` holds no prefix and no `api_key`: the Azure context alone decides
        let text = "AZURE_OPENAI_ENDPOINT=https://contoso.openai.azure.com/\n\
                    AZURE_OPENAI_KEY=3f9a1c7e5b2d4f608a9c1e3b5d7f9a2c\n";
        let found = find_secrets(text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].provider, "azure-openai");
    }

    #[test]
    fn azure_context_is_either_word_anywhere() {
        for (text, want) in [
            ("https://contoso.openai.azure.com/", true),
            ("x AZURE_OPENAI_ENDPOINT", true),
            ("AZURE_OPENAI", true),
            ("azure_openai", false),
            ("openai.azure.com", false),
            ("AZURE OPENAI", false),
            ("", false),
        ] {
            assert_eq!(has_azure_context(text), want, "{text:?}");
        }
    }

    #[test]
    fn placeholders_are_not_secrets() {
        for t in [
            "OPENAI_API_KEY=sk-...",
            "OPENAI_API_KEY=your-key-here",
            "OPENAI_API_KEY=<OPENAI_API_KEY>",
            "api_key=\"sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"",
            "sk-proj-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "sk-proj-abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstu",
            "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "login(token=\"\")",
            "task-sk-Qm7vT2kR9xLp4WnZ8cJ3hYf6bD1sGa5eUq0tMiKoVrNlPzEw",
        ] {
            assert!(find_secrets(t).is_empty(), "{t}");
        }
        // a 32-hex value is only an Azure key next to an Azure endpoint
        let hex = "api_key = \"3f9a1c7e5b2d4f608a9c1e3b5d7f9a2c\"";
        assert!(find_secrets(hex).is_empty());
        let azure = format!("endpoint = \"https://contoso.openai.azure.com/\"\n{hex}");
        assert_eq!(find_secrets(&azure)[0].provider, "azure-openai");
    }

    #[test]
    fn detector_never_prints_the_value() {
        let k = key("gsk_", &format!("{BODY48}Zq4x"));
        let input = FileInput::from_bytes(".env", format!("GROQ_API_KEY={k}\n").into_bytes());
        let out = detect(&input, &Context::default());
        assert_eq!(out.risks.len(), 1);
        assert!(!out.risks[0].message.contains(&k[8..]));
        let snip = out.findings[0].evidence.snippet.clone().unwrap_or_default();
        assert!(!snip.contains(&k[8..]), "{snip}");
    }
}
