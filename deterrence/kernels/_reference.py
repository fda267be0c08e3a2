"""The tree-walking path of the compiled kernels (the reference the fast path is tested against).

:class:`ReferencePath` tests structures by walking the tree on arrays
(:mod:`deterrence.kernels._vectree`): behaviour profiles, node values, the indifference of a
mixing set and its closed-form solution, the SPE / PBE checks with their off-path beliefs
(:meth:`~ReferencePath.search`), and the pruning of mixed structures that can never mix
(:meth:`~ReferencePath.may_mix`). A :class:`~deterrence.kernels.CompiledModel` holds one:
:meth:`CompiledModel.evaluate_reference <deterrence.kernels.CompiledModel.evaluate_reference>`
runs this path; the sweep runs the engine (:mod:`deterrence.kernels._engine`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..game.extensive import ExtensiveFormGame
from ._carry import ANY, CARRIED, UNSURE, carried_beliefs
from ._engine import AMBIGUOUS, INSIDE, NONE, REACH_BAND, ROUNDOFF, root
from ._trees import Structure, SymbolicTree
from ._units import decision_units
from ._vectree import VectorTree


def corner_coefficients(v: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
    """``(a, b, c, d)`` of ``a + b x + c y + d x y`` from its values at corners (0,0), (0,1), (1,0), (1,1)."""
    return v[0], v[2] - v[0], v[1] - v[0], v[3] - v[2] - v[1] + v[0]


def _roots_of(
    a: np.ndarray, q: np.ndarray, err_a: np.ndarray, err_q: np.ndarray, edge: float
) -> tuple[np.ndarray, np.ndarray]:
    """Status and value of the root of ``a + q t`` at every point (the engine's rule, point by point)."""
    out = [root(*map(float, args), edge) for args in zip(a, q, err_a, err_q, strict=True)]
    return np.array([o[0] for o in out], dtype=np.int64), np.array([o[1] for o in out], dtype=float)


class ReferencePath:
    """The tree-walking tests of candidate structures, on arrays of points.

    Parameters
    ----------
    tree, game, vt
        The symbolic tree, its numeric shape and the vectorised tree over it.
    concept, belief_policy, tol, edge
        As for :class:`~deterrence.kernels.CompiledModel`.
    labels
        The outcome labels of the tree, in vocabulary order.
    """

    def __init__(
        self,
        tree: SymbolicTree,
        game: ExtensiveFormGame,
        vt: VectorTree,
        concept: str,
        belief_policy: str,
        tol: float,
        edge: float,
        labels: Sequence[str],
    ) -> None:
        self.tree, self.game, self.vt = tree, game, vt
        self.concept, self.belief_policy, self.tol, self.edge = concept, belief_policy, tol, edge
        self._labels = list(labels)

    def with_tree(self, tree: SymbolicTree) -> ReferencePath:
        """The same tests on another symbolic tree of the same shape."""
        return ReferencePath(tree, self.game, self.vt, self.concept, self.belief_policy, self.tol, self.edge,
                             self._labels)

    def may_mix(self, s: Structure, probe: Mapping[str, np.ndarray]) -> bool:
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

    def _indifference(self, h: int, E: np.ndarray, pay: np.ndarray, sign: float = -1.0) -> np.ndarray:
        """Unnormalised indifference at binary set ``h``: sum_v reach(v) (Q(v, 0) - Q(v, 1))
        (``sign=1`` with absolute payoffs: the sum of its terms' sizes)."""
        info = self.game.infosets[h]
        R = self.vt.reach(E)
        V = self._node_values(E, pay, info.player)
        total = np.zeros(E.shape[0])
        for v in info.nodes:
            c0, c1 = self.game.nodes[v].children
            total += R[:, v] * (V[:, c0] + sign * V[:, c1])
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
                out.append(np.stack(corner_coefficients(v)))
        return out

    def _solve_mixing(
        self, s: Structure, pay: np.ndarray, chance: list[np.ndarray]
    ) -> tuple[dict[int, np.ndarray], np.ndarray]:
        """Closed-form mixing probabilities of a structure mixing at two sets, and per point the
        status of the solution (``NONE``, ``INSIDE`` or ``AMBIGUOUS``, decided by the engine's
        rule :func:`deterrence.kernels._engine.root`)."""
        npts = pay.shape[0]
        h1, h2 = s.mixing
        val, err = {}, {}
        for corner in ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0)):
            mix = {h1: np.full(npts, corner[0]), h2: np.full(npts, corner[1])}
            E = self.vt.edge_probabilities(chance, self._behaviour(s, npts, mix), npts)
            for h in s.mixing:
                val[corner, h] = self._indifference(h, E, pay)
                err[corner, h] = ROUNDOFF * self._indifference(h, E, np.abs(pay), sign=1.0)
        # the first set's indifference is linear in y (the second set's mixture), and vice versa
        a1, a2, e1, e2 = val[(0.0, 0.0), h1], val[(0.0, 0.0), h2], err[(0.0, 0.0), h1], err[(0.0, 0.0), h2]
        st_y, y = _roots_of(a1, val[(0.0, 1.0), h1] - a1, e1, e1 + err[(0.0, 1.0), h1], self.edge)
        st_x, x = _roots_of(a2, val[(1.0, 0.0), h2] - a2, e2, e2 + err[(1.0, 0.0), h2], self.edge)
        status = np.where((st_x == NONE) | (st_y == NONE), NONE, np.maximum(st_x, st_y))
        return {h1: x, h2: y}, status

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
                best, cur, _alt = vt.gain(prog, E, pay, np.ones((npts, 1)), exclude=excl)
                g = best - cur
                holds &= g <= tol
                regret = np.maximum(regret, g)
                undecided |= (g > tol) & (g <= eps)
            return holds, undecided, regret, R
        for h in self.game.infosets:
            nodes = list(h.nodes)
            r = R[:, nodes]
            tot = r.sum(axis=1)
            on = tot > 0
            undecided |= on & (tot <= REACH_BAND)  # reached here, maybe not for the solver (_engine)
            with np.errstate(invalid="ignore", divide="ignore"):
                mu = r / tot[:, None]
            if s.pure[h.index] < 0:
                holds &= on  # mixing sets must be on the path
            # unreached: the mover's belief carried forward, where it has weight (_carry)
            kind, carried_mu = carried_beliefs(self.game, h.index, E, R, CR, self.belief_policy == "prior")
            carried, unsure = ~on & (kind == CARRIED), ~on & (kind == UNSURE)
            if carried.any():
                g = self._gain_at(h, s, E, pay, np.where(carried[:, None], carried_mu, 1.0 / len(nodes)))
                holds &= ~carried | (g <= tol)
                undecided |= carried & (g > tol) & (g <= eps)
            undecided |= unsure
            anyone = ~on & (kind == ANY)
            if anyone.any():  # a belief the kernels do not form: decided if every belief decides alike
                every, some = self._under_every_belief(h, s, E, pay)
                holds &= ~anyone | every
                undecided |= anyone & ~every & some
            carried |= anyone
            use = ~(carried | unsure)  # on the path, or the policy's belief
            off = ~on & use
            if self.belief_policy == "prior" or len(nodes) == 1:
                if self.belief_policy == "prior" and len(nodes) > 1:
                    c = CR[:, nodes]
                    cs = c.sum(axis=1)
                    with np.errstate(invalid="ignore", divide="ignore"):
                        prior = np.where(cs[:, None] > 0, c / cs[:, None], 1.0 / len(nodes))
                else:
                    prior = np.ones((npts, len(nodes))) / len(nodes)
                mu = np.where(on[:, None], mu, prior)
                g = self._gain_at(h, s, E, pay, mu)
                holds &= ~use | (g <= tol)
                regret = np.maximum(regret, np.where(use, g, 0.0))
                undecided |= use & (g > tol) & (g <= eps)
                continue
            # free policy, several nodes: Bayes on the path, a supporting belief off it
            mu_on = np.where(on[:, None], mu, 1.0 / len(nodes))
            g = self._gain_at(h, s, E, pay, mu_on)
            g = np.where(on, g, 0.0)
            holds &= g <= tol
            regret = np.maximum(regret, g)
            undecided |= on & (g > tol) & (g <= eps)
            if np.any(off):
                if len(nodes) != 2:
                    undecided |= off
                    continue
                feasible, near = self._supporting_belief(h, s, E, pay, CR[:, nodes])
                holds &= ~off | feasible
                undecided |= off & near & ~feasible
        return holds, undecided, regret, R

    def _under_every_belief(self, h: Any, s: Structure, E: np.ndarray, pay: np.ndarray
                            ) -> tuple[np.ndarray, np.ndarray]:
        """Whether the prescribed move at ``h`` is optimal within ``tol`` under every belief over its
        nodes (at each node: the gain is convex in the belief), and whether it may be under some
        belief within ``edge`` (two nodes: :meth:`_supporting_belief` with every node reached;
        more: assumed so)."""
        npts, nodes = E.shape[0], list(h.nodes)
        every = np.ones(npts, dtype=bool)
        for j in range(len(nodes)):
            every &= self._gain_at(h, s, E, pay, np.eye(len(nodes))[np.full(npts, j)]) <= self.tol
        if len(nodes) != 2:
            return every, np.ones(npts, dtype=bool)
        _feasible, near = self._supporting_belief(h, s, E, pay, np.ones((npts, 2)))
        return every, near

    def _gain_at(self, h: Any, s: Structure, E: np.ndarray, pay: np.ndarray, mu: np.ndarray) -> np.ndarray:
        """The mover's best-response gain at set ``h`` under beliefs ``mu``."""
        prog = self.vt.program(h.player, tuple(h.nodes))
        best, cur, _ = self.vt.gain(prog, E, pay, mu)
        return best - cur

    def _supporting_belief(
        self, h: Any, s: Structure, E: np.ndarray, pay: np.ndarray, chance: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Free policy at a 2-node set: is there a belief under which the profile's continuation
        is optimal within ``tol`` (``feasible``), and one within the knife-edge margin (``near``)?
        Where Nature reaches one node only (``chance``: the nodes' chance reach, per point) the
        belief is on that node: Nature's zero-probability moves carry no belief."""
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
        forced = np.full((npts, 2), np.inf)  # per node: the least margin over plans
        key_of_terminal = [prog.keys[int(np.argmax(row))] for row in prog.key_matrix]
        for plan in itertools.product(*map(range, sizes)):
            choice = dict(zip(own_sets, plan, strict=True))
            mask = np.array([all(choice[hh] == a for hh, a in key) for key in key_of_terminal], dtype=float)
            alt = np.stack([(contrib * mask)[:, start == j].sum(axis=1) for j in (0, 1)], axis=1)
            d0 = cur[:, 0] - alt[:, 0]  # margin at belief m = 0 (all weight on the first node)
            d1 = cur[:, 1] - alt[:, 1]
            np.minimum(forced, np.stack([d0, d1], axis=1), out=forced)
            for lo, hi, margin in ((lo_f, hi_f, -self.tol), (lo_s, hi_s, -self.edge)):
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
        feasible, near = lo_f <= hi_f, lo_s <= hi_s
        reached = chance > 0
        for j in (0, 1):
            only = reached[:, j] & ~reached[:, 1 - j]
            feasible = np.where(only, forced[:, j] >= -self.tol, feasible)
            near = np.where(only, forced[:, j] >= -self.edge, near)
        return feasible, near

    def search(
        self, points: pd.DataFrame, structures: Sequence[Structure]
    ) -> tuple[list[tuple], np.ndarray]:
        """Every structure tested at every point: the equilibria found (per structure and mixing
        solution: where it holds, outcome probabilities, payoffs, regret, id, purity) and the mask
        of undecided (knife-edge) points.

        Parameters
        ----------
        points
            One column per model parameter; the index holds the global point ids.
        structures
            The candidate structures, in order.
        """
        npts = len(points)
        cols = {name: points[name].to_numpy(dtype=float) for name in self.tree.names}
        pay, chance = self.tree.numeric(cols)
        # the checks compare with tol and edge in the units of the per-point path (_units); rows
        # report the payoffs as given
        scaled = pay / decision_units(pay)[:, None, :]
        CR = self.vt.chance_reach(chance, npts)
        undecided = np.zeros(npts, dtype=bool)
        found: list[tuple] = []
        for k, s in enumerate(structures):
            if not s.mixing:
                beh = self._behaviour(s, npts)
                holds, und, regret, R = self._check(s, beh, scaled, chance, CR)
                undecided |= und
                if holds.any():
                    found.append(self._found_from_reach(holds, R, pay, regret, (k, 0), True))
                continue
            mix, status = self._solve_mixing(s, pay, chance)  # as the engine: on the payoffs as given
            if np.all(status == NONE):
                continue
            holds, und, regret, R = self._check(s, self._behaviour(s, npts, mix), scaled, chance, CR)
            undecided |= (status != NONE) & (und | holds & (status == AMBIGUOUS))
            holds &= status == INSIDE
            if holds.any():
                found.append(self._found_from_reach(holds, R, pay, regret, (k, 0), False))
        return found, undecided

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
