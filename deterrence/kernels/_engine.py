"""The compiled kernels' engine: every candidate structure tested at every point, compiled by numba.

The engine works on blocks of points (128 at a time; every loop that can runs over the block's
points innermost, so that the bookkeeping of the packed model is paid once per block and the
arithmetic runs on several points at once). For a block it computes

1. the features (:mod:`deterrence.kernels._linforms`: chance probability times payoff of every
   terminal node, chance reach of every node, conditional values) and the rows ``G = W @ X`` of
   the compiled sparse matrix, with error bounds on the indifference rows;
2. the mixing equations (each set's indifference is linear in the other set's mixture: one
   closed-form root per equation and point);
3. the pure structures: the checks they share (on the path: the best response given Bayes
   beliefs, on the per-point solver's scale of the player's payoffs (see "Tolerance"); off the
   path: the mover's own belief carried forward from its earlier sets where it gives the set
   weight (:func:`_carried`, :mod:`deterrence.kernels._carry`), else the belief policy's, free
   beliefs giving no weight to a node Nature never reaches (over three nodes or more a
   certified linear program, :func:`_free_value`); SPE: every decision node), each computed
   once per block when a structure first
   needs it, then each structure's verdict at every point (holds, fails, undecided);
4. the structures that hold or may hold at some point of the block (the candidates);
5. the verdicts of the candidates that mix at two sets, from their mixing probabilities and
   their checks at those mixtures (each check's rows looked up once per block, then the
   points where the structure is still in play, each dropped at its first check that fails
   by more than the knife-edge margin; a set off the path at a point checked at that point);
6. each point's number of equilibria (or that it is undecided) and the row of its first;

and then writes the rows, candidate by candidate, each at the points where it holds: a
point's rows come out in the order of the candidates, as the per-point solver lists them.
The engine (all of it, GIL released) is :func:`run`; :mod:`deterrence.kernels._compiled`
runs chunks of points on threads. (The candidates were once tested and written point by
point; block by block gives the same rows with about 10% less engine CPU time on the 2x2
``snyder_alliance_dilemma``, whose mixed equilibrium holds at most points, and no more on
the other compiled catalogue models.)

:func:`run` flags the points that must be solved per point and writes one row per equilibrium
found at the others (structure, regret, outcome probabilities, payoffs) into arrays the caller
provides, so that nothing is allocated inside the compiled code.

Knife edges
-----------
Points where a check or a mixing probability sits exactly on its boundary are decided here,
the way the per-point PBE solver (:mod:`deterrence.solvers.pbe`) decides them: a pure profile
holds when no player gains more than the tolerance (ties included: several equilibria hold
on a boundary); a mixture is listed only strictly inside ``(0, 1)``, and none where a set's
indifference does not involve the other set's mixture (a continuum, or nothing). Only what
floating point cannot place on either side goes to the per-point path: a regret between the
tolerance and the knife-edge margin (or within ``TOL_BAND`` of the tolerance below it), a
mixing probability within the margin of 0 or 1 but not on it, a root too ill-conditioned to
place, an off-path set the kernel cannot treat, and non-finite payoffs.

Tolerance
---------
Every margin is divided by its player's *unit* at the point (``units``, from
:func:`deterrence.kernels._units.decision_units`) before it is compared with ``tol`` and
``edge``: the smaller of the per-point solver's unit (1 where the point's game is solved as
given, else the unit of its common scale, :func:`deterrence.game.scaling.solver_units`) and
the player's payoff range. The per-point PBE solver compares payoff differences with ``tol`` in
absolute terms on its scale (:func:`deterrence.game.scaling.on_common_scale`), and its certificates
pass a regret up to ``tol`` of the range; so both paths of a sweep tell a tie from a loss
alike (:mod:`deterrence.kernels._units`). (Relative to the range alone, as the kernels once
decided, a loss of ``3e-8`` with payoffs spanning 4 was a tie for the kernel and a loss for
the solver.) The ``regret`` of a row is in the same units: the game's when it is well scaled
and its payoffs span at least 1.

The engine is compiled on first use and cached on disk (``cache=True``: numba's cache
next to this file, or its user-wide cache when the package folder is read-only).
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import numba_module
from ..solvers._pbe_context import _REACH
from ._carry import ANY, CARRIED, NEAR_ZERO, POLICY, UNSURE
from ._program import (
    C_CARRY,
    C_COND,
    C_DEPTH,
    C_MEMO,
    C_MIXING,
    C_NNODES,
    C_NPLANS,
    C_PLAYER,
    C_PT,
    C_PV,
    C_REACH,
    C_TOT,
    C_VAL,
    CHANCE_COL,
    COND_I,
    COND_PAIR,
    COND_Z,
    ERR_ROWS,
    MEMO_CHECK,
    PAIR_NODES,
    PAIR_PTR,
    PARENT,
    ROOT_ROWS,
    ROWS,
    S_CHK,
    S_MIX,
    S_OUT,
    S_PAY,
    S_ROOTS,
    TERMINALS,
    W_IDX,
    W_PTR,
)  # fmt: skip

nb = numba_module()

#: the per-point solver lists no mixture where a set's indifference slope is at most this
FLAT = 1e-14
#: a mixing probability within this of 0 or 1 is on the boundary (the solver needs > 1e-10)
AT_BOUNDARY = 1e-11
#: bound on the relative floating-point error of a row (times the sum of its terms' sizes)
ROUNDOFF = 1e-14
#: the per-point solver counts an information set whose reach is at most its ``_REACH`` (1e-12) as
#: unreached, the engine one whose reach total is 0: a set reached with a total in
#: ``(0, REACH_BAND]`` (``_REACH`` and a relative margin for the two paths' rounding of the reach,
#: products of a few chance probabilities) may be on the path here and off it for the solver, so
#: the point is undecided (solved per point)
REACH_BAND = _REACH * (1.0 + 1e-6)

NONE, INSIDE, AMBIGUOUS = 0, 1, 2

# Nothing allocates: every function is compiled without reference counting (``_nrt=False``), so
# passing arrays costs no atomic operations; the small and the per-point ones are inlined by
# numba. The model comes packed in one code array, and there is one entry point: that keeps the
# first compilation short.
_jit = nb.njit(nogil=True, error_model="numpy", _nrt=False)
_inline = nb.njit(nogil=True, error_model="numpy", _nrt=False, inline="always")
_entry = nb.njit(cache=True, nogil=True, error_model="numpy", _nrt=False)


@_jit
def _block_features(b0, nb, pay, ce, units, code, RT, BT, LO, HI, XT, UB, UT, ok):
    """The features of points ``b0 .. b0 + nb - 1`` into ``XT[:, k]`` and each player's unit
    ``units[:, b0 + k]`` into ``UB[k]`` and ``UT[:, k]`` (point ``b0 + k``); ``ok[k]`` False where
    a payoff or probability is not finite. Every loop runs over the block's points innermost.

    ``pay[z * N + i, p]`` is player ``i``'s payoff at terminal row ``z``; ``ce[j, p]`` the
    probability of chance edge ``j``; ``RT``, ``BT`` hold the chance reach of every node and the
    chance products below the pairs of the conditional features (``LO``, ``HI``: unused here).
    """
    parent, col, terms = code[2 * PARENT], code[2 * CHANCE_COL], code[2 * TERMINALS]
    pptr, pnodes = code[2 * PAIR_PTR], code[2 * PAIR_NODES]
    cpair, cz, ci = code[2 * COND_PAIR], code[2 * COND_Z], code[2 * COND_I]
    n, Z, N = code[2 * PARENT + 1], code[2 * TERMINALS + 1], UB.shape[1]
    n_pairs, n_cond = code[2 * PAIR_PTR + 1] - 1, code[2 * COND_PAIR + 1]
    for k in range(nb):
        ok[k] = True
    for j in range(ce.shape[0]):
        for k in range(nb):
            if not math.isfinite(ce[j, b0 + k]):
                ok[k] = False
    for i in range(N):
        for z in range(Z):
            for k in range(nb):
                if not math.isfinite(pay[z * N + i, b0 + k]):
                    ok[k] = False
        for k in range(nb):
            UT[i, k] = units[i, b0 + k]
            UB[k, i] = UT[i, k]
    for k in range(nb):
        RT[0, k] = 1.0
    for v in range(1, n):
        c, up = code[col + v], code[parent + v]
        for k in range(nb):
            RT[v, k] = RT[up, k] * (ce[c, b0 + k] if c >= 0 else 1.0)
    for z in range(Z):
        t = code[terms + z]
        for i in range(N):
            for k in range(nb):
                XT[z * N + i, k] = RT[t, k] * pay[z * N + i, b0 + k]
    for v in range(n):
        for k in range(nb):
            XT[Z * N + v, k] = RT[v, k]
    for q in range(n_pairs):
        for k in range(nb):
            BT[q, k] = 1.0
        for j in range(code[pptr + q], code[pptr + q + 1]):
            c = code[col + code[pnodes + j]]
            for k in range(nb):
                BT[q, k] *= ce[c, b0 + k]
    for f in range(n_cond):
        q, r = code[cpair + f], code[cz + f] * N + code[ci + f]
        for k in range(nb):
            XT[Z * N + n + f, k] = BT[q, k] * pay[r, b0 + k]


@_jit
def _block_values(b0, nb, pay, ce, units, code, Wv, RT, BT, LO, HI, XT, GT, ET, UB, UT, ok):
    """Features, rows and row error bounds of points ``b0 .. b0 + nb - 1`` (into ``GT[:, k]``
    and ``GB[k]``, ``EB[k]``, ``UB[k]`` for point ``b0 + k``; ``ok[k]`` False where an input is
    not finite).

    The rows ``G = W @ X`` are computed for the whole block at once, each coefficient applied
    to a row of points (``XT``, ``GT``: one column per point), then transposed: one row of
    values per point in ``GB``. Only the indifference rows get error bounds (``ROUNDOFF`` times
    the sum of the sizes of their terms).
    """
    Wp, Wi, err_rows = code[2 * W_PTR], code[2 * W_IDX], code[2 * ERR_ROWS]
    _block_features(b0, nb, pay, ce, units, code, RT, BT, LO, HI, XT, UB, UT, ok)
    for r in range(GT.shape[0]):
        GT[r, :nb] = 0.0
        for j in range(code[Wp + r], code[Wp + r + 1]):
            c, f = Wv[j], code[Wi + j]
            for k in range(nb):
                GT[r, k] += c * XT[f, k]
    for i in range(code[2 * ERR_ROWS + 1]):
        r = code[err_rows + i]
        LO[:nb] = 0.0
        for j in range(code[Wp + r], code[Wp + r + 1]):
            c, f = Wv[j], code[Wi + j]
            for k in range(nb):
                LO[k] += abs(c * XT[f, k])
        for k in range(nb):
            ET[r, k] = ROUNDOFF * LO[k]


@_inline
def _comb(G, code, base, stride, w, ncorner):
    """Corner-weighted value of the rows ``code[base + k * stride]`` (``k`` over corners)."""
    if ncorner == 1:
        return G[code[base]]
    acc = w[0] * G[code[base]]
    for k in range(1, ncorner):
        acc += w[k] * G[code[base + k * stride]]
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


@_jit
def _block_equations(nb, GT, ET, code, edge, EQS, EQV):
    """Solve every mixing equation of the model at the block's points (``EQS[e, k]``,
    ``EQV[e, k]``: status and value of equation ``e`` at point ``k``): :func:`root` written
    without branches, so that it runs on several points at once."""
    rr = code[2 * ROOT_ROWS]
    lo, hi = 2.0 * edge, 1.0 - 2.0 * edge
    for e in range(code[2 * ROOT_ROWS + 1] // 2):
        r0, r1 = code[rr + 2 * e], code[rr + 2 * e + 1]
        for k in range(nb):
            a = GT[r0, k]
            q = GT[r1, k] - a
            v = -a / q
            err = (ET[r0, k] + abs(v) * (ET[r0, k] + ET[r1, k])) / abs(q)
            flat = abs(q) <= FLAT
            outside = (v < -edge) | (v > 1.0 + edge)
            on_edge = (err < 0.1 * AT_BOUNDARY) & ((abs(v) <= AT_BOUNDARY) | (abs(1.0 - v) <= AT_BOUNDARY))
            inner = INSIDE if (lo < v) & (v < hi) else (NONE if on_edge else AMBIGUOUS)
            status = AMBIGUOUS if err >= 0.1 * edge else (NONE if outside else inner)
            EQS[e, k] = NONE if flat else status
            EQV[e, k] = 0.5 if flat else v


@_inline
def _corners(s, k, code, EQV, w):
    """Corner weights of structure ``s`` (mixing at two sets) at the block's point ``k`` into
    ``w``, from its two equations' roots; returns the mixing probabilities ``(x, y)``."""
    at = code[2 * S_ROOTS] + 2 * s
    y, x = EQV[code[at], k], EQV[code[at + 1], k]
    w[0], w[1], w[2], w[3] = (1 - x) * (1 - y), (1 - x) * y, x * (1 - y), x * y
    return x, y


