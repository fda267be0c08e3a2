"""The design of a sweep: grids, samples over declared domains, and the orderings filter.

:func:`build_design` validates a sweep specification (``grid=`` or ``samples=``, ``fixed``,
``vary``, ``bounds``) and returns a :class:`Design`, which generates the parameter points a
slice at a time, with its description for the manifest (:class:`DesignInfo`). :func:`sample_unit` and
:func:`saltelli_unit` draw points in the unit cube (scrambled Sobol, Latin hypercube, uniform
random, Saltelli); :func:`orderings_hold` tells which points satisfy the model's orderings
(samples drop the others; the compiled path re-solves them per point). Used by
:func:`deterrence.sweeps.sweep`.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from ..errors import OrderingError, ParameterError, ResourceError, SweepError, close_match_hint

METHODS = ("sobol", "lhs", "random", "saltelli")

#: sample designs are held in memory; refuse designs whose array would exceed this (bytes)
MAX_SAMPLE_BYTES = 2 * 1024**3
#: explicit grid values are held in memory; refuse an axis with more values than this
#: (a :class:`Linspace` axis is never held in memory and has no such limit)
MAX_AXIS_VALUES = 10**8
#: a sample's orderings are checked this many points at a time
ORDERING_BLOCK = 1_000_000
#: points are numbered with 64-bit integers: no design may have more points than this
MAX_POINTS = 2**63 - 1
#: an axis of values that are not evenly spaced lists them all in the manifest: at most this many
MAX_LISTED_VALUES = 1_000_000
#: a grid axis with more values than this is written to the manifest as ``{"linspace": [lo, hi, n]}``
#: when its values are evenly spaced (a list of every value otherwise, as always)
LISTED_AXIS_VALUES = 10_000


# ====================================================================== a grid axis never held in memory
@dataclass(frozen=True)
class Linspace:
    """``n`` evenly spaced values from ``lo`` to ``hi`` (both included), as ``numpy.linspace(lo,
    hi, n)`` gives them bit for bit, but computed only for the points a chunk needs: a grid axis
    of a billion values costs nothing until its points are evaluated.

    With ``n = 1`` the one value is ``lo``, as in numpy; a sweep refuses such an axis unless
    ``lo == hi`` (one value cannot include both ends: give ``[lo]``, or ``n >= 2``), and refuses
    an axis whose steps are too small for floating point to tell its values apart.

    ``dt.sweep(model, grid={"credibility": dt.Linspace(0, 1, 10**9)}, out=...)``; the command
    line's ``--vary NAME=LO:HI:N`` is one.

    Raises
    ------
    SweepError
        ``n`` not a positive integer, ``lo`` or ``hi`` not finite numbers, or ``lo == hi``
        with more than one value.
    """

    lo: float
    hi: float
    n: int

    def __post_init__(self) -> None:
        n = self.n
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise SweepError(f"Linspace: the number of values must be a positive integer, got {n!r}")
        for end in ("lo", "hi"):
            value = getattr(self, end)
            try:
                ok = (
                    isinstance(value, (int, float, np.number))
                    and not isinstance(value, bool)
                    and math.isfinite(float(value))
                )
            except OverflowError:
                ok = False
            if not ok:
                raise SweepError(f"Linspace: {end}={value!r} is not a finite number")
            object.__setattr__(self, end, float(value))
        object.__setattr__(self, "n", int(n))
        if n > 1 and self.lo == self.hi:
            raise SweepError(f"Linspace: empty range ({self.lo:g} to {self.hi:g}) with {n} values")

    @property
    def size(self) -> int:
        """The number of values (``len()`` is not defined: it may exceed what ``len`` allows)."""
        return self.n

    def take(self, index: np.ndarray) -> np.ndarray:
        """The values at positions ``index`` (integers in ``0 .. n-1``), exactly as in
        ``numpy.linspace(lo, hi, n)[index]``."""
        idx = np.asarray(index, dtype=np.int64)
        y = idx.astype(float)
        delta = self.hi - self.lo
        div = self.n - 1
        if div > 0:
            step = delta / div
            y = y / div * delta if step == 0 else y * step
        else:
            y = y * delta
        y = y + self.lo
        if div > 0:
            y[idx == div] = self.hi
        return y

    def values(self) -> np.ndarray:
        """Every value (held in memory: for axes small enough)."""
        return self.take(np.arange(self.n, dtype=np.int64))

    def to_json(self) -> dict[str, Any]:
        return {"linspace": [self.lo, self.hi, self.n]}


def _axis_size(axis: Any) -> int:
    return axis.size if isinstance(axis, Linspace) else len(axis)


def _axis_take(axis: Any, index: np.ndarray) -> np.ndarray:
    return axis.take(index) if isinstance(axis, Linspace) else np.asarray(axis)[index]


def _axis_json(axis: Any) -> Any:
    """An axis as the manifest writes it: a list of its values, or ``{"linspace": [lo, hi, n]}``
    for a long evenly spaced axis."""
    if isinstance(axis, Linspace):
        return axis.to_json() if axis.size > LISTED_AXIS_VALUES else [float(x) for x in axis.values()]
    return [float(x) for x in axis]


def _compact(values: np.ndarray) -> Any:
    """A long array of values that is exactly a ``numpy.linspace``: as a :class:`Linspace`."""
    if len(values) > LISTED_AXIS_VALUES and values[0] != values[-1]:
        axis = Linspace(float(values[0]), float(values[-1]), len(values))
        block = 1_000_000  # compared a block at a time: no second copy of a long axis
        if all(
            np.array_equal(axis.take(np.arange(s, min(s + block, len(values)))), values[s : s + block])
            for s in range(0, len(values), block)
        ):
            return axis
    return values


def _axis_from_json(data: Any) -> Any:
    if isinstance(data, Mapping) and "linspace" in data:
        lo, hi, n = data["linspace"]
        return Linspace(float(lo), float(hi), int(n))
    axis = _compact(np.asarray([float(x) for x in data], dtype=float))
    return axis if isinstance(axis, Linspace) else tuple(float(x) for x in axis)


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
        Grid values per varied parameter (full factorial, first varies slowest): an array, or
        a :class:`Linspace` whose values are computed a chunk at a time; or ``None``.
    sample
        Sample array ``(n_points, len(varied))``, or ``None``.
    """

    names: tuple[str, ...]
    varied: tuple[str, ...]
    base: Mapping[str, float]
    grid: tuple[Any, ...] | None = None
    sample: np.ndarray | None = None

    @property
    def n_points(self) -> int:
        if self.grid is not None:
            return math.prod(_axis_size(v) for v in self.grid)
        return 0 if self.sample is None else len(self.sample)

    @property
    def shape(self) -> tuple[int, ...]:
        """Grid designs: the number of values of each varied parameter."""
        return tuple(_axis_size(v) for v in self.grid or ())

    def points(self, start: int, stop: int) -> pd.DataFrame:
        """Points ``start .. stop-1``: a ``point`` column and one column per parameter."""
        return self.points_at(np.arange(start, stop, dtype=np.int64))

    def points_at(self, index: np.ndarray) -> pd.DataFrame:
        """The points numbered ``index`` (any integers in ``0 .. n_points-1``): a ``point`` column
        and one column per parameter."""
        idx = np.asarray(index, dtype=np.int64)
        cols: dict[str, Any] = {"point": idx}
        if self.grid is not None:
            shape = self.shape
            multi = np.unravel_index(idx, shape) if len(idx) else [idx] * len(shape)
            varied = {
                n: _axis_take(vals, m) for n, vals, m in zip(self.varied, self.grid, multi, strict=True)
            }
        else:
            assert self.sample is not None
            varied = {n: self.sample[idx, k] for k, n in enumerate(self.varied)}
        for n in self.names:
            cols[n] = np.asarray(varied[n], dtype=float) if n in varied else np.full(len(idx), self.base[n])
        return pd.DataFrame(cols)


