"""The cyclic garbage collector paused for the length of a solve (:func:`collector_paused`).

A PBE solve of a large tree (the AEG's 28,000 support patterns) allocates many short-lived
containers, and some lists of them live for the whole solve. Python's collector counts
allocations: it runs a young collection every 700 net allocations and, as the survivors pile
up, a full one that walks every object of the process (the solver's long-lived caches, numba's
and sympy's modules: over 200,000 objects). Neither finds anything to free, as the solver makes
no reference cycles (``tests/test_pbe_garbage.py`` checks it): its memory is freed by reference
counting as it goes. So the collector is paused while the solve runs, and resumed after it,
whatever happens (an error, a ``KeyboardInterrupt``). Its allocation count goes on while it is
paused, so the collections the solve would have run are replaced by one young collection at
the first allocation after it, which walks the objects the solve keeps (the solver frees its
search context before resuming the collector: :func:`deterrence.solvers.pbe._run`).

Pausing is process-wide (``gc.disable``). It is only undone by the solve that did it: one that
found the collector already paused (by the caller, or by a solve running on another thread)
leaves it as it found it, so a caller's ``gc.disable()`` is kept, and a solve on another thread
can at worst run with the collector paused until the first solve ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector within the ``with`` block if it runs, and resume it after."""
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
