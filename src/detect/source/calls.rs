//! A call recogniser over [`super::lex`] tokens: `callee(args)` with positional and keyword
//! arguments, object-literal arguments (`{model: "gpt-4o"}`), Go composite literals
//! (`openai.ChatCompletionRequest{Model: …}`), the names imported into the file, and
//! `NAME = "literal"` assignments so that a bare identifier argument resolves to its value.
//!
//! # What it detects
//! Nothing by itself; the source detectors match its [`Call`]s against their pattern tables.
//!
//! # Files claimed
//! None.
//!
//! # Evidence and confidence
//! Calls and argument values carry 1-based lines.
//!
//! # Not handled
//! Data flow beyond one file-level assignment of a constant string: values built at run time,
//! passed through functions or read from configuration are not resolved (and so not reported).
//!
//! # References
//! None beyond the languages' call syntax.

use super::lex::{Lang, TokKind, Token};
use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::BTreeMap;

/// A simplified argument value.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Str(String, u32),
    /// A (dotted) name: `MODEL_ID`, `openai.GPT4o`, `config.model`.
    Name(String, u32),
    Bool(bool),
    /// An object / dict literal: keys with values.
    Obj(Vec<(String, Val)>),
    List(Vec<Val>),
    /// A nested call, by callee.
    Call(String),
    Other,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub key: Option<String>,
    pub val: Val,
}

#[derive(Clone)]
pub struct Call<'t> {
    /// Dotted callee as written: `client.chat.completions.create`, `AutoModel.from_pretrained`.
    pub callee: Cow<'t, str>,
    pub line: u32,
    pub offset: usize,
    /// `x = Callee(…)`: the variable the result is bound to.
    pub assigned_to: Option<String>,
    /// Index of the callee's first token.
    pub tok: usize,
    /// The argument list, parsed the first time it is asked for: most calls of a file match no
    /// pattern, and building every call's arguments was a fifth of reading Python.
    args: OnceCell<Vec<Arg>>,
    toks: &'t [Token<'t>],
    /// Index of the token after the opening bracket, and the bracket.
    args_at: usize,
    open: char,
    lang: Lang,
}

impl std::fmt::Debug for Call<'_> {
    // the file's tokens are left out: every call holds all of them
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("callee", &self.callee)
            .field("line", &self.line)
            .field("offset", &self.offset)
            .field("args", &self.args())
            .field("assigned_to", &self.assigned_to)
            .field("tok", &self.tok)
            .finish()
    }
}

impl Call<'_> {
    /// The last segment of the callee.
    pub fn name(&self) -> &str {
        self.callee.rsplit('.').next().unwrap_or(&self.callee)
    }

    /// The first segment of the callee.
    pub fn root(&self) -> &str {
        first_segment(&self.callee)
    }

    /// True when the callee ends with the dotted `suffix` at a segment boundary.
    pub fn ends_with(&self, suffix: &str) -> bool {
        self.callee == suffix
            || (self.callee.ends_with(suffix)
                && self
                    .callee
                    .as_bytes()
                    .get(self.callee.len() - suffix.len() - 1)
                    == Some(&b'.'))
    }

    /// Positional and keyword arguments, in order.
    pub fn args(&self) -> &[Arg] {
        self.args
            .get_or_init(|| parse_args(self.toks, self.args_at, self.open, self.lang, 0).0)
    }

    pub fn positional(&self, i: usize) -> Option<&Val> {
        self.args()
            .iter()
            .filter(|a| a.key.is_none())
            .nth(i)
            .map(|a| &a.val)
    }

    /// A keyword argument, or a key of an object literal passed as the first positional
    /// argument (JS options objects).
    pub fn kw(&self, key: &str) -> Option<&Val> {
        let args = self.args();
        if let Some(a) = args.iter().find(|a| a.key.as_deref() == Some(key)) {
            return Some(&a.val);
        }
        for a in args.iter().filter(|a| a.key.is_none()) {
            if let Val::Obj(kv) = &a.val {
                if let Some((_, v)) = kv.iter().find(|(k, _)| k == key) {
                    return Some(v);
                }
            }
        }
        None
    }
}

