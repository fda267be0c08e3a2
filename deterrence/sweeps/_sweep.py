"""Parameter sweeps: grids and space-filling samples, backends, chunked storage and resume.

``sweep(model, grid=... | samples=...)`` evaluates a model's equilibria at many parameter
points and returns a :class:`SweepResult`: a tidy table (schema in :mod:`deterrence.sweeps._tidy`)
and a manifest (:class:`~deterrence.sweeps.Manifest`) that lets anyone redo the sweep exactly.

How a sweep runs
----------------
1. The *design*: a full-factorial grid (parameter -> values; the first parameter varies
   slowest; evenly spaced values may be a :class:`~deterrence.sweeps.Linspace`, never held in
   memory) or ``samples=N`` points from :mod:`scipy.stats.qmc` (scrambled Sobol, Latin
   hypercube), plain uniform random points, or a Saltelli design for Sobol indices, over the
   declared domains of the varied parameters. Other parameters sit at their defaults or at
   ``fixed`` values. Points are numbered ``0..n-1``; grid points are generated chunk by chunk,
   never all at once.
2. The points are cut into chunks: by default enough of them for every worker to get several
   (:func:`default_chunk_size`). Each chunk is evaluated by the compiled kernels
   (:mod:`deterrence.kernels`) where the model compiles, with the points a kernel cannot decide
   (knife edges) re-solved one by one (:mod:`deterrence.sweeps._pointwise`); or per point
   throughout. The no-pledge baseline is evaluated at the same points and gives
   ``p_attack_baseline`` and ``deterred``; the selection rule marks one row per point.
3. Before the work, a sweep large enough to matter is *estimated*
   (:mod:`deterrence.sweeps._estimate`): its time on the workers and the disk it writes; one
   beyond a day's work or the free disk is refused with a ``ResourceError`` giving the estimate,
   unless ``allow_large=True``.
4. Chunks run in-process (``backend="numpy"``), in a process pool (``"processes"``) or on a
   Dask cluster (``"dask"``). The result is identical whatever the backend: rows are sorted by
   point, then equilibrium.
5. With ``out=FOLDER`` the folder is locked for the run (a second sweep into it is refused),
   each finished chunk is written atomically to ``FOLDER/chunks/`` carrying the sweep's
   fingerprint and its point range, and ``FOLDER/manifest.json`` lists the finished chunks.
   Running the same sweep with the same ``out`` resumes: finished chunks are checked and read,
   not recomputed (a damaged or misplaced one is recomputed, and said so); a folder that holds
   a different sweep is refused unless ``overwrite=True``. The table files are written from the
   chunks a chunk at a time, and the result reads its table from the folder when asked.

Where the parts live
--------------------
This module holds :func:`sweep`, a short driver of named stages: the arguments are checked
into a :class:`~deterrence.sweeps._spec.SweepSpec` (:mod:`deterrence.sweeps._spec`), the design
is built (:mod:`deterrence.sweeps._design`), the chunks are planned (:func:`plan_chunks`), the
``out=`` folder is opened, locked and checked (:class:`~deterrence.sweeps._storage.SweepFolder`),
the cost is estimated (:mod:`deterrence.sweeps._estimate`), the chunks run on a backend
(:mod:`deterrence.sweeps._backends`) and the result is assembled
(:class:`~deterrence.sweeps.SweepResult`, :mod:`deterrence.sweeps._result`, with its
:class:`~deterrence.sweeps.Manifest`, :mod:`deterrence.sweeps._manifest`).
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DeterrenceError, ResourceError, SweepError, SweepVersionError
from . import _pointwise as pointwise
from ._backends import ChunkJob, compiled_kernel, evaluate_chunk, run_chunks
from ._choice import SAMPLED_POINTS, choose_path
from ._design import Design, DesignInfo, build_design
from ._estimate import measure, refuse_at_once, refuse_beyond, worth_measuring
from ._manifest import (
    ChunkRecord,
    Chunks,
    Manifest,
    ModelIdentity,
    ParameterInfo,
    RunRecord,
    chunk_records,
    code_identity,
    describe_identity,
    jsonable,
)
from ._result import SweepResult
from ._slow_notice import say_if_slow, writing_tables
from ._spec import MAX_POINTS_IN_MEMORY, SweepSpec, available_cores, check_spec
from ._storage import SweepFolder, chunk_file, ctrl_c_held_back, now, package_versions
from ._tidy import SELECTIONS, coerce, column_order

#: rough bytes per tidy row in memory (about 25 numeric columns plus two short strings)
BYTES_PER_ROW = 320
#: the largest default chunk (points) on the compiled and on the per-point path
CHUNK_COMPILED = 100_000
CHUNK_POINTWISE = 100
#: the smallest default chunk on the compiled path (a chunk has a fixed cost)
CHUNK_COMPILED_MIN = 2_000
#: default chunking gives each worker at least this many chunks (so parallel backends share
#: the work, and the progress bar moves)
CHUNKS_PER_WORKER = 4
#: memory a point of a chunk takes while it is evaluated, in tidy rows' bytes (intermediates included)
CHUNK_MEMORY_FACTOR = 4
#: above this many finished chunks the manifest is rewritten at most once a second
MANIFEST_EVERY_CHUNK = 1_000


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
    overwrite: bool = False,
    rng: int | None = None,
    progress: bool = True,
    on_error: str = "raise",
    max_points: int = MAX_POINTS_IN_MEMORY,
    solve_options: Mapping[str, Any] | None = None,
    allow_large: bool = False,
    allow_other_version: bool = False,
    table_files: bool = True,
    log: Callable[[str], Any] | None = None,
) -> SweepResult:
    """Evaluate a model's equilibria over a grid or a sample of parameter points.

    Parameters
    ----------
    model
        A catalogue name or model file path (:func:`deterrence.load_model`), or a ``Model``.
    grid
        Parameter -> values: a full-factorial grid (the first parameter varies slowest). Values
        are a sequence of numbers or a :class:`~deterrence.Linspace` (evenly spaced values that
        are never held in memory). Each value once: a repeated value (which would be solved and
        counted twice) and ``Linspace(lo, hi, 1)`` with ``lo != hi`` are refused (``SweepError``).
    samples
        Number of sample points (for ``method="saltelli"``: base rows, ``samples * (d + 2)``
        points) over the declared domains of the ``vary`` parameters (default: every
        parameter not fixed whose domain is bounded).
    method
        ``"sobol"`` (scrambled), ``"lhs"`` (Latin hypercube), ``"random"`` or ``"saltelli"``
        (samples only: another method with a grid is an error).
    vary, bounds
        Parameters to sample, and optional ``(lo, hi)`` overriding their domains (a list of
        names, and bounds for sampled parameters only; with ``grid=`` either is a
        :class:`~deterrence.SweepError`, as they would be ignored).
    fixed
        Values for parameters that do not vary (others take their defaults).
    concept
        ``"pbe"``, ``"spe"``, ``"nash"`` or ``"qre"``; default: the model's concept.
    belief_policy
        PBE off-path belief policy (``"free"``, ``"prior"``, ``"d1"``).
    selection
        Rule for the one regime per point on maps: one of :data:`deterrence.sweeps.SELECTIONS`.
    path
        ``"auto"`` (compiled kernels where the model compiles and, by the measured estimate of
        :mod:`deterrence.sweeps._choice`, that is cheaper for this sweep than solving per point;
        the manifest's ``path_choice`` says what was chosen and why; the compile is counted even
        where this process has compiled the model already, so that the choice does not depend on
        what ran before, and the per-point solver is timed once per model and points in a process),
        ``"compiled"`` (fail if it does not compile; a process that holds the kernel already
        reuses it, so a short sweep repeated in a session can ask for it) or ``"pointwise"``. The
        rows are the same whichever runs; only the ``path`` column says which did.
    backend
        ``"numpy"`` (in-process), ``"processes"`` (a process pool, ``workers`` default all
        cores) or ``"dask"`` (``scheduler`` address or ``Client``; default a ``LocalCluster``
        of ``workers`` processes, 2 by default).
    workers
        Worker processes (``"processes"``, or a local Dask cluster); more than the cores here
        are capped at the cores unless ``allow_large=True``, and never more than the chunks.
    chunk_size
        Points per chunk. Default: the points shared so that every worker gets at least
        :data:`CHUNKS_PER_WORKER` chunks, between 2,000 and 100,000 points on the compiled
        path and at most 100 per point (a resumed sweep keeps its folder's). Memory during
        the run is bounded by the chunk size times the number of chunks in flight.
    out
        Folder for chunks and manifest: chunks are written as they finish, and a rerun with
        the same folder resumes, recomputing nothing already finished. The finished table and
        manifest are saved there too. The folder is locked while the sweep runs.
    overwrite
        With ``out``: replace a different (or damaged) sweep held in the folder instead of
        refusing it; the sweep's own files there are removed first, nothing else.
    rng
        Seed for sample designs (default: a fresh one, recorded in the manifest; when
        resuming, the folder's seed). Samples only: with a grid it is an error.
    progress
        Show a tqdm progress bar, and the estimate and notes on stderr (unless ``log`` is given).
    on_error
        ``"raise"`` (a point whose solve fails stops the sweep) or ``"record"`` (its row gets
        ``regime="error"`` and the message in an ``error`` column).
    max_points
        Sweeps larger than this need ``out=`` (fail fast otherwise, with a memory estimate),
        and with ``out=`` keep their table in the chunk files (no ``table.csv``).
    solve_options
        Extra options for :func:`deterrence.solve` on the per-point path (``method``, ``tol``...).
        The compiled kernels take none, so with any option ``path="auto"`` solves every point one
        by one (and says so) and ``path="compiled"`` is a :class:`~deterrence.SweepError`.
    allow_large
        Run a sweep estimated beyond a day's work or the free disk, or (without ``out``) whose
        table would take more than half the machine's memory, and start more workers than
        there are cores, instead of refusing.
    allow_other_version
        With ``out``: resume a folder whose chunks were computed by another version of
        ``deterrence`` (or other sources of the same version number), instead of refusing with
        a :class:`~deterrence.errors.SweepVersionError`. The table then mixes the answers of
        both; each run's record in the manifest says which code it ran, and the run notes it.
    table_files
        With ``out``: write ``table.parquet`` and ``table.csv`` when the sweep ends (a sweep of
        at most ``max_points``). ``False`` leaves the table in the chunk files, where
        :meth:`SweepResult.load` and every method of the result read it; ``result.save(out)``
        writes the table files later (the command line does so while its pictures are drawn).
    log
        Called with each one-line message (the estimate before the work, chunks recomputed,
        workers capped); default: printed to stderr when ``progress`` is on. The messages are
        also in the run's record in the manifest.

    Returns
    -------
    SweepResult

    Raises
    ------
    SweepError
        An invalid specification (naming the culprit), too many points without ``out``, an
        ``out`` folder holding a different sweep or chunk files of one, in use by another
        sweep, below a file, with a symbolic link where the sweep writes, or that cannot be
        created or written.
    SweepVersionError
        ``out`` holds chunks another version of ``deterrence`` computed (naming both versions),
        and ``allow_other_version`` is not given.
    ResourceError
        A sweep estimated beyond a day's work or the free disk, or (without ``out``) a table
        estimated beyond half the machine's memory (with the estimate), or with more points
        than can be numbered.
    ParameterError
        A value outside its parameter's domain.
    """
    clock = _Clock(time.time(), now())
    spec = check_spec(
        model,
        grid=grid,
        samples=samples,
        method=method,
        vary=vary,
        bounds=bounds,
        fixed=fixed,
        concept=concept,
        belief_policy=belief_policy,
        selection=selection,
        path=path,
        backend=backend,
        scheduler=scheduler,
        workers=workers,
        chunk_size=chunk_size,
        out=out,
        rng=rng,
        progress=progress,
        on_error=on_error,
        max_points=max_points,
        solve_options=solve_options,
        overwrite=overwrite,
        allow_large=allow_large,
        allow_other_version=allow_other_version,
        table_files=table_files,
        log=log,
    )
    run = _RunState(say=_sayer(spec), notes=list(spec.notes))
    for note in spec.notes:
        run.say(note)
    folder = SweepFolder.open(spec.out, overwrite=spec.overwrite) if spec.out is not None else None
    try:
        return _sweep_in(spec, folder, clock, run)
    except BaseException as exc:
        if folder is not None:
            _record_stop(folder, exc, run)
        raise
    finally:
        if folder is not None:
            folder.close()


def _record_stop(folder: SweepFolder, exc: BaseException, run: _RunState) -> None:
    """Record in the folder's manifest that this run stopped before the end: status
    ``"interrupted"`` (Ctrl-C) or ``"failed"`` (an error), the run's record with what it computed
    and why it stopped. Only a manifest this run wrote (still ``"running"``) is changed: a sweep
    refused before it wrote anything leaves the folder as it was. A manifest that cannot be
    written stays ``"running"``, which with the lock free reads as a run that stopped without
    a word (:func:`~deterrence.sweeps._storage.folder_state`); the error is raised as it was."""
    manifest = folder.written
    if manifest is None or manifest.status != "running" or not manifest.runs:
        return
    interrupted = isinstance(exc, (KeyboardInterrupt, SystemExit))
    reason = type(exc).__name__ + ("" if interrupted or not str(exc) else f": {str(exc)[:500]}")
    record = replace(
        manifest.runs[-1],
        finished=now(),
        computed_chunks=run.computed_chunks,
        computed_points=run.computed_points,
        reused_points=run.reused_points,
        pointwise_points=run.pointwise_points,
        notes=tuple(run.notes),
        stopped=reason,
    )
    status = "interrupted" if interrupted else "failed"
    stopped = manifest.replace(status=status, runs=(*manifest.runs[:-1], record))
    with contextlib.suppress(OSError), ctrl_c_held_back():
        folder.write_manifest(stopped)


def _sweep_in(spec: SweepSpec, folder: SweepFolder | None, clock: _Clock, run: _RunState) -> SweepResult:
    """The stages of :func:`sweep` once the folder is open (and locked)."""
    previous = None if folder is None or spec.overwrite else folder.previous
    hints = folder.chunk_hints() if folder is not None and previous is None and not spec.overwrite else {}
    seed = _seed(spec, previous, hints.get("seed"))
    design, info = build_design(
        spec.model, spec.grid, spec.samples, spec.method, spec.fixed, spec.vary, spec.bounds, seed
    )
    _check_memory(spec, design)
    workers = _workers(spec)
    refuse_at_once(design.n_points, workers, spec.allow_large)
    plan = plan_chunks(spec, design, previous, workers, hints.get("chunk_size"))
    _check_chunk_memory(spec, plan, design, workers)
    manifest = start_manifest(spec, design, info, plan, previous, clock)
    done = _resume(spec, folder, manifest, plan, run)
    _estimate(spec, plan, design, done, workers, run)
    for role, choice in plan.path_choice.items():
        run.note(f"path ({role}): {choice['text']}")
    if folder is not None:
        _start_writing(spec, folder, manifest, done)
    kept = _run(spec, plan, design, folder, manifest, done, workers, run)
    return _assemble(spec, plan, folder, manifest, kept, done, run, clock)


# ====================================================================== the stages
@dataclass(frozen=True)
class _Clock:
    """When the run started: seconds since the epoch, and as ISO text."""

    seconds: float
    iso: str


@dataclass
class _RunState:
    """What this run did, as it goes: for its record in the manifest and for the user."""

    say: Callable[[str], Any]
    notes: list[str] = field(default_factory=list)
    computed_chunks: int = 0
    computed_points: int = 0
    reused_points: int = 0
    pointwise_points: int = 0

    def note(self, message: str) -> None:
        self.notes.append(message)
        self.say(message)


def _sayer(spec: SweepSpec) -> Callable[[str], Any]:
    if spec.log is not None:
        return spec.log
    if spec.progress:
        return lambda message: print(message, file=sys.stderr, flush=True)
    return lambda message: None


class ChunkBounds(Sequence[tuple[int, int, int]]):
    """``(chunk, start, stop)`` of every chunk, computed when asked (never all held at once)."""

    def __init__(self, n_points: int, size: int) -> None:
        self.n_points, self.size = n_points, size
        self._len = math.ceil(n_points / size) if n_points else 0

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, chunk: Any) -> Any:
        if isinstance(chunk, slice):
            return [self[c] for c in range(*chunk.indices(self._len))]
        c = int(chunk) + (self._len if int(chunk) < 0 else 0)
        if not 0 <= c < self._len:
            raise IndexError(f"chunk {chunk} of {self._len}")
        return c, c * self.size, min((c + 1) * self.size, self.n_points)

    def __iter__(self) -> Iterator[tuple[int, int, int]]:
        return (self[c] for c in range(self._len))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ChunkBounds):
            return (self.n_points, self.size) == (other.n_points, other.size)
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


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
        ``(chunk, start, stop)`` of every chunk: it holds points ``start .. stop-1``
        (:class:`ChunkBounds`, computed when asked).
    compiled
        Whether the chunks run on the compiled path.
    path_choice
        Under ``path="auto"``: per role (``"model"``, ``"baseline"``), the path chosen by cost and
        the estimate behind it (:mod:`deterrence.sweeps._choice`); empty where none was made.
    """

    job: ChunkJob
    chunk_size: int
    n_points: int
    bounds: Sequence[tuple[int, int, int]]
    compiled: bool = False
    path_choice: Mapping[str, Any] = field(default_factory=dict)

    @property
    def n_chunks(self) -> int:
        return max(1, math.ceil(self.n_points / self.chunk_size))

    def size(self, chunk: int) -> int:
        _c, start, stop = self.bounds[chunk]
        return stop - start


def _seed(spec: SweepSpec, previous: Manifest | None, hint: int | None = None) -> int | None:
    """The sample's seed: ``rng``, else the seed of the sample the folder holds (its manifest's,
    or its chunks' when the manifest is gone), else a fresh one."""
    if spec.samples is None or spec.rng is not None:
        return spec.rng
    design = previous.design if previous is not None else None
    if design is not None and design.kind == "sample" and design.seed is not None:
        return int(design.seed)
    if hint is not None:
        return int(hint)
    return int(np.random.SeedSequence().generate_state(1, dtype=np.uint32)[0])


def _check_memory(spec: SweepSpec, design: Design) -> None:
    """Refuse, before computing anything, a sweep too large to hold in memory without ``out=``:
    more points than ``max_points``, or (unless ``allow_large``) a table estimated at more than
    half the machine's memory."""
    if spec.out is not None:
        return
    n_points = design.n_points
    est = n_points * (BYTES_PER_ROW + 8 * (len(design.names) + 20))
    if n_points > spec.max_points:
        raise SweepError(
            f"the sweep has {n_points:,} points (a table of about {est / 1e9:.1f} GB in memory), more than "
            f"max_points={spec.max_points:,}; give out=FOLDER to write it to disk in chunks, "
            "or use fewer points"
        )
    memory = total_memory()
    if memory is not None and est > memory / 2 and not spec.allow_large:
        raise ResourceError(
            f"the sweep has {n_points:,} points: a table of about {est / 1e9:.1f} GB in memory, more than "
            f"half of this machine's {memory / 1e9:.1f} GB; give out=FOLDER to write it to disk in chunks, "
            "use fewer points, or allow_large=True (command line: --yes) to try anyway",
            estimate=est,
        )


def total_memory() -> float | None:
    """Bytes of memory of this machine (``None`` where the system does not say)."""
    try:
        return float(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


def _check_chunk_memory(spec: SweepSpec, plan: ChunkPlan, design: Design, workers: int) -> None:
    """Refuse chunks so large that the chunks in flight would need more than half the machine's
    memory (a ``chunk_size`` of a hundred million points), unless ``allow_large``."""
    memory = total_memory()
    if memory is None or spec.allow_large:
        return
    per_point = CHUNK_MEMORY_FACTOR * (BYTES_PER_ROW + 8 * (len(design.names) + 20))
    in_flight = min(plan.chunk_size, plan.n_points) * (1 if spec.backend == "numpy" else 2 * workers)
    if in_flight * per_point > memory / 2:
        raise ResourceError(
            f"chunks of {plan.chunk_size:,} points would need about {in_flight * per_point / 1e9:.1f} GB in "
            f"memory while they run ({memory / 1e9:.1f} GB here); give a smaller chunk_size (default: "
            f"at most {CHUNK_COMPILED:,}), or allow_large=True (command line: --yes) to try anyway",
            estimate=in_flight * per_point,
        )


def _workers(spec: SweepSpec) -> int:
    """How many workers the chunks run on (for chunk sizes and estimates)."""
    if spec.backend == "numpy":
        return 1
    if spec.workers is not None:
        return int(spec.workers)
    return available_cores() if spec.backend == "processes" else 2


def default_chunk_size(n_points: int, workers: int, compiled: bool) -> int:
    """Points per chunk when the caller gives none: every worker gets at least
    :data:`CHUNKS_PER_WORKER` chunks where the points allow, within the path's bounds
    (:data:`CHUNK_COMPILED_MIN` .. :data:`CHUNK_COMPILED` compiled, 1 .. :data:`CHUNK_POINTWISE`
    per point)."""
    most, least = (CHUNK_COMPILED, CHUNK_COMPILED_MIN) if compiled else (CHUNK_POINTWISE, 1)
    share = math.ceil(max(1, n_points) / (CHUNKS_PER_WORKER * max(1, workers)))
    return max(1, min(most, max(least, share)))


def plan_chunks(
    spec: SweepSpec,
    design: Design,
    previous: Manifest | None = None,
    workers: int = 1,
    hint: int | None = None,
) -> ChunkPlan:
    """Cut the design into chunks (the caller's size, the folder's when resuming: its manifest's,
    or ``hint``, its chunks', else :func:`default_chunk_size`) and gather what a worker needs.

    Raises
    ------
    UnsupportedError
        ``path="compiled"`` for a model that does not compile.
    """
    n_points = design.n_points
    path, base_path, choice = _chosen_paths(spec, design)
    compiled = path != "pointwise" and (
        compiled_kernel(spec.model, spec.concept, spec.belief_policy, path) is not None
    )
    if spec.chunk_size is not None:
        size = int(spec.chunk_size)
    elif previous is not None and previous.chunk_size and previous.n_points == n_points:
        size = int(previous.chunk_size)  # resuming: the folder's chunks
    elif hint is not None and hint > 0:
        size = int(hint)  # resuming without a manifest: the chunks say their size
    else:
        size = default_chunk_size(n_points, workers, compiled)
    players, labels = pointwise.schema(spec.model)
    base_players, base_labels = pointwise.schema(spec.baseline) if spec.baseline is not None else ([], [])
    job = ChunkJob(
        spec.model,
        spec.baseline,
        spec.concept,
        spec.belief_policy,
        spec.selection,
        path,
        spec.on_error,
        spec.solve_options,
        (*column_order(design.names, players, labels), *getattr(spec.model, "measures", ())),
        tuple(players),
        tuple(labels),
        tuple(base_players),
        tuple(base_labels),
        base_path,
    )
    return ChunkPlan(job, size, n_points, ChunkBounds(n_points, size), compiled, choice)


def _chosen_paths(spec: SweepSpec, design: Design) -> tuple[str, str, dict[str, Any]]:
    """The model's and the baseline's paths (:func:`deterrence.sweeps._choice.choose_path`: under
    ``path="auto"``, per point where that is the cheaper) and the estimates behind them, by role
    (``"model"``, ``"baseline"``; JSON data, as the manifest's ``path_choice`` holds them)."""
    sample = design.points(0, min(SAMPLED_POINTS, design.n_points))
    choice: dict[str, Any] = {}
    paths = []
    for role, model in (("model", spec.model), ("baseline", spec.baseline)):
        if model is None:
            paths.append(spec.path)
            continue
        path, estimate = choose_path(model, spec.concept, spec.belief_policy, spec.path, sample,
                                     design.n_points, spec.solve_options)
        paths.append(path)
        if estimate is not None:
            choice[role] = {**estimate.to_json(), "text": estimate.text()}
    return paths[0], paths[1], choice


def start_manifest(
    spec: SweepSpec,
    design: Design,
    info: DesignInfo,
    plan: ChunkPlan,
    previous: Manifest | None,
    clock: _Clock,
) -> Manifest:
    """The manifest of a sweep about to run (status ``"running"``; a resumed sweep keeps its
    first start and the list of earlier runs)."""
    if isinstance(previous, SweepFolder):  # the signature of earlier versions
        previous = previous.previous
    identity = code_identity()
    run = RunRecord(uuid.uuid4().hex[:12], clock.iso, spec.backend, identity=identity)
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
        path_choice=dict(plan.path_choice) or None,
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
        identity=identity,
        command=tuple(sys.argv),
        started=(previous.started if previous is not None and previous.started else clock.iso),
        runs=(*(previous.runs if previous is not None else ()), run),
        status="running",
    )


def _resume(
    spec: SweepSpec, folder: SweepFolder | None, manifest: Manifest, plan: ChunkPlan, run: _RunState
) -> dict[int, ChunkRecord]:
    """The chunks already finished in the ``out=`` folder, checked: refuse a folder holding
    another sweep (by its manifest, or by its chunk files when the manifest is gone), and note
    the damaged or misplaced chunks, which are recomputed. Nothing is written here."""
    if folder is None or spec.overwrite:
        return {}
    folder.refuse_other_sweep(manifest)
    _say_how_the_last_run_ended(folder, run)
    _refuse_other_code(spec, folder, manifest, run)

    def bounds(c: int) -> tuple[int, int]:
        return plan.bounds[c][1:]

    # chunks written by earlier versions carry a fingerprint blind to the order of a grid's
    # parameters: trusted only when the folder's manifest (which keeps the order) agrees
    vouched = folder.previous is not None
    codes = None if spec.allow_other_version else manifest.identity
    fingerprints = manifest.reusable_fingerprints(vouched)
    check = folder.check_chunks(bounds, plan.n_chunks, fingerprints, vouched, codes)
    replace = "or replace them with overwrite=True (command line: --overwrite)"
    if check.other_code:
        theirs, files = next(iter(check.other_code.items()))
        where = f"chunk file(s) {', '.join(files[:3])}"
        _refuse_version(folder, json.loads(theirs), manifest.identity, where)
    if check.foreign:
        shown = ", ".join(check.foreign[:3]) + (", ..." if len(check.foreign) > 3 else "")
        raise SweepError(
            f"{folder.path}: chunks/ holds {len(check.foreign):,} chunk file(s) of a different sweep "
            f"({shown}); choose another out= folder, {replace}"
        )
    strangers = folder.foreign_files() if not check.kept else []
    if strangers:
        raise SweepError(
            f"{folder.path}: holds {', '.join(strangers)} but no sweep's manifest: files a sweep would "
            f"replace; choose an empty out= folder, {replace}"
        )
    for c, why in sorted(check.redo.items())[:5]:
        run.note(f"chunk {c} ({chunk_file(c)}) {why}: recomputing it")
    if len(check.redo) > 5:
        run.note(f"... and {len(check.redo) - 5:,} more damaged chunk files: recomputing them")
    run.reused_points = sum(r.stop - r.start for r in check.kept.values())
    return dict(check.kept)


def _say_how_the_last_run_ended(folder: SweepFolder, run: _RunState) -> None:
    """Note, when resuming a sweep that did not finish, how its last run ended (interrupted,
    failed at an error, or stopped without a word: killed) and how many chunks it left."""
    previous = folder.previous
    if previous is None or previous.status in ("complete", ""):
        return
    last = previous.runs[-1] if previous.runs else None
    how = {
        "interrupted": "was interrupted",
        "failed": f"stopped at an error ({last.stopped if last and last.stopped else 'unrecorded'})",
    }.get(previous.status, "stopped without recording why (killed?)")
    when = f" at {last.finished}" if last is not None and last.finished else ""
    run.note(
        f"resuming the sweep in {folder.path}: its last run {how}{when}, with {len(previous.done):,} of "
        f"{previous.n_chunks:,} chunks finished"
    )


def _refuse_other_code(spec: SweepSpec, folder: SweepFolder, manifest: Manifest, run: _RunState) -> None:
    """Refuse to resume a folder whose chunks another version of the package (or other sources
    of the same version number) computed, unless ``allow_other_version``; then note the mix.
    A manifest of an earlier version records no identity: its folder resumes as it did, with a
    note if its ``versions`` name another version of the package."""
    previous = folder.previous
    if previous is None or not previous.done:
        return
    theirs, ours = previous.identity, manifest.identity or {}
    if theirs is None:
        old = previous.versions.get("deterrence")
        if old is not None and old != ours.get("deterrence"):
            run.note(f"the folder's chunks were computed by deterrence {old} (recorded before sweeps checked "
                     f"versions), this is {describe_identity(ours)}: resuming them as earlier versions did")
        return
    if dict(theirs) == dict(ours):
        return
    if not spec.allow_other_version:
        _refuse_version(folder, theirs, ours, "its manifest")
    run.note(f"resuming chunks computed by {describe_identity(theirs)} with {describe_identity(ours)} "
             "(allow_other_version): the table mixes the answers of both")


def _refuse_version(
    folder: SweepFolder, theirs: Mapping[str, str], ours: Mapping[str, str] | None, where: str
) -> None:
    """Raise the :class:`SweepVersionError` of a folder computed by other code."""
    same_number = theirs.get("deterrence") == (ours or {}).get("deterrence")
    edited = " (the same version number with other sources: a source checkout edited since)"
    edited = edited if same_number else ""
    raise SweepVersionError(
        f"{folder.path}: its chunks were computed by {describe_identity(theirs)} ({where}), this is "
        f"{describe_identity(ours)}{edited}: resuming would mix the answers of two versions in one table. "
        "Rerun the sweep into another out= folder, replace this one with overwrite=True (command line: "
        "--overwrite), or resume it anyway with allow_other_version=True (--allow-other-version)",
        folder=str(folder.path),
        theirs=dict(theirs),
        ours=dict(ours or {}),
    )


#: said when measuring the cost takes long (a machine's first run compiles the kernels then)
MEASURING = ("measuring the sweep's cost on a few points first (a machine's first run also compiles "
             "the kernels, once: later runs reuse them) ...")


def _estimate(
    spec: SweepSpec,
    plan: ChunkPlan,
    design: Design,
    done: Mapping[int, ChunkRecord],
    workers: int,
    run: _RunState,
) -> None:
    """Measure and say the cost of the points left, and refuse it beyond a day or the free disk
    (unless ``allow_large``). Small sweeps are not measured, nor compiled sweeps held in memory
    (at most ``max_points``: minutes, and no disk)."""
    points = plan.n_points - run.reused_points
    if not worth_measuring(points, plan.compiled) or (plan.compiled and spec.out is None):
        return
    with say_if_slow(run.say, MEASURING):
        estimate = measure(
            lambda pts: evaluate_chunk(plan.job, pts),
            design,
            points,
            plan.n_chunks - len(done),
            workers,
            plan.compiled,
            spec.out,
            plan.n_points <= spec.max_points,
        )
    refuse_beyond(estimate, spec.allow_large)
    run.note(estimate.text())


def _start_writing(
    spec: SweepSpec, folder: SweepFolder, manifest: Manifest, done: Mapping[int, ChunkRecord]
) -> None:
    """Clear the folder (``overwrite``), make ``chunks/`` and write the running manifest."""
    try:
        if spec.overwrite:
            folder.clear()
        folder.chunks.mkdir(exist_ok=True)
        folder.write_manifest(manifest.replace(chunks=chunk_records(list(done.values()))))
    except OSError as exc:
        raise SweepError(f"{folder.path}: cannot write the sweep there ({exc.strerror or exc})") from None


def _run(
    spec: SweepSpec,
    plan: ChunkPlan,
    design: Design,
    folder: SweepFolder | None,
    manifest: Manifest,
    done: dict[int, ChunkRecord],
    workers: int,
    run: _RunState,
) -> dict[int, pd.DataFrame]:
    """Evaluate the chunks not yet done on the spec's backend. Each finished chunk is written to
    the folder (``done`` gains its record, the manifest is updated), or kept in memory.
    Returns the chunks kept in memory."""
    todo = _Todo(plan.bounds, done)
    kept: dict[int, pd.DataFrame] = {}
    writer = _ChunkWriter(folder, manifest, done, manifest.runs[-1].id) if folder is not None else None
    bar = _progress(plan.n_points, run.reused_points, spec.progress)
    pool = max(1, min(workers, len(todo)))  # never more worker processes than chunks
    try:
        for chunk, table in run_chunks(plan.job, todo, design, spec.backend, pool, spec.scheduler):
            _c, start, stop = plan.bounds[chunk]
            if writer is None:
                kept[chunk] = table
            else:
                writer.write(chunk, start, stop, table)
            run.computed_chunks += 1
            run.computed_points += stop - start
            run.pointwise_points += _pointwise_points(table)
            bar.update(stop - start)
    except DeterrenceError as exc:
        _say_how_to_go_on(exc, spec)
        raise
    finally:
        bar.close()
        if writer is not None:
            writer.flush()
    return kept


def _say_how_to_go_on(exc: DeterrenceError, spec: SweepSpec) -> None:
    """A point whose solve failed stops a sweep with ``on_error="raise"``: the error names the
    point; with ``out=`` a note adds that a rerun recording errors resumes the folder."""
    at_point = any(str(note).startswith("at sweep point") for note in getattr(exc, "__notes__", ()))
    if at_point and spec.on_error == "raise" and spec.out is not None:
        exc.add_note(
            f"the finished chunks are kept in {spec.out}; rerun with on_error='record' (command line: "
            "--on-error record) to give this point a row with regime 'error' and go on"
        )


class _Todo(Sequence[tuple[int, int, int]]):
    """The chunks not yet done, in order, computed when iterated."""

    def __init__(self, bounds: Sequence[tuple[int, int, int]], done: Mapping[int, Any]) -> None:
        self.bounds, self.done = bounds, set(done)
        self._len = len(bounds) - sum(1 for c in self.done if 0 <= c < len(bounds))

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[tuple[int, int, int]]:
        return (self.bounds[c] for c in range(len(self.bounds)) if c not in self.done)

    def __getitem__(self, k: Any) -> Any:
        return list(self)[k]


def _pointwise_points(table: pd.DataFrame) -> int:
    if not len(table):
        return 0
    return int(table.loc[table["path"] == "pointwise", "point"].nunique())


class _ChunkWriter:
    """Writes finished chunks and keeps the manifest's list up to date (every chunk while there
    are few, at most once a second when there are many)."""

    def __init__(
        self, folder: SweepFolder, manifest: Manifest, done: dict[int, ChunkRecord], run_id: str
    ) -> None:
        self.folder, self.manifest, self.done, self.run_id = folder, manifest, done, run_id
        self.fingerprint = manifest.fingerprint()
        seed = manifest.design.seed if manifest.design is not None else None
        self.extra = {
            "chunk_size": manifest.chunk_size,
            **({"seed": int(seed)} if seed is not None else {}),
            **({"code": dict(manifest.identity)} if manifest.identity else {}),
        }
        self.last = time.monotonic()
        self.stale = False

    def write(self, chunk: int, start: int, stop: int, table: pd.DataFrame) -> None:
        record = ChunkRecord(chunk, start, stop, len(table), chunk_file(chunk), self.run_id, now())
        try:
            self.folder.write_chunk(record, self.fingerprint, table, self.extra)
        except OSError as exc:
            raise SweepError(
                f"{self.folder.path}: cannot write chunk {chunk} ({exc.strerror or exc}); "
                "the finished chunks "
                "are kept: rerun the same sweep to resume"
            ) from None
        self.done[chunk] = record
        self.stale = True
        if len(self.done) <= MANIFEST_EVERY_CHUNK or time.monotonic() - self.last >= 1.0:
            self.flush()

    def flush(self) -> None:
        if not self.stale:
            return
        try:
            self.folder.write_manifest(self.manifest.replace(chunks=chunk_records(list(self.done.values()))))
        except OSError as exc:
            raise SweepError(
                f"{self.folder.path}: cannot write manifest.json ({exc.strerror or exc})"
            ) from None
        self.last, self.stale = time.monotonic(), False


def _assemble(
    spec: SweepSpec,
    plan: ChunkPlan,
    folder: SweepFolder | None,
    manifest: Manifest,
    kept: dict[int, pd.DataFrame],
    done: dict[int, ChunkRecord],
    run: _RunState,
    clock: _Clock,
) -> SweepResult:
    """The result: the table in memory (no folder), or written to the folder's table files from
    the chunks, a chunk at a time (or left in the chunks when it is too large); and the finished
    manifest, saved to the folder."""
    table = None
    if folder is None:
        frames = [kept[c] for c in sorted(kept)]
        table = (
            coerce(pd.concat(frames, ignore_index=True))
            if frames
            else pd.DataFrame(columns=list(plan.job.columns))
        )
        counts = table.drop_duplicates("point")["path"].value_counts() if len(table) else pd.Series(dtype=int)
        paths, rows = {str(k): int(v) for k, v in counts.items()}, len(table)
        records = tuple(ChunkRecord(c, start, stop, rows=len(kept[c])) for c, start, stop in plan.bounds)
        chunks = Chunks(tuple(sorted(kept)), records)
    else:
        paths, rows, extra = folder.tally(done)
        chunks = chunk_records(list(done.values()))
    finished, elapsed = now(), round(time.time() - clock.seconds, 3)
    record = replace(
        manifest.runs[-1],
        finished=finished,
        computed_chunks=run.computed_chunks,
        elapsed_seconds=elapsed,
        computed_points=run.computed_points,
        reused_points=run.reused_points,
        pointwise_points=run.pointwise_points,
        notes=tuple(run.notes),
    )
    manifest = manifest.replace(
        paths=paths,
        n_rows=rows,
        finished=finished,
        elapsed_seconds=elapsed,
        runs=(*manifest.runs[:-1], record),
        status="complete",
        chunks=chunks,
    )
    if folder is not None:
        try:
            if not spec.table_files:
                folder.remove_tables()  # any there describe an earlier run; the chunks hold this one
            elif plan.n_points <= spec.max_points:
                with say_if_slow(run.say, writing_tables(rows)):
                    folder.write_tables(done, [*plan.job.columns, *extra])
            folder.write_manifest(manifest)
        except OSError as exc:
            raise SweepError(f"{folder.path}: cannot write the table files ({exc.strerror or exc})") from None
    return SweepResult(table, manifest, None if folder is None else folder.path)


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
    return _quiet_bar_class(tqdm)(total=total, initial=initial, unit="pt", unit_scale=True, desc="sweep",
                                  smoothing=0.1)


@functools.cache
def _quiet_bar_class(tqdm: type) -> type:
    """``tqdm`` without its monitor thread (``monitor_interval = 0``; the bar is updated per finished
    chunk, so the monitor has nothing to do). The ``"processes"`` backend forks its workers while
    the bar runs (on Linux before Python 3.14), and forking a process that runs another thread can
    leave the child a lock held by a thread it does not have."""
    return type("SweepBar", (tqdm,), {"monitor_interval": 0})


__all__ = [
    "BYTES_PER_ROW",
    "CHUNKS_PER_WORKER",
    "CHUNK_COMPILED",
    "CHUNK_COMPILED_MIN",
    "CHUNK_POINTWISE",
    "ChunkBounds",
    "ChunkPlan",
    "default_chunk_size",
    "plan_chunks",
    "start_manifest",
    "sweep",
]
