"""The belief-support test of :mod:`deterrence.solvers._pbe_pruning` as it was before its verdicts
were remembered by the supports they read and its reach and bounds brought up to date lazily
(commit 0284c1f): the oracle of ``tests/test_pbe_pruning_kernel.py``.

Each pattern redoes, from the one before, the reach below every set whose support changed, the
bounds of those sets' nodes and all their ancestors, and the test at every set reading either,
in set order until one fails. Compiled here (uncached) with numba.
"""

from __future__ import annotations

import numba
import numpy as np

from deterrence.game.extensive import ExtensiveFormGame
from deterrence.solvers._pbe_pruning import BeliefSupportPruner, _refold

from .admits_memo_oracle import _set_passes  # (the test as it was: on the reach array)


def old_admits_all(pruner: BeliefSupportPruner, patterns) -> np.ndarray:
    """``pruner.admits_all(patterns)`` as the old kernel gives it."""
    t, b, s = pruner._bounds.tree, pruner._bounds, pruner._sets
    return _admits_kernel(pruner.indicators(patterns), b._order, t.parent, t.flat, t.chance, t.decision,
                          b._start_lo, b._start_hi, *_step_tables(pruner.game, b._order), s.ptr, s.nodes,
                          s.possible, s.kid_ptr, s.kids, s.player, s.offsets, s.above_ptr, s.above,
                          pruner.tol)


