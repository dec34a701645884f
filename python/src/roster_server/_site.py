"""Starting, calling and stopping one roster server.

A `Site` is one `roster serve --ephemeral --listen 127.0.0.1:0` process with
a known admin token, and thin helpers over roster's own routes: reset, diff,
snapshots, the request journal and fault injection.
"""
import atexit
import base64
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from ._fixtures import Credentials, read_users

ADMIN_LOGIN = "admin@example.com"
ADMIN_USERNAME = "admin"
_LISTENING = re.compile(r"roster: listening on (http://\S+) \(store ([^)]*)\)")
# Environment variables that would change how the server is started, which
# the launcher decides itself (the token, the store, the address, the seed).
_DECIDED_HERE = (
    "ROSTER_ADMIN_TOKEN",
    "ROSTER_ADMIN_TOKEN_FILE",
    "ROSTER_DB",
    "ROSTER_LISTEN",
    "ROSTER_SEED",
    "ROSTER_EPHEMERAL",
    "ROSTER_PUBLIC_URL",
)


class RosterError(Exception):
    """A call to roster answered with an unexpected status."""

    def __init__(self, method, path, status, body):
        self.method, self.path, self.status, self.body = method, path, status, body
        super().__init__(f"{method} {path}: {status} {body[:2000]}")


class RosterStartError(RuntimeError):
    """roster did not start; the message holds what roster itself said."""


def binary():
    """The roster executable: $ROSTER_BIN, else the one installed with this package."""
    env = os.environ.get("ROSTER_BIN")
    if env:
        found = shutil.which(env) if os.sep not in env else env
        if not found or not os.path.isfile(found):
            raise RosterStartError(f"ROSTER_BIN={env}: no such executable")
        return os.path.abspath(found)
    names = ("roster.exe", "roster") if os.name == "nt" else ("roster",)
    try:
        from importlib import metadata

        for f in metadata.distribution("roster-server").files or ():
            if f.name in names:
                path = os.path.abspath(str(f.locate()))
                if os.path.isfile(path) and os.access(path, os.X_OK):
                    return path
    except Exception:  # not installed as a distribution (a source checkout)
        pass
    for scheme in (None, f"{os.name}_user"):
        try:
            scripts = sysconfig.get_path("scripts", scheme) if scheme else sysconfig.get_path("scripts")
        except KeyError:
            continue
        for name in names:
            path = os.path.join(scripts, name)
            if os.path.isfile(path) and os.access(path, os.X_OK):
                return path
    found = shutil.which("roster")
    if found:
        return found
    raise RosterStartError(
        "no roster executable: install the roster-server wheel for this platform, "
        "or set ROSTER_BIN to a roster binary"
    )


def _die_with_parent():
    """On Linux, a function for preexec_fn: roster gets SIGTERM when this process dies,
    however it dies (SIGKILL, os._exit), so no server outlives a crashed test run."""
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        # PR_SET_PDEATHSIG fires when the *thread* that started the child ends.
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
        prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    except Exception:
        return None
    parent = os.getpid()
    sigterm = int(signal.SIGTERM)

    def preexec():
        prctl(1, sigterm, 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before prctl: go now
            os.kill(os.getpid(), sigterm)

    return preexec


# Where the kernel cannot be asked (not Linux, or a roster started from a
# thread other than the main one), a small watchdog process does the same: it
# holds the read end of a pipe whose write end only this process has, and
# sends roster SIGTERM when the pipe closes without the word to stand down
# (stop() says it; a dead process says nothing).
_WATCHDOG = """\
import os, signal, sys
word = sys.stdin.buffer.read()
if not word:
    try:
        os.kill(int(sys.argv[1]), signal.SIGTERM)
    except OSError:
        pass
"""


class _Watchdog:
    def __init__(self, pid):
        r, self._w = os.pipe()  # not inherited by other children (PEP 446)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _WATCHDOG, str(pid)],
                stdin=r, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True,  # a Ctrl-C meant for the tests does not reach it
            )
        finally:
            os.close(r)

    def stand_down(self):
        if self._w is not None:
            try:
                os.write(self._w, b"stop")
            finally:
                os.close(self._w)
                self._w = None


_live = set()
_live_lock = threading.Lock()


@atexit.register
def _stop_all():
    with _live_lock:
        sites = list(_live)
    for site in sites:
        site.stop()


def _as_list(seed):
    if seed is None:
        return []
    if isinstance(seed, (str, bytes, os.PathLike)):
        return [os.fspath(seed)]
    return [os.fspath(s) for s in seed]


def _camel(name):
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def _fields(d):
    """Keyword arguments in Python spelling (path_prefix) as roster's fields (pathPrefix)."""
    return {_camel(k): v for k, v in d.items() if v is not None}


