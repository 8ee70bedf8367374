//! The block-style YAML that manifests, compose files and workflows are written in, read
//! without the general parser.
//!
//! Most Kubernetes manifests are a few nested block mappings and sequences of one-line
//! scalars. Building them through `serde_yaml_ng` (libyaml's scanner, an event stream, then
//! the tree) took 8 µs for a 250-byte Deployment, 3.5 times what this reader takes, and half
//! of what the Kubernetes detector spent on such a file. [`read`] builds the same [`Value`]
//! tree for that shape and gives up (`None`) on anything outside it, so that the caller falls
//! back to the general parser: block scalars (`|`, `>`), anchors, aliases, tags, merge keys,
//! multi-line plain or quoted scalars, escapes in double quotes, flow collections other than a
//! one-line list of scalars, tabs, carriage returns, non-ASCII text, duplicate keys. Errors are
//! the general parser's to report; this reader never decides that a document is invalid.
//!
//! Plain scalars are typed as YAML types them: a scalar that starts with a letter and is none
//! of the null and boolean spellings is a string; a run of decimal digits is an integer;
//! anything else (floats, `0x1F`, `~`, `-1`, `.inf`) is handed to the general parser alone,
//! which types it as it would in place.

use serde_yaml_ng::{Mapping, Value};

/// Nesting bound: manifests nest about ten deep.
const MAX_DEPTH: u32 = 48;

/// libyaml does not take an implicit key longer than 1024 bytes.
const MAX_KEY_BYTES: usize = 1000;

/// Plain scalars starting with a letter that YAML does not read as strings.
const WORDS_NOT_STRINGS: &[&str] = &[
    "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE",
];

/// One line with content: its indentation and its text without the indentation and trailing
/// spaces. Blank and comment-only lines are left out.
#[derive(Clone, Copy)]
struct Line<'a> {
    indent: usize,
    text: &'a str,
}

/// The document as a tree, or `None` when it is not in the block shape this reader takes.
pub fn read(doc: &str) -> Option<Value> {
    // tabs, carriage returns, other controls and non-ASCII (NEL and the Unicode line
    // separators are line breaks to YAML) are left to the general parser
    if !doc
        .bytes()
        .all(|b| b == b'\n' || (b' '..=b'~').contains(&b))
    {
        return None;
    }
    let mut lines = Vec::new();
    for raw in doc.split('\n') {
        let text = raw.trim_start_matches(' ');
        let indent = raw.len() - text.len();
        let text = text.trim_end_matches(' ');
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        // directives and document markers: the caller splits documents
        if text.starts_with('%') || text.starts_with("---") || text.starts_with("...") {
            return None;
        }
        lines.push(Line { indent, text });
    }
    let first = lines.first()?.indent;
    let mut r = Reader { lines, pos: 0 };
    let v = r.node(first, 0)?;
    // a line indented deeper than the node before it (a continued scalar, a misplaced key)
    // matches no open node and stops the reading here
    (r.pos == r.lines.len()).then_some(v)
}

/// Whether the block reader reads `text` (`Ok(false)`: it left it to the general parser), and
/// if it does, that the general parser accepts it too and reads the same tree, keys in the
/// same order. The differential check of the tests and the fuzz target.
pub fn agrees_with_general(text: &str) -> Result<bool, String> {
    let Some(fast) = read(text) else {
        return Ok(false);
    };
    let general: Value = serde_yaml_ng::from_str(text)
        .map_err(|e| format!("the block reader read an invalid document: {e}"))?;
    let (a, b) = (format!("{fast:?}"), format!("{general:?}"));
    if a != b {
        return Err(format!("trees differ:\n block   {a}\n general {b}"));
    }
    Ok(true)
}

struct Reader<'a> {
    lines: Vec<Line<'a>>,
    pos: usize,
}

/// A first byte that makes a node other than a plain scalar, or one this reader does not take:
/// complex keys, anchors, aliases, tags, block scalars, directives, the reserved `@` and `` ` ``.
fn starts_no_plain(first: u8) -> bool {
    b"?&*!|>%@`".contains(&first)
}

