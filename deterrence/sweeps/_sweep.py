"""Parameter sweeps: grids and space-filling samples, backends, chunked storage and resume.

``sweep(model, grid=... | samples=...)`` evaluates a model's equilibria at many parameter
points and returns a :class:`SweepResult`: a tidy table (schema in :mod:`deterrence.sweeps._tidy`)
and a manifest (:class:`~deterrence.sweeps.Manifest`) that lets anyone redo the sweep exactly.

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
This module holds :func:`sweep`, a short driver of named stages: the arguments are checked
into a :class:`~deterrence.sweeps._spec.SweepSpec` (:mod:`deterrence.sweeps._spec`), the design
is built (:mod:`deterrence.sweeps._design`), the chunks are planned (:func:`plan_chunks`), the
``out=`` folder is opened or resumed (:class:`~deterrence.sweeps._storage.SweepFolder`), the chunks
run on a backend (:mod:`deterrence.sweeps._backends`) and the result is assembled
(:class:`~deterrence.sweeps.SweepResult`, :mod:`deterrence.sweeps._result`, with its
:class:`~deterrence.sweeps.Manifest`, :mod:`deterrence.sweeps._manifest`).
"""

from __future__ import annotations

import math
import os
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SweepError
from . import _pointwise as pointwise
from ._backends import ChunkJob, compiled_kernel, run_chunks
from ._design import Design, DesignInfo, build_design
from ._manifest import (
    ChunkRecord,
    Chunks,
    Manifest,
    ModelIdentity,
    ParameterInfo,
    RunRecord,
    chunk_records,
    jsonable,
)
from ._result import SweepResult
from ._spec import MAX_POINTS_IN_MEMORY, SweepSpec, check_spec
from ._storage import SweepFolder, chunk_file, now, package_versions
from ._tidy import SELECTIONS, coerce, column_order

#: rough bytes per tidy row in memory (about 25 numeric columns plus two short strings)
BYTES_PER_ROW = 320
#: default chunk sizes (points) for the compiled and the per-point path
CHUNK_COMPILED = 100_000
CHUNK_POINTWISE = 100


