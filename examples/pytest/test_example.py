"""Two tests that change the directory; each starts from the seed."""


def members(roster, group):
    page = roster.call("GET", f"/wiki/rest/api/group/member?name={group}")
    return sorted(u["accountId"] for u in page["results"])


def test_adding_bo_to_engineering(clean_roster):
    clean_roster.call("POST", "/wiki/rest/api/group/user?name=engineering", {"accountId": "example-bo"})
    assert members(clean_roster, "engineering") == ["example-ann", "example-bo"]


def test_engineering_starts_from_the_seed_again(clean_roster):
    assert members(clean_roster, "engineering") == ["example-ann"]
    clean_roster.call("DELETE", "/wiki/rest/api/group?name=engineering")


def test_the_diff_says_exactly_what_changed(clean_roster):
    clean_roster.call("POST", "/wiki/rest/api/group", {"name": "sync-target"})
    clean_roster.call("POST", "/wiki/rest/api/group/user?name=sync-target", {"accountId": "example-bo"})
    diff = clean_roster.call("GET", "/rest/roster/1.0/diff")
    assert diff["groups"] == {"created": ["sync-target"], "deleted": []}
    assert [(m["group"], m["accountId"]) for m in diff["memberships"]["added"]] == [("sync-target", "example-bo")]
    assert diff["memberships"]["removed"] == []
    assert diff["users"]["added"] == []
