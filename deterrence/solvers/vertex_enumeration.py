"""All Nash equilibria of a bimatrix game by enumerating the vertices of its best-response polytopes.

Avis, Rosenberg, Savani and von Stengel, "Enumeration of Nash equilibria for two-player
games", *Economic Theory* 42 (2010): the extreme equilibria of a bimatrix game are the
completely labelled vertex pairs ``(x, y) != (0, 0)`` of ``P = {x >= 0, B^T x <= 1}`` and
``Q = {A y <= 1, y >= 0}`` (payoffs made positive), and every equilibrium component is
the union of the convex hulls of its maximal Nash subsets (cliques of extreme equilibria).

How the vertices are found
--------------------------
1. *Lexicographic pivoting* (default, ``vertex_method="pivot"``): breadth-first search over
   the feasible bases of the lexicographically perturbed polytope from the origin, one pivot
   per new basis, visited bases in a hash set; compiled with numba when it is installed
   (:mod:`._vertex_kernel`). Exact combinatorics for any degeneracy (Balinski: the graph of
   the perturbed, simple polytope is connected; every vertex has a lexicographic basis), and
   each vertex is recorded with all its tight labels.
2. *Convex hull* (``vertex_method="qhull"``): the vertices are read from the facets of the
   polar point set with qhull (``scipy.spatial.ConvexHull``, as QuantEcon does). Each
   vertex's tight constraints are recomputed from its coordinates, so the triangulated pieces
   of one facet of a degenerate polytope merge into one vertex with all its labels; if qhull
   fails (precision), pivoting is used.
3. *Basis enumeration* (``vertex_method="bases"``, tiny games): every ``d``-subset.

Labels are bitmasks; complementary pairs are matched by hashing (nondegenerate vertices) or
by testing the union of the label sets (degenerate ones). The result equals the
extreme-equilibrium set of pygambit's ``enummixed_solve``.

Near ties
---------
In floating point a slack below ``1e-9`` (payoffs scaled to ``[1, 2]``) counts as zero, so a
game whose payoffs tie only to within that is solved as the tie game: ``degenerate=True``
then means *degenerate within the tolerance*, the list is complete for that tie game, and
equilibria of the exact game closer together than the tolerance are not told apart (an
exactly nondegenerate game may have more isolated equilibria than listed); the result says
so in a note. With ``exact=True`` each vertex pair of the floating-point enumeration is
re-solved exactly from all its tight labels; when some pair's labels fix no exact profile (the
floats took a near tie for a tie), the game is enumerated again in exact integer arithmetic
(:mod:`._exact_vertices`, slower: pure Python): the extreme equilibria of the game with its
payoffs taken exactly as given, and ``degenerate`` is exact.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from math import comb
from typing import Any

import numpy as np

from ..equilibrium import instance
from ..errors import SolverError
from . import _vertex_kernel as kernel
from ._bimatrix import (
    bimatrix,
    bit_keys,
    candidates_from_pairs,
    is_exact_equilibrium,
    polytope_p,
    polytope_q,
    scaled_positive,
)
from ._exact_vertices import exact_extreme_equilibria, exact_payoffs
from ._options import option
from .base import CandidateArrays, RawResult, SolveOptions, SolverInfo, SolverOptions

_TIGHT = kernel.TIGHT  # tolerance for a constraint to count as tight (payoffs scaled to [1, 2])
_METHODS = ("auto", "pivot", "qhull", "bases")
_THREAD_MIN = 100  # games with at least this many strategy pairs enumerate P and Q in two threads


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


def _label_masks(tight: np.ndarray) -> np.ndarray:
    """Boolean label rows ``(V, L)`` as the kernel's bitmask words ``(V, words)``."""
    n_labels = tight.shape[1]
    out = np.zeros((len(tight), kernel.words_for(n_labels)), dtype=np.int64)
    for w in range(out.shape[1]):
        part = tight[:, w * kernel.BITS:(w + 1) * kernel.BITS].astype(np.int64)
        out[:, w] = part @ np.left_shift(np.int64(1), np.arange(part.shape[1], dtype=np.int64))
    return out