@dataclass(frozen=True)
class DesignInfo:
    """What a sweep's design was, for its manifest: enough to draw the same points again.

    Attributes
    ----------
    kind
        ``"grid"`` or ``"sample"``.
    grid
        Grid designs: the values of each varied parameter (the first varies slowest), a tuple
        of values or, for a long evenly spaced axis, a :class:`Linspace`.
    method, samples, seed
        Sample designs: ``"sobol"``, ``"lhs"``, ``"random"`` or ``"saltelli"``; the number of
        samples asked for (Saltelli: base rows); the seed.
    vary, bounds
        Sample designs: the sampled parameters and the ``(lo, hi)`` box they are drawn from.
    second_order
        Saltelli designs: ``False`` (first-order and total indices only); ``None`` otherwise.
    rejected_by_orderings
        Sample designs: points drawn and dropped because an ordering of the model fails there.
    sampler
        Saltelli designs: who generated the design (``"SALib"`` or the numpy fallback).
    """

    kind: str
    grid: Mapping[str, tuple[float, ...] | Linspace] | None = None
    method: str | None = None
    samples: int | None = None
    seed: int | None = None
    vary: tuple[str, ...] = ()
    bounds: Mapping[str, tuple[float, float]] | None = None
    second_order: bool | None = None
    rejected_by_orderings: int = 0
    sampler: str | None = None

    @property
    def varied(self) -> tuple[str, ...]:
        """The parameters the design varies."""
        return tuple(self.grid or {}) if self.kind == "grid" else self.vary

    def to_json(self) -> dict[str, Any]:
        """The description as JSON data (the ``design`` entry of ``manifest.json``)."""
        if self.kind == "grid":
            return {"kind": "grid", "grid": {n: _axis_json(v) for n, v in (self.grid or {}).items()}}
        out: dict[str, Any] = {
            "kind": self.kind,
            "method": self.method,
            "samples": self.samples,
            "seed": self.seed,
            "vary": list(self.vary),
            "bounds": {n: list(b) for n, b in (self.bounds or {}).items()},
            "second_order": self.second_order,
            "rejected_by_orderings": self.rejected_by_orderings,
        }
        if self.sampler is not None:
            out["sampler"] = self.sampler
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DesignInfo:
        """Read :meth:`to_json`'s data (as written in ``manifest.json``)."""
        if data.get("kind") == "grid":
            return cls("grid", grid={str(n): _axis_from_json(v) for n, v in data["grid"].items()})
        bounds = data.get("bounds")
        return cls(
            kind=str(data.get("kind", "sample")),
            method=data.get("method"),
            samples=data.get("samples"),
            seed=data.get("seed"),
            vary=tuple(data.get("vary", ())),
            bounds=None if bounds is None else {str(n): (float(a), float(b)) for n, (a, b) in bounds.items()},
            second_order=data.get("second_order"),
            rejected_by_orderings=int(data.get("rejected_by_orderings", 0)),
            sampler=data.get("sampler"),
        )


