//! The wire types of the Extender dialect (`/rest/extender/1.0`, also
//! under `/confluence`): what `extender/render.rs`, `bulk.rs`, `groups.rs`
//! and `users.rs` build and answer (described from the same definitions),
//! and the bodies they parse (those only describe). Extender answers go
//! out with their keys sorted (`extender::reply`), whatever the order here.

use serde::Serialize;
use utoipa::ToSchema;

use super::common::BusinessDetails;

/// `personal` of an extended user.
#[derive(Serialize, ToSchema)]
pub struct ExtenderPersonal {
    pub website: String,
    pub im: String,
    pub phone: String,
}

/// A user at the requested detail level: `name` only; `showBasicDetails`
/// adds `fullName`, `key`, `email`; `showExtendedDetails` adds the rest.
/// Each date is epoch milliseconds or null, with a `...String` twin in
/// `dateFormat`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExtenderUser {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub full_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub key: Option<String>,
    /// `""` unless the caller may see the address.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub business: Option<Vec<BusinessDetails>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub personal: Option<Vec<ExtenderPersonal>>,
    // The dates are absent below `showExtendedDetails`, then each a value
    // or null: an outer `None` leaves the key out.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub created_date: Option<Option<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub created_date_string: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub updated_date: Option<Option<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub updated_date_string: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub last_successful_login_date: Option<Option<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub last_successful_login_date_string: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub last_failed_login_date: Option<Option<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub last_failed_login_date_string: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub has_access_to_use_confluence: Option<bool>,
}

/// A page of users.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExtenderUserPage {
    pub total: u64,
    pub max_results: u64,
    pub start_at: u64,
    pub users: Vec<ExtenderUser>,
    pub status: String,
}

/// `group/getGroups`: a page of group names.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExtenderGroupNames {
    pub total: u64,
    pub max_results: u64,
    pub start_at: u64,
    pub groups: Vec<String>,
    pub message: String,
    pub status: String,
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

        impl $name {
            /// A successful call's outcome.
            pub fn new($done: Vec<String>, $skipped: Vec<String>, message: String) -> Self {
                $name { $done, $skipped, message, status: "success".into() }
            }
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
    pub name: String,
    pub key: String,
    pub message: String,
    pub status: String,
}

/// `user/activate`, `user/deactivate`.
#[derive(Serialize, ToSchema)]
pub struct ExtenderMessage {
    pub message: String,
    pub status: String,
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
