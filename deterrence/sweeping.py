"""Parameter sweeps: grids and space-filling samples, backends, chunked storage and resume.

``sweep(model, grid=... | samples=...)`` evaluates a model's equilibria at many parameter
points and returns a :class:`SweepResult`: a tidy table (schema in :mod:`deterrence.tidy`)
and a manifest that lets anyone redo the sweep exactly.

How a sweep runs
----------------
1. The *design*: a full-factorial grid (parameter -> values; the first parameter varies
   slowest) or ``samples=N`` points from :mod:`scipy.stats.qmc` (scrambled Sobol, Latin
   hypercube), plain uniform random points, or a Saltelli design for Sobol indices, over the
   declared domains of the varied parameters. Other parameters sit at their defaults or at
   ``fixed`` values. Points are numbered ``0..n-1``; grid points are generated chunk by chunk,
   never all at once.
2. The points are cut into chunks of ``chunk_size``. Each chunk is evaluated by the compiled
   kernels (:mod:`deterrence.kernels`) where the model compiles, with the points a kernel
   cannot decide (knife edges) re-solved one by one (:mod:`deterrence.pointwise`); or per point
   throughout. The no-pledge baseline is evaluated at the same points and gives
   ``p_attack_baseline`` and ``deterred``; the selection rule marks one row per point.
3. Chunks run in-process (``backend="numpy"``), in a process pool (``"processes"``) or on a
   Dask cluster (``"dask"``). The result is identical whatever the backend: rows are sorted by
   point, then equilibrium.
4. With ``out=FOLDER`` each finished chunk is written atomically (a temporary file in the same
   folder, then :func:`os.replace`) to ``FOLDER/chunks/``, and ``FOLDER/manifest.json`` (also
   replaced atomically) lists the finished chunks. Running the same sweep with the same
   ``out`` resumes: finished chunks are read, not recomputed; a folder that holds a different
   sweep is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import platform
import sys
import tempfile
import time
import uuid
import warnings
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import pointwise
from .errors import DeterrenceError, ModelError, ParameterError, SweepError, UnsupportedError
from .outcomes import INDICATOR_NAMES
from .tidy import SELECTIONS, column_order, select

METHODS = ("sobol", "lhs", "random", "saltelli")
BACKENDS = ("numpy", "processes", "dask")
PATHS = ("auto", "compiled", "pointwise")
FORMAT = "deterrence-sweep/1"

#: sweeps with more points than this must write their chunks to disk (``out=``)
MAX_POINTS_IN_MEMORY = 10**7
#: sample designs are held in memory; refuse designs whose array would exceed this (bytes)
MAX_SAMPLE_BYTES = 2 * 1024**3
#: rough bytes per tidy row in memory (about 25 numeric columns plus two short strings)
BYTES_PER_ROW = 320
#: default chunk sizes (points) for the compiled and the per-point path
CHUNK_COMPILED = 100_000
CHUNK_POINTWISE = 100

_SPEC_KEYS = (
    "model",
    "baseline",
    "concept",
    "belief_policy",
    "selection",
    "design",
    "fixed",
    "n_points",
    "chunk_size",
    "path_requested",
    "solve_options",
    "on_error",
)


# ====================================================================== the design
@dataclass(frozen=True)
class Design:
    """The parameter points of a sweep, generated a slice at a time.

    Attributes
    ----------
    names
        Every parameter of the model, in declaration order (one table column each).
    varied
        The parameters that vary.
    base
        Values of all parameters at the points before the varied ones are set (defaults
        overridden by ``fixed``).
    grid
        Grid values per varied parameter (full factorial, first varies slowest), or ``None``.
    sample
        Sample array ``(n_points, len(varied))``, or ``None``.
    """

    names: tuple[str, ...]
    varied: tuple[str, ...]
    base: Mapping[str, float]
    grid: tuple[np.ndarray, ...] | None = None
    sample: np.ndarray | None = None

    @property
    def n_points(self) -> int:
        if self.grid is not None:
            return math.prod(len(v) for v in self.grid)
        return 0 if self.sample is None else len(self.sample)

    def points(self, start: int, stop: int) -> pd.DataFrame:
        """Points ``start .. stop-1``: a ``point`` column and one column per parameter."""
        idx = np.arange(start, stop, dtype=np.int64)
        cols: dict[str, Any] = {"point": idx}
        if self.grid is not None:
            shape = tuple(len(v) for v in self.grid)
            multi = np.unravel_index(idx, shape) if len(idx) else [idx] * len(shape)
            varied = {n: vals[m] for n, vals, m in zip(self.varied, self.grid, multi, strict=True)}
        else:
            assert self.sample is not None
            varied = {n: self.sample[start:stop, k] for k, n in enumerate(self.varied)}
        for n in self.names:
            cols[n] = np.asarray(varied[n], dtype=float) if n in varied else np.full(len(idx), self.base[n])
        return pd.DataFrame(cols)


def _domain(param: Any) -> tuple[float, float]:
    """``(lo, hi)`` of a parameter's declared domain (infinite where unbounded)."""
    dom = getattr(param, "domain", None)
    if dom is None:
        return -math.inf, math.inf
    for lo_name, hi_name in (("lo", "hi"), ("low", "high"), ("lower", "upper")):
        if hasattr(dom, lo_name) and hasattr(dom, hi_name):
            return float(getattr(dom, lo_name)), float(getattr(dom, hi_name))
    try:
        lo, hi = dom
        return float(lo), float(hi)
    except (TypeError, ValueError):
        return -math.inf, math.inf


def _check_values(model: Any, name: str, values: np.ndarray) -> None:
    if not np.all(np.isfinite(values)):
        bad = values[~np.isfinite(values)][0]
        raise SweepError(f"parameter '{name}': value {bad} is not finite")
    par = model.parameters[name]
    lo, hi = _domain(par)
    out = (values < lo) | (values > hi)
    if getattr(par, "open_lower", False):
        out |= values == lo
    if getattr(par, "open_upper", False):
        out |= values == hi
    if np.any(out):
        bad = float(values[out][0])
        raise ParameterError(
            f"parameter '{name}': value {bad:g} is outside its domain "
            f"{getattr(par, 'domain_text', f'[{lo:g}, {hi:g}]')}",
            name=name,
            value=bad,
            domain=(lo, hi),
        )


