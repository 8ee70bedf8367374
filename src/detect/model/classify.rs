//! Content recognition: which model format the first bytes of a file are, decided strictly
//! (a random text or binary file must not be claimed).
//!
//! What it detects: safetensors (header length + `{"`), GGUF (`GGUF` + version 1..3), the
//! pre-GGUF GGML family, zip (`PK\3\4`, the container of torch/npz/keras), pickle protocol
//! 2..5 (`\x80\x02`..`\x80\x05` then a real opcode), legacy torch (its magic-number pickle),
//! NumPy (`\x93NUMPY`), HDF5 (signature at 0/512/1024/2048), TFLite (`TFL3` at 4), ONNX and
//! Core ML (protobuf shapes), llamafile (`MZqFpD='`) and Git LFS pointers.
//!
//! Not handled: protocol 0/1 pickles have no magic and are only read when the extension says
//! pickle; 7z and tar wrappers are not opened.

/// A recognised content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    Safetensors,
    Gguf,
    Ggml,
    Zip,
    Pickle,
    PytorchLegacy,
    Npy,
    Hdf5,
    Tflite,
    Onnx,
    CoreMl,
    Llamafile,
    LfsPointer,
}

impl Content {
    /// How a mismatch message names it.
    pub fn describe(&self) -> &'static str {
        match self {
            Content::Safetensors => "safetensors",
            Content::Gguf => "GGUF",
            Content::Ggml => "GGML (pre-GGUF llama.cpp)",
            Content::Zip => "a zip archive",
            Content::Pickle => "a Python pickle",
            Content::PytorchLegacy => "a legacy PyTorch pickle",
            Content::Npy => "a NumPy array",
            Content::Hdf5 => "HDF5",
            Content::Tflite => "TFLite",
            Content::Onnx => "ONNX",
            Content::CoreMl => "Core ML",
            Content::Llamafile => "a llamafile executable",
            Content::LfsPointer => "a Git LFS pointer",
        }
    }
}

pub const LFS_PREFIX: &[u8] = b"version https://git-lfs.github.com/spec/v1";
const LEGACY_TORCH: &[u8] = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19";
const HDF5_SIG: &[u8] = b"\x89HDF\r\n\x1a\n";

/// Classify the head of a file (up to the sniff window).
pub fn classify(head: &[u8]) -> Option<Content> {
    if head.starts_with(LFS_PREFIX) {
        return Some(Content::LfsPointer);
    }
    if head.starts_with(b"GGUF") {
        let v = head.get(4..8).map(le_u32)?;
        let swapped = v.swap_bytes();
        if (1..=3).contains(&v) || (1..=3).contains(&swapped) {
            return Some(Content::Gguf);
        }
        return None;
    }
    if head.starts_with(b"MZqFpD='") || head.starts_with(b"MZqFpD=\"") {
        return Some(Content::Llamafile);
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Some(Content::Zip);
    }
    if head.starts_with(b"\x93NUMPY") {
        return Some(Content::Npy);
    }
    if [0usize, 512, 1024, 2048]
        .iter()
        .any(|&o| head.get(o..o + 8) == Some(HDF5_SIG))
    {
        return Some(Content::Hdf5);
    }
    if head.get(4..8) == Some(b"TFL3") {
        return Some(Content::Tflite);
    }
    if head.starts_with(LEGACY_TORCH) {
        return Some(Content::PytorchLegacy);
    }
    if is_pickle_head(head) {
        return Some(Content::Pickle);
    }
    if is_ggml(head) {
        return Some(Content::Ggml);
    }
    if is_safetensors_head(head) {
        return Some(Content::Safetensors);
    }
    protobuf_shape(head)
}

fn le_u32(b: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    for (d, s) in a.iter_mut().zip(b) {
        *d = *s;
    }
    u32::from_le_bytes(a)
}

fn is_ggml(head: &[u8]) -> bool {
    matches!(
        head.get(0..4),
        Some(b"lmgg") | Some(b"fmgg") | Some(b"tjgg")
    )
}

/// `\x80` + protocol 2..5, followed by an opcode a real pickler writes next.
pub fn is_pickle_head(head: &[u8]) -> bool {
    match head {
        [0x80, p @ 2..=5, next, ..] => {
            let ok_next: &[u8] = if *p >= 4 {
                // FRAME, or the first value opcodes
                b"\x95}]()cq\x8c\x8a\x93N\x88\x89KJMX\x94"
            } else {
                b"}]()cq\x8aNKJMXUT\x88\x89\x85\x86\x87"
            };
            ok_next.contains(next)
        }
        _ => false,
    }
}

