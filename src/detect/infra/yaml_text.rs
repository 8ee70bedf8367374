//! YAML helpers shared by the YAML detectors: split multi-document streams with their line
//! offsets, parse one document (merge keys applied), and find the line a value sits on — the
//! YAML crate gives no spans, so evidence lines come from the text.

use crate::detect::util::count_newlines;
use serde_yaml_ng::Value;

/// The largest YAML document parsed. Real manifests are far smaller; a bound keeps a hostile
/// file from costing more than it is worth.
pub const MAX_DOC_BYTES: usize = 4 * 1024 * 1024;

/// One document of a YAML stream: its text and the 1-based line it starts on.
pub struct Doc<'a> {
    pub text: &'a str,
    pub first_line: u32,
    /// 1-based line after its last line.
    pub end_line: u32,
}

/// Split at `---` separator lines (column 0). Separators inside block scalars are not
/// recognised as such by this split; such files are rare and then fail to parse, with a warning.
pub fn split_docs(text: &str) -> Vec<Doc<'_>> {
    let bytes = text.as_bytes();
    let mut docs = Vec::new();
    let mut start = 0usize;
    let mut start_line = 1u32;
    // 1-based number of the line that starts at byte `counted`
    let mut line_no = 1u32;
    let mut counted = 0usize;
    // only lines that start with `---` or `...` can separate documents: jump from one to the
    // next instead of visiting every line (a CRD bundle is 50 000 lines and one separator)
    let mut candidates: Vec<usize> = memchr::memmem::find_iter(bytes, b"\n---")
        .chain(memchr::memmem::find_iter(bytes, b"\n..."))
        .map(|nl| nl + 1)
        .collect();
    if bytes.starts_with(b"---") || bytes.starts_with(b"...") {
        candidates.push(0);
    }
    candidates.sort_unstable();
    for at in candidates {
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |e| at + e + 1);
        // `at` and `end` sit next to ASCII bytes, so both are char boundaries
        let Some(line) = text.get(at..end) else {
            continue;
        };
        let t = line.trim_end();
        let is_sep = t == "---" || t.starts_with("--- ") || t.starts_with("---\t") || t == "...";
        if !is_sep {
            continue;
        }
        line_no += count_newlines(&bytes[counted..at]);
        counted = at;
        if let Some(body) = text.get(start..at) {
            docs.push(Doc {
                text: body,
                first_line: start_line,
                end_line: line_no,
            });
        }
        start = end;
        start_line = line_no + 1;
    }
    // lines in the text: its newlines, plus a last line without one
    let last_line = line_no - 1
        + count_newlines(&bytes[counted..])
        + u32::from(!bytes.is_empty() && !text.ends_with('\n'));
    if let Some(body) = text.get(start..) {
        docs.push(Doc {
            text: body,
            first_line: start_line,
            end_line: last_line + 1,
        });
    }
    docs.retain(|d| {
        d.text
            .lines()
            .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
    });
    docs
}

/// Parse one document; merge keys (`<<: *anchor`) applied.
pub fn parse(doc: &str) -> Result<Value, String> {
    if doc.len() > MAX_DOC_BYTES {
        return Err(format!(
            "YAML document over {MAX_DOC_BYTES} bytes; not parsed"
        ));
    }
    if let Some(v) = super::yaml_block::read(doc) {
        return Ok(v);
    }
    let mut v: Value = serde_yaml_ng::from_str(doc).map_err(|e| format!("invalid YAML: {e}"))?;
    // a failed merge leaves the value as written, which is still worth reading
    let _ = v.apply_merge();
    Ok(v)
}

/// A scalar as text (strings, numbers, booleans); `None` for maps, lists and null.
pub fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The lines of a file, for finding where a value was written.
pub struct Lines<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Self {
        // `str::lines` split with memchr's vector search: a manifest bundle is tens of
        // thousands of lines, and std's per-line search was a tenth of reading one
        let mut lines = Vec::new();
        let mut start = 0;
        for nl in memchr::memchr_iter(b'\n', text.as_bytes()) {
            let line = text.get(start..nl).unwrap_or("");
            lines.push(line.strip_suffix('\r').unwrap_or(line));
            start = nl + 1;
        }
        if let Some(last) = text.get(start..).filter(|l| !l.is_empty()) {
            lines.push(last);
        }
        Lines { lines }
    }

    /// First line in `[from, to)` (1-based) that is not a comment and contains `needle`
    /// (and `key`, when given, before it).
    pub fn find(&self, from: u32, to: u32, key: Option<&str>, needle: &str) -> Option<u32> {
        if needle.is_empty() {
            return None;
        }
        let start = from.max(1) as usize - 1;
        let end = (to.max(from) as usize - 1).min(self.lines.len());
        // built once for all the lines: a `str::find` per line set up its searcher every time
        let needle_at = memchr::memmem::Finder::new(needle);
        let key_at = key.map(memchr::memmem::Finder::new);
        for (i, line) in self.lines.get(start..end)?.iter().enumerate() {
            // a line without the needle cannot have it outside its comment
            if needle_at.find(line.as_bytes()).is_none() {
                continue;
            }
            let code = strip_comment(line).as_bytes();
            let Some(at) = needle_at.find(code) else {
                continue;
            };
            if let Some(k) = &key_at {
                match k.find(code) {
                    Some(kat) if kat <= at => {}
                    _ => continue,
                }
            }
            return Some((start + i + 1) as u32);
        }
        None
    }

    /// Like [`Lines::find`] with a key, falling back to the value alone, then to `from`.
    pub fn locate(&self, from: u32, to: u32, key: &str, needle: &str) -> u32 {
        self.find(from, to, Some(key), needle)
            .or_else(|| self.find(from, to, None, needle))
            .unwrap_or(from)
    }

    /// First line in `[from, to)` that starts (after indentation and an optional `- `) with
    /// `key:`, quoted or not.
    pub fn find_key(&self, from: u32, to: u32, key: &str) -> Option<u32> {
        let start = from.max(1) as usize - 1;
        let end = (to.max(from) as usize - 1).min(self.lines.len());
        let plain = format!("{key}:");
        let dq = format!("\"{key}\":");
        let sq = format!("'{key}':");
        for (i, line) in self.lines.get(start..end)?.iter().enumerate() {
            let t = line.trim_start();
            let t = t.strip_prefix("- ").unwrap_or(t);
            if t.starts_with(&plain) || t.starts_with(&dq) || t.starts_with(&sq) {
                return Some((start + i + 1) as u32);
            }
        }
        None
    }

    pub fn get(&self, line: u32) -> Option<&'a str> {
        self.lines.get((line as usize).checked_sub(1)?).copied()
    }
}

