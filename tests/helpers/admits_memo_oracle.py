"""The belief-support test of :mod:`deterrence.solvers._pbe_pruning` as it was at main 4dccd68
(session 8): verdicts remembered in a hash table keyed by the support codes at every set a verdict
reads, the reach array and the bounds brought up to date lazily, and the reach of the admitted
patterns in a second full pass. The oracle of ``tests/test_pbe_pruning_kernel.py`` for the kernel
that replaced it (direct verdict tables on support ranks, verdicts keyed by what they read).
Compiled here (uncached) with numba; the code is the package's, verbatim but for the imports.
"""

from __future__ import annotations

import numba
import numpy as np

from deterrence.game.extensive import DECISION, ExtensiveFormGame
from deterrence.solvers._pbe_pruning import BeliefSupportPruner, _csr, _refold, _some_node_passes


def njit(fn=None, *, inline: bool = False):
    """``numba.njit`` (uncached), with ``inline=True`` as ``inline="always"``."""
    def wrap(f):
        return numba.njit(inline="always")(f) if inline else numba.njit(f)
    return wrap(fn) if fn is not None else wrap


def memo_admits_all(pruner: BeliefSupportPruner, patterns) -> np.ndarray:
    """``pruner.admits_all(patterns)`` as the session-8 kernel gives it."""
    t, b, s = pruner._bounds.tree, pruner._bounds, pruner._sets
    ind = np.ascontiguousarray(pruner.indicators(patterns))
    codes = _support_codes(ind, s.offsets, _code_dtype(s.offsets))
    return _admits_kernel(ind, codes, b._order, t.parent, t.flat, t.chance, t.decision, b._start_lo,
                          b._start_hi, *_step_tables(pruner.game, b._order), s.ptr, s.nodes, s.possible,
                          s.kid_ptr, s.kids, s.player, s.offsets, s.above_ptr, s.above, pruner.tol)


def memo_reached(pruner: BeliefSupportPruner, ind: np.ndarray) -> np.ndarray:
    """``pruner.reached(ind)`` as the session-8 kernel gives it."""
    t, s = pruner._bounds.tree, pruner._sets
    return _reached_kernel(np.ascontiguousarray(ind), pruner._bounds._order, t.parent, t.flat, t.chance,
                           t.decision, s.ptr, s.nodes)


def _step_tables(game: ExtensiveFormGame, order: np.ndarray) -> tuple[np.ndarray, ...]:
    """What :func:`_admits_kernel` redoes when a set's support changes, from the tree alone, as
    CSR arrays (``ptr``, ``items``) per information set:

    * ``folded`` (the nodes with children, deepest level first), ``child_ptr`` / ``children``
      (each one's children in the order of ``order``, as :func:`_bounds_kernel` folds them);
    * ``fold_ptr`` / ``folds``: positions in ``folded`` of the set's nodes and their ancestors
      whose support bounds a test reads (those below a decision node: a test reads the bounds
      at its set's children, and they are folded from the nodes below);
    * ``down_ptr`` / ``down``: the strict descendants of the set's nodes, top down, whose reach
      a test reads (the decision nodes and their ancestors: a test reads the reach at its set's
      nodes); and a last entry: every such node but the root, top down;
    * ``hit_ptr`` / ``hits``: the sets whose test reads it (itself, the sets with a node below one
      of its nodes: reach and the sets above; the sets above it: their children's bounds);
    * ``dep_ptr`` / ``deps``: their inverse, the sets whose supports a set's test reads, with
      ``shifts`` (where each one's support bits start in the verdict's key) and ``keyed`` (whether
      the key fits in :data:`_KEY_BITS` bits).
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
    bounds_read, reach_read = _read_nodes(game)
    above = BeliefSupportPruner._above(game)
    folds, down, hits = [], [], []
    for h in game.infosets:
        ups: set[int] = set()
        below: set[int] = set()
        for v in h.nodes:
            u = v
            while u >= 0:
                if bounds_read[u]:
                    ups.add(position[u])
                u = parent[u]
            stack = list(game.nodes[v].children)
            while stack:
                c = stack.pop()
                below.add(c)
                stack.extend(game.nodes[c].children)
        folds.append(sorted(ups))
        down.append(sorted((c for c in below if reach_read[c]), key=top_down.__getitem__))
        hits.append(sorted({h.index, *above[h.index]}
                           | {j.index for j in game.infosets if any(v in below for v in j.nodes)}))
    down.append(sorted((c for c in top_down if reach_read[c]), key=top_down.__getitem__))
    out = (np.array(folded, dtype=np.int64), *_csr([kids[p] for p in folded]), *_csr(folds), *_csr(down),
           *_csr(hits), *_verdict_keys(game, hits))
    return out



def _read_nodes(game: ExtensiveFormGame) -> tuple[list[bool], list[bool]]:
    """Per node, whether a test of :func:`_set_passes` reads its support bounds, directly or
    through its ancestors' (it lies below a decision node), and whether it reads its reach,
    directly or through its descendants' (it is a decision node or has one below it)."""
    nodes = game.nodes
    bounds = [False] * len(nodes)
    reach = [nd.kind == DECISION for nd in nodes]
    for v in range(1, len(nodes)):  # preorder: a parent before its children
        p = nodes[v].parent
        bounds[v] = bounds[p] or nodes[p].kind == DECISION
    for v in range(len(nodes) - 1, 0, -1):  # a child after its parent in preorder
        if reach[v]:
            reach[nodes[v].parent] = True
    return bounds, reach


