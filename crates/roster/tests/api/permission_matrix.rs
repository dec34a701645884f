//! The permission matrix, generated from the OpenAPI description: every
//! operation the server describes has one decided requirement in
//! [`NEEDS`], and every operation is called by every kind of caller
//! (anonymous, signed in without product access, deactivated, plain user,
//! site admin) with a request that would succeed for a site admin. A route
//! added without a decision fails here, and so does a decision for a route
//! that is gone.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::Method;
use roster_core::directory::{Joins, UserInput};
use serde_json::Value;

use crate::described::{described, Described};
use crate::helpers::{assert_error, assert_v2_error, basic, Api, TestApp};

/// What a caller needs to be answered.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Need {
    /// No credentials needed (health, metrics, the description itself).
    Public,
    /// Any active account with product access.
    Read,
    /// Product access, and the target is the caller (or the caller is a
    /// site admin); the request names someone else.
    OwnOrAdmin,
    /// Any active signed-in account, product access or not.
    SelfService,
    /// Site admins.
    Admin,
}

use Need::*;

/// One operation: its requirement, then what a request needs beyond the
/// description's path: path values other than the defaults
/// (`name=value;...`, see [`DEFAULT_PATH`]), the query string and the JSON
/// body, with `{placeholders}` from the fixture.
struct Op {
    id: &'static str,
    need: Need,
    path: &'static str,
    query: &'static str,
    body: &'static str,
}

const fn op(id: &'static str, need: Need, path: &'static str, query: &'static str, body: &'static str) -> Op {
    Op { id, need, path, query, body }
}

/// Path parameters not named by an operation's own `path` field.
const DEFAULT_PATH: &[(&str, &str)] =
    &[("group", "crew"), ("username", "target"), ("user", "target"), ("id", "{spare}")];

/// The password every fixture account has (self-service changes it to itself).
const PASSWORD: &str = "correct horse battery staple";

