"""The installed roster-server wheel, from outside: its executable, the
launcher, the plugin's configuration and start-up errors, pytest-xdist, and
that no roster outlives a test run however it ends.

Run by tests/package/run.sh in a fresh virtual environment holding only the
wheel, pytest, pytest-xdist and atlassian-python-api, with no Rust on the
PATH. Each plugin case is a pytest run of its own in a subprocess, in a
temporary project written here.
"""
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

import roster_server

SEED = textwrap.dedent("""\
    version: 1
    users:
      - {username: dora, email: dora@example.com, password: dora-pw, tokens: [rst_dora_test_token_0001]}
    groups: [explorers]
    memberships:
      confluence-users: [dora]
      explorers: [dora]
""")


def running(pid):
    if os.path.isdir("/proc/self"):
        try:
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return False
        return state not in ("Z", "X")  # a zombie is not running (nobody may reap it here)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def gone(pid, within=20.0):
    """True once process `pid` has exited."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not running(pid):
            return True
        time.sleep(0.05)
    return False


def store_dir(store):
    """The ephemeral store's directory, from roster's `(store sqlite:/tmp/.../roster.db)`."""
    assert store.startswith("sqlite:"), store
    return os.path.dirname(store[len("sqlite:"):])


def env_without_roster_bin():
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROSTER_") and not k.startswith("PYTEST_")}
    return env


def run_pytest(project, *args, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=project, env=env_without_roster_bin(), capture_output=True, text=True, timeout=timeout,
    )


def project(tmp_path, tests, ini="[pytest]\nroster_seed = seed.yaml\n", files=None):
    (tmp_path / "seed.yaml").write_text(SEED)
    if ini is not None:
        (tmp_path / "pytest.ini").write_text(ini)
    (tmp_path / "test_it.py").write_text(textwrap.dedent(tests))
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    return tmp_path


# -- the package itself ------------------------------------------------------------


def test_there_is_no_rust_here_and_the_roster_is_the_packaged_one():
    # (run.sh leaves Rust off the PATH, unless it shares a directory with python3)
    if not os.environ.get("PACKAGE_TEST_RUST_ON_PATH"):
        assert shutil.which("cargo") is None and shutil.which("rustc") is None
    assert "ROSTER_BIN" not in os.environ
    exe = roster_server.binary()
    assert exe.startswith(sys.prefix + os.sep), (exe, sys.prefix)
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True).stdout
    assert out.strip() == f"roster {roster_server.__version__}"
    # python -m roster_server is the same executable
    out = subprocess.run([sys.executable, "-m", "roster_server", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"roster {roster_server.__version__}"


def test_the_distribution_declares_the_pytest_plugin():
    dist = importlib.metadata.distribution("roster-server")
    assert dist.metadata["Name"] == "roster-server"
    plugins = [e for e in dist.entry_points if e.group == "pytest11"]
    assert [(e.name, e.value) for e in plugins] == [("roster", "roster_server.plugin")]
    assert "pip install roster-server" in dist.read_text("METADATA"), "python/README.md is the long description"


# -- the launcher ------------------------------------------------------------------


def test_running_gives_url_admin_and_seeded_users_and_stop_ends_the_process(tmp_path):
    (tmp_path / "seed.yaml").write_text(SEED)
    with roster_server.running(seed=tmp_path / "seed.yaml") as site:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", site.url), site.url
        login, token = site.admin
        assert login == "admin@example.com" and token.startswith("rst_")
        assert site.call("GET", "/wiki/rest/api/user/current")["email"] == "admin@example.com"
        dora = site.user("dora")
        assert site.call("GET", "/wiki/rest/api/user/current", auth=dora)["accountId"] == dora.account_id
        assert site.call("GET", "/rest/api/user/current", auth=("dora", dora.password))["username"] == "dora"
        assert site.request("GET", "/wiki/rest/api/user/current", auth=("dora", "nope"))[0] == 401
        # the derived account id is roster's (docs/fixtures.md)
        assert dora.account_id == roster_server.account_id_for("dora")
        pid, store = site.pid, store_dir(site.store)
        assert os.path.isdir(store)
        site.stop()
        assert gone(pid) and not os.path.exists(store), "stop() leaves no process and no store"
        site.stop()  # again: nothing to do
        with pytest.raises(OSError):
            site.call("GET", "/wiki/rest/api/user/current")


def test_the_block_stops_the_server_when_it_raises(tmp_path):
    with pytest.raises(ZeroDivisionError):
        with roster_server.running() as site:
            pid = site.pid
            assert site.users == {} and site.diff()["empty"] is True
            1 / 0
    assert gone(pid)


def test_a_bad_seed_raises_with_rosters_own_words(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nusers:\n  - username: typo\n    emial: typo@example.com\n")
    with pytest.raises(roster_server.RosterStartError) as e:
        roster_server.start(seed=bad)
    msg = str(e.value)
    assert "exited with status" in msg
    assert f"{bad}:4: emial: unknown field in a user" in msg, msg
    assert "nothing was imported" in msg


def test_a_missing_executable_is_said_plainly(monkeypatch):
    monkeypatch.setenv("ROSTER_BIN", "/nonexistent/roster")
    with pytest.raises(roster_server.RosterStartError, match="ROSTER_BIN=/nonexistent/roster: no such executable"):
        roster_server.start()


def test_a_forgotten_server_is_stopped_when_python_exits(tmp_path):
    script = "import roster_server; s = roster_server.start(); print(s.pid, s.store, flush=True)"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                         env=env_without_roster_bin(), check=True).stdout.split()
    pid, store = int(out[0]), store_dir(out[1])
    assert gone(pid), "atexit stopped it"
    assert not os.path.exists(store), "by SIGTERM: roster removed its ephemeral store"


def test_a_roster_started_from_a_thread_stops_when_python_dies(tmp_path):
    # The kernel's parent-death signal follows the starting thread, so here
    # (and off Linux) a watchdog process stops roster instead.
    script = textwrap.dedent("""\
        import os, threading, roster_server
        box = {}
        t = threading.Thread(target=lambda: box.update(site=roster_server.start()))
        t.start(); t.join()
        s = box["site"]
        print(s.pid, s.store, s._watchdog.process.pid, flush=True)
        os._exit(0)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                         env=env_without_roster_bin(), check=True).stdout.split()
    pid, store, watchdog = int(out[0]), store_dir(out[1]), int(out[2])
    assert gone(pid), "the watchdog stopped it"
    assert not os.path.exists(store)
    assert gone(watchdog)


