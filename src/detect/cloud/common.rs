//! Shared plumbing of the cloud family: parsing an export (JSON or YAML, with CloudFormation
//! short-form tags degraded to readable values), small JSON accessors, and the [`Emitter`]
//! every source module writes its findings through (evidence line look-up, ids, risks).

use crate::bom::{ComponentKind, Confidence, Evidence, Finding, Method};
use crate::detect::util::{line_at, snippet};
use crate::detect::{DetectOutcome, FileInput};
use crate::risk::risk;
use serde_json::{Map, Value};
use std::cell::Cell;

/// How deep nested YAML is converted; deeper content is cut (bounded recursion).
const MAX_DEPTH: usize = 64;

/// Why a file could not be turned into a document.
#[derive(Debug)]
pub enum ParseError {
    /// A saved CLI error message instead of JSON (first line quoted).
    CliError(String),
    /// JSON that ends early or is broken.
    Json(String),
    /// YAML that does not parse.
    Yaml(String),
    /// Not readable as text (too big, binary, I/O).
    Read(String),
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::CliError(line) => write!(
                f,
                "looks like a CLI error message saved instead of an export: {line:?}"
            ),
            ParseError::Json(e) => write!(f, "truncated or malformed JSON: {e}"),
            ParseError::Yaml(e) => write!(f, "malformed YAML: {e}"),
            ParseError::Read(e) => write!(f, "{e}"),
        }
    }
}

/// True when the head of a file looks like JSON or YAML text (not binary).
pub fn looks_like_text(head: &[u8]) -> bool {
    !head.contains(&0)
        && head
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| !b.is_ascii_control())
}

/// The first line of text that a CLI would print for a failed command, if the text is one.
fn cli_error_line(text: &str) -> Option<String> {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    const PREFIXES: [&str; 8] = [
        "An error occurred",
        "ERROR:",
        "Error:",
        "error:",
        "usage:",
        "Could not connect",
        "Unable to locate credentials",
        "(",
    ];
    if PREFIXES.iter().any(|p| first.starts_with(p)) {
        Some(snippet(first))
    } else {
        None
    }
}

/// Parse a file's text as JSON (when it starts with `{`/`[`) or YAML.
pub fn parse_text(text: &str) -> Result<Value, ParseError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return serde_json::from_str(trimmed).map_err(|e| {
            if let Some(line) = cli_error_line(trimmed) {
                ParseError::CliError(line)
            } else {
                ParseError::Json(e.to_string())
            }
        });
    }
    if let Some(line) = cli_error_line(trimmed) {
        return Err(ParseError::CliError(line));
    }
    let yaml: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(trimmed).map_err(|e| ParseError::Yaml(e.to_string()))?;
    Ok(yaml_to_json(&yaml, 0))
}

/// Read and parse a claimed file.
pub fn parse_input(input: &FileInput) -> Result<(&str, Value), ParseError> {
    let text = input.text().map_err(|e| ParseError::Read(e.to_string()))?;
    let doc = parse_text(text)?;
    Ok((text, doc))
}

/// Convert YAML to JSON. A CloudFormation short-form tag becomes the long form (`!Ref X` →
/// `{"Ref": "X"}`, `!GetAtt A.B` → `{"Fn::GetAtt": ["A", "B"]}`, `!Sub s` → `{"Fn::Sub": s}`);
/// any other unknown tag keeps its value.
pub fn yaml_to_json(v: &serde_yaml_ng::Value, depth: usize) -> Value {
    use serde_yaml_ng::Value as Y;
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => serde_json::to_value(n).unwrap_or(Value::Null),
        Y::String(s) => Value::String(s.clone()),
        Y::Sequence(seq) => Value::Array(seq.iter().map(|x| yaml_to_json(x, depth + 1)).collect()),
        Y::Mapping(m) => {
            let mut out = Map::new();
            for (k, val) in m {
                let key = match k {
                    Y::String(s) => s.clone(),
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    _ => continue,
                };
                out.insert(key, yaml_to_json(val, depth + 1));
            }
            Value::Object(out)
        }
        Y::Tagged(t) => {
            let tag = t.tag.to_string();
            let tag = tag.trim_start_matches('!');
            let inner = yaml_to_json(&t.value, depth + 1);
            let long = match tag {
                "Ref" | "Condition" => tag.to_string(),
                "GetAtt" => {
                    let inner = match inner {
                        Value::String(s) => match s.split_once('.') {
                            Some((a, b)) => Value::Array(vec![a.into(), b.into()]),
                            None => Value::String(s),
                        },
                        other => other,
                    };
                    return single("Fn::GetAtt", inner);
                }
                "" => return inner,
                other => format!("Fn::{other}"),
            };
            single(&long, inner)
        }
    }
}

