"""One hand-written valid call per in-scope operation, and each waiver's
probe, sent to roster and checked by the same contract check the generated
calls go through; a valid call must also succeed (a 2xx: check
`valid_call`). Run by run.sh after schemathesis, with the same ledger.

usage: valid_calls.py SPEC_DIR URL TOKEN
"""

import sys

import requests
import schemathesis

import contract
import scope

ADA = scope.ADA_ACCOUNT
GRACE = "5b10a2844c20165700ede21g"
DEV = scope.DEVELOPERS_ID

# operation: (path parameters, query, JSON body). Writes name seeded records
# that are not the admin's; the directory is reset to the seed after each.
CALLS = {
    # Cloud v1
    "GET /wiki/rest/api/group": ({}, {"limit": 10}, None),
    "POST /wiki/rest/api/group": ({}, {}, {"name": "contract-new"}),
    "DELETE /wiki/rest/api/group": ({}, {"name": "developers"}, None),
    "GET /wiki/rest/api/group/by-name": ({}, {"name": "developers"}, None),
    "GET /wiki/rest/api/group/by-id": ({}, {"id": DEV}, None),
    "DELETE /wiki/rest/api/group/by-id": ({}, {"id": DEV}, None),
    "GET /wiki/rest/api/group/{groupName}": ({"groupName": "developers"}, {}, None),
    "GET /wiki/rest/api/group/member": ({}, {"name": "developers"}, None),
    "GET /wiki/rest/api/group/{groupName}/member": ({"groupName": "developers"}, {"limit": 5}, None),
    "GET /wiki/rest/api/group/picker": ({}, {"query": "dev"}, None),
    "POST /wiki/rest/api/group/userByGroupId": ({}, {"groupId": DEV}, {"accountId": GRACE}),
    "DELETE /wiki/rest/api/group/userByGroupId": ({}, {"groupId": DEV, "accountId": ADA}, None),
    "GET /wiki/rest/api/group/{groupId}/membersByGroupId": ({"groupId": DEV}, {}, None),
    "POST /wiki/rest/api/group/user": ({}, {"name": "developers"}, {"accountId": GRACE}),
    "DELETE /wiki/rest/api/group/user": ({}, {"name": "developers", "accountId": ADA}, None),
    "GET /wiki/rest/api/search/user": ({}, {"cql": 'type=user and user.fullname~"Ada"'}, None),
    "GET /wiki/rest/api/user": ({}, {"accountId": ADA}, None),
    "GET /wiki/rest/api/user/anonymous": ({}, {}, None),
    "GET /wiki/rest/api/user/current": ({}, {}, None),
    "GET /wiki/rest/api/user/memberof": ({}, {"accountId": ADA}, None),
    "GET /wiki/rest/api/user/bulk": ({}, {"accountId": f"{ADA},{GRACE}"}, None),
    "GET /wiki/rest/api/user/email": ({}, {"accountId": ADA}, None),
    "GET /wiki/rest/api/user/email/bulk": ({}, {"accountId": ADA}, None),
    "GET /wiki/rest/api/user/bulk/migration": ({}, {"username": "ada"}, None),
    # Cloud v2
    "POST /users-bulk": ({}, {}, {"accountIds": [ADA, GRACE]}),
    "POST /user/access/check-access-by-email": ({}, {}, {"emails": ["ada@example.com", "nobody@example.com"]}),
    "POST /user/access/invite-by-email": ({}, {}, {"emails": ["new.person@example.com"]}),
    # Data Center 9.0.0
    "GET /rest/api/user": ({}, {"username": "ada", "expand": "status"}, None),
    "GET /rest/api/user/current": ({}, {}, None),
    "GET /rest/api/user/anonymous": ({}, {}, None),
    "GET /rest/api/user/memberof": ({}, {"username": "ada"}, None),
    "GET /rest/api/user/list": ({}, {"limit": 2}, None),
    "POST /rest/api/user/current/password": ({}, {}, None),  # filled in at run time
    "PUT /rest/api/user/{username}/group/{groupName}": ({"username": "grace", "groupName": "developers"}, {}, None),
    "DELETE /rest/api/user/{username}/group/{groupName}": ({"username": "ada", "groupName": "developers"}, {}, None),
    "GET /rest/api/group": ({}, {"limit": 2}, None),
    "GET /rest/api/group/{groupName}": ({"groupName": "developers"}, {}, None),
    "GET /rest/api/group/{groupName}/member": ({"groupName": "developers"}, {}, None),
    "POST /rest/api/admin/group": ({}, {}, {"name": "contract-new", "type": "group"}),
    "DELETE /rest/api/admin/group/{groupName}": ({"groupName": "developers"}, {}, None),
    "POST /rest/api/admin/user": ({}, {}, {
        "userName": "contract.new", "fullName": "Contract New", "email": "contract.new@example.com",
        "password": "a long enough password", "notifyViaEmail": "false",
    }),
    "DELETE /rest/api/admin/user/{username}": ({"username": "grace"}, {}, None),
    "PUT /rest/api/admin/user/{username}/disable": ({"username": "grace"}, {}, None),
    "PUT /rest/api/admin/user/{username}/enable": ({"username": "grace"}, {}, None),
    "POST /rest/api/admin/user/{username}/password": ({"username": "grace"}, {}, {"password": "another long password"}),
    "GET /rest/api/longtask/{id}": ({}, {}, None),  # the task of a deletion, made at run time
}


