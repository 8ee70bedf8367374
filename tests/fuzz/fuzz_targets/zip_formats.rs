#![no_main]
//! Zip-based formats: PyTorch zip checkpoints, NumPy .npz and Keras v3 archives share the
//! zip reader; the first byte picks which detector reads the rest.

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    match pick % 3 {
        0 => common::run("pytorch-checkpoint", "model.pt", rest),
        1 => common::run("numpy-array", "arrays.npz", rest),
        _ => common::run("keras-archive", "model.keras", rest),
    }
});
