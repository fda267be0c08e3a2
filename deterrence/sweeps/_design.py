"""The design of a sweep: grids, samples over declared domains, and the orderings filter.

:func:`build_design` validates a sweep specification (``grid=`` or ``samples=``, ``fixed``,
``vary``, ``bounds``) and returns a :class:`Design`, which generates the parameter points a
slice at a time, with the design's JSON description for the manifest. :func:`sample_unit` and
:func:`saltelli_unit` draw points in the unit cube (scrambled Sobol, Latin hypercube, uniform
random, Saltelli); :func:`_orderings_hold` tells which points satisfy the model's orderings
(samples drop the others; the compiled path re-solves them per point). Used by
:func:`deterrence.sweeps.sweep`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError, SweepError

METHODS = ("sobol", "lhs", "random", "saltelli")

#: sample designs are held in memory; refuse designs whose array would exceed this (bytes)
MAX_SAMPLE_BYTES = 2 * 1024**3


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



def _orderings_hold(model: Any, points: pd.DataFrame) -> np.ndarray:
    """Per point: whether every ordering of the model holds (all True for models without)."""
    if not getattr(model, "orderings", None) or not hasattr(model, "evaluate"):
        return np.ones(len(points), dtype=bool)
    values = {n: points[n].to_numpy(dtype=float) for n in model.parameters}
    ok = model.evaluate(values, check=False, check_orderings=False).ordering_ok
    return np.broadcast_to(np.asarray(ok, dtype=bool), (len(points),))