def _step_tables(game: ExtensiveFormGame, order: np.ndarray) -> tuple[np.ndarray, ...]:
    """What :func:`_admits_kernel` redoes when a set's support changes, from the tree alone (kept
    in its ``tree_cache``), as CSR arrays (``ptr``, ``items``) per information set:

    * ``folded`` (the nodes with children, deepest level first), ``child_ptr`` / ``children``
      (each one's children in the order of ``order``, as :func:`_bounds_kernel` folds them);
    * ``fold_ptr`` / ``folds``: positions in ``folded`` of the set's nodes and their ancestors,
      the nodes whose support bounds read the set's support;
    * ``down_ptr`` / ``down``: the strict descendants of the set's nodes, top down, the nodes
      whose reach reads it (and a last entry: every node but the root, top down);
    * ``hit_ptr`` / ``hits``: the sets whose test reads it (itself, the sets with a node below one
      of its nodes: reach and the sets above; the sets above it: their children's bounds).
    """
    parent = [nd.parent for nd in game.nodes]
    folded: list[int] = []
    kids: dict[int, list[int]] = {}
    for c in order.tolist():
        p = parent[c]
        if p not in kids:
            kids[p] = []
            folded.append(p)
        kids[p].append(c)
    position = {p: q for q, p in enumerate(folded)}
    top_down = {v: i for i, v in enumerate(reversed(order.tolist()))}
    above = BeliefSupportPruner._above(game)
    folds, down, hits = [], [], []
    for h in game.infosets:
        ups: set[int] = set()
        below: set[int] = set()
        for v in h.nodes:
            u = v
            while u >= 0:
                ups.add(position[u])
                u = parent[u]
            stack = list(game.nodes[v].children)
            while stack:
                c = stack.pop()
                below.add(c)
                stack.extend(game.nodes[c].children)
        folds.append(sorted(ups))
        down.append(sorted(below, key=top_down.__getitem__))
        hits.append(sorted({h.index, *above[h.index]}
                           | {j.index for j in game.infosets if any(v in below for v in j.nodes)}))

    def csr(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        return (np.cumsum([0] + [len(x) for x in lists]).astype(np.int64),
                np.array([i for x in lists for i in x], dtype=np.int64))

    down.append(sorted(top_down, key=top_down.__getitem__))  # a last entry: every node but the root
    out = (np.array(folded, dtype=np.int64), *csr([kids[p] for p in folded]), *csr(folds), *csr(down),
           *csr(hits))
    return out



@numba.njit
def _admits_kernel(ind: np.ndarray, order: np.ndarray, parent: np.ndarray, flat: np.ndarray,
                   chance: np.ndarray, decision: np.ndarray, start_lo: np.ndarray, start_hi: np.ndarray,
                   folded: np.ndarray, child_ptr: np.ndarray, children: np.ndarray, fold_ptr: np.ndarray,
                   folds: np.ndarray, down_ptr: np.ndarray, down: np.ndarray, hit_ptr: np.ndarray,
                   hits: np.ndarray, ptr: np.ndarray, nodes: np.ndarray, possible: np.ndarray,
                   kid_ptr: np.ndarray, kids: np.ndarray, player: np.ndarray, offsets: np.ndarray,
                   above_ptr: np.ndarray, above: np.ndarray, tol: float) -> np.ndarray:
    """The belief-support test of every pattern (rows of ``ind``): the pattern's reach (its
    indicator profile, top down), its support bounds (as :func:`_bounds_kernel`), then the test of
    :func:`_set_passes` at every set with a reached node that Nature can reach.

    Consecutive patterns of a list differ at a few sets, so each pattern starts from the one
    before and redoes only what reads a set whose support changed (:func:`_step_tables`): the
    reach below its nodes (top down, the same products), the bounds of its nodes and their
    ancestors (each refolded from its start value, its children in the same order: the same
    sums), and the test at the sets that read either. Every number is the one a pass over the
    pattern alone gives, and so is every verdict."""
    n_pat, n_sets, n_folded = ind.shape[0], ptr.shape[0] - 1, folded.shape[0]
    ok = np.ones(n_pat, dtype=np.bool_)
    reach = np.zeros(parent.shape[0])
    reach[0] = 1.0
    lo, hi = start_lo.copy(), start_hi.copy()
    changed = np.ones(n_sets, dtype=np.bool_)
    refold = np.ones(n_folded, dtype=np.bool_)
    known = np.zeros(n_sets, dtype=np.bool_)
    verdict = np.zeros(n_sets, dtype=np.bool_)
    widest = 1
    for k in range(n_sets):
        widest = max(widest, ptr[k + 1] - ptr[k], offsets[k + 1] - offsets[k])
    mask, mu_lo, mu_hi = np.empty(widest, dtype=np.bool_), np.empty(widest), np.empty(widest)
    for r in range(n_pat):
        row = ind[r]
        for k in range(n_sets):
            changed[k] = r == 0
            if r > 0:
                for a in range(offsets[k], offsets[k + 1]):
                    if row[a] != ind[r - 1, a]:
                        changed[k] = True
                        break
            if changed[k]:
                for e in range(fold_ptr[k], fold_ptr[k + 1]):
                    refold[folds[e]] = True
                for e in range(hit_ptr[k], hit_ptr[k + 1]):
                    known[hits[e]] = False
        for k in range(n_sets + 1):  # the reach below the changed sets (all of it at first), top down
            if (k < n_sets and changed[k] and r > 0) or (k == n_sets and r == 0):
                for e in range(down_ptr[k], down_ptr[k + 1]):  # (redone for a set below another: the same)
                    c = down[e]
                    if decision[c]:
                        reach[c] = reach[parent[c]] if row[flat[c]] else 0.0
                    else:
                        reach[c] = reach[parent[c]] * chance[c]
        for q in range(n_folded):  # deepest first
            if refold[q]:
                refold[q] = False
                _refold(folded[q], child_ptr[q], child_ptr[q + 1], children, flat, chance, decision, row,
                        start_lo, start_hi, lo, hi)
        for k in range(n_sets):
            if not known[k]:
                verdict[k] = _set_passes(k, row, reach, lo, hi, ptr, nodes, possible, kid_ptr, kids,
                                         player[k], offsets, above_ptr, above, tol, mask, mu_lo, mu_hi)
                known[k] = True
            if not verdict[k]:
                ok[r] = False
                break
    return ok

