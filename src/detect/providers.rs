//! The AI provider table, shared by every family: who serves a call, recognised by API host, by the environment
//! variables that configure its SDK, and by the model-id shapes it uses. Shared with the config
//! and infra detectors (compose files, k8s manifests and workflows name the same variables).
//!
//! # What it detects
//! Nothing by itself; [`provider_for_env_var`], [`provider_for_host`] and
//! [`provider_service_finding`] are used by detectors.
//!
//! # Files claimed
//! None.
//!
//! # Evidence and confidence
//! [`provider_service_finding`] takes the evidence from the caller.
//!
//! # Not handled
//! Self-hosted endpoints on arbitrary hosts are reported as `openai-compatible` by the callers
//! that know the client is OpenAI-shaped; this table only knows public hosts and Ollama's port.
//!
//! # References
//! Provider API documentation (base URLs and SDK environment variables).

use crate::bom::{ComponentKind, Evidence, Finding};
use std::collections::HashMap;
use std::sync::OnceLock;

/// A hosted AI provider or AI-relevant service.
#[derive(Debug, PartialEq, Eq)]
pub struct Provider {
    /// Stable key: identity of the service component and `provider` of its models.
    pub key: &'static str,
    /// Human label.
    pub name: &'static str,
    /// Environment variables whose presence announces this provider.
    pub env_vars: &'static [&'static str],
    /// Hosts: exact, `*.suffix`, or `prefix.*.suffix` (one wildcard label run).
    pub hosts: &'static [&'static str],
    /// `vector-store`, `llm-api`, `hub`, `observability`.
    pub category: &'static str,
}

