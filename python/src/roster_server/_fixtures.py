"""The users a seed gives, with the credentials a test may sign in with.

Fixture files (docs/fixtures.md: YAML or JSON, `version: 1`) may give users a
password and API tokens; the dataset generator's JSON lines give none. roster
itself has already checked the files when this reads them (it refuses to start
on a bad one), so this only picks out what a test needs.
"""
import hashlib
import json
import uuid


class Credentials(tuple):
    """(login, secret): usable as `auth=` of requests, or unpacked.

    login is the e-mail address (else the username); secret the first API
    token, else the password (None when the seed gives neither). The other
    fields: username, email, password, token, tokens, account_id,
    display_name, active.
    """

    def __new__(cls, login, secret, *, username=None, email=None, password=None, tokens=(),
                account_id=None, display_name=None, active=True):
        self = super().__new__(cls, (login, secret))
        self.username, self.email, self.password = username, email, password
        self.tokens = tuple(tokens)
        self.account_id, self.display_name, self.active = account_id, display_name, active
        return self

    login = property(lambda self: self[0])
    secret = property(lambda self: self[1])
    token = property(lambda self: self.tokens[0] if self.tokens else None)

    def __repr__(self):
        # Never the secret: test reports and logs print this.
        return f"Credentials(login={self.login!r}, username={self.username!r}, account_id={self.account_id!r})"


def account_id_for(key):
    """The account id roster derives for a fixture user without one (docs/fixtures.md)."""
    d = bytearray(hashlib.sha256(b"roster fixture accountId\0" + key.lower().encode()).digest()[:16])
    d[6] = (d[6] & 0x0F) | 0x80
    d[8] = (d[8] & 0x3F) | 0x80
    return "712020:" + str(uuid.UUID(bytes=bytes(d)))


def _is_json_lines(path, text):
    if path.endswith(".jsonl"):
        return True
    first = text.lstrip().split("\n", 1)[0].strip()
    try:
        rec = json.loads(first)
    except ValueError:
        return False
    return isinstance(rec, dict) and "kind" in rec


def read_users(paths):
    """{username (or e-mail, or account id): Credentials} over all seed files, in order."""
    users = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if _is_json_lines(path, text):
            for line in text.splitlines():
                if not line.strip():
                    continue
                rec = json.loads(line)
                if rec.get("kind") != "user":
                    continue
                email = rec.get("email")
                c = Credentials(email or rec.get("accountId"), None, username=rec.get("username"), email=email,
                                account_id=rec.get("accountId"), display_name=rec.get("displayName"),
                                active=rec.get("active", True))
                users[rec.get("username") or email or rec.get("accountId")] = c
            continue
        if path.endswith(".json"):
            doc = json.loads(text)
        else:
            import yaml  # PyYAML, a dependency of roster-server

            doc = yaml.safe_load(text)
        for u in (doc or {}).get("users") or []:
            username = u.get("username")
            email = u.get("email")
            if email is None and username and u.get("accountType", "atlassian") != "app":
                email = f"{username}@example.com"
            email = email or None  # "": an address not known (a cloned site's hidden one)
            key = (username or email or "").lower()
            tokens = tuple(u.get("tokens") or ())
            password = u.get("password")
            c = Credentials(
                email or username,
                tokens[0] if tokens else password,
                username=username,
                email=email,
                password=password,
                tokens=tokens,
                account_id=u.get("accountId") or (account_id_for(key) if key else None),
                display_name=u.get("displayName"),
                active=u.get("active", True),
            )
            users[username or email or c.account_id] = c  # a user may be given by accountId alone
    return users


__all__ = ["Credentials", "account_id_for", "read_users"]
