#![no_main]
//! yarn.lock: classic v1 and Berry.

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::run("yarn-lock", "yarn.lock", data);
});
