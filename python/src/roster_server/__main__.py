"""`python -m roster_server ARGS`: the packaged roster executable, as `roster ARGS`."""
import os
import sys

from ._site import binary


def main():
    exe = binary()
    if os.name == "nt":
        import subprocess

        sys.exit(subprocess.call([exe, *sys.argv[1:]]))
    os.execv(exe, [exe, *sys.argv[1:]])


if __name__ == "__main__":
    main()
