//! The AI provider table for configuration files: which environment variable names announce
//! which hosted AI provider (or AI data service), and which hosts it serves from.
//!
//! Data only, one row per provider. An env var entry ending in `*` matches by prefix. The
//! `key` is the provider identity every detector uses for `service` findings
//! (`Finding::new(ComponentKind::Service, name, ev).with_identity(key).with_provider(key)`),
//! so a provider seen in code and in config merges into one component.

/// One hosted AI provider or AI data service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provider {
    /// Stable identity, kebab-case (`openai`, `azure-openai`).
    pub key: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Environment variable names that announce this provider (`*` suffix = prefix match).
    pub env_vars: &'static [&'static str],
    /// API hosts (`*.` prefix = any subdomain).
    pub hosts: &'static [&'static str],
}

/// Every provider, most specific first: `AZURE_OPENAI_*` must be tried before anything that
/// could match it loosely.
pub const PROVIDERS: &[Provider] = &[
    Provider {
        key: "azure-openai",
        name: "Azure OpenAI",
        env_vars: &["AZURE_OPENAI_*", "OPENAI_API_TYPE"],
        hosts: &["*.openai.azure.com"],
    },
    Provider {
        key: "openai",
        name: "OpenAI",
        env_vars: &[
            "OPENAI_API_KEY",
            "OPENAI_BASE_URL",
            "OPENAI_API_BASE",
            "OPENAI_ORG_ID",
            "OPENAI_ORGANIZATION",
            "OPENAI_PROJECT_ID",
        ],
        hosts: &["api.openai.com"],
    },
    Provider {
        key: "anthropic",
        name: "Anthropic",
        env_vars: &[
            "ANTHROPIC_API_KEY",
            "ANTHROPIC_BASE_URL",
            "ANTHROPIC_AUTH_TOKEN",
        ],
        hosts: &["api.anthropic.com"],
    },
    Provider {
        key: "huggingface",
        name: "Hugging Face Hub",
        env_vars: &[
            "HF_TOKEN",
            "HF_API_TOKEN",
            "HUGGING_FACE_HUB_TOKEN",
            "HUGGINGFACEHUB_API_TOKEN",
            "HUGGINGFACE_TOKEN",
            "HF_ENDPOINT",
        ],
        hosts: &[
            "huggingface.co",
            "*.hf.space",
            "api-inference.huggingface.co",
        ],
    },
    Provider {
        key: "google-gemini",
        name: "Google Gemini",
        env_vars: &[
            "GEMINI_API_KEY",
            "GOOGLE_API_KEY",
            "GOOGLE_GENERATIVE_AI_API_KEY",
        ],
        hosts: &["generativelanguage.googleapis.com"],
    },
    Provider {
        key: "google-vertex-ai",
        name: "Google Vertex AI",
        env_vars: &["VERTEXAI_PROJECT", "VERTEX_AI_*", "GOOGLE_VERTEX_*"],
        hosts: &["aiplatform.googleapis.com", "*-aiplatform.googleapis.com"],
    },
    Provider {
        key: "aws-bedrock",
        name: "Amazon Bedrock",
        env_vars: &["AWS_BEDROCK_*", "BEDROCK_*"],
        hosts: &["bedrock-runtime.*.amazonaws.com", "bedrock.*.amazonaws.com"],
    },
    Provider {
        key: "cohere",
        name: "Cohere",
        env_vars: &["COHERE_API_KEY", "CO_API_KEY"],
        hosts: &["api.cohere.com", "api.cohere.ai"],
    },
    Provider {
        key: "mistral",
        name: "Mistral AI",
        env_vars: &["MISTRAL_API_KEY"],
        hosts: &["api.mistral.ai"],
    },
    Provider {
        key: "groq",
        name: "Groq",
        env_vars: &["GROQ_API_KEY"],
        hosts: &["api.groq.com"],
    },
    Provider {
        key: "together",
        name: "Together AI",
        env_vars: &["TOGETHER_API_KEY", "TOGETHERAI_API_KEY"],
        hosts: &["api.together.xyz", "api.together.ai"],
    },
    Provider {
        key: "replicate",
        name: "Replicate",
        env_vars: &["REPLICATE_API_TOKEN", "REPLICATE_API_KEY"],
        hosts: &["api.replicate.com"],
    },
    Provider {
        key: "deepseek",
        name: "DeepSeek",
        env_vars: &["DEEPSEEK_API_KEY"],
        hosts: &["api.deepseek.com"],
    },
    Provider {
        key: "xai",
        name: "xAI",
        env_vars: &["XAI_API_KEY"],
        hosts: &["api.x.ai"],
    },
    Provider {
        key: "perplexity",
        name: "Perplexity",
        env_vars: &["PERPLEXITY_API_KEY", "PPLX_API_KEY"],
        hosts: &["api.perplexity.ai"],
    },
    Provider {
        key: "fireworks",
        name: "Fireworks AI",
        env_vars: &["FIREWORKS_API_KEY"],
        hosts: &["api.fireworks.ai"],
    },
    Provider {
        key: "openrouter",
        name: "OpenRouter",
        env_vars: &["OPENROUTER_API_KEY"],
        hosts: &["openrouter.ai"],
    },
    Provider {
        key: "ollama",
        name: "Ollama",
        env_vars: &[
            "OLLAMA_BASE_URL",
            "OLLAMA_HOST",
            "OLLAMA_API_BASE",
            "OLLAMA_MODEL",
            "OLLAMA_URL",
        ],
        hosts: &["localhost:11434", "127.0.0.1:11434", "ollama.com"],
    },
    Provider {
        key: "langsmith",
        name: "LangSmith",
        env_vars: &[
            "LANGCHAIN_API_KEY",
            "LANGCHAIN_ENDPOINT",
            "LANGCHAIN_TRACING_V2",
            "LANGSMITH_*",
        ],
        hosts: &["api.smith.langchain.com"],
    },
    Provider {
        key: "pinecone",
        name: "Pinecone",
        env_vars: &[
            "PINECONE_API_KEY",
            "PINECONE_ENVIRONMENT",
            "PINECONE_INDEX*",
        ],
        hosts: &["*.pinecone.io"],
    },
    Provider {
        key: "weaviate",
        name: "Weaviate",
        env_vars: &["WEAVIATE_URL", "WEAVIATE_API_KEY", "WEAVIATE_HOST"],
        hosts: &["*.weaviate.network", "*.weaviate.cloud"],
    },
    Provider {
        key: "qdrant",
        name: "Qdrant",
        env_vars: &["QDRANT_URL", "QDRANT_API_KEY", "QDRANT_HOST"],
        hosts: &["*.qdrant.io"],
    },
    Provider {
        key: "milvus",
        name: "Milvus",
        env_vars: &["MILVUS_HOST", "MILVUS_URI", "MILVUS_URL", "ZILLIZ_*"],
        hosts: &["*.zillizcloud.com"],
    },
    Provider {
        key: "voyage-ai",
        name: "Voyage AI",
        env_vars: &["VOYAGE_API_KEY"],
        hosts: &["api.voyageai.com"],
    },
    Provider {
        key: "elevenlabs",
        name: "ElevenLabs",
        env_vars: &["ELEVENLABS_API_KEY", "ELEVEN_API_KEY"],
        hosts: &["api.elevenlabs.io"],
    },
    Provider {
        key: "github-models",
        name: "GitHub Models",
        env_vars: &[],
        hosts: &["models.inference.ai.azure.com", "models.github.ai"],
    },
];

