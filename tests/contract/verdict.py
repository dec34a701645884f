"""The contract test's verdict, from the ledger contract.py wrote.

Prints each waiver with how often it was needed, every failure no waiver
covers, and fails the run on any of those or on a stale waiver (one that
nothing in this run needed: its probe, the hand-written calls and the
generated ones all passed the check it waives, so it must be removed).

usage: verdict.py LEDGER
"""

import collections
import json
import sys

import contract


def main(ledger):
    entries = []
    try:
        with open(ledger, encoding="utf-8") as f:
            entries = [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        pass
    used = collections.Counter(e["waiver"] for e in entries if e["waiver"] is not None)
    unwaived = collections.Counter(
        (e["operation"], e["check"], e["status"]) for e in entries if e["waiver"] is None
    )
    status = 0
    print("waivers (times needed in this run):")
    for i, w in enumerate(contract.WAIVERS):
        n = used.get(i, 0)
        mark = "STALE" if n == 0 else f"{n:5d}"
        print(f"  {mark}  {w['operation']}  {w['check']} {w['status']}")
        if n == 0:
            status = 1
    if any(used.get(i, 0) == 0 for i in range(len(contract.WAIVERS))):
        print("stale waivers: nothing in this run needed them; remove them from tests/contract/waivers.toml")
    if unwaived:
        status = 1
        print("failures no waiver covers:")
        for (op, check, st), n in sorted(unwaived.items()):
            example = next(e["message"] for e in entries
                           if e["waiver"] is None and (e["operation"], e["check"], e["status"]) == (op, check, st))
            print(f"  {op}  {check}  status {st}  ({n}x): {example.splitlines()[0] if example else ''}")
    print(f"contract: {len(contract.WAIVERS)} waivers, {sum(used.values())} waived answers, "
          f"{sum(unwaived.values())} failures not waived")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