@_inline
def _mixing(s, k, code, EQS, EQV, w):
    """Status and mixing probabilities ``(x, y)`` of structure ``s`` (mixing at two sets) at
    the block's point ``k``, from its two equations; corner weights into ``w``."""
    at = code[2 * S_ROOTS] + 2 * s
    st_y, st_x = EQS[code[at], k], EQS[code[at + 1], k]
    if st_x == NONE or st_y == NONE:
        return NONE, EQV[code[at + 1], k], EQV[code[at], k]
    x, y = _corners(s, k, code, EQV, w)
    return (AMBIGUOUS if st_x == AMBIGUOUS or st_y == AMBIGUOUS else INSIDE), x, y


#: Relative width of the band just inside the tolerance where a margin is not decided: a margin of
#: ``-tol`` in exact arithmetic comes out on either side of ``-tol`` in floating point, and the
#: per-point solver, which computes it another way, may place it on the other side.
TOL_BAND = 1e-6


@_jit
def _near_tol(tol):
    """The least worst margin at which a structure holds here: ``-tol (1 - TOL_BAND)``. A
    margin in ``[-edge, _near_tol(tol))`` leaves the point undecided: a regret within
    rounding of ``tol`` (exactly ``tol`` in exact arithmetic, ``tol - 5e-18`` here and
    ``tol + 2e-17`` per point at a point of ``chain_store``) is a knife edge that floating
    point cannot place, so the point is solved per point, as one between ``tol`` and ``edge``."""
    return -tol * (1.0 - TOL_BAND)


