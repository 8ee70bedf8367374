//! A small hand tokenizer for the languages the `source` family reads.
//!
//! # What it detects
//! Nothing by itself: it turns source text into identifiers, string literals and punctuation,
//! dropping comments, so that the call recogniser ([`super::calls`]) never sees a model id that
//! sits in a comment, a docstring or prose.
//!
//! # Files claimed
//! None (a library for the source detectors).
//!
//! # Evidence and confidence
//! Every token carries its byte offset and 1-based line.
//!
//! # Not handled
//! Full grammars. Python f-strings and JS template literals with `${…}` are kept but marked
//! `interpolated` (their value is not a literal). JS regex literals are recognised by the token
//! before the `/`, which is right for real code and harmless when wrong (one line at most is
//! misread, because `'`/`"` strings never span a newline). Rust lifetimes are skipped.
//!
//! # References
//! Python lexical analysis (docs.python.org/3/reference/lexical_analysis.html), ECMAScript
//! string/template/regex literals, Go spec "String literals", Rust reference "Tokens", JLS
//! §3.10.6 text blocks.

use crate::detect::util::count_newlines;
use std::borrow::Cow;
use std::cell::Cell;

/// The lexical family of a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Python,
    Js,
    Go,
    Rust,
    /// Java and Kotlin share comments and string shapes (`"…"`, `"""…"""`).
    Jvm,
}

/// Token text borrows from the source; only a string literal whose escapes were undone owns its
/// value (tokenizing allocated per token before, the largest share of a scan's allocations).
#[derive(Debug, Clone, PartialEq)]
pub enum TokKind<'a> {
    Ident(&'a str),
    /// A string literal's value (escapes of quotes/backslashes undone, others kept).
    Str {
        value: Cow<'a, str>,
        /// f-string / template literal with interpolation: not a constant.
        interpolated: bool,
        /// A Python string that is a whole statement (docstring, bare triple-quoted text).
        statement: bool,
    },
    Number(&'a str),
    Punct(char),
    /// End of a logical line (Python only; newlines inside brackets do not count).
    Newline,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token<'a> {
    pub kind: TokKind<'a>,
    pub offset: usize,
    pub line: u32,
}

impl Token<'_> {
    pub fn ident(&self) -> Option<&str> {
        match &self.kind {
            TokKind::Ident(s) => Some(s),
            _ => None,
        }
    }

    /// The value of a constant string literal.
    pub fn str_lit(&self) -> Option<&str> {
        match &self.kind {
            TokKind::Str {
                value,
                interpolated: false,
                ..
            } => Some(value),
            _ => None,
        }
    }

    pub fn is_punct(&self, c: char) -> bool {
        self.kind == TokKind::Punct(c)
    }
}

/// Upper bound on tokens kept per file: generated or minified sources beyond this are cut, not
/// allowed to grow memory without limit.
pub const MAX_TOKENS: usize = 2_000_000;

/// Bytes that continue an identifier: ASCII letters and digits, `_`, `$`, and every byte of a
/// non-ASCII character.
const IDENT_CONTINUE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = c == b'_' || c == b'$' || c.is_ascii_alphanumeric() || c >= 0x80;
        i += 1;
    }
    t
};

thread_local! {
    /// The token vector of this thread's previous file, emptied ([`recycle`]). A fresh vector
    /// per file had the allocator hand out, and the kernel fault in, new pages for every
    /// token: half the page faults of a scan of a Python repository.
    static SPARE: Cell<Vec<Token<'static>>> = const { Cell::new(Vec::new()) };
}

/// The largest token vector kept for the next file (about 87 000 tokens), so one huge module
/// does not stay resident.
const SPARE_BYTES: usize = 4 << 20;

/// Hand a finished file's tokens back, for [`tokenize`] to reuse their memory.
pub fn recycle(mut toks: Vec<Token<'_>>) {
    if toks.capacity() * std::mem::size_of::<Token>() > SPARE_BYTES {
        return;
    }
    toks.clear();
    // the same type but for its lifetime: collecting the emptied vector reuses its allocation
    // (`filter` could not change the lifetime)
    #[allow(clippy::unnecessary_filter_map)]
    let spare: Vec<Token<'static>> = toks.into_iter().filter_map(|_| None).collect();
    SPARE.with(|s| s.set(spare));
}

