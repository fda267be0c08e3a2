"""All Nash equilibria of a bimatrix game by enumerating the vertices of its best-response polytopes.

Avis, Rosenberg, Savani and von Stengel, "Enumeration of Nash equilibria for two-player
games", *Economic Theory* 42 (2010): the extreme equilibria of a bimatrix game are the
completely labelled vertex pairs ``(x, y) != (0, 0)`` of ``P = {x >= 0, B^T x <= 1}`` and
``Q = {A y <= 1, y >= 0}`` (payoffs made positive), and every equilibrium component is
the union of the convex hulls of its maximal Nash subsets (cliques of extreme equilibria).

How the vertices are found
--------------------------
1. *Convex hull* (default): the vertices are read from the facets of the polar point set
   with qhull (``scipy.spatial.ConvexHull``, as QuantEcon does). Each vertex's tight
   constraints are recomputed from its coordinates, so the triangulated pieces of one
   facet of a degenerate polytope merge into one vertex with all its labels.
2. *Lexicographic pivoting* (``vertex_method="pivot"``, and the fallback if qhull fails):
   breadth-first search over the feasible bases of the lexicographically perturbed
   polytope from the origin, a whole layer at a time in numpy (batched ratio tests and
   batched pivots). Exact combinatorics for any degeneracy (Balinski: the graph of the
   perturbed, simple polytope is connected; every vertex has a lexicographic basis).
3. *Basis enumeration* (``vertex_method="bases"``, tiny games): every ``d``-subset.

Labels are bitmasks; complementary pairs are matched by hashing (nondegenerate) or by a
"labels missing from both" matrix product (degenerate). Each returned pair is re-solved
from its tight constraints (least squares, or exactly in rationals with ``exact=True``).
The result equals the extreme-equilibrium set of pygambit's ``enummixed_solve``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from math import comb
from typing import Any

import numpy as np

from ..errors import SolverError
from ._bimatrix import (
    bimatrix,
    bit_keys,
    candidates_from_pairs,
    polytope_p,
    polytope_q,
    scaled_positive,
)
from ._options import option
from .base import RawResult, SolveOptions, SolverInfo, SolverOptions

_TIE = 1e-9  # relative tolerance for ties in ratio tests (degeneracy)
_TIGHT = 1e-9  # tolerance for a constraint to count as tight (payoffs scaled to [1, 2])
_BIG = 1e200  # "infinite" rate/slack of a blocking constraint at a degenerate vertex
_TABLE_BITS = 26  # up to this many labels, visited bases are marked in a 2**L bit table
_METHODS = ("auto", "qhull", "pivot", "bases")
_THREAD_MIN = 49  # games with at least this many strategy pairs enumerate P and Q in parallel


# ---------------------------------------------------------------------------- vertices by pivoting
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


# ---------------------------------------------------------------------------- vertices by qhull
def _tight_of(g: np.ndarray, rhs: np.ndarray, z: np.ndarray) -> np.ndarray:
    slack = rhs[None, :] - z @ g.T
    return np.abs(slack) <= _TIGHT * (1.0 + np.abs(rhs))[None, :]


def _qhull_vertices(g: np.ndarray, rhs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of ``{z : g z <= rhs}`` from the convex hull of the polar points (any degeneracy)."""
    from scipy.spatial import ConvexHull

    d = g.shape[1]
    pos = rhs > 0
    t = 0.5 / float((g[pos] @ np.ones(d)).max())
    centre = np.full(d, t)
    s = rhs - g @ centre  # all > 0
    pts = g / s[:, None]
    hull = ConvexHull(pts)
    eq = hull.equations
    z = centre[None, :] + eq[:, :-1] / (-eq[:, -1:])
    tight = _tight_of(g, rhs, z)
    if np.any(tight.sum(axis=1) < d):  # an imprecise facet: let exact pivoting do it
        raise SolverError("qhull returned a facet whose vertex has fewer than d tight constraints")
    _, first = np.unique(bit_keys(tight), return_index=True)
    return z[first], tight[first]


