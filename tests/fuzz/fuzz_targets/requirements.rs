#![no_main]
//! pip requirements: continuations, options, PEP 508 specifiers, URLs, hashes.

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::run("python-requirements", "requirements.txt", data);
});