/// A YAML line without its comment (`#` at the start or after whitespace, outside quotes).
pub fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev_ws = true;
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && prev_ws => return line.get(..i).unwrap_or(line),
            None => {}
        }
        prev_ws = c.is_whitespace();
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The split as first written, one line at a time: what `split_docs` must agree with.
    fn split_line_by_line(text: &str) -> Vec<(String, u32, u32)> {
        let mut docs = Vec::new();
        let (mut start, mut start_line, mut offset, mut line_no) = (0usize, 1u32, 0usize, 1u32);
        for line in text.split_inclusive('\n') {
            let t = line.trim_end();
            if t == "---" || t.starts_with("--- ") || t.starts_with("---\t") || t == "..." {
                docs.push((text[start..offset].to_string(), start_line, line_no));
                start = offset + line.len();
                start_line = line_no + 1;
            }
            offset += line.len();
            line_no += 1;
        }
        docs.push((text[start..].to_string(), start_line, line_no));
        docs.retain(|d| {
            d.0.lines()
                .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        });
        docs
    }

    fn split(text: &str) -> Vec<(String, u32, u32)> {
        split_docs(text)
            .into_iter()
            .map(|d| (d.text.to_string(), d.first_line, d.end_line))
            .collect()
    }

    #[test]
    fn split_agrees_with_the_line_by_line_split() {
        for text in [
            "",
            "---",
            "---\n",
            "a: 1",
            "a: 1\n---\nb: 2",
            "---\na: 1\n---\n",
            "a: 1\r\n---\r\nb: 2\r\n",
            "a: 1\n--- # two\nb: 2\n...\n",
            "a: 1\n----\nb: |\n  ---\n---\t\nc: 3\n",
            "a: 1\n...x\n.../\n---\n\n\n",
            "é: ü\n---\n€: 1\n--- \n",
        ] {
            assert_eq!(split(text), split_line_by_line(text), "{text:?}");
        }
        // a long text, separators far apart
        let long = (0..500)
            .map(|i| {
                if i % 97 == 0 {
                    "---".to_string()
                } else {
                    format!("k{i}: v")
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(split(&long), split_line_by_line(&long));
        assert_eq!(split(&long).len(), 6);
    }

    #[test]
    fn lines_are_str_lines() {
        for text in [
            "",
            "a",
            "a\n",
            "a\r\nb\r",
            "\n\n",
            "a\r\r\nb\n\r",
            "é\n€\r\n",
        ] {
            assert_eq!(
                Lines::new(text).lines,
                text.lines().collect::<Vec<_>>(),
                "{text:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn split_agrees_on_any_text(parts in proptest::collection::vec(
            proptest::sample::select(vec!["---", "...", "--- x", "----", "a: 1", "# c", "", " ---", "\r", "é"]), 0..24)) {
            let text = parts.join("\n");
            prop_assert_eq!(split(&text), split_line_by_line(&text));
        }
    }

    #[test]
    fn docs_and_lines() {
        let text = "# header\n---\na: 1\n---\n# only a comment\n---\nb:\n  image: x # was y\n";
        let docs = split_docs(text);
        assert_eq!(docs.len(), 2);
        assert_eq!((docs[0].first_line, docs[1].first_line), (3, 7));
        let lines = Lines::new(text);
        assert_eq!(lines.find(1, 99, Some("image"), "x"), Some(8));
        assert_eq!(
            lines.find(1, 99, None, "y"),
            None,
            "comments are not values"
        );
        assert_eq!(lines.locate(7, 9, "image", "zz"), 7);
        assert_eq!(strip_comment("a: '#not' # c"), "a: '#not' ");
    }

    #[test]
    fn merge_keys_and_errors() {
        let v = parse("x: &a {image: i}\ny:\n  <<: *a\n").unwrap();
        assert_eq!(v["y"]["image"].as_str(), Some("i"));
        assert!(parse("a: [1,\n").is_err());
    }
}