/// Everything the recogniser extracted from one file.
#[derive(Debug, Default)]
pub struct Unit<'t> {
    pub calls: Vec<Call<'t>>,
    /// name → (offset, value, line, scope end) of `name = "literal"` assignments, in file
    /// order. The scope end is the offset where the assignment stops being visible (the end of
    /// the enclosing function where the language analyser knows it, else `usize::MAX`).
    pub consts: BTreeMap<String, Vec<(usize, String, u32, usize)>>,
    /// local name → imported module path (`OpenAI` → `openai`, `np` → `numpy`).
    pub imported: BTreeMap<String, String>,
}

impl Unit<'_> {
    /// The string a value stands for: a literal, or a name assigned a literal in this file
    /// (the last assignment before `at` whose scope still covers it, else the first file-scope
    /// one after: a module constant defined below its use). An assignment inside another
    /// function is never the value of a parameter of the same name.
    pub fn resolve(&self, v: &Val, at: usize) -> Option<(String, u32, bool)> {
        match v {
            Val::Str(s, l) => Some((s.clone(), *l, true)),
            Val::Name(n, _) => {
                let list = self.consts.get(n)?;
                let best = list
                    .iter()
                    .rev()
                    .find(|(o, _, _, end)| *o < at && at < *end)
                    .or_else(|| {
                        list.iter()
                            .find(|(o, _, _, end)| *o > at && *end == usize::MAX)
                    })?;
                Some((best.1.clone(), best.2, false))
            }
            _ => None,
        }
    }

    /// True when `name` was imported, or is the root of a dotted name that was.
    pub fn is_imported(&self, name: &str) -> bool {
        let root = name.split('.').next().unwrap_or(name);
        self.imported.contains_key(root)
    }

    /// The module a local name was imported from.
    pub fn module_of(&self, name: &str) -> Option<&str> {
        let root = name.split('.').next().unwrap_or(name);
        self.imported.get(root).map(String::as_str)
    }
}

/// Bound on nesting inside argument lists: deeper structure is skipped, not recursed into.
const MAX_DEPTH: u32 = 8;

/// Recognise calls and assignments in `toks`.
pub fn analyze<'t>(toks: &'t [Token<'t>], lang: Lang) -> Unit<'t> {
    let mut unit = Unit::default();
    for i in 0..toks.len() {
        let Some(word) = toks[i].ident() else {
            continue;
        };
        let next = toks.get(i + 1);
        // a callee ends at an identifier followed by `(` (or `{` for Go composite literals)
        let is_paren = next.is_some_and(|t| t.is_punct('('));
        let is_brace = lang == Lang::Go
            && next.is_some_and(|t| t.is_punct('{'))
            && i >= 2
            && toks[i - 1].is_punct('.')
            && word.starts_with(|c: char| c.is_ascii_uppercase());
        if is_paren || is_brace {
            if is_definition(toks, i) {
                continue;
            }
            let (callee, first) = callee_chain(toks, i);
            let assigned_to = assignment_target(toks, first);
            unit.calls.push(Call {
                callee,
                line: toks[i].line,
                offset: toks[i].offset,
                assigned_to,
                tok: first,
                args: OnceCell::new(),
                toks,
                args_at: i + 2,
                open: if is_paren { '(' } else { '{' },
                lang,
            });
        }
        if let Some((value, line)) = const_assignment(toks, i, lang) {
            unit.consts.entry(word.to_string()).or_default().push((
                toks[i].offset,
                value,
                line,
                usize::MAX,
            ));
        }
    }
    unit
}

fn is_definition(toks: &[Token], i: usize) -> bool {
    i > 0
        && toks[i - 1]
            .ident()
            .is_some_and(|w| matches!(w, "def" | "function" | "fn" | "func" | "class" | "fun"))
}

/// Walk back over `a.b.c` / `a::b::c` from the identifier at `i`: the dotted name and the
/// index of its first token. A single name is borrowed from the text.
fn callee_chain<'t>(toks: &[Token<'t>], i: usize) -> (Cow<'t, str>, usize) {
    let last = match &toks[i].kind {
        TokKind::Ident(w) => *w,
        _ => "",
    };
    let mut parts = Vec::new();
    let mut k = i;
    loop {
        if k >= 2 && toks[k - 1].is_punct('.') {
            if let Some(w) = toks[k - 2].ident() {
                parts.push(w);
                k -= 2;
                continue;
            }
            // `?.` optional chaining
            if k >= 3 && toks[k - 2].is_punct('?') {
                if let Some(w) = toks[k - 3].ident() {
                    parts.push(w);
                    k -= 3;
                    continue;
                }
            }
        }
        if k >= 3 && toks[k - 1].is_punct(':') && toks[k - 2].is_punct(':') {
            if let Some(w) = toks[k - 3].ident() {
                parts.push(w);
                k -= 3;
                continue;
            }
        }
        break;
    }
    if parts.is_empty() {
        return (Cow::Borrowed(last), k);
    }
    let mut name =
        String::with_capacity(last.len() + parts.iter().map(|p| p.len() + 1).sum::<usize>());
    for p in parts.iter().rev() {
        name.push_str(p);
        name.push('.');
    }
    name.push_str(last);
    (Cow::Owned(name), k)
}

