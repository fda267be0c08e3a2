"""The tidy rows of a compiled model's equilibria, filled in compiled code on the kernel threads.

The engine (:mod:`deterrence.kernels._engine`) writes, per block of points, one narrow row per
equilibrium (point, structure, regret, outcome probabilities, payoffs). :func:`tidy_table` turns
the blocks' rows into the table of :mod:`deterrence.sweeps._tidy` (the columns a kernel knows):
once every block's rows are counted, each block fills its own rows of a few wide arrays at once
(:func:`fill_rows`, compiled by numba), in the order of the points, under the sink's lock (filling
outside the lock was tried and measured no faster on two cores):

* the point ids and the parameter values, gathered from the points;
* the equilibrium's index and count at its point, and its structure;
* the indicators and the outcome probabilities and payoffs, copied;
* the regime of every row as a small integer code (:func:`deterrence.outcomes.regime_codes`:
  bit ``k`` for ``labels[k]`` reached with a probability above
  :data:`~deterrence.outcomes.LABEL_TOL`, the top bit where some player mixes), named once per
  code (:func:`deterrence.outcomes.regime_code_names`).

The table's columns are views of those arrays: no block is concatenated, no column gathered or
summed in a separate pass. The rules are those of :mod:`deterrence.outcomes` (the indicators
of :func:`~deterrence.outcomes.indicator_values`, summed in the same order; the codes of
:func:`~deterrence.outcomes.regime_codes`), and the tests check the filled rows against them.
"""

from __future__ import annotations

import mmap
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._jit import numba_module
from ..outcomes import INDICATORS, LABEL_TOL, regime_code_names

nb = numba_module()

#: rows of the integer array: point id, equilibrium, count (and structure, when asked for)
I_POINT, I_EQ, I_COUNT, I_STRUCT = range(4)


@dataclass(frozen=True)
class RowLayout:
    """Where a compiled model's columns go: the float rows of :func:`fill_rows` and their names.

    Attributes
    ----------
    params, players, labels
        Parameter names, players, outcome labels (vocabulary order; at most 7).
    mixed
        Per structure: does some player mix (``uint8``)?
    status_quo
        Position of ``status_quo`` in ``labels`` (-1 if the model never reaches it).
    summed
        The indicators of :data:`deterrence.outcomes.INDICATORS` the model can reach (the
        others are 0 everywhere: columns of zeros, never written).
    ind_ptr, ind_labels
        The labels they sum: indicator ``summed[i]`` sums the labels
        ``ind_labels[ind_ptr[i]:ind_ptr[i + 1]]`` (positions in ``labels``), in the order
        :func:`deterrence.outcomes.indicator_values` sums them.
    names
        The regime name of every code (:func:`deterrence.outcomes.regime_code_names`).
    """

    params: tuple[str, ...]
    players: tuple[str, ...]
    labels: tuple[str, ...]
    mixed: np.ndarray
    status_quo: int
    summed: tuple[str, ...]
    ind_ptr: np.ndarray
    ind_labels: np.ndarray
    names: np.ndarray

    @classmethod
    def of(cls, params: Sequence[str], players: Sequence[str], labels: Sequence[str], pure: np.ndarray
           ) -> RowLayout:
        """The layout of a model with these parameters, players, labels and pure structures."""
        labels = tuple(labels)
        if len(labels) > 7:  # the kernels' labels are the vocabulary's: one byte per regime code
            raise ValueError(f"{len(labels)} outcome labels: the compiled rows take at most 7")
        pos = {lab: k for k, lab in enumerate(labels)}
        summed = {name: [pos[lab] for lab in labs if lab in pos] for name, labs in INDICATORS.items()}
        summed = {name: ks for name, ks in summed.items() if ks}
        return cls(
            tuple(params), tuple(players), labels,
            (~np.asarray(pure, dtype=bool)).astype(np.uint8),
            pos.get("status_quo", -1),
            tuple(summed),
            np.cumsum([0, *map(len, summed.values())]).astype(np.int64),
            np.array([k for ks in summed.values() for k in ks], dtype=np.int64),
            regime_code_names(labels),
        )  # fmt: skip

    def float_names(self) -> tuple[str, ...]:
        """The columns of the float rows after the parameters, in order."""
        return (
            "p_attack", *self.summed, *(f"payoff_{pl}" for pl in self.players),
            *(f"outcome_{lab}" for lab in self.labels), "regret",
        )  # fmt: skip

    def n_float(self, n_params: int) -> int:
        """Float rows: ``n_params`` parameters, the indicators reached, payoffs, outcome
        probabilities, regret."""
        return n_params + len(self.float_names())


