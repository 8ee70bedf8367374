#![no_main]
//! The lock-file TOML reader against the general TOML parser: a file it accepts must be valid
//! TOML that the general parser reads as the same tree (values, and the line of every
//! entry). Then the uv.lock, poetry.lock and Cargo.lock detectors on the same bytes.

mod common;

use aibom::detect::python::toml_lock;
use aibom::detect::python::toml_tree::{self, Item, Node};

/// The tree as text, each entry with its line.
fn shape(text: &str, node: &Node, out: &mut String) {
    let item = |i: &Item, out: &mut String| {
        out.push_str(&format!("@{:?}", i.line(text)));
        shape(text, &i.node, out);
    };
    match node {
        Node::Str(s) => out.push_str(&format!("{s:?}")),
        Node::Bool(b) => out.push_str(&b.to_string()),
        Node::Other(o) => out.push_str(&format!("#{o}")),
        Node::Array(a) => {
            out.push('[');
            for i in a {
                item(i, out);
                out.push(',');
            }
            out.push(']');
        }
        Node::Table(t) => {
            out.push('{');
            for (k, i) in t {
                out.push_str(&format!("{k:?}="));
                item(i, out);
                out.push(',');
            }
            out.push('}');
        }
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(fast) = toml_lock::parse(text) {
            let general = match toml_tree::parse(text) {
                Ok(g) => g,
                Err(e) => panic!("the lock reader accepted invalid TOML: {e}"),
            };
            let (mut a, mut b) = (String::new(), String::new());
            shape(text, &fast, &mut a);
            shape(text, &general, &mut b);
            assert_eq!(a, b, "the two readers disagree");
        }
    }
    common::run("python-uv-lock", "uv.lock", data);
    common::run("python-poetry-lock", "poetry.lock", data);
    common::run("cargo-lock", "Cargo.lock", data);
});
