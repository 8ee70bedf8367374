#![no_main]
//! Jupyter notebooks: JSON cells, then the Python code reader per cell.

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::run("python-code", "notebook.ipynb", data);
});