@_inline
def _interval(d, nplans, margin):
    """Is there a belief ``m`` in [0, 1] with ``d0 + m (d1 - d0) >= margin`` for every plan?"""
    lo, hi = 0.0, 1.0
    for q in range(nplans):
        d0, d1 = d[2 * q], d[2 * q + 1]
        slope = d1 - d0
        if slope > 0:
            lo = max(lo, (margin - d0) / slope)
        elif slope < 0:
            hi = min(hi, (margin - d0) / slope)
        elif d0 < margin:
            lo = 2.0
    return lo <= hi


@_inline
def _forced_node(r0, r1):
    """The node of a two-node set that free beliefs must weigh, from the nodes' chance reach
    ``r0``, ``r1``: 1 if Nature reaches the second only, 0 if the first only, else -1 (both
    reached: any belief; neither: any belief too, as the per-point solver, which then frees
    every node). Nature's zero-probability moves carry no belief (:mod:`deterrence.solvers.pbe`)."""
    if r1 > 0 and not r0 > 0:
        return 1
    if r0 > 0 and not r1 > 0:
        return 0
    return -1


@_inline
def _carried(c, G, w, nc, u, code, prior, tol, edge, d):
    """The mover's carried-forward belief at unreached check ``c`` (:mod:`deterrence.kernels._carry`):
    ``(POLICY, 0)`` where none is carried (the policy chooses), ``(CARRIED, margin)`` with the
    least margin over plans under it; ``(ANY, margin)`` where the belief is one the kernels do
    not form (carried from one the ``free`` policy chose, or from Nature's odds at a set Nature
    never reaches, the solver's uniform belief there, unless nothing is carried after all), with
    the margin :func:`_any_belief` gives for every belief over the set's nodes; ``(UNSURE, 0)``
    where a weight or reach total lies within ``NEAR_ZERO`` of 0.

    Walks the chain from its first set down: a reached set is the source of Bayes' rule
    (``E_0``); an unreached one keeps its predecessor's source where that gives it weight, else
    its own policy belief is the source (``E_i``; the first set of the chain has no predecessor)."""
    m = code[code[2 * C_DEPTH] + c]
    if m == 0:
        return POLICY, 0.0
    npl = code[code[2 * C_NPLANS] + c]
    base = code[2 * ROWS] + code[code[2 * C_CARRY] + c]
    T = 0
    for i in range(1, m + 1):
        T += 3 + m - i
    T += (1 + m) * (1 + npl)
    pos, src, blind = 0, 0, False
    for i in range(m, 0, -1):
        tot = _comb(G, code, base + pos, T, w, nc)
        if 0.0 < tot <= NEAR_ZERO:
            return UNSURE, 0.0
        if tot > 0:
            src, blind = 0, False
        else:
            keep = False
            if i < m:
                if blind:
                    return ANY, _any_belief(c, G, w, nc, u, code, tol, edge, d)
                got = _comb(G, code, base + pos + 2 + (src - i if src > 0 else 0), T, w, nc)
                if 0.0 < got <= NEAR_ZERO:
                    return UNSURE, 0.0
                if got > 0:
                    if src > 0 and not prior:
                        return ANY, _any_belief(c, G, w, nc, u, code, tol, edge, d)
                    keep = True
            if not keep:
                src = i
                blind = not _comb(G, code, base + pos + 1, T, w, nc) > 0
        pos += 3 + m - i
    s = _comb(G, code, base + pos + src, T, w, nc)
    if 0.0 < s <= NEAR_ZERO:
        return UNSURE, 0.0
    if src > 0 and (blind or (s > 0 and not prior)):
        return ANY, _any_belief(c, G, w, nc, u, code, tol, edge, d)
    if not s > 0:
        return POLICY, 0.0
    vbase = base + pos + (1 + m) + src * npl
    low = np.inf
    for q in range(npl):
        low = min(low, _comb(G, code, vbase + q, T, w, nc) / (s * u))
    return CARRIED, low


@_inline
def _any_belief(c, G, w, nc, u, code, tol, edge, d):
    """Margin of check ``c`` at an unreached set whose belief may be any over its nodes (the
    kernels do not form it): 0 where every plan loses at most ``-_near_tol(tol)`` at every node
    (so under every belief), ``-inf`` where every belief makes some plan lose more than ``edge``
    (:func:`_free_value` over all the nodes), else ``-(tol + edge) / 2`` (undecided)."""
    nn, npl = code[code[2 * C_NNODES] + c], code[code[2 * C_NPLANS] + c]
    cond = code[2 * ROWS] + code[code[2 * C_COND] + c]
    worst = np.inf
    for q in range(npl):
        for j in range(nn):
            v = _comb(G, code, cond + q * nn + j, npl * nn, w, nc) / u
            d[q * nn + j] = v
            worst = min(worst, v)
    if worst >= _near_tol(tol):
        return 0.0
    if _free_value(d, nn, npl, tol, edge) == -np.inf:
        return -np.inf
    return -0.5 * (tol + edge)


