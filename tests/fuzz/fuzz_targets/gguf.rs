#![no_main]
//! GGUF v1-v3 header: metadata key/value pairs, arrays, tensor infos.

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::run("gguf-header", "model.gguf", data);
});
