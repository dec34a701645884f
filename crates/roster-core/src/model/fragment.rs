//! Slots for renderings the HTTP layer defines and the model keeps inside
//! its entries. A user's entry holds up to six *pieces* back to back
//! (`marks` are where each ends), made when the user is stored by the
//! [`PieceWriter`] the directory was opened with (roster-http's Cloud
//! writer: the JSON-escaped account id, account type, e-mail, display name,
//! time zone and status). A group's slot is filled on first use by the HTTP layer
//! (its Cloud JSON with a hole where the base URL goes). What the bytes
//! are, and that no base URL is in them, is roster-http's business; this
//! module only stores bytes and marks.
//!
//! Short renderings (a user's pieces are about a hundred bytes, a group's
//! JSON about two hundred) are kept inside the fragment, and so inside the
//! record's entry: a page of users scattered over memory then waits for one
//! round of cache misses per user (the entry) instead of two (the entry,
//! then the bytes it points to).

use crate::types::User;

/// Makes a user's pieces when the user is stored (see the module header).
pub type PieceWriter = fn(&User) -> Fragment;

/// The writer of a directory nobody serves over HTTP (the CLI's): no pieces.
pub fn no_pieces(_: &User) -> Fragment {
    Fragment::new(&[], [0; PIECES])
}

/// How many pieces a fragment holds.
pub const PIECES: usize = 6;

/// Bytes a user's fragment keeps inside it: with the storage tag, the
/// length, the marks and the spill pointer's address, two cache lines (the
/// pointer's length word, read only for spilled pieces, is on a third).
pub const USER_INLINE: usize = 105;

/// Bytes a group's fragment keeps inside it (its Cloud JSON without the
/// base URL is about a hundred and fifty bytes): four cache lines.
pub const GROUP_INLINE: usize = 225;

/// Where a fragment's bytes are. Eight bytes wide on purpose: its unused
/// values are the largest niche in a user entry, so the compiler tells a
/// present entry from an empty slot by this field, on the entry's first
/// cache line (with the niche of an `Option<i64>` further on winning,
/// checking a slot cost a miss on a third line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
enum Storage {
    Inline,
    Heap,
}

/// Bytes of a spilled fragment's marks, kept before its bytes in the same
/// allocation (one pointer to follow, not two).
const SPILLED_MARKS: usize = 4 * PIECES;

/// A rendering, kept inside the fragment up to `INLINE` bytes (at most
/// 255), on the heap when longer. `marks` say where pieces end, for
/// renderings made of pieces.
#[derive(Debug)]
#[repr(C)]
pub struct Fragment<const INLINE: usize = USER_INLINE> {
    storage: Storage,
    /// Length of `inline` in use.
    len: u8,
    /// Where the pieces of an inline rendering end.
    marks: [u8; PIECES],
    inline: [u8; INLINE],
    /// The marks (little-endian `u32`s), then the bytes.
    spilled: Option<Box<[u8]>>,
}

impl<const INLINE: usize> Fragment<INLINE> {
    /// A fragment holding `bytes`, made of pieces ending at `marks`.
    pub fn new(bytes: &[u8], marks: [u32; PIECES]) -> Self {
        let mut inline = [0; INLINE];
        let short = bytes.len() <= usize::from(u8::MAX);
        match inline.get_mut(..bytes.len()).filter(|_| short) {
            Some(head) => {
                head.copy_from_slice(bytes);
                let marks = marks.map(|m| m.min(bytes.len() as u32) as u8);
                Fragment { storage: Storage::Inline, len: bytes.len() as u8, marks, inline, spilled: None }
            }
            None => {
                let mut heap = Vec::with_capacity(SPILLED_MARKS + bytes.len());
                marks.iter().for_each(|m| heap.extend_from_slice(&m.to_le_bytes()));
                heap.extend_from_slice(bytes);
                let spilled = Some(heap.into_boxed_slice());
                Fragment { storage: Storage::Heap, len: 0, marks: [0; PIECES], inline, spilled }
            }
        }
    }

    /// The bytes. Inline ones are read without touching `spilled`, which
    /// sits on the next cache line.
    #[inline]
    pub fn bytes(&self) -> &[u8] {
        match (self.storage, &self.spilled) {
            (Storage::Heap, Some(s)) => s.get(SPILLED_MARKS..).unwrap_or_default(),
            _ => &self.inline[..usize::from(self.len).min(INLINE)],
        }
    }