def test_the_watchdog_stands_down_after_a_normal_stop():
    import threading
    box = {}
    t = threading.Thread(target=lambda: box.update(site=roster_server.start()))
    t.start()
    t.join()
    site = box["site"]
    assert site._watchdog is not None and site.running
    site.stop()
    assert site._watchdog.process.wait(timeout=10) == 0
    assert gone(site.pid)


# -- the plugin ---------------------------------------------------------------------

RECORD = """\
import os

def record(roster):
    with open(os.environ["RECORD"], "a") as f:
        f.write(f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')} {roster.pid} {roster.url} {roster.store}\\n")
"""


def records(path):
    lines = [line.split() for line in path.read_text().splitlines()]
    return [(w, int(pid), url, store_dir(store)) for w, pid, url, store in lines]


@pytest.mark.parametrize("crash", [
    "os.kill(os.getpid(), signal.SIGKILL)",  # no finalizer, no atexit: the kernel's parent-death
    "os._exit(3)",                           # signal (Linux), or the watchdog process
    "raise KeyboardInterrupt",               # pytest stops the session: its hooks
    "pytest.exit('giving up', returncode=4)",
    "raise SystemExit(5)",
])
def test_no_roster_outlives_a_crashed_run(tmp_path, crash):
    rec = tmp_path / "record.txt"
    p = project(tmp_path, f"""\
        import os, signal
        import pytest
        from record_helper import record

        def test_first(roster_reset):
            record(roster_reset)
            roster_reset.call("POST", "/wiki/rest/api/group", {{"name": "half-done"}})

        def test_crashes(roster):
            {crash}

        def test_never_runs():
            pass
    """, files={"record_helper.py": RECORD})
    os.environ["RECORD"] = str(rec)
    try:
        r = run_pytest(p, "-p", "no:faulthandler")
    finally:
        del os.environ["RECORD"]
    assert r.returncode != 0, r.stdout
    assert "test_never_runs PASSED" not in r.stdout
    [(_, pid, _, store)] = records(rec)
    assert gone(pid), f"roster (pid {pid}) outlived: {crash}\n{r.stdout}\n{r.stderr}"
    assert not os.path.exists(store), "stopped by SIGTERM, so it removed its store"


