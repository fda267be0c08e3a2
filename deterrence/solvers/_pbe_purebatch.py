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

A rejection records nothing, so the order in which a row's tests are taken is not seen (the
unreached sets are tested the shallowest first, so that the rows their D1 beliefs reject are not
carried to the deeper sets); the loose note of an accepted row is the first set, in set order,
that gives one, as in ``_assess``.
``tests/test_pbe_purebatch.py`` compares the verdicts with ``_assess`` on recorded AEG points
and random trees.
"""

from __future__ import annotations

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
    scale = np.einsum("rn,rna->ra", np.abs(mu), np.abs(q)).max(axis=1)
    return 8.0 * (n + 2) * _EPS * scale


def _gaps(mu: np.ndarray, q: np.ndarray, act: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, ``payoff.max() - payoff[act]`` with ``payoff = mu @ q`` and its :func:`_margin`."""
    payoff = np.einsum("rn,rna->ra", mu, q)
    d = payoff.max(axis=1) - payoff[np.arange(len(act)), act]
    return d, _margin(mu, q) + 8.0 * _EPS * np.abs(d)


class _Batch:
    """The beliefs of every row at every set, worked out set by set (see the module docstring)."""

    def __init__(self, ctx: _Ctx, rows: np.ndarray) -> None:
        table, game = ctx.table, ctx.game
        self.ctx, self.rows = ctx, rows
        self.reach, self.edge, self.values = table.reach[rows], table.edge[rows], table.values[rows]
        n_sets = len(game.infosets)
        pos = table.positions[rows]
        self.act = np.zeros((len(rows), n_sets), dtype=np.intp)  # per row and set, the action played
        for k in range(n_sets):
            self.act[:, k] = np.asarray(table.allowed[k], dtype=np.intp)[pos[:, k]]
        self.alive = np.ones(len(rows), dtype=bool)
        self.fallback = ~(np.isfinite(self.values).all(axis=(1, 2)) & np.isfinite(self.reach).all(axis=1)
                          & np.isfinite(self.edge).all(axis=1))
        self.mu: list[np.ndarray | None] = [None] * n_sets  # (rows, nodes); NaN rows: no belief
        self.on_path = np.zeros((len(rows), n_sets), dtype=bool)
        self.fixed = np.zeros((len(rows), n_sets), dtype=bool)
        self.known = np.zeros((len(rows), n_sets), dtype=bool)  # belief worked out (on path or resolved)
        self._busy: set[int] = set()
        self._q: dict[int, np.ndarray] = {}
        for members, nodes in ctx.set_groups:
            r = self.reach[:, nodes]  # (rows, sets, nodes), as ``_Beliefs`` reads one row's
            s = r.reshape(-1, nodes.shape[1]).sum(axis=1).reshape(r.shape[:2])
            with np.errstate(divide="ignore", invalid="ignore"):
                mu = r / s[:, :, None]
            for j, k in enumerate(members):
                on = s[:, j] > _REACH
                self.on_path[:, k] = on
                self.known[:, k] = on
                self.mu[k] = np.where(on[:, None], mu[:, j], np.nan)

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
        low = payoff.min(axis=1)
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
            found: dict[tuple[bytes, int], np.ndarray | None] = {}
            for j in np.flatnonzero(rest).tolist():
                key = (q[j].tobytes(), int(act[j]))
                if key not in found:
                    sigma = np.zeros(q.shape[2])
                    sigma[act[j]] = 1.0
                    found[key] = _supporting_belief(q[j], sigma, mu0, tol)
                self._found(k, int(idx[j]), mask, found[key])

    def _found(self, k: int, r: int, mask: np.ndarray, mu: np.ndarray | None) -> None:
        """Keep the supporting belief ``mu`` (over the nodes of ``mask``) at set ``k`` for row ``r``;
        the row dies if there is none."""
        if mu is None:
            self.alive[r] = False
            return
        full = np.zeros(len(mask))
        full[mask] = mu
        self.mu[k][r] = full
        self.known[r, k] = True

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
        low = np.einsum("rn,rna->ra", mu, gap).min(axis=1)
        margin = _margin(mu, gap) + 8.0 * _EPS * np.abs(low)
        unsure = bad | retry | (~dead & (low >= -tol - margin) & (low < -tol + margin))
        self.fallback[idx[unsure]] = True
        self.alive[idx[~unsure & (dead | (low < -tol))]] = False
        ok = ~unsure & ~dead & (low >= -tol)
        full = np.zeros((int(ok.sum()), len(mask)))
        full[:, mask] = mu[ok]
        self.mu[k][idx[ok]] = full
        self.known[idx[ok], k] = True


_UNSURE = object()


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
    for k in range(n_sets):
        b.test(k, b.on_path[:, k])
    for k in range(n_sets):
        if last[k] is not None:
            off = ~b.on_path[:, k] & b.on_path[:, last[k][0]] & b.alive & ~b.fallback
            b.carried(k, off)
            b.test(k, off & b.fixed[:, k])
    kills = [0] * n_sets  # per set, the rows its off-path test rejected
    for k in _shallow_first(ctx.game):
        off = ~b.on_path[:, k]
        b.belief(k, off)
        alive = int(np.count_nonzero(b.alive))
        b.test(k, off & b.known[:, k])
        kills[k] = alive - int(np.count_nonzero(b.alive))
    if not ctx.offpath_order:  # the sets that rejected most rows first (a matter of time only)
        ctx.offpath_order.extend(sorted(range(n_sets), key=lambda k: -kills[k]))
    unknown = np.zeros(len(b.rows), dtype=bool)  # (a set without a belief: never on an accepted row)
    for mu in b.mu:
        unknown |= np.isnan(mu).any(axis=1)
    out: list[Any] = []
    # the accepted rows' beliefs, copied once per set: row ``r``'s belief at ``k`` is ``kept[k][r]``
    kept = [mu.copy() for mu in b.mu]
    for r in range(len(b.rows)):
        if b.fallback[r] or (b.alive[r] and unknown[r]):
            out.append(FALLBACK)
        elif not b.alive[r]:
            out.append(None)
        else:
            loose = _loose(ctx, b, r)
            if loose is _UNSURE:
                out.append(FALLBACK)
            else:
                out.append(([mu[r] for mu in kept], loose))
    return out


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


def _loose(ctx: _Ctx, b: _Batch, r: int) -> Any:
    """The loose note of accepted row ``r`` (``_assess``'s loop: the first unreached set with an
    unused action that some belief (``free``), or the belief itself (a carried belief, or the
    ``prior`` policy's), makes optimal)."""
    tol = ctx.tol
    for k, h in enumerate(ctx.game.infosets):
        if b.on_path[r, k] or len(h.actions) <= 1:
            continue
        q = b.q(k)[r]
        if not b.fixed[r, k] and ctx.policy == "free":
            if len(_br_actions(q[ctx.possible(k)], tol)) > 1:
                return f"'{h.name}' (unreached; another action is optimal under some belief)"
            continue
        payoff = np.einsum("n,na->a", b.mu[k][r], q)
        top = payoff.max()
        margin = float(_margin(b.mu[k][r][None, :], q[None])[0]) + 8.0 * _EPS * abs(top)
        near = np.abs(payoff - (top - tol)) <= margin
        if near.any():
            return _UNSURE
        if int(np.sum(payoff >= top - tol)) > 1:
            return f"'{h.name}' (unreached; an unused action ties under the policy's belief)"
    return None

