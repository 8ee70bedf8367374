//! The TOML that lock-file writers emit (uv, Poetry, Cargo), read without a general parser.
//!
//! Lock files are machine-written in a narrow, regular shape: `[[package]]` and `[a.b]`
//! headers with bare keys, `key = value` lines, one-line inline tables, arrays spread over
//! lines, strings without escapes. Building them through the general parser into a tree was a
//! sixth of the time of scanning a Python repository with a 1 MB `uv.lock`. [`parse`] reads that
//! shape into the same [`Node`] tree as [`toml_tree::parse`] and gives up (`None`) on anything
//! outside it, so that the caller falls back to the general parser: an escape, a comment inside
//! an array, a dotted key, a float or date, a table defined twice. Errors are the general
//! parser's to report; this reader never decides that a file is invalid.

use super::toml_tree::{self, Item, Node};
use std::collections::BTreeMap;

/// Parse `text` with the lock-file reader, else with the general parser.
pub fn parse_lock(text: &str) -> Result<Node, String> {
    match parse(text) {
        Some(n) => Ok(n),
        None => toml_tree::parse(text),
    }
}

/// Nesting bound for arrays and inline tables: lock files nest three deep.
const MAX_DEPTH: u32 = 16;

/// The document as a tree, or `None` when it is not in the lock-file shape.
pub fn parse(text: &str) -> Option<Node> {
    let mut r = Reader {
        s: text.as_bytes(),
        text,
        pos: 0,
    };
    let mut root: BTreeMap<String, Item> = BTreeMap::new();
    // the keys of the last header, and where it starts (tables it implies start there too)
    let mut path: Vec<String> = Vec::new();
    let mut header_start = 0;
    loop {
        r.skip_blank_lines();
        if r.pos >= r.s.len() {
            break;
        }
        if r.peek() == b'[' {
            let start = r.pos;
            let array = r.s.get(r.pos + 1) == Some(&b'[');
            r.pos += if array { 2 } else { 1 };
            let keys = r.header_keys()?;
            if array {
                r.expect(b']')?;
            }
            r.expect(b']')?;
            r.end_of_line()?;
            open_table(r.s, &mut root, &keys, array, start)?;
            path = keys;
            header_start = start;
        } else {
            let key = r.key()?;
            r.spaces();
            r.expect(b'=')?;
            r.spaces();
            let value = r.value(0)?;
            r.end_of_line()?;
            let table = table_at(r.s, &mut root, &path, header_start)?;
            if table.contains_key(&key) {
                return None;
            }
            table.insert(key, value);
        }
    }
    Some(Node::Table(root))
}

/// The table a header names, created (`[a.b]`) or appended (`[[a.b]]`). Tables along the way
/// are created implicitly; an array of tables along the way means its last element. A table
/// defined twice, or a header naming a value that is not a table, is left to the general
/// parser.
fn open_table(
    text: &[u8],
    root: &mut BTreeMap<String, Item>,
    keys: &[String],
    array: bool,
    start: usize,
) -> Option<()> {
    let (last, parents) = keys.split_last()?;
    let parent = table_at(text, root, parents, start)?;
    match parent.get_mut(last) {
        None if array => {
            // as the general parser has it: the array and each element start at their header
            parent.insert(
                last.clone(),
                Item {
                    start: Some(start),
                    node: Node::Array(vec![table_item(start)]),
                },
            );
        }
        None => {
            parent.insert(last.clone(), table_item(start));
        }
        Some(Item {
            node: Node::Array(items),
            start: Some(at),
        }) if array && from_header(text, *at) => {
            items.push(table_item(start));
        }
        Some(_) => return None,
    }
    Some(())
}

fn table_item(start: usize) -> Item {
    Item {
        start: Some(start),
        node: Node::Table(BTreeMap::new()),
    }
}

/// Whether the item starting at `start` was opened by a header (`[a]`, `[[a]]` at the start of
/// a line) rather than written as a value (`a = [...]`, `a = {...}`), which cannot be extended.
fn from_header(text: &[u8], start: usize) -> bool {
    let before = text.get(..start).unwrap_or(&[]);
    before
        .iter()
        .rev()
        .find(|&&b| b != b' ' && b != b'\t')
        .is_none_or(|&b| b == b'\n')
}