/// Every known provider, sorted by key.
pub const PROVIDERS: &[Provider] = &[
    Provider {
        key: "amazon-bedrock",
        name: "Amazon Bedrock",
        env_vars: &[
            "AWS_BEDROCK_MODEL_ID",
            "BEDROCK_MODEL_ID",
            "AWS_BEDROCK_*",
            "BEDROCK_*",
        ],
        hosts: &[
            "bedrock-runtime.*.amazonaws.com",
            "bedrock.*.amazonaws.com",
            "bedrock-agent-runtime.*.amazonaws.com",
        ],
        category: "llm-api",
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
        category: "llm-api",
    },
    Provider {
        key: "azure-openai",
        name: "Azure OpenAI",
        env_vars: &[
            "AZURE_OPENAI_API_KEY",
            "AZURE_OPENAI_ENDPOINT",
            "AZURE_OPENAI_DEPLOYMENT",
            "AZURE_OPENAI_DEPLOYMENT_NAME",
            "AZURE_OPENAI_API_VERSION",
            "AZURE_OPENAI_KEY",
            "AZURE_OPENAI_*",
            "OPENAI_API_TYPE",
        ],
        hosts: &["*.openai.azure.com", "*.cognitiveservices.azure.com"],
        category: "llm-api",
    },
    Provider {
        key: "cerebras",
        name: "Cerebras",
        env_vars: &["CEREBRAS_API_KEY"],
        hosts: &["api.cerebras.ai"],
        category: "llm-api",
    },
    Provider {
        key: "chroma",
        name: "Chroma",
        env_vars: &["CHROMA_API_KEY"],
        hosts: &["api.trychroma.com"],
        category: "vector-store",
    },
    Provider {
        key: "cohere",
        name: "Cohere",
        env_vars: &["COHERE_API_KEY", "CO_API_KEY"],
        hosts: &["api.cohere.com", "api.cohere.ai"],
        category: "llm-api",
    },
    Provider {
        key: "deepseek",
        name: "DeepSeek",
        env_vars: &["DEEPSEEK_API_KEY"],
        hosts: &["api.deepseek.com"],
        category: "llm-api",
    },
    Provider {
        key: "elasticsearch",
        name: "Elasticsearch",
        env_vars: &[],
        hosts: &[],
        category: "vector-store",
    },
    Provider {
        key: "elevenlabs",
        name: "ElevenLabs",
        env_vars: &["ELEVENLABS_API_KEY", "ELEVEN_API_KEY"],
        hosts: &["api.elevenlabs.io"],
        category: "llm-api",
    },
    Provider {
        key: "fireworks",
        name: "Fireworks AI",
        env_vars: &["FIREWORKS_API_KEY"],
        hosts: &["api.fireworks.ai"],
        category: "llm-api",
    },
    Provider {
        key: "github-models",
        name: "GitHub Models",
        env_vars: &[],
        hosts: &["models.inference.ai.azure.com", "models.github.ai"],
        category: "llm-api",
    },
    Provider {
        key: "google-gemini",
        name: "Google Gemini",
        env_vars: &[
            "GOOGLE_API_KEY",
            "GEMINI_API_KEY",
            "GOOGLE_GENERATIVE_AI_API_KEY",
        ],
        hosts: &["generativelanguage.googleapis.com"],
        category: "llm-api",
    },
    Provider {
        key: "google-vertex-ai",
        name: "Google Vertex AI",
        env_vars: &[
            "VERTEX_AI_PROJECT",
            "GOOGLE_VERTEX_PROJECT",
            "VERTEXAI_PROJECT",
            "VERTEX_AI_*",
            "GOOGLE_VERTEX_*",
        ],
        hosts: &["aiplatform.googleapis.com", "*-aiplatform.googleapis.com"],
        category: "llm-api",
    },
    Provider {
        key: "groq",
        name: "Groq",
        env_vars: &["GROQ_API_KEY"],
        hosts: &["api.groq.com"],
        category: "llm-api",
    },
    Provider {
        key: "huggingface",
        name: "Hugging Face Hub",
        env_vars: &[
            "HF_TOKEN",
            "HUGGING_FACE_HUB_TOKEN",
            "HUGGINGFACEHUB_API_TOKEN",
            "HF_API_TOKEN",
            "HUGGINGFACE_API_KEY",
            "HUGGINGFACE_TOKEN",
            "HF_ENDPOINT",
        ],
        hosts: &[
            "huggingface.co",
            "api-inference.huggingface.co",
            "router.huggingface.co",
            "*.endpoints.huggingface.cloud",
            "*.hf.space",
        ],
        category: "hub",
    },
    Provider {
        key: "langsmith",
        name: "LangSmith",
        env_vars: &[
            "LANGCHAIN_API_KEY",
            "LANGSMITH_API_KEY",
            "LANGCHAIN_ENDPOINT",
            "LANGCHAIN_TRACING_V2",
            "LANGSMITH_*",
        ],
        hosts: &["api.smith.langchain.com"],
        category: "observability",
    },
    Provider {
        key: "milvus",
        name: "Milvus",
        env_vars: &["MILVUS_URI", "MILVUS_HOST", "MILVUS_URL", "ZILLIZ_*"],
        hosts: &["*.zillizcloud.com"],
        category: "vector-store",
    },
    Provider {
        key: "mistral",
        name: "Mistral AI",
        env_vars: &["MISTRAL_API_KEY"],
        hosts: &["api.mistral.ai", "codestral.mistral.ai"],
        category: "llm-api",
    },
    Provider {
        key: "neo4j",
        name: "Neo4j",
        env_vars: &[],
        hosts: &[],
        category: "vector-store",
    },
    Provider {
        key: "ollama",
        name: "Ollama",
        env_vars: &[
            "OLLAMA_HOST",
            "OLLAMA_BASE_URL",
            "OLLAMA_API_BASE",
            "OLLAMA_MODEL",
            "OLLAMA_URL",
        ],
        hosts: &[
            "localhost:11434",
            "127.0.0.1:11434",
            "0.0.0.0:11434",
            "ollama:11434",
            "host.docker.internal:11434",
            "ollama.com",
        ],
        category: "llm-api",
    },
    Provider {
        key: "openai",
        name: "OpenAI",
        env_vars: &[
            "OPENAI_API_KEY",
            "OPENAI_ORG_ID",
            "OPENAI_ORGANIZATION",
            "OPENAI_BASE_URL",
            "OPENAI_API_BASE",
            "OPENAI_PROJECT_ID",
        ],
        hosts: &["api.openai.com"],
        category: "llm-api",
    },
    Provider {
        key: "openai-compatible",
        name: "OpenAI-compatible endpoint",
        env_vars: &[],
        hosts: &[],
        category: "llm-api",
    },
    Provider {
        key: "openrouter",
        name: "OpenRouter",
        env_vars: &["OPENROUTER_API_KEY"],
        hosts: &["openrouter.ai"],
        category: "llm-api",
    },
    Provider {
        key: "perplexity",
        name: "Perplexity",
        env_vars: &["PERPLEXITY_API_KEY", "PPLX_API_KEY"],
        hosts: &["api.perplexity.ai"],
        category: "llm-api",
    },
    Provider {
        key: "pgvector",
        name: "PGVector",
        env_vars: &[],
        hosts: &[],
        category: "vector-store",
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
        category: "vector-store",
    },
    Provider {
        key: "qdrant",
        name: "Qdrant",
        env_vars: &["QDRANT_API_KEY", "QDRANT_URL", "QDRANT_HOST"],
        hosts: &["*.cloud.qdrant.io", "*.qdrant.io"],
        category: "vector-store",
    },
    Provider {
        key: "replicate",
        name: "Replicate",
        env_vars: &["REPLICATE_API_TOKEN", "REPLICATE_API_KEY"],
        hosts: &["api.replicate.com"],
        category: "llm-api",
    },
    Provider {
        key: "together",
        name: "Together AI",
        env_vars: &["TOGETHER_API_KEY", "TOGETHERAI_API_KEY"],
        hosts: &["api.together.xyz", "api.together.ai"],
        category: "llm-api",
    },
    Provider {
        key: "vercel-ai-gateway",
        name: "Vercel AI Gateway",
        env_vars: &["AI_GATEWAY_API_KEY"],
        hosts: &["ai-gateway.vercel.sh"],
        category: "llm-api",
    },
    Provider {
        key: "voyage-ai",
        name: "Voyage AI",
        env_vars: &["VOYAGE_API_KEY"],
        hosts: &["api.voyageai.com"],
        category: "llm-api",
    },
    Provider {
        key: "weaviate",
        name: "Weaviate",
        env_vars: &["WEAVIATE_API_KEY", "WEAVIATE_URL", "WEAVIATE_HOST"],
        hosts: &["*.weaviate.network", "*.weaviate.cloud"],
        category: "vector-store",
    },
    Provider {
        key: "xai",
        name: "xAI",
        env_vars: &["XAI_API_KEY"],
        hosts: &["api.x.ai"],
        category: "llm-api",
    },
];

