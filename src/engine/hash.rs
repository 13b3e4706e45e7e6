//! Hashing and checksums (a leaf: it uses no other engine module): the fast hash map of term tables, the
//! content hash telling whether a source changed, and the checksums of a snapshot's sections.

use std::collections::HashMap;
use std::io::{self, Read};
use std::ops::Range;

use foldhash::fast::FixedState;
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

/// A hash map with a fast, fixed (deterministic) hasher, for term tables and per-quote scratch maps.
pub(crate) type FastMap<K, V> = HashMap<K, V, FixedState>;

/// The 64-bit digest of some bytes (xxHash3), as a snapshot records for its sections.
pub fn digest(bytes: &[u8]) -> u64 {
    xxh3_64(bytes)
}

/// The hash that tells whether a source changed since its snapshot (the digest of its text).
pub fn content_hash(text: &str) -> u64 {
    digest(text.as_bytes())
}

/// The checksum of bytes seen piecewise: equals [`digest`] of their concatenation.
#[derive(Clone, Default)]
pub struct Checksum(Xxh3);

impl Checksum {
    pub fn new() -> Checksum {
        Checksum(Xxh3::new())
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    pub fn digest(&self) -> u64 {
        self.0.digest()
    }
}

/// The checksum of `length` bytes read from `input` (as recorded for a snapshot's data).
pub fn checksum(input: &mut impl Read, length: usize) -> io::Result<u64> {
    let mut hasher = Checksum::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut left = length;
    while left > 0 {
        let chunk = left.min(buffer.len());
        input.read_exact(&mut buffer[..chunk])?;
        hasher.update(&buffer[..chunk]);
        left -= chunk;
    }
    Ok(hasher.digest())
}

/// Where some data lies in a larger blob (a snapshot) and the checksum it must have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataChecksum {
    pub range: Range<usize>,
    pub checksum: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn piecewise_equals_whole() {
        let mut piecewise = Checksum::new();
        piecewise.update(b"verbatim ");
        piecewise.update(b"index");
        assert_eq!(piecewise.digest(), digest(b"verbatim index"));
        let mut reader: &[u8] = b"verbatim index and more";
        assert_eq!(
            checksum(&mut reader, 14).unwrap(),
            digest(b"verbatim index")
        );
    }
}