def _check_values(model: Any, name: str, values: np.ndarray) -> None:
    """Refuse non-finite values (``SweepError``) and values outside the parameter's domain
    (``ParameterError``, by the domain rule of :meth:`deterrence.model.Parameter.contains`)."""
    if not np.all(np.isfinite(values)):
        bad = values[~np.isfinite(values)][0]
        raise SweepError(f"parameter '{name}': value {bad} is not finite")
    par = model.parameters[name]
    out = ~np.asarray(par.contains(values), dtype=bool)
    if np.any(out):
        bad = float(values[out][0])
        raise ParameterError(
            f"parameter '{name}': value {bad!r} is outside its domain {par.domain_text}",
            name=name,
            value=bad,
            domain=par.domain,
        )


def _as_values(name: str, values: Any) -> np.ndarray:
    """Explicit values as a 1-d float array (refused, before any is copied, beyond
    :data:`MAX_AXIS_VALUES`)."""
    if isinstance(values, (str, bytes, Mapping)):
        raise SweepError(f"parameter '{name}': values {_shown(values)} are not numbers")
    try:
        count = len(values)
    except (TypeError, OverflowError):
        count = None if not isinstance(values, range) else MAX_AXIS_VALUES + 1
    if count is not None and count > MAX_AXIS_VALUES:
        raise ResourceError(
            f"parameter '{name}': {count:,} explicit values would need {8 * count / 1e9:.1f} GB in memory "
            f"(at most {MAX_AXIS_VALUES:,}); give evenly spaced values as Linspace(lo, hi, n), which is "
            "never held in memory",
            estimate=8.0 * count,
        )
    try:
        raw = np.asarray(values)
        # numbers only, as Model.game takes them: numpy would read "0.3" as 0.3, True as 1 and
        # None as nan (reported as "not finite", not as what it is)
        if raw.dtype.kind in "USbcmM" or (raw.dtype.kind == "O" and not all(map(_is_real, raw.flat))):
            raise TypeError
        arr = np.atleast_1d(np.asarray(raw, dtype=float))
    except (TypeError, ValueError, OverflowError):
        raise SweepError(f"parameter '{name}': values {_shown(values)} are not numbers") from None
    if arr.ndim != 1:
        raise SweepError(f"parameter '{name}': values must be one-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        raise SweepError(f"parameter '{name}': the grid has no values (empty range)")
    return arr


def _is_real(x: Any) -> bool:
    """Whether ``x`` is a real number and not a bool (``Fraction``, ``Decimal`` and numpy scalars are)."""
    return isinstance(x, (numbers.Real, Decimal)) and not isinstance(x, (bool, np.bool_))


def _shown(values: Any) -> str:
    text = repr(values)
    return text if len(text) <= 60 else text[:57] + "..."


def _unknown(model: Any, names: Iterable[str], what: str) -> None:
    bad = [n for n in names if n not in model.parameters]
    if bad:
        raise SweepError(
            f"unknown parameter {bad[0]!r} in {what} of model '{getattr(model, 'name', '?')}'"
            f"{close_match_hint(bad[0], model.parameters)}; parameters are {', '.join(model.parameters)}"
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
) -> tuple[Design, DesignInfo]:
    """Validate a sweep specification and build its :class:`Design` and its description.

    Raises
    ------
    SweepError
        Unknown parameter, empty grid, a grid value given twice (or a :class:`Linspace` too
        fine to tell its values apart), ``Linspace(lo, hi, 1)`` with ``lo != hi`` as a grid
        axis, non-finite value, ``samples <= 0``, a parameter both
        varied and fixed, an unbounded domain to sample, an unknown method, or a sample too
        large to hold in memory.
    ResourceError
        More grid points than a sweep can number, or more explicit values on one axis than
        fit in memory.
    ParameterError
        A value outside its parameter's domain; ``fixed`` values (or defaults) that break one of
        the model's orderings whatever the varied values (:func:`refuse_broken_orderings`).
    """
    fixed = dict(fixed or {})
    base = _base_values(model, fixed)
    if (grid is None) == (samples is None):
        raise SweepError("give either grid= (parameter -> values) or samples=N, not both and not neither")
    if grid is not None:  # sample options with a grid were refused by the sweep's spec check
        design, info = _grid_design(model, grid, fixed, base)
        refuse_broken_orderings(model, base, design.varied, fixed)
        return design, info
    _check_samples(samples, method)
    assert samples is not None and seed is not None
    bounds = dict(bounds or {})
    _unknown(model, bounds, "bounds")
    varied = _sampled_parameters(model, vary, fixed, bounds)
    _check_bounds_used(bounds, varied, fixed)
    lo, hi = _sample_box(model, varied, bounds)
    _check_sample_memory(method, int(samples), len(varied))
    sample = lo + sample_unit(method, int(samples), len(varied), seed) * (hi - lo)
    refuse_broken_orderings(model, base, varied, fixed)
    rejected = 0
    if method != "saltelli":
        sample, rejected = _keep_ordered(model, sample, varied, base, int(samples))
    info = DesignInfo(
        kind="sample",
        method=method,
        samples=int(samples),
        seed=int(seed),
        vary=tuple(varied),
        bounds={n: (float(a), float(b)) for n, a, b in zip(varied, lo, hi, strict=True)},
        second_order=False if method == "saltelli" else None,
        rejected_by_orderings=rejected,
        sampler=_saltelli_sampler() if method == "saltelli" else None,
    )
    return Design(tuple(model.parameters), tuple(varied), base, sample=sample), info


def refuse_broken_orderings(
    model: Any, base: Mapping[str, float], varied: Sequence[str], fixed: Mapping[str, Any]
) -> None:
    """Refuse, before any point is solved, values that break one of the model's orderings at
    every point: a comparison none of whose parameters varies, false at their ``fixed`` (or
    default) values. Point by point it would fail at each point (or, for a sample, reject them
    all), and the error would suggest options a sweep does not have.

    Raises
    ------
    ParameterError
        Naming the ordering, the values and whether each is fixed or a default.
    """
    symbols = getattr(model, "symbols", None)
    orderings = getattr(model, "orderings", None) or ()
    if not orderings or not isinstance(symbols, Mapping):
        return
    from ..model._numeric import comparison_holds

    values = {symbols[n]: np.asarray(float(v)) for n, v in base.items() if n in symbols}
    for ordering in orderings:
        for comp in ordering.condition.comparisons:
            names = set(comp.parameter_names)  # printed once per comparison, not at every sweep
            if not names or names & set(varied) or not names <= set(base):
                continue
            if np.all(comparison_holds(comp, values)):
                continue
            at = ", ".join(f"{n}={base[n]!r} ({'fixed' if n in fixed else 'default'})" for n in sorted(names))
            raise OrderingError(
                f"the ordering '{ordering.text}' of model '{getattr(model, 'name', '?')}' fails at {at}, "
                "and none of its parameters varies: it would fail at every point of the sweep",
                advice="change fixed= (command line: --set), or vary one of them",
                name=min(names),
                domain=ordering.text,
            )


def _base_values(model: Any, fixed: Mapping[str, Any]) -> dict[str, float]:
    """Every parameter's value before the varied ones are set: defaults overridden by ``fixed``."""
    _unknown(model, fixed, "fixed")
    base: dict[str, float] = {n: float(p.default) for n, p in model.parameters.items()}
    for n, v in fixed.items():
        arr = _as_values(n, v)
        if arr.size != 1:
            raise SweepError(f"fixed parameter '{n}' needs one value, got {arr.size}")
        _check_values(model, n, arr)
        base[n] = float(arr[0])
    return base


def _grid_design(
    model: Any, grid: Mapping[str, Any], fixed: Mapping[str, Any], base: Mapping[str, float]
) -> tuple[Design, DesignInfo]:
    """A full-factorial grid (the first parameter varies slowest)."""
    if not isinstance(grid, Mapping) or not grid:
        raise SweepError("grid= needs at least one parameter -> values entry")
    _unknown(model, grid, "grid")
    both = [n for n in grid if n in fixed]
    if both:
        raise SweepError(f"parameter '{both[0]}' is both varied (grid) and fixed")
    axes = []
    for n, v in grid.items():
        if isinstance(v, Linspace):
            _check_one_value_range(n, v)
            _check_values(model, n, np.array([v.lo, v.hi]))
            axes.append(v)
            continue
        arr = _as_values(n, v)
        _check_values(model, n, arr)
        _check_distinct(n, arr)
        axis = _compact(arr)
        if not isinstance(axis, Linspace) and len(axis) > MAX_LISTED_VALUES:
            raise ResourceError(
                f"parameter '{n}': {len(axis):,} values that are not evenly spaced, each listed in the "
                f"manifest (at most {MAX_LISTED_VALUES:,}); give evenly spaced values (Linspace), or a "
                "sample (samples=N) for a dense irregular design",
                estimate=float(len(axis)),
            )
        axes.append(axis)
    n_points = math.prod(_axis_size(a) for a in axes)
    if n_points > MAX_POINTS:
        raise ResourceError(
            f"the grid has {n_points:.3g} points ({' x '.join(f'{_axis_size(a):,}' for a in axes)}): "
            "more than "
            f"a sweep can number ({MAX_POINTS:.3g}); use fewer values",
            estimate=float(n_points),
        )
    for n, a in zip(grid, axes, strict=True):  # after the count: a grid beyond numbering is that first
        if isinstance(a, Linspace):
            _check_linspace_distinct(n, a)
    design = Design(tuple(model.parameters), tuple(grid), dict(base), grid=tuple(axes))
    listed = {
        n: a
        if isinstance(a, Linspace) and a.size > LISTED_AXIS_VALUES
        else tuple(float(x) for x in (a.values() if isinstance(a, Linspace) else a))
        for n, a in zip(grid, axes, strict=True)
    }
    return design, DesignInfo(kind="grid", grid=listed)


def _check_one_value_range(name: str, axis: Linspace) -> None:
    """Refuse ``Linspace(lo, hi, 1)`` with ``lo != hi`` as a grid axis: one value cannot include
    both ends (``numpy.linspace`` would give ``lo`` alone, dropping ``hi`` without a word)."""
    if axis.size == 1 and axis.lo != axis.hi:
        raise SweepError(
            f"parameter '{name}': Linspace({axis.lo:g}, {axis.hi:g}, 1) has one value, which cannot be "
            f"both ends; give [{axis.lo:g}] for that one value, or n >= 2 values from {axis.lo:g} to "
            f"{axis.hi:g}"
        )


def _check_distinct(name: str, values: np.ndarray) -> None:
    """Refuse a grid axis that lists a value twice: each would be a point of its own, solved
    and counted twice (in the regime shares, the map and the table)."""
    ordered = np.sort(values, kind="stable")
    same = ordered[1:] == ordered[:-1]
    if np.any(same):
        twice = float(ordered[1:][same][0])
        raise SweepError(
            f"parameter '{name}': value {twice!r} is given more than once in the grid; each value "
            "is one grid line, so give it once"
        )


#: a Linspace axis of at most this many values is checked value by value for repeats
DISTINCT_CHECK_VALUES = 1_000_000


def _check_linspace_distinct(name: str, axis: Linspace) -> None:
    """Refuse evenly spaced values whose steps are too small for floating point to tell apart
    (``Linspace(1, 1 + 1e-16, 5)`` repeats values): checked value by value up to
    :data:`DISTINCT_CHECK_VALUES`, beyond by the step against the numbers' resolution (4 units
    in the last place of the larger end)."""
    if axis.size < 2:
        return
    if axis.size <= DISTINCT_CHECK_VALUES:
        values = axis.values()
        same = values[1:] == values[:-1]
        if not np.any(same):
            return
        twice = float(values[1:][same][0])
    else:
        step = abs(axis.hi - axis.lo) / (axis.size - 1)
        if step >= 4 * np.spacing(max(abs(axis.lo), abs(axis.hi))):
            return
        twice = axis.lo
    raise SweepError(
        f"parameter '{name}': Linspace({axis.lo!r}, {axis.hi!r}, {axis.size}) repeats values (such as "
        f"{twice!r}): its steps are below the resolution of floating point; use fewer values or a "
        "wider range"
    )


def _check_samples(samples: Any, method: str) -> None:
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)):
        raise SweepError(f"samples must be a positive integer, got {samples!r}")
    if samples <= 0:
        raise SweepError(f"samples must be a positive integer, got {samples}")
    if method not in METHODS:
        raise SweepError(f"unknown sampling method '{method}'; methods are {', '.join(METHODS)}")


