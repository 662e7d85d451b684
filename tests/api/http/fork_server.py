"""Start ``sunshine serve`` processes in a fraction of a second: forked from one process that imported it.

WHY: importing the service (FastAPI, the engines, the audit layer) takes seconds, many more on
a loaded machine, and the fault tests restart the server dozens of times (a SIGKILL at every
step of a placement day). Each server is still a process of its own, running the real
``sunshine`` command line (:func:`api.cli.main`) with its own pid, database connections and
threads (none exist before the fork), killed with a real SIGKILL; only the imported code is
shared, copy-on-write.

Protocol: one JSON line per server on stdin, ``{"argv": [...], "log": "path"}``; the answer
is the child's pid, one line on stdout. Children are reaped by the kernel (SIGCHLD ignored),
so a killed server's pid disappears and :func:`os.kill` ``(pid, 0)`` tells whether it lives.
End of stdin ends the fork server (its children are the tests' to stop).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import traceback

import api.cli  # the command line and every command module
import api.http.app
import api.http.server

api.cli.load_commands()


def _child(argv: list[str], log: str) -> None:
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    sys.argv = ["sunshine", *argv]
    code = 0
    try:
        api.cli.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # never return into the fork server's loop
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def main() -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(list(request["argv"]), str(request["log"]))
        print(pid, flush=True)


if __name__ == "__main__":
    main()