def _verdict_keys(game: ExtensiveFormGame, hits: list[list[int]]) -> tuple[np.ndarray, ...]:
    """``dep_ptr``, ``deps``, ``shifts`` and ``keyed`` of :func:`_step_tables`."""
    deps = [[j for j in range(len(hits)) if k in hits[j]] for k in range(len(hits))]
    widths = [len(h.actions) for h in game.infosets]
    shifts = [np.cumsum([0] + [widths[j] for j in d]).tolist() for d in deps]
    keyed = np.array([s[-1] <= _KEY_BITS for s in shifts], dtype=np.bool_)
    return (*_csr(deps), np.array([i for s in shifts for i in s[:-1]], dtype=np.int64), keyed)


#: the memo of :func:`_admits_kernel` has at most ``2 ** _MEMO_BITS`` slots (17 bytes each) and
#: remembers verdicts until it is half full
_MEMO_BITS = 20

#: the most bits a verdict's key (the supports at the sets it reads, one bit per action) may have
_KEY_BITS = 62



@njit
def _admits_kernel(ind: np.ndarray, codes: np.ndarray, order: np.ndarray, parent: np.ndarray,
                   flat: np.ndarray, chance: np.ndarray, decision: np.ndarray, start_lo: np.ndarray,
                   start_hi: np.ndarray, folded: np.ndarray, child_ptr: np.ndarray, children: np.ndarray,
                   fold_ptr: np.ndarray, folds: np.ndarray, down_ptr: np.ndarray, down: np.ndarray,
                   hit_ptr: np.ndarray, hits: np.ndarray, dep_ptr: np.ndarray, deps: np.ndarray,
                   shifts: np.ndarray, keyed: np.ndarray, ptr: np.ndarray, nodes: np.ndarray,
                   possible: np.ndarray, kid_ptr: np.ndarray, kids: np.ndarray, player: np.ndarray,
                   offsets: np.ndarray, above_ptr: np.ndarray, above: np.ndarray, tol: float) -> np.ndarray:
    """The belief-support test of every pattern (rows of ``ind``, supports also as ``codes``,
    :func:`_support_codes`): the pattern passes iff the test of :func:`_set_passes` (on the
    pattern's reach, its indicator profile top down, and its support bounds, as
    :func:`_bounds_kernel`) holds at every set.

    A set's verdict reads only the supports at the sets whose change :func:`_step_tables` says
    reaches it (``hits``; their inverse ``deps``), so each pattern keeps the verdicts of the one
    before at the sets none of whose ``deps`` changed, and a verdict computed once is remembered
    by the supports at its ``deps`` (a hash table, :func:`_memo_find`) for the later patterns
    with the same supports there. A pattern with a kept or remembered failing verdict fails
    without more work; the reach and bounds are brought up to date (:func:`_flush`) only before
    a verdict is computed: the reach below every set whose support changed since (top down,
    the same products), the bounds of its nodes and their ancestors (each refolded from its
    start value, its children in the same order: the same sums). Every number a verdict reads
    is the one a pass over the pattern alone gives, and so is every verdict."""
    n_pat, n_sets = ind.shape[0], ptr.shape[0] - 1
    ok = np.ones(n_pat, dtype=np.bool_)
    reach = np.zeros(parent.shape[0])
    reach[0] = 1.0
    lo, hi = start_lo.copy(), start_hi.copy()
    stale = np.ones(n_sets + 1, dtype=np.bool_)  # reach below the set to redo; last: all of it
    refold = np.ones(folded.shape[0], dtype=np.bool_)
    known = np.zeros(n_sets, dtype=np.bool_)
    verdict = np.zeros(n_sets, dtype=np.bool_)
    bits = 6
    while (1 << bits) < 2 * n_pat and bits < _MEMO_BITS:
        bits += 1
    memo_key, memo_set = np.empty(1 << bits, dtype=np.int64), np.empty(1 << bits, dtype=np.int64)
    memo_val = np.zeros(1 << bits, dtype=np.int8)
    room = np.array([1 << (bits - 1)])
    widest = 1
    for k in range(n_sets):
        widest = max(widest, ptr[k + 1] - ptr[k], offsets[k + 1] - offsets[k])
    mask, mu_lo, mu_hi = np.empty(widest, dtype=np.bool_), np.empty(widest), np.empty(widest)
    failing = 0  # the kept verdicts that fail
    for r in range(n_pat):
        row = ind[r]
        failing = _note_changes(r, ind, codes, offsets, fold_ptr, folds, hit_ptr, hits, stale, refold, known,
                                verdict, failing)
        if failing:
            ok[r] = False
            continue
        flushed = False
        for k in range(n_sets):
            if known[k]:
                continue
            key = _verdict_key(k, codes[r], dep_ptr, deps, shifts) if keyed[k] else -1
            found = _memo_find(memo_key, memo_set, memo_val, bits, key, k) if key >= 0 else 0
            if found:
                passes = found == 1
            else:
                if not flushed:
                    _flush(row, order, parent, flat, chance, decision, folded, child_ptr, children, down_ptr,
                           down, start_lo, start_hi, stale, refold, reach, lo, hi)
                    flushed = True
                passes = _set_passes(k, row, reach, lo, hi, ptr, nodes, possible, kid_ptr, kids, player[k],
                                     offsets, above_ptr, above, tol, mask, mu_lo, mu_hi)
                if key >= 0:
                    _memo_store(memo_key, memo_set, memo_val, bits, room, key, k, passes)
            known[k], verdict[k] = True, passes
            if not passes:
                failing += 1
                ok[r] = False
                break
    return ok


