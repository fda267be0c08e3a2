"""The first stage of a sweep: its arguments checked into a typed, frozen :class:`SweepSpec`.

:func:`check_spec` resolves the model (a catalogue name or path, or a ``Model``), checks every
choice (backend, path, selection rule, concept, belief policy, ``on_error``), every count
(``workers``, ``chunk_size``, the seed), the ``out=`` folder's path and the solver options, and
names the culprit in a ``SweepError`` when one is wrong; ``workers`` beyond the cores here is
capped at them (said in ``notes``) unless the caller insists. The design's own arguments
(``grid``, ``samples``, ``fixed``, ``vary``, ``bounds``) are checked when the design is built
(:func:`deterrence.sweeps.build_design`), because a resumed sample takes its seed from the folder.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError, SweepError
from ._pointwise import ON_ERROR
from ._storage import check_out
from ._tidy import SELECTIONS

BACKENDS = ("numpy", "processes", "dask")
PATHS = ("auto", "compiled", "pointwise")

#: sweeps with more points than this must write their chunks to disk (``out=``)
MAX_POINTS_IN_MEMORY = 10**7


@dataclass(frozen=True)
class SweepSpec:
    """A sweep's arguments, checked (see :func:`deterrence.sweep` for their meaning).

    ``model`` is the resolved model and ``baseline`` its no-pledge baseline (``None`` if it
    declares none); ``concept`` is the concept asked for or the model's; ``out`` is a ``Path``
    or ``None``. The design's arguments (``grid``,
    ``samples``, ``method``, ``vary``, ``bounds``, ``fixed``) are kept as given.
    """

    model: Any
    baseline: Any
    concept: str
    belief_policy: str = "free"
    selection: str = "pessimistic"
    path: str = "auto"
    backend: str = "numpy"
    scheduler: Any = None
    workers: int | None = None
    chunk_size: int | None = None
    out: Path | None = None
    rng: int | None = None
    progress: bool = True
    on_error: str = "raise"
    max_points: int = MAX_POINTS_IN_MEMORY
    solve_options: Mapping[str, Any] = field(default_factory=dict)
    grid: Mapping[str, Any] | None = None
    samples: int | None = None
    method: str = "sobol"
    vary: Sequence[str] | None = None
    bounds: Mapping[str, Sequence[float]] | None = None
    fixed: Mapping[str, float] | None = None
    overwrite: bool = False
    allow_large: bool = False
    allow_other_version: bool = False
    table_files: bool = True
    log: Callable[[str], Any] | None = None
    notes: tuple[str, ...] = ()


def check_spec(model: Any, **arguments: Any) -> SweepSpec:
    """The arguments of :func:`deterrence.sweep` checked into a :class:`SweepSpec`.

    Parameters
    ----------
    model
        A catalogue name, a model file path or a ``Model``.
    **arguments
        The other arguments of :func:`deterrence.sweep`, by name.

    Raises
    ------
    SweepError
        Naming the culprit: a model that is none, an unknown backend, path, selection rule,
        ``on_error``, concept or belief policy, ``scheduler=`` without Dask or not a scheduler
        address, a ``workers``, ``chunk_size``, ``max_points`` or seed that is not a positive
        (non-negative) integer, an empty ``out=`` or one below a file, options of samples
        (``vary``, ``bounds``, ``rng``, a ``method``) given with a grid.
    """
    a = dict(arguments)
    for flag in ("overwrite", "allow_large", "allow_other_version", "progress", "table_files"):
        if not isinstance(a.get(flag, False), (bool, np.bool_)):
            raise SweepError(f"{flag} must be True or False, got {a[flag]!r}")
    if a.get("log") is not None and not callable(a["log"]):
        raise SweepError(f"log must be a function of one message (or None), got {type(a['log']).__name__}")
    model = _resolve_model(model)
    _check_choice("backend", a["backend"], BACKENDS, "backends")
    _check_choice("path", a["path"], PATHS, "paths")
    _check_choice("selection rule", a["selection"], SELECTIONS, "rules")
    _check_scheduler(a["scheduler"], a["backend"])
    _check_count("workers", a["workers"], "a positive integer", 1)
    _check_count("chunk_size", a["chunk_size"], "a positive integer", 1)
    _check_count("max_points", a["max_points"], "a positive integer", 1)
    if a["on_error"] not in ON_ERROR:
        raise SweepError(f"unknown on_error '{a['on_error']}'; choose one of {', '.join(ON_ERROR)}")
    _check_count("rng", a["rng"], "a non-negative integer seed", 0)
    _refuse_sample_options(a)
    concept = a["concept"] or _default_concept(model)
    _check_concept(concept, a["belief_policy"])
    options = _check_solve_options(concept, a["belief_policy"], a["solve_options"])
    a["path"], path_notes = _path_for_options(a["path"], options)
    out = check_out(a["out"]) if a["out"] is not None else None
    workers, notes = _cap_workers(a["workers"], a["backend"], a["scheduler"], bool(a.get("allow_large")))
    notes = (*path_notes, *notes)
    rest = {k: v for k, v in a.items() if k not in ("concept", "solve_options", "out", "workers")}
    return SweepSpec(
        model=model,
        baseline=baseline_of(model),
        concept=concept,
        out=out,
        solve_options=options,
        workers=workers,
        notes=notes,
        **rest,
    )


def _refuse_sample_options(a: Mapping[str, Any]) -> None:
    """Options of samples given to a grid (``grid=`` without ``samples=``) would be ignored:
    refuse them, naming them (``method`` counts when it is not the default ``"sobol"``)."""
    if a.get("grid") is None or a.get("samples") is not None:
        return
    given = [k for k in ("vary", "bounds", "rng") if a.get(k) is not None]
    if a.get("method", "sobol") != "sobol":
        given.append("method")
    if given:
        raise SweepError(
            f"{', '.join(given)} only {'apply' if len(given) > 1 else 'applies'} to samples (samples=N); "
            "a grid sweeps the values grid= lists"
        )


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _cap_workers(
    workers: Any, backend: str, scheduler: Any, insist: bool
) -> tuple[int | None, tuple[str, ...]]:
    """``workers`` capped at the cores here (local processes only), unless the caller insists."""
    cores = available_cores()
    local = backend == "processes" or (backend == "dask" and scheduler is None)
    if workers is None or not local or workers <= cores or insist:
        return workers, ()
    note = (
        f"workers={workers} is more than the {cores} cores here: using {cores} "
        "(allow_large=True, command line --yes, starts them all)"
    )
    return cores, (note,)


_ADDRESS = re.compile(
    r"^(?:[A-Za-z][A-Za-z0-9+.-]*://\S+|(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(?::\d{1,5})?/?)$"
)  # scheme://anything without spaces (tcp, tls, ws, inproc, ucx ...), or host[:port]


def _check_scheduler(scheduler: Any, backend: str) -> None:
    """``None``, a Dask ``Client``, or an address such as ``tcp://10.0.0.5:8786`` (for ``"dask"``)."""
    if scheduler is None:
        return
    if backend != "dask":
        raise SweepError(f"scheduler= is for backend='dask', not backend='{backend}'")
    if isinstance(scheduler, str):
        if not _ADDRESS.match(scheduler.strip()):
            raise SweepError(
                f"scheduler={scheduler!r} is not a Dask scheduler address (such as tcp://10.0.0.5:8786)"
            )
        return
    if not (hasattr(scheduler, "submit") and hasattr(scheduler, "scheduler_info")):
        raise SweepError(
            "scheduler= must be a Dask scheduler address or a distributed.Client, "
            f"not {type(scheduler).__name__}"
        )