def test_a_normal_run_and_each_xdist_worker(tmp_path):
    rec = tmp_path / "record.txt"
    p = project(tmp_path, "from record_helper import record\n" + "".join(f"""
def test_{i}(roster_reset):
    record(roster_reset)
    roster_reset.call("POST", "/wiki/rest/api/group", {{"name": "only-mine"}})
    assert roster_reset.diff()["groups"]["created"] == ["only-mine"]
""" for i in range(6)), files={"record_helper.py": RECORD})
    os.environ["RECORD"] = str(rec)
    try:
        r = run_pytest(p, "-n", "2", "-q")
    finally:
        del os.environ["RECORD"]
    assert r.returncode == 0, r.stdout + r.stderr
    seen = records(rec)
    assert len(seen) == 6
    servers = {(w, pid, url) for w, pid, url, _ in seen}
    assert {w for w, _, _ in servers} == {"gw0", "gw1"}
    assert len(servers) == 2, f"one roster per worker, each with its own port: {servers}"
    assert len({url for _, _, url in servers}) == 2
    for _, pid, _, store in seen:
        assert gone(pid) and not os.path.exists(store)


def test_the_seed_from_pyproject_and_the_marker(tmp_path):
    p = project(tmp_path, """\
        import pytest

        def test_ini_seed(roster):
            assert roster.user("dora").username == "dora"
            assert "explorers" in [g["name"] for g in roster.call("GET", "/wiki/rest/api/group")["results"]]

        @pytest.mark.roster_seed("sub/other.json")
        def test_marker_seed(roster):
            assert roster.seeds == [str(__import__("pathlib").Path(__file__).parent / "sub" / "other.json")]
            assert roster.user("zed").token == "rst_zed_test_token_00001"
            with pytest.raises(KeyError):
                roster.user("dora")

        @pytest.mark.roster_seed()
        def test_no_seed_at_all(roster):
            assert roster.users == {} and roster.seeds == []

        def test_back_to_the_ini_seed(roster):
            assert roster.user("dora")
    """, ini=None, files={"pyproject.toml": """\
        [tool.pytest.ini_options]
        roster_seed = ["seed.yaml"]
    """})
    (p / "sub").mkdir()
    (p / "sub" / "other.json").write_text(
        '{"version": 1, "users": [{"username": "zed", "tokens": ["rst_zed_test_token_00001"]}]}')
    r = run_pytest(p, "-v")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "4 passed" in r.stdout


def test_a_bad_seed_fails_the_tests_with_rosters_message(tmp_path):
    p = project(tmp_path, """\
        def test_needs_roster(roster):
            pass
    """, ini="[pytest]\nroster_seed = broken.yaml\n", files={"broken.yaml": "version: 1\ngroups: [ok]\nmemberships:\n  ok: [nobody]\n"})
    r = run_pytest(p)
    assert r.returncode == 1, r.stdout
    assert "RosterStartError" in r.stdout
    assert "unknown user 'nobody' in group 'ok'" in r.stdout, r.stdout


def test_roster_confluence_skips_clearly_without_atlassian_python_api(tmp_path):
    p = project(tmp_path, """\
        def test_client(roster_confluence):
            raise AssertionError("not reached")

        def test_plain(roster):
            assert roster.url
    """, files={"conftest.py": """\
        import sys
        sys.modules["atlassian"] = None  # as if atlassian-python-api were not installed
    """})
    r = run_pytest(p, "-rs")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "1 passed, 1 skipped" in r.stdout
    assert "roster_confluence needs atlassian-python-api: pip install atlassian-python-api" in r.stdout


def test_verify_says_what_the_journal_holds(tmp_path):
    with roster_server.running() as site:
        site.call("GET", "/wiki/rest/api/group")
        site.journal.verify(1, method="GET", route="/wiki/rest/api/group")
        with pytest.raises(AssertionError) as e:
            site.journal.verify(2, method="GET", path_prefix="/wiki/rest/api/group")
        assert "expected 2 request(s) matching {'method': 'GET', 'pathPrefix': '/wiki/rest/api/group'}" in str(e.value)
        assert "GET /wiki/rest/api/group -> 200" in str(e.value)
