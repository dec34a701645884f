//! Types shared by every dialect (built, or only describing, as their
//! users are; see `openapi.rs`): the one error shape, the
//! profile pieces Cloud and DC both show, roster's own operational and
//! snapshot bodies, and the query parameters of Cloud-style paging.

use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

/// Every non-2xx answer, from any route: Confluence's RestError (built in
/// `error.rs`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Error)]
pub struct ErrorBody {
    /// The HTTP status again.
    #[schema(minimum = 400, maximum = 599)]
    status_code: u16,
    data: ErrorData,
    /// What went wrong, naming the offending field for a 400.
    message: String,
    /// The status's reason phrase.
    reason: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorData {
    /// False for 401 and 403.
    authorized: bool,
    /// False for 400.
    valid: bool,
    allowed_in_read_only_mode: bool,
    /// One entry for a 400, none otherwise.
    errors: Vec<ErrorEntry>,
    successful: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorEntry {
    message: ErrorMessage,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorMessage {
    translation: String,
    args: Vec<String>,
}

/// The default avatar every user object carries.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfilePicture {
    pub path: String,
    pub width: u32,
    pub height: u32,
    pub is_default: bool,
}

impl ProfilePicture {
    /// The default 48-pixel avatar at `path`.
    pub fn default_at(path: String) -> Self {
        ProfilePicture { path, width: 48, height: 48, is_default: true }
    }
}

/// `expand=details.personal`.
#[derive(Serialize, ToSchema)]
pub struct PersonalDetails {
    pub phone: String,
    pub im: String,
    pub website: String,
    /// `""` unless the viewer may see the address.
    pub email: String,
}

/// `expand=details.business`.
#[derive(Serialize, ToSchema)]
pub struct BusinessDetails {
    pub position: String,
    pub department: String,
    pub location: String,
}

/// The profile, as far as `expand` asked for it.
// `business` first, as both dialects write it (the description sorts the
// properties anyway).
#[derive(Serialize, ToSchema)]
pub struct UserDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub business: Option<BusinessDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub personal: Option<PersonalDetails>,
}

/// `_links` holding only `self`.
#[derive(Serialize, ToSchema)]
pub struct SelfLink {
    #[serde(rename = "self")]
    pub self_: String,
}

/// `GET /healthz`.
#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    status: String,
}

/// `GET /readyz`.
#[derive(Serialize, ToSchema)]
pub struct Ready {
    #[schema(example = "ready")]
    status: String,
    /// Which store serves the directory (kind and location).
    store: String,
    users: u64,
    groups: u64,
}

/// One snapshot of the whole directory.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotInfo {
    id: u64,
    /// `seed` for the state after start-up seeding; null when unnamed.
    name: Option<String>,
    users: u64,
    groups: u64,
    memberships: u64,
    /// Epoch milliseconds.
    created_date: i64,
}

/// Added back, removed (and for users, changed back) by a restore.
#[derive(Serialize, ToSchema)]
pub struct RestoreTally {
    added: u64,
    removed: u64,
    /// Users only: users whose fields the restore reverts.
    updated: Option<u64>,
}

/// The counts of a restore, by kind.
#[derive(Serialize, ToSchema)]
pub struct RestoreCounts {
    users: RestoreTally,
    groups: RestoreTally,
    memberships: RestoreTally,
    tokens: RestoreTally,
}

/// A user a restore brings back (`added`) or changes back (`updated`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestoredUser {
    account_id: String,
    username: Option<String>,
    display_name: String,
    /// `added` or `updated`.
    change: String,
    /// For `updated`: the fields reverted (`active`, `password`, `email`, ...; never their values).
    fields: Vec<String>,
}

/// A token a restore brings back, by owner and fingerprint (never the token).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestoredToken {
    account_id: String,
    username: Option<String>,
    /// `sha256:` and the first 12 hex digits of the SHA-256 of the token.
    fingerprint: String,
}

/// A membership a restore brings back.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestoredMembership {
    group: String,
    account_id: String,
}

/// A user a restore deletes (created after the snapshot).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RemovedUser {
    account_id: String,
    display_name: String,
}

/// `POST /rest/roster/1.0/snapshots/{id}/restore`: the snapshot, and what
/// the restore changed. Lists hold at most 1,000 entries each (`truncated`
/// says one was cut); the counts are exact.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotRestore {
    id: u64,
    /// `seed` for the state after start-up seeding; null when unnamed.
    name: Option<String>,
    users: u64,
    groups: u64,
    memberships: u64,
    /// Epoch milliseconds.
    created_date: i64,
    changes: RestoreCounts,
    restored_users: Vec<RestoredUser>,
    restored_tokens: Vec<RestoredToken>,
    restored_memberships: Vec<RestoredMembership>,
    removed_users: Vec<RemovedUser>,
    restored_groups: Vec<String>,
    removed_groups: Vec<String>,
    truncated: bool,
}

