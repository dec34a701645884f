#!/usr/bin/env python3
"""Runs the shell blocks of roster's documentation, in order, on a fresh clone.

usage: tests/docs/run.py [--bin ROSTER] [--no-clone] [--keep] [DOC...]

By default it clones the checkout's committed HEAD (`git clone`, so what is
tested is what is committed, as a new user gets it) into a temporary
directory and runs, in this order, the ```sh, ```bash and ```console blocks of

    docs/getting-started.md, README.md, docs/testing-with-roster.md

with bash in that clone, as a reader copying them into a terminal would: one
shell session per document (so `cd`, variables and exports carry from one
block to the next), each block run with `set -e` semantics (a failing command
stops it), the documents one after the other in the same clone (so a later
document finds what an earlier one left, e.g. `./roster.db`). The first
failure stops the run and is reported with the document, the line, the block
and its output.

The server the docs build is not built again: `roster` is on PATH as the
binary given with --bin (default: the checkout's target/debug/roster, which
scripts/test.sh has built by then). A block that says
`cargo run --release -- serve` says so through a `replace` directive (below),
in the Markdown source, next to the block: a release build would add about
7 minutes to CI (the release workflow builds that profile, scripts/package.sh).

Directives are HTML comments right before a block (only blank lines or other
directives in between); GitHub does not show them. A trailing "(reason)" is
kept for the report; `skip` needs one.

    <!-- docs-check: skip (reason) -->            not run
    <!-- docs-check: background [PORT] -->        started in the background (its own process
                                                  group), waited for: PORT accepting connections
                                                  (PORT must be free before), or without PORT the
                                                  "listening on http://..." line roster prints;
                                                  stopped (SIGTERM, then SIGKILL) at the end of
                                                  the document
    <!-- docs-check: file PATH -->                the block is PATH's content: written there
                                                  (relative to the session's current directory)
    <!-- docs-check: expect "text" -->            the block's output (stdout and stderr) must
                                                  contain text; may be repeated; a background
                                                  block is ready only once its output has it
    <!-- docs-check: replace "old" "new" -->      run with every `old` replaced by `new`
                                                  (old must occur)
    <!-- docs-check: drop "prefix" -->            run without the lines starting with prefix
                                                  (one must)
    <!-- docs-check: timeout SECONDS -->          for this block (default 300; background start 60)

In a block, `docs-check-token` prints the API token the first start of a
server in this run printed ("its API token, shown only this once: ..."),
for blocks whose reader is told to copy it from that output.

A ```console block runs its `$ ` lines (and their `\\` continuations); the
other lines are output and are not checked.

Every process a document started is stopped by the end of it: the background
blocks' process groups, then the session's own process group (which holds
anything a block put in the background itself with `&`).

Exit status: 0 all ran, 1 a block failed, 2 a usage or directive error.
"""

import argparse
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

DOCS = ["docs/getting-started.md", "README.md", "docs/testing-with-roster.md"]
SHELL_LANGS = {"sh", "bash", "shell", "console"}
DIRECTIVE = re.compile(r"^\s*<!--\s*docs-check:\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+.-]*)")
REASON = re.compile(r"\s+\(([^()\"]*)\)\s*$")
KNOWN = {"skip", "background", "file", "expect", "replace", "drop", "timeout"}
TOKEN_LINE = "roster: its API token, shown only this once: "


class DocError(Exception):
    """A document or directive the runner cannot use (exit 2)."""


class Block:
    def __init__(self, doc, line, lang, lines):
        self.doc, self.line, self.lang, self.lines = doc, line, lang, lines
        self.directives = []  # (name, args, reason, line)

    def first(self, name):
        return next((d for d in self.directives if d[0] == name), None)

    def all(self, name):
        return [d for d in self.directives if d[0] == name]

    def where(self, offset=0):
        # offset: 1-based line within the block's content
        return f"{self.doc}:{self.line + offset}"


