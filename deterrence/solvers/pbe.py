"""Perfect Bayesian equilibria of small games with incomplete information.

What is computed
----------------
A PBE here is a behaviour profile with a belief at *every* information set such that

* **sequential rationality**: at every information set the mover's prescribed (possibly
  mixed) action is optimal given its belief and the continuation play of the profile
  (one-shot deviations; with perfect recall this is optimality of the continuation);
* **Bayes' rule on the path**: at information sets reached with positive probability the
  belief is the conditional distribution of the nodes;
* **own consistency**: at an unreached set that the mover reaches only by its *own* earlier
  deviation, the belief is the mover's belief at its previous set carried forward by Bayes'
  rule (a player's own deviation tells it nothing about the others). With this, one-shot
  optimality at every set is the same as optimality of the whole continuation strategy,
  which is what ``deterrence.certificates`` checks;
* **off-path beliefs** at the other unreached information sets follow ``options.belief_policy``:

  ``"free"``
      any belief that makes the prescribed action optimal. The solver looks for one by a
      linear program over the belief simplex and reports the one closest (L1) to the
      ``prior`` belief below.
  ``"prior"``
      belief proportional to Nature's probabilities of the nodes: for node ``v`` of the
      set, the product of the chance probabilities on the path from the root to ``v``
      (players' moves count as 1). In type games this is the prior over the types the
      mover cannot tell apart. It ignores what the play after someone else's deviation
      reveals (after an unexpected entry, an acquiescence that only the Weak incumbent would
      choose still leaves the prior), so it can keep profiles that no consistent assessment
      supports, and miss those that need such a belief; ``d1`` does not (the compiled
      sweep kernels implement this policy exactly as here).
  ``"d1"``
      a D1-style refinement, operationalised for general trees as follows. For each node
      ``v`` of the unreached set ``h``, the *deviations* that lead to it are the moves on the
      path from the root that the profile plays with probability 0, each a pair
      (information set ``ι``, action ``a``); nodes reached through the same deviations form
      one *type*. A type is scored on its last deviation (the one that tells it apart from
      types sharing the earlier ones, e.g. which type of incumbent acquiesced after an
      unexpected entry), made by player ``i``: ``u*`` is ``i``'s equilibrium payoff at ``ι``
      (under the belief at ``ι``) and ``U(σ)`` its payoff from playing ``a`` at ``ι`` when
      the mover at ``h`` answers with ``σ`` (the rest of the profile fixed). The admissible
      answers are the mixtures of the actions that are a best response at ``h`` to *some*
      belief. The type's score is the share (Lebesgue measure) of admissible answers with
      ``U(σ) > u*``: the size of the set of responses for which deviating is profitable. The
      belief is concentrated on the type(s) with the largest score; on those nodes it is
      Bayes' rule after the deviations: node weights are reach probabilities under the
      profile with every deviation of the type played (Nature's probabilities if a chance
      move of probability 0 leaves them unreached even then). If no type gains for any
      admissible answer (all scores 0) the refinement does
      not bind and the same Bayes-after-deviation weights are used over *all* types, as in a
      sequential equilibrium (this, not "any belief", keeps e.g. the Kreps–Wilson
      reputation game to its sequential equilibrium). In two-type signalling games this is
      D1 (the type whose profitable-response set is larger gets the belief); it reproduces
      the ``d1`` columns of the literature note's UDG examples U1–U4 and TCG-R examples
      T1–T4 (see ``tests/test_pbe.py``).

Algorithm
---------
Actions that are conditionally strictly dominated (worse at every node of the set, whatever
follows) are dropped first. Then

1. every **pure** behaviour profile is checked (beliefs by Bayes' rule or the policy);
2. every **support pattern** (a non-empty support per set) with mixing is solved: the
   indifference conditions ``Σ_v w_v(σ)·(Q_v(a) − Q_v(b)) = 0`` — ``w`` the unnormalised
   belief weights: reach probabilities on the path; off it Nature's odds (``prior``), the
   mover's own carried-forward belief, or Bayes after a chosen type's deviation (``d1``,
   one system per choice of type) — are multilinear in the mixing probabilities of the
   *other* sets. Their coefficients are read off the pure profiles of the supports;
   patterns whose conditions cannot vanish in the box (vertex and grid sign tests) are
   skipped; two binary sets are solved in closed form, larger systems exactly with sympy
   (factors that vanish only on the box boundary divided out). Every root strictly inside
   the simplices is then checked like a pure profile. This finds the semi-separating
   (bluffing, straddle) equilibria of signalling and screening games, and mixing off the
   path such as the Kreps–Wilson incumbent's fight probability after an unexpected entry.

Under ``free`` beliefs, mixing at unreached sets is not solved (the belief there is not
pinned down, so such PBE typically form continua); the result then says ``complete=False``.
Likewise when a pure choice at an unreached set could be replaced by a mixture (another
action optimal under some admissible belief, or tied under the policy's belief), when a
mover on the path is indifferent whatever the others do (a continuum), or when patterns were
skipped (``max_mixed_sets``). The notes say which.

Options (``solve(..., **options)``): ``mixed`` (default True) to solve the support
patterns; ``max_mixed_sets`` (default 6) the most information sets that mix at once.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import ResourceError, SolverError
from ..game.extensive import CHANCE, DECISION, ExtensiveFormGame
from ._tree_utils import child_tables, prior_mass, undominated_actions
from .base import Candidate, RawResult, SolveOptions, SolverInfo

_REACH = 1e-12  # reach probability below which an information set counts as unreached
_INTERIOR = 1e-10  # a mixing probability must exceed this to count as in the support


# ---------------------------------------------------------------------------------- context
@dataclass
class _Ctx:
    game: ExtensiveFormGame
    tol: float
    policy: str
    kids: list[np.ndarray]
    prior: np.ndarray
    senders: tuple[int, ...]
    notes: list[str] = field(default_factory=list)
    loose: list[str] = field(default_factory=list)  # reasons the set may hold continua
    continua: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    cache: dict[bytes, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)
    expansions: dict[tuple[int, ...], list[dict]] = field(default_factory=dict)

    def evaluate(self, beh: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(reach, edge probabilities, node values) of a profile, cached."""
        key = np.concatenate(beh).tobytes() if len(beh) else b""
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        game = self.game
        out = (game.realization_probabilities(beh), game.edge_probabilities(beh), game.node_values(beh))
        if len(self.cache) < 100_000:
            self.cache[key] = out
        return out

    def q(self, values: np.ndarray, k: int) -> np.ndarray:
        """Mover's continuation payoff after each action at each node of set ``k``: (nodes, actions)."""
        return values[self.kids[k], self.game.infosets[k].player]

    def prior_belief(self, k: int) -> np.ndarray:
        w = self.prior[list(self.game.infosets[k].nodes)]
        s = w.sum()
        return w / s if s > 0 else np.full(len(w), 1.0 / len(w))


