"""pytest plugin: a roster per test session (and per pytest-xdist worker).

Fixtures:
  roster             (session) the running roster: a roster_server.Site
  roster_reset       (function) the same roster, first reset to its seed, with
                     no fault rules and an empty request journal
  roster_confluence  (function) an atlassian.Confluence client signed in as the
                     admin; skipped when atlassian-python-api is not installed

Configuration (pytest.ini, or [tool.pytest.ini_options] in pyproject.toml):
  roster_seed = team.yaml [more files]   relative to the ini file
  roster_confluence = cloud | dc         the client's flavour (default cloud)
  roster_args = ...                      more `roster serve` arguments

Markers:
  @pytest.mark.roster_seed("other.yaml", ...)   this test (class, module) gets a
      roster seeded from these files, relative to the test file; no files: an
      empty directory. One roster per distinct seed, kept for the session.
  @pytest.mark.roster_confluence("dc", **client_kwargs)

Every roster is stopped by its PID when the session ends (a session
finalizer), also after a crash: the sessionfinish and unconfigure hooks, an
atexit handler, and on Linux the kernel (the server gets SIGTERM when the
test process dies, however it dies).
"""
import os

import pytest

from ._site import start

DEFAULT = "roster-default-seed"


def pytest_addoption(parser):
    parser.addini("roster_seed", type="args", default=[],
                  help="roster: seed files (fixtures, JSON lines) for the session's roster, relative to the ini file")
    parser.addini("roster_confluence", default="cloud",
                  help="roster: the flavour of the roster_confluence client: cloud (default) or dc")
    parser.addini("roster_args", type="args", default=[], help="roster: more `roster serve` arguments")
    parser.getgroup("roster").addoption(
        "--roster-bin", default=None, help="the roster executable (default: $ROSTER_BIN, else the packaged one)")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "roster_seed(*files): seed the roster this test uses from these files (relative to the test file)")
    config.addinivalue_line(
        "markers", "roster_confluence(flavour='cloud', **kwargs): the flavour and arguments of roster_confluence")
    config.pluginmanager.register(_Servers(config), "roster-servers")


def _servers(config):
    return config.pluginmanager.get_plugin("roster-servers")


class _Servers:
    """The session's rosters, one per distinct seed, started when first asked for."""

    def __init__(self, config):
        self.config = config
        self.sites = {}
        self.finalizer_added = False

    def default_seed(self):
        base = os.path.dirname(str(self.config.inipath)) if self.config.inipath else str(self.config.rootpath)
        return tuple(os.path.normpath(os.path.join(base, s)) for s in self.config.getini("roster_seed"))

    def get(self, seeds):
        site = self.sites.get(seeds)
        if site is None or not site.running:
            args = list(self.config.getini("roster_args"))
            executable = self.config.getoption("roster_bin")
            site = start(list(seeds), executable=executable, args=args)
            self.sites[seeds] = site
        return site

    def stop_all(self):
        for site in self.sites.values():
            site.stop()
        self.sites.clear()

    # the end of the session, also after Ctrl-C or an internal error
    def pytest_sessionfinish(self):
        self.stop_all()

    def pytest_unconfigure(self):
        self.stop_all()


def pytest_generate_tests(metafunc):
    """A test marked roster_seed gets the session-scoped `roster` for its seed."""
    if "roster" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("roster_seed")
    if marker is None:
        return
    base = os.path.dirname(str(metafunc.definition.path))
    files = [a for arg in marker.args for a in ([arg] if isinstance(arg, (str, os.PathLike)) else arg)]
    seeds = tuple(os.path.normpath(os.path.join(base, os.fspath(f))) for f in files)
    if seeds == _servers(metafunc.config).default_seed():
        return
    label = "+".join(os.path.basename(s) for s in seeds) or "unseeded"
    metafunc.parametrize("roster", [seeds], indirect=True, scope="session", ids=[f"roster:{label}"])


@pytest.fixture(scope="session")
def roster(request):
    """The session's roster (a roster_server.Site): .url, .admin, .user(name), .call(),
    .reset(), .diff(), .journal, .faults, .confluence()."""
    servers = _servers(request.config)
    if not servers.finalizer_added:  # after the session's last test; the hooks above cover a crash
        request.session.addfinalizer(servers.stop_all)
        servers.finalizer_added = True
    seeds = getattr(request, "param", None)
    return servers.get(servers.default_seed() if seeds is None else seeds)


@pytest.fixture
def roster_reset(roster):
    """The session's roster reset to its seed, with no fault rules and an empty journal."""
    roster.faults.clear()
    roster.reset()
    roster.journal.clear()
    return roster


@pytest.fixture
def roster_confluence(request, roster):
    """An atlassian.Confluence client of the roster, signed in as the admin."""
    try:
        import atlassian  # noqa: F401
    except ImportError:
        pytest.skip("roster_confluence needs atlassian-python-api: pip install atlassian-python-api "
                    "(or roster-server[confluence])")
    flavour = request.config.getini("roster_confluence") or "cloud"
    kwargs = {}
    marker = request.node.get_closest_marker("roster_confluence")
    if marker is not None:
        if marker.args:
            flavour = marker.args[0]
        kwargs = dict(marker.kwargs)
    return roster.confluence(flavour.strip(), **kwargs)


__all__ = ["roster", "roster_reset", "roster_confluence"]
