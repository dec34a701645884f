#!/usr/bin/env python3
"""Instructions per request of one workload, under callgrind.

Runs `roster serve` under `valgrind --tool=callgrind` twice on a copy of a
store, sends N and then 5N requests of the workload over one loopback
connection, counting only inside the connection task (background tasks
excluded), and prints (total(5N) - total(N)) / 4N: the connection's setup
cancels out. Instruction counts do not depend on what else the machine is
doing, which wall-clock figures here do.

    bench/callgrind.py --bin target/release/roster --store /tmp/store.db \\
        --workload user_bulk [--requests 50] [--cache-sim] [--serve-arg=--journal-size=10000]

The store is one `roster import` of the benchmark dataset made by the same
binary (bench/run.sh's first step); the account ids come from the dataset's
workload/accountids.txt. Workloads: memberof, user_bulk (200 ids a request).
"""
import argparse
import base64
import http.client
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

TOKEN = "callgrind-token-0123456789abcdefghij"


def run(args, n, work):
    db = os.path.join(work, "store.db")
    for ext in ("", "-wal", "-shm"):
        if os.path.exists(args.store + ext):
            shutil.copy(args.store + ext, db + ext)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    out = os.path.join(work, f"callgrind.{n}")
    # Count only inside the connection tasks: the sign-in flusher, the WAL
    # checkpoints and the timers run on their own and would otherwise add
    # whatever the slower run under valgrind gave them time for.
    cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--toggle-collect=" + args.toggle]
    if args.cache_sim:
        cmd.append("--cache-sim=yes")
    cmd += [args.bin, "--db", db, "serve", "--listen", f"127.0.0.1:{port}"] + args.serve_arg
    env = dict(os.environ, ROSTER_ADMIN_TOKEN=TOKEN)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 600
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
                c.request("GET", "/healthz")
                c.getresponse().read()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)
        ids = open(os.path.join(args.data, "workload", "accountids.txt")).read().split()
        auth = "Basic " + base64.b64encode(f"admin@example.com:{TOKEN}".encode()).decode()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        for k in range(n):
            if args.workload == "user_bulk":
                q = "&".join("accountId=" + ids[(k * 200 + j) % len(ids)] for j in range(200))
                path = "/wiki/rest/api/user/bulk?" + q
            else:
                path = "/wiki/rest/api/user/memberof?accountId=" + ids[k % len(ids)]
            c.request("GET", path, headers={"Authorization": auth})
            r = c.getresponse()
            r.read()
            assert r.status == 200, r.status
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait()
    for line in open(out):
        if line.startswith("summary:"):
            return [int(x) for x in line.split()[1:]]
    raise SystemExit(f"no summary in {out}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--store", required=True)
    p.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "data", "default"))
    p.add_argument("--workload", choices=["memberof", "user_bulk"], default="user_bulk")
    p.add_argument("--requests", type=int, default=50)
    p.add_argument("--cache-sim", action="store_true")
    p.add_argument("--serve-arg", action="append", default=[], help="a further `roster serve` argument (repeatable), "
                   "e.g. --serve-arg=--journal-size=10000")
    # Builds before roster's own accept loop (1d20837) served with axum::serve:
    # --toggle 'axum::serve::handle_connection*'.
    p.add_argument("--toggle", default="roster_http::server::connection*", help="the connection task's function")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="roster-callgrind.") as work:
        small = run(args, args.requests, work)
        large = run(args, 5 * args.requests, work)
    per = [(b - a) / (4 * args.requests) for a, b in zip(small, large)]
    names = ["Ir", "Dr", "Dw", "I1mr", "D1mr", "D1mw", "ILmr", "DLmr", "DLmw"][: len(per)]
    print(f"{args.workload} per request: " + ", ".join(f"{k} {v:,.0f}" for k, v in zip(names, per)))


if __name__ == "__main__":
    main()