def _sampled_parameters(
    model: Any, vary: Sequence[str] | None, fixed: Mapping[str, Any], bounds: Mapping[str, Any]
) -> list[str]:
    """The parameters a sample varies: ``vary``, or every parameter not fixed that has a range."""
    if vary is None:
        varied = [n for n, p in model.parameters.items() if n not in fixed and (n in bounds or p.bounded)]
        if not varied:
            raise SweepError("no parameter to sample: every parameter is fixed or has an unbounded domain")
        return varied
    if isinstance(vary, str):  # list("p_hard") would be its letters
        raise SweepError(
            f"vary= must be a list of parameter names, got the string {vary!r} (write vary=[{vary!r}])"
        )
    varied = list(vary)
    if not varied:
        raise SweepError("vary= is empty: name at least one parameter to sample")
    _unknown(model, varied, "vary")
    if len(set(varied)) != len(varied):
        raise SweepError(f"vary= names a parameter twice: {varied}")
    both = [n for n in varied if n in fixed]
    if both:
        raise SweepError(f"parameter '{both[0]}' is both varied and fixed")
    return varied


def _check_bounds_used(bounds: Mapping[str, Any], varied: Sequence[str], fixed: Mapping[str, Any]) -> None:
    """Refuse ``bounds`` for a parameter the sample does not vary (they would be ignored).

    Raises
    ------
    SweepError
        Naming the parameter, and why it is not sampled (fixed, or left out of ``vary``).
    """
    for name in bounds:
        if name not in varied:
            why = "it is fixed" if name in fixed else f"it is not in vary={list(varied)}"
            raise SweepError(
                f"bounds for '{name}' would be ignored: {why}; sample it (add it to vary=) or drop its bounds"
            )


