//! Types of the Cloud v1 dialect (`/wiki/rest/api`): the objects
//! `cloud/render.rs`, `cloud/search.rs`, `cloud/users.rs` and `audit.rs`
//! answer, and the request bodies the handlers parse. The user and group
//! objects are the wire types of expanded users and of the fast writers,
//! whose bytes a test compares with these serialized; the rest only
//! describe what is written by hand.

use serde::Serialize;
use utoipa::ToSchema;

use super::common::{ProfilePicture, SelfLink, UserDetails};

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Known {
    Known,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Anonymous {
    Anonymous,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum GroupType {
    Group,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AccountStatus {
    Active,
    Inactive,
}

/// What may still be expanded (each key present until expanded).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserExpandable {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub operations: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub details: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub personal_space: Option<String>,
}

/// `expand=operations`: what the user may do.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OperationCheck {
    /// `use` or `administer`.
    pub operation: String,
    pub target_type: String,
}

/// A known user.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CloudUser)]
pub struct User {
    #[serde(rename = "type")]
    #[schema(inline)]
    pub kind: Known,
    pub account_id: String,
    pub account_type: String,
    /// `""` unless the caller is a site admin or the user themself.
    pub email: String,
    pub public_name: String,
    pub profile_picture: ProfilePicture,
    pub display_name: String,
    /// An IANA time zone name; `null` when unknown.
    pub time_zone: Option<String>,
    #[schema(inline)]
    pub account_status: AccountStatus,
    pub is_external_collaborator: bool,
    pub is_guest: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub operations: Option<Vec<OperationCheck>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub details: Option<UserDetails>,
    #[serde(rename = "_expandable")]
    pub expandable: UserExpandable,
    #[serde(rename = "_links")]
    pub links: SelfLink,
}

#[derive(Serialize, ToSchema)]
pub struct AnonymousLinks {
    #[serde(rename = "self")]
    pub self_: String,
    pub base: String,
    pub context: String,
}

/// The anonymous user.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CloudAnonymousUser)]
pub struct AnonymousUser {
    #[serde(rename = "type")]
    #[schema(inline)]
    pub kind: Anonymous,
    pub profile_picture: ProfilePicture,
    pub display_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub operations: Option<Vec<OperationCheck>>,
    /// Always false: the anonymous user is no external collaborator.
    pub is_external_collaborator: bool,
    #[serde(rename = "_expandable")]
    pub expandable: UserExpandable,
    #[serde(rename = "_links")]
    pub links: AnonymousLinks,
}

/// The caller: a known user, or the anonymous user.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[schema(as = CloudCurrentUser)]
#[allow(clippy::large_enum_variant)] // never built: it only describes JSON
pub enum CurrentUser {
    Known(User),
    Anonymous(AnonymousUser),
}

/// A group.
#[derive(Serialize, ToSchema)]
#[schema(as = CloudGroup)]
pub struct Group {
    #[serde(rename = "type")]
    #[schema(inline)]
    pub kind: GroupType,
    pub name: String,
    /// The group's public id (a UUID).
    pub id: String,
    #[serde(rename = "_links")]
    pub links: SelfLink,
}

/// `_links` of a page; `next` only when another item exists.
#[derive(Serialize, ToSchema)]
pub struct PageLinks {
    base: String,
    context: String,
    #[serde(rename = "self")]
    self_: String,
    #[schema(nullable = false)]
    next: Option<String>,
}

macro_rules! page {
    ($(#[$doc:meta])* $name:ident, $as:ident, $item:ty) => {
        $(#[$doc])*
        #[derive(Serialize, ToSchema)]
        #[serde(rename_all = "camelCase")]
        #[schema(as = $as)]
        pub struct $name {
            results: Vec<$item>,
            start: u64,
            /// The effective limit.
            limit: u64,
            size: u64,
            /// With `shouldReturnTotalSize=true`.
            #[schema(nullable = false)]
            total_size: Option<u64>,
            #[serde(rename = "_links")]
            links: PageLinks,
        }
    };
}

page!(
    /// A page of users.
    UserPage, CloudUserPage, User
);
page!(
    /// A page of groups.
    GroupPage, CloudGroupPage, Group
);
page!(
    /// A page of key/username/account id triples.
    MigrationPage, CloudMigrationPage, Migration
);
page!(
    /// A page of audit records, newest first.
    AuditPage, CloudAuditPage, AuditRecord
);

/// `GET /user/email`, and each entry of `/user/email/bulk`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountEmail {
    account_id: String,
    email: String,
}

/// One user of `/user/bulk/migration`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Migration {
    username: Option<String>,
    key: String,
    account_id: String,
}

/// One hit of `/search/user`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchResult {
    user: User,
    title: String,
    excerpt: String,
    url: String,
    breadcrumbs: Vec<String>,
    entity_type: String,
    icon_css_class: String,
    /// ISO-8601, UTC.
    last_modified: String,
    score: f64,
}

/// `/search/user`: a page of hits with the query and its duration.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchPage {
    results: Vec<SearchResult>,
    start: u64,
    limit: u64,
    size: u64,
    total_size: u64,
    cql_query: String,
    /// Milliseconds.
    search_duration: u64,
    #[serde(rename = "_links")]
    links: PageLinks,
}

/// Who did it: a known user, `system` or `anonymous`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditAuthor {
    /// `known`, `system` or `anonymous`.
    #[serde(rename = "type")]
    kind: String,
    display_name: String,
    #[schema(nullable = false)]
    account_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditObject {
    name: String,
    /// `Group`, `User`, `Snapshot` or `Login`.
    object_type: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangedValue {
    name: String,
    old_value: String,
    new_value: String,
}

/// One audit record.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    author: AuditAuthor,
    remote_address: String,
    /// Epoch milliseconds.
    creation_date: i64,
    summary: String,
    description: String,
    category: String,
    sys_admin: bool,
    affected_object: AuditObject,
    changed_values: Vec<ChangedValue>,
    associated_objects: Vec<AuditObject>,
}

/// `POST /group`.
#[derive(Serialize, ToSchema)]
#[schema(as = CloudNewGroup, example = json!({"name": "qa-team"}))]
pub struct NewGroup {
    /// 1–255 characters, no control characters, not only spaces.
    name: String,
}

/// `POST /group/user`, `POST /group/userByGroupId`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"accountId": "5b10ac8d82e05b22cc7d4ef5"}))]
#[serde(rename_all = "camelCase")]
pub struct AccountRef {
    account_id: String,
}