/// `x = Callee(…)`, `const x = new Callee(…)`, `x := pkg.New(…)`, `self.x = …`.
fn assignment_target(toks: &[Token], first: usize) -> Option<String> {
    let mut k = first;
    if k > 0
        && toks[k - 1]
            .ident()
            .is_some_and(|w| matches!(w, "new" | "await"))
    {
        k -= 1;
    }
    if k < 2 || !toks[k - 1].is_punct('=') {
        return None;
    }
    let mut j = k - 2;
    if toks[j].is_punct(':') && j > 0 {
        j -= 1; // Go `:=`
    }
    if matches!(toks[j].kind, TokKind::Punct('=' | '!' | '<' | '>')) {
        return None; // `==`, `!=`, `<=`, `>=`
    }
    let (name, _) = callee_chain(toks, j);
    toks[j].ident().map(|_| name.into_owned())
}

/// `NAME = "lit"` / `NAME: str = "lit"` / `const NAME: &str = "lit";` / `NAME := "lit"`, and
/// `NAME = os.getenv("X", "default")` (the default is what runs when the variable is unset).
fn const_assignment(toks: &[Token], i: usize, lang: Lang) -> Option<(String, u32)> {
    // the name must start a statement or follow a declaration keyword
    if i > 0 {
        let prev = &toks[i - 1];
        let ok = match &prev.kind {
            TokKind::Newline => true,
            TokKind::Punct(';' | '{' | '}') => true,
            TokKind::Ident(w) => matches!(*w, "const" | "let" | "var" | "val" | "static"),
            _ => false,
        };
        // languages without a Newline token: a statement may start on any line
        let line_start = lang != Lang::Python && prev.line < toks[i].line;
        if !(ok || line_start || (prev.is_punct('(') && lang == Lang::Go)) {
            return None;
        }
    }
    let mut j = i + 1;
    // optional type annotation up to `=` on the same line
    if toks.get(j).is_some_and(|t| t.is_punct(':'))
        && !toks.get(j + 1).is_some_and(|t| t.is_punct('='))
    {
        let mut steps = 0;
        while let Some(t) = toks.get(j) {
            if t.is_punct('=') || steps > 8 || t.line != toks[i].line || t.is_punct('(') {
                break;
            }
            j += 1;
            steps += 1;
        }
    } else if toks.get(j).is_some_and(|t| t.is_punct(':')) {
        j += 1; // Go `:=`
    } else if lang == Lang::Go {
        // `const NAME string = "…"`
        if toks.get(j).and_then(Token::ident).is_some()
            && toks.get(j + 1).is_some_and(|t| t.is_punct('='))
        {
            j += 1;
        }
    }
    if !toks.get(j).is_some_and(|t| t.is_punct('='))
        || toks.get(j + 1).is_some_and(|t| t.is_punct('='))
    {
        return None;
    }
    let v = toks.get(j + 1)?;
    if let Some(s) = v.str_lit() {
        let end = toks.get(j + 2);
        let terminated = match end {
            None => true,
            Some(t) => {
                t.line != v.line
                    || matches!(t.kind, TokKind::Newline | TokKind::Punct(';' | ')' | '}'))
            }
        };
        return terminated.then(|| (s.to_string(), v.line));
    }
    // os.getenv("X", "default") / os.environ.get("X", "default") / process.env.X ?? "default"
    let (callee, _) = match v.ident() {
        Some(_) => {
            let mut k = j + 1;
            while toks.get(k + 1).is_some_and(|t| t.is_punct('.'))
                && toks.get(k + 2).and_then(Token::ident).is_some()
            {
                k += 2;
            }
            (callee_chain(toks, k), k)
        }
        None => return None,
    };
    let (name, last) = callee;
    let _ = last;
    if matches!(
        name.as_ref(),
        "os.getenv" | "os.environ.get" | "getenv" | "environ.get"
    ) {
        // find the call's args
        let mut k = j + 1;
        while k < toks.len() && !toks[k].is_punct('(') && k < j + 8 {
            k += 1;
        }
        let (args, _) = parse_args(toks, k + 1, '(', lang, 0);
        if let Some(Arg {
            key: None,
            val: Val::Str(s, l),
        }) = args.get(1)
        {
            return Some((s.clone(), *l));
        }
    }
    None
}

