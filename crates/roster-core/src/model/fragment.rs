//! Cached renderings. A user's entry holds its *pieces*: the JSON-escaped
//! account id, account type, e-mail, display name and status, back to back
//! (`marks` are where each ends), built when the user is stored; a page
//! writer puts them between fixed text (see `roster-http`'s
//! `cloud/render.rs`). A group's slot holds its finished Cloud JSON, filled
//! on first use (it holds the base URL, which only the HTTP layer knows).
//!
//! Short renderings (a user's pieces are about a hundred bytes) are kept
//! inside the fragment, and so inside the record's entry: a page of users
//! scattered over memory then waits for one round of cache misses per user
//! (the entry) instead of two (the entry, then the bytes it points to).

use crate::json_text::escape;
use crate::types::User;

/// Bytes a user's fragment keeps inside it: with the marks and the length,
/// two cache lines.
pub const USER_INLINE: usize = 107;

/// A rendering, kept inside the fragment up to `INLINE` bytes (a group's
/// finished JSON, about two hundred bytes, has `INLINE` 0: always on the
/// heap, the fragment small).
#[derive(Debug)]
#[repr(C)]
pub struct Fragment<const INLINE: usize = USER_INLINE> {
    pub marks: [u32; 5],
    /// Length of `inline` in use; `u8::MAX` when the bytes are on the heap.
    len: u8,
    inline: [u8; INLINE],
    spilled: Option<Box<[u8]>>,
}

impl<const INLINE: usize> Fragment<INLINE> {
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

    /// The bytes. Inline ones are read without touching `spilled`, which
    /// sits on the next cache line.
    #[inline]
    pub fn bytes(&self) -> &[u8] {
        match self.inline.get(..usize::from(self.len)) {
            Some(inline) if self.len != u8::MAX => inline,
            _ => self.spilled.as_deref().unwrap_or_default(),
        }
    }
}

/// Indexes of a user's pieces.
pub const ID: usize = 0;
pub const KIND: usize = 1;
pub const EMAIL: usize = 2;
pub const NAME: usize = 3;
pub const STATUS: usize = 4;

impl Fragment {
    /// A user's pieces (see the module header).
    pub fn user_pieces(u: &User) -> Self {
        let mut o = Vec::with_capacity(128);
        let mut marks = [0u32; 5];
        let status = if u.active { "active" } else { "inactive" };
        let parts: [&str; 5] = [&u.account_id, &u.account_type, &u.email, &u.display_name, status];
        for (mark, part) in marks.iter_mut().zip(parts) {
            escape(&mut o, part);
            *mark = o.len() as u32;
        }
        Fragment::new(&o, marks)
    }

    /// Piece `k` of a user's pieces ([`ID`], [`KIND`], ...).
    #[inline]
    pub fn piece(&self, k: usize) -> &[u8] {
        let start = if k == 0 { 0 } else { self.marks[k - 1] as usize };
        &self.bytes()[start..self.marks[k] as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_renderings_read_back_whole() {
        for n in [0, 1, USER_INLINE - 1, USER_INLINE, USER_INLINE + 1, 1000] {
            let bytes: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
            let f: Fragment = Fragment::new(&bytes, [1, 2, 3, 4, 5]);
            assert_eq!(f.bytes(), &bytes[..], "{n} bytes");
            assert_eq!(f.spilled.is_some(), n > USER_INLINE, "{n} bytes");
            let g = Fragment::<0>::new(&bytes, [0; 5]);
            assert_eq!(g.bytes(), &bytes[..], "{n} bytes");
            assert_eq!(g.spilled.is_some(), n > 0, "{n} bytes");
        }
    }

    #[test]
    fn the_marks_length_and_inline_bytes_fill_two_cache_lines() {
        assert_eq!(std::mem::offset_of!(Fragment, spilled), 128);
        assert_eq!(std::mem::size_of::<Fragment<0>>(), 40);
    }
}