/// Tokenize `text` as `lang`. Never fails: malformed input (unterminated strings or comments)
/// ends the current token at the end of the line or file.
pub fn tokenize(text: &str, lang: Lang) -> Vec<Token<'_>> {
    let mut out: Vec<Token<'_>> = SPARE.with(Cell::take);
    // about one token per eight bytes of code; growing the vector from empty copied every
    // token of a large file several times (4% of reading a Python repository)
    out.reserve((text.len() / 8).min(1 << 18));
    let mut lx = Lexer {
        s: text.as_bytes(),
        text,
        pos: 0,
        line: 1,
        lang,
        out,
        depth: 0,
        stmt: StatementStrings::default(),
    };
    lx.run();
    // a run of strings ended by the end of the file is a statement too
    lx.mark_run();
    lx.out
}

struct Lexer<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
    line: u32,
    lang: Lang,
    out: Vec<Token<'a>>,
    /// Bracket depth, for Python logical lines.
    depth: u32,
    stmt: StatementStrings,
}

/// State of [`Lexer::track_statement_strings`].
#[derive(Default)]
struct StatementStrings {
    /// Index of the first token of a run of strings that started a statement.
    run_start: Option<usize>,
    /// The last logical-line end or `def`/`class` pushed is a `def`/`class` that starts its
    /// line: a `:` now ends a one-line compound-statement header.
    header_open: bool,
}

impl<'a> Lexer<'a> {
    fn peek(&self, ahead: usize) -> u8 {
        self.s.get(self.pos + ahead).copied().unwrap_or(0)
    }

    #[inline(always)]
    fn push(&mut self, kind: TokKind<'a>, offset: usize, line: u32) {
        if self.out.len() >= MAX_TOKENS {
            return;
        }
        if self.lang == Lang::Python {
            self.track_statement_strings(&kind);
        }
        self.out.push(Token { kind, offset, line });
    }

    /// Python strings that are a whole statement (docstrings, bare triple-quoted text), marked
    /// as the tokens are pushed: a run of string tokens that starts a statement — at the file
    /// start, after a logical-line end, or after the `:` of a one-line `def`/`class` header —
    /// and is ended by a logical-line end or the end of the file. `kind` is the next token.
    #[inline(always)]
    fn track_statement_strings(&mut self, kind: &TokKind<'a>) {
        match kind {
            TokKind::Str { .. } => {
                if self.stmt.run_start.is_none() {
                    self.start_run_at_statement_start();
                }
            }
            TokKind::Newline => {
                self.mark_run();
                self.stmt.header_open = false;
            }
            TokKind::Ident(w) => {
                self.stmt.run_start = None;
                if matches!(*w, "def" | "class") {
                    self.stmt.header_open = matches!(
                        self.out.last().map(|t| &t.kind),
                        None | Some(TokKind::Newline)
                    );
                }
            }
            _ => self.stmt.run_start = None,
        }
    }

    /// A string token is next and no run is open: it opens one if it starts a statement.
    fn start_run_at_statement_start(&mut self) {
        let at_start = match self.out.last() {
            None => true,
            Some(prev) => {
                matches!(prev.kind, TokKind::Newline) || prev.is_punct(':') && self.stmt.header_open
            }
        };
        if at_start {
            self.stmt.run_start = Some(self.out.len());
        }
    }

    /// Mark the open run of statement strings, if any, as statements.
    #[inline(always)]
    fn mark_run(&mut self) {
        if let Some(start) = self.stmt.run_start.take() {
            self.mark_statements_from(start);
        }
    }

    #[cold]
    fn mark_statements_from(&mut self, start: usize) {
        for t in self.out.get_mut(start..).unwrap_or(&mut []) {
            if let TokKind::Str { statement, .. } = &mut t.kind {
                *statement = true;
            }
        }
    }

    /// Advance one byte, counting lines.
    fn bump(&mut self) {
        if self.peek(0) == b'\n' {
            self.line += 1;
        }
        self.pos += 1;
    }

