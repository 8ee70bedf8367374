#![no_main]
//! ONNX: the protobuf wire reader over ModelProto/GraphProto.

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::run("onnx-model", "model.onnx", data);
});