/// One decision per operation id. The `/confluence` copies of DC and
/// Extender (`confluence_<id>`) are the same handlers and share the decision.
const NEEDS: &[Op] = &[
    // Cloud v1.
    op("cloudGetAuditRecords", Admin, "", "", ""),
    op("cloudGetGroups", Read, "", "", ""),
    op("cloudCreateGroup", Admin, "", "", r#"{"name": "brand-new"}"#),
    op("cloudDeleteGroup", Admin, "", "?name=victim", ""),
    op("cloudGetGroupById", Read, "", "?id={crew}", ""),
    op("cloudDeleteGroupById", Admin, "", "?id={victim}", ""),
    op("cloudGetGroupByName", Read, "", "?name=crew", ""),
    op("cloudGetGroupMembers", Read, "", "?name=crew", ""),
    op("cloudPickGroups", Read, "", "?query=cr", ""),
    op("cloudAddMember", Admin, "", "?name=crew", r#"{"accountId": "{joiner}"}"#),
    op("cloudRemoveMember", Admin, "", "?name=crew&accountId={target}", ""),
    op("cloudAddMemberById", Admin, "", "?groupId={crew}", r#"{"accountId": "{joiner}"}"#),
    op("cloudRemoveMemberById", Admin, "", "?groupId={crew}&accountId={target}", ""),
    op("cloudGetGroup", Read, "", "", ""),
    op("cloudGetGroupMembersByPath", Read, "", "", ""),
    op("cloudGetGroupMembersById", Read, "group={crew}", "", ""),
    op("cloudSearchUsers", Read, "", "?cql=type%3Duser", ""),
    op("cloudGetUser", Read, "", "?accountId={target}", ""),
    op("cloudGetAnonymousUser", Read, "", "", ""),
    op("cloudGetCurrentUser", Read, "", "", ""),
    op("cloudGetUsersBulk", Read, "", "?accountId={target}", ""),
    op("cloudGetUserMigration", Admin, "", "?username=target", ""),
    op("cloudGetUserEmail", OwnOrAdmin, "", "?accountId={target}", ""),
    op("cloudGetUserEmailsBulk", Read, "", "?accountId={target}", ""),
    op("cloudGetUserGroups", Read, "", "?accountId={target}", ""),
    // Cloud v2: refusals are 404 there (see `refusal`).
    op("v2CreateBulkUserLookup", Read, "", "", r#"{"accountIds": ["{target}"]}"#),
    op("v2CheckAccessByEmail", Read, "", "", r#"{"emails": ["target@example.com", "nobody@example.com"]}"#),
    op("v2InviteByEmail", Admin, "", "", r#"{"emails": ["invitee@example.com", "outsider@example.com"]}"#),
    // Data Center core REST.
    op("dcGetGroups", Read, "", "", ""),
    op("dcGetGroup", Read, "", "", ""),
    op("dcCreateGroup", Admin, "", "", r#"{"name": "brand-new", "type": "group"}"#),
    op("dcDeleteGroup", Admin, "group=victim", "", ""),
    op("dcGetGroupMembers", Read, "", "", ""),
    op("dcAddMember", Admin, "", "", r#"{"name": "joiner"}"#),
    op("dcRemoveMember", Admin, "", "", ""),
    op("dcAddMembership", Admin, "username=joiner", "", ""),
    op("dcRemoveMembership", Admin, "", "", ""),
    op("dcGetUser", Read, "", "?username=target", ""),
    op("dcGetAnonymousUser", Read, "", "", ""),
    op("dcGetCurrentUser", Read, "", "", ""),
    op("dcGetUsers", Read, "", "", ""),
    op("dcGetUserGroups", Read, "", "?username=target", ""),
    op("dcChangeOwnPassword", SelfService, "", "", r#"{"oldPassword": "{password}", "newPassword": "{password}"}"#),
    op(
        "dcCreateUser",
        Admin,
        "",
        "",
        r#"{"userName": "newbie", "fullName": "New Bie", "email": "newbie@example.com", "password": "{password}"}"#,
    ),
    op("dcDeleteUser", Admin, "", "", ""),
    op("dcDisableUser", Admin, "", "", ""),
    op("dcEnableUser", Admin, "", "", ""),
    op("dcSetPassword", Admin, "", "", r#"{"password": "{password}"}"#),
    op("dcUpdateUser", Admin, "", "", r#"{"fullName": "Target Renamed"}"#),
    op("dcGetActiveUsers", Admin, "", "", ""),
    op("dcGetLongTask", Admin, "id={task}", "", ""),
    // Extender.
    op("extenderGetGroups", Read, "", "", ""),
    op("extenderGetGroupUsers", Read, "", "", ""),
    op("extenderAddGroups", Admin, "", "", r#"{"groups": ["brand-new"]}"#),
    op("extenderRemoveGroups", Admin, "", "", r#"{"groups": ["victim"]}"#),
    op("extenderAddUsers", Admin, "", "", r#"{"users": ["joiner"]}"#),
    op("extenderRemoveUsers", Admin, "", "", r#"{"users": ["target"]}"#),
    op("extenderGetUsers", Admin, "", "", ""),
    op("extenderGetUsersWithAccess", Admin, "", "", ""),
    op("extenderGetUserDetails", Admin, "", "", ""),
    op("extenderAddUser", Admin, "", "", r#"{"name": "newbie", "fullName": "New Bie", "email": "newbie@example.com"}"#),
    op(
        "extenderAddUser_put",
        Admin,
        "",
        "",
        r#"{"name": "newbie", "fullName": "New Bie", "email": "newbie@example.com"}"#,
    ),
    op("extenderActivateUser", Admin, "", "", ""),
    op("extenderDeactivateUser", Admin, "", "", ""),
    // roster's own.
    op("healthz", Public, "", "", ""),
    op("readyz", Public, "", "", ""),
    op("metrics", Public, "", "", ""),
    op("openapiDescription", Public, "", "", ""),
    op("fixtureSchema", Public, "", "", ""),
    op("listSnapshots", Admin, "", "", ""),
    op("takeSnapshot", Admin, "", "", ""),
    op("restoreSnapshot", Admin, "", "", ""),
    op("deleteSnapshot", Admin, "", "", ""),
    op("reset", Admin, "", "", r#"{"snapshot": "{spare}"}"#),
    op("diff", Admin, "", "", ""),
    op("downloadSnapshot", Admin, "", "", ""),
    op(
        "loadSnapshot",
        Admin,
        "",
        "?name=matrix&restore=false",
        r#"{"format": "roster-snapshot", "version": 1, "createdDate": 0, "users": [], "groups": [], "memberships": [], "tokens": []}"#,
    ),
    op("listRequests", Admin, "", "?method=GET", ""),
    op("countRequests", Admin, "", "", r#"{"method": "POST"}"#),
    op("clearRequests", Admin, "", "", ""),
    op("getJournalSettings", Admin, "", "", ""),
    op("setJournalSettings", Admin, "", "", r#"{"enabled": true, "size": 100}"#),
    // A rule no request of the matrix matches.
    op("listFaults", Admin, "", "", ""),
    op("addFaults", Admin, "", "", r#"{"path": "/never/*", "action": "drop"}"#),
    op("clearFaults", Admin, "", "", ""),
    op("deleteFault", Admin, "id={fault}", "", ""),
    // The console's user administration.
    op("findUsers", Admin, "", "?query=target", ""),
    op("getAdminUser", Admin, "accountId={target}", "", ""),
    op("issueUserToken", Admin, "accountId={target}", "", r#"{"label": "matrix"}"#),
    op("revokeUserTokens", Admin, "accountId={target}", "", ""),
    op("findGroupMembers", Admin, "", "?name=crew&filter=target", ""),
];

/// The decision for a described operation id.
fn need_of(id: &str) -> Option<&'static Op> {
    let own = id.strip_prefix("confluence_").unwrap_or(id);
    NEEDS.iter().find(|o| o.id == own)
}

#[tokio::test]
async fn every_described_operation_has_exactly_one_decided_requirement() {
    let app = TestApp::spawn().await;
    let ops = described(&app).await;
    let undecided: Vec<_> = ops
        .iter()
        .filter(|d| need_of(&d.id).is_none())
        .map(|d| format!("{} {} ({})", d.method, d.path, d.id))
        .collect();
    assert!(undecided.is_empty(), "operations without a requirement in NEEDS: {undecided:#?}");
    let listed: BTreeSet<&str> = ops.iter().map(|d| d.id.strip_prefix("confluence_").unwrap_or(&d.id)).collect();
    let stale: Vec<_> = NEEDS.iter().map(|o| o.id).filter(|id| !listed.contains(id)).collect();
    assert!(stale.is_empty(), "NEEDS decides operations the description does not have: {stale:?}");
    let mut seen = BTreeSet::new();
    let twice: Vec<_> = NEEDS.iter().map(|o| o.id).filter(|id| !seen.insert(*id)).collect();
    assert!(twice.is_empty(), "decided twice: {twice:?}");
}

/// The callers, each signed in with a token of its own.
struct Callers {
    anon: Api,
    no_access: Api,
    deactivated: Api,
    plain: Api,
    admin: Api,
}

/// An account with `groups`, the fixture password and a token; returns
/// its account id and a client.
async fn account(app: &TestApp, name: &str, groups: &[&str], active: bool) -> (String, Api) {
    let input = UserInput {
        display_name: format!("{name} Tester"),
        email: format!("{name}@example.com"),
        username: Some(name.into()),
        password: Some(PASSWORD.into()),
        active: true,
        ..UserInput::default()
    };
    let groups = groups.iter().map(|g| g.to_string()).collect();
    let u = app.system().create_user(&input, Joins::Groups(groups)).await.unwrap();
    let token = app.system().issue_token(u.id, "matrix").await.unwrap();
    if !active {
        app.system().set_active(u.id, false, "active").await.unwrap();
    }
    (u.account_id.to_string(), app.with_auth(&basic(&format!("{name}@example.com"), &token)))
}

/// Groups `crew` (target in it), `victim` and `outsiders`, users `target`
/// and `joiner`, the callers, and two snapshots of it all: `{base}` to
/// return to after each admin write, `{spare}` for the snapshot routes;
/// a fault rule `{fault}` that matches no request; and `{task}`, the long
/// task of deleting a user `doomed`.
async fn fixture(app: &TestApp) -> (Callers, BTreeMap<&'static str, String>) {
    for g in ["crew", "victim", "outsiders", "confluence-users", "confluence-administrators"] {
        if !app.view().group_name_taken(g) {
            app.system().create_group(g).await.unwrap();
        }
    }
    let (target, _) = account(app, "target", &["confluence-users", "crew"], true).await;
    let (joiner, _) = account(app, "joiner", &["confluence-users"], true).await;
    let callers = Callers {
        anon: app.anon(),
        no_access: account(app, "outsider", &["outsiders"], true).await.1,
        deactivated: account(app, "sleeper", &["confluence-users"], false).await.1,
        plain: account(app, "plain", &["confluence-users"], true).await.1,
        admin: account(app, "boss", &["confluence-users", "confluence-administrators"], true).await.1,
    };
    let uuid = |name: &str| app.view().group_by_name(name).unwrap().group.uuid.to_string();
    let mut values = BTreeMap::from([
        ("{target}", target),
        ("{joiner}", joiner),
        ("{crew}", uuid("crew")),
        ("{victim}", uuid("victim")),
        ("{password}", PASSWORD.to_string()),
    ]);
    let r = callers
        .admin
        .send(Method::POST, "/rest/roster/1.0/faults", Some(&serde_json::json!({"path": "/never", "action": "drop"})))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    values.insert("{fault}", r.body["results"][0]["id"].to_string());
    account(app, "doomed", &["confluence-users"], true).await;
    let r = callers.admin.send(Method::DELETE, "/rest/api/admin/user/doomed", None).await;
    assert_eq!(r.status, 202, "{}", r.text);
    values.insert("{task}", r.body["id"].as_str().unwrap().to_string());
    for name in ["{base}", "{spare}"] {
        let r = callers.admin.send(Method::POST, "/rest/roster/1.0/snapshots", None).await;
        assert_eq!(r.status, 201, "{}", r.text);
        values.insert(name, r.body["id"].to_string());
    }
    (callers, values)
}

fn fill(text: &str, values: &BTreeMap<&str, String>) -> String {
    values.iter().fold(text.to_string(), |t, (k, v)| t.replace(k, v))
}

/// The request for `d`: path values filled, query and body from its row.
fn request(d: &Described, op: &Op, values: &BTreeMap<&str, String>) -> (String, Option<Value>) {
    let own: Vec<(&str, &str)> = op.path.split(';').filter_map(|kv| kv.split_once('=')).collect();
    let mut path = d.path.clone();
    for (name, value) in own.iter().chain(DEFAULT_PATH) {
        path = path.replace(&format!("{{{name}}}"), value);
    }
    let url = fill(&format!("{path}{}", op.query), values);
    assert!(!url.contains('{'), "{}: a parameter has no value: {url}", d.id);
    let body = (!op.body.is_empty()).then(|| serde_json::from_str(&fill(op.body, values)).unwrap());
    (url, body)
}

/// The kinds of caller.
#[derive(Clone, Copy, Debug)]
enum Who {
    Anonymous,
    /// Anonymous, on a server with `anonymous_access` on.
    AnonymousOpen,
    /// Signed in, in no access group.
    NoAccess,
    Deactivated,
    /// In `confluence-users`.
    Plain,
    SiteAdmin,
}

use Who::*;

/// The status a signed-in caller without the permission hears on `path`:
/// 403, but 404 in Cloud v2, whose description lists only that
/// (docs/dialects/cloud-v2.md).
fn refusal(path: &str) -> u16 {
    if path.starts_with("/wiki/api/v2/") {
        404
    } else {
        403
    }
}

/// What `who` must be answered for `need`, refused with `refused`:
/// `Ok(())` or the violation.
fn judge(who: Who, need: Need, status: u16, refused: u16) -> Result<(), String> {
    let ok = (200..300).contains(&status);
    let fine = match (who, need) {
        (_, Public) => ok,
        (Anonymous, _) => status == 401,
        (AnonymousOpen, Read) => ok,
        // Reading is open, but nobody's address is the anonymous caller's own.
        (AnonymousOpen, OwnOrAdmin) => status == refused,
        (AnonymousOpen, _) => status == 401,
        (NoAccess, SelfService) => ok,
        (NoAccess, _) => status == refused,
        // Signed in, but the account is off: refused on every call (docs/dialects/dc.md).
        (Deactivated, _) => status == refused,
        (Plain, Admin | OwnOrAdmin) => status == refused,
        (Plain, Read | SelfService) => ok,
        (SiteAdmin, _) => ok,
    };
    if fine {
        Ok(())
    } else {
        Err(format!("{who:?}: {need:?} answered {status}"))
    }
}

/// Users (active or not) and groups with their members: what a refused
/// write must leave alone.
fn state(app: &TestApp) -> String {
    let m = app.view();
    let users: String = m.users().map(|e| format!("{}:{};", e.user.account_id, e.user.active)).collect();
    let groups: String = m.groups_by_name().map(|g| format!("{}={};", g.group.name, g.members.len())).collect();
    format!("{users}\n{groups}")
}

/// Calls every operation as `who`, collecting the answers its requirement
/// forbids; refusals must be in the one error shape.
async fn sweep(ops: &[Described], values: &BTreeMap<&str, String>, who: Who, caller: &Api) -> Vec<String> {
    let mut violations = Vec::new();
    for d in ops {
        let op = need_of(&d.id).unwrap_or_else(|| panic!("{} is undecided", d.id));
        let (url, body) = request(d, op, values);
        let r = caller.send(d.method.clone(), &url, body.as_ref()).await;
        let status = r.status.as_u16();
        let refused = refusal(&d.path);
        if let Err(v) = judge(who, op.need, status, refused) {
            violations.push(format!("{} {url} ({}): {v}: {}", d.method, d.id, r.text));
        } else if refused == 404 && (status == 401 || status == 404) {
            assert_v2_error(&r, status);
        } else if status == 401 || status == 403 {
            assert_error(&r, status);
        }
    }
    violations
}

#[tokio::test]
async fn every_operation_answers_each_kind_of_caller_as_its_requirement_says() {
    let app = TestApp::spawn().await;
    let (callers, values) = fixture(&app).await;
    let ops = described(&app).await;
    let mut violations = Vec::new();
    let before = state(&app);
    let refused = [
        (Anonymous, &callers.anon),
        (NoAccess, &callers.no_access),
        (Deactivated, &callers.deactivated),
        (Plain, &callers.plain),
    ];
    for (who, caller) in refused {
        violations.extend(sweep(&ops, &values, who, caller).await);
        assert_eq!(state(&app), before, "{who:?}: a refused or self-service request changed the directory");
    }
    // The site admin last, deletes last, returning to the fixture after
    // each write so that the next operation finds its objects.
    let mut admin_order: Vec<&Described> = ops.iter().collect();
    // Deletes of one thing before deletes of every thing (the one fault
    // rule before all of them).
    admin_order.sort_by_key(|d| (d.method == Method::DELETE, !d.path.contains('{')));
    let restore = fill("/rest/roster/1.0/snapshots/{base}/restore", &values);
    for d in admin_order {
        violations.extend(sweep(std::slice::from_ref(d), &values, SiteAdmin, &callers.admin).await);
        if d.method != Method::GET {
            let back = callers.admin.send(Method::POST, &restore, None).await;
            assert_eq!(back.status, 200, "restoring after {}: {}", d.id, back.text);
        }
    }
    assert!(violations.is_empty(), "{} violations:\n{}", violations.len(), violations.join("\n"));
}

#[tokio::test]
async fn with_anonymous_access_on_anonymous_callers_read_but_change_nothing() {
    let app = TestApp::spawn_with(roster_core::Policy { anonymous_access: true, ..Default::default() }).await;
    let (callers, values) = fixture(&app).await;
    let ops = described(&app).await;
    let before = state(&app);
    let violations = sweep(&ops, &values, AnonymousOpen, &callers.anon).await;
    assert!(violations.is_empty(), "{} violations:\n{}", violations.len(), violations.join("\n"));
    assert_eq!(state(&app), before, "anonymous writes changed the directory");
    assert_eq!(callers.anon.get("/wiki/rest/api/user/current").await.body["type"], "anonymous");
}
