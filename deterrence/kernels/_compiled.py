"""Compiled models: a model's equilibrium structures tested on whole arrays of parameter points.

A model compiles once into a :class:`CompiledModel`. Compiling lambdifies the model's payoff
and chance-probability expressions (sympy -> numpy) and lists the candidate equilibrium
*structures* of its tree:

* every pure behaviour profile, and
* (PBE) every profile that mixes at one or two on-path binary information sets and is pure
  elsewhere. Along any path the indifference condition of a mixing information set is
  multilinear in the mixing probabilities, so it is known exactly from its values at the pure
  corners; one unknown gives a linear equation, two give a quadratic, solved in closed form on
  arrays.

:meth:`CompiledModel.evaluate` then decides, for every structure and every point at once,
whether it is an equilibrium of the concept: the same checks as :mod:`deterrence.certificates`
(best-response gains by a sequence-form dynamic programme, Bayes beliefs on the path, the
off-path belief policy), vectorised by :mod:`deterrence.kernels._vectree`. Points where the answer
hangs on a knife edge (a tie between actions, a mixing probability at 0 or 1, a belief
interval of zero width, an off-path set the kernel cannot treat) are returned in a mask so
that the sweep solves them per point instead. Compiled and per-point results are tested to
agree (``tests/test_kernels.py``).

Where the parts live
--------------------
This module holds :class:`CompiledModel` (construction, the structure enumeration,
:meth:`~CompiledModel.evaluate` and the tidy rows), :func:`compile_tree` and
:func:`compile_model` with its cache ``_COMPILED``. The symbolic trees and structures are in
:mod:`deterrence.kernels._trees`; the fast linear-form checks in :mod:`deterrence.kernels._linear`
(:class:`~deterrence.kernels._linear.LinearChecks`) and the tree-walking reference checks in
:mod:`deterrence.kernels._reference` (:class:`~deterrence.kernels._reference.ReferencePath`),
both held by a :class:`CompiledModel`; the closed-form roots in :mod:`deterrence.kernels._roots`;
:func:`domain_sample` in :mod:`deterrence.kernels._sample`.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import sympy as sp

from ..errors import UnsupportedError
from ..outcomes import OUTCOMES, indicator_values, regime_labels
from ._linear import LinearChecks, combine
from ._linforms import FeatureSpace, RowSet, StructurePlan, TreePaths, build_plan, chance_arrays
from ._reference import ReferencePath
from ._sample import domain_sample
from ._trees import Structure, SymbolicTree, symbolic_tree
from ._vectree import VectorTree

#: compiling more candidate structures than this is slower than solving per point
MAX_STRUCTURES = 3_000


class CompiledModel:
    """A model compiled for vectorised equilibrium tests (see the module docstring).

    Parameters
    ----------
    tree
        The model's symbolic tree.
    concept
        ``"pbe"`` or ``"spe"``.
    belief_policy
        ``"free"`` or ``"prior"`` (PBE off-path beliefs; see :func:`deterrence.solve`).
    tol
        Certification tolerance (as in ``solve``).
    edge
        Margin below which a tie, a mixing probability at 0/1 or a belief interval counts as
        a knife edge (the point is solved per point instead).
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
    ) -> None:
        game = tree.structure
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
        if concept == "pbe" and belief_policy not in ("free", "prior"):
            raise UnsupportedError(
                f"compiled PBE kernels serve belief policies 'free' and 'prior', not '{belief_policy}'",
                methods=("pointwise",),
            )
        if not game.has_perfect_recall():
            raise UnsupportedError("compiled kernels need perfect recall", methods=("pointwise",))
        self.tree = tree
        self.game = game
        self.concept = concept
        self.belief_policy = belief_policy
        self.tol = tol
        self.edge = edge
        self.vt = VectorTree(game)
        self._labels = [lab for lab in OUTCOMES if any(lab in t for t in game.terminal_outcomes)]
        self._linear = LinearChecks(concept, belief_policy, tol, edge)
        self._reference = ReferencePath(tree, game, self.vt, concept, belief_policy, tol, edge, self._labels)
        self._probe = None if probe is None else {k: np.asarray(v, dtype=float) for k, v in probe.items()}
        sizes = [len(h.actions) for h in game.infosets]
        n_pure = int(np.prod(sizes)) if sizes else 1
        if n_pure > MAX_STRUCTURES:
            raise UnsupportedError(
                f"{n_pure} pure behaviour profiles are too many to compile", methods=("pointwise",)
            )
        self.structures: list[Structure] = [
            Structure(tuple(p)) for p in itertools.product(*map(range, sizes))
        ]
        if concept == "pbe":
            self.structures += self._mixed_structures(sizes)
        self._feats = FeatureSpace(game)
        self._rowset = RowSet()
        paths = TreePaths(game)
        self._plans: list[StructurePlan] = [
            build_plan(game, paths, self._feats, self._rowset, s.pure, s.mixing, concept, self._labels)
            for s in self.structures
        ]
        self._W = self._rowset.matrix(self._feats.size)
        self._pairs = self._feats.needed_chance_below()

    # ------------------------------------------------------------------ structures
    def _mixed_structures(self, sizes: list[int]) -> list[Structure]:
        binary = [h for h, k in enumerate(sizes) if k == 2]
        rest = [k for k in sizes]
        n_candidates = 0
        for r in (1, 2):
            for mix in itertools.combinations(binary, r):
                n_candidates += int(np.prod([k for h, k in enumerate(rest) if h not in mix]))
        if n_candidates + len(self.structures) > MAX_STRUCTURES:
            raise UnsupportedError(
                f"{n_candidates + len(self.structures)} candidate equilibrium structures are too many "
                "to compile "
                f"(limit {MAX_STRUCTURES}); this model is solved per point",
                methods=("pointwise",),
            )
        out: list[Structure] = []
        probe = self._probe
        for r in (1, 2):
            for mix in itertools.combinations(binary, r):
                others = [h for h in range(len(sizes)) if h not in mix]
                for combo in itertools.product(*[range(sizes[h]) for h in others]):
                    pure = [-1] * len(sizes)
                    for h, a in zip(others, combo, strict=True):
                        pure[h] = a
                    s = Structure(tuple(pure), mix)
                    if probe is None or self._reference.may_mix(s, probe):
                        out.append(s)
                    if len(out) + len(self.structures) > MAX_STRUCTURES:
                        raise UnsupportedError("too many mixed structures to compile", methods=("pointwise",))
        return out

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
        return obj

    def evaluate_reference(
        self, points: pd.DataFrame, *, with_structure: bool = False
    ) -> tuple[pd.DataFrame, np.ndarray]:
        """Same as :meth:`evaluate`, by the slower tree-walking path (a cross-check in tests)."""
        found, undecided = self._reference.search(points, self.structures)
        return self._rows(points, found, undecided, with_structure), undecided

    # ------------------------------------------------------------------ fast path (linear forms)
    def evaluate(
        self, points: pd.DataFrame, *, with_structure: bool = False
    ) -> tuple[pd.DataFrame, np.ndarray]:
        """Equilibria at every point: the tidy rows and the mask of undecided (knife-edge) points.

        Parameters
        ----------
        points
            One column per model parameter; the index holds the global point ids.
        with_structure
            Add a ``structure`` column (``"k.s"``: structure ``k``, solution ``s``).

        Returns
        -------
        table, undecided
            ``table`` has one row per (decided point, equilibrium) in the schema of
            :mod:`deterrence.sweeps._tidy` (without ``selected`` and the baseline columns);
            ``undecided[k]`` is True where point ``k`` must be solved per point (no rows
            are returned for it).
        """
        npts = len(points)
        cols = {name: points[name].to_numpy(dtype=float) for name in self.tree.names}
        pay, chance = self.tree.numeric(cols)
        payT = np.ascontiguousarray(pay.transpose(1, 2, 0))
        CR, below = chance_arrays(self.game, chance, npts, self._pairs)
        X = self._feats.matrix(payT, CR, below)
        G = np.asarray(self._W @ X)
        # regret tolerances are relative to each player's payoff range (as in deterrence.certificates)
        spread = (
            payT.max(axis=0) - payT.min(axis=0) if payT.shape[0] else np.ones((self.game.num_players, npts))
        )
        scale = np.where(spread > 0, spread, 1.0)
        undecided = np.zeros(npts, dtype=bool)
        found: list[tuple] = []
        everywhere = np.arange(npts)
        for k, plan in enumerate(self._plans):
            for sol, (weights, mixvals, defined, knife) in enumerate(self._linear.corner_weights(plan, G)):
                if plan.mixing:
                    inside = defined.copy()
                    near = np.zeros(npts, dtype=bool)
                    for x in mixvals:
                        inside &= (x > self.edge) & (x < 1 - self.edge)
                        near |= defined & ((np.abs(x) <= self.edge) | (np.abs(1 - x) <= self.edge))
                    candidates = np.flatnonzero(inside | near | knife)
                    if not len(candidates):
                        continue
                    holds, und, regret = self._linear.test_plan(plan, G, weights, npts, candidates, scale)
                    undecided |= (holds | und) & (knife | near) | und & ~knife
                    holds &= inside & ~knife
                else:
                    holds, und, regret = self._linear.test_plan(plan, G, weights, npts, everywhere, scale)
                    undecided |= und
                if holds.any():
                    outcome = {
                        lab: combine(G, [c[lab] for c in plan.outcome], weights) for lab in self._labels
                    }
                    payoffs = np.stack(
                        [
                            combine(G, [c[i] for c in plan.payoff], weights)
                            for i in range(self.game.num_players)
                        ],
                        axis=1,
                    )
                    found.append((holds, outcome, payoffs, regret, (k, sol), not plan.mixing))
        return self._rows(points, found, undecided, with_structure), undecided

    def _rows(
        self, points: pd.DataFrame, found: list, undecided: np.ndarray, with_structure: bool = False
    ) -> pd.DataFrame:
        """The tidy rows of the equilibria ``found`` at the decided points, sorted by point and
        equilibrium (the columns of :mod:`deterrence.sweeps._tidy` that a kernel knows)."""
        counts = np.zeros(len(points), dtype=np.int64)
        for holds, *_rest in found:
            counts += holds & ~undecided
        eq_index = np.zeros(len(points), dtype=np.int64)
        frames = []
        for holds, outcome, payoffs, regret, sid, pure in found:
            keep = holds & ~undecided
            if keep.any():
                frames.append(self._frame(points, keep, eq_index, counts, outcome, payoffs, regret, pure))
                if with_structure:
                    frames[-1]["structure"] = f"{sid[0]}.{sid[1]}"
            eq_index += keep
        if not frames:  # the same columns, no rows
            nothing = np.zeros(len(points), dtype=bool)
            outcome = {lab: np.zeros(len(points)) for lab in self._labels}
            payoffs = np.zeros((len(points), self.game.num_players))
            regret = np.zeros(len(points))
            frames.append(self._frame(points, nothing, eq_index, counts, outcome, payoffs, regret, True))
            if with_structure:
                frames[-1]["structure"] = np.array([], dtype=object)
        table = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        return table.sort_values(["point", "equilibrium"], kind="stable").reset_index(drop=True)

    def _frame(
        self,
        points: pd.DataFrame,
        keep: np.ndarray,
        eq_index: np.ndarray,
        counts: np.ndarray,
        outcome_all: Mapping[str, np.ndarray],
        payoffs_all: np.ndarray,
        regret: np.ndarray,
        pure: bool,
    ) -> pd.DataFrame:
        """Rows of one structure's equilibria at the points ``keep`` (regime and indicators by
        :mod:`deterrence.outcomes`)."""
        nk = int(keep.sum())
        outcome = {lab: np.asarray(v)[keep] for lab, v in outcome_all.items()}
        data: dict[str, Any] = {"point": points.index.to_numpy()[keep]}
        for name in self.tree.names:
            data[name] = points[name].to_numpy()[keep]
        data["equilibrium"] = eq_index[keep]
        data["n_equilibria"] = counts[keep]
        data["regime"] = regime_labels(outcome, pure, n=nk)
        data.update(indicator_values(outcome, np.zeros(nk)))
        payoffs = payoffs_all[keep]
        for i, pl in enumerate(self.game.players):
            data[f"payoff_{pl}"] = payoffs[:, i]
        for lab in self._labels:
            data[f"outcome_{lab}"] = outcome[lab]
        data["regret"] = np.asarray(regret)[keep]
        data["bayes_error"] = np.zeros(nk)
        data["path"] = np.full(nk, "compiled")
        return pd.DataFrame(data)


