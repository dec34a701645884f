#!/usr/bin/env python3
"""Turns one bench/run.sh run (results.jsonl + info.json) into the markdown
table of issue 5: per workload and connection count, the median of the
repetitions for roster and for limit-server, their ratio, roster's latency,
peak RSS and CPU; then the run-wide figures and the targets.

usage: table.py RESULTS.jsonl INFO.json [--check]
  --check  exit 1 when a roster workload produced no result, had socket
           errors, or more non-2xx answers than the one write_mix expects
           (what the CI smoke run guards; it does not judge the targets)."""
import json
import re
import statistics
import sys

ORDER = ["memberof", "group_member", "user_bulk", "write_mix", "write_mix_small"]
NAMES = {"write_mix": "write_mix (write_pairs)", "write_mix_small": "write_mix (write_pairs_small)"}


def load(path):
    runs = {}
    for line in open(path):
        if not line.strip():
            continue
        r = json.loads(line)
        server, workload, conns, rep = r["label"].split("|")
        srv = r.get("server", "")
        for key in ("hwm", "rss"):
            m = re.search(key + r"=([\d.]+)MiB", srv)
            r[key] = float(m.group(1)) if m else None
        for key in ("cpu", "gen_cpu"):
            m = re.search(r"(?<![a-z_])" + key + r"=(\d+)%", srv)
            r[key] = int(m.group(1)) if m else None
        runs.setdefault((server, workload, int(conns)), []).append(r)
    return runs


def med(rs, key):
    vals = [r[key] for r in rs if r.get(key) is not None]
    return statistics.median(vals) if vals else None


def fmt(v, spec, none="–"):
    return none if v is None else format(v, spec)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    check = "--check" in sys.argv
    runs, info = load(args[0]), json.load(open(args[1]))
    conns_seen = sorted({c for (_, _, c) in runs}, reverse=True)
    out = []
    out.append("| workload | conns | roster req/s (range) | limit req/s | ratio | p50 ms | p99 ms | roster peak RSS | "
               "roster CPU | wrk CPU | non-2xx |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|")
    med_rps, problems = {}, []
    for c in conns_seen:
        for w in ORDER:
            ro, li = runs.get(("roster", w, c), []), runs.get(("limit", w, c), [])
            if not ro and not li:
                continue
            r_rps, l_rps = med(ro, "rps"), med(li, "rps")
            med_rps[(w, c)] = r_rps
            rng = "(%s–%s)" % (fmt(min(r["rps"] for r in ro), ",.0f"), fmt(max(r["rps"] for r in ro), ",.0f")) \
                if len(ro) > 1 else ""
            ratio = r_rps / l_rps if r_rps and l_rps else None
            hwm = max((r["hwm"] for r in ro if r["hwm"] is not None), default=None)
            non2xx = max((r["non2xx"] for r in ro), default=None)
            out.append("| %s | %d | %s %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                NAMES.get(w, w), c, fmt(r_rps, ",.0f"), rng, fmt(l_rps, ",.0f"), fmt(ratio, ".2f"),
                fmt(med(ro, "p50_ms"), ".3f"), fmt(med(ro, "p99_ms"), ".3f"),
                fmt(hwm, ".0f") + (" MiB" if hwm is not None else ""),
                fmt(med(ro, "cpu"), ".0f") + "%", fmt(med(ro, "gen_cpu"), ".0f") + "%", fmt(non2xx, "d")))
            budget = 1 if w.startswith("write_mix") else 0
            for r in ro:
                if r["non2xx"] > budget or r["sock_err"] + r["timeouts"] > 0:
                    problems.append("%s c=%d: %d non-2xx, %d socket errors, %d timeouts" % (
                        w, c, r["non2xx"], r["sock_err"], r["timeouts"]))
    print("\n".join(out))
    print()
    print("- commit %s, store: %s, dataset scale: %s, %s reps × %s s per workload, each run on roster then on"
          " limit-server" % (info.get("commit", "?"), info.get("store"), info.get("scale"), info.get("reps"),
                             info.get("duration")))
    print("- `roster import`: %s s (peak RSS %s MiB)" % (info.get("import_s", "–"), info.get("import_rss_mib", "–")))
    print("- `roster serve` start to first answer: %s s" % info.get("start_s", "–"))
    print("- roster peak RSS (VmHWM) after all workloads: %s MiB (limit-server: %s MiB)" % (
        info.get("roster_hwm_mib", "–"), info.get("limit_hwm_mib", "–")))
    print("- load average before / after: %s / %s" % (info.get("load_before", "?"), info.get("load_after", "?")))

    def ratio(w, c):
        r, l = med_rps.get((w, c)), med(runs.get(("limit", w, c), []), "rps")
        return r / l if r and l else None

    wm, ws = med_rps.get(("write_mix", 64)), med_rps.get(("write_mix_small", 64))
    targets = [
        ("memberof, 64 conns ≥ 0.75 × limit", ratio("memberof", 64), lambda v: v >= 0.75, ".2f"),
        ("group_member, 64 conns ≥ 0.50 × limit", ratio("group_member", 64), lambda v: v >= 0.5, ".2f"),
        ("user_bulk, 64 conns ≥ 0.50 × limit", ratio("user_bulk", 64), lambda v: v >= 0.5, ".2f"),
        ("write_mix (write_pairs), 64 conns ≥ 10,000 writes/s", wm, lambda v: v >= 10000, ",.0f"),
        ("write_mix (write_pairs_small), 64 conns ≥ 10,000 writes/s", ws, lambda v: v >= 10000, ",.0f"),
        ("write_pairs within 1.5× of write_pairs_small", max(wm, ws) / min(wm, ws) if wm and ws else None,
         lambda v: v <= 1.5, ".2f"),
        ("memberof, 1 conn, p50 ≤ 0.25 ms", med(runs.get(("roster", "memberof", 1), []), "p50_ms"),
         lambda v: v <= 0.25, ".3f"),
        ("peak RSS ≤ 400 MiB", info.get("roster_hwm_mib"), lambda v: v <= 400, ".1f"),
        ("import ≤ 20 s", info.get("import_s"), lambda v: v <= 20, ".2f"),
        ("start to first answer ≤ 2 s", info.get("start_s"), lambda v: v <= 2, ".3f"),
        ("non-2xx: only write_mix's one expected 404 per run", len(problems), lambda v: v == 0, "d"),
    ]
    print()
    print("| target | measured | met |")
    print("|---|---|---|")
    for name, v, ok, spec in targets:
        print("| %s | %s | %s |" % (name, fmt(v, spec), "–" if v is None else ("yes" if ok(v) else "**no**")))
    for p in problems:
        print("- problem: " + p)
    if check:
        missing = [w for w in ORDER for c in conns_seen if ("limit", w, c) in runs and ("roster", w, c) not in runs]
        for m in missing:
            print("- problem: no roster result for " + m)
        if problems or missing or not any(k[0] == "roster" for k in runs):
            sys.exit(1)


if __name__ == "__main__":
    main()
