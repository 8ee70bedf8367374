//! Streamed sha256 of model files: a fixed 1 MiB buffer, so memory does not grow with the
//! file (a 100 GB checkpoint is hashed in the same footprint as a 1 KB one).

use super::super::FileInput;
use sha2::{Digest, Sha256};
use std::io::Read;

const BUF: usize = 1024 * 1024;

/// Lowercase hex sha256 of the input's bytes.
pub fn sha256_input(input: &FileInput) -> Result<String, String> {
    if let Some(b) = input.cached_bytes() {
        return Ok(hex(&Sha256::digest(b)));
    }
    let f = input.open().map_err(|e| e.to_string())?;
    sha256_reader(f)
}

/// Lowercase hex sha256 of everything `r` yields.
pub fn sha256_reader(mut r: impl Read) -> Result<String, String> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; BUF];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.to_string()),
        };
        h.update(buf.get(..n).unwrap_or(&[]));
    }
    Ok(hex(&h.finalize()))
}

/// Lowercase hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digest() {
        assert_eq!(
            sha256_reader(&b"abc"[..]).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let input = FileInput::from_bytes("x.bin", b"abc".to_vec());
        assert_eq!(
            sha256_input(&input).unwrap(),
            sha256_reader(&b"abc"[..]).unwrap()
        );
    }
}