fn is_seq_entry(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<Line<'a>> {
        self.lines.get(self.pos).copied()
    }

    /// The node whose first line is the current one, at `indent`.
    fn node(&mut self, indent: usize, depth: u32) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        let line = self.peek()?;
        debug_assert_eq!(line.indent, indent);
        if is_seq_entry(line.text) {
            return self.sequence(indent, depth);
        }
        if split_key(line.text)?.is_some() {
            return self.mapping(indent, depth);
        }
        self.pos += 1;
        inline_value(line.text)
    }

    /// A block sequence: the `- ` lines at `indent`.
    fn sequence(&mut self, indent: usize, depth: u32) -> Option<Value> {
        let mut items = Vec::new();
        while let Some(line) = self
            .peek()
            .filter(|l| l.indent == indent && is_seq_entry(l.text))
        {
            let rest = line.text[1..].trim_start_matches(' ');
            if rest.is_empty() || rest.starts_with('#') {
                self.pos += 1;
                match self.peek() {
                    Some(next) if next.indent > indent => {
                        items.push(self.node(next.indent, depth + 1)?)
                    }
                    _ => items.push(Value::Null),
                }
            } else {
                // the entry's content is a node that starts at its own column (`- name: x`
                // opens a mapping whose keys line up under `name`)
                let column = indent + line.text.len() - rest.len();
                self.lines[self.pos] = Line {
                    indent: column,
                    text: rest,
                };
                items.push(self.node(column, depth + 1)?);
            }
        }
        Some(Value::Sequence(items))
    }

    /// A block mapping: the `key: value` lines at `indent`.
    fn mapping(&mut self, indent: usize, depth: u32) -> Option<Value> {
        let mut map = Mapping::new();
        while let Some(line) = self.peek().filter(|l| l.indent == indent) {
            let (key, rest) = split_key(line.text)??;
            if map.contains_key(&key) {
                return None;
            }
            self.pos += 1;
            let value = if rest.is_empty() || rest.starts_with('#') {
                match self.peek() {
                    Some(next) if next.indent > indent => self.node(next.indent, depth + 1)?,
                    // a sequence may sit at its key's indentation
                    Some(next) if next.indent == indent && is_seq_entry(next.text) => {
                        self.sequence(indent, depth + 1)?
                    }
                    _ => Value::Null,
                }
            } else {
                inline_value(rest)?
            };
            map.insert(key, value);
        }
        Some(Value::Mapping(map))
    }
}

/// `key: rest` → the key and what follows the `: ` (leading spaces removed); `Some(None)` when
/// the line is no mapping entry; `None` when it is one this reader does not take.
fn split_key(text: &str) -> Option<Option<(Value, &str)>> {
    let b = text.as_bytes();
    let (key, after) = match b.first()? {
        b'"' | b'\'' => {
            let (key, after) = quoted(text)?;
            match after.strip_prefix(':') {
                Some(a) if a.is_empty() || a.starts_with(' ') => (Value::String(key), a),
                _ => return Some(None),
            }
        }
        // flow collections and their punctuation, comments
        c if starts_no_plain(*c) || b"[{,]}#".contains(c) => return None,
        _ => {
            let Some(colon) =
                (0..b.len()).find(|&i| b[i] == b':' && b.get(i + 1).is_none_or(|c| *c == b' '))
            else {
                return Some(None);
            };
            let key = text[..colon].trim_end_matches(' ');
            if key.is_empty() || key.contains(" #") || key == "<<" || key.len() > MAX_KEY_BYTES {
                return None;
            }
            (plain(key)?, &text[colon + 1..])
        }
    };
    Some(Some((key, after.trim_start_matches(' '))))
}

/// The value written after `key: ` or `- ` on one line.
fn inline_value(text: &str) -> Option<Value> {
    let b = text.as_bytes();
    match b.first()? {
        b'"' | b'\'' => {
            let (s, after) = quoted(text)?;
            comment_only(after).then_some(Value::String(s))
        }
        b'[' => flow_sequence(text),
        b'{' => comment_only(text.strip_prefix("{}")?).then(|| Value::Mapping(Mapping::new())),
        b'-' if is_seq_entry(text) => None,
        c if starts_no_plain(*c) || b":,]}#".contains(c) => None,
        _ => {
            let s = match text.find(" #") {
                Some(i) => text[..i].trim_end_matches(' '),
                None => text,
            };
            // `a: b: c` and `value:` are errors or mappings to YAML
            if s.contains(": ") || s.ends_with(':') {
                return None;
            }
            plain(s)
        }
    }
}

/// Nothing but spaces and perhaps a comment after a value.
fn comment_only(after: &str) -> bool {
    let t = after.trim_start_matches(' ');
    t.is_empty() || (t.starts_with('#') && t.len() < after.len())
}

