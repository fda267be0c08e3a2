"""Compiled models: a model's equilibrium structures tested on whole arrays of parameter points.

A model compiles once into a :class:`CompiledModel`. Compiling lambdifies the model's payoff
and chance-probability expressions (sympy -> numpy) and lists the candidate equilibrium
*structures* of its tree:

* every pure behaviour profile, and
* (PBE) every profile that mixes at two on-path binary information sets and is pure
  elsewhere. With perfect recall a set's indifference condition does not depend on its own
  mixture, so each condition is linear in the other set's mixing probability: the pair is
  solved in closed form at every point. (A profile mixing at one set only is an equilibrium
  only on a knife edge, where it is a continuum: the per-point solver lists none, nor does
  the kernel.)

The per-point solver also solves patterns mixing at three or more sets (up to six), over three
or more actions at a set, and the two-set patterns the probe pruned. The kernels' guard
(:mod:`deterrence.kernels._guard`, a :class:`~deterrence.kernels._systems.SystemGuard` held by the
model) proves at each point that none of them holds a PBE, and marks the points where it cannot
as undecided (the sweep solves them per point).

Every structure compiles to rows of linear forms over per-point features
(:mod:`deterrence.kernels._linforms`), laid out as flat arrays
(:mod:`deterrence.kernels._program`); :meth:`CompiledModel.evaluate` runs the numba engine
(:mod:`deterrence.kernels._engine`) on chunks of points, on threads: the same checks as
:mod:`deterrence.certificates` (best responses on the path given Bayes beliefs, off it the
mover's own belief carried forward where it has weight and the belief policy elsewhere, on each
player's scale in the per-point solver), with knife edges (ties, mixing
probabilities at 0 or 1) decided as the per-point solver decides them. Points floating point
cannot place are returned in a mask so that the sweep solves them per point instead.
Compiled and per-point results are tested to agree (``tests/test_kernels.py``).
A PBE model with more than :data:`MAX_STRUCTURES` candidate structures is compiled over the
actions that survive iterated conditional dominance at the probe points, if they are few enough
and no set keeps more than two (:mod:`deterrence.kernels._dominance`, which checks at each point
that the removed actions are dominated there; points where they are not are solved per point).
Each chunk's rows are filled into the tidy table in compiled code as soon as the chunks
before it are in (:mod:`deterrence.kernels._rows`), while they are still in the cache.

Where the parts live
--------------------
This module holds :class:`CompiledModel` (construction, the structure enumeration,
:meth:`~CompiledModel.evaluate` and the tidy rows), :func:`compile_tree` and
:func:`compile_model` with its cache ``_COMPILED``. The symbolic trees and structures are in
:mod:`deterrence.kernels._trees`; the rows in :mod:`deterrence.kernels._linforms`, their flat
layout in :mod:`deterrence.kernels._program`, the engine in :mod:`deterrence.kernels._engine` and
the table's rows in :mod:`deterrence.kernels._rows`;
the tree-walking reference checks (the test oracle) in :mod:`deterrence.kernels._reference`
(:class:`~deterrence.kernels._reference.ReferencePath`), held by a :class:`CompiledModel`;
:func:`domain_sample` in :mod:`deterrence.kernels._sample`.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import sympy as sp

from ..equilibrium import check_belief_policy
from ..errors import UnsupportedError
from ..outcomes import LABEL_TOL, OUTCOMES
from ..solvers.backward_induction import listing_order
from . import _engine as engine
from ._d1 import D1Check
from ._dominance import DominanceCheck, kept_actions
from ._guard import count_patterns
from ._linforms import FeatureSpace, RowSet, StructurePlan, TreePaths, build_plan
from ._program import Packed, packed
from ._reference import ReferencePath
from ._rows import RowLayout, RowSink
from ._sample import domain_sample
from ._systems import SystemGuard
from ._trees import Structure, SymbolicTree, symbolic_tree
from ._units import decision_units
from ._vectree import VectorTree

#: compiling more candidate structures than this is slower than solving per point
MAX_STRUCTURES = 3_000
#: points per call of the engine: a chunk; its rows are copied into the table while they are
#: still in the processor's cache (:class:`~deterrence.kernels._rows.RowSink`)
CHUNK_POINTS = 8192
#: spare engine buffers a compiled model keeps for its next chunks
MAX_SPARE = 8
#: below this many points a call runs on one thread
MIN_PARALLEL = 4096


_THREADS: list[int | None] = [None]
_POOL: dict[int, ThreadPoolExecutor] = {}
_POOL_LOCK = threading.Lock()


def set_threads(n: int | None) -> None:
    """Threads the kernels use to evaluate a call's points (``None``: one per CPU core).

    A process-pool or Dask worker sets 1, so that workers do not compete for the cores.
    """
    _THREADS[0] = None if n is None else max(1, int(n))


def threads() -> int:
    """The number of threads the kernels use (see :func:`set_threads`)."""
    return _THREADS[0] or os.cpu_count() or 1


def _pool(n: int) -> ThreadPoolExecutor:
    with _POOL_LOCK:
        if n not in _POOL:
            _POOL[n] = ThreadPoolExecutor(max_workers=n, thread_name_prefix="deterrence-kernel")
        return _POOL[n]


def _forget_pools() -> None:
    """In a child forked from this process: start without pools. A fork copies only the thread
    that forks, so a pool kept from the parent has no threads, and work queued on it would
    never run (the child would hang); its lock may also have been held by another thread."""
    global _POOL_LOCK
    _POOL.clear()
    _POOL_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_forget_pools)


@dataclass(frozen=True)
class Found:
    """The equilibria found at a block of points: its first ``count`` entries, one per (point,
    equilibrium), sorted (the arrays may be longer: the engine's room for rows).

    Attributes
    ----------
    point
        Position of the point in the block.
    equilibrium, n_equilibria
        Index of the equilibrium at its point, and how many hold there.
    structure
        Index of the structure in :attr:`CompiledModel.structures`.
    regret
        Largest gain from a deviation on the path, in the units of
        :func:`~deterrence.kernels._units.decision_units`.
    outcome, payoff
        ``(labels, rows)`` outcome probabilities and ``(players, rows)`` expected payoffs.
    count
        The number of entries.
    scratch
        The engine buffers that hold the arrays (reused once the rows are in the table).
    """

    point: np.ndarray
    equilibrium: np.ndarray
    n_equilibria: np.ndarray
    structure: np.ndarray
    regret: np.ndarray
    outcome: np.ndarray
    payoff: np.ndarray
    count: int
    scratch: Any = None

    def arrays(self) -> tuple[np.ndarray, ...]:
        """``(point, equilibrium, n_equilibria, structure, regret, outcome, payoff)``, as
        :func:`deterrence.kernels._rows.fill_rows` reads them."""
        return (self.point, self.equilibrium, self.n_equilibria, self.structure, self.regret,
                self.outcome, self.payoff)  # fmt: skip


class CompiledModel:
    """A model compiled for vectorised equilibrium tests (see the module docstring).

    Parameters
    ----------
    tree
        The model's symbolic tree.
    concept
        ``"pbe"`` or ``"spe"``.
    belief_policy
        ``"free"``, ``"prior"`` or ``"d1"`` (PBE off-path beliefs; see :func:`deterrence.solve`).
        Under ``"d1"`` the engine runs the ``free`` checks and :class:`~deterrence.kernels._d1.D1Check`
        keeps the equilibria whose unreached sets hold under the D1 beliefs.
    tol
        Certification tolerance (as in ``solve``).
    edge
        Margin of floating point: a regret between ``tol`` and ``edge``, or a mixing
        probability within ``edge`` of 0 or 1 but not on it, sends the point to the per-point
        path (see :mod:`deterrence.kernels._engine`).
    probe
        Parameter arrays of points inside the domains: mixed structures that cannot mix at
        them are not compiled (see :func:`compile_tree`).
    """

    def __init__(
        self,
        tree: SymbolicTree,
        concept: str = "pbe",
        belief_policy: str = "free",
        tol: float = 1e-8,
        edge: float = 1e-7,
        *,
        probe: Mapping[str, np.ndarray] | None = None,
        kept: Sequence[Sequence[int]] | None = None,
        guard: bool = True,
    ) -> None:
        game = tree.structure
        _check_supported(game, concept, belief_policy)
        self.tree = tree
        self.game = game
        self.concept = concept
        self.belief_policy = belief_policy
        self.tol = tol
        self.edge = edge
        self.vt = VectorTree(game)
        self._labels = [lab for lab in OUTCOMES if any(lab in t for t in game.terminal_outcomes)]
        self._reference = ReferencePath(tree, game, self.vt, concept, belief_policy, tol, edge, self._labels)
        self._d1 = D1Check(tree, game, self.vt, tol, edge) if belief_policy == "d1" else None
        self._probe = None if probe is None else {k: np.asarray(v, dtype=float) for k, v in probe.items()}
        self._decides: bool | None = None  # decides_some_probe_point, worked out once
        self._probe_cost: tuple[float, float] | None = None  # probe_cost, measured once
        sizes = [len(h.actions) for h in game.infosets]
        self.kept = [tuple(range(k)) for k in sizes] if kept is None else [tuple(a) for a in kept]
        _check_pure_count([len(a) for a in self.kept])
        self.structures: list[Structure] = [Structure(tuple(p)) for p in itertools.product(*self.kept)]
        if concept == "pbe":
            self.structures += self._mixed_structures(sizes)
        else:
            self.structures.sort(key=_spe_listing_key(game))
        feats, rowset, paths = FeatureSpace(game), RowSet(), TreePaths(game)
        plans: list[StructurePlan] = [
            build_plan(game, paths, feats, rowset, s.pure, s.mixing, concept, self._labels)
            for s in self.structures
        ]
        self._packed: Packed = packed(game, plans, feats, rowset, len(self._labels))
        # PBE: the points where a support pattern not listed here may hold (solved per point)
        self._guard: SystemGuard | None = None
        if guard:
            self.build_guard()
        self._pure = np.array([not s.mixing for s in self.structures], dtype=bool)
        self._layout = RowLayout.of(tree.names, game.players, self._labels, self._pure)
        self._rows_per_point = 1.25
        self._spare: list[_Scratch] = []  # engine buffers of finished chunks, reused
        removes = any(len(a) < k for a, k in zip(self.kept, sizes, strict=True))
        self._dominance = DominanceCheck(tree, self.kept, tol) if removes else None

    def build_guard(self) -> None:
        """Build the PBE guard (:class:`~deterrence.kernels._systems.SystemGuard`; once). A model
        built with ``guard=False`` has none until then: :meth:`engine_undecided` alone is valid."""
        if self.concept == "pbe" and self._guard is None:
            self._guard = SystemGuard(self.game, self.structures, self.belief_policy, self.kept,
                                      tree=self.tree, pool=self._probe, tol=self.tol, edge=self.edge)

    def engine_undecided(self, points: Mapping[str, np.ndarray]) -> np.ndarray:
        """The points the kernel leaves undecided without its guard (the engine, and under ``d1``
        the D1 check of the engine's equilibria too): a subset of those :meth:`evaluate` leaves."""
        cols = {name: np.asarray(points[name], dtype=float) for name in self.tree.names}
        saved, self._guard = self._guard, None
        try:
            if self._d1 is None:
                undecided, _ = self._evaluate_block(cols)
            else:
                undecided = self.evaluate(pd.DataFrame(cols))[1]
        finally:
            self._guard = saved
        return undecided

    def decides_some_probe_point(self) -> bool:
        """Whether the kernel decides at least one of the probe points it was compiled with
        (worked out once; ``True`` when it has no probe). A kernel that hands every point back to
        the per-point solver (``chain_store``'s under ``d1``: its D1 beliefs are beyond the kernel)
        only adds its own cost to a sweep's, which then solves per point
        (:func:`deterrence.sweeps._backends.compiled_kernel`, ``path="auto"``), as the explorer does."""
        if self._decides is None:
            if self._probe is None:
                self._decides = True
            else:
                points = pd.DataFrame(self._probe)
                for name in self.tree.names:
                    if name not in points.columns:
                        return True
                with np.errstate(all="ignore"):  # payoffs may overflow at a probe point (decided per point)
                    self._decides = not bool(self.evaluate(points)[1].all())
        return self._decides

    def probe_cost(self) -> tuple[float, float]:
        """``(seconds, share)``: the kernel's CPU seconds per point and the share of points it
        leaves undecided, measured once on the probe points it was compiled with (after
        :meth:`decides_some_probe_point`, which pays the first call's one-time work). For the
        sweep's choice of path (:mod:`deterrence.kernels._cost`); ``(0, 0)`` without a probe."""
        if self._probe_cost is None:
            if self._probe is None or any(name not in self._probe for name in self.tree.names):
                self._probe_cost = (0.0, 0.0)
            else:
                self.decides_some_probe_point()
                points = pd.DataFrame(self._probe)
                start = time.process_time()
                with np.errstate(all="ignore"):
                    undecided = self.evaluate(points)[1]
                seconds = (time.process_time() - start) / max(len(points), 1)
                self._probe_cost = (seconds, float(np.mean(undecided)) if len(points) else 0.0)
        return self._probe_cost

    @property
    def prunes_by_dominance(self) -> bool:
        """Whether the structures leave out actions (those iterated dominance removed at the
        probe points; each point is checked, see :mod:`deterrence.kernels._dominance`)."""
        return self._dominance is not None

    # ------------------------------------------------------------------ structures
    def _mixed_structures(self, sizes: list[int]) -> list[Structure]:
        """Structures mixing at two binary sets, pure elsewhere, in the per-point solver's order
        of support patterns (each set: its actions alone, in order, then the mixture)."""
        _check_mixed_count(sizes, self.kept)
        binary = _binary_sets(sizes, self.kept)
        out: list[Structure] = []
        for mix in itertools.combinations(binary, 2):
            others = [h for h in range(len(sizes)) if h not in mix]
            for combo in itertools.product(*[self.kept[h] for h in others]):
                pure = [-1] * len(sizes)
                for h, a in zip(others, combo, strict=True):
                    pure[h] = a
                s = Structure(tuple(pure), mix)
                if self._probe is None or self._reference.may_mix(s, self._probe):
                    out.append(s)
        return sorted(out, key=lambda s: tuple(a if a >= 0 else sizes[h] for h, a in enumerate(s.pure)))

    # ------------------------------------------------------------------ evaluation
    def substituted(self, fixed: Mapping[str, Any]) -> CompiledModel:
        """The same compiled model with some parameters fixed in the symbolic tree (for sympy work)."""
        subs = {self.tree.symbols[self.tree.names.index(k)]: sp.nsimplify(v) for k, v in fixed.items()}
        tree = SymbolicTree(
            self.tree.structure,
            self.tree.names,
            self.tree.symbols,
            tuple(tuple(e.xreplace(subs) for e in row) for row in self.tree.payoffs),
            tuple(tuple(e.xreplace(subs) for e in row) for row in self.tree.chance),
        )
        obj = CompiledModel.__new__(CompiledModel)
        obj.__dict__.update(self.__dict__)
        obj.tree = tree
        obj._reference = self._reference.with_tree(tree)
        if self._d1 is not None:
            obj._d1 = D1Check(tree, self.game, self.vt, self.tol, self.edge)
        if self._dominance is not None:
            obj._dominance = DominanceCheck(tree, self.kept, self.tol)
        return obj

    def evaluate_reference(
        self, points: pd.DataFrame, *, with_structure: bool = False
    ) -> tuple[pd.DataFrame, np.ndarray]:
        """Same as :meth:`evaluate`, by the slower tree-walking path (a cross-check in tests)."""
        found, undecided = self._reference.search(points, self.structures)
        cols = {name: points[name].to_numpy(dtype=float) for name in self.tree.names}
        if self._dominance is not None:
            undecided = undecided | self._dominance.undecided(cols)
        if self._guard is not None:
            undecided = undecided | self._guard.flags(*self.tree.numeric_columns(cols), self.tol, self.edge)
        flat = _found_from_masks(found, undecided, self._labels, self.game.num_players)
        edges = label_edge_points(flat.outcome[:, :flat.count], flat.point[:flat.count])
        if len(edges):  # as the engine's rows (_drop_label_edges)
            undecided = undecided.copy()
            undecided[edges] = True
            flat = _found_from_masks(found, undecided, self._labels, self.game.num_players)
        if self._d1 is None:
            return self._table(points, flat, with_structure), undecided
        return self._d1_refined(points, self._table(points, flat, True), undecided, with_structure)

    def evaluate(
        self, points: pd.DataFrame, *, with_structure: bool = False
    ) -> tuple[pd.DataFrame, np.ndarray]:
        """Equilibria at every point: the tidy rows and the mask of undecided points.

        Parameters
        ----------
        points
            One column per model parameter; the index holds the global point ids.
        with_structure
            Add a ``structure`` column (``"k.0"``: structure ``k``).

        Returns
        -------
        table, undecided
            ``table`` has one row per (decided point, equilibrium) in the schema of
            :mod:`deterrence.sweeps._tidy` (without ``selected`` and the baseline columns),
            sorted by point and equilibrium; ``undecided[k]`` is True where point ``k`` must
            be solved per point (no rows are returned for it).
        """
        if self._d1 is not None:
            table, undecided = self._evaluate_engine(points, True)
            return self._d1_refined(points, table, undecided, with_structure)
        return self._evaluate_engine(points, with_structure)

    def _evaluate_engine(self, points: pd.DataFrame, with_structure: bool) -> tuple[pd.DataFrame, np.ndarray]:
        """:meth:`evaluate` by the engine alone (under ``d1``: its ``free`` checks)."""
        npts = len(points)
        cols = {name: points[name].to_numpy(dtype=float) for name in self.tree.names}
        n_chunks = max(1, math.ceil(npts / CHUNK_POINTS))
        tasks = min(threads() if npts >= MIN_PARALLEL else 1, n_chunks)
        undecided = np.zeros(npts, dtype=bool)
        sink = RowSink(self._layout, points, int(npts * self._rows_per_point) + 16, with_structure)
        order = itertools.count()  # the next chunk to evaluate (next() is atomic)

        def work(_task: int) -> None:
            while (k := next(order)) < n_chunks:
                a, b = k * CHUNK_POINTS, (k + 1) * CHUNK_POINTS
                chunk = {name: v[a:b] for name, v in cols.items()}
                _und, found = self._evaluate_block(chunk, undecided[a:b], self._reuse())
                sink.deliver(k, a, found.arrays(), found.count, lambda s=found.scratch: self._keep(s))

        list((_pool(tasks).map if tasks > 1 else map)(work, range(tasks)))
        self._rows_per_point = max(1.0, 1.05 * sink.rows / max(npts, 1))
        table = sink.table(self._structure_names() if with_structure else None)
        if not points.index.is_monotonic_increasing:
            table = table.sort_values(["point", "equilibrium"], kind="stable").reset_index(drop=True)
        return table, undecided

    def _d1_refined(self, points: pd.DataFrame, table: pd.DataFrame, undecided: np.ndarray,
                    with_structure: bool) -> tuple[pd.DataFrame, np.ndarray]:
        """The ``free`` equilibria ``table`` (with its ``structure`` column) kept where they hold
        under D1 beliefs (:class:`~deterrence.kernels._d1.D1Check`): each structure tested at the
        points where it holds under ``free``; points it cannot place join ``undecided``, and
        their rows go. Equilibria are renumbered at each point, in their order."""
        undecided = np.asarray(undecided).copy()
        keep = np.ones(len(table), dtype=bool)
        position = points.index.get_indexer(table["point"].to_numpy())
        sid = table["structure"].to_numpy(dtype=object)
        for name in pd.unique(sid):
            rows = np.flatnonzero(sid == name)
            s = self.structures[int(float(name))]
            at = position[rows]
            cols = {k: points[k].to_numpy(dtype=float)[at] for k in self.tree.names}
            holds, unsure = self._d1.verdicts(s, cols)
            keep[rows] = holds
            undecided[at[unsure]] = True
        keep &= ~undecided[position]
        out = table.loc[keep].reset_index(drop=True)
        if not with_structure:
            out = out.drop(columns="structure")
        point = out["point"].to_numpy()
        counts = out.groupby("point", sort=False)["point"].transform("size").to_numpy()
        first = np.r_[True, point[1:] != point[:-1]] if len(point) else np.zeros(0, dtype=bool)
        start = np.maximum.accumulate(np.where(first, np.arange(len(point)), 0)) if len(point) else point
        out["equilibrium"] = (np.arange(len(point)) - start).astype(np.int64)
        out["n_equilibria"] = counts.astype(np.int64)
        return out, undecided

    def _reuse(self) -> _Scratch | None:
        """Spare engine buffers, if any (``list.pop`` is atomic: threads may race for them)."""
        try:
            return self._spare.pop()
        except IndexError:
            return None

    def _keep(self, scratch: _Scratch | None) -> None:
        """Keep a finished chunk's engine buffers for the next chunks (a few at most)."""
        if scratch is not None and len(self._spare) < MAX_SPARE:
            self._spare.append(scratch)

    def _structure_names(self) -> np.ndarray:
        return np.array([f"{k}.0" for k in range(len(self.structures))], dtype=object)

    def knife_edges(
        self,
        points: pd.DataFrame,
        domains: Mapping[str, tuple[float, float]] | None = None,
        rel: float = 1e-6,
        regimes_at: Sequence[Sequence[str]] | None = None,
        solve_point: Callable[[dict[str, float]], Sequence[str]] | None = None,
    ) -> np.ndarray:
        """Per point: does it sit on a knife edge, where the equilibria change?

        True where moving one parameter by ``rel`` (relative; absolute below 1) up or down,
        within ``domains``, changes the point's equilibria (their regimes, with multiplicity): a
        tie between actions, a mixing probability at 0 or 1, the boundary of a regime; and
        where the kernel leaves the point (or a moved point) undecided, unless the caller
        supplies the answer there: ``regimes_at`` (the regimes of the equilibria solved at each
        point) and ``solve_point`` (the regimes at a moved point, from its parameter values).
        """
        names, n = list(self.tree.names), len(points)
        base = pd.DataFrame({k: points[k].to_numpy(dtype=float) for k in names})
        moved = [base]
        for k in names:
            for sign in (-1.0, 1.0):
                shifted = base.copy()
                x = shifted[k].to_numpy()
                lo, hi = (domains or {}).get(k, (-np.inf, np.inf))
                shifted[k] = np.clip(x + sign * rel * np.maximum(np.abs(x), 1.0), lo, hi)
                moved.append(shifted)
        every = pd.concat(moved, ignore_index=True)
        table, undecided = self.evaluate(every)
        key = table.groupby("point")["regime"].agg(lambda r: tuple(sorted(r)))
        sets = np.empty(len(every), dtype=object)  # filled one by one: tuples stay whole
        for i in range(len(every)):
            sets[i] = key.get(i, ())
        open_ = np.asarray(undecided).copy()
        if regimes_at is not None:
            for i, regimes in enumerate(regimes_at):
                same = [j * n + i for j, m in enumerate(moved) if (m.iloc[i] == base.iloc[i]).all()]
                for row in same:
                    sets[row], open_[row] = tuple(sorted(regimes)), False
        if solve_point is not None:
            for row in np.flatnonzero(open_):
                sets[row] = tuple(sorted(solve_point(every.iloc[row].to_dict())))
                open_[row] = False
        sets, open_ = sets.reshape(-1, n), open_.reshape(-1, n)
        changed = np.array([any(sets[j, i] != sets[0, i] for j in range(1, len(sets))) for i in range(n)])
        return open_.any(axis=0) | changed

    def _evaluate_block(
        self,
        cols: Mapping[str, np.ndarray],
        undecided: np.ndarray | None = None,
        scratch: _Scratch | None = None,
    ) -> tuple[np.ndarray, Found]:
        """The engine on one chunk of points: (undecided mask, equilibria found). ``undecided``:
        the mask to flag the undecided points in (else a new one); ``scratch``: engine buffers
        to reuse (else new ones; :attr:`Found.scratch` holds those used, the row arrays grown
        when short)."""
        npts = len(next(iter(cols.values()))) if cols else 1
        pay, ce = self.tree.numeric_columns(cols)
        if self._dominance is not None:  # a removed action not surely dominated: solved per point
            pay[:, self._dominance.undecided(cols)] = np.nan
        if self._guard is not None:  # the guard's points go to the engine as not finite: undecided
            pay[:, self._guard.flags(pay, ce, self.tol, self.edge)] = np.nan
        pk, n_players = self._packed, self.game.num_players
        # each player's unit of regret, as the per-point path accepts a regret (_units)
        by_point = pay.reshape(len(pay) // n_players, n_players, npts).transpose(2, 0, 1)
        units = np.ascontiguousarray(decision_units(by_point).T)
        flags = (self.concept == "spe", self.belief_policy == "prior", self.tol, self.edge)
        if scratch is None:
            scratch = _Scratch(engine_buffers(pk, n_players, len(self.structures)), ())
        if undecided is None:
            undecided = np.zeros(npts, dtype=bool)
        # room for the rows: as many per point as the last call needed, grown when short
        out, need = scratch.out, int(npts * self._rows_per_point) + 16
        if not out or len(out[0]) < need:
            out = _row_arrays(need + need // 4, pk.n_labels, n_players)
        start = row = 0
        while True:
            start, row = engine.run(
                pay, ce, units, pk.code, pk.weights, *flags, scratch.bufs, start, row, undecided, out
            )
            if start >= npts:
                break
            grown = _row_arrays(2 * len(out[0]), pk.n_labels, n_players)
            for old, new in zip(out, grown, strict=True):
                new[..., :row] = old[..., :row]
            out = grown
        scratch.out = out
        row = _drop_label_edges(out, row, undecided)
        return undecided, Found(*out, count=row, scratch=scratch)

    def _table(self, points: pd.DataFrame, found: Found, with_structure: bool = False) -> pd.DataFrame:
        """The tidy rows of the equilibria ``found`` at ``points`` (one block: the columns of
        :mod:`deterrence.sweeps._tidy` that a kernel knows), sorted by point and equilibrium."""
        sink = RowSink(self._layout, points, found.count, with_structure)
        sink.deliver(0, 0, found.arrays(), found.count)
        table = sink.table(self._structure_names() if with_structure else None)
        if not points.index.is_monotonic_increasing:
            table = table.sort_values(["point", "equilibrium"], kind="stable").reset_index(drop=True)
        return table


class _Scratch:
    """A chunk's engine buffers: the scratch arrays (:func:`engine_buffers`) and the room for
    rows (:func:`_row_arrays`, empty until the first chunk)."""

    __slots__ = ("bufs", "out")

    def __init__(self, bufs: tuple[np.ndarray, ...], out: tuple[np.ndarray, ...]) -> None:
        self.bufs, self.out = bufs, out


def engine_buffers(pk: Packed, n_players: int, n_structures: int) -> tuple[np.ndarray, ...]:
    """Scratch arrays of the engine (:func:`deterrence.kernels._engine.run`), in the order it
    unpacks them, for a block of ``B`` points computed together: chance reach ``(nodes, B)``,
    chance products of the conditional features ``(pairs, B)``, two per-point temporaries, the
    four ends of the belief intervals and a forced belief's node and margin ``(6, B)``; one
    point's corner weights and belief-interval values (or the free beliefs' linear program,
    :func:`~deterrence.kernels._engine.lp_room`); the mixing equations' status and
    solutions ``(equations, B)``; the shared checks' block stamps, margins, regret parts and
    unknown flags ``(memo, B)``; the structures' verdicts and regrets ``(structures, B)`` and
    the block's candidate structures; three per-point temporaries; features ``(features, B)``,
    rows ``(rows, B)`` and their error bounds ``(rows, B)``; the players' units of regret ``(B, players)``
    and ``(players, B)``; which points are finite; each point's count of equilibria, first row
    and rows written so far; for the structures mixing at two sets, the corner weights ``(4,
    B)``, a check's rows per corner ``(4 (plans + 1))``, its margins, and the mixing status,
    the check flags and the points still in play ``(3, B)``. ``B`` = 128 points: enough to
    spread each block's per-check and per-structure bookkeeping thin, few enough to keep a
    block's arrays in the processor's second-level cache."""
    B = 128
    S, E, M = max(n_structures, 1), max(pk.n_equations, 1), max(pk.n_memo, 1)
    return (
        np.empty((pk.n_nodes, B)), np.empty((max(pk.n_pairs, 1), B)), np.empty(B), np.empty(B),
        np.empty((6, B)), np.ones(4), np.empty(engine.lp_room(pk.max_set_nodes, pk.max_plans)),
        np.zeros((E, B), dtype=np.int64), np.zeros((E, B)),
        np.zeros(M, dtype=np.int64), np.zeros((M, B)), np.zeros((M, B)), np.zeros((M, B)),
        np.zeros((S, B), dtype=np.int64), np.zeros((S, B)), np.zeros(S, dtype=np.int64),
        np.empty(B), np.empty(B), np.empty(B),
        np.empty((pk.n_features, B)), np.empty((pk.n_rows, B)), np.zeros((pk.n_rows, B)),
        np.empty((B, n_players)), np.empty((n_players, B)), np.zeros(B, dtype=bool),
        np.empty(B, dtype=np.int64), np.empty(B, dtype=np.int64), np.empty(B, dtype=np.int64),
        np.empty((4, B)), np.empty(4 * (pk.max_plans + 1), dtype=np.int64), np.empty(B),
        np.empty((3, B), dtype=np.int64),
    )  # fmt: skip


#: an outcome probability within this relative distance of ``LABEL_TOL`` (the threshold at which
#: the rows' regime labels count an outcome, :mod:`deterrence.outcomes`) may fall on the other side
#: of it on the per-point path, which computes it otherwise (at a domain end: 9.9999997e-10 here,
#: 1.0000000000000003e-09 there): the point is undecided (solved per point)
LABEL_BAND = 1e-5


def label_edge_points(outcome: np.ndarray, point: np.ndarray) -> np.ndarray:
    """The distinct points (of ``point``, one per row) of the rows with an outcome probability
    (``outcome``: ``(labels, rows)``) within :data:`LABEL_BAND` of ``LABEL_TOL``, relative."""
    near = np.abs(outcome - LABEL_TOL) <= LABEL_BAND * LABEL_TOL
    if not near.any():
        return np.zeros(0, dtype=np.int64)
    return np.unique(point[near.any(axis=0)])


def _drop_label_edges(out: tuple[np.ndarray, ...], row: int, undecided: np.ndarray) -> int:
    """Flag in ``undecided`` the points of the engine's first ``row`` rows ``out`` (see
    :func:`_row_arrays`) where an outcome probability is too close to ``LABEL_TOL`` to label as the
    per-point path does (:func:`label_edge_points`), and drop their rows (the others moved up, in
    order); returns the rows kept."""
    point, outcome = out[0], out[5]
    edges = label_edge_points(outcome[:, :row], point[:row])
    if not len(edges):
        return row
    undecided[edges] = True
    keep = np.flatnonzero(~np.isin(point[:row], edges))
    for arr in out:
        arr[..., : len(keep)] = arr[..., keep]
    return len(keep)


def _row_arrays(n: int, n_labels: int, n_players: int) -> tuple[np.ndarray, ...]:
    """Room for ``n`` rows of the engine: point, equilibrium, count, structure, regret,
    outcome probabilities ``(labels, n)`` and payoffs ``(players, n)``."""
    ints = tuple(np.empty(n, dtype=np.int64) for _ in range(4))
    return (*ints, np.empty(n), np.empty((n_labels, n)), np.empty((n_players, n)))


def _check_supported(game: Any, concept: str, belief_policy: str) -> None:
    """Refuse (``UnsupportedError``, the sweep then solves per point) what the kernels do not serve."""
    if concept not in ("pbe", "spe"):
        raise UnsupportedError(
            f"compiled kernels serve 'pbe' and 'spe', not '{concept}'", methods=("pointwise",)
        )
    if concept == "spe" and not game.is_perfect_information():
        raise UnsupportedError(
            "compiled SPE kernels need perfect information (singleton information "
            "sets); this model is solved per point",
            methods=("pointwise",),
        )
    if concept == "spe" and listing_order(game) is None:
        raise UnsupportedError(
            "compiled SPE kernels need every decision node to root a subgame (a chance set "
            "spanning several branches joins them); this model is solved per point",
            methods=("pointwise",),
        )
    check_belief_policy(belief_policy)  # a misspelt policy is an OptionError, not "not compiled"
    if concept == "pbe" and belief_policy not in ("free", "prior", "d1"):
        raise UnsupportedError(
            f"compiled PBE kernels serve belief policies 'free', 'prior' and 'd1', not '{belief_policy}'",
            methods=("pointwise",),
        )
    if not game.has_perfect_recall():
        raise UnsupportedError("compiled kernels need perfect recall", methods=("pointwise",))


def _spe_listing_key(game: Any) -> Callable[[Structure], tuple[int, ...]]:
    """Sort key of pure SPE structures: the order in which backward induction lists the pure SPE
    at any point (:func:`deterrence.solvers.backward_induction.listing_order`; its actions at the
    decision nodes, children's subgames before their parents'), so that the engine, which emits a
    point's equilibria in the order of the structures, lists ties as the per-point solver does.
    (The pure PBE structures are already in the per-point PBE solver's order, the product
    order of the sets' actions.)"""
    order = listing_order(game)
    if order is None:  # refused by _check_supported
        raise UnsupportedError("internal: a decision node roots no subgame", methods=("pointwise",))
    return lambda s: tuple(s.pure[h] for h in order)


def _check_size(game: Any, concept: str) -> None:
    """Refuse (``UnsupportedError``) a tree with more candidate structures than
    :data:`MAX_STRUCTURES` (:func:`_check_pure_count`, and for PBE :func:`_check_mixed_count`). It
    reads only the tree's shape, so :func:`compile_model` runs it before sampling a probe; the
    constructor runs the same two checks where it lists each kind of structure."""
    sizes = [len(h.actions) for h in game.infosets]
    _check_pure_count(sizes)
    if concept == "pbe":
        _check_mixed_count(sizes)


def _check_pure_count(sizes: Sequence[int]) -> int:
    """The number of pure behaviour profiles of sets with these action counts; refused above
    :data:`MAX_STRUCTURES`."""
    n_pure = int(np.prod(sizes)) if len(sizes) else 1
    if n_pure > MAX_STRUCTURES:
        raise UnsupportedError(
            f"{n_pure} pure behaviour profiles are too many to compile", methods=("pointwise",)
        )
    return n_pure


def _binary_sets(sizes: Sequence[int], kept: Sequence[Sequence[int]] | None = None) -> list[int]:
    """The sets a structure may mix at: two actions, both kept (``kept``: per set, the actions
    the structures play; all if ``None``)."""
    return [h for h, k in enumerate(sizes) if k == 2 and (kept is None or len(kept[h]) == 2)]


def _check_mixed_count(sizes: Sequence[int], kept: Sequence[Sequence[int]] | None = None) -> None:
    """Refuse the PBE structures, pure and mixing at two binary sets (pure elsewhere), above
    :data:`MAX_STRUCTURES` (counted over the ``kept`` actions of each set, all if ``None``,
    before any probe prunes the mixed ones)."""
    binary = _binary_sets(sizes, kept)
    counts = list(sizes) if kept is None else [len(a) for a in kept]
    n_candidates = int(np.prod(counts)) if len(counts) else 1
    n_candidates += sum(
        int(np.prod([k for h, k in enumerate(counts) if h not in mix]))
        for mix in itertools.combinations(binary, 2)
    )
    if n_candidates > MAX_STRUCTURES:
        raise UnsupportedError(
            f"{n_candidates} candidate equilibrium structures are too many "
            f"to compile (limit {MAX_STRUCTURES}); this model is solved per point",
            methods=("pointwise",),
        )


def _found_from_masks(found: Sequence[tuple], undecided: np.ndarray, labels: Sequence[str], n_players: int
                      ) -> Found:
    """The reference path's equilibria (per structure: where it holds, outcomes, payoffs,
    regret, id) as a :class:`Found`, the points in ``undecided`` left out."""
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return Found(
            empty, empty, empty, empty, np.zeros(0), np.zeros((len(labels), 0)), np.zeros((n_players, 0)), 0
        )
    keep = np.stack([holds & ~undecided for holds, *_rest in found])  # (entries, points)
    point, entry = np.nonzero(keep.T)  # sorted by point, then by structure
    counts = keep.sum(axis=0)
    first = np.cumsum(counts) - counts
    outcome = np.stack([np.stack([np.asarray(f[1][lab]) for f in found])[entry, point] for lab in labels])
    payoff = np.stack([f[2] for f in found])[entry, point].T
    return Found(
        point=point.astype(np.int64),
        equilibrium=(np.arange(len(point)) - first[point]).astype(np.int64),
        n_equilibria=counts[point].astype(np.int64),
        structure=np.array([f[4][0] for f in found], dtype=np.int64)[entry],
        regret=np.stack([np.asarray(f[3], dtype=float) for f in found])[entry, point],
        outcome=outcome.reshape(len(labels), len(point)),
        payoff=np.ascontiguousarray(payoff).reshape(n_players, len(point)),
        count=len(point),
    )


def _kept_or_refuse(
    model: Any, game: Any, probe: Mapping[str, np.ndarray] | None, tol: float, refused: UnsupportedError
) -> list[tuple[int, ...]]:
    """The actions a PBE kernel lists structures over when all the actions are too many:
    per set, the survivors of iterated conditional dominance at some probe point
    (:func:`deterrence.kernels._dominance.kept_actions`). Refused (``refused`` re-raised with the
    reason) without probe points, or when the kept structures are still too many. A set may keep
    three or more actions: the kernels list no mixture there, and the guard
    (:class:`~deterrence.kernels._systems.SystemGuard`) flags the points where a pattern mixing
    there may hold a PBE."""
    if probe is None:
        raise refused
    kept = kept_actions(model, probe, tol)
    sizes = [len(h.actions) for h in game.infosets]
    _check_pure_count([len(a) for a in kept])
    _check_mixed_count(sizes, kept)
    return kept


def compile_tree(
    tree: SymbolicTree,
    concept: str = "pbe",
    belief_policy: str = "free",
    probe: Mapping[str, np.ndarray] | None = None,
    **kwargs: Any,
) -> CompiledModel:
    """Compile a symbolic tree; ``probe`` points (within the domains) prune impossible mixed structures."""
    return CompiledModel(tree, concept, belief_policy, probe=probe, **kwargs)


_COMPILED: dict[tuple[str, str, str, float, float], CompiledModel] = {}
#: models refused after the dominance probe (it costs about a second: not repeated)
_REFUSED: dict[tuple[str, str, str, float, float], UnsupportedError] = {}


def compile_model(
    model: Any, concept: str = "pbe", belief_policy: str = "free", *, tol: float = 1e-8, edge: float = 1e-7
) -> CompiledModel:
    """Compile a model (once per model text, concept, policy, tolerance and margin; cached).

    A PBE model with too many structures over all its actions is compiled over the actions
    that survive iterated conditional dominance at the probe points (:func:`_kept_or_refuse`);
    the kernel then checks at each point that the others are dominated there.

    Raises
    ------
    UnsupportedError
        If the model's tree does not compile for this concept (the sweep then solves per point).
    """
    key, tree = _cache_key(model, concept, belief_policy, tol, edge)
    if key not in _COMPILED:
        probe, kept, wide = _prepared(model, tree, key)
        model_c = compile_tree(tree, concept, belief_policy, probe=probe, tol=tol, edge=edge, kept=kept,
                               guard=not wide)
        if wide:
            try:
                _decides_some(model_c, probe, _TOO_LARGE[key])
            except UnsupportedError as exc:
                _REFUSED[key] = exc
                _forget_prepared(key)  # (else the next call would build it again from what was prepared)
                raise
        _COMPILED[key] = model_c
        _forget_prepared(key)
    return _COMPILED[key]


def _forget_prepared(key: tuple[str, str, str, float, float]) -> None:
    """Drop what :func:`_prepared` kept for ``key``, once the model is compiled or refused."""
    _PREPARED.pop(key, None)
    _TOO_LARGE.pop(key, None)


def compile_counts(model: Any, concept: str = "pbe", belief_policy: str = "free", *, tol: float = 1e-8,
                   edge: float = 1e-7) -> tuple[int, int]:
    """The model's candidate structures and (PBE) guard patterns, counted from the tree's shape
    without compiling (at most the numbers a compile builds: no probe prunes them here), for
    :func:`deterrence.kernels._cost.compile_seconds_estimate`. Over the actions that survive
    iterated dominance where the compile takes them (worked out once: the compile reuses them).

    Raises
    ------
    UnsupportedError
        If the model does not compile (as :func:`compile_model` would refuse it before building).
    """
    return counts_and_digest(model, concept, belief_policy, tol=tol, edge=edge)[0]


def counts_and_digest(model: Any, concept: str = "pbe", belief_policy: str = "free", *, tol: float = 1e-8,
                      edge: float = 1e-7) -> tuple[tuple[int, int], str]:
    """:func:`compile_counts` and the digest of the model's symbolic content (as the compile cache
    keys it), from one symbolic tree: a sweep choosing its path asks for both.

    Raises
    ------
    UnsupportedError
        As :func:`compile_counts`.
    """
    key, tree = _cache_key(model, concept, belief_policy, tol, edge)
    return _counts(model, tree, key), key[0]


def _counts(model: Any, tree: SymbolicTree, key: tuple[str, str, str, float, float]) -> tuple[int, int]:
    """:func:`compile_counts` of the model whose tree and cache key are given."""
    concept = key[1]
    # the same numbers whether compiled already or not: a sweep's choice must not depend on what
    # the process did before
    kept = _COMPILED[key].kept if key in _COMPILED else _prepared(model, tree, key)[1]
    sizes = [len(h.actions) for h in tree.structure.infosets]
    counts = sizes if kept is None else [len(a) for a in kept]
    n_structures = int(np.prod(counts)) if counts else 1
    if concept != "pbe":
        return n_structures, 0
    binary = _binary_sets(sizes, kept)
    n_structures += sum(int(np.prod([k for h, k in enumerate(counts) if h not in mix]))
                        for mix in itertools.combinations(binary, 2))
    return n_structures, count_patterns(counts)


def _cache_key(model: Any, concept: str, belief_policy: str, tol: float, edge: float
               ) -> tuple[tuple[str, str, str, float, float], SymbolicTree]:
    """The compile cache's key of a model (its symbolic content, concept, policy, ``tol``,
    ``edge``) and its symbolic tree."""
    tree = symbolic_tree(model)
    return (_content_digest(tree), concept, belief_policy, tol, edge), tree


#: the digest of each symbolic content met (the key's expressions are compared by sympy's own
#: equality: only a content never met before is printed)
_DIGESTS: dict[tuple, str] = {}
MAX_DIGESTS = 512


def _content_digest(tree: SymbolicTree) -> str:
    """A digest of the tree's symbolic content (the cache key: a baseline shares its model's text
    but not its payoffs), printed once per content: sympy's printer is slow, and a sweep asks for
    the key of its model to choose its path."""
    content = (tree.names, tree.payoffs, tree.chance, tuple(n.label for n in tree.structure.nodes))
    digest = _DIGESTS.get(content)
    if digest is None:
        if len(_DIGESTS) >= MAX_DIGESTS:
            _DIGESTS.clear()
        digest = _DIGESTS[content] = hashlib.sha256(repr(content).encode()).hexdigest()
    return digest


#: what :func:`_prepared` worked out for a model not compiled yet (probe, kept actions, wide)
_PREPARED: dict[tuple[str, str, str, float, float], tuple[Any, Any, bool]] = {}
#: the refusal of all the actions, of a model compiled over the kept ones
_TOO_LARGE: dict[tuple[str, str, str, float, float], UnsupportedError] = {}


def _prepared(model: Any, tree: SymbolicTree, key: tuple[str, str, str, float, float]
              ) -> tuple[dict[str, np.ndarray] | None, list[tuple[int, ...]] | None, bool]:
    """The checks and choices before a model is built (cached until it is): refuse it by its
    tree's shape, sample the probe, and where all the actions make too many structures keep
    those that survive iterated dominance (refused when still too many, or not worth building).
    Returns ``(probe, kept, wide)``: ``wide`` when some set keeps three actions or more."""
    if key in _PREPARED:
        return _PREPARED[key]
    _hash, concept, belief_policy, _tol, _edge = key
    # refuse by the tree's shape first: the probe below costs about a second on large models
    _check_supported(tree.structure, concept, belief_policy)
    try:
        _check_size(tree.structure, concept)
        too_large = None
    except UnsupportedError as exc:
        if concept != "pbe":
            raise
        too_large = exc
    if key in _REFUSED:  # refused after the probe: not sampled again (a sweep asks at every call)
        raise _REFUSED[key]
    try:
        probe, kept = _probed(model, tree, key, too_large)
    except UnsupportedError as exc:
        _REFUSED[key] = exc
        raise
    wide = kept is not None and any(len(a) > 2 for a in kept)
    if wide:
        try:
            _check_worth_building(tree.structure, belief_policy, too_large)  # type: ignore[arg-type]
        except UnsupportedError as exc:
            _REFUSED[key] = exc
            raise
        _TOO_LARGE[key] = too_large  # type: ignore[assignment]
    _PREPARED[key] = (probe, kept, wide)
    return _PREPARED[key]


#: the probe and the kept actions (or their refusal) of each model content, concept and
#: tolerance: neither depends on the belief policy or the margin, and a model is often compiled,
#: or asked about, under several policies (each sample of a model with long ordering chains, such
#: as ``asymmetric_escalation``, draws millions of points)
_PROBED: dict[tuple[str, str, float], tuple[dict[str, np.ndarray] | None,
                                            list[tuple[int, ...]] | UnsupportedError | None]] = {}


def _probed(model: Any, tree: SymbolicTree, key: tuple[str, str, str, float, float],
            too_large: UnsupportedError | None) -> tuple[dict[str, np.ndarray] | None,
                                                         list[tuple[int, ...]] | None]:
    """The probe points of the model of ``key`` and, where all its actions make too many
    structures (``too_large``), the actions kept over them (:func:`_kept_or_refuse`, its refusal
    re-raised), worked out once per model content, concept and tolerance."""
    digest, concept, _policy, tol, _edge = key
    probed_key = (digest, concept, tol)
    if probed_key not in _PROBED:
        if len(_PROBED) >= MAX_DIGESTS:
            _PROBED.clear()
        probe: dict[str, np.ndarray] | None = domain_sample(model, 64, seed=12345)
        if len(next(iter(probe.values()))) < 8:  # type: ignore[union-attr]
            probe = None
        try:
            kept = None if too_large is None else _kept_or_refuse(model, tree.structure, probe, tol,
                                                                  too_large)
        except UnsupportedError as exc:
            _PROBED[probed_key] = (probe, exc)
            raise
        _PROBED[probed_key] = (probe, kept)
    probe, kept_or_refused = _PROBED[probed_key]
    if isinstance(kept_or_refused, UnsupportedError):
        raise kept_or_refused
    return probe, kept_or_refused


def _check_worth_building(game: Any, belief_policy: str, refused: UnsupportedError) -> None:
    """Refuse, before anything is built, a model with a set keeping three or more actions whose
    tree has an information set of more than two nodes: a cost decision, not a limit of the
    engine. The engine places the beliefs at such sets (the mover's carried forward, free ones
    over any number of nodes, Nature's odds), but on ``asymmetric_escalation``, the catalogue's
    model of this shape, the kernel does not pay: building it costs about 30 s (a sweep builds the
    model's and its baseline's), its guard then leaves 81% of the probe points undecided under
    ``free`` and 90% under ``prior`` (the kernels list no mixture over two of a set's three
    actions), the D1 check all of them under ``d1``, and a sweep of 1,000 random points took
    139 ms of CPU per point compiled against 18 ms per point on the per-point path (``free``).
    Measuring that per model (:func:`_decides_some`) would cost the 30 s on every sweep, against
    about 2 s for this refusal."""
    wide_sets = [h.index for h in game.infosets if len(h.nodes) > 2]
    if wide_sets:
        raise UnsupportedError(
            f"{refused}; over the actions that survive iterated dominance (a set keeps three or more) "
            f"with information set(s) {wide_sets} of more than two nodes the compiled kernel leaves most "
            f"points to the per-point path under {belief_policy!r} beliefs (on asymmetric_escalation 81% "
            "or more, slower than solving every point per point), so it is not compiled",
            methods=("pointwise",),
        ) from refused


#: a model with a set keeping three or more actions is refused if its kernel leaves more than
#: this share of the probe points undecided
MAX_UNDECIDED_SHARE = 0.95


def _decides_some(model: CompiledModel, probe: Mapping[str, np.ndarray], refused: UnsupportedError) -> None:
    """Build the guard of a model compiled over actions of which some set keeps three or more
    (tens of thousands of patterns: ~15-20 s on ``asymmetric_escalation``), or refuse it when the
    kernel leaves more than :data:`MAX_UNDECIDED_SHARE` of the probe points to the per-point path
    (compiling would cost more than it saves): first by the engine alone (before the guard is
    built; under ``d1`` with the D1 check of its equilibria), then with the guard.
    ``asymmetric_escalation`` (refused earlier under every policy, :func:`_check_worth_building`):
    its engine decides every probe point under ``free`` and ``prior`` (carried beliefs at the
    Challenger's sets of four nodes after its own move, free beliefs over four nodes by the
    engine's linear program); under ``d1`` the D1 check leaves all of them undecided (it does not
    treat the Defender's unreached sets of three actions); the guard leaves about 81-85% undecided
    under ``free`` and 90% under ``prior`` (mixtures at two sets the kernels do not list, one over
    two of a set's three actions)."""
    n = len(next(iter(probe.values())))
    for stage in ("engine", "guard"):
        if stage == "engine":
            undecided = model.engine_undecided(probe)
        else:
            model.build_guard()
            points = pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in probe.items()})
            undecided = model.evaluate(points)[1]
        share = float(np.mean(undecided))
        if share > MAX_UNDECIDED_SHARE:
            raise UnsupportedError(
                f"{refused}; over the actions that survive iterated dominance (a set keeps three or more) "
                f"the compiled kernel leaves {share:.0%} of the {n} probe points undecided under "
                f"{model.belief_policy!r} beliefs ({'its engine' if stage == 'engine' else 'its guard'}: "
                "each would be solved per point), so it is not compiled",
                methods=("pointwise",),
            ) from refused
