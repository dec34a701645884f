//! Response buffers, reused on the thread that sent them.
//!
//! A page of 200 users is a buffer of about 100 KB, a `memberof` answer a
//! few KB. Allocated afresh per request, each took the allocator's path for
//! blocks over 1 KB (mimalloc keeps free lists per size only below that)
//! and was written into memory long out of the caches. A page's buffer
//! instead comes from a small per-thread pool, and the response body hands
//! it back once hyper has written it to the socket (on the same thread, as
//! the connection's task), so the next page fills memory that is still in
//! cache.

use std::cell::RefCell;

use bytes::Bytes;

/// Buffers kept per thread: one per response being written at once is
/// plenty, since a body is usually written out as soon as it is made.
const KEPT: usize = 16;

/// Smaller buffers come cheaply from the allocator's free lists.
const SMALLEST: usize = 1024;

/// Larger buffers are freed: a rare huge page does not stay held.
const LARGEST: usize = 512 * 1024;

thread_local! {
    static POOL: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// An empty buffer with room for at least `capacity` bytes.
pub fn take(capacity: usize) -> Vec<u8> {
    let mut buf = POOL.try_with(|pool| pool.borrow_mut().pop()).ok().flatten().unwrap_or_default();
    buf.reserve(capacity);
    buf
}

/// Keeps `buf` (one [`into_body`] found worth keeping) for a later [`take`].
fn give(mut buf: Vec<u8>) {
    buf.clear();
    // During thread teardown the pool may be gone; the buffer is freed then.
    let _ = POOL.try_with(|pool| {
        let mut pool = pool.borrow_mut();
        if pool.len() < KEPT {
            pool.push(buf);
        }
    });
}

/// A body's bytes, which go back to the pool when the body is dropped.
struct Recycled(Vec<u8>);

impl AsRef<[u8]> for Recycled {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for Recycled {
    fn drop(&mut self) {
        give(std::mem::take(&mut self.0));
    }
}

/// `buf` as a response body; a buffer worth keeping is reused once the
/// body is gone.
pub fn into_body(buf: Vec<u8>) -> Bytes {
    if (SMALLEST..=LARGEST).contains(&buf.capacity()) {
        return Bytes::from_owner(Recycled(buf));
    }
    // `Bytes` takes a boxed slice as it is, but a vector with spare room
    // costs it a shared header (one more allocation per response). Bodies
    // reserve a close upper bound, and the allocator shrinks a block that
    // stays at least half used in place, so the slice is usually free.
    if buf.len() >= buf.capacity() / 2 {
        Bytes::from(buf.into_boxed_slice())
    } else {
        Bytes::from(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sent_page_buffer_is_taken_again_and_tiny_or_huge_ones_are_not() {
        let mut page = take(4000);
        let at = page.as_ptr();
        page.extend_from_slice(b"{\"results\":[]}");
        let body = into_body(page);
        assert_eq!(&body[..], b"{\"results\":[]}");
        drop(body);
        let again = take(100);
        assert_eq!(again.as_ptr(), at, "the buffer came back");
        assert!(again.is_empty() && again.capacity() >= 4000);
        drop(into_body(again));

        drop(into_body(Vec::with_capacity(10)));
        drop(into_body(Vec::with_capacity(LARGEST + 1)));
        let kept = take(0);
        assert_eq!(kept.as_ptr(), at, "only the page buffer was kept");
        assert_eq!(take(0).capacity(), 0, "and nothing else");
    }
}
