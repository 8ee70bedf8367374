#![no_main]
//! The JSONC cleaner (comments and trailing commas out) used for MCP and editor configs.
//! Besides not panicking, it promises the same length and line structure as its input, which
//! evidence line numbers rely on; that is checked too.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let json = aibom::detect::config::jsonc::to_json(text);
        assert_eq!(json.len(), text.len(), "length changed");
        assert_eq!(
            json.bytes().filter(|&b| b == b'\n').count(),
            text.bytes().filter(|&b| b == b'\n').count(),
            "line structure changed"
        );
        let _ = serde_json::from_str::<serde_json::Value>(&json);
    }
});