def _sample_box(
    model: Any, varied: Sequence[str], bounds: Mapping[str, Sequence[float]]
) -> tuple[np.ndarray, np.ndarray]:
    """``(lo, hi)`` of the box to sample: ``bounds`` (each end a value in the domain) or the domains."""
    lo = np.empty(len(varied))
    hi = np.empty(len(varied))
    for k, n in enumerate(varied):
        if n in bounds:
            b = _as_values(n, bounds[n])
            if b.size != 2 or not b[0] < b[1]:
                raise SweepError(
                    f"bounds for '{n}' must be (lo, hi) with lo < hi, got {[float(x) for x in b]}"
                )
            _check_values(model, n, b)
            lo[k], hi[k] = b
        else:
            lo[k], hi[k] = model.parameters[n].domain
        if not (math.isfinite(lo[k]) and math.isfinite(hi[k])):
            raise SweepError(
                f"parameter '{n}' has an unbounded domain [{lo[k]:g}, {hi[k]:g}]; "
                f"give bounds={{'{n}': (lo, hi)}} or sweep it on a grid"
            )
    return lo, hi


def _check_sample_memory(method: str, samples: int, d: int) -> None:
    rows = samples * (d + 2) if method == "saltelli" else samples
    nbytes = rows * d * 8
    if nbytes > MAX_SAMPLE_BYTES:
        raise SweepError(
            f"a {method} sample of {rows:,} points in {d} dimensions needs about {nbytes / 1e9:.1f} GB "
            f"in memory (limit {MAX_SAMPLE_BYTES / 1e9:.1f} GB); use fewer samples or a grid"
        )