/// The provider with this key.
pub fn provider(key: &str) -> Option<&'static Provider> {
    PROVIDERS.iter().find(|p| p.key == key)
}

/// The provider an environment variable name announces (`OPENAI_API_KEY` → OpenAI).
/// Exact names win over `PREFIX_*` patterns, so `AZURE_OPENAI_*` never shadows a listed name.
pub fn provider_for_env_var(name: &str) -> Option<&'static Provider> {
    let index = lookup_index();
    // most string literals of a source file hold a byte no listed name has (lower case, `-`,
    // `/`, a space): no need to hash them
    if name.bytes().all(|b| index.env_exact_bytes[b as usize]) {
        if let Some(&i) = index.env_exact.get(name) {
            return PROVIDERS.get(i);
        }
    }
    let first = *name.as_bytes().first()?;
    index.env_prefixes[first as usize]
        .iter()
        .find(|(prefix, _)| name.starts_with(prefix) && name.len() > prefix.len())
        .and_then(|&(_, i)| PROVIDERS.get(i))
}

/// The provider serving `host` (a bare host, `host:port`, or a whole URL).
pub fn provider_for_host(host: &str) -> Option<&'static Provider> {
    let h = host_of(host)?;
    let bare = h.split(':').next().unwrap_or(&h);
    lookup_index()
        .hosts
        .iter()
        .find(|pat| pat.matches(&h, bare))
        .and_then(|pat| PROVIDERS.get(pat.provider))
}