def main(spec_dir, url, token):
    auth = ("admin", token)
    session = requests.Session()
    session.trust_env = False
    # tests/schemathesis/hooks.py: case.call runs its hooks, so the
    # directory goes back to the seed after every successful write.
    import hooks

    written = scope.write_filtered(spec_dir, url)
    bases = {name: url + base for _, name, _, base in scope.FILES}
    operations, base_of = {}, {}
    for name, path in written.items():
        for result in schemathesis.openapi.from_path(path).get_all_operations():
            op = result.ok()
            operations[op.label] = op
            base_of[op.label] = bases[name]
    missing = sorted(set(operations) - set(CALLS))
    extra = sorted(set(CALLS) - set(operations))
    if missing or extra:
        print(f"valid_calls.py: no hand-written call for {missing}; calls for unknown operations {extra}")
        return 1

    failures = 0

    def send(label, path_parameters, query, body, source):
        nonlocal failures
        op = operations[label]
        kwargs = {"path_parameters": path_parameters, "query": query}
        if body is not None:
            kwargs["body"] = body
            kwargs["media_type"] = "application/json"
        case = op.Case(**kwargs)
        response = case.call(base_url=base_of[label], session=session, auth=auth, headers={"X-Atlassian-Token": "no-check"})
        status = response.status_code

        def check(ctx, resp, c):
            for name, fn in contract.CHECKS.items():
                try:
                    fn(ctx, resp, c)
                # Several violations of one check come as a group of failures.
                except (AssertionError, BaseExceptionGroup) as error:
                    if not contract.judge(label, name, status, contract.message(error), source, response.text):
                        raise
        ok = True
        try:
            case.validate_response(response, checks=[check])
        except (AssertionError, BaseExceptionGroup) as error:
            ok = False
            print(f"FAIL {source} {label} -> {status}: {str(error)[:600]}")
        if source == "hand-written" and not 200 <= status < 300:
            if not contract.judge(label, "valid_call", status, f"a valid call answered {status}", source, response.text):
                ok = False
                print(f"FAIL {source} {label} -> {status}: a valid call must succeed: {response.text[:300]}")
        failures += 0 if ok else 1
        return status

    for label, (path_parameters, query, body) in CALLS.items():
        if label == "POST /rest/api/user/current/password":
            # The admin's own password: set one first, then change it.
            body = {"oldPassword": "contract password one", "newPassword": "contract password two"}
            session.post(f"{url}/rest/api/admin/user/admin/password", auth=auth,
                         headers={"X-Atlassian-Token": "no-check"}, json={"password": body["oldPassword"]})
        if label == "GET /rest/api/longtask/{id}":
            # The status link of a user deletion's 202, as a client follows it.
            r = session.delete(f"{url}/confluence/rest/api/admin/user/edouard", auth=auth,
                               headers={"X-Atlassian-Token": "no-check"})
            path_parameters = {"id": r.json()["id"]}
            hooks.SESSION.post(f"{hooks.BASE}{hooks.SNAPSHOTS}/{hooks.BASELINE}/restore", auth=auth, timeout=10)
        send(label, path_parameters, query, body, "hand-written")
    for i, w in enumerate(contract.WAIVERS):
        probe = w.get("probe")
        if probe:
            send(w["operation"], probe.get("path", {}), probe.get("query", {}), probe.get("body"), f"probe {i + 1}")
    print(f"hand-written calls: {len(CALLS)} sent, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
