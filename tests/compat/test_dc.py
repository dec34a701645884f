"""atlassian-python-api's Data Center flavour (`cloud=False`) against roster's
/rest/api, with 5.0.5 (POST/DELETE /group/{g}/member) and 4.0.7 (PUT/DELETE
/user/{u}/group/{g}). Library methods only, called with keyword arguments
(their order differs between the versions). Exits non-zero on the first
failed check.
"""
import os
import sys
import uuid

from atlassian import Confluence

URL = os.environ["ROSTER_URL"]
TOKEN = os.environ["ROSTER_TOKEN"]
VERSION = __import__("importlib.metadata").metadata.version("atlassian-python-api")
USERS = ["one", "three", "two"]  # usernames generated from the seeded e-mail addresses

c = Confluence(url=URL, username="admin", password=TOKEN, cloud=False)


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)
    print("ok:", what)


def raises_status(fn):
    try:
        fn()
    except Exception as e:  # HTTPError, or the library's ApiError wrapping one
        for cand in (e, getattr(e, "reason", None)):
            resp = getattr(cand, "response", None)
            if resp is not None:
                return resp.status_code
        return -1
    return None


groups = c.get_all_groups(start=0, limit=1000)
check("confluence-users" in [g["name"] for g in groups], "list groups")

user = c.get_user_details_by_username(username="one", expand="status")
check(user["username"] == "one" and user["status"] == "Active" and user["userKey"], "user details by username")

name = "dc-compat-" + uuid.uuid4().hex[:6]
c.create_group(name=name)
check(name in [g["name"] for g in c.get_all_groups()], "create group")

for u in USERS:
    c.add_user_to_group(group_name=name, username=u)
c.add_user_to_group(group_name=name, username="one")  # idempotent
members = c.get_all_members(group_name=name)
check(sorted(m["username"] for m in members) == USERS, "add members (repeat is a no-op), get_all_members")

page = c.get_group_members(group_name=name, start=0, limit=2)
results = page["results"] if isinstance(page, dict) else page
check(len(results) == 2, "a page of two members")
page = c.get_group_members(group_name=name, start=2, limit=2)
results = page["results"] if isinstance(page, dict) else page
check(len(results) == 1, "the last page")

c.remove_user_from_group(group_name=name, username="two")
members = c.get_all_members(group_name=name)
check(sorted(m["username"] for m in members) == ["one", "three"], "remove a member")

c.remove_group(name=name)
check(name not in [g["name"] for g in c.get_all_groups()], "delete group")

status = raises_status(lambda: c.get_user_details_by_username(username="nobody-here"))
check(status == 404, "an unknown user is a 404 the client raises")
print("atlassian-python-api", VERSION, "dc: all checks passed")
