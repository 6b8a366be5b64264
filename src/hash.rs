//! SHA-256 digests as lowercase hex, for the plan's `policy.sha256` and `snapshot.sha256`.

use std::fmt::Write;

/// The SHA-256 of some bytes, as lowercase hex.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of digest bytes.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}