/// Parse arguments starting at `start` (just after the opening bracket) up to the matching
/// close. Returns the args and the index after the close.
fn parse_args(
    toks: &[Token],
    start: usize,
    open: char,
    lang: Lang,
    depth: u32,
) -> (Vec<Arg>, usize) {
    let close = match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    };
    let mut args = Vec::new();
    let mut k = start;
    while k < toks.len() {
        if toks[k].is_punct(close) {
            return (args, k + 1);
        }
        if toks[k].is_punct(',') || matches!(toks[k].kind, TokKind::Newline) {
            k += 1;
            continue;
        }
        // keyword: `name=` (Python, Kotlin), `name:` (object literal / Go), `"name":` (dict)
        let mut key = None;
        let key_tok = match &toks[k].kind {
            TokKind::Ident(w) => Some(w.to_string()),
            TokKind::Str { value, .. } if open == '{' => Some(value.to_string()),
            _ => None,
        };
        if let Some(w) = key_tok {
            let sep = toks.get(k + 1);
            let is_kw = match sep {
                Some(t) if t.is_punct('=') => {
                    open == '('
                        && !toks
                            .get(k + 2)
                            .is_some_and(|t| t.is_punct('=') || t.is_punct('>'))
                }
                Some(t) if t.is_punct(':') => {
                    open == '{' && !toks.get(k + 2).is_some_and(|t| t.is_punct(':'))
                }
                _ => false,
            };
            if is_kw {
                key = Some(w);
                k += 2;
            } else if open == '{' && sep.is_some_and(|t| t.is_punct(',') || t.is_punct('}')) {
                // JS shorthand `{ model }`
                if let TokKind::Ident(n) = &toks[k].kind {
                    args.push(Arg {
                        key: Some(n.to_string()),
                        val: Val::Name(n.to_string(), toks[k].line),
                    });
                    k += 1;
                    continue;
                }
            }
        }
        let (val, next) = parse_value(toks, k, lang, depth);
        args.push(Arg { key, val });
        // skip the rest of this argument up to `,` or the close, balancing brackets
        k = skip_to_separator(toks, next, close);
    }
    (args, toks.len())
}

fn skip_to_separator(toks: &[Token], mut k: usize, close: char) -> usize {
    let mut d = 0i32;
    while k < toks.len() {
        match toks[k].kind {
            TokKind::Punct('(' | '[' | '{') => d += 1,
            TokKind::Punct(c @ (')' | ']' | '}')) => {
                if d == 0 {
                    if c == close {
                        return k;
                    }
                    // unbalanced: stop here, the caller's loop handles it
                    return k;
                }
                d -= 1;
            }
            TokKind::Punct(',') if d == 0 => return k,
            _ => {}
        }
        k += 1;
    }
    k
}

