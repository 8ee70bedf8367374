//! Container image references and the table of AI images.
//!
//! Image references are split the way the Docker reference grammar does (registry host, path,
//! `:tag`, `@digest`). Only AI images become components: serving runtimes (vLLM, TGI, Triton,
//! Ollama, …), training/inference bases (PyTorch, TensorFlow, CUDA, NeMo), AI applications and
//! vector databases. Generic bases (`python:3.11`, `node`, `ubi9`) are not reported. The table
//! is data; a row matches the normalised repository exactly, by prefix (`huggingface/*`), or —
//! for `Keyword` rows — by the first dash-separated word of the image's last path segment, so
//! rebuilt images such as `quay.io/acme/vllm-openai-ubi9` are recognised too.

use crate::bom::{ComponentKind, Confidence, Evidence, Finding, Method};
use packageurl::PackageUrl;

/// What an AI image is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Serving,
    Training,
    GpuBase,
    Framework,
    Application,
    VectorDatabase,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Serving => "serving",
            Category::Training => "training",
            Category::GpuBase => "gpu-base",
            Category::Framework => "framework",
            Category::Application => "ai-application",
            Category::VectorDatabase => "vector-database",
        }
    }
}

/// How a table row matches a normalised repository (`registry/path` or `path` on Docker Hub).
#[derive(Debug, Clone, Copy)]
pub enum Match {
    Exact(&'static str),
    Prefix(&'static str),
    /// First `-`/`_`-separated word of the last path segment.
    Keyword(&'static str),
}

pub struct AiImage {
    pub pattern: Match,
    pub category: Category,
    /// Serves models through Ollama (its model names are Ollama tags).
    pub ollama: bool,
    /// Only an AI image when the same file shows another AI signal (general-purpose databases
    /// that double as vector stores).
    pub needs_context: bool,
}

const fn row(pattern: Match, category: Category) -> AiImage {
    AiImage {
        pattern,
        category,
        ollama: false,
        needs_context: false,
    }
}

use Category::*;
use Match::*;

/// The AI image table.
pub const AI_IMAGES: &[AiImage] = &[
    AiImage {
        pattern: Exact("ollama/ollama"),
        category: Serving,
        ollama: true,
        needs_context: false,
    },
    AiImage {
        pattern: Keyword("ollama"),
        category: Serving,
        ollama: true,
        needs_context: false,
    },
    row(Exact("vllm/vllm-openai"), Serving),
    row(Prefix("quay.io/modh/vllm"), Serving),
    row(Keyword("vllm"), Serving),
    row(
        Exact("ghcr.io/huggingface/text-generation-inference"),
        Serving,
    ),
    row(
        Exact("ghcr.io/huggingface/text-embeddings-inference"),
        Serving,
    ),
    row(Keyword("text-generation-inference"), Serving),
    row(Keyword("tgi"), Serving),
    row(Prefix("ghcr.io/huggingface/"), Serving),
    row(Prefix("huggingface/"), Training),
    row(Keyword("huggingface"), Serving),
    row(Exact("nvcr.io/nvidia/tritonserver"), Serving),
    row(Keyword("tritonserver"), Serving),
    row(Prefix("nvcr.io/nim/"), Serving),
    row(Exact("nvcr.io/nvidia/nemo"), Training),
    row(Exact("nvcr.io/nvidia/pytorch"), Training),
    row(Exact("nvcr.io/nvidia/tensorflow"), Training),
    row(Prefix("nvcr.io/nvidia/tensorrt"), Serving),
    row(Exact("nvidia/cuda"), GpuBase),
    row(Exact("nvcr.io/nvidia/cuda"), GpuBase),
    row(Exact("pytorch/pytorch"), Training),
    row(Exact("pytorch/torchserve"), Serving),
    row(Keyword("pytorch"), Training),
    row(Keyword("torchserve"), Serving),
    row(Exact("tensorflow/tensorflow"), Training),
    row(Exact("tensorflow/serving"), Serving),
    row(Exact("rayproject/ray"), Training),
    row(Exact("rayproject/ray-ml"), Training),
    row(Exact("rayproject/ray-llm"), Serving),
    row(Exact("ghcr.io/llm-d/llm-d"), Serving),
    row(Exact("lmsysorg/sglang"), Serving),
    row(Prefix("openvino/"), Serving),
    row(Keyword("openvino"), Serving),
    row(Keyword("deepsparse"), Serving),
    row(Keyword("sbert"), Serving),
    row(Keyword("mlserver"), Serving),
    row(Prefix("seldonio/"), Serving),
    row(Prefix("kserve/"), Serving),
    row(Keyword("llamacpp"), Serving),
    row(Prefix("ghcr.io/ggerganov/llama.cpp"), Serving),
    row(Prefix("ghcr.io/ggml-org/llama.cpp"), Serving),
    row(Prefix("localai/localai"), Serving),
    row(Exact("langchain/langchain"), Framework),
    row(Exact("mintplexlabs/anythingllm"), Application),
    row(Exact("ghcr.io/open-webui/open-webui"), Application),
    row(Keyword("docling"), Serving),
    row(Exact("milvusdb/milvus"), VectorDatabase),
    row(Exact("qdrant/qdrant"), VectorDatabase),
    row(Exact("semitechnologies/weaviate"), VectorDatabase),
    row(
        Exact("cr.weaviate.io/semitechnologies/weaviate"),
        VectorDatabase,
    ),
    row(Exact("chromadb/chroma"), VectorDatabase),
    row(Exact("ghcr.io/chroma-core/chroma"), VectorDatabase),
    row(Exact("pgvector/pgvector"), VectorDatabase),
    AiImage {
        pattern: Exact("neo4j"),
        category: VectorDatabase,
        ollama: false,
        needs_context: true,
    },
    AiImage {
        pattern: Exact("redis/redis-stack"),
        category: VectorDatabase,
        ollama: false,
        needs_context: true,
    },
    AiImage {
        pattern: Exact("redis/redis-stack-server"),
        category: VectorDatabase,
        ollama: false,
        needs_context: true,
    },
    AiImage {
        pattern: Exact("docker.elastic.co/elasticsearch/elasticsearch"),
        category: VectorDatabase,
        ollama: false,
        needs_context: true,
    },
    AiImage {
        pattern: Exact("opensearchproject/opensearch"),
        category: VectorDatabase,
        ollama: false,
        needs_context: true,
    },
];

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Registry host, `None` for Docker Hub.
    pub registry: Option<String>,
    /// Repository path on that registry (`library/` dropped for Docker Hub).
    pub path: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parse `[registry/]path[:tag][@digest]`; `None` for something that is not an image
    /// reference (empty, spaces, unresolved variables in the repository part).
    pub fn parse(s: &str) -> Option<ImageRef> {
        let s = s.trim().trim_matches(|c| c == '"' || c == '\'');
        if s.is_empty() || s.len() > 512 || s.contains(char::is_whitespace) {
            return None;
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => (r, Some(d.to_string())),
            None => (s, None),
        };
        let (repo, tag) = match rest.rsplit_once(':') {
            Some((r, t)) if !t.contains('/') => (r, Some(t.to_string())),
            _ => (rest, None),
        };
        if repo.is_empty() || repo.contains('$') || repo.contains('{') {
            return None;
        }
        let (registry, path) = match repo.split_once('/') {
            Some((first, p))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (Some(first.to_ascii_lowercase()), p.to_string())
            }
            _ => (None, repo.to_string()),
        };
        let registry = registry.filter(|r| {
            !matches!(
                r.as_str(),
                "docker.io" | "index.docker.io" | "registry-1.docker.io"
            )
        });
        let path = match (&registry, path.strip_prefix("library/")) {
            (None, Some(p)) => p.to_string(),
            _ => path,
        };
        if path.is_empty()
            || !path
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.'))
        {
            return None;
        }
        let tag = tag.filter(|t| !t.is_empty());
        Some(ImageRef {
            registry,
            path: path.to_ascii_lowercase(),
            tag,
            digest,
        })
    }

    /// `registry/path`, or `path` on Docker Hub.
    pub fn repository(&self) -> String {
        match &self.registry {
            Some(r) => format!("{r}/{}", self.path),
            None => self.path.clone(),
        }
    }

    /// The tag or digest, when it is a literal (no unresolved `${VAR}`).
    pub fn version(&self) -> Option<String> {
        self.digest
            .clone()
            .or_else(|| self.tag.clone())
            .filter(|v| !v.contains('$'))
    }

    /// `pkg:docker/<namespace>/<name>[?repository_url=<registry>]`, without version.
    pub fn purl(&self) -> Option<String> {
        let (ns, name) = match self.path.rsplit_once('/') {
            Some((ns, n)) => (Some(ns), n),
            None => (None, self.path.as_str()),
        };
        let mut p = PackageUrl::new("docker", name.to_string()).ok()?;
        if let Some(ns) = ns {
            p.with_namespace(ns.to_string()).ok()?;
        }
        if let Some(r) = &self.registry {
            p.add_qualifier("repository_url", r.clone()).ok()?;
        }
        Some(p.to_string())
    }
}

/// The table row an image matches, if it is an AI image.
pub fn ai_image(img: &ImageRef) -> Option<&'static AiImage> {
    let repo = img.repository();
    let last = img.path.rsplit('/').next().unwrap_or(&img.path);
    AI_IMAGES.iter().find(|row| match row.pattern {
        Exact(e) => repo == e,
        Prefix(p) => repo.starts_with(p),
        Keyword(k) => {
            last == k
                || last.strip_prefix(k).is_some_and(|rest| {
                    rest.starts_with(['-', '_', '.']) || rest.chars().all(|c| c.is_ascii_digit())
                })
        }
    })
}

