"""atlassian-python-api meeting roster's injected faults (/rest/roster/1.0/faults).

Each kind of fault as a real client sees it: a 429 with Retry-After that the
library waits out and retries by itself, or (that retry off) an HTTPError
carrying 429 and Retry-After; a 503; a timeout when the answer is slower than the client's
timeout; a ConnectionError when the connection is dropped; and the write that
committed but whose answer was lost, which a retry shows happened. The request
journal (/rest/roster/1.0/requests) confirms what the server saw. Runs with
both 5.0.5 and 4.0.7; removes its rules and restores the journal's settings
when done, since the other suites share the server.
"""
import os
import sys
import uuid

import requests
from atlassian import Confluence

URL = os.environ["ROSTER_URL"]
TOKEN = os.environ["ROSTER_TOKEN"]
ADMIN = ("admin@example.com", TOKEN)
FAULTS = URL + "/rest/roster/1.0/faults"
JOURNAL = URL + "/rest/roster/1.0/requests"

c = Confluence(url=URL + "/wiki", username=ADMIN[0], password=TOKEN, cloud=True)
impatient = Confluence(url=URL + "/wiki", username=ADMIN[0], password=TOKEN, cloud=True, timeout=1)
no_retry = Confluence(url=URL + "/wiki", username=ADMIN[0], password=TOKEN, cloud=True, retry_with_header=False)


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)
    print("ok:", what)


def fault(rule):
    r = requests.post(FAULTS, json=rule, auth=ADMIN)
    r.raise_for_status()
    return r.json()["results"][0]


def raised(fn):
    """The exception `fn` raises (None when it returns)."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the kinds are what is checked
        return e
    return None


def response_of(e):
    resp = getattr(e, "response", None)
    if resp is None:
        resp = getattr(getattr(e, "reason", None), "response", None)
    return resp


settings = requests.get(JOURNAL + "/settings", auth=ADMIN).json()
requests.put(JOURNAL + "/settings", json={"enabled": True, "size": 1000}, auth=ADMIN).raise_for_status()
try:
    # 429 with Retry-After: the library honours it by itself (retry_with_header,
    # on by default in 4.x and 5.x) and the call succeeds after the wait.
    fault({"method": "GET", "route": "/wiki/rest/api/group", "action": "status", "status": 429,
           "retryAfter": 1, "times": 1})
    check("results" in c.get("rest/api/group"), "a 429 with Retry-After is waited out and retried")
    seen = requests.get(JOURNAL, params={"route": "/wiki/rest/api/group", "limit": 2}, auth=ADMIN).json()["results"]
    check([e["status"] for e in seen] == [200, 429], "the journal shows the 429, then the retry")

    # Without that retry the 429 reaches the caller as an HTTPError, with
    # Retry-After and Confluence Cloud's rate-limit headers.
    fault({"method": "GET", "route": "/wiki/rest/api/group", "action": "status", "status": 429,
           "retryAfter": 3, "times": 1})
    e = raised(lambda: no_retry.get("rest/api/group"))
    resp = response_of(e)
    check(isinstance(e, requests.HTTPError) and resp is not None and resp.status_code == 429,
          "429 arrives as an HTTPError")
    check(resp.headers.get("Retry-After") == "3", "with Retry-After")
    check("X-RateLimit-Reset" in resp.headers, "and Cloud's X-RateLimit-Reset")
    check("results" in no_retry.get("rest/api/group"), "the next call goes through (times: 1)")

    # 503 on the memberships of a group.
    fault({"path": "/wiki/rest/api/group/member", "action": "status", "status": 503, "times": 1})
    e = raised(lambda: c.get("rest/api/group/member", params={"name": "confluence-users"}))
    resp = response_of(e)
    check(isinstance(e, requests.HTTPError) and resp.status_code == 503, "503 arrives as an HTTPError")

    # A slow answer: the client's own timeout fires.
    fault({"path": "/wiki/rest/api/group", "action": "delay", "delayMs": 3000, "times": 1})
    e = raised(lambda: impatient.get("rest/api/group"))
    check(isinstance(e, requests.Timeout), "a delay past the client's timeout is a Timeout (%r)" % e)

    # A dropped connection.
    fault({"method": "GET", "route": "/wiki/rest/api/group", "action": "drop", "times": 1})
    e = raised(lambda: c.get("rest/api/group"))
    check(isinstance(e, requests.ConnectionError), "a dropped connection is a ConnectionError (%r)" % e)

    # The write that commits and loses its answer; the retry finds it done.
    name = "lost-answer-" + uuid.uuid4().hex[:8]
    fault({"method": "POST", "route": "/wiki/rest/api/group", "bodyContains": name,
           "action": "applyThenLose", "times": 1})
    e = raised(lambda: c.post("rest/api/group", data={"name": name}))
    check(isinstance(e, requests.ConnectionError), "apply-then-lose: the client sees a dropped connection")
    retry = raised(lambda: c.post("rest/api/group", data={"name": name}))
    check(response_of(retry) is not None and response_of(retry).status_code == 400,
          "the retry is refused: the group exists (400, as Atlassian describes createGroup)")
    check(c.get("rest/api/group/by-name", params={"name": name})["name"] == name, "the write happened")

    # Apply-then-lose answering 504 instead.
    name504 = "lost-504-" + uuid.uuid4().hex[:8]
    fault({"method": "POST", "route": "/wiki/rest/api/group", "bodyContains": name504,
           "action": "applyThenLose", "lose": "504", "times": 1})
    e = raised(lambda: c.post("rest/api/group", data={"name": name504}))
    check(isinstance(e, requests.HTTPError) and response_of(e).status_code == 504, "or a 504")
    check(c.get("rest/api/group/by-name", params={"name": name504})["name"] == name504, "and it happened too")

    # The journal saw both attempts and marked the lost one.
    seen = requests.get(JOURNAL, params={"method": "POST", "bodyContains": name}, auth=ADMIN).json()["results"]
    check([e["status"] for e in seen] == [400, None], "the journal has the retry and the dropped attempt")
    check(seen[1]["fault"]["kind"] == "applyThenLose" and seen[1]["handlerStatus"] == 201,
          "the lost answer was a 201")
    count = requests.post(JOURNAL + "/count", json={"faulted": True, "pathPrefix": "/wiki/"}, auth=ADMIN).json()
    check(count["count"] >= 5, "the faulted requests are counted")
finally:
    requests.delete(FAULTS, auth=ADMIN)
    requests.put(JOURNAL + "/settings", json={"enabled": settings["enabled"], "size": settings["size"] or None},
                 auth=ADMIN)