fn single(key: &str, v: Value) -> Value {
    let mut m = Map::new();
    m.insert(key.to_string(), v);
    Value::Object(m)
}

/// A non-empty string at `key`.
pub fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A scalar at `key` rendered as a string (numbers and booleans too).
pub fn scalar(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The value at a path of keys.
pub fn at<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().try_fold(v, |cur, k| cur.get(k))
}

/// A non-empty string at a path of keys.
pub fn at_str<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a str> {
    at(v, keys)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The items of an array at `key` (empty when absent or not an array).
pub fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// Terraform nests every block as an array, even single ones: the first item (or the value
/// itself when it is an object).
pub fn block<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    match v.get(key)? {
        Value::Array(a) => a.first().filter(|x| x.is_object()),
        o @ Value::Object(_) => Some(o),
        _ => None,
    }
}

/// The region segment of an ARN (`arn:aws:svc:REGION:ACCOUNT:...`).
pub fn arn_region(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
}

/// The account segment of an ARN.
pub fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|r| !r.is_empty())
}

/// The model id inside a Bedrock model reference: a plain id, a cross-region inference profile
/// (`us.anthropic…` → `anthropic…`) or an ARN (`…foundation-model/<id>`).
pub fn bedrock_model_id(reference: &str) -> String {
    let mut id = reference.trim();
    for marker in ["foundation-model/", "inference-profile/"] {
        if let Some(pos) = id.rfind(marker) {
            id = &id[pos + marker.len()..];
        }
    }
    for geo in [
        "us.", "eu.", "apac.", "global.", "us-gov.", "ca.", "jp.", "au.",
    ] {
        if let Some(rest) = id.strip_prefix(geo) {
            if rest.contains('.') {
                id = rest;
                break;
            }
        }
    }
    id.to_string()
}

/// The serving stack an image repository names, if known.
pub fn serving_from_image(image: &str) -> Option<&'static str> {
    let i = image.to_ascii_lowercase();
    const MAP: [(&str, &str); 13] = [
        ("/tei:", "tei"),
        ("tgi-inference", "tgi"),
        ("text-generation-inference", "tgi"),
        ("text-embeddings-inference", "tei"),
        ("djl-inference", "djl-lmi"),
        ("vllm", "vllm"),
        ("tritonserver", "triton"),
        ("sagemaker-xgboost", "xgboost"),
        ("xgboost", "xgboost"),
        ("sagemaker-scikit-learn", "sklearn"),
        ("sklearn", "sklearn"),
        ("huggingface-pytorch-inference", "huggingface"),
        ("pytorch-inference", "pytorch"),
    ];
    MAP.iter().find(|(k, _)| i.contains(k)).map(|(_, v)| *v)
}

/// Where findings of one file go, with the evidence plumbing.
pub struct Emitter<'a> {
    pub rel_path: &'a str,
    pub text: &'a str,
    pub detector: &'static str,
    pub out: DetectOutcome,
    /// Where the last needle was found: resources are mostly visited in file order, so the
    /// next search starts there (a scan of a large state stays linear, not quadratic).
    cursor: Cell<usize>,
    /// A known (byte offset, line) pair to count newlines from.
    line_cache: Cell<(usize, u32)>,
}

impl<'a> Emitter<'a> {
    pub fn new(rel_path: &'a str, text: &'a str, detector: &'static str) -> Self {
        Emitter {
            rel_path,
            text,
            detector,
            out: DetectOutcome::default(),
            cursor: Cell::new(0),
            line_cache: Cell::new((0, 1)),
        }
    }

