"""Exact solution of the PBE solver's indifference systems for mixed support patterns.

In a support pattern of :mod:`deterrence.solvers.pbe`, the indifference conditions are
multilinear in the mixing probabilities of the other information sets; they are given by
their values at the vertices of the product of simplices. ``_solve_multilinear`` returns
their roots strictly inside the simplices: two binary sets in closed form
(``_solve_two_binary``); larger systems are screened (``_screened``) in floating point by a
grid sign test (``_grid_may_vanish``, compiled, coarse to fine) and by box contraction
(:mod:`deterrence.solvers._pbe_contract`, compiled; for the patterns of the solver's pure table
both run first in one compiled pass, :mod:`deterrence.solvers._pbe_prescreen`, and a system known
to pass them is not screened by them again), and by an exact row reduction of their
polynomials in exact arithmetic (:mod:`deterrence.solvers._pbe_exact`), built only for the
systems the screens before it keep (``_screen_order``); the rest are solved in integers
(``_solved_exactly``, :mod:`deterrence.solvers._pbe_roots`) by their reduced lex Gröbner basis
(:mod:`deterrence.solvers._pbe_groebner`: Buchberger's algorithm on packed monomials, the unique
basis sympy's ``groebner`` gives), and when it is not zero-dimensional factor by factor, the
factors of one sign on the open box divided out (a condition proved irreducible by
``_irreducible_multilinear`` is its own factor, one whose terms share unknowns and whose rest is
irreducible has those unknowns and the rest, ``_monomial_split``; any other is factored by
sympy's ``factor_list``, in whose order they all come); the real solutions are isolated exactly
in the last unknown (a rational root for a linear polynomial, else sympy's ``real_roots``) and
extended at 30 digits (``_System._real_roots``). Before the Gröbner basis, a caller may try
another exact route (``linear``: the sequence form's linear systems of two-player type games,
:mod:`deterrence.solvers._pbe_typed_linear`), whose answer, where it gives one, is the basis's.
Every screen only rules out systems with no root inside the box, and all run before anything
else, so their order changes no result, only the time. What follows the screens reads only the
exact equations, the mixed sets and their supports: a system seen before in the same solve with
those equal (10-30% of the systems a solve of the AEG gets past the screens) takes the points
and notes of the first (kept on the solver's context).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np

from .._jit import njit
from ._pbe_context import _INTERIOR, _Ctx
from ._pbe_contract import box_may_vanish
from ._pbe_pruning import root_screen, without_monomial_factors
from ._pbe_roots import _proportional, _System

_IntPoly = dict[tuple[int, ...], int]  # monomial (exponent per unknown) -> integer coefficient

#: whether a solve keeps the float screens' verdicts and the systems it solved after the screens,
#: to answer their repeats (the tests switch it off to compare; not a user option)
REPEATS_KEPT = True


def _solve_multilinear(ctx: _Ctx, pattern: Sequence[tuple[int, ...]], mixed: list[int],
                       combos: list[tuple[int, ...]] | None, values: list[list[float]], names: str,
                       exact: Callable[[], list[_IntPoly] | None], screened: tuple[str, ...] = (),
                       linear: Callable[[], list[list[np.ndarray]] | None] | None = None
                       ) -> list[list[np.ndarray]]:
    """Interior solutions of the indifference system given its values at the support vertices.

    Set ``k`` mixes over ``pattern[k] = (a0, a1, ...)`` with unknowns ``x_{k,j} = σ_k(a_j)``,
    ``j >= 1``. Each equation is ``Σ_c Π_k σ_k(c_k) · values[c]`` (multi-affine). Factors that
    keep one sign on the open box (e.g. ``x`` or ``1 − x``) are divided out, each choice of
    one remaining factor per equation is solved exactly (sympy, rational coefficients), and the
    real roots strictly inside the simplices are returned. The screens read the float
    ``values``; ``exact()`` gives the same equations as polynomials with integer coefficients,
    built from the vertex values in exact arithmetic (:mod:`deterrence.solvers._pbe_exact`,
    :func:`~deterrence.solvers._pbe_exact.integer_polynomial`), or ``None`` when conditions the
    solve already found to hold a one-term vector rule the system out unbuilt. ``screened``: the float screens
    (``"grid"``, ``"box"``) the system is known to pass (:mod:`deterrence.solvers._pbe_prescreen`
    ran them), which are not run again. ``combos``: the vertices (``itertools.product`` over the
    supports of ``mixed``), or ``None`` to list them only if the system reaches the exact stage.
    ``linear``: for a system the screens keep, its roots by another exact route when that route
    decides it, else ``None`` (:mod:`deterrence.solvers._pbe_typed_linear`: the same roots, and no
    note where it decides), tried before the Gröbner basis.
    """
    if all(len(pattern[k]) == 2 for k in mixed) and len(mixed) == 2:
        return _solve_two_binary(ctx, values, names)
    int_polys = _screened(pattern, mixed, values, exact,
                          ctx.float_verdicts if REPEATS_KEPT else None, passed=screened)
    if int_polys is None:
        return []
    # a system every screen keeps is solved from its exact equations alone: a repeat within the
    # solve (same sets, supports and equations, in the same order) gives the same points and notes
    memo = ctx.solved_systems if REPEATS_KEPT else {}
    key = (tuple(mixed), tuple([pattern[k] for k in mixed]), tuple([tuple(p.items()) for p in int_polys]))
    hit = memo.get(key)
    if hit is None:
        told = len(ctx.continua)
        points = None if linear is None else linear()
        if points is None:
            if combos is None:
                combos = list(itertools.product(*(pattern[k] for k in mixed)))
            points = _solved_exactly(ctx, pattern, mixed, combos, int_polys, names)
        hit = memo[key] = ([[p.copy() for p in point] for point in points], ctx.continua[told:])
    else:
        ctx.continua.extend(hit[1])
    return [[p.copy() for p in point] for point in hit[0]]


def _solved_exactly(ctx: _Ctx, pattern: Sequence[tuple[int, ...]], mixed: list[int],
                    combos: list[tuple[int, ...]], int_polys: list[_IntPoly], names: str
                    ) -> list[list[np.ndarray]]:
    """The interior roots of a system the screens keep, from its exact equations (the notes of
    continua go to ``ctx.continua``): the rest of :func:`_solve_multilinear`, in integers
    (:mod:`deterrence.solvers._pbe_roots`)."""
    if any(not p for p in int_polys):
        ctx.continua.append(f"a mover mixing at {names} is indifferent whatever the others do")
        return []
    system = _System(pattern, mixed, combos)
    polys = [{m: c for m, c in p.items() if c} for p in int_polys]
    if system.attempt(polys):
        return system.found
    # a continuum over the complex numbers: divide out factors of one sign on the open box
    # (such as x or 1 - x, which vanish only on its boundary) and solve factor by factor
    factor_sets = system.factors_inside(polys)
    if factor_sets is None:
        return []  # some condition cannot hold inside the box
    # each condition its own only factor (up to a constant): the one choice generates the same
    # ideal, whose basis was just found not to be [1] and the system not zero-dimensional (or
    # too short, and the choice is no longer): its attempt fails as the first did
    again = all(len(fs) == 1 and _proportional(fs[0], p) for fs, p in zip(factor_sets, polys, strict=True))
    for choice in itertools.product(*factor_sets):
        if again or not system.attempt(_distinct(choice)):
            ctx.continua.append(f"a curve of solutions mixing at {names}")
    return system.found


def _distinct(factors: Sequence[_IntPoly]) -> list[_IntPoly]:
    """The factors without repeats (equal polynomials), in order."""
    out: list[_IntPoly] = []
    for f in factors:
        if f not in out:
            out.append(f)
    return out


def _screened(pattern: Sequence[tuple[int, ...]], mixed: list[int], values: list[list[float]],
              exact: Callable[[], list[_IntPoly] | None], verdicts: dict | None = None,
              passed: tuple[str, ...] = ()
              ) -> list[_IntPoly] | None:
    """The system's exact equations (``exact()``), or ``None`` if a screen rules it out.

    The screens: the compiled grid sign test (:func:`_grid_may_vanish`), the compiled box
    contraction (:func:`~deterrence.solvers._pbe_contract.box_may_vanish`), both in floating
    point on the box of the unknowns (none beyond :data:`_MAX_BOX_DIMENSION` unknowns), and the
    exact row reduction (:func:`~deterrence.solvers._pbe_pruning.no_interior_root`, after the
    exact equations are built: it settles those with a combination of one sign, such as two
    types' conditions that differ by one term; ``exact()`` is ``None`` when conditions of the
    system were found earlier in the solve to hold a vector of one term, for which its verdict is
    ``True``: see :meth:`~deterrence.solvers._pbe_exact.ExactTree.note_one_term`). They run in
    the order of :func:`_screen_order`. Each only rules out systems without an interior root,
    and all run before anything else is done (no note, no Gröbner basis), so their order changes
    no result, only the time.

    The float screens' verdicts are functions of the box values alone: ``verdicts`` (if given)
    keeps them by screen and by those values to the bit, for the systems of a solve that repeat.
    ``passed``: the float screens the system is known to pass, which are skipped.
    """
    box: tuple[np.ndarray, int] | None = None
    made = False
    int_polys = None
    seen: tuple | None = None
    for screen in _screen_order(sum(len(pattern[k]) - 1 for k in mixed)):
        if screen in passed:
            continue
        if screen == "exact":
            int_polys = exact()
            if int_polys is None or _ruled_out(int_polys):
                return None
            continue
        if not made:
            box, made = _screened_box(pattern, mixed, values), True
            if box is not None and verdicts is not None:
                seen = (box[1], box[0].shape, box[0].tobytes())
        if box is None:
            continue
        verdict = None if seen is None else verdicts.get((screen, seen))
        if verdict is None:
            verdict = _grid_may_vanish(*box) if screen == "grid" else box_may_vanish(*box)
            if seen is not None:
                verdicts[(screen, seen)] = verdict
        if not verdict:
            return None
    return int_polys


def _ruled_out(int_polys: list[_IntPoly]) -> bool:
    """:func:`~deterrence.solvers._pbe_pruning.no_interior_root` of the equations; when a vector of
    one term settles it, the equations that hold it are noted (if they come from
    :meth:`~deterrence.solvers._pbe_exact.ExactTree.polynomials`, which then rules out every later
    system of the solve with those conditions unbuilt: the same verdict, see there)."""
    mask = root_screen(without_monomial_factors(int_polys))
    if mask:
        note = getattr(int_polys, "note_one_term", None)
        if note is not None:
            note(mask)
    return mask is not None


def _screen_order(unknowns: int) -> tuple[str, str, str]:
    """The order of the screens for a system of this many unknowns: the one expected to settle
    it at the least cost first. From the AEG (6 points, free and D1 beliefs, every screen run on
    every system): up to four unknowns the grid settles most systems in a few microseconds; with
    five or six the box contraction settles more of them (free: 577 of 741 and 550 of 780, against
    306 and 270 for the grid) at about the grid's cost; from seven the row reduction settles
    almost all (441 of 450) at half the cost of either float screen."""
    if unknowns >= 7:
        return ("exact", "grid", "box")
    if unknowns >= 5:
        return ("box", "exact", "grid")
    return ("grid", "box", "exact")


def _screened_box(pattern: Sequence[tuple[int, ...]], mixed: list[int], values: list[list[float]]
                  ) -> tuple[np.ndarray, int] | None:
    """What the float screens (the grid sign test and the box contraction) read: the equations'
    values on the box of the unknowns, ``(equations, 2^k)`` in ``itertools.product`` order, and its
    dimension ``k`` (supports of three or more actions: at the corners of the box of the
    ``x_{k,j}``); ``None`` beyond :data:`_MAX_BOX_DIMENSION` unknowns, where neither screen runs."""
    if all(len(pattern[k]) == 2 for k in mixed):
        return np.asarray(values, dtype=float), len(mixed)
    shapes = [len(pattern[k]) for k in mixed]
    nv = sum(m - 1 for m in shapes)
    if nv > _MAX_BOX_DIMENSION:
        return None
    return _box_corners(values, shapes), nv


#: the inner ticks of the grid screen are shifted off the simple fractions (k/8, k/4, ...) at
#: which the roots of conditions built from round payoffs tend to lie: a root on a tick keeps
#: both neighbouring sub-boxes alive, so two conditions with roots one tick apart would share one
_GRID_SHIFT = 0.0137


def grid_ticks(m: int) -> np.ndarray:
    """The ``m + 1`` ticks per axis of the grid screen: ``1e-10``, ``m − 1`` inner ticks (the
    multiples of ``1/m`` shifted by :data:`_GRID_SHIFT`) and ``1 − 1e-10`` (kept: do not write)."""
    out = _TICKS.get(m)
    if out is None:
        out = _TICKS[m] = np.concatenate([[_INTERIOR], np.linspace(0, 1, m + 1)[1:-1] + _GRID_SHIFT,
                                          [1 - _INTERIOR]])
    return out


_TICKS: dict[int, np.ndarray] = {}


def _grid_may_vanish(values: np.ndarray | list[list[float]], k: int) -> bool:
    """False if the binary system certainly has no root with every ``x`` in ``[1e-10, 1 − 1e-10]``.

    The box is cut into a grid of sub-boxes (:func:`grid_ticks`, ``m`` per axis); a multilinear
    function lies between its values at a sub-box's corners, so a sub-box where some condition
    keeps one strict sign at every corner holds no root. Roots on the box boundary (``x = 0``,
    a mover not mixing after all) are excluded by staying ``1e-10`` inside it. The verdict is
    that of every grid cell tested, reached coarse to fine (:func:`_grid_alive`).
    """
    g = np.ascontiguousarray(np.asarray(values, dtype=float).reshape(-1, 2**k))
    return bool(_grid_verdict(g, k, grid_ticks(8 if k <= 3 else 4)))


@njit
def _grid_verdict(g: np.ndarray, k: int, ticks: np.ndarray) -> bool:
    """:func:`_grid_alive` with ``eps`` ``1e-13`` of the largest value (at least ``1e-13``)."""
    return _grid_alive(g, k, ticks, 1e-13 * max(1.0, np.abs(g).max()))


@njit
def _grid_alive(g: np.ndarray, k: int, ticks: np.ndarray, eps: float) -> bool:
    """Whether some cell of the grid ``ticks^k`` keeps every condition (rows of ``g``, values at
    the unit box's corners) from one strict sign (beyond ``eps``) at all its corners.

    The cells are reached coarse to fine: a box of whole cells (an index range per axis) where
    some condition has one strict sign at the box's corners has it at every point inside (the
    multilinear hull property: values inside are convex combinations of the corner values), so
    at every corner of its cells, and none of its cells is alive; other boxes are halved across
    their widest index range, down to single cells. The verdict is that of testing every cell.

    The corner values of a box come from the vertex values by interpolating one axis at a time,
    in axis order (:func:`_interpolate`). A box's two halves differ from it only on the axis it
    is cut across, so they share its values after the axes before that one: those are kept with
    them, and each half interpolates the rest (the same operations on the same numbers as from
    the start). The conditions are tried in turn, the last one that ruled out a box first (a box
    is dead if any condition is, so the order changes no verdict).
    """
    m = ticks.shape[0] - 1
    n_e, n_c = g.shape
    cap = 2 + k * (m + 1)  # depth first: a split pops one box and pushes two
    lo = np.empty((cap, k), dtype=np.int64)
    hi = np.empty((cap, k), dtype=np.int64)
    done = np.zeros(cap, dtype=np.int64)  # per box: the axes its kept values have been interpolated on
    kept = np.empty((cap, n_e, n_c))
    lo[0, :], hi[0, :] = 0, m
    top = 1
    shared = np.empty((n_e, n_c))
    buf = np.empty(n_c)
    order = np.arange(n_e)
    bl = np.empty(k, dtype=np.int64)
    bh = np.empty(k, dtype=np.int64)
    while top > 0:
        top -= 1
        axis, width = 0, 0
        for i in range(k):
            bl[i], bh[i] = lo[top, i], hi[top, i]
            if bh[i] - bl[i] > width:
                axis, width = i, bh[i] - bl[i]
        first = done[top] if 0 < done[top] <= axis else 0
        dead = False
        for r in range(n_e):
            e = order[r]
            for j in range(n_c):
                buf[j] = kept[top, e, j] if first else g[e, j]
            _interpolate(buf, k, first, axis, ticks, bl, bh)
            shared[e, :] = buf
            _interpolate(buf, k, axis, k, ticks, bl, bh)
            lo_v = hi_v = buf[0]
            for j in range(1, n_c):
                x = buf[j]
                if x < lo_v:
                    lo_v = x
                elif x > hi_v:
                    hi_v = x
            if lo_v > eps or hi_v < -eps:
                dead = True
                order[r], order[0] = order[0], e
                break
        if dead:
            continue
        if width == 1:
            return True
        mid = (bl[axis] + bh[axis]) // 2
        for half in (top, top + 1):
            for i in range(k):
                lo[half, i], hi[half, i] = bl[i], bh[i]
            kept[half] = shared
            done[half] = axis
        hi[top, axis] = mid
        lo[top + 1, axis] = mid
        top += 2
    return False


@njit(inline=True)
def _interpolate(buf: np.ndarray, k: int, start: int, stop: int, ticks: np.ndarray, bl: np.ndarray,
                 bh: np.ndarray) -> None:
    """Interpolate one condition's corner values ``buf`` on axes ``start <= i < stop`` to the tick
    range ``[bl[i], bh[i]]`` (axis ``i``: the bit of weight ``2^(k-1-i)`` in ``itertools.product``
    order)."""
    n_c = buf.shape[0]
    for i in range(start, stop):
        bit = 1 << (k - 1 - i)
        t0, t1 = ticks[bl[i]], ticks[bh[i]]
        for j in range(n_c):
            if not j & bit:
                a, b = buf[j], buf[j | bit]
                buf[j] = (1.0 - t0) * a + t0 * b
                buf[j | bit] = (1.0 - t1) * a + t1 * b


#: the most unknowns for which the grid screen runs on supports of three or more actions
_MAX_BOX_DIMENSION = 7


def _box_corners(values: list[list[float]], shapes: list[int]) -> np.ndarray:
    """The equations' values at the corners of the unit box of the unknowns ``x_{k,j}``,
    ``(equations, corners)``.

    With ``σ_k(a_0) = 1 − Σ_j x_{k,j}`` the equations are affine in each set's unknowns, so
    multilinear on the box ``[0, 1]^{unknowns}``, which contains the product of simplices: the
    grid test on that box (:func:`_grid_may_vanish`) is valid for roots in the simplices. A
    corner assigns 0 or 1 to each unknown; its value follows from the vertex values (corners
    outside the simplices give ``σ_k(a_0) < 0``), one set at a time, last first: at the corner
    ``b`` of a set's unknowns, ``(1 − Σ b) · v_0 + Σ_j b_j · v_j`` (:func:`_corners_of_set`).
    """
    g = np.asarray(values, dtype=float)
    f = g.reshape([len(g), *shapes])  # all the equations at once
    for i in reversed(range(len(shapes))):
        f = _corners_of_set(f, i + 1, shapes[i])
    return np.ascontiguousarray(f.reshape(len(g), -1))


def _corners_of_set(f: np.ndarray, axis: int, m: int) -> np.ndarray:
    """Along ``axis`` (a set of ``m`` actions), the values at the corners of its unknowns' box
    from those at its vertices. Two actions: the corners are the vertices. Three: ``v_0``,
    ``v_2``, ``v_1`` and ``(−v_0 + v_1) + v_2``, summed in the order of the matrix product of the
    general case (which is the map ``[1 − Σ b, b]`` of each corner ``b`` times the vertex values,
    one contraction per set), which it replaces bit for bit."""
    if m == 2:
        return f
    if m == 3:
        v0, v1, v2 = (f.take(j, axis=axis) for j in range(3))
        return np.stack([v0, v2, v1, -v0 + v1 + v2], axis=axis)
    bits = np.array(list(itertools.product((0, 1), repeat=m - 1)), dtype=float)
    corner_map = np.column_stack([1 - bits.sum(axis=1), bits])  # (2^(m-1), m)
    return np.moveaxis(np.tensordot(corner_map, f, axes=([1], [axis])), 0, axis)


def _solve_two_binary(ctx: _Ctx, values: list[list[float]], names: str) -> list[list[np.ndarray]]:
    """Two sets mixing over two actions each: each condition is affine in the other's mixture.

    ``values[i]`` lists the condition of set ``i`` at the vertices ``(a0,b0), (a0,b1), (a1,b0),
    (a1,b1)``; it does not depend on set ``i``'s own mixture.
    """
    v0, v1 = (np.asarray(v, dtype=float) for v in values)
    # condition of set 0 as a function of x1 = P(set 1 plays its second action), and vice versa
    e0 = ((v0[0] + v0[2]) / 2, (v0[1] + v0[3]) / 2)
    e1 = ((v1[0] + v1[1]) / 2, (v1[2] + v1[3]) / 2)
    xs = []
    for lo, hi in (e0, e1):
        slope = hi - lo
        if abs(slope) <= 1e-14:
            if abs(lo) <= ctx.tol:
                ctx.continua.append(f"a mover mixing at {names} is indifferent whatever the others do")
            return []
        xs.append(-lo / slope)
    x1, x0 = xs  # e0 pins set 1's mixture, e1 pins set 0's
    if not (_INTERIOR < x0 < 1 - _INTERIOR and _INTERIOR < x1 < 1 - _INTERIOR):
        return []
    return [[np.array([1 - x0, x0]), np.array([1 - x1, x1])]]