def _sender_sets(game: ExtensiveFormGame) -> tuple[int, ...]:
    """Information sets of the first informed mover after Nature (signalling 'types'), if any."""
    first: dict[int, list[int]] = {}
    for h in game.infosets:
        ok = True
        for v in h.nodes:
            p = game.nodes[v].parent
            while p >= 0:
                if game.nodes[p].kind == DECISION:
                    ok = False
                    break
                p = game.nodes[p].parent
            if not ok:
                break
        if ok:
            first.setdefault(h.player, []).append(h.index)
    for ks in first.values():
        if len(ks) >= 2 and len({game.infosets[k].actions for k in ks}) == 1:
            return tuple(ks)
    return ()


def _label(ctx: _Ctx, beh: Sequence[np.ndarray]) -> str:
    if not ctx.senders:
        return ""
    moves = [np.asarray(beh[k]) for k in ctx.senders]
    pure = all(m.max() >= 1 - _INTERIOR for m in moves)
    same = all(np.allclose(m, moves[0], atol=1e-9) for m in moves)
    if same:
        return "pooling"
    if pure:
        picks = [int(np.argmax(m)) for m in moves]
        return "separating" if len(set(picks)) == len(picks) else "partially pooling"
    return "semi-separating"


# ---------------------------------------------------------------------------------- beliefs
def _supporting_belief(q: np.ndarray, sigma: np.ndarray, mu0: np.ndarray, tol: float) -> np.ndarray | None:
    """A belief under which ``sigma`` is optimal given payoffs ``q`` (nodes x actions), closest to ``mu0``."""
    gap = (q @ sigma)[:, None] - q  # want mu @ gap >= 0 for every action
    if (mu0 @ gap).min() >= -tol:
        return mu0
    n = len(mu0)
    if n == 1:
        return None
    if n == 2:  # exact: an interval of t = mu[0]
        lo, hi = 0.0, 1.0
        for g0, g1 in gap.T:  # g1 + t (g0 - g1) >= 0
            slope = g0 - g1
            if abs(slope) <= 1e-15:
                if g1 < -tol:
                    return None
            elif slope > 0:
                lo = max(lo, -g1 / slope)
            else:
                hi = min(hi, -g1 / slope)
        if lo > hi + 1e-12:
            return None
        t = float(np.clip(mu0[0], lo, max(lo, hi)))
        mu = np.array([t, 1.0 - t])
        return mu if (mu @ gap).min() >= -tol else None
    from scipy.optimize import linprog

    eye = np.eye(n)
    a_eq = np.concatenate([np.ones(n), np.zeros(n)])[None, :]
    # closest belief to mu0 (L1) ...
    c = np.concatenate([np.zeros(n), np.ones(n)])
    a_ub = np.block([[eye, -eye], [-eye, -eye], [-gap.T, np.zeros((gap.shape[1], n))]])
    b_ub = np.concatenate([mu0, -mu0, np.zeros(gap.shape[1])])
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0], bounds=[(0, None)] * (2 * n),
                  method="highs")
    if res.status == 0:
        mu = np.clip(res.x[:n], 0.0, None)
        mu = mu / mu.sum()
        if (mu @ gap).min() >= -tol:
            return mu
    # ... or, if rounding spoils it, the belief with the largest margin
    c = np.concatenate([np.zeros(n), [-1.0]])
    a_ub = np.hstack([-gap.T, np.ones((gap.shape[1], 1))])
    a_eq = np.concatenate([np.ones(n), [0.0]])[None, :]
    res = linprog(c, A_ub=a_ub, b_ub=np.zeros(gap.shape[1]), A_eq=a_eq, b_eq=[1.0],
                  bounds=[(0, None)] * n + [(None, None)], method="highs")
    if res.status != 0:
        return None
    mu = np.clip(res.x[:n], 0.0, None)
    mu = mu / mu.sum()
    return mu if (mu @ gap).min() >= -tol else None