#: entries of the free beliefs' linear program below this count as 0 in its pivots
LP_PIVOT = 1e-12
#: machine epsilon (the float error bounds of the linear program's certificates)
EPS = 2.220446049250313e-16


def lp_room(nodes, plans):
    """Room (floats) the scratch ``d`` of :func:`_off_path` needs for a set of ``nodes`` nodes and
    ``plans`` plans: the margins, the linear program's tableau and basis, a belief and a mixture
    of plans (:func:`_free_value`); at least the two-node interval's ``2 plans``."""
    return max(2 * plans, nodes * plans + (nodes + 1) * (nodes + plans + 1) + 2 * nodes + plans)


@_jit
def _pivot(d, T0, W, rows, row, col):
    """One pivot of the tableau ``d[T0 + r * W + k]`` (``rows`` rows) on ``(row, col)``."""
    p = d[T0 + row * W + col]
    for k in range(W):
        d[T0 + row * W + k] /= p
    for r in range(rows):
        if r == row:
            continue
        f = d[T0 + r * W + col]
        if f != 0.0:
            for k in range(W):
                d[T0 + r * W + k] -= f * d[T0 + row * W + k]


@_jit
def _free_value(d, n, npl, tol, edge):
    """Margin of an unreached set whose free belief weighs ``n >= 2`` nodes, from the margins
    ``d[q * n + j]`` of plan ``q`` at node ``j`` (on the player's unit): 0 where some belief
    makes every plan lose at most ``-_near_tol(tol)``, ``-inf`` where every belief makes some
    plan lose more than ``edge``, else ``-(tol + edge) / 2`` (undecided).

    The best belief is the maximin of the matrix game ``max_mu min_q mu . d_q``: solved as the
    plans' linear program ``max sum y`` s.t. ``sum_q (d_qj + shift) y_q <= 1`` (``shift`` making
    every entry at least 1, so the slack basis is feasible and the value positive) by the
    simplex method with Bland's rule; the belief ``mu`` is its dual. Each verdict is then
    certified in floating point, whatever the program's accuracy: ``min_q mu . d_q`` for the
    belief (the value is at least that) and ``max_j sum_q lambda_q d_qj`` for the plans'
    mixture ``lambda = y / sum y`` (the value is at most that: for every belief,
    ``min_q mu . d_q <= mu . (lambda d)``), each with a bound on its rounding (``8 (k + 2) eps``
    times the sum of its terms' sizes, ``k`` terms). A value the two bounds cannot place on one
    side of ``-_near_tol(tol)`` or of ``-edge`` leaves the point undecided."""
    W = npl + n + 1
    T0 = n * npl
    B = T0 + (n + 1) * W
    M = B + n
    L = M + n
    lo = d[0]
    for i in range(n * npl):
        lo = min(lo, d[i])
    shift = 1.0 - lo
    for j in range(n):
        for q in range(npl):
            d[T0 + j * W + q] = d[q * n + j] + shift
        for k in range(n):
            d[T0 + j * W + npl + k] = 1.0 if k == j else 0.0
        d[T0 + j * W + W - 1] = 1.0
        d[B + j] = npl + j
    obj = T0 + n * W
    for k in range(W):
        d[obj + k] = -1.0 if k < npl else 0.0
    optimal = False
    for _it in range(64 * (n + npl)):
        enter = -1
        for k in range(npl + n):
            if d[obj + k] < -LP_PIVOT:
                enter = k
                break
        if enter < 0:
            optimal = True
            break
        row, best = -1, np.inf
        for j in range(n):
            a = d[T0 + j * W + enter]
            if a > LP_PIVOT:
                r = d[T0 + j * W + W - 1] / a
                if r < best or (r == best and d[B + j] < d[B + row]):
                    row, best = j, r
        if row < 0:
            break
        _pivot(d, T0, W, n + 1, row, enter)
        d[B + row] = enter
    undecided = -0.5 * (tol + edge)
    z = d[obj + W - 1]
    if not optimal or not z > 0:
        return undecided
    for k in range(n):  # the belief: the duals of the nodes' rows
        d[M + k] = max(d[obj + npl + k], 0.0)
    for q in range(npl):
        d[L + q] = 0.0
    for j in range(n):
        b = int(d[B + j])
        if b < npl:
            d[L + b] = max(d[T0 + j * W + W - 1], 0.0)
    if _belief_floor(d, M, n, npl) >= _near_tol(tol):
        return 0.0
    if _mixture_ceiling(d, L, n, npl) < -edge:
        return -np.inf
    return undecided


@_jit
def _belief_floor(d, M, n, npl):
    """A lower bound on ``min_q mu . d_q`` for the belief ``mu``: the weights ``d[M : M + n]``
    normalised (in place; ``-inf`` if they are all 0), each sum's rounding taken off
    (``8 (n + 2) eps`` times the sizes of its terms and of itself: the normalised weights may
    sum to ``1 +- 2 n eps``)."""
    total = 0.0
    for j in range(n):
        total += d[M + j]
    if not total > 0:
        return -np.inf
    for j in range(n):
        d[M + j] /= total
    floor = np.inf
    for q in range(npl):
        acc, size = 0.0, 0.0
        for j in range(n):
            t = d[M + j] * d[q * n + j]
            acc += t
            size += abs(t)
        floor = min(floor, acc - 8.0 * (n + 2) * EPS * (size + abs(acc)))
    return floor


@_jit
def _mixture_ceiling(d, L, n, npl):
    """An upper bound on ``max_j sum_q lambda_q d_qj`` for the mixture of plans ``lambda``: the
    weights ``d[L : L + npl]`` normalised (in place; ``inf`` if they are all 0), each sum's
    rounding added as in :func:`_belief_floor`."""
    total = 0.0
    for q in range(npl):
        total += d[L + q]
    if not total > 0:
        return np.inf
    for q in range(npl):
        d[L + q] /= total
    ceiling = -np.inf
    for j in range(n):
        acc, size = 0.0, 0.0
        for q in range(npl):
            t = d[L + q] * d[q * n + j]
            acc += t
            size += abs(t)
        ceiling = max(ceiling, acc + 8.0 * (npl + 2) * EPS * (size + abs(acc)))
    return ceiling


