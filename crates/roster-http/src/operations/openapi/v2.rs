//! Types of the Cloud REST v2 dialect (`/wiki/api/v2`): the request bodies
//! `dialects/v2` parses and the objects it answers, which are these types
//! serialized (nothing of v2 is written by hand). Names and field order
//! follow Atlassian's v2 description (`User`, `MultiEntityLinks`, `Icon`,
//! `CheckAccessOrInviteByEmailRequest`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Most account ids one `POST /users-bulk` may name.
pub const MAX_ACCOUNT_IDS: usize = 250;

/// Most addresses one `check-access-by-email` or `invite-by-email` may name.
pub const MAX_EMAILS: usize = 100;

/// `POST /users-bulk`. Unknown fields are ignored.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V2BulkUsersRequest, example = json!({"accountIds": ["5b10ac8d82e05b22cc7d4ef5"]}))]
pub struct AccountIds {
    /// Unknown ids are left out of the answer.
    #[schema(min_items = 1, max_items = 250)]
    pub account_ids: Vec<String>,
}

/// `POST /user/access/check-access-by-email`, `POST /user/access/invite-by-email`.
/// Unknown fields are ignored.
#[derive(Deserialize, ToSchema)]
#[schema(as = V2EmailsRequest, example = json!({"emails": ["ann@example.com"]}))]
pub struct Emails {
    #[schema(min_items = 1, max_items = 100)]
    pub emails: Vec<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = V2AccountStatus)]
pub enum AccountStatus {
    Active,
    Inactive,
}

/// The avatar (`Icon`): roster's default one for every user.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V2Icon)]
pub struct Icon {
    pub path: String,
    pub is_default: bool,
}

/// A user as v2 shows one.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V2User)]
pub struct User {
    pub display_name: String,
    /// An IANA time zone name (`Europe/Berlin`); null when unknown.
    pub time_zone: Option<String>,
    /// Null: roster has no spaces.
    pub personal_space_id: Option<String>,
    pub is_external_collaborator: bool,
    #[schema(inline)]
    pub account_status: AccountStatus,
    pub account_id: String,
    /// `""` unless the caller is a site admin or the user themself.
    pub email: String,
    /// `atlassian`, `app` or `customer`.
    pub account_type: String,
    pub public_name: String,
    pub profile_picture: Icon,
}

/// `_links` of a v2 collection (`MultiEntityLinks`); `next` only when
/// more results exist, which a bulk lookup never leaves.
#[derive(Serialize, ToSchema)]
#[schema(as = V2Links)]
pub struct Links {
    /// The site's base URL (`…/wiki`).
    pub base: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub next: Option<String>,
}

/// `POST /users-bulk`: the users found, in the order asked, each once.
#[derive(Serialize, ToSchema)]
#[schema(as = V2UserLookup)]
pub struct UserLookup {
    pub results: Vec<User>,
    #[serde(rename = "_links")]
    pub links: Links,
}

/// `POST /user/access/check-access-by-email`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V2AccessCheck)]
pub struct AccessCheck {
    /// Well-formed addresses of no account, or of one that may not use the site.
    pub emails_without_access: Vec<String>,
    /// Addresses not of the form `name@domain`.
    pub invalid_emails: Vec<String>,
}

/// Every v2 error answer: Atlassian's v2 error envelope.
#[derive(Serialize, ToSchema)]
#[schema(as = V2Error)]
pub struct ErrorBody {
    /// Always one entry.
    pub errors: Vec<ErrorEntry>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = V2ErrorEntry)]
pub struct ErrorEntry {
    /// The HTTP status again.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// The status as a word, e.g. `NOT_FOUND`, `INVALID_REQUEST_PARAMETER`.
    pub code: String,
    /// What went wrong, naming the offending field for a 400.
    pub title: String,
    /// Always null.
    pub detail: Option<String>,
}
