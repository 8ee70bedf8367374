#![no_main]
//! pnpm-lock.yaml 5.x/6.x/9.x.

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::run("pnpm-lock", "pnpm-lock.yaml", data);
});
