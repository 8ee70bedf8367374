//! The native `aibom/v1` JSON: the contract `diff`, `check` and `merge` read back.

use crate::bom::Bom;

/// Pretty-printed JSON with a trailing newline. Field order is the struct order; maps are
/// BTreeMaps, so the output is deterministic.
pub fn render(bom: &Bom) -> Vec<u8> {
    // Serializing our own plain data types cannot fail (no non-string map keys, no I/O).
    let mut out = serde_json::to_vec_pretty(bom).unwrap_or_default();
    out.push(b'\n');
    out
}

/// [`render`] streamed into a writer.
pub fn render_to<W: std::io::Write>(bom: &Bom, w: &mut W) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, bom).map_err(std::io::Error::other)?;
    w.write_all(b"\n")
}

/// Parse an aibom/v1 document.
pub fn parse(bytes: &[u8]) -> Result<Bom, String> {
    let bom: Bom =
        serde_json::from_slice(bytes).map_err(|e| format!("not an aibom/v1 document: {e}"))?;
    if bom.schema != crate::bom::SCHEMA_ID {
        return Err(format!(
            "unsupported schema {:?} (expected {})",
            bom.schema,
            crate::bom::SCHEMA_ID
        ));
    }
    Ok(bom)
}
