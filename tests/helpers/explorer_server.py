"""The live explorer started as a teacher starts it (``deterrence explore ... --no-browser --port 0``
in a subprocess, on 127.0.0.1), stopped, and asked for a page: for the HTTP and browser tests and
the explorer benchmarks."""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
from pathlib import Path
from typing import IO

from .checkout import ROOT, checkout_env
from .waiting import HANG_GUARD


def start_explorer(*args: str, code: Path = ROOT, stderr: int | IO[str] = subprocess.PIPE
                   ) -> tuple[subprocess.Popen, int]:
    """The server process running the package in the folder ``code`` and its port. ``stderr``: where
    its log goes (read for the message when it does not print its address)."""
    env = checkout_env(code)
    proc = subprocess.Popen(
        [sys.executable, "-m", "deterrence", "explore", *args, "--no-browser", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        env=env,
        cwd=code,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not match:
        proc.kill()
        log = proc.stderr.read()[-2000:] if proc.stderr is not None else ""
        raise RuntimeError(f"the explorer did not print its address: {line!r} {log}")
    return proc, int(match.group(1))


def stop_explorer(proc: subprocess.Popen, wait: float = 30.0) -> None:
    """Terminate the server; kill it if it has not ended after ``wait`` seconds; close the pipes the
    test read it through (left open, they are a ResourceWarning at the next collection)."""
    proc.terminate()
    try:
        proc.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


def request(port: int, method: str, target: str) -> tuple[int, str]:
    """The status and body of one request to the server (its timeout a hang guard only)."""
    status, _reason, body = answer(port, method, target)
    return status, body


def answer(port: int, method: str, target: str) -> tuple[int, str, str]:
    """The status, reason phrase and body of one request to the server on 127.0.0.1 (its timeout
    a hang guard only)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HANG_GUARD)
    try:
        conn.request(method, target)
        response = conn.getresponse()
        return response.status, response.reason, response.read().decode("utf-8", errors="replace")
    finally:
        conn.close()
