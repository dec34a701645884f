//! The wire types of the Data Center core REST dialect (`/rest/api`, also
//! under `/confluence`): what `dc/render.rs` and `dc/admin.rs` build and
//! serialize, described from the same definitions, and the request bodies
//! the DC handlers parse (those only describe).

use serde::Serialize;
use utoipa::ToSchema;

use super::cloud::{Anonymous, GroupType, Known};
use super::common::{ProfilePicture, SelfLink, UserDetails};

#[derive(Serialize, ToSchema)]
pub enum PersonStatus {
    Active,
    Deactivated,
}

/// What may still be expanded.
#[derive(Serialize, ToSchema)]
pub struct PersonExpandable {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub details: Option<String>,
}

/// A known user (DC's Person).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = DcPerson)]
pub struct Person {
    #[serde(rename = "type")]
    #[schema(inline)]
    pub kind: Known,
    pub username: String,
    pub user_key: String,
    pub profile_picture: ProfilePicture,
    pub display_name: String,
    /// With `expand=status`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, inline)]
    pub status: Option<PersonStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub details: Option<UserDetails>,
    /// With `expand=lastLogin` (`/admin/users/list/active` only): the last
    /// successful sign-in, ISO 8601 in UTC, or null for never.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, nullable = true, example = "2026-05-24T06:49:27.994Z")]
    pub last_login: Option<Option<String>>,
    #[serde(rename = "_links")]
    pub links: SelfLink,
    #[serde(rename = "_expandable")]
    pub expandable: PersonExpandable,
}

#[derive(Serialize, ToSchema)]
pub struct Empty {}

/// The anonymous user.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = DcAnonymousPerson)]
pub struct AnonymousPerson {
    #[serde(rename = "type")]
    #[schema(inline)]
    pub kind: Anonymous,
    pub profile_picture: ProfilePicture,
    pub display_name: String,
    #[serde(rename = "_links")]
    pub links: SelfLink,
    #[serde(rename = "_expandable")]
    pub expandable: Empty,
}

/// The caller: a known user, or the anonymous user.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[schema(as = DcCurrentUser)]
#[allow(clippy::large_enum_variant)] // one per response: a box would only add an allocation
pub enum CurrentPerson {
    Known(Person),
    Anonymous(AnonymousPerson),
}

/// A group.
#[derive(Serialize, ToSchema)]
#[schema(as = DcGroup)]
pub struct Group {
    #[serde(rename = "type")]
    #[schema(inline)]
    pub kind: GroupType,
    pub name: String,
    #[serde(rename = "_links")]
    pub links: SelfLink,
    #[serde(rename = "_expandable")]
    pub expandable: Empty,
}

/// `_links` of a collection; `next` and `prev` are relative to `base`.
#[derive(Serialize, ToSchema)]
pub struct CollectionLinks {
    pub base: String,
    /// `""` or `/confluence`.
    pub context: String,
    #[serde(rename = "self")]
    pub self_: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub next: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub prev: Option<String>,
}

macro_rules! collection {
    ($(#[$doc:meta])* $name:ident, $item:ty) => {
        $(#[$doc])*
        #[derive(Serialize, ToSchema)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            results: Vec<$item>,
            start: u64,
            /// The effective limit.
            limit: u64,
            size: u64,
            total_count: u64,
            #[serde(rename = "_links")]
            links: CollectionLinks,
        }

        impl $name {
            /// The collection of `results`, which started at `start`
            /// with the effective `limit`, out of `total_count`.
            pub fn new(results: Vec<$item>, start: u64, limit: u64, total_count: u64, links: CollectionLinks) -> Self {
                let size = results.len() as u64;
                $name { results, start, limit, size, total_count, links }
            }
        }
    };
}

collection!(
    /// A page of users.
    DcPersonCollection, Person
);
collection!(
    /// A page of groups.
    DcGroupCollection, Group
);

/// `POST /admin/user`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"userName": "lin", "fullName": "Lin Wei", "email": "lin@example.com",
                          "password": "correct horse battery staple", "notifyViaEmail": false}))]
#[serde(rename_all = "camelCase")]
pub struct DcNewUser {
    user_name: String,
    full_name: String,
    email: String,
    /// Required unless `notifyViaEmail` is true (then it must be absent).
    #[schema(nullable = false)]
    password: Option<String>,
    /// Whether DC would e-mail the user a sign-up link (then without
    /// `password`); `"true"`/`"false"` as strings are accepted too.
    #[schema(nullable = false)]
    notify_via_email: Option<bool>,
}

/// `POST /admin/user`: the new user's key.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DcUserKey {
    pub user_key: String,
}

#[derive(Serialize, ToSchema)]
pub struct TaskLinks {
    pub status: String,
}

/// `DELETE /admin/user/{username}`: DC's LongTaskSubmission (the deletion
/// is already complete).
#[derive(Serialize, ToSchema)]
pub struct LongTaskSubmission {
    pub id: String,
    pub links: TaskLinks,
}

/// `PUT /admin/user/{username}`: the fields to change (at least one).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"fullName": "Ada King", "email": "ada.king@example.com"}))]
#[serde(rename_all = "camelCase")]
pub struct DcUserUpdate {
    #[schema(nullable = false)]
    full_name: Option<String>,
    #[schema(nullable = false)]
    email: Option<String>,
}

/// A message as DC's long tasks carry them.
#[derive(Serialize, ToSchema)]
#[schema(as = DcMessage)]
pub struct TaskMessage {
    pub key: String,
    /// Always empty (DC's description types the items as objects).
    pub args: Vec<String>,
    pub translation: String,
}

/// `GET /longtask/{id}`: DC's LongTaskStatus. roster's tasks are finished
/// when submitted.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LongTaskStatus {
    pub id: String,
    pub name: TaskMessage,
    /// Milliseconds the work took.
    pub elapsed_time: i64,
    pub percentage_complete: u32,
    pub successful: bool,
    pub finished: bool,
    pub messages: Vec<TaskMessage>,
}

/// `POST /admin/user/{username}/password`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"password": "correct horse battery staple"}))]
pub struct DcPassword {
    password: String,
}

/// `POST /user/current/password`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"oldPassword": "correct horse battery staple", "newPassword": "tr0ub4dor&3"}))]
#[serde(rename_all = "camelCase")]
pub struct DcPasswordChange {
    old_password: String,
    new_password: String,
}

/// `POST /admin/group`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"name": "qa-team", "type": "group"}))]
pub struct DcNewGroup {
    name: String,
    /// `group` when given.
    #[serde(rename = "type")]
    #[schema(nullable = false)]
    kind: Option<String>,
}

/// `POST /group/{groupName}/member`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"name": "grace"}))]
pub struct DcMemberName {
    /// The username to add.
    name: String,
}