def _as_values(name: str, values: Any) -> np.ndarray:
    try:
        arr = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError):
        raise SweepError(f"parameter '{name}': values {values!r} are not numbers") from None
    if arr.ndim != 1:
        raise SweepError(f"parameter '{name}': values must be one-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        raise SweepError(f"parameter '{name}': the grid has no values (empty range)")
    return arr


def _unknown(model: Any, names: Iterable[str], what: str) -> None:
    bad = [n for n in names if n not in model.parameters]
    if bad:
        raise SweepError(
            f"unknown parameter {bad[0]!r} in {what} of model '{getattr(model, 'name', '?')}'; "
            f"parameters are {', '.join(model.parameters)}"
        )


def _qmc_seed_kw(cls: Any) -> str:
    import inspect

    return "rng" if "rng" in inspect.signature(cls).parameters else "seed"


def sample_unit(method: str, n: int, d: int, seed: int) -> np.ndarray:
    """``n`` points in the unit cube ``[0, 1)^d`` (``saltelli``: ``n * (d + 2)`` rows).

    ``sobol`` is scrambled Sobol (:class:`scipy.stats.qmc.Sobol`), ``lhs`` a Latin hypercube
    (:class:`scipy.stats.qmc.LatinHypercube`), ``random`` uniform draws from
    :class:`numpy.random.PCG64`; ``saltelli`` the Saltelli (2010) design for Sobol indices,
    generated by SALib when it is installed and by :func:`saltelli_unit` (the same layout)
    otherwise.
    """
    from scipy.stats import qmc

    if method == "sobol":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # balance warning for n not a power of 2
            return qmc.Sobol(d, scramble=True, **{_qmc_seed_kw(qmc.Sobol): seed}).random(n)
    if method == "lhs":
        return qmc.LatinHypercube(d, **{_qmc_seed_kw(qmc.LatinHypercube): seed}).random(n)
    if method == "random":
        return np.random.Generator(np.random.PCG64(seed)).random((n, d))
    if method == "saltelli":
        try:
            from SALib.sample import sobol as salib_sample
        except ImportError:
            return saltelli_unit(n, d, seed)
        problem = {"num_vars": d, "names": [f"x{k}" for k in range(d)], "bounds": [[0.0, 1.0]] * d}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SALib warns when n is not a power of 2
            return np.asarray(salib_sample.sample(problem, n, calc_second_order=False, seed=seed))
    raise SweepError(f"unknown sampling method '{method}'; methods are {', '.join(METHODS)}")


def saltelli_unit(n: int, d: int, seed: int) -> np.ndarray:
    """Saltelli design on the unit cube: for each of ``n`` base rows, ``A, AB_1..AB_d, B``.

    ``A`` and ``B`` are the two halves of a scrambled Sobol sequence in ``2d`` dimensions
    (seeded as SALib seeds it, so the two give the same design);
    ``AB_j`` is ``A`` with column ``j`` taken from ``B``. This is the layout SALib's
    ``sample.sobol.sample(..., calc_second_order=False)`` produces and
    ``analyze.sobol.analyze`` reads (``n * (d + 2)`` rows).
    """
    from scipy.stats import qmc

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # seed= (not rng=) as SALib passes it: the two keywords give different streams
        base = qmc.Sobol(2 * d, scramble=True, seed=seed).random(n)
    a, b = base[:, :d], base[:, d:]
    out = np.empty((n, d + 2, d))
    out[:, 0] = a
    for j in range(d):
        out[:, j + 1] = a
        out[:, j + 1, j] = b[:, j]
    out[:, d + 1] = b
    return out.reshape(n * (d + 2), d)


def build_design(
    model: Any,
    grid: Mapping[str, Any] | None,
    samples: int | None,
    method: str,
    fixed: Mapping[str, Any] | None,
    vary: Sequence[str] | None,
    bounds: Mapping[str, Sequence[float]] | None,
    seed: int | None,
) -> tuple[Design, dict[str, Any]]:
    """Validate a sweep specification and build its :class:`Design` and JSON description.

    Raises
    ------
    SweepError
        Unknown parameter, empty grid, non-finite value, ``samples <= 0``, a parameter both
        varied and fixed, an unbounded domain to sample, an unknown method, or a sample too
        large to hold in memory.
    ParameterError
        A value outside its parameter's domain.
    """
    names = tuple(model.parameters)
    fixed = dict(fixed or {})
    _unknown(model, fixed, "fixed")
    base: dict[str, float] = {n: float(model.parameters[n].default) for n in names}
    for n, v in fixed.items():
        arr = _as_values(n, v)
        if arr.size != 1:
            raise SweepError(f"fixed parameter '{n}' needs one value, got {arr.size}")
        _check_values(model, n, arr)
        base[n] = float(arr[0])
    if (grid is None) == (samples is None):
        raise SweepError("give either grid= (parameter -> values) or samples=N, not both and not neither")
    if grid is not None:
        if not isinstance(grid, Mapping) or not grid:
            raise SweepError("grid= needs at least one parameter -> values entry")
        _unknown(model, grid, "grid")
        both = [n for n in grid if n in fixed]
        if both:
            raise SweepError(f"parameter '{both[0]}' is both varied (grid) and fixed")
        values = []
        for n, v in grid.items():
            arr = _as_values(n, v)
            _check_values(model, n, arr)
            values.append(arr)
        design = Design(names, tuple(grid), base, grid=tuple(values))
        desc = {"kind": "grid", "grid": {n: [float(x) for x in v] for n, v in zip(grid, values, strict=True)}}
        return design, desc
    # ---- samples
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)):
        raise SweepError(f"samples must be a positive integer, got {samples!r}")
    if samples <= 0:
        raise SweepError(f"samples must be a positive integer, got {samples}")
    if method not in METHODS:
        raise SweepError(f"unknown sampling method '{method}'; methods are {', '.join(METHODS)}")
    bounds = dict(bounds or {})
    _unknown(model, bounds, "bounds")
    if vary is None:
        varied = [
            n
            for n in names
            if n not in fixed and (n in bounds or all(map(math.isfinite, _domain(model.parameters[n]))))
        ]
        if not varied:
            raise SweepError("no parameter to sample: every parameter is fixed or has an unbounded domain")
    else:
        varied = list(vary)
        if not varied:
            raise SweepError("vary= is empty: name at least one parameter to sample")
        _unknown(model, varied, "vary")
        if len(set(varied)) != len(varied):
            raise SweepError(f"vary= names a parameter twice: {varied}")
        both = [n for n in varied if n in fixed]
        if both:
            raise SweepError(f"parameter '{both[0]}' is both varied and fixed")
    lo = np.empty(len(varied))
    hi = np.empty(len(varied))
    for k, n in enumerate(varied):
        if n in bounds:
            b = _as_values(n, bounds[n])
            if b.size != 2 or not b[0] < b[1]:
                raise SweepError(f"bounds for '{n}' must be (lo, hi) with lo < hi, got {list(b)}")
            _check_values(model, n, b)
            lo[k], hi[k] = b
        else:
            lo[k], hi[k] = _domain(model.parameters[n])
        if not (math.isfinite(lo[k]) and math.isfinite(hi[k])):
            raise SweepError(
                f"parameter '{n}' has an unbounded domain [{lo[k]:g}, {hi[k]:g}]; "
                f"give bounds={{'{n}': (lo, hi)}} or sweep it on a grid"
            )
    d = len(varied)
    rows = samples * (d + 2) if method == "saltelli" else samples
    nbytes = rows * d * 8
    if nbytes > MAX_SAMPLE_BYTES:
        raise SweepError(
            f"a {method} sample of {rows:,} points in {d} dimensions needs about {nbytes / 1e9:.1f} GB "
            f"in memory (limit {MAX_SAMPLE_BYTES / 1e9:.1f} GB); use fewer samples or a grid"
        )
    assert seed is not None
    unit = sample_unit(method, int(samples), d, seed)
    sample = lo + unit * (hi - lo)
    rejected = 0
    if method != "saltelli":
        # a sample covers the part of the box where the model's orderings hold: drop the rest
        values = pd.DataFrame({n: np.full(len(sample), float(base[n])) for n in names})
        for k, n in enumerate(varied):
            values[n] = sample[:, k]
        ok = _orderings_hold(model, values)
        rejected = int((~ok).sum())
        sample = sample[ok]
        if not len(sample):
            raise SweepError(
                f"none of the {int(samples)} sampled points satisfies the orderings of model "
                f"'{getattr(model, 'name', '?')}'; narrow bounds= or fix parameters"
            )
    design = Design(names, tuple(varied), base, sample=sample)
    desc = {
        "kind": "sample",
        "method": method,
        "samples": int(samples),
        "seed": int(seed),
        "vary": list(varied),
        "bounds": {n: [float(a), float(b)] for n, a, b in zip(varied, lo, hi, strict=True)},
        "second_order": False if method == "saltelli" else None,
        "rejected_by_orderings": rejected,
    }
    if method == "saltelli":
        desc["sampler"] = "SALib" if _salib() is not None else "deterrence.sweep.saltelli_unit"
    return design, desc


