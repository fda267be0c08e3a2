"""The regime map of two parameters, computed with :func:`deterrence.sweep` and cached.

A map is a grid of cells over the two chosen parameters (cell centres, so neither a domain end
nor a grid line of round numbers, where knife edges sit, is ever a cell), with the other
parameters fixed at the sliders' values. Each cell holds the regime of the equilibrium the
selection rule picks, the number of equilibria and every indicator column of the sweep.

Moving the slider of a map parameter only moves the marker: the map comes from
:class:`MapCache`. Moving any other slider needs a new map: on compiled models one sweep of the
whole grid (tens of milliseconds); otherwise the sweep runs row by row, each finished row handed
to ``on_row`` so the page can draw the map as it fills and stop a map whose sliders have moved on.
Cells whose values violate one of the model's orderings are left blank (the rows then leave them
out). Where the model and its baseline compile, every sweep of a map, whole or a row, takes the
kernels the process holds (``path="compiled"``, :func:`._kernel.map_path`): a sweep's
``path="auto"`` would weigh the compile's cost again and solve a short row per point.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
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

    def snapshot(self) -> RegimeMap:
        """A copy of the map as it is now (its arrays copied): what a partial map is handed on as,
        so that a page never holds a map the computing thread is still filling (it would read it
        complete before the map's last callback, with the status of a partial one)."""
        return replace(self, regime=self.regime.copy(), n_equilibria=self.n_equilibria.copy(),
                       indicators={k: v.copy() for k, v in self.indicators.items()})

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
    """Compute a map; ``on_row(partial)`` after each row of a per-point map (a snapshot of it)
    returns False to stop."""
    started = time.perf_counter()
    xs = np.array(req.x_range.cell_centres(req.cells))
    ys = np.array(req.y_range.cell_centres(req.cells))
    path = _kernel.map_path(req.model, req.concept, req.belief_policy)
    shape = (len(ys), len(xs))
    out = RegimeMap(
        req.x,
        req.y,
        xs,
        ys,
        np.full(shape, OUTSIDE, dtype=object),
        np.zeros(shape, dtype=int),
        compiled=path == "compiled",
    )
    valid = _orderings_hold(req, xs, ys)
    if path == "compiled" and valid.all():
        _fill(out, _sweep(req, {req.y: ys, req.x: xs}, path), xs, ys, req.model.parameters)
        out.rows_done = len(ys)
    else:
        for j, yv in enumerate(ys):
            keep = xs[valid[j]]
            if len(keep):
                _fill(out, _sweep(req, {req.y: np.array([yv]), req.x: keep}, path), xs, ys,
                      req.model.parameters)
            out.rows_done = j + 1
            out.seconds = time.perf_counter() - started
            if on_row is not None and not on_row(out.snapshot()) and j + 1 < len(ys):
                break
    out.seconds = time.perf_counter() - started
    return out


def _sweep(req: MapRequest, grid: dict[str, np.ndarray], path: str) -> pd.DataFrame:
    kwargs: dict[str, Any] = {"belief_policy": req.belief_policy} if req.concept == "pbe" else {}
    result = dt.sweep(
        req.model,
        grid=grid,
        fixed=dict(req.fixed),
        concept=req.concept,
        progress=False,
        selection=req.selection,
        on_error="record",
        path=path,
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


#: how often (seconds) a page waiting for another page's map checks that it still wants it
_RECHECK = 0.05


@dataclass
class _Running:
    """A map being computed for one or more pages (see :meth:`MapCache.compute`): who waits for
    it (each page's ``show`` for finished rows and its ``wanted`` test), the rows so far, the end."""

    listeners: list[tuple[Callable[[RegimeMap], Any], Callable[[], bool]]]
    partial: RegimeMap | None = None
    outcome: RegimeMap | BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)


class MapCache:
    """The maps of every page of a server: a small thread-safe LRU cache of finished maps, and the
    maps being computed, each computed once however many pages ask for it at the same time.

    A class opening the same model asks for the same map from many pages at once: the first
    page's map worker computes it (:meth:`compute`) and every other page asking for the same
    :meth:`MapRequest.key` (everything the map depends on) waits for that result instead of
    computing its own, and sees its rows as they come. The computation goes on while any page
    waiting for it still wants it (a per-point map stops at the next row once none does). Memory
    is bounded: at most ``size`` finished maps, and one running entry per map being computed.
    """

    def __init__(self, size: int = 48) -> None:
        self._maps: OrderedDict[tuple, RegimeMap] = OrderedDict()
        self._running: dict[tuple, _Running] = {}
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: tuple) -> RegimeMap | None:
        with self._lock:
            return self._get(key)

    def _get(self, key: tuple) -> RegimeMap | None:
        if key in self._maps:
            self._maps.move_to_end(key)
            return self._maps[key]
        return None

    def put(self, key: tuple, result: RegimeMap) -> None:
        if not result.complete:
            return
        with self._lock:
            self._put(key, result)

    def _put(self, key: tuple, result: RegimeMap) -> None:
        self._maps[key] = result
        self._maps.move_to_end(key)
        while len(self._maps) > self._size:
            self._maps.popitem(last=False)

    def compute(
        self,
        req: MapRequest,
        show: Callable[[RegimeMap], Any] | None = None,
        wanted: Callable[[], bool] = lambda: True,
        key: tuple | None = None,
    ) -> RegimeMap | None:
        """The map of ``req`` (blocks: for a page's map worker): cached, computed by a page that
        asked for it first, or computed here. ``show(partial)`` gets the rows of a per-point map
        as they come; ``wanted()`` says whether the caller still wants the map (``None`` is
        returned once it does not). ``key``: the map's key if not ``req.key()`` (a page's
        per-point map, coarser than the full map, is kept under the full map's key, whatever
        number of cells its page's solving time gave it). Raises what the computation raised."""
        key = req.key() if key is None else key
        listener = (show or (lambda _partial: None), wanted)
        while True:
            with self._lock:
                finished = self._get(key)
                if finished is not None:
                    return finished
                running = self._running.get(key)
                if running is None:
                    running = self._running[key] = _Running([listener])
                    owner = True
                else:
                    running.listeners.append(listener)
                    owner, partial = False, running.partial
            if owner:
                return self._compute_for_all(key, req, running)
            if partial is not None:
                listener[0](partial)
            outcome = self._wait(running, listener)
            if isinstance(outcome, BaseException):
                raise outcome
            if outcome is None or outcome.complete or not wanted():
                return outcome
            # stopped by its last page just before this one came: compute it again

    def _compute_for_all(self, key: tuple, req: MapRequest, running: _Running) -> RegimeMap:
        """Compute the map on this thread for every page waiting for it (the rows go to each)."""

        def on_row(partial: RegimeMap) -> bool:
            with self._lock:
                running.partial = partial
                listeners = list(running.listeners)
            gone = [item for item in listeners if not item[1]()]
            for show, _wanted in listeners:
                if (show, _wanted) not in gone:
                    show(partial)
            with self._lock:
                running.listeners = [item for item in running.listeners if item not in gone]
                return bool(running.listeners)

        outcome: RegimeMap | BaseException
        try:
            outcome = compute(req, on_row)
        except BaseException as exc:  # handed to every page waiting (each shows it), and raised here
            outcome = exc
        with self._lock:
            del self._running[key]
            running.outcome = outcome
            if isinstance(outcome, RegimeMap) and outcome.complete:
                self._put(key, outcome)  # no gap in which a new page would compute it again
        running.done.set()
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def _wait(
        self, running: _Running, listener: tuple[Callable[[RegimeMap], Any], Callable[[], bool]]
    ) -> RegimeMap | BaseException | None:
        """Wait for another page's computation; ``None`` once the caller no longer wants it."""
        while not running.done.wait(_RECHECK):
            if not listener[1]():
                with self._lock:
                    if listener in running.listeners:
                        running.listeners.remove(listener)
                return None
        return running.outcome