/// u64 LE header length, `{` at 8, and the header's first key begins.
pub fn is_safetensors_head(head: &[u8]) -> bool {
    let Some(len_bytes) = head.get(0..8) else {
        return false;
    };
    let mut a = [0u8; 8];
    a.copy_from_slice(len_bytes);
    let n = u64::from_le_bytes(a);
    if !(2..=100_000_000).contains(&n) || head.get(8) != Some(&b'{') {
        return false;
    }
    let rest = &head[9..head.len().min(9 + n as usize)];
    let first = rest.iter().find(|b| !b.is_ascii_whitespace());
    matches!(first, Some(b'"') | Some(b'}'))
}

/// ONNX and Core ML are bare protobufs: field 1 varint first, then a few fields that parse
/// cleanly. Field numbers decide: ONNX has a graph (7) or opsets (8); Core ML model types
/// sit at 200 and above.
fn protobuf_shape(head: &[u8]) -> Option<Content> {
    if head.first() != Some(&0x08) {
        return None;
    }
    let mut pos = 0usize;
    let mut fields = 0;
    let (mut onnx, mut coreml) = (false, false);
    while pos < head.len() && fields < 32 {
        let (tag, n) = varint(head.get(pos..)?)?;
        pos += n;
        let field = tag >> 3;
        let wire = tag & 7;
        if field == 0 {
            return None;
        }
        if fields == 0 && (field != 1 || wire != 0) {
            return None;
        }
        match wire {
            0 => {
                let (v, n) = varint(head.get(pos..)?)?;
                if fields == 0 && !(1..=20).contains(&v) {
                    return None;
                }
                pos += n;
            }
            1 => pos += 8,
            5 => pos += 4,
            2 => {
                let (len, n) = varint(head.get(pos..)?)?;
                pos = pos
                    .checked_add(n)?
                    .checked_add(usize::try_from(len).ok()?)?;
            }
            _ => return None,
        }
        match field {
            7 | 8 | 14 | 20 | 25 => onnx = true,
            200..=3000 => coreml = true,
            1..=6 | 10 | 26 => {}
            _ => return None,
        }
        fields += 1;
    }
    match (onnx, coreml) {
        (true, false) => Some(Content::Onnx),
        (false, true) => Some(Content::CoreMl),
        _ => None,
    }
}

fn varint(b: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, byte) in b.iter().enumerate().take(10) {
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

/// True when the bytes look like text (for mismatch messages only).
pub fn is_mostly_text(head: &[u8]) -> bool {
    !head.is_empty() && std::str::from_utf8(head).is_ok() && !head.contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magics() {
        assert_eq!(classify(b"GGUF\x03\0\0\0rest"), Some(Content::Gguf));
        assert_eq!(classify(b"GGUF\x09\0\0\0rest"), None);
        assert_eq!(classify(b"PK\x03\x04...."), Some(Content::Zip));
        assert_eq!(classify(b"\x80\x02}q\0."), Some(Content::Pickle));
        assert_eq!(classify(b"\x80\x04\x95\x10\0\0\0"), Some(Content::Pickle));
        assert_eq!(classify(b"\x80\x02garbage"), None);
        assert_eq!(classify(b"\x93NUMPY\x01\x00"), Some(Content::Npy));
        assert_eq!(classify(b"\x89HDF\r\n\x1a\n\0"), Some(Content::Hdf5));
        assert_eq!(classify(b"\x1c\0\0\0TFL3"), Some(Content::Tflite));
        let mut st = 14u64.to_le_bytes().to_vec();
        st.extend_from_slice(b"{\"a\":{}}      ");
        assert_eq!(classify(&st), Some(Content::Safetensors));
        assert_eq!(
            classify(b"version https://git-lfs.github.com/spec/v1\noid"),
            Some(Content::LfsPointer)
        );
    }

    #[test]
    fn text_and_noise_are_not_claimed() {
        assert_eq!(classify(b"hello world, this is text\n"), None);
        assert_eq!(classify(b"{\"json\": true}"), None);
        assert_eq!(classify(b""), None);
        assert_eq!(classify(&[0xffu8; 64]), None);
        // a length of 2^60 is not a safetensors header
        let mut st = (1u64 << 60).to_le_bytes().to_vec();
        st.extend_from_slice(b"{\"a\"");
        assert_eq!(classify(&st), None);
    }

    #[test]
    fn protobufs() {
        // ir_version 8, producer_name "x", opset {version 17}
        let onnx = b"\x08\x08\x12\x01x\x42\x02\x10\x11";
        assert_eq!(classify(onnx), Some(Content::Onnx));
        // specificationVersion 4, description {}, neuralNetwork (500) {}
        let coreml = b"\x08\x04\x12\x00\xa2\x1f\x00";
        assert_eq!(classify(coreml), Some(Content::CoreMl));
        assert_eq!(classify(b"\x08\x08\xff\xff"), None);
    }
}
