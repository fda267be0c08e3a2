"""What one explorer page shows: the model, the concept, the two map axes and every slider's range.

:class:`ExplorerConfig` is built once per model from the command line (or the Python call) and
checked here, so a bad option is a typed error before any server starts. Slider ranges come
from the parameters' domains; an unbounded side gets a finite end scaled on the default (the
map and the sliders need finite ranges), and an open end is kept out of reach by one step.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import deterrence as dt

from ..errors import close_match_hint

#: concepts the explorer solves (the model's own list decides which are offered)
CONCEPTS = ("pbe", "spe", "nash", "qre")
BELIEF_POLICIES = ("free", "prior", "d1")
#: slider positions between the ends of a range
SLIDER_STEPS = 200


@dataclass(frozen=True)
class Range:
    """A parameter's slider and map range: ``lo``, ``hi`` and the slider step (``integer``: a
    parameter of whole numbers, such as the number of members, steps by 1)."""

    lo: float
    hi: float
    step: float
    integer: bool = False

    def snap(self, value: float) -> float:
        """``value`` clipped to the range and rounded to a short decimal (0.45, not 0.45000000000000007),
        so that the exact game sees the number the slider shows."""
        value = min(max(float(value), self.lo), self.hi)
        if self.integer:
            return float(round(value))
        digits = max(0, 2 - math.floor(math.log10(self.step))) if self.step > 0 else 6
        return float(round(value, digits))

    def cell_centres(self, n: int) -> list[float]:
        """``n`` map cells across the range: their centres (never the ends, where knife edges and
        open domain ends sit)."""
        if self.integer:  # whole numbers: each one if they fit, else n of them spread out
            whole = np.arange(math.ceil(self.lo), math.floor(self.hi) + 1, dtype=float)
            keep = np.unique(np.linspace(0, len(whole) - 1, min(n, len(whole))).round().astype(int))
            return [float(x) for x in whole[keep]]
        width = (self.hi - self.lo) / n
        return [self.lo + (k + 0.5) * width for k in range(n)]


def default_range(param: Any) -> Range:
    """A finite range for a parameter: its domain, with an unbounded side ending at a distance
    scaled on the default, and an open end moved in by one step."""
    lo, hi = (float(x) for x in param.domain)
    default = float(param.default)
    if math.isinf(lo) and math.isinf(hi):
        span = max(2.0, abs(default))
        lo, hi = default - span, default + span
    elif math.isinf(hi):
        hi = lo + max(1.0, 2.5 * (default - lo))
    elif math.isinf(lo):
        lo = hi - max(1.0, 2.5 * (hi - default))
    step = _nice_step((hi - lo) / SLIDER_STEPS)
    if getattr(param, "open_lower", False) or math.isinf(float(param.domain[0])):
        lo = lo + step if not math.isinf(float(param.domain[0])) else lo
    if getattr(param, "open_upper", False) and not math.isinf(float(param.domain[1])):
        hi = hi - step
    if getattr(param, "integer", False):
        return Range(float(math.ceil(lo)), float(math.floor(hi)), 1.0, integer=True)
    return Range(lo, hi, step)


def _nice_step(raw: float) -> float:
    """The 1-2-5 number at or below ``raw`` (a slider step that prints short)."""
    if raw <= 0:
        return 1e-3
    exp = math.floor(math.log10(raw))
    for mult in (5, 2, 1):
        if mult * 10**exp <= raw:
            return float(f"{mult}e{exp}")
    return float(f"1e{exp}")


@dataclass(frozen=True)
class ExplorerConfig:
    """Everything one explorer page needs to start.

    Attributes
    ----------
    model
        The :class:`~deterrence.Model`.
    concept, belief_policy
        The starting solution concept (one the model declares) and PBE off-path belief policy.
    x, y
        The regime map's parameters.
    values
        Starting slider values (defaults, overridden by ``--set``).
    ranges
        Slider and map range per parameter.
    grid
        Map cells along each axis (compiled models; per-point solving may use fewer).
    selection
        The rule that picks one equilibrium per point for the map (as in :func:`deterrence.sweep`).
    """

    model: Any
    concept: str
    belief_policy: str
    x: str
    y: str
    values: Mapping[str, float]
    ranges: Mapping[str, Range]
    grid: int = 41
    selection: str = "pessimistic"
    choices: tuple[str, ...] = field(default=())

    @property
    def concepts(self) -> tuple[str, ...]:
        """The concepts offered on the page: the model's, in the explorer's order."""
        declared = tuple(getattr(self.model, "concepts", ()) or ())
        return tuple(c for c in CONCEPTS if c in declared) or ("pbe",)


def make_config(
    model: Any,
    *,
    concept: str | None = None,
    belief_policy: str = "free",
    x: str | None = None,
    y: str | None = None,
    values: Mapping[str, float] | None = None,
    ranges: Mapping[str, Sequence[float]] | None = None,
    grid: int = 41,
) -> ExplorerConfig:
    """Check the options and build an :class:`ExplorerConfig`.

    Raises
    ------
    ModelError
        An unknown model name or a bad model file.
    ParameterError
        An unknown parameter (for ``x``, ``y``, ``values`` or ``ranges``), a value or range
        outside the domain, or ``x == y``.
    UnsupportedError
        A concept the model does not declare, or an unknown belief policy.
    """
    if isinstance(model, str) or hasattr(model, "__fspath__"):
        model = dt.load_model(model)
    params = model.parameters
    if len(params) < 2:
        raise dt.ParameterError(
            f"model '{model.name}' has {len(params)} parameter(s); the explorer's map needs two"
        )
    declared = tuple(c for c in CONCEPTS if c in (getattr(model, "concepts", ()) or ()))
    concept = concept or model.default_concept
    if concept not in (declared or ("pbe",)):
        raise dt.UnsupportedError(
            f"model '{model.name}' declares the concepts {', '.join(declared)}, not '{concept}'"
        )
    if belief_policy not in BELIEF_POLICIES:
        raise dt.UnsupportedError(
            f"unknown belief policy '{belief_policy}'; choose one of {', '.join(BELIEF_POLICIES)}"
        )
    rng = {name: _range_for(p, (ranges or {}).get(name)) for name, p in params.items()}
    for name in ranges or {}:
        _known(model, name, "--range")
    start = {name: float(p.default) for name, p in params.items()}
    for name, value in start.items():
        if not rng[name].lo <= value <= rng[name].hi:  # a --range that leaves the default out
            start[name] = rng[name].snap(value)
    for name, value in (values or {}).items():
        _known(model, name, "--set")
        params[name].check(value)
        start[name] = float(value)
    x, y = _axes(model, x, y)
    if not 3 <= int(grid) <= 201:
        raise dt.ParameterError(f"--grid must be between 3 and 201 cells, got {grid}")
    return ExplorerConfig(model, concept, belief_policy, x, y, start, rng, int(grid))




def _known(model: Any, name: str, what: str) -> None:
    if name not in model.parameters:
        raise dt.ParameterError(
            f"{what}: model '{model.name}' has no parameter '{name}'"
            f"{close_match_hint(name, model.parameters)}; parameters: {', '.join(model.parameters)}",
            name=name,
        )


def _range_for(param: Any, given: Sequence[float] | None) -> Range:
    if given is None:
        return default_range(param)
    lo, hi = (float(v) for v in given)
    if not lo < hi:
        raise dt.ParameterError(
            f"--range {param.name}: the low end {lo:g} must be below the high end {hi:g}", name=param.name
        )
    for end in (lo, hi):
        param.check(end, what="--range end")
    return Range(lo, hi, _nice_step((hi - lo) / SLIDER_STEPS))


def _axes(model: Any, x: str | None, y: str | None) -> tuple[str, str]:
    """The map's two parameters: as given, else the first two with bounded domains (else the first two)."""
    names = list(model.parameters)
    for given, what in ((x, "--x"), (y, "--y")):
        if given is not None:
            _known(model, given, what)
    bounded = [n for n, p in model.parameters.items() if all(math.isfinite(float(v)) for v in p.domain)]
    x = x or next(n for n in [*bounded, *names] if n != y)
    y = y or next(n for n in names if n != x)
    if x == y:
        raise dt.ParameterError(f"the map needs two different parameters, got '{x}' twice", name=x)
    return x, y