def _keep_ordered(
    model: Any, sample: np.ndarray, varied: Sequence[str], base: Mapping[str, float], samples: int
) -> tuple[np.ndarray, int]:
    """The sampled points where the model's orderings hold, and how many were dropped: a sample
    covers the part of the box where the orderings hold. Checked a block of points at a time
    (every parameter's column of the whole sample would be many times the sample's memory)."""
    ok = np.empty(len(sample), dtype=bool)
    for start in range(0, len(sample), ORDERING_BLOCK):
        block = sample[start : start + ORDERING_BLOCK]
        values = pd.DataFrame({n: np.full(len(block), float(base[n])) for n in model.parameters})
        for k, n in enumerate(varied):
            values[n] = block[:, k]
        ok[start : start + len(block)] = orderings_hold(model, values)
    if not ok.any():
        raise SweepError(
            f"none of the {samples} sampled points satisfies the orderings of model "
            f"'{getattr(model, 'name', '?')}'; narrow bounds= or fix parameters"
        )
    return sample[ok], int((~ok).sum())


def _saltelli_sampler() -> str:
    return "SALib" if salib_analyzer() is not None else "deterrence.sweep.saltelli_unit"


def salib_analyzer() -> Any:
    """SALib's ``analyze.sobol`` module, or ``None`` when SALib is not installed."""
    try:
        import SALib  # noqa: F401
        from SALib.analyze import sobol as salib_sobol
    except ImportError:
        return None
    return salib_sobol


def orderings_hold(model: Any, points: pd.DataFrame) -> np.ndarray:
    """Per point: whether every ordering of the model holds (all True for models without)."""
    if not getattr(model, "orderings", None) or not hasattr(model, "evaluate"):
        return np.ones(len(points), dtype=bool)
    values = {n: points[n].to_numpy(dtype=float) for n in model.parameters}
    ok = model.evaluate(values, check=False, check_orderings=False).ordering_ok
    return np.broadcast_to(np.asarray(ok, dtype=bool), (len(points),))