fn parse_value(toks: &[Token], k: usize, lang: Lang, depth: u32) -> (Val, usize) {
    let Some(t) = toks.get(k) else {
        return (Val::Other, k);
    };
    match &t.kind {
        TokKind::Str {
            value,
            interpolated,
            ..
        } => {
            if *interpolated {
                return (Val::Other, k + 1);
            }
            // implicit concatenation "a" "b"
            let mut v = value.to_string();
            let mut j = k + 1;
            while let Some(TokKind::Str {
                value,
                interpolated: false,
                ..
            }) = toks.get(j).map(|t| &t.kind)
            {
                v.push_str(value);
                j += 1;
            }
            // a literal followed by an operator is an expression, not the literal
            match toks.get(j).map(|t| &t.kind) {
                Some(TokKind::Punct('+' | '%' | '[' | '?' | '|' | '&' | '<' | '>' | '*')) => {
                    (Val::Other, j)
                }
                Some(TokKind::Punct('.')) if lang == Lang::Python || lang == Lang::Js => {
                    (Val::Other, j)
                }
                Some(TokKind::Punct('=')) if toks.get(j + 1).is_some_and(|t| t.is_punct('=')) => {
                    (Val::Other, j)
                }
                Some(TokKind::Ident(w))
                    if matches!(*w, "if" | "or" | "and" | "in" | "for" | "not") =>
                {
                    (Val::Other, j)
                }
                _ => (Val::Str(v, t.line), j),
            }
        }
        TokKind::Ident(w) => {
            match *w {
                "True" | "true" => return (Val::Bool(true), k + 1),
                "False" | "false" => return (Val::Bool(false), k + 1),
                "new" | "await" => return parse_value(toks, k + 1, lang, depth),
                _ => {}
            }
            let mut j = k;
            let mut name = w.to_string();
            loop {
                let dot = toks.get(j + 1).is_some_and(|t| t.is_punct('.'));
                let colons = toks.get(j + 1).is_some_and(|t| t.is_punct(':'))
                    && toks.get(j + 2).is_some_and(|t| t.is_punct(':'));
                if dot {
                    if let Some(n) = toks.get(j + 2).and_then(Token::ident) {
                        name.push('.');
                        name.push_str(n);
                        j += 2;
                        continue;
                    }
                } else if colons {
                    if let Some(n) = toks.get(j + 3).and_then(Token::ident) {
                        name.push('.');
                        name.push_str(n);
                        j += 3;
                        continue;
                    }
                }
                break;
            }
            match toks.get(j + 1).map(|t| &t.kind) {
                Some(TokKind::Punct('(')) => (Val::Call(name), j + 1),
                Some(TokKind::Punct('[' | '+' | '?' | '|' | '&' | '<' | '>' | '%' | '*')) => {
                    (Val::Other, j + 1)
                }
                Some(TokKind::Punct('=')) if toks.get(j + 2).is_some_and(|t| t.is_punct('=')) => {
                    (Val::Other, j + 1)
                }
                Some(TokKind::Ident(w))
                    if matches!(*w, "if" | "or" | "and" | "in" | "for" | "not") =>
                {
                    (Val::Other, j + 1)
                }
                _ => (Val::Name(name, t.line), j + 1),
            }
        }
        TokKind::Punct(c @ ('{' | '[')) if depth < MAX_DEPTH => {
            let (items, next) = parse_args(toks, k + 1, *c, lang, depth + 1);
            if *c == '{' {
                let kv = items
                    .into_iter()
                    .filter_map(|a| a.key.map(|k| (k, a.val)))
                    .collect();
                (Val::Obj(kv), next)
            } else {
                (Val::List(items.into_iter().map(|a| a.val).collect()), next)
            }
        }
        _ => (Val::Other, k + 1),
    }
}

