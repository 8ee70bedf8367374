//! Pickle verdicts: every imported global is dangerous, safe or unknown, by the data lists in
//! `pickle_globals.toml` (compiled in). The lists are data so they can be reviewed and
//! extended without touching the walker.

use super::super::{DetectOutcome, FileInput};
use super::pickle::Walk;
use crate::bom::Finding;
use crate::risk::risk;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// One global's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Safe,
    Unknown,
    Dangerous,
}

#[derive(serde::Deserialize)]
struct Lists {
    dangerous: BTreeMap<String, Vec<String>>,
    safe: BTreeMap<String, Vec<String>>,
}

fn lists() -> &'static Lists {
    static L: OnceLock<Lists> = OnceLock::new();
    L.get_or_init(|| {
        // the file is part of the build; a syntax error is caught by the unit test below
        toml::from_str(include_str!("pickle_globals.toml")).unwrap_or(Lists {
            dangerous: BTreeMap::new(),
            safe: BTreeMap::new(),
        })
    })
}

/// Parent modules of `a.b.c`: `a.b.c`, `a.b`, `a`.
fn module_and_parents(module: &str) -> impl Iterator<Item = &str> {
    let mut cur = Some(module);
    std::iter::from_fn(move || {
        let m = cur?;
        cur = m.rsplit_once('.').map(|(p, _)| p);
        Some(m)
    })
}

/// Classify `module.name`. `unresolved` operands are dangerous: a pickle that hides what it
/// imports has no benign reason to.
pub fn verdict(module: &str, name: &str, unresolved: bool) -> Verdict {
    if unresolved {
        return Verdict::Dangerous;
    }
    let l = lists();
    let first = name.split('.').next().unwrap_or(name);
    // a dotted name is an attribute chain: `builtins` + `getattr` or `os.path` + `x.y`
    let full = format!("{module}.{name}");
    for m in module_and_parents(&full) {
        let (parent, last) = match m.rsplit_once('.') {
            Some(p) => p,
            None => continue,
        };
        if let Some(names) = l.dangerous.get(parent) {
            if names.iter().any(|n| n == "*" || n == last) {
                return Verdict::Dangerous;
            }
        }
    }
    for m in module_and_parents(module) {
        if let Some(names) = l.dangerous.get(m) {
            if names.iter().any(|n| n == "*" || n == first || n == name) {
                return Verdict::Dangerous;
            }
        }
    }
    if let Some(names) = l.safe.get(module) {
        if names.iter().any(|n| n == "*" || n == name) {
            return Verdict::Safe;
        }
    }
    Verdict::Unknown
}

/// Record a walk on the finding (globals, protocol) and raise the pickle risks.
/// `member` names the archive member the stream came from ("" for the file itself).
pub fn apply(
    out: &mut DetectOutcome,
    input: &FileInput,
    detector: &str,
    f: &mut Finding,
    w: &Walk,
    member: &str,
) {
    let id = f.id();
    let place = if member.is_empty() {
        String::new()
    } else {
        format!(" (member {member})")
    };
    let mut globals: Vec<String> = Vec::new();
    let mut dangerous: Vec<String> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    for g in &w.globals {
        let full = g.full();
        if globals.contains(&full) {
            continue;
        }
        globals.push(full.clone());
        match verdict(&g.module, &g.name, g.unresolved) {
            Verdict::Dangerous => {
                let how = if g.unresolved {
                    "an import whose operands are not constants"
                } else if w.called.contains(&full) {
                    "and calls"
                } else {
                    "a dangerous callable"
                };
                dangerous.push(format!("{full} ({how}, at byte {})", g.offset));
            }
            Verdict::Unknown => unknown.push(full),
            Verdict::Safe => {}
        }
    }
    let key = "pickle-globals".to_string();
    let mut all: Vec<serde_json::Value> = f
        .properties
        .get(&key)
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default();
    for g in &globals {
        let v = serde_json::Value::String(g.clone());
        if !all.contains(&v) {
            all.push(v);
        }
    }
    f.properties.insert(key, serde_json::Value::Array(all));
    if let Some(p) = w.protocol {
        f.properties
            .entry("pickle-protocol".to_string())
            .or_insert(p.into());
    }
    let truncated = if w.error.is_some() {
        " (stream broken after it; loading would still run it)"
    } else {
        ""
    };
    for d in &dangerous {
        out.risks.push(risk(
            "AIBOM-PICKLE-RCE",
            Some(id.clone()),
            format!("pickle imports {d}{place}{truncated}: loading this file runs code"),
            &input.rel_path,
            None,
        ));
    }
    if !unknown.is_empty() {
        let shown: Vec<&str> = unknown.iter().take(20).map(String::as_str).collect();
        let more = if unknown.len() > 20 {
            format!(" and {} more", unknown.len() - 20)
        } else {
            String::new()
        };
        out.risks.push(risk(
            "AIBOM-PICKLE-UNKNOWN",
            Some(id.clone()),
            format!(
                "pickle imports callables on neither the safe nor the dangerous list{place}: {}{more}",
                shown.join(", ")
            ),
            &input.rel_path,
            None,
        ));
    }
    if dangerous.is_empty() && unknown.is_empty() {
        out.risks.push(risk(
            "AIBOM-PICKLE-UNSAFE-FORMAT",
            Some(id),
            format!("pickle-based format{place}: loading runs code by design even with only safe globals; prefer safetensors"),
            &input.rel_path,
            None,
        ));
    }
    let _ = detector;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse() {
        let l: Lists = toml::from_str(include_str!("pickle_globals.toml")).unwrap();
        assert!(l.dangerous.contains_key("os"));
        assert!(l.safe.contains_key("torch._utils"));
    }

    #[test]
    fn verdicts() {
        use Verdict::*;
        assert_eq!(verdict("os", "system", false), Dangerous);
        assert_eq!(verdict("posix", "system", false), Dangerous);
        assert_eq!(verdict("os.path", "join", false), Dangerous);
        assert_eq!(verdict("builtins", "getattr", false), Dangerous);
        assert_eq!(verdict("builtins", "set", false), Safe);
        assert_eq!(verdict("torch.utils.collect_env", "run", false), Dangerous);
        assert_eq!(verdict("pandas", "read_csv", false), Dangerous);
        assert_eq!(verdict("torch", "load", false), Dangerous);
        assert_eq!(verdict("torch", "FloatStorage", false), Safe);
        assert_eq!(verdict("importlib", "import_module", false), Dangerous);
        assert_eq!(verdict("torch._utils", "_rebuild_tensor_v2", false), Safe);
        assert_eq!(verdict("collections", "OrderedDict", false), Safe);
        assert_eq!(
            verdict("sklearn.linear_model", "LogisticRegression", false),
            Unknown
        );
        assert_eq!(verdict("collections", "OrderedDict", true), Dangerous);
        // an attribute chain starting at a dangerous callable
        assert_eq!(verdict("builtins", "getattr.__call__", false), Dangerous);
        // a module prefix is not a match: `osx` is not `os`
        assert_eq!(verdict("osx", "thing", false), Unknown);
    }
}
