//! Documentation types of the Extender dialect (`/rest/extender/1.0`, also
//! under `/confluence`): what `extender/render.rs`, `bulk.rs` and
//! `users.rs` answer, and the bodies they parse.

use serde::Serialize;
use utoipa::ToSchema;

use super::common::BusinessDetails;

/// `personal` of an extended user.
#[derive(Serialize, ToSchema)]
pub struct ExtenderPersonal {
    website: String,
    im: String,
    phone: String,
}

/// A user at the requested detail level: `name` only; `showBasicDetails`
/// adds `fullName`, `key`, `email`; `showExtendedDetails` adds the rest.
/// Each date is epoch milliseconds or null, with a `...String` twin in
/// `dateFormat`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExtenderUser {
    name: String,
    #[schema(nullable = false)]
    full_name: Option<String>,
    #[schema(nullable = false)]
    key: Option<String>,
    /// `""` unless the caller may see the address.
    #[schema(nullable = false)]
    email: Option<String>,
    #[schema(nullable = false)]
    business: Option<Vec<BusinessDetails>>,
    #[schema(nullable = false)]
    personal: Option<Vec<ExtenderPersonal>>,
    created_date: Option<i64>,
    created_date_string: Option<String>,
    updated_date: Option<i64>,
    updated_date_string: Option<String>,
    last_successful_login_date: Option<i64>,
    last_successful_login_date_string: Option<String>,
    last_failed_login_date: Option<i64>,
    last_failed_login_date_string: Option<String>,
    #[schema(nullable = false)]
    has_access_to_use_confluence: Option<bool>,
}

/// A page of users.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExtenderUserPage {
    total: u64,
    max_results: u64,
    start_at: u64,
    users: Vec<ExtenderUser>,
    status: String,
}

/// `group/getGroups`: a page of group names.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExtenderGroupNames {
    total: u64,
    max_results: u64,
    start_at: u64,
    groups: Vec<String>,
    message: String,
    status: String,
}

/// `group/addGroups`, `group/removeGroups`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"groups": ["qa-team", "release-managers"]}))]
pub struct ExtenderGroupList {
    /// At least one name.
    #[schema(min_items = 1)]
    groups: Vec<String>,
}

/// `group/addUsers/{group}`, `group/removeUsers/{group}`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"users": ["ada", "grace"]}))]
pub struct ExtenderUserList {
    /// At least one username.
    #[schema(min_items = 1)]
    users: Vec<String>,
}

macro_rules! outcome {
    ($(#[$doc:meta])* $name:ident, $done:ident, $skipped:ident) => {
        $(#[$doc])*
        #[derive(Serialize, ToSchema)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            $done: Vec<String>,
            $skipped: Vec<String>,
            message: String,
            status: String,
        }
    };
}

outcome!(
    /// What `addGroups` created and skipped.
    ExtenderGroupsAdded, groups_added, groups_skipped
);
outcome!(
    /// What `removeGroups` deleted and skipped.
    ExtenderGroupsRemoved, groups_removed, groups_skipped
);
outcome!(
    /// Whom `addUsers` added and skipped.
    ExtenderUsersAdded, users_added, users_skipped
);
outcome!(
    /// Whom `removeUsers` removed and skipped.
    ExtenderUsersRemoved, users_removed, users_skipped
);

/// `user/add`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"name": "lin", "fullName": "Lin Wei", "email": "lin@example.com",
                          "password": "correct horse battery staple", "groups": ["developers"]}))]
#[serde(rename_all = "camelCase")]
pub struct ExtenderNewUser {
    name: String,
    full_name: String,
    email: String,
    #[schema(nullable = false)]
    password: Option<String>,
    /// Accepted and ignored.
    #[schema(nullable = false)]
    send_mail: Option<bool>,
    /// Exactly these groups (all must exist); without it, the default
    /// access group.
    #[schema(nullable = false)]
    groups: Option<Vec<String>>,
}

/// `user/add`: the new user.
#[derive(Serialize, ToSchema)]
pub struct ExtenderUserAdded {
    name: String,
    key: String,
    message: String,
    status: String,
}

/// `user/activate`, `user/deactivate`.
#[derive(Serialize, ToSchema)]
pub struct ExtenderMessage {
    message: String,
    status: String,
}

/// `startAt`/`maxResults` (the latter clamped to 1000 and echoed).
#[derive(Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct ExtenderPaging {
    /// Index of the first result (default 0).
    start_at: Option<u64>,
    /// Results per page (at most 1000).
    max_results: Option<u64>,
}

/// The detail level and date format of user objects.
#[derive(Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct ExtenderDetail {
    /// Adds `fullName`, `key` and `email`.
    show_basic_details: Option<bool>,
    /// Adds the profile, the dates and `hasAccessToUseConfluence`.
    show_extended_details: Option<bool>,
    /// A Java `SimpleDateFormat` pattern for the `...String` dates
    /// (default `yyyy-MM-dd HH:mm:ss`); an invalid one is a 400.
    #[param(example = "yyyy-MM-dd")]
    date_format: Option<String>,
}
