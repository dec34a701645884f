//! A record's cached rendering, filled lazily by the dialect that renders
//! it most (Cloud) and dropped whenever the record changes. What the bytes
//! hold is the dialect's business: finished JSON, or escaped pieces it
//! assembles JSON from, with `marks` saying where pieces end.
//!
//! Short renderings (a user's pieces are about a hundred bytes) are kept
//! inside the fragment, and so inside the record's entry: a page of users
//! scattered over memory then waits for one round of cache misses per user
//! (the entry) instead of two (the entry, then the bytes it points to).

/// Bytes kept inside the fragment: with the marks and the length, two
/// cache lines.
const INLINE: usize = 107;

#[derive(Debug)]
#[repr(C)]
pub struct Fragment {
    pub marks: [u32; 5],
    /// Length of `inline` in use; `u8::MAX` when the bytes are on the heap.
    len: u8,
    inline: [u8; INLINE],
    spilled: Option<Box<[u8]>>,
}

impl Fragment {
    /// A fragment holding `bytes`.
    pub fn new(bytes: &[u8], marks: [u32; 5]) -> Self {
        let mut inline = [0; INLINE];
        match inline.get_mut(..bytes.len()) {
            Some(head) => {
                head.copy_from_slice(bytes);
                Fragment { marks, len: bytes.len() as u8, inline, spilled: None }
            }
            None => Fragment { marks, len: u8::MAX, inline, spilled: Some(bytes.into()) },
        }
    }

    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        match &self.spilled {
            Some(b) => b,
            None => &self.inline[..usize::from(self.len)],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_renderings_read_back_whole() {
        for n in [0, 1, INLINE - 1, INLINE, INLINE + 1, 1000] {
            let bytes: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
            let f = Fragment::new(&bytes, [1, 2, 3, 4, 5]);
            assert_eq!(f.bytes(), &bytes[..], "{n} bytes");
            assert_eq!(f.spilled.is_some(), n > INLINE, "{n} bytes");
        }
    }

    #[test]
    fn the_marks_length_and_inline_bytes_fill_two_cache_lines() {
        assert_eq!(std::mem::offset_of!(Fragment, spilled), 128);
    }
}