/// A quoted scalar at the start of `text` and what follows its closing quote. Escapes and
/// scalars that go on past the line are left to the general parser.
fn quoted(text: &str) -> Option<(String, &str)> {
    let quote = text.as_bytes()[0];
    let body = &text[1..];
    if quote == b'"' {
        let end = body.find(['"', '\\'])?;
        if body.as_bytes()[end] == b'\\' {
            return None;
        }
        return Some((body[..end].to_string(), &body[end + 1..]));
    }
    // single quotes: `''` is a quote
    let mut out = String::new();
    let mut rest = body;
    loop {
        let end = rest.find('\'')?;
        out.push_str(&rest[..end]);
        rest = &rest[end + 1..];
        match rest.strip_prefix('\'') {
            Some(r) => {
                out.push('\'');
                rest = r;
            }
            None => return Some((out, rest)),
        }
    }
}

/// `[a, "b", 'c']` on one line: a list of scalars.
fn flow_sequence(text: &str) -> Option<Value> {
    let mut rest = text.strip_prefix('[')?.trim_start_matches(' ');
    let mut items = Vec::new();
    if let Some(after) = rest.strip_prefix(']') {
        return comment_only(after).then_some(Value::Sequence(items));
    }
    loop {
        let (item, after) = match rest.as_bytes().first()? {
            b'"' | b'\'' => {
                let (s, after) = quoted(rest)?;
                (Value::String(s), after)
            }
            _ => {
                let end = rest.find([',', ']'])?;
                let s = rest[..end].trim_end_matches(' ');
                // what flow context reads differently from block context, or not at all
                if s.is_empty()
                    || s.contains([':', '#', '[', '{', '}', '"', '\''])
                    || s.starts_with('-')
                    || starts_no_plain(s.as_bytes()[0])
                {
                    return None;
                }
                (plain(s)?, &rest[end..])
            }
        };
        items.push(item);
        let after = after.trim_start_matches(' ');
        if let Some(a) = after.strip_prefix(']') {
            return comment_only(a).then_some(Value::Sequence(items));
        }
        rest = after.strip_prefix(',')?.trim_start_matches(' ');
        // a trailing comma is left to the general parser
        if rest.starts_with(']') {
            return None;
        }
    }
}

