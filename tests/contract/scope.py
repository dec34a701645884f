"""Which of Atlassian's operations the contract test covers, and the filtered
copies of the three descriptions schemathesis runs against.

`write_filtered(out_dir, url)` writes one description per spec file holding
only the in-scope operations (and all of the file's components, which they
reference), with the server rewritten to the local roster and the example
of every parameter that names a user or group set to one the seed holds, so
that the examples phase and the hand-written calls reach real records
instead of answering 404 to everything.

Scope is issue 21's: Cloud v1 `/user*`, `/group*`, `/search/user`; Cloud v2
`/users-bulk` and `/user/access/*`; DC `/user*`, `/group*`, `/admin/user*`,
`/admin/group*`, and DC's getTask (`/longtask/{id}`), which the 202 of a
user deletion links to. Left out: Cloud v1 and DC `/user/watch/...`, which watch
content (pages, spaces, labels) rather than read or change users and
groups; roster has no content, so these are not part of the API it doubles.
"""

import copy
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SPECS = os.path.join(HERE, "specs")
METHODS = ("get", "put", "post", "delete", "patch")

# (file, short name, in-scope path pattern, base the paths are relative to)
FILES = [
    ("confluence-cloud-v1.swagger.v3.json", "cloud-v1",
     r"^/wiki/rest/api/(user|group|search/user)(/|$)", ""),
    ("confluence-cloud-v2.openapi.json", "cloud-v2",
     r"^/(users-bulk|user/access/)", "/wiki/api/v2"),
    # Served under the context path Atlassian's server entry names.
    ("confluence-dc-9.0.0.swagger.v3.json", "dc",
     r"^/rest/api/((user|group|admin/user|admin/group)(/|$)|longtask/\{id\}$)", "/confluence"),
]
OUT_OF_SCOPE = r"/user/watch/"

# Seeded records (tests/schemathesis/seed.jsonl, which both suites import).
ADA_ACCOUNT = "5b10ac8d82e05b22cc7d4ef5"
ADA_KEY = "8a7f808a7c1a2b3c017c1a2b3c4d0001"
DEVELOPERS_ID = "8b5d2f7e-3c1a-4e9b-9f0d-2a6c1e4b7d30"
EXAMPLES = {
    "groupName": "developers",
    "name": "developers",
    "groupId": DEVELOPERS_ID,
    "id": DEVELOPERS_ID,
    "accountId": ADA_ACCOUNT,
    "username": "grace",
    "key": ADA_KEY,
    "query": "dev",
    "cql": 'type=user and user.fullname~"Ada"',
}


def operation_id(name, method, path):
    """How the waivers and the report name an operation."""
    return f"{name} {method.upper()} {path}"


def operations():
    """Every in-scope operation: (spec name, method, path, operation object)."""
    for file, name, pattern, _ in FILES:
        spec = load(file)
        for path, item in spec["paths"].items():
            if not re.search(pattern, path) or re.search(OUT_OF_SCOPE, path):
                continue
            for method in METHODS:
                if method in item:
                    yield name, method, path, item[method]


def load(file):
    with open(os.path.join(SPECS, file), encoding="utf-8") as f:
        return json.load(f)


def _set_example(param):
    value = EXAMPLES.get(param.get("name"))
    if value is not None and param.get("in") in ("query", "path"):
        param.pop("examples", None)
        param["example"] = value


def filtered(file, pattern, url):
    spec = load(file)
    out = copy.deepcopy(spec)
    out["servers"] = [{"url": url}]
    out["paths"] = {
        path: item for path, item in spec["paths"].items()
        if re.search(pattern, path) and not re.search(OUT_OF_SCOPE, path)
    }
    for item in out["paths"].values():
        for key, op in item.items():
            for param in (op.get("parameters", []) if key in METHODS else op if key == "parameters" else []):
                if "$ref" not in param:
                    _set_example(param)
    for param in out.get("components", {}).get("parameters", {}).values():
        _set_example(param)
    # Only basic auth applies to a test double; schemathesis would otherwise
    # also try the OAuth scheme.
    for item in out["paths"].values():
        for key, op in item.items():
            if key in METHODS:
                op.pop("security", None)
    return out


def write_filtered(out_dir, url):
    """Writes one filtered description per file; answers {name: path}."""
    os.makedirs(out_dir, exist_ok=True)
    written = {}
    for file, name, pattern, base in FILES:
        path = os.path.join(out_dir, f"{name}.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(filtered(file, pattern, url + base), f)
        written[name] = path
    return written


if __name__ == "__main__":
    import sys

    for name, path in write_filtered(sys.argv[1], sys.argv[2]).items():
        print(name, path)
