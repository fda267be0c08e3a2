"""How the ``deterrence`` program's process (and the pictures' helper process) runs and ends.

**Fewer full garbage collections** (:func:`fewer_full_collections`). Most objects of this
program are made by its imports (sympy, pandas, numba, matplotlib: about 230,000 after a sweep)
and live until it ends. Python's collector scans every one of them in each full collection,
which by default comes after every 10 collections of the middle generation: four of them, about
0.25 s, in the README's sweep, finding almost nothing. The program raises that count to
:data:`FULL_COLLECTION_EVERY` (young objects are still collected as often as before, so cycles
of short-lived objects are freed as they were). It is the program's setting, made where the
program starts: the library never changes the collector of a process it is imported into.

**A stop asked for from outside** (:func:`stop_on_sigterm`). A scheduler ending a job, or
``timeout``, sends SIGTERM, whose default ends the process on the spot: a sweep's manifest then
kept ``"running"`` and its run no record of how it ended. The program instead raises
:class:`Terminated` (a ``KeyboardInterrupt``) in its main thread, so a SIGTERM ends it as Ctrl-C
does (the run recorded as interrupted, finished chunks kept) with the exit status 143.

**A quick end** (:func:`quick_exit`). When a Python program ends, the interpreter tears down
every module it imported, object by object: after a sweep that is numba's LLVM (about 0.25 s
alone), sympy, pandas, pyarrow and matplotlib, 0.3–0.8 s of a command that computes in 2 s,
spent freeing memory the system takes back at once anyway. :func:`quick_exit` does what a
normal exit does that anyone can observe (the exit handlers run, the standard streams are
flushed) and then ends the process with :func:`os._exit`, skipping the teardown.

It only does so when that is safe, and otherwise returns (the normal exit follows): when a
thread other than the main one that a normal exit would wait for (not a daemon) is still
running, when this Python offers no way to run the exit handlers, or when the environment
variable :data:`QUICK_EXIT_VARIABLE` is ``0``. The files a command writes are closed by then
(every writer in the package closes its files in ``with`` blocks, and renames them into place
atomically), so nothing a user reads is left unflushed.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import signal
import sys
import threading
from typing import Any

#: the environment variable that turns the quick exit off (``0``)
QUICK_EXIT_VARIABLE = "DETERRENCE_QUICK_EXIT"
#: collections of the middle generation between two full collections, in the program (Python's
#: default is 10)
FULL_COLLECTION_EVERY = 100


#: the exit status of a program stopped by SIGTERM (128 + 15, as a shell reports it)
TERMINATED_STATUS = 128 + signal.SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread as Ctrl-C's ``KeyboardInterrupt`` is (see
    :func:`stop_on_sigterm`), so every path that ends cleanly on Ctrl-C ends cleanly on it."""


def stop_on_sigterm() -> None:
    """Make SIGTERM raise :class:`Terminated` in the main thread (the program's setting, made where
    it starts, as :func:`fewer_full_collections`; the library never installs a signal handler)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_terminated)


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated(f"stopped by signal {signum} (SIGTERM)")


def fewer_full_collections() -> None:
    """Make the collector's full collections rarer (see the module's description); the young
    generations' thresholds are kept."""
    young, middle, full = gc.get_threshold()
    gc.set_threshold(young, middle, max(full, FULL_COLLECTION_EVERY))


def quick_exit(status: int) -> None:
    """End the process with ``status`` now, without the interpreter's teardown, if that is safe
    (see the module's description); else return, and the caller exits normally."""
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is None or os.environ.get(QUICK_EXIT_VARIABLE, "").strip() == "0":
        return
    if _threads_a_normal_exit_waits_for():
        return
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # closed, or a reader gone: as a normal exit
            stream.flush()
    os._exit(status)


def _threads_a_normal_exit_waits_for() -> list[threading.Thread]:
    main = threading.main_thread()
    return [t for t in threading.enumerate() if t is not main and t.is_alive() and not t.daemon]
