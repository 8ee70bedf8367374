#![no_main]
//! The lock-file TOML reader against the general TOML parser: a file it accepts must be valid
//! TOML that the general parser reads as the same tree (values, and the line of every
//! entry). Then the uv.lock, poetry.lock and Cargo.lock detectors on the same bytes.

mod common;

use aibom::detect::python::toml_lock;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = toml_lock::agrees_with_general(text) {
            panic!("the lock reader and the general parser disagree: {e}");
        }
    }
    common::run("python-uv-lock", "uv.lock", data);
    common::run("python-poetry-lock", "poetry.lock", data);
    common::run("cargo-lock", "Cargo.lock", data);
});
