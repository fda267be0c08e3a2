"""The exact stage of the PBE solver's indifference systems, in integers: factors and real roots.

A system that every screen of :mod:`deterrence.solvers._pbe_multilinear` keeps is solved here
from its exact equations, polynomials with integer coefficients (monomial, a tuple of exponents
per unknown, ``x_0 > x_1 > ...`` -> integer): by its reduced lex Gröbner basis
(:func:`~deterrence.solvers._pbe_groebner._reduced_lex_basis`, computed in integers) and, when
that has a continuum of complex roots, factor by factor (:meth:`_System.factors_inside`). Every
step reads and returns integer polynomials; sympy is called only where the integers give no
answer: ``factor_list`` for a condition neither proved irreducible nor a monomial times an
irreducible rest, and ``real_roots`` for a last basis polynomial of degree two or more (a linear
one has the one rational root ``−c/b``, which ``real_roots`` gives too).

The results are those of the same steps in sympy's polynomial ring over QQ, which this replaced
(``tests/helpers/multilinear_oracle.py``): every factor is primitive with a positive leading
coefficient, as ``factor_list`` gives it; the basis made monic is read into mpmath as the ring's
reduced fractions were; and the reduced basis of an ideal is unique.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ._pbe_context import _INTERIOR
from ._pbe_groebner import _reduced_lex_basis, _zero_dimensional

_IntPoly = dict[tuple[int, ...], int]  # monomial (exponent per unknown) -> nonzero integer coefficient

#: bits at which the basis is read into mpmath (mpmath's default precision; fixed, so that a
#: process that raises ``mpmath.mp.dps`` gets the same equilibria)
_READ_PREC = 53


class _System:
    """One support pattern's indifference system: its unknowns, vertices and the roots found.

    Set ``k`` of ``mixed`` mixes over ``pattern[k] = (a_0, a_1, ...)`` with the unknowns
    ``x_{k,j} = σ_k(a_j)``, ``j >= 1``, numbered in set order."""

    def __init__(self, pattern: Sequence[tuple[int, ...]], mixed: list[int],
                 combos: list[tuple[int, ...]]) -> None:
        self.pattern, self.mixed, self.combos = pattern, mixed, combos
        self.var_of: dict[tuple[int, int], int] = {}
        for k in mixed:
            for j in range(1, len(pattern[k])):
                self.var_of[(k, j)] = len(self.var_of)
        self.nv = len(self.var_of)
        self.set_of = [k for k, _ in self.var_of]  # per unknown, its set (unknowns in set order)
        self.found: list[list[np.ndarray]] = []
        self._ring: Any = None

    def symbols(self) -> list[Any]:
        """The unknowns as sympy symbols ``x{k}_{j}`` (for sympy's ``factor_list`` and ``real_roots``)."""
        import sympy

        return [sympy.Symbol(f"x{k}_{j}") for k, j in self.var_of]

    def ring(self) -> Any:
        """sympy's polynomial ring over QQ in the unknowns, lex order (made at the first call)."""
        if self._ring is None:
            from sympy.polys.domains import QQ
            from sympy.polys.orderings import lex
            from sympy.polys.rings import PolyRing

            self._ring = PolyRing(self.symbols(), QQ, lex)
        return self._ring

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

    # ------------------------------------------------------------------ factors
    def factors_inside(self, polys: list[_IntPoly]) -> list[list[_IntPoly]] | None:
        """Each equation's factors that may vanish inside the box; ``None`` if one has none."""
        factor_sets = []
        for poly in polys:
            keep = [f for f in self.factors(poly) if not self._sign_definite(f)]
            if not keep:
                return None
            factor_sets.append(keep)
        return factor_sets

    def factors(self, poly: _IntPoly) -> list[_IntPoly]:
        """The irreducible factors of ``poly`` (multiplicities dropped), as sympy's ``factor_list``
        gives them (primitive, positive leading coefficient, in its order): ``poly`` made primitive
        when :func:`_irreducible_multilinear` proves it irreducible; the shared unknowns and the
        rest when its terms share unknowns and the rest is constant or irreducible
        (:func:`_monomial_split`); else from ``factor_list``."""
        if _irreducible_multilinear(poly):
            return [_primitive(poly)]
        split = _monomial_split(poly)
        if split is not None:
            unknowns, rest = split
            ground = not any(any(m) for m in rest)
            if ground or _irreducible_multilinear(rest):
                units = [{tuple(int(j == i) for j in range(self.nv)): 1} for i in unknowns]
                return _sorted_factors(units + ([] if ground else [_primitive(rest)]))
        ring = self.ring()
        domain = ring.domain
        return [_integral(f) for f, _ in ring({m: domain(c) for m, c in poly.items()}).factor_list()[1]]

    def _sign_definite(self, f: _IntPoly) -> bool:
        """Whether ``f`` keeps one sign (not all zero) at every vertex, hence on the open box.

        At a 0/1 point a monomial is 0 or 1, so the values at the vertices depend only on the
        unknowns in ``f``: each distinct projection of the vertices is tried once
        (:meth:`_projected_vertices`), until values of both signs are seen."""
        used = sorted({i for m in f for i, e in enumerate(m) if e})
        where = {i: j for j, i in enumerate(used)}
        terms = [(sum(1 << where[i] for i, e in enumerate(m) if e), c) for m, c in f.items()]
        positive = negative = False
        for point in self._projected_vertices(used):
            v = sum(c for support, c in terms if support & point == support)
            if v > 0:
                positive = True
            elif v < 0:
                negative = True
            if positive and negative:
                return False
        return positive or negative

    def _projected_vertices(self, used: list[int]) -> Iterator[int]:
        """The distinct projections of the vertices on the unknowns ``used`` (sorted indices), as
        bit sets (bit ``j`` for ``used[j]``).

        A vertex picks one action per mixed set: ``a_0`` (its unknowns all 0) or ``a_j``
        (``x_{k,j} = 1``, the others 0), each set independently; so the projections are the
        products over the sets of all-0 and of one 1 at each of the set's unknowns in ``used``.
        """
        by_set: dict[int, list[int]] = {}
        for position, i in enumerate(used):
            by_set.setdefault(self.set_of[i], []).append(position)
        options = [[0] + [1 << position for position in positions] for positions in by_set.values()]
        return (sum(parts) for parts in itertools.product(*options))

    # ------------------------------------------------------------------ roots
    def attempt(self, system: list[_IntPoly]) -> bool:
        """Solve a zero-dimensional system; False if it has a continuum of solutions.

        The reduced lex Gröbner basis is that of sympy's ``groebner``
        (:func:`~deterrence.solvers._pbe_groebner._reduced_lex_basis`: the same unique basis,
        computed in integers); ``len(system) < nv`` equations are never zero-dimensional."""
        basis = _reduced_lex_basis([f for f in system if f], self.nv)
        if len(basis) == 1 and not any(basis[0][0]):
            return True
        if len(system) < self.nv or not _zero_dimensional([lm for lm, _ in basis]):
            return False
        for xs in self._real_roots(basis):
            self._keep(xs)
        return True

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

    def _real_roots(self, basis: list[tuple[tuple[int, ...], _IntPoly]]) -> list[list[float]]:
        """The real solutions of a zero-dimensional system from its reduced lex Gröbner basis.

        The basis is triangular: its last polynomial ``f`` is in the last unknown alone (a pure
        power of it leads some polynomial, and the least such is the least leading monomial: no
        other term of ``f`` has another unknown), whose real roots are isolated exactly
        (:func:`_last_roots`, no radicals) and evaluated to 30 digits. Each partial solution
        ``a`` of the unknowns ``x_{i+1}, ...`` extends to ``x_i`` by the roots of ``g(x_i, a)``,
        where ``g`` is the basis polynomial with leading unknown ``x_i`` of least degree in
        ``x_i`` whose leading coefficient does not vanish at ``a`` (Gianni–Kalkbrener: its
        specialisation is the gcd of all the specialised polynomials), found numerically at 30
        digits and kept where every other such polynomial vanishes too. The basis is read made
        monic, each coefficient the reduced fraction ``c / LC`` as ``mpf(numerator) / denominator``
        (at :data:`_READ_PREC` bits, mpmath's default, whatever precision the process has set:
        the roots do not depend on a global setting), terms in decreasing lex order.
        (``sympy.solve_poly_system`` solves the same basis through ``sympy.roots``, whose search
        for an integer basis and factoring over algebraic extensions take minutes on the 50-digit
        coefficients float payoffs give.)
        """
        import mpmath

        nv = self.nv
        by_lead: list[list[dict]] = [[] for _ in range(nv)]
        with mpmath.workprec(_READ_PREC):
            for lm, g in basis:
                lc = g[lm]
                terms = {}
                for m in sorted(g, reverse=True):
                    d = math.gcd(g[m], lc)
                    terms[m] = mpmath.mpf(g[m] // d) / (lc // d)
                lead = min(i for m in terms for i in range(nv) if m[i])
                by_lead[lead].append(terms)
        last = self.symbols()[-1]
        with mpmath.workdps(30):
            partial = [{nv - 1: mpmath.mpf(str(r.evalf(30)))} for r in _last_roots(basis[-1][1], last)]
            for i in range(nv - 2, -1, -1):
                partial = [{**a, i: x} for a in partial for x in _extensions(by_lead[i], i, a)]
            return [[float(a[i]) for i in range(nv)] for a in partial]


def _last_roots(f: _IntPoly, gen: Any) -> list[Any]:
    """The real roots of ``f`` (in its last unknown alone, named ``gen``) as sympy's
    ``real_roots(radicals=False)`` gives them: for ``b·x + c`` the rational ``−c/b``; else those of
    :func:`_univariate`."""
    import sympy

    if len(f) <= 2 and max(m[-1] for m in f) == 1:
        b = f[max(f)]
        c = f.get(min(f), 0) if len(f) == 2 else 0
        return [sympy.Rational(-c, b)]
    return _univariate(sympy, f, gen).real_roots(radicals=False)


def _univariate(sympy: Any, f: _IntPoly, gen: Any) -> Any:
    """The basis polynomial ``f`` in its last unknown ``gen`` alone, made monic, as a ``sympy.Poly``:
    the one ``sympy.Poly(g.as_expr(), gen)`` gives for ``g``, ``f`` in sympy's ring over QQ made
    monic (over ZZ when every coefficient is an integer, else over QQ), built from its terms."""
    from sympy.polys.domains import QQ, ZZ

    lc = f[max(f)]
    terms = {(m[-1],): QQ(c, lc) for m, c in f.items()}
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
    root = _linear_root(best[1]) if len(best) == 2 and best[0] == 1 else None
    if root is not None:
        roots = [root]
    else:
        try:
            roots = mpmath.polyroots(best, maxsteps=_POLYROOTS_STEPS, extraprec=_POLYROOTS_EXTRA)
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


#: the arguments of ``mpmath.polyroots`` in :func:`_extensions`
_POLYROOTS_STEPS, _POLYROOTS_EXTRA = 200, 60


def _linear_root(c: Any) -> Any:
    """``−c``, the root of ``x + c`` (an mpf ``c``), when ``mpmath.polyroots([1, c])`` (as
    :func:`_extensions` calls it, at the working precision ``p`` of at least 90 bits) gives exactly
    that; else ``None``.

    ``c`` of at most 64 significant bits, with ``2^-40 <= |c| < 2^40``: Durand–Kerner from ``1``
    (``polyroots``' start for degree 1), at ``p + 60`` bits, first takes ``1 − (1 + c)``, then
    ``−c − (c + (−c) · 1)``: every sum is exact (its bits span at most ``41 + 104`` places), so the
    root is ``−c`` and the next correction 0, which stops the iteration; ``|c|`` is above the
    cleanup's threshold (``eps`` at ``p`` bits) and the imaginary part 0 is cleared, and ``−c``
    rounds to itself at ``p`` bits. (``tests/test_pbe_roots.py`` checks it against ``polyroots``.)
    """
    import mpmath

    if not c or c.bc > 64 or not -40 <= c.exp + c.bc - 1 < 40 or mpmath.mp.prec < 90:
        return None
    return -c


# ------------------------------------------------------------------ factoring in integers
def _primitive(poly: _IntPoly) -> _IntPoly:
    """``poly`` divided by its content, with the sign of its leading coefficient: as ``factor_list``
    gives an irreducible factor."""
    content = math.gcd(*poly.values())
    if poly[max(poly)] < 0:
        content = -content
    return poly if content == 1 else {m: c // content for m, c in poly.items()}


def _integral(f: Any) -> _IntPoly:
    """The terms of a polynomial over QQ (sympy's ring) times the least common denominator of its
    coefficients: integers of the same signs (monomial -> coefficient)."""
    scale = math.lcm(*(int(c.denominator) for c in f.values()))
    return {m: int(c.numerator) * (scale // int(c.denominator)) for m, c in f.items()}


def _sorted_factors(factors: list[_IntPoly]) -> list[_IntPoly]:
    """Irreducible factors (each of multiplicity 1) in the order ``factor_list`` gives them: that of
    sympy's ``_sort_factors`` on their dense representations (nested lists of coefficients, the
    first unknown outermost, highest degree first), which it sorts last: by their length, then
    their multiplicity (all 1), then the lists themselves."""
    from sympy.polys.densebasic import dmp_from_dict
    from sympy.polys.domains import ZZ

    nv = len(next(iter(factors[0])))
    dense = [dmp_from_dict(f, nv - 1, ZZ) for f in factors]
    order = sorted(range(len(factors)), key=lambda i: (len(dense[i]), 1, dense[i]))
    return [factors[i] for i in order]


def _irreducible_multilinear(f: _IntPoly) -> bool:
    """Whether ``f`` is multilinear (degree at most 1 in each unknown), not constant, and
    irreducible by this test (``False`` when it cannot tell).

    A product ``f = g · h`` of nonconstant factors of a multilinear ``f`` has them in disjoint
    sets of unknowns (degrees add up), both nonempty; for ``x`` of ``g`` and ``y`` of ``h``,
    ``f_x = g_x h``, ``f_y = g h_y`` and ``f_xy = g_x h_y``, so ``f · f_xy = f_x · f_y``. Hence if the
    graph on the unknowns of ``f`` joining ``x`` and ``y`` whenever ``f · f_xy ≠ f_x · f_y`` is
    connected, no such split exists and ``f`` is irreducible (Shpilka and Volkovich's criterion for
    variable-disjoint factors).
    """
    nv = len(next(iter(f)))
    used = [i for i in range(nv) if any(m[i] for m in f)]
    if not used or any(e > 1 for m in f for e in m):
        return False
    # a monomial as the integer with its exponent of unknown ``i`` at bits ``2i, 2i + 1``: a
    # product of monomials is the sum of theirs (exponents of at most 2, no carry)
    terms = {sum(1 << 2 * i for i, e in enumerate(m) if e): c for m, c in f.items()}
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


def _monomial_split(f: _IntPoly) -> tuple[list[int], _IntPoly] | None:
    """For a multilinear ``f`` whose terms share unknowns, those unknowns and ``f`` divided by
    their product; ``None`` when no unknown is in every term or ``f`` is not multilinear.

    ``factor_list`` first divides out the monomial of the least exponents of the terms (sympy's
    ``dmp_terms_gcd``; for a multilinear ``f`` the product of the shared unknowns, each a factor of
    multiplicity 1), factors the rest, and sorts all the factors (``_sort_factors``): so when the
    rest is constant or irreducible, its factors are the shared unknowns and the rest made primitive
    with a positive leading coefficient (as an irreducible ``f`` is its own factor), in that order.
    """
    monomials = list(f)
    if any(e > 1 for m in monomials for e in m):
        return None
    shared = [i for i in range(len(monomials[0])) if all(m[i] for m in monomials)]
    if not shared:
        return None
    divisor = tuple(int(i in shared) for i in range(len(monomials[0])))
    return shared, {tuple(e - d for e, d in zip(m, divisor, strict=True)): c for m, c in f.items()}


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


def _proportional(f: _IntPoly, g: _IntPoly) -> bool:
    """Whether two nonzero polynomials are constant multiples of each other."""
    if len(f) != len(g):
        return False
    lf, lg = f[max(f)], g[max(g)]
    return all(m in g and c * lg == g[m] * lf for m, c in f.items())
