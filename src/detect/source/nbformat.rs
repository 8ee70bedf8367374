//! The part of a Jupyter notebook the Python reader needs: each cell's type and source lines.
//!
//! Outputs, attachments and metadata are skipped by the JSON parser without being built: a
//! notebook with rendered plots holds megabytes of base64 in its outputs, and building those
//! as a `serde_json::Value` tree was most of the reader's time on real repositories. The
//! syntax is still checked in full, so a broken file is still reported.
//!
//! A value of an unexpected type (`"cells": 3`, a cell that is not an object, a numeric
//! `source`) reads as absent, as it did when the reader looked values up in a tree; a
//! duplicated key keeps its last value, as a JSON object map does.

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Upper bound on cells kept from one notebook; later cells are parsed, counted and dropped.
pub const MAX_CELLS: usize = 20_000;

/// A parsed notebook: `None` when there is no `cells` array.
pub struct Notebook {
    pub cells: Option<Cells>,
}

pub struct Cells {
    /// At most [`MAX_CELLS`], in file order.
    pub kept: Vec<Cell>,
    /// Every cell in the array, kept or not.
    pub count: usize,
}

#[derive(Default)]
pub struct Cell {
    /// `cell_type` is `"code"`.
    pub code: bool,
    /// The source split into lines, each keeping its `\n`; one empty line for an empty source.
    pub lines: Vec<String>,
}

pub fn parse(text: &str) -> Result<Notebook, serde_json::Error> {
    serde_json::from_str(text)
}

/// Visitor methods for every JSON value a visitor does not expect: consume it, return the
/// fallback.
macro_rules! other_values_read_as {
    ($fallback:expr; $($skip:ident),*) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($fallback)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($fallback)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($fallback)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($fallback)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($fallback)
        }
        $(other_values_read_as!(@$skip $fallback);)*
    };
    (@str $fallback:expr) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($fallback)
        }
    };
    (@seq $fallback:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($fallback)
        }
    };
    (@map $fallback:expr) => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok($fallback)
        }
    };
}

impl<'de> Deserialize<'de> for Notebook {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Notebook;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a notebook")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Notebook, A::Error> {
                let mut cells = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key == "cells" {
                        cells = map.next_value::<CellsField>()?.0;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(Notebook { cells })
            }
            other_values_read_as!(Notebook { cells: None }; str, seq);
        }
        d.deserialize_any(V)
    }
}

struct CellsField(Option<Cells>);

impl<'de> Deserialize<'de> for CellsField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CellsField;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of cells")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<CellsField, A::Error> {
                let mut kept = Vec::new();
                let mut count = 0;
                loop {
                    if kept.len() < MAX_CELLS {
                        match seq.next_element::<Cell>()? {
                            Some(cell) => kept.push(cell),
                            None => break,
                        }
                    } else if seq.next_element::<IgnoredAny>()?.is_none() {
                        break;
                    }
                    count += 1;
                }
                Ok(CellsField(Some(Cells { kept, count })))
            }
            other_values_read_as!(CellsField(None); str, map);
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Cell;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a cell")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Cell, A::Error> {
                let mut cell = Cell::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "cell_type" => cell.code = map.next_value::<IsCode>()?.0,
                        "source" => cell.lines = map.next_value::<SourceLines>()?.0,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(cell)
            }
            other_values_read_as!(Cell::default(); str, seq);
        }
        d.deserialize_any(V)
    }
}

struct IsCode(bool);

impl<'de> Deserialize<'de> for IsCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = IsCode;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a cell type")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<IsCode, E> {
                Ok(IsCode(s == "code"))
            }
            other_values_read_as!(IsCode(false); seq, map);
        }
        d.deserialize_any(V)
    }
}

/// `source` as nbformat writes it (an array of strings) or as a single string; non-string
/// entries are skipped.
struct SourceLines(Vec<String>);

impl<'de> Deserialize<'de> for SourceLines {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SourceLines;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a cell source")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<SourceLines, E> {
                Ok(SourceLines(split_keep(s)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SourceLines, A::Error> {
                let mut lines = Vec::new();
                while let Some(entry) = seq.next_element::<Entry>()? {
                    if let Entry(Some(s)) = entry {
                        lines.extend(split_keep(&s));
                    }
                }
                Ok(SourceLines(lines))
            }
            other_values_read_as!(SourceLines(Vec::new()); map);
        }
        d.deserialize_any(V)
    }
}