def _br_actions(q: np.ndarray, tol: float) -> list[int]:
    """Actions that are a best response to some belief over the nodes (payoffs ``q``)."""
    out = []
    mu0 = np.full(q.shape[0], 1.0 / q.shape[0])
    for b in range(q.shape[1]):
        e = np.zeros(q.shape[1])
        e[b] = 1.0
        if np.any(q[:, b] >= q.max(axis=1) - tol) or _supporting_belief(q, e, mu0, tol) is not None:
            out.append(b)
    return out


def _profitable_share(dev: np.ndarray, ustar: float, tol: float) -> float:
    """Share of the mixtures ``σ`` of ``len(dev)`` actions with ``σ @ dev > ustar``."""
    m = len(dev)
    if m == 1:
        return 1.0 if dev[0] > ustar + tol else 0.0
    if m == 2:
        d1, d2 = float(dev[0]), float(dev[1])  # t = weight on action 0: f(t) = d2 + t (d1 - d2)
        thr = ustar + tol
        if abs(d1 - d2) <= 1e-15:
            return 1.0 if d1 > thr else 0.0
        t0 = (thr - d2) / (d1 - d2)
        return float(np.clip(1.0 - t0, 0.0, 1.0)) if d1 > d2 else float(np.clip(t0, 0.0, 1.0))
    res = {3: 40, 4: 16, 5: 8}.get(m, 5)
    hits = total = 0
    for comp in itertools.product(range(res + 1), repeat=m - 1):
        if sum(comp) > res:
            continue
        sig = np.array([*comp, res - sum(comp)], dtype=float) / res
        total += 1
        hits += bool(sig @ dev > ustar + tol)
    return hits / total


def _deviations(game: ExtensiveFormGame, beh: Sequence[np.ndarray], v: int
                ) -> tuple[tuple[int, int], ...] | None:
    """The zero-probability player moves (information set, action) on the path to ``v``, root first.

    ``None`` if a chance move on the path has probability 0 (no deviation explains the node).
    """
    path = []
    while game.nodes[v].parent >= 0:
        path.append(v)
        v = game.nodes[v].parent
    devs = []
    for c in reversed(path):
        nd = game.nodes[c]
        par = game.nodes[nd.parent]
        if par.kind == CHANCE:
            if float(game.chance_infos[par.infoset].probs[nd.action]) <= 0:
                return None
        elif beh[par.infoset][nd.action] <= _REACH:
            devs.append((par.infoset, nd.action))
    return tuple(devs) or None


def _deviation_groups(game: ExtensiveFormGame, beh: Sequence[np.ndarray], k: int
                      ) -> dict[tuple[tuple[int, int], ...], list[int]]:
    """Nodes of set ``k`` grouped by the deviations that lead to them (the D1 "types").

    A group whose deviations strictly include another group's is left out: reaching it takes
    an extra tremble, so every consistent assessment gives it belief 0 (after an unexpected
    entry that the Weak incumbent answers by acquiescing, an acquiescence is not the Tough
    type's second mistake).
    """
    groups: dict[tuple[tuple[int, int], ...], list[int]] = {}
    for pos, v in enumerate(game.infosets[k].nodes):
        devs = _deviations(game, beh, v)
        if devs is not None:
            groups.setdefault(devs, []).append(pos)
    sets = {devs: set(devs) for devs in groups}
    return {devs: ps for devs, ps in groups.items()
            if not any(other < sets[devs] for other in sets.values())}


