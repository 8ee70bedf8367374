//! MCP client configuration files: the MCP servers an editor or agent is wired to.
//!
//! # What it detects
//! Each entry of the `servers` map (VS Code `.vscode/mcp.json`, `mcp` → `servers` in
//! `.vscode/settings.json`) or the `mcpServers` map (Cursor, Claude Desktop, Claude Code
//! `.mcp.json`, Gemini CLI, Windsurf, Cline…) becomes an `mcp-server` component. When the server
//! is launched from a package (`npx`/`bunx`/`pnpm dlx` → npm, `uvx`/`pipx run` → PyPI,
//! `docker run` → an image), the component is named after the package, with its version when
//! pinned (`@x.y.z`, `==x.y`) and a purl; otherwise it is named after its config key.
//! Properties: `command`, `args` (key-looking values redacted), `url`, `transport`,
//! `env` (variable NAMES only), `config-key`, `client`.
//!
//! # Files claimed
//! `mcp.json` and `.mcp.json` anywhere, `claude_desktop_config.json`, `mcp_config.json`,
//! `mcp_settings.json`, and `settings.json` under `.gemini/`, `.claude/` or `.vscode/`.
//!
//! # Evidence and confidence
//! High, method `config-key`, the line of the server's key.
//!
//! # Not handled
//! MCP configs quoted in Markdown or in string literals of code are not configuration and are
//! never read (those files are not claimed). `inputs` prompts are not resolved. Header values
//! and env values are never recorded.
//!
//! # References
//! <https://code.visualstudio.com/docs/copilot/customization/mcp-servers>,
//! <https://modelcontextprotocol.io/quickstart/user>, <https://docs.cursor.com/context/mcp>

use super::jsonc;
use crate::bom::{normalize, ComponentKind, Confidence, Evidence, Finding, Method};
use crate::detect::deps::{self, LineIndex};
use crate::detect::infra::images::ImageRef;
use crate::detect::util::redact_secret;
use crate::detect::{
    Candidate, Claim, Context, DetectOutcome, Detector, FileInput, Maturity, Scope,
};
use serde_json::{Map, Value};

pub const ID: &str = "mcp-config";

pub const DETECTOR: Detector = Detector {
    id: ID,
    family: "config",
    summary: "MCP servers in MCP client configs (VS Code, Cursor, Claude, Gemini, Windsurf)",
    maturity: Maturity::Stable,
    scope: Scope::Repo,
    claim,
    sniff: None,
    detect,
};

fn claim(c: &Candidate) -> Claim {
    let yes = match c.name_lower {
        "mcp.json"
        | ".mcp.json"
        | "claude_desktop_config.json"
        | "mcp_config.json"
        | "mcp_settings.json" => true,
        "settings.json" => c.in_dir(".gemini") || c.in_dir(".claude") || c.in_dir(".vscode"),
        _ => false,
    };
    if yes {
        Claim::Yes
    } else {
        Claim::No
    }
}

/// Which client a config file belongs to, from its path.
fn client(path: &str) -> &'static str {
    let lower = path.to_ascii_lowercase();
    if lower.contains(".vscode/") {
        "vscode"
    } else if lower.contains(".cursor/") {
        "cursor"
    } else if lower.ends_with("claude_desktop_config.json") {
        "claude-desktop"
    } else if lower.contains(".claude/") || lower.ends_with(".mcp.json") {
        "claude-code"
    } else if lower.contains(".gemini/") {
        "gemini-cli"
    } else if lower.contains("windsurf") || lower.contains(".codeium/") {
        "windsurf"
    } else {
        "generic"
    }
}

fn detect(input: &FileInput, _ctx: &Context) -> DetectOutcome {
    let text = match input.text() {
        Ok(t) => t,
        Err(e) => return DetectOutcome::failure(input, ID, e),
    };
    let clean = jsonc::to_json(text);
    let root: Value = match serde_json::from_str(&clean) {
        Ok(v) => v,
        Err(e) => {
            return DetectOutcome::failure(
                input,
                ID,
                format!("not valid JSON (with comments): {e}"),
            )
        }
    };
    let mut out = DetectOutcome::default();
    // a settings file without MCP servers is normal; say nothing
    let (map_key, servers) = match server_map(&root) {
        Some(s) => s,
        None => return out,
    };
    let anchor = clean.find(&format!("\"{map_key}\"")).unwrap_or(0);
    let client = client(&input.rel_path);
    let lines = LineIndex::new(&clean);
    let mut cursor = anchor;
    for (key, entry) in servers {
        let Some(entry) = entry.as_object() else {
            out.warn(
                input,
                ID,
                format!("MCP server {key:?} is not an object; skipped"),
            );
            continue;
        };
        let at = deps::search_forward(&mut cursor, anchor, |from| {
            deps::json_key_at(&clean, key, from)
        });
        let line = lines.line(at.unwrap_or(anchor));
        out.findings
            .push(server_finding(key, entry, client, &input.rel_path, line));
    }
    out
}

