"""atlassian-python-api against roster's Confluence Cloud REST v1 (/wiki/rest/api).

Runs with both 5.0.5 and 4.0.7: uses the library's Cloud-flavoured client
(`cloud=True`) and, for the endpoints the library has no method for, its
generic get/post/delete helpers, as real users do. Every check raises on
failure; the script exits non-zero on the first one.
"""
import os
import sys
import uuid

import requests
from atlassian import Confluence

URL = os.environ["ROSTER_URL"]
TOKEN = os.environ["ROSTER_TOKEN"]
VERSION = __import__("importlib.metadata").metadata.version("atlassian-python-api")

c = Confluence(url=URL + "/wiki", username="admin@example.com", password=TOKEN, cloud=True)
ACCOUNTS = ["compat-user-1", "compat-user-2", "compat-user-3"]


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)
    print("ok:", what)


def status_of(fn):
    try:
        fn()
    except requests.HTTPError as e:
        return e.response.status_code
    except Exception as e:  # the library re-raises as ApiError subclasses
        reason = getattr(e, "reason", None)
        resp = getattr(reason, "response", None) or getattr(e, "response", None)
        return getattr(resp, "status_code", None)
    return 200


# list groups
groups = c.get("rest/api/group", params={"start": 0, "limit": 1000})
check("confluence-users" in [g["name"] for g in groups["results"]], "list groups")
check(groups["limit"] == 200, "the effective (clamped) limit is echoed")

# create a group with an awkward name
name = "compat team/" + uuid.uuid4().hex[:6] + " +x"
created = c.post("rest/api/group", data={"name": name})
check(created["name"] == name and created["type"] == "group", "create group")
gid = created["id"]
check(c.get("rest/api/group/by-name", params={"name": name})["id"] == gid, "group by name")

# add members
for acc in ACCOUNTS:
    c.post("rest/api/group/user", params={"name": name}, data={"accountId": acc})
check(True, "add three members")

# page members (library method on 5.x Cloud; generic on 4.x)
if hasattr(c, "get_group_members") and VERSION.startswith("5"):
    page = c.get_group_members(gid, start=0, limit=2)
    check(len(page["results"]) == 2 and "next" in page["_links"], "first page of members by group id")
    # 5.x's get_all_members(group_id) asks for limit=1000, which Atlassian's description of
    # membersByGroupId answers with 400 ("Returned if given limit is greater than 200"), and so
    # does roster: the library raises, as it would against Confluence Cloud.
    check(status_of(lambda: c.get_all_members(gid)) == 400, "get_all_members' limit=1000 is the documented 400")
    allm = c.get_group_members(gid, start=0, limit=200)["results"]
    check(sorted(m["accountId"] for m in allm) == ACCOUNTS, "all members by group id, limit=200")
page = c.get("rest/api/group/member", params={"name": name, "start": 2, "limit": 2})
check([m["accountId"] for m in page["results"]] == ACCOUNTS[2:], "last page of members by name")
check("next" not in page["_links"], "no next link on the last page")

# memberof
mo = c.get("rest/api/user/memberof", params={"accountId": ACCOUNTS[0]})
check(name in [g["name"] for g in mo["results"]], "memberof shows the new group")

# bulk lookup, repeated and comma-joined
if not VERSION.startswith("4"):  # 4.x urlencodes a list as its Python repr; callers join ids themselves
    bulk = c.get("rest/api/user/bulk", params={"accountId": ACCOUNTS})
    check([u["accountId"] for u in bulk["results"]] == ACCOUNTS, "bulk lookup with repeated ids")
bulk = c.get("rest/api/user/bulk", params={"accountId": ",".join(ACCOUNTS)})
check(len(bulk["results"]) == 3, "bulk lookup with comma-joined ids")

# remove a member, then delete the group
c.delete("rest/api/group/user", params={"name": name, "accountId": ACCOUNTS[0]})
mo = c.get("rest/api/user/memberof", params={"accountId": ACCOUNTS[0]})
check(name not in [g["name"] for g in mo["results"]], "remove member")
check(status_of(lambda: c.delete("rest/api/group/user", params={"name": name, "accountId": ACCOUNTS[0]})) == 200,
      "removing a non-member succeeds (204, as Atlassian documents), so the client raises nothing")
check(status_of(lambda: c.delete("rest/api/group/user", params={"name": name, "accountId": "ghost"})) == 404,
      "removing an unknown user is a 404 the client raises")
admins = c.get("rest/api/group", params={"accessType": "admin"})
check([g["name"] for g in admins["results"]] == ["site-admins"], "accessType=admin lists the admin groups")
c.delete("rest/api/group", params={"name": name})
check(status_of(lambda: c.get("rest/api/group/by-name", params={"name": name})) == 404, "delete group")

# a wrong token is refused
bad = Confluence(url=URL + "/wiki", username="admin@example.com", password="wrong", cloud=True)
check(status_of(lambda: bad.get("rest/api/group")) == 401, "a wrong token is a 401")
print("atlassian-python-api", VERSION, "cloud: all checks passed")
