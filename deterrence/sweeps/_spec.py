"""The first stage of a sweep: its arguments checked into a typed, frozen :class:`SweepSpec`.

:func:`check_spec` resolves the model (a catalogue name or path, or a ``Model``), checks every
choice (backend, path, selection rule, concept, belief policy, ``on_error``), every count
(``workers``, ``chunk_size``, the seed) and the solver options, and names the culprit in a
``SweepError`` when one is wrong. The design's own arguments (``grid``, ``samples``, ``fixed``,
``vary``, ``bounds``) are checked when the design is built (:func:`deterrence.sweeps.build_design`),
because a resumed sample takes its seed from the folder.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError, SweepError
from ._pointwise import ON_ERROR
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
        ``on_error``, concept or belief policy, ``scheduler=`` without Dask, a ``workers``,
        ``chunk_size`` or seed that is not a positive (non-negative) integer.
    """
    model = _resolve_model(model)
    a = arguments
    _check_choice("backend", a["backend"], BACKENDS, "backends")
    _check_choice("path", a["path"], PATHS, "paths")
    _check_choice("selection rule", a["selection"], SELECTIONS, "rules")
    if a["scheduler"] is not None and a["backend"] != "dask":
        raise SweepError(f"scheduler= is for backend='dask', not backend='{a['backend']}'")
    _check_count("workers", a["workers"], "a positive integer", 1)
    _check_count("chunk_size", a["chunk_size"], "a positive integer", 1)
    if a["on_error"] not in ON_ERROR:
        raise SweepError(f"unknown on_error '{a['on_error']}'; choose one of {', '.join(ON_ERROR)}")
    _check_count("rng", a["rng"], "a non-negative integer seed", 0)
    concept = a["concept"] or _default_concept(model)
    _check_concept(concept, a["belief_policy"])
    options = _check_solve_options(concept, a["belief_policy"], a["solve_options"])
    out = Path(a["out"]) if a["out"] is not None else None
    rest = {k: v for k, v in a.items() if k not in ("concept", "solve_options", "out")}
    return SweepSpec(
        model=model, baseline=_baseline(model), concept=concept, out=out, solve_options=options, **rest
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
    concepts = tuple(getattr(model, "concepts", None) or ())
    # prefer the richest concept the model declares: PBE handles incomplete information
    for preferred in ("pbe", "spe", "nash", "qre"):
        if preferred in concepts:
            return preferred
    return "pbe"


def _check_concept(concept: str, belief_policy: str) -> None:
    from ..solvers.base import BELIEF_POLICIES, CONCEPTS

    if concept not in CONCEPTS:
        raise SweepError(f"unknown concept '{concept}'; concepts are {', '.join(CONCEPTS)}")
    if belief_policy not in BELIEF_POLICIES:
        raise SweepError(
            f"unknown belief policy '{belief_policy}'; policies are {', '.join(BELIEF_POLICIES)}"
        )


def _check_solve_options(concept: str, belief_policy: str, options: Mapping[str, Any] | None
                         ) -> dict[str, Any]:
    """The options for the per-point solves, checked before any point is computed.

    The one place a sweep validates ``solve_options``: an unknown or misspelt option, or a value of
    the wrong type, raises :class:`~deterrence.OptionError` here (with the valid options named),
    not at the first point solved one by one. The options are returned as given (the per-point
    path passes them to :func:`deterrence.solve` with the belief policy).
    """
    from ..solvers import belief_options, check_options

    given = dict(options or {})
    if "belief_policy" in given:
        raise SweepError("give the belief policy as sweep(..., belief_policy=...), not in solve_options")
    check_options(concept, {**belief_options(concept, belief_policy), **given}, method="auto", game=None)
    return given


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
