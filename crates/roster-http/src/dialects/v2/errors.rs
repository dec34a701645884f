//! The v2 error envelope, `{"errors":[{"status","code","title","detail"}]}`
//! (Atlassian's v2 answers; status as a number, `detail` null): every v2
//! error is built by [`body`]. Refusals (403 elsewhere) are 404 here: the
//! only status Atlassian's description lists for a caller without
//! permission.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use roster_core::Error;

use crate::operations::openapi::v2::{ErrorBody, ErrorEntry};
use crate::wire::body::BodyRejection;
use crate::wire::error::{message_of, status_of};
use crate::wire::json::json_response;

/// A domain error on its way to a v2 client.
#[derive(Debug)]
pub struct V2Error(pub Error);

impl From<Error> for V2Error {
    fn from(e: Error) -> Self {
        V2Error(e)
    }
}

/// The code word of a status, as v2 names them.
fn code(status: StatusCode) -> String {
    match status {
        StatusCode::BAD_REQUEST => "INVALID_REQUEST_PARAMETER".into(),
        s => s.canonical_reason().unwrap_or("ERROR").to_ascii_uppercase().replace([' ', '-'], "_"),
    }
}

/// The v2 error response for `status` with `title`.
pub fn body(status: StatusCode, title: &str) -> Response {
    let entry = ErrorEntry { status: status.as_u16(), code: code(status), title: title.into(), detail: None };
    let bytes = serde_json::to_vec(&ErrorBody { errors: vec![entry] }).unwrap_or_default();
    let mut resp = (status, json_response(bytes)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"roster\""));
    }
    resp
}

impl IntoResponse for V2Error {
    fn into_response(self) -> Response {
        if let Error::Internal(e) = &self.0 {
            tracing::error!(error = ?e, "internal error");
        }
        let status = match status_of(&self.0) {
            StatusCode::FORBIDDEN => StatusCode::NOT_FOUND,
            s => s,
        };
        let mut resp = body(status, &message_of(&self.0));
        if let Error::Throttled { retry_after } | Error::Busy { retry_after } = &self.0 {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        resp
    }
}

/// A body that could not be read, in the v2 shape.
pub fn rejected(r: BodyRejection) -> Response {
    let (status, message) = r.status_and_message();
    body(status, &message)
}
