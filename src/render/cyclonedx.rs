//! CycloneDX JSON (ML-BOM). Placeholder until the full renderer lands.

use super::SpecVersion;
use crate::bom::Bom;

pub fn render(bom: &Bom, spec: SpecVersion) -> Vec<u8> {
    let doc = serde_json::json!({
        "bomFormat": "CycloneDX",
        "specVersion": spec.as_str(),
        "version": 1,
        "components": bom.components.iter().map(|c| serde_json::json!({"type": "library", "name": c.name, "bom-ref": c.id})).collect::<Vec<_>>(),
    });
    let mut out = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    out.push(b'\n');
    out
}
