"""The roster-server pytest plugin at work (pip install roster-server).

pytest.ini names the seed (team.yaml); the plugin starts one ephemeral
roster for the session from it and stops it at the end. A test asks for:

  roster             the running server: .url, .admin, .user(name), .call(),
                     .reset(), .diff(), .journal, .faults
  roster_reset       the same server, first put back to the seed (no fault
                     rules, an empty request journal)
  roster_confluence  an atlassian.Confluence client signed in as the admin

The tests below run in file order: each of the first two changes the
directory, and the next one still starts from the seed.

    pip install roster-server atlassian-python-api && pytest examples/pytest

From a checkout, without installing the wheel (the plugin needs PyYAML):

    ROSTER_BIN=target/debug/roster PYTHONPATH=python/src pytest -p roster_server.plugin examples/pytest
"""
import pytest


def members(roster, group):
    page = roster.call("GET", "/wiki/rest/api/group/member", params={"name": group})
    return sorted(u["accountId"] for u in page["results"])


def test_adding_bo_to_engineering(roster_reset):
    roster_reset.call("POST", "/wiki/rest/api/group/user?name=engineering", {"accountId": "example-bo"})
    assert members(roster_reset, "engineering") == ["example-ann", "example-bo"]


def test_engineering_starts_from_the_seed_again(roster_reset):
    assert members(roster_reset, "engineering") == ["example-ann"]
    roster_reset.call("DELETE", "/wiki/rest/api/group?name=engineering")


def test_the_diff_says_exactly_what_changed(roster_reset):
    roster_reset.call("POST", "/wiki/rest/api/group", {"name": "sync-target"})
    roster_reset.call("POST", "/wiki/rest/api/group/user?name=sync-target", {"accountId": "example-bo"})
    diff = roster_reset.diff()
    assert diff["groups"] == {"created": ["sync-target"], "deleted": []}
    assert [(m["group"], m["accountId"]) for m in diff["memberships"]["added"]] == [("sync-target", "example-bo")]
    assert diff["memberships"]["removed"] == []
    assert diff["users"]["added"] == []


def test_a_seeded_user_signs_in_with_what_the_fixture_gives(roster):
    ann = roster.user("ann")
    assert (ann.username, ann.email, ann.account_id) == ("ann", "ann@example.com", "example-ann")
    # (e-mail, API token): the Cloud way; (username, password): the Data Center way
    assert roster.call("GET", "/wiki/rest/api/user/current", auth=ann)["accountId"] == "example-ann"
    assert roster.call("GET", "/rest/api/user/current", auth=(ann.username, ann.password))["username"] == "ann"
    # bo has neither: the fixture gives him no way to sign in
    assert roster.user("bo").secret is None
    status, _, _ = roster.request("GET", "/wiki/rest/api/user/current", auth=("ann", "wrong"))
    assert status == 401


def test_a_sync_through_atlassian_python_api(roster_reset, roster_confluence):
    roster_confluence.post("rest/api/group", data={"name": "crew"})
    for account in ("example-ann", "example-bo"):
        roster_confluence.post("rest/api/group/user", params={"name": "crew"}, data={"accountId": account})

    assert roster_reset.diff()["groups"]["created"] == ["crew"]
    # The request journal says what the client sent (the reset emptied it).
    roster_reset.journal.verify(1, method="POST", route="/wiki/rest/api/group")
    roster_reset.journal.verify(2, method="POST", route="/wiki/rest/api/group/user", status=201)
    sent = roster_reset.journal.requests(route="/wiki/rest/api/group/user")
    assert sorted(e["query"]["name"] for e in sent) == ["crew", "crew"]
    assert {e["caller"]["username"] for e in sent} == {"admin"}


def test_the_client_waits_out_a_429(roster_reset, roster_confluence):
    rule, = roster_reset.faults.add(route="/wiki/rest/api/user/memberof", action="status",
                                    status=429, retry_after=1, times=1)
    groups = roster_confluence.get("rest/api/user/memberof", params={"accountId": "example-ann"})
    assert sorted(g["name"] for g in groups["results"]) == ["confluence-users", "engineering"]
    # one refused attempt, then the library's own retry after Retry-After
    roster_reset.journal.verify(1, route="/wiki/rest/api/user/memberof", status=429, faulted=True)
    roster_reset.journal.verify(1, route="/wiki/rest/api/user/memberof", status=200)
    assert [r["fired"] for r in roster_reset.faults.list() if r["id"] == rule["id"]] == [1]


def test_a_fault_rule_is_gone_in_the_next_test(roster_reset, roster_confluence):
    # The rule above fired once and stayed listed; roster_reset removed it.
    assert roster_reset.faults.list() == []
    with roster_reset.faults.add(route="/wiki/rest/api/group", action="status", status=503):
        status, headers, _ = roster_reset.request("GET", "/wiki/rest/api/group")
        assert (status, headers.get("Retry-After")) == (503, "1")
    assert roster_reset.request("GET", "/wiki/rest/api/group")[0] == 200


@pytest.mark.roster_confluence("dc")
def test_the_data_center_flavour(roster_reset, roster_confluence):
    roster_confluence.add_user_to_group(username="bo", group_name="engineering")
    assert sorted(m["username"] for m in roster_confluence.get_all_members(group_name="engineering")) == ["ann", "bo"]
    assert roster_reset.journal.count(dialect="dc") >= 2
    assert roster_reset.journal.count(dialect="cloud") == 0
