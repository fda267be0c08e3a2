"""Test oracle: the plain-numpy vertex enumeration by layered lexicographic pivoting.

This was ``deterrence.solvers.vertex_enumeration``'s pivoting before the compiled kernel
(:mod:`deterrence.solvers._vertex_kernel`) replaced it; it is kept here, unchanged, only to check
the kernel's vertices (and their tight labels) against it on random and degenerate polytopes.
"""

from __future__ import annotations

import numpy as np

from deterrence.errors import SolverError
from deterrence.solvers._bimatrix import bit_keys

_TIE = 1e-9  # relative tolerance for ties in ratio tests (degeneracy)
_TIGHT = 1e-9  # tolerance for a constraint to count as tight (payoffs scaled to [1, 2])
_BIG = 1e200  # "infinite" rate/slack of a blocking constraint at a degenerate vertex
_TABLE_BITS = 26  # up to this many labels, visited bases are marked in a 2**L bit table


def _lex_entering(dic: np.ndarray, basis: np.ndarray, nonbasic: np.ndarray, p: np.ndarray,
                  cands: np.ndarray) -> np.ndarray:
    """Lexicographic ratio tests among tied rows, batched (rhs perturbed by ``eps**(label+1)``).

    In the dictionary ``s_N = sbar_N + D s_T`` the perturbed ``sbar_k`` has coefficient
    ``1`` on its own ``eps_k`` and ``-D[k, q]`` on ``eps_{T_q}``; the winner is the
    lexicographic minimum of these vectors divided by the rate ``-D[k, p]``. Distinct
    rows give distinct vectors, so the winner is unique.

    Parameters
    ----------
    dic, basis, nonbasic
        Dictionaries ``(T, L-d, d)``, basic ``(T, d)`` and nonbasic ``(T, L-d)``
        constraint indices of the ``T`` tied ratio tests.
    p
        Leaving basis position of each test ``(T,)``.
    cands
        Tied rows of each test ``(T, L-d)`` (boolean).

    Returns
    -------
    numpy.ndarray
        The winning dictionary row of each test.
    """
    n_t, n_non, d = dic.shape
    n_rows = n_non + d
    t = np.arange(n_t)
    rate = -dic[t, :, p]  # (T, L-d)
    vec = np.zeros((n_t, n_non, n_rows))
    vec[t[:, None, None], np.arange(n_non)[None, :, None], basis[:, None, :]] = -dic
    vec[t[:, None], np.arange(n_non)[None, :], nonbasic] += 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        vec /= rate[:, :, None]
    alive = cands.copy()
    for j in range(n_rows):
        if np.all(alive.sum(axis=1) == 1):
            break
        vals = np.where(alive, vec[:, :, j], np.inf)
        lo = vals.min(axis=1, keepdims=True)
        alive &= vals <= lo + _TIE * (1.0 + np.abs(lo))
    return alive.argmax(axis=1)


def _basis_keys(basis: np.ndarray, n_rows: int) -> np.ndarray:
    """Keys of sets of constraint indices (rows of ``basis``), as in :func:`bit_keys`."""
    if n_rows <= 62:
        return np.left_shift(np.int64(1), basis.astype(np.int64)).sum(axis=1)
    mask = np.zeros((len(basis), n_rows), dtype=bool)
    mask[np.arange(len(basis))[:, None], basis] = True
    return bit_keys(mask)


