"""The regime map of two parameters, computed with :func:`deterrence.sweep` and cached.

A map is a grid of cells over the two chosen parameters (cell centres, so neither a domain end
nor a grid line of round numbers, where knife edges sit, is ever a cell), with the other
parameters fixed at the sliders' values. Each cell holds the regime of the equilibrium the
selection rule picks, the number of equilibria and every indicator column of the sweep.

Moving the slider of a map parameter only moves the marker: the map comes from
:class:`MapCache`. Moving any other slider needs a new map: on compiled models one sweep of the
whole grid (tens of milliseconds); otherwise the sweep runs row by row (per-point solving), each
finished row handed to ``on_row`` so the page can draw the map as it fills and stop a map whose
sliders have moved on. Cells whose values violate one of the model's orderings are left blank.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

import deterrence as dt

from . import _kernel
from ._config import Range

#: the regime of a cell whose values violate one of the model's orderings
OUTSIDE = "orderings fail"
#: columns of a sweep table that are not indicators
_NOT_INDICATORS = {
    "point",
    "equilibrium",
    "n_equilibria",
    "regime",
    "selected",
    "p_attack_baseline",
    "regret",
    "bayes_error",
    "path",
    "error",
}


@dataclass
class RegimeMap:
    """One map (see the module docstring); arrays have shape ``(len(ys), len(xs))``."""

    x: str
    y: str
    xs: np.ndarray
    ys: np.ndarray
    regime: np.ndarray
    n_equilibria: np.ndarray
    indicators: dict[str, np.ndarray] = field(default_factory=dict)
    compiled: bool = True
    rows_done: int = 0
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return self.rows_done >= len(self.ys)

    def cell(self, xv: float, yv: float) -> tuple[int, int]:
        """Row and column of the cell holding the point ``(xv, yv)``."""
        return int(np.argmin(np.abs(self.ys - yv))), int(np.argmin(np.abs(self.xs - xv)))


@dataclass(frozen=True)
class MapRequest:
    """What a map depends on (the cache key)."""

    model: Any
    concept: str
    belief_policy: str
    x: str
    y: str
    x_range: Range
    y_range: Range
    cells: int
    fixed: tuple[tuple[str, float], ...]
    selection: str = "pessimistic"

    def key(self) -> tuple:
        return (
            self.model.name,
            self.model.sha256,
            self.concept,
            self.belief_policy,
            self.x,
            self.y,
            self.x_range,
            self.y_range,
            self.cells,
            self.fixed,
            self.selection,
        )


def request(
    model: Any,
    concept: str,
    belief_policy: str,
    x: str,
    y: str,
    ranges: Mapping[str, Range],
    cells: int,
    values: Mapping[str, float],
    selection: str = "pessimistic",
) -> MapRequest:
    """A :class:`MapRequest` with every parameter but ``x`` and ``y`` fixed at ``values``."""
    fixed = tuple(sorted((k, float(v)) for k, v in values.items() if k not in (x, y)))
    return MapRequest(model, concept, belief_policy, x, y, ranges[x], ranges[y], cells, fixed, selection)


def compute(req: MapRequest, on_row: Callable[[RegimeMap], bool] | None = None) -> RegimeMap:
    """Compute a map; ``on_row(partial)`` after each row of a per-point map returns False to stop."""
    started = time.perf_counter()
    xs = np.array(req.x_range.cell_centres(req.cells))
    ys = np.array(req.y_range.cell_centres(req.cells))
    kernel, _why = _kernel.compiled(req.model, req.concept, req.belief_policy)
    shape = (len(ys), len(xs))
    out = RegimeMap(
        req.x,
        req.y,
        xs,
        ys,
        np.full(shape, OUTSIDE, dtype=object),
        np.zeros(shape, dtype=int),
        compiled=kernel is not None,
    )
    valid = _orderings_hold(req, xs, ys)
    if kernel is not None and valid.all():
        _fill(out, _sweep(req, {req.y: ys, req.x: xs}), xs, ys, req.model.parameters)
        out.rows_done = len(ys)
    else:
        for j, yv in enumerate(ys):
            keep = xs[valid[j]]
            if len(keep):
                _fill(out, _sweep(req, {req.y: np.array([yv]), req.x: keep}), xs, ys, req.model.parameters)
            out.rows_done = j + 1
            out.seconds = time.perf_counter() - started
            if on_row is not None and not on_row(out) and j + 1 < len(ys):
                break
    out.seconds = time.perf_counter() - started
    return out


def _sweep(req: MapRequest, grid: dict[str, np.ndarray]) -> pd.DataFrame:
    kwargs: dict[str, Any] = {"belief_policy": req.belief_policy} if req.concept == "pbe" else {}
    result = dt.sweep(
        req.model,
        grid=grid,
        fixed=dict(req.fixed),
        concept=req.concept,
        progress=False,
        selection=req.selection,
        on_error="record",
        **kwargs,
    )
    return result.selected()


def _fill(out: RegimeMap, sel: pd.DataFrame, xs: np.ndarray, ys: np.ndarray, parameters: Any) -> None:
    if sel.empty:
        return
    cols = np.searchsorted(xs, sel[out.x].to_numpy(dtype=float))
    rows = np.searchsorted(ys, sel[out.y].to_numpy(dtype=float))
    cols, rows = np.clip(cols, 0, len(xs) - 1), np.clip(rows, 0, len(ys) - 1)
    out.regime[rows, cols] = sel["regime"].astype(str).to_numpy()
    out.n_equilibria[rows, cols] = sel["n_equilibria"].to_numpy(dtype=int)
    for name in indicator_columns(sel, parameters):
        arr = out.indicators.setdefault(name, np.full(out.regime.shape, np.nan))
        arr[rows, cols] = pd.to_numeric(sel[name], errors="coerce").to_numpy(dtype=float)


def indicator_columns(table: pd.DataFrame, parameters: Any = ()) -> list[str]:
    """The indicator columns of a sweep table: the library's indicators, ``deterred``, and any
    other numeric column a model adds (an N-member model's expected allies at war, ...)."""
    known = [c for c in (*dt.INDICATOR_NAMES, "deterred") if c in table.columns]
    extra = [
        c
        for c in table.columns
        if c not in known
        and c not in _NOT_INDICATORS
        and c not in parameters
        and not c.startswith(("payoff_", "outcome_"))
        and pd.api.types.is_numeric_dtype(table[c])
    ]
    return [*known, *extra]


def _orderings_hold(req: MapRequest, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Per cell: whether the model's orderings hold (all True for models without)."""
    if not getattr(req.model, "orderings", None):
        return np.ones((len(ys), len(xs)), dtype=bool)
    gx, gy = np.meshgrid(xs, ys)
    values = {k: np.full(gx.size, v) for k, v in req.fixed}
    values[req.x], values[req.y] = gx.ravel(), gy.ravel()
    try:
        ok = req.model.evaluate(values, check=False, check_orderings=False).ordering_ok
    except dt.DeterrenceError:
        return np.ones(gx.shape, dtype=bool)
    return np.asarray(ok, dtype=bool).reshape(gx.shape)


class MapCache:
    """A small thread-safe LRU cache of finished maps, shared by every page of a server."""

    def __init__(self, size: int = 48) -> None:
        self._maps: OrderedDict[tuple, RegimeMap] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: tuple) -> RegimeMap | None:
        with self._lock:
            if key in self._maps:
                self._maps.move_to_end(key)
                return self._maps[key]
            return None

    def put(self, key: tuple, result: RegimeMap) -> None:
        if not result.complete:
            return
        with self._lock:
            self._maps[key] = result
            self._maps.move_to_end(key)
            while len(self._maps) > self._size:
                self._maps.popitem(last=False)
