"""Evaluating a sweep's chunks, and the backends that run them (in-process, processes, Dask).

:func:`evaluate_chunk` turns one chunk of points into final tidy rows: the compiled kernels
(:mod:`deterrence.kernels`, cached per process and model object in ``_COMPILED``) where the
model compiles, the per-point path (:mod:`deterrence.sweeps._pointwise`) for the points a kernel cannot
decide or that violate an ordering, then the no-pledge baseline, ``deterred`` and the
selection. ``_run_numpy``, ``_run_processes`` and ``_run_dask`` run a list of chunks and yield
``(chunk, rows)`` as they finish, keeping a bounded number in flight; :func:`run_chunks` picks
one by name. Used by :func:`deterrence.sweeps.sweep`.
"""

from __future__ import annotations

import hashlib
import json
import os
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DeterrenceError, UnsupportedError
from . import _pointwise as pointwise
from ._design import Design, orderings_hold
from ._tidy import ERROR_COLUMN, conform, errors_or_none, select
from ._workers import dask_client, dask_result, init_pool_worker, quiet_dask, stop_pool, worker_died


# ====================================================================== evaluation of one chunk
@dataclass(frozen=True)
class ChunkJob:
    """Everything a worker needs to evaluate chunks (pickled once per worker)."""

    model: Any
    baseline: Any
    concept: str
    belief_policy: str
    selection: str
    path: str
    on_error: str
    solve_options: Mapping[str, Any]
    columns: tuple[str, ...]
    players: tuple[str, ...]
    labels: tuple[str, ...]
    base_players: tuple[str, ...]
    base_labels: tuple[str, ...]
    #: the baseline's path (``path`` if empty): ``"pointwise"`` where the sweep's cost decision
    #: (:mod:`deterrence.sweeps._choice`) found solving it per point cheaper
    base_path: str = ""


_COMPILED: weakref.WeakKeyDictionary[Any, dict[tuple[str, str], Any]] = weakref.WeakKeyDictionary()


def compiled_kernel(model: Any, concept: str, belief_policy: str, path: str) -> Any:
    """The model's :class:`~deterrence.kernels.CompiledModel`, cached per process and model
    object; ``None`` if it does not compile, or decides none of its probe points
    (:meth:`~deterrence.kernels.CompiledModel.decides_some_probe_point`), under ``path="auto"``.
    Raises ``UnsupportedError`` for ``path="compiled"`` if it does not compile. A model family
    (:mod:`deterrence.families`) brings its own kernel."""
    own = getattr(model, "compiled_kernel", None)
    if callable(own):
        return own(concept, belief_policy, path)
    try:
        cache = _COMPILED.setdefault(model, {})
    except TypeError:  # not weak-referenceable: no cache
        cache = {}
    key = (concept, belief_policy)
    if key not in cache:
        try:
            from ..kernels import compile_model
        except ImportError as exc:  # not cached: a build without kernels
            if path == "compiled":
                raise UnsupportedError(
                    f"the compiled path is not available ({exc})", methods=("pointwise",)
                ) from None
            return None
        try:
            with np.errstate(all="ignore"):  # compiling probes the domain, where payoffs may overflow
                cache[key] = compile_model(_distinct(model), concept, belief_policy)
        except UnsupportedError as exc:
            cache[key] = exc
    found = cache[key]
    if isinstance(found, UnsupportedError):
        if path == "compiled":
            raise found
        return None
    if path == "auto" and not found.decides_some_probe_point():
        return None  # it would hand every point back: solved per point, without the kernel's cost
    return found


class _Baseline:
    """A baseline model seen through a ``sha256`` of its own.

    A baseline is read from its model's file and shares its text, hence its ``sha256``; the
    compiled-kernel cache is keyed by ``sha256``, so without this the baseline would be served
    the pledge model's kernel. Every other attribute is the baseline's.
    """

    def __init__(self, model: Any) -> None:
        self._model = model
        pinned = sorted((str(k), str(v)) for k, v in dict(getattr(model, "fixed", {}) or {}).items())
        text = json.dumps([getattr(model, "sha256", ""), "baseline", pinned])
        self.sha256 = hashlib.sha256(text.encode()).hexdigest()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


def _distinct(model: Any) -> Any:
    return _Baseline(model) if getattr(model, "is_baseline", False) else model


