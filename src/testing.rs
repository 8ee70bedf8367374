//! Helpers shared by the unit tests.

/// xorshift64 (13, 7, 17): random inputs that are the same on every run and platform.
pub fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}
