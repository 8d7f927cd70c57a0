"""Timing child processes for the bench scripts (duckdb-compare, shard-scaling).

Why a launcher process: Linux keeps a process's peak RSS across fork and exec, so a child
forked from a script that has grown (DuckDB's equality joins, the shard split's tables)
reports at least the script's own peak as its `ru_maxrss`, even after the script freed that
memory. Children are therefore started by a small launcher, itself started before the script
grows, and each figure is the child's own.
"""

import json
import os
import subprocess
import sys

# The launcher: reads one JSON request a line ({"argv", "cwd", "env"}), runs it with stdout
# discarded, and answers with wall seconds, CPU seconds, peak RSS bytes and the exit code.
_LAUNCHER = r"""
import json, os, subprocess, sys, time
for line in sys.stdin:
    req = json.loads(line)
    start = time.monotonic()
    proc = subprocess.Popen(req["argv"], cwd=req["cwd"], env=req["env"], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    print(json.dumps([time.monotonic() - start, usage.ru_utime + usage.ru_stime,
                      usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status)]), flush=True)
"""


class ChildRunner:
    """Create one early, while the script is small; `run` may then be called at any time."""

    def __init__(self):
        self._launcher = subprocess.Popen([sys.executable, "-S", "-c", _LAUNCHER],
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def run(self, argv, cwd=None, env=None):
        """Runs argv; returns (wall seconds, CPU seconds, peak RSS bytes, exit code), the child's own."""
        request = {"argv": [str(a) for a in argv], "cwd": str(cwd) if cwd else None,
                   "env": dict(env) if env is not None else dict(os.environ)}
        self._launcher.stdin.write(json.dumps(request) + "\n")
        self._launcher.stdin.flush()
        answer = self._launcher.stdout.readline()
        if not answer:
            raise RuntimeError("the bench launcher process ended unexpectedly")
        wall, cpu, rss, code = json.loads(answer)
        return wall, cpu, rss, code

    def close(self):
        self._launcher.stdin.close()
        self._launcher.wait()
