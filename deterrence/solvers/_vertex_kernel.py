"""Compiled core of vertex enumeration: the vertices of a best-response polytope, and matching.

A polytope ``{z >= 0 : M z <= 1}`` (``M`` positive, ``k x d``) is written with slacks
``w = 1 - M z >= 0``; its variables are ``z_0 .. z_{d-1}`` (ids ``0..d-1``) and
``w_0 .. w_{k-1}`` (ids ``d..d+k-1``), each carrying a *label* (:data:`labels`). A basis is a
set of ``k`` basic variables; the ``d`` nonbasic ones are zero. The dictionary of a basis is

``basic = beta - T @ nonbasic``  (``T`` is ``k x d``).

:func:`polytope_vertices` enumerates the bases of the lexicographically perturbed polytope
(right-hand side ``1 + (eps, eps**2, ...)``), which is simple, so its graph is connected and
each of its vertices has exactly one basis; every vertex of the original polytope is the limit
of at least one of them (Balinski; the lexicographic rule of Dantzig, Orden and Wolfe). The
search is breadth-first from the origin, through a queue of bases; each new basis gets its
dictionary from its parent's by one pivot, and visited bases are kept in a hash set keyed by
the bitmask of their nonbasic variables. A vertex is recorded with all its tight labels
(nonbasic variables and basic ones at zero), so the several bases of a degenerate vertex
merge into one vertex.

:func:`match_pairs` returns the completely labelled pairs of vertices of the two polytopes
(every label tight in one or the other): by hashing the complementary label set for pairs of
simple vertices, and by testing every pair that involves a degenerate vertex.

Bitmasks are arrays of ``int64`` words of :data:`BITS` bits each, so any number of labels
works. Every function here is compiled by numba when it is installed
(:mod:`deterrence._jit`) and runs as plain Python otherwise.
"""

from __future__ import annotations

import numpy as np

from .._jit import njit
from ._bimatrix import scaled_positive

BITS = 62  # bits of a label mask per int64 word (nonnegative words)
_PRIME = 2147483647  # hash modulus (2**31 - 1): products stay below 2**63
TIE = 1e-9  # a row ties the ratio test's winner if its basic variable ends within this of zero
TIGHT = 1e-9  # a basic variable this small counts as zero (payoffs are scaled to [1, 2])
PIVOT = 1e-11  # smallest coefficient that blocks an edge

# error codes of polytope_vertices
OK = 0
UNBOUNDED = 1


@njit
def words_for(n_bits: int) -> int:
    """Number of mask words for ``n_bits`` bits."""
    return (n_bits + BITS - 1) // BITS


@njit(inline=True)
def _hash(keys: np.ndarray, row: int) -> int:
    h = 0
    for w in range(keys.shape[1]):
        h = ((h + keys[row, w] % _PRIME) * 48271) % _PRIME  # multiplicative hashing modulo a prime
        h = (h * 69621) % _PRIME
    return h


@njit(inline=True)
def _find(table: np.ndarray, keys: np.ndarray, row: int) -> int:
    """Slot of key ``keys[row]`` in an open-addressing table (``table[s, 0] == -1``: empty)."""
    mask = table.shape[0] - 1
    s = _hash(keys, row) & mask
    n_words = keys.shape[1]
    while table[s, 0] != -1:
        same = True
        for w in range(n_words):
            if table[s, w] != keys[row, w]:
                same = False
                break
        if same:
            return s
        s = (s + 1) & mask
    return s


@njit
def _rehashed(table: np.ndarray) -> np.ndarray:
    """The table with twice the capacity, every key moved."""
    new = np.full((2 * table.shape[0], table.shape[1]), -1, dtype=np.int64)
    for t in range(table.shape[0]):
        if table[t, 0] != -1:
            _copy_row(table, t, new, _find(new, table, t))
    return new


@njit
def _grow(arr: np.ndarray, need: int) -> np.ndarray:
    """``arr`` (first axis) with room for ``need`` rows (doubling), contents kept."""
    if need <= arr.shape[0]:
        return arr
    cap = max(need, 2 * arr.shape[0])
    out = np.empty((cap,) + arr.shape[1:], dtype=arr.dtype)  # noqa: RUF005 (numba: no unpacking)
    _copy_flat(arr, out)
    return out