    fn run(&mut self) {
        while self.pos < self.s.len() {
            if self.out.len() >= MAX_TOKENS {
                return;
            }
            let c = self.peek(0);
            match c {
                b'\n' => {
                    if self.lang == Lang::Python && self.depth == 0 {
                        let (o, l) = (self.pos, self.line);
                        if !matches!(
                            self.out.last().map(|t| &t.kind),
                            Some(TokKind::Newline) | None
                        ) {
                            self.push(TokKind::Newline, o, l);
                        }
                    }
                    self.bump();
                }
                b' ' | b'\t' | b'\r' | 0x0c => {
                    // a run at once: indentation is a large share of the bytes of code
                    self.pos += 1;
                    while matches!(self.s.get(self.pos), Some(b' ' | b'\t' | b'\r' | 0x0c)) {
                        self.pos += 1;
                    }
                }
                b'\\' if self.lang == Lang::Python && self.peek(1) == b'\n' => {
                    self.pos += 1;
                    self.bump();
                }
                b'\\' if self.lang == Lang::Python && self.peek(1) == b'\r' => {
                    self.pos += 2;
                }
                b'#' if self.lang == Lang::Python => self.skip_line(),
                b'/' if self.lang != Lang::Python && self.peek(1) == b'/' => self.skip_line(),
                b'/' if self.lang != Lang::Python && self.peek(1) == b'*' => self.skip_block(),
                b'/' if self.lang == Lang::Js && self.regex_allowed() => self.skip_regex(),
                b'"' | b'\'' => self.string(self.pos, c),
                b'`' if matches!(self.lang, Lang::Js | Lang::Go) => self.backtick(),
                b'0'..=b'9' => self.number(),
                _ if c == b'_' || c == b'$' || c.is_ascii_alphabetic() || c >= 0x80 => {
                    self.ident_or_prefixed_string()
                }
                _ => {
                    let (o, l) = (self.pos, self.line);
                    match c {
                        b'(' | b'[' | b'{' => self.depth += 1,
                        b')' | b']' | b'}' => self.depth = self.depth.saturating_sub(1),
                        _ => {}
                    }
                    self.push(TokKind::Punct(c as char), o, l);
                    self.pos += 1;
                }
            }
        }
    }

    fn skip_line(&mut self) {
        let rest = self.s.get(self.pos..).unwrap_or(&[]);
        self.pos += memchr::memchr(b'\n', rest).unwrap_or(rest.len());
    }

    fn skip_block(&mut self) {
        self.pos += 2;
        let mut nest = 1u32;
        while self.pos < self.s.len() {
            // only a `*` or a `/` can start `*/` or a nested `/*`: jump to the next one
            let rest = self.s.get(self.pos..).unwrap_or(&[]);
            let k = memchr::memchr2(b'*', b'/', rest).unwrap_or(rest.len());
            self.line += count_newlines(&rest[..k]);
            self.pos += k;
            if self.pos >= self.s.len() {
                return;
            }
            if self.peek(0) == b'*' && self.peek(1) == b'/' {
                self.pos += 2;
                nest -= 1;
                if nest == 0 || self.lang != Lang::Rust {
                    return;
                }
            } else if self.lang == Lang::Rust && self.peek(0) == b'/' && self.peek(1) == b'*' {
                self.pos += 2;
                nest += 1;
            } else {
                self.bump();
            }
        }
    }

    /// A `/` starts a regex literal when the previous token cannot end an expression.
    fn regex_allowed(&self) -> bool {
        match self.out.last().map(|t| &t.kind) {
            None => true,
            Some(TokKind::Punct(p)) => !matches!(p, ')' | ']' | '}'),
            Some(TokKind::Ident(w)) => {
                matches!(
                    *w,
                    "return" | "typeof" | "case" | "do" | "else" | "in" | "of" | "yield"
                )
            }
            _ => false,
        }
    }

    fn skip_regex(&mut self) {
        let start = self.pos;
        self.pos += 1;
        let mut in_class = false;
        while self.pos < self.s.len() {
            match self.peek(0) {
                b'\n' => {
                    // not a regex after all: treat the `/` as punctuation
                    self.pos = start + 1;
                    let l = self.line;
                    self.push(TokKind::Punct('/'), start, l);
                    return;
                }
                b'\\' => self.pos += 2,
                b'[' => {
                    in_class = true;
                    self.pos += 1
                }
                b']' => {
                    in_class = false;
                    self.pos += 1
                }
                b'/' if !in_class => {
                    self.pos += 1;
                    while self.peek(0).is_ascii_alphabetic() {
                        self.pos += 1;
                    }
                    return;
                }
                _ => self.pos += 1,
            }
        }
    }