/// The servers map and the key it sits under.
fn server_map(root: &Value) -> Option<(&'static str, &Map<String, Value>)> {
    if let Some(m) = root.get("mcpServers").and_then(Value::as_object) {
        return Some(("mcpServers", m));
    }
    if let Some(m) = root.get("servers").and_then(Value::as_object) {
        return Some(("servers", m));
    }
    // `.vscode/settings.json`: "mcp": { "servers": { … } }
    root.get("mcp")
        .and_then(|m| m.get("servers"))
        .and_then(Value::as_object)
        .map(|m| ("servers", m))
}

/// What the command launches: a package of an ecosystem, or nothing we can name.
#[derive(Debug, PartialEq)]
enum Launch {
    Npm(String, Option<String>),
    Pypi(String, Option<String>),
    Docker(String),
    Local,
}

fn launch(command: &str, args: &[String]) -> Launch {
    let base = command
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(command)
        .to_ascii_lowercase();
    let base = base
        .strip_suffix(".cmd")
        .or_else(|| base.strip_suffix(".exe"))
        .unwrap_or(&base);
    let positional = |skip_first: &[&str]| -> Option<&String> {
        let mut it = args.iter().peekable();
        if let Some(first) = it.peek() {
            if skip_first.contains(&first.as_str()) {
                it.next();
            }
        }
        let mut skip_next = false;
        for a in it {
            if skip_next {
                skip_next = false;
                continue;
            }
            if a.starts_with('-') {
                // flags that take a value in the tools we model
                skip_next = matches!(
                    a.as_str(),
                    "--from"
                        | "-p"
                        | "--package"
                        | "--python"
                        | "-e"
                        | "--env"
                        | "-v"
                        | "--volume"
                        | "--name"
                        | "--network"
                        | "--env-file"
                );
                continue;
            }
            return Some(a);
        }
        None
    };
    match base {
        "npx" | "bunx" => positional(&[]).map_or(Launch::Local, |p| npm_spec(p)),
        "pnpm" | "yarn" if args.first().map(String::as_str) == Some("dlx") => {
            positional(&["dlx"]).map_or(Launch::Local, |p| npm_spec(p))
        }
        "uvx" => match flag_value(args, "--from") {
            Some(from) => pypi_spec(&from),
            None => positional(&[]).map_or(Launch::Local, |p| pypi_spec(p)),
        },
        "pipx" if args.first().map(String::as_str) == Some("run") => {
            positional(&["run"]).map_or(Launch::Local, |p| pypi_spec(p))
        }
        "docker" | "podman" if args.first().map(String::as_str) == Some("run") => {
            positional(&["run"]).map_or(Launch::Local, |p| Launch::Docker(p.clone()))
        }
        _ => Launch::Local,
    }
}

fn flag_value(args: &[String], flag: &str) -> Option<String> {
    let prefix = format!("{flag}=");
    for (i, a) in args.iter().enumerate() {
        if a == flag {
            return args.get(i + 1).cloned();
        }
        if let Some(v) = a.strip_prefix(&prefix) {
            return Some(v.to_string());
        }
    }
    None
}

/// `@scope/name@1.2.3` → (`@scope/name`, `1.2.3`); a `latest`/range tag is not a version.
fn npm_spec(spec: &str) -> Launch {
    let (name, version) = match spec.rfind('@') {
        Some(i) if i > 0 => (spec.get(..i).unwrap_or(spec), spec.get(i + 1..)),
        _ => (spec, None),
    };
    let version = version.filter(|v| v.chars().next().is_some_and(|c| c.is_ascii_digit()));
    Launch::Npm(name.to_string(), version.map(str::to_string))
}

/// `pkg==1.2`, `pkg@1.2` → (`pkg`, `1.2`).
fn pypi_spec(spec: &str) -> Launch {
    let (name, version) = match spec.split_once("==").or_else(|| spec.split_once('@')) {
        Some((n, v)) => (n, Some(v.trim())),
        None => (spec, None),
    };
    let name = name.split('[').next().unwrap_or(name).trim();
    let version = version.filter(|v| v.chars().next().is_some_and(|c| c.is_ascii_digit()));
    Launch::Pypi(name.to_string(), version.map(str::to_string))
}

