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
off-path belief policy), vectorised by :mod:`deterrence.vectree`. Points where the answer
hangs on a knife edge (a tie between actions, a mixing probability at 0 or 1, a belief
interval of zero width, an off-path set the kernel cannot treat) are returned in a mask so
that the sweep solves them per point instead. Compiled and per-point results are tested to
agree (``tests/test_kernels.py``).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import sympy as sp

from .errors import UnsupportedError
from .game.extensive import ExtensiveFormGame
from .linforms import FeatureSpace, RowSet, StructurePlan, TreePaths, build_plan, chance_arrays
from .outcomes import INDICATORS, OUTCOMES
from .vectree import VectorTree

#: compiling more candidate structures than this is slower than solving per point
MAX_STRUCTURES = 3_000


@dataclass(frozen=True)
class SymbolicTree:
    """A tree whose payoffs and chance probabilities are sympy expressions in named parameters.

    Attributes
    ----------
    structure
        The numeric game at some parameter values (only its shape is used).
    names
        Parameter names, in the order of ``symbols``.
    symbols
        The sympy symbols of the parameters.
    payoffs
        Per terminal row of ``structure.payoffs``: one expression per player.
    chance
        Per chance move of ``structure.chance_infos``: one expression per action.
    """

    structure: ExtensiveFormGame
    names: tuple[str, ...]
    symbols: tuple[sp.Symbol, ...]
    payoffs: tuple[tuple[sp.Expr, ...], ...]
    chance: tuple[tuple[sp.Expr, ...], ...]
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def numeric(self, points: Mapping[str, np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Payoffs ``(P, Z, N)`` and chance probabilities (list of ``(P, k)``) at the points."""
        if "f" not in self._cache:
            flat_pay = [e for row in self.payoffs for e in row]
            flat_ch = [e for row in self.chance for e in row]
            self._cache["f"] = sp.lambdify(self.symbols, flat_pay + flat_ch, modules="numpy")
        args = [np.asarray(points[name], dtype=float) for name in self.names]
        npts = len(args[0]) if args else 1
        vals = self._cache["f"](*args)
        cols = [np.broadcast_to(np.asarray(v, dtype=float), (npts,)) for v in vals]
        Z, N = len(self.payoffs), len(self.payoffs[0]) if self.payoffs else 0
        pay = np.stack(cols[: Z * N], axis=1).reshape(npts, Z, N) if Z * N else np.zeros((npts, Z, N))
        chance, k = [], Z * N
        for row in self.chance:
            chance.append(np.stack(cols[k : k + len(row)], axis=1))
            k += len(row)
        return pay, chance


@dataclass(frozen=True)
class Structure:
    """A candidate equilibrium structure: pure actions, and the information sets that mix.

    ``pure[h]`` is the action at information set ``h`` (``-1`` where it mixes); ``mixing``
    lists the mixing (binary, on-path) information sets.
    """

    pure: tuple[int, ...]
    mixing: tuple[int, ...] = ()


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
    """

    def __init__(
        self,
        tree: SymbolicTree,
        concept: str = "pbe",
        belief_policy: str = "free",
        tol: float = 1e-8,
        edge: float = 1e-7,
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
        self._labels = [lab for lab in OUTCOMES if any(lab in t for t in game.terminal_outcomes)]
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
        rng = np.random.default_rng(12345)
        probe = self._probe_points(rng, 64)
        for r in (1, 2):
            for mix in itertools.combinations(binary, r):
                others = [h for h in range(len(sizes)) if h not in mix]
                for combo in itertools.product(*[range(sizes[h]) for h in others]):
                    pure = [-1] * len(sizes)
                    for h, a in zip(others, combo, strict=True):
                        pure[h] = a
                    s = Structure(tuple(pure), mix)
                    if probe is None or self._may_mix(s, probe):
                        out.append(s)
                    if len(out) + len(self.structures) > MAX_STRUCTURES:
                        raise UnsupportedError("too many mixed structures to compile", methods=("pointwise",))
        return out

    def _probe_points(self, rng: np.random.Generator, n: int) -> tuple | None:
        """Random points (within the symbols' ranges used by ``numeric``) to prune structures."""
        return None if not hasattr(self, "probe_values") else self.probe_values

    def _may_mix(self, s: Structure, probe: Mapping[str, np.ndarray]) -> bool:
        """False if some mixing set's indifference never involves the unknowns (Schwartz–Zippel test)."""
        pay, chance = self.tree.numeric(probe)
        npts = pay.shape[0]
        coeffs = self._indifference_coefficients(s, pay, chance)
        E = self.vt.edge_probabilities(
            chance, self._behaviour(s, npts, {h: np.full(npts, 0.5) for h in s.mixing}), npts
        )
        R = self.vt.reach(E)
        for h, c in zip(s.mixing, coeffs, strict=True):
            if np.all(R[:, list(self.game.infosets[h].nodes)].sum(axis=1) <= 0):
                return False  # never on the path: mixing there is not part of a PBE structure
            slope = np.abs(c[1:]).max(axis=0)
            if np.all(slope < 1e-12) and not np.all(np.abs(c[0]) < 1e-12):
                return False  # indifference never involves the unknowns: only knife-edge solutions
        return True

    # ------------------------------------------------------------------ numerics
    def _behaviour(
        self, s: Structure, npts: int, mix: Mapping[int, np.ndarray] | None = None
    ) -> list[np.ndarray]:
        beh = []
        for h, a in enumerate(s.pure):
            k = len(self.game.infosets[h].actions)
            if a >= 0:
                v = np.zeros(k)
                v[a] = 1.0
                beh.append(np.broadcast_to(v, (npts, k)))
            else:
                x = mix[h] if mix is not None else np.zeros(npts)
                beh.append(np.stack([1.0 - x, x], axis=1))
        return beh

    def _node_values(self, E: np.ndarray, pay: np.ndarray, player: int) -> np.ndarray:
        vt = self.vt
        V = np.zeros((E.shape[0], vt.n))
        V[:, vt.terminals] = pay[:, :, player]
        for level in reversed(vt.levels):
            np.add.at(V.T, vt.parent[level], (E[:, level] * V[:, level]).T)
        return V

    def _indifference(self, h: int, E: np.ndarray, pay: np.ndarray) -> np.ndarray:
        """Unnormalised indifference at binary set ``h``: sum_v reach(v) (Q(v, 0) - Q(v, 1))."""
        info = self.game.infosets[h]
        R = self.vt.reach(E)
        V = self._node_values(E, pay, info.player)
        total = np.zeros(E.shape[0])
        for v in info.nodes:
            c0, c1 = self.game.nodes[v].children
            total += R[:, v] * (V[:, c0] - V[:, c1])
        return total

    def _indifference_coefficients(
        self, s: Structure, pay: np.ndarray, chance: list[np.ndarray]
    ) -> list[np.ndarray]:
        """Per mixing set: multilinear coefficients in the mixing probabilities (a, b[, c, d])."""
        npts = pay.shape[0]
        corners = list(itertools.product((0.0, 1.0), repeat=len(s.mixing)))
        vals = {h: [] for h in s.mixing}
        for corner in corners:
            mix = {h: np.full(npts, x) for h, x in zip(s.mixing, corner, strict=True)}
            E = self.vt.edge_probabilities(chance, self._behaviour(s, npts, mix), npts)
            for h in s.mixing:
                vals[h].append(self._indifference(h, E, pay))
        out = []
        for h in s.mixing:
            v = vals[h]
            if len(s.mixing) == 1:
                out.append(np.stack([v[0], v[1] - v[0]]))
            else:  # corners (0,0), (0,1), (1,0), (1,1): x = first set, y = second
                a, b, c, d = v[0], v[2] - v[0], v[1] - v[0], v[3] - v[2] - v[1] + v[0]
                out.append(np.stack([a, b, c, d]))
        return out

    def _solve_mixing(
        self, s: Structure, pay: np.ndarray, chance: list[np.ndarray]
    ) -> list[tuple[dict, np.ndarray, np.ndarray]]:
        """Closed-form mixing probabilities: list of (mix, defined mask, knife-edge mask)."""
        coeffs = self._indifference_coefficients(s, pay, chance)
        if len(s.mixing) == 1:
            x, ok, knife = _linear_root(coeffs[0][0], coeffs[0][0] + coeffs[0][1], self.edge)
            return [({s.mixing[0]: x}, ok, knife)]
        return [
            ({s.mixing[0]: x, s.mixing[1]: y}, ok, knife)
            for x, y, ok, knife in _bilinear_roots(coeffs[0], coeffs[1], self.edge)
        ]

    # ------------------------------------------------------------------ checks
    def _check(
        self, s: Structure, beh: list[np.ndarray], pay: np.ndarray, chance: list[np.ndarray], CR: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(holds, undecided, regret, reach) of a structure with given behaviour, per point."""
        npts = pay.shape[0]
        vt = self.vt
        E = vt.edge_probabilities(chance, beh, npts)
        R = vt.reach(E)
        holds = np.ones(npts, dtype=bool)
        undecided = np.zeros(npts, dtype=bool)
        regret = np.zeros(npts)
        tol, eps = self.tol, self.edge
        if self.concept == "spe":
            for nd in self.game.nodes:
                if nd.kind != "decision":
                    continue
                prog = vt.program(nd.player, (nd.index,))
                excl = np.full(npts, s.pure[nd.infoset])
                best, cur, alt = vt.gain(prog, E, pay, np.ones((npts, 1)), exclude=excl)
                g = best - cur
                holds &= g <= tol
                regret = np.maximum(regret, g)
                undecided |= (g > tol) & (g <= eps)
                undecided |= (g <= tol) & (cur - alt <= eps)
            return holds, undecided & holds | undecided, regret, R
        for h in self.game.infosets:
            nodes = list(h.nodes)
            r = R[:, nodes]
            tot = r.sum(axis=1)
            on = tot > 0
            with np.errstate(invalid="ignore", divide="ignore"):
                mu = r / tot[:, None]
            if s.pure[h.index] < 0:
                holds &= on  # mixing sets must be on the path
            off = ~on
            if self.belief_policy == "prior" or len(nodes) == 1:
                if self.belief_policy == "prior" and len(nodes) > 1:
                    c = CR[:, nodes]
                    cs = c.sum(axis=1)
                    with np.errstate(invalid="ignore", divide="ignore"):
                        prior = np.where(cs[:, None] > 0, c / cs[:, None], 1.0 / len(nodes))
                else:
                    prior = np.ones((npts, len(nodes))) / len(nodes)
                mu = np.where(on[:, None], mu, prior)
                g, tie = self._gain_at(h, s, E, pay, mu)
                holds &= g <= tol
                regret = np.maximum(regret, g)
                undecided |= (g > tol) & (g <= eps)
                undecided |= tie
                continue
            # free policy, several nodes: Bayes on the path, a supporting belief off it
            mu_on = np.where(on[:, None], mu, 1.0 / len(nodes))
            g, tie = self._gain_at(h, s, E, pay, mu_on)
            g = np.where(on, g, 0.0)
            holds &= g <= tol
            regret = np.maximum(regret, g)
            undecided |= on & (((g > tol) & (g <= eps)) | tie)
            if np.any(off):
                if len(nodes) != 2:
                    undecided |= off
                    continue
                feasible, strict = self._supporting_belief(h, s, E, pay)
                holds &= on | feasible
                undecided |= off & (feasible != strict)
        return holds, undecided, regret, R

    def _gain_at(
        self, h: Any, s: Structure, E: np.ndarray, pay: np.ndarray, mu: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        prog = self.vt.program(h.player, tuple(h.nodes))
        a = s.pure[h.index]
        if a < 0:
            best, cur, _ = self.vt.gain(prog, E, pay, mu)
            return best - cur, np.zeros(len(best), dtype=bool)
        best, cur, alt = self.vt.gain(prog, E, pay, mu, exclude=np.full(len(mu), a))
        g = best - cur
        return g, (g <= self.tol) & (cur - alt <= self.edge)

    def _supporting_belief(
        self, h: Any, s: Structure, E: np.ndarray, pay: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Free policy at a 2-node set: is there a belief under which the profile's continuation
        is optimal (``feasible``), and one under which it is optimal by a margin (``strict``)?"""
        vt = self.vt
        prog = vt.program(h.player, tuple(h.nodes))
        npts = E.shape[0]
        contrib, own = vt.gain_terms(prog, E, pay, np.ones((npts, 2)))
        # the player's own continuation plans below the set: assignments to its information sets
        own_sets = sorted({hh for key in prog.keys for hh, _ in key})
        sizes = [len(self.game.infosets[hh].actions) for hh in own_sets]
        start = prog.start_of
        cur = np.stack([(contrib * own)[:, start == j].sum(axis=1) for j in (0, 1)], axis=1)
        lo_f, hi_f = np.zeros(npts), np.ones(npts)
        lo_s, hi_s = np.zeros(npts), np.ones(npts)
        key_of_terminal = [prog.keys[int(np.argmax(row))] for row in prog.key_matrix]
        for plan in itertools.product(*map(range, sizes)):
            choice = dict(zip(own_sets, plan, strict=True))
            mask = np.array([all(choice[hh] == a for hh, a in key) for key in key_of_terminal], dtype=float)
            alt = np.stack([(contrib * mask)[:, start == j].sum(axis=1) for j in (0, 1)], axis=1)
            d0 = cur[:, 0] - alt[:, 0]  # margin at belief m = 0 (all weight on the first node)
            d1 = cur[:, 1] - alt[:, 1]
            checks = [(lo_f, hi_f, -self.tol)]
            if choice[h.index] != s.pure[h.index]:
                checks.append((lo_s, hi_s, self.edge))
            for lo, hi, margin in checks:
                # need d0 + m (d1 - d0) >= margin
                slope = d1 - d0
                with np.errstate(divide="ignore", invalid="ignore"):
                    bound = (margin - d0) / slope
                up = slope > 0
                down = slope < 0
                flat = ~up & ~down
                np.maximum(lo, np.where(up, bound, lo), out=lo)
                np.minimum(hi, np.where(down, bound, hi), out=hi)
                bad = flat & (d0 < margin)
                lo[bad] = 2.0
        return lo_f <= hi_f, lo_s <= hi_s

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
        return obj

    def evaluate_reference(
        self, points: pd.DataFrame, *, with_structure: bool = False
    ) -> tuple[pd.DataFrame, np.ndarray]:
        """Same as :meth:`evaluate`, by the slower tree-walking path (a cross-check in tests)."""
        return self._evaluate_tree(points, with_structure)

    def _evaluate_tree(
        self, points: pd.DataFrame, with_structure: bool = False
    ) -> tuple[pd.DataFrame, np.ndarray]:
        """Equilibria at every point: the tidy rows and the mask of undecided (knife-edge) points.

        Parameters
        ----------
        points
            One column per model parameter; the index holds the global point ids.

        Returns
        -------
        table, undecided
            ``table`` has one row per (decided point, equilibrium) in the schema of
            :mod:`deterrence.tidy` (without ``selected`` and the baseline columns);
            ``undecided[k]`` is True where point ``k`` must be solved per point (no rows
            are returned for it).
        """
        npts = len(points)
        cols = {name: points[name].to_numpy(dtype=float) for name in self.tree.names}
        pay, chance = self.tree.numeric(cols)
        CR = self.vt.chance_reach(chance, npts)
        undecided = np.zeros(npts, dtype=bool)
        found: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool, list[np.ndarray]]] = []
        for k, s in enumerate(self.structures):
            if not s.mixing:
                beh = self._behaviour(s, npts)
                holds, und, regret, R = self._check(s, beh, pay, chance, CR)
                undecided |= und
                if holds.any():
                    found.append(self._found_from_reach(holds, R, pay, regret, (k, 0), True))
                continue
            for sol, (mix, defined, knife) in enumerate(self._solve_mixing(s, pay, chance)):
                inside = defined.copy()
                near = np.zeros(npts, dtype=bool)
                for x in mix.values():
                    inside &= (x > self.edge) & (x < 1 - self.edge)
                    near |= defined & ((np.abs(x) <= self.edge) | (np.abs(1 - x) <= self.edge))
                beh = self._behaviour(s, npts, mix)
                holds, und, regret, R = self._check(s, beh, pay, chance, CR)
                # a knife edge (continuum, double root) matters only where the rest holds
                undecided |= holds & (knife | und | near)
                holds &= inside & ~knife
                if holds.any():
                    found.append(self._found_from_reach(holds, R, pay, regret, (k, sol), False))
        return self._rows(points, found, undecided, with_structure), undecided

    def _found_from_reach(
        self,
        holds: np.ndarray,
        R: np.ndarray,
        pay: np.ndarray,
        regret: np.ndarray,
        sid: tuple[int, int],
        pure: bool,
    ) -> tuple:
        game = self.game
        tp = R[:, self.vt.terminals]
        outcome = {
            lab: tp @ np.array([lab in t for t in game.terminal_outcomes], dtype=float)
            for lab in self._labels
        }
        payoffs = np.einsum("pz,pzn->pn", tp, pay)
        return holds, outcome, payoffs, regret, sid, pure

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
            :mod:`deterrence.tidy` (without ``selected`` and the baseline columns);
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
            for sol, (weights, mixvals, defined, knife) in enumerate(self._corner_weights(plan, G, npts)):
                if plan.mixing:
                    inside = defined.copy()
                    near = np.zeros(npts, dtype=bool)
                    for x in mixvals:
                        inside &= (x > self.edge) & (x < 1 - self.edge)
                        near |= defined & ((np.abs(x) <= self.edge) | (np.abs(1 - x) <= self.edge))
                    candidates = np.flatnonzero(inside | near | knife)
                    if not len(candidates):
                        continue
                    holds, und, regret = self._test_plan(plan, G, weights, npts, candidates, scale)
                    undecided |= (holds | und) & (knife | near) | und & ~knife
                    holds &= inside & ~knife
                else:
                    holds, und, regret = self._test_plan(plan, G, weights, npts, everywhere, scale)
                    undecided |= und
                if holds.any():
                    outcome = {
                        lab: self._combine(G, [c[lab] for c in plan.outcome], weights) for lab in self._labels
                    }
                    payoffs = np.stack(
                        [
                            self._combine(G, [c[i] for c in plan.payoff], weights)
                            for i in range(self.game.num_players)
                        ],
                        axis=1,
                    )
                    found.append((holds, outcome, payoffs, regret, (k, sol), not plan.mixing))
        return self._rows(points, found, undecided, with_structure), undecided

    @staticmethod
    def _combine(
        G: np.ndarray,
        rows: Sequence[int],
        weights: Sequence[np.ndarray] | None,
        idx: np.ndarray | None = None,
    ) -> np.ndarray:
        """Multilinear interpolation of corner rows (``weights`` per corner), on points ``idx``."""
        if weights is None:
            return G[rows[0]] if idx is None else G[rows[0], idx]
        if idx is None:
            out = weights[0] * G[rows[0]]
            for w, r in zip(weights[1:], rows[1:], strict=True):
                out += w * G[r]
            return out
        out = weights[0][idx] * G[rows[0], idx]
        for w, r in zip(weights[1:], rows[1:], strict=True):
            out += w[idx] * G[r, idx]
        return out

    def _corner_weights(self, plan: StructurePlan, G: np.ndarray, npts: int) -> list[tuple]:
        """Per solution: (corner weights or None, mixing arrays, defined mask, knife-edge mask)."""
        if not plan.mixing:
            return [(None, [], None, None)]
        if len(plan.mixing) == 1:
            r = plan.indifference[plan.mixing[0]]
            x, ok, knife = _linear_root(G[r[0]], G[r[1]], self.edge)
            return [([1 - x, x], [x], ok, knife)]
        h1, h2 = plan.mixing
        v1 = [G[r] for r in plan.indifference[h1]]
        v2 = [G[r] for r in plan.indifference[h2]]
        out = []
        for x, y, ok, knife in _bilinear_roots(_corner_coefficients(v1), _corner_coefficients(v2), self.edge):
            out.append(([(1 - x) * (1 - y), (1 - x) * y, x * (1 - y), x * y], [x, y], ok, knife))
        return out

    def _test_plan(
        self,
        plan: StructurePlan,
        G: np.ndarray,
        weights: Sequence[np.ndarray] | None,
        npts: int,
        idx: np.ndarray,
        scale: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(holds, undecided, regret) of one structure (at one mixing solution), tested on points ``idx``.

        Checks run one information set at a time; points that fail a check by more than the
        knife-edge margin are dropped from the later checks.
        """
        tol, eps = self.tol, self.edge
        n = len(idx)
        worst = np.full(n, np.inf)  # smallest normalised margin over every check
        tie = np.zeros(n, dtype=bool)
        regret = np.zeros(n)
        unknown = np.zeros(n, dtype=bool)
        ncorner = len(plan.corners)
        spe = self.concept == "spe"

        full = len(idx) == npts  # idx is every point, in order: use whole rows (views, no copies)

        def comb(rows: Sequence[int]) -> np.ndarray:
            return self._combine(G, rows, weights, None if full else idx)

        def unit(player: int) -> np.ndarray:  # margins are measured in units of the player's payoff range
            return scale[player] if full else scale[player, idx]

        with np.errstate(divide="ignore", invalid="ignore"):
            for chk in plan.checks:
                if not len(idx):
                    break
                nplans = len(chk.strict)
                u = unit(chk.player)
                if spe:
                    margins = [comb([chk.cond[k][c][0] for k in range(ncorner)]) / u for c in range(nplans)]
                    m = functools.reduce(np.minimum, margins)
                    worst = np.minimum(worst, m)
                    regret = np.maximum(regret, -m)
                    strict = [mm for mm, st in zip(margins, chk.strict, strict=True) if st]
                    if strict:
                        tie |= functools.reduce(np.minimum, strict) <= eps
                else:
                    tot = comb(chk.total)
                    on = tot > 0
                    if chk.mixing:
                        worst = np.where(on, worst, -np.inf)
                    vals = [
                        comb([chk.value[k][c] for k in range(ncorner)]) / (tot * u) for c in range(nplans)
                    ]
                    m_on = np.where(on, functools.reduce(np.minimum, vals), np.inf)
                    worst = np.minimum(worst, m_on)
                    regret = np.maximum(regret, np.where(on, -m_on, 0.0))
                    strict = [v for v, st in zip(vals, chk.strict, strict=True) if st]
                    if strict:
                        tie |= on & (functools.reduce(np.minimum, strict) <= eps)
                    off = ~on
                    if off.any():
                        scaled = functools.partial(_scaled, comb, u)
                        self._off_path(chk, plan, scaled, off, worst, tie, unknown)
                keep = worst >= -eps
                if not keep.all():
                    idx, worst, tie, regret, unknown = (
                        idx[keep],
                        worst[keep],
                        tie[keep],
                        regret[keep],
                        unknown[keep],
                    )
                    full = False
        holds_l = (worst >= -tol) & ~unknown
        soft = (worst < -tol) & (worst >= -eps)
        und_l = soft | ((worst >= -tol) & (tie | unknown))
        holds = np.zeros(npts, dtype=bool)
        und = np.zeros(npts, dtype=bool)
        reg = np.zeros(npts)
        holds[idx] = holds_l
        und[idx] = und_l
        reg[idx] = np.maximum(regret, 0.0)
        return holds, und, reg

    def _off_path(
        self,
        chk: Any,
        plan: StructurePlan,
        comb: Any,
        off: np.ndarray,
        worst: np.ndarray,
        tie: np.ndarray,
        unknown: np.ndarray,
    ) -> None:
        """Off-path test of one information set (updates ``worst``, ``tie``, ``unknown`` in place)."""
        tol, eps = self.tol, self.edge
        ncorner = len(plan.corners)
        nplans = len(chk.strict)
        if len(chk.nodes) == 1 or self.belief_policy == "prior":
            if len(chk.nodes) == 1:
                offv = [comb([chk.cond[k][c][0] for k in range(ncorner)]) for c in range(nplans)]
            else:
                pt = comb([chk.prior_total] * ncorner)
                offv = [comb([chk.prior_value[0][c]] * ncorner) / pt for c in range(nplans)]
                unknown |= off & ~(pt > 0)
            m_off = np.where(off, functools.reduce(np.minimum, offv), np.inf)
            np.minimum(worst, m_off, out=worst)
            strict = [v for v, st in zip(offv, chk.strict, strict=True) if st]
            if strict:
                tie |= off & (functools.reduce(np.minimum, strict) <= eps)
            return
        if len(chk.nodes) != 2:
            unknown |= off
            return
        d = [[comb([chk.cond[k][c][j] for k in range(ncorner)]) for j in (0, 1)] for c in range(nplans)]
        feasible = _belief_interval(d, [True] * nplans, -tol)
        near_ok = _belief_interval(d, [True] * nplans, -eps)
        strict_ok = _belief_interval(d, list(chk.strict), eps) if any(chk.strict) else feasible
        m_off = np.where(feasible, 0.0, np.where(near_ok, -0.5 * (tol + eps), -np.inf))
        np.minimum(worst, np.where(off, m_off, np.inf), out=worst)
        tie |= off & feasible & ~strict_ok

    def _rows(
        self, points: pd.DataFrame, found: list, undecided: np.ndarray, with_structure: bool = False
    ) -> pd.DataFrame:
        game = self.game
        counts = np.zeros(len(points), dtype=np.int64)
        for holds, *_rest in found:
            counts += holds & ~undecided
        order_labels = list(OUTCOMES)
        eq_index = np.zeros(len(points), dtype=np.int64)
        ids = points.index.to_numpy()
        frames = []
        for holds, outcome_all, payoffs_all, regret, sid, pure in found:
            keep = holds & ~undecided
            nk = int(keep.sum())
            if not nk:
                continue
            outcome = {lab: np.asarray(v)[keep] for lab, v in outcome_all.items()}
            data: dict[str, Any] = {"point": ids[keep]}
            for name in self.tree.names:
                data[name] = points[name].to_numpy()[keep]
            data["equilibrium"] = eq_index[keep]
            data["n_equilibria"] = counts[keep]
            present = (
                np.stack([outcome[lab] > 1e-9 for lab in self._labels], axis=1) if self._labels else None
            )
            data["regime"] = _regime_strings(present, self._labels, order_labels, pure, nk)
            data["p_attack"] = 1.0 - outcome.get("status_quo", np.zeros(nk))
            for name, labs in INDICATORS.items():
                data[name] = sum((outcome[lab] for lab in labs if lab in outcome), np.zeros(nk))
            payoffs = payoffs_all[keep]
            for i, pl in enumerate(game.players):
                data[f"payoff_{pl}"] = payoffs[:, i]
            for lab in self._labels:
                data[f"outcome_{lab}"] = outcome[lab]
            data["regret"] = regret[keep]
            data["bayes_error"] = np.zeros(nk)
            data["path"] = np.full(nk, "compiled")
            if with_structure:
                data["structure"] = np.full(nk, f"{sid[0]}.{sid[1]}")
            frames.append(pd.DataFrame(data))
            eq_index += keep
        if not frames:
            cols = [
                "point",
                *self.tree.names,
                "equilibrium",
                "n_equilibria",
                "regime",
                "p_attack",
                *INDICATORS,
                *[f"payoff_{p}" for p in game.players],
                *[f"outcome_{lab}" for lab in self._labels],
                "regret",
                "bayes_error",
                "path",
            ]
            if with_structure:
                cols.append("structure")
            return pd.DataFrame(columns=cols)
        table = pd.concat(frames, ignore_index=True)
        return table.sort_values(["point", "equilibrium"], kind="stable").reset_index(drop=True)


def _corner_coefficients(v: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
    """``(a, b, c, d)`` of ``a + b x + c y + d x y`` from its values at corners (0,0), (0,1), (1,0), (1,1)."""
    return v[0], v[2] - v[0], v[1] - v[0], v[3] - v[2] - v[1] + v[0]


def _linear_root(at0: np.ndarray, at1: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Root in x of the line through ``(0, at0)`` and ``(1, at1)``: (x, defined, knife edge).

    Where the line is flat the root is undefined (x = 0.5 is a placeholder); a flat line at zero
    is a continuum of solutions, a knife edge.
    """
    slope = at1 - at0
    with np.errstate(divide="ignore", invalid="ignore"):
        x = -at0 / slope
    flat = np.abs(slope) < eps
    ok = ~flat & np.isfinite(x)
    return np.where(ok, x, 0.5), ok, flat & (np.abs(at0) < eps)


def _bilinear_roots(first: Sequence[np.ndarray], second: Sequence[np.ndarray], eps: float) -> list[tuple]:
    """Common roots of two bilinear equations ``a + b x + c y + d x y = 0`` (on arrays).

    Eliminating y from the first gives a quadratic in x; returns two ``(x, y, defined, knife edge)``
    tuples (placeholders 0.5 where undefined). A double root, a degenerate system or a vanishing
    denominator is a knife edge.
    """
    a1, b1, c1, d1 = first
    a2, b2, c2, d2 = second
    A = b2 * d1 - d2 * b1
    B = a2 * d1 + b2 * c1 - c2 * b1 - d2 * a1
    C = a2 * c1 - c2 * a1
    out = []
    with np.errstate(divide="ignore", invalid="ignore"):
        disc = B * B - 4 * A * C
        quad = np.abs(A) > eps
        lin = ~quad & (np.abs(B) > eps)
        sq = np.sqrt(np.where(disc >= 0, disc, 0.0))
        knife = (quad & (np.abs(disc) < eps)) | (~quad & ~lin)
        for sign in (1.0, -1.0):
            x = np.where(quad, (-B + sign * sq) / (2 * A), -C / B)
            den = c1 + d1 * x
            y = -(a1 + b1 * x) / den
            ok = (quad & (disc >= 0)) | (lin & (sign > 0))
            ok &= np.isfinite(x) & np.isfinite(y) & (np.abs(den) > eps)
            out.append((np.where(ok, x, 0.5), np.where(ok, y, 0.5), ok, knife | (np.abs(den) <= eps)))
    return out


def _scaled(comb: Any, unit: np.ndarray, rows: Sequence[int]) -> np.ndarray:
    return comb(rows) / unit


def _belief_interval(d: list[list[np.ndarray]], use: list[bool], margin: float) -> np.ndarray:
    """Is there m in [0, 1] with d0 + m (d1 - d0) >= margin for every used plan?"""
    lo = np.zeros(d[0][0].shape)
    hi = np.ones(d[0][0].shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        for (d0, d1), u in zip(d, use, strict=True):
            if not u:
                continue
            slope = d1 - d0
            bound = (margin - d0) / slope
            up = slope > 0
            down = slope < 0
            lo = np.where(up, np.maximum(lo, bound), lo)
            hi = np.where(down, np.minimum(hi, bound), hi)
            lo = np.where(~up & ~down & (d0 < margin), 2.0, lo)
    return lo <= hi


def _regime_strings(
    present: np.ndarray | None, labels: list[str], order: list[str], pure: bool, n: int
) -> np.ndarray:
    if present is None:
        return np.full(n, "none" if pure else "mixed:none", dtype=object)
    codes = present.astype(np.int64) @ (1 << np.arange(len(labels), dtype=np.int64))
    out = np.empty(n, dtype=object)
    ranked = sorted(range(len(labels)), key=lambda k: order.index(labels[k]))
    for code in np.unique(codes):
        names = [labels[k] for k in ranked if code >> k & 1]
        body = "+".join(names) if names else "none"
        out[codes == code] = body if pure else f"mixed:{body}"
    return out


def compile_tree(
    tree: SymbolicTree,
    concept: str = "pbe",
    belief_policy: str = "free",
    probe: Mapping[str, np.ndarray] | None = None,
    **kwargs: Any,
) -> CompiledModel:
    """Compile a symbolic tree; ``probe`` points (within the domains) prune impossible mixed structures."""
    obj = CompiledModel.__new__(CompiledModel)
    if probe is not None:
        obj.probe_values = {k: np.asarray(v, dtype=float) for k, v in probe.items()}
    CompiledModel.__init__(obj, tree, concept, belief_policy, **kwargs)
    return obj


def symbolic_tree_from(
    game: ExtensiveFormGame,
    names: Sequence[str],
    symbols: Sequence[sp.Symbol],
    payoffs: Sequence[Sequence[sp.Expr]],
    chance: Sequence[Sequence[sp.Expr]],
) -> SymbolicTree:
    """Assemble a :class:`SymbolicTree` (checks the shapes against the game)."""
    if len(payoffs) != len(game.terminals) or any(len(r) != game.num_players for r in payoffs):
        raise UnsupportedError("symbolic payoffs do not match the tree's terminals and players")
    if len(chance) != len(game.chance_infos):
        raise UnsupportedError("symbolic chance probabilities do not match the tree's chance moves")
    return SymbolicTree(
        game, tuple(names), tuple(symbols), tuple(tuple(r) for r in payoffs), tuple(tuple(r) for r in chance)
    )


_COMPILED: dict[tuple[str, str, str, float], CompiledModel] = {}


def domain_sample(
    model: Any, n: int, seed: int = 0, fixed: Mapping[str, Any] | None = None
) -> dict[str, np.ndarray]:
    """A seeded sample of parameter points inside the domains that satisfy the model's orderings.

    Points are drawn uniformly over the domains (infinite ends replaced by a range around the
    default) and rejected where an ordering fails, in batches, up to a million draws. Models with
    long ordering chains (Zagare–Kilgour utilities) reject almost everything; the sample is then
    completed by points drawn uniformly in a box around the defaults (which satisfy the
    orderings), shrunk until enough points pass. Parameters in ``fixed`` are pinned. Returns
    arrays for every parameter (``n`` points unless the orderings leave fewer).
    """
    rng = np.random.default_rng(seed)
    fixed = dict(fixed or {})
    ranges: dict[str, tuple[float, float]] = {}
    for name, p in model.parameters.items():
        lo, hi = float(p.domain[0]), float(p.domain[1])
        d = float(p.default)
        if not np.isfinite(lo):
            lo = d - max(1.0, 3 * abs(d))
        if not np.isfinite(hi):
            hi = d + max(1.0, 3 * abs(d))
        ranges[name] = (lo, hi)

    def draw(size: int, shrink: float | None) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for name, p in model.parameters.items():
            if name in fixed:
                out[name] = np.full(size, float(fixed[name]))
                continue
            lo, hi = ranges[name]
            if shrink is not None:
                d, half = float(p.default), shrink * (hi - lo) / 2
                lo, hi = max(lo, d - half), min(hi, d + half)
            out[name] = rng.uniform(lo, hi, size)
        ok = np.asarray(model.evaluate(out, check=False, check_orderings=False).ordering_ok, dtype=bool)
        return {k: v[ok] for k, v in out.items()}

    got: list[dict[str, np.ndarray]] = []
    count, drawn, batch = 0, 0, max(4 * n, 10_000)
    shrink: float | None = None
    while count < n:
        part = draw(batch, shrink)
        got.append(part)
        count += len(next(iter(part.values()))) if part else 0
        drawn += batch
        if count < n and drawn >= 1_000_000:
            shrink = 0.5 if shrink is None else shrink / 2
            drawn = 0
            if shrink < 1e-3:
                break
    return {k: np.concatenate([g[k] for g in got])[:n] for k in model.parameters}


def _as_expr(value: Any) -> sp.Expr:
    """A model's (already parsed) expression or number as a sympy expression; text is refused."""
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, (int, Fraction)) and not isinstance(value, bool):
        return sp.Rational(value)
    if isinstance(value, float):
        return sp.Float(value)
    raise TypeError(f"expected a parsed expression or a number, got {type(value).__name__}")


def symbolic_tree(model: Any) -> SymbolicTree:
    """The :class:`SymbolicTree` of a :class:`~deterrence.Model` (payoffs and chance by node id)."""
    game = model.game(exact=False, check_orderings=False)
    pay = model.payoff_expressions(key="id")
    probs = model.probability_expressions(key="id")
    payoffs = []
    for v in game.terminals:
        row = pay[game.nodes[v].label]
        payoffs.append([_as_expr(row[p]) for p in game.players])
    chance = []
    for ci in game.chance_infos:
        row = probs[game.nodes[ci.nodes[0]].label]
        chance.append([_as_expr(row[a]) for a in ci.actions])
    names = list(model.parameters)
    return symbolic_tree_from(game, names, [model.symbols[n] for n in names], payoffs, chance)


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
