"""The one check every response of the contract test goes through, and the
waivers it consults.

`contract_check(ctx, response, case)` runs schemathesis's own four checks
(no 5xx, a documented status, the documented media type, a body valid
against the schema for that status) against the operation in Atlassian's
description. A failure is waived only when `waivers.toml` names that
operation, that check and that status (and, when it says so, whose
message or response body contains its `match`); every waiver used is written to the
ledger (CONTRACT_LEDGER, one JSON line each) so the runner can tell stale
waivers, and every failure that is not waived is written there too and
raised, so schemathesis reports it with its reproduction.
"""

import json
import os
import threading
import tomllib

from schemathesis import checks as core_checks
from schemathesis.specs.openapi import checks as openapi_checks

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKS = {
    "not_a_server_error": core_checks.not_a_server_error,
    "status_code_conformance": openapi_checks.status_code_conformance,
    "content_type_conformance": openapi_checks.content_type_conformance,
    "response_schema_conformance": openapi_checks.response_schema_conformance,
}
# A 5xx is roster's fault whatever a description says.
NEVER_WAIVED = {"not_a_server_error"}
_LOCK = threading.Lock()


def load_waivers(path=os.path.join(HERE, "waivers.toml")):
    with open(path, "rb") as f:
        waivers = tomllib.load(f).get("waiver", [])
    for i, w in enumerate(waivers):
        missing = {"operation", "check", "status", "reason", "evidence"} - w.keys()
        if missing:
            raise SystemExit(f"waivers.toml: waiver {i + 1} lacks {sorted(missing)}")
        if w["check"] in NEVER_WAIVED:
            raise SystemExit(f"waivers.toml: waiver {i + 1}: {w['check']} is never waived")
        if w["check"] not in CHECKS and w["check"] != "valid_call":
            raise SystemExit(f"waivers.toml: waiver {i + 1}: unknown check {w['check']}")
    return waivers


WAIVERS = load_waivers()


def waiver_for(operation, check, status, text):
    """The waiver covering this failure; `text` is the failure's message and
    the response body, which a waiver's `match` must occur in."""
    for i, w in enumerate(WAIVERS):
        if (w["operation"] == operation and w["check"] == check and status in w["status"]
                and w.get("match", "") in text):
            return i
    return None


def record(entry):
    path = os.environ.get("CONTRACT_LEDGER")
    if not path:
        return
    with _LOCK, open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")


def judge(operation, check, status, error, source, body=""):
    """Records a failed check; answers True when a waiver covers it."""
    index = waiver_for(operation, check, status, f"{error}\n{body}")
    record({
        "operation": operation, "check": check, "status": status, "source": source,
        "waiver": index, "message": str(error)[:400],
    })
    return index is not None


def message(error):
    """A failure's text, with every member's when it is a group."""
    if isinstance(error, BaseExceptionGroup):
        return "\n".join([str(error)] + [message(e) for e in error.exceptions])
    return str(error)


def response_text(response):
    try:
        return response.content.decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 (a body that cannot be read matches nothing)
        return ""


def contract_check(ctx, response, case):
    """All four checks; raises the first failure no waiver covers."""
    operation = case.operation.label
    for name, check in CHECKS.items():
        try:
            check(ctx, response, case)
        # Several violations of one check come as a group of failures.
        except (AssertionError, BaseExceptionGroup) as error:
            if not judge(operation, name, response.status_code, message(error), "generated", response_text(response)):
                raise