/// A `container` finding for an AI image, or `None` for any other image. `context` says
/// whether the file shows another AI signal (for rows that need one).
pub fn container_finding(
    raw: &str,
    context: bool,
    ev: Evidence,
) -> Option<(Finding, &'static AiImage)> {
    let img = ImageRef::parse(raw)?;
    let row = ai_image(&img)?;
    if row.needs_context && !context {
        return None;
    }
    let mut f = Finding::new(ComponentKind::Container, img.repository(), ev)
        .with_version(img.version())
        .prop("image", raw.trim().trim_matches(|c| c == '"' || c == '\''))
        .prop("category", row.category.as_str());
    if let Some(p) = img.purl() {
        f = f.with_purl(p);
    }
    if let Some(t) = &img.tag {
        if t.contains('$') {
            f = f.prop("tag-unresolved", t.as_str());
        } else if img.digest.is_some() {
            f = f.prop("tag", t.as_str());
        }
    }
    Some((f, row))
}

/// Evidence for an image line.
pub fn evidence(path: &str, line: u32, detector: &str, snippet: Option<&str>) -> Evidence {
    let mut ev = Evidence::new(
        path,
        Some(line),
        detector,
        Method::ConfigKey,
        Confidence::High,
    );
    ev.snippet = snippet.map(crate::detect::util::snippet);
    ev
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ai(s: &str) -> Option<String> {
        let img = ImageRef::parse(s)?;
        ai_image(&img).map(|_| img.repository())
    }

    #[test]
    fn references() {
        let r = ImageRef::parse("docker.io/library/python:3.11@sha256:abc").unwrap();
        assert_eq!(r.repository(), "python");
        assert_eq!(r.version().as_deref(), Some("sha256:abc"));
        let r = ImageRef::parse("localhost:5000/team/vllm:1").unwrap();
        assert_eq!(r.registry.as_deref(), Some("localhost:5000"));
        assert_eq!(
            ImageRef::parse("ghcr.io/huggingface/text-generation-inference:1.4.0")
                .unwrap()
                .purl()
                .as_deref(),
            Some("pkg:docker/huggingface/text-generation-inference?repository_url=ghcr.io")
        );
        assert_eq!(
            ImageRef::parse("ollama/ollama").unwrap().purl().as_deref(),
            Some("pkg:docker/ollama/ollama")
        );
        assert_eq!(ImageRef::parse("${BASE_IMAGE}"), None);
        assert_eq!(
            ImageRef::parse("vllm/vllm-openai:${TAG}")
                .unwrap()
                .version(),
            None
        );
    }

    #[test]
    fn table() {
        assert_eq!(ai("ollama/ollama:latest").as_deref(), Some("ollama/ollama"));
        assert!(ai("quay.io/rh-aiservices-bu/vllm-openai-ubi9:0.4.2").is_some());
        assert!(ai("quay.io/rh-aiservices-bu/sbert-runtime:1.2.0").is_some());
        assert!(ai("nvcr.io/nvidia/tritonserver:24.05-py3").is_some());
        assert!(ai("pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime").is_some());
        assert!(ai("milvusdb/milvus:v2.4.12").is_some());
        // near misses: generic bases, bundled infrastructure, app images that merely mention
        for s in [
            "python:3.11",
            "node:alpine",
            "registry.access.redhat.com/ubi9/python-311",
            "docker.io/milvusdb/etcd:3.5.14-r1",
            "minio/minio",
            "mcr.microsoft.com/devcontainers/python:3.12",
            "quay.io/acme/gradio-rag-milvus-vllm-openai:latest",
            "array/raytracer",
        ] {
            assert_eq!(ai(s), None, "{s}");
        }
        let ev = evidence("c.yml", 1, "t", None);
        assert!(container_finding("neo4j:5.26", false, ev.clone()).is_none());
        assert!(container_finding("neo4j:5.26", true, ev).is_some());
    }
}