    /// Offset of `needle` (a name or id as written in the file): the next occurrence after the
    /// previous hit, else the first one.
    fn locate(&self, needle: &str) -> Option<usize> {
        if needle.is_empty() {
            return None;
        }
        let from = self.cursor.get().min(self.text.len());
        let pos = match self.text.get(from..).and_then(|rest| rest.find(needle)) {
            Some(i) => from + i,
            None => self.text.find(needle)?,
        };
        self.cursor.set(pos);
        Some(pos)
    }

    /// 1-based line of byte `pos`, counted on from the last computed line when possible.
    fn line_at_pos(&self, pos: usize) -> u32 {
        let (at, line) = self.line_cache.get();
        let l = match self.text.as_bytes().get(at..pos) {
            Some(span) if pos >= at => line + memchr::memchr_iter(b'\n', span).count() as u32,
            _ => line_at(self.text, pos),
        };
        self.line_cache.set((pos, l));
        l
    }

    /// 1-based line of `needle` (see [`Emitter::evidence`]).
    pub fn line_of(&self, needle: &str) -> Option<u32> {
        self.locate(needle).map(|p| self.line_at_pos(p))
    }

    /// Evidence pointing at `needle`; the snippet is the line around it.
    pub fn evidence(&self, needle: &str) -> Evidence {
        let pos = self.locate(needle);
        let mut ev = Evidence::new(
            self.rel_path,
            pos.map(|p| self.line_at_pos(p)),
            self.detector,
            Method::CloudExport,
            Confidence::High,
        );
        if let Some(p) = pos {
            // Look at most 240 bytes around the hit: one-line exports (terraform show -json)
            // have no useful line start, and a bounded window keeps this cheap.
            let lo = floor_char(self.text, p.saturating_sub(240));
            let hi = floor_char(self.text, (p + 240).min(self.text.len()));
            let start = self.text[lo..p].rfind('\n').map_or(lo, |i| lo + i + 1);
            let end = self.text[p..hi].find('\n').map_or(hi, |i| p + i);
            let from = if p - start > 60 { p } else { start };
            ev.snippet = Some(snippet(&self.text[from..end]));
        }
        ev
    }

    /// A finding with evidence at `needle` and the provider set.
    pub fn finding(
        &self,
        kind: ComponentKind,
        name: &str,
        identity: &str,
        provider: &str,
        needle: &str,
    ) -> Finding {
        Finding::new(kind, name, self.evidence(needle))
            .with_identity(identity)
            .with_provider(provider)
    }

    pub fn push(&mut self, f: Finding) {
        self.out.findings.push(f);
    }

    /// A risk of a documented rule on `component`, located at `needle` (empty: at the
    /// component's own evidence line).
    pub fn risk(&mut self, rule: &str, component: &Finding, message: String, needle: &str) {
        let line = if needle.is_empty() {
            component.evidence.line
        } else {
            self.line_of(needle).or(component.evidence.line)
        };
        self.out.risks.push(risk(
            rule,
            Some(component.id()),
            message,
            self.rel_path,
            line,
        ));
    }

    pub fn warn(&mut self, message: impl Into<String>) {
        self.out.warnings.push(crate::bom::Warning::new(
            self.rel_path,
            Some(self.detector),
            message,
        ));
    }

    /// A container image used by a model or deployment; returns its component id.
    pub fn container(&mut self, image: &str, provider: Option<&str>) -> String {
        let image = image.trim();
        let (repo, tag) = split_image(image);
        let mut f = Finding::new(ComponentKind::Container, repo, self.evidence(image))
            .with_identity(image.to_ascii_lowercase())
            .with_version(tag.map(str::to_string));
        if let Some(s) = serving_from_image(image) {
            f = f.prop("serving", s);
        }
        if let Some(p) = provider {
            f = f.with_provider(p);
        }
        let id = f.id();
        self.push(f);
        id
    }

