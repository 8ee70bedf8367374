//! The config and infra detectors' view of the shared provider table
//! ([`crate::detect::providers`]): one table, so a provider seen in code and in config is one
//! component.

pub use crate::detect::providers::{Provider, PROVIDERS};

/// The provider an environment variable name announces, if any. Case-sensitive: env var
/// names are upper case by convention, and `openai_api_key` in a YAML key is something else.
pub fn by_env_var(name: &str) -> Option<&'static Provider> {
    crate::detect::providers::provider_for_env_var(name)
}

/// The provider with this identity key.
pub fn by_key(key: &str) -> Option<&'static Provider> {
    crate::detect::providers::provider(key)
}

/// The provider serving `host` (a host name, optionally with `:port`), if any.
pub fn by_host(host: &str) -> Option<&'static Provider> {
    crate::detect::providers::provider_for_host(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_var_lookup() {
        assert_eq!(by_env_var("OPENAI_API_KEY").map(|p| p.key), Some("openai"));
        assert_eq!(
            by_env_var("AZURE_OPENAI_ENDPOINT").map(|p| p.key),
            Some("azure-openai")
        );
        assert_eq!(
            by_env_var("AZURE_OPENAI_CHAT_DEPLOYMENT").map(|p| p.key),
            Some("azure-openai")
        );
        assert_eq!(
            by_env_var("LANGSMITH_API_KEY").map(|p| p.key),
            Some("langsmith")
        );
        assert_eq!(
            by_env_var("HUGGING_FACE_HUB_TOKEN").map(|p| p.key),
            Some("huggingface")
        );
        // near misses: generic cloud credentials and look-alikes are not AI providers
        assert_eq!(by_env_var("AWS_ACCESS_KEY_ID"), None);
        assert_eq!(by_env_var("OPENAI_API_KEY_FILE_X").map(|p| p.key), None);
        assert_eq!(by_env_var("LANGSMITH_"), None);
        assert_eq!(by_env_var("openai_api_key"), None);
    }

    #[test]
    fn host_lookup() {
        assert_eq!(
            by_host("contoso.openai.azure.com").map(|p| p.key),
            Some("azure-openai")
        );
        assert_eq!(
            by_host("bedrock-runtime.us-east-1.amazonaws.com").map(|p| p.key),
            Some("amazon-bedrock")
        );
        assert_eq!(by_host("api.openai.com").map(|p| p.key), Some("openai"));
        assert_eq!(by_host("openai.azure.com"), None);
        assert_eq!(by_host("example.com"), None);
        assert!(PROVIDERS.iter().all(|p| by_key(p.key) == Some(p)));
    }
}
