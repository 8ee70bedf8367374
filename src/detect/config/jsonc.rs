//! JSON with comments (VS Code's `jsonc` flavour) to plain JSON: `//` and `/* */` comments and
//! trailing commas before `}`/`]` are removed; strings are copied untouched. Comments are
//! replaced by spaces (newlines kept) so byte offsets and line numbers stay those of the file.

/// The cleaned text, same length and line structure as the input.
pub fn to_json(text: &str) -> String {
    let b = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    // index in `out` of the last comma seen outside strings with only whitespace after it
    let mut pending_comma: Option<usize> = None;
    while i < b.len() {
        let c = b[i];
        match c {
            b'"' => {
                pending_comma = None;
                out.push(c);
                i += 1;
                while i < b.len() {
                    let d = b[i];
                    out.push(d);
                    i += 1;
                    if d == b'\\' {
                        if let Some(&e) = b.get(i) {
                            out.push(e);
                            i += 1;
                        }
                    } else if d == b'"' {
                        break;
                    }
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    out.push(b' ');
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                out.extend_from_slice(b"  ");
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    out.push(if b[i] == b'\n' { b'\n' } else { b' ' });
                    i += 1;
                }
                if i < b.len() {
                    out.extend_from_slice(b"  ");
                    i += 2;
                }
            }
            b',' => {
                pending_comma = Some(out.len());
                out.push(c);
                i += 1;
            }
            b'}' | b']' => {
                if let Some(at) = pending_comma.take() {
                    if let Some(slot) = out.get_mut(at) {
                        *slot = b' ';
                    }
                }
                out.push(c);
                i += 1;
            }
            _ => {
                if !c.is_ascii_whitespace() {
                    pending_comma = None;
                }
                out.push(c);
                i += 1;
            }
        }
    }
    // only ASCII bytes were replaced by ASCII bytes, and string contents were copied whole,
    // so the result is valid UTF-8 whenever the input was; fall back to lossless-if-possible
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_trailing_commas() {
        let src = "{\n  // a comment with \"quotes\"\n  \"a\": \"http://x//y\", /* block\n */ \"b\": [1, 2,],\n}\n";
        let out = to_json(src);
        assert_eq!(out.len(), src.len());
        assert_eq!(out.lines().count(), src.lines().count());
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["a"], "http://x//y");
        assert_eq!(v["b"], serde_json::json!([1, 2]));
    }

    #[test]
    fn strings_are_untouched() {
        let src = r#"{"a": "x, }", "b": "\"//not a comment\""}"#;
        let v: serde_json::Value = serde_json::from_str(&to_json(src)).unwrap();
        assert_eq!(v["a"], "x, }");
        assert_eq!(v["b"], "\"//not a comment\"");
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for s in ["{\"a", "/*", "//", "{,", "\"\\"] {
            let _ = to_json(s);
        }
    }
}