def _facet_vertices(g: np.ndarray, rhs: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray, bool]:
    """Vertices by qhull or by every basis, as the kernel returns them (origin first).

    ``g`` has one row per label and its first rows with ``rhs == 0`` are the coordinate
    constraints, tight together only at the origin.
    """
    d = g.shape[1]
    if d == 1:
        z, tight = _interval_vertices(g, rhs)
    elif method == "bases":
        z, tight = _basis_vertices(g, rhs)
    else:
        z, tight = _qhull_vertices(g, rhs)
    origin = np.all(tight[:, rhs == 0], axis=1)
    order = np.r_[np.flatnonzero(origin), np.flatnonzero(~origin)]
    z, tight = _refine(g, rhs, z[order], tight[order]), tight[order]
    return _label_masks(tight), np.clip(z, 0.0, None), bool(np.any(tight.sum(axis=1) > d))


def _pivot_vertices(matrix: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """The kernel's vertices of ``{z >= 0 : matrix z <= 1}`` (SolverError if it is unbounded)."""
    masks, z, degenerate, err = kernel.polytope_vertices(matrix, labels)
    if err != kernel.OK:
        raise SolverError("best-response polytope is unbounded; payoffs were not made positive")
    return masks, z, degenerate


def polytope_vertices(g: np.ndarray, rhs: np.ndarray, method: str = "auto"
                      ) -> tuple[np.ndarray, np.ndarray, bool]:
    """All vertices of a best-response polytope ``{z : g z <= rhs}`` (see the module doc).

    Parameters
    ----------
    g, rhs
        Constraints, one row per label (from :func:`._bimatrix.polytope_p` / ``polytope_q``):
        ``d`` coordinate constraints ``-z_i <= 0`` and positive rows with right-hand side 1.
    method
        ``"auto"``/``"pivot"`` (exact lexicographic pivoting), ``"qhull"`` (facets of the
        polar's convex hull; pivoting if qhull fails) or ``"bases"`` (every ``d``-subset of
        constraints; small games only).

    Returns
    -------
    masks, coords, degenerate
        Tight labels of each vertex as bitmask words ``(V, words)``, the coordinates
        ``(V, d)``, and whether some vertex has more than ``d`` tight labels. The origin is
        the first vertex.
    """
    if method not in _METHODS:
        raise SolverError(f"unknown vertex method '{method}'; use one of {', '.join(_METHODS)}")
    if method in ("qhull", "bases"):
        try:
            return _facet_vertices(g, rhs, method)
        except Exception:  # qhull precision trouble (QhullError): exact pivoting instead
            if method == "bases":
                raise
    zero, one = np.flatnonzero(rhs == 0), np.flatnonzero(rhs != 0)  # rows -z_i <= 0 in order of i
    return _pivot_vertices(np.ascontiguousarray(g[one]), np.r_[zero, one])


# ---------------------------------------------------------------------------- matching
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
    """Two worker threads: the compiled kernel (and qhull) release the GIL, so P and Q run at once.
    A child forked from this process makes its own (see below)."""
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="deterrence-vertices")


# A fork copies only the thread that forks: the executor kept from the parent has no threads in
# the child, and a job submitted to it would never run (the child would hang).
if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_executor.cache_clear)


def _both(job_p: Any, job_q: Any, parallel: bool) -> tuple[Any, Any]:
    """``(job_p(), job_q())``, in two threads if ``parallel``."""
    if not parallel:
        return job_p(), job_q()
    other = _executor().submit(job_q)
    return job_p(), other.result()


