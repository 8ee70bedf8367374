#![no_main]
//! The source tokenizer, for every language family; the first byte picks the language.

use aibom::detect::source::lex::{tokenize, Lang};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let lang = match pick % 5 {
        0 => Lang::Python,
        1 => Lang::Js,
        2 => Lang::Go,
        3 => Lang::Rust,
        _ => Lang::Jvm,
    };
    let _ = tokenize(text, lang);
});
