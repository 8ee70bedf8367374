//! Model licence ids (Hugging Face card ids, GGUF `general.license`) → SPDX where one maps,
//! and the licence risks they carry.

use crate::bom::Risk;
use crate::risk::risk;

/// The SPDX id for a licence as written on a card, or the name as written.
pub fn to_spdx(id: &str) -> String {
    let l = id.trim().to_ascii_lowercase();
    let spdx = match l.as_str() {
        "apache-2.0" | "apache 2.0" | "apache2" => "Apache-2.0",
        "mit" => "MIT",
        "bsd-2-clause" => "BSD-2-Clause",
        "bsd-3-clause" => "BSD-3-Clause",
        "bsd" => "BSD-3-Clause",
        "cc0-1.0" => "CC0-1.0",
        "cc-by-2.0" => "CC-BY-2.0",
        "cc-by-3.0" => "CC-BY-3.0",
        "cc-by-4.0" => "CC-BY-4.0",
        "cc-by-sa-3.0" => "CC-BY-SA-3.0",
        "cc-by-sa-4.0" => "CC-BY-SA-4.0",
        "cc-by-nc-2.0" => "CC-BY-NC-2.0",
        "cc-by-nc-3.0" => "CC-BY-NC-3.0",
        "cc-by-nc-4.0" => "CC-BY-NC-4.0",
        "cc-by-nc-sa-2.0" => "CC-BY-NC-SA-2.0",
        "cc-by-nc-sa-3.0" => "CC-BY-NC-SA-3.0",
        "cc-by-nc-sa-4.0" => "CC-BY-NC-SA-4.0",
        "cc-by-nc-nd-3.0" => "CC-BY-NC-ND-3.0",
        "cc-by-nc-nd-4.0" => "CC-BY-NC-ND-4.0",
        "cc-by-nd-4.0" => "CC-BY-ND-4.0",
        "gpl-2.0" => "GPL-2.0-only",
        "gpl-3.0" => "GPL-3.0-only",
        "lgpl-2.1" => "LGPL-2.1-only",
        "lgpl-3.0" => "LGPL-3.0-only",
        "agpl-3.0" => "AGPL-3.0-only",
        "mpl-2.0" => "MPL-2.0",
        "unlicense" => "Unlicense",
        "wtfpl" => "WTFPL",
        "odc-by" => "ODC-By-1.0",
        "odbl" => "ODbL-1.0",
        "openrail"
        | "openrail++"
        | "bigscience-openrail-m"
        | "creativeml-openrail-m"
        | "bigscience-bloom-rail-1.0"
        | "bigcode-openrail-m" => return id.trim().to_string(),
        _ => return id.trim().to_string(),
    };
    spdx.to_string()
}

/// The licence risk a model licence carries, if any.
pub fn license_risk(license: &str, component: Option<String>, path: &str) -> Option<Risk> {
    let l = license.to_ascii_lowercase();
    let noncommercial = l.contains("-nc")
        || l.contains("noncommercial")
        || l.contains("non-commercial")
        || l.contains("research")
        || l == "cc-by-nc";
    if noncommercial {
        return Some(risk(
            "AIBOM-LICENSE-NONCOMMERCIAL",
            component,
            format!("model licence {license} does not allow commercial use"),
            path,
            None,
        ));
    }
    let restrictive = [
        "llama", "gemma", "openrail", "rail-", "deepseek", "qwen", "falcon", "tongyi", "other",
    ]
    .iter()
    .any(|k| l.contains(k));
    if restrictive {
        return Some(risk(
            "AIBOM-LICENSE-RESTRICTIVE",
            component,
            format!("model licence {license} carries use restrictions; review its terms"),
            path,
            None,
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_and_risks() {
        assert_eq!(to_spdx("apache-2.0"), "Apache-2.0");
        assert_eq!(to_spdx("llama3.1"), "llama3.1");
        assert!(license_risk("Apache-2.0", None, "p").is_none());
        assert_eq!(
            license_risk("cc-by-nc-4.0", None, "p").unwrap().rule,
            "AIBOM-LICENSE-NONCOMMERCIAL"
        );
        assert_eq!(
            license_risk("llama2", None, "p").unwrap().rule,
            "AIBOM-LICENSE-RESTRICTIVE"
        );
        assert_eq!(
            license_risk("creativeml-openrail-m", None, "p")
                .unwrap()
                .rule,
            "AIBOM-LICENSE-RESTRICTIVE"
        );
    }
}
