//! A TOML document as a tree whose values keep their byte offsets, so that detectors can point
//! evidence at the line of an entry without a typed schema that fails on the first unexpected
//! field.
//!
//! The `toml` crate hands out spans through serde's struct protocol (`toml::Spanned`), but only
//! where the parser knows one: implicitly created tables (`tool` in `[tool.poetry]`) have none
//! and `toml::Spanned` then fails. [`Item`] speaks the same protocol and accepts both answers.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;

// serde_spanned's wire names (the same crate version `toml` depends on reads them)
const SPANNED_NAME: &str = "$__serde_spanned_private_Spanned";
const START_FIELD: &str = "$__serde_spanned_private_start";
const END_FIELD: &str = "$__serde_spanned_private_end";
const VALUE_FIELD: &str = "$__serde_spanned_private_value";
const SPANNED_FIELDS: &[&str] = &[START_FIELD, END_FIELD, VALUE_FIELD];

/// A TOML value.
#[derive(Debug, Clone)]
pub enum Node {
    Str(String),
    Bool(bool),
    /// Integers, floats, dates: kept as text, detectors here never need their value.
    Other(String),
    Array(Vec<Item>),
    /// Sorted keys keep output deterministic; a value's span is on its key's line for
    /// `key = value` entries.
    Table(BTreeMap<String, Item>),
}

/// A value and the byte offset where it starts, when the parser knows it.
#[derive(Debug, Clone)]
pub struct Item {
    pub start: Option<usize>,
    pub node: Node,
}

impl Item {
    /// 1-based line of the value in `text`.
    pub fn line(&self, text: &str) -> Option<u32> {
        self.start.map(|s| crate::detect::util::line_at(text, s))
    }

    /// [`Item::line`] through an index of the text, for many lookups in one document.
    pub fn line_in(&self, lines: &crate::detect::deps::LineIndex) -> Option<u32> {
        self.start.map(|s| lines.line(s))
    }
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Node::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Item]> {
        match self {
            Node::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_table(&self) -> Option<&BTreeMap<String, Item>> {
        match self {
            Node::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The child `key` of a table.
    pub fn get(&self, key: &str) -> Option<&Item> {
        self.as_table()?.get(key)
    }

    /// The child at a path of keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Item> {
        let (first, rest) = keys.split_first()?;
        let mut cur = self.get(first)?;
        for k in rest {
            cur = cur.node.get(k)?;
        }
        Some(cur)
    }

    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key)?.node.as_str()
    }

    /// A table's child that is a list of strings (other elements skipped).
    pub fn get_strs(&self, key: &str) -> Vec<String> {
        self.get(key)
            .and_then(|i| i.node.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|i| i.node.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Parse a TOML document into a tree.
pub fn parse(text: &str) -> Result<Node, String> {
    let root: Item = toml::from_str(text).map_err(|e| {
        // one line: the parser's message may span several
        let msg = e.message().split_whitespace().collect::<Vec<_>>().join(" ");
        match e.span() {
            Some(span) => format!(
                "invalid TOML at line {}: {msg}",
                crate::detect::util::line_at(text, span.start)
            ),
            None => format!("invalid TOML: {msg}"),
        }
    })?;
    Ok(root.node)
}

impl<'de> Deserialize<'de> for Item {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_struct(SPANNED_NAME, SPANNED_FIELDS, ItemVisitor)
    }
}

/// The value inside a spanned wrapper: asked for without the spanned protocol, or the
/// deserializer would wrap it again.
struct Bare(Item);

impl<'de> Deserialize<'de> for Bare {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ItemVisitor).map(Bare)
    }
}

struct ItemVisitor;

fn plain(node: Node) -> Item {
    Item { start: None, node }
}

impl<'de> Visitor<'de> for ItemVisitor {
    type Value = Item;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a TOML value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Item, E> {
        Ok(plain(Node::Str(v.to_string())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Item, E> {
        Ok(plain(Node::Str(v)))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Item, E> {
        Ok(plain(Node::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Item, E> {
        Ok(plain(Node::Other(v.to_string())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Item, E> {
        Ok(plain(Node::Other(v.to_string())))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Item, E> {
        Ok(plain(Node::Other(v.to_string())))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Item, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element::<Item>()? {
            items.push(v);
        }
        Ok(plain(Node::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Item, A::Error> {
        let Some(first) = map.next_key::<String>()? else {
            return Ok(plain(Node::Table(BTreeMap::new())));
        };
        if first == START_FIELD {
            // the spanned protocol: start, end, value
            let start: usize = map.next_value()?;
            let mut node = Node::Other(String::new());
            while let Some(k) = map.next_key::<String>()? {
                if k == VALUE_FIELD {
                    node = map.next_value::<Bare>()?.0.node;
                } else {
                    let _: de::IgnoredAny = map.next_value()?;
                }
            }
            return Ok(Item {
                start: Some(start),
                node,
            });
        }
        let mut table = BTreeMap::new();
        let v = map.next_value::<Item>()?;
        table.insert(first, v);
        while let Some(k) = map.next_key::<String>()? {
            let v = map.next_value::<Item>()?;
            table.insert(k, v);
        }
        Ok(plain(Node::Table(table)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_lines() {
        let text = "a = 1\n\n[[package]]\nname = \"torch\"\nversion = \"2.1\"\n\n[package.deps]\nx = { version = \"^1\" }\n\n[t.d]\nwhen = 1979-05-27\n[tool.poetry.dependencies]\ntorch = \"^2\"\n";
        let root = parse(text).unwrap();
        let pkgs = root.get("package").unwrap().node.as_array().unwrap();
        let name = pkgs[0].node.get("name").unwrap();
        assert_eq!(name.node.as_str(), Some("torch"));
        assert_eq!(name.line(text), Some(4));
        let x = pkgs[0].node.path(&["deps", "x"]).unwrap();
        assert_eq!(x.line(text), Some(8));
        assert!(root.path(&["t", "d", "when"]).is_some());
        let torch = root
            .path(&["tool", "poetry", "dependencies", "torch"])
            .unwrap();
        assert_eq!(torch.line(text), Some(13));
        assert_eq!(torch.node.as_str(), Some("^2"));
    }

    #[test]
    fn bad_toml_is_an_error_with_a_line() {
        let e = parse("a = 1\nb = [\n").unwrap_err();
        assert!(e.contains("invalid TOML"), "{e}");
        assert!(parse("\u{0}\u{1}garbage").is_err());
    }
}