    fn number(&mut self) {
        let (o, l) = (self.pos, self.line);
        while self.pos < self.s.len() {
            let c = self.peek(0);
            if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' {
                self.pos += 1;
            } else {
                break;
            }
        }
        let v = self.text.get(o..self.pos).unwrap_or("");
        self.push(TokKind::Number(v), o, l);
    }

    fn ident_or_prefixed_string(&mut self) {
        let (o, l) = (self.pos, self.line);
        let rest = self.s.get(self.pos..).unwrap_or(&[]);
        self.pos += rest
            .iter()
            .position(|&c| !IDENT_CONTINUE[c as usize])
            .unwrap_or(rest.len());
        // step back to a char boundary if a multi-byte char was cut (cannot happen with the
        // loop above, which only stops on ASCII, but keep slicing safe)
        let word = self.text.get(o..self.pos).unwrap_or("");
        let next = self.peek(0);
        let lang = self.lang;
        match lang {
            Lang::Python
                if (next == b'"' || next == b'\'')
                    && word.len() <= 3
                    && word
                        .chars()
                        .all(|c| matches!(c.to_ascii_lowercase(), 'r' | 'b' | 'f' | 'u')) =>
            {
                let lw = word.to_ascii_lowercase();
                self.py_string(o, l, lw.contains('r'), lw.contains('f'));
                return;
            }
            Lang::Rust
                if (word == "r" || word == "br")
                    && (next == b'"' || next == b'#')
                    && self.rust_raw(o, l) =>
            {
                return;
            }
            Lang::Rust if word == "b" && (next == b'"' || next == b'\'') => {
                self.string(o, next);
                return;
            }
            _ => {}
        }
        self.push(TokKind::Ident(word), o, l);
    }

    fn string(&mut self, start: usize, q: u8) {
        if self.lang == Lang::Python {
            let l = self.line;
            self.py_string(start, l, false, false);
            return;
        }
        let l = self.line;
        if q == b'\'' && self.lang == Lang::Rust {
            // char literal 'x' / '\n' or a lifetime 'a
            let is_char = self.peek(1) == b'\\' || (self.peek(1) != 0 && self.char_close());
            if !is_char {
                self.pos += 1;
                return;
            }
        }
        if self.lang == Lang::Jvm
            && self.peek(0) == b'"'
            && self.peek(1) == b'"'
            && self.peek(2) == b'"'
        {
            self.pos += 3;
            let v = self.until_triple(b'"', true);
            self.push(
                TokKind::Str {
                    value: v,
                    interpolated: false,
                    statement: false,
                },
                start,
                l,
            );
            return;
        }
        // the quote is under `pos` (for Rust `b"…"` the token starts at the `b`)
        self.pos += 1;
        let multiline = self.lang == Lang::Rust && q == b'"';
        let (v, ok) = self.until_quote(q, multiline, true);
        if ok {
            self.push(
                TokKind::Str {
                    value: v,
                    interpolated: false,
                    statement: false,
                },
                start,
                l,
            );
        }
    }

    /// Whether a Rust `'` at `pos` closes as a char literal (`'x'` with one UTF-8 char).
    fn char_close(&self) -> bool {
        let rest = self.text.get(self.pos + 1..).unwrap_or("");
        let mut it = rest.chars();
        matches!((it.next(), it.next()), (Some(_), Some('\'')))
    }

    /// Read up to the closing `q`; returns (value, terminated). Single-line strings end at a
    /// newline (unterminated: discarded), which bounds the damage of a misread quote. The value
    /// borrows from the text unless an escape had to be undone.
    fn until_quote(&mut self, q: u8, multiline: bool, escapes: bool) -> (Cow<'a, str>, bool) {
        let start = self.pos;
        // bytes of the value so far, once an escape made it differ from the text
        let mut owned: Option<Vec<u8>> = None;
        while self.pos < self.s.len() {
            // jump to the next byte that ends, escapes or breaks the string (no line passed)
            let rest = self.s.get(self.pos..).unwrap_or(&[]);
            let next = if escapes {
                memchr::memchr3(q, b'\\', b'\n', rest)
            } else {
                memchr::memchr2(q, b'\n', rest)
            };
            let Some(k) = next else {
                self.pos = self.s.len();
                break;
            };
            if let Some(v) = owned.as_mut() {
                v.extend_from_slice(&rest[..k]);
            }
            self.pos += k;
            let c = self.peek(0);
            if c == b'\\' && escapes {
                let v = owned.get_or_insert_with(|| self.s[start..self.pos].to_vec());
                let n = self.peek(1);
                match n {
                    b'\n' => {
                        self.pos += 1;
                        self.bump();
                        continue;
                    }
                    b'\\' | b'\'' | b'"' | b'`' | b'/' => v.push(n),
                    b'n' => v.push(b'\n'),
                    b't' => v.push(b'\t'),
                    _ => {
                        v.push(b'\\');
                        v.push(n);
                    }
                }
                self.pos += 2;
                continue;
            }
            if c == q {
                let value = match owned {
                    Some(v) => Cow::Owned(String::from_utf8_lossy(&v).into_owned()),
                    None => Cow::Borrowed(self.slice(start, self.pos)),
                };
                self.pos += 1;
                return (value, true);
            }
            if c == b'\n' && !multiline {
                return (Cow::Borrowed(""), false);
            }
            if let Some(v) = owned.as_mut() {
                v.push(c);
            }
            self.bump();
        }
        (Cow::Borrowed(""), false)
    }

    /// The text between two byte offsets (both at ASCII bytes, so on char boundaries).
    fn slice(&self, from: usize, to: usize) -> &'a str {
        self.text.get(from..to.min(self.s.len())).unwrap_or("")
    }

    /// Read up to the closing triple quote. Escapes are kept as written, so the value is the
    /// text itself.
    fn until_triple(&mut self, q: u8, escapes: bool) -> Cow<'a, str> {
        let start = self.pos;
        let s = self.s;
        loop {
            // jump to the next quote or backslash, counting the lines passed over
            let rest = s.get(self.pos..).unwrap_or(&[]);
            let Some(k) = memchr::memchr2(q, b'\\', rest) else {
                self.line += count_newlines(rest);
                self.pos = s.len();
                return Cow::Borrowed(self.slice(start, self.pos));
            };
            self.line += count_newlines(&rest[..k]);
            self.pos += k;
            if s[self.pos] == b'\\' {
                if escapes && self.pos + 1 < s.len() {
                    self.pos += 1;
                }
                // the escaped byte (or, without escapes, the backslash itself)
                self.bump();
                continue;
            }
            if self.peek(1) == q && self.peek(2) == q {
                let value = self.slice(start, self.pos);
                self.pos += 3;
                return Cow::Borrowed(value);
            }
            self.pos += 1;
        }
    }

    /// A Python string at the quote under `pos` (prefix already consumed).
    fn py_string(&mut self, start: usize, line: u32, raw: bool, fstr: bool) {
        let q = self.peek(0);
        let value = if self.peek(1) == q && self.peek(2) == q {
            self.pos += 3;
            self.until_triple(q, !raw)
        } else {
            self.pos += 1;
            let (v, ok) = self.until_quote(q, false, !raw);
            if !ok {
                return;
            }
            v
        };
        let interpolated = fstr && value.contains('{');
        self.push(
            TokKind::Str {
                value,
                interpolated,
                statement: false,
            },
            start,
            line,
        );
    }

    /// Rust raw string `r#"…"#`; false when this is not one (then it is an identifier).
    fn rust_raw(&mut self, start: usize, line: u32) -> bool {
        let mut hashes = 0;
        while self.peek(hashes) == b'#' {
            hashes += 1;
        }
        if self.peek(hashes) != b'"' {
            return false;
        }
        self.pos += hashes + 1;
        let body_start = self.pos;
        while self.pos < self.s.len() {
            if self.peek(0) == b'"' && (0..hashes).all(|i| self.peek(1 + i) == b'#') {
                let v = self
                    .text
                    .get(body_start..self.pos)
                    .unwrap_or("")
                    .to_string();
                self.pos += 1 + hashes;
                self.push(
                    TokKind::Str {
                        value: Cow::Owned(v),
                        interpolated: false,
                        statement: false,
                    },
                    start,
                    line,
                );
                return true;
            }
            self.bump();
        }
        true
    }

    /// JS template literal or Go raw string.
    fn backtick(&mut self) {
        let (o, l) = (self.pos, self.line);
        self.pos += 1;
        let mut v: Vec<u8> = Vec::new();
        let mut interpolated = false;
        let js = self.lang == Lang::Js;
        while self.pos < self.s.len() {
            let c = self.peek(0);
            if js && c == b'\\' {
                v.push(self.peek(1));
                self.pos += 2;
                continue;
            }
            if js && c == b'$' && self.peek(1) == b'{' {
                interpolated = true;
                // skip the expression, balancing braces
                self.pos += 2;
                let mut d = 1u32;
                while self.pos < self.s.len() && d > 0 {
                    match self.peek(0) {
                        b'{' => d += 1,
                        b'}' => d -= 1,
                        _ => {}
                    }
                    self.bump();
                }
                continue;
            }
            if c == b'`' {
                self.pos += 1;
                break;
            }
            v.push(c);
            self.bump();
        }
        self.push(
            TokKind::Str {
                value: Cow::Owned(String::from_utf8_lossy(&v).into_owned()),
                interpolated,
                statement: false,
            },
            o,
            l,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The marking as a second pass over the finished tokens, as first written: what the
    /// marking during tokenizing must agree with.
    ///
    /// Mark Python strings that form a whole statement (docstrings, bare text blocks): the token
    /// before is a logical-line start and the one after ends the line. Implicitly concatenated
    /// strings (`"a" "b"` on one statement) are marked together.
    fn mark_statement_strings(toks: &mut [Token]) {
        // whether a `:` at index `i - 1` ends a `def`/`class` header on one line, kept up to date
        // over toks[..i - 1] as `i` advances: a backward scan from every `:` was quadratic in a
        // long dict literal (no logical-line end inside brackets)
        let mut header = BlockHeader::default();
        let mut i = 0;
        while i < toks.len() {
            if i >= 2 {
                header.advance(toks, i - 2);
            }
            let at_start = i == 0
                || matches!(toks[i - 1].kind, TokKind::Newline)
                || toks[i - 1].is_punct(':') && header.open;
            if at_start && matches!(toks[i].kind, TokKind::Str { .. }) {
                let mut j = i;
                while j < toks.len() && matches!(toks[j].kind, TokKind::Str { .. }) {
                    j += 1;
                }
                if j == toks.len() || matches!(toks[j].kind, TokKind::Newline) {
                    for t in &mut toks[i..j] {
                        if let TokKind::Str { statement, .. } = &mut t.kind {
                            *statement = true;
                        }
                    }
                }
                i = j;
                continue;
            }
            i += 1;
        }
    }

    /// `def f(): "doc"` on one line: whether the last logical-line end or `def`/`class` among the
    /// tokens folded so far is a `def`/`class` that starts its line (then a `:` right after those
    /// tokens ends a compound-statement header).
    #[derive(Default)]
    struct BlockHeader {
        /// Tokens folded so far: toks[..folded].
        folded: usize,
        open: bool,
    }

    impl BlockHeader {
        /// Fold in every token up to and including `last`.
        fn advance(&mut self, toks: &[Token], last: usize) {
            while self.folded <= last {
                let k = self.folded;
                match &toks[k].kind {
                    TokKind::Newline => self.open = false,
                    TokKind::Ident(w) if matches!(*w, "def" | "class") => {
                        self.open = k == 0 || matches!(toks[k - 1].kind, TokKind::Newline)
                    }
                    _ => {}
                }
                self.folded += 1;
            }
        }
    }

    fn statement_flags(toks: &[Token]) -> Vec<bool> {
        toks.iter()
            .map(|t| {
                matches!(
                    t.kind,
                    TokKind::Str {
                        statement: true,
                        ..
                    }
                )
            })
            .collect()
    }

    fn agrees_with_second_pass(text: &str) -> Result<(), TestCaseError> {
        let toks = tokenize(text, Lang::Python);
        let mut reference = toks.clone();
        for t in &mut reference {
            if let TokKind::Str { statement, .. } = &mut t.kind {
                *statement = false;
            }
        }
        mark_statement_strings(&mut reference);
        prop_assert_eq!(
            statement_flags(&toks),
            statement_flags(&reference),
            "{:?}",
            text
        );
        Ok(())
    }

    #[test]
    fn statement_strings_agree_with_the_second_pass() {
        for text in [
            "\"doc\"\n",
            "'''a''' 'b'\nx = 'c'\n",
            "def f(): \"doc\"\nclass C: 'd' 'e'\n",
            "x = {'a': 'b'}\nif y: 'no'\n",
            "def f(a: 'T'): 'doc'\n",
            "'a'.join(x)\n'tail'",
            "def f():\n    '''doc'''\n    return 'v'\n",
        ] {
            agrees_with_second_pass(text).unwrap();
        }
    }

    proptest! {
        #[test]
        fn statement_strings_agree_on_any_token_soup(parts in proptest::collection::vec(
            proptest::sample::select(vec!["'s'", "\"\"\"t\"\"\"", "\n", "def", "class", "f", ":", "(", ")", "=", " ", "#c\n", "\\\n"]), 0..40)) {
            agrees_with_second_pass(&parts.concat())?;
        }
    }

    #[test]
    fn a_recycled_token_vector_serves_the_next_file_and_a_huge_one_is_let_go() {
        let first = "model = load('a/b')\n".repeat(500);
        let toks = tokenize(&first, Lang::Python);
        let (at, capacity) = (toks.as_ptr() as usize, toks.capacity());
        recycle(toks);
        let second = String::from("import torch\nx = f\"{y}\" + 'z'\n");
        let reused = tokenize(&second, Lang::Python);
        assert_eq!(reused.as_ptr() as usize, at, "the allocation is reused");
        assert!(reused.capacity() >= capacity);
        // the same tokens as from a fresh vector (nothing is recycled in between)
        assert_eq!(reused, tokenize(&second, Lang::Python));
        recycle(reused);
        // a vector over the bound is dropped, not kept
        let huge = "a ".repeat(SPARE_BYTES / std::mem::size_of::<Token>() + 10);
        let toks = tokenize(&huge, Lang::Python);
        assert!(toks.capacity() * std::mem::size_of::<Token>() > SPARE_BYTES);
        recycle(toks);
        assert!(SPARE.with(Cell::take).capacity() * std::mem::size_of::<Token>() <= SPARE_BYTES);
    }

    /// The definition [`BlockHeader`] keeps incrementally: scan back from the `:`.
    fn ends_block_header(toks: &[Token], colon: usize) -> bool {
        let mut k = colon;
        while k > 0 {
            k -= 1;
            match &toks[k].kind {
                TokKind::Newline => return false,
                TokKind::Ident(w) if matches!(*w, "def" | "class") => {
                    return k == 0 || matches!(toks[k - 1].kind, TokKind::Newline)
                }
                _ => {}
            }
        }
        false
    }

    #[test]
    fn block_headers_follow_the_backward_definition() {
        let text = "def f(): \"doc\"\nclass C: 'x' 'y'\nd = {\"a\": \"b\",\n  \"c\": f(x=lambda: \"s\")}\n\
                    x: str = \"t\"\nif a: \"u\"\nasync def g(a: int = 1): 'v'\n  def h(): \"w\"\n\
                    y = [def_, class_]; z = {1: 2}\ndef k(): pass\n\"e\"\n";
        let toks = tokenize(text, Lang::Python);
        let mut header = BlockHeader::default();
        for i in 2..toks.len() {
            header.advance(&toks, i - 2);
            assert_eq!(header.open, ends_block_header(&toks, i - 1), "token {i}");
        }
        let docs: Vec<&str> = toks
            .iter()
            .filter_map(|t| match &t.kind {
                TokKind::Str {
                    value,
                    statement: true,
                    ..
                } => Some(value.as_ref()),
                _ => None,
            })
            .collect();
        assert_eq!(docs, ["doc", "x", "y", "w", "e"]);
    }

    fn strs(text: &str, lang: Lang) -> Vec<String> {
        tokenize(text, lang)
            .iter()
            .filter_map(|t| match &t.kind {
                TokKind::Str {
                    value,
                    statement: false,
                    interpolated: false,
                } => Some(value.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn python_strings_comments_and_docstrings() {
        let src = "\"\"\"Module doc gpt-4o\"\"\"\nx = 'a' # 'not-this'\ndef f():\n    '''doc'''\n    return r\"\\d\" + b'z' + f\"{x}\" + f\"plain\"\ny = (\n  \"multi\"\n)\n\"bare\"\n";
        assert_eq!(
            strs(src, Lang::Python),
            vec!["a", "\\d", "z", "plain", "multi"]
        );
        let toks = tokenize("a = \"x\\\"y\"", Lang::Python);
        assert_eq!(toks[2].str_lit(), Some("x\"y"));
        assert_eq!(toks[2].line, 1);
    }

    #[test]
    fn python_unterminated_is_dropped_and_lines_count() {
        let toks = tokenize("a = 'oops\nb = \"ok\"\n\"\"\"never closed", Lang::Python);
        let s: Vec<_> = toks
            .iter()
            .filter_map(|t| t.str_lit().map(|v| (v, t.line)))
            .collect();
        assert_eq!(s[0], ("ok", 2));
    }

    #[test]
    fn js_templates_regex_and_comments() {
        let src = "// 'c'\nconst a = `t`; const b = `x${y}z`; /* \"no\" */ const r = /'[\"]/g; const c = \"d\";";
        assert_eq!(strs(src, Lang::Js), vec!["t", "d"]);
        // division is not a regex
        assert_eq!(strs("x = a / b; y = 'q' / 2", Lang::Js), vec!["q"]);
    }

    #[test]
    fn go_rust_jvm_shapes() {
        assert_eq!(
            strs("s := `raw \"x\"` // \"c\"\nt := \"u\"", Lang::Go),
            vec!["raw \"x\"", "u"]
        );
        assert_eq!(
            strs("fn f<'a>(x: &'a str) { let c = 'q'; let s = r#\"a\"b\"#; /* /* \"n\" */ */ \"k\" }", Lang::Rust),
            vec!["q", "a\"b", "k"]
        );
        assert_eq!(
            strs(
                "String s = \"\"\"\n  block\n  \"\"\"; // \"x\"\nchar c = 'y';",
                Lang::Jvm
            ),
            vec!["\n  block\n  ", "y"]
        );
    }

    /// The lexer jumps over runs of spaces, comment bodies and string bodies: lines and values
    /// must come out as when it stepped byte by byte.
    #[test]
    fn jumps_keep_lines_and_values() {
        let rust = "/* a * b / c\n * d\n /* nested\n */ still\n */ x\n\t\x0c  é_ident \"one\\\n two\\\"q\" y\n";
        let toks = tokenize(rust, Lang::Rust);
        let got: Vec<_> = toks
            .iter()
            .map(|t| match &t.kind {
                TokKind::Ident(w) => (w.to_string(), t.line, t.offset),
                TokKind::Str { value, .. } => (format!("{value:?}"), t.line, t.offset),
                k => (format!("{k:?}"), t.line, t.offset),
            })
            .collect();
        let at = |s: &str| rust.find(s).unwrap();
        assert_eq!(
            got,
            vec![
                ("x".to_string(), 5, at("x\n")),
                ("é_ident".to_string(), 6, at("é_ident")),
                ("\"one two\\\"q\"".to_string(), 6, at("\"one")),
                ("y".to_string(), 7, at("y\n")),
            ]
        );
        // a Python string continued with `\` + newline, then an unterminated one
        let py = "a = 'x\\\ny'   \nb = \"open\nc = 1";
        let lines: Vec<_> = tokenize(py, Lang::Python)
            .iter()
            .filter_map(|t| t.ident().map(|w| (w.to_string(), t.line)))
            .collect();
        assert_eq!(
            lines,
            vec![("a".into(), 1), ("b".into(), 3), ("c".into(), 4)]
        );
    }

    #[test]
    fn garbage_does_not_panic() {
        for lang in [Lang::Python, Lang::Js, Lang::Go, Lang::Rust, Lang::Jvm] {
            for s in [
                "\"",
                "'",
                "`",
                "r#",
                "/*",
                "\\",
                "r#\"",
                "'\\",
                "\u{e9}'\u{e9}",
                "\"\"\"",
            ] {
                let _ = tokenize(s, lang);
            }
        }
    }
}