def _evaluate(
    model: Any, points: pd.DataFrame, job: ChunkJob, players: Sequence[str], labels: Sequence[str],
    path: str | None = None,
) -> pd.DataFrame:
    """Tidy rows of ``model`` at ``points`` by ``path`` (the job's if ``None``; compiled with
    per-point fallback)."""
    path = job.path if path is None else path
    params = [c for c in points.columns if c != "point" and c in model.parameters]
    pts = points[["point", *params]]
    compiled = None if path == "pointwise" else compiled_kernel(model, job.concept, job.belief_policy, path)
    if compiled is None:
        return pointwise.evaluate_points(
            model,
            pts,
            job.concept,
            job.belief_policy,
            on_error=job.on_error,
            players=players,
            labels=labels,
            **job.solve_options,
        )
    # the kernel takes one column per model parameter, the global point ids as the index
    full = pts.set_index("point")
    for name, par in model.parameters.items():
        if name not in full.columns:
            full[name] = float(par.default)
    with np.errstate(all="ignore"):  # a point whose payoffs overflow is re-solved below (typed error there)
        rows, undecided = compiled.evaluate(full)
        # points the kernel cannot decide (knife edges), and points that violate one of the model's
        # orderings (kernels do not check them), go to the per-point path, which decides, or
        # refuses them as model.game does; so do points the kernel gave no row (non-finite values)
        undecided = np.asarray(undecided, dtype=bool) | ~orderings_hold(model, full)
    undecided |= ~full.index.isin(rows["point"].to_numpy())
    if undecided.any():
        redo = pts[undecided]
        rows = rows[~rows["point"].isin(redo["point"])]
        extra = pointwise.evaluate_points(
            model,
            redo,
            job.concept,
            job.belief_policy,
            on_error=job.on_error,
            players=players,
            labels=labels,
            **job.solve_options,
        )
        rows = pd.concat([rows, extra], ignore_index=True)
        rows = rows.sort_values(["point", "equilibrium"], kind="stable").reset_index(drop=True)
    return _with_error_column(rows) if job.on_error == "record" else rows


def _with_error_column(rows: pd.DataFrame) -> pd.DataFrame:
    """Compiled rows with the ``error`` column of ``on_error="record"`` (``None`` where nothing
    failed), as the per-point path gives it: the same columns and values whichever path ran."""
    rows[ERROR_COLUMN] = errors_or_none(rows[ERROR_COLUMN]) if ERROR_COLUMN in rows.columns else None
    return rows


def evaluate_chunk(job: ChunkJob, points: pd.DataFrame) -> pd.DataFrame:
    """Final tidy rows of one chunk: model, baseline, ``deterred`` and ``selected`` filled in."""
    table = _evaluate(job.model, points, job, job.players, job.labels)  # sorted by point, equilibrium
    if job.baseline is not None and len(table):
        try:
            btab = _evaluate(job.baseline, points, job, job.base_players, job.base_labels,
                             job.base_path or None)
        except DeterrenceError as exc:
            exc.add_note("in the model's no-pledge baseline")
            raise
        bsel = btab[select(btab, job.selection).to_numpy()]
        table["p_attack_baseline"] = _lookup(
            bsel["point"].to_numpy(), bsel["p_attack"].to_numpy(dtype=float), table["point"].to_numpy()
        )
        table["deterred"] = table["p_attack_baseline"] - table["p_attack"]
    else:
        table["p_attack_baseline"] = np.nan
        table["deterred"] = np.nan
    table["selected"] = select(table, job.selection).to_numpy() if len(table) else []
    return conform(table, job.columns)


