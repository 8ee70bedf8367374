//! Stable component ids, computed from identity fields only (never from confidence or
//! detector), so two scans of the same tree give the same ids and diff cleanly.

use super::{normalize, ComponentKind, Finding};

/// `kind:identity`, where identity is, in order of preference: the purl with the resolved
/// version (without the `pkg:` scheme), the detector's identity override (sha256, ARN,
/// `provider/model`), or the lowercased name.
pub fn component_id(f: &Finding) -> String {
    identity_id(
        f.kind,
        f.purl.as_deref(),
        f.version.as_deref(),
        f.identity.as_deref(),
        &f.name,
    )
}

/// [`component_id`] from the identity fields themselves.
pub fn identity_id(
    kind: ComponentKind,
    purl: Option<&str>,
    version: Option<&str>,
    identity: Option<&str>,
    name: &str,
) -> String {
    let identity = if let Some(purl) = purl {
        let full = normalize::purl_with_version(purl, version);
        full.strip_prefix("pkg:").unwrap_or(&full).to_string()
    } else if let Some(identity) = identity {
        identity.to_string()
    } else {
        name.trim().to_lowercase()
    };
    format!("{}:{}", kind.as_str(), identity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bom::{ComponentKind, Confidence, Evidence, Method};

    fn ev() -> Evidence {
        Evidence::new("a", None, "t", Method::Manifest, Confidence::High)
    }

    #[test]
    fn ids_follow_identity() {
        let f = Finding::new(ComponentKind::Library, "torch", ev())
            .with_purl("pkg:pypi/torch")
            .with_version(Some("2.3.1".into()));
        assert_eq!(component_id(&f), "library:pypi/torch@2.3.1");
        let m = Finding::new(ComponentKind::Model, "gpt-4o", ev()).with_identity("openai/gpt-4o");
        assert_eq!(component_id(&m), "model:openai/gpt-4o");
        let s = Finding::new(ComponentKind::Service, "OpenAI API", ev());
        assert_eq!(component_id(&s), "service:openai api");
    }
}