def compile_tree(
    tree: SymbolicTree,
    concept: str = "pbe",
    belief_policy: str = "free",
    probe: Mapping[str, np.ndarray] | None = None,
    **kwargs: Any,
) -> CompiledModel:
    """Compile a symbolic tree; ``probe`` points (within the domains) prune impossible mixed structures."""
    return CompiledModel(tree, concept, belief_policy, probe=probe, **kwargs)


_COMPILED: dict[tuple[str, str, str, float], CompiledModel] = {}


def compile_model(
    model: Any, concept: str = "pbe", belief_policy: str = "free", *, tol: float = 1e-8, edge: float = 1e-7
) -> CompiledModel:
    """Compile a model (once per model text, concept, policy and tolerance; cached).

    Raises
    ------
    UnsupportedError
        If the model's tree does not compile for this concept (the sweep then solves per point).
    """
    tree = symbolic_tree(model)
    # key on the symbolic content itself: a baseline shares its model's text but not its payoffs
    content = repr((tree.names, tree.payoffs, tree.chance, [n.label for n in tree.structure.nodes]))
    key = (hashlib.sha256(content.encode()).hexdigest(), concept, belief_policy, tol)
    if key not in _COMPILED:
        probe = domain_sample(model, 64, seed=12345)
        if len(next(iter(probe.values()))) < 8:
            probe = None
        _COMPILED[key] = compile_tree(tree, concept, belief_policy, probe=probe, tol=tol, edge=edge)
    return _COMPILED[key]
