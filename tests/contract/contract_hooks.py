"""Schemathesis hooks for tests/contract/run.sh.

The protection and reset rules are tests/schemathesis/hooks.py's, imported
as they are (writes never touch the admin's own access; the directory goes
back to the seed after every successful write). Added here: the contract
check (contract.py), registered so `--checks contract_check` runs it.
"""

import schemathesis

import hooks  # noqa: F401  (tests/schemathesis/hooks.py registers its hooks on import)
from contract import contract_check

schemathesis.check(contract_check)
