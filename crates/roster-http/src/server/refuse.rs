//! The answer to a connection over the cap: a 503 in the JSON error shape
//! with `Retry-After`, written once without waiting, then the socket is
//! closed. Built once per server from `error_body`, so its shape is the
//! one every other error has.

use axum::http::{header, StatusCode};
use tokio::net::TcpStream;

use crate::wire::error::error_body;

/// The message of the refusal.
pub const MESSAGE: &str = "Too many open connections; try again shortly";

/// The raw HTTP/1.1 bytes of the refusal.
pub(super) struct Refusal(Vec<u8>);

impl Refusal {
    pub(super) async fn new() -> Self {
        let resp = error_body(StatusCode::SERVICE_UNAVAILABLE, MESSAGE);
        let (parts, body) = resp.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
        let mut out = Vec::with_capacity(256 + body.len());
        out.extend_from_slice(b"HTTP/1.1 503 Service Unavailable\r\n");
        for (name, value) in &parts.headers {
            if name != header::CONTENT_LENGTH && name != header::CONNECTION {
                out.extend_from_slice(name.as_str().as_bytes());
                out.extend_from_slice(b": ");
                out.extend_from_slice(value.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
        }
        out.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
        out.extend_from_slice(b"retry-after: 1\r\nconnection: close\r\n\r\n");
        out.extend_from_slice(&body);
        Refusal(out)
    }

    /// Answers `stream` and closes it, never waiting: the answer fits in
    /// any socket's send buffer. Whatever the client already sent is read
    /// first (once, without waiting), so that closing sends FIN, not a
    /// reset that could discard the answer before the client reads it.
    pub(super) fn send(&self, stream: TcpStream) {
        let mut sink = [0u8; 4096];
        let _ = stream.try_read(&mut sink);
        let _ = stream.try_write(&self.0);
    }
}
