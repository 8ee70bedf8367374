//! The `cloud-export` detector: every file given with `--cloud` is parsed once, its shape is
//! recognised from its keys (never its file name) and handed to the source module.
//!
//! # What it detects
//! Whatever the source modules report (SageMaker, Bedrock, Azure OpenAI / AI Services, Azure
//! ML, Vertex AI and `gcloud services`, CloudFormation, ARM/Bicep, Terraform JSON).
//!
//! # Files claimed
//! `--cloud` files ending in `.json`, `.yaml`, `.yml`, `.template`, `.tfstate`, `.tfplan` and
//! extensionless files whose head is text. `.tf` files go to `terraform-hcl`.
//!
//! # Evidence and confidence
//! CLI exports: `cloud-export`; templates and Terraform: the IaC detector's id.
//!
//! # Not handled
//! Kubernetes manifests and `kubectl … -o json` lists are left to the infra family (recognised
//! here so they raise no warning). Files over 32 MiB get a warning and are not read.
//!
//! # References
//! The export shapes are listed in docs/cloud.md.

use super::common::{looks_like_text, parse_input, Emitter, ParseError};
use super::{
    arm, aws_bedrock, aws_sagemaker, azure_cognitive, azure_ml, cloudformation, gcp_vertex,
    terraform_json,
};
use crate::detect::{Candidate, Claim, Context, DetectOutcome, FileInput};
use serde_json::Value;

pub const ID: &str = "cloud-export";

/// A shape this detector knows; `name` is what `--cloud-format` accepts.
pub struct Format {
    pub name: &'static str,
    /// Evidence detector id.
    pub detector: &'static str,
    pub recognise: fn(&Value) -> bool,
    pub extract: fn(&Value, &mut Emitter),
}

/// Every shape, in recognition order (IaC envelopes first: they are the most specific).
pub const FORMATS: &[Format] = &[
    Format {
        name: "terraform",
        detector: "terraform-json",
        recognise: terraform_json::recognise,
        extract: terraform_json::extract,
    },
    Format {
        name: "cloudformation",
        detector: "cloudformation",
        recognise: cloudformation::recognise,
        extract: cloudformation::extract,
    },
    Format {
        name: "arm",
        detector: "arm-template",
        recognise: arm::recognise,
        extract: arm::extract,
    },
    Format {
        name: "aws-sagemaker",
        detector: ID,
        recognise: aws_sagemaker::recognise,
        extract: aws_sagemaker::extract,
    },
    Format {
        name: "aws-bedrock",
        detector: ID,
        recognise: aws_bedrock::recognise,
        extract: aws_bedrock::extract_forced,
    },
    Format {
        name: "azure-cognitive",
        detector: ID,
        recognise: azure_cognitive::recognise,
        extract: azure_cognitive::extract,
    },
    Format {
        name: "azure-ml",
        detector: ID,
        recognise: azure_ml::recognise,
        extract: azure_ml::extract,
    },
    Format {
        name: "gcp",
        detector: ID,
        recognise: gcp_vertex::recognise,
        extract: gcp_vertex::extract,
    },
];

/// The names `--cloud-format` accepts.
pub fn format_names() -> Vec<&'static str> {
    FORMATS.iter().map(|f| f.name).collect()
}

pub fn claim(c: &Candidate) -> Claim {
    match c.ext {
        "json" | "yaml" | "yml" | "template" | "tfstate" | "tfplan" => Claim::Sniff,
        "" => Claim::Sniff,
        _ => Claim::No,
    }
}

pub fn sniff(head: &[u8]) -> bool {
    looks_like_text(head)
}

/// Kubernetes objects and lists belong to the infra family.
fn is_kubernetes(doc: &Value) -> bool {
    doc.get("apiVersion").is_some() && doc.get("kind").is_some()
}