fn server_finding(
    key: &str,
    entry: &Map<String, Value>,
    client: &str,
    path: &str,
    line: u32,
) -> Finding {
    let mut ev = Evidence::new(path, Some(line), ID, Method::ConfigKey, Confidence::High);
    ev.snippet = Some(format!("\"{key}\""));
    let command = entry.get("command").and_then(Value::as_str).unwrap_or("");
    let args: Vec<String> = match entry.get("args") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    let url = entry
        .get("url")
        .or_else(|| entry.get("serverUrl"))
        .or_else(|| entry.get("httpUrl"))
        .and_then(Value::as_str);
    let transport = entry
        .get("type")
        .or_else(|| entry.get("transport"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| {
            if !command.is_empty() {
                "stdio".to_string()
            } else if url.is_some_and(|u| {
                u.split(['?', '#'])
                    .next()
                    .unwrap_or(u)
                    .trim_end_matches('/')
                    .ends_with("/sse")
            }) {
                "sse".to_string()
            } else if url.is_some() {
                "http".to_string()
            } else {
                "unknown".to_string()
            }
        });
    let mut f = match launch(command, &args) {
        Launch::Npm(name, version) => {
            let mut f =
                Finding::new(ComponentKind::McpServer, name.as_str(), ev).with_version(version);
            if let Some(p) = normalize::package_purl(normalize::Ecosystem::Npm, &name) {
                f = f.with_purl(p);
            }
            f.prop("package-ecosystem", "npm")
        }
        Launch::Pypi(name, version) => {
            let mut f =
                Finding::new(ComponentKind::McpServer, name.as_str(), ev).with_version(version);
            if let Some(p) = normalize::package_purl(normalize::Ecosystem::Pypi, &name) {
                f = f.with_purl(p);
            }
            f.prop("package-ecosystem", "pypi")
        }
        Launch::Docker(image) => match ImageRef::parse(&image) {
            Some(img) => {
                let mut f = Finding::new(ComponentKind::McpServer, img.repository(), ev)
                    .with_version(img.version());
                if let Some(p) = img.purl() {
                    f = f.with_purl(p);
                }
                f.prop("image", image.as_str())
            }
            None => Finding::new(ComponentKind::McpServer, key, ev),
        },
        // a local command: the config key is the only name it has; same key, same server
        Launch::Local => Finding::new(ComponentKind::McpServer, key, ev),
    };
    f = f
        .prop("config-key", key)
        .prop("client", client)
        .prop("transport", transport);
    if !command.is_empty() {
        f = f.prop("command", command);
    }
    if !args.is_empty() {
        f = f.prop("args", redact_args(&args).join(" "));
    }
    if let Some(u) = url {
        f = f.prop("url", redact_url(u));
    }
    if let Some(Value::Object(env)) = entry.get("env") {
        let names: Vec<Value> = env.keys().map(|k| Value::from(k.as_str())).collect();
        if !names.is_empty() {
            f = f.prop("env", names);
        }
    }
    if let Some(Value::Object(h)) = entry.get("headers") {
        let names: Vec<Value> = h.keys().map(|k| Value::from(k.as_str())).collect();
        if !names.is_empty() {
            f = f.prop("headers", names);
        }
    }
    f
}

/// Flags whose value is a credential.
const SECRET_FLAGS: &[&str] = &[
    "--api-key",
    "--apikey",
    "--token",
    "--key",
    "--password",
    "--secret",
    "--access-token",
    "--auth",
];

/// Arguments with credential-looking values redacted.
fn redact_args(args: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut after_secret_flag = false;
    for a in args {
        if after_secret_flag {
            after_secret_flag = false;
            out.push(if a.starts_with("${") {
                a.clone()
            } else {
                redact_secret(a)
            });
            continue;
        }
        if let Some((flag, value)) = a.split_once('=') {
            let is_flag = SECRET_FLAGS.contains(&flag.to_ascii_lowercase().as_str());
            if (is_flag && !value.starts_with("${")) || looks_like_key(value) {
                out.push(format!("{flag}={}", redact_secret(value)));
                continue;
            }
        }
        if SECRET_FLAGS.contains(&a.to_ascii_lowercase().as_str()) {
            after_secret_flag = true;
            out.push(a.clone());
            continue;
        }
        out.push(if looks_like_key(a) {
            redact_secret(a)
        } else {
            a.clone()
        });
    }
    out
}

/// A URL with credential-looking query values redacted.
fn redact_url(u: &str) -> String {
    let Some((base, query)) = u.split_once('?') else {
        return u.to_string();
    };
    let q: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, v))
                if looks_like_key(v)
                    || k.to_ascii_lowercase().contains("key")
                    || k.to_ascii_lowercase().contains("token") =>
            {
                format!("{k}={}", redact_secret(v))
            }
            _ => kv.to_string(),
        })
        .collect();
    format!("{base}?{}", q.join("&"))
}