def sweep(
    model: Any, grid: Mapping[str, Any] | None = None, *, samples: int | None = None, method: str = "sobol",
    vary: Sequence[str] | None = None, bounds: Mapping[str, Sequence[float]] | None = None,
    fixed: Mapping[str, float] | None = None, concept: str | None = None, belief_policy: str = "free",
    selection: str = "pessimistic", path: str = "auto", backend: str = "numpy", scheduler: Any = None,
    workers: int | None = None, chunk_size: int | None = None, out: str | os.PathLike[str] | None = None,
    rng: int | None = None, progress: bool = True, on_error: str = "raise",
    max_points: int = MAX_POINTS_IN_MEMORY, solve_options: Mapping[str, Any] | None = None,
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
    clock = _Clock(time.time(), now())
    spec = check_spec(
        model, grid=grid, samples=samples, method=method, vary=vary, bounds=bounds, fixed=fixed,
        concept=concept, belief_policy=belief_policy, selection=selection, path=path, backend=backend,
        scheduler=scheduler, workers=workers, chunk_size=chunk_size, out=out, rng=rng, progress=progress,
        on_error=on_error, max_points=max_points, solve_options=solve_options,
    )
    folder = SweepFolder(spec.out) if spec.out is not None else None
    seed = _seed(spec, folder)
    design, info = build_design(spec.model, spec.grid, spec.samples, spec.method, spec.fixed, spec.vary,
                                spec.bounds, seed)
    _check_memory(spec, design)
    plan = plan_chunks(spec, design)
    manifest = start_manifest(spec, design, info, plan, folder, clock)
    done = _resume(folder, manifest, plan)
    kept, computed = _run(spec, plan, design, folder, manifest, done)
    return _assemble(spec, plan, folder, manifest, kept, done, computed, clock)


# ====================================================================== the stages
@dataclass(frozen=True)
class _Clock:
    """When the run started: seconds since the epoch, and as ISO text."""

    seconds: float
    iso: str


@dataclass(frozen=True)
class ChunkPlan:
    """How a design's points are cut into chunks, and what every worker needs to evaluate one.

    Attributes
    ----------
    job
        The model, its baseline, the concept, the options and the tidy columns.
    chunk_size, n_points
        Points per chunk, and in the design.
    bounds
        ``(chunk, start, stop)`` of every chunk: it holds points ``start .. stop-1``.
    """

    job: ChunkJob
    chunk_size: int
    n_points: int
    bounds: tuple[tuple[int, int, int], ...]

    @property
    def n_chunks(self) -> int:
        return max(1, math.ceil(self.n_points / self.chunk_size))

    def size(self, chunk: int) -> int:
        _c, start, stop = self.bounds[chunk]
        return stop - start


def _seed(spec: SweepSpec, folder: SweepFolder | None) -> int | None:
    """The sample's seed: ``rng``, else the seed of the sample the folder holds, else a fresh one."""
    if spec.samples is None or spec.rng is not None:
        return spec.rng
    previous = folder.previous if folder is not None else None
    design = previous.design if previous is not None else None
    if design is not None and design.kind == "sample" and design.seed is not None:
        return int(design.seed)
    return int(np.random.SeedSequence().generate_state(1, dtype=np.uint32)[0])


def _check_memory(spec: SweepSpec, design: Design) -> None:
    """Refuse, before computing anything, a sweep too large to hold in memory without ``out=``."""
    n_points = design.n_points
    if n_points > spec.max_points and spec.out is None:
        cols = len(design.names) + 20
        est = n_points * (BYTES_PER_ROW + 8 * cols)
        raise SweepError(
            f"the sweep has {n_points:,} points (a table of about {est / 1e9:.1f} GB in memory), more than "
            f"max_points={spec.max_points:,}; give out=FOLDER to write it to disk in chunks, "
            "or use fewer points"
        )


def plan_chunks(spec: SweepSpec, design: Design) -> ChunkPlan:
    """Cut the design into chunks (default size by path) and gather what a worker needs.

    Raises
    ------
    UnsupportedError
        ``path="compiled"`` for a model that does not compile.
    """
    compiled = spec.path != "pointwise" and (
        compiled_kernel(spec.model, spec.concept, spec.belief_policy, spec.path) is not None
    )
    default = CHUNK_COMPILED if compiled else CHUNK_POINTWISE
    size = int(spec.chunk_size if spec.chunk_size is not None else default)
    n_points = design.n_points
    n_chunks = max(1, math.ceil(n_points / size))
    bounds = tuple((c, c * size, min((c + 1) * size, n_points)) for c in range(n_chunks)) if n_points else ()
    players, labels = pointwise.schema(spec.model)
    base_players, base_labels = pointwise.schema(spec.baseline) if spec.baseline is not None else ([], [])
    job = ChunkJob(
        spec.model,
        spec.baseline,
        spec.concept,
        spec.belief_policy,
        spec.selection,
        spec.path,
        spec.on_error,
        spec.solve_options,
        (*column_order(design.names, players, labels), *getattr(spec.model, "measures", ())),
        tuple(players),
        tuple(labels),
        tuple(base_players),
        tuple(base_labels),
    )
    return ChunkPlan(job, size, n_points, bounds)


def start_manifest(
    spec: SweepSpec,
    design: Design,
    info: DesignInfo,
    plan: ChunkPlan,
    folder: SweepFolder | None,
    clock: _Clock,
) -> Manifest:
    """The manifest of a sweep about to run (status ``"running"``; a resumed sweep keeps its
    first start and the list of earlier runs)."""
    previous = folder.previous if folder is not None else None
    run = RunRecord(uuid.uuid4().hex[:12], clock.iso, spec.backend)
    parameters = {
        n: ParameterInfo(
            float(p.default),
            (float(p.domain[0]), float(p.domain[1])),
            str(getattr(p, "description", "") or ""),
        )
        for n, p in ((n, spec.model.parameters[n]) for n in design.names)
    }
    return Manifest(
        model=ModelIdentity.of(spec.model),
        baseline=ModelIdentity.of(spec.baseline),
        concept=spec.concept,
        belief_policy=spec.belief_policy,
        selection=spec.selection,
        design=info,
        fixed={n: float(design.base[n]) for n in (spec.fixed or {})},
        n_points=plan.n_points,
        chunk_size=plan.chunk_size,
        path_requested=spec.path,
        solve_options=jsonable(spec.solve_options),
        on_error=spec.on_error,
        selection_description=SELECTIONS[spec.selection],
        title=getattr(spec.model, "title", None),
        parameters=parameters,
        varied=tuple(design.varied),
        players=plan.job.players,
        outcome_labels=plan.job.labels,
        n_chunks=plan.n_chunks,
        backend=spec.backend,
        workers=None if spec.workers is None else int(spec.workers),
        scheduler=None if spec.scheduler is None else str(spec.scheduler),
        versions=package_versions(),
        command=tuple(sys.argv),
        started=(previous.started if previous is not None and previous.started else clock.iso),
        runs=(*(previous.runs if previous is not None else ()), run),
        status="running",
    )


def _resume(folder: SweepFolder | None, manifest: Manifest, plan: ChunkPlan) -> dict[int, ChunkRecord]:
    """Open the ``out=`` folder: refuse one holding another sweep, find the chunks already
    finished there, and write the manifest. Returns the finished chunks' records."""
    if folder is None:
        return {}
    folder.refuse_other_sweep(manifest)
    done = folder.finished(plan.bounds)
    folder.write_manifest(manifest.replace(chunks=chunk_records(list(done.values()))))
    return done


def _run(
    spec: SweepSpec,
    plan: ChunkPlan,
    design: Design,
    folder: SweepFolder | None,
    manifest: Manifest,
    done: dict[int, ChunkRecord],
) -> tuple[dict[int, pd.DataFrame], int]:
    """Evaluate the chunks not yet done on the spec's backend. Each finished chunk is written to
    the folder with an updated manifest (``done`` gains its record), or kept in memory.
    Returns the chunks kept in memory and the number of chunks computed."""
    todo = [b for b in plan.bounds if b[0] not in done]
    kept: dict[int, pd.DataFrame] = {}
    run_id = manifest.runs[-1].id
    bar = _progress(plan.n_points, sum(plan.size(c) for c in done), spec.progress)
    try:
        for chunk, table in run_chunks(plan.job, todo, design, spec.backend, spec.workers, spec.scheduler):
            if folder is None:
                kept[chunk] = table
            else:
                folder.write_chunk(chunk, table)
                _c, start, stop = plan.bounds[chunk]
                done[chunk] = ChunkRecord(chunk, start, stop, len(table), chunk_file(chunk), run_id, now())
                folder.write_manifest(manifest.replace(chunks=chunk_records(list(done.values()))))
            bar.update(plan.size(chunk))
    finally:
        bar.close()
    return kept, len(todo)


def _assemble(
    spec: SweepSpec,
    plan: ChunkPlan,
    folder: SweepFolder | None,
    manifest: Manifest,
    kept: dict[int, pd.DataFrame],
    done: dict[int, ChunkRecord],
    computed: int,
    clock: _Clock,
) -> SweepResult:
    """The result: the table (in memory, or left in the folder's chunks when it is too large)
    and the finished manifest, saved to the folder."""
    in_memory = folder is None or plan.n_points <= spec.max_points
    if folder is None:
        frames = [kept[c] for c in sorted(kept)]
        table = (
            coerce(pd.concat(frames, ignore_index=True))
            if frames
            else pd.DataFrame(columns=list(plan.job.columns))
        )
    else:
        table = folder.read_table(done) if in_memory else None
    if table is None:
        assert folder is not None
        paths, rows = folder.path_counts(done)
    else:
        counts = table.drop_duplicates("point")["path"].value_counts() if len(table) else pd.Series(dtype=int)
        paths, rows = {str(k): int(v) for k, v in counts.items()}, len(table)
    finished, elapsed = now(), round(time.time() - clock.seconds, 3)
    run = replace(manifest.runs[-1], finished=finished, computed_chunks=computed, elapsed_seconds=elapsed)
    if folder is not None:
        chunks = chunk_records(list(done.values()))
    else:
        records = tuple(ChunkRecord(c, start, stop, rows=len(kept[c])) for c, start, stop in plan.bounds)
        chunks = Chunks(tuple(sorted(kept)), records)
    manifest = manifest.replace(
        paths=paths,
        n_rows=rows,
        finished=finished,
        elapsed_seconds=elapsed,
        runs=(*manifest.runs[:-1], run),
        status="complete",
        chunks=chunks,
    )
    result = SweepResult(table, manifest, None if folder is None else folder.path)
    if folder is not None:
        folder.write_manifest(manifest)
        if in_memory:
            result.save(folder.path)
    return result


# ====================================================================== progress
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
    "BYTES_PER_ROW",
    "CHUNK_COMPILED",
    "CHUNK_POINTWISE",
    "ChunkPlan",
    "plan_chunks",
    "start_manifest",
    "sweep",
]
