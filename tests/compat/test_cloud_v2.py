"""atlassian-python-api 5.x against roster's Confluence Cloud REST v2 user
operations (/wiki/api/v2), through the library's own methods
(`bulk_get_users`, `check_user_access_by_email`, `invite_user_by_email`
in `confluence/cloud/admin_management.py`, on the v2 client that
`Confluence(url, api_version=2)` returns).

Every successful answer is validated against Atlassian's own v2 OpenAPI
description (`confluence-cloud-v2.openapi.json`) with jsonschema: the
response schema of the operation, and no field the description's `User`
does not name. Found at $ROSTER_V2_SPEC, else tests/contract/specs/, else
/work/shared/reference/specs/. Every check raises on failure; the script
exits non-zero on the first one.
"""
import json
import os
import sys
import uuid
import warnings
from pathlib import Path

import jsonschema
import requests
from atlassian import Confluence

URL = os.environ["ROSTER_URL"]
TOKEN = os.environ["ROSTER_TOKEN"]
ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = ["compat-user-1", "compat-user-2", "compat-user-3"]


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)
    print("ok:", what)


def spec_path():
    for p in [os.environ.get("ROSTER_V2_SPEC"),
              ROOT / "tests/contract/specs/confluence-cloud-v2.openapi.json",
              "/work/shared/reference/specs/confluence-cloud-v2.openapi.json"]:
        if p and Path(p).is_file():
            return Path(p)
    print("FAIL: Atlassian's v2 description not found (set ROSTER_V2_SPEC)")
    sys.exit(1)


SPEC = json.loads(spec_path().read_text())


def as_json_schema(node):
    """An OpenAPI 3.0 schema as JSON Schema: references inlined, `nullable`
    as a null alternative. A property whose description says it "may
    return null" or "Returns null" (User.timeZone, User.personalSpaceId)
    is nullable too: the text says so although the 3.0 schema lacks the
    keyword (docs/dialects/cloud-v2.md)."""
    if isinstance(node, list):
        return [as_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        return as_json_schema(SPEC["components"]["schemas"][name])
    out = {k: as_json_schema(v) for k, v in node.items() if k not in ("nullable", "example") and not k.startswith("x-")}
    text = (node.get("description") or "").lower()
    if node.get("nullable") or "may return null" in text or "returns null" in text:
        out = {"anyOf": [out, {"type": "null"}]}
    return out


def response_schema(path):
    op = SPEC["paths"][path]["post"]
    return as_json_schema(op["responses"]["200"]["content"]["application/json"]["schema"])


def conforms(body, path):
    jsonschema.Draft7Validator(response_schema(path)).validate(body)
    return True


with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    c = Confluence(url=URL + "/wiki", username="admin@example.com", password=TOKEN, api_version=2)
check(hasattr(c, "bulk_get_users") and hasattr(c, "invite_user_by_email"), "the v2 client has the admin-management methods")

# Bulk lookup.
found = c.bulk_get_users({"accountIds": ACCOUNTS + ["nobody", ACCOUNTS[0]]})
check([u["accountId"] for u in found["results"]] == ACCOUNTS, "bulk_get_users: found users in order, each once")
check(conforms(found, "/users-bulk"), "bulk_get_users answer matches Atlassian's v2 schema")
described = set(SPEC["components"]["schemas"]["User"]["properties"])
check(all(set(u) <= described for u in found["results"]), "no user field beyond the description's User")
u = found["results"][0]
check(u["email"] == "one@example.com" and u["displayName"] == "Compat One", "the site admin sees the address")
check(u["timeZone"] is None and u["accountStatus"] == "active", "timeZone null, accountStatus active")
check(found["_links"]["base"] == URL + "/wiki" and "next" not in found["_links"], "_links.base, no next")

# Limits: at most 250 ids.
try:
    c.bulk_get_users({"accountIds": [f"id-{i}" for i in range(251)]})
    check(False, "251 account ids refused")
except requests.HTTPError as e:
    body = e.response.json()
    check(e.response.status_code == 400 and body["errors"][0]["status"] == 400, "251 account ids: 400 in the v2 envelope")

# Site access by e-mail, then an invitation, then access again.
invitee = f"invitee-{uuid.uuid4().hex[:8]}@example.com"
asked = {"emails": ["one@example.com", invitee, "not-an-address"]}
access = c.check_user_access_by_email(asked)
check(conforms(access, "/user/access/check-access-by-email"), "check_user_access_by_email matches Atlassian's v2 schema")
check(access == {"emailsWithoutAccess": [invitee], "invalidEmails": ["not-an-address"]}, "who has no access, what is malformed")

check(c.invite_user_by_email(asked) in (None, "", b"", {}), "invite_user_by_email: 200 without a body")
check(c.check_user_access_by_email(asked)["emailsWithoutAccess"] == [], "the invitee may use the site")
c.invite_user_by_email(asked)
check(c.check_user_access_by_email(asked)["emailsWithoutAccess"] == [], "inviting again is harmless")

# The invitee is an ordinary account: in the default access group, audited.
found = c.get("rest/api/search/user", params={"cql": f'user.fullname~"{invitee.split("@")[0]}"'})
acc = [r["user"]["accountId"] for r in found["results"]]
check(len(acc) == 1, "the invitee is a user named after the address")
groups = c.get("rest/api/user/memberof", params={"accountId": acc[0]})
check([g["name"] for g in groups["results"]] == ["confluence-users"], "the invitee joined the default access group")
again = c.bulk_get_users({"accountIds": acc})
check(conforms(again, "/users-bulk") and again["results"][0]["email"] == invitee, "the invitee by bulk lookup")
