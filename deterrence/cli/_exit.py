"""A quick end for the ``deterrence`` program (and the pictures' helper process).

When a Python program ends, the interpreter tears down every module it imported, object by
object: after a sweep that is numba's LLVM (about 0.25 s alone), sympy, pandas, pyarrow and
matplotlib, 0.3–0.8 s of a command that computes in 2 s, spent freeing memory the system takes
back at once anyway. :func:`quick_exit` does what a normal exit does that anyone can observe
(the exit handlers run, the standard streams are flushed) and then ends the process with
:func:`os._exit`, skipping the teardown.

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
import os
import sys
import threading

#: the environment variable that turns the quick exit off (``0``)
QUICK_EXIT_VARIABLE = "DETERRENCE_QUICK_EXIT"


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