/// One entry of a source array: its text when it is a string.
struct Entry(Option<String>);

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a source line")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Entry, E> {
                Ok(Entry(Some(s.to_string())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Entry, E> {
                Ok(Entry(Some(s)))
            }
            other_values_read_as!(Entry(None); seq, map);
        }
        d.deserialize_any(V)
    }
}

/// The byte offset, in the notebook's JSON text, of the string holding each line of a cell's
/// source, read from the `"source":` key at `key_at`. `None` when the value is not a string
/// or an array of strings, or when it holds a number of lines other than `expected` (then
/// the caller searches for the lines instead).
///
/// JSON strings never span a text line, so every line decoded from one string sits on that
/// string's line. Reading the strings in place is exact where searching for each line's
/// re-encoded text missed lines whose writer escaped differently (`\/`, `\u00e9`), and each
/// miss searched far ahead.
pub fn source_offsets(text: &str, key_at: usize, expected: usize) -> Option<Vec<usize>> {
    let b = text.as_bytes();
    let mut i = key_at + b"\"source\":".len();
    let mut out = Vec::with_capacity(expected);
    skip_space(b, &mut i);
    match *b.get(i)? {
        b'"' => string_lines(b, &mut i, &mut out)?,
        b'[' => {
            i += 1;
            loop {
                skip_space(b, &mut i);
                match *b.get(i)? {
                    b']' => break,
                    b',' => i += 1,
                    b'"' => string_lines(b, &mut i, &mut out)?,
                    _ => return None,
                }
            }
        }
        _ => return None,
    }
    (out.len() == expected).then_some(out)
}

fn skip_space(b: &[u8], i: &mut usize) {
    while b
        .get(*i)
        .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
    {
        *i += 1;
    }
}

/// Step over the JSON string opening at `b[*i]`, pushing its offset once for every line
/// [`split_keep`] makes of its value.
fn string_lines(b: &[u8], i: &mut usize, out: &mut Vec<usize>) -> Option<()> {
    let open = *i;
    *i += 1;
    let (mut newlines, mut ends_in_newline, mut empty) = (0usize, false, true);
    loop {
        match *b.get(*i)? {
            b'"' => break,
            b'\\' => {
                let escape = *b.get(*i + 1)?;
                let newline = escape == b'n'
                    || escape == b'u'
                        && b.get(*i + 2..*i + 6)
                            .is_some_and(|h| h.eq_ignore_ascii_case(b"000a"));
                *i += if escape == b'u' { 6 } else { 2 };
                newlines += usize::from(newline);
                ends_in_newline = newline;
            }
            _ => {
                *i += 1;
                ends_in_newline = false;
            }
        }
        empty = false;
    }
    *i += 1;
    let lines = if empty {
        1
    } else {
        newlines + usize::from(!ends_in_newline)
    };
    out.extend(std::iter::repeat_n(open, lines));
    Some(())
}

