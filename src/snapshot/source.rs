//! The snapshot's side of reading files: the plan's digest covers every file by name,
//! length and bytes, and line breaks are counted as the CSV reader counts them. Opening
//! and reading are [`crate::files`]'.

pub use crate::files::{changed, open, read, strip_bom, Input, MAX_FILE_BYTES};
use sha2::{Digest, Sha256};

/// Starts a file in the snapshot digest: its name and length come before its bytes.
pub fn digest_header(digest: &mut Sha256, name: &str, len: u64) {
    digest.update(name.as_bytes());
    digest.update([0]);
    digest.update(len.to_le_bytes());
}

/// A whole file in the snapshot digest.
pub fn digest_file(digest: &mut Sha256, name: &str, bytes: &[u8]) {
    digest_header(digest, name, bytes.len() as u64);
    digest.update(bytes);
}

/// How many line breaks `bytes` holds: LF, CRLF and a lone CR each count once.
pub fn line_breaks(bytes: &[u8]) -> u64 {
    super::csv::split::line_breaks(bytes)
}