class _Beliefs:
    """Beliefs of one profile: Bayes on the path, the policy off it (resolved lazily, d1 recursively)."""

    def __init__(self, ctx: _Ctx, beh: list[np.ndarray]) -> None:
        self.ctx, self.beh = ctx, beh
        game = ctx.game
        self.reach = game.realization_probabilities(beh)
        self.values = game.node_values(beh)
        self.mu: list[np.ndarray | None] = [None] * len(game.infosets)
        self.on_path = [False] * len(game.infosets)
        self.edge = game.edge_probabilities(beh)
        self.fixed: set[int] = set()  # unreached sets whose belief is fixed by the mover's own earlier belief
        for h in game.infosets:
            r = self.reach[list(h.nodes)]
            s = r.sum()
            if s > _REACH:
                self.mu[h.index] = r / s
                self.on_path[h.index] = True
        self._busy: set[int] = set()

    def belief(self, k: int) -> np.ndarray | None:
        """Belief at set ``k`` (``None``: no belief makes the prescribed move optimal)."""
        if self.mu[k] is not None:
            return self.mu[k]
        ctx = self.ctx
        if k in self._busy:  # a circular reference between unreached sets: fall back to Nature's odds
            return ctx.prior_belief(k)
        self._busy.add(k)
        own = self._own_consistent(k)
        if own is not None:
            self.fixed.add(k)
            mu = own
        elif ctx.policy == "prior":
            mu = ctx.prior_belief(k)
        elif ctx.policy == "free":
            mu = _supporting_belief(ctx.q(self.values, k), self.beh[k], ctx.prior_belief(k), ctx.tol)
        else:
            mu = self._d1(k)
        self._busy.discard(k)
        self.mu[k] = mu
        return mu

    def _own_consistent(self, k: int) -> np.ndarray | None:
        """Bayes' rule from the mover's own previous information set, if it gives the set weight.

        A player's own deviation does not change what it believes about the others: at an
        unreached set that follows the mover's earlier set ``h'`` (perfect recall: the same one
        for every node), the belief is ``μ(h')`` carried forward under the profile, with the
        mover's own action at ``h'`` taken. Only if that puts no weight on the set (someone
        else deviated too) does the policy choose the belief.
        """
        game = self.ctx.game
        h = game.infosets[k]
        seq = game.own_sequence(h.nodes[0], h.player)
        if not seq:
            return None
        prev, act = seq[-1]
        mu_prev = self.belief(prev)
        if mu_prev is None:
            return None
        targets = {v: i for i, v in enumerate(h.nodes)}
        w = np.zeros(len(h.nodes))
        stack = [(int(game.nodes[u].children[act]), float(m))
                 for u, m in zip(game.infosets[prev].nodes, mu_prev, strict=True) if m > 0]
        while stack:
            v, p = stack.pop()
            if p <= 0:
                continue
            if v in targets:
                w[targets[v]] += p
                continue
            for c in game.nodes[v].children:
                stack.append((c, p * self.edge[c]))
        s = w.sum()
        return w / s if s > _REACH else None

    def _d1(self, k: int) -> np.ndarray:
        """The D1-style belief at unreached set ``k`` (see the module docstring)."""
        ctx, game, beh = self.ctx, self.ctx.game, self.beh
        h = game.infosets[k]
        q = ctx.q(self.values, k)
        answers = _br_actions(q, ctx.tol)
        groups = _deviation_groups(game, beh, k)
        if not groups:
            return ctx.prior_belief(k)
        # deviation payoff of each type against each admissible pure answer
        answer_values = []
        for b in answers:
            alt = [x.copy() for x in beh]
            alt[k] = np.zeros(len(h.actions))
            alt[k][b] = 1.0
            answer_values.append(game.node_values(alt))
        scores = {}
        for devs in groups:
            iota, a = devs[-1]  # the last deviation is the one that tells these nodes apart
            mu_i = self.belief(iota)
            if mu_i is None:
                scores[devs] = 0.0
                continue
            hi = game.infosets[iota]
            i = hi.player
            ustar = float(mu_i @ self.values[list(hi.nodes), i])
            dev = np.array([float(mu_i @ vals[ctx.kids[iota][:, a], i]) for vals in answer_values])
            scores[devs] = _profitable_share(dev, ustar, ctx.tol)
        best = max(scores.values())
        chosen = [g for g, sc in scores.items() if best <= 0 or sc >= best - 1e-9]
        mu = _deviation_weights(ctx, beh, k, [(devs, tuple(groups[devs])) for devs in chosen])
        return mu / mu.sum()


def _deviation_weights(ctx: _Ctx, beh: list[np.ndarray], k: int,
                       types: Sequence[tuple[tuple[tuple[int, int], ...], tuple[int, ...]]],
                       use_prior: Sequence[bool] | None = None) -> np.ndarray:
    """Weights on the nodes of set ``k`` from Bayes' rule after each type's deviations.

    ``types`` lists (deviations, node positions), the deviations being the (information set,
    action) pairs that the profile plays with probability 0 on the way to those nodes: the
    weight of a node is its reach probability with all those actions taken (the rest of the
    profile as is). A type whose nodes stay unreached even then gets Nature's odds instead
    (decided by ``use_prior`` when given, so that the weights stay multilinear across a
    support pattern).
    """
    game = ctx.game
    nodes = game.infosets[k].nodes
    w = np.zeros(len(nodes))
    for n, (devs, positions) in enumerate(types):
        idx = [nodes[p] for p in positions]
        if use_prior is not None and use_prior[n]:
            w[list(positions)] += ctx.prior[idx]
            continue
        forced = [x.copy() for x in beh]
        for iota, a in devs:
            forced[iota] = np.zeros(len(game.infosets[iota].actions))
            forced[iota][a] = 1.0
        part = ctx.evaluate(forced)[0][idx]
        if use_prior is None and part.sum() <= 0:
            part = ctx.prior[idx]
            if part.sum() <= 0:
                part = np.ones(len(idx))
        w[list(positions)] += part
    return w


@dataclass
class _Verdict:
    beliefs: list[np.ndarray]
    loose: str | None  # why mixtures at unreached sets might also be PBE


def _assess(ctx: _Ctx, beh: list[np.ndarray]) -> _Verdict | None:
    """Beliefs making ``beh`` a PBE under the context's policy, or ``None``."""
    game, tol = ctx.game, ctx.tol
    bel = _Beliefs(ctx, beh)
    for k in range(len(game.infosets)):  # on-path sets first: cheapest test
        if bel.on_path[k]:
            payoff = bel.mu[k] @ ctx.q(bel.values, k)
            if payoff.max() - payoff @ beh[k] > tol:
                return None
    loose = None
    for k, h in enumerate(game.infosets):
        if bel.on_path[k]:
            continue
        mu = bel.belief(k)
        if mu is None:
            return None
        q = ctx.q(bel.values, k)
        payoff = mu @ q
        if payoff.max() - payoff @ beh[k] > tol:
            return None
        used = int(np.sum(beh[k] > _INTERIOR))
        if loose is None and len(h.actions) > used:
            if ctx.policy == "free" and k not in bel.fixed:
                if len(_br_actions(q, tol)) > used:
                    loose = f"'{h.name}' (unreached; another action is optimal under some belief)"
            elif int(np.sum(payoff >= payoff.max() - tol)) > used:
                loose = f"'{h.name}' (unreached; an unused action ties under the policy's belief)"
    beliefs = [np.asarray(bel.mu[k], dtype=float) for k in range(len(game.infosets))]
    return _Verdict(beliefs=beliefs, loose=loose)


