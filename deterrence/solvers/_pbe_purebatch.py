"""The pure profiles of one solve assessed together under the ``free``, ``prior`` and ``d1``
policies (:func:`assess_rows`).

:func:`deterrence.solvers.pbe._assess` assesses one profile at a time. The admitted pure
profiles of a solve are rows of its pure table (:class:`~deterrence.solvers._pbe_table.PureTable`),
so their beliefs and tests can be worked out for all rows at once, set by set:

* the beliefs are computed with the operations ``_Beliefs`` uses, elementwise in the same
  order, so they are the same to the bit: Bayes' rule on the path (``r / s``, ``s`` the sum
  of the set's reach weights, taken along the last axis as ``_Beliefs`` takes it), the
  mover's own belief carried forward (``_carried``: the paths' products and sums in the order
  of ``_own_paths``), under ``prior`` Nature's odds (``ctx.prior_belief``, the array ``_Beliefs``
  takes), under ``free`` Nature's odds when they already support the prescribed move, and the
  closed form of ``_supporting_belief`` on two nodes (its scalar steps, per row);
* a supporting belief on three or more nodes is ``_supporting_belief`` itself, once per distinct
  (payoffs, prescribed action) among the rows at the set (a deterministic function of them);
* under ``d1`` the D1-style belief is worked out for the rows together by
  :func:`deterrence.solvers._pbe_batch_d1.d1_beliefs` (``_Beliefs._d1``'s operations; its dot
  products pair by pair through ``np.vecdot``, numpy's dot of two vectors, as ``m @ x`` takes it);
* a test that compares a matrix product with the tolerance (``mu @ q``, whose rounding
  depends on how numpy multiplies) is decided only when it holds or fails with a margin that
  covers any rounding of both products (``_margin``); otherwise the row is left to ``_assess``
  (:data:`FALLBACK`), as is any row with a value that is not finite.

The tests of many sets are taken together (:meth:`_Batch.test_sets`: every (row, set) pair at
once, the first failing or undecided test in the sets' order deciding a row, as set by set).
A rejection records nothing, so the order in which a row's tests are taken is not seen (the
unreached sets are tested the shallowest first, so that the rows their D1 beliefs reject are not
carried to the deeper sets); the loose note of an accepted row is the first set, in set order,
that gives one, as in ``_assess``.
``tests/test_pbe_purebatch.py`` compares the verdicts with ``_assess`` on recorded AEG points
and random trees.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..game.extensive import ExtensiveFormGame
from ._pbe_batch_d1 import d1_beliefs
from ._pbe_beliefs import _br_actions, _last_own_moves, _own_paths, _supporting_belief
from ._pbe_context import _REACH, _Ctx

#: a row :func:`assess_rows` leaves to ``pbe._assess``
FALLBACK = object()

_EPS = float(np.finfo(float).eps)



def _intervals(gap: np.ndarray, slack: float, tol: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`~deterrence.solvers._pbe_beliefs._two_node_interval` for rows of gaps ``(rows, 2,
    actions)`` at once, elementwise with the same steps: the interval ``(lo, hi)`` of each row and
    whether it has none (``dead``)."""
    lo, hi = np.zeros(len(gap)), np.ones(len(gap))
    dead = np.zeros(len(gap), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for a in range(gap.shape[2]):
            g0, g1 = gap[:, 0, a], gap[:, 1, a]
            slope = g0 - g1
            flat = np.abs(slope) <= 1e-15
            dead |= flat & (g1 < -tol)
            x = (-slack - g1) / slope
            up = ~flat & (slope > 0)
            lo = np.where(up & (x > lo), x, lo)
            hi = np.where(~flat & ~up & (x < hi), x, hi)
    return lo, hi, dead | (lo > hi + 1e-12)

def _margin(mu: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Per row, a bound on how far two float evaluations of ``mu @ q`` (any order of the
    additions, fused or not) and of ``payoff.max() - payoff[a]`` can differ: each product's
    error is at most ``n eps sum_i |mu_i q_ia|`` (``n`` nodes); doubled, and more, for the
    difference of two such products and its own rounding."""
    n = mu.shape[1]
    scale = _by_action(np.maximum, np.einsum("rn,rna->ra", np.abs(mu), np.abs(q)))
    return 8.0 * (n + 2) * _EPS * scale


def _gaps(mu: np.ndarray, q: np.ndarray, act: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, ``payoff.max() - payoff[act]`` with ``payoff = mu @ q`` and its :func:`_margin`."""
    payoff = np.einsum("rn,rna->ra", mu, q)
    d = _by_action(np.maximum, payoff) - payoff[np.arange(len(act)), act]
    return d, _margin(mu, q) + 8.0 * _EPS * np.abs(d)


def _padded(ctx: _Ctx) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every set's child nodes in one array, kept in the ``tree_cache``: per set, node and action
    the child node and the set's mover (``0`` past the set's nodes or actions), where those are,
    and which actions each set has ``(sets, most actions)`` (read only)."""
    game = ctx.game
    out = game.tree_cache.get("pbe_batch_padded_kids")
    if out is None:
        n = max(len(h.nodes) for h in game.infosets)
        a = max(len(h.actions) for h in game.infosets)
        kid = np.zeros((len(game.infosets), n, a), dtype=np.intp)
        past = np.ones(kid.shape, dtype=bool)
        for k, kids in enumerate(ctx.kids):
            kid[k, :kids.shape[0], :kids.shape[1]] = kids
            past[k, :kids.shape[0], :kids.shape[1]] = False
        player = np.array([h.player for h in game.infosets], dtype=np.intp)[:, None, None]
        out = (kid, player, past, (~past).any(axis=1))
        for x in out:
            x.setflags(write=False)
        game.tree_cache["pbe_batch_padded_kids"] = out
    return out


def _carry_plan(game: ExtensiveFormGame, prev: int, act: int, k: int
                ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]] | None:
    """:func:`_own_paths` from set ``prev`` after action ``act`` to set ``k`` as arrays, when each
    node of ``k`` ends one path and the paths are as long: the positions in ``prev`` and in ``k``
    and, step by step, the paths' nodes (an edge of each path per step, in path order: the same
    products as ``_carried``'s, one path's weight added to each node); else ``None``. Kept in the
    ``tree_cache``."""
    key = ("pbe_batch_carry_plan", prev, act, k)
    if key not in game.tree_cache:
        paths = _own_paths(game, prev, act, k)
        v = [v_pos for _, v_pos, _ in paths]
        lengths = {len(path) for _, _, path in paths}
        plan = None
        if len(set(v)) == len(v) and len(lengths) == 1:
            steps = np.array([path for _, _, path in paths], dtype=np.intp).reshape(len(paths), -1)
            plan = (np.array([u for u, _, _ in paths], dtype=np.intp), np.array(v, dtype=np.intp),
                    [np.ascontiguousarray(c) for c in steps.T])
        game.tree_cache[key] = plan
    return game.tree_cache[key]


def _carry_plans(game: ExtensiveFormGame, sets: tuple[int, ...]) -> tuple | None:
    """The :func:`_carry_plan` of every set of ``sets`` (each with a previous own move) as one, when
    each has one and their paths are as long, else ``None``; kept in the ``tree_cache``: per path
    its set, the previous set, the positions there and in the set, and step by step the paths'
    nodes; and per number of nodes, the sets with that many and their previous sets."""
    key = ("pbe_batch_carry_plans", sets)
    if key not in game.tree_cache:
        last = _last_own_moves(game)
        plans = [_carry_plan(game, *last[k], k) for k in sets]
        out = None
        if sets and all(p is not None for p in plans) and len({len(p[2]) for p in plans}) == 1:
            counts = [len(p[0]) for p in plans]
            sizes = [len(game.infosets[k].nodes) for k in sets]
            members = [[k for k, m in zip(sets, sizes, strict=True) if m == n] for n in sorted(set(sizes))]
            groups = [(len(game.infosets[g[0]].nodes), np.array(g, dtype=np.intp),
                       np.array([last[k][0] for k in g], dtype=np.intp)) for g in members]
            out = (np.repeat(np.array(sets, dtype=np.intp), counts),
                   np.repeat(np.array([last[k][0] for k in sets], dtype=np.intp), counts),
                   np.concatenate([p[0] for p in plans]), np.concatenate([p[1] for p in plans]),
                   [np.concatenate([p[2][i] for p in plans]) for i in range(len(plans[0][2]))], groups)
        game.tree_cache[key] = out
    return game.tree_cache[key]


def _by_action(ufunc: np.ufunc, a: np.ndarray) -> np.ndarray:
    """``ufunc.reduce(a, axis=-1)`` over the few actions of the last axis, one elementwise call per
    action (numpy's reduction along a short last axis takes one inner loop per element)."""
    out = a[..., 0]
    for i in range(1, a.shape[-1]):
        out = ufunc(out, a[..., i])
    return out


def _padded_payoffs(ctx: _Ctx, values: np.ndarray) -> np.ndarray:
    """Per row of node values ``values`` (rows, nodes, players), the mover's payoffs at every set
    (:meth:`_Batch.q` of each), ``(rows, sets, most nodes, most actions)``, zero past a set's nodes
    and actions (:func:`_padded`)."""
    kid, player, past, _ = _padded(ctx)
    q = np.take(values.reshape(len(values), -1), kid * values.shape[2] + player, axis=1)
    q[:, past] = 0.0
    return q


class _Batch:
    """The beliefs of every row at every set, worked out set by set (see the module docstring)."""

    def __init__(self, ctx: _Ctx, rows: np.ndarray) -> None:
        table, game = ctx.table, ctx.game
        self.ctx, self.rows = ctx, rows
        self.reach, self.edge, self.values = table.reach[rows], table.edge[rows], table.values[rows]
        n_sets = len(game.infosets)
        width = max(len(a) for a in table.allowed)
        allowed = np.array([[*a, *[0] * (width - len(a))] for a in table.allowed], dtype=np.intp)
        #: per row and set, the action played
        self.act = allowed[np.arange(n_sets), table.positions[rows]]
        self.alive = np.ones(len(rows), dtype=bool)
        self.fallback = ~(np.isfinite(self.values).all(axis=(1, 2)) & np.isfinite(self.reach).all(axis=1)
                          & np.isfinite(self.edge).all(axis=1))
        #: every row's belief at every set, (rows, sets, most nodes), zero past a set's nodes
        self.mus = np.zeros((len(rows), n_sets, _padded(ctx)[0].shape[1]))
        #: per set, its part of :attr:`mus` (rows, nodes), written in place; NaN rows: no belief
        self.mu: list[np.ndarray] = [self.mus[:, k, :len(h.nodes)] for k, h in enumerate(game.infosets)]
        self.on_path = np.zeros((len(rows), n_sets), dtype=bool)
        self.fixed = np.zeros((len(rows), n_sets), dtype=bool)
        self.known = np.zeros((len(rows), n_sets), dtype=bool)  # belief worked out (on path or resolved)
        self._busy: set[int] = set()
        self._q: dict[int, np.ndarray] = {}
        self._qs: np.ndarray | None = None  # every set's payoffs (_padded_payoffs), once needed
        for members, nodes in ctx.set_groups:
            r = self.reach[:, nodes]  # (rows, sets, nodes), as ``_Beliefs`` reads one row's
            s = r.reshape(-1, nodes.shape[1]).sum(axis=1).reshape(r.shape[:2])
            with np.errstate(divide="ignore", invalid="ignore"):
                mu = r / s[:, :, None]
            on = s > _REACH
            self.on_path[:, members] = on
            self.known[:, members] = on
            self.mus[:, members, :nodes.shape[1]] = np.where(on[:, :, None], mu, np.nan)

    def qs(self) -> np.ndarray:
        """Every set's :meth:`q` in one array (:func:`_padded_payoffs`), worked out once."""
        if self._qs is None:
            self._qs = _padded_payoffs(self.ctx, self.values)
        return self._qs

    def test_sets(self, which: np.ndarray, order: Sequence[int]) -> np.ndarray:
        """Sequential rationality at every set for the rows ``which`` (rows, sets) marks (with a
        belief there), as :meth:`test` set after set in ``order`` would take them: the first
        test in ``order`` that fails or is undecided decides a row (it dies or falls back). The
        gaps and margins (:func:`_gaps`, with the most nodes of a set) are worked out for all the
        (row, set) pairs at once (:meth:`qs`); returns per set the rows its test rejected."""
        order = np.asarray(order, dtype=np.intp)
        kills = np.zeros(which.shape[1], dtype=np.intp)
        r, c = np.nonzero(which[:, order] & (self.alive & ~self.fallback)[:, None])  # by row, then order
        if not len(r):
            return kills
        k = order[c]
        mu, q = self.mus[r, k], self.qs()[r, k]
        payoff = np.where(_padded(self.ctx)[3][k], np.einsum("pn,pna->pa", mu, q), -np.inf)
        d = _by_action(np.maximum, payoff) - payoff[np.arange(len(r)), self.act[r, k]]
        scale = _by_action(np.maximum, np.einsum("pn,pna->pa", np.abs(mu), np.abs(q)))
        m = 8.0 * (mu.shape[1] + 2) * _EPS * scale + 8.0 * _EPS * np.abs(d)  # (_margin, _gaps)
        tol = self.ctx.tol
        fail = d > tol + m
        event = np.flatnonzero(fail | (d > tol - m))
        if not len(event):
            return kills
        first = event[np.r_[True, r[event][1:] != r[event][:-1]]]  # each row's first event in order
        dies = fail[first]
        self.alive[r[first[dies]]] = False
        self.fallback[r[first[~dies]]] = True
        np.add.at(kills, k[first[dies]], 1)
        return kills

    def q(self, k: int) -> np.ndarray:
        """The mover's continuation payoffs at set ``k`` per row: (rows, nodes, actions), read
        only, worked out once per set (the values do not change)."""
        q = self._q.get(k)
        if q is None:
            q = self._q[k] = self.values[:, self.ctx.kids[k], self.ctx.game.infosets[k].player]
            q.setflags(write=False)
        return q

    def test(self, k: int, which: np.ndarray) -> None:
        """Sequential rationality at set ``k`` for the rows ``which`` (with a belief there): the
        failing rows die, the undecided ones fall back."""
        idx = np.flatnonzero(which & self.alive & ~self.fallback)
        if not len(idx):
            return
        d, m = _gaps(self.mu[k][idx], self.q(k)[idx], self.act[idx, k])
        tol = self.ctx.tol
        self.alive[idx[d > tol + m]] = False
        self.fallback[idx[(d > tol - m) & (d <= tol + m)]] = True

    def carried(self, k: int, which: np.ndarray) -> None:
        """Own beliefs carried forward to set ``k`` for the rows ``which`` whose previous own set
        has a belief: ``_Beliefs._own_consistent`` (``_carried``, then ``w / s`` if ``s > _REACH``)."""
        game = self.ctx.game
        prev, act = _last_own_moves(game)[k]
        mu_prev = self.mu[prev]
        ok = which & ~np.isnan(mu_prev).any(axis=1)
        if not ok.any():
            return
        idx = np.flatnonzero(ok)
        w = np.zeros((len(idx), len(game.infosets[k].nodes)))
        plan = _carry_plan(game, prev, act, k)
        if plan is not None:  # one path to each node, all as long: every path at once
            u, v, path = plan
            p0 = mu_prev[idx][:, u]
            p = p0
            edge = self.edge[idx]
            for c in path:
                p = p * edge[:, c]
            w[:, v] += np.where(p0 > 0, p, 0.0)
        else:
            for u_pos, v_pos, path in _own_paths(game, prev, act, k):
                p0 = mu_prev[idx, u_pos]
                p = p0
                for c in path:
                    p = p * self.edge[idx, c]
                w[:, v_pos] += np.where(p0 > 0, p, 0.0)  # (w is never -0.0: adding 0.0 keeps it)
        s = w.sum(axis=1)
        got = s > _REACH
        with np.errstate(divide="ignore", invalid="ignore"):
            mu = w / s[:, None]
        sel = idx[got]
        self.mu[k][sel] = mu[got]
        self.fixed[sel, k] = True
        self.known[sel, k] = True

    def carried_sets(self, which: np.ndarray) -> None:
        """:meth:`carried` at every set for the rows ``which`` (rows, sets) marks, all sets at once
        when :func:`_carry_plans` has a plan for them (else set by set): the same products, each
        node's weight ``0.0`` plus its path's, each set's sum over its nodes as :meth:`carried`
        takes it (a contiguous row of the set's weights)."""
        game = self.ctx.game
        last = _last_own_moves(game)
        sets = tuple(k for k in np.flatnonzero(which.any(axis=0)).tolist() if last[k] is not None)
        plan = _carry_plans(game, sets)
        if plan is None:
            for k in sets:
                self.carried(k, which[:, k])
            return
        path_set, prev, u, v, steps, groups = plan
        rows = np.flatnonzero(which[:, list(sets)].any(axis=1))
        p0 = self.mus[rows][:, prev, u]
        p, edge = p0, self.edge[rows]
        for c in steps:
            p = p * edge[:, c]
        w = np.zeros((len(rows), *self.mus.shape[1:]))
        w[:, path_set, v] += np.where(p0 > 0, p, 0.0)
        known_prev = ~np.isnan(self.mus[rows]).any(axis=2)
        for n, group, group_prev in groups:
            wg = w[:, group, :n]  # (rows, sets, nodes), contiguous: each set's row summed as by ``carried``
            total = wg.reshape(-1, n).sum(axis=1).reshape(len(rows), len(group))
            with np.errstate(divide="ignore", invalid="ignore"):
                mu = wg / total[:, :, None]
            r, j = np.nonzero(which[rows][:, group] & known_prev[:, group_prev] & (total > _REACH))
            k = group[j]
            self.mus[rows[r], k, :n] = mu[r, j]
            self.fixed[rows[r], k] = True
            self.known[rows[r], k] = True

    def belief(self, k: int, which: np.ndarray) -> None:
        """Resolve the belief at set ``k`` for the rows ``which`` (off the path, not yet known):
        the carried belief, else the supporting belief; rows with none die."""
        todo = which & ~self.known[:, k] & self.alive & ~self.fallback
        if not todo.any():
            return
        if k in self._busy:
            raise _Unbatched
        self._busy.add(k)
        last = _last_own_moves(self.ctx.game)[k]
        if last is not None:
            self.belief(last[0], todo)
            self.carried(k, todo & self.known[:, last[0]])
        rest = todo & ~self.known[:, k] & self.alive & ~self.fallback
        if rest.any():
            if self.ctx.policy == "prior":
                self._prior(k, np.flatnonzero(rest))
            elif self.ctx.policy == "d1":
                d1_beliefs(self, k, np.flatnonzero(rest))
            else:
                self._supporting(k, np.flatnonzero(rest))
        self._busy.discard(k)

    def _prior(self, k: int, idx: np.ndarray) -> None:
        """Nature's odds at set ``k`` for the rows ``idx`` (``_Beliefs.belief`` under ``prior``)."""
        self.mu[k][idx] = self.ctx.prior_belief(k)
        self.known[idx, k] = True

    def _supporting(self, k: int, idx: np.ndarray) -> None:
        """``_supporting_belief`` at set ``k`` for the rows ``idx``, embedded (``_embed``)."""
        ctx = self.ctx
        mask = ctx.possible(k)
        q = self.q(k)[idx][:, mask]
        mu0 = ctx.prior_belief(k)[mask]
        act = self.act[idx, k]
        gap = q[np.arange(len(idx)), :, act][:, :, None] - q  # (q @ sigma)[:, None] - q, sigma one-hot
        m0 = np.broadcast_to(mu0, (len(idx), len(mu0)))
        payoff = np.einsum("rn,rna->ra", m0, gap)
        low = _by_action(np.minimum, payoff)
        margin = _margin(m0, gap) + 8.0 * _EPS * np.abs(low)
        tol = ctx.tol
        prior_ok = low >= -tol + margin
        unsure = ~prior_ok & (low >= -tol - margin)
        self.fallback[idx[unsure]] = True
        full = np.zeros(len(mask))
        full[mask] = mu0
        self.mu[k][idx[prior_ok]] = full
        self.known[idx[prior_ok], k] = True
        rest = ~prior_ok & ~unsure
        if len(mu0) == 2:
            self._two_nodes(k, idx[rest], mask, gap[rest], float(mu0[0]))
        elif len(mu0) == 1:
            self.alive[idx[rest]] = False
        else:  # once per distinct (payoffs, action): the rows share most continuations (AEG: ~2 of ~35)
            self._distinct_supporting(k, idx[rest], mask, q[rest], act[rest], mu0)

    def _distinct_supporting(self, k: int, idx: np.ndarray, mask: np.ndarray, q: np.ndarray, act: np.ndarray,
                             mu0: np.ndarray) -> None:
        """``_supporting_belief`` at set ``k`` for the rows ``idx`` (payoffs ``q`` over the nodes of
        ``mask``, actions ``act``) once per distinct (payoffs to the bit, action), kept for every row
        that shares them; the rows without one die."""
        if not len(idx):
            return
        first, inverse = _distinct(np.concatenate([_bits(q), act[:, None].astype(np.int64)], axis=1))
        found = np.zeros((len(first), len(mask)))
        none = np.zeros(len(first), dtype=bool)
        for i, j in enumerate(first.tolist()):
            sigma = np.zeros(q.shape[2])
            sigma[act[j]] = 1.0
            mu = _supporting_belief(q[j], sigma, mu0, self.ctx.tol)
            none[i] = mu is None
            if mu is not None:
                found[i, mask] = mu
        dead = none[inverse]
        self.alive[idx[dead]] = False
        ok = idx[~dead]
        self.mu[k][ok] = found[inverse[~dead]]
        self.known[ok, k] = True

    def _two_nodes(self, k: int, idx: np.ndarray, mask: np.ndarray, gap: np.ndarray, mu0: float) -> None:
        """The closed form of ``_supporting_belief`` on two nodes once Nature's odds fail, for the
        rows ``idx`` (``gap``: theirs, ``(rows, 2, actions)``): its scalar steps row by row as
        elementwise operations (Python's ``max(lo, x)`` keeps ``lo`` unless ``x > lo``: so does
        ``np.where(x > lo, x, lo)``; likewise ``min``), its last check ``(mu @ gap).min() >= -tol``
        with a margin; rows within the margin, or with gaps that are not finite, fall back."""
        if not len(idx):
            return
        tol = self.ctx.tol
        bad = ~np.isfinite(gap).all(axis=(1, 2))
        lo, hi, dead = _intervals(gap, 0.0, tol)
        # no belief makes the action optimal: rows that may be optimal within tol are rare (knife
        # edges) and fall back to the profile-by-profile belief (_pbe_beliefs._within_tol)
        retry = dead & ~bad & (lo > hi + 1e-12)
        if retry.any():  # (the second intervals only for the rows that need them)
            retry &= ~_intervals(gap, tol, tol)[2]
        top = np.where(hi > lo, hi, lo)  # max(lo, hi)
        y = np.where(lo > mu0, lo, mu0)  # _clipped(mu0, lo, top)
        t = np.where(top < y, top, y)
        mu = np.stack([t, 1.0 - t], axis=1)
        low = _by_action(np.minimum, np.einsum("rn,rna->ra", mu, gap))
        margin = _margin(mu, gap) + 8.0 * _EPS * np.abs(low)
        unsure = bad | retry | (~dead & (low >= -tol - margin) & (low < -tol + margin))
        self.fallback[idx[unsure]] = True
        self.alive[idx[~unsure & (dead | (low < -tol))]] = False
        ok = ~unsure & ~dead & (low >= -tol)
        full = np.zeros((int(ok.sum()), len(mask)))
        full[:, mask] = mu[ok]
        self.mu[k][idx[ok]] = full
        self.known[idx[ok], k] = True


_UNSURE = object()  # a loose note too close to call: the row is left to ``_assess``


class _Unbatched(Exception):
    """The sets' own beliefs refer to each other in a circle: left to ``_assess``."""


def assess_rows(ctx: _Ctx, rows: np.ndarray) -> list[Any]:
    """Per table row (a pure profile), what ``pbe._assess(ctx, beh, row)`` returns under the
    ``free``, ``prior`` or ``d1`` policy: ``(beliefs, loose)`` for an accepted profile, ``None``
    for a rejected one, or :data:`FALLBACK` for a row to assess with ``_assess``. Every row falls
    back on a deep tree (the table's values are not the game's there) or when the sets' beliefs
    refer to each other in a circle."""
    if ctx.game._deep or not len(rows) or ctx.policy not in ("free", "prior", "d1"):
        return [FALLBACK] * len(rows)
    try:
        return _assess_batch(ctx, _Batch(ctx, rows))
    except _Unbatched:
        return [FALLBACK] * len(rows)


def _assess_batch(ctx: _Ctx, b: _Batch) -> list[Any]:
    """:func:`assess_rows` on the batch ``b``: on-path tests, then the carried beliefs' tests
    (``_carried_rejects``), then every unreached set, the shallowest first (:func:`_shallow_first`).
    The order in which ``pbe._offpath_rejects`` tries the sets for the profiles assessed one by one
    after (``ctx.offpath_order``, if not set yet) starts with the sets that rejected most rows here."""
    n_sets = len(ctx.game.infosets)
    last = _last_own_moves(ctx.game)
    b.test_sets(b.on_path, range(n_sets))
    carried = np.zeros_like(b.on_path)
    for k in range(n_sets):
        if last[k] is not None:
            carried[:, k] = ~b.on_path[:, k] & b.on_path[:, last[k][0]] & b.alive & ~b.fallback
    b.carried_sets(carried)
    b.test_sets(carried & b.fixed, range(n_sets))
    kills = _offpath_tests(ctx, b)
    if not ctx.offpath_order:  # the sets that rejected most rows first (a matter of time only)
        ctx.offpath_order.extend(sorted(range(n_sets), key=lambda k: -kills[k]))  # (stable)
    unknown = np.isnan(b.mus).any(axis=(1, 2))  # (a set without a belief: never on an accepted row)
    accepted = np.flatnonzero(b.alive & ~b.fallback & ~unknown)
    loose = dict(zip(accepted.tolist(), _loose_notes(ctx, b, accepted), strict=True))
    # the accepted rows' beliefs, copied once per set: row ``r``'s belief at ``k`` is ``kept[k][r]``
    kept = [mu.copy() for mu in b.mu]
    out: list[Any] = [FALLBACK if f else None for f in (b.fallback | (b.alive & unknown)).tolist()]
    for r, note in loose.items():
        out[r] = FALLBACK if note is _UNSURE else ([mu[r] for mu in kept], note)
    return out


def _offpath_tests(ctx: _Ctx, b: _Batch) -> list[int]:
    """The beliefs and tests at every unreached set, the shallowest set first (:func:`_shallow_first`):
    per set, the rows its test rejected. Under ``prior`` no belief rejects a row or leaves it to
    ``_assess`` (Nature's odds, or a carried belief), so every belief is worked out first and the
    sets tested together (:meth:`_Batch.test_sets`, in that order); under ``free`` and ``d1`` the
    beliefs of a set are worked out only for the rows the shallower sets' tests kept."""
    order = _shallow_first(ctx.game)
    if ctx.policy == "prior":
        if not _prior_beliefs(ctx, b, order):
            for k in order:
                b.belief(k, ~b.on_path[:, k])
        return b.test_sets(~b.on_path & b.known, order).tolist()
    kills = [0] * len(order)
    for k in order:
        off = ~b.on_path[:, k]
        b.belief(k, off)
        alive = int(np.count_nonzero(b.alive))
        b.test(k, off & b.known[:, k])
        kills[k] = alive - int(np.count_nonzero(b.alive))
    return kills


def _prior_beliefs(ctx: _Ctx, b: _Batch, order: list[int]) -> bool:
    """:meth:`_Batch.belief` under ``prior`` at every unreached set of the live rows, without its
    recursion, when each set comes after the mover's previous own set in ``order`` (else nothing
    is done and ``False`` returned): Nature's odds at once at the sets with no previous own move,
    then set by set in ``order`` the carried belief where the previous set has one and it gives
    the set weight, else Nature's odds."""
    last = _last_own_moves(ctx.game)
    where = {k: i for i, k in enumerate(order)}
    if any(m is not None and where[m[0]] >= where[k] for k, m in enumerate(last)):
        return False
    priors = np.zeros(b.mus.shape[1:])
    for k, h in enumerate(ctx.game.infosets):
        priors[k, :len(h.nodes)] = ctx.prior_belief(k)
    live = b.alive & ~b.fallback
    first = ~b.on_path & ~b.known & live[:, None] & np.array([m is None for m in last])
    _fill(b, first, priors)
    for k in order:
        if last[k] is None:
            continue
        todo = ~b.on_path[:, k] & ~b.known[:, k] & live
        prev = last[k][0]  # (from an on-path previous set the belief was carried before: _assess_batch)
        b.carried(k, todo & b.known[:, prev] & ~b.on_path[:, prev])
        rest = np.zeros_like(first)
        rest[:, k] = todo & ~b.known[:, k]
        _fill(b, rest, priors)
    return True


def _fill(b: _Batch, which: np.ndarray, priors: np.ndarray) -> None:
    """Nature's odds (``priors``: per set, padded as :attr:`_Batch.mus`) as the belief of the
    (row, set) pairs ``which`` marks."""
    r, k = np.nonzero(which)
    b.mus[r, k] = priors[k]
    b.known[r, k] = True


def _bits(a: np.ndarray) -> np.ndarray:
    """The floats of each row of ``a`` as 64-bit integers, ``(rows, entries)``: equal rows to the bit
    are equal rows here (``-0.0`` and ``0.0`` differ, as their bytes do)."""
    return np.ascontiguousarray(a, dtype=float).reshape(len(a), -1).view(np.int64)


def _distinct(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of the integer array ``keys`` (rows, entries), in the order first met:
    the index of the first row of each, and per row the position of its own among them."""
    raw, width = keys.tobytes(), keys.shape[1] * keys.itemsize
    index: dict[bytes, int] = {}
    first: list[int] = []
    inverse: list[int] = []
    for i in range(len(keys)):
        key = raw[i * width:(i + 1) * width]
        j = index.get(key)
        if j is None:
            j = index[key] = len(first)
            first.append(i)
        inverse.append(j)
    return np.array(first, dtype=np.intp), np.array(inverse, dtype=np.intp)


def _shallow_first(game: ExtensiveFormGame) -> list[int]:
    """The information sets by the depth of their shallowest node (ties in set order), kept in the
    ``tree_cache``: the order in which the batch works out and tests the beliefs off the path.

    Any order gives the same verdicts (a rejection records nothing, and each row's beliefs do not
    depend on the order: ``_Beliefs.belief``); this one tests first the sets whose beliefs the
    deeper sets' D1 beliefs read, so that the rows they reject are not carried further."""
    out = game.tree_cache.get("pbe_batch_shallow_first")
    if out is None:
        depth = [0] * len(game.nodes)
        for v in range(1, len(game.nodes)):  # preorder: a parent before its children
            depth[v] = depth[game.nodes[v].parent] + 1
        out = sorted(range(len(game.infosets)), key=lambda k: min(depth[v] for v in game.infosets[k].nodes))
        game.tree_cache["pbe_batch_shallow_first"] = out
    return out


def _loose_notes(ctx: _Ctx, b: _Batch, rows: np.ndarray) -> list[Any]:
    """The loose note of each accepted row of ``rows`` (``_assess``'s loop: the first unreached set,
    in set order, with an unused action that some belief (``free``), or the belief itself (a
    carried belief, or the ``prior`` policy's), makes optimal), or ``_UNSURE`` if that set's
    ties are too close to call: under ``free`` set by set for the rows without a note at the sets
    before, else every (row, set) pair at once."""
    if not len(rows):
        return []
    sets = ctx.game.infosets
    code = np.zeros((len(rows), len(sets)), dtype=np.int8)
    several = np.array([len(h.actions) > 1 for h in sets])
    if ctx.policy == "free":
        undecided = np.ones(len(rows), dtype=bool)
        for k in np.flatnonzero(several).tolist():
            todo = undecided & ~b.on_path[rows, k]
            free = todo & ~b.fixed[rows, k]
            if free.any():
                code[free, k] = _free_codes(ctx, b, k, rows[free])
            fixed = np.flatnonzero(todo & ~free)
            if len(fixed):
                code[fixed, k] = _tie_codes(ctx, b, rows[fixed], np.full(len(fixed), k))
            undecided &= code[:, k] == 0
            if not undecided.any():
                break
    else:
        i, k = np.nonzero(~b.on_path[rows] & several)
        code[i, k] = _tie_codes(ctx, b, rows[i], k)
    where = (code > 0).argmax(axis=1)
    return [None if c == 0 else _UNSURE if c == 3 else f"'{sets[k].name}' {_NOTES[c]}"
            for c, k in zip(code[np.arange(len(rows)), where].tolist(), where.tolist(), strict=True)]


#: the loose notes by their code in :func:`_tie_codes` and :func:`_free_codes` (3: too close to call)
_NOTES = {1: "(unreached; another action is optimal under some belief)",
          2: "(unreached; an unused action ties under the policy's belief)"}


def _tie_codes(ctx: _Ctx, b: _Batch, rows: np.ndarray, sets: np.ndarray) -> np.ndarray:
    """Per (row, set) pair of ``rows`` and ``sets``, whether an unused action ties under the row's
    belief at the set (code 2, else 0), or 3 if that is too close to call (the margin of
    :func:`_margin`, with the most nodes of a set), all pairs at once (:meth:`_Batch.qs`)."""
    tol = ctx.tol
    q, mu = b.qs()[rows, sets], b.mus[rows, sets]
    payoff = np.where(_padded(ctx)[3][sets], np.einsum("pn,pna->pa", mu, q), -np.inf)
    top = _by_action(np.maximum, payoff)
    scale = _by_action(np.maximum, np.einsum("pn,pna->pa", np.abs(mu), np.abs(q)))
    margin = 8.0 * (mu.shape[1] + 2) * _EPS * scale + 8.0 * _EPS * np.abs(top)
    edge = (top - tol)[:, None]
    near = _by_action(np.logical_or, np.abs(payoff - edge) <= margin[:, None])
    ties = _by_action(np.add, (payoff >= edge).astype(np.int8)) > 1
    return np.where(near, 3, np.where(ties, 2, 0)).astype(np.int8)


def _free_codes(ctx: _Ctx, b: _Batch, k: int, rows: np.ndarray) -> np.ndarray:
    """Per row of ``rows`` (unreached at set ``k``, its belief not carried, under ``free``), code 1
    if another action is a best response to some belief (``_br_actions``, once per distinct
    payoffs), else 0."""
    qf = b.q(k)[rows][:, ctx.possible(k)]
    first, inverse = _distinct(_bits(qf))
    many = np.array([len(_br_actions(qf[j], ctx.tol)) > 1 for j in first.tolist()])
    return np.where(many[inverse], 1, 0)