def _salib() -> Any:
    try:
        import SALib  # noqa: F401
        from SALib.analyze import sobol as salib_sobol
    except ImportError:
        return None
    return salib_sobol


# ====================================================================== evaluation of one chunk
@dataclass(frozen=True)
class _Job:
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


_COMPILED: weakref.WeakKeyDictionary[Any, dict[tuple[str, str], Any]] = weakref.WeakKeyDictionary()


def _compiled(model: Any, concept: str, belief_policy: str, path: str) -> Any:
    """The model's :class:`~deterrence.kernels.CompiledModel`, cached per process and model
    object; ``None`` if it does not compile (``path="auto"``). Raises ``UnsupportedError`` for
    ``path="compiled"``."""
    try:
        cache = _COMPILED.setdefault(model, {})
    except TypeError:  # not weak-referenceable: no cache
        cache = {}
    key = (concept, belief_policy)
    if key not in cache:
        try:
            from .kernels import compile_model
        except ImportError as exc:  # not cached: a build without kernels
            if path == "compiled":
                raise UnsupportedError(
                    f"the compiled path is not available ({exc})", methods=("pointwise",)
                ) from None
            return None
        try:
            cache[key] = compile_model(_distinct(model), concept, belief_policy)
        except UnsupportedError as exc:
            cache[key] = exc
    found = cache[key]
    if isinstance(found, UnsupportedError):
        if path == "compiled":
            raise found
        return None
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
    model: Any, points: pd.DataFrame, job: _Job, players: Sequence[str], labels: Sequence[str]
) -> pd.DataFrame:
    """Tidy rows of ``model`` at ``points`` by the job's path (compiled with per-point fallback)."""
    params = [c for c in points.columns if c != "point" and c in model.parameters]
    pts = points[["point", *params]]
    compiled = None if job.path == "pointwise" else _compiled(model, job.concept, job.belief_policy, job.path)
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
    rows, undecided = compiled.evaluate(full)
    # points the kernel cannot decide (knife edges), and points that violate one of the model's
    # orderings (kernels do not check them), go to the per-point path, which decides, or
    # refuses them as model.game does
    undecided = np.asarray(undecided, dtype=bool) | ~_orderings_hold(model, full)
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
    return rows


def _orderings_hold(model: Any, points: pd.DataFrame) -> np.ndarray:
    """Per point: whether every ordering of the model holds (all True for models without)."""
    if not getattr(model, "orderings", None) or not hasattr(model, "evaluate"):
        return np.ones(len(points), dtype=bool)
    values = {n: points[n].to_numpy(dtype=float) for n in model.parameters}
    ok = model.evaluate(values, check=False, check_orderings=False).ordering_ok
    return np.broadcast_to(np.asarray(ok, dtype=bool), (len(points),))


