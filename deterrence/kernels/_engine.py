"""The compiled kernels' engine: every candidate structure tested at every point, compiled by numba.

For one point the engine computes the features (:mod:`deterrence.kernels._linforms`: chance
probability times payoff of every terminal node, chance reach of every node, conditional
values), the rows ``G = W @ X`` of the compiled sparse matrix, and then tests every structure
of the :class:`~deterrence.kernels._program.Program` in turn: the mixing probabilities of a
structure that mixes at two sets (closed form: each set's indifference is linear in the other
set's mixture), then its information-set checks (on the path: the best response given Bayes
beliefs, relative to the player's payoff range; off the path: under the belief policy; SPE:
every decision node), stopping at the first check that fails by more than the knife-edge
margin. The engine releases the GIL: :mod:`deterrence.kernels._compiled` runs blocks of points
on threads.

:func:`test_points` (phase 1) returns, per point, whether it must be solved per point and the
structures that hold there (with their mixing probabilities and regrets); :func:`write_rows`
(phase 2) writes one row per equilibrium: its outcome probabilities and payoffs.

Knife edges
-----------
Points where a check or a mixing probability sits exactly on its boundary are decided here,
the way the per-point PBE solver (:mod:`deterrence.solvers.pbe`) decides them: a pure profile
holds when no player gains more than the tolerance (ties included: several equilibria hold
on a boundary); a mixture is listed only strictly inside ``(0, 1)``, and none where a set's
indifference does not involve the other set's mixture (a continuum, or nothing). Only what
floating point cannot place on either side goes to the per-point path: a regret between the
tolerance and the knife-edge margin, a mixing probability within the margin of 0 or 1 but not
on it, a root too ill-conditioned to place, an off-path set the kernel cannot treat, and
non-finite payoffs.

The engine is compiled on first use and cached on disk (``cache=True``: numba's cache
next to this file, or its user-wide cache when the package folder is read-only).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

#: the per-point solver lists no mixture where a set's indifference slope is at most this
FLAT = 1e-14
#: a mixing probability within this of 0 or 1 is on the boundary (the solver needs > 1e-10)
AT_BOUNDARY = 1e-11
#: bound on the relative floating-point error of a row (times the sum of its terms' sizes)
ROUNDOFF = 1e-14

NONE, INSIDE, AMBIGUOUS = 0, 1, 2

# helpers allocate nothing: compiled without reference counting (``_nrt=False``), so that
# passing arrays to them costs no atomic operations; the smallest are inlined by numba
_jit = nb.njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
_inline = nb.njit(cache=True, nogil=True, error_model="numpy", _nrt=False, inline="always")


@_jit
def _features(p, pay, ce, feat, reach, below, X, unit):
    """The features of point ``p`` into ``X`` and each player's payoff range into ``unit``;
    returns False if a payoff or probability is not finite.

    ``pay[z * N + i, p]`` is player ``i``'s payoff at terminal row ``z``; ``ce[k, p]`` the
    probability of chance edge ``k``.
    """
    parent, col, terms, pptr, pnodes, cpair, cz, ci = feat[:8]
    n, Z, N = parent.shape[0], terms.shape[0], unit.shape[0]
    for j in range(ce.shape[0]):
        if not math.isfinite(ce[j, p]):
            return False
    for i in range(N):
        lo, hi = np.inf, -np.inf
        for z in range(Z):
            v = pay[z * N + i, p]
            if not math.isfinite(v):
                return False
            lo, hi = min(lo, v), max(hi, v)
        unit[i] = hi - lo if hi - lo > 0 else 1.0
    reach[0] = 1.0
    for v in range(1, n):
        c = col[v]
        reach[v] = reach[parent[v]] * (ce[c, p] if c >= 0 else 1.0)
    for z in range(Z):
        for i in range(N):
            X[z * N + i] = reach[terms[z]] * pay[z * N + i, p]
    for v in range(n):
        X[Z * N + v] = reach[v]
    for q in range(pptr.shape[0] - 1):
        prod = 1.0
        for j in range(pptr[q], pptr[q + 1]):
            prod *= ce[col[pnodes[j]], p]
        below[q] = prod
    for k in range(cpair.shape[0]):
        X[Z * N + n + k] = below[cpair[k]] * pay[cz[k] * N + ci[k], p]
    return True


@_inline
def _row(X, Wp, Wi, Wv, r):
    """Row ``r`` of ``W @ X`` (the sparse matrix in CSR)."""
    acc = 0.0
    for j in range(Wp[r], Wp[r + 1]):
        acc += Wv[j] * X[Wi[j]]
    return acc


@_inline
def _comb(G, rows, base, stride, w, ncorner):
    """Corner-weighted value of the rows ``rows[base + k * stride]`` (``k`` over corners)."""
    if ncorner == 1:
        return G[rows[base]]
    acc = w[0] * G[rows[base]]
    for k in range(1, ncorner):
        acc += w[k] * G[rows[base + k * stride]]
    return acc


@_inline
def _comb_x(X, Wp, Wi, Wv, rows, base, stride, w, ncorner):
    """:func:`_comb` computing the rows from the features (for the few rows a point needs)."""
    if ncorner == 1:
        return _row(X, Wp, Wi, Wv, rows[base])
    acc = w[0] * _row(X, Wp, Wi, Wv, rows[base])
    for k in range(1, ncorner):
        acc += w[k] * _row(X, Wp, Wi, Wv, rows[base + k * stride])
    return acc


@_inline
def root(a, q, err_a, err_q, edge):
    """Status and value of the root of ``a + q t`` in ``t``, given bounds on the floating-point
    errors of ``a`` and ``q`` (see "Knife edges")."""
    if abs(q) <= FLAT:
        return NONE, 0.5
    v = -a / q
    err = (err_a + abs(v) * err_q) / abs(q)
    if err >= 0.1 * edge:
        return AMBIGUOUS, v
    if v < -edge or v > 1.0 + edge:
        return NONE, v
    if 2.0 * edge < v < 1.0 - 2.0 * edge:
        return INSIDE, v
    if err < 0.1 * AT_BOUNDARY and (abs(v) <= AT_BOUNDARY or abs(1.0 - v) <= AT_BOUNDARY):
        return NONE, v
    return AMBIGUOUS, v


@_inline
def _row_error(X, Wp, Wi, Wv, r):
    """A bound on the floating-point error of row ``r``: ``ROUNDOFF`` times its terms' sizes."""
    acc = 0.0
    for j in range(Wp[r], Wp[r + 1]):
        acc += abs(Wv[j] * X[Wi[j]])
    return ROUNDOFF * acc


