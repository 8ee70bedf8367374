//! The `cloud` detector family: AI assets in cloud CLI exports and infrastructure-as-code.
//!
//! `cloud-export` reads every `--cloud` file and recognises its shape from its keys. In a repo
//! scan, the IaC detectors (`cloudformation`, `arm-template`, `terraform-json`,
//! `terraform-hcl`) read templates, Terraform plan/state JSON and `.tf` files found in the tree,
//! through the same source modules. See docs/cloud.md.

pub mod arm;
pub mod aws_bedrock;
pub mod aws_sagemaker;
pub mod azure_cognitive;
pub mod azure_ml;
pub mod cloudformation;
pub mod common;
pub mod export;
pub mod gcp_vertex;
pub mod terraform_hcl;
pub mod terraform_json;
pub mod terraform_resources;

use super::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, PostPass, Scope,
};
use common::{parse_input, Emitter};
use memchr::memmem;
use serde_json::Value;

/// This family's detectors (the registry sorts them by id).
pub const DETECTORS: &[Detector] = &[
    Detector {
        id: export::ID,
        family: "cloud",
        summary:
            "AWS, Azure, GCP CLI exports, CloudFormation, ARM and Terraform JSON given with --cloud",
        maturity: Maturity::Preview,
        scope: Scope::Cloud,
        claim: export::claim,
        sniff: Some(export::sniff),
        detect: export::detect,
    },
    Detector {
        id: "cloudformation",
        family: "cloud",
        summary: "CloudFormation templates (JSON/YAML): SageMaker and Bedrock resources",
        maturity: Maturity::Preview,
        scope: Scope::Repo,
        claim: claim_json_yaml,
        sniff: Some(sniff_cloudformation),
        detect: detect_cloudformation,
    },
    Detector {
        id: "arm-template",
        family: "cloud",
        summary:
            "ARM templates and compiled Bicep: Azure OpenAI, AI Services and Azure ML resources",
        maturity: Maturity::Preview,
        scope: Scope::Repo,
        claim: claim_json,
        sniff: Some(sniff_arm),
        detect: detect_arm,
    },
    Detector {
        id: "terraform-json",
        family: "cloud",
        summary:
            "terraform show -json state/plan and raw tfstate: AI resources of aws, azurerm, google",
        maturity: Maturity::Preview,
        scope: Scope::Repo,
        claim: claim_tf_json,
        sniff: Some(sniff_terraform),
        detect: detect_terraform_json,
    },
    Detector {
        id: terraform_hcl::ID,
        family: "cloud",
        summary: "Terraform .tf files: AI resource blocks and their literal attributes",
        maturity: Maturity::Preview,
        scope: Scope::Both,
        claim: claim_tf,
        sniff: None,
        detect: terraform_hcl::detect,
    },
];

/// This family's cross-file passes.
pub const POST_PASSES: &[PostPass] = &[];

fn claim_json_yaml(c: &Candidate) -> Claim {
    match c.ext {
        "json" | "yaml" | "yml" | "template" => Claim::Sniff,
        _ => Claim::No,
    }
}

fn claim_json(c: &Candidate) -> Claim {
    if c.ext == "json" {
        Claim::Sniff
    } else {
        Claim::No
    }
}

fn claim_tf_json(c: &Candidate) -> Claim {
    match c.ext {
        "json" | "tfstate" => Claim::Sniff,
        _ => Claim::No,
    }
}

fn claim_tf(c: &Candidate) -> Claim {
    if c.ext == "tf" {
        Claim::Yes
    } else {
        Claim::No
    }
}

fn has(head: &[u8], needle: &str) -> bool {
    memmem::find(head, needle.as_bytes()).is_some()
}

fn sniff_cloudformation(head: &[u8]) -> bool {
    has(head, "AWSTemplateFormatVersion")
        || (has(head, "Resources")
            && (has(head, "AWS::SageMaker::") || has(head, "AWS::Bedrock::")))
}

fn sniff_arm(head: &[u8]) -> bool {
    has(head, "deploymentTemplate.json#")
}

fn sniff_terraform(head: &[u8]) -> bool {
    has(head, "\"terraform_version\"")
}

/// A repo file claimed by an IaC detector: parse, check the shape, extract.
fn detect_iac(
    input: &FileInput,
    id: &'static str,
    recognise: fn(&Value) -> bool,
    extract: fn(&Value, &mut Emitter),
) -> DetectOutcome {
    let (text, doc) = match parse_input(input) {
        Ok(x) => x,
        Err(e) => return DetectOutcome::failure(input, id, e.to_string()),
    };
    if !recognise(&doc) {
        return DetectOutcome::default();
    }
    let mut em = Emitter::new(&input.rel_path, text, id);
    extract(&doc, &mut em);
    em.out
}

fn detect_cloudformation(input: &FileInput, _ctx: &Context) -> DetectOutcome {
    detect_iac(
        input,
        "cloudformation",
        cloudformation::recognise,
        cloudformation::extract,
    )
}

fn detect_arm(input: &FileInput, _ctx: &Context) -> DetectOutcome {
    detect_iac(input, "arm-template", arm::recognise, arm::extract)
}

fn detect_terraform_json(input: &FileInput, _ctx: &Context) -> DetectOutcome {
    detect_iac(
        input,
        "terraform-json",
        terraform_json::recognise,
        terraform_json::extract,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs() {
        assert!(sniff_cloudformation(
            b"AWSTemplateFormatVersion: '2010-09-09'"
        ));
        assert!(!sniff_cloudformation(b"{\"name\": \"pkg\"}"));
        assert!(sniff_arm(b"{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\"}"));
        assert!(sniff_terraform(
            b"{\"format_version\":\"1.0\",\"terraform_version\":\"1.11.4\"}"
        ));
    }
}
