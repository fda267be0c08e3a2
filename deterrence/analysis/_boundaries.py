"""Numeric regime boundaries, for models whose regimes have no closed form here.

:func:`deterrence.threshold` solves the exact regime conditions of a compiled model for one
parameter. Some models do not compile (too many candidate equilibrium structures, or a belief
policy the kernels do not serve); for them :func:`numeric_threshold` finds where the set of
equilibrium regimes changes along one parameter with the per-point solver: it scans a grid of
the parameter, then bisects every interval whose two ends have different regime sets, down to
a tolerance. Every equilibrium behind a regime set is certified by :func:`deterrence.solve`.

A scan can miss a regime that lives only between two grid points (a change and its reversal
inside one interval); a finer grid narrows that risk. The result says it is numeric.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import ParameterError, ResourceError
from ..outcomes import regime_label


def regime_set(model: Any, values: Mapping[str, Any], concept: str, belief_policy: str,
               solve_options: Mapping[str, Any] | None = None) -> frozenset[str]:
    """The regimes (labels of :func:`deterrence.outcomes.regime_label`) of all equilibria found
    at one parameter point."""
    from .._solve import solve

    game = model.game(**values)
    kwargs: dict[str, Any] = dict(solve_options or {})
    if concept == "pbe":
        kwargs["belief_policy"] = belief_policy
    eqs = solve(game, concept, **kwargs)
    return frozenset(regime_label(e.outcomes, e.is_pure()) for e in eqs)


#: the most scan points numeric_threshold solves (each is a game solved one by one)
MAX_SCAN_POINTS = 100_000


def _finite_range(model: Any, parameter: str, lo: float | None, hi: float | None) -> tuple[float, float]:
    """The scan interval: ``lo``/``hi`` or the domain's ends. Both ends must be finite and lie in
    the closure of the domain (:meth:`Parameter.contains` with ``closed=True``: the scan steps
    inside an open end)."""
    p = model.parameters[parameter]
    dlo, dhi = (float(x) for x in p.domain)
    a = dlo if lo is None else float(lo)
    b = dhi if hi is None else float(hi)
    if not (math.isfinite(a) and math.isfinite(b)):
        raise ParameterError(
            f"parameter '{parameter}' has the unbounded domain {p.domain_text}: give lo= and hi= "
            "to scan a finite interval",
            name=parameter,
        )
    if not a < b:
        raise ParameterError(f"empty scan interval [{a}, {b}] for '{parameter}'", name=parameter)
    if not all(p.contains([a, b], closed=True)):
        raise ParameterError(
            f"scan interval [{a}, {b}] leaves the domain {p.domain_text} of '{parameter}'", name=parameter
        )
    return a, b


def numeric_threshold(
    model: Any,
    parameter: str,
    /,
    concept: str | None = None,
    belief_policy: str = "free",
    *,
    lo: float | None = None,
    hi: float | None = None,
    grid: int = 17,
    tol: float = 1e-6,
    solve_options: Mapping[str, Any] | None = None,
    progress: Callable[[float, frozenset[str]], None] | None = None,
    **fixed: Any,
) -> list[dict[str, Any]]:
    """Values of one parameter at which the set of equilibrium regimes changes, found numerically.

    Parameters
    ----------
    model
        A :class:`~deterrence.Model` or a catalogue name.
    parameter
        The parameter to scan; the others take ``fixed`` values or their defaults.
    concept, belief_policy
        Solution concept (default: the model's ``default_concept``) and PBE belief policy.
    lo, hi
        The scanned interval (default: the parameter's domain, which must then be finite).
        Grid points where the model's orderings fail are skipped.
    grid
        Number of evenly spaced scan points (at least 3; both ends are moved inside by
        ``tol``, so an open domain and a knife edge at its end are avoided).
    tol
        Width of the final bracket around each boundary.
    solve_options
        Extra options for :func:`deterrence.solve` (e.g. ``{"max_mixed_sets": 2}``).
    progress
        Called with each evaluated value and its regime set (for logging).

    Returns
    -------
    list of dict
        ``{"parameter", "value": None, "numeric", "bracket": (a, b), "below", "above",
        "exact": False}``, sorted by value: ``numeric`` is the bracket's midpoint, ``below`` and
        ``above`` the regime sets at its ends.

    Raises
    ------
    ParameterError
        If the parameter is unknown, the interval unbounded or outside the domain, or
        ``grid``/``tol`` unusable.
    ResourceError
        More than :data:`MAX_SCAN_POINTS` scan points.
    """
    from ..catalogue import load_model

    m = load_model(model) if isinstance(model, str) else model
    _check_scan(m, parameter, grid, tol)
    concept = concept or m.default_concept
    a, b = _finite_range(m, parameter, lo, hi)
    if not tol < (b - a) / 2:
        raise ParameterError(
            f"tol={tol:g} is not below half the scan interval [{a:g}, {b:g}] of '{parameter}'",
            name="tol",
            value=tol,
        )
    a, b = a + tol, b - tol
    base = {n: p.default for n, p in m.parameters.items() if n != parameter}
    base.update(fixed)
    scan = _Scan(m, parameter, base, concept, belief_policy, solve_options, progress)
    xs = (a + (b - a) * k / (grid - 1) for k in range(grid))
    valid = [(x, r) for x, r in ((x, scan.at(x)) for x in xs) if r is not None]
    out: list[dict[str, Any]] = []
    for (x0, r0), (x1, r1) in itertools.pairwise(valid):
        if r0 != r1:
            out += scan.boundaries(x0, r0, x1, r1, tol)
    return out


def _check_scan(model: Any, parameter: str, grid: Any, tol: Any) -> None:
    if parameter not in model.parameters:
        raise ParameterError(
            f"unknown parameter '{parameter}' for model '{model.name}'; valid: {', '.join(model.parameters)}",
            name=parameter,
        )
    if isinstance(grid, bool) or not isinstance(grid, int) or grid < 3:
        raise ParameterError(f"grid must be an integer >= 3, got {grid!r}", name="grid", value=grid)
    if grid > MAX_SCAN_POINTS:
        raise ResourceError(
            f"grid={grid:,} scan points would each be solved one by one (at most {MAX_SCAN_POINTS:,}); the "
            "boundaries are bisected to tol after the scan, so a coarse grid finds them as precisely",
            estimate=float(grid),
        )
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not (0 < tol < math.inf):
        raise ParameterError(f"tol must be a positive number, got {tol!r}", name="tol", value=tol)


class _Scan:
    """The regime set along one parameter, each value solved once (``None`` where the model's
    domains or orderings refuse the point)."""

    def __init__(
        self,
        model: Any,
        parameter: str,
        base: Mapping[str, Any],
        concept: str,
        belief_policy: str,
        solve_options: Mapping[str, Any] | None,
        progress: Callable[[float, frozenset[str]], None] | None,
    ) -> None:
        self.model, self.parameter, self.base = model, parameter, dict(base)
        self.concept, self.belief_policy, self.solve_options = concept, belief_policy, solve_options
        self.progress = progress
        self.cache: dict[float, frozenset[str] | None] = {}

    def at(self, x: float) -> frozenset[str] | None:
        if x not in self.cache:
            values = {**self.base, self.parameter: x}
            try:
                self.model.game(**values)  # orderings and domains
            except ParameterError:
                self.cache[x] = None
                return None
            found = regime_set(self.model, values, self.concept, self.belief_policy, self.solve_options)
            self.cache[x] = found
            if self.progress is not None:
                self.progress(x, self.cache[x])
        return self.cache[x]

    def boundaries(
        self, left: float, rl: frozenset[str], right: float, rr: frozenset[str], tol: float
    ) -> list[dict[str, Any]]:
        """The boundaries between ``left`` and ``right`` (regime sets ``rl`` and ``rr``), each
        bisected to a bracket narrower than ``tol``; a third regime set met inside splits the
        interval in two."""
        out: list[dict[str, Any]] = []
        while right - left > tol:
            mid = 0.5 * (left + right)
            rm = self.at(mid)
            if rm is None or rm == rl:
                left = mid
            elif rm == rr:
                right = mid
            else:  # a third regime set inside: two changes, bisect both
                out += self.boundaries(left, rl, mid, rm, tol)
                left, rl = mid, rm
        out.append(
            {
                "parameter": self.parameter,
                "value": None,
                "numeric": 0.5 * (left + right),
                "bracket": (left, right),
                "below": sorted(rl),
                "above": sorted(rr),
                "exact": False,
            }
        )
        return out
