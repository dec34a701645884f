"""roster-server: roster, a self-hosted test double of Confluence's user and
group REST APIs, packaged with a launcher and a pytest plugin.

    import roster_server

    with roster_server.running(seed="team.yaml") as site:
        site.url              # http://127.0.0.1:PORT
        site.admin            # ("admin@example.com", token): a requests auth pair
        site.user("alice")    # a seeded user's credentials (fixture password, tokens)
        site.diff()           # what changed since the seed

Under pytest the plugin (roster_server.plugin) gives the fixtures `roster`,
`roster_reset` and `roster_confluence`.
"""
from ._fixtures import Credentials, account_id_for
from ._site import (
    Faults,
    Journal,
    RosterError,
    RosterStartError,
    Site,
    binary,
    running,
    start,
)

try:
    from importlib.metadata import version as _version

    __version__ = _version("roster-server")
except Exception:  # a source checkout
    __version__ = "0+unknown"

__all__ = [
    "Credentials",
    "Faults",
    "Journal",
    "RosterError",
    "RosterStartError",
    "Site",
    "account_id_for",
    "binary",
    "running",
    "start",
]