@_jit
def _mixing(s, G, E, s_ind, edge, w):
    """Status and mixing probabilities ``(x, y)`` of a structure mixing at two sets (``E``:
    error bounds of the rows); corner weights into ``w``."""
    r0, r1, r2, r3 = s_ind[s, 0], s_ind[s, 1], s_ind[s, 2], s_ind[s, 3]
    # the first set's indifference pins y, the second's x
    st_y, y = root(G[r0], G[r1] - G[r0], E[r0], E[r0] + E[r1], edge)
    st_x, x = root(G[r2], G[r3] - G[r2], E[r2], E[r2] + E[r3], edge)
    if st_x == NONE or st_y == NONE:
        return NONE, x, y
    w[0], w[1], w[2], w[3] = (1 - x) * (1 - y), (1 - x) * y, x * (1 - y), x * y
    return (AMBIGUOUS if st_x == AMBIGUOUS or st_y == AMBIGUOUS else INSIDE), x, y


@_jit
def _interval(d, nplans, margin):
    """Is there a belief ``m`` in [0, 1] with ``d0 + m (d1 - d0) >= margin`` for every plan?"""
    lo, hi = 0.0, 1.0
    for q in range(nplans):
        d0, d1 = d[q, 0], d[q, 1]
        slope = d1 - d0
        if slope > 0:
            lo = max(lo, (margin - d0) / slope)
        elif slope < 0:
            hi = min(hi, (margin - d0) / slope)
        elif d0 < margin:
            lo = 2.0
    return lo <= hi


