//! The one error type of roster. Every layer (store, directory, HTTP, CLI)
//! reports failures with it; the HTTP layer turns it into Confluence's JSON
//! error shape in a single place.

/// What went wrong, in terms a caller can act on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The named user, group or membership does not exist.
    #[error("{what} not found: {key}")]
    NotFound { what: &'static str, key: String },
    /// A user or group with that identity already exists.
    #[error("{what} already exists: {key}")]
    AlreadyExists { what: &'static str, key: String },
    /// A request field is missing or malformed.
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// No credentials, or credentials that do not match an account.
    #[error("authentication required")]
    Unauthenticated,
    /// Valid credentials, but not enough permission for the operation.
    #[error("{0}")]
    Forbidden(String),
    /// Too many failed sign-ins for this account from this source: try
    /// again after `retry_after` seconds.
    #[error("too many failed sign-ins; retry after {retry_after} s")]
    Throttled { retry_after: u64 },
    /// Anything else: a storage failure or a bug. Never shown verbatim.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
    /// Too much password work is running and waiting already: try again
    /// after `retry_after` seconds (nothing was done).
    #[error("too busy checking passwords; retry after {retry_after} s")]
    Busy { retry_after: u64 },
}

/// `Result` with roster's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::Invalid { field, reason: reason.into() }
    }
    /// Shorthand for [`Error::NotFound`].
    pub fn not_found(what: &'static str, key: impl Into<String>) -> Self {
        Error::NotFound { what, key: key.into() }
    }
    /// Shorthand for [`Error::AlreadyExists`].
    pub fn exists(what: &'static str, key: impl Into<String>) -> Self {
        Error::AlreadyExists { what, key: key.into() }
    }
    /// Shorthand for [`Error::Forbidden`].
    pub fn forbidden(msg: impl Into<String>) -> Self {
        Error::Forbidden(msg.into())
    }
}
