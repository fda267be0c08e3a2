"""Parameter sweeps: grids and space-filling samples, backends, chunked storage and resume.

``sweep(model, grid=... | samples=...)`` evaluates a model's equilibria at many parameter
points and returns a :class:`SweepResult`: a tidy table (schema in :mod:`deterrence.sweeps._tidy`)
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
   cannot decide (knife edges) re-solved one by one (:mod:`deterrence.sweeps._pointwise`); or per point
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

Where the parts live
--------------------
This module holds :func:`sweep` (the driver). The design is built in
:mod:`deterrence.sweeps._design`, chunks are evaluated and run on a backend in
:mod:`deterrence.sweeps._backends`, files are written in :mod:`deterrence.sweeps._storage`, and
the result is a :class:`~deterrence.sweeps.SweepResult` (:mod:`deterrence.sweeps._result`).
Their public names are re-exported here.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ModelError, SweepError
from . import _pointwise as pointwise
from ._backends import _compiled, _Job, _run_dask, _run_numpy, _run_processes
from ._design import METHODS, Design, _domain, build_design, saltelli_unit, sample_unit
from ._result import SweepResult, sobol_estimates
from ._storage import (
    FORMAT,
    _atomic_write,
    _chunk_file,
    _diff_spec,
    _jsonable,
    _now,
    _read_chunks,
    _write_json,
    package_versions,
)
from ._tidy import SELECTIONS, coerce, column_order

BACKENDS = ("numpy", "processes", "dask")
PATHS = ("auto", "compiled", "pointwise")

#: sweeps with more points than this must write their chunks to disk (``out=``)
MAX_POINTS_IN_MEMORY = 10**7
#: rough bytes per tidy row in memory (about 25 numeric columns plus two short strings)
BYTES_PER_ROW = 320
#: default chunk sizes (points) for the compiled and the per-point path
CHUNK_COMPILED = 100_000
CHUNK_POINTWISE = 100


# ====================================================================== sweep()
def _resolve_model(model: Any) -> Any:
    if isinstance(model, (str, os.PathLike)):
        from ..catalogue import load_model

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
        Rule for the one regime per point on maps: one of :data:`deterrence.sweeps.SELECTIONS`.
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
    from ..solvers.base import BELIEF_POLICIES, CONCEPTS

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
            coerce(pd.concat([kept[c] for c in sorted(kept)], ignore_index=True))
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