@njit(inline=True)
def _note_changes(r: int, ind: np.ndarray, codes: np.ndarray, offsets: np.ndarray, fold_ptr: np.ndarray,
                  folds: np.ndarray, hit_ptr: np.ndarray, hits: np.ndarray, stale: np.ndarray,
                  refold: np.ndarray, known: np.ndarray, verdict: np.ndarray, failing: int) -> int:
    """For each set whose support in pattern ``r`` differs from pattern ``r - 1``'s: its reach
    marked stale, its nodes' and their ancestors' bounds to refold, and the verdicts that read it
    forgotten. Returns the number of kept verdicts that fail."""
    if r == 0:
        return failing
    for k in range(codes.shape[1]):
        if offsets[k + 1] - offsets[k] <= _CODE_BITS:
            changed = codes[r, k] != codes[r - 1, k]
        else:
            changed = False
            for a in range(offsets[k], offsets[k + 1]):
                if ind[r, a] != ind[r - 1, a]:
                    changed = True
                    break
        if changed:
            stale[k] = True
            for e in range(fold_ptr[k], fold_ptr[k + 1]):
                refold[folds[e]] = True
            for e in range(hit_ptr[k], hit_ptr[k + 1]):
                j = hits[e]
                if known[j]:
                    known[j] = False
                    if not verdict[j]:
                        failing -= 1
    return failing


