//! Shared driver: hand the input to one detector, picked by id, through the public API.

use aibom::catalog::Catalog;
use aibom::detect::{registry, Context, FileInput};
use std::sync::OnceLock;

fn context() -> &'static Context {
    static CTX: OnceLock<Context> = OnceLock::new();
    CTX.get_or_init(|| Context {
        catalog: Catalog::builtin(),
        // Hashing is streaming sha256 over the bytes: exercised, and cheap next to parsing.
        hash: true,
        ..Default::default()
    })
}

/// Runs detector `id` on `bytes` as if they were the file `name`. The detector is called
/// whatever its claim or sniff says, so the parser sees every input, not only plausible ones.
pub fn run(id: &str, name: &str, bytes: &[u8]) {
    let Some(detector) = registry().iter().find(|d| d.id == id) else {
        panic!("no detector with id {id}");
    };
    let input = FileInput::from_bytes(name, bytes.to_vec());
    let _ = (detector.detect)(&input, context());
}