@_inline
def _free_many(c, G, w, nc, u, code, tol, edge, d, nn, npl, cond):
    """:func:`_off_path` under free beliefs over ``nn >= 3`` nodes: over the nodes Nature reaches
    (all of them if it reaches none, as the per-point solver), the margin of the forced belief
    if that is one node, else :func:`_free_value` of the plans' margins at those nodes."""
    reach = code[2 * ROWS] + code[code[2 * C_REACH] + c]
    n = 0
    for j in range(nn):
        if G[code[reach + j]] > 0:
            n += 1
    every = n == 0
    if every:
        n = nn
    k = 0
    for j in range(nn):
        if every or G[code[reach + j]] > 0:
            for q in range(npl):
                d[q * n + k] = _comb(G, code, cond + q * nn + j, npl * nn, w, nc) / u
            k += 1
    if n == 1:
        low = np.inf
        for q in range(npl):
            low = min(low, d[q])
        return low
    return _free_value(d, n, npl, tol, edge)


@_inline
def _off_path(c, G, w, nc, u, code, prior, tol, edge, d):
    """Margin of an unreached information set under the belief policy (where the mover carries
    no belief to it: :func:`_carried`). Free beliefs over three nodes or more:
    :func:`_free_many`. Free beliefs over two nodes: the
    margin of the forced belief if Nature reaches one node only (:func:`_forced_node`), else
    0, ``-(tol + edge) / 2`` or ``-inf`` as some belief makes every plan lose at most
    ``-_near_tol(tol)`` (``tol`` less the band :data:`TOL_BAND`), at most ``edge``, or none does:
    a best belief losing between the two (a knife edge at the tolerance) leaves the point
    undecided, as an on-path margin there does (a margin of ``-tol (1 - 6e-9)`` here was one of
    ``-tol (1 + 5e-9)`` per point at a point of ``costly_signal_menu``)."""
    nn, npl = code[code[2 * C_NNODES] + c], code[code[2 * C_NPLANS] + c]
    cond = code[2 * ROWS] + code[code[2 * C_COND] + c]  # where the check's conditional rows start
    low = np.inf
    if nn == 1:
        for q in range(npl):
            low = min(low, _comb(G, code, cond + q, npl, w, nc) / u)
        return low
    if prior:
        pt, pv = G[code[code[2 * C_PT] + c]], code[2 * ROWS] + code[code[2 * C_PV] + c]
        for q in range(npl):
            if pt > 0:
                v = G[code[pv + q]] / (pt * u)
            else:  # Nature never reaches the set: a uniform belief, as the per-point solver
                v = 0.0
                for j in range(nn):
                    v += _comb(G, code, cond + q * nn + j, npl * nn, w, nc)
                v /= nn * u
            low = min(low, v)
        return low
    if nn != 2:
        return _free_many(c, G, w, nc, u, code, tol, edge, d, nn, npl, cond)
    reach = code[2 * ROWS] + code[code[2 * C_REACH] + c]
    j = _forced_node(G[code[reach]], G[code[reach + 1]])
    if j >= 0:  # Nature reaches one node only: the belief is on it
        for q in range(npl):
            low = min(low, _comb(G, code, cond + q * 2 + j, npl * 2, w, nc) / u)
        return low
    for q in range(npl):
        for j in range(2):
            d[2 * q + j] = _comb(G, code, cond + q * 2 + j, npl * 2, w, nc) / u
    if _interval(d, npl, _near_tol(tol)):
        return 0.0
    if _interval(d, npl, -edge):
        return -0.5 * (tol + edge)
    return -np.inf


@_inline
def _one_check(c, nc, G, unit, code, spe, prior, tol, edge, w, d):
    """Margin of check ``c`` (on its player's unit, see "Tolerance") and flags: 1 if it counts
    for the regret (on the path, or SPE), 2 if the kernel cannot tell."""
    u, npl = unit[code[code[2 * C_PLAYER] + c]], code[code[2 * C_NPLANS] + c]
    rows = code[2 * ROWS]
    low = np.inf
    if spe:
        base = rows + code[code[2 * C_COND] + c]
        for q in range(npl):
            low = min(low, _comb(G, code, base + q, npl, w, nc) / u)
        return low, 1
    tot = _comb(G, code, rows + code[code[2 * C_TOT] + c], 1, w, nc)
    if 0.0 < tot <= REACH_BAND:  # reached here, maybe not for the solver: undecided
        return np.inf, 2
    if tot > 0:
        scale, base = 1.0 / (tot * u), rows + code[code[2 * C_VAL] + c]
        for q in range(npl):
            low = min(low, _comb(G, code, base + q, npl, w, nc) * scale)
        return low, 1
    if code[code[2 * C_MIXING] + c]:
        return -np.inf, 0  # a mixing set must be on the path
    kind, low = _carried(c, G, w, nc, u, code, prior, tol, edge, d)
    if kind == CARRIED or kind == ANY:
        return low, 0
    if kind == UNSURE:
        return np.inf, 2
    low = _off_path(c, G, w, nc, u, code, prior, tol, edge, d)
    if math.isnan(low):
        return np.inf, 2
    return low, 0


@_inline
def _min_over_plans(nb, GT, code, base, npl, u, SC, low, divide, tot):
    """``low[k]``: the least over plans ``q`` of row ``code[base + q]`` at point ``k``, divided
    by the player's unit ``u[k]`` (``divide``) or times ``1 / (tot[k] * u[k])``."""
    for k in range(nb):
        low[k] = np.inf
    if divide:
        for q in range(npl):
            r = code[base + q]
            for k in range(nb):
                low[k] = min(low[k], GT[r, k] / u[k])
        return
    for k in range(nb):
        SC[k] = 1.0 / (tot[k] * u[k])
    for q in range(npl):
        r = code[base + q]
        for k in range(nb):
            low[k] = min(low[k], GT[r, k] * SC[k])