def _basis_vertices(g: np.ndarray, rhs: np.ndarray, limit: float = 2e6) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of ``{z : g z <= rhs}`` by solving every ``d``-subset of constraints (small games).

    Each subset's system is solved through its singular value decomposition; subsets whose
    smallest singular value is below ``1e-10`` times the largest are skipped (every vertex
    also has a nonsingular subset of its tight constraints).
    """
    n_rows, d = g.shape
    total = comb(n_rows, d)
    if total > limit:
        raise SolverError(
            f"exhaustive vertex enumeration would solve {total} linear systems (limit {limit:.0f})"
        )
    subsets = _subsets(n_rows, d)
    u, sv, vt = np.linalg.svd(g[subsets])  # (S, d, d), (S, d), (S, d, d)
    ok = sv[:, -1] > 1e-10 * sv[:, 0]
    coef = np.einsum("sji,sj->si", u[ok], rhs[subsets[ok]]) / sv[ok]
    z = np.einsum("sji,sj->si", vt[ok], coef)
    feasible = np.all(z @ g.T <= rhs[None, :] + _TIGHT, axis=1)
    z = z[feasible]
    tight = _tight_of(g, rhs, z)
    _, first = np.unique(bit_keys(tight), return_index=True)
    return z[first], tight[first]


def _subsets(n: int, k: int) -> np.ndarray:
    """All ``k``-subsets of ``range(n)`` as an int array ``(C(n, k), k)`` (cached)."""
    key = (n, k)
    if key not in _SUBSETS:
        from itertools import combinations

        total = comb(n, k)
        _SUBSETS[key] = np.fromiter((c for cb in combinations(range(n), k) for c in cb), dtype=np.int64,
                                    count=total * k).reshape(total, k)
    return _SUBSETS[key]


_SUBSETS: dict[tuple[int, int], np.ndarray] = {}


def _interval_vertices(g: np.ndarray, rhs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of a 1-dimensional polytope ``{z : g z <= rhs}`` (an interval ``[0, u]``)."""
    col = g[:, 0]
    u = float(np.min(rhs[col > 0] / col[col > 0]))
    z = np.array([[0.0], [u]])
    return z, _tight_of(g, rhs, z)


def polytope_vertices(g: np.ndarray, rhs: np.ndarray, method: str = "auto"
                      ) -> tuple[np.ndarray, Any, bool]:
    """All vertices of a best-response polytope ``{z : g z <= rhs}`` (see the module doc).

    Parameters
    ----------
    g, rhs
        Constraints, one row per label (from :func:`._bimatrix.polytope_p` / ``polytope_q``).
    method
        ``"auto"``/``"qhull"`` (facets of the polar's convex hull; ``"auto"`` falls back to
        pivoting if qhull fails), ``"pivot"`` (exact lexicographic pivoting) or ``"bases"``
        (every ``d``-subset of constraints; small games only).

    Returns
    -------
    tight, coords, simple
        Tight constraints of each vertex ``(V, L)``; a function ``coords(idx)`` giving the
        coordinates of the vertices ``idx``; whether every vertex has exactly ``d`` tight
        constraints.
    """
    d = g.shape[1]
    if method not in _METHODS:
        raise SolverError(f"unknown vertex method '{method}'; use one of {', '.join(_METHODS)}")
    use_pivot = d > 1 and method == "pivot"
    z = np.zeros((0, d))
    if d == 1:
        z, tight = _interval_vertices(g, rhs)
    elif method in ("auto", "qhull"):
        try:
            z, tight = _qhull_vertices(g, rhs)
        except Exception:  # qhull precision trouble (QhullError): exact pivoting instead
            use_pivot = True
    elif method == "bases":
        z, tight = _basis_vertices(g, rhs)
    if use_pivot:
        basis, tight, _ = _pivot_vertices(g, rhs)

        def coords(idx: np.ndarray) -> np.ndarray:
            if len(idx) == 0:
                return np.zeros((0, d))
            rows = basis[idx]
            return np.linalg.solve(g[rows], rhs[rows][..., None])[..., 0]
    else:
        def coords(idx: np.ndarray) -> np.ndarray:
            return _refine(g, rhs, z[idx], tight[idx])
    simple = bool(np.all(tight.sum(axis=1) == d))
    return tight, coords, simple