def parse_directive(text, doc, lineno):
    reason = None
    m = REASON.search(text)
    if m:
        reason, text = m.group(1).strip(), text[: m.start()]
    try:
        words = shlex.split(text)
    except ValueError as e:
        raise DocError(f"{doc}:{lineno}: docs-check directive: {e}")
    if not words or words[0] not in KNOWN:
        raise DocError(f"{doc}:{lineno}: unknown docs-check directive {text!r} (known: {', '.join(sorted(KNOWN))})")
    name, args = words[0], words[1:]
    want = {"skip": (0, 0), "background": (0, 1), "file": (1, 1), "expect": (1, 1),
            "replace": (2, 2), "drop": (1, 1), "timeout": (1, 1)}[name]
    if not want[0] <= len(args) <= want[1]:
        raise DocError(f"{doc}:{lineno}: docs-check {name} takes {want[0]}..{want[1]} arguments, got {args}")
    if name == "skip" and not reason:
        raise DocError(f"{doc}:{lineno}: docs-check skip needs a reason: <!-- docs-check: skip (why) -->")
    if name in ("background", "timeout") and args and not args[0].isdigit():
        raise DocError(f"{doc}:{lineno}: docs-check {name} takes a number, got {args[0]!r}")
    return (name, args, reason, lineno)


def parse(path, name):
    """The blocks to run of one Markdown file, in document order."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks, pending, i = [], [], 0
    while i < len(lines):
        text = lines[i]
        d = DIRECTIVE.match(text)
        m = FENCE.match(text)
        if d:
            pending.append(parse_directive(d.group(1), name, i + 1))
        elif m:
            fence, lang = m.group(2), m.group(3).lower()
            start, body = i + 1, []
            i += 1
            while i < len(lines) and not (lines[i].strip().startswith(fence[0] * len(fence))
                                          and lines[i].strip().strip(fence[0]) == ""):
                body.append(lines[i])
                i += 1
            if i == len(lines):
                raise DocError(f"{name}:{start}: code block never closed")
            if lang in SHELL_LANGS or pending:
                b = Block(name, start, lang, body)
                b.directives = pending
                if not (lang in SHELL_LANGS or b.first("file") or b.first("skip")):
                    raise DocError(f"{name}:{start}: a ```{lang} block is not run; its directives "
                                   "need `file PATH` (or `skip`)")
                blocks.append(b)
            pending = []
        elif text.strip() and pending:
            raise DocError(f"{name}:{pending[0][3]}: a docs-check directive must come right before "
                           "a code block (only blank lines between)")
        i += 1
    if pending:
        raise DocError(f"{name}:{pending[0][3]}: a docs-check directive at the end, before no block")
    return blocks


def script_of(block):
    """The bash text to run for a block, one line per line of the block so
    that line N of it is line N of the block's content."""
    if block.first("file"):
        path = block.first("file")[1][0]
        eof = "__DOCS_CHECK_EOF__"
        return (f"mkdir -p \"$(dirname {shlex.quote(path)})\"; cat > {shlex.quote(path)} <<'{eof}'\n"
                + "\n".join(block.lines) + f"\n{eof}\n")
    lines = list(block.lines)
    if block.lang == "console":
        out, cont = [], False
        for text in lines:
            s = text.lstrip()
            if s.startswith("$ ") or cont:
                cmd = s[2:] if s.startswith("$ ") and not cont else text
                out.append(cmd)
                cont = cmd.rstrip().endswith("\\")
            else:
                out.append("")
        lines = out
    for _, (prefix,), _, lineno in block.all("drop"):
        kept = ["" if text.lstrip().startswith(prefix) else text for text in lines]
        if kept == lines:
            raise DocError(f"{block.doc}:{lineno}: drop {prefix!r}: no line of the block starts with it")
        lines = kept
    text = "\n".join(lines)
    for _, (old, new), _, lineno in block.all("replace"):
        if old not in text:
            raise DocError(f"{block.doc}:{lineno}: replace {old!r}: not in the block")
        text = text.replace(old, new)
    return text + "\n"


def port_open(port):
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def group_alive(pgid):
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[2]) == pgid and fields[0] != "Z":
                    return True
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                pass
    return False


def stop_group(pgid, grace=15):
    """SIGTERM the process group we started, then SIGKILL what is left."""
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.time() + grace
    while time.time() < deadline and group_alive(pgid):
        time.sleep(0.05)
    if group_alive(pgid):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Failure(Exception):
    def __init__(self, block, message, output=""):
        super().__init__(message)
        self.block, self.message, self.output = block, message, output