@_jit
def _off_path(c, G, w, nc, u, c_nnodes, c_nplans, c_cond, c_pv, c_pt, rows, prior, tol, edge, d):
    """(margin, unknown) of an unreached information set under the belief policy."""
    nn, npl = c_nnodes[c], c_nplans[c]
    low = np.inf
    if nn == 1:
        for q in range(npl):
            low = min(low, _comb(G, rows, c_cond[c] + q, npl, w, nc) / u)
        return low, False
    if prior:
        pt = G[c_pt[c]]
        for q in range(npl):
            if pt > 0:
                v = G[rows[c_pv[c] + q]] / (pt * u)
            else:  # Nature never reaches the set: a uniform belief, as the per-point solver
                v = 0.0
                for j in range(nn):
                    v += _comb(G, rows, c_cond[c] + q * nn + j, npl * nn, w, nc)
                v /= nn * u
            low = min(low, v)
        return low, False
    if nn != 2:
        return np.inf, True
    for q in range(npl):
        for j in range(2):
            d[q, j] = _comb(G, rows, c_cond[c] + q * 2 + j, npl * 2, w, nc) / u
    if _interval(d, npl, -tol):
        return 0.0, False
    if _interval(d, npl, -edge):
        return -0.5 * (tol + edge), False
    return -np.inf, False


@_jit
def _scan_point(G, E, unit, prog, spe, prior, tol, edge, w, d, out_s, out_x, out_y, out_r, cap):
    """Test every structure at one point; returns (count of equilibria, undecided).

    A structure's checks run in order, each relative to its player's payoff range, and stop at
    the first that fails by more than ``edge``.
    """
    s_mix, s_ind, s_chk, c_player, c_nnodes, c_nplans = prog[0], prog[1], prog[3], prog[6], prog[7], prog[8]
    c_mixing, c_val, c_tot, c_cond = prog[9], prog[10], prog[11], prog[12]
    c_pv, c_pt, rows = prog[13], prog[14], prog[15]
    count = 0
    for s in range(s_mix.shape[0]):
        x = y = 0.0
        nc, status = 1, INSIDE
        if s_mix[s] == 2:
            status, x, y = _mixing(s, G, E, s_ind, edge, w)
            if status == NONE:
                continue
            nc = 4
        worst, regret, unknown = np.inf, 0.0, False
        for c in range(s_chk[s], s_chk[s + 1]):
            u, npl = unit[c_player[c]], c_nplans[c]
            if spe:
                low = np.inf
                for q in range(npl):
                    low = min(low, _comb(G, rows, c_cond[c] + q, npl, w, nc) / u)
                worst, regret = min(worst, low), max(regret, -low)
            else:
                tot = _comb(G, rows, c_tot[c], 1, w, nc)
                if tot > 0:
                    low, scale = np.inf, 1.0 / (tot * u)
                    for q in range(npl):
                        low = min(low, _comb(G, rows, c_val[c] + q, npl, w, nc) * scale)
                    worst, regret = min(worst, low), max(regret, -low)
                elif c_mixing[c]:
                    worst = -np.inf  # a mixing set must be on the path
                else:
                    low, unk = _off_path(
                        c, G, w, nc, u, c_nnodes, c_nplans, c_cond, c_pv, c_pt, rows, prior, tol, edge, d
                    )
                    worst, unknown = min(worst, low), unknown or unk
            if not worst >= -edge:
                break
        holds = worst >= -tol and not unknown
        if (-edge <= worst < -tol) or (worst >= -tol and unknown) or (holds and status == AMBIGUOUS):
            return 0, True
        if holds:
            if count < cap:
                out_s[count], out_x[count], out_y[count], out_r[count] = s, x, y, max(regret, 0.0)
            count += 1
    return count, False


@_jit
def _test_all(pay, ce, feat, prog, spe, prior, tol, edge, bufs, undecided, count, sid, hx, hy, reg):
    """Phase 1's loop over the points (into the arrays given; allocates nothing)."""
    reach, below, X, G, E, unit, w, d = bufs
    Wp, Wi, Wv = feat[8], feat[9], feat[10]
    err_rows = prog[16]
    cap = sid.shape[1]
    for p in range(pay.shape[1]):
        if not _features(p, pay, ce, feat, reach, below, X, unit):
            undecided[p] = True
            continue
        for r in range(G.shape[0]):
            G[r] = _row(X, Wp, Wi, Wv, r)
        for r in err_rows:
            E[r] = _row_error(X, Wp, Wi, Wv, r)
        count[p], undecided[p] = _scan_point(
            G, E, unit, prog, spe, prior, tol, edge, w, d, sid[p], hx[p], hy[p], reg[p], cap
        )


