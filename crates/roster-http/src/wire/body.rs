//! JSON request bodies: read up to a documented cap (413 beyond it),
//! parsed strictly, every failure answered in the JSON error shape.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::wire::error::{error_body, ApiError};

/// Largest request body roster reads (1 MiB).
pub const MAX_BODY: usize = 1 << 20;

/// Why a body was refused.
pub enum BodyRejection {
    TooLarge,
    Invalid(String),
    /// The body missed its read deadline (`server/body.rs`).
    TimedOut,
}

impl BodyRejection {
    /// The status and message every dialect answers this refusal with.
    pub fn status_and_message(&self) -> (StatusCode, String) {
        match self {
            BodyRejection::TooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, format!("Request body is larger than {MAX_BODY} bytes"))
            }
            BodyRejection::Invalid(m) => (StatusCode::BAD_REQUEST, format!("Invalid parameter 'body': {m}")),
            BodyRejection::TimedOut => (StatusCode::REQUEST_TIMEOUT, "The request body did not arrive in time".into()),
        }
    }
}

impl IntoResponse for BodyRejection {
    fn into_response(self) -> Response {
        match self {
            BodyRejection::Invalid(m) => ApiError(roster_core::Error::invalid("body", m)).into_response(),
            other => {
                let (status, message) = other.status_and_message();
                error_body(status, &message)
            }
        }
    }
}

/// Reads the raw body, enforcing [`MAX_BODY`].
pub async fn read(req: Request) -> Result<Bytes, BodyRejection> {
    axum::body::to_bytes(req.into_body(), MAX_BODY).await.map_err(|e| match crate::server::is_body_timeout(&e) {
        true => BodyRejection::TimedOut,
        false => BodyRejection::TooLarge,
    })
}

/// The raw body, read under the cap; parse it with [`parse`] once the
/// caller's permission is known, so a refused caller hears 401/403 first.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = BodyRejection;

    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        read(req).await.map(RawBody)
    }
}

/// Parses a JSON body into `T`, answering 400 for empty or malformed input.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> roster_core::Result<T> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(roster_core::Error::invalid("body", "a JSON request body is required"));
    }
    serde_json::from_slice(bytes).map_err(|e| roster_core::Error::invalid("body", format!("malformed JSON: {e}")))
}