#: the widest set whose support :func:`_support_codes` writes as bits
_CODE_BITS = 62


def _code_dtype(offsets: np.ndarray) -> type:
    """The smallest signed integer type that holds every support code (:func:`_support_codes`)."""
    widths = [w for w in np.diff(offsets).tolist() if w <= _CODE_BITS]
    widest = max(widths, default=0)
    return next(t for t, bits in ((np.int8, 7), (np.int16, 15), (np.int32, 31), (np.int64, 63))
                if widest <= bits)


def _support_codes(ind: np.ndarray, offsets: np.ndarray, dtype: type) -> np.ndarray:
    """Per pattern (rows of ``ind``) and set, the support as an integer of type ``dtype``, bit ``a``
    for action ``a`` (0 for a set with more than :data:`_CODE_BITS` actions)."""
    out = np.zeros((ind.shape[0], offsets.shape[0] - 1), dtype=dtype)
    _fill_codes(ind, offsets, out)
    return out


@njit
def _fill_codes(ind: np.ndarray, offsets: np.ndarray, out: np.ndarray) -> None:
    """:func:`_support_codes` into ``out``."""
    for r in range(ind.shape[0]):
        for k in range(out.shape[1]):
            if offsets[k + 1] - offsets[k] <= _CODE_BITS:
                c = 0
                for a in range(offsets[k], offsets[k + 1]):
                    if ind[r, a]:
                        c |= 1 << (a - offsets[k])
                out[r, k] = c