def evaluate_chunk(job: _Job, points: pd.DataFrame) -> pd.DataFrame:
    """Final tidy rows of one chunk: model, baseline, ``deterred`` and ``selected`` filled in."""
    table = _evaluate(job.model, points, job, job.players, job.labels)
    if job.baseline is not None and len(table):
        try:
            btab = _evaluate(job.baseline, points, job, job.base_players, job.base_labels)
        except DeterrenceError as exc:
            exc.add_note("in the model's no-pledge baseline")
            raise
        bsel = btab[select(btab, job.selection).to_numpy()]
        base_p = pd.Series(bsel["p_attack"].to_numpy(dtype=float), index=bsel["point"].to_numpy())
        table["p_attack_baseline"] = table["point"].map(base_p).to_numpy(dtype=float)
        table["deterred"] = table["p_attack_baseline"] - table["p_attack"]
    else:
        table["p_attack_baseline"] = np.nan
        table["deterred"] = np.nan
    table = table.sort_values(["point", "equilibrium"], kind="stable").reset_index(drop=True)
    table["selected"] = select(table, job.selection).to_numpy() if len(table) else []
    cols = list(job.columns)
    if "error" in table.columns and "error" not in cols:
        cols.append("error")
    missing = [c for c in cols if c not in table.columns]
    for c in missing:
        table[c] = 0.0 if c.startswith("outcome_") else np.nan
    return pointwise.coerce(table[cols])


# ---------------------------------------------------------------- process-pool plumbing
_WORKER_JOB: _Job | None = None


def _init_worker(job: _Job) -> None:
    global _WORKER_JOB
    _WORKER_JOB = job


def _pool_task(chunk: int, points: pd.DataFrame) -> tuple[int, pd.DataFrame]:
    assert _WORKER_JOB is not None
    return chunk, evaluate_chunk(_WORKER_JOB, points)


def _dask_task(job: _Job, chunk: int, points: pd.DataFrame) -> tuple[int, pd.DataFrame]:
    return chunk, evaluate_chunk(job, points)


def _run_numpy(
    job: _Job, todo: Sequence[tuple[int, int, int]], design: Design
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


def _run_processes(
    job: _Job, todo: Sequence[tuple[int, int, int]], design: Design, workers: int
) -> Iterator[tuple[int, pd.DataFrame]]:
    import concurrent.futures as cf

    ex = cf.ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(job,))
    try:

        def submit(chunk: int, start: int, stop: int) -> Any:
            return ex.submit(_pool_task, chunk, design.points(start, stop))

        def wait_one(pending: set[Any]) -> tuple[Any, set[Any]]:
            done, rest = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            return done, set(rest)

        for fut in _bounded(submit, todo, 2 * workers, wait_one):
            yield fut.result()
    except BaseException:
        ex.shutdown(wait=False, cancel_futures=True)
        raise
    else:
        ex.shutdown(wait=True)


def _run_dask(
    job: _Job, todo: Sequence[tuple[int, int, int]], design: Design, workers: int | None, scheduler: Any
) -> Iterator[tuple[int, pd.DataFrame]]:
    try:
        from distributed import Client, LocalCluster, wait
    except ImportError:
        raise UnsupportedError(
            "backend='dask' needs dask.distributed (pip install 'deterrence[dask]')",
            methods=("numpy", "processes"),
        ) from None
    import logging

    cluster = None
    if scheduler is None:
        n = workers or min(2, os.cpu_count() or 1)
        cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
        window = 2 * n
    elif isinstance(scheduler, Client):
        client = scheduler
        window = 2 * max(1, len(client.scheduler_info().get("workers", {})))
    else:
        client = Client(scheduler)
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
            yield fut.result()
    finally:
        if own_client:
            client.close()
        if cluster is not None:
            cluster.close()


# ====================================================================== storage
def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write a file so that ``path`` is either absent, the old file, or complete: never half-written."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


def _write_json(path: Path, obj: Any) -> None:
    _atomic_write(path, lambda p: p.write_text(json.dumps(obj, indent=2, sort_keys=False) + "\n"))


def _chunk_file(chunk: int) -> str:
    return f"chunk-{chunk:06d}.parquet"


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=_json_default))


