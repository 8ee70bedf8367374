#![no_main]
//! NumPy .npy: magic, header length, dict header, object-array pickle.

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::run("numpy-array", "arr.npy", data);
});
