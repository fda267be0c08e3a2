"""The life of a sweep's worker processes: started quiet, stopped at once, never orphaned.

Ctrl-C in a terminal sends SIGINT to the whole process group, workers included: each would
print its own traceback. So workers ignore SIGINT (:func:`init_pool_worker` in a pool's
workers; a local Dask cluster's inherit it, :func:`workers_ignore_sigint`) and the sweep's process,
which gets the interrupt, stops them (:func:`stop_pool`, or closing the cluster) and prints one
line.
A pool worker whose parent dies (SIGKILL, a crash) exits within a second instead of waiting
forever for work (:func:`watch_parent`). A pool worker is the sweep's own process, so it collects
garbage as the ``deterrence`` program does: full collections every :data:`FULL_COLLECTION_EVERY`
collections of the middle generation instead of Python's 10 (:func:`fewer_full_collections`).
Each full collection scans every long-lived object (sympy's, numba's, pandas', the solvers'
caches: about 250,000 after a few points of ``asymmetric_escalation``), about 0.1 s, and finds
almost nothing; young objects are still collected as often. The library leaves the collector of
any other process alone. :func:`dask_client` connects to a Dask scheduler with
typed errors (an unreachable or malformed address is a ``SweepError``, not an ``OSError``
after 30 seconds) and keeps Dask's own logging off the terminal. Used by
:mod:`deterrence.sweeps._backends`.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

from ..errors import SweepError

#: seconds to wait for a Dask scheduler to answer
CONNECT_SECONDS = 10
#: collections of the middle generation between two full collections in a pool worker (Python's
#: default is 10; the ``deterrence`` program uses the same count)
FULL_COLLECTION_EVERY = 100


def watch_parent(interval: float = 0.5) -> None:
    """In a worker process: exit as soon as the process that started it is gone."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="deterrence-parent-watch", daemon=True).start()


def init_pool_worker() -> None:
    """What every pool worker does first: ignore SIGINT (the sweep's process handles Ctrl-C), end
    on SIGTERM (the default: the ``deterrence`` program's own handler, which a forked worker
    inherits, would raise in the worker when the sweep stops its pool), exit when its parent
    dies, and make full garbage collections rarer."""
    with contextlib.suppress(ValueError, OSError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    watch_parent()
    fewer_full_collections()


def fewer_full_collections() -> None:
    """Full garbage collections every :data:`FULL_COLLECTION_EVERY` collections of the middle
    generation (at least; the young generations' thresholds are kept). For the sweep's own worker
    processes only (see the module's description)."""
    young, middle, full = gc.get_threshold()
    gc.set_threshold(young, middle, max(full, FULL_COLLECTION_EVERY))


@contextlib.contextmanager
def workers_ignore_sigint() -> Iterator[None]:
    """Processes started inside inherit an ignored SIGINT for life (an ignored signal stays
    ignored across ``exec``, and Python keeps it so); this process ignores it meanwhile too (a
    Ctrl-C in those seconds is lost: press it again) and handles it again afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def stop_pool(executor: Any) -> None:
    """Stop a ``ProcessPoolExecutor`` now: cancel what waits, end the workers (mid-chunk: an
    unfinished chunk is simply recomputed on resume)."""
    processes = list(getattr(executor, "_processes", {}).values())  # CPython keeps them there
    executor.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            proc.terminate()


@contextlib.contextmanager
def quiet_dask() -> Iterator[None]:
    """Dask's own loggers at CRITICAL while a sweep uses them: a failing task is raised in the
    sweep's process as its own (typed) error, and an interruption is one line, without Dask's
    worker logs and tracebacks around it."""
    loggers = [logging.getLogger(n) for n in ("distributed", "tornado", "asyncio", "bokeh")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def worker_died(where: str = "a worker process") -> SweepError:
    """The error for a worker that died mid-chunk (killed, out of memory)."""
    return SweepError(
        f"{where} died before finishing its chunk (killed, or out of memory?); the finished chunks are kept: "
        "rerun the same sweep to resume (a smaller chunk_size needs less memory)"
    )


def dask_result(future: Any) -> Any:
    """A Dask future's result; a worker killed mid-chunk or a lost scheduler is a ``SweepError``
    (a task's own error, typed by the library, is raised as it is)."""
    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker:
        raise worker_died("a Dask worker") from None
    except (OSError, TimeoutError) as exc:  # CommClosedError is an OSError
        raise SweepError(
            f"lost the Dask scheduler ({type(exc).__name__}: {exc}); the finished chunks are kept: rerun the "
            "same sweep to resume"
        ) from None


def dask_client(scheduler: Any, workers: int | None) -> tuple[Any, Any]:
    """A Dask client (and the local cluster it owns, or ``None``): ``scheduler`` a ``Client``,
    an address, or ``None`` for a ``LocalCluster`` of ``workers`` processes that ignore SIGINT.

    Raises
    ------
    SweepError
        The scheduler cannot be reached or its address is not one (naming it).
    """
    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        _wait_for_workers(scheduler, repr(scheduler))
        return scheduler, None
    if scheduler is None:
        with workers_ignore_sigint():
            cluster = LocalCluster(
                n_workers=workers or min(2, os.cpu_count() or 1),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.CRITICAL,
            )
        return Client(cluster), cluster
    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise SweepError(
            f"cannot reach the Dask scheduler at {scheduler!r} ({type(exc).__name__}: {exc}); start it, "
            "check the address, or leave scheduler= out for a local cluster"
        ) from None
    try:
        _wait_for_workers(client, repr(scheduler))
    except BaseException:
        client.close()
        raise
    return client, None


def _wait_for_workers(client: Any, shown: str) -> None:
    """Wait up to :data:`CONNECT_SECONDS` for the scheduler to have a worker (a scheduler
    without one would leave the sweep waiting forever)."""
    try:
        client.wait_for_workers(1, timeout=CONNECT_SECONDS)
    except (TimeoutError, OSError) as exc:
        raise SweepError(
            f"the Dask scheduler at {shown} has no worker (none joined in {CONNECT_SECONDS} s: {exc}); "
            "start workers for it, or leave scheduler= out for a local cluster"
        ) from None


__all__ = [
    "dask_client",
    "dask_result",
    "init_pool_worker",
    "quiet_dask",
    "stop_pool",
    "watch_parent",
    "worker_died",
    "workers_ignore_sigint",
]