def start(seed=None, *, executable=None, args=(), env=None, timeout=60.0):
    """Start an ephemeral roster on a free loopback port and return its `Site`.

    seed: a fixture file (YAML or JSON, or the dataset's JSON lines) or a list
    of them, loaded before serving. executable: the roster binary (default:
    $ROSTER_BIN, else the packaged one). args: more `roster serve` arguments.
    env: the environment (default os.environ). Raises RosterStartError, with what roster printed, when it does not start.
    """
    seeds = [os.path.abspath(s) for s in _as_list(seed)]
    exe = executable or binary()
    token = "rst_" + secrets.token_urlsafe(24)
    workdir = tempfile.mkdtemp(prefix="roster-server-")
    log_path = os.path.join(workdir, "roster.log")
    cmd = [exe, "serve", "--ephemeral", "--listen", "127.0.0.1:0"]
    for s in seeds:
        cmd += ["--seed", s]
    cmd += [str(a) for a in args]
    child_env = {k: v for k, v in (os.environ if env is None else env).items() if k not in _DECIDED_HERE}
    child_env["ROSTER_ADMIN_TOKEN"] = token
    die_with_parent = _die_with_parent()
    with open(log_path, "ab") as log:
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env=child_env,
                cwd=workdir,  # no ./roster.toml of the caller's is read
                preexec_fn=die_with_parent,
            )
        except OSError as e:
            shutil.rmtree(workdir, ignore_errors=True)
            raise RosterStartError(f"could not run {exe}: {e}") from None
    site = Site(proc, token, seeds, log_path, workdir)
    if die_with_parent is None:
        try:
            site._watchdog = _Watchdog(proc.pid)
        except OSError:
            pass  # then the finalizers and atexit alone stop it
    with _live_lock:
        _live.add(site)
    try:
        site._wait_listening(timeout)
        site.users = read_users(seeds)
    except BaseException:
        site.stop()
        raise
    return site


@contextlib.contextmanager
def running(seed=None, **kwargs):
    """`with running(seed="team.yaml") as site:` a roster for the block, stopped after it."""
    site = start(seed, **kwargs)
    try:
        yield site
    finally:
        site.stop()