    /// A dataset at a storage URI (S3, GCS, Blob); returns its component id.
    pub fn dataset_uri(&mut self, uri: &str, used_by: &str, channel: Option<&str>) -> String {
        let provider = if uri.starts_with("s3://") || uri.starts_with("arn:aws:s3") {
            "aws-s3"
        } else if uri.starts_with("gs://") {
            "google-cloud-storage"
        } else if uri.contains(".blob.core.windows.net") || uri.starts_with("azureml://") {
            "azure-blob-storage"
        } else {
            "storage"
        };
        let mut f = self
            .finding(ComponentKind::Dataset, uri, uri, provider, uri)
            .prop("used-by", used_by);
        if let Some(c) = channel {
            f = f.prop("channel", c);
        }
        let id = f.id();
        self.push(f);
        id
    }
}

/// The largest char boundary at or below `i`.
fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `repo[:tag][@digest]` → (repo, tag). A port in the registry host is not a tag.
pub fn split_image(image: &str) -> (&str, Option<&str>) {
    let no_digest = image.split('@').next().unwrap_or(image);
    let slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    match no_digest[slash..].rfind(':') {
        Some(i) => {
            let at = slash + i;
            (&no_digest[..at], Some(&no_digest[at + 1..]))
        }
        None => (no_digest, None),
    }
}

/// The bucket of an `s3://bucket/key` URI.
pub fn s3_bucket(uri: &str) -> Option<&str> {
    uri.strip_prefix("s3://")?
        .split('/')
        .next()
        .filter(|b| !b.is_empty())
}

/// A 12-digit AWS account id embedded in a bucket name (a common naming habit), if any.
pub fn account_in_bucket(bucket: &str) -> Option<&str> {
    let b = bucket.as_bytes();
    let mut i = 0;
    while i + 12 <= b.len() {
        let run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if run == 12 {
            return bucket.get(i..i + 12);
        }
        i += run.max(1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_short_tags_degrade_to_long_form() {
        let doc = parse_text(
            "A: !Ref Env\nB: !GetAtt Model.ModelName\nC: !Sub 'x-${Env}'\nD: !Join [',', [a, b]]\nE: !Unknown 3\n",
        )
        .unwrap();
        assert_eq!(doc["A"], serde_json::json!({"Ref": "Env"}));
        assert_eq!(
            doc["B"],
            serde_json::json!({"Fn::GetAtt": ["Model", "ModelName"]})
        );
        assert_eq!(doc["C"], serde_json::json!({"Fn::Sub": "x-${Env}"}));
        assert_eq!(doc["D"]["Fn::Join"][0], ",");
        assert_eq!(doc["E"], serde_json::json!({"Fn::Unknown": 3}));
    }

    #[test]
    fn bad_input_is_classified() {
        assert!(matches!(
            parse_text("{\"Models\": [{\"ModelName\": \"a\""),
            Err(ParseError::Json(_))
        ));
        assert!(matches!(
            parse_text("\nAn error occurred (AccessDeniedException) when calling the ListModels operation: denied\n"),
            Err(ParseError::CliError(_))
        ));
        assert!(matches!(parse_text("a: [b"), Err(ParseError::Yaml(_))));
        assert!(looks_like_text(b"  {\"a\":1}"));
        assert!(!looks_like_text(b"\x00\x01binary"));
    }

    #[test]
    fn ids_and_images() {
        assert_eq!(
            bedrock_model_id(
                "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1:0:8k"
            ),
            "amazon.titan-text-express-v1:0:8k"
        );
        assert_eq!(
            bedrock_model_id("us.anthropic.claude-3-5-sonnet-20241022-v2:0"),
            "anthropic.claude-3-5-sonnet-20241022-v2:0"
        );
        assert_eq!(
            split_image("host:5000/a/b:1.2"),
            ("host:5000/a/b", Some("1.2"))
        );
        assert_eq!(split_image("vllm/vllm-openai"), ("vllm/vllm-openai", None));
        assert_eq!(
            account_in_bucket("acme-ml-111122223333"),
            Some("111122223333")
        );
        assert_eq!(account_in_bucket("jumpstart-cache-prod-us-east-1"), None);
        assert_eq!(s3_bucket("s3://b/k/x"), Some("b"));
    }
}
