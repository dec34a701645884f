//! Bodies of roster's user-administration routes (`operations/users.rs`),
//! the ones the web console needs beyond the dialects. The handlers
//! serialize these very types, so the description cannot drift from them.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A user as a site admin sees them in the console.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdminUser {
    pub account_id: String,
    /// Every account has one (generated from the e-mail when none was
    /// given); the DC and Extender routes address users by it.
    pub username: String,
    pub display_name: String,
    pub email: String,
    /// `false` once deactivated.
    pub active: bool,
}

/// One user with the figures of their page.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdminUserDetail {
    pub account_id: String,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub active: bool,
    /// How many API tokens the user holds.
    pub tokens: u64,
}

/// A page of users.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdminUserPage {
    pub results: Vec<AdminUser>,
    pub start: u64,
    pub limit: u64,
    pub size: u64,
    /// How many match in all.
    pub total_size: u64,
}

/// A search over users: `query` matches a whole username or e-mail address
/// (case-insensitive) or, word by word, the starts of display-name words.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct UserFind {
    /// Blank (or absent) lists every user in creation order.
    #[param(example = "ada@example.com")]
    query: Option<String>,
    start: Option<u64>,
    /// Default 25, at most 200.
    limit: Option<u64>,
}

/// One group's members, filtered like a user search.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct MemberFind {
    /// The group's name.
    #[param(example = "crew")]
    name: String,
    /// Blank (or absent) lists every member, in member order.
    #[param(example = "ada")]
    filter: Option<String>,
    start: Option<u64>,
    /// Default 25, at most 200.
    limit: Option<u64>,
}

/// What to call a new token.
#[derive(Serialize, ToSchema)]
pub struct TokenRequest {
    /// Default `console`.
    #[schema(example = "sync job")]
    pub label: Option<String>,
}

/// A new API token: shown in this answer only; roster keeps its digest.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IssuedToken {
    pub account_id: String,
    pub label: String,
    pub token: String,
}

/// What a revocation did.
#[derive(Serialize, ToSchema)]
pub struct RevokedTokens {
    /// How many tokens the user held (all are revoked).
    pub revoked: u64,
}
