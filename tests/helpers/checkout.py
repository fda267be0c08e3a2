"""The checkout under test, and the environment of a subprocess that imports its package."""

from __future__ import annotations

import os
from pathlib import Path

#: the repository's root: its ``deterrence`` package is the one the tests run
ROOT = Path(__file__).resolve().parents[2]


def checkout_env(code: Path = ROOT) -> dict[str, str]:
    """This process's environment with ``code`` first on ``PYTHONPATH``, so that a Python
    subprocess imports the package in ``code`` (by default the checkout's)."""
    path = os.pathsep.join(filter(None, [str(code), os.environ.get("PYTHONPATH")]))
    return dict(os.environ, PYTHONPATH=path)