/// [`PROVIDERS`] arranged for the lookups above, which run for every string literal of every
/// source file read: exact variable names hashed, `PREFIX_*` patterns by their first byte,
/// host patterns split once. Each keeps the table's order, which decides ties.
struct LookupIndex {
    env_exact: HashMap<&'static str, usize>,
    /// The bytes that occur in the exact names.
    env_exact_bytes: [bool; 256],
    env_prefixes: Vec<Vec<(&'static str, usize)>>,
    hosts: Vec<HostPattern>,
}

/// One host pattern: `pre*post` (`*.suffix` is `pre` "" and `post` ".suffix"), or exact when
/// `post` is `None`.
struct HostPattern {
    pre: &'static str,
    post: Option<&'static str>,
    /// Patterns with a port match `host:port`; the others the host alone.
    with_port: bool,
    /// `*.suffix` needs a whole label before the suffix; `pre*post` no `/` in the wildcard.
    label_wildcard: bool,
    provider: usize,
}

impl HostPattern {
    fn matches(&self, hostport: &str, bare: &str) -> bool {
        let host = if self.with_port { hostport } else { bare };
        match self.post {
            None => host == self.pre,
            Some(post) if self.label_wildcard => {
                // `*.suffix`: post is ".suffix"
                host.len() > post.len() && host.ends_with(post)
            }
            Some(post) => {
                host.len() > self.pre.len() + post.len()
                    && host.starts_with(self.pre)
                    && host.ends_with(post)
                    && !host[self.pre.len()..host.len() - post.len()].contains('/')
            }
        }
    }
}

fn lookup_index() -> &'static LookupIndex {
    static INDEX: OnceLock<LookupIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut env_exact = HashMap::new();
        let mut env_exact_bytes = [false; 256];
        let mut env_prefixes = vec![Vec::new(); 256];
        let mut hosts = Vec::new();
        for (i, p) in PROVIDERS.iter().enumerate() {
            for v in p.env_vars {
                match v.strip_suffix('*') {
                    Some(prefix) => {
                        if let Some(&b) = prefix.as_bytes().first() {
                            env_prefixes[b as usize].push((prefix, i));
                        }
                    }
                    None => {
                        env_exact.entry(*v).or_insert(i);
                        for b in v.bytes() {
                            env_exact_bytes[b as usize] = true;
                        }
                    }
                }
            }
            for pat in p.hosts {
                let with_port = pat.contains(':');
                let (pre, post, label_wildcard) = if pat.starts_with("*.") {
                    ("", Some(&pat[1..]), true)
                } else if let Some((pre, post)) = pat.split_once('*') {
                    (pre, Some(post), false)
                } else {
                    (*pat, None, false)
                };
                hosts.push(HostPattern {
                    pre,
                    post,
                    with_port,
                    label_wildcard,
                    provider: i,
                });
            }
        }
        LookupIndex {
            env_exact,
            env_exact_bytes,
            env_prefixes,
            hosts,
        }
    })
}

/// The lowercased `host[:port]` of a URL or bare host; `None` when it does not look like one.
pub fn host_of(s: &str) -> Option<String> {
    let s = s.trim();
    let rest = match s.find("://") {
        Some(i) => &s[i + 3..],
        None => s,
    };
    let end = rest
        .find(['/', '?', '#', ' ', '"', '\''])
        .unwrap_or(rest.len());
    let hostport = rest[..end].rsplit('@').next().unwrap_or("");
    if hostport.is_empty() || !hostport.contains(['.', ':']) {
        return None;
    }
    Some(hostport.to_ascii_lowercase())
}

/// The `service` finding for a provider. Identity is the provider key, so every detector that
/// sees the same provider merges into one component.
pub fn provider_service_finding(provider: &Provider, evidence: Evidence) -> Finding {
    Finding::new(ComponentKind::Service, provider.name, evidence)
        .with_identity(provider.key)
        .with_provider(provider.key)
        .prop("category", provider.category)
}

/// The provider a LiteLLM-style `provider/model` prefix names.
pub fn provider_for_prefix(prefix: &str) -> Option<&'static Provider> {
    let key = match prefix {
        "openai" | "text-completion-openai" => "openai",
        "azure" | "azure_ai" => "azure-openai",
        "anthropic" => "anthropic",
        "bedrock" | "bedrock_converse" => "amazon-bedrock",
        "gemini" | "google" => "google-gemini",
        "vertex_ai" | "vertex_ai_beta" => "google-vertex-ai",
        "ollama" | "ollama_chat" => "ollama",
        "groq" => "groq",
        "mistral" => "mistral",
        "cohere" | "cohere_chat" => "cohere",
        "together_ai" | "together" => "together",
        "huggingface" => "huggingface",
        "replicate" => "replicate",
        "deepseek" => "deepseek",
        "openrouter" => "openrouter",
        "perplexity" => "perplexity",
        "fireworks_ai" => "fireworks",
        "xai" => "xai",
        "github" => "github-models",
        _ => return None,
    };
    provider(key)
}