# ---------------------------------------------------------------------------------- mixed patterns
Spec = tuple  # how an information set's (unnormalised) belief weights are formed in a pattern


def _weights(ctx: _Ctx, k: int, spec: Spec, beh: list[np.ndarray], reach: np.ndarray, edge: np.ndarray,
             specs: dict[int, Spec]) -> np.ndarray:
    """Unnormalised belief weights at set ``k`` under a profile; multilinear in the profile.

    ``("reach",)``: Bayes on the path; ``("prior",)``: Nature's odds; ``("own", prev, act)``:
    carried forward from the mover's previous set; ``("types", ((deviations, positions), ...))``:
    Bayes after each listed type's deviations (the D1 belief on those types).
    """
    game = ctx.game
    nodes = list(game.infosets[k].nodes)
    kind = spec[0]
    if kind == "reach":
        return reach[nodes]
    if kind == "prior":
        return ctx.prior[nodes]
    if kind == "own":
        prev, act = spec[1], spec[2]
        w_prev = _weights(ctx, prev, specs[prev], beh, reach, edge, specs)
        targets = {v: i for i, v in enumerate(nodes)}
        w = np.zeros(len(nodes))
        stack = [(int(game.nodes[u].children[act]), float(m))
                 for u, m in zip(game.infosets[prev].nodes, w_prev, strict=True) if m > 0]
        while stack:
            v, pr = stack.pop()
            if pr <= 0:
                continue
            if v in targets:
                w[targets[v]] += pr
                continue
            stack.extend((c, pr * edge[c]) for c in game.nodes[v].children)
        return w
    return _deviation_weights(ctx, beh, k, spec[1], spec[2])


def _pattern_specs(ctx: _Ctx, ind: list[np.ndarray], on_path: np.ndarray, mixed: list[int]
                   ) -> list[dict[int, Spec]] | None:
    """Belief-weight specs for the sets of a pattern, one dict per D1 type choice; ``None`` if a
    mixing set is unreached and its belief is free (such continua are not solved)."""
    game = ctx.game
    specs: dict[int, Spec] = {}
    reach_ind = game.realization_probabilities(ind)
    edge_ind = game.edge_probabilities(ind)

    def spec(k: int) -> Spec | None:
        if k in specs:
            return specs[k]
        if on_path[k]:
            specs[k] = ("reach",)
            return specs[k]
        h = game.infosets[k]
        seq = game.own_sequence(h.nodes[0], h.player)
        out: Spec | None = None
        if seq:
            prev, act = seq[-1]
            ps = spec(prev)
            if ps is not None and ps[0] != "d1":
                specs[prev] = ps
                cand = ("own", prev, act)
                if _weights(ctx, k, cand, ind, reach_ind, edge_ind, specs).sum() > 0:
                    out = cand
        if out is None:
            out = {"prior": ("prior",), "d1": ("d1",)}.get(ctx.policy)
        if out is not None:
            specs[k] = out
        return out

    choices: list[list[Spec]] = []
    for k in mixed:
        sp = spec(k)
        if sp is None:
            return None
        if sp[0] != "d1":
            choices.append([sp])
            continue
        groups = _deviation_groups(game, ind, k)
        types = [(devs, tuple(ps)) for devs, ps in groups.items()]
        zero = {t: _deviation_weights(ctx, ind, k, [t], [False]).sum() <= 0 for t in types}
        opts = [("types", (t,), (zero[t],)) for t in types]
        if len(types) > 1:  # the refinement does not bind: every type
            opts.append(("types", tuple(types), tuple(zero[t] for t in types)))
        choices.append(opts)
    out = []
    for combo in itertools.product(*choices):
        d = dict(specs)
        d.update(dict(zip(mixed, combo, strict=True)))
        out.append(d)
    return out