class Site:
    """One running roster: its URL, the admin's and the seeded users' credentials, helpers."""

    def __init__(self, proc, token, seeds, log_path, workdir):
        self.process = proc
        self.pid = proc.pid
        self.seeds = seeds
        self.log_path = log_path
        self._workdir = workdir
        self.url = None
        self.store = None
        self.admin = Credentials(
            ADMIN_LOGIN, token, username=ADMIN_USERNAME, email=ADMIN_LOGIN, tokens=(token,), display_name="Administrator"
        )
        self.users = {}
        self.journal = Journal(self)
        self.faults = Faults(self)
        self._watchdog = None
        self._stopped = False

    def __repr__(self):
        return f"<roster {self.url or '(starting)'} pid={self.pid}>"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # -- life cycle -------------------------------------------------------

    def log(self):
        """What roster printed so far (stdout and stderr)."""
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def _wait_listening(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            m = _LISTENING.search(self.log())
            if m:
                self.url, self.store = m.group(1), m.group(2)
                return
            code = self.process.poll()
            if code is not None:
                raise RosterStartError(f"roster exited with status {code} before listening:\n{self.log().strip()}")
            if time.monotonic() > deadline:
                raise RosterStartError(f"roster did not listen within {timeout:g}s:\n{self.log().strip()}")
            time.sleep(0.02)

    def stop(self, timeout=15.0):
        """Stop the server (SIGTERM, then SIGKILL after `timeout` s); idempotent."""
        if self._stopped:
            return
        self._stopped = True
        if self._watchdog is not None:
            self._watchdog.stand_down()
        proc = self.process
        if proc.poll() is None:
            try:
                proc.terminate()  # graceful: roster removes its ephemeral store
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            except OSError:
                pass
        with _live_lock:
            _live.discard(self)
        shutil.rmtree(self._workdir, ignore_errors=True)

    @property
    def running(self):
        return not self._stopped and self.process.poll() is None

    # -- calls ------------------------------------------------------------

    def call(self, method, path, json_body=None, *, params=None, auth=None, expect=None):
        """One request as the admin (or `auth`: a (login, secret) pair; False: none); the answer's JSON.

        Raises RosterError for a status outside 2xx (or other than `expect`, an int or a list).
        """
        status, _headers, body = self.request(method, path, json_body, params=params, auth=auth)
        ok = (200 <= status < 300) if expect is None else status in (expect if isinstance(expect, (list, tuple, set)) else (expect,))
        if not ok:
            raise RosterError(method, path, status, body)
        return json.loads(body) if body.strip() else None

    def request(self, method, path, json_body=None, *, params=None, auth=None):
        """One request; (status, headers (case-insensitive), body text), whatever the status."""
        if params:
            path += ("&" if "?" in path else "?") + urllib.parse.urlencode(
                {k: _query_value(v) for k, v in params.items() if v is not None}, doseq=True
            )
        data = None if json_body is None else json.dumps(json_body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if auth is not False:  # False: no credentials at all
            login, secret = auth if auth is not None else self.admin
            req.add_header("Authorization", "Basic " + base64.b64encode(f"{login}:{secret}".encode()).decode())
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status, resp.headers, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            with e:
                return e.code, e.headers, e.read().decode("utf-8", "replace")

    # -- users --------------------------------------------------------------

    def user(self, key):
        """A seeded user's credentials, by username, e-mail address or account id."""
        key_l = str(key).lower()
        for u in self.users.values():
            if key_l in ((u.username or "").lower(), (u.email or "").lower(), (u.account_id or "").lower()):
                return u
        if key_l in (ADMIN_USERNAME, ADMIN_LOGIN):
            return self.admin
        raise KeyError(f"no seeded user {key!r}; the seed files give: {', '.join(self.users) or 'none'}")

    def confluence(self, flavour="cloud", user=None, **kwargs):
        """An atlassian.Confluence client (atlassian-python-api) signed in as the admin or `user`.

        flavour: "cloud" (the client's Cloud mode, base URL .../wiki) or "dc" (Data Center).
        """
        from atlassian import Confluence

        creds = self.admin if user is None else (user if isinstance(user, Credentials) else self.user(user))
        if flavour == "cloud":
            return Confluence(url=self.url + "/wiki", username=creds.email or creds.login, password=creds.secret, cloud=True, **kwargs)
        if flavour in ("dc", "server", "datacenter"):
            return Confluence(url=self.url, username=creds.username or creds.login, password=creds.secret, cloud=False, **kwargs)
        raise ValueError(f"flavour must be 'cloud' or 'dc', not {flavour!r}")

    # -- roster's own routes ------------------------------------------------

    def reset(self, snapshot=None):
        """Put everything back to the seed (or the named snapshot); what the reset changed."""
        return self.call("POST", "/rest/roster/1.0/reset", {"snapshot": snapshot} if snapshot else {})

    def diff(self, since=None):
        """What changed since the seed (or the named snapshot), by name."""
        return self.call("GET", "/rest/roster/1.0/diff", params={"since": since})

    def snapshot(self, name=None):
        """Take a snapshot (named or not) that reset(snapshot=...) goes back to."""
        return self.call("POST", "/rest/roster/1.0/snapshots", {"name": name} if name else {})


def _query_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


class Journal:
    """The request journal: what roster was asked (GET/DELETE /rest/roster/1.0/requests)."""

    def __init__(self, site):
        self._site = site

    def requests(self, limit=None, **filters):
        """Entries matching every filter, newest first. Filters: method, route, path,
        path_prefix, dialect, status, caller, since, until, body_contains, faulted."""
        params = _fields(filters)
        if limit is not None:
            params["limit"] = limit
        return self._site.call("GET", "/rest/roster/1.0/requests", params=params)["results"]

    def count(self, **matcher):
        """How many entries match (WireMock's verify count)."""
        return self._site.call("POST", "/rest/roster/1.0/requests/count", _fields(matcher))["count"]

    def verify(self, expected, **matcher):
        """Assert that exactly `expected` requests match; the message lists what the journal holds."""
        n = self.count(**matcher)
        if n != expected:
            seen = self.requests(limit=20)
            lines = "\n".join(
                f"  {e['method']} {e['path']}{_q(e.get('query'))} -> {e['status']}"
                + (f" (fault: {e['fault'].get('kind')})" if e.get("fault") else "")
                for e in reversed(seen)
            )
            raise AssertionError(
                f"expected {expected} request(s) matching {_fields(matcher)}, the journal has {n}; "
                f"its last {len(seen)} entries, oldest first:\n{lines or '  (none)'}"
            )
        return n

    def clear(self):
        """Forget every entry."""
        self._site.call("DELETE", "/rest/roster/1.0/requests")

    def settings(self, **settings):
        """The journal's settings; with enabled=/size=, changes them first."""
        if settings:
            return self._site.call("PUT", "/rest/roster/1.0/requests/settings", _fields(settings))
        return self._site.call("GET", "/rest/roster/1.0/requests/settings")


def _q(query):
    return "?" + urllib.parse.urlencode(query) if query else ""


class Faults:
    """Fault injection (/rest/roster/1.0/faults): make roster misbehave on purpose."""

    def __init__(self, site):
        self._site = site

    def add(self, *rules, **rule):
        """Add rules: dicts as roster takes them, or one rule as keywords
        (route=..., action="status", status=429, retry_after=2, times=1).
        Returns the added rules (with ids and seeds); usable as a context
        manager that removes them again."""
        body = [dict(r) for r in rules] + ([_fields(rule)] if rule else [])
        if not body:
            raise TypeError("add() needs a rule")
        added = self._site.call("POST", "/rest/roster/1.0/faults", body)["results"]
        return AddedFaults(self, added)

    def list(self):
        """The rules in force, with what each has `fired` and has `remaining`."""
        return self._site.call("GET", "/rest/roster/1.0/faults")["results"]

    def remove(self, rule_id):
        self._site.call("DELETE", f"/rest/roster/1.0/faults/{rule_id}", expect=(204, 404))

    def clear(self):
        """Remove every rule."""
        self._site.call("DELETE", "/rest/roster/1.0/faults")


class AddedFaults(list):
    """The rules one add() made; `with` removes them at the end of the block."""

    def __init__(self, faults, rules):
        super().__init__(rules)
        self._faults = faults

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for r in self:
            self._faults.remove(r["id"])