# ---------------------------------------------------------------------------- matching
def _match_dense(tp: np.ndarray, tq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All completely labelled pairs, by counting labels missing from both (any label count)."""
    miss_p = (~tp).astype(np.float32)
    miss_q = (~tq).astype(np.float32)
    ii: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    jj: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    chunk = max(1, 4_000_000 // max(1, len(tq)))
    for lo in range(0, len(tp), chunk):
        both = miss_p[lo:lo + chunk] @ miss_q.T
        i, j = np.nonzero(both == 0)
        ii.append(i + lo)
        jj.append(j)
    return np.concatenate(ii), np.concatenate(jj)


def _match(tp: np.ndarray, tq: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs ``(i, j)`` with every label tight at P-vertex ``i`` or at Q-vertex ``j``.

    Pairs of simple vertices (exactly ``m`` resp. ``n`` labels) must have complementary
    label sets and are found by hashing; pairs with a degenerate vertex by bitmask
    broadcasting over just the degenerate vertices.
    """
    n_labels = tp.shape[1]
    if n_labels > 62:
        return _match_dense(tp, tq)
    kp, kq = bit_keys(tp), bit_keys(tq)
    full = np.int64((1 << n_labels) - 1)
    cnt_p, cnt_q = tp.sum(axis=1), tq.sum(axis=1)
    simple_p = cnt_p == m
    simple_q = cnt_q == n_labels - m
    ii: list[np.ndarray] = []
    jj: list[np.ndarray] = []
    sp, sq = np.flatnonzero(simple_p), np.flatnonzero(simple_q)
    if len(sp) and len(sq):
        want = np.bitwise_xor(kp[sp], full)
        order = np.argsort(kq[sq])
        sorted_q = kq[sq][order]
        pos = np.minimum(np.searchsorted(sorted_q, want), len(sq) - 1)
        hit = sorted_q[pos] == want
        ii.append(sp[hit])
        jj.append(sq[order[pos[hit]]])
    dp, dq = np.flatnonzero(~simple_p), np.flatnonzero(~simple_q)
    if len(dp):  # degenerate P vertices against every Q vertex
        i, j = np.nonzero((kp[dp][:, None] | kq[None, :]) == full)
        ii.append(dp[i])
        jj.append(j)
    if len(dq):  # simple P vertices against degenerate Q vertices
        i, j = np.nonzero((kp[sp][:, None] | kq[dq][None, :]) == full)
        ii.append(sp[i])
        jj.append(dq[j])
    if not ii:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(ii), np.concatenate(jj)


def _refine(g: np.ndarray, rhs: np.ndarray, z: np.ndarray, tight: np.ndarray) -> np.ndarray:
    """Re-solve vertices from their tight constraints (batched when exactly ``d`` are tight)."""
    out = z.copy()
    d = g.shape[1]
    count = tight.sum(axis=1)
    square = np.flatnonzero(count == d)
    if len(square):
        rows = np.nonzero(tight[square])[1].reshape(-1, d)
        out[square] = np.linalg.solve(g[rows], rhs[rows][..., None])[..., 0]
    for k in np.flatnonzero(count != d):
        rows = np.flatnonzero(tight[k])
        out[k], *_ = np.linalg.lstsq(g[rows], rhs[rows], rcond=None)
    return out


def _components(ip: np.ndarray, jq: np.ndarray) -> int:
    """Number of connected components of the bipartite graph of extreme equilibria."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(u: tuple[str, int]) -> tuple[str, int]:
        parent.setdefault(u, u)
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    for i, j in zip(ip.tolist(), jq.tolist(), strict=True):
        a, b = find(("p", i)), find(("q", j))
        if a != b:
            parent[a] = b
    return len({find(u) for u in list(parent)})


# ---------------------------------------------------------------------------- solver entry points
@cache
def _executor() -> ThreadPoolExecutor:
    """Two worker threads: qhull and numpy release the GIL, so both polytopes run at once."""
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="deterrence-vertices")


def extreme_equilibria(a: np.ndarray, b: np.ndarray, method: str = "auto", threads: bool = True
                       ) -> dict[str, Any]:
    """Extreme equilibria of the bimatrix game ``(a, b)``, as arrays.

    Parameters
    ----------
    a, b
        Payoff matrices of the row and column player, shape ``(m, n)``.
    method
        Vertex method, see :func:`polytope_vertices`.
    threads
        Enumerate the two polytopes in two threads (games of at least 49 strategy pairs).

    Returns
    -------
    dict
        ``x`` ``(E, m)`` and ``y`` ``(E, n)`` normalised strategies, ``x_tight`` and
        ``y_tight`` (tight labels of each vertex), ``degenerate`` (bool), ``components``
        (number of equilibrium components) and the vertex counts ``vertices_p``/``vertices_q``.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    m = a.shape[0]
    gp, rp = polytope_p(scaled_positive(b))
    gq, rq = polytope_q(scaled_positive(a))
    if threads and a.size >= _THREAD_MIN:
        other = _executor().submit(polytope_vertices, gq, rq, method)
        tp, coords_p, simple_p = polytope_vertices(gp, rp, method)
        tq, coords_q, simple_q = other.result()
    else:
        tp, coords_p, simple_p = polytope_vertices(gp, rp, method)
        tq, coords_q, simple_q = polytope_vertices(gq, rq, method)
    nz_p = np.flatnonzero(~np.all(tp[:, :m], axis=1))  # drop the origin (x = 0)
    nz_q = np.flatnonzero(~np.all(tq[:, m:], axis=1))
    tp, tq = tp[nz_p], tq[nz_q]
    simple = simple_p and simple_q
    ip, jq = _match(tp, tq, m)
    xs, ys = coords_p(nz_p[ip]), coords_q(nz_q[jq])
    xs = np.clip(xs, 0.0, None)
    ys = np.clip(ys, 0.0, None)
    xs = xs / xs.sum(axis=1, keepdims=True)
    ys = ys / ys.sum(axis=1, keepdims=True)
    return {
        "x": xs,
        "y": ys,
        "x_tight": tp[ip],
        "y_tight": tq[jq],
        "degenerate": not simple,
        "components": _components(ip, jq) if not simple else len(ip),
        "vertices_p": len(tp) + 1,
        "vertices_q": len(tq) + 1,
    }


@dataclass(frozen=True)
class VertexEnumerationOptions(SolverOptions):
    """Options of ``vertex_enumeration``.

    Parameters
    ----------
    vertex_method
        How the vertices of the best-response polytopes are found: ``"auto"`` (the convex
        hull by qhull, exact pivoting if qhull fails), ``"qhull"``, ``"pivot"`` (exact
        lexicographic pivoting) or ``"bases"`` (every basis; tiny games only).
    threads
        Enumerate the two polytopes in two threads (games of at least 49 strategy pairs);
        ``False`` keeps the work in the calling thread.
    """

    vertex_method: str = option("auto", choices=_METHODS)
    threads: bool = True


def run(game: Any, options: SolveOptions) -> RawResult:
    """Every extreme Nash equilibrium of a 2-player normal-form game (see the module doc)."""
    opts = options.of(VertexEnumerationOptions)
    a, b = bimatrix(game)
    res = extreme_equilibria(a, b, method=opts.vertex_method, threads=opts.threads)
    cands = candidates_from_pairs(game, res["x"], res["y"], res["x_tight"], res["y_tight"],
                                  exact=options.exact)
    notes = [f"{res['vertices_p']} vertices of P and {res['vertices_q']} of Q enumerated"]
    if res["degenerate"]:
        notes.insert(0, (
            f"degenerate game: the {len(cands)} equilibria returned are the extreme points of "
            f"{res['components']} equilibrium component(s); every convex combination within a "
            "maximal Nash subset (clique of extreme equilibria) is also an equilibrium"
        ))
    return RawResult(candidates=cands, complete=True, degenerate=res["degenerate"], notes=tuple(notes))


def _max_vertices(facets: int, dim: int) -> int:
    """McMullen's upper bound on the vertices of a ``dim``-polytope with ``facets`` facets."""
    if dim <= 1:
        return 2
    return comb(facets - (dim + 1) // 2, facets - dim) + comb(facets - (dim + 2) // 2, facets - dim)


def estimate(game: Any) -> float:
    """Work estimate: the upper-bound vertex counts times the cost of one pivot."""
    m, n = game.shape
    size = m + n
    return float(_max_vertices(size, m) * m * m * size + _max_vertices(size, n) * n * n * size)


SOLVER = SolverInfo(
    name="vertex_enumeration",
    concepts=frozenset({"nash"}),
    kinds=frozenset({"normal"}),
    run=run,
    options=VertexEnumerationOptions,
    finds="all",
    min_players=2,
    max_players=2,
    estimate=estimate,
    description=(
        "all equilibria of 2-player games (extreme points of every component if degenerate) "
        "by enumerating best-response polytope vertices"
    ),
)
