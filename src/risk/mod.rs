//! Risk rules: stable `AIBOM-*` ids, their default severity and a one-line description.
//! Each is documented in docs/rules.md (why it matters, how to fix it).

use crate::bom::{Risk, Severity};

/// A documented risk rule.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

/// Every rule aibom can report. Ids never change meaning; retired ids are not reused.
pub const RULES: &[Rule] = &[
    Rule {
        id: "AIBOM-ARCHIVE-BOMB",
        severity: Severity::Medium,
        summary: "archive member declares a zip-bomb compression ratio",
    },
    Rule {
        id: "AIBOM-ARCHIVE-TRAVERSAL",
        severity: Severity::High,
        summary: "archive member name escapes the archive root or differs between headers",
    },
    Rule {
        id: "AIBOM-CLOUD-EXTERNAL-MODEL-DATA",
        severity: Severity::Medium,
        summary: "cloud model loads its artifact from a bucket of another account",
    },
    Rule {
        id: "AIBOM-CLOUD-KEY-AUTH",
        severity: Severity::Medium,
        summary: "cloud AI resource accepts static API keys (local auth)",
    },
    Rule {
        id: "AIBOM-CLOUD-NO-CONTENT-FILTER",
        severity: Severity::Medium,
        summary: "cloud AI deployment or agent has no content filter / guardrail",
    },
    Rule {
        id: "AIBOM-CLOUD-NO-INVOCATION-LOGGING",
        severity: Severity::Low,
        summary: "model invocation logging is not configured",
    },
    Rule {
        id: "AIBOM-CLOUD-PUBLIC-ENDPOINT",
        severity: Severity::Medium,
        summary: "cloud AI endpoint or account is reachable from public networks",
    },
    Rule {
        id: "AIBOM-EXECUTABLE-MODEL",
        severity: Severity::Medium,
        summary: "model file is a native executable (llamafile)",
    },
    Rule {
        id: "AIBOM-GGUF-TEMPLATE",
        severity: Severity::High,
        summary: "GGUF chat template reaches for Python internals",
    },
    Rule {
        id: "AIBOM-KERAS-CUSTOM-CODE",
        severity: Severity::High,
        summary: "Keras config imports code from outside keras on load",
    },
    Rule {
        id: "AIBOM-KERAS-LAMBDA",
        severity: Severity::High,
        summary: "Keras model contains a Lambda layer (arbitrary code)",
    },
    Rule {
        id: "AIBOM-LICENSE-MISSING",
        severity: Severity::Low,
        summary: "model has no declared licence",
    },
    Rule {
        id: "AIBOM-LICENSE-NONCOMMERCIAL",
        severity: Severity::Medium,
        summary: "model licence forbids commercial use",
    },
    Rule {
        id: "AIBOM-LICENSE-RESTRICTIVE",
        severity: Severity::Low,
        summary: "model licence carries use restrictions",
    },
    Rule {
        id: "AIBOM-MALFORMED",
        severity: Severity::Medium,
        summary: "file claims a model format and fails to parse",
    },
    Rule {
        id: "AIBOM-NUMPY-OBJECT-ARRAY",
        severity: Severity::Medium,
        summary: "NumPy object array (a pickle inside the array file)",
    },
    Rule {
        id: "AIBOM-ONNX-EXTERNAL-DATA",
        severity: Severity::High,
        summary: "ONNX external-data location escapes the model directory",
    },
    Rule {
        id: "AIBOM-PICKLE-RCE",
        severity: Severity::Critical,
        summary: "pickle imports a dangerous callable",
    },
    Rule {
        id: "AIBOM-PICKLE-UNKNOWN",
        severity: Severity::Medium,
        summary: "pickle imports a callable on neither the safe nor the dangerous list",
    },
    Rule {
        id: "AIBOM-PICKLE-UNSAFE-FORMAT",
        severity: Severity::Low,
        summary: "pickle-based model format (executes code on load by design)",
    },
    Rule {
        id: "AIBOM-REMOTE-CODE",
        severity: Severity::High,
        summary: "model loaded with trust_remote_code=True",
    },
    Rule {
        id: "AIBOM-SECRET",
        severity: Severity::High,
        summary: "AI provider credential committed to the tree",
    },
    Rule {
        id: "AIBOM-TF-GRAPH-FILE-IO",
        severity: Severity::High,
        summary: "TensorFlow graph reads, writes or maps files, or calls Python, when run",
    },
    Rule {
        id: "AIBOM-TORCHSCRIPT-CODE",
        severity: Severity::Medium,
        summary: "TorchScript archive carries a program that runs on load",
    },
    Rule {
        id: "AIBOM-UNPINNED-MODEL",
        severity: Severity::Low,
        summary: "hub model referenced without a pinned revision",
    },
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// A risk of a documented rule at its default severity.
pub fn risk(
    id: &str,
    component: Option<String>,
    message: impl Into<String>,
    path: &str,
    line: Option<u32>,
) -> Risk {
    let severity = rule(id).map(|r| r.severity).unwrap_or(Severity::Medium);
    Risk {
        rule: id.to_string(),
        severity,
        component,
        message: message.into(),
        path: path.to_string(),
        line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_sorted_and_well_formed() {
        for pair in RULES.windows(2) {
            assert!(
                pair[0].id < pair[1].id,
                "{} / {} out of order or duplicated",
                pair[0].id,
                pair[1].id
            );
        }
        for r in RULES {
            assert!(
                r.id.starts_with("AIBOM-")
                    && r.id.chars().all(|c| c.is_ascii_uppercase() || c == '-')
            );
        }
    }
}