pub fn detect(input: &FileInput, ctx: &Context) -> DetectOutcome {
    let (text, doc) = match parse_input(input) {
        Ok(x) => x,
        Err(ParseError::Yaml(_)) if looks_like_k8s_yaml(input) => return DetectOutcome::default(),
        Err(e) => return DetectOutcome::failure(input, ID, e.to_string()),
    };
    if let Some(forced) = ctx.cloud_format.as_deref() {
        let Some(fmt) = FORMATS.iter().find(|f| f.name == forced) else {
            return DetectOutcome::failure(
                input,
                ID,
                format!(
                    "unknown --cloud-format {forced:?}; known: {}",
                    format_names().join(", ")
                ),
            );
        };
        let mut em = Emitter::new(&input.rel_path, text, fmt.detector);
        (fmt.extract)(&doc, &mut em);
        if em.out.findings.is_empty()
            && em.out.risks.is_empty()
            && !(fmt.recognise)(&doc)
            && !is_empty_list(&doc)
        {
            em.warn(format!(
                "--cloud-format {forced}: the file does not have that shape; nothing read"
            ));
        }
        paging(&doc, &mut em);
        return em.out;
    }
    if let Some(fmt) = FORMATS.iter().find(|f| (f.recognise)(&doc)) {
        let mut em = Emitter::new(&input.rel_path, text, fmt.detector);
        if fmt.name == "aws-bedrock" {
            aws_bedrock::extract(&doc, &mut em);
        } else {
            (fmt.extract)(&doc, &mut em);
        }
        paging(&doc, &mut em);
        return em.out;
    }
    if is_empty_list(&doc) || is_kubernetes(&doc) {
        return DetectOutcome::default();
    }
    let mut out = DetectOutcome::default();
    out.warn(input, ID, unknown_message(&doc));
    out
}

fn looks_like_k8s_yaml(input: &FileInput) -> bool {
    input
        .text()
        .is_ok_and(|t| t.contains("apiVersion:") && t.contains("kind:"))
}

/// `[]`, or an object whose only list values are empty (`{"Models": []}`): an export with no
/// assets, which is normal.
fn is_empty_list(doc: &Value) -> bool {
    match doc {
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => {
            let lists: Vec<&Value> = o.values().filter(|v| v.is_array()).collect();
            !lists.is_empty()
                && lists
                    .iter()
                    .all(|v| v.as_array().is_some_and(Vec::is_empty))
                && o.values()
                    .all(|v| v.is_array() || v.is_string() || v.is_null())
        }
        _ => false,
    }
}

fn unknown_message(doc: &Value) -> String {
    match doc {
        Value::Object(o) => {
            let mut keys: Vec<&str> = o.keys().map(String::as_str).take(8).collect();
            keys.sort_unstable();
            format!(
                "not a recognised cloud export (top-level keys: {}); use --cloud-format NAME to force a shape",
                keys.join(", ")
            )
        }
        Value::Array(_) => "not a recognised cloud export (a list whose items match no known shape); use --cloud-format NAME to force a shape".to_string(),
        _ => "not a cloud export (neither a JSON/YAML object nor a list)".to_string(),
    }
}

/// A pagination token means the export is one page of several.
fn paging(doc: &Value, em: &mut Emitter) {
    let token = ["NextToken", "nextToken", "nextPageToken"]
        .iter()
        .find(|k| {
            doc.get(**k)
                .and_then(Value::as_str)
                .is_some_and(|t| !t.is_empty())
        });
    if let Some(k) = token {
        em.warn(format!(
            "partial export: {k} is set, more pages exist; export them too (they merge by identity)"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, forced: Option<&str>) -> DetectOutcome {
        let input = FileInput::from_bytes("e.json", text.as_bytes().to_vec());
        let ctx = Context {
            cloud_format: forced.map(str::to_string),
            ..Default::default()
        };
        detect(&input, &ctx)
    }

    #[test]
    fn bad_input_gives_one_clear_warning() {
        let out = run("{\"Models\": [{\"ModelName\": \"a\"", None);
        assert!(out.failed);
        assert!(out.warnings[0]
            .message
            .starts_with("truncated or malformed JSON"));
        let out = run(
            "An error occurred (ExpiredTokenException) when calling the ListModels operation",
            None,
        );
        assert!(out.warnings[0].message.contains("CLI error message"));
        let out = run("{\"dashboard\": {\"panels\": []}, \"title\": \"x\"}", None);
        assert!(!out.failed);
        assert!(out.warnings[0]
            .message
            .starts_with("not a recognised cloud export"));
    }

    #[test]
    fn empty_lists_are_quiet_and_tokens_warn() {
        assert!(run("[]", None).warnings.is_empty());
        assert!(run("{\"modelSummaries\": []}", None).warnings.is_empty());
        let out = run("{\"Models\": [{\"ModelName\": \"m\", \"ModelArn\": \"arn:aws:sagemaker:r:1:model/m\"}], \"NextToken\": \"eyJ9\"}", None);
        assert_eq!(out.findings.len(), 1);
        assert!(out.warnings[0].message.starts_with("partial export"));
    }

    #[test]
    fn forced_format() {
        let out = run("{}", Some("aws-bedrock"));
        assert_eq!(out.risks[0].rule, "AIBOM-CLOUD-NO-INVOCATION-LOGGING");
        let out = run("{}", Some("nope"));
        assert!(out.warnings[0].message.contains("known: terraform"));
        let out = run("{\"a\": 1}", Some("gcp"));
        assert!(out.warnings[0].message.contains("does not have that shape"));
    }
}
