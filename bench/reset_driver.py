#!/usr/bin/env python3
"""Times POST /rest/roster/1.0/reset against a running roster (bench/reset.sh
starts one). Loopback only, one keep-alive connection, standard library only.

typical: ROUNDS times, a test's worth of changes (a new group with 10
         members, 5 users out of confluence-users, a deleted group), then a
         timed GET /diff and a timed POST /reset (back to the seed).
worst:   everything changes: the directory reset to a bare snapshot (the
         admin only) and back to the seed, REPS times each way.
Prints one JSON object: every timing in milliseconds, and min/median/max.
"""
import argparse
import base64
import http.client
import json
import statistics
import time


class Client:
    def __init__(self, port, token):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        cred = base64.b64encode(f"admin@example.com:{token}".encode()).decode()
        self.headers = {"Authorization": f"Basic {cred}"}

    def call(self, method, path, body=None, raw=None):
        headers = dict(self.headers)
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            headers["Content-Type"] = "application/json"
        t0 = time.perf_counter()
        self.conn.request(method, path, body=data, headers=headers)
        r = self.conn.getresponse()
        text = r.read()
        ms = (time.perf_counter() - t0) * 1000
        if r.status >= 300:
            raise SystemExit(f"{method} {path}: {r.status} {text[:300]!r}")
        return (json.loads(text) if text else None), ms


def summary(xs):
    if not xs:
        return None
    return {"min": round(min(xs), 1), "median": round(statistics.median(xs), 1), "max": round(max(xs), 1), "n": len(xs)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    c = Client(a.port, a.token)

    seed_file, _ = c.call("GET", "/rest/roster/1.0/snapshots/seed/file")
    users = seed_file["users"]
    groups = {g["id"]: g["name"] for g in seed_file["groups"]}
    big = [g["name"] for g in seed_file["groups"] if g["name"] == "confluence-users"]
    accounts = [u["accountId"] for u in users if u["username"] != "admin"]
    small_groups = sorted(groups.values())

    # One reset first, so the seed's body is decoded and cached, as it is
    # from the second reset of a test run on.
    c.call("POST", "/rest/roster/1.0/reset", {})
    resets, diffs = [], []
    for i in range(a.rounds):
        name = f"bench-{i}"
        c.call("POST", "/wiki/rest/api/group", {"name": name})
        for acc in accounts[i * 10:(i + 1) * 10]:
            c.call("POST", f"/wiki/rest/api/group/user?name={name}", {"accountId": acc})
        for acc in accounts[1000 + i * 5:1000 + (i + 1) * 5]:
            for g in big:
                c.call("DELETE", f"/wiki/rest/api/group/user?name={g}&accountId={acc}")
        victim = small_groups[(i * 7) % len(small_groups)]
        if victim not in ("site-admins", "confluence-users", "confluence-administrators"):
            c.call("DELETE", f"/wiki/rest/api/group?name={victim}")
        d, ms = c.call("GET", "/rest/roster/1.0/diff")
        diffs.append(ms)
        assert not d["empty"]
        r, ms = c.call("POST", "/rest/roster/1.0/reset", {})
        resets.append(ms)
        assert r["changes"]["groups"]["removed"] == 1, r["changes"]

    # Everything changes: the admin alone, then the whole seed again.
    admin = next(u for u in users if u["username"] == "admin")
    keep = {m[0] for m in seed_file["memberships"] if m[1] == admin["id"]}
    bare = dict(seed_file, name="bare", users=[admin],
                groups=[g for g in seed_file["groups"] if g["id"] in keep],
                memberships=[m for m in seed_file["memberships"] if m[1] == admin["id"]],
                tokens=[t for t in seed_file["tokens"] if t["user"] == admin["id"]])
    c.call("POST", "/rest/roster/1.0/snapshots/file?name=bare&restore=false", raw=json.dumps(bare).encode())
    to_bare, to_seed = [], []
    for _ in range(a.reps):
        r, ms = c.call("POST", "/rest/roster/1.0/reset", {"snapshot": "bare"})
        to_bare.append(ms)
        r, ms = c.call("POST", "/rest/roster/1.0/reset", {})
        to_seed.append(ms)
        assert r["changes"]["memberships"]["added"] >= len(seed_file["memberships"]) - len(bare["memberships"])

    print(json.dumps({
        "users": len(users), "groups": len(groups), "memberships": len(seed_file["memberships"]),
        "typical_reset_ms": summary(resets), "typical_diff_ms": summary(diffs),
        "worst_reset_to_bare_ms": summary(to_bare), "worst_reset_to_seed_ms": summary(to_seed),
        "raw": {"typical_reset_ms": [round(x, 1) for x in resets], "worst_reset_to_seed_ms": [round(x, 1) for x in to_seed]},
    }, indent=2))


if __name__ == "__main__":
    main()