def _lookup(keys: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``values`` of the ``keys`` (distinct, sorted) equal to each of ``at``; NaN where none is."""
    pos = np.minimum(np.searchsorted(keys, at), max(len(keys) - 1, 0))
    found = (keys[pos] == at) if len(keys) else np.zeros(len(at), dtype=bool)
    return np.where(found, values[pos] if len(keys) else np.nan, np.nan)


# ---------------------------------------------------------------- backends
def run_chunks(
    job: ChunkJob,
    todo: Sequence[tuple[int, int, int]],
    design: Design,
    backend: str,
    workers: int | None = None,
    scheduler: Any = None,
) -> Iterator[tuple[int, pd.DataFrame]]:
    """Evaluate the chunks ``(chunk, start, stop)`` of ``todo`` on a backend; yield
    ``(chunk, rows)`` as each finishes (in any order on ``"processes"`` and ``"dask"``)."""
    if backend == "numpy" or not todo:
        return _run_numpy(job, todo, design)
    if backend == "processes":
        return _run_processes(job, todo, design, int(workers or os.cpu_count() or 1))
    return _run_dask(job, todo, design, workers, scheduler)


# ---------------------------------------------------------------- process-pool plumbing
_WORKER_JOB: ChunkJob | None = None


def _init_worker(job: ChunkJob) -> None:
    global _WORKER_JOB
    _WORKER_JOB = job
    init_pool_worker()  # ignore Ctrl-C (the sweep's process stops the pool), exit if orphaned
    _one_kernel_thread()


def _one_kernel_thread() -> None:
    """In a worker process: the compiled kernels use one thread (the workers share the cores)."""
    try:
        from ..kernels import set_threads
    except ImportError:  # a build without kernels
        return
    set_threads(1)


def _pool_task(chunk: int, points: pd.DataFrame) -> tuple[int, pd.DataFrame]:
    assert _WORKER_JOB is not None
    return chunk, evaluate_chunk(_WORKER_JOB, points)


def _dask_task(job: ChunkJob, chunk: int, points: pd.DataFrame) -> tuple[int, pd.DataFrame]:
    _one_kernel_thread()
    return chunk, evaluate_chunk(job, points)


def _run_numpy(
    job: ChunkJob, todo: Sequence[tuple[int, int, int]], design: Design
) -> Iterator[tuple[int, pd.DataFrame]]:
    for chunk, start, stop in todo:
        yield chunk, evaluate_chunk(job, design.points(start, stop))


def _bounded(
    submit: Callable[[int, int, int], Any],
    todo: Sequence[tuple[int, int, int]],
    window: int,
    wait_one: Callable[[set[Any]], tuple[Any, set[Any]]],
) -> Iterator[Any]:
    """Submit at most ``window`` chunks at a time; yield finished futures as they complete."""
    pending: set[Any] = set()
    it = iter(todo)
    for item in it:
        pending.add(submit(*item))
        if len(pending) >= window:
            break
    while pending:
        done, pending = wait_one(pending)
        for fut in done:
            yield fut
            nxt = next(it, None)
            if nxt is not None:
                pending.add(submit(*nxt))


#: the start method of the worker processes: ``None`` is the platform's default (fork on Linux
#: before Python 3.14, a fork server from 3.14, spawn on macOS and Windows). Under every method but
#: fork the job reaches the workers pickled (:meth:`deterrence.Model.__getstate__`); the tests run
#: a sweep under ``"spawn"`` to keep it so.
START_METHOD: str | None = None


def _run_processes(
    job: ChunkJob, todo: Sequence[tuple[int, int, int]], design: Design, workers: int
) -> Iterator[tuple[int, pd.DataFrame]]:
    import concurrent.futures as cf
    import multiprocessing as mp

    context = mp.get_context(START_METHOD)
    ex = cf.ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(job,))
    try:

        def submit(chunk: int, start: int, stop: int) -> Any:
            return ex.submit(_pool_task, chunk, design.points(start, stop))

        def wait_one(pending: set[Any]) -> tuple[Any, set[Any]]:
            done, rest = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            return done, set(rest)

        for fut in _bounded(submit, todo, 2 * workers, wait_one):
            yield fut.result()
    except cf.process.BrokenProcessPool:
        stop_pool(ex)
        raise worker_died() from None
    except BaseException:
        stop_pool(ex)  # at once: the workers' unfinished chunks are recomputed on resume
        raise
    else:
        ex.shutdown(wait=True)


def _run_dask(
    job: ChunkJob, todo: Sequence[tuple[int, int, int]], design: Design, workers: int | None, scheduler: Any
) -> Iterator[tuple[int, pd.DataFrame]]:
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise UnsupportedError(
            "backend='dask' needs dask.distributed (pip install 'deterrence[dask]')",
            methods=("numpy", "processes"),
        ) from None
    with quiet_dask():
        yield from _run_on_client(job, todo, design, *dask_client(scheduler, workers), scheduler)


def _run_on_client(
    job: ChunkJob,
    todo: Sequence[tuple[int, int, int]],
    design: Design,
    client: Any,
    cluster: Any,
    scheduler: Any,
) -> Iterator[tuple[int, pd.DataFrame]]:
    from distributed import wait

    window = 2 * max(1, len(client.scheduler_info().get("workers", {})))
    own_client = client is not scheduler
    try:
        [job_future] = client.scatter([job], broadcast=True)

        def submit(chunk: int, start: int, stop: int) -> Any:
            return client.submit(_dask_task, job_future, chunk, design.points(start, stop), pure=False)

        def wait_one(pending: set[Any]) -> tuple[Any, set[Any]]:
            res = wait(list(pending), return_when="FIRST_COMPLETED")
            return set(res.done), set(res.not_done)

        for fut in _bounded(submit, todo, window, wait_one):
            yield dask_result(fut)
    finally:
        if own_client:
            client.close()
        if cluster is not None:
            cluster.close()

