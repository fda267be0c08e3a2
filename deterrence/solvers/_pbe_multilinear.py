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
systems the screens before it keep (``_screen_order``); the rest are solved by their reduced lex
Gröbner basis, computed in integers (``_reduced_lex_basis``: Buchberger's algorithm on packed
monomials, the unique basis sympy's ``groebner`` gives), and when it is not zero-dimensional
factor by factor, the factors of one sign on the open box divided out (a condition proved
irreducible by ``_irreducible_multilinear`` is its own factor, one whose terms share unknowns
and whose rest is irreducible has those unknowns and the rest, ``_monomial_split``; any other is
factored by sympy's ``factor_list``, in whose order they all come); the real solutions are
isolated exactly in the last unknown (sympy's ``real_roots``) and extended at 30 digits
(``_Multilinear._real_roots``).
Every screen only rules out systems with no root inside the box, and all run before anything
else, so their order changes no result, only the time. What follows the screens reads only the
exact equations, the mixed sets and their supports: a system seen before in the same solve with
those equal (10-30% of the systems a solve of the AEG gets past the screens) takes the points
and notes of the first (kept on the solver's context).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._jit import njit
from ._pbe_context import _INTERIOR, _Ctx
from ._pbe_contract import box_may_vanish
from ._pbe_pruning import root_screen

_IntPoly = dict[tuple[int, ...], int]  # monomial (exponent per unknown) -> integer coefficient

#: whether a solve keeps the float screens' verdicts and the systems it solved after the screens,
#: to answer their repeats (the tests switch it off to compare; not a user option)
REPEATS_KEPT = True


def _solve_multilinear(ctx: _Ctx, pattern: Sequence[tuple[int, ...]], mixed: list[int],
                       combos: list[tuple[int, ...]], values: list[list[float]], names: str,
                       exact: Callable[[], list[dict[tuple[int, ...], int]]], screened: tuple[str, ...] = ()
                       ) -> list[list[np.ndarray]]:
    """Interior solutions of the indifference system given its values at the support vertices.

    Set ``k`` mixes over ``pattern[k] = (a0, a1, ...)`` with unknowns ``x_{k,j} = σ_k(a_j)``,
    ``j >= 1``. Each equation is ``Σ_c Π_k σ_k(c_k) · values[c]`` (multi-affine). Factors that
    keep one sign on the open box (e.g. ``x`` or ``1 − x``) are divided out, each choice of
    one remaining factor per equation is solved exactly (sympy, rational coefficients), and the
    real roots strictly inside the simplices are returned. The screens read the float
    ``values``; ``exact()`` gives the same equations as polynomials with integer coefficients,
    built from the vertex values in exact arithmetic (:mod:`deterrence.solvers._pbe_exact`,
    :func:`~deterrence.solvers._pbe_exact.integer_polynomial`). ``screened``: the float screens
    (``"grid"``, ``"box"``) the system is known to pass (:mod:`deterrence.solvers._pbe_prescreen`
    ran them), which are not run again.
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
        points = _solved_exactly(ctx, pattern, mixed, combos, int_polys, names)
        hit = memo[key] = ([[p.copy() for p in point] for point in points], ctx.continua[told:])
    else:
        ctx.continua.extend(hit[1])
    return [[p.copy() for p in point] for point in hit[0]]


def _solved_exactly(ctx: _Ctx, pattern: Sequence[tuple[int, ...]], mixed: list[int],
                    combos: list[tuple[int, ...]], int_polys: list[_IntPoly], names: str
                    ) -> list[list[np.ndarray]]:
    """The interior roots of a system the screens keep, from its exact equations (the notes of
    continua go to ``ctx.continua``): the rest of :func:`_solve_multilinear`."""
    if any(not p for p in int_polys):
        ctx.continua.append(f"a mover mixing at {names} is indifferent whatever the others do")
        return []
    system = _Multilinear(pattern, mixed, combos)
    polys = system.polynomials(int_polys)
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
        if again or not system.attempt(list(dict.fromkeys(choice))):
            ctx.continua.append(f"a curve of solutions mixing at {names}")
    return system.found


def _proportional(f: Any, g: Any) -> bool:
    """Whether two nonzero polynomials of one ring are constant multiples of each other."""
    if len(f) != len(g):
        return False
    lf, lg = f.LC, g.LC
    return all(m in g and c * lg == g[m] * lf for m, c in f.items())


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
    mask = root_screen(int_polys)
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


class _Multilinear:
    """One support pattern's indifference system in sympy: its unknowns, vertices and roots found."""

    def __init__(self, pattern: Sequence[tuple[int, ...]], mixed: list[int],
                 combos: list[tuple[int, ...]]) -> None:
        import sympy

        self.sympy = sympy
        self.pattern, self.mixed = pattern, mixed
        self.gens: list[Any] = []
        self.var_of: dict[tuple[int, int], int] = {}
        for k in mixed:
            for j in range(1, len(pattern[k])):
                self.var_of[(k, j)] = len(self.gens)
                self.gens.append(sympy.Symbol(f"x{k}_{j}"))
        self.nv = len(self.gens)
        self.set_of = [k for k, _ in self.var_of]  # per unknown, its set (unknowns in set order)
        from sympy.polys.domains import QQ
        from sympy.polys.orderings import lex
        from sympy.polys.rings import PolyRing

        # sympy's low-level polynomial ring: Gröbner bases and factorisations without the
        # expression layer (``sympy.groebner`` turns every Poly back into an expression and parses it)
        self.ring = PolyRing(self.gens, QQ, lex)
        self.combos = combos
        self.found: list[list[np.ndarray]] = []

    @property
    def vertices(self) -> list[tuple[int, ...]]:
        """The vertices of the product of simplices (of ``combos``), as 0/1 points in the unknowns
        (for the tests: the solver reads the distinct projections, :meth:`_projected_vertices`)."""
        return [self._vertex(combo) for combo in self.combos]

    def _vertex(self, combo: tuple[int, ...]) -> tuple[int, ...]:
        """A vertex of the product of simplices, as a 0/1 point in the unknowns."""
        pt = [0] * self.nv
        for k, a in zip(self.mixed, combo, strict=True):
            j = self.pattern[k].index(a)
            if j > 0:
                pt[self.var_of[(k, j)]] = 1
        return tuple(pt)

    def polynomials(self, int_polys: Sequence[dict[tuple[int, ...], int]]) -> list[Any]:
        """The equations (monomial -> integer coefficient) as polynomials of the ring over QQ."""
        qq = self.ring.domain
        return [self.ring({m: qq(c) for m, c in p.items()}) for p in int_polys]

    def _sign_definite(self, f: Any) -> bool:
        """Whether ``f`` keeps one sign (not all zero) at every vertex, hence on the open box."""
        # monomial -> coefficient; at a 0/1 point a monomial is 0 or 1. The values at the vertices
        # depend only on the unknowns in ``f``: each distinct projection of the vertices once
        terms = [(tuple(i for i, e in enumerate(m) if e), c) for m, c in _integral(f).items()]
        used = sorted({i for support, _ in terms for i in support})
        where = {i: j for j, i in enumerate(used)}
        terms = [(tuple(where[i] for i in support), c) for support, c in terms]
        vals = [sum((c for support, c in terms if all(p[j] for j in support)), start=0)
                for p in self._projected_vertices(used)]
        return (all(v >= 0 for v in vals) and any(v > 0 for v in vals)) or \
               (all(v <= 0 for v in vals) and any(v < 0 for v in vals))

    def _projected_vertices(self, used: list[int]) -> list[tuple[int, ...]]:
        """The distinct projections of the vertices on the unknowns ``used`` (sorted indices).

        A vertex picks one action per mixed set: ``a_0`` (its unknowns all 0) or ``a_j``
        (``x_{k,j} = 1``, the others 0), each set independently; so the projections are the
        products over the sets of all-0 and of one 1 at each of the set's unknowns in ``used``
        (its unknowns are consecutive, in set order).
        """
        by_set: dict[int, list[int]] = {}
        for position, i in enumerate(used):
            by_set.setdefault(self.set_of[i], []).append(position)
        options = []
        for positions in by_set.values():
            width = len(positions)
            options.append([(0,) * width] + [tuple(int(b == a) for b in range(width)) for a in range(width)])
        return [tuple(x for part in parts for x in part) for parts in itertools.product(*options)]

    def factors_inside(self, polys: list[Any]) -> list[list[Any]] | None:
        """Each equation's factors that may vanish inside the box; ``None`` if one has none."""
        factor_sets = []
        for poly in polys:
            keep = [f for f in self.factors(poly) if not self._sign_definite(f)]
            if not keep:
                return None
            factor_sets.append(keep)
        return factor_sets

    def factors(self, poly: Any) -> list[Any]:
        """The irreducible factors of ``poly`` (multiplicities dropped), as sympy's ``factor_list``
        gives them: itself divided by its content (sign of its leading coefficient) when
        :func:`_irreducible_multilinear` proves it irreducible, else from ``factor_list``."""
        if _irreducible_multilinear(poly, self.ring.gens):
            return [self._primitive(poly)]
        split = _monomial_split(poly)
        if split is not None:
            unknowns, rest = split
            if rest.is_ground or _irreducible_multilinear(rest, self.ring.gens):
                return self._sorted_factors([self.ring.gens[i] for i in unknowns] +
                                            ([] if rest.is_ground else [self._primitive(rest)]))
        return [f for f, _ in poly.factor_list()[1]]

    def _primitive(self, poly: Any) -> Any:
        """``poly`` (integer coefficients) divided by its content, with the sign of its leading
        coefficient: as ``factor_list`` gives an irreducible factor."""
        content = math.gcd(*(int(c) for c in poly.values()))
        if content == 1 and poly.LC > 0:
            return poly
        return poly.quo_ground(self.ring.domain(content if poly.LC > 0 else -content))

    def _sorted_factors(self, factors: list[Any]) -> list[Any]:
        """Irreducible factors (each of multiplicity 1) in the order ``factor_list`` gives them: that
        of sympy's ``_sort_factors`` on their dense representations, which it sorts last."""
        from sympy.polys.polyutils import _sort_factors

        dense = _sort_factors([(f.to_dense(), 1) for f in factors])
        return [self.ring.from_dense(f) for f, _ in dense]

    def _keep(self, xs: list[float]) -> None:
        """Keep one real solution (a value per unknown) if strictly inside the simplices and new."""
        point = []
        for k in self.mixed:
            tail = [xs[self.var_of[(k, j)]] for j in range(1, len(self.pattern[k]))]
            point.append(np.array([1.0 - sum(tail), *tail]))
        seen = any(all(np.allclose(p, q, atol=1e-12) for p, q in zip(point, f, strict=True))
                   for f in self.found)
        if all(p.min() > _INTERIOR for p in point) and not seen:
            self.found.append(point)

    def _real_roots(self, basis: Any) -> list[list[float]]:
        """The real solutions of a zero-dimensional system from its reduced lex Gröbner basis.

        The basis is triangular: its polynomials in the last unknown alone have one generator
        ``f``, whose real roots are isolated exactly (:meth:`sympy.Poly.real_roots`, no
        radicals) and evaluated to 30 digits. Each partial solution ``a`` of the unknowns
        ``x_{i+1}, ...`` extends to ``x_i`` by the roots of ``g(x_i, a)``, where ``g`` is the
        basis polynomial with leading unknown ``x_i`` of least degree in ``x_i`` whose leading
        coefficient does not vanish at ``a`` (Gianni–Kalkbrener: its specialisation is the gcd
        of all the specialised polynomials), found numerically at 30 digits and kept where every
        other such polynomial vanishes too. (``sympy.solve_poly_system`` solves the same
        basis through ``sympy.roots``, whose search for an integer basis and factoring over
        algebraic extensions take minutes on the 50-digit coefficients float payoffs give.)
        """
        import mpmath

        nv, sympy = self.nv, self.sympy
        by_lead: list[list[dict]] = [[] for _ in range(nv)]
        for g in basis:
            terms = {m: mpmath.mpf(int(c.numerator)) / int(c.denominator) for m, c in g.terms()}
            lead = min(i for m in terms for i in range(nv) if m[i])
            by_lead[lead].append(terms)
        last = _univariate(sympy, basis[-1], self.gens[-1])
        with mpmath.workdps(30):
            partial = [{nv - 1: mpmath.mpf(str(r.evalf(30)))} for r in last.real_roots(radicals=False)]
            for i in range(nv - 2, -1, -1):
                partial = [{**a, i: x} for a in partial for x in _extensions(by_lead[i], i, a)]
            return [[float(a[i]) for i in range(nv)] for a in partial]

    def attempt(self, system: list) -> bool:
        """Solve a zero-dimensional system; False if it has a continuum of solutions.

        The reduced lex Gröbner basis is that of sympy's ``groebner`` (:func:`_reduced_lex_basis`:
        the same unique basis, computed in integers); it is made a list of the ring's monic
        polynomials only when the real roots are read from it."""
        basis = _reduced_lex_basis([_integral(f) for f in system if f], self.nv)
        if len(basis) == 1 and not any(basis[0][0]):
            return True
        if len(system) < self.nv or not _zero_dimensional([lm for lm, _ in basis]):
            return False
        qq = self.ring.domain
        monic = [self.ring({m: qq(c, poly[lm]) for m, c in poly.items()}) for lm, poly in basis]
        for xs in self._real_roots(monic):
            self._keep(xs)
        return True


def _irreducible_multilinear(f: Any, gens: Sequence[Any]) -> bool:
    """Whether ``f`` (a polynomial of a sympy ring over QQ with integer coefficients) is multilinear
    (degree at most 1 in each unknown), not constant, and irreducible by this test (``False`` when
    it cannot tell).

    A product ``f = g · h`` of nonconstant factors of a multilinear ``f`` has them in disjoint
    sets of unknowns (degrees add up), both nonempty; for ``x`` of ``g`` and ``y`` of ``h``,
    ``f_x = g_x h``, ``f_y = g h_y`` and ``f_xy = g_x h_y``, so ``f · f_xy = f_x · f_y``. Hence if the
    graph on the unknowns of ``f`` joining ``x`` and ``y`` whenever ``f · f_xy ≠ f_x · f_y`` is
    connected, no such split exists and ``f`` is irreducible (Shpilka and Volkovich's criterion for
    variable-disjoint factors).
    """
    used = [i for i in range(len(gens)) if any(m[i] for m in f.keys())]
    if not used or any(e > 1 for m in f.keys() for e in m):
        return False
    # in integers (``f`` times a positive integer: the identities are homogeneous of degree 2 in
    # the coefficients), a monomial as the integer with its exponent of unknown ``i`` at bits
    # ``2i, 2i + 1``: a product of monomials is the sum of theirs (exponents of at most 2, no carry)
    terms = {sum(1 << 2 * i for i, e in enumerate(m) if e): c for m, c in _integral(f).items()}
    first = {i: _derivative(terms, i) for i in used}
    component = {used[0]}
    todo = [used[0]]
    while todo:
        i = todo.pop()
        for j in used:
            if j not in component and \
                    _product(terms, _derivative(first[i], j)) != _product(first[i], first[j]):
                component.add(j)
                todo.append(j)
    return len(component) == len(used)


def _monomial_split(f: Any) -> tuple[list[int], Any] | None:
    """For a multilinear ``f`` (a polynomial of a sympy ring) whose terms share unknowns, those
    unknowns and ``f`` divided by their product; ``None`` when no unknown is in every term or ``f``
    is not multilinear.

    ``factor_list`` first divides out the monomial of the least exponents of the terms (sympy's
    ``dmp_terms_gcd``; for a multilinear ``f`` the product of the shared unknowns, each a factor of
    multiplicity 1), factors the rest, and sorts all the factors (``_sort_factors``): so when the
    rest is constant or irreducible, its factors are the shared unknowns and the rest made primitive
    with a positive leading coefficient (as an irreducible ``f`` is its own factor), in that order.
    """
    monomials = list(f.keys())
    if any(e > 1 for m in monomials for e in m):
        return None
    shared = [i for i in range(len(monomials[0])) if all(m[i] for m in monomials)]
    if not shared:
        return None
    divisor = tuple(int(i in shared) for i in range(len(monomials[0])))
    return shared, f.quo_term((divisor, f.ring.domain.one))


def _integral(f: Any) -> dict[tuple[int, ...], int]:
    """The terms of a polynomial over QQ times the least common denominator of its coefficients:
    integers of the same signs (monomial -> coefficient)."""
    scale = math.lcm(*(int(c.denominator) for c in f.values()))
    return {m: int(c.numerator) * (scale // int(c.denominator)) for m, c in f.items()}


def _derivative(terms: dict[int, int], i: int) -> dict[int, int]:
    """The derivative in unknown ``i`` of a multilinear polynomial (monomials coded as in
    :func:`_irreducible_multilinear`)."""
    bit = 1 << 2 * i
    return {m - bit: c for m, c in terms.items() if m & bit}


def _product(f: dict[int, int], g: dict[int, int]) -> dict[int, int]:
    """The product of two polynomials (monomials coded as in :func:`_irreducible_multilinear`),
    zero terms dropped."""
    out: dict[int, int] = {}
    for m, c in f.items():
        for n, d in g.items():
            out[m + n] = out.get(m + n, 0) + c * d
    return {m: c for m, c in out.items() if c}


def _zero_dimensional(leading: list[tuple[int, ...]]) -> bool:
    """Whether a Gröbner basis with these leading monomials generates a zero-dimensional ideal:
    every unknown has a pure power among them (Cox, Little, O'Shea, *Ideals, Varieties and
    Algorithms*, p. 230; as ``sympy.GroebnerBasis.is_zero_dimensional``)."""
    bounded = [False] * len(leading[0])
    for lm in leading:
        used = [i for i, e in enumerate(lm) if e]
        if len(used) == 1:
            bounded[used[0]] = True
    return all(bounded)


#: bits per unknown of a packed monomial (:func:`_reduced_lex_basis`) at first: 15 for its
#: exponent and a guard bit above them
_FIELD_BITS = 16


class _ExponentOverflow(Exception):
    """An exponent outgrew its field of a packed monomial (:func:`_reduced_lex_basis` widens them)."""


def _reduced_lex_basis(polys: list[dict[tuple[int, ...], int]], nv: int
                       ) -> list[tuple[tuple[int, ...], dict[tuple[int, ...], int]]]:
    """The reduced Gröbner basis for the lex order (``x_0 > x_1 > ...``) of the ideal generated by
    ``polys`` (monomial -> integer coefficient, each nonzero), as ``(leading monomial, polynomial)``
    pairs, largest leading monomial first, each polynomial primitive with a positive leading
    coefficient (``[((0, ..., 0), {(0, ..., 0): 1})]`` for the unit ideal; ``[]`` for no polynomial).

    The reduced Gröbner basis of an ideal for a monomial order is unique (Cox, Little, O'Shea,
    *Ideals, Varieties and Algorithms*, §2.7, Prop. 6), so made monic it is the basis sympy's
    ``groebner`` gives, whatever the algorithm: here Buchberger's, fraction-free in integers
    (S-polynomials and reductions scaled by integers, each result divided by its content: the
    same ideal), pairs taken by least lcm of leading monomials, those with coprime leading
    monomials skipped (Buchberger's first criterion); then the leading monomials divisible by
    another's are dropped and each polynomial is reduced by the others.

    Monomials are packed in integers (:func:`_basis_in_fields`), which makes a product a sum and
    lex order that of integers; an exponent that outgrows its field raises
    :class:`_ExponentOverflow`, and the basis is computed again with fields twice as wide.
    """
    if not polys:
        return []
    bits = _FIELD_BITS
    while True:
        try:
            packed = _basis_in_fields([{_pack(m, bits): c for m, c in p.items()} for p in polys], nv, bits)
        except _ExponentOverflow:
            bits *= 2
            continue
        return [(_unpack(lm, nv, bits), {_unpack(m, nv, bits): c for m, c in poly.items()})
                for lm, poly in packed]


def _pack(monomial: tuple[int, ...], bits: int) -> int:
    """A monomial as an integer: the exponent of ``x_i`` in field ``nv − 1 − i`` of ``bits`` bits
    (so that integer order is lex order); :class:`_ExponentOverflow` if one does not fit below the
    field's guard bit."""
    out = 0
    for e in monomial:
        if e >> (bits - 1):
            raise _ExponentOverflow
        out = (out << bits) | e
    return out


def _unpack(code: int, nv: int, bits: int) -> tuple[int, ...]:
    mask = (1 << bits) - 1
    return tuple((code >> (bits * (nv - 1 - i))) & mask for i in range(nv))


def _basis_in_fields(polys: list[dict[int, int]], nv: int, bits: int) -> list[tuple[int, dict[int, int]]]:
    """:func:`_reduced_lex_basis` on packed monomials (fields of ``bits`` bits), by the steps of
    sympy's ``_buchberger`` (Becker and Weispfenning, *Gröbner Bases*, p. 232: the generators
    inter-reduced, pairs filtered by Gebauer and Möller's criteria (:func:`_updated`), the pair of
    least lcm first). A monomial ``a`` divides ``b`` iff ``((b | guard) − a) & guard == guard`` (no
    field borrows); their product is ``a + b`` (a guard bit set by a sum is an overflow)."""
    guard = sum(1 << (bits * i + bits - 1) for i in range(nv))
    fields = [((1 << (bits - 1)) - 1) << (bits * i) for i in range(nv)]
    done = polys
    while True:  # inter-reduce the generators, each by those before it, until nothing changes
        start = done
        done = []
        for p in start:
            r = _reduced(p, [(max(q), q[max(q)], q) for q in done], guard)
            if r:
                done.append(r)
        if done == start:
            break
    if any(max(p) == 0 for p in done):
        return [(0, {0: 1})]
    polys_at: list[tuple[int, int, dict[int, int]]] = []  # (leading monomial, its coefficient, polynomial)
    seen: dict[tuple, int] = {}

    def keep(p: dict[int, int]) -> int:
        key = tuple(sorted(p.items()))
        if key not in seen:
            seen[key] = len(polys_at)
            polys_at.append((max(p), p[max(p)], p))
        return seen[key]

    todo = {keep(p) for p in done}
    basis: set[int] = set()
    pairs: set[tuple[int, int]] = set()
    while todo:
        ih = min(todo, key=lambda i: polys_at[i][0])
        todo.remove(ih)
        basis, pairs = _updated(polys_at, basis, pairs, ih, guard, fields)
    while pairs:
        pair = min(pairs, key=lambda ij: _lcm(polys_at[ij[0]][0], polys_at[ij[1]][0], fields))
        pairs.remove(pair)
        (li, ci, gi), (lj, cj, gj) = polys_at[pair[0]], polys_at[pair[1]]
        lcm = _lcm(li, lj, fields)
        d = math.gcd(ci, cj)
        s = _combined(gi, cj // d, lcm - li, gj, ci // d, lcm - lj, guard)
        r = _reduced(s, sorted((polys_at[i] for i in basis), key=lambda t: t[0]), guard) if s else s
        if r:
            if max(r) == 0:
                return [(0, {0: 1})]
            basis, pairs = _updated(polys_at, basis, pairs, keep(r), guard, fields)
    reduced = []
    for i in basis:
        r = _reduced(polys_at[i][2], [polys_at[j] for j in basis if j != i], guard)
        if r:
            reduced.append((max(r), r))
    return sorted(reduced, key=lambda t: t[0], reverse=True)


def _lcm(a: int, b: int, fields: list[int]) -> int:
    return sum(max(a & f, b & f) for f in fields)


def _updated(polys_at: list[tuple[int, int, dict[int, int]]], basis: set[int], pairs: set[tuple[int, int]],
             ih: int, guard: int, fields: list[int]) -> tuple[set[int], set[tuple[int, int]]]:
    """The basis and the pairs with polynomial ``ih`` added, as sympy's ``_buchberger`` updates them
    (Becker and Weispfenning, p. 230): new pairs ``(h, g)`` kept unless the lcm of another new
    pair divides theirs, then those with coprime leading monomials dropped; old pairs kept unless
    ``LM(h)`` divides their lcm strictly inside; basis polynomials whose leading monomial ``LM(h)``
    divides dropped."""
    def divides(a: int, b: int) -> bool:
        return ((b | guard) - a) & guard == guard

    mh = polys_at[ih][0]
    rest = set(basis)
    new: set[tuple[int, int]] = set()
    while rest:
        ig = rest.pop()
        mg = polys_at[ig][0]
        lcm_hg = _lcm(mh, mg, fields)
        if mh + mg == lcm_hg or (
                not any(divides(_lcm(mh, polys_at[ip][0], fields), lcm_hg) for ip in rest) and
                not any(divides(_lcm(mh, polys_at[pr[1]][0], fields), lcm_hg) for pr in new)):
            new.add((ih, ig))
    kept = {(ih, ig) for ih, ig in new if mh + polys_at[ig][0] != _lcm(mh, polys_at[ig][0], fields)}
    for ig1, ig2 in pairs:
        m1, m2 = polys_at[ig1][0], polys_at[ig2][0]
        lcm12 = _lcm(m1, m2, fields)
        if not divides(mh, lcm12) or _lcm(m1, mh, fields) == lcm12 or _lcm(m2, mh, fields) == lcm12:
            kept.add((ig1, ig2))
    return {ig for ig in basis if not divides(mh, polys_at[ig][0])} | {ih}, kept


def _combined(f: dict[int, int], a: int, shift_f: int, g: dict[int, int], b: int, shift_g: int,
              guard: int) -> dict[int, int]:
    """``a · m_f · f − b · m_g · g`` (``m``: the monomials packed as ``shift``), zero terms dropped."""
    out = {_checked(m + shift_f, guard): a * c for m, c in f.items()}
    for m, c in g.items():
        key = _checked(m + shift_g, guard)
        x = out.get(key, 0) - b * c
        if x:
            out[key] = x
        else:
            del out[key]
    return out


def _checked(monomial: int, guard: int) -> int:
    if monomial & guard:
        raise _ExponentOverflow
    return monomial


def _reduced(p: dict[int, int], basis: list[tuple[int, int, dict[int, int]]], guard: int) -> dict[int, int]:
    """``p`` fully reduced by ``basis`` (no term divisible by a leading monomial), fraction-free,
    divided by its content and with a positive leading coefficient (``{}`` if it reduces to 0).

    The largest reducible term ``c · m`` (``m = s · LM(g)``) goes as ``p ← (lc/d) · p − (c/d) · s · g``
    (``d = gcd(lc, c)``); only terms below ``m`` change, so the next one is looked for below it."""
    below = None
    while p:
        hit = None
        for m in sorted(p, reverse=True):
            if below is not None and m >= below:
                continue
            for lm, lc, g in basis:
                if ((m | guard) - lm) & guard == guard:
                    hit = (m, lm, lc, g)
                    break
            if hit is not None:
                break
        if hit is None:
            break
        m, lm, lc, g = hit
        d = math.gcd(lc, p[m])
        p = _combined(p, lc // d, 0, g, p[m] // d, m - lm, guard)
        below = m
    if not p:
        return p
    content = math.gcd(*p.values())
    if p[max(p)] < 0:
        content = -content
    return p if content == 1 else {m: c // content for m, c in p.items()}


def _univariate(sympy: Any, f: Any, gen: Any) -> Any:
    """The basis polynomial ``f`` in its last unknown ``gen`` alone as a ``sympy.Poly``, the one
    ``sympy.Poly(f.as_expr(), gen)`` gives (over ZZ when every coefficient is an integer, else over
    QQ), built from its terms instead of an expression (through it if ``f`` has other unknowns,
    which the last polynomial of a zero-dimensional reduced lex basis never has)."""
    from sympy.polys.domains import QQ, ZZ

    if any(any(m[:-1]) for m in f.keys()):
        return sympy.Poly(f.as_expr(), gen)
    terms = {(m[-1],): c for m, c in f.items()}
    if all(c.denominator == 1 for c in terms.values()):
        return sympy.Poly.from_dict({m: ZZ(int(c.numerator)) for m, c in terms.items()}, gen, domain=ZZ)
    return sympy.Poly.from_dict(terms, gen, domain=QQ)


def _specialised(terms: dict, i: int, a: dict) -> list:
    """A basis polynomial with leading unknown ``x_i`` at the partial solution ``a``: its
    coefficients in ``x_i``, highest degree first (current mpmath precision)."""
    import mpmath

    deg = max(m[i] for m in terms)
    coeffs = [mpmath.mpf(0) for _ in range(deg + 1)]
    for m, c in terms.items():
        v = c
        for j, e in enumerate(m):
            if e and j != i:
                v *= a[j] ** e
        coeffs[deg - m[i]] += v
    return coeffs


def _extensions(polys: list[dict], i: int, a: dict) -> list[Any]:
    """The real values of ``x_i`` extending the partial solution ``a`` (see ``_real_roots``)."""
    import mpmath

    spec = [_specialised(t, i, a) for t in polys]
    scale = [max((abs(c) for c in cs), default=mpmath.mpf(0)) for cs in spec]
    live = [(len(cs), cs, s) for cs, s in zip(spec, scale, strict=True) if s > 0 and abs(cs[0]) > 1e-20 * s]
    if not live:
        return []
    _, best, _ = min(live, key=lambda t: t[0])
    if len(best) == 1:
        return []
    try:
        roots = mpmath.polyroots(best, maxsteps=200, extraprec=60)
    except mpmath.libmp.NoConvergence:
        roots = [mpmath.mpc(z) for z in np.roots([float(c) for c in best])]
    out = []
    for z in roots:
        if abs(mpmath.im(z)) > 1e-12:
            continue
        x = mpmath.re(z)
        if all(abs(mpmath.polyval(cs, x)) <= 1e-12 * max(s, 1) for cs, s in zip(spec, scale, strict=True)):
            out.append(x)
    return out


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
