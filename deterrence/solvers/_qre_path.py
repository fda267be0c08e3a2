"""Numerical core of the quantal-response solver (private to :mod:`deterrence.solvers.qre`).

Three pieces, each independent of the solver's options:

* *value oracles* — the expected payoff ``v_a`` of every action ``a`` (a player's pure
  strategy, or an action at an information set, given the beliefs there) and its
  Jacobian with respect to the flat probability vector ``p``:
  :class:`NormalValues` (N-player matrices) and :class:`TreeValues` (agent form of a
  tree, derivatives by forward-mode differentiation level by level);
* *quantal-response systems* ``H(y) = 0`` on ``y = (coordinates, t)`` with the precision
  ``lambda_i = t * w_i``: :class:`LogitSystem` (log-probabilities, Turocy 2005) and
  :class:`BinarySystem` (any link ``p = F(lambda * (v_1 - v_0))`` on two-action choices,
  e.g. probit);
* a predictor–corrector continuation method (:func:`follow`), Newton at a fixed ``t``
  (:func:`newton_at`), and Nash regret of a behaviour profile (:func:`tree_nash_regret`).

References: Turocy (2005), "A dynamic homotopy interpretation of the logistic quantal
response equilibrium correspondence", GEB 51; Allgower & Georg (1990), *Numerical
continuation methods*, ch. 6 (step-size adaptation).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from ..errors import SolverError

# ---------------------------------------------------------------------------- value oracles


class NormalValues:
    """Payoff of every pure strategy against the others' mixed strategies, N players.

    Groups are the players; ``p`` concatenates the players' mixed strategies.
    """

    def __init__(self, game) -> None:
        self.game = game
        self.sizes = tuple(int(n) for n in game.shape)
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)]).astype(int)
        self.K = int(self.offsets[-1])
        self.group = np.repeat(np.arange(len(self.sizes)), self.sizes)
        self.owner_of_group = np.arange(len(self.sizes))
        self.num_groups = len(self.sizes)
        pay = np.stack(game.payoffs)
        self.scale = float(pay.max() - pay.min()) or 1.0

    def split(self, p: np.ndarray) -> list[np.ndarray]:
        """One vector per group (player)."""
        return [p[a:b] for a, b in zip(self.offsets[:-1], self.offsets[1:], strict=True)]

    def values(self, p: np.ndarray) -> np.ndarray:
        """Flat vector of the payoff of each pure strategy against the profile ``p``."""
        prof = self.split(p)
        return np.concatenate([self.game.deviation_payoffs(prof, i) for i in range(self.num_groups)])

    def jacobian(self, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(v, dv/dp)``; block ``(i, k)`` holds player i's payoffs with i and k fixed."""
        prof = self.split(p)
        n = self.num_groups
        v = self.values(p)
        jac = np.zeros((self.K, self.K))
        for i in range(n):
            a_i = self.game.payoffs[i]
            for k in range(n):
                if k == i:
                    continue
                a = a_i
                for ax in reversed(range(n)):
                    if ax not in (i, k):
                        a = np.tensordot(a, prof[ax], axes=([ax], [0]))
                block = a if i < k else a.T
                jac[self.offsets[i] : self.offsets[i + 1], self.offsets[k] : self.offsets[k + 1]] = block
        return v, jac

    def values_x(self, x: np.ndarray) -> np.ndarray:
        """Values at the profile with log-probabilities ``x``."""
        return self.values(np.exp(x))

    def jacobian_x(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(v, dv/dx)`` in log-probability coordinates."""
        p = np.exp(x)
        v, jac = self.jacobian(p)
        return v, jac * p[None, :]

    def regret(self, p: np.ndarray) -> float:
        """Largest gain from a unilateral deviation (Nash regret)."""
        return float(np.max(self.game.regrets(self.split(p))))


class TreeValues:
    """Agent-form action values of a tree: groups are information sets.

    ``v_a`` for action ``a`` at information set ``h`` of player ``i`` is player ``i``'s
    expected payoff of taking ``a`` at ``h``, with beliefs over ``h``'s nodes proportional
    to their realisation probabilities. Groups whose beliefs are *frozen*
    (:attr:`frozen`, e.g. information sets that a zero-probability chance move cuts off)
    use fixed belief weights instead.
    """

    def __init__(self, game) -> None:
        self.game = game
        nodes = game.nodes
        nn = len(nodes)
        self.sizes = tuple(len(h.actions) for h in game.infosets)
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)]).astype(int)
        self.K = int(self.offsets[-1])
        self.num_groups = len(self.sizes)
        self.group = np.repeat(np.arange(self.num_groups), self.sizes).astype(int)
        self.owner_of_group = np.array([h.player for h in game.infosets], dtype=int)
        self.N = game.num_players
        parent = np.array([nd.parent for nd in nodes], dtype=int)
        self.parent = parent
        chance_p = np.ones(nn)
        flat = np.full(nn, -1, dtype=int)
        for nd in nodes:
            if nd.parent < 0:
                continue
            par = nodes[nd.parent]
            if par.kind == "chance":
                chance_p[nd.index] = float(game.chance_infos[par.infoset].probs[nd.action])
            else:
                flat[nd.index] = self.offsets[par.infoset] + nd.action
        self.chance_p = chance_p
        self.flat = flat
        depth = np.zeros(nn, dtype=int)
        for nd in nodes[1:]:
            depth[nd.index] = depth[nd.parent] + 1
        self.levels = [np.flatnonzero(depth == d) for d in range(1, int(depth.max()) + 1)] if nn > 1 else []
        self.term = np.array(game.terminals, dtype=int)
        self.term_pay = np.asarray(game.payoffs, dtype=float).reshape(len(self.term), self.N)
        # action-value entries: (flat action, node of the set, child, player)
        af, an, ac, ap = [], [], [], []
        for h in game.infosets:
            for v in h.nodes:
                for a, c in enumerate(nodes[v].children):
                    af.append(self.offsets[h.index] + a)
                    an.append(v)
                    ac.append(c)
                    ap.append(h.player)
        self.av_flat = np.array(af, dtype=int)
        self.av_node = np.array(an, dtype=int)
        self.av_child = np.array(ac, dtype=int)
        self.av_player = np.array(ap, dtype=int)
        self.set_nodes = np.array([v for h in game.infosets for v in h.nodes], dtype=int)
        self.set_group = np.array([h.index for h in game.infosets for _ in h.nodes], dtype=int)
        self.scale = float(self.term_pay.max() - self.term_pay.min()) if self.term_pay.size else 1.0
        self.scale = self.scale or 1.0
        # beliefs frozen per node (weights) and the mask of frozen nodes
        self.frozen_weight = np.zeros(nn)
        self.frozen_node = np.zeros(nn, dtype=bool)
        reach = self.reach(
            np.concatenate([np.full(n, 1.0 / n) for n in self.sizes]) if self.K else np.zeros(0)
        )
        cut = [h for h in game.infosets if reach[list(h.nodes)].sum() <= 0]
        if cut:  # cut off by zero-probability chance moves: uniform beliefs
            self.freeze({h.index: np.full(len(h.nodes), 1.0 / len(h.nodes)) for h in cut})
        self.structurally_frozen = frozenset(h.index for h in cut)

    # ------------------------------------------------------------------ pieces
    def split(self, p: np.ndarray) -> list[np.ndarray]:
        """One vector per group (information set)."""
        return [p[a:b] for a, b in zip(self.offsets[:-1], self.offsets[1:], strict=True)]

    def freeze(self, beliefs: dict[int, np.ndarray]) -> None:
        """Fix the beliefs of some information sets (index -> weights over its nodes)."""
        for g, mu in beliefs.items():
            nodes = list(self.game.infosets[g].nodes)
            self.frozen_node[nodes] = True
            self.frozen_weight[nodes] = np.asarray(mu, dtype=float)

    def unfreeze(self, keep: frozenset[int] = frozenset()) -> None:
        """Release frozen beliefs except those of the groups in ``keep``."""
        for h in self.game.infosets:
            if h.index not in keep:
                self.frozen_node[list(h.nodes)] = False
                self.frozen_weight[list(h.nodes)] = 0.0

    def _edges(self, p: np.ndarray) -> np.ndarray:
        e = self.chance_p.copy()
        dec = self.flat >= 0
        e[dec] = p[self.flat[dec]]
        return e

    def reach(self, p: np.ndarray) -> np.ndarray:
        """Realisation probability of every node."""
        e = self._edges(p)
        r = np.ones(len(e))
        for lvl in self.levels:
            r[lvl] = r[self.parent[lvl]] * e[lvl]
        return r

    def beliefs(self, p: np.ndarray) -> list[np.ndarray | None]:
        """Bayes beliefs per information set from the realisation probabilities (None if unreached)."""
        r = self.reach(p)
        out: list[np.ndarray | None] = []
        for h in self.game.infosets:
            w = r[list(h.nodes)]
            s = w.sum()
            out.append(w / s if s > 0 else None)
        return out

    def _node_values(self, e: np.ndarray, derivs: bool) -> tuple[np.ndarray, np.ndarray | None]:
        """Conditional expected payoffs at every node (and their derivatives in ``p``)."""
        nn, K, N = len(e), self.K, self.N
        val = np.zeros((nn, N))
        val[self.term] = self.term_pay
        dval = np.zeros((nn, N, K)) if derivs else None
        for lvl in reversed(self.levels):
            par = self.parent[lvl]
            np.add.at(val, par, e[lvl][:, None] * val[lvl])
            if dval is not None:
                np.add.at(dval, par, e[lvl][:, None, None] * dval[lvl])
                dec = lvl[self.flat[lvl] >= 0]
                dval[self.parent[dec], :, self.flat[dec]] += val[dec]
        return val, dval

    def _log_beliefs(self, x: np.ndarray, derivs: bool) -> tuple[np.ndarray, np.ndarray | None]:
        """Beliefs at every decision node from log-realisation probabilities (no underflow).

        Returns ``mu`` per node (0 off information sets) and ``d mu / d x`` (nodes x K).
        """
        nn, K = len(self.parent), self.K
        le = np.log(np.where(self.chance_p > 0, self.chance_p, 1.0))
        le[self.chance_p <= 0] = -np.inf
        dec = self.flat >= 0
        le[dec] = x[self.flat[dec]]
        lr = np.zeros(nn)
        dlr = np.zeros((nn, K)) if derivs else None
        for lvl in self.levels:
            lr[lvl] = lr[self.parent[lvl]] + le[lvl]
            if dlr is not None:
                dlr[lvl] = dlr[self.parent[lvl]]
                d = lvl[self.flat[lvl] >= 0]
                dlr[d, self.flat[d]] += 1.0
        nodes, grp = self.set_nodes, self.set_group
        top = np.full(self.num_groups, -np.inf)
        np.maximum.at(top, grp, lr[nodes])
        top = np.where(np.isfinite(top), top, 0.0)
        w = np.exp(lr[nodes] - top[grp])
        den = np.bincount(grp, weights=w, minlength=self.num_groups)
        mu_e = w / np.where(den > 0, den, 1.0)[grp]
        frozen = self.frozen_node[nodes]
        fw = self.frozen_weight[nodes]
        fden = np.bincount(grp, weights=np.where(frozen, fw, 0.0), minlength=self.num_groups)
        mu_e = np.where(frozen, fw / np.where(fden > 0, fden, 1.0)[grp], mu_e)
        mu = np.zeros(nn)
        mu[nodes] = mu_e
        if dlr is None:
            return mu, None
        mean = np.zeros((self.num_groups, K))
        np.add.at(mean, grp, mu_e[:, None] * dlr[nodes])
        dmu_e = mu_e[:, None] * (dlr[nodes] - mean[grp])
        dmu_e[frozen] = 0.0
        dmu = np.zeros((nn, K))
        dmu[nodes] = dmu_e
        return mu, dmu

    def values_x(self, x: np.ndarray) -> np.ndarray:
        """Conditional action values at the profile with log-probabilities ``x``."""
        val, _ = self._node_values(self._edges(np.exp(x)), False)
        mu, _ = self._log_beliefs(x, False)
        out = np.zeros(self.K)
        np.add.at(out, self.av_flat, mu[self.av_node] * val[self.av_child, self.av_player])
        return out

    def jacobian_x(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(v, dv/dx)`` in log-probability coordinates (beliefs by log-sum-exp: no underflow)."""
        p = np.exp(x)
        val, dval = self._node_values(self._edges(p), True)
        assert dval is not None
        mu, dmu = self._log_beliefs(x, True)
        assert dmu is not None
        node, child, pl = self.av_node, self.av_child, self.av_player
        v = np.zeros(self.K)
        np.add.at(v, self.av_flat, mu[node] * val[child, pl])
        jac = np.zeros((self.K, self.K))
        np.add.at(
            jac,
            self.av_flat,
            dmu[node] * val[child, pl][:, None] + mu[node][:, None] * dval[child, pl, :] * p[None, :],
        )
        return v, jac

    def values(self, p: np.ndarray) -> np.ndarray:
        """Conditional action values at the probability vector ``p`` (zeros allowed on frozen sets)."""
        return self.jacobian(p, derivs=False)[0]

    def jacobian(self, p: np.ndarray, derivs: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """``(v, dv/dp)`` in probability coordinates, for the exact solution on a support."""
        e = self._edges(p)
        nn, K = len(e), self.K
        r = np.ones(nn)
        dr = np.zeros((nn, K))
        for lvl in self.levels:
            par = self.parent[lvl]
            r[lvl] = r[par] * e[lvl]
            if derivs:
                dr[lvl] = dr[par] * e[lvl][:, None]
                dec = lvl[self.flat[lvl] >= 0]
                dr[dec, self.flat[dec]] += r[self.parent[dec]]
        val, dval = self._node_values(e, derivs)
        frozen = self.frozen_node
        w = np.where(frozen, self.frozen_weight, r)
        dw = np.where(frozen[:, None], 0.0, dr)
        node, child, pl = self.av_node, self.av_child, self.av_player
        num = np.zeros(K)
        np.add.at(num, self.av_flat, w[node] * val[child, pl])
        den = np.zeros(self.num_groups)
        np.add.at(den, self.set_group, w[self.set_nodes])
        dg = den[self.group]
        with np.errstate(divide="ignore", invalid="ignore"):
            v = num / dg
        if not derivs:
            return v, np.zeros((0, 0))
        assert dval is not None
        dnum = np.zeros((K, K))
        np.add.at(
            dnum, self.av_flat, dw[node] * val[child, pl][:, None] + w[node][:, None] * dval[child, pl, :]
        )
        dden = np.zeros((self.num_groups, K))
        np.add.at(dden, self.set_group, dw[self.set_nodes])
        with np.errstate(divide="ignore", invalid="ignore"):
            jac = dnum / dg[:, None] - (num / dg**2)[:, None] * dden[self.group]
        return v, jac

    def regret(self, p: np.ndarray) -> float:
        """Nash regret of the behaviour profile ``p`` (largest gain of any player)."""
        return tree_nash_regret(self.game, self.split(p))


def tree_nash_regret(game, behaviour: list[np.ndarray]) -> float:
    """Largest gain any player gets by switching to a best response in the whole game.

    The best response of a player with perfect recall is found by backward induction over
    its own information sets (deepest first), weighting each node by the probability
    that Nature and the other players reach it.
    """
    current = game.expected_payoffs(behaviour)
    gains = [_best_response_value(game, behaviour, i) - float(current[i]) for i in range(game.num_players)]
    return float(max(0.0, *gains)) if gains else 0.0


def _best_response_value(game, behaviour: list[np.ndarray], i: int) -> float:
    nodes = game.nodes
    rho = np.ones(len(nodes))  # probability that chance and the others reach each node
    for nd in nodes[1:]:
        par = nodes[nd.parent]
        if par.kind == "chance":
            edge = float(game.chance_infos[par.infoset].probs[nd.action])
        elif par.player == i:
            edge = 1.0
        else:
            edge = float(behaviour[par.infoset][nd.action])
        rho[nd.index] = rho[nd.parent] * edge
    mine = [h for h in game.infosets if h.player == i]
    depth = {h.index: len(game.own_sequence(h.nodes[0], i)) for h in mine}
    choice: dict[int, int] = {}
    memo: dict[int, float] = {}

    def weighted(v: int) -> float:
        if v in memo:
            return memo[v]
        nd = nodes[v]
        if nd.kind == "terminal":
            out = float(rho[v] * game.payoffs[game.terminal_index(v), i])
        elif nd.kind == "decision" and nd.player == i:
            out = weighted(nd.children[choice[nd.infoset]])
        else:
            out = sum(weighted(c) for c in nd.children)
        memo[v] = out
        return out

    for h in sorted(mine, key=lambda h: -depth[h.index]):
        totals = [sum(weighted(nodes[v].children[a]) for v in h.nodes) for a in range(len(h.actions))]
        choice[h.index] = int(np.argmax(totals))
    return weighted(0)


# ---------------------------------------------------------------------------- QR systems


class LogitSystem:
    """Logit QRE equations in log-probabilities ``x`` with one offset ``z`` per group.

    ``y = (x, z, t)``; ``H = [x_a - t w_{owner(a)} v_a(e^x) - z_{g(a)} ;  sum_{a in g} e^{x_a} - 1]``.
    """

    def __init__(self, oracle, weights: np.ndarray) -> None:
        self.o = oracle
        self.w = np.asarray(weights, dtype=float)
        self.wa = self.w[oracle.owner_of_group[oracle.group]] if oracle.K else np.zeros(0)
        self.m = oracle.K + oracle.num_groups

    def start(self) -> np.ndarray:
        """The centroid at ``t = 0``."""
        o = self.o
        x = -np.log(np.asarray(o.sizes, dtype=float))[o.group]
        z = -np.log(np.asarray(o.sizes, dtype=float))
        return np.concatenate([x, z, [0.0]])

    def probs(self, y: np.ndarray) -> np.ndarray:
        """Flat probability vector at ``y``."""
        return np.exp(y[: self.o.K])

    def H(self, y: np.ndarray) -> np.ndarray:
        o, K = self.o, self.o.K
        x, z, t = y[:K], y[K:-1], y[-1]
        v = o.values_x(x)
        h1 = x - t * self.wa * v - z[o.group]
        h2 = np.bincount(o.group, weights=np.exp(x), minlength=o.num_groups) - 1.0
        return np.concatenate([h1, h2])

    def HJ(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        o, K, G = self.o, self.o.K, self.o.num_groups
        x, z, t = y[:K], y[K:-1], y[-1]
        p = np.exp(x)
        v, dvx = o.jacobian_x(x)
        lam = t * self.wa
        h1 = x - lam * v - z[o.group]
        h2 = np.bincount(o.group, weights=p, minlength=G) - 1.0
        J = np.zeros((K + G, K + G + 1))
        J[:K, :K] = np.eye(K) - lam[:, None] * dvx
        J[np.arange(K), K + o.group] = -1.0
        J[:K, -1] = -self.wa * v
        J[K + o.group, np.arange(K)] = p
        return np.concatenate([h1, h2]), J

    def residual(self, y: np.ndarray) -> float:
        """Largest gap between the profile and the logit response to it (probability units)."""
        o, x = self.o, y[: self.o.K]
        v = o.values_x(x)
        lam = y[-1] * self.wa
        out = 0.0
        for a, b in zip(o.offsets[:-1], o.offsets[1:], strict=True):
            s = lam[a:b] * v[a:b]
            q = np.exp(s - s.max())
            out = max(out, float(np.max(np.abs(q / q.sum() - np.exp(x[a:b])))))
        return out


class BinarySystem:
    """``p_{g,1} = F(t w_i (v_{g,1} - v_{g,0}))`` on two-action groups, in index coordinates.

    ``y = (s, t)`` with ``s_g`` the index of group ``g``: ``H_g = s_g - t w (v_1 - v_0)``.
    ``F`` must be the distribution function of a symmetric law (``1 - F(s) = F(-s)``),
    given by its logarithm and the logarithm of its density.
    """

    def __init__(self, oracle, weights: np.ndarray, logcdf: Callable, logpdf: Callable) -> None:
        if any(n != 2 for n in oracle.sizes):
            raise SolverError("this link is implemented for two-action choices only")
        self.o = oracle
        self.w = np.asarray(weights, dtype=float)
        self.wg = self.w[oracle.owner_of_group] if oracle.num_groups else np.zeros(0)
        self.logcdf, self.logpdf = logcdf, logpdf
        self.m = oracle.num_groups

    def start(self) -> np.ndarray:
        return np.zeros(self.m + 1)

    def _logs(self, s: np.ndarray) -> np.ndarray:
        x = np.empty(2 * self.m)
        x[1::2] = self.logcdf(s)
        x[0::2] = self.logcdf(-s)
        return x

    def probs(self, y: np.ndarray) -> np.ndarray:
        return np.exp(self._logs(y[:-1]))

    def H(self, y: np.ndarray) -> np.ndarray:
        v = self.o.values_x(self._logs(y[:-1]))
        return y[:-1] - y[-1] * self.wg * (v[1::2] - v[0::2])

    def HJ(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s, t = y[:-1], y[-1]
        v, dvx = self.o.jacobian_x(self._logs(s))
        dd = dvx[1::2] - dvx[0::2]  # d(v1 - v0)/dx, shape (G, 2G)
        dx1 = np.exp(self.logpdf(s) - self.logcdf(s))  # d log F(s) / ds
        dx0 = -np.exp(self.logpdf(s) - self.logcdf(-s))  # d log F(-s) / ds
        dds = dd[:, 1::2] * dx1[None, :] + dd[:, 0::2] * dx0[None, :]
        J = np.zeros((self.m, self.m + 1))
        J[:, :-1] = np.eye(self.m) - t * self.wg[:, None] * dds
        J[:, -1] = -self.wg * (v[1::2] - v[0::2])
        return s - t * self.wg * (v[1::2] - v[0::2]), J

    def residual(self, y: np.ndarray) -> float:
        x = self._logs(y[:-1])
        v = self.o.values_x(x)
        lam = y[-1] * self.wg
        target = np.exp(self.logcdf(lam * (v[1::2] - v[0::2])))
        return float(np.max(np.abs(target - np.exp(x[1::2])), initial=0.0))


# ---------------------------------------------------------------------------- continuation


@dataclass
class StepControl:
    """Nominal values of the step-size adaptation (Allgower & Georg 1990, §6.1)."""

    h0: float = 0.03
    hmin: float = 1e-10
    hmax: float = 1e7
    max_dist: float = 0.4
    max_contr: float = 0.6
    max_angle: float = 0.35
    max_steps: int = 20000
    corrector_iters: int = 8


def _qr_tangent(J: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tangent (null vector of J) plus the reduced QR factors of ``J^T``."""
    m = J.shape[0]
    q, r = np.linalg.qr(J.T, mode="complete")
    return q[:, m], q[:, :m], r[:m]


def _min_norm_step(q1: np.ndarray, r1: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Minimum-norm ``dy`` with ``J dy = -h`` from ``J^T = q1 r1``."""
    from scipy.linalg import solve_triangular  # here: scipy.linalg is slow to import, rarely needed

    w = solve_triangular(r1, -h, trans="T", check_finite=False)
    return q1 @ w


def follow(
    system, y0: np.ndarray, ctl: StepControl | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray, float]]:
    """Trace the solution curve of ``system.H(y) = 0`` from ``y0``, with increasing ``t`` at first.

    The orientation is kept by continuity of the tangent, so the tracer goes straight
    through simple bifurcation points. Yields ``(y, tangent, sign)`` at ``y0`` and after
    every accepted step, forever (the caller stops); ``sign`` is the sign of
    ``det [J; tangent]``, which flips where the branch passes a bifurcation point.

    Raises
    ------
    SolverError
        If the step size falls below ``ctl.hmin`` or ``ctl.max_steps`` steps were taken.
    """
    ctl = ctl or StepControl()
    y = np.asarray(y0, dtype=float).copy()
    _, J = system.HJ(y)
    tau, _, _ = _qr_tangent(J)
    if tau[-1] < 0:
        tau = -tau
    yield y, tau, _orientation(J, tau)
    h = ctl.h0
    for _ in range(ctl.max_steps):
        while True:
            if h < ctl.hmin:
                raise SolverError(
                    f"QRE path following stalled at lambda={y[-1]:.6g} (step size below {ctl.hmin})"
                )
            ok, ynew, d1, contr = _correct(system, y + h * tau, ctl)
            if not ok:
                h /= 2.0
                continue
            _, J = system.HJ(ynew)
            tnew, _, _ = _qr_tangent(J)
            cos = float(np.dot(tnew, tau))
            if cos < 0:
                tnew, cos = -tnew, -cos
            angle = float(np.arccos(min(1.0, cos)))
            f = max(np.sqrt(d1 / ctl.max_dist), np.sqrt(contr / ctl.max_contr), angle / ctl.max_angle)
            if f > 2.0:
                h /= 2.0
                continue
            break
        y, tau = ynew, tnew
        h = min(ctl.hmax, h / max(f, 0.5))
        yield y, tau, _orientation(J, tau)
    raise SolverError(f"QRE path following took more than {ctl.max_steps} steps (reached lambda={y[-1]:.6g})")


def _orientation(J: np.ndarray, tau: np.ndarray) -> float:
    return float(np.linalg.slogdet(np.vstack([J, tau]))[0])


def locate_bifurcation(
    system, y_a: np.ndarray, tau_a: np.ndarray, sign_a: float, y_b: np.ndarray, iters: int = 30
) -> float:
    """Path parameter of the bifurcation point between two accepted points whose orientation differs.

    Bisection on the chord from ``y_a`` to ``y_b``: each trial point is pulled back onto the
    curve by Newton's method at its ``t`` and the sign of ``det [J; tangent]`` is compared
    with ``sign_a``. Falls back to the chord's midpoint if a trial point does not converge.
    """
    lo, hi = 0.0, 1.0
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        guess = y_a + mid * (y_b - y_a)
        try:
            y = newton_at(system, guess, float(guess[-1]))
        except SolverError:
            break
        _, J = system.HJ(y)
        tau, _, _ = _qr_tangent(J)
        if np.dot(tau, tau_a) < 0:
            tau = -tau
        if _orientation(J, tau) * sign_a > 0:
            lo = mid
        else:
            hi = mid
    return float(y_a[-1] + 0.5 * (lo + hi) * (y_b[-1] - y_a[-1]))


def _correct(system, y: np.ndarray, ctl: StepControl) -> tuple[bool, np.ndarray, float, float]:
    """Newton corrector with the Moore–Penrose inverse; returns (ok, y, first step, contraction)."""
    d1 = 0.0
    contr = 0.0
    prev = None
    for k in range(ctl.corrector_iters):
        H, J = system.HJ(y)
        if not np.all(np.isfinite(H)) or not np.all(np.isfinite(J)):
            return False, y, np.inf, np.inf
        _, q1, r1 = _qr_tangent(J)
        try:
            dy = _min_norm_step(q1, r1, H)
        except (np.linalg.LinAlgError, ValueError):
            return False, y, np.inf, np.inf
        d = float(np.linalg.norm(dy))
        if not np.isfinite(d):
            return False, y, np.inf, np.inf
        if k == 0:
            d1 = d
            if d1 > 4 * ctl.max_dist:
                return False, y, d1, np.inf
        elif prev is not None and prev > 1e-12:
            ratio = d / prev
            if k == 1:
                contr = ratio
                if contr > 4 * ctl.max_contr:
                    return False, y, d1, contr
            elif ratio > 1.0:
                return False, y, d1, contr
        y = y + dy
        prev = d
        if d <= 1e-11 * max(1.0, float(np.max(np.abs(y)))):
            return True, y, d1, contr
    H = system.H(y)
    ok = bool(np.all(np.isfinite(H)) and np.max(np.abs(H), initial=0.0) < 1e-8)
    return ok, y, d1, contr


def newton_at(system, y: np.ndarray, t: float, tol: float = 1e-14, iters: int = 60) -> np.ndarray:
    """Newton's method on ``H(., t) = 0`` with ``t`` fixed, from ``y``; returns the polished point.

    The point of smallest residual among those Newton's steps reached, the last one included
    (it stops after ``iters`` steps, or once a step is below the rounding of ``y``).

    Raises
    ------
    SolverError
        If it does not converge.
    """
    y = np.asarray(y, dtype=float).copy()
    y[-1] = t
    best_res, best = np.inf, y.copy()
    tiny_step = False
    for k in range(iters + 1):  # each step's point is evaluated, the last one's too
        H, J = system.HJ(y)
        res = float(np.max(np.abs(H), initial=0.0))
        if res < best_res:
            best_res, best = res, y.copy()
        if res <= tol or tiny_step or k == iters:
            break
        try:
            dy = np.linalg.solve(J[:, :-1], -H)
        except np.linalg.LinAlgError:
            dy = np.linalg.lstsq(J[:, :-1], -H, rcond=None)[0]
        y[:-1] += dy
        tiny_step = float(np.max(np.abs(dy), initial=0.0)) <= 1e-15 * max(1.0, float(np.max(np.abs(y))))
    if best_res <= 1e-10:
        return best
    raise SolverError(
        f"Newton's method did not converge to the QRE at lambda={t:.6g} (residual {best_res:.3g})"
    )