/// The table at `path` from the root, descending into the last element of arrays of tables.
/// Tables on the way that do not exist yet are created implicitly, starting (as the general
/// parser has them) at the header `created_at` that implied them.
fn table_at<'t>(
    text: &[u8],
    root: &'t mut BTreeMap<String, Item>,
    path: &[String],
    created_at: usize,
) -> Option<&'t mut BTreeMap<String, Item>> {
    let mut cur = root;
    for k in path {
        if !cur.contains_key(k) {
            cur.insert(k.clone(), table_item(created_at));
        }
        let item = cur.get_mut(k)?;
        let extensible = item.start.is_some_and(|at| from_header(text, at));
        if !extensible {
            return None;
        }
        cur = match &mut item.node {
            Node::Table(t) => t,
            Node::Array(items) => match items.last_mut().map(|i| &mut i.node) {
                Some(Node::Table(t)) => t,
                _ => return None,
            },
            _ => return None,
        };
    }
    Some(cur)
}

struct Reader<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Reader<'_> {
    fn peek(&self) -> u8 {
        self.s.get(self.pos).copied().unwrap_or(0)
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        if self.peek() == b {
            self.pos += 1;
            Some(())
        } else {
            None
        }
    }

    fn spaces(&mut self) {
        while matches!(self.peek(), b' ' | b'\t') {
            self.pos += 1;
        }
    }

    /// Blank lines and whole-line comments.
    fn skip_blank_lines(&mut self) {
        loop {
            self.spaces();
            match self.peek() {
                b'\n' => self.pos += 1,
                b'\r' if self.s.get(self.pos + 1) == Some(&b'\n') => self.pos += 2,
                b'#' => {
                    if !self.comment() {
                        return;
                    }
                }
                _ => return,
            }
        }
    }

    /// A comment up to the end of its line (the newline is not consumed). Control characters
    /// other than tab are invalid in comments: then `false`, with `pos` left on the `#` for
    /// the caller to fail on.
    fn comment(&mut self) -> bool {
        let rest = self.s.get(self.pos..).unwrap_or(&[]);
        let newline = memchr::memchr(b'\n', rest);
        let len = newline.unwrap_or(rest.len());
        let body = &rest[..len];
        // a `\r` is part of the line ending only right before a `\n`
        let body = match newline {
            Some(_) => body.strip_suffix(b"\r").unwrap_or(body),
            None => body,
        };
        if body.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
            return false;
        }
        self.pos += len;
        true
    }

    /// After a header or a value: spaces, an optional comment, then a newline or the end.
    fn end_of_line(&mut self) -> Option<()> {
        self.spaces();
        if self.peek() == b'#' && !self.comment() {
            return None;
        }
        match self.peek() {
            b'\n' => self.pos += 1,
            b'\r' if self.s.get(self.pos + 1) == Some(&b'\n') => self.pos += 2,
            0 if self.pos >= self.s.len() => {}
            _ => return None,
        }
        Some(())
    }

    /// `a.b.c` inside a header, with spaces allowed around the dots.
    fn header_keys(&mut self) -> Option<Vec<String>> {
        let mut keys = Vec::new();
        loop {
            self.spaces();
            keys.push(self.key()?);
            self.spaces();
            if self.peek() != b'.' {
                return Some(keys);
            }
            self.pos += 1;
        }
    }

    /// A bare key, or a basic/literal string key without escapes. Dotted keys are not read.
    fn key(&mut self) -> Option<String> {
        match self.peek() {
            b'"' | b'\'' => {
                let q = self.peek();
                let s = self.simple_string(q)?;
                Some(s.to_string())
            }
            _ => {
                let start = self.pos;
                while matches!(self.peek(), b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-') {
                    self.pos += 1;
                }
                if self.pos == start {
                    return None;
                }
                self.text.get(start..self.pos).map(str::to_string)
            }
        }
    }

    /// A one-line string in quote `q` with no escapes and no control characters (the general
    /// parser reads everything else). Multi-line strings (`"""`, `'''`) are not read.
    fn simple_string(&mut self, q: u8) -> Option<&str> {
        self.pos += 1;
        let start = self.pos;
        let rest = self.s.get(start..)?;
        let len = memchr::memchr(q, rest)?;
        let body = &rest[..len];
        if len == 0 && rest.get(1) == Some(&q) {
            return None; // `"""` / `'''`
        }
        if body
            .iter()
            .any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f || (q == b'"' && b == b'\\'))
        {
            return None;
        }
        self.pos = start + len + 1;
        self.text.get(start..start + len)
    }

    /// A value: string, `true`/`false`, decimal integer, array or inline table.
    fn value(&mut self, depth: u32) -> Option<Item> {
        if depth > MAX_DEPTH {
            return None;
        }
        let start = self.pos;
        let node = match self.peek() {
            b'"' | b'\'' => {
                let q = self.peek();
                Node::Str(self.simple_string(q)?.to_string())
            }
            b'[' => {
                self.pos += 1;
                Node::Array(self.array_items(depth)?)
            }
            b'{' => {
                self.pos += 1;
                Node::Table(self.inline_table(depth)?)
            }
            b't' if self.s.get(self.pos..self.pos + 4) == Some(b"true") => {
                self.pos += 4;
                Node::Bool(true)
            }
            b'f' if self.s.get(self.pos..self.pos + 5) == Some(b"false") => {
                self.pos += 5;
                Node::Bool(false)
            }
            b'0'..=b'9' => {
                while self.peek().is_ascii_digit() {
                    self.pos += 1;
                }
                let digits = self.text.get(start..self.pos)?;
                // `0123`, `1_000`, `1.5`, dates, and numbers past i64 are the general parser's
                if (digits.len() > 1 && digits.starts_with('0'))
                    || digits.len() > 18
                    || matches!(
                        self.peek(),
                        b'_' | b'.' | b'e' | b'E' | b'-' | b':' | b'x' | b'o' | b'b'
                    )
                {
                    return None;
                }
                Node::Other(digits.to_string())
            }
            _ => return None,
        };
        // the identifier-like tail of `truex` or `12ab` is not a value
        if matches!(self.peek(), b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_') {
            return None;
        }
        Some(Item {
            start: Some(start),
            node,
        })
    }

    /// Elements up to the closing `]`; newlines allowed between them, comments not.
    fn array_items(&mut self, depth: u32) -> Option<Vec<Item>> {
        let mut items = Vec::new();
        loop {
            self.array_space()?;
            if self.peek() == b']' {
                self.pos += 1;
                return Some(items);
            }
            items.push(self.value(depth + 1)?);
            self.array_space()?;
            match self.peek() {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Some(items);
                }
                _ => return None,
            }
        }
    }

    /// Spaces and newlines inside an array.
    fn array_space(&mut self) -> Option<()> {
        loop {
            match self.peek() {
                b' ' | b'\t' | b'\n' => self.pos += 1,
                b'\r' if self.s.get(self.pos + 1) == Some(&b'\n') => self.pos += 2,
                b'#' => return None,
                _ => return Some(()),
            }
        }
    }

    /// `k = v, …` up to the closing `}`, on one line, no trailing comma.
    fn inline_table(&mut self, depth: u32) -> Option<BTreeMap<String, Item>> {
        let mut table = BTreeMap::new();
        self.spaces();
        if self.peek() == b'}' {
            self.pos += 1;
            return Some(table);
        }
        loop {
            self.spaces();
            let key = self.key()?;
            self.spaces();
            self.expect(b'=')?;
            self.spaces();
            let v = self.value(depth + 1)?;
            if table.insert(key, v).is_some() {
                return None;
            }
            self.spaces();
            match self.peek() {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(table);
                }
                _ => return None,
            }
        }
    }
}