@_inline
def _free_pair(nb, GT, code, cond, reach, npl, u, tol, edge, TMP, low):
    """:func:`_off_path` under free beliefs over two nodes, at the block's points: ``low[k]`` is
    0 where a belief makes every plan lose at most ``-_near_tol(tol)``, ``-(tol + edge) / 2`` where one
    makes them lose at most ``edge``, else ``-inf`` (:func:`_interval` for both margins at once,
    ``TMP[:4]`` holding the four ends); where Nature reaches one node only, the least margin
    over plans at that node (``TMP[4]``: the node, :func:`_forced_node`; ``TMP[5]``: the least
    margin). ``reach``: where the nodes' chance reach rows are listed."""
    ra, rb = code[reach], code[reach + 1]
    hold = _near_tol(tol)
    forced = False
    for k in range(nb):
        TMP[0, k], TMP[1, k], TMP[2, k], TMP[3, k] = 0.0, 1.0, 0.0, 1.0
        TMP[4, k], TMP[5, k] = _forced_node(GT[ra, k], GT[rb, k]), np.inf
        forced |= TMP[4, k] >= 0.0
    for q in range(npl):
        r0, r1 = code[cond + q * 2], code[cond + q * 2 + 1]
        for k in range(nb):
            d0, d1 = GT[r0, k] / u[k], GT[r1, k] / u[k]
            slope = d1 - d0
            t_tol, t_edge = (hold - d0) / slope, (-edge - d0) / slope
            if slope > 0:
                TMP[0, k], TMP[2, k] = max(TMP[0, k], t_tol), max(TMP[2, k], t_edge)
            elif slope < 0:
                TMP[1, k], TMP[3, k] = min(TMP[1, k], t_tol), min(TMP[3, k], t_edge)
            else:
                TMP[0, k] = 2.0 if d0 < hold else TMP[0, k]
                TMP[2, k] = 2.0 if d0 < -edge else TMP[2, k]
        if forced:
            for k in range(nb):
                d = GT[r1, k] if TMP[4, k] == 1.0 else GT[r0, k]
                TMP[5, k] = min(TMP[5, k], d / u[k])
    for k in range(nb):
        if TMP[4, k] >= 0.0:
            low[k] = TMP[5, k]
        elif TMP[0, k] <= TMP[1, k]:
            low[k] = 0.0
        elif TMP[2, k] <= TMP[3, k]:
            low[k] = -0.5 * (tol + edge)
        else:
            low[k] = -np.inf


@_jit
def _shared_check(m, nb, GT, UB, UT, code, spe, prior, tol, edge, w, d, SC, TMP, MLOW, MREG, MUNK):
    """Shared check ``m`` of the pure structures (a slot of ``c_memo``) at the block's points, as
    :func:`_one_check` gives it: margin ``MLOW[m, k]``, its part in the regret ``MREG[m, k]``
    (``-margin`` where the check counts for it, else 0) and ``MUNK[m, k]`` (1 where the kernel
    cannot tell, else 0). On-path, singleton, free two-node and SPE checks run over the block's
    points innermost (``SC``, ``TMP``: scratch); the others point by point."""
    rows = code[2 * ROWS]
    c = code[code[2 * MEMO_CHECK] + m]
    pl, npl = code[code[2 * C_PLAYER] + c], code[code[2 * C_NPLANS] + c]
    nn, cond = code[code[2 * C_NNODES] + c], rows + code[code[2 * C_COND] + c]
    if spe:
        _min_over_plans(nb, GT, code, cond, npl, UT[pl], SC, MLOW[m], True, SC)
        for k in range(nb):
            MREG[m, k], MUNK[m, k] = -MLOW[m, k], 0.0
        return
    tr, base = code[rows + code[code[2 * C_TOT] + c]], rows + code[code[2 * C_VAL] + c]
    if tr != 0:  # row 0 is empty: a set off the path at every point
        _min_over_plans(nb, GT, code, base, npl, UT[pl], SC, MLOW[m], False, GT[tr])
    mixing = code[code[2 * C_MIXING] + c]
    off = tr == 0
    for k in range(nb):
        off |= not GT[tr, k] > REACH_BAND
    if not off:  # on the path at every point
        for k in range(nb):
            MREG[m, k], MUNK[m, k] = -MLOW[m, k], 0.0
        return
    if nn == 1 and not mixing:  # for off-path points: the one node's conditional values
        _min_over_plans(nb, GT, code, cond, npl, UT[pl], SC, MREG[m], True, SC)
    carries = code[code[2 * C_DEPTH] + c] > 0  # the mover may carry its belief here
    pair = nn == 2 and not mixing and not prior
    if pair:  # free beliefs over two nodes, for off-path points
        reach = rows + code[code[2 * C_REACH] + c]
        _free_pair(nb, GT, code, cond, reach, npl, UT[pl], tol, edge, TMP, MREG[m])
    for k in range(nb):
        MUNK[m, k] = 0.0
        if GT[tr, k] > REACH_BAND:
            MREG[m, k] = -MLOW[m, k]
            continue
        if GT[tr, k] > 0:  # reached here, maybe not for the solver: undecided
            MLOW[m, k], MUNK[m, k], MREG[m, k] = np.inf, 1.0, 0.0
            continue
        kind, low = POLICY, 0.0
        if carries and not mixing:
            kind, low = _carried(c, GT[:, k], w, 1, UB[k, pl], code, prior, tol, edge, d)
        if mixing:
            MLOW[m, k] = -np.inf
        elif kind == CARRIED or kind == ANY:
            MLOW[m, k] = low
        elif kind == UNSURE:
            MLOW[m, k], MUNK[m, k] = np.inf, 1.0
        elif nn == 1 or pair:
            MLOW[m, k] = MREG[m, k]
        else:
            low = _off_path(c, GT[:, k], w, 1, UB[k, pl], code, prior, tol, edge, d)
            MLOW[m, k], MUNK[m, k] = (np.inf, 1.0) if math.isnan(low) else (low, 0.0)
        MREG[m, k] = 0.0