@_jit
def _write_all(pay, ce, feat, prog, count, offsets, sid, hx, hy, reg, bufs, out):
    """Phase 2's loop over the points (into the arrays of ``out``; allocates nothing)."""
    reach, below, X, unit, w = bufs
    point, eq, n_eq, struct, regret, outcome, payoff = out
    Wp, Wi, Wv = feat[8], feat[9], feat[10]
    s_mix, s_out, s_pay, rows = prog[0], prog[4], prog[5], prog[15]
    n_labels, N = outcome.shape[0], payoff.shape[0]
    for p in range(pay.shape[1]):
        if count[p] == 0:
            continue
        _features(p, pay, ce, feat, reach, below, X, unit)
        for j in range(count[p]):
            o, s = offsets[p] + j, sid[p, j]
            nc = 4 if s_mix[s] == 2 else 1
            x, y = hx[p, j], hy[p, j]
            w[0], w[1], w[2], w[3] = (1 - x) * (1 - y), (1 - x) * y, x * (1 - y), x * y
            point[o], eq[o], n_eq[o], struct[o], regret[o] = p, j, count[p], s, reg[p, j]
            for lab in range(n_labels):
                outcome[lab, o] = _comb_x(X, Wp, Wi, Wv, rows, s_out[s] + lab, n_labels, w, nc)
            for i in range(N):
                payoff[i, o] = _comb_x(X, Wp, Wi, Wv, rows, s_pay[s] + i, N, w, nc)


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _scratch(pay, feat, n_rows, max_plans):
    """Scratch arrays for one point: reach, chance products, features, rows, row error bounds,
    payoff ranges, corner weights, belief-interval bounds."""
    Z, n = feat[2].shape[0], feat[0].shape[0]
    N = pay.shape[0] // max(Z, 1)
    X = np.empty(Z * N + n + feat[5].shape[0])
    return (np.empty(n), np.empty(max(feat[3].shape[0] - 1, 1)), X, np.empty(n_rows), np.zeros(n_rows),
            np.empty(N), np.ones(4), np.empty((max_plans, 2)))  # fmt: skip


@nb.njit(cache=True, nogil=True, error_model="numpy")
def test_points(pay, ce, feat, prog, n_rows, max_plans, spe, prior, tol, edge, cap):
    """Phase 1 at every point: (undecided, count, structure ids, x, y, regrets) — the last
    four ``(P, cap)``; a count above ``cap`` means only the first ``cap`` were kept."""
    P = pay.shape[1]
    undecided = np.zeros(P, dtype=np.bool_)
    count = np.zeros(P, dtype=np.int64)
    sid = np.zeros((P, cap), dtype=np.int64)
    hx, hy, reg = np.zeros((P, cap)), np.zeros((P, cap)), np.zeros((P, cap))
    bufs = _scratch(pay, feat, n_rows, max_plans)
    _test_all(pay, ce, feat, prog, spe, prior, tol, edge, bufs, undecided, count, sid, hx, hy, reg)
    return undecided, count, sid, hx, hy, reg


@nb.njit(cache=True, nogil=True, error_model="numpy")
def write_rows(pay, ce, feat, prog, n_labels, count, offsets, sid, hx, hy, reg):
    """Phase 2: one row per (point, equilibrium) at ``offsets[p] + j``: point, index, count,
    structure, regret, outcome probabilities ``(L, rows)`` and payoffs ``(N, rows)``."""
    total = offsets[pay.shape[1]]
    N = pay.shape[0] // max(feat[2].shape[0], 1)
    i64 = np.int64
    ints = (np.empty(total, i64), np.empty(total, i64), np.empty(total, i64), np.empty(total, i64))
    out = (*ints, np.empty(total), np.empty((n_labels, total)), np.empty((N, total)))
    reach, below, X, _G, _E, unit, w, _d = _scratch(pay, feat, 1, 1)
    _write_all(pay, ce, feat, prog, count, offsets, sid, hx, hy, reg, (reach, below, X, unit, w), out)
    return out