def _pivot_vertices(g: np.ndarray, rhs: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Vertices of ``{z : g z <= rhs}`` by layered lexicographic pivoting from the origin.

    Breadth-first search over the feasible bases of the lexicographically perturbed
    polytope (which is simple), a whole layer per step. A basis ``T`` (``d`` tight
    constraints) carries the dictionary ``s_N = sbar_N + D s_T`` of the other slacks;
    every basis of the layer runs its ``d`` ratio tests at once and each new basis gets
    its dictionary from its parent's by one batched pivot. Every vertex of the original
    polytope has at least one lexicographically feasible basis.

    A first pass skips the tie checks: it is exact for simple polytopes, and the first
    vertex with a nonbasic slack at zero (the only way a tie shows) restarts the search
    with lexicographic tie-breaking.

    Returns
    -------
    basis, tight, simple
        One basis (constraint indices, ``(V, d)``) per distinct vertex, the vertices'
        tight constraints ``(V, L)``, and whether the polytope is simple.
    """
    res = _pivot_search(g, rhs, checked=False)
    if res is None:
        res = _pivot_search(g, rhs, checked=True)
    assert res is not None
    return res


def _pivot_search(g: np.ndarray, rhs: np.ndarray, checked: bool
                  ) -> tuple[np.ndarray, np.ndarray, bool] | None:
    """The search of :func:`_pivot_vertices`; unchecked, returns ``None`` on a degenerate vertex."""
    n_rows, d = g.shape
    n_non = n_rows - d
    basis = np.flatnonzero(rhs == 0)[None, :]  # the origin: the d nonnegativity constraints
    nonbasic = np.flatnonzero(rhs != 0)[None, :]
    ginv0 = np.linalg.inv(g[basis[0]])
    dic = (g[nonbasic[0]] @ ginv0)[None]  # (N, L-d, d)
    sbar = (rhs[nonbasic[0]] - dic[0] @ rhs[basis[0]])[None]  # (N, L-d)
    int_keys = n_rows <= 62
    keys = _basis_keys(basis, n_rows)
    seen = np.zeros(1 << n_rows, dtype=bool) if n_rows <= _TABLE_BITS else None
    if seen is not None:
        seen[keys] = True
    visited = keys
    bases: list[np.ndarray] = []
    sbars: list[np.ndarray] = []
    nonbases: list[np.ndarray] = []
    simple = True
    while len(basis):
        bases.append(basis)
        sbars.append(sbar)
        nonbases.append(nonbasic)
        # ratio test as a maximum of rate / slack: no division by the dictionary
        if not checked:
            q = np.multiply(dic, (-1.0 / sbar)[:, :, None])
            enter = q.argmax(axis=1)  # (N, d): dictionary row that becomes tight
        else:
            q = np.negative(dic)  # rate at which each slack falls along each edge
            np.maximum(q, 0.0, out=q)
            pos = sbar > _TIGHT
            blocking = (~pos)[:, :, None] & (q > 1e-12)  # a zero slack blocks at step 0
            q *= np.where(pos, 1.0 / np.where(pos, sbar, 1.0), 0.0)[:, :, None]
            q[blocking] = _BIG
            enter = q.argmax(axis=1)
            qmax = np.take_along_axis(q, enter[:, None, :], axis=1)
            if not np.all(qmax > 0):
                raise SolverError("best-response polytope is unbounded; payoffs were not made positive")
            if n_non > 1:
                tied = q >= qmax * (1.0 - _TIE)
                ties = np.argwhere(tied.sum(axis=1) > 1)
                if len(ties):
                    simple = False
                    tn, tp = ties[:, 0], ties[:, 1]
                    enter[tn, tp] = _lex_entering(dic[tn], basis[tn], nonbasic[tn], tp, tied[tn, :, tp])
        entering = np.take_along_axis(nonbasic, enter, axis=1)  # (N, d) constraint indices
        if int_keys:
            ckeys = (keys[:, None] - np.left_shift(np.int64(1), basis)
                     + np.left_shift(np.int64(1), entering)).ravel()
        else:
            child = np.repeat(basis[:, None, :], d, axis=1)
            child[:, np.arange(d), np.arange(d)] = entering
            ckeys = _basis_keys(child.reshape(-1, d), n_rows)
        if seen is not None:
            cand = np.flatnonzero(~seen[ckeys])
            uniq, first = np.unique(ckeys[cand], return_index=True)
            sel = cand[first]
            seen[uniq] = True
        else:
            uniq, first = np.unique(ckeys, return_index=True)
            fresh = ~np.isin(uniq, visited, assume_unique=True)
            sel = first[fresh]
            visited = np.concatenate([visited, uniq[fresh]])
        keys = ckeys[sel]
        nn, pp = np.divmod(sel, d)
        rr = enter[nn, pp]
        f = np.arange(len(sel))
        parent = dic[nn]  # (F, L-d, d)
        col = parent[f, :, pp]  # (F, L-d): column of the leaving basic slack
        row = parent[f, rr, :]  # (F, d): row of the entering slack
        piv = row[f, pp]
        step = np.maximum(sbar[nn, rr], 0.0) / -piv
        newcol = col / piv[:, None]
        dic = parent - newcol[:, :, None] * row[:, None, :]
        dic[f, :, pp] = newcol
        dic[f, rr, :] = -row / piv[:, None]
        dic[f, rr, pp] = 1.0 / piv
        sbar = sbar[nn] + step[:, None] * col
        sbar[f, rr] = step
        if not checked and np.any(sbar <= _TIGHT):
            return None  # a degenerate vertex: redo with tie-breaking
        new_basis = basis[nn]
        new_basis[f, pp] = entering[nn, pp]
        new_nonbasic = nonbasic[nn]
        new_nonbasic[f, rr] = basis[nn, pp]
        basis, nonbasic = new_basis, new_nonbasic
    basis = np.vstack(bases)
    tight = np.zeros((len(basis), n_rows), dtype=bool)
    rows = np.arange(len(basis))[:, None]
    tight[rows, basis] = True
    tight[rows, np.vstack(nonbases)] = np.vstack(sbars) <= _TIGHT
    if simple:
        return basis, tight, True
    _, first = np.unique(bit_keys(tight), return_index=True)
    return basis[first], tight[first], False


def pivot_vertices(g: np.ndarray, rhs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every vertex of ``{z : g z <= rhs}``: coordinates ``(V, d)`` and tight labels ``(V, L)``."""
    basis, tight, _ = _pivot_vertices(g, rhs)
    z = np.linalg.solve(g[basis], rhs[basis][..., None])[..., 0]
    return z, tight