class Session:
    """One bash per document, fed a block at a time."""

    def __init__(self, work, cwd, env, tag):
        self.work, self.tag = work, tag
        self.log = open(os.path.join(work, f"{tag}.session.log"), "wb")
        self.proc = subprocess.Popen(["bash", "--noprofile", "--norc"], stdin=subprocess.PIPE,
                                     stdout=self.log, stderr=subprocess.STDOUT, cwd=cwd, env=env,
                                     start_new_session=True)
        self.background = []  # (pgid, port, block)
        self.send("trap 'rc=$?; echo \"docs-check: exit status $rc at ${BASH_SOURCE[0]##*/}:$LINENO\" >&2' ERR\n")

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def wait_file(self, path, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if os.path.exists(path):
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.02)
        return None

    def run(self, block, n):
        base = os.path.join(self.work, f"{self.tag}-b{n:03}")
        with open(base + ".sh", "w") as f:
            f.write(script_of(block))
        out, done = base + ".out", base + ".done"
        to = block.first("timeout")
        if block.first("background"):
            return self.run_background(block, base, int(to[1][0]) if to else 60)
        timeout = int(to[1][0]) if to else 300
        self.send(f"set -e\nsource {shlex.quote(base + '.sh')} > {shlex.quote(out)} 2>&1 < /dev/null\n"
                  f"echo ok > {shlex.quote(done)}\n")
        got = self.wait_file(done, timeout)
        output = read(out)
        if got is None:
            raise Failure(block, f"still running after {timeout}s (docs-check: timeout N to allow more)", output)
        if got is False:
            raise Failure(block, f"failed: the shell exited with status {self.proc.returncode}", output)
        for _, (text,), _, lineno in block.all("expect"):
            if text not in output:
                raise Failure(block, f"the output does not contain {text!r} (expect at line {lineno})", output)
        return output

    def run_background(self, block, base, timeout):
        port = block.first("background")[1]
        port = int(port[0]) if port else None
        if port and port_open(port):
            raise Failure(block, f"port {port} is already in use before this block starts "
                          "(a server from an earlier block or another program)")
        out, pidf = base + ".bg.out", base + ".pid"
        # setsid: its own process group, stopped as a whole at the end of the document.
        self.send(f"setsid bash --noprofile --norc -e {shlex.quote(base + '.sh')} > {shlex.quote(out)} 2>&1 "
                  f"< /dev/null &\necho $! > {shlex.quote(pidf)}.tmp && mv {shlex.quote(pidf)}.tmp {shlex.quote(pidf)}\n")
        if not self.wait_file(pidf, 10):
            raise Failure(block, "could not start it in the background", read(out))
        pid = int(read(pidf).strip())
        self.background.append((pid, port, block))
        expects = [d[1][0] for d in block.all("expect")]
        deadline = time.time() + timeout
        while time.time() < deadline:
            output = read(out)
            ready = port_open(port) if port is not None else re.search(r"listening on http://\S+", output)
            if ready and all(text in output for text in expects):
                break
            if not alive(pid):
                raise Failure(block, "exited before it was ready", output)
            time.sleep(0.05)
        else:
            what = [f"port {port} accepting connections" if port else "a 'listening on http://' line"]
            what += [repr(text) for text in expects]
            raise Failure(block, f"not all of {', '.join(what)} after {timeout}s", read(out))
        return read(out)

    def close(self):
        """Ends the session and stops everything the document started."""
        stopped = []
        for pgid, port, block in self.background:
            stop_group(pgid)
            if port and port_open(port):
                time.sleep(0.5)
            stopped.append((pgid, port, block, port is not None and port_open(port)))
        if self.proc.poll() is None:
            try:
                self.send("exit 0\n")
                self.proc.stdin.close()
            except BrokenPipeError:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        stop_group(self.proc.pid)  # what a block put in the background with `&`
        self.proc.wait()
        self.log.close()
        return stopped


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def report(fail, script):
    b = fail.block
    print(f"\ndocs-check: FAILED {b.where()} (```{b.lang} block): {fail.message}")
    print("--- the block, as run ---")
    for i, text in enumerate(script.rstrip("\n").split("\n"), 1):
        print(f"{b.line + i:5} | {text}")
    print("--- its output ---")
    output = fail.output
    # the ERR trap names the block's script and line: say the document's line instead
    output = re.sub(r"docs-check: exit status (\d+) at \S+-b\d+\.sh:(\d+)",
                    lambda m: f"docs-check: exit status {m.group(1)} at {b.where(int(m.group(2)))}", output)
    lines = output.rstrip("\n").split("\n") if output.strip() else ["(none)"]
    if len(lines) > 100:
        lines = lines[:30] + [f"[... {len(lines) - 90} lines ...]"] + lines[-60:]
    print("\n".join(lines))
    print("--- end ---")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("docs", nargs="*", help=f"Markdown files, relative to the checkout (default: {' '.join(DOCS)})")
    ap.add_argument("--bin", help="the roster binary to put on PATH (default: target/debug/roster)")
    ap.add_argument("--no-clone", action="store_true",
                    help="run in an empty temporary directory instead of a clone (the self-test's fixture)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (the clone, each block's output)")
    args = ap.parse_args(argv)

    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    binary = os.path.abspath(args.bin or os.path.join(root, "target", "debug", "roster"))
    if not os.access(binary, os.X_OK):
        print(f"docs-check: no roster binary at {binary}: build it first (cargo build -p roster) or pass --bin",
              file=sys.stderr)
        return 2
    docs = args.docs or DOCS
    start = time.time()
    tmp = tempfile.mkdtemp(prefix="roster-docs-")
    work, bindir = os.path.join(tmp, "run"), os.path.join(tmp, "bin")
    os.makedirs(work)
    os.makedirs(bindir)
    status = 0
    try:
        if args.no_clone:
            clone = os.path.join(tmp, "dir")
            os.makedirs(clone)
            sources = {d: os.path.abspath(d) for d in docs}
        else:
            clone = os.path.join(tmp, "roster")
            head = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], check=True,
                                  capture_output=True, text=True).stdout.strip()
            dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--", *docs],
                                   capture_output=True, text=True).stdout.strip()
            print(f"docs-check: a fresh clone of {root} at {head} in {clone}")
            if dirty:
                print("docs-check: note: uncommitted changes to these documents are not tested:\n" + dirty)
            subprocess.run(["git", "clone", "-q", root, clone], check=True)
            sources = {d: os.path.join(clone, d) for d in docs}
        os.symlink(binary, os.path.join(bindir, "roster"))
        with open(os.path.join(bindir, "docs-check-token"), "w") as f:
            f.write("#!/bin/sh\n# The token the first start of a server in this run printed.\n"
                    f"t=$(cat \"$DOCS_CHECK_DIR\"/*.bg.out \"$DOCS_CHECK_DIR\"/*.out 2>/dev/null "
                    f"| sed -n 's/^{TOKEN_LINE}//p' | head -1)\n"
                    "[ -n \"$t\" ] || { echo 'docs-check-token: no server of this run printed a token' >&2; exit 1; }\n"
                    "echo \"$t\"\n")
        os.chmod(os.path.join(bindir, "docs-check-token"), 0o755)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ROSTER_")}
        env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
        env["DOCS_CHECK_DIR"] = work
        env.setdefault("CARGO_TARGET_DIR", os.path.join(root, "target"))
        env.pop("CDPATH", None)
        # curl shows no progress meter in a terminal; it would in the captured output
        os.makedirs(os.path.join(tmp, "curl"))
        with open(os.path.join(tmp, "curl", ".curlrc"), "w") as f:
            f.write("no-progress-meter\n")
        env["CURL_HOME"] = os.path.join(tmp, "curl")

        parsed = [(d, parse(sources[d], d)) for d in docs]  # every directive is checked before anything runs
        ran = skipped = 0
        for di, (doc, blocks) in enumerate(parsed, 1):
            print(f"== {doc}: {len(blocks)} blocks")
            session = Session(work, clone, env, f"d{di:02}")
            try:
                for n, block in enumerate(blocks, 1):
                    skip = block.first("skip")
                    if skip:
                        print(f"   skip {block.where()}: {skip[2]}")
                        skipped += 1
                        continue
                    kind = ("file " + block.first("file")[1][0]) if block.first("file") else \
                        ("background" if block.first("background") else block.lang)
                    t0 = time.time()
                    try:
                        session.run(block, n)
                    except Failure as fail:
                        report(fail, script_of(block))
                        status = 1
                        break
                    ran += 1
                    print(f"   ok   {block.where()} ({kind}) {time.time() - t0:.1f}s")
            finally:
                for pgid, port, block, still in session.close():
                    print(f"   stopped the background block of {block.where()} (process group {pgid})"
                          + (f"; port {port} still answers" if still else ""))
                    if still:
                        status = status or 1
            if status:
                break
        if status == 0:
            print(f"docs-check: {ran} blocks ran, {skipped} skipped, in {time.time() - start:.0f}s")
        else:
            print(f"docs-check: FAILED after {time.time() - start:.0f}s; every block's script and output: "
                  f"{work if args.keep else '(rerun with --keep)'}")
    except DocError as e:
        print(f"docs-check: {e}", file=sys.stderr)
        status = 2
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"docs-check: kept {tmp}")
    return status


if __name__ == "__main__":
    sys.exit(main())
