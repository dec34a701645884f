"""A module whose tests need another directory: the roster_seed marker gives
them a roster of their own, seeded from newcomers.yaml (relative to this
file), kept for the rest of the session beside the default one."""
import pytest

pytestmark = pytest.mark.roster_seed("newcomers.yaml")


def test_this_roster_holds_the_newcomers(roster):
    assert roster.seeds[-1].endswith("newcomers.yaml")
    page = roster.call("GET", "/wiki/rest/api/group/member", params={"name": "newcomers"})
    assert sorted(u["accountId"] for u in page["results"]) == [roster.user("cy").account_id]
    assert roster.request("GET", "/wiki/rest/api/group/by-name", params={"name": "engineering"})[0] == 404
    with pytest.raises(KeyError):
        roster.user("ann")


def test_its_users_sign_in_too(roster_reset):
    cy = roster_reset.user("cy")
    me = roster_reset.call("GET", "/rest/api/user/current", auth=cy)
    assert (me["username"], me["displayName"]) == ("cy", "Cy Newcomer")
