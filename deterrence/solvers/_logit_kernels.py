"""Compiled kernels of logit tracing (numba, cached on disk): values, the path follower, Newton, regret.

The logit quantal-response equilibria of a game form a curve that starts at the centroid at
precision ``t = 0`` (Turocy 2005). This module holds everything that runs per step of the
tracing, compiled:

* **action values** ``v_a`` and their Jacobian ``dv_a / dx_b`` in log-probabilities ``x``:
  :func:`normal_values` (N-player tables: ``v`` of every pure strategy against the others'
  mix) and :func:`tree_values` (the agent form of a tree: the value of an action at an
  information set, with beliefs from the realisation probabilities computed in logarithms,
  so that nothing underflows at large precision);
* the **logit system** in log-odds coordinates ``d_a = x_a - x_ref(g)`` (one fewer unknown
  per group — player or information set — than actions): ``H_a = d_a - t w_a (v_a - v_ref)``
  with ``y = (d, t)`` (:func:`system`);
* the **predictor–corrector path follower** (:func:`advance`): Euler predictor along the
  tangent, Newton corrector on the system augmented with the tangent, step-size adaptation
  after Allgower & Georg (1990, §6.1), and the sign of ``det [J; tangent]``, which flips
  where the branch passes a bifurcation point;
* **Newton at a fixed precision** (:func:`newton_fixed_t`) and the **Nash regret** of a
  profile (:func:`normal_regret`, :func:`tree_regret`: the best response of each player by
  a dynamic programme over its own sequences, valid under perfect recall) and the agent-form
  regret (:func:`tree_agent_regret`).

Games enter as tuples of arrays (:class:`Sys`), built once per solve by
:mod:`deterrence.solvers._logit`. The pure-Python implementation in
:mod:`deterrence.solvers._qre_path` is the test oracle of these kernels.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from .._jit import numba_module

njit = numba_module().njit

#: a game as the kernels see it. ``kind`` 0: normal form (``shape``, ``npay`` of shape
#: ``(N, prod(shape))``); 1: tree (the node arrays). ``goff``: offsets of each group's
#: actions (groups are players or information sets), ``owner``: the player of each group,
#: ``wa``: the precision weight of each action's owner (the ray ``lambda = t * w``).
#: ``fz``: per node, the frozen belief weight at information sets whose beliefs are fixed
#: (negative: not frozen). ``cols``: the order in which the columns of the augmented Jacobian
#: ``[J; tangent]`` (``n + 1`` of them, ``t`` last) are eliminated, chosen to limit fill-in
#: (:func:`~deterrence.solvers._logit.fill_reducing_order`; any permutation ending in ``n``
#: gives the same solutions up to rounding).
Sys = namedtuple(
    "Sys",
    "kind goff owner wa shape npay parent ntype edge_act log_c c set_of kid_ptr kid_idx pay "
    "set_ptr set_nodes fz cols",
)

_DEC, _CHANCE, _TERM = 0, 1, 2


# ---------------------------------------------------------------------------- normal form
@njit(cache=True)
def normal_values(shape, npay, goff, p, derivs):
    """Values of every pure strategy against ``p`` and ``dv / dp`` (zero blocks on the diagonal)."""
    n = shape.shape[0]
    k = goff[n]
    s_total = npay.shape[1]
    v = np.zeros(k)
    jac = np.zeros((k, k)) if derivs else np.zeros((1, 1))
    idx = np.zeros(n, dtype=np.int64)
    q = np.empty(n)
    for s in range(s_total):
        for j in range(n):
            q[j] = p[goff[j] + idx[j]]
        for i in range(n):
            a = npay[i, s]
            if a == 0.0:
                continue
            pr = 1.0
            for j in range(n):
                if j != i:
                    pr *= q[j]
            row = goff[i] + idx[i]
            v[row] += a * pr
            if derivs:
                for m in range(n):
                    if m == i:
                        continue
                    pr2 = a
                    for j in range(n):
                        if j != i and j != m:
                            pr2 *= q[j]
                    jac[row, goff[m] + idx[m]] += pr2
        for ax in range(n - 1, -1, -1):
            idx[ax] += 1
            if idx[ax] < shape[ax]:
                break
            idx[ax] = 0
    return v, jac


# ---------------------------------------------------------------------------- trees
@njit(cache=True)
def _tree_pass(sy, x):
    """Log edge weights, log realisation probabilities and conditional node values at ``x``."""
    nn = sy.parent.shape[0]
    npl = sy.pay.shape[1]
    le = np.zeros(nn)
    e = np.ones(nn)
    for v in range(1, nn):
        a = sy.edge_act[v]
        if a >= 0:
            le[v] = x[a]
            e[v] = math.exp(x[a])
        else:
            le[v] = sy.log_c[v]
            e[v] = sy.c[v]
    lr = np.zeros(nn)
    for v in range(1, nn):
        lr[v] = lr[sy.parent[v]] + le[v]
    val = np.zeros((nn, npl))
    for v in range(nn):
        if sy.ntype[v] == _TERM:
            for i in range(npl):
                val[v, i] = sy.pay[v, i]
    for v in range(nn - 1, 0, -1):
        ev = e[v]
        if ev != 0.0:
            par = sy.parent[v]
            for i in range(npl):
                val[par, i] += ev * val[v, i]
    return le, lr, val


@njit(cache=True)
def _log_beliefs(sy, lr):
    """Log beliefs at every decision node, and which sets have fixed (frozen or uniform) beliefs."""
    nn = lr.shape[0]
    ng = sy.owner.shape[0]
    lmu = np.full(nn, -np.inf)
    fixed = np.zeros(ng, dtype=np.bool_)
    for g in range(ng):
        lo, hi = sy.set_ptr[g], sy.set_ptr[g + 1]
        top = -np.inf
        for k in range(lo, hi):
            top = max(top, lr[sy.set_nodes[k]])
        if sy.fz[sy.set_nodes[lo]] >= 0.0 or top == -np.inf:
            fixed[g] = True
            for k in range(lo, hi):
                u = sy.set_nodes[k]
                w = sy.fz[u] if sy.fz[u] >= 0.0 else 1.0 / (hi - lo)
                lmu[u] = math.log(w) if w > 0.0 else -np.inf
            continue
        tot = 0.0
        for k in range(lo, hi):
            tot += math.exp(lr[sy.set_nodes[k]] - top)
        lz = top + math.log(tot)
        for k in range(lo, hi):
            u = sy.set_nodes[k]
            lmu[u] = lr[u] - lz
    return lmu, fixed


@njit(cache=True)
def tree_values(sy, x, derivs):
    """Agent-form action values at log-probabilities ``x`` and ``dv / dx`` (``K x K``)."""
    le, lr, val = _tree_pass(sy, x)
    lmu, fixed = _log_beliefs(sy, lr)
    k_all = sy.goff[sy.goff.shape[0] - 1]
    ng = sy.owner.shape[0]
    v = np.zeros(k_all)
    for g in range(ng):
        i = sy.owner[g]
        na = sy.goff[g + 1] - sy.goff[g]
        for k in range(sy.set_ptr[g], sy.set_ptr[g + 1]):
            u = sy.set_nodes[k]
            mu = math.exp(lmu[u])
            if mu == 0.0:
                continue
            base = sy.kid_ptr[u]
            for a in range(na):
                v[sy.goff[g] + a] += mu * val[sy.kid_idx[base + a], i]
    if not derivs:
        return v, np.zeros((1, 1))
    jac = np.zeros((k_all, k_all))
    _belief_terms(sy, lmu, fixed, val, v, jac)
    _continuation_terms(sy, le, lmu, val, x, jac)
    return v, jac


@njit(cache=True)
def _belief_terms(sy, lmu, fixed, val, v, jac):
    """``dv/dx`` through the beliefs: ``sum_u dmu(u)/dx_b * value of (u, a)``."""
    k_all = v.shape[0]
    ng = sy.owner.shape[0]
    m = np.zeros(k_all)
    touched = np.empty(k_all, dtype=np.int64)
    for g in range(ng):
        if fixed[g]:
            continue
        i = sy.owner[g]
        a0, a1 = sy.goff[g], sy.goff[g + 1]
        nt = 0
        for k in range(sy.set_ptr[g], sy.set_ptr[g + 1]):
            u = sy.set_nodes[k]
            mu = math.exp(lmu[u])
            if mu == 0.0:
                continue
            base = sy.kid_ptr[u]
            c = u
            while c != 0:
                b = sy.edge_act[c]
                if b >= 0:
                    if m[b] == 0.0:
                        touched[nt] = b
                        nt += 1
                    m[b] += mu
                    for a in range(a0, a1):
                        jac[a, b] += mu * val[sy.kid_idx[base + a - a0], i]
                c = sy.parent[c]
        for q in range(nt):
            b = touched[q]
            for a in range(a0, a1):
                jac[a, b] -= m[b] * v[a]
            m[b] = 0.0


@njit(cache=True)
def _continuation_terms(sy, le, lmu, val, x, jac):
    """``dv/dx`` through the continuation values: every decision node below every action."""
    nn = sy.parent.shape[0]
    for z in range(nn):
        if sy.ntype[z] != _DEC:
            continue
        gz = sy.set_of[z]
        b0, b1 = sy.goff[gz], sy.goff[gz + 1]
        zbase = sy.kid_ptr[z]
        run = 0.0
        c = z
        while c != 0:
            par = sy.parent[c]
            if sy.ntype[par] == _DEC:
                a = sy.edge_act[c]
                i = sy.owner[sy.set_of[par]]
                w0 = lmu[par] + run
                if w0 > -np.inf:
                    for b in range(b0, b1):
                        jac[a, b] += math.exp(w0 + x[b]) * val[sy.kid_idx[zbase + b - b0], i]
            run += le[c]
            if run == -np.inf:
                break
            c = par


# ---------------------------------------------------------------------------- the system
@njit(cache=True)
def x_of_d(goff, d):
    """Log-probabilities from log-odds (each group's first action is the reference)."""
    ng = goff.shape[0] - 1
    x = np.empty(goff[ng])
    for g in range(ng):
        a0, a1 = goff[g], goff[g + 1]
        top = 0.0
        for a in range(a0 + 1, a1):
            top = max(top, d[a - g - 1])
        tot = math.exp(-top)
        for a in range(a0 + 1, a1):
            tot += math.exp(d[a - g - 1] - top)
        lz = top + math.log(tot)
        x[a0] = -lz
        for a in range(a0 + 1, a1):
            x[a] = d[a - g - 1] - lz
    return x


@njit(cache=True)
def values_x(sy, x, derivs):
    """Action values at log-probabilities ``x`` and ``dv/dx``, for either kind of game."""
    if sy.kind == 0:
        p = np.exp(x)
        v, jac = normal_values(sy.shape, sy.npay, sy.goff, p, derivs)
        if derivs:
            for b in range(p.shape[0]):
                jac[:, b] *= p[b]
        return v, jac
    return tree_values(sy, x, derivs)


@njit(cache=True)
def system(sy, y, derivs):
    """``H(y)`` and its Jacobian ``(n, n + 1)`` at ``y = (d, t)``."""
    goff = sy.goff
    ng = goff.shape[0] - 1
    k_all = goff[ng]
    n = k_all - ng
    t = y[n]
    x = x_of_d(goff, y[:n])
    v, dx = values_x(sy, x, derivs)
    h = np.empty(n)
    for g in range(ng):
        ref = goff[g]
        for a in range(ref + 1, goff[g + 1]):
            r = a - g - 1
            h[r] = y[r] - t * sy.wa[a] * (v[a] - v[ref])
    if not derivs:
        return h, np.zeros((1, 1))
    p = np.exp(x)
    # dv/dd_c = dv/dx_c - p_c * sum_{b in group(c)} dv/dx_b; blocks where dv_a/dx is zero on
    # a whole group (most of them: the Jacobian of a tree is sparse) add nothing
    rows = np.zeros((k_all, ng))
    nz = np.zeros((k_all, ng), dtype=np.bool_)
    for a in range(k_all):
        for g in range(ng):
            s = 0.0
            any_nz = False
            for b in range(goff[g], goff[g + 1]):
                s += dx[a, b]
                any_nz = any_nz or dx[a, b] != 0.0
            rows[a, g] = s
            nz[a, g] = any_nz
    jac = np.zeros((n, n + 1))
    for g in range(ng):
        ref = goff[g]
        for a in range(ref + 1, goff[g + 1]):
            r = a - g - 1
            lam = t * sy.wa[a]
            for gc in range(ng):
                if not (nz[a, gc] or nz[ref, gc]):
                    continue
                for c_act in range(goff[gc] + 1, goff[gc + 1]):
                    c = c_act - gc - 1
                    pc = p[c_act]
                    da = dx[a, c_act] - pc * rows[a, gc]
                    dr = dx[ref, c_act] - pc * rows[ref, gc]
                    jac[r, c] = -lam * (da - dr)
            jac[r, r] += 1.0
            jac[r, n] = -sy.wa[a] * (v[a] - v[ref])
    return h, jac


# ---------------------------------------------------------------------------- linear algebra
@njit(cache=True)
def lu_factor(a):
    """LU factors of ``a`` with partial pivoting, skipping zeros (the Jacobians of trees are sparse).

    Returns ``(lu, perm, sign)``: ``a[perm] = L U`` with ``L`` unit lower triangular; ``sign``
    is the sign of ``det a`` (0 if ``a`` is singular).
    """
    n = a.shape[0]
    lu = a.copy()
    perm = np.arange(n)
    sign = 1.0
    cols = np.empty(n, dtype=np.int64)
    for k in range(n):
        p = k
        best = abs(lu[k, k])
        for i in range(k + 1, n):
            if abs(lu[i, k]) > best:
                best = abs(lu[i, k])
                p = i
        if best == 0.0:
            return lu, perm, 0.0
        if p != k:
            for j in range(n):
                tmp = lu[k, j]
                lu[k, j] = lu[p, j]
                lu[p, j] = tmp
            tmp_i = perm[k]
            perm[k] = perm[p]
            perm[p] = tmp_i
            sign = -sign
        piv = lu[k, k]
        if piv < 0.0:
            sign = -sign
        nc = 0
        for j in range(k + 1, n):
            if lu[k, j] != 0.0:
                cols[nc] = j
                nc += 1
        for i in range(k + 1, n):
            m = lu[i, k]
            if m != 0.0:
                m /= piv
                lu[i, k] = m
                for q in range(nc):
                    j = cols[q]
                    lu[i, j] -= m * lu[k, j]
    return lu, perm, sign


@njit(cache=True)
def lu_solve(lu, perm, b):
    """Solve ``a x = b`` from :func:`lu_factor`'s factors.

    The triangular sweeps run over whole rows without testing for zeros (a zero entry adds
    ``0 * x_j = 0``: the same numbers, and the loops vectorise better without the test).
    """
    n = lu.shape[0]
    x = np.empty(n)
    for i in range(n):
        x[i] = b[perm[i]]
    for i in range(n):
        s = x[i]
        for j in range(i):
            s -= lu[i, j] * x[j]
        x[i] = s
    for i in range(n - 1, -1, -1):
        s = x[i]
        for j in range(i + 1, n):
            s -= lu[i, j] * x[j]
        x[i] = s / lu[i, i]
    return x


@njit(cache=True)
def permutation_sign(cols):
    """Sign (+1 or -1) of the permutation ``cols``."""
    n = cols.shape[0]
    seen = np.zeros(n, dtype=np.bool_)
    sign = 1.0
    for i in range(n):
        if seen[i]:
            continue
        j = i
        length = 0
        while not seen[j]:
            seen[j] = True
            j = cols[j]
            length += 1
        if length % 2 == 0:
            sign = -sign
    return sign


@njit(cache=True)
def ordered_solve(lu, perm, cols, b):
    """Solve ``a x = b`` from the factors of ``a[:, cols]`` (:func:`lu_factor`)."""
    z = lu_solve(lu, perm, b)
    x = np.empty_like(z)
    for j in range(cols.shape[0]):
        x[cols[j]] = z[j]
    return x


@njit(cache=True)
def compress_factors(lu):
    """The nonzeros of :func:`lu_factor`'s factors by row, off the diagonal: ``(ptr, idx, val)``
    (row ``i``'s entries are ``idx[ptr[i]:ptr[i + 1]]``, columns increasing), for repeated solves."""
    n = lu.shape[0]
    ptr = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        c = 0
        for j in range(n):
            if j != i and lu[i, j] != 0.0:
                c += 1
        ptr[i + 1] = ptr[i] + c
    idx = np.empty(ptr[n], dtype=np.int64)
    val = np.empty(ptr[n])
    q = 0
    for i in range(n):
        for j in range(n):
            if j != i and lu[i, j] != 0.0:
                idx[q] = j
                val[q] = lu[i, j]
                q += 1
    return ptr, idx, val


@njit(cache=True)
def sparse_ordered_solve(ptr, idx, val, lu, perm, cols, b):
    """:func:`ordered_solve` with the factors' nonzeros from :func:`compress_factors`: the same
    operations in the same order, less the terms that are zero."""
    n = lu.shape[0]
    z = np.empty(n)
    for i in range(n):
        z[i] = b[perm[i]]
    for i in range(n):
        s = z[i]
        for q in range(ptr[i], ptr[i + 1]):
            j = idx[q]
            if j >= i:
                break
            s -= val[q] * z[j]
        z[i] = s
    for i in range(n - 1, -1, -1):
        s = z[i]
        for q in range(ptr[i], ptr[i + 1]):
            j = idx[q]
            if j > i:
                s -= val[q] * z[j]
        z[i] = s / lu[i, i]
    x = np.empty(n)
    for j in range(n):
        x[cols[j]] = z[j]
    return x


# ---------------------------------------------------------------------------- following the path
@njit(cache=True)
def _augmented(jac, tau, cols):
    """``[jac; tau]`` with its columns in the order ``cols``."""
    n = jac.shape[0]
    m = np.empty((n + 1, n + 1))
    for j in range(n + 1):
        c = cols[j]
        for i in range(n):
            m[i, j] = jac[i, c]
        m[n, j] = tau[c]
    return m


@njit(cache=True)
def frame(sy, y, tau_prev):
    """The LU factors of ``[J(y); tau_prev]`` (columns in the order ``sy.cols``), the unit
    tangent at ``y`` oriented along ``tau_prev``, and the sign of ``det [J; tangent]`` (0:
    singular)."""
    n = y.shape[0] - 1
    _, jac = system(sy, y, True)
    lu, perm, sign = lu_factor(_augmented(jac, tau_prev, sy.cols))
    rhs = np.zeros(n + 1)
    rhs[n] = 1.0
    if sign == 0.0:
        return lu, perm, tau_prev.copy(), 0.0
    sign *= permutation_sign(sy.cols)
    tau = ordered_solve(lu, perm, sy.cols, rhs)
    return lu, perm, tau / np.linalg.norm(tau), sign


@njit(cache=True)
def _correct(sy, y0, lu, perm, max_dist, max_contr, iters):
    """Chord corrector from the predicted point ``y0`` with the factors of the last accepted point.

    Each iteration solves ``[J; tau_prev] dy = [-H(y); 0]`` (so ``y`` stays on the hyperplane
    through ``y0`` normal to ``tau_prev``). Returns ``(ok, y, first step, contraction)``.
    """
    n = y0.shape[0] - 1
    y = y0.copy()
    d1 = 0.0
    contr = 0.0
    prev = -1.0
    rhs = np.zeros(n + 1)
    ptr, idx, val = compress_factors(lu)
    for k in range(iters):
        h, _ = system(sy, y, False)
        for r in range(n):
            if not np.isfinite(h[r]):
                return False, y, np.inf, np.inf
        rhs[:n] = -h
        dy = sparse_ordered_solve(ptr, idx, val, lu, perm, sy.cols, rhs)
        d = np.linalg.norm(dy)
        if not np.isfinite(d):
            return False, y, np.inf, np.inf
        if k == 0:
            d1 = d
            if d1 > 4.0 * max_dist:
                return False, y, d1, np.inf
        elif prev > 1e-12:
            ratio = d / prev
            contr = max(contr, ratio)
            if contr > 4.0 * max_contr:
                return False, y, d1, contr
        y = y + dy
        prev = d
        if d <= 1e-10 * max(1.0, np.max(np.abs(y))):
            return True, y, d1, contr
    return False, y, d1, contr


@njit(cache=True)
def advance(sy, y, tau, h, sign, lu, perm, t_stop, max_steps, ctl, record):
    """Follow the branch from ``(y, tau)`` with step ``h`` until ``t >= t_stop`` or ``max_steps``.

    ``lu, perm``: the factors of ``[J(y); tau_prev]`` (:func:`frame`). ``ctl = (hmin, hmax,
    max_dist, max_contr, max_angle, corrector iterations)``. Returns ``(status, y, tau, h,
    sign, lu, perm, y_prev, tau_prev, sign_prev, steps, points)``: status 0 when ``t >=
    t_stop`` (``y_prev`` is the point before), 1 after ``max_steps`` steps, 2 when the step
    size fell below ``hmin``, 3 when the orientation flipped (a bifurcation between
    ``y_prev`` and ``y``). ``points`` holds the accepted points if ``record``.
    """
    hmin, hmax, max_dist, max_contr, max_angle = ctl[0], ctl[1], ctl[2], ctl[3], ctl[4]
    iters = int(ctl[5])
    n1 = y.shape[0]
    pts = np.empty((max_steps if record else 0, n1))
    y_prev, tau_prev, sign_prev = y.copy(), tau.copy(), sign
    for step in range(max_steps):
        while True:
            if h < hmin:
                return (2, y, tau, h, sign, lu, perm, y_prev, tau_prev, sign_prev, step, pts[:step])
            ok, ynew, d1, contr = _correct(sy, y + h * tau, lu, perm, max_dist, max_contr, iters)
            if not ok:
                h /= 2.0
                continue
            lu2, perm2, tnew, snew = frame(sy, ynew, tau)
            cos = min(1.0, np.dot(tnew, tau))
            angle = math.acos(max(-1.0, cos))
            f = max(math.sqrt(d1 / max_dist), math.sqrt(contr / max_contr), angle / max_angle)
            if f > 2.0 or snew == 0.0:
                h /= 2.0
                continue
            break
        y_prev, tau_prev, sign_prev = y, tau, sign
        y, tau, lu, perm, sign = ynew, tnew, lu2, perm2, snew
        h = min(hmax, h / max(f, 0.5))
        if record:
            pts[step] = y
        if sign * sign_prev < 0.0:
            return (3, y, tau, h, sign, lu, perm, y_prev, tau_prev, sign_prev, step + 1, pts[:step + 1])
        if y[n1 - 1] >= t_stop:
            return (0, y, tau, h, sign, lu, perm, y_prev, tau_prev, sign_prev, step + 1, pts[:step + 1])
    return (1, y, tau, h, sign, lu, perm, y_prev, tau_prev, sign_prev, max_steps, pts[:max_steps])


@njit(cache=True)
def _square(jac, cols):
    """The ``n x n`` part of ``jac`` (``t``'s column dropped), columns in the order ``cols``."""
    n = jac.shape[0]
    m = np.empty((n, n))
    for j in range(n):
        c = cols[j]
        for i in range(n):
            m[i, j] = jac[i, c]
    return m


@njit(cache=True)
def newton_fixed_t(sy, y, t, tol, iters):
    """Newton's method on ``H(., t) = 0`` from ``y``: ``(best y, its residual)``."""
    n = y.shape[0] - 1
    y = y.copy()
    y[n] = t
    best = y.copy()
    best_res = np.inf
    for _ in range(iters):
        h, jac = system(sy, y, True)
        res = np.max(np.abs(h)) if n else 0.0
        if not np.isfinite(res):
            break
        if res < best_res:
            best_res = res
            best[:] = y
        if res <= tol:
            break
        cols = sy.cols[:n]
        lu, perm, sign = lu_factor(_square(jac, cols))
        if sign == 0.0:
            break
        dy = ordered_solve(lu, perm, cols, -h)
        y[:n] += dy
        if np.max(np.abs(dy)) <= 1e-15 * max(1.0, np.max(np.abs(y))):
            h, _ = system(sy, y, False)  # the step's own point, which may be the best
            res = np.max(np.abs(h)) if n else 0.0
            if res < best_res:
                best_res = res
                best[:] = y
            break
    return best, best_res


# ---------------------------------------------------------------------------- regret
@njit(cache=True)
def normal_regret(sy, p):
    """Largest gain of any player from a unilateral deviation (normal form)."""
    v, _ = normal_values(sy.shape, sy.npay, sy.goff, p, False)
    out = 0.0
    for i in range(sy.shape.shape[0]):
        best = -np.inf
        cur = 0.0
        for a in range(sy.goff[i], sy.goff[i + 1]):
            best = max(best, v[a])
            cur += p[a] * v[a]
        out = max(out, best - cur)
    return out


@njit(cache=True)
def _edges(sy, p):
    nn = sy.parent.shape[0]
    e = np.ones(nn)
    for v in range(1, nn):
        a = sy.edge_act[v]
        e[v] = p[a] if a >= 0 else sy.c[v]
    return e


@njit(cache=True)
def tree_regret(sy, p, last, first_of_set, set_order):
    """Largest gain of any player from switching to a best response (perfect recall).

    ``last[v, i]``: the flat index of player ``i``'s last own action above node ``v`` (-1:
    none); ``set_order``: information sets ordered so that every set comes before the sets
    above it (decreasing preorder index of their first node).
    """
    nn = sy.parent.shape[0]
    npl = sy.pay.shape[1]
    k_all = p.shape[0]
    e = _edges(sy, p)
    reach = np.ones(nn)
    rho = np.ones((nn, npl))  # reach by chance and the others, per player
    for v in range(1, nn):
        par = sy.parent[v]
        reach[v] = reach[par] * e[v]
        mover = sy.owner[sy.set_of[par]] if sy.ntype[par] == _DEC else -1
        for i in range(npl):
            rho[v, i] = rho[par, i] * (1.0 if i == mover else e[v])
    acc = np.zeros((npl, k_all + 1))
    current = np.zeros(npl)
    for v in range(nn):
        if sy.ntype[v] != _TERM:
            continue
        for i in range(npl):
            acc[i, last[v, i] + 1] += rho[v, i] * sy.pay[v, i]
            current[i] += reach[v] * sy.pay[v, i]
    below = np.zeros((npl, k_all + 1))
    for q in range(set_order.shape[0]):
        g = set_order[q]
        i = sy.owner[g]
        best = -np.inf
        for a in range(sy.goff[g], sy.goff[g + 1]):
            best = max(best, acc[i, a + 1] + below[i, a + 1])
        below[i, last[first_of_set[g], i] + 1] += best
    out = 0.0
    for i in range(npl):
        out = max(out, acc[i, 0] + below[i, 0] - current[i])
    return out


@njit(cache=True)
def tree_agent_gains(sy, p):
    """Per action, what its agent (the information set's mover) gains by switching to it alone:
    ``sum_u reach(u) * (value of (u, a) - value of u)`` over the set's nodes ``u`` (unnormalised
    by the set's reach, so zero at a set ``p`` does not reach)."""
    nn = sy.parent.shape[0]
    npl = sy.pay.shape[1]
    e = _edges(sy, p)
    reach = np.ones(nn)
    for v in range(1, nn):
        reach[v] = reach[sy.parent[v]] * e[v]
    val = np.zeros((nn, npl))
    for v in range(nn):
        if sy.ntype[v] == _TERM:
            for i in range(npl):
                val[v, i] = sy.pay[v, i]
    for v in range(nn - 1, 0, -1):
        par = sy.parent[v]
        for i in range(npl):
            val[par, i] += e[v] * val[v, i]
    out = np.zeros(p.shape[0])
    for g in range(sy.owner.shape[0]):
        i = sy.owner[g]
        a0 = sy.goff[g]
        na = sy.goff[g + 1] - a0
        cur = 0.0
        for k in range(sy.set_ptr[g], sy.set_ptr[g + 1]):
            u = sy.set_nodes[k]
            cur += reach[u] * val[u, i]
            for a in range(na):
                out[a0 + a] += reach[u] * val[sy.kid_idx[sy.kid_ptr[u] + a], i]
        for a in range(na):
            out[a0 + a] -= cur
    return out


@njit(cache=True)
def tree_agent_regret(sy, p):
    """Largest gain of any agent (one information set) from changing its own move only."""
    return max(0.0, np.max(tree_agent_gains(sy, p))) if p.shape[0] else 0.0


# ---------------------------------------------------------------------------- refinement
@njit(cache=True)
def reached_sets(sy, p):
    """Which groups the profile ``p`` reaches with positive probability (all, in a normal form)."""
    ng = sy.owner.shape[0]
    out = np.ones(ng, dtype=np.bool_)
    if sy.kind == 0:
        return out
    e = _edges(sy, p)
    nn = e.shape[0]
    reach = np.ones(nn)
    for v in range(1, nn):
        reach[v] = reach[sy.parent[v]] * e[v]
    for g in range(ng):
        tot = 0.0
        for k in range(sy.set_ptr[g], sy.set_ptr[g + 1]):
            tot += reach[sy.set_nodes[k]]
        out[g] = tot > 0.0
    return out


@njit(cache=True)
def support_newton(sy, x, mask, mixed, iters, reached=None, ties=None):
    """Newton's method on the indifference equations of the groups ``mixed`` on the support ``mask``.

    Unknowns: the log-probabilities ``x`` of the support's actions in those groups (every
    other entry of ``x`` stays fixed). Equations per group: each support action earns its
    mover what the first one does, and the probabilities sum to one. Stops early when the
    residual stops falling. Returns ``(x, largest residual)`` at the best iterate.

    ``reached`` (per group; default all True): a group of ``mixed`` marked False (a set the
    support does not reach) has only its sum equation: its behaviour is free. ``ties``
    (actions outside the support, default none): each must earn its mover what the first
    support action of its group does. With either, the system need not be square, and each
    step is the least-squares step of smallest norm (Gauss-Newton), which stays near ``x``
    along the directions the equations leave free.
    """
    goff = sy.goff
    k_all = x.shape[0]
    ng = goff.shape[0] - 1
    if reached is None:
        reached = np.ones(ng, dtype=np.bool_)
    if ties is None:
        ties = np.zeros(0, dtype=np.int64)
    first = np.full(ng, -1, dtype=np.int64)
    for a in range(k_all - 1, -1, -1):
        if mask[a]:
            first[_group_of(goff, a)] = a
    colpos = np.full(k_all, -1, dtype=np.int64)
    cols = np.empty(k_all, dtype=np.int64)
    m = 0
    nr = ties.shape[0]
    for q in range(mixed.shape[0]):
        g = mixed[q]
        nr += 1
        for a in range(goff[g], goff[g + 1]):
            if mask[a]:
                colpos[a] = m
                cols[m] = a
                m += 1
                if reached[g] and a != first[g]:
                    nr += 1
    cols = cols[:m]
    x = x.copy()
    best_x = x.copy()
    best = np.inf
    stale = 0
    f = np.empty(nr)
    for _ in range(iters):
        v, dx = values_x(sy, x, True)
        jm = np.zeros((nr, m))
        r = 0
        for q in range(mixed.shape[0]):
            g = mixed[q]
            ref = first[g]
            tot = 0.0
            for a in range(goff[g], goff[g + 1]):
                if not mask[a]:
                    continue
                tot += math.exp(x[a])
                if a == ref or not reached[g]:
                    continue
                f[r] = v[a] - v[ref]
                for c in range(m):
                    jm[r, c] = dx[a, cols[c]] - dx[ref, cols[c]]
                r += 1
            f[r] = tot - 1.0
            for a in range(goff[g], goff[g + 1]):
                if mask[a]:
                    jm[r, colpos[a]] = math.exp(x[a])
            r += 1
        for q in range(ties.shape[0]):
            a = ties[q]
            ref = first[_group_of(goff, a)]
            f[r] = v[a] - v[ref]
            for c in range(m):
                jm[r, c] = dx[a, cols[c]] - dx[ref, cols[c]]
            r += 1
        res = np.max(np.abs(f)) if nr else 0.0
        if not np.isfinite(res):
            break
        if res < best:
            best = res
            best_x[:] = x
            stale = 0
        else:
            stale += 1
            if stale >= 3:
                break
        if res <= 1e-15 or m == 0:  # m == 0: tied actions but no unknown to move (nothing to solve)
            break
        if nr == m:
            lu, perm, sign = lu_factor(jm)
            if sign != 0.0:
                step = lu_solve(lu, perm, -f)
            else:  # singular (e.g. symmetric players): the least-squares step
                step = np.linalg.lstsq(jm, -f)[0]
        else:  # ties or free sets: the least-squares step of smallest norm
            step = np.linalg.lstsq(jm, -f)[0]
        for c in range(m):
            x[cols[c]] += step[c]
    return best_x, best


@njit(cache=True)
def _group_of(goff, a):
    """The group (player or information set) of the flat action index ``a``."""
    lo, hi = 0, goff.shape[0] - 2
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if goff[mid] <= a:
            lo = mid
        else:
            hi = mid - 1
    return lo


# ---------------------------------------------------------------------------- pure profiles
@njit(cache=True)
def pure_agent_equilibria(sy, start, count, tol, recall, last, first_of_set, set_order, max_out):
    """Pure profiles ``start ... start + count - 1`` (mixed-radix order) with agent-form regret
    at most ``tol``, and with perfect recall also Nash regret at most ``tol``.

    Returns the flat indices of those profiles (at most ``max_out`` of them).
    """
    goff = sy.goff
    ng = goff.shape[0] - 1
    k_all = goff[ng]
    digits = np.zeros(ng, dtype=np.int64)
    rest = start
    for g in range(ng - 1, -1, -1):
        size = goff[g + 1] - goff[g]
        digits[g] = rest % size
        rest //= size
    out = np.empty(max_out, dtype=np.int64)
    found = 0
    p = np.zeros(k_all)
    for q in range(count):
        p[:] = 0.0
        for g in range(ng):
            p[goff[g] + digits[g]] = 1.0
        ok = tree_agent_regret(sy, p) <= tol
        if ok and recall:
            ok = tree_regret(sy, p, last, first_of_set, set_order) <= tol
        if ok:
            if found < max_out:
                out[found] = start + q
            found += 1
        for g in range(ng - 1, -1, -1):
            digits[g] += 1
            if digits[g] < goff[g + 1] - goff[g]:
                break
            digits[g] = 0
    return out[:min(found, max_out)], found


@njit(cache=True)
def regret_of(sy, p, mode, last, first_of_set, set_order):
    """Regret of ``p`` in scaled payoffs: mode 0 normal form, 1 tree (Nash), 2 tree (agent form)."""
    if mode == 0:
        return normal_regret(sy, p)
    if mode == 1:
        return tree_regret(sy, p, last, first_of_set, set_order)
    return tree_agent_regret(sy, p)


@njit(cache=True)
def refine_support(sy, p, mask, max_mixed, regret_tol, mode, last, first_of_set, set_order, ties):
    """The exact equilibrium on the support ``mask`` near ``p``: ``(q, ok)``.

    Groups with one support action are held pure, groups the support does not reach (trees)
    at ``p`` restricted to the support; the others solve their indifference equations
    (:func:`support_newton`). ``ok`` if that converged and the regret is at most ``regret_tol``.

    ``ties`` (trees only): if that profile's agents gain by switching to actions outside the
    support, try again (:func:`_tie_refine`) with those actions tied to the support and the
    sets the support does not reach free.
    """
    goff = sy.goff
    ng = goff.shape[0] - 1
    q = np.where(mask, p, 0.0)
    for g in range(ng):
        s = 0.0
        for a in range(goff[g], goff[g + 1]):
            s += q[a]
        for a in range(goff[g], goff[g + 1]):
            q[a] /= s
    reached = reached_sets(sy, q)
    mixed = _mixing_groups(goff, mask, reached, True)
    nm = mixed.shape[0]
    if max_mixed >= 0 and nm > max_mixed:
        return q, False
    if nm:
        x = np.log(np.maximum(q, 0.0))
        x, res = support_newton(sy, x, mask, mixed, 40)
        if not res <= 1e-11:
            return q, False
        q = np.exp(x)
    ok = regret_of(sy, q, mode, last, first_of_set, set_order) <= regret_tol
    if ok or not ties or sy.kind == 0:
        return q, ok
    return _tie_refine(sy, q, mask, reached, regret_tol, mode, last, first_of_set, set_order)


@njit(cache=True)
def _mixing_groups(goff, mask, reached, only_reached):
    """The groups in which ``mask`` keeps two actions or more, in order (``only_reached``: only
    those ``reached`` marks)."""
    ng = goff.shape[0] - 1
    out = np.empty(ng, dtype=np.int64)
    n = 0
    for g in range(ng):
        if only_reached and not reached[g]:
            continue
        cnt = 0
        for a in range(goff[g], goff[g + 1]):
            if mask[a]:
                cnt += 1
        if cnt >= 2:
            out[n] = g
            n += 1
    return out[:n]


@njit(cache=True)
def _tie_refine(sy, q, mask, reached, regret_tol, mode, last, first_of_set, set_order):
    """The exact equilibrium near ``q`` (solved on the support ``mask``) in which every action
    outside the support that an agent at a reached set gains by at ``q`` is tied with the
    support instead, the behaviour at the sets the support does not reach free: ``(q, ok)``.

    At a degenerate equilibrium an unused action can be exactly as good as the support; the
    logit branch then plays it with a probability that vanishes like ``1 / lambda``, and the
    behaviour below it (unreached in the limit) only tends to what keeps it tied. Held at the
    traced values, that behaviour leaves the unused action a gain of order ``1 / lambda``,
    and with the action in the support the indifference equations have no solution nearby
    (its probability would have to be zero). Tied instead, off-path behaviour is an unknown:
    one least-squares (smallest-norm) Newton solve from ``q`` (:func:`support_newton`).
    """
    goff = sy.goff
    gains = tree_agent_gains(sy, q)
    ties = np.empty(q.shape[0], dtype=np.int64)
    nt = 0
    for a in range(q.shape[0]):
        if not mask[a] and reached[_group_of(goff, a)] and gains[a] > 0.0:
            ties[nt] = a
            nt += 1
    if nt == 0:
        return q, False
    groups = _mixing_groups(goff, mask, reached, False)
    x, res = support_newton(sy, np.log(np.maximum(q, 0.0)), mask, groups, 40, reached, ties[:nt])
    if not res <= 1e-11:
        return q, False
    q = np.exp(x)
    return q, regret_of(sy, q, mode, last, first_of_set, set_order) <= regret_tol


@njit(cache=True)
def refine_near(sy, p, thresholds, near, max_mixed, regret_tol, mode, last, first_of_set, set_order, ties):
    """Try the supports ``p`` suggests (actions with at least ``threshold`` times the largest
    probability of their group, for each threshold): the first exact equilibrium within ``near``
    of ``p``, as ``(q, found)``. ``ties``: as :func:`refine_support`."""
    goff = sy.goff
    ng = goff.shape[0] - 1
    k_all = p.shape[0]
    gmax = np.zeros(ng)
    for g in range(ng):
        for a in range(goff[g], goff[g + 1]):
            gmax[g] = max(gmax[g], p[a])
    prev = np.zeros(k_all, dtype=np.bool_)
    for k in range(thresholds.shape[0]):
        mask = np.zeros(k_all, dtype=np.bool_)
        for g in range(ng):
            for a in range(goff[g], goff[g + 1]):
                mask[a] = p[a] >= thresholds[k] * gmax[g]
        if k > 0 and np.all(mask == prev):
            continue
        prev = mask
        q, ok = refine_support(sy, p, mask, max_mixed, regret_tol, mode, last, first_of_set, set_order, ties)
        if ok and np.max(np.abs(q - p)) <= near:
            return q, True
    return p, False