@njit
def _copy_flat(src: np.ndarray, dst: np.ndarray) -> None:
    """The elements of ``src`` into the first elements of ``dst`` (both C-contiguous), one by one:
    array assignment would make numba compile its whole broadcasting and error-message machinery."""
    flat_src, flat_dst = src.ravel(), dst.ravel()
    for i in range(flat_src.shape[0]):
        flat_dst[i] = flat_src[i]


@njit
def _binv(T: np.ndarray, f: int, where: np.ndarray, d: int, i: int, j: int) -> float:
    """Entry ``(i, j)`` of basis ``f``'s inverse: the dictionary column of the slack ``w_j``."""
    pos = where[d + j]
    if pos < 0:  # nonbasic, in column -pos - 1
        return T[f, i, -pos - 1]
    return 1.0 if pos == i else 0.0


@njit
def _lex_row(T: np.ndarray, beta: np.ndarray, f: int, where: np.ndarray, d: int, c: int, low: float
             ) -> int:
    """Among the rows tied at ratio ``low`` for column ``c``, the lexicographic winner."""
    k = T.shape[1]
    tied = np.empty(k, dtype=np.int64)
    n_tied = 0
    for i in range(k):
        if T[f, i, c] > PIVOT and max(beta[f, i], 0.0) - low * T[f, i, c] <= TIE:
            tied[n_tied] = i
            n_tied += 1
    for j in range(k):  # the columns of the basis inverse, one by one
        lo = np.inf
        for t in range(n_tied):
            lo = min(lo, _binv(T, f, where, d, tied[t], j) / T[f, tied[t], c])
        kept = 0
        for t in range(n_tied):
            if _binv(T, f, where, d, tied[t], j) / T[f, tied[t], c] <= lo + TIE * (1.0 + abs(lo)):
                tied[kept] = tied[t]
                kept += 1
        n_tied = kept
        if n_tied == 1:
            break
    return tied[0]


@njit(inline=True)
def _pivot(T: np.ndarray, beta: np.ndarray, f: int, r: int, c: int, T2: np.ndarray, beta2: np.ndarray,
           g: int) -> None:
    """Dictionary ``g`` of ``(T2, beta2)``: dictionary ``f`` after column ``c`` enters at row ``r``."""
    k, d = T.shape[1], T.shape[2]
    piv = T[f, r, c]
    b_r = beta[f, r] / piv
    for cc in range(d):
        T2[g, r, cc] = T[f, r, cc] / piv
    T2[g, r, c] = 1.0 / piv
    beta2[g, r] = b_r
    for i in range(k):
        if i != r:
            fac = T[f, i, c]
            beta2[g, i] = beta[f, i] - fac * b_r
            for cc in range(d):
                T2[g, i, cc] = T[f, i, cc] - fac * T2[g, r, cc]
            T2[g, i, c] = -fac * T2[g, r, c]


@njit(inline=True)
def _copy_row(src: np.ndarray, i: int, dst: np.ndarray, j: int) -> None:
    """``dst[j] = src[i]``, element by element (no row views, so no reference counting)."""
    for w in range(src.shape[1]):
        dst[j, w] = src[i, w]


