"""pytest fixtures that run roster for a test suite.

One roster per test session, seeded from a JSON lines file, in an ephemeral
store. roster keeps the seeded state as the snapshot `seed`; one call to
POST /rest/roster/1.0/reset before every test puts it back, so each test
starts from the same state in milliseconds, and GET /rest/roster/1.0/diff
tells a test what it (or the code under test) changed since.

    ROSTER_BIN=target/release/roster pytest examples/pytest
"""
import base64
import json
import os
import re
import secrets
import subprocess
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROSTER_BIN = os.environ.get("ROSTER_BIN", "roster")
SEED = os.environ.get("ROSTER_SEED_FILE", os.path.join(HERE, "seed.jsonl"))


class Roster:
    def __init__(self, url, token):
        self.url = url
        self.auth = "Basic " + base64.b64encode(f"admin@example.com:{token}".encode()).decode()

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", self.auth)
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req) as resp:
            text = resp.read()
            return json.loads(text) if text else None


@pytest.fixture(scope="session")
def roster():
    token = "rst_" + secrets.token_urlsafe(32)
    proc = subprocess.Popen(
        [ROSTER_BIN, "serve", "--ephemeral", "--seed", SEED, "--listen", "127.0.0.1:0"],
        env={**os.environ, "ROSTER_ADMIN_TOKEN": token},
        stderr=subprocess.PIPE,
        text=True,
    )
    url = None
    for line in proc.stderr:
        m = re.search(r"listening on (http://\S+)", line)
        if m:
            url = m.group(1)
            break
    if url is None:
        proc.kill()
        raise RuntimeError("roster did not start")
    server = Roster(url, token)
    yield server
    proc.terminate()  # graceful: the ephemeral store is removed on exit
    proc.wait(timeout=10)


@pytest.fixture
def clean_roster(roster):
    """The session's roster, reset to the seeded state before the test."""
    roster.call("POST", "/rest/roster/1.0/reset", {})
    return roster
