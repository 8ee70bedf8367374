//! A small, strict PEP 508 requirement parser: name, extras, version specifier, URL, marker.
//!
//! It never evaluates markers; it only splits the string into its parts so that detectors can
//! report them. Anything it does not understand is an error, not a guess.
//!
//! References: <https://peps.python.org/pep-0508/>, <https://peps.python.org/pep-0440/>.

/// One parsed requirement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requirement {
    /// The distribution name as written.
    pub name: String,
    pub extras: Vec<String>,
    /// The version specifier with whitespace removed (`>=4.40,<5`), if any.
    pub specifier: Option<String>,
    /// A direct reference (`name @ url`).
    pub url: Option<String>,
    /// The environment marker as written (whitespace collapsed), never evaluated.
    pub marker: Option<String>,
}

impl Requirement {
    /// The exact version an `==` / `===` pin names (no wildcard, one clause), if any.
    pub fn pinned_version(&self) -> Option<&str> {
        exact_pin(self.specifier.as_deref()?)
    }
}

/// The version of a single-clause exact pin (`==1.2.3`, `===1.2.3`), if `spec` is one.
pub fn exact_pin(spec: &str) -> Option<&str> {
    if spec.contains(',') {
        return None;
    }
    let v = spec
        .strip_prefix("===")
        .or_else(|| spec.strip_prefix("=="))?
        .trim();
    (!v.is_empty() && !v.contains('*')).then_some(v)
}

/// True for a valid PEP 508 distribution name.
pub fn is_valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if f.is_ascii_alphanumeric() && l.is_ascii_alphanumeric() => b
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-')),
        _ => false,
    }
}

/// Parse one requirement string.
pub fn parse(input: &str) -> Result<Requirement, String> {
    let s = input.trim();
    if s.is_empty() {
        return Err("empty requirement".to_string());
    }
    let name_end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        .unwrap_or(s.len());
    let name = &s[..name_end];
    if !is_valid_name(name) {
        return Err(format!("not a valid package name: {:?}", short(s)));
    }
    let mut req = Requirement {
        name: name.to_string(),
        ..Default::default()
    };
    let mut rest = s[name_end..].trim_start();

    if let Some(after) = rest.strip_prefix('[') {
        let close = after
            .find(']')
            .ok_or_else(|| format!("unclosed extras in {:?}", short(s)))?;
        for extra in after[..close].split(',') {
            let extra = extra.trim();
            if extra.is_empty() {
                continue;
            }
            if !is_valid_name(extra) {
                return Err(format!("bad extra {:?}", short(extra)));
            }
            req.extras.push(extra.to_string());
        }
        rest = after[close + 1..].trim_start();
    }

    if let Some(after) = rest.strip_prefix('@') {
        let after = after.trim_start();
        // PEP 508: the URL ends at whitespace; a marker after a URL needs a space before `;`
        let end = after.find(char::is_whitespace).unwrap_or(after.len());
        let url = &after[..end];
        if url.is_empty() || !url.contains(':') {
            return Err(format!("bad direct reference in {:?}", short(s)));
        }
        req.url = Some(url.to_string());
        rest = after[end..].trim_start();
        if !rest.is_empty() {
            let marker = rest
                .strip_prefix(';')
                .ok_or_else(|| format!("unexpected text after URL in {:?}", short(s)))?;
            req.marker = parse_marker(marker)?;
        }
        return Ok(req);
    }

    let (spec_part, marker_part) = match rest.find(';') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let mut spec = spec_part.trim();
    if let Some(inner) = spec.strip_prefix('(') {
        spec = inner
            .strip_suffix(')')
            .ok_or_else(|| format!("unclosed parenthesis in {:?}", short(s)))?
            .trim();
    }
    if !spec.is_empty() {
        req.specifier = Some(parse_specifier(spec)?);
    }
    if let Some(m) = marker_part {
        req.marker = parse_marker(m)?;
    }
    Ok(req)
}

const OPERATORS: [&str; 8] = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"];

/// Validate a PEP 440 specifier set and return it with whitespace removed.
pub fn parse_specifier(spec: &str) -> Result<String, String> {
    let mut out = Vec::new();
    for clause in spec.split(',') {
        let clause = clause.trim();
        let op = OPERATORS
            .iter()
            .find(|op| clause.starts_with(**op))
            .ok_or_else(|| format!("bad version specifier {:?}", short(spec)))?;
        let version = clause[op.len()..].trim();
        let ok = !version.is_empty()
            && version.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '*' | '+' | '!' | '-' | '_')
            });
        if !ok {
            return Err(format!("bad version in specifier {:?}", short(spec)));
        }
        out.push(format!("{op}{version}"));
    }
    Ok(out.join(","))
}

fn parse_marker(marker: &str) -> Result<Option<String>, String> {
    let collapsed = marker.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return Err("empty environment marker".to_string());
    }
    // a marker is an expression over a fixed set of variables; a quote left open means the
    // string was cut or is not a marker at all
    let quotes_balanced =
        collapsed.matches('"').count() % 2 == 0 && collapsed.matches('\'').count() % 2 == 0;
    if !quotes_balanced {
        return Err(format!(
            "unbalanced quotes in marker {:?}",
            short(&collapsed)
        ));
    }
    Ok(Some(collapsed))
}

fn short(s: &str) -> String {
    crate::detect::util::snippet(&super::strip_userinfo(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_extras_specifiers_markers() {
        let r = parse("transformers[torch, sentencepiece] >= 4.40, <5 ; python_version >= \"3.9\"")
            .unwrap();
        assert_eq!(r.name, "transformers");
        assert_eq!(r.extras, ["torch", "sentencepiece"]);
        assert_eq!(r.specifier.as_deref(), Some(">=4.40,<5"));
        assert_eq!(r.marker.as_deref(), Some("python_version >= \"3.9\""));
        assert_eq!(r.pinned_version(), None);

        let r = parse("torch==2.3.0+cu121").unwrap();
        assert_eq!(r.pinned_version(), Some("2.3.0+cu121"));
        let r = parse("torch (==2.1.*)").unwrap();
        assert_eq!(r.specifier.as_deref(), Some("==2.1.*"));
        assert_eq!(r.pinned_version(), None);
        assert_eq!(
            parse("openai~=1.30").unwrap().specifier.as_deref(),
            Some("~=1.30")
        );
        assert_eq!(parse("Flash_Attn").unwrap().name, "Flash_Attn");
    }

    #[test]
    fn direct_references() {
        let r = parse("llama-index @ git+https://github.com/run-llama/llama_index@v0.10.0 ; sys_platform == 'linux'")
            .unwrap();
        assert_eq!(
            r.url.as_deref(),
            Some("git+https://github.com/run-llama/llama_index@v0.10.0")
        );
        assert_eq!(r.marker.as_deref(), Some("sys_platform == 'linux'"));
        assert!(parse("x @ ").is_err());
        assert!(parse("x @ https://a/b.whl junk").is_err());
    }

    #[test]
    fn garbage_is_rejected() {
        for bad in [
            "",
            "-e .",
            "torch >> 2",
            "torch[cuda",
            "torch (>=2",
            "torch >=",
            "torch; python_version == '3.8",
            "@@@",
            "torch>=2 $(rm -rf /)",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should not parse");
        }
    }
}
