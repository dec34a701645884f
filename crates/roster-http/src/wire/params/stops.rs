//! Where a query string's separators are: one bit per byte for each of
//! `&`, `=` and the escapes (`%` and `+`), found sixteen bytes at a time
//! with SIMD compares before the parser looks at any of them.
//!
//! A bulk lookup's query is ten kilobytes of 200 pairs with three or four
//! stops each. Scanning from each stop to the next (eight bytes at a time)
//! and branching on which one turned up cost a misprediction at most of
//! them, as they vary from id to id; with the bits at hand, the next stop
//! of a kind is a mask and a `trailing_zeros`, and a pair without escapes
//! needs one look.

use smallvec::SmallVec;
use wide::u8x16;

/// The kinds of bytes a query is cut or decoded at.
#[derive(Debug, Clone, Copy)]
pub enum Stop {
    /// `&`, between pairs.
    Amp = 0,
    /// `=`, between a name and its value (the first one of a pair).
    Eq = 1,
    /// `%` or `+`, where decoding starts.
    Escape = 2,
}

/// The stop bits of a query, 64 bytes a word (one word per kind); those
/// of the usual short query are kept without an allocation.
#[derive(Debug)]
pub struct Stops {
    words: SmallVec<[[u64; 3]; 4]>,
}

impl Stops {
    /// The stop bits of `raw`.
    pub fn new(raw: &[u8]) -> Self {
        let mut words = SmallVec::with_capacity(raw.len() / 64 + 1);
        let mut blocks = raw.chunks_exact(64);
        words.extend(blocks.by_ref().map(|b| block(b.try_into().unwrap_or(&[0; 64]))));
        let rest = blocks.remainder();
        if !rest.is_empty() {
            let mut last = [0; 64];
            last[..rest.len()].copy_from_slice(rest);
            words.push(block(&last));
        }
        Stops { words }
    }

    /// Where the first stop of `kind` in `from..to` is (`to` when none).
    #[inline]
    pub fn next(&self, kind: Stop, from: usize, to: usize) -> usize {
        let k = kind as usize;
        let mut w = from / 64;
        let mut bits = match self.words.get(w) {
            Some(word) => word[k] & (u64::MAX << (from % 64)),
            None => return to,
        };
        while bits == 0 {
            w += 1;
            match self.words.get(w) {
                Some(word) if w * 64 < to => bits = word[k],
                _ => return to,
            }
        }
        (w * 64 + bits.trailing_zeros() as usize).min(to)
    }
}

/// The stop bits of 64 bytes: bit `i` of each word is byte `i`.
fn block(bytes: &[u8; 64]) -> [u64; 3] {
    let [amp, eq, percent, plus] = [b'&', b'=', b'%', b'+'].map(u8x16::splat);
    let mut words = [0u64; 3];
    for (i, chunk) in bytes.chunks_exact(16).enumerate() {
        let v = u8x16::from(<[u8; 16]>::try_from(chunk).unwrap_or_default());
        let bits = |m: u8x16| u64::from(m.move_mask() as u16) << (16 * i);
        words[0] |= bits(v.cmp_eq(amp));
        words[1] |= bits(v.cmp_eq(eq));
        words[2] |= bits(v.cmp_eq(percent) | v.cmp_eq(plus));
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same answer from a byte-by-byte search.
    fn slow(raw: &[u8], set: &[u8], from: usize, to: usize) -> usize {
        (from..to).find(|&i| set.contains(&raw[i])).unwrap_or(to)
    }

    #[test]
    fn each_kind_of_stop_is_found_where_a_byte_by_byte_search_finds_it() {
        // Stops on both sides of every word boundary, and a tail that is
        // not a whole word.
        let raw: Vec<u8> = (0..300u32).map(|i| b"a&b=c%d+e\xc3\xa9"[(i * 7 % 11) as usize]).collect();
        let stops = Stops::new(&raw);
        for (kind, set) in [(Stop::Amp, &b"&"[..]), (Stop::Eq, b"="), (Stop::Escape, b"%+")] {
            for from in 0..raw.len() {
                for to in [from, from + 1, from + 63, from + 64, from + 200, raw.len()] {
                    let to = to.min(raw.len());
                    assert_eq!(stops.next(kind, from, to), slow(&raw, set, from, to), "{kind:?} {from}..{to}");
                }
            }
        }
        assert_eq!(Stops::new(b"").next(Stop::Amp, 0, 0), 0);
        assert_eq!(Stops::new(b"abc").next(Stop::Escape, 5, 9), 9);
    }
}
