//! The one JSON error shape. Every non-2xx answer, from any dialect, an
//! unknown route or a malformed body included, is built by [`error_body`]:
//! `{"statusCode","data":{"authorized","valid","allowedInReadOnlyMode","errors","successful"},"message","reason"}`
//! (Confluence's RestError, shared by the Cloud, DC and Extender dialects);
//! Cloud REST v2 has an envelope of its own (`dialects/v2/errors.rs`).
//! Internal errors are logged and answered without their text.

use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use roster_core::Error;
use serde_json::json;

/// A domain error on its way to the wire.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

/// Status of each domain error.
pub fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::NotFound { .. } => StatusCode::NOT_FOUND,
        Error::AlreadyExists { .. } => StatusCode::CONFLICT,
        Error::Invalid { .. } => StatusCode::BAD_REQUEST,
        Error::Unauthenticated => StatusCode::UNAUTHORIZED,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        Error::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// The message of each domain error.
pub(crate) fn message_of(e: &Error) -> String {
    match e {
        Error::NotFound { what, key } => format!("No {what} found: {key}"),
        Error::AlreadyExists { what, key } => format!("A {what} already exists: {key}"),
        Error::Invalid { field, reason } => format!("Invalid parameter '{field}': {reason}"),
        Error::Unauthenticated => "Authentication required: send valid Basic or Bearer credentials".into(),
        Error::Forbidden(m) => m.clone(),
        Error::Throttled { retry_after } => {
            format!("Too many failed sign-ins from this address; retry after {retry_after} s")
        }
        Error::Internal(_) => "Internal server error".into(),
        Error::Busy { retry_after } => format!("Too many sign-ins are being checked; retry after {retry_after} s"),
    }
}

/// Builds the error response for `status` with `message`.
pub fn error_body(status: StatusCode, message: &str) -> Response {
    let authorized = !matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN);
    let valid = status != StatusCode::BAD_REQUEST;
    let body = json!({
        "statusCode": status.as_u16(),
        "data": {
            "authorized": authorized,
            "valid": valid,
            // DC's RestError carries it; roster has no read-only mode.
            "allowedInReadOnlyMode": true,
            "errors": if valid { vec![] } else { vec![json!({"message": {"translation": message, "args": []}})] },
            "successful": false
        },
        "message": message,
        "reason": status.canonical_reason().unwrap_or(""),
    });
    let mut resp = (status, crate::wire::json::json_response(body.to_string().into_bytes())).into_response();
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"roster\""));
    }
    resp
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Error::Internal(e) = &self.0 {
            tracing::error!(error = ?e, "internal error");
        }
        let mut resp = error_body(status_of(&self.0), &message_of(&self.0));
        if let Error::Throttled { retry_after } | Error::Busy { retry_after } = &self.0 {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        resp
    }
}

/// The error answer for a request to `uri`: Cloud REST v2's envelope under
/// its prefix, the one shape everywhere else.
fn error_at(uri: &Uri, status: StatusCode, message: &str) -> Response {
    if crate::dialects::v2::serves(uri.path()) {
        crate::dialects::v2::errors::body(status, message)
    } else {
        error_body(status, message)
    }
}

/// Answer for a path no route matches.
pub async fn unknown_route(uri: Uri) -> Response {
    error_at(&uri, StatusCode::NOT_FOUND, "No resource at this path")
}

/// Answer for a known path with the wrong method.
pub async fn method_not_allowed(uri: Uri) -> Response {
    error_at(&uri, StatusCode::METHOD_NOT_ALLOWED, "This method is not allowed for this resource")
}