def _pivot_extremes(a: np.ndarray, b: np.ndarray, parallel: bool, tight: bool = True) -> tuple[Any, ...]:
    """The kernel's pairs, strategies, tight labels (``None`` unless ``tight``), degeneracy and vertex
    counts (pivoting)."""
    m, n = a.shape
    if not parallel:
        if tight:
            *out, err = kernel.bimatrix_extremes(a, b)
        else:
            pairs, xs, ys, degenerate, n_p, n_q, err = kernel.bimatrix_strategies(a, b)
            out = (pairs, xs, ys, None, None, degenerate, n_p, n_q)
        if err != kernel.OK:
            raise SolverError("best-response polytope is unbounded; payoffs were not made positive")
        return tuple(out)
    p_matrix, p_labels, q_matrix, q_labels = kernel.polytopes(a, b)
    (mp, zp, dp), (mq, zq, dq) = _both(lambda: _pivot_vertices(p_matrix, p_labels),
                                       lambda: _pivot_vertices(q_matrix, q_labels), True)
    return (*kernel.pair_up(mp, zp, mq, zq, m, n), dp or dq, len(mp), len(mq))


def _facet_extremes(a: np.ndarray, b: np.ndarray, method: str, parallel: bool) -> tuple[Any, ...]:
    """As :func:`_pivot_extremes`, with the vertices from qhull or every basis."""
    m, n = a.shape
    gp, rp = polytope_p(scaled_positive(b))
    gq, rq = polytope_q(scaled_positive(a))
    (mp, zp, dp), (mq, zq, dq) = _both(lambda: polytope_vertices(gp, rp, method),
                                       lambda: polytope_vertices(gq, rq, method), parallel)
    return (*kernel.pair_up(mp, zp, mq, zq, m, n), dp or dq, len(mp), len(mq))