@njit(inline=True)
def _set_bit(mask: np.ndarray, row: int, bit: int) -> None:
    mask[row, bit // BITS] |= np.int64(1) << np.int64(bit % BITS)


@njit(inline=True)
def _record(beta: np.ndarray, basic: np.ndarray, non: np.ndarray, g: int, labels: np.ndarray,
            vmask: np.ndarray, vz: np.ndarray, nv: int) -> bool:
    """Write the vertex of basis ``g`` (tight labels, coordinates) into row ``nv``; True if degenerate."""
    d = non.shape[1]
    for w in range(vmask.shape[1]):
        vmask[nv, w] = 0
    for cc in range(d):
        vz[nv, cc] = 0.0
    degenerate = False
    for c in range(d):
        _set_bit(vmask, nv, labels[non[g, c]])
    for i in range(basic.shape[1]):
        v = basic[g, i]
        if beta[g, i] <= TIGHT:
            _set_bit(vmask, nv, labels[v])
            degenerate = True
        if v < d:
            vz[nv, v] = max(beta[g, i], 0.0)
    return degenerate


@njit(inline=True)
def _child_key(basic: np.ndarray, non: np.ndarray, key: np.ndarray, f: int, r: int, c: int,
               key2: np.ndarray, g: int) -> None:
    """Key ``g`` of ``key2``: basis ``f``'s key with column ``c``'s variable out and row ``r``'s in."""
    enter, leave = non[f, c], basic[f, r]
    for w in range(key.shape[1]):  # element by element: a row view would cost reference counts
        key2[g, w] = key[f, w]
    key2[g, enter // BITS] ^= np.int64(1) << np.int64(enter % BITS)
    key2[g, leave // BITS] |= np.int64(1) << np.int64(leave % BITS)


@njit(inline=True)
def _child(basic: np.ndarray, non: np.ndarray, f: int, r: int, c: int, basic2: np.ndarray,
           non2: np.ndarray, g: int) -> None:
    """Basis ``g``: basis ``f`` with the nonbasic variable of column ``c`` and the basic one of row
    ``r`` exchanged."""
    for i in range(basic.shape[1]):
        basic2[g, i] = basic[f, i]
    for cc in range(non.shape[1]):
        non2[g, cc] = non[f, cc]
    basic2[g, r] = non[f, c]
    non2[g, c] = basic[f, r]


@njit
def _queue(cap: int, k: int, d: int, n_words: int):
    """Arrays of a queue of ``cap`` bases: dictionaries, right-hand sides, basic and nonbasic
    variables, keys."""
    return (np.empty((cap, k, d)), np.empty((cap, k)), np.empty((cap, k), dtype=np.int64),
            np.empty((cap, d), dtype=np.int64), np.empty((cap, n_words), dtype=np.int64))


@njit
def _requeued(queue, state: np.ndarray):
    """The queue's waiting bases (from the head on) moved to its front: in place if that frees half
    of it (so each basis is moved at most once per basis added, on average), else into arrays twice
    as large; the head is then 0."""
    head, tail = state[_F], state[_N]
    cap = queue[0].shape[0]
    grow = 2 * head < cap
    T, beta, basic, non, key = _queue(2 * cap if grow else 0, queue[0].shape[1], queue[0].shape[2],
                                      queue[4].shape[1])
    if not grow:
        T, beta, basic, non, key = queue
    for new, old in enumerate(range(head, tail)):  # forwards: a row never overwrites one still to move
        _copy_flat(queue[0][old], T[new])
        _copy_row(queue[1], old, beta, new)
        _copy_row(queue[2], old, basic, new)
        _copy_row(queue[3], old, non, new)
        _copy_row(queue[4], old, key, new)
    state[_F], state[_N] = 0, tail - head
    return T, beta, basic, non, key


# what stopped _walk: every basis done, or an array is full (the caller makes room and resumes)
_DONE, _FULL_QUEUE, _FULL_SEEN, _FULL_VERTICES, _FULL_VTAB = 0, 1, 2, 3, 4
# state: position (queue head, column), queue tail, visited count, vertices, degenerate vertices,
# degenerate?, error
_F, _C, _N, _SEEN, _NV, _VTAB, _DEG, _ERR = range(8)


@njit
def _walk(T: np.ndarray, beta: np.ndarray, basic: np.ndarray, non: np.ndarray, key: np.ndarray,
          state: np.ndarray, seen: np.ndarray, labels: np.ndarray, vmask: np.ndarray, vz: np.ndarray,
          vtab: np.ndarray, where: np.ndarray, rows: np.ndarray, low: np.ndarray) -> int:
    """Breadth-first search: walk every edge of the bases in the queue, from its head (``state``'s
    position) on, and append each new basis to it, recording its vertex; returns why it stopped
    (``_DONE`` or an array full).

    ``state`` (see ``_F`` ... ``_ERR``) is updated in place, so a call after the caller has made
    room resumes at the same edge. One call does the whole search unless an array fills up: each
    call of a compiled function with array arguments costs atomic reference counts (two per
    array), which a call per basis or per layer would pay many times.
    """
    k, d = T.shape[1], T.shape[2]
    f, c0, tail = state[_F], state[_C], state[_N]
    n_seen, nv, n_vtab = state[_SEEN], state[_NV], state[_VTAB]
    status = _DONE
    while f < tail and status == _DONE:
        for i in range(k):
            where[basic[f, i]] = i
        for c in range(d):
            where[non[f, c]] = -c - 1
        # the row that blocks each nonbasic column's edge (rows[c]; -1 if none: unbounded): the smallest
        # ratio beta_i / T_ic over T_ic > 0, all columns in one pass over the rows; ties (rows whose basic
        # variable ends within TIE of zero, so tight at the new vertex too) are broken by the lexicographic
        # rule. (A tolerance on the ratio itself would lump two distinct small ratios of a steep edge,
        # large T_ic, and step past the true blocking row to an infeasible point.) Written out here: an
        # inlined helper taking these arrays would pay their atomic reference counts once per basis.
        for c in range(d):
            rows[c], low[c] = -1, np.inf
        for i in range(k):
            b = max(beta[f, i], 0.0)
            for c in range(d):
                t = T[f, i, c]
                if t > PIVOT and b < low[c] * t:
                    low[c], rows[c] = b / t, i
        for i in range(k):  # another row within the tie tolerance: marked, the lexicographic rule decides
            b = max(beta[f, i], 0.0)
            for c in range(d):
                t = T[f, i, c]
                if t > PIVOT and i != rows[c] and rows[c] >= 0 and b - low[c] * t <= TIE:
                    rows[c] = -2 - rows[c]
        for c in range(d):
            if rows[c] < -1:
                rows[c] = _lex_row(T, beta, f, where, d, c, low[c])
        for c in range(c0, d):
            if tail == T.shape[0]:
                status = _FULL_QUEUE
            elif 2 * (n_seen + 1) > seen.shape[0]:
                status = _FULL_SEEN
            elif nv == vmask.shape[0]:
                status = _FULL_VERTICES
            elif 2 * (n_vtab + 1) > vtab.shape[0]:
                status = _FULL_VTAB
            if status != _DONE:
                c0 = c
                break
            r = rows[c]
            if r < 0:
                state[_ERR] = UNBOUNDED
                continue
            _child_key(basic, non, key, f, r, c, key, tail)
            slot = _find(seen, key, tail)
            if seen[slot, 0] != -1:
                continue  # visited
            _copy_row(key, tail, seen, slot)
            n_seen += 1
            _child(basic, non, f, r, c, basic, non, tail)
            _pivot(T, beta, f, r, c, T, beta, tail)
            if not _record(beta, basic, non, tail, labels, vmask, vz, nv):
                nv += 1
            else:  # a degenerate vertex may have several bases: keep its first record
                state[_DEG] = 1
                slot = _find(vtab, vmask, nv)
                if vtab[slot, 0] == -1:
                    _copy_row(vmask, nv, vtab, slot)
                    nv, n_vtab = nv + 1, n_vtab + 1
            tail += 1
        if status == _DONE:
            f, c0 = f + 1, 0
    state[_F], state[_C], state[_N] = f, c0, tail
    state[_SEEN], state[_NV], state[_VTAB] = n_seen, nv, n_vtab
    return status


@njit
def polytope_vertices(M: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool, int]:
    """Every vertex of ``{z >= 0 : M z <= 1}`` (see the module doc); the origin comes first.

    Parameters
    ----------
    M
        ``(k, d)`` positive constraint matrix.
    labels
        ``(d + k,)`` label of each variable (``z`` first, then the slacks ``w``).

    Returns
    -------
    masks, coords, degenerate, error
        Tight labels of each vertex ``(V, words)``, its coordinates ``z`` ``(V, d)``, whether
        some vertex has more than ``d`` tight labels, and an error code (:data:`UNBOUNDED`).
    """
    k, d = M.shape
    n_words = words_for(d + k)
    queue = _queue(32, k, d, n_words)
    T, beta, basic, non, key = queue
    _copy_flat(M, T[0])
    for i in range(k):
        beta[0, i] = 1.0
        basic[0, i] = d + i
    for w in range(n_words):
        key[0, w] = 0
    for c in range(d):
        non[0, c] = c
        _set_bit(key, 0, c)
    seen = np.full((64, n_words), -1, dtype=np.int64)
    _copy_row(key, 0, seen, _find(seen, key, 0))
    vmask, vz = np.empty((32, n_words), dtype=np.int64), np.empty((32, d))
    vtab = np.full((16, n_words), -1, dtype=np.int64)
    state = np.zeros(8, dtype=np.int64)
    state[_SEEN], state[_NV], state[_N] = 1, 1, 1
    state[_DEG] = _record(beta, basic, non, 0, labels, vmask, vz, 0)
    where, rows, low = np.empty(d + k, dtype=np.int64), np.empty(d, dtype=np.int64), np.empty(d)
    while True:
        status = _walk(queue[0], queue[1], queue[2], queue[3], queue[4], state, seen, labels, vmask, vz, vtab,
                       where, rows, low)
        if status == _FULL_QUEUE:
            queue = _requeued(queue, state)
        elif status == _FULL_SEEN:
            seen = _rehashed(seen)
        elif status == _FULL_VERTICES:
            vmask, vz = _grow(vmask, 2 * vmask.shape[0]), _grow(vz, 2 * vz.shape[0])
        elif status == _FULL_VTAB:
            vtab = _rehashed(vtab)
        else:
            break
    nv = state[_NV]
    return vmask[:nv], vz[:nv], state[_DEG] != 0, state[_ERR]


@njit
def _popcount(masks: np.ndarray, row: int) -> int:
    total = 0
    for w in range(masks.shape[1]):
        x = masks[row, w]
        while x:
            x &= x - 1
            total += 1
    return total


@njit
def _covers(mask_p: np.ndarray, i: int, mask_q: np.ndarray, j: int, full: np.ndarray) -> bool:
    """Every label tight at P-vertex ``i`` or at Q-vertex ``j``."""
    for w in range(full.shape[1]):
        if (mask_p[i, w] | mask_q[j, w]) != full[0, w]:
            return False
    return True


@njit
def _pairs_of(mask_p: np.ndarray, mask_q: np.ndarray, m: int, n: int, table: np.ndarray,
              index: np.ndarray, degen_q: np.ndarray, full: np.ndarray, pairs: np.ndarray) -> int:
    """Write the completely labelled pairs into ``pairs`` (as far as it has room); returns their count."""
    n_words = mask_p.shape[1]
    want = np.empty((1, n_words), dtype=np.int64)
    count = 0
    for i in range(1, mask_p.shape[0]):
        if _popcount(mask_p, i) == m:
            for w in range(n_words):
                want[0, w] = mask_p[i, w] ^ full[0, w]
            s = _find(table, want, 0)
            candidates = degen_q
            if table[s, 0] != -1:
                if count < pairs.shape[0]:
                    pairs[count, 0], pairs[count, 1] = i, index[s]
                count += 1
        else:
            candidates = np.arange(1, mask_q.shape[0])
        for j in candidates:
            if _covers(mask_p, i, mask_q, j, full):
                if count < pairs.shape[0]:
                    pairs[count, 0], pairs[count, 1] = i, j
                count += 1
    return count


@njit
def match_pairs(mask_p: np.ndarray, mask_q: np.ndarray, m: int, n: int) -> np.ndarray:
    """Completely labelled pairs ``(i, j)`` of P- and Q-vertices, origins (row 0 of each) excluded.

    Pairs of simple vertices (``m`` resp. ``n`` tight labels) are found by looking up the
    complementary label set in a hash table; pairs with a degenerate vertex by testing the
    union of the label sets against every candidate.
    """
    n_words = mask_p.shape[1]
    full = np.zeros((1, n_words), dtype=np.int64)
    for lab in range(m + n):
        _set_bit(full, 0, lab)
    n_q = mask_q.shape[0]
    cap = 16
    while cap < 2 * n_q:
        cap *= 2
    table = np.full((cap, n_words), -1, dtype=np.int64)
    index = np.empty(cap, dtype=np.int64)
    degen = np.zeros(n_q, dtype=np.bool_)
    for j in range(1, n_q):
        if _popcount(mask_q, j) == n:
            slot = _find(table, mask_q, j)
            _copy_row(mask_q, j, table, slot)
            index[slot] = j
        else:
            degen[j] = True
    degen_q = np.flatnonzero(degen)
    pairs = np.empty((16, 2), dtype=np.int64)
    count = _pairs_of(mask_p, mask_q, m, n, table, index, degen_q, full, pairs)
    if count > pairs.shape[0]:
        pairs = np.empty((count, 2), dtype=np.int64)
        _pairs_of(mask_p, mask_q, m, n, table, index, degen_q, full, pairs)
    return pairs[:count]


@njit
def _bits(masks: np.ndarray, v: int, out: np.ndarray, row: int) -> None:
    """Row ``row`` of the boolean matrix ``out``: the labels in mask ``v``."""
    for lab in range(out.shape[1]):
        out[row, lab] = ((masks[v, lab // BITS] >> np.int64(lab % BITS)) & 1) != 0


@njit
def _strategy(z: np.ndarray, v: int, out: np.ndarray, row: int) -> None:
    """Row ``row`` of ``out``: vertex ``v``'s coordinates scaled to sum to one."""
    total = 0.0
    for c in range(z.shape[1]):
        total += z[v, c]
    for c in range(z.shape[1]):
        out[row, c] = z[v, c] / total


@njit
def pair_up(mask_p: np.ndarray, z_p: np.ndarray, mask_q: np.ndarray, z_q: np.ndarray, m: int, n: int
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The extreme equilibria from the vertices of P and Q (origins first).

    Returns
    -------
    pairs, x, y, x_tight, y_tight
        Vertex indices ``(E, 2)``, normalised strategies ``(E, m)`` and ``(E, n)``, and the
        tight labels of each vertex as booleans ``(E, m + n)``.
    """
    pairs, x, y = pair_strategies(mask_p, z_p, mask_q, z_q, m, n)
    count = pairs.shape[0]
    xt, yt = np.empty((count, m + n), dtype=np.bool_), np.empty((count, m + n), dtype=np.bool_)
    for e in range(count):
        _bits(mask_p, pairs[e, 0], xt, e)
        _bits(mask_q, pairs[e, 1], yt, e)
    return pairs, x, y, xt, yt


@njit
def pair_strategies(mask_p: np.ndarray, z_p: np.ndarray, mask_q: np.ndarray, z_q: np.ndarray, m: int, n: int
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`pair_up` without the tight labels: the pairs and their normalised strategies."""
    pairs = match_pairs(mask_p, mask_q, m, n)
    count = pairs.shape[0]
    x, y = np.empty((count, m)), np.empty((count, n))
    for e in range(count):
        _strategy(z_p, pairs[e, 0], x, e)
        _strategy(z_q, pairs[e, 1], y, e)
    return pairs, x, y


@njit
def polytopes(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The kernel's form of ``P = {x >= 0 : B^T x <= 1}`` and ``Q = {y >= 0 : A y <= 1}`` (payoffs
    scaled to ``[1, 2]``): each constraint matrix and the labels of its variables (``x`` then the
    slacks of ``B^T x <= 1``; ``y`` then the slacks of ``A y <= 1``)."""
    m, n = a.shape
    p_labels = np.arange(m + n)
    q_labels = np.empty(m + n, dtype=np.int64)
    for j in range(n):
        q_labels[j] = m + j
    for i in range(m):
        q_labels[n + i] = i
    return np.ascontiguousarray(scaled_positive(b).T), p_labels, scaled_positive(a), q_labels


@njit
def bimatrix_extremes(a: np.ndarray, b: np.ndarray):
    """Both polytopes' vertices and :func:`pair_up`, in one call (see ``vertex_enumeration``).

    Returns
    -------
    tuple
        ``pair_up``'s five arrays, then whether P or Q is degenerate, their vertex counts and
        the error code of the enumeration.
    """
    m, n = a.shape
    p_matrix, p_labels, q_matrix, q_labels = polytopes(a, b)
    mask_p, z_p, deg_p, err_p = polytope_vertices(p_matrix, p_labels)
    mask_q, z_q, deg_q, err_q = polytope_vertices(q_matrix, q_labels)
    pairs, x, y, xt, yt = pair_up(mask_p, z_p, mask_q, z_q, m, n)
    return pairs, x, y, xt, yt, deg_p or deg_q, mask_p.shape[0], mask_q.shape[0], max(err_p, err_q)


@njit
def bimatrix_strategies(a: np.ndarray, b: np.ndarray):
    """:func:`bimatrix_extremes` without the tight labels (fewer arrays back to Python: floating-point
    solves need only the strategies).

    Returns
    -------
    tuple
        ``pair_strategies``' three arrays, then whether P or Q is degenerate, their vertex counts
        and the error code of the enumeration.
    """
    m, n = a.shape
    p_matrix, p_labels, q_matrix, q_labels = polytopes(a, b)
    mask_p, z_p, deg_p, err_p = polytope_vertices(p_matrix, p_labels)
    mask_q, z_q, deg_q, err_q = polytope_vertices(q_matrix, q_labels)
    pairs, x, y = pair_strategies(mask_p, z_p, mask_q, z_q, m, n)
    return pairs, x, y, deg_p or deg_q, mask_p.shape[0], mask_q.shape[0], max(err_p, err_q)
