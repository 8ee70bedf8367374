#![no_main]
//! Pickle: the opcode walker (protocols 0-5, memo, stack).

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::run("pickle-model", "model.pkl", data);
});
