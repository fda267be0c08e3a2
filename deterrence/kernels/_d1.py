"""D1 beliefs for the compiled kernels: the ``free`` kernels' equilibria refined by the D1 policy.

Every equilibrium under the ``d1`` belief policy is one under ``free`` beliefs too (the D1
belief is one of the beliefs ``free`` may pick: it gives no weight to a node Nature never
reaches), so a ``d1`` kernel runs the ``free`` kernel and keeps, at every point, the
structures whose unreached information sets of several nodes are sequentially rational under
the beliefs the per-point solver gives them (:mod:`deterrence.solvers._pbe_beliefs`): the
mover's own belief carried forward where it has weight, else the D1 belief
(:meth:`~deterrence.solvers._pbe_beliefs._Beliefs._d1`: the deviation types, scored by the
share of admissible answers that make the type's last deviation profitable, the belief on the
best-scoring types' nodes). Here the same beliefs are worked out on arrays of points, for pure
structures whose unreached sets have at most two actions; what floating point cannot place is
flagged as undecided (the sweep then solves the point per point):

* a reach total or a carried weight between 0 and :data:`NEAR_ZERO`;
* a node of an unreached set that Nature reaches with probability (near) 0;
* an answer whose admissibility, a score or the choice between the scores (the solver's
  ``1e-9`` tie rule and its "all scores 0" rule) could change within :data:`ROUNDING` (relative
  to the player's largest payoff size) of its inputs: the solver sums in another order;
* a final gain between ``tol`` and the knife-edge margin ``edge`` (in the units of
  :mod:`deterrence.kernels._units`, as the engine's checks);
* a structure mixing somewhere with an unreached set of several nodes, an unreached set of more
  than two actions, and a cycle of off-path references.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..game.extensive import ExtensiveFormGame
from ..game.scaling import solver_units
from ..solvers._pbe_beliefs import _deviation_groups, _last_own_moves, _own_paths
from ..solvers._pbe_context import _REACH
from ..solvers._tree_utils import child_tables, pure_behaviour
from ._trees import Structure, SymbolicTree
from ._units import decision_units
from ._vectree import VectorTree

#: reach totals and carried weights in ``(0, NEAR_ZERO]`` are too close to the per-point
#: solver's threshold (``_REACH``) and to 0 to tell on-path from off-path: undecided
NEAR_ZERO = 1e-9
#: scores within this of each other are tied (:meth:`_Beliefs._d1`)
TIE = 1e-9
#: relative bound (to the largest payoff size) on how far two orders of the same sums of
#: products of payoffs and probabilities may differ
ROUNDING = 1e-12


class D1Check:
    """The D1 test of pure structures on arrays of points (see the module docstring).

    Parameters
    ----------
    tree, game, vt
        The symbolic tree, its shape and its vectorised form.
    tol, edge
        Certification tolerance and knife-edge margin (in the units of
        :mod:`deterrence.kernels._units`; the D1 rule's own ``tol`` on the solver's scale).
    """

    def __init__(self, tree: SymbolicTree, game: ExtensiveFormGame, vt: VectorTree, tol: float, edge: float
                 ) -> None:
        self.tree, self.game, self.vt, self.tol, self.edge = tree, game, vt, tol, edge
        self.kids = child_tables(game)
        self.multi = [k for k, h in enumerate(game.infosets) if len(h.nodes) > 1]

    def verdicts(self, s: Structure, cols: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """``(holds, undecided)`` of structure ``s`` at the points ``cols`` (which hold under
        ``free`` beliefs): its unreached sets of several nodes tested under D1 beliefs."""
        npts = len(next(iter(cols.values())))
        holds = np.ones(npts, dtype=bool)
        if not self.multi:
            return holds, np.zeros(npts, dtype=bool)
        if s.mixing:
            return self._mixed(s, cols, npts)
        return _Points(self, s, cols, npts).verdicts()

    def _mixed(self, s: Structure, cols: dict[str, np.ndarray], npts: int) -> tuple[np.ndarray, np.ndarray]:
        """A mixing structure: the policy does not matter where every set of several nodes is on
        the path (reached at some corner of the mixing square: the mixtures are inside it);
        elsewhere undecided."""
        _pay, chance = self.tree.numeric(cols)
        reached = np.zeros((npts, len(self.multi)))
        for corner in ((0, 0), (0, 1), (1, 0), (1, 1)):
            pure = list(s.pure)
            for h, a in zip(s.mixing, corner, strict=True):
                pure[h] = a
            R = self.vt.reach(self.vt.edge_probabilities(chance, pure_behaviour(self.game, pure), npts))
            for j, k in enumerate(self.multi):
                reached[:, j] = np.maximum(reached[:, j], R[:, list(self.game.infosets[k].nodes)].sum(axis=1))
        clear = (reached > NEAR_ZERO).all(axis=1)
        return clear, ~clear


class _Points:
    """One pure structure at an array of points: its beliefs, worked out set by set."""

    def __init__(self, check: D1Check, s: Structure, cols: dict[str, np.ndarray], npts: int) -> None:
        self.c, self.s, self.npts = check, s, npts
        game, vt = check.game, check.vt
        self.beh = pure_behaviour(game, s.pure)
        self.pay, chance = check.tree.numeric(cols)
        self.E = vt.edge_probabilities(chance, self.beh, npts)
        self.R = vt.reach(self.E)
        self.CR = vt.chance_reach(chance, npts)
        #: (P, players): the solver's unit (its D1 rule's tol) and the unit of the final gains (_units)
        self.solver_unit = solver_units(self.pay)
        self.unit = decision_units(self.pay, self.solver_unit)
        #: bound on the difference between this path's sums and the solver's (other orders of
        #: the same additions), per player: the exact comparisons of D1 are undecided within it
        self.fp = ROUNDING * np.maximum(np.abs(self.pay).max(axis=1), 1e-300)
        self.V = self._values(self.E)
        self.undecided = np.zeros(npts, dtype=bool)
        self.mu: dict[int, np.ndarray] = {}
        self.on: dict[int, np.ndarray] = {}
        self._busy: set[int] = set()
        self.zeros = b"".join((b <= _REACH).tobytes() for b in self.beh)

    def _values(self, E: np.ndarray) -> np.ndarray:
        """Every player's expected payoff at every node under edge probabilities ``E``: (P, n, N)."""
        vt = self.c.vt
        V = np.zeros((E.shape[0], vt.n, self.pay.shape[2]))
        V[:, vt.terminals, :] = self.pay
        for level in reversed(vt.levels):
            below = (E[:, level, None] * V[:, level, :]).transpose(1, 0, 2)
            np.add.at(V.transpose(1, 0, 2), vt.parent[level], below)
        return V

    def verdicts(self) -> tuple[np.ndarray, np.ndarray]:
        holds = np.ones(self.npts, dtype=bool)
        game, tol, edge = self.c.game, self.c.tol, self.c.edge
        for k in self.c.multi:
            h = game.infosets[k]
            if len(h.actions) == 1:
                continue  # nothing to deviate to: any belief holds
            if len(h.actions) > 2:  # not treated here: undecided where the set is unreached
                self.undecided |= ~(self.R[:, list(h.nodes)].sum(axis=1) > NEAR_ZERO)
                continue
            mu = self.belief(k)
            off = ~self.on[k]
            prog = self.c.vt.program(h.player, tuple(h.nodes))
            best, cur, _ = self.c.vt.gain(prog, self.E, self.pay, mu)
            g = (best - cur) / self.unit[:, h.player]
            holds &= ~off | (g <= tol)
            self.undecided |= off & (g > tol) & (g <= edge)
        return holds & ~self.undecided, self.undecided

    # ------------------------------------------------------------------ beliefs
    def belief(self, k: int) -> np.ndarray:
        """The belief at set ``k`` at every point (Bayes where reached, else the mover's own
        carried belief where it has weight, else D1), ``(P, nodes)``."""
        if k in self.mu:
            return self.mu[k]
        nodes = list(self.c.game.infosets[k].nodes)
        r = self.R[:, nodes]
        tot = r.sum(axis=1)
        on = tot > _REACH
        self.undecided |= (tot > 0) & (tot <= NEAR_ZERO)
        self.on[k] = on
        with np.errstate(invalid="ignore", divide="ignore"):
            mu = np.where(on[:, None], r / np.where(on, tot, 1.0)[:, None], 0.0)
        if not on.all():
            if k in self._busy:  # a circular reference between unreached sets
                self.undecided[:] = True
                return np.full((self.npts, len(nodes)), 1.0 / len(nodes))
            self._busy.add(k)
            off = self._off_path(k)
            self._busy.discard(k)
            mu = np.where(on[:, None], mu, off)
        self.mu[k] = mu
        return mu

    def _off_path(self, k: int) -> np.ndarray:
        """The off-path belief at set ``k``: carried where it has weight, else D1."""
        game = self.c.game
        d1 = self._d1(k) if len(game.infosets[k].nodes) > 1 else np.ones((self.npts, 1))
        last = _last_own_moves(game)[k]
        if last is None:
            return d1
        prev, act = last
        mu_prev = self.belief(prev)
        w = np.zeros((self.npts, len(game.infosets[k].nodes)))
        for u_pos, v_pos, path in _own_paths(game, prev, act, k):
            p = mu_prev[:, u_pos].copy()
            for node in path:
                p = p * self.E[:, node]
            w[:, v_pos] += p
        s = w.sum(axis=1)
        carried = s > _REACH
        self.undecided |= (s > 0) & (s <= NEAR_ZERO)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(carried[:, None], w / np.where(carried, s, 1.0)[:, None], d1)

    def _d1(self, k: int) -> np.ndarray:
        """The D1 belief at set ``k`` (one or two actions) at every point."""
        game, tol = self.c.game, self.c.tol
        h = game.infosets[k]
        nodes = list(h.nodes)
        cr = self.CR[:, nodes]
        if len(h.actions) > 2:  # not treated here
            self.undecided[:] = True
            return np.full((self.npts, len(nodes)), 1.0 / len(nodes))
        self.undecided |= ~(cr > 1e-200).all(axis=1)  # Nature's (near-)zero moves: left to the solver
        groups = _deviation_groups(game, self.beh, k)
        if not groups:
            return cr / cr.sum(axis=1, keepdims=True)
        q = self.V[:, self.c.kids[k], h.player]  # (P, nodes, actions)
        margin, unit = self.fp[:, h.player], self.solver_unit[:, h.player]  # tol: on the solver's scale
        admissible = []
        top = q.max(axis=2)
        for b in range(len(h.actions)):
            slack = q[:, :, b] - (top - tol * unit[:, None])  # >= 0 at some node: a best response there
            admissible.append((slack >= 0).any(axis=1))
            self.undecided |= ((q[:, :, b] < top) & (np.abs(slack) <= margin[:, None])).any(axis=1)
        answer_values = [self._answer(k, b) for b in range(len(h.actions))]
        lo, hi = [], []
        for devs in groups:
            iota, a = devs[-1]
            i = game.infosets[iota].player
            mu_i = self.belief(iota)
            ustar = (mu_i * self.V[:, list(game.infosets[iota].nodes), i]).sum(axis=1)
            after = self.c.kids[iota][:, a]
            dev = np.stack([(mu_i * vals[:, after, i]).sum(axis=1) for vals in answer_values], axis=1)
            delta = self.fp[:, i]
            s_lo, s_hi = _share_bounds(dev, admissible, ustar + tol * self.solver_unit[:, i], delta)
            lo.append(s_lo)
            hi.append(s_hi)
        lo_a, hi_a = np.stack(lo, axis=1), np.stack(hi, axis=1)  # (P, groups)
        best_lo, best_hi = lo_a.max(axis=1), hi_a.max(axis=1)
        binds_unsure = (best_hi > 0) & ~(best_lo > 0)
        chosen = lo_a >= best_hi[:, None] - TIE
        unsure = ~chosen & ~(hi_a < best_lo[:, None] - TIE)
        self.undecided |= binds_unsure | (best_lo > 0) & unsure.any(axis=1)
        chosen = np.where((best_hi <= 0)[:, None], True, chosen)
        w = np.zeros((self.npts, len(nodes)))
        for g, positions in enumerate(groups.values()):
            for p in positions:
                w[:, p] += np.where(chosen[:, g], cr[:, p], 0.0)
        s = w.sum(axis=1)
        return w / np.where(s > 0, s, 1.0)[:, None]

    def _answer(self, k: int, b: int) -> np.ndarray:
        """Node values with action ``b`` played at set ``k`` (the rest of the profile as is)."""
        E = self.E.copy()
        E[:, self.c.kids[k]] = 0.0
        E[:, self.c.kids[k][:, b]] = 1.0
        return self._values(E)