/// The provider an environment variable name announces, if any. Case-sensitive: env var
/// names are upper case by convention, and `openai_api_key` in a YAML key is something else.
pub fn by_env_var(name: &str) -> Option<&'static Provider> {
    PROVIDERS.iter().find(|p| {
        p.env_vars.iter().any(|pat| match pat.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix) && name.len() > prefix.len(),
            None => *pat == name,
        })
    })
}

/// The provider with this identity key.
pub fn by_key(key: &str) -> Option<&'static Provider> {
    PROVIDERS.iter().find(|p| p.key == key)
}

/// The provider serving `host` (a host name, optionally with `:port`), if any.
pub fn by_host(host: &str) -> Option<&'static Provider> {
    let host = host.to_ascii_lowercase();
    PROVIDERS
        .iter()
        .find(|p| p.hosts.iter().any(|pat| host_matches(pat, &host)))
}

fn host_matches(pattern: &str, host: &str) -> bool {
    if let Some(suffix) = pattern.strip_prefix("*.") {
        return host.ends_with(&format!(".{suffix}"));
    }
    if let Some((head, tail)) = pattern.split_once('*') {
        return host.len() > head.len() + tail.len()
            && host.starts_with(head)
            && host.ends_with(tail);
    }
    pattern == host
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
            Some("aws-bedrock")
        );
        assert_eq!(by_host("api.openai.com").map(|p| p.key), Some("openai"));
        assert_eq!(by_host("openai.azure.com"), None);
        assert_eq!(by_host("example.com"), None);
        assert!(PROVIDERS.iter().all(|p| by_key(p.key) == Some(p)));
    }
}
