"""A sweep's choice of path under ``path="auto"``: the compiled kernel where it is the cheaper.

:func:`choose_path` measures what is cheap to know (the per-point solver on a few of the sweep's
own points; once the model is compiled, its kernel on the compile's probe points) and lets
:func:`deterrence.kernels._cost.compiled_pays` decide whether compiling and running the kernel (the
points it leaves undecided solved per point after it) costs less than solving every point per
point. A model is first judged by the best case for its kernel against the compile's estimated
cost (:func:`deterrence.kernels._cost.compile_seconds_estimate`), whether or not this process
has compiled it already (so that the choice does not depend on what the process did before): a
sweep too small to repay the compile is solved per point (and nothing is compiled for it). The
per-point solver's time is measured once per model content, options and timed points in a process
(:data:`_TIMINGS`; the kernel's once per kernel): a sweep repeated in a process, or resumed in it,
chooses as it did the first time, where a second measurement near the line could have chosen the
other path and changed the table's ``path`` column. The
rows are the same either way (the choice changes speed only); the sweep records the choice and its numbers
(``Manifest.path_choice``, and a note of the run). ``path="compiled"`` and ``path="pointwise"``
are obeyed as asked.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UnsupportedError
from . import _pointwise as pointwise
from ._backends import _distinct, compiled_kernel
from ._design import orderings_hold

#: the sweep's points the per-point solver is timed on (together, after one solved alone that pays
#: the first call's one-time work), among the first :data:`SAMPLED_POINTS`
TIMED_POINTS = 8
SAMPLED_POINTS = 20
#: CPU seconds of the point solved alone above which it is the estimate: the per-call overhead the
#: chunk is timed to spread is then a small part, and a slow solver is not run on more points
ALONE_ENOUGH_S = 0.2
#: the per-point solver's measured CPU seconds per point, by model content, concept, policy,
#: options and timed points (at most :data:`MAX_TIMINGS`, then cleared)
_TIMINGS: dict[tuple[Any, ...], float | None] = {}
MAX_TIMINGS = 256


def choose_path(
    model: Any,
    concept: str,
    belief_policy: str,
    path: str,
    points: pd.DataFrame,
    n_points: int,
    solve_options: Mapping[str, Any] | None = None,
) -> tuple[str, Any]:
    """The path the chunks of ``model`` run on, and the estimate behind it (``None`` if none was made).

    Parameters
    ----------
    model
        The swept model (or its baseline).
    concept, belief_policy, path
        As given to the sweep.
    points
        A few of the sweep's points (``point`` and parameter columns): the per-point solver is
        timed on them.
    n_points
        Points of the sweep.
    solve_options
        The per-point solves' options (a sweep with any runs per point already).

    Returns
    -------
    path, estimate
        ``"pointwise"`` when solving per point is the cheaper, else ``path`` unchanged; the
        :class:`~deterrence.kernels._cost.PathEstimate` (``None`` when no estimate was made: a path
        asked for, a model bringing its own kernel, or one that does not compile).
    """
    if path != "auto" or callable(getattr(model, "compiled_kernel", None)):
        return path, None
    try:
        from ..kernels import _compiled
        from ..kernels._cost import PathEstimate, compile_seconds_estimate
    except ImportError:  # a build without kernels
        return path, None
    target = _distinct(model)
    try:
        with np.errstate(all="ignore"):
            counts, digest = _compiled.counts_and_digest(target, concept, belief_policy)
    except UnsupportedError:
        return path, None  # not compiled: compiled_kernel says so (cached refusal), per point
    per_point = _timed_once(digest, model, concept, belief_policy, points, solve_options or {})
    if per_point is None:
        return path, None  # nothing to time the solver on: the kernel, as without an estimate
    # judged with the compile's cost even where this process holds the kernel already, so that
    # the choice (and the table's path column) does not depend on what the process did before
    before = PathEstimate(n_points, per_point, 0.0, 0.0, compile_seconds_estimate(*counts),
                          "before compiling")
    if not before.compiled:
        return "pointwise", before
    kernel = compiled_kernel(model, concept, belief_policy, path)
    if kernel is None or not hasattr(kernel, "probe_cost"):
        return path, None
    with np.errstate(all="ignore"):
        seconds, share = kernel.probe_cost()
    after = PathEstimate(n_points, per_point, seconds, share, 0.0, "compiled")
    return (path if after.compiled else "pointwise"), after


def _timed_once(digest: str, model: Any, concept: str, belief_policy: str, points: pd.DataFrame,
                solve_options: Mapping[str, Any]) -> float | None:
    """:func:`_pointwise_seconds`, measured once per ``digest`` (the model's content), concept,
    policy, options and points in this process (:data:`_TIMINGS`)."""
    key = (digest, concept, belief_policy, repr(sorted(solve_options.items(), key=lambda kv: kv[0])),
           tuple(points.columns), pd.util.hash_pandas_object(points, index=False).to_numpy().tobytes())
    if key not in _TIMINGS:
        if len(_TIMINGS) >= MAX_TIMINGS:
            _TIMINGS.clear()
        _TIMINGS[key] = _pointwise_seconds(model, concept, belief_policy, points, solve_options)
    return _TIMINGS[key]


def _pointwise_seconds(model: Any, concept: str, belief_policy: str, points: pd.DataFrame,
                       solve_options: Mapping[str, Any]) -> float | None:
    """CPU seconds per point of the per-point solver on :data:`TIMED_POINTS` of ``points`` where
    the model's orderings hold (a point that violates one is refused at once on either path),
    solved together as a chunk is, after one more solved alone (the first call's one-time work,
    not counted), or that one alone where it took :data:`ALONE_ENOUGH_S` or more (a slow solver
    is not run on more points only to choose a path); ``None`` if there are none. Errors are
    recorded, not raised: a failing point costs its time too."""
    params = [c for c in points.columns if c != "point" and c in model.parameters]
    pts = points[["point", *params]]
    full = pts.copy()
    for name, par in model.parameters.items():
        if name not in full.columns:
            full[name] = float(par.default)
    pts = pts[orderings_hold(model, full)].iloc[: TIMED_POINTS + 1]
    if not len(pts):
        return None
    players, labels = pointwise.schema(model)

    def solved(chunk: pd.DataFrame) -> float:
        start = time.process_time()
        pointwise.evaluate_points(model, chunk, concept, belief_policy, on_error="record",
                                  players=players, labels=labels, **solve_options)
        return time.process_time() - start

    first = solved(pts.iloc[:1])
    if len(pts) == 1 or first >= ALONE_ENOUGH_S:
        return first
    return solved(pts.iloc[1:]) / (len(pts) - 1)