_fill = nb.njit(cache=True, nogil=True, error_model="numpy")


@_fill
def fill_rows(block, n, first, ids, params, n_params, layout, tol, row0, F, I, codes):
    """Write a block's ``n`` rows into rows ``row0, row0 + 1, ...`` of the wide arrays.

    ``block`` is the engine's ``(point, equilibrium, n_equilibria, structure, regret, outcome,
    payoff)`` for points ``first, first + 1, ...`` (``point`` counts from the block's first; the
    arrays may be longer than ``n``: their first ``n`` rows are the block's); ``ids[p]`` is
    point ``p``'s id, ``params[q][p]`` its value of parameter ``q`` (the first ``n_params`` of
    the tuple); ``layout`` is ``(mixed, status_quo, ind_ptr, ind_labels)`` of
    :class:`RowLayout`. ``F`` gets the parameters, the indicators reached, payoffs, outcome
    probabilities and regret, one row each; ``I`` the point id, equilibrium and count (and the
    structure if it has a fourth row); ``codes`` the regime codes. Every loop runs down one
    column.
    """
    point, eq, n_eq, struct, regret, outcome, payoff = block
    mixed, sq, ind_ptr, ind_labels = layout
    L, N = outcome.shape[0], payoff.shape[0]
    for j in range(n):
        I[I_POINT, row0 + j] = ids[first + point[j]]
    for j in range(n):
        I[I_EQ, row0 + j], I[I_COUNT, row0 + j] = eq[j], n_eq[j]
    if I.shape[0] > I_STRUCT:
        for j in range(n):
            I[I_STRUCT, row0 + j] = struct[j]
    for q in range(n_params):
        col = params[q]
        for j in range(n):
            F[q, row0 + j] = col[first + point[j]]
    c = n_params
    for j in range(n):  # p_attack = 1 - P(status_quo)
        F[c, row0 + j] = 1.0 - outcome[sq, j] if sq >= 0 else 1.0
    for i in range(ind_ptr.shape[0] - 1):  # the others: 0 + first label + second label ...
        c += 1
        for j in range(n):
            F[c, row0 + j] = 0.0 + outcome[ind_labels[ind_ptr[i]], j]
        for t in range(ind_ptr[i] + 1, ind_ptr[i + 1]):
            lab = ind_labels[t]
            for j in range(n):
                F[c, row0 + j] += outcome[lab, j]
    for i in range(N):
        c += 1
        for j in range(n):
            F[c, row0 + j] = payoff[i, j]
    for lab in range(L):
        c += 1
        for j in range(n):
            F[c, row0 + j] = outcome[lab, j]
    for j in range(n):
        F[c + 1, row0 + j] = regret[j]
        code = np.int64(mixed[struct[j]]) << L
        for lab in range(L):
            if outcome[lab, j] > tol:
                code |= np.int64(1) << lab
        codes[row0 + j] = code