def _solve_pattern(ctx: _Ctx, pattern: Sequence[tuple[int, ...]], mixed: list[int],
                   on_path: np.ndarray, specs: dict[int, Spec]) -> list[list[np.ndarray]]:
    """Profiles with exactly these supports that satisfy the indifference conditions."""
    game, tol = ctx.game, ctx.tol
    combos = list(itertools.product(*(pattern[k] for k in mixed)))
    eqs_vals: dict[tuple[int, int], list[float]] = {
        (k, j): [] for k in mixed for j in range(1, len(pattern[k]))}
    slack_max: dict[tuple[int, int], float] = {}
    base = [np.zeros(len(h.actions)) for h in game.infosets]
    for k, s in enumerate(pattern):
        if len(s) == 1:
            base[k][s[0]] = 1.0
    for combo in combos:
        beh = [b.copy() for b in base]
        for k, a in zip(mixed, combo, strict=True):
            beh[k][a] = 1.0
        reach, edge, values = ctx.evaluate(beh)
        for k, h in enumerate(game.infosets):
            if not (on_path[k] or (k in specs and len(pattern[k]) > 1)):
                continue
            weights = _weights(ctx, k, specs.get(k, ("reach",)), beh, reach, edge, specs)
            w = weights @ ctx.q(values, k)  # unnormalised expected payoff per action
            s = pattern[k]
            for j in range(1, len(s)):
                eqs_vals[(k, j)].append(float(w[s[j]] - w[s[0]]))
            for b in range(len(h.actions)):
                if b not in s:
                    key = (k, b)
                    slack_max[key] = max(slack_max.get(key, -np.inf), float(w[s[0]] - w[b]))
    # multilinear: the value anywhere in the box is a convex combination of these vertex values
    if any(v < -tol for v in slack_max.values()):
        return []
    for vals in eqs_vals.values():
        arr = np.array(vals)
        if arr.min() > tol or arr.max() < -tol:
            return []
    names = ", ".join(f"'{game.infosets[k].name}'" for k in mixed)
    if len(mixed) == 1:  # its conditions do not depend on its own mixture: constant
        if all(np.all(np.abs(v) <= tol) for v in eqs_vals.values()):
            ctx.continua.append(f"{names} indifferent on a continuum (supports {pattern[mixed[0]]})")
        return []
    points = _solve_multilinear(ctx, pattern, mixed, combos, list(eqs_vals.values()), names)
    out = []
    for point in points:
        beh = [b.copy() for b in base]
        for k, probs in zip(mixed, point, strict=True):
            beh[k][list(pattern[k])] = probs
        out.append(beh)
    return out


def _solve_multilinear(ctx: _Ctx, pattern: Sequence[tuple[int, ...]], mixed: list[int],
                       combos: list[tuple[int, ...]], values: list[list[float]], names: str
                       ) -> list[list[np.ndarray]]:
    """Interior solutions of the indifference system given its values at the support vertices.

    Set ``k`` mixes over ``pattern[k] = (a0, a1, ...)`` with unknowns ``x_{k,j} = σ_k(a_j)``,
    ``j >= 1``. Each equation is ``Σ_c Π_k σ_k(c_k) · values[c]`` (multi-affine). Factors that
    keep one sign on the open box (e.g. ``x`` or ``1 − x``) are divided out, each choice of
    one remaining factor per equation is solved exactly (sympy, rational coefficients), and the
    real roots strictly inside the simplices are returned.
    """
    if all(len(pattern[k]) == 2 for k in mixed):
        if len(mixed) == 2:
            return _solve_two_binary(ctx, values, names)
        if not _grid_may_vanish(values, len(mixed)):
            return []
    import sympy

    gens = []
    var_of: dict[tuple[int, int], int] = {}
    for k in mixed:
        for j in range(1, len(pattern[k])):
            var_of[(k, j)] = len(gens)
            gens.append(sympy.Symbol(f"x{k}_{j}"))
    nv = len(gens)

    def affine(k: int, j: int) -> dict[tuple[int, ...], Fraction]:
        if j > 0:
            e = [0] * nv
            e[var_of[(k, j)]] = 1
            return {tuple(e): Fraction(1)}
        out = {(0,) * nv: Fraction(1)}
        for jj in range(1, len(pattern[k])):
            e = [0] * nv
            e[var_of[(k, jj)]] = 1
            out[tuple(e)] = Fraction(-1)
        return out

    def mul(p: dict, q: dict) -> dict:
        out: dict[tuple[int, ...], Fraction] = {}
        for m1, c1 in p.items():
            for m2, c2 in q.items():
                m = tuple(x + y for x, y in zip(m1, m2, strict=True))
                out[m] = out.get(m, Fraction(0)) + c1 * c2
        return out

    pos = {k: {a: i for i, a in enumerate(pattern[k])} for k in mixed}
    shape = tuple(len(pattern[k]) for k in mixed)
    terms = ctx.expansions.get(shape)
    if terms is None:  # Π_k σ_k(c_k) expanded into monomials, for every vertex c (depends on the shape only)
        terms = []
        for combo in combos:
            t: dict[tuple[int, ...], Fraction] = {(0,) * nv: Fraction(1)}
            for k, a in zip(mixed, combo, strict=True):
                t = mul(t, affine(k, pos[k][a]))
            terms.append(t)
        ctx.expansions[shape] = terms
    # vertices of the product of simplices, as points in the unknowns
    vertices = []
    for combo in combos:
        pt = [0] * nv
        for k, a in zip(mixed, combo, strict=True):
            if pos[k][a] > 0:
                pt[var_of[(k, pos[k][a])]] = 1
        vertices.append(tuple(pt))

    def sign_definite(f: Any) -> bool:
        terms = f.as_dict()  # monomial -> coefficient; at a 0/1 point a monomial is 0 or 1
        vals = [sum((c for m, c in terms.items() if all(v[i] for i, e in enumerate(m) if e)), start=0)
                for v in vertices]
        return (all(v >= 0 for v in vals) and any(v > 0 for v in vals)) or \
               (all(v <= 0 for v in vals) and any(v < 0 for v in vals))

    polys = []
    for vals in values:
        coeffs: dict[tuple[int, ...], Fraction] = {}
        for t, g in zip(terms, vals, strict=True):
            fg = _fraction(g)
            if fg == 0:
                continue
            for m, c in t.items():
                coeffs[m] = coeffs.get(m, Fraction(0)) + c * fg
        coeffs = {m: c for m, c in coeffs.items() if c != 0}
        if not coeffs:
            ctx.continua.append(f"a mover mixing at {names} is indifferent whatever the others do")
            return []
        polys.append(sympy.Poly.from_dict({m: sympy.Rational(c.numerator, c.denominator)
                                           for m, c in coeffs.items()}, *gens, domain="QQ"))
    found: list[list[np.ndarray]] = []

    def collect(sols: list) -> None:
        for sol in sols:
            xs = []
            for z in sol:
                zc = complex(sympy.N(z, 30))
                if abs(zc.imag) > 1e-12:
                    break
                xs.append(zc.real)
            else:
                point = []
                for k in mixed:
                    tail = [xs[var_of[(k, j)]] for j in range(1, len(pattern[k]))]
                    point.append(np.array([1.0 - sum(tail), *tail]))
                seen = any(all(np.allclose(p, q, atol=1e-12) for p, q in zip(point, f, strict=True))
                           for f in found)
                if all(p.min() > _INTERIOR for p in point) and not seen:
                    found.append(point)

    def attempt(system: list) -> bool:
        """Solve a zero-dimensional system; False if it has a continuum of solutions."""
        try:
            sols = sympy.solve_poly_system(system, *gens) if len(system) >= nv else None
        except NotImplementedError:
            sols = None
        if sols is None:
            return sympy.groebner(system, *gens, order="grevlex").exprs == [1]
        collect(sols)
        return True

    if attempt(polys):
        return found
    # a continuum over the complex numbers: divide out factors of one sign on the open box
    # (such as x or 1 - x, which vanish only on its boundary) and solve factor by factor
    factor_sets = []
    for poly in polys:
        _, facs = poly.factor_list()
        keep = [f for f, _ in facs if not sign_definite(f)]
        if not keep:
            return []  # this condition cannot hold inside the box
        factor_sets.append(keep)
    for choice in itertools.product(*factor_sets):
        if not attempt(list(dict.fromkeys(choice))):
            ctx.continua.append(f"a curve of solutions mixing at {names}")
    return found


