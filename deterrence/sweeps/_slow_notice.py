"""A message said only when a step outlasts a delay: nothing on a fast step, a word on a slow one.

A sweep's first run on a machine compiles its kernels (numba, cached on disk afterwards) while it
measures the cost of the sweep, which takes 15-20 s before the estimate can be printed; later runs
take a fraction of a second there. :func:`say_if_slow` tells the user what is going on in the
first case without adding a line to the second.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

#: seconds a step may run before its message is said
DELAY = 2.0


@contextmanager
def say_if_slow(say: Callable[[str], Any], message: str, after: float = DELAY,
                timer: Callable[..., Any] = threading.Timer) -> Iterator[Any]:
    """Call ``say(message)`` once if the ``with`` block is still running ``after`` seconds in.

    The message is said from a timer thread (``say`` must accept being called from another
    thread, as printing to stderr does). The timer is cancelled when the block ends, however it
    ends; the block receives it. ``timer``: what makes it, called as ``threading.Timer`` is
    (``timer(after, say, args=(message,))``, then ``start()`` and ``cancel()``).
    """
    timer = timer(after, say, args=(message,))
    timer.daemon = True
    timer.start()
    try:
        yield timer
    finally:
        timer.cancel()


def writing_tables(rows: int) -> str:
    """Said when writing a sweep's table files takes long: the progress bar is full by then, and
    a sweep of millions of rows spends many seconds (a minute at ten million) writing them."""
    return f"writing table.csv and table.parquet ({rows:,} rows) from the chunks ..."
