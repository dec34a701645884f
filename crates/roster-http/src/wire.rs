//! Reading requests and writing answers, shared by the dialects: the
//! query parser, body extraction, the `Caller` extractor (authentication),
//! JSON text helpers, pooled response buffers and the one error body.

pub mod auth;
pub mod body;
pub mod buffers;
pub mod error;
pub mod json;
pub mod params;
pub mod path;