def _grid_may_vanish(values: list[list[float]], k: int) -> bool:
    """False if the binary system certainly has no root with every ``x`` in ``[1e-10, 1 − 1e-10]``.

    The box is cut into a grid of sub-boxes; a multilinear function lies between its values at
    a sub-box's corners, so a sub-box where some condition keeps one strict sign at every
    corner holds no root. Roots on the box boundary (``x = 0``, a mover not mixing after all)
    are excluded by staying ``1e-10`` inside it.
    """
    m = 8 if k <= 3 else 4
    ticks = np.concatenate([[_INTERIOR], np.linspace(0, 1, m + 1)[1:-1], [1 - _INTERIOR]])
    grid = np.stack(np.meshgrid(*([ticks] * k), indexing="ij"), axis=-1).reshape(-1, k)
    corners = np.array(list(itertools.product((0, 1), repeat=k)))  # vertex c: x_i = 1 iff c_i = 1
    w = np.prod(np.where(corners[None, :, :] == 1, grid[:, None, :], 1 - grid[:, None, :]), axis=2)
    g = np.asarray(values, dtype=float)  # (equations, vertices) in itertools.product order
    f = (w @ g.T).reshape(*([m + 1] * k), len(values))
    scale = max(1.0, float(np.abs(g).max()))
    eps = 1e-13 * scale
    alive = np.ones([m] * k, dtype=bool)
    for e in range(len(values)):
        fe = f[..., e]
        views = [fe[tuple(slice(1, None) if b else slice(None, -1) for b in shift)]
                 for shift in itertools.product((0, 1), repeat=k)]
        lo = np.minimum.reduce(views)
        hi = np.maximum.reduce(views)
        alive &= ~((lo > eps) | (hi < -eps))
    return bool(alive.any())


def _solve_two_binary(ctx: _Ctx, values: list[list[float]], names: str) -> list[list[np.ndarray]]:
    """Two sets mixing over two actions each: each condition is affine in the other's mixture.

    ``values[i]`` lists the condition of set ``i`` at the vertices ``(a0,b0), (a0,b1), (a1,b0),
    (a1,b1)``; it does not depend on set ``i``'s own mixture.
    """
    v0, v1 = (np.asarray(v, dtype=float) for v in values)
    # condition of set 0 as a function of x1 = P(set 1 plays its second action), and vice versa
    e0 = ((v0[0] + v0[2]) / 2, (v0[1] + v0[3]) / 2)
    e1 = ((v1[0] + v1[1]) / 2, (v1[2] + v1[3]) / 2)
    xs = []
    for lo, hi in (e0, e1):
        slope = hi - lo
        if abs(slope) <= 1e-14:
            if abs(lo) <= ctx.tol:
                ctx.continua.append(f"a mover mixing at {names} is indifferent whatever the others do")
            return []
        xs.append(-lo / slope)
    x1, x0 = xs  # e0 pins set 1's mixture, e1 pins set 0's
    if not (_INTERIOR < x0 < 1 - _INTERIOR and _INTERIOR < x1 < 1 - _INTERIOR):
        return []
    return [[np.array([1 - x0, x0]), np.array([1 - x1, x1])]]


def _fraction(x: float) -> Fraction:
    """A float as a rational: the simple fraction it rounds, if any, else exactly."""
    if abs(x) < 1e-13:
        return Fraction(0)
    f = Fraction(x).limit_denominator(10**6)
    return f if abs(float(f) - x) <= 1e-11 * max(1.0, abs(x)) else Fraction(x)