    /// A byte from each end of the inline space (the first and last cache
    /// lines of the fragment), read to start their misses early; its value
    /// means nothing.
    #[inline]
    pub fn touch(&self) -> u8 {
        self.inline.first().copied().unwrap_or(0) ^ self.inline.last().copied().unwrap_or(0)
    }

    /// The bytes cut where piece `k` ends: the two sides of a rendering
    /// with a hole in it (a group's object, around the base URL).
    #[inline]
    pub fn split(&self, k: usize) -> (&[u8], &[u8]) {
        let bytes = self.bytes();
        bytes.split_at(self.mark(k).min(bytes.len()))
    }

    /// Where piece `k` ends.
    #[inline]
    fn mark(&self, k: usize) -> usize {
        match (self.storage, &self.spilled) {
            (Storage::Heap, Some(s)) => {
                let at = 4 * k;
                s.get(at..at + 4).and_then(|b| b.try_into().ok()).map_or(0, |b| u32::from_le_bytes(b) as usize)
            }
            _ => usize::from(self.marks[k]),
        }
    }
}

impl Fragment {
    /// All the pieces, in order, found in one go: all are cut from the bytes at
    /// their ends, not looked up one by one.
    #[inline]
    pub fn pieces(&self) -> [&[u8]; PIECES] {
        let bytes = self.bytes();
        let mut start = 0;
        self.ends().map(|end| {
            let end = end.clamp(start, bytes.len());
            let piece = &bytes[start..end];
            start = end;
            piece
        })
    }

    /// Where each piece ends: an inline fragment's marks are
    /// read directly, a spilled one's from its allocation.
    #[inline]
    fn ends(&self) -> [usize; PIECES] {
        match (self.storage, &self.spilled) {
            (Storage::Heap, Some(_)) => std::array::from_fn(|k| self.mark(k)),
            _ => self.marks.map(usize::from),
        }
    }

    /// The lengths of the pieces, from the marks alone (a page sizes
    /// its buffer from them before it writes any user).
    #[inline]
    pub fn piece_lens(&self) -> [usize; PIECES] {
        let mut start = 0;
        self.ends().map(|end| {
            let len = end.saturating_sub(start);
            start = start.max(end);
            len
        })
    }

    /// Piece `k` (0 to `PIECES - 1`).
    #[inline]
    pub fn piece(&self, k: usize) -> &[u8] {
        let start = if k == 0 { 0 } else { self.mark(k - 1) };
        self.bytes().get(start..self.mark(k)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_renderings_read_back_whole_with_their_pieces() {
        for n in [5, 6, USER_INLINE - 1, USER_INLINE, USER_INLINE + 1, 255, 256, 1000] {
            let bytes: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
            let marks = [1, 2, 3, 4, 4, n as u32];
            let f: Fragment = Fragment::new(&bytes, marks);
            assert_eq!(f.bytes(), &bytes[..], "{n} bytes");
            assert_eq!(f.spilled.is_some(), n > USER_INLINE, "{n} bytes");
            assert_eq!((f.piece(0), f.piece(4), f.piece(5)), (&bytes[..1], &b""[..], &bytes[4..]), "{n} bytes");
            let all = [&bytes[..1], &bytes[1..2], &bytes[2..3], &bytes[3..4], &b""[..], &bytes[4..]];
            assert_eq!(f.pieces(), all, "{n} bytes");
            assert_eq!(f.piece_lens(), f.pieces().map(<[u8]>::len), "{n} bytes");
            let g = Fragment::<GROUP_INLINE>::new(&bytes, [3, 0, 0, 0, 0, 0]);
            assert_eq!(g.bytes(), &bytes[..], "{n} bytes");
            assert_eq!(g.split(0), (&bytes[..3], &bytes[3..]), "{n} bytes");
            assert_eq!(g.spilled.is_some(), n > GROUP_INLINE, "{n} bytes");
        }
    }

    #[test]
    fn a_users_fragment_fills_two_cache_lines_and_a_groups_four() {
        assert_eq!(std::mem::offset_of!(Fragment, spilled), 120);
        assert_eq!(std::mem::size_of::<Fragment>(), 136);
        assert_eq!(std::mem::size_of::<Fragment<GROUP_INLINE>>(), 256);
    }
}