def _share_bounds(dev: np.ndarray, admissible: Sequence[np.ndarray], thr: np.ndarray, delta: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Bounds on :func:`~deterrence.solvers._pbe_beliefs._profitable_share` of the admissible
    answers' deviation payoffs ``dev`` (P, 2) against ``thr``, each input moved by up to
    ``delta``: the share is monotone in each input on either side of its singular line, so its
    extremes over the box are at corners; near the line (slope within ``4 delta``) the bounds
    are the whole of [0, 1]."""
    if dev.shape[1] == 1:  # one action: its answer alone
        dev, admissible = np.concatenate([dev, dev], axis=1), [admissible[0], np.zeros_like(admissible[0])]
    both = admissible[0] & admissible[1]
    only = np.where(admissible[0], 0, 1)
    lo = np.full(len(thr), np.inf)
    hi = np.full(len(thr), -np.inf)
    for e0 in (-1.0, 1.0):
        for e1 in (-1.0, 1.0):
            for et in (-1.0, 1.0):
                d0, d1, t = dev[:, 0] + e0 * delta, dev[:, 1] + e1 * delta, thr + et * delta
                alone = np.where(only == 0, d0, d1)
                one = np.where(alone > t, 1.0, 0.0)
                with np.errstate(invalid="ignore", divide="ignore"):
                    t0 = (t - d1) / (d0 - d1)
                two = np.where(d0 > d1, np.clip(1.0 - t0, 0.0, 1.0), np.clip(t0, 0.0, 1.0))
                val = np.where(both, two, one)
                lo, hi = np.minimum(lo, val), np.maximum(hi, val)
    singular = both & (np.abs(dev[:, 0] - dev[:, 1]) <= 4 * delta)
    lo = np.where(singular, 0.0, lo)
    hi = np.where(singular, 1.0, hi)
    return lo, hi
