"""Beliefs of the PBE solver (:mod:`deterrence.solvers.pbe`): Bayes' rule on the path, the policy off it.

``_Beliefs`` gives the belief at every information set of one behaviour profile: Bayes' rule
where the set is reached, the mover's own carried-forward belief after its own deviation, and
otherwise the off-path policy (``free``: a supporting belief found by ``_supporting_belief``,
closest to Nature's odds; ``prior``: Nature's odds; ``d1``: the D1-style belief, built from the
deviation "types" of ``_deviations`` / ``_deviation_groups``, scored by ``_profitable_share``
over the answers of ``_br_actions``, with Bayes-after-deviation weights from
``_deviation_weights``). The policies are defined in the docstring of
:mod:`deterrence.solvers.pbe`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..game.extensive import CHANCE, ExtensiveFormGame
from ._highs_lp import highs_x
from ._pbe_context import _REACH, _Ctx
from ._pbe_pruning import ANY, NATURE, SOME_SUBSET


def _supporting_belief(q: np.ndarray, sigma: np.ndarray, mu0: np.ndarray, tol: float) -> np.ndarray | None:
    """A belief under which ``sigma`` is optimal given payoffs ``q`` (nodes x actions), closest to ``mu0``."""
    gap = (q @ sigma)[:, None] - q  # want mu @ gap >= 0 for every action
    if (mu0 @ gap).min() >= -tol:
        return mu0
    n = len(mu0)
    if n == 1:
        return None
    if n == 2:  # exact: an interval of t = mu[0]
        interval = _two_node_interval(gap, 0.0, tol)
        if interval is None:
            return _within_tol(gap, tol)
        lo, hi = interval
        t = _clipped(float(mu0[0]), lo, max(lo, hi))
        mu = np.array([t, 1.0 - t])
        return mu if (mu @ gap).min() >= -tol else None
    key = (gap.shape, gap.tobytes(), mu0.tobytes(), tol)
    hit = _LP_BELIEFS.get(key, _MISSING)  # (one lookup: another thread may empty the dict)
    if hit is not _MISSING:
        return hit
    mu = _lp_belief(gap, mu0, tol)
    if mu is not None:
        mu.setflags(write=False)
    if len(_LP_BELIEFS) >= _LP_BELIEFS_MAX:
        _LP_BELIEFS.clear()
    _LP_BELIEFS[key] = mu
    return mu


def _two_node_interval(gap: np.ndarray, slack: float, tol: float) -> tuple[float, float] | None:
    """The beliefs ``t = mu[0]`` on two nodes under which no action gains more than ``slack``
    (``g1 + t (g0 - g1) >= -slack`` for each action's gaps ``(g0, g1)``; a flat one must not lose
    more than ``tol``), as ``(lo, hi)`` in ``[0, 1]``, or ``None`` if there is none. The solver asks
    first with no slack (a belief under which the action is optimal, the closest to Nature's odds),
    then, only if there is none, with ``tol``: an action that loses less than ``tol`` at the end of
    the interval is optimal within the tolerance the certificates and the kernels allow."""
    lo, hi = 0.0, 1.0
    for g0, g1 in gap.T:
        slope = g0 - g1
        if abs(slope) <= 1e-15:
            if g1 < -tol:
                return None
        elif slope > 0:
            lo = max(lo, (-slack - g1) / slope)
        else:
            hi = min(hi, (-slack - g1) / slope)
    return None if lo > hi + 1e-12 else (lo, hi)


def _within_tol(gap: np.ndarray, tol: float) -> np.ndarray | None:
    """On two nodes where no belief makes the action optimal: the belief under which it loses least,
    if that is at most ``tol`` (it is then optimal within the tolerance the certificates and the
    compiled kernels allow), else ``None``. The least loss is the largest value of
    ``min_a (g1 + t (g0 - g1))`` over ``t`` in the interval where no action gains more than ``tol``,
    a concave function: at an end of the interval or where two actions' lines cross."""
    interval = _two_node_interval(gap, tol, tol)
    if interval is None:
        return None
    lo, hi = interval
    hi = max(lo, hi)
    g0, g1 = gap[0], gap[1]
    slopes = g0 - g1
    candidates = [lo, hi]
    for a, b in itertools.combinations(range(len(g0)), 2):
        if slopes[a] != slopes[b]:
            t = (g1[b] - g1[a]) / (slopes[a] - slopes[b])
            if lo < t < hi:
                candidates.append(float(t))
    best = max(candidates, key=lambda t: float((g1 + t * slopes).min()))
    mu = np.array([best, 1.0 - best])
    return mu if (mu @ gap).min() >= -tol else None


def _clipped(x: float, lo: float, hi: float) -> float:
    """``float(np.clip(x, lo, hi))`` for floats with ``lo <= hi``, without the array call: the same
    comparisons, so a tie between ``0.0`` and ``-0.0`` keeps the same sign
    (``tests/test_pbe_beliefs.py`` compares them)."""
    y = lo if lo > x else x
    return hi if hi < y else y


#: the linear programs' answers by their exact input (gap, mu0, tol): the candidates of one solve
#: share most of their continuation payoffs at a set, hence the same program (AEG: 17 distinct of
#: 269); emptied when full
_LP_BELIEFS: dict[tuple, np.ndarray | None] = {}
_LP_BELIEFS_MAX = 4096
_MISSING = object()


def _lp_belief(gap: np.ndarray, mu0: np.ndarray, tol: float) -> np.ndarray | None:
    """:func:`_supporting_belief` on three or more nodes: by linear programs (:func:`_lp_programs`).

    ``None`` without them when some action ``a`` has ``m + 4 (n + 2) eps M < -tol`` (``m``, ``M``:
    the largest gap and the largest absolute gap of ``a`` over the ``n`` nodes; ``eps``: the
    machine epsilon). The programs end with ``None`` or a vector ``mu`` normalised in floating
    point (``mu >= 0``, ``sum(mu) >= 1 - (n + 1) eps``), kept only if the computed
    ``(mu @ gap).min() >= -tol``. Exactly, ``mu @ gap[:, a] <= m sum(mu) <= m + (n + 1) eps |m|``
    (as ``m < 0``); the float dot product adds at most ``n eps sum(mu_i |gap_ia|) <= (n + 1) eps M``
    (any order of additions). So the computed value is below ``m + 4 (n + 2) eps M < -tol``, the
    check fails, and the programs return ``None`` too.
    """
    bound = gap.max(axis=0) + 4 * (len(gap) + 2) * _EPS * np.abs(gap).max(axis=0)
    if (bound < -tol).any():
        return None
    return _lp_programs(gap, mu0, tol)


_EPS = float(np.finfo(float).eps)


def _lp_programs(gap: np.ndarray, mu0: np.ndarray, tol: float) -> np.ndarray | None:
    """A belief ``mu`` with ``mu @ gap >= -tol`` by linear programs: the closest to ``mu0`` (L1),
    or if rounding spoils it the one with the largest margin; ``None`` if neither passes. The
    programs are ``scipy.optimize.linprog(method="highs")``'s, solved as it solves them
    (:func:`~deterrence.solvers._highs_lp.highs_x`, the same answers to the bit, ties between
    optimal vertices broken by the same HiGHS run)."""
    n = len(mu0)
    eye = np.eye(n)
    a_eq = np.concatenate([np.ones(n), np.zeros(n)])[None, :]
    # closest belief to mu0 (L1) ...
    c = np.concatenate([np.zeros(n), np.ones(n)])
    a_ub = np.block([[eye, -eye], [-eye, -eye], [-gap.T, np.zeros((gap.shape[1], n))]])
    b_ub = np.concatenate([mu0, -mu0, np.zeros(gap.shape[1])])
    x = highs_x(c, a_ub, b_ub, a_eq, _ONE, np.zeros(2 * n), np.full(2 * n, np.inf))
    if x is not None:
        mu = np.clip(x[:n], 0.0, None)
        mu = mu / mu.sum()
        if (mu @ gap).min() >= -tol:
            return mu
    # ... or, if rounding spoils it, the belief with the largest margin
    c = np.concatenate([np.zeros(n), [-1.0]])
    a_ub = np.hstack([-gap.T, np.ones((gap.shape[1], 1))])
    a_eq = np.concatenate([np.ones(n), [0.0]])[None, :]
    x = highs_x(c, a_ub, np.zeros(gap.shape[1]), a_eq, _ONE, np.append(np.zeros(n), -np.inf),
                np.full(n + 1, np.inf))
    if x is None:
        return None
    mu = np.clip(x[:n], 0.0, None)
    mu = mu / mu.sum()
    return mu if (mu @ gap).min() >= -tol else None


_ONE = np.ones(1)


def _embed(part: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A belief over the nodes where ``mask`` holds, as a belief over all nodes (0 elsewhere)."""
    out = np.zeros(len(mask))
    out[mask] = part
    return out


def _br_actions(q: np.ndarray, tol: float) -> list[int]:
    """Actions that are a best response to some belief over the nodes (payoffs ``q``); remembered
    by the exact payoffs (the candidates of a solve share most of their continuations: AEG d1,
    ~24 distinct of ~195 per point)."""
    key = (q.shape, q.tobytes(), tol)
    out = _BR_ACTIONS.get(key)
    if out is None:
        out = _br_actions_uncached(q, tol)
        if len(_BR_ACTIONS) >= _LP_BELIEFS_MAX:
            _BR_ACTIONS.clear()
        _BR_ACTIONS[key] = out
    return list(out)


_BR_ACTIONS: dict[tuple, tuple[int, ...]] = {}  # by exact input, emptied when full as _LP_BELIEFS


def _br_actions_uncached(q: np.ndarray, tol: float) -> tuple[int, ...]:
    """:func:`_br_actions` worked out: an action that is best (within ``tol``) at some node is
    one (the test of every action at once), another one if some belief supports it."""
    out = []
    somewhere = (q >= (q.max(axis=1) - tol)[:, None]).any(axis=0).tolist()
    mu0 = np.full(q.shape[0], 1.0 / q.shape[0])
    for b in range(q.shape[1]):
        if not somewhere[b]:
            e = np.zeros(q.shape[1])
            e[b] = 1.0
            if _supporting_belief(q, e, mu0, tol) is None:
                continue
        out.append(b)
    return tuple(out)


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
        return min(max(1.0 - t0, 0.0), 1.0) if d1 > d2 else min(max(t0, 0.0), 1.0)  # (clipped to [0, 1])
    grid = _mixture_grid(m)
    thr = ustar + tol
    values = grid @ dev
    # the rows' dot products taken one by one (as the grid's definition reads) may round
    # differently from the matrix product: near the threshold each is taken one by one
    near = np.abs(values - thr) <= 1e-9 * max(1.0, abs(thr), float(np.abs(dev).max()))
    hits = int(np.count_nonzero(values[~near] > thr))
    hits += sum(bool(sig @ dev > thr) for sig in grid[near])
    return hits / len(grid)


_GRIDS: dict[int, np.ndarray] = {}


def _mixture_grid(m: int) -> np.ndarray:
    """The mixtures of ``m`` actions on the grid of :func:`_profitable_share` (step ``1/res``),
    one per row, cached."""
    grid = _GRIDS.get(m)
    if grid is None:
        res = {3: 40, 4: 16, 5: 8}.get(m, 5)
        rows = [np.array([*comp, res - sum(comp)], dtype=float) / res
                for comp in itertools.product(range(res + 1), repeat=m - 1) if sum(comp) <= res]
        grid = _GRIDS[m] = np.array(rows)
        grid.setflags(write=False)
    return grid


def _deviations(game: ExtensiveFormGame, beh: Sequence[np.ndarray], v: int
                ) -> tuple[tuple[int, int], ...] | None:
    """The zero-probability player moves (information set, action) on the path to ``v``, root first.

    ``None`` if a chance move on the path has probability 0 (no deviation explains the node).
    """
    moves = _path_moves(game, v)
    if moves is None:
        return None
    return tuple((k, a) for k, a in moves if beh[k][a] <= _REACH) or None


def _path_moves(game: ExtensiveFormGame, v: int) -> tuple[tuple[int, int], ...] | None:
    """The player moves (information set, action) on the path to ``v``, root first; ``None`` if a
    chance move on it has probability 0 (kept on the game: its tree and chance probabilities)."""
    cache = game.__dict__.get("_pbe_path_moves")
    if cache is None or cache[0] is not game._chance_prob:
        cache = game.__dict__["_pbe_path_moves"] = (game._chance_prob, {})
    kept = cache[1]
    if v in kept:
        return kept[v]
    edges = _path_edges(game, v)
    dead = any(j < 0 and float(game._chance_prob[u]) <= 0 for u, j, _ in edges)
    out = kept[v] = None if dead else tuple((j, a) for _, j, a in edges if j >= 0)
    return out


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


_Profile = Sequence[np.ndarray]  # a behaviour profile: per information set, its action probabilities


def _kept_deviation_groups(game: ExtensiveFormGame, beh: _Profile | Callable[[], _Profile], k: int,
                           zeros: np.ndarray) -> dict[tuple[tuple[int, int], ...], list[int]]:
    """:func:`_deviation_groups` kept by what it reads: the tree, which chance moves have
    probability ``<= 0`` (:func:`_path_moves`) and which player moves on the paths to the set's
    nodes have probability ``<= _REACH`` in the profile (:func:`_deviations`): ``zeros``
    (:meth:`_Beliefs.zeros`, per flat action) at those moves (:func:`_path_actions`). Kept in the
    game's ``tree_cache`` across the candidates and the points of a sweep (emptied when full);
    callers must not change the groups returned. ``beh`` may be a function that gives the profile
    (called only when the groups are not kept yet).
    """
    cache = game.tree_cache.get("pbe_deviation_groups_on_paths")
    if cache is None:
        cache = game.tree_cache["pbe_deviation_groups_on_paths"] = {}
    key = (k, zeros[_path_actions(game, k)].tobytes(), _chance_zeros(game))
    out = cache.get(key)
    if out is None:
        out = _deviation_groups(game, beh() if callable(beh) else beh, k)
        if len(cache) >= _LP_BELIEFS_MAX:
            cache.clear()
        cache[key] = out
    return out


def _path_actions(game: ExtensiveFormGame, k: int) -> np.ndarray:
    """The flat actions (set ``j``'s action ``a`` at ``game._action_offset[j] + a``) of the player
    moves on the paths from the root to the nodes of set ``k``, every node's (whatever Nature's
    probabilities), increasing; kept in the ``tree_cache``."""
    kept = game.tree_cache.get("pbe_path_actions")
    if kept is None:
        kept = game.tree_cache["pbe_path_actions"] = {}
    out = kept.get(k)
    if out is None:
        offsets = game._action_offset
        moves = set()
        for v in game.infosets[k].nodes:
            u = v
            while game.nodes[u].parent >= 0:
                par = game.nodes[game.nodes[u].parent]
                if par.kind != CHANCE:
                    moves.add(int(offsets[par.infoset]) + int(game.nodes[u].action))
                u = par.index
        out = kept[k] = np.array(sorted(moves), dtype=np.intp)
    return out


def _chance_zeros(game: ExtensiveFormGame) -> bytes:
    """Which chance moves have probability ``<= 0`` (per node, the test of :func:`_path_moves`),
    kept on the game."""
    kept = game.__dict__.get("_pbe_chance_zeros")
    if kept is None or kept[0] is not game._chance_prob:
        kept = game.__dict__["_pbe_chance_zeros"] = (game._chance_prob, (game._chance_prob <= 0).tobytes())
    return kept[1]


def _own_paths(game: ExtensiveFormGame, prev: int, act: int, k: int) -> list[tuple[int, int, list[int]]]:
    """The paths from the nodes of set ``prev`` after action ``act`` to the first node of set ``k``
    on them: (position in ``prev``, position in ``k``, the nodes after the action's child down to
    that node), in the order a depth-first walk from every node of ``prev`` (last first, last
    child first) reaches them; from the tree alone (kept in its ``tree_cache``).

    :func:`_carried` adds the paths' weights in this order, the order of the walk it replaced (a
    walk per profile, stopping where the weight is 0; in a tree each node has one path anyway).
    """
    key = ("own_paths", prev, act, k)
    out = game.tree_cache.get(key)
    if out is None:
        targets = {v: i for i, v in enumerate(game.infosets[k].nodes)}
        out = []
        stack = [(int(game.nodes[u].children[act]), pos, [])
                 for pos, u in enumerate(game.infosets[prev].nodes)]
        while stack:
            v, pos, path = stack.pop()
            if v in targets:
                out.append((pos, targets[v], path))
                continue
            for c in game.nodes[v].children:
                stack.append((c, pos, [*path, c]))
        game.tree_cache[key] = out
    return out


def _last_own_moves(game: ExtensiveFormGame) -> list[tuple[int, int] | None]:
    """Per information set, the mover's own last move (set, action) before it (``None`` if none),
    read at its first node (:meth:`~deterrence.game.extensive.ExtensiveFormGame.own_sequence`;
    kept in the game's ``tree_cache``)."""
    out = game.tree_cache.get("pbe_last_own_moves")
    if out is None:
        out = []
        for h in game.infosets:
            seq = game.own_sequence(h.nodes[0], h.player)
            out.append(seq[-1] if seq else None)
        game.tree_cache["pbe_last_own_moves"] = out
    return out


def unreached_belief_kinds(game: ExtensiveFormGame, policy: str) -> list[int]:
    """Per information set, what its belief is known to be wherever the play does not reach it, as
    the belief-support test reads it (:class:`~deterrence.solvers._pbe_pruning.BeliefSupportPruner`):

    * ``prior``: Nature's odds (:data:`~deterrence.solvers._pbe_pruning.NATURE`) at a set where its
      mover has not moved before (no belief of its own to carry forward: :meth:`_Beliefs.belief`);
      elsewhere the belief carried forward from the mover's previous set, or Nature's odds;
    * ``d1``: the belief carried forward, or the D1 belief (:meth:`_Beliefs._d1`: Bayes' rule after
      the chosen types' deviations, each node weighted by its reach with the deviations taken);
    * ``free``: any belief on the nodes Nature reaches (:data:`~deterrence.solvers._pbe_pruning.ANY`).

    When every move above the set is pure and Nature reaches every node, a belief carried forward
    and a D1 belief weigh each node by Nature's probability of it or by 0 (every other factor of a
    node's weight is a pure move's probability, 1 or 0, or a deviation's, 1), so they are Nature's
    odds on a non-empty subset of the nodes: the kind
    :data:`~deterrence.solvers._pbe_pruning.SOME_SUBSET` (the test checks those conditions)."""
    if policy == "prior":
        return [NATURE if last is None else SOME_SUBSET for last in _last_own_moves(game)]
    if policy == "d1":
        return [SOME_SUBSET] * len(game.infosets)
    return [ANY] * len(game.infosets)


def _carried(game: ExtensiveFormGame, edge: np.ndarray, prev: int, act: int, k: int, mu_prev: np.ndarray
             ) -> np.ndarray:
    """Weights on the nodes of set ``k`` of the belief ``mu_prev`` at set ``prev`` carried forward
    by the edge probabilities ``edge`` with action ``act`` taken at ``prev`` (:func:`_own_paths`)."""
    w = np.zeros(len(game.infosets[k].nodes))
    for u_pos, v_pos, path in _own_paths(game, prev, act, k):
        p = float(mu_prev[u_pos])
        if p > 0:  # (a path through a move of probability 0 adds 0.0: as if left out)
            for c in path:
                p = p * edge[c]
            w[v_pos] += p
    return w


class _Beliefs:
    """Beliefs of one profile: Bayes on the path, the policy off it (resolved lazily, d1 recursively)."""

    def __init__(self, ctx: _Ctx, beh: list[np.ndarray], row: int | None = None) -> None:
        """``row``: the profile's row in the solver's pure table, if it is one; its reach, edge
        probabilities and node values are then read off the table (the numbers the game's methods
        give: :meth:`PureTable.evaluated <deterrence.solvers._pbe_table.PureTable.evaluated>`)."""
        self.ctx, self.beh = ctx, beh
        game = ctx.game
        evaluated = None if row is None else ctx.table.evaluated(row)
        self._row: list[int | None] = [] if row is None else [row]  # the table row, once known
        if evaluated is None:
            self.reach = game.realization_probabilities(beh)
            self.edge = game.edge_probabilities(beh)
            self.values = game.node_values(beh, self.edge)
        else:
            self.reach, self.edge, self.values = evaluated
        self.mu: list[np.ndarray | None] = [None] * len(game.infosets)
        self.on_path = [False] * len(game.infosets)
        self.fixed: set[int] = set()  # unreached sets whose belief is fixed by the mover's own earlier belief
        for members, nodes in ctx.set_groups:  # all sets of a size at once (``_Ctx.set_groups``)
            r = self.reach[nodes]
            s = r.sum(axis=1)
            for j in np.flatnonzero(s > _REACH).tolist():
                self.mu[members[j]] = r[j] / s[j]
                self.on_path[members[j]] = True
        self._busy: set[int] = set()
        self._zeros: np.ndarray | None = None

    def zeros(self) -> np.ndarray:
        """Which moves of the profile have probability ``<= _REACH`` (the test of
        :func:`_deviations`), per flat action (sets in order), worked out once."""
        if self._zeros is None:
            self._zeros = np.concatenate(self.beh) <= _REACH
        return self._zeros

    def table_row(self) -> int | None:
        """The profile's row in the solver's pure table (``None`` if it has none or is not one of
        its profiles), worked out once."""
        if not self._row:
            self._row.append(None if self.ctx.table is None else self.ctx.table.row_of(self.beh))
        return self._row[0]

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
            mask = ctx.possible(k)
            q = ctx.q(self.values, k)[mask]
            part = _supporting_belief(q, self.beh[k], ctx.prior_belief(k)[mask], ctx.tol)
            mu = None if part is None else _embed(part, mask)
        else:
            mu = self._d1(k)
        self._busy.discard(k)
        self.mu[k] = mu
        return mu

    def carried_belief(self, k: int) -> np.ndarray | None:
        """The belief at unreached set ``k`` if the mover's own previous set is on the path and its
        belief carried forward gives ``k`` weight (:meth:`_own_consistent`), else ``None``.

        Kept as :meth:`belief` keeps it (with ``k`` in :attr:`fixed`): :meth:`belief` would work
        out the same, as the carried belief reads only the on-path belief at the previous set
        (set when the profile's beliefs were built) and the profile's edge probabilities.
        """
        if self.mu[k] is not None:
            return self.mu[k] if k in self.fixed else None
        last = _last_own_moves(self.ctx.game)[k]
        if last is None or not self.on_path[last[0]]:
            return None
        own = self._own_consistent(k)
        if own is not None:
            self.fixed.add(k)
            self.mu[k] = own
        return own

    def _own_consistent(self, k: int) -> np.ndarray | None:
        """Bayes' rule from the mover's own previous information set, if it gives the set weight.

        A player's own deviation does not change what it believes about the others: at an
        unreached set that follows the mover's earlier set ``h'`` (perfect recall: the same one
        for every node), the belief is ``μ(h')`` carried forward under the profile, with the
        mover's own action at ``h'`` taken. Only if that puts no weight on the set (someone
        else deviated too) does the policy choose the belief.
        """
        game = self.ctx.game
        last = _last_own_moves(game)[k]
        if last is None:
            return None
        prev, act = last
        mu_prev = self.belief(prev)
        if mu_prev is None:
            return None
        w = _carried(game, self.edge, prev, act, k, mu_prev)
        s = w.sum()
        return w / s if s > _REACH else None

    def _answer_values(self, k: int, b: int) -> np.ndarray:
        """The node values of the profile with action ``b`` played at set ``k`` (the profile's edge
        probabilities, ``b``'s at ``k``'s edges): a row of the pure table when the profile is one
        and ``b`` is a table action (:meth:`PureTable.answer_values
        <deterrence.solvers._pbe_table.PureTable.answer_values>`), else ``game.node_values``."""
        ctx = self.ctx
        row = self.table_row()
        if row is not None:
            values = ctx.table.answer_values(row, k, b)
            if values is not None:
                return values
        alt = self.edge.copy()
        alt[ctx.kids[k]] = 0.0
        alt[ctx.kids[k][:, b]] = 1.0
        return ctx.game.node_values(self.beh, alt)

    def _d1(self, k: int) -> np.ndarray:
        """The D1-style belief at unreached set ``k`` (see the docstring of :mod:`deterrence.solvers.pbe`)."""
        ctx, game, beh = self.ctx, self.ctx.game, self.beh
        q = ctx.q(self.values, k)
        answers = _br_actions(q[ctx.possible(k)], ctx.tol)
        groups = _kept_deviation_groups(game, beh, k, self.zeros())
        if not groups:
            return ctx.prior_belief(k)
        # deviation payoff of each type against each admissible pure answer: the profile with the
        # answer played at k (its edge probabilities: the profile's, the answer's at k's edges)
        answer_values = [self._answer_values(k, b) for b in answers]
        scores = {}
        for devs in groups:
            iota, a = devs[-1]  # the last deviation is the one that tells these nodes apart
            mu_i = self.belief(iota)
            if mu_i is None:
                scores[devs] = 0.0
                continue
            hi = game.infosets[iota]
            i = hi.player
            ustar = float(mu_i @ self.values[ctx.set_nodes[iota], i])
            after = ctx.kids[iota][:, a]
            dev = np.array([float(mu_i @ vals[after, i]) for vals in answer_values])
            scores[devs] = _profitable_share(dev, ustar, ctx.tol)
        best = max(scores.values())
        chosen = [g for g, sc in scores.items() if best <= 0 or sc >= best - 1e-9]
        mu = _deviation_weights(ctx, beh, k, [(devs, tuple(groups[devs])) for devs in chosen],
                                row=self.table_row())
        return mu / mu.sum()


_UNKNOWN = object()  # a profile's table row not yet worked out


def _deviation_weights(ctx: _Ctx, beh: list[np.ndarray], k: int,
                       types: Sequence[tuple[tuple[tuple[int, int], ...], tuple[int, ...]]],
                       use_prior: Sequence[bool] | None = None, row: object = _UNKNOWN
                       ) -> np.ndarray:
    """Weights on the nodes of set ``k`` from Bayes' rule after each type's deviations.

    ``types`` lists (deviations, node positions), the deviations being the (information set,
    action) pairs that the profile plays with probability 0 on the way to those nodes: the
    weight of a node is its reach probability with all those actions taken (the rest of the
    profile as is). A type whose nodes stay unreached even then gets Nature's odds instead
    (decided by ``use_prior`` when given, so that the weights stay multilinear across a
    support pattern). ``row``: the profile's row in the solver's pure table (``None``: it has
    none), worked out when needed if not given.
    """
    game = ctx.game
    nodes = game.infosets[k].nodes
    w = np.zeros(len(nodes))
    known: list[Any] = [] if row is _UNKNOWN else [row]
    for n, (devs, positions) in enumerate(types):
        idx = [nodes[p] for p in positions]
        if use_prior is not None and use_prior[n]:
            w[list(positions)] += ctx.prior[idx]
            continue
        if not known:
            known.append(None if ctx.table is None else ctx.table.row_of(beh))
        part = _forced_reach_at(ctx, beh, devs, known[0], idx)
        if use_prior is None and part.sum() <= 0:
            part = ctx.prior[idx]
            if part.sum() <= 0:
                part = np.ones(len(idx))
        w[list(positions)] += part
    return w


def _forced_reach_at(ctx: _Ctx, beh: list[np.ndarray], devs: Sequence[tuple[int, int]], row: int | None,
                     nodes: list[int]) -> np.ndarray:
    """``_forced_reach(ctx, beh, devs, row)[nodes]``, off the table without the other nodes: each
    node's reach as ``game.realization_probabilities`` works it out (its compiled pass, ``reach[v]
    = reach[parent] * edge``, from 1.0 at the root), the product, root first, of the edge
    probabilities on its path: Nature's; at a player move 1.0 or 0.0 at a deviation's set (the
    last deviation there, as ``_forced_reach`` sets them in turn), else the profile's, as a float
    (the flat vector's entry); the same float operations, so the same numbers."""
    if row is not None:
        reach = ctx.table.forced_reach_of_row(row, devs)
        if reach is not None:
            return reach[nodes]
    game = ctx.game
    forced = dict(devs)
    out = []
    for v in nodes:
        r = 1.0
        for u, j, a in _path_edges(game, v):
            if j < 0:
                e = float(game._chance_prob[u])
            elif j in forced:
                e = 1.0 if forced[j] == a else 0.0
            else:
                e = float(beh[j][a])
            r = r * e
        out.append(r)
    return np.array(out)


def _path_edges(game: ExtensiveFormGame, v: int) -> tuple[tuple[int, int, int], ...]:
    """The edges on the path from the root to node ``v``, root first: per edge its lower node, and
    the information set and action of a player's move (``-1, -1`` for Nature's); from the tree
    alone (kept in its ``tree_cache``)."""
    kept = game.tree_cache.get("pbe_path_edges")
    if kept is None:
        kept = game.tree_cache["pbe_path_edges"] = {}
    out = kept.get(v)
    if out is None:
        parent, sets, actions = game._parent.tolist(), game._edge_infoset.tolist(), game._edge_action.tolist()
        path = []
        u = v
        while parent[u] >= 0:
            path.append((u, sets[u], actions[u]))
            u = parent[u]
        out = kept[v] = tuple(reversed(path))
    return out


def _type_unreached(ctx: _Ctx, ind: Sequence[np.ndarray], k: int, devs: Sequence[tuple[int, int]],
                    positions: Sequence[int]) -> bool:
    """Whether ``_deviation_weights(ctx, ind, k, [(devs, positions)], [False]).sum() <= 0`` for an
    indicator profile ``ind`` (every entry 0.0 or 1.0): no node of the type is reached with its
    deviations played, read off the paths instead of evaluating the forced profile.

    Why it is the same: the weights are the forced profile's reach probabilities at the type's
    nodes, each the product, root first, of the edge probabilities on the path to the node
    (``realization_probabilities``): Nature's probabilities, and at a player's move ``(i, a)``
    1.0 if ``i`` is a deviation set and ``a`` its deviation (the forced profile's entry), 0.0 if
    ``i`` is one with another action, else ``ind[i][a]``, itself 0.0 or 1.0. A factor 0.0 makes
    the product 0.0 (every factor is finite); factors 1.0 change nothing, so otherwise the product
    is, to the bit, the one with every player move at 1.0: the node's entry in
    :meth:`_Ctx.chance_reach <deterrence.solvers._pbe_context._Ctx.chance_reach>` (0.0 also when
    it underflows). The weights are not negative, so their sum is 0 exactly when each is 0.
    ``_path_moves`` lists the player moves on the path (``None``: a move of Nature's has
    probability 0 on it, and the chance product is 0 too). ``tests/test_pbe_beliefs_types.py``
    compares the two on recorded and random indicator profiles.
    """
    game = ctx.game
    forced = dict(devs)  # (the forced profile sets each deviation set in turn: the last one stays)
    chance = ctx.chance_reach()
    nodes = game.infosets[k].nodes
    for p in positions:
        v = nodes[p]
        moves = _path_moves(game, v)
        if moves is None or not chance[v] > 0:
            continue
        if all(forced[i] == a if i in forced else ind[i][a] != 0 for i, a in moves):
            return False
    return True


def _forced_reach(ctx: _Ctx, beh: list[np.ndarray], devs: Sequence[tuple[int, int]], row: int | None
                  ) -> np.ndarray:
    """Reach probabilities of ``beh`` with each deviation (information set, action) played
    instead: a row of the solver's pure table when the profile is one (its row ``row``, else
    ``None``), else evaluated (cached)."""
    if row is not None:
        reach = ctx.table.forced_reach_of_row(row, devs)
        if reach is not None:
            return reach
    offsets = ctx.game._action_offset
    forced = np.concatenate([np.asarray(x, dtype=float) for x in beh])  # the profile, flat
    for iota, a in devs:
        lo = int(offsets[iota])
        forced[lo:int(offsets[iota + 1])] = 0.0
        forced[lo + a] = 1.0
    return ctx.reach(forced)