/// Known key prefixes, or a long token of mixed letters and digits with no path shape.
fn looks_like_key(s: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "sk-",
        "sk_",
        "ghp_",
        "gho_",
        "github_pat_",
        "hf_",
        "xoxb-",
        "xoxp-",
        "AIza",
        "gsk_",
        "r8_",
        "pk-",
        "glpat-",
    ];
    if PREFIXES.iter().any(|p| s.starts_with(p)) && s.len() >= 12 {
        return true;
    }
    s.len() >= 32
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars().any(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(path: &str, text: &str) -> DetectOutcome {
        detect(
            &FileInput::from_bytes(path, text.as_bytes().to_vec()),
            &Context::default(),
        )
    }

    #[test]
    fn vscode_jsonc_with_trailing_comma() {
        let text = "{\n  // tools\n  \"inputs\": [],\n  \"servers\": {\n    \"learn\": {\n      \"command\": \"uv\",\n      \"args\": [\"run\", \"server.py\"],\n    },\n    \"github\": {\"command\": \"npx\", \"args\": [\"-y\", \"@modelcontextprotocol/server-github@2025.4.8\"], \"env\": {\"GITHUB_PERSONAL_ACCESS_TOKEN\": \"ghp_abcdefghijklmnopqrstuvwxyz0123456789\"}},\n  },\n}\n";
        let out = scan(".vscode/mcp.json", text);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| (f.id(), f.evidence.line))
            .collect();
        assert_eq!(
            ids,
            vec![
                ("mcp-server:learn".to_string(), Some(5)),
                (
                    "mcp-server:npm/%40modelcontextprotocol/server-github@2025.4.8".to_string(),
                    Some(9)
                ),
            ]
        );
        let gh = &out.findings[1];
        assert_eq!(
            gh.properties["env"],
            serde_json::json!(["GITHUB_PERSONAL_ACCESS_TOKEN"])
        );
        let dump = format!("{:?}", out.findings);
        assert!(
            !dump.contains("ghp_abcdefghijklmnopqrstuvwxyz"),
            "env values must never appear"
        );
    }

    #[test]
    fn claude_desktop_packages_and_urls() {
        let text = r#"{"mcpServers": {
  "fetch": {"command": "uvx", "args": ["mcp-server-fetch"]},
  "remote": {"url": "https://mcp.example.com/sse?api_key=sk-abcdefghijklmnop1234"},
  "pg": {"command": "docker", "args": ["run", "-i", "--rm", "-e", "PGURL", "mcp/postgres:1.0", "--token", "s3cr3tvalue"]}
}}"#;
        let out = scan("claude_desktop_config.json", text);
        let ids: Vec<_> = out.findings.iter().map(|f| f.id()).collect();
        assert_eq!(
            ids,
            vec![
                "mcp-server:pypi/mcp-server-fetch",
                "mcp-server:remote",
                "mcp-server:docker/mcp/postgres@1.0"
            ]
        );
        assert_eq!(out.findings[2].prop_str_for_test("transport"), "stdio");
        assert_eq!(out.findings[1].prop_str_for_test("transport"), "sse");
        let dump = format!("{:?}", out.findings);
        assert!(!dump.contains("sk-abcdefghijklmnop1234") && !dump.contains("s3cr3tvalue"));
    }

    #[test]
    fn not_mcp_and_malformed() {
        assert!(scan(".vscode/settings.json", r#"{"editor.fontSize": 12}"#)
            .findings
            .is_empty());
        let bad = scan(".cursor/mcp.json", "{\"mcpServers\": {\"a\": ");
        assert!(bad.failed && bad.findings.is_empty() && bad.warnings.len() == 1);
        let odd = scan(
            "mcp.json",
            r#"{"mcpServers": {"a": 1, "b": {"command": "node", "args": ["b.js"]}}}"#,
        );
        assert_eq!(odd.findings.len(), 1);
        assert_eq!(odd.warnings.len(), 1);
    }

    #[test]
    fn launch_specs() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            launch("npx", &s(&["-y", "@x/y@latest"])),
            Launch::Npm("@x/y".into(), None)
        );
        assert_eq!(
            launch("uvx", &s(&["--from", "pkg==1.2", "cmd"])),
            Launch::Pypi("pkg".into(), Some("1.2".into()))
        );
        assert_eq!(launch("/usr/bin/node", &s(&["server.js"])), Launch::Local);
        assert_eq!(
            launch("pnpm", &s(&["dlx", "srv"])),
            Launch::Npm("srv".into(), None)
        );
    }

    trait PropStr {
        fn prop_str_for_test(&self, k: &str) -> &str;
    }
    impl PropStr for Finding {
        fn prop_str_for_test(&self, k: &str) -> &str {
            self.properties
                .get(k)
                .and_then(|v| v.as_str())
                .unwrap_or("")
        }
    }
}