class RowSink:
    """The table's arrays, filled chunk by chunk in the order of the points (see the module
    docstring): a chunk's rows are copied (:func:`fill_rows`) as soon as every chunk before it
    is in, by the thread that completes the sequence, so that each row is written once into
    the table while the engine's rows of the chunk are still in the cache.

    Parameters
    ----------
    layout
        The model's :class:`RowLayout`.
    points
        The points (one column per parameter, the ids as the index).
    capacity
        Rows to make room for (grown when short).
    structures
        Keep every row's structure (for :meth:`table`'s ``structure`` column).
    """

    def __init__(self, layout: RowLayout, points: pd.DataFrame, capacity: int, structures: bool = False
                 ) -> None:
        self.layout = layout
        self._structures = structures
        self._index = points.index.to_numpy()
        self._values = {name: points[name].to_numpy() for name in layout.params}
        self._fused = [name for name, v in self._values.items() if v.dtype == np.float64]
        # ids and parameters gathered in the compiled code when they are int64 and float64 (else
        # positions, gathered at the end); read-only views: numba compiles one version of it
        self._direct = self._index.dtype == np.int64 and len(self._fused) == len(self._values)
        ids = self._index if self._direct else np.arange(len(self._index), dtype=np.int64)
        self._ids = _readonly(ids)
        self._cols = tuple(_readonly(self._values[k]) for k in self._fused) or (_readonly(np.zeros(0)),)
        self._spec = (layout.mixed, layout.status_quo, layout.ind_ptr, layout.ind_labels)
        self._arrays = self._room(max(int(capacity), 16))
        self.rows = 0
        self._next = 0
        self._pending: dict[int, tuple[int, tuple[np.ndarray, ...], int, Callable[[], Any]]] = {}
        self._lock = threading.Lock()

    def _room(self, capacity: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n_float, n_int = self.layout.n_float(len(self._fused)), 4 if self._structures else 3
        F, I = np.empty((n_float, capacity)), np.empty((n_int, capacity), np.int64)
        return F, I, np.empty(capacity, np.uint8)

    def deliver(self, k: int, first: int, block: tuple[np.ndarray, ...], rows: int,
                done: Callable[[], Any] = lambda: None) -> None:
        """Chunk ``k`` (chunks count from 0, in the order of the points): its ``rows`` rows of
        the engine's ``block`` (see :func:`fill_rows`) for points ``first, ...``. ``done()`` is
        called once they are copied (the block's arrays may then be reused)."""
        with self._lock:
            self._pending[k] = (first, block, rows, done)
            while self._next in self._pending:
                first, block, rows, done = self._pending.pop(self._next)
                self._fill(first, block, rows)
                self._next += 1
                done()

    def _fill(self, first: int, block: tuple[np.ndarray, ...], rows: int) -> None:
        F, I, codes = self._arrays
        if self.rows + rows > len(codes):  # grow: every earlier chunk is in, none is being copied
            grown = self._room(max(2 * len(codes), self.rows + rows))
            for old, new in zip(self._arrays, grown, strict=True):
                new[..., : self.rows] = old[..., : self.rows]
            F, I, codes = self._arrays = grown
        at, n_fused = self.rows, len(self._fused)
        fill_rows(block, rows, first, self._ids, self._cols, n_fused, self._spec, LABEL_TOL, at, F, I, codes)
        self.rows += rows

    def table(self, structure_names: np.ndarray | None = None) -> pd.DataFrame:
        """The tidy rows (columns in the order of :func:`deterrence.sweeps._tidy.column_order`, the
        kernel's part of it); ``structure_names`` (with ``structures``): add a ``structure``
        column with these names."""
        n, layout = self.rows, self.layout
        F, I, codes = (a[..., :n] for a in self._arrays)
        at = I[I_POINT]
        data: dict[str, Any] = {"point": at if self._direct else self._index[at]}
        for name in layout.params:
            data[name] = F[self._fused.index(name)] if name in self._fused else self._values[name][at]
        data["equilibrium"], data["n_equilibria"] = I[I_EQ], I[I_COUNT]
        data["regime"] = _text(layout.names[codes])
        rows = dict(zip(layout.float_names(), F[len(self._fused) :], strict=True))
        zeros = iter(untouched_zeros(6 - len(layout.summed), n))
        for name in ("p_attack", *INDICATORS):
            data[name] = rows[name] if name in rows else next(zeros)
        data.update((name, rows[name]) for name in layout.float_names()[1 + len(layout.summed) :])
        data["bayes_error"] = next(zeros)
        path = np.empty(n, dtype=object)
        path.fill("compiled")  # one object referenced n times: faster than a gather
        data["path"] = _text(path)
        if structure_names is not None:
            data["structure"] = _text(structure_names[I[I_STRUCT]])
        return pd.DataFrame(data, copy=False)


def untouched_zeros(k: int, n: int) -> np.ndarray:
    """``k`` rows of ``n`` zeros in fresh private anonymous memory (where the system has it): the
    system maps its pages to its zero page until they are written, so nothing is filled and
    nothing faulted in, as ``np.zeros`` would (heap memory: cleared, page by page). Columns of
    zeros (a ``bayes_error``, the indicators a model never reaches) cost nothing to make."""
    private = getattr(mmap, "MAP_PRIVATE", None)
    if private is None or k * n == 0:  # pragma: no cover - systems without mmap flags
        return np.zeros((k, n))
    buf = mmap.mmap(-1, k * n * 8, flags=private)
    return np.frombuffer(buf, dtype=np.float64).reshape(k, n)


def _readonly(values: np.ndarray) -> np.ndarray:
    """A contiguous read-only view of ``values`` (a copy only if they are not contiguous)."""
    view = np.ascontiguousarray(values).view()
    view.flags.writeable = False
    return view


def _text(values: np.ndarray) -> pd.Series:
    """A column of Python strings kept as ``object`` (pandas would convert it to its string type)."""
    return pd.Series(values, dtype=object, copy=False)
