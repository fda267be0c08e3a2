"""The tests' one hang guard: how long a test waits on a thread, a server or a browser before it
fails instead of stopping the suite.

It is no speed limit: nothing here asserts how fast anything runs (speed is measured in
``benchmarks/``). A regression that never finishes fails after :data:`HANG_GUARD` seconds, with a
message saying what never happened.
"""

from __future__ import annotations

import time
from collections.abc import Callable

#: seconds a test waits for something that should happen (a hang guard only; the machine may be slow)
HANG_GUARD = 600.0


def wait_until(condition: Callable[[], bool], what: str, step: Callable[[], None]) -> None:
    """Call ``step()`` until ``condition()`` holds; after :data:`HANG_GUARD` seconds fail with
    ``what`` (a hang guard, not a timing assertion)."""
    deadline = time.monotonic() + HANG_GUARD
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} (hang guard)")
        step()