def _json_default(o: Any) -> Any:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, (set, tuple)):
        return list(o)
    return str(o)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def package_versions() -> dict[str, str]:
    """Versions of deterrence, Python and the numeric packages, for manifests."""
    from importlib import metadata

    from . import __version__

    out = {"deterrence": __version__, "python": platform.python_version()}
    for pkg in ("numpy", "scipy", "sympy", "pandas", "pyarrow", "dask", "distributed", "SALib"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    return out


def _read_chunks(folder: Path, chunks: Iterable[int]) -> pd.DataFrame:
    parts = [pd.read_parquet(folder / "chunks" / _chunk_file(c)) for c in sorted(chunks)]
    if not parts:
        return pd.DataFrame()
    return pointwise.coerce(pd.concat(parts, ignore_index=True))


def _diff_spec(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    return [k for k in _SPEC_KEYS if old.get(k) != new.get(k)]


# ====================================================================== the result
@dataclass(frozen=True, eq=False, init=False)
class SweepResult:
    """A finished sweep: the tidy table and the manifest that lets anyone redo it.

    Attributes
    ----------
    table
        One row per point and equilibrium (columns in :func:`deterrence.tidy.column_order`).
        For a sweep too large to hold in memory (more than ``max_points`` points, run with
        ``out=``) it is read from the folder's chunks on first access.
    manifest
        Model name and sha256, concept, belief policy, selection rule and its description,
        the design (grid values, or sample method, size, seed and bounds), fixed values,
        parameter descriptions, points per path, package versions, the command line, times
        and the chunk list.
    folder
        The folder the result lives in (``out=`` or :meth:`load`), or ``None``.
    """

    manifest: dict[str, Any]
    folder: Path | None

    def __init__(
        self,
        table: pd.DataFrame | None,
        manifest: dict[str, Any] | None = None,
        folder: str | os.PathLike[str] | None = None,
    ) -> None:
        if table is None and folder is None:
            raise SweepError("a SweepResult needs a table or the folder that holds its chunks")
        object.__setattr__(self, "_table", table)
        object.__setattr__(self, "manifest", dict(manifest or {}))
        object.__setattr__(self, "folder", None if folder is None else Path(folder))

    @property
    def table(self) -> pd.DataFrame:
        """The tidy table (read from the folder's chunks on first access if not in memory)."""
        if self._table is None:
            assert self.folder is not None
            done = self.manifest.get("chunks", {}).get("done", [])
            object.__setattr__(self, "_table", _read_chunks(self.folder, done))
        return self._table

    # ---------------------------------------------------------------- storage
    def save(self, folder: str | os.PathLike[str]) -> Path:
        """Write ``table.csv``, ``table.parquet`` and ``manifest.json`` into ``folder`` (atomically)."""
        path = Path(folder)
        if path.exists() and not path.is_dir():
            raise SweepError(f"{str(path)!r} exists and is not a folder")
        path.mkdir(parents=True, exist_ok=True)
        _atomic_write(path / "table.parquet", lambda p: self.table.to_parquet(p, index=False))
        _atomic_write(path / "table.csv", lambda p: self.table.to_csv(p, index=False, float_format="%.17g"))
        _write_json(path / "manifest.json", _jsonable(self.manifest))
        return path

    @classmethod
    def load(cls, folder: str | os.PathLike[str]) -> SweepResult:
        """Read a result written by :meth:`save` or by ``sweep(..., out=folder)``.

        Raises
        ------
        SweepError
            The folder has no manifest, or its sweep is not finished.
        """
        path = Path(folder)
        mpath = path / "manifest.json"
        if not mpath.is_file():
            raise SweepError(f"{path}: no manifest.json; not a saved sweep")
        try:
            manifest = json.loads(mpath.read_text())
        except json.JSONDecodeError as exc:
            raise SweepError(f"{mpath}: not valid JSON ({exc})") from None
        if (path / "table.parquet").is_file():
            table = pd.read_parquet(path / "table.parquet")
        elif (path / "table.csv").is_file():
            table = pd.read_csv(path / "table.csv")
        elif manifest.get("status") == "complete":
            return cls(None, manifest, path)  # a large sweep: the chunks are the table
        else:
            chunks = manifest.get("chunks", {})
            raise SweepError(
                f"{path}: the sweep there is not finished ({len(chunks.get('done', []))} of "
                f"{manifest.get('n_chunks', '?')} chunks); run the same sweep with out='{path}' to resume it"
            )
        return cls(pointwise.coerce(table), manifest, path)

    # ---------------------------------------------------------------- views
    @property
    def parameters(self) -> list[str]:
        """The model's parameter names (table columns)."""
        return list(self.manifest.get("parameters", {}))

    @property
    def varied(self) -> list[str]:
        """The parameters the design varies."""
        design = self.manifest.get("design", {})
        return list(design.get("grid", {})) if design.get("kind") == "grid" else list(design.get("vary", []))

    def selected(self) -> pd.DataFrame:
        """The selected equilibrium's row at each point."""
        return self.table[self.table["selected"].to_numpy(dtype=bool)].reset_index(drop=True)

    def regime_table(self) -> pd.DataFrame:
        """One row per point: the parameters, the selected regime, ``n_equilibria`` and the set of
        regimes of all equilibria there (``regimes``, sorted, joined by ``" | "``)."""
        sel = self.selected()
        sets = self.table.groupby("point")["regime"].agg(lambda r: " | ".join(sorted(set(r))))
        out = sel[["point", *self.parameters, "regime", "n_equilibria"]].copy()
        out["regimes"] = out["point"].map(sets).to_numpy()
        return out

    def regime_shares(self) -> pd.Series:
        """Share of points in each selected regime, largest first."""
        return self.selected()["regime"].value_counts(normalize=True)

    def partial_dependence(self, indicator: str, parameter: str, bins: int = 20) -> pd.DataFrame:
        """Partial dependence of an indicator on one parameter (selected equilibria).

        The indicator is averaged over all other parameters at each grid value of
        ``parameter`` (grid designs) or within ``bins`` equal-width bins of it (samples).

        Returns
        -------
        pandas.DataFrame
            ``parameter``, ``mean``, ``std``, ``min``, ``max``, ``count``.
        """
        self._check_column(indicator)
        if parameter not in self.parameters:
            raise SweepError(f"unknown parameter '{parameter}'; parameters are {', '.join(self.parameters)}")
        sel = self.selected()
        x = sel[parameter].to_numpy(dtype=float)
        uniq = np.unique(x)
        if self.manifest.get("design", {}).get("kind") == "grid" or len(uniq) <= bins:
            key = pd.Series(x)
        else:
            edges = np.linspace(uniq[0], uniq[-1], bins + 1)
            centre = (edges[:-1] + edges[1:]) / 2
            idx = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, bins - 1)
            key = pd.Series(centre[idx])
        grouped = sel[indicator].groupby(key.to_numpy())
        out = grouped.agg(["mean", "std", "min", "max", "count"]).reset_index()
        return out.rename(columns={"index": parameter}).rename(columns={out.columns[0]: parameter})

    def sobol_indices(self, indicator: str = "p_attack") -> pd.DataFrame:
        """First-order and total Sobol indices of an indicator for each varied parameter.

        Needs a Saltelli design: ``sweep(model, samples=N, method="saltelli")`` (``N * (d + 2)``
        points). Uses ``SALib.analyze.sobol`` (with bootstrap confidence intervals) when SALib
        is installed; otherwise the same estimators in numpy (:func:`sobol_estimates`): Saltelli
        et al. (2010) for the first-order index, ``S_j = mean(f(B) (f(AB_j) - f(A))) / V``, and
        Jansen (1999) for the total index, ``ST_j = mean((f(A) - f(AB_j))^2) / (2 V)``, with ``f``
        centred and ``V`` the variance of ``f(A)`` and ``f(B)`` together (no confidence
        intervals). Uses the selected equilibrium at each point.

        Returns
        -------
        pandas.DataFrame
            Index: the varied parameters; columns ``S1``, ``S1_conf``, ``ST``, ``ST_conf``;
            ``.attrs["estimator"]`` names the estimator used.
        """
        self._check_column(indicator)
        design = self.manifest.get("design", {})
        if design.get("method") != "saltelli":
            raise SweepError(
                "Sobol indices need a Saltelli design: run sweep(model, samples=N, method='saltelli')"
            )
        names = list(design["vary"])
        d = len(names)
        y = self.selected().sort_values("point")[indicator].to_numpy(dtype=float)
        if len(y) != design["samples"] * (d + 2) or not np.all(np.isfinite(y)):
            raise SweepError(
                f"Sobol indices need a finite {indicator} at every one of the "
                f"{design['samples'] * (d + 2)} points"
            )
        salib = _salib()
        if salib is not None:
            problem = {"num_vars": d, "names": names, "bounds": [design["bounds"][n] for n in names]}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = salib.analyze(
                    problem, y, calc_second_order=False, print_to_console=False, seed=design.get("seed")
                )
            out = pd.DataFrame(
                {"S1": res["S1"], "S1_conf": res["S1_conf"], "ST": res["ST"], "ST_conf": res["ST_conf"]},
                index=pd.Index(names, name="parameter"),
            )
            out.attrs["estimator"] = "SALib.analyze.sobol (Saltelli 2010 first order, Jansen total)"
            return out
        s1, st = sobol_estimates(y, d)
        out = pd.DataFrame(
            {"S1": s1, "S1_conf": np.nan, "ST": st, "ST_conf": np.nan},
            index=pd.Index(names, name="parameter"),
        )
        out.attrs["estimator"] = "numpy (Saltelli 2010 first order, Jansen 1999 total)"
        return out

    def _check_column(self, indicator: str) -> None:
        if indicator not in self.table.columns:
            known = [*INDICATOR_NAMES, "deterred", "p_attack_baseline"]
            raise SweepError(f"unknown indicator '{indicator}'; indicators are {', '.join(known)}")

    # ---------------------------------------------------------------- pictures
    def plot(
        self,
        x: str,
        y: str,
        indicator: str | None = "p_attack",
        ax: Any = None,
        path: str | os.PathLike[str] | None = None,
        at: Mapping[str, float] | None = None,
    ) -> Any:
        """A labelled regime map over two parameters (see :func:`deterrence.plot.regime_map`)."""
        from .plot import regime_map

        return regime_map(self, x, y, indicator=indicator, ax=ax, path=path, at=at)

    def plot_lines(
        self,
        x: str,
        indicator: str = "p_attack",
        by: str | None = None,
        values: Sequence[float] | None = None,
        ax: Any = None,
        path: str | os.PathLike[str] | None = None,
    ) -> Any:
        """An indicator against one parameter, one line per value of another
        (see :func:`deterrence.plot.lines`)."""
        from .plot import lines

        return lines(self, x, indicator=indicator, by=by, values=values, ax=ax, path=path)

    def __repr__(self) -> str:
        m = self.manifest
        return (
            f"<SweepResult {m.get('model', {}).get('name', '?')}: {m.get('n_points', '?')} points, "
            f"{m.get('n_rows', '?')} rows, concept {m.get('concept')}>"
        )


def sobol_estimates(y: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray]:
    """First-order (Saltelli 2010) and total (Jansen 1999) Sobol indices from a Saltelli design.

    ``y`` holds the model output in the layout of :func:`saltelli_unit`: per base row
    ``A, AB_1..AB_d, B``. The output is centred before estimating (as in SALib), which lowers the
    variance of the first-order estimator.
    """
    y = np.asarray(y, dtype=float)
    y = (y - y.mean()).reshape(-1, d + 2)  # centred first, as SALib does (lower variance)
    a, b, ab = y[:, 0], y[:, -1], y[:, 1:-1]
    var = np.var(np.concatenate([a, b]))
    if var == 0:
        return np.zeros(d), np.zeros(d)
    s1 = np.mean(b[:, None] * (ab - a[:, None]), axis=0) / var
    st = 0.5 * np.mean((a[:, None] - ab) ** 2, axis=0) / var
    return s1, st


# ====================================================================== sweep()
def _resolve_model(model: Any) -> Any:
    if isinstance(model, (str, os.PathLike)):
        from .catalogue import load_model

        return load_model(model)
    if not hasattr(model, "parameters") or not hasattr(model, "game"):
        raise SweepError(f"sweep() needs a model name or a Model, not {type(model).__name__}")
    return model


def _default_concept(model: Any) -> str:
    for attr in ("concept", "default_concept"):
        c = getattr(model, attr, None)
        if isinstance(c, str) and c:
            return c
    concepts = tuple(getattr(model, "concepts", None) or ())
    # prefer the richest concept the model declares: PBE handles incomplete information
    for preferred in ("pbe", "spe", "nash", "qre"):
        if preferred in concepts:
            return preferred
    return "pbe"


def _baseline(model: Any) -> Any:
    """The model's no-pledge baseline, or ``None`` if it declares none."""
    fn = getattr(model, "baseline", None)
    if fn is None:
        return None
    if not callable(fn):
        return fn
    try:
        return fn()
    except ModelError:  # the model declares no baseline
        return None


def _model_id(model: Any) -> dict[str, Any] | None:
    if model is None:
        return None
    fixed = getattr(model, "fixed", None) or {}
    return {
        "name": getattr(model, "name", None),
        "sha256": getattr(model, "sha256", None),
        "is_baseline": bool(getattr(model, "is_baseline", False)),
        "pinned": {str(k): str(v) for k, v in dict(fixed).items()},
    }


def sweep(
    model: Any,
    grid: Mapping[str, Any] | None = None,
    *,
    samples: int | None = None,
    method: str = "sobol",
    vary: Sequence[str] | None = None,
    bounds: Mapping[str, Sequence[float]] | None = None,
    fixed: Mapping[str, float] | None = None,
    concept: str | None = None,
    belief_policy: str = "free",
    selection: str = "pessimistic",
    path: str = "auto",
    backend: str = "numpy",
    scheduler: Any = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    out: str | os.PathLike[str] | None = None,
    rng: int | None = None,
    progress: bool = True,
    on_error: str = "raise",
    max_points: int = MAX_POINTS_IN_MEMORY,
    solve_options: Mapping[str, Any] | None = None,
) -> SweepResult:
    """Evaluate a model's equilibria over a grid or a sample of parameter points.

    Parameters
    ----------
    model
        A catalogue name or model file path (:func:`deterrence.load_model`), or a ``Model``.
    grid
        Parameter -> values: a full-factorial grid (the first parameter varies slowest).
    samples
        Number of sample points (for ``method="saltelli"``: base rows, ``samples * (d + 2)``
        points) over the declared domains of the ``vary`` parameters (default: every
        parameter not fixed whose domain is bounded).
    method
        ``"sobol"`` (scrambled), ``"lhs"`` (Latin hypercube), ``"random"`` or ``"saltelli"``.
    vary, bounds
        Parameters to sample, and optional ``(lo, hi)`` overriding their domains.
    fixed
        Values for parameters that do not vary (others take their defaults).
    concept
        ``"pbe"``, ``"spe"``, ``"nash"`` or ``"qre"``; default: the model's concept.
    belief_policy
        PBE off-path belief policy (``"free"``, ``"prior"``, ``"d1"``).
    selection
        Rule for the one regime per point on maps: one of :data:`deterrence.tidy.SELECTIONS`.
    path
        ``"auto"`` (compiled kernels where the model compiles, per point otherwise),
        ``"compiled"`` (fail if it does not compile) or ``"pointwise"``.
    backend
        ``"numpy"`` (in-process), ``"processes"`` (a process pool, ``workers`` default all
        cores) or ``"dask"`` (``scheduler`` address or ``Client``; default a ``LocalCluster``
        of ``workers`` processes, 2 by default).
    chunk_size
        Points per chunk (default 100,000 on the compiled path, 100 per point). Memory
        during the run is bounded by the chunk size times the number of chunks in flight.
    out
        Folder for chunks and manifest: chunks are written as they finish, and a rerun with
        the same folder resumes, recomputing nothing already finished. The finished table and
        manifest are saved there too.
    rng
        Seed for sample designs (default: a fresh one, recorded in the manifest; when
        resuming, the folder's seed).
    progress
        Show a tqdm progress bar.
    on_error
        ``"raise"`` (a point whose solve fails stops the sweep) or ``"record"`` (its row gets
        ``regime="error"`` and the message in an ``error`` column).
    max_points
        Sweeps larger than this need ``out=`` (fail fast otherwise, with a memory estimate).
    solve_options
        Extra options for :func:`deterrence.solve` on the per-point path (``method``, ``tol``...).

    Returns
    -------
    SweepResult

    Raises
    ------
    SweepError
        An invalid specification (naming the culprit), too many points without ``out``, or an
        ``out`` folder holding a different sweep.
    ParameterError
        A value outside its parameter's domain.
    """
    started = time.time()
    started_iso = _now()
    model = _resolve_model(model)
    if backend not in BACKENDS:
        raise SweepError(f"unknown backend '{backend}'; backends are {', '.join(BACKENDS)}")
    if path not in PATHS:
        raise SweepError(f"unknown path '{path}'; paths are {', '.join(PATHS)}")
    if selection not in SELECTIONS:
        raise SweepError(f"unknown selection rule '{selection}'; rules are {', '.join(SELECTIONS)}")
    if scheduler is not None and backend != "dask":
        raise SweepError(f"scheduler= is for backend='dask', not backend='{backend}'")
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1
    ):
        raise SweepError(f"workers must be a positive integer, got {workers!r}")
    if chunk_size is not None and (
        isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1
    ):
        raise SweepError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    if on_error not in pointwise.ON_ERROR:
        raise SweepError(f"unknown on_error '{on_error}'; choose one of {', '.join(pointwise.ON_ERROR)}")
    if rng is not None and (isinstance(rng, bool) or not isinstance(rng, (int, np.integer)) or rng < 0):
        raise SweepError(f"rng must be a non-negative integer seed, got {rng!r}")
    concept = concept or _default_concept(model)
    from .solvers.base import BELIEF_POLICIES, CONCEPTS

    if concept not in CONCEPTS:
        raise SweepError(f"unknown concept '{concept}'; concepts are {', '.join(CONCEPTS)}")
    if belief_policy not in BELIEF_POLICIES:
        raise SweepError(
            f"unknown belief policy '{belief_policy}'; policies are {', '.join(BELIEF_POLICIES)}"
        )
    solve_options = dict(solve_options or {})

    folder = Path(out) if out is not None else None
    if folder is not None and folder.exists() and not folder.is_dir():
        raise SweepError(
            f"out={str(folder)!r} exists and is not a folder; name a folder for the sweep's output"
        )
    old: dict[str, Any] | None = None
    if folder is not None:
        mpath = folder / "manifest.json"
        if mpath.is_file():
            try:
                old = json.loads(mpath.read_text())
            except json.JSONDecodeError as exc:
                raise SweepError(f"{mpath}: the folder's manifest is not valid JSON ({exc})") from None
            if old.get("format") != FORMAT:
                raise SweepError(
                    f"{folder}: holds something other than a deterrence sweep; choose another out="
                )
    seed = rng
    if samples is not None and seed is None:
        old_design = (old or {}).get("design", {})
        seed = old_design.get("seed") if old_design.get("kind") == "sample" else None
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1, dtype=np.uint32)[0])
    design, design_desc = build_design(model, grid, samples, method, fixed, vary, bounds, seed)
    n_points = design.n_points
    if n_points > max_points and folder is None:
        cols = len(design.names) + 20
        est = n_points * (BYTES_PER_ROW + 8 * cols)
        raise SweepError(
            f"the sweep has {n_points:,} points (a table of about {est / 1e9:.1f} GB in memory), more than "
            f"max_points={max_points:,}; give out=FOLDER to write it to disk in chunks, or use fewer points"
        )

    baseline = _baseline(model)
    compiled_ok = path != "pointwise" and _compiled(model, concept, belief_policy, path) is not None
    if chunk_size is None:
        chunk_size = CHUNK_COMPILED if compiled_ok else CHUNK_POINTWISE
    chunk_size = int(chunk_size)
    n_chunks = max(1, math.ceil(n_points / chunk_size))
    players, labels = pointwise.schema(model)
    if baseline is not None:
        base_players, base_labels = pointwise.schema(baseline)
    else:
        base_players, base_labels = [], []
    columns = column_order(design.names, players, labels)
    job = _Job(
        model,
        baseline,
        concept,
        belief_policy,
        selection,
        path,
        on_error,
        solve_options,
        tuple(columns),
        tuple(players),
        tuple(labels),
        tuple(base_players),
        tuple(base_labels),
    )

    params_info = {}
    for n in design.names:
        p = model.parameters[n]
        lo, hi = _domain(p)
        params_info[n] = {
            "default": float(p.default),
            "domain": [lo, hi],
            "description": str(getattr(p, "description", "") or ""),
        }
    spec = _jsonable(
        {
            "model": _model_id(model),
            "baseline": _model_id(baseline),
            "concept": concept,
            "belief_policy": belief_policy,
            "selection": selection,
            "design": design_desc,
            "fixed": {n: float(design.base[n]) for n in (fixed or {})},
            "n_points": n_points,
            "chunk_size": chunk_size,
            "path_requested": path,
            "solve_options": solve_options,
            "on_error": on_error,
        }
    )
    run_id = uuid.uuid4().hex[:12]
    chunk_records: dict[int, dict[str, Any]] = {}
    if old is not None:
        differ = _diff_spec(old, spec)
        if differ:
            raise SweepError(
                f"{folder}: holds a different sweep (differs in {', '.join(differ)}); "
                "choose another out= folder or delete this one"
            )
        chunk_records = {int(r["id"]): r for r in old.get("chunks", {}).get("records", [])}
    manifest: dict[str, Any] = {
        "format": FORMAT,
        **spec,
        "selection_description": SELECTIONS[selection],
        "title": getattr(model, "title", None),
        "parameters": params_info,
        "varied": list(design.varied),
        "players": players,
        "outcome_labels": labels,
        "n_chunks": n_chunks,
        "backend": backend,
        "workers": workers,
        "scheduler": None if scheduler is None else str(scheduler),
        "versions": package_versions(),
        "command": list(sys.argv),
        "started": (old or {}).get("started", started_iso),
        "runs": [*(old or {}).get("runs", []), {"id": run_id, "started": started_iso, "backend": backend}],
        "status": "running",
    }

    bounds_of = [(c, c * chunk_size, min((c + 1) * chunk_size, n_points)) for c in range(n_chunks)]
    if n_points == 0:
        bounds_of = []
    done: set[int] = set()
    if folder is not None:
        chunks_dir = folder / "chunks"
        chunks_dir.mkdir(parents=True, exist_ok=True)
        # temporary files left by a process killed mid-write (never a finished file)
        for stale in [
            *chunks_dir.glob(".chunk-*.tmp"),
            *folder.glob(".manifest.json.*.tmp"),
            *folder.glob(".table.*.tmp"),
        ]:
            with contextlib.suppress(OSError):
                stale.unlink()
        for c, start, stop in bounds_of:
            if (chunks_dir / _chunk_file(c)).is_file():  # complete: chunk files are written atomically
                done.add(c)
                chunk_records.setdefault(
                    c,
                    {
                        "id": c,
                        "start": start,
                        "stop": stop,
                        "file": _chunk_file(c),
                        "run": "unrecorded",
                        "finished": None,
                    },
                )
        chunk_records = {c: r for c, r in chunk_records.items() if c in done}

        def write_manifest() -> None:
            manifest["chunks"] = {"done": sorted(done), "records": [chunk_records[c] for c in sorted(done)]}
            _write_json(folder / "manifest.json", manifest)

        write_manifest()
    todo = [b for b in bounds_of if b[0] not in done]
    kept: dict[int, pd.DataFrame] = {}

    bar = _progress(n_points, sum(b[2] - b[1] for b in bounds_of if b[0] in done), progress)
    try:
        if backend == "numpy" or not todo:
            results: Iterator[tuple[int, pd.DataFrame]] = _run_numpy(job, todo, design)
        elif backend == "processes":
            results = _run_processes(job, todo, design, int(workers or os.cpu_count() or 1))
        else:
            results = _run_dask(job, todo, design, workers, scheduler)
        sizes = {c: stop - start for c, start, stop in bounds_of}
        for chunk, table in results:
            if folder is not None:
                _atomic_write(
                    folder / "chunks" / _chunk_file(chunk), lambda p, t=table: t.to_parquet(p, index=False)
                )
                done.add(chunk)
                chunk_records[chunk] = {
                    "id": chunk,
                    "start": bounds_of[chunk][1],
                    "stop": bounds_of[chunk][2],
                    "rows": len(table),
                    "file": _chunk_file(chunk),
                    "run": run_id,
                    "finished": _now(),
                }
                write_manifest()
            else:
                kept[chunk] = table
            bar.update(sizes[chunk])
    finally:
        bar.close()

    in_memory = folder is None or n_points <= max_points
    if folder is not None:
        # a sweep too large for memory leaves its table in the chunks (read on demand)
        table = _read_chunks(folder, done) if in_memory else None
    else:
        table = (
            pointwise.coerce(pd.concat([kept[c] for c in sorted(kept)], ignore_index=True))
            if kept
            else pd.DataFrame(columns=columns)
        )
    if table is None:
        assert folder is not None
        counts: dict[str, int] = {}
        rows = 0
        for c in sorted(done):
            part = pd.read_parquet(folder / "chunks" / _chunk_file(c), columns=["point", "path"])
            rows += len(part)
            for k, v in part.drop_duplicates("point")["path"].value_counts().items():
                counts[str(k)] = counts.get(str(k), 0) + int(v)
        manifest["paths"] = counts
        manifest["n_rows"] = rows
    else:
        paths = table.drop_duplicates("point")["path"].value_counts() if len(table) else pd.Series(dtype=int)
        manifest["paths"] = {str(k): int(v) for k, v in paths.items()}
        manifest["n_rows"] = len(table)
    manifest["finished"] = _now()
    elapsed = time.time() - started
    manifest["elapsed_seconds"] = round(elapsed, 3)
    manifest["runs"][-1].update(
        {"finished": manifest["finished"], "computed_chunks": len(todo), "elapsed_seconds": round(elapsed, 3)}
    )
    manifest["status"] = "complete"
    if folder is None:
        manifest["chunks"] = {
            "done": sorted(kept),
            "records": [{"id": c, "start": s, "stop": e, "rows": len(kept[c])} for c, s, e in bounds_of],
        }
    result = SweepResult(table, _jsonable(manifest), folder)
    if folder is not None:
        write_manifest()
        if in_memory:
            result.save(folder)
    return result


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, initial: int, enabled: bool) -> Any:
    if not enabled:
        return _NoBar()
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return _NoBar()
    return tqdm(total=total, initial=initial, unit="pt", unit_scale=True, desc="sweep", smoothing=0.1)


__all__ = [
    "BACKENDS",
    "METHODS",
    "PATHS",
    "Design",
    "SweepResult",
    "build_design",
    "saltelli_unit",
    "sample_unit",
    "sobol_estimates",
    "sweep",
]
