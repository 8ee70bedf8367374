#![no_main]
//! safetensors: 8-byte length, JSON header, tensor table.

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::run("safetensors-header", "model.safetensors", data);
});