/// The text before the first `.` of a dotted name (all of it without one). A byte loop:
/// callees are a few bytes, and `str::split` sets up a char searcher for each (7 % of the
/// reference tables' instructions, which run this for every call).
pub fn first_segment(s: &str) -> &str {
    match s.bytes().position(|b| b == b'.') {
        Some(i) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

/// The text before and after the last `.` of a dotted name, as `rsplit_once('.')`.
pub fn split_last_dot(s: &str) -> Option<(&str, &str)> {
    let i = s.bytes().rposition(|b| b == b'.')?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

#[cfg(test)]
mod tests {
    use super::super::lex::tokenize;
    use super::*;

    #[test]
    fn segments_as_str_split() {
        for s in [
            "",
            ".",
            "a",
            "a.b",
            "a.b.c",
            ".a",
            "a.",
            "é.ü.x",
            "self.client.chat",
        ] {
            assert_eq!(first_segment(s), s.split('.').next().unwrap_or(s), "{s:?}");
            assert_eq!(split_last_dot(s), s.rsplit_once('.'), "{s:?}");
        }
    }

    fn unit(src: &'static str, lang: Lang) -> Unit<'static> {
        // a call borrows the file's tokens
        analyze(Box::leak(tokenize(src, lang).into_boxed_slice()), lang)
    }

    #[test]
    fn python_keyword_and_positional_args_resolve_constants() {
        let u = unit(
            "MODEL_ID = \"org/m\"  # note\ntok = AutoTokenizer.from_pretrained(MODEL_ID, revision=\"abc\", trust_remote_code=True)\n",
            Lang::Python,
        );
        let c = &u.calls[0];
        assert_eq!(c.callee, "AutoTokenizer.from_pretrained");
        assert_eq!(c.assigned_to.as_deref(), Some("tok"));
        let (v, line, literal) = u.resolve(c.positional(0).unwrap(), c.offset).unwrap();
        assert_eq!((v.as_str(), line, literal), ("org/m", 1, false));
        assert_eq!(c.kw("revision"), Some(&Val::Str("abc".into(), 2)));
        assert_eq!(c.kw("trust_remote_code"), Some(&Val::Bool(true)));
    }

    #[test]
    fn comparisons_and_expressions_are_not_values() {
        let u = unit("f(x == \"gpt-4\", \"a\" + b, m=\"ok\" if c else \"no\")\nif name == \"gpt-3.5\": pass\n", Lang::Python);
        let c = &u.calls[0];
        assert_eq!(c.args().len(), 3);
        assert!(c.args().iter().all(|a| !matches!(a.val, Val::Str(..))));
        assert!(u.consts.is_empty());
    }

    #[test]
    fn js_object_args_and_shorthand() {
        let u = unit(
            "const model = 'gpt-4o';\nawait openai.chat.completions.create({ model, messages: [] });\nconst c = new Anthropic({ apiKey: k });",
            Lang::Js,
        );
        let c = &u.calls[0];
        assert_eq!(c.callee, "openai.chat.completions.create");
        let (v, _, _) = u.resolve(c.kw("model").unwrap(), c.offset).unwrap();
        assert_eq!(v, "gpt-4o");
        assert_eq!(u.calls[1].assigned_to.as_deref(), Some("c"));
    }

    #[test]
    fn go_composite_literals_and_rust_paths() {
        let u = unit(
            "req := openai.ChatCompletionRequest{\n\tModel: openai.GPT4o,\n}\nif x {\n}",
            Lang::Go,
        );
        assert_eq!(u.calls.len(), 1);
        assert_eq!(
            u.calls[0].kw("Model"),
            Some(&Val::Name("openai.GPT4o".into(), 2))
        );
        let u = unit(
            "let repo = api.model(\"org/m\".to_string());\nlet a = hf_hub::api::sync::Api::new()?;",
            Lang::Rust,
        );
        assert_eq!(u.calls[0].positional(0), Some(&Val::Str("org/m".into(), 1)));
        assert!(u
            .calls
            .iter()
            .any(|c| c.callee == "hf_hub.api.sync.Api.new"));
    }

    #[test]
    fn definitions_are_not_calls_and_truncated_input_is_fine() {
        let u = unit(
            "def pipeline(model='x'):\n    pass\nf(a, [b, {",
            Lang::Python,
        );
        assert_eq!(u.calls.len(), 1);
        assert_eq!(u.calls[0].callee, "f");
    }
}