/// `POST /rest/roster/1.0/snapshots`'s optional body.
#[derive(Serialize, ToSchema)]
pub struct SnapshotTake {
    /// 1 to 64 letters, digits, `.`, `_` or `-`, not only digits.
    name: Option<String>,
}

/// `POST /rest/roster/1.0/reset`'s optional body.
#[derive(Serialize, ToSchema)]
pub struct ResetRequest {
    /// The snapshot's number or name (default `seed`).
    snapshot: Option<String>,
}

/// A user as a diff names it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DiffUser {
    account_id: String,
    username: Option<String>,
    display_name: String,
    /// In `users.changed` only: the fields that changed (`email`, `displayName`, `password`, ...; never values).
    fields: Option<Vec<String>>,
}

/// A membership as a diff names it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DiffMembership {
    group: String,
    account_id: String,
    username: Option<String>,
}

/// A token as a diff names it (never the token).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DiffToken {
    account_id: String,
    /// `sha256:` and the first 12 hex digits of the SHA-256 of the token.
    fingerprint: String,
}

/// Users in a diff, by account id.
#[derive(Serialize, ToSchema)]
pub struct DiffUsers {
    added: Vec<DiffUser>,
    /// Fields other than `active` changed.
    changed: Vec<DiffUser>,
    deactivated: Vec<DiffUser>,
    reactivated: Vec<DiffUser>,
    removed: Vec<DiffUser>,
}

/// Groups in a diff, by name.
#[derive(Serialize, ToSchema)]
pub struct DiffGroups {
    created: Vec<String>,
    deleted: Vec<String>,
}

/// Memberships in a diff, by group name then account id.
#[derive(Serialize, ToSchema)]
pub struct DiffMemberships {
    added: Vec<DiffMembership>,
    removed: Vec<DiffMembership>,
}

/// Tokens in a diff, by account id then fingerprint.
#[derive(Serialize, ToSchema)]
pub struct DiffTokens {
    issued: Vec<DiffToken>,
    revoked: Vec<DiffToken>,
}

/// `GET /rest/roster/1.0/diff`: everything that changed since a snapshot,
/// in full, in a stable order.
#[derive(Serialize, ToSchema)]
pub struct DirectoryDiff {
    since: SnapshotInfo,
    /// Nothing changed.
    empty: bool,
    users: DiffUsers,
    groups: DiffGroups,
    memberships: DiffMemberships,
    tokens: DiffTokens,
}

/// A snapshot file (version 1): the whole directory with ids, password
/// hashes (argon2) and token digests (SHA-256, hex); never secrets in
/// clear. Described loosely here; docs/testing-with-roster.md has the
/// fields.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotFile {
    /// Always `roster-snapshot`.
    format: String,
    /// 1.
    version: u32,
    name: Option<String>,
    /// Epoch milliseconds.
    created_date: i64,
    users: Vec<serde_json::Value>,
    groups: Vec<serde_json::Value>,
    /// `[group id, user id]` pairs. (Described as lists of integers: the
    /// tuple's `prefixItems` trips validators that read `items` only.)
    #[schema(value_type = Vec<Vec<i64>>)]
    memberships: Vec<(i64, i64)>,
    tokens: Vec<serde_json::Value>,
}

/// `GET /rest/roster/1.0/snapshots`.
#[derive(Serialize, ToSchema)]
pub struct SnapshotList {
    results: Vec<SnapshotInfo>,
    size: u64,
}

/// `start`/`limit` of a Cloud page (default and maximum 200).
#[derive(Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct CloudPaging {
    /// Index of the first result (default 0).
    start: Option<u64>,
    /// Results per page (default and maximum 200; larger values are clamped).
    limit: Option<u64>,
    /// Adds `totalSize` to the page.
    should_return_total_size: Option<bool>,
}

/// `start`/`limit` of a DC collection (default and maximum 200).
#[derive(Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DcPaging {
    /// Index of the first result (default 0).
    start: Option<u64>,
    /// Results per page (default and maximum 200; larger values are clamped).
    limit: Option<u64>,
}

/// `expand`: comma-joined or repeated; unknown values are ignored.
#[derive(Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExpandParam {
    /// `operations`, `details`, `details.personal`, `details.business`,
    /// `personalSpace` (Cloud) or `status` (DC).
    #[param(example = "details")]
    expand: Option<String>,
}
