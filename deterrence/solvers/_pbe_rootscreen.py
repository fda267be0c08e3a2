"""The mixed profiles a PBE solve finds, screened together before each is assessed
(:func:`onpath_verdicts`).

The support patterns' indifference systems give the solver profiles (their roots inside the
simplices) that :func:`deterrence.solvers.pbe._assess` then checks one by one; most of them (on
``asymmetric_escalation``, five in six) fail its first test, sequential rationality at every set
the profile reaches, under Bayes' rule. That test reads only the profile's reach probabilities and
node values, so it is run here for all the profiles of a solve at once: their numbers in one
compiled pass (:meth:`~deterrence.solvers._tree_utils.BatchTree.evaluate`, the numbers ``_Beliefs``
works out from the game's methods, to the bit, on a tree that is not deep: see below), each set's
reach sum as ``_Beliefs`` takes it (numpy's sum along the last axis of a row of the set's nodes,
so the same sets count as reached), and the tests in one compiled loop (:func:`_onpath_gaps`).

A test is decided here only with a margin: the gain ``payoff.max() - payoff @ beh[k]`` with
``payoff = mu @ q`` exceeds the tolerance, or stays below it, by more than :func:`_onpath_gaps`'s
bound on how far two float evaluations of it can differ (any order of the additions, fused or
not). A profile that fails one so is :data:`FAILS`: ``_assess`` rejects it too, at that set if
not before, and a rejection records nothing, so leaving it out changes nothing. A profile that
passes every one so is :data:`HOLDS`: ``_assess``'s first loop would find every test passed, and
it may skip that loop (its other tests and the beliefs are worked out as before). Any other
profile is :data:`UNDECIDED`, assessed as before. On a deep tree
(:attr:`ExtensiveFormGame._deep`, where ``node_values`` folds the children in another order than
the batch) nothing is decided.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._jit import njit
from ..game._vectors import stacked
from ._pbe_context import _REACH, _Ctx

#: the verdicts of :func:`onpath_verdicts` (see the module docstring)
UNDECIDED, FAILS, HOLDS = 0, 1, 2


def onpath_verdicts(ctx: _Ctx, behs: Sequence[Sequence[np.ndarray]]) -> list[int]:
    """Per profile (one float vector per information set, in the game's order, as the solver makes
    them), whether :func:`~deterrence.solvers.pbe._assess`'s tests at the sets it reaches all pass
    (:data:`HOLDS`) or one fails (:data:`FAILS`), decided with a margin for rounding (see the
    module docstring); :data:`UNDECIDED` otherwise (also for every profile of a deep tree, or
    profiles that are not float vectors of the sets' sizes)."""
    game = ctx.game
    flat = None if game._deep else stacked(behs, game._action_counts)
    if flat is None:
        return [UNDECIDED] * len(behs)
    reach, _, values = ctx.batch.evaluate(flat)
    sums = np.empty((len(behs), len(game.infosets)))
    for members, nodes in ctx.set_groups:  # each set's reach sum, as ``_Beliefs`` takes it
        r = reach[:, nodes]
        sums[:, members] = r.reshape(-1, nodes.shape[1]).sum(axis=1).reshape(r.shape[:2])
    node_ptr, set_nodes, kid_ptr, kids, players = _layout(ctx)
    return _onpath_gaps(reach, values, flat, sums, node_ptr, set_nodes, kid_ptr, kids, players,
                        np.asarray(game._action_offset, dtype=np.int64), ctx.tol, _REACH).tolist()


def _layout(ctx: _Ctx) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The sets' nodes and child tables as flat arrays (kept in the tree's cache): per set its first
    node's position in ``set_nodes`` (and one past the last set), the nodes; its first entry in
    ``kids``, the entries (the set's child table, nodes x actions, row by row); its mover."""
    key = "pbe_rootscreen_layout"
    out = ctx.game.tree_cache.get(key)
    if out is None:
        sizes = [len(nodes) for nodes in ctx.set_nodes]
        node_ptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        set_nodes = np.concatenate(ctx.set_nodes).astype(np.int64)
        kid_ptr = np.concatenate([[0], np.cumsum([t.size for t in ctx.kids])]).astype(np.int64)
        kids = np.concatenate([np.asarray(t, dtype=np.int64).reshape(-1) for t in ctx.kids])
        players = np.array([h.player for h in ctx.game.infosets], dtype=np.int64)
        out = ctx.game.tree_cache[key] = (node_ptr, set_nodes, kid_ptr, kids, players)
    return out


@njit
def _onpath_gaps(reach: np.ndarray, values: np.ndarray, flat: np.ndarray, sums: np.ndarray,
                 node_ptr: np.ndarray, set_nodes: np.ndarray, kid_ptr: np.ndarray, kids: np.ndarray,
                 players: np.ndarray, offsets: np.ndarray, tol: float, unreached: float) -> np.ndarray:
    """Per profile, its verdict (:data:`FAILS`, :data:`HOLDS` or :data:`UNDECIDED`) from the
    tests at the sets it reaches (reach sum ``> unreached``, as ``_Beliefs`` decides): the mover's
    gain ``g = max(payoff) - payoff @ b`` (``payoff = mu @ q``, ``mu`` the Bayes belief ``reach /
    sum``, ``b`` the move) fails when ``g > tol + m`` and passes when ``g < tol - m``: ``m`` bounds
    how far two float evaluations of ``g`` can differ. Each ``payoff[a]`` is within ``n eps S`` of
    the exact value (``n`` nodes, ``S`` the largest ``sum_i |mu_i q_ia|``), ``payoff @ b`` within
    ``A eps M B`` of the exact product of the rounded payoffs (``A`` actions, ``M`` the largest
    ``|payoff[a]|``, ``B = sum |b|``) and the difference within ``eps |g|``; ``m = 8 (n + A + 2)
    eps (S + M)(1 + B) + 8 eps |g|`` covers twice all of them (and ``(n + A + 2)(1 + B) 1e-300``
    the absolute error of a result below the normal range). A set with a payoff that is NaN is not
    decided (numpy's ``max`` is NaN there, and the test passes), nor one within the margin."""
    eps = 2.220446049250313e-16
    n_prof, n_sets = sums.shape
    out = np.full(n_prof, HOLDS, dtype=np.int64)
    for p in range(n_prof):
        for k in range(n_sets):
            s = sums[p, k]
            if not s > unreached:
                continue
            lo, n = node_ptr[k], node_ptr[k + 1] - node_ptr[k]
            m, pl = offsets[k + 1] - offsets[k], players[k]
            best, big, scale, dot, total = -np.inf, 0.0, 0.0, 0.0, 0.0
            bad = False
            for a in range(m):
                pay, size = 0.0, 0.0
                for i in range(n):
                    term = (reach[p, set_nodes[lo + i]] / s) * values[p, kids[kid_ptr[k] + i * m + a], pl]
                    pay += term
                    size += abs(term)
                if pay != pay:
                    bad = True
                    break
                best = max(best, pay)
                big = max(big, abs(pay))
                scale = max(scale, size)
                b = flat[p, offsets[k] + a]
                dot += pay * b
                total += abs(b)
            gap = best - dot
            margin = ((n + m + 2) * (8.0 * eps * (scale + big) + 1e-300) * (1.0 + total)
                      + 8.0 * eps * abs(gap))
            if not bad and gap > tol + margin:
                out[p] = FAILS
                break
            if bad or not gap < tol - margin:
                out[p] = UNDECIDED  # (a later set may still reject it)
    return out