@njit(inline=True)
def _flush(row: np.ndarray, order: np.ndarray, parent: np.ndarray, flat: np.ndarray, chance: np.ndarray,
           decision: np.ndarray, folded: np.ndarray, child_ptr: np.ndarray, children: np.ndarray,
           down_ptr: np.ndarray, down: np.ndarray, start_lo: np.ndarray, start_hi: np.ndarray,
           stale: np.ndarray, refold: np.ndarray, reach: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
    """The reach and bounds of pattern ``row`` from those of an earlier pattern: the reach below
    each ``stale`` set (all of it if the last flag is set), top down (redone below a set under
    another: the same products, the last pass over a node following its parent's), and the
    ``refold`` nodes, deepest first."""
    n_sets = stale.shape[0] - 1
    for k in range(n_sets + 1):
        if stale[k] and (k == n_sets or not stale[n_sets]):
            for e in range(down_ptr[k], down_ptr[k + 1]):
                c = down[e]
                if decision[c]:
                    reach[c] = reach[parent[c]] if row[flat[c]] else 0.0
                else:
                    reach[c] = reach[parent[c]] * chance[c]
    stale[:] = False
    for q in range(folded.shape[0]):  # deepest first
        if refold[q]:
            refold[q] = False
            _refold(folded[q], child_ptr[q], child_ptr[q + 1], children, flat, chance, decision, row,
                    start_lo, start_hi, lo, hi)


@njit(inline=True)
def _verdict_key(k: int, code: np.ndarray, dep_ptr: np.ndarray, deps: np.ndarray, shifts: np.ndarray) -> int:
    """The supports at the sets set ``k``'s verdict reads, as one integer (a bit per action)."""
    key = 0
    for e in range(dep_ptr[k], dep_ptr[k + 1]):
        key |= np.int64(code[deps[e]]) << shifts[e]
    return key


@njit(inline=True)
def _memo_slot(bits: int, key: int, k: int) -> int:
    h = key * 0x5851F42D4C957F2D + (k + 1) * 0x14057B7EF767814F
    return (h >> (63 - bits)) & ((1 << bits) - 1)


@njit(inline=True)
def _memo_find(memo_key: np.ndarray, memo_set: np.ndarray, memo_val: np.ndarray, bits: int, key: int,
               k: int) -> int:
    """Set ``k``'s remembered verdict for ``key``: 1 passes, 2 fails, 0 not remembered."""
    mask = (1 << bits) - 1
    i = _memo_slot(bits, key, k)
    while memo_val[i]:
        if memo_key[i] == key and memo_set[i] == k:
            return memo_val[i]
        i = (i + 1) & mask
    return 0


@njit(inline=True)
def _memo_store(memo_key: np.ndarray, memo_set: np.ndarray, memo_val: np.ndarray, bits: int, room: np.ndarray,
                key: int, k: int, passes: bool) -> None:
    """Remember set ``k``'s verdict for ``key`` while the table is at most half full."""
    if room[0] <= 0:
        return
    room[0] -= 1
    mask = (1 << bits) - 1
    i = _memo_slot(bits, key, k)
    while memo_val[i]:
        i = (i + 1) & mask
    memo_key[i], memo_set[i], memo_val[i] = key, k, 1 if passes else 2



@njit
def _reached_kernel(ind: np.ndarray, order: np.ndarray, parent: np.ndarray, flat: np.ndarray,
                    chance: np.ndarray, decision: np.ndarray, ptr: np.ndarray, nodes: np.ndarray
                    ) -> np.ndarray:
    """Per pattern (rows of ``ind``), the information sets its reach (top down, as in
    :func:`_admits_kernel`) is positive at."""
    n_pat, n, n_sets = ind.shape[0], parent.shape[0], ptr.shape[0] - 1
    out = np.zeros((n_pat, n_sets), dtype=np.bool_)
    reach = np.empty(n)
    for r in range(n_pat):
        row = ind[r]
        reach[0] = 1.0
        for j in range(order.shape[0] - 1, -1, -1):
            c = order[j]
            if decision[c]:
                reach[c] = reach[parent[c]] if row[flat[c]] else 0.0
            else:
                reach[c] = reach[parent[c]] * chance[c]
        for k in range(n_sets):
            for i in range(ptr[k], ptr[k + 1]):
                if reach[nodes[i]] > 0:
                    out[r, k] = True
                    break
    return out


@njit(inline=True)
def _set_passes(k: int, row: np.ndarray, reach: np.ndarray, lo: np.ndarray, hi: np.ndarray, ptr: np.ndarray,
                nodes: np.ndarray, possible: np.ndarray, kid_ptr: np.ndarray, kids: np.ndarray, p: int,
                offsets: np.ndarray, above_ptr: np.ndarray, above: np.ndarray, tol: float,
                buf_mask: np.ndarray, buf_lo: np.ndarray, buf_hi: np.ndarray) -> bool:
    """The test at set ``k`` (true if the pattern does not reach it): every support action is, at
    some reached node, at least as good as each other action under the bounds; when every move
    above is pure, under Nature's odds on the reached nodes (module documentation). ``buf_*``:
    scratch arrays at least as long as the set's nodes and actions."""
    m = ptr[k + 1] - ptr[k]
    acts = offsets[k + 1] - offsets[k]
    mask = buf_mask
    total = 0.0
    any_reached = False
    for i in range(m):
        v = nodes[ptr[k] + i]
        mask[i] = reach[v] > 0 and possible[ptr[k] + i]
        if mask[i]:
            any_reached = True
    if not any_reached:
        return True
    exact = True
    for e in range(above_ptr[k], above_ptr[k + 1]):
        j = above[e]
        count = 0
        for a in range(offsets[j], offsets[j + 1]):
            count += row[a]
        if count != 1:
            exact = False
            break
    base = kid_ptr[k]
    if exact:  # the belief is Nature's odds on the reached nodes
        for i in range(m):
            if mask[i]:
                total += reach[nodes[ptr[k] + i]]
        mu_lo, mu_hi = buf_lo, buf_hi
        for a in range(acts):
            mu_lo[a] = mu_hi[a] = 0.0
        for i in range(m):
            if mask[i]:
                mu = reach[nodes[ptr[k] + i]] / total
                for a in range(acts):
                    mu_lo[a] += mu * lo[kids[base + i * acts + a], p]
                    mu_hi[a] += mu * hi[kids[base + i * acts + a], p]
        for a in range(acts):
            if row[offsets[k] + a]:
                for b in range(acts):
                    if b != a and not mu_hi[a] >= mu_lo[b] - tol:
                        return False
        return True
    return _some_node_passes(row, offsets[k], acts, mask, m, lo, hi, kids, base, p, tol)