/// The tree with every start as its line, for comparing the two readers.
fn shape(text: &str, node: &Node) -> String {
    fn walk(text: &str, n: &Node, out: &mut String) {
        match n {
            Node::Str(s) => out.push_str(&format!("{s:?}")),
            Node::Bool(b) => out.push_str(&b.to_string()),
            Node::Other(o) => out.push_str(&format!("#{o}")),
            Node::Array(a) => {
                out.push('[');
                for i in a {
                    item(text, i, out);
                    out.push(',');
                }
                out.push(']');
            }
            Node::Table(t) => {
                out.push('{');
                for (k, i) in t {
                    out.push_str(&format!("{k:?}="));
                    item(text, i, out);
                    out.push(',');
                }
                out.push('}');
            }
        }
    }
    fn item(text: &str, i: &Item, out: &mut String) {
        out.push_str(&format!("@{:?}", i.line(text)));
        walk(text, &i.node, out);
    }
    let mut s = String::new();
    walk(text, node, &mut s);
    s
}

/// Whether the lock reader reads `text` (`Ok(false)`: it left it to the general parser), and
/// if it does, that the general parser accepts it too and reads the same tree: the same values
/// and the same line for every entry. The differential check of the tests and the fuzz target.
pub fn agrees_with_general(text: &str) -> Result<bool, String> {
    let Some(fast) = parse(text) else {
        return Ok(false);
    };
    let general = toml_tree::parse(text).map_err(|e| format!("fast read an invalid file: {e}"))?;
    let (a, b) = (shape(text, &fast), shape(text, &general));
    if a != b {
        return Err(format!("trees differ:\n fast    {a}\n general {b}"));
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The TOML lock files among the fixtures.
    fn lock_fixtures() -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = Vec::new();
        for rel in [
            "fixtures/python/pyproject-uv/uv.lock",
            "fixtures/python/poetry/poetry.lock",
            "fixtures/python/malformed/truncated/poetry.lock",
            "fixtures/rust/workspace/Cargo.lock",
            "tests/fuzz/Cargo.lock",
        ] {
            let text = std::fs::read_to_string(root.join(rel)).unwrap();
            out.push((rel.to_string(), text));
        }
        out
    }

    #[test]
    fn lock_fixtures_read_as_the_general_parser_reads_them() {
        for (rel, text) in lock_fixtures() {
            let fast = agrees_with_general(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
            // the truncated lock is invalid: only the general parser may say so
            assert_eq!(fast, !rel.contains("truncated"), "{rel}");
        }
    }

    #[test]
    fn shapes_outside_the_subset_are_left_to_the_general_parser() {
        for text in [
            "a = \"x\\ny\"\n",            // an escape
            "a = 1.5\n",                  // a float
            "a = 1979-05-27\n",           // a date
            "a.b = 1\n",                  // a dotted key
            "a = [\n  1, # one\n]\n",     // a comment in an array
            "a = \"\"\"x\"\"\"\n",        // a multi-line string
            "[a.b]\nx = 1\n[a]\ny = 2\n", // an implicit table defined later (valid)
            "[a]\n[a]\n",                 // a table defined twice (invalid)
            "a = 1\na = 2\n",             // a duplicate key (invalid)
            "a = [{ x = 1 }]\n[[a]]\n",   // a static array extended (invalid)
            "a = { x = 1 }\n[a.y]\n",     // an inline table extended (invalid)
            "a = 01\n",                   // a leading zero (invalid)
            "a = truex\n",                // not a value (invalid)
            "a = { x = 1, }\n",           // a trailing comma in an inline table (invalid)
            "#\r",         // a carriage return alone, in a comment (invalid; fuzzing)
            "a = 1 # c\r", // the same after a value (invalid)
        ] {
            assert_eq!(parse(text).map(|_| ()), None, "{text:?}");
        }
    }

    /// Every mutation of a real lock file that the lock reader accepts, the general parser
    /// reads as the same tree: the reader never accepts invalid TOML or misreads valid TOML.
    #[test]
    fn mutated_locks_are_read_as_the_general_parser_reads_them_or_left_to_it() {
        const EDITS: &[&str] = &[
            "\"",
            "'",
            "\\",
            "#",
            "[",
            "]",
            "[[",
            "{",
            "}",
            "=",
            ",",
            ".",
            "\n",
            " ",
            "\r\n",
            "\t",
            "x",
            "1",
            "0",
            "_",
            "-",
            "true",
            "\u{1}",
            "é",
            "\"\"\"",
            "a.b = 1\n",
            "[package]\n",
            "[[package]]\n",
            "\nname = \"dup\"\n",
        ];
        let mut rnd = crate::testing::xorshift(0x9e37_79b9_7f4a_7c15);
        let mut accepted = 0;
        let fixtures = lock_fixtures();
        for n in 0..2000 {
            let (rel, text) = &fixtures[n % fixtures.len()];
            let mut t = text.clone();
            for _ in 0..1 + rnd() % 3 {
                let mut at = (rnd() as usize) % (t.len() + 1);
                while !t.is_char_boundary(at) {
                    at -= 1;
                }
                match rnd() % 3 {
                    0 => t.insert_str(at, EDITS[(rnd() as usize) % EDITS.len()]),
                    1 => {
                        let mut end = (at + 1 + (rnd() as usize) % 40).min(t.len());
                        while !t.is_char_boundary(end) {
                            end -= 1;
                        }
                        t.replace_range(at..end, "");
                    }
                    _ => {
                        // a line repeated: duplicate keys and headers
                        let start = t[..at].rfind('\n').map_or(0, |i| i + 1);
                        let end = t[at..].find('\n').map_or(t.len(), |i| at + i + 1);
                        let line = t[start..end].to_string();
                        t.insert_str(end, &line);
                    }
                }
            }
            match agrees_with_general(&t) {
                Ok(true) => accepted += 1,
                Ok(false) => {}
                Err(e) => panic!("mutation {n} of {rel}: {e}\n--- text:\n{t}"),
            }
        }
        // enough edits keep the file in the subset for the comparison to mean something
        assert!(accepted > 250, "only {accepted} of 2000 mutations read");
    }

    /// Lock files of real repositories, when `AIBOM_TOML_CORPUS` names a directory of them.
    #[test]
    fn external_lock_corpus() {
        let Ok(dir) = std::env::var("AIBOM_TOML_CORPUS") else {
            return;
        };
        let (mut fast, mut total) = (0, 0);
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let Ok(text) = std::fs::read_to_string(e.path()) else {
                continue;
            };
            total += 1;
            match agrees_with_general(&text) {
                Ok(true) => fast += 1,
                Ok(false) => eprintln!("fallback: {}", e.path().display()),
                Err(err) => panic!("{}: {err}", e.path().display()),
            }
        }
        eprintln!("{fast} of {total} read by the lock reader");
    }
}
