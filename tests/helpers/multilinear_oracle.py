"""The exact stage of the PBE solver's multilinear systems as it was before it worked in integers
(``deterrence.solvers._pbe_multilinear`` up to commit 03053c8, verbatim but for the imports):
the oracle of ``tests/test_pbe_roots.py``.

``_solved_exactly`` built each system in sympy's polynomial ring over QQ (``_Multilinear``), found
its factors and their signs there, and its real roots from the monic reduced lex basis through
``sympy.Poly.real_roots`` (also for a linear last polynomial) and ``mpmath.polyroots``; every choice
of factors had its basis computed from the factors alone. ``_lcm`` is the lcm of packed monomials
field by field, which ``_pbe_groebner._lcm`` replaced.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from deterrence.solvers._pbe_context import _INTERIOR, _Ctx
from deterrence.solvers._pbe_groebner import _reduced_lex_basis, _zero_dimensional

_IntPoly = dict[tuple[int, ...], int]


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


def _lcm(a: int, b: int, fields: list[int]) -> int:
    return sum(max(a & f, b & f) for f in fields)


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