@_jit
def _block_pure(b0, nb, GT, UB, UT, code, spe, prior, tol, edge, w, d, SC, TMP, shared, SST, SREG, W, R, U):
    """Every pure structure at the block's points from the shared checks: ``SST[s, k]`` is 1
    where it holds (regret ``SREG[s, k]``), 0 where it fails, -1 where the point is undecided.
    A shared check is computed (:func:`_shared_check`) when a structure first needs it in the
    block (``done[m] == b0``); ``shared`` holds ``(done, MLOW, MREG, MUNK)``.

    The same rule as :func:`_check` with :func:`_scan_point`: a structure fails where a check
    fails by more than ``edge`` (its worst margin, a running minimum, is below ``-edge``);
    otherwise it holds when its worst margin is at least ``-tol`` and no check is unknown, and
    the point is undecided when the worst margin lies in ``[-edge, -tol)`` or a check is
    unknown. (At least ``-tol``: at least :func:`_near_tol`, a margin within rounding of
    ``-tol`` being undecided too.) A block's structure stops at the first check that fails at every point.
    """
    done, MLOW, MREG, MUNK = shared
    s_mix, s_chk, c_memo = code[2 * S_MIX], code[2 * S_CHK], code[2 * C_MEMO]
    for s in range(code[2 * S_MIX + 1]):
        if code[s_mix + s] != 0:
            continue
        for k in range(nb):
            W[k], R[k], U[k] = np.inf, 0.0, 0.0
        for c in range(code[s_chk + s], code[s_chk + s + 1]):
            m = code[c_memo + c]
            if done[m] != b0:
                _shared_check(m, nb, GT, UB, UT, code, spe, prior, tol, edge, w, d, SC, TMP, MLOW, MREG, MUNK)
                done[m] = b0
            for k in range(nb):
                W[k] = min(W[k], MLOW[m, k])
                R[k] = max(R[k], MREG[m, k])
                U[k] = max(U[k], MUNK[m, k])
            alive = False
            for k in range(nb):
                alive |= W[k] >= -edge
            if not alive:
                break
        near = _near_tol(tol)
        for k in range(nb):
            worst, unknown = W[k], U[k] != 0.0
            if not worst >= -edge:
                SST[s, k] = 0
            elif (worst < near) or unknown:
                SST[s, k] = -1
            else:
                SST[s, k], SREG[s, k] = 1, max(R[k], 0.0)


@_jit
def _block_candidates(nb, code, SST, EQS, cand):
    """The structures that hold, or may, at some point of the block, in order, into ``cand``;
    returns how many. A pure structure is a candidate where ``SST`` is not 0; one mixing at two
    sets where neither of its equations is without a root."""
    s_mix, s_roots = code[2 * S_MIX], code[2 * S_ROOTS]
    n = 0
    for s in range(code[2 * S_MIX + 1]):
        live = False
        if code[s_mix + s] == 2:
            e_y, e_x = code[s_roots + 2 * s], code[s_roots + 2 * s + 1]
            for k in range(nb):
                live |= (EQS[e_y, k] != NONE) & (EQS[e_x, k] != NONE)
        else:
            for k in range(nb):
                live |= SST[s, k] != 0
        if live:
            cand[n] = s
            n += 1
    return n


@_inline
def _corner_value(GT, k, CW, RIX, at, step):
    """The corner-weighted value at the block's point ``k`` of the rows ``RIX[at + c * step]``
    (corners ``c``, weights ``CW[c, k]``), summed in the order of :func:`_comb`."""
    acc = CW[0, k] * GT[RIX[at], k]
    acc += CW[1, k] * GT[RIX[at + step], k]
    acc += CW[2, k] * GT[RIX[at + 2 * step], k]
    acc += CW[3, k] * GT[RIX[at + 3 * step], k]
    return acc


@_jit
def _mixed_check(c, live, m, GT, UB, UT, code, spe, prior, tol, edge, w, d, CW, RIX, low, flags, status):
    """Check ``c`` of a structure mixing at two sets at the block's points ``live[:m]`` (corner
    weights ``CW``), as :func:`_one_check` gives it: margin ``low[k]`` and flags ``flags[k]`` at
    point ``k``, the rows' positions looked up once for the block (into ``RIX``: per corner,
    the plans' rows, then the reach total's); a point where the set is off the path is checked
    by :func:`_one_check` itself. Where the mixtures are surely inside ``(0, 1)`` (``status[k]``
    :data:`INSIDE`) a reach total in ``(0, REACH_BAND]`` leaves the check unknown; near a boundary
    (``AMBIGUOUS``) the structure is undecided wherever it may hold, and decided where it fails."""
    pl, npl, rows = code[code[2 * C_PLAYER] + c], code[code[2 * C_NPLANS] + c], code[2 * ROWS]
    base = rows + code[code[2 * (C_COND if spe else C_VAL)] + c]
    total = rows + code[code[2 * C_TOT] + c]
    step = npl + 1
    for j in range(4):
        for q in range(npl):
            RIX[j * step + q] = code[base + j * npl + q]
        RIX[j * step + npl] = 0 if spe else code[total + j]
    for t in range(m):
        k = live[t]
        u, lo = UT[pl, k], np.inf
        flags[k] = 1
        if spe:
            for q in range(npl):
                lo = min(lo, _corner_value(GT, k, CW, RIX, q, step) / u)
            low[k] = lo
            continue
        tot = _corner_value(GT, k, CW, RIX, npl, step)
        if 0.0 < tot <= REACH_BAND and status[k] == INSIDE:  # reached here, maybe not for the solver
            low[k], flags[k] = np.inf, 2
            continue
        if not tot > 0:  # off the path at this point
            w[0], w[1], w[2], w[3] = CW[0, k], CW[1, k], CW[2, k], CW[3, k]
            low[k], flags[k] = _one_check(c, 4, GT[:, k], UB[k], code, spe, prior, tol, edge, w, d)
            continue
        scale = 1.0 / (tot * u)
        for q in range(npl):
            lo = min(lo, _corner_value(GT, k, CW, RIX, q, step) * scale)
        low[k] = lo