def _extremes(a: np.ndarray, b: np.ndarray, method: str, threads: bool, tight: bool = True
              ) -> tuple[Any, ...]:
    """:func:`extreme_equilibria`'s arrays as a tuple: vertex pairs, strategies, tight labels (may
    be ``None`` unless ``tight``), degeneracy and the vertex counts of P and Q."""
    if method not in _METHODS:
        raise SolverError(f"unknown vertex method '{method}'; use one of {', '.join(_METHODS)}")
    a = np.ascontiguousarray(a, dtype=float)
    b = np.ascontiguousarray(b, dtype=float)
    parallel = threads and a.size >= _THREAD_MIN
    if method in ("auto", "pivot"):
        return _pivot_extremes(a, b, parallel, tight)
    return _facet_extremes(a, b, method, parallel)


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
        Enumerate the two polytopes in two threads (games of at least 100 strategy pairs).

    Returns
    -------
    dict
        ``x`` ``(E, m)`` and ``y`` ``(E, n)`` normalised strategies, ``x_tight`` and
        ``y_tight`` (tight labels of each vertex), ``degenerate`` (bool), ``components``
        (number of equilibrium components) and the vertex counts ``vertices_p``/``vertices_q``.
    """
    pairs, xs, ys, x_tight, y_tight, degenerate, n_p, n_q = _extremes(a, b, method, threads)
    return {
        "x": xs,
        "y": ys,
        "x_tight": x_tight,
        "y_tight": y_tight,
        "degenerate": bool(degenerate),
        "components": _components(pairs[:, 0], pairs[:, 1]) if degenerate else len(pairs),
        "vertices_p": int(n_p),
        "vertices_q": int(n_q),
    }


@dataclass(frozen=True)
class VertexEnumerationOptions(SolverOptions):
    """Options of ``vertex_enumeration``.

    Parameters
    ----------
    vertex_method
        How the vertices of the best-response polytopes are found: ``"auto"`` or ``"pivot"``
        (exact lexicographic pivoting, compiled), ``"qhull"`` (the convex hull of the polar by
        qhull; pivoting if qhull fails) or ``"bases"`` (every basis; tiny games only).
    threads
        Enumerate the two polytopes in two threads (games of at least 100 strategy pairs);
        ``False`` keeps the work in the calling thread.
    """

    vertex_method: str = option("auto", choices=_METHODS)
    threads: bool = True


def run(game: Any, options: SolveOptions) -> RawResult:
    """Every extreme Nash equilibrium of a 2-player normal-form game (see the module doc)."""
    opts = options.of(VertexEnumerationOptions)
    a, b = bimatrix(game)
    pairs, xs, ys, x_tight, y_tight, degenerate, n_p, n_q = _extremes(
        a, b, opts.vertex_method, opts.threads, tight=options.exact)
    fine: list[tuple[int, float]] = []
    if options.exact:
        exact = _exact_from_floats(game, xs, ys, x_tight, y_tight)
        if exact is None:  # a tie or near tie: only exact pivoting can tell them apart
            return _run_exact(game)
        cands = exact
    else:  # the kernel's strategies are normalised already; in a nondegenerate game each is a different
        # pair of vertices (no basis had a basic variable at 0), so no two are the same profile
        cands = CandidateArrays((xs, ys), distinct=not degenerate)
        fine = _below_tie_tolerance(a, b) if degenerate else []  # degenerate: perhaps only in floats
        if fine and game.shape[0] * game.shape[1] <= _EXACT_RECHECK_PAIRS:
            return _rechecked_exactly(game, fine)
    notes: tuple[str, ...] = (f"{n_p} vertices of P and {n_q} of Q enumerated",)
    if degenerate:
        notes = (
            f"degenerate game: the {len(cands)} equilibria returned are the extreme points of "
            f"{_components(pairs[:, 0], pairs[:, 1])} equilibrium component(s); every convex combination "
            "within a maximal Nash subset (clique of extreme equilibria) is also an equilibrium",
            _NEAR_TIE_NOTE,
            *notes,
        )
    if fine:
        notes = (_fine_payoffs_note(fine, False), *notes)
    # RawResult(...) without the frozen dataclass's per-field setattr: this is most of a small game's solve
    return instance(RawResult, {"candidates": cands, "complete": not fine, "degenerate": bool(degenerate),
                                "notes": notes})


#: what a floating-point ``degenerate=True`` means, and what it does not (see the module doc)
_NEAR_TIE_NOTE = (
    f"degenerate within the floating-point tie tolerance ({_TIGHT:g} on payoffs scaled to [1, 2]): "
    "payoffs that differ by less are treated as equal, so the list is complete for that tie game, "
    "and equilibria of the exact game closer together than the tolerance are not told apart (a game "
    "that is exactly nondegenerate may have more isolated equilibria than listed); "
    "exact=True enumerates in exact arithmetic"
)


def _exact_from_floats(game: Any, xs: np.ndarray, ys: np.ndarray, x_tight: np.ndarray, y_tight: np.ndarray
                       ) -> CandidateArrays | None:
    """``exact=True`` from the floating-point enumeration: each vertex pair re-solved exactly from
    *all* its tight labels (fast). Where the floats took a near tie for a tie (a game that is
    exactly nondegenerate, with equilibria closer together than the tolerance), some pair's labels
    have no exact common solution (the system is over-determined and inconsistent): ``None``, and
    :func:`_run_exact` enumerates in exact arithmetic instead; so too where a re-solved profile
    is no exact equilibrium (a constraint the floats took for slack is violated exactly)."""
    try:
        cands = candidates_from_pairs(game, xs, ys, x_tight, y_tight, exact=True)
    except SolverError:
        return None
    fa, fb = exact_payoffs(game)
    if not all(is_exact_equilibrium(fa, fb, x, y) for x, y in cands.exact or ()):
        return None
    return cands


#: the most strategy pairs of a game that a floating-point solve re-does in exact arithmetic on its own
#: (:func:`_rechecked_exactly`; pure Python)
_EXACT_RECHECK_PAIRS = 400


def _below_tie_tolerance(a: np.ndarray, b: np.ndarray) -> list[tuple[int, float]]:
    """The players (0-based) two of whose payoffs differ, but by less than the tie tolerance of the
    floating-point kernel relative to the player's range, with that smallest difference relative to
    the range: on payoffs scaled to [1, 2] such payoffs are ties, and the floats solve a nearby
    game with ties instead of this one. Asked only of games the floats find degenerate (a near tie
    makes them so), so that ordinary solves pay nothing."""
    out = []
    for player, pay in enumerate((a, b)):
        values = sorted(set(pay.ravel().tolist())) if pay.size <= 256 else np.unique(pay).tolist()
        if len(values) > 2:
            gap = min(hi - lo for lo, hi in pairwise(values)) / (values[-1] - values[0])
            if gap < _TIGHT:
                out.append((player, gap))
    return out


def _fine_payoffs_note(fine: list[tuple[int, float]], rechecked: bool) -> str:
    """The note of a floating-point solve of a game whose payoffs differ by less than the tie
    tolerance (:func:`_below_tie_tolerance`), re-done in exact arithmetic or not."""
    who = ", ".join(f"player {p + 1}: {gap:.1e} of its range" for p, gap in fine)
    head = f"payoffs closer together than the floating-point tie tolerance ({who})"
    if rechecked:
        return (f"{head}: the floats would treat them as ties and list the equilibria of a nearby game, so "
                "the extreme equilibria were enumerated in exact arithmetic instead")
    return (f"{head}: they were treated as ties, so the equilibria listed are those of a nearby game with "
            "ties (certified within tol, possibly not exact equilibria) and exact ones may be missing "
            "(complete=False); exact=True solves this game exactly")


def _rechecked_exactly(game: Any, fine: list[tuple[int, float]]) -> RawResult:
    """:func:`_run_exact` for a floating-point solve of a small game whose payoffs differ by less than
    the tie tolerance (the floats cannot tell its equilibria from those of the nearby tie game)."""
    raw = _run_exact(game)
    return RawResult(candidates=raw.candidates, complete=raw.complete, degenerate=raw.degenerate,
                     notes=(_fine_payoffs_note(fine, True), *raw.notes))


def _run_exact(game: Any) -> RawResult:
    """:func:`run` with ``exact=True``: the extreme equilibria by exact vertex enumeration."""
    profiles, pairs, degenerate = exact_extreme_equilibria(game)
    xs = np.array([[float(v) for v in x] for x, _ in profiles]).reshape(len(profiles), -1)
    ys = np.array([[float(v) for v in y] for _, y in profiles]).reshape(len(profiles), -1)
    cands = CandidateArrays((xs, ys), exact=profiles, distinct=True)  # distinct exact profiles
    notes: tuple[str, ...] = ("vertices enumerated in exact (integer) arithmetic",)
    if degenerate:
        ip, jq = (np.array([pair[k] for pair in pairs], dtype=np.int64) for k in (0, 1))
        notes = (
            f"degenerate game (exactly): the {len(cands)} equilibria returned are the extreme points of "
            f"{_components(ip, jq)} equilibrium component(s); every convex combination within a maximal "
            "Nash subset (clique of extreme equilibria) is also an equilibrium",
            *notes,
        )
    return RawResult(candidates=cands, complete=True, degenerate=degenerate, notes=notes)


#: strategies (both players) above which the vertex bound is not computed (the estimate is infinite)
_LARGEST_PRICED = 2_000


def _max_vertices(facets: int, dim: int) -> int:
    """McMullen's upper bound on the vertices of a ``dim``-polytope with ``facets`` facets."""
    if dim <= 1:
        return 2
    return comb(facets - (dim + 1) // 2, facets - dim) + comb(facets - (dim + 2) // 2, facets - dim)


def estimate(game: Any) -> float:
    """Work estimate: the upper-bound vertex counts times the cost of one pivot."""
    return _estimate(*game.shape)


@cache
def _estimate(m: int, n: int) -> float:
    size = m + n
    if size > _LARGEST_PRICED:  # the bound's binomials alone would take longer than any solve
        return math.inf
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
