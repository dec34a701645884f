"""Schemathesis hooks for tests/schemathesis/run.sh.

The run is made as the site admin, and generated requests may delete any
group or remove any member. Two things keep every operation testable to
the end of the run:

* Writes never touch the admin's own access: a mutating request naming
  the admin user or an access or admin group (by name, account id, user key
  or group id; names compare case-insensitively) has that value replaced by
  a harmless one before it is sent, and the baseline snapshot is never
  deleted.
* After every write that succeeded, the directory is reset to the baseline
  snapshot taken when the hooks load (roster's own test-suite endpoint), so
  the seeded users and groups the description's examples name are there
  again for the next request.

Nothing here changes what is checked: every response is still validated
against the description.
"""

import os
from urllib.parse import unquote

import requests
import schemathesis

BASE = os.environ["ROSTER_URL"]
AUTH = ("admin", os.environ["ROSTER_TOKEN"])
SNAPSHOTS = "/rest/roster/1.0/snapshots"
MUTATING = {"POST", "PUT", "DELETE", "PATCH"}
SESSION = requests.Session()
SESSION.trust_env = False  # loopback only: ignore any proxy settings


def _get(path):
    r = SESSION.get(BASE + path, auth=AUTH, timeout=10)
    r.raise_for_status()
    return r.json()


def _protected():
    names = {"admin", "admin@example.com", "confluence-users", "site-admins", "confluence-administrators"}
    me = _get("/wiki/rest/api/user/current")
    names.add(me["accountId"])
    names.add(_get("/rest/api/user/current")["userKey"])
    for group in ("confluence-users", "site-admins"):
        names.add(_get("/wiki/rest/api/group/by-name?name=" + group)["id"])
    return {n.casefold() for n in names}


PROTECTED = _protected()
BASELINE = SESSION.post(BASE + SNAPSHOTS, auth=AUTH, timeout=10).json()["id"]


def _touches(value):
    # Values schemathesis reuses from earlier answers arrive percent-encoded
    # (an account id `712020:...` as `712020%3A...`); the server decodes them.
    if isinstance(value, str):
        return any(unquote(part).strip().casefold() in PROTECTED for part in unquote(value).split(","))
    return False


def _scrub(value):
    """`value` with every protected string replaced, recursively."""
    if _touches(value):
        return "unprotected-" + value.replace(",", "-")
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    return value


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.method.upper() not in MUTATING:
        return
    if case.path_parameters:
        case.path_parameters = _scrub(case.path_parameters)
        if case.path.startswith(SNAPSHOTS) and str(case.path_parameters.get("id")) == str(BASELINE):
            case.path_parameters["id"] = BASELINE + 1_000_000
    if case.query:
        case.query = _scrub(case.query)
    if isinstance(case.body, (dict, list, str)):
        case.body = _scrub(case.body)


@schemathesis.hook
def after_call(context, case, response):
    if case.method.upper() in MUTATING and 200 <= response.status_code < 300:
        r = SESSION.post(f"{BASE}{SNAPSHOTS}/{BASELINE}/restore", auth=AUTH, timeout=10)
        r.raise_for_status()
