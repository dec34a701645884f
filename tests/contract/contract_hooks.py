"""Schemathesis hooks for tests/contract/run.sh.

The protection and reset rules are tests/schemathesis/hooks.py's, imported
as they are (writes never touch the admin's own access; the directory goes
back to the seed after every successful write). Added here:

* the contract check (contract.py), registered so `--checks contract_check`
  runs it;
* generated query values lose their control characters (other than tab,
  CR and LF), and path values all of theirs, before they are sent. roster refuses those with a
  400 on every route by design (docs/security.md, "Input caps and hygiene"), which
  Atlassian's descriptions cannot list; left in, that one deliberate
  difference would fail or need a waiver on every operation and drown what
  the test is for. It is reported once, in tests/contract/README.md.
"""

import re

import schemathesis

import hooks  # noqa: F401  (tests/schemathesis/hooks.py registers its hooks on import)
from contract import contract_check

schemathesis.check(contract_check)

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The same, already percent-encoded (the coverage phase sends some path
# values encoded): C0 but tab/LF/CR, DEL, and C1 as UTF-8 (%C2%80-%C2%9F).
ENCODED = re.compile(r"%(0[0-8BCEbce]|1[0-9A-Fa-f]|7[Ff]|[Cc]2%[89][0-9A-Fa-f])")
# A path segment may not hold tab, LF or CR either.
PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]|%([01][0-9A-Fa-f]|7[Ff]|[Cc]2%[89][0-9A-Fa-f])")


def _clean(value):
    if isinstance(value, str):
        return ENCODED.sub("", CONTROL.sub("", value))
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


def _clean_segment(value):
    return PATH_CONTROL.sub("", value) if isinstance(value, str) else value


@schemathesis.hook("before_call")
def strip_control_characters(context, case, kwargs):
    if case.query:
        case.query = _clean(case.query)
    if case.path_parameters:
        # A segment left empty would route elsewhere.
        case.path_parameters = {k: _clean_segment(v) or "x" for k, v in case.path_parameters.items()}