# ---------------------------------------------------------------------------------- driver
def _subsets(actions: tuple[int, ...]) -> list[tuple[int, ...]]:
    return [c for r in range(1, len(actions) + 1) for c in itertools.combinations(actions, r)]


def _counts(game: ExtensiveFormGame, tol: float = 1e-12) -> tuple[list[tuple[int, ...]], int, int]:
    allowed = undominated_actions(game, tol)
    pure = math.prod(len(a) for a in allowed)
    patterns = math.prod(2 ** len(a) - 1 for a in allowed)
    return allowed, pure, patterns


def _estimate(game: ExtensiveFormGame) -> float:
    _, pure, patterns = _counts(game)
    return float(len(game.nodes)) * (50.0 * pure + 200.0 * (patterns - pure))


def _applicable(game: ExtensiveFormGame) -> str | None:
    if not game.has_perfect_recall():
        return ("'pbe' needs perfect recall (sequential rationality is checked information set by "
                "information set)")
    return None


def pbe_candidates(game: ExtensiveFormGame, options: SolveOptions) -> tuple[list[Candidate], _Ctx, bool]:
    """All PBE found under ``options.belief_policy``; returns candidates, the context and whether
    every support pattern was examined."""
    if options.belief_policy not in ("free", "prior", "d1"):
        raise SolverError(f"unknown belief policy '{options.belief_policy}' (free, prior, d1)")
    allowed, n_pure, n_patterns = _counts(game, options.tol)
    est = _estimate(game)
    if est > options.max_work:
        raise ResourceError(
            f"'pbe' would check {n_pure} pure profiles and {n_patterns - n_pure} mixed support patterns "
            f"(about {est:.3g} operations > max_work={options.max_work:.3g})", estimate=est)
    ctx = _Ctx(game=game, tol=options.tol, policy=options.belief_policy, kids=child_tables(game),
               prior=prior_mass(game), senders=_sender_sets(game))
    cands: list[Candidate] = []
    loose: list[str] = []

    def keep(beh: list[np.ndarray]) -> None:
        v = _assess(ctx, beh)
        if v is None:
            return
        if v.loose:
            loose.append(v.loose)
        cands.append(Candidate(strategies=tuple(beh), beliefs=tuple(v.beliefs), label=_label(ctx, beh)))

    for choice in itertools.product(*allowed):
        beh = [np.zeros(len(h.actions)) for h in game.infosets]
        for b, a in zip(beh, choice, strict=True):
            b[a] = 1.0
        keep(beh)
    all_patterns = True
    if options.extra.get("mixed", True) and n_patterns > n_pure:
        max_mixed = int(options.extra.get("max_mixed_sets", 6))
        skipped = free_offpath = 0
        for pattern in itertools.product(*(_subsets(a) for a in allowed)):
            mixed = [k for k, s in enumerate(pattern) if len(s) > 1]
            if not mixed:
                continue
            ind = [np.zeros(len(h.actions)) for h in game.infosets]
            for b, s in zip(ind, pattern, strict=True):
                b[list(s)] = 1.0
            reach = game.realization_probabilities(ind)
            on_path = np.array([reach[list(h.nodes)].sum() > 0 for h in game.infosets])
            if len(mixed) > max_mixed:
                skipped += 1
                continue
            spec_list = _pattern_specs(ctx, ind, on_path, mixed)
            if spec_list is None:  # mixing at an unreached set under free beliefs
                free_offpath += 1
                continue
            for specs in spec_list:
                for beh in _solve_pattern(ctx, pattern, mixed, on_path, specs):
                    keep(beh)
        if free_offpath:
            all_patterns = False
            ctx.notes.append(f"{free_offpath} support pattern(s) mix at unreached information sets whose "
                             "beliefs are free; such PBE (typically continua) are not enumerated")
        if skipped:
            all_patterns = False
            ctx.notes.append(f"{skipped} support pattern(s) mixing at more than {max_mixed} information sets "
                             "were not solved (option max_mixed_sets)")
    elif n_patterns > n_pure:
        all_patterns = False
        ctx.notes.append("mixed support patterns not solved (mixed=False): only pure PBE listed")
    if loose:
        ctx.loose.extend(dict.fromkeys(loose))
    return cands, ctx, all_patterns


def _run(game: ExtensiveFormGame, options: SolveOptions) -> RawResult:
    cands, ctx, all_patterns = pbe_candidates(game, options)
    notes = [f"belief policy '{options.belief_policy}'", *ctx.notes]
    if ctx.loose:
        notes.append("mixed play at unreached information sets is not enumerated; it also gives PBE at "
                     + "; ".join(ctx.loose[:5]))
    if ctx.continua:
        notes.append("continua of PBE on the path, not listed: " + "; ".join(dict.fromkeys(ctx.continua)))
    notes.extend(ctx.failed)
    complete = all_patterns and not (ctx.loose or ctx.continua or ctx.failed)
    return RawResult(candidates=cands, complete=complete, degenerate=bool(ctx.continua), notes=tuple(notes))


SOLVER = SolverInfo(
    name="pbe",
    concepts=frozenset({"pbe"}),
    kinds=frozenset({"extensive"}),
    run=_run,
    finds="all",
    applicable=_applicable,
    estimate=_estimate,
    description="perfect Bayesian equilibria: pure profiles and mixed support patterns, "
                "off-path beliefs free, prior or D1-style",
)