/// A plain scalar, typed.
fn plain(s: &str) -> Option<Value> {
    let first = *s.as_bytes().first()?;
    if first.is_ascii_alphabetic() && !WORDS_NOT_STRINGS.contains(&s) {
        return Some(Value::String(s.to_string()));
    }
    if s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || first != b'0') {
        return s.parse::<u64>().ok().map(Value::from);
    }
    // the general parser alone would take these as document markers
    if s.starts_with("---") || s.starts_with("...") {
        return None;
    }
    match serde_yaml_ng::from_str::<Value>(s).ok()? {
        v @ (Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_)) => Some(v),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agrees(text: &str) -> bool {
        agrees_with_general(text).unwrap_or_else(|e| panic!("{e}\n--- on:\n{text}"))
    }

    #[test]
    fn the_manifest_shapes_are_read_without_the_general_parser() {
        let read_here = [
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: tgi\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: tgi\n          image: ghcr.io/huggingface/text-generation-inference:2.2.0\n          args: [\"--model-id\", \"bigscience/bloom-560m\"]\n          ports:\n          - containerPort: 8080\n",
            "services:\n  api:\n    image: 'ollama/ollama:0.3.12'   # pinned\n    environment:\n      - OPENAI_API_KEY\n      - MODEL=llama3\n    ports: []\n",
            "on:\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n    - uses: actions/checkout@v4\n    - run: pytest -q\n      env:\n        HF_TOKEN: ${{ secrets.HF_TOKEN }}\n",
            "a:\n  b:\nc: ~\nd: 1.5\ne: -3\nf: true\ng: 'it''s'\nh: \"\"\ni: {}\n8080: port\n",
            "- a\n- - b\n  - c\n-\n- x: 1\n  y: [1, two, 'three']\n",
            "key:\n  value on the next line\n",
            "  indented: whole\n  doc: yes\n",
        ];
        for doc in read_here {
            assert!(agrees(doc), "left to the general parser:\n{doc}");
        }
    }

    #[test]
    fn what_it_does_not_take_is_left_to_the_general_parser() {
        let left = [
            "script: |\n  echo hi\n",
            "folded: >-\n  a\n  b\n",
            "base: &b\n  x: 1\nother: *b\n",
            "<<: {x: 1}\n",
            "tagged: !Ref Bucket\n",
            "plain: first line\n  continued\n",
            "quoted: \"first\n  second\"\n",
            "escaped: \"a\\tb\"\n",
            "flow: {a: 1}\n",
            "nested: [[1, 2]]\n",
            "trailing: [a, b, ]\n",
            "tab:\tvalue\n",
            "crlf: value\r\n",
            "name: caf\u{e9}\n",
            "dup: 1\ndup: 2\n",
            "%YAML 1.2\n---\na: 1\n",
            "",
            "# only a comment\n",
            "a: b: c\n",
            "a:\n    b: 1\n  c: 2\n",
            "- a\nb: 1\n",
            "a: 1\n- b\n",
            "? complex\n: key\n",
        ];
        for doc in left {
            assert!(!agrees(doc), "read by the block reader:\n{doc}");
        }
    }

    #[test]
    fn plain_scalars_are_typed_as_the_general_parser_types_them() {
        let words = [
            "null",
            "Null",
            "NULL",
            "nULL",
            "~",
            "true",
            "True",
            "TRUE",
            "tRUE",
            "false",
            "no",
            "No",
            "NO",
            "yes",
            "Yes",
            "y",
            "n",
            "on",
            "off",
            "On",
            "OFF",
            "inf",
            "Inf",
            "nan",
            "NaN",
            "infinity",
            "Infinity",
            ".inf",
            "-.inf",
            "+.inf",
            ".nan",
            ".NaN",
            "0",
            "00",
            "007",
            "0755",
            "0o17",
            "0x1F",
            "0b101",
            "1_000",
            "+1",
            "-1",
            "-0",
            "1.",
            "1.5",
            "1e3",
            "1E-3",
            "-1.5e+3",
            "+.5",
            ".5",
            "12345678901234567890",
            "999999999999999999",
            "18446744073709551616",
            "-9223372036854775809",
            "1.0.0",
            "v1",
            "2024-01-01",
            "12:30",
            "1:2:3",
            "/models/llama",
            "_x",
            "-x",
            "--model",
            "+x",
            ".x",
            "..x",
            "x.",
            "e5",
            "E5",
            "0.",
            "-",
            "a-b",
            "a#b",
            "a #b",
            "@x",
            "`x",
            "%x",
            "!x",
            "&x",
            "*x",
        ];
        for w in words {
            agrees(&format!("k: {w}\n"));
            agrees(&format!("{w}: v\n"));
            agrees(&format!("- {w}\n"));
            agrees(&format!("k: [{w}, x]\n"));
        }
    }

    fn pick<'x>(rnd: &mut impl FnMut() -> u64, of: &[&'x str]) -> &'x str {
        of[(rnd() % of.len() as u64) as usize]
    }

    #[test]
    fn random_documents_are_read_as_the_general_parser_reads_them_or_left_to_it() {
        let heads = [
            "", " ", "  ", "    ", "- ", "  - ", "-", "    - ", "      ", "- - ", "-  ",
        ];
        let keys = [
            "name", "image", "args", "env", "'q k'", "\"dq\"", "8080", "true", "a b", "a:b", "x",
            "<<", "?", "a#b", "", "-k", "null",
        ];
        let seps = [": ", ":", ":  ", " : ", ": # c\n", ""];
        let values = [
            "",
            "v",
            "1",
            "-1",
            "1.5",
            "~",
            "null",
            "yes",
            "'s'",
            "\"d\"",
            "'it''s'",
            "[a, 'b']",
            "[]",
            "{}",
            "[1, [2]]",
            "|",
            "a: b",
            "x #c",
            "x#c",
            "'open",
            "\"a\\nb\"",
            "&a v",
            "*a",
            "!t v",
            "ghcr.io/x/y:1.0",
            "--model-id=x",
            "- z",
            "{a: 1}",
            "[a,]",
            ".inf",
            "0x10",
            "'a' b",
            "\"a\" # c",
        ];
        let mut rnd = crate::testing::xorshift(0x9e37_79b9_7f4a_7c15);
        let (mut read, mut total) = (0, 0);
        for _ in 0..30_000 {
            let mut doc = String::new();
            for _ in 0..(1 + rnd() % 8) {
                doc.push_str(pick(&mut rnd, &heads));
                if rnd() % 4 != 0 {
                    doc.push_str(pick(&mut rnd, &keys));
                    doc.push_str(pick(&mut rnd, &seps));
                }
                doc.push_str(pick(&mut rnd, &values));
                doc.push('\n');
            }
            total += 1;
            read += usize::from(agrees(&doc));
        }
        // the generator reaches both sides: documents read here and documents left
        assert!(
            read > total / 20 && read < total - total / 20,
            "{read} of {total}"
        );
    }
}