/// The provider a bare hosted model id belongs to, by its well-known shape.
pub fn provider_for_model_id(id: &str) -> Option<&'static Provider> {
    let l = id.to_ascii_lowercase();
    let key = if l.starts_with("gpt-")
        || l.starts_with("o1")
        || l.starts_with("o3")
        || l.starts_with("o4-")
        || l.starts_with("text-embedding-")
        || l.starts_with("dall-e")
        || l.starts_with("whisper-")
        || l.starts_with("tts-")
        || l.starts_with("chatgpt-")
    {
        "openai"
    } else if l.starts_with("claude-") {
        "anthropic"
    } else if l.starts_with("gemini-") || l.starts_with("models/") {
        "google-gemini"
    } else if l.starts_with("command") {
        "cohere"
    } else if l.starts_with("mistral-")
        || l.starts_with("open-mistral")
        || l.starts_with("codestral")
    {
        "mistral"
    } else {
        return None;
    };
    provider(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lookups as first written: a scan of the whole table, in order.
    fn env_var_by_scan(name: &str) -> Option<&'static Provider> {
        PROVIDERS
            .iter()
            .find(|p| p.env_vars.contains(&name))
            .or_else(|| {
                PROVIDERS.iter().find(|p| {
                    p.env_vars.iter().any(|pat| {
                        pat.strip_suffix('*').is_some_and(|prefix| {
                            name.starts_with(prefix) && name.len() > prefix.len()
                        })
                    })
                })
            })
    }

    fn host_by_scan(host: &str) -> Option<&'static Provider> {
        fn matches(pat: &str, hostport: &str) -> bool {
            let host = if pat.contains(':') {
                hostport
            } else {
                hostport.split(':').next().unwrap_or(hostport)
            };
            if let Some(suffix) = pat.strip_prefix("*.") {
                return host.len() > suffix.len() + 1
                    && host.ends_with(suffix)
                    && host.as_bytes().get(host.len() - suffix.len() - 1) == Some(&b'.');
            }
            if let Some((pre, post)) = pat.split_once('*') {
                return host.len() > pre.len() + post.len()
                    && host.starts_with(pre)
                    && host.ends_with(post)
                    && !host[pre.len()..host.len() - post.len()].contains('/');
            }
            host == pat
        }
        let h = host_of(host)?;
        PROVIDERS
            .iter()
            .find(|p| p.hosts.iter().any(|pat| matches(pat, &h)))
    }

    #[test]
    fn indexed_lookups_agree_with_a_table_scan() {
        let mut names: Vec<String> = vec![String::new(), "X".into(), "_".into()];
        let mut hosts: Vec<String> = vec!["localhost".into(), "a.b".into(), ":1".into()];
        for p in PROVIDERS {
            for v in p.env_vars {
                let stem = v.trim_end_matches('*');
                for s in ["", "X", "_KEY", "x.y"] {
                    names.push(format!("{stem}{s}"));
                    names.push(format!("A{stem}{s}"));
                }
                names.push(stem[..stem.len() / 2].to_string());
                // bytes no exact name has, which the exact lookup rejects unhashed
                names.push(stem.to_lowercase());
                names.push(format!("{stem}-é"));
            }
            for h in p.hosts {
                for fill in ["", "x", "eu-west-1", "a.b", "a/b"] {
                    let host = h.replace('*', fill);
                    for form in [
                        host.clone(),
                        format!("https://{host}/v1"),
                        format!("{host}:8443"),
                        format!("x{host}"),
                        format!("{host}x"),
                        host.to_uppercase(),
                    ] {
                        hosts.push(form);
                    }
                }
            }
        }
        for n in &names {
            assert_eq!(
                provider_for_env_var(n).map(|p| p.key),
                env_var_by_scan(n).map(|p| p.key),
                "{n}"
            );
        }
        for h in &hosts {
            assert_eq!(
                provider_for_host(h).map(|p| p.key),
                host_by_scan(h).map(|p| p.key),
                "{h}"
            );
        }
    }

    #[test]
    fn table_is_sorted_and_unique() {
        for w in PROVIDERS.windows(2) {
            assert!(w[0].key < w[1].key, "{} / {}", w[0].key, w[1].key);
        }
    }

    #[test]
    fn hosts_and_env_vars() {
        let k = |s: &str| provider_for_host(s).map(|p| p.key);
        assert_eq!(k("https://api.openai.com/v1"), Some("openai"));
        assert_eq!(k("https://contoso.openai.azure.com/"), Some("azure-openai"));
        assert_eq!(k("openai.azure.com"), None);
        assert_eq!(
            k("https://bedrock-runtime.us-east-1.amazonaws.com"),
            Some("amazon-bedrock")
        );
        assert_eq!(k("http://localhost:11434/api"), Some("ollama"));
        assert_eq!(k("http://localhost:8080/v1"), None);
        assert_eq!(k("https://evil-api.openai.com.attacker.net"), None);
        assert_eq!(k("not a url"), None);
        assert_eq!(
            provider_for_env_var("ANTHROPIC_API_KEY").map(|p| p.key),
            Some("anthropic")
        );
        assert_eq!(provider_for_env_var("PATH"), None);
        assert_eq!(
            provider_for_prefix("ollama_chat").map(|p| p.key),
            Some("ollama")
        );
        assert_eq!(
            provider_for_model_id("claude-3-5-sonnet-latest").map(|p| p.key),
            Some("anthropic")
        );
        assert_eq!(provider_for_model_id("llama3"), None);
    }
}
