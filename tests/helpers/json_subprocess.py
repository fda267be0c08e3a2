"""Run a peer (pygambit) in a fresh Python process with a time limit, JSON in and out.

Peers can hang or crash on some games; a subprocess keeps that out of the test process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any


def run_json_script(script: str, data: str, timeout: float) -> tuple[Any, str] | None:
    """Run ``script`` with ``data`` on its standard input.

    Returns
    -------
    tuple or None
        ``(parsed stdout, "")`` on success, ``(None, stderr)`` if the process failed, ``None`` if it
        ran out of time.
    """
    try:
        proc = subprocess.run([sys.executable, "-c", script], input=data, capture_output=True,
                              text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        return None, proc.stderr
    return json.loads(proc.stdout), ""