@_jit
def _block_mixed(nb, GT, UB, UT, code, spe, prior, tol, edge, w, d, EQS, EQV, cand, SST, SREG, mixed):
    """Every candidate structure mixing at two sets at the block's points, as :func:`_block_pure`
    gives the pure ones: ``SST[s, k]`` is 1 where it holds (regret ``SREG[s, k]``), 0 where it
    does not, -1 where the point is undecided. A structure holds where both its mixing
    probabilities are inside ``(0, 1)`` and its checks (:func:`_mixed_check`, at those
    mixtures) lose at most ``tol``; the point is undecided where a check loses between ``tol``
    and ``edge``, where a check cannot be told, or where the structure holds with a mixing
    probability that floating point cannot place. Each point stops at its first check that
    fails by more than ``edge`` (the points still in play are listed in ``live``).
    ``mixed``: the scratch arrays ``(CW, RIX, low, W, R, U, ST)``."""
    CW, RIX, low, W, R, U, ST = mixed
    status, flags, live = ST[0], ST[1], ST[2]
    s_mix, s_chk = code[2 * S_MIX], code[2 * S_CHK]
    for s in cand:
        if code[s_mix + s] != 2:
            continue
        m = np.int64(0)  # not the literal 0, which would compile _mixed_check once more
        for k in range(nb):
            st, _x, _y = _mixing(s, k, code, EQS, EQV, w)
            status[k], SST[s, k] = st, 0
            if st != NONE:
                CW[0, k], CW[1, k], CW[2, k], CW[3, k] = w[0], w[1], w[2], w[3]
                W[k], R[k], U[k] = np.inf, 0.0, 0.0
                live[m] = k
                m += 1
        for c in range(code[s_chk + s], code[s_chk + s + 1]):
            if m == 0:
                break
            _mixed_check(c, live, m, GT, UB, UT, code, spe, prior, tol, edge, w, d, CW, RIX, low, flags,
                         status)
            kept = 0
            for t in range(m):
                k = live[t]
                if flags[k] & 1:
                    R[k] = max(R[k], -low[k])
                if flags[k] & 2:
                    U[k] = 1.0
                W[k] = min(W[k], low[k])
                if W[k] >= -edge:
                    live[kept] = k
                    kept += 1
            m = kept
        near = _near_tol(tol)
        for k in range(nb):
            if status[k] == NONE:
                continue
            worst, unknown = W[k], U[k] != 0.0
            holds = worst >= near and not unknown
            if (-edge <= worst < near) or (worst >= near and unknown) or (holds and status[k] == AMBIGUOUS):
                SST[s, k] = -1
            elif holds:
                SST[s, k], SREG[s, k] = 1, R[k]


@_jit
def _block_counts(nb, ok, SST, cand, row, cap, CNT, OFF):
    """Per point of the block: ``CNT[k]`` its number of equilibria (-1 if it is undecided: an
    input is not finite, or a candidate's verdict is -1) and ``OFF[k]`` the row of its first
    equilibrium, counting from ``row``. Returns how many of the block's points have their rows
    fit in ``cap`` rows (all of them, unless the caller's arrays are short)."""
    for k in range(nb):
        CNT[k] = 0 if ok[k] else -1
    for s in cand:
        for k in range(nb):
            v = SST[s, k]
            CNT[k] = -1 if (v < 0) | (CNT[k] < 0) else CNT[k] + v
    for k in range(nb):
        OFF[k] = row
        if CNT[k] > 0:
            if row + CNT[k] > cap:
                return k
            row += CNT[k]
    return nb


@_jit
def _block_rows(b0, nb, GT, code, EQV, SST, SREG, cand, CNT, OFF, RANK, w, out):
    """The rows of the block's first ``nb`` points' equilibria into ``out`` (see :func:`run`): the
    candidates in order, each at the points where it holds (``SST[s, k] == 1``, the point
    decided), the rows of point ``k`` from ``OFF[k]`` on (``RANK``: scratch)."""
    point, eq, n_eq, struct, regret, outcome, payoff = out
    L, N, rows, s_mix = outcome.shape[0], payoff.shape[0], code[2 * ROWS], code[2 * S_MIX]
    for k in range(nb):
        RANK[k] = 0
    for s in cand:
        mixed = code[s_mix + s] == 2
        nc = 4 if mixed else 1
        o_base, p_base = rows + code[code[2 * S_OUT] + s], rows + code[code[2 * S_PAY] + s]
        for k in range(nb):
            if SST[s, k] != 1 or CNT[k] < 0:
                continue
            if mixed:
                _corners(s, k, code, EQV, w)
            o = OFF[k] + RANK[k]
            point[o], eq[o], n_eq[o], struct[o], regret[o] = b0 + k, RANK[k], CNT[k], s, max(SREG[s, k], 0.0)
            G = GT[:, k]
            for lab in range(L):
                outcome[lab, o] = _comb(G, code, o_base + lab, L, w, nc)
            for i in range(N):
                payoff[i, o] = _comb(G, code, p_base + i, N, w, nc)
            RANK[k] += 1


@_entry
def run(pay, ce, units, code, Wv, spe, prior, tol, edge, bufs, start, row, undecided, out):
    """Evaluate points ``start, start + 1, ...``: their rows into ``out`` from ``row`` on, the
    undecided ones flagged in ``undecided``. Stops when the rows of a point do not fit; returns
    the next point to evaluate and the next free row.

    ``out`` holds ``(point, equilibrium, n_equilibria, structure, regret, outcome, payoff)``,
    the last two ``(labels, rows)`` and ``(players, rows)``; ``pay`` and ``ce`` are
    ``(payoffs, points)`` and ``(chance edges, points)``; ``bufs`` are the scratch arrays of
    :func:`deterrence.kernels._compiled.engine_buffers` (their last dimension, or for ``ok`` its
    length, is the number of points computed together: a block).

    Per block everything is computed for all its points at once (loops over the points
    innermost): the features, rows, mixing equations, shared checks, the pure structures, the
    candidates, the mixed structures among them, each point's count of equilibria and first
    row; then the rows are written, candidate by candidate.
    """
    (RT, BT, LO, HI, TMP, w, d, EQS, EQV, done, MLOW, MREG, MUNK, SST, SREG, CAND, W, R, U,
     XT, GT, ET, UB, UT, ok, CNT, OFF, RANK, CW, RIX, MLOW1, MST) = bufs  # fmt: skip
    shared, mixed = (done, MLOW, MREG, MUNK), (CW, RIX, MLOW1, W, R, U, MST)
    done[:] = -1
    P, B = pay.shape[1], ok.shape[0]
    for b0 in range(start, P, B):
        nb = min(B, P - b0)
        _block_values(b0, nb, pay, ce, units, code, Wv, RT, BT, LO, HI, XT, GT, ET, UB, UT, ok)
        _block_equations(nb, GT, ET, code, edge, EQS, EQV)
        _block_pure(
            b0, nb, GT, UB, UT, code, spe, prior, tol, edge, w, d, HI, TMP, shared, SST, SREG, W, R, U
        )
        cand = CAND[: _block_candidates(nb, code, SST, EQS, CAND)]
        _block_mixed(nb, GT, UB, UT, code, spe, prior, tol, edge, w, d, EQS, EQV, cand, SST, SREG, mixed)
        fit = _block_counts(nb, ok, SST, cand, row, out[0].shape[0], CNT, OFF)
        _block_rows(b0, fit, GT, code, EQV, SST, SREG, cand, CNT, OFF, RANK, w, out)
        for k in range(fit):
            if CNT[k] < 0:
                undecided[b0 + k] = True
            else:
                row += CNT[k]
        if fit < nb:
            return b0 + fit, row
    return P, row