/// Split into lines, keeping every line (a source entry may itself hold several lines).
fn split_keep(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s.split_inclusive('\n').map(str::to_string).collect();
    if v.is_empty() {
        v.push(String::new());
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// Kept cells as (is code, lines) and the cell count; `None` without a `cells` array.
    type Read = Result<Option<(Vec<(bool, Vec<String>)>, usize)>, String>;

    /// What the reader took from a notebook before: the same lookups on a `Value` tree.
    fn from_tree(text: &str) -> Read {
        let nb: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let Some(cells) = nb.get("cells").and_then(|c| c.as_array()) else {
            return Ok(None);
        };
        let kept = cells
            .iter()
            .take(MAX_CELLS)
            .map(|cell| {
                let code = cell.get("cell_type").and_then(|t| t.as_str()) == Some("code");
                let lines = match cell.get("source") {
                    Some(Value::Array(a)) => a
                        .iter()
                        .filter_map(|v| v.as_str())
                        .flat_map(split_keep)
                        .collect(),
                    Some(Value::String(s)) => split_keep(s),
                    _ => Vec::new(),
                };
                (code, lines)
            })
            .collect();
        Ok(Some((kept, cells.len())))
    }

    fn from_reader(text: &str) -> Read {
        let nb = parse(text).map_err(|e| e.to_string())?;
        Ok(nb.cells.map(|c| {
            (
                c.kept.into_iter().map(|c| (c.code, c.lines)).collect(),
                c.count,
            )
        }))
    }

    #[test]
    fn reads_what_the_value_tree_lookups_read() {
        let cases = [
            r#"{"cells": [{"cell_type": "code", "source": ["import a\n", "b = 1"]}]}"#,
            r#"{"cells": [{"source": "x\ny\n", "cell_type": "markdown", "outputs": [{"data": {"image/png": "iVBOR\\u0041"}}]}]}"#,
            r#"{"cells": [{"cell_type": "code", "source": ""}, 3, null, [1], "s"]}"#,
            r#"{"cells": [{"cell_type": 5, "source": {"a": 1}}, {"cell_type": ["code"], "source": [1, "z", null, "w\n"]}]}"#,
            r#"{"cells": [{"cell_type": "code", "cell_type": "raw", "source": "a", "source": "b"}]}"#,
            r#"{"cells": 3}"#,
            r#"{"cells": {"a": []}}"#,
            r#"{"cells": "x"}"#,
            r#"{"metadata": {}, "nbformat": 4}"#,
            r#"{"cells": [], "cells": [{"cell_type": "code", "source": "last"}]}"#,
            r#"[{"cells": []}]"#,
            r#""cells""#,
            "4",
            "null",
            r#"{"cells": [{"cell_type": "code", "source": ["caf\u00e9 \"q\" \\\n"]}]}"#,
            // broken: both readers refuse
            r#"{"cells": [ {"source": "import x" }, "#,
            r#"{"cells": []} trailing"#,
            "{\"cells\": [{\"outputs\": [\"bad \u{1f} control\"]}]}",
            r#"{"cells": [{"outputs": [01]}]}"#,
            r#"{"cells": [{"outputs": ["\q"]}]}"#,
        ];
        for text in cases {
            // the error position inside a skipped string may differ by a column
            let (new, old) = (from_reader(text), from_tree(text));
            assert_eq!(new.is_ok(), old.is_ok(), "{text}: {new:?} vs {old:?}");
            assert_eq!(new.ok(), old.ok(), "{text}");
        }
        let refused = cases.iter().filter(|t| from_reader(t).is_err()).count();
        assert_eq!(refused, 5);
        // a truncated download, the common broken notebook, gets the same message as before
        let truncated = cases[15];
        assert_eq!(from_reader(truncated), from_tree(truncated));
        assert!(from_reader(truncated).unwrap_err().contains("EOF"));
    }

    #[test]
    fn source_strings_are_found_in_place() {
        let text = "{\"cells\": [{\"cell_type\": \"code\", \"source\": [\n  \"import a\\n\",\n  \"x = 'a\\/b'\\nnext\\u000A\",\n  \"\",\n  \"caf\\u00e9 \\\"q\\\" \\\\\"\n]}, {\"source\": \"one\\ntwo\"}]}";
        let nb = parse(text).unwrap();
        let cells = nb.cells.unwrap();
        let keys: Vec<usize> = memchr::memmem::find_iter(text.as_bytes(), b"\"source\":").collect();
        let first = &cells.kept[0].lines;
        assert_eq!(first.len(), 5, "{first:?}");
        let at = source_offsets(text, keys[0], first.len()).unwrap();
        let line_of = |o: usize| text[..o].matches('\n').count() + 1;
        assert_eq!(
            at.iter().map(|&o| line_of(o)).collect::<Vec<_>>(),
            [2, 3, 3, 4, 5]
        );
        let second = &cells.kept[1].lines;
        assert_eq!(
            source_offsets(text, keys[1], second.len()).map(|v| v.len()),
            Some(2)
        );
        // a count that disagrees with the parser, or a value of another shape: search instead
        assert_eq!(source_offsets(text, keys[1], 3), None);
        let odd = "{\"source\": [1, \"a\"]}";
        assert_eq!(source_offsets(odd, 1, 1), None);
        assert_eq!(
            source_offsets("{\"source\": [\"a\"]}", 1, 1),
            Some(vec![12])
        );
        assert_eq!(source_offsets("{\"source\": \"unterminated", 1, 1), None);
    }

    #[test]
    fn cells_beyond_the_bound_are_counted_not_kept() {
        let cell = r#"{"cell_type": "code", "source": "x = 1"}"#;
        let text = format!("{{\"cells\": [{}]}}", vec![cell; MAX_CELLS + 3].join(", "));
        let cells = parse(&text).unwrap().cells.unwrap();
        assert_eq!((cells.kept.len(), cells.count), (MAX_CELLS, MAX_CELLS + 3));
    }
}