def _resolve_model(model: Any) -> Any:
    if isinstance(model, (str, os.PathLike)):
        from ..catalogue import load_model

        return load_model(model)
    if not hasattr(model, "parameters") or not hasattr(model, "game"):
        raise SweepError(f"sweep() needs a model name or a Model, not {type(model).__name__}")
    return model


def _check_choice(what: str, value: Any, choices: Sequence[str] | Mapping[str, Any], plural: str) -> None:
    if value not in choices:
        raise SweepError(f"unknown {what} '{value}'; {plural} are {', '.join(choices)}")


def _check_count(name: str, value: Any, what: str, least: int) -> None:
    """``None``, or an integer (not a bool) of at least ``least``."""
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least
    ):
        raise SweepError(f"{name} must be {what}, got {value!r}")


def _default_concept(model: Any) -> str:
    for attr in ("concept", "default_concept"):
        c = getattr(model, attr, None)
        if isinstance(c, str) and c:
            return c
    from ..equilibrium import default_concept

    return default_concept(tuple(getattr(model, "concepts", None) or ()))


def _check_concept(concept: str, belief_policy: str) -> None:
    from ..solvers.base import BELIEF_POLICIES, CONCEPTS

    if concept not in CONCEPTS:
        raise SweepError(f"unknown concept '{concept}'; concepts are {', '.join(CONCEPTS)}")
    if belief_policy not in BELIEF_POLICIES:
        raise SweepError(
            f"unknown belief policy '{belief_policy}'; policies are {', '.join(BELIEF_POLICIES)}"
        )


def _check_solve_options(
    concept: str, belief_policy: str, options: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The options for the per-point solves, checked before any point is computed.

    The one place a sweep validates ``solve_options``: an unknown or misspelt option, or a value of
    the wrong type, raises :class:`~deterrence.OptionError` here (with the valid options named),
    not at the first point solved one by one. The options are returned as given (the per-point
    path passes them to :func:`deterrence.solve` with the belief policy).
    """
    given = dict(options or {})
    if "belief_policy" in given:
        raise SweepError("give the belief policy as sweep(..., belief_policy=...), not in solve_options")
    if not given:  # the concept and the belief policy are checked: nothing more to check (and no
        return given  # solver module to import, for a compiled sweep that may solve no point alone)
    from ..solvers import belief_options, check_options

    check_options(concept, {**belief_options(concept, belief_policy), **given}, method="auto", game=None)
    return given


def _path_for_options(path: str, options: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    """The path that honours ``solve_options``, and a note if it is not the one asked for.

    The compiled kernels decide a point without :func:`deterrence.solve` and take none of its
    options: with ``path="auto"`` a point they decide would silently ignore e.g. ``mixed=False``
    or ``tol``. So any option makes ``"auto"`` solve every point one by one (``"pointwise"``),
    and makes ``"compiled"`` an error.

    Raises
    ------
    SweepError
        ``path="compiled"`` with solve options.
    """
    if not options or path == "pointwise":
        return path, ()
    names = ", ".join(sorted(options))
    if path == "compiled":
        raise SweepError(
            f"solve_options ({names}) are options of deterrence.solve, which only the per-point path "
            "runs: the compiled path would ignore them; use path='pointwise' (or 'auto') or drop them"
        )
    return "pointwise", (
        f"solve_options ({names}) apply on the per-point path only: every point is solved one by one "
        "(path='pointwise'), not by the compiled kernel",
    )


def baseline_of(model: Any) -> Any:
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
