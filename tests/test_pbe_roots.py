"""The exact stage of the PBE solver's indifference systems in integers (``_pbe_roots``,
``_pbe_groebner``) against the one in sympy's polynomial ring it replaced
(``tests/helpers/multilinear_oracle.py``, kept verbatim as the oracle).

* ``_pbe_multilinear._solved_exactly`` gives the same points, to the bit, and the same notes as
  the old one on the systems of AEG solves (free and D1 beliefs) and on random systems: random
  multilinear conditions (small and 50-digit coefficients), some with a planted rational root
  inside the box, some times ``x`` or ``1 − x``, some products of factors in disjoint unknowns
  (sympy's ``factor_list``), some repeated or proportional; of one to three sets of two or three
  actions (zero-dimensional systems with last basis polynomials of degree one and more, curves,
  inconsistent systems).
* The shortcuts inside it against what they replace: the root of a linear last polynomial
  (``sympy.Poly.real_roots``), the root of ``x + c`` in the extension step (``mpmath.polyroots``),
  and the lcm of packed monomials (field by field).
"""

from __future__ import annotations

import itertools
import random
import types
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy
from helpers import multilinear_oracle as oracle
from helpers.exact_systems import recorded_exact_systems

import deterrence as dt
from deterrence.solvers import _pbe_exact, _pbe_groebner, _pbe_multilinear, _pbe_roots


def _outcome(solve, system: tuple) -> tuple:
    """The points (as their float bits) and notes ``solve`` gives for a recorded system."""
    pattern, mixed, combos, int_polys, names = system
    ctx = types.SimpleNamespace(continua=[])
    points = solve(ctx, pattern, list(mixed), list(combos), [dict(p) for p in int_polys], names)
    return [[p.tobytes() for p in point] for point in points], ctx.continua


def _same_as_oracle(system: tuple) -> tuple:
    new = _outcome(_pbe_multilinear._solved_exactly, system)
    assert new == _outcome(oracle._solved_exactly, system), system
    return new


def _recorded_systems(monkeypatch: pytest.MonkeyPatch, policy: str) -> list[tuple]:
    """The arguments of ``_solved_exactly`` in AEG solves at a few points of the model's domain."""
    from deterrence import kernels

    model = dt.load_model("asymmetric_escalation")
    sample = kernels.domain_sample(model, 9, seed=11)
    games = (model.game(**{k: float(v[i]) for k, v in sample.items()}) for i in (3, 4, 7, 8))
    return recorded_exact_systems(monkeypatch, games, policy)


@pytest.mark.parametrize("policy", ["free", "d1"])
def test_recorded_systems_give_the_old_points_and_notes(monkeypatch, policy):
    systems = _recorded_systems(monkeypatch, policy)
    outcomes = [_same_as_oracle(system) for system in systems]
    assert len(systems) > 20
    assert any(points for points, _ in outcomes) and any(notes for _, notes in outcomes)
    assert any(not points and not notes for points, notes in outcomes)


# ------------------------------------------------------------------ random systems
def _unknowns(shapes: tuple[int, ...]) -> int:
    return sum(m - 1 for m in shapes)


def _multilinear(nv: int, used: list[int], rng: random.Random, big: bool) -> dict:
    """A random multilinear polynomial in the unknowns ``used`` (some terms left out)."""
    out = {}
    for r in range(len(used) + 1):
        for chosen in itertools.combinations(used, r):
            if rng.random() < 0.4:
                continue
            c = rng.randint(-6, 6) * (10**49 + rng.randint(0, 10**6) if big else 1)
            if c:
                out[tuple(int(i in chosen) for i in range(nv))] = c
    return out


def _times(f: dict, g: dict) -> dict:
    out: dict = {}
    for m, c in f.items():
        for n, d in g.items():
            k = tuple(a + b for a, b in zip(m, n, strict=True))
            out[k] = out.get(k, 0) + c * d
    return {m: c for m, c in out.items() if c}


def _planted(shapes: tuple[int, ...], rng: random.Random) -> list[dict]:
    """Conditions from small integer vertex values shifted to vanish at a random rational point
    inside the simplices (as the solver's, :func:`_pbe_exact.integer_polynomial`)."""
    pattern = [tuple(range(m)) for m in shapes]
    mixed = list(range(len(shapes)))
    combos = list(itertools.product(*pattern))
    point = []
    for m in shapes:
        cuts = sorted(rng.sample(range(1, 12), m - 1))
        point.append([Fraction(b - a, 12) for a, b in zip([0, *cuts], [*cuts, 12], strict=True)])
    weight = [np.prod([p[c] for p, c in zip(point, combo, strict=True)]) for combo in combos]
    polys = []
    for _ in range(_unknowns(shapes)):
        raw = [Fraction(rng.randint(-3, 3)) for _ in combos]
        at = sum(w * v for w, v in zip(weight, raw, strict=True))
        scaled = [int((v - at) * 12 ** len(shapes)) for v in raw]
        polys.append(_pbe_exact.integer_polynomial(pattern, mixed, scaled))
    return polys


def _random_system(rng: random.Random) -> tuple:
    shapes = rng.choice([(2, 2, 2), (3, 2), (3,), (2, 2, 2, 2), (3, 2, 2)])
    nv = _unknowns(shapes)
    pattern = tuple(tuple(range(m)) for m in shapes)
    mixed = list(range(len(shapes)))
    combos = list(itertools.product(*pattern))
    big = rng.random() < 0.5
    if rng.random() < 0.5 and nv <= 3:
        polys = _planted(shapes, rng)
    else:  # from four unknowns, sparse (as the AEG's): dense ones take sympy minutes too
        width = nv if nv <= 3 else 2
        polys = [_multilinear(nv, sorted(rng.sample(range(nv), rng.randint(1, width))), rng, big)
                 for _ in range(nv)]
    for k in range(len(polys)):
        kind = rng.random()
        free = [i for i in range(nv) if not any(m[i] for m in polys[k])]  # multilinear when times x_i
        x = {tuple(int(j == i) for j in range(nv)): 1 for i in rng.sample(free, min(1, len(free)))}
        if kind < 0.15 and x:  # times x: a factor of one sign inside the box
            polys[k] = _times(polys[k], x)
        elif kind < 0.25 and x:  # times 1 - x or x - 1
            sign = rng.choice([1, -1])
            polys[k] = _times(polys[k], {(0,) * nv: sign, **{m: -sign for m in x}})
        elif kind < 0.35 and k:  # a multiple of the one before
            polys[k] = {m: rng.choice([-3, 2, 5]) * c for m, c in polys[k - 1].items()}
        elif kind < 0.45:  # a product of two factors in disjoint unknowns
            order = rng.sample(range(nv), nv)
            cut = rng.randint(1, nv - 1)
            polys[k] = _times(_multilinear(nv, order[:cut], rng, False),
                              _multilinear(nv, order[cut:], rng, big))
    return pattern, mixed, combos, polys, "'random'"


def test_random_systems_give_the_old_points_and_notes():
    rng = random.Random(20261205)
    kinds = set()
    for _ in range(300):
        system = _random_system(rng)
        points, notes = _same_as_oracle(system)
        kinds.add("points" if points else "curve" if any("curve" in n for n in notes) else
                  "indifferent" if notes else "none")
    assert kinds == {"points", "curve", "indifferent", "none"}


def test_random_systems_take_every_path(monkeypatch):
    """The random systems above reach sympy's ``factor_list``, the monomial split, a linear and a
    nonlinear last basis polynomial, and zero-dimensional, curve and inconsistent bases."""
    seen = set()
    last_roots, attempt = _pbe_roots._last_roots, _pbe_roots._System.attempt
    split = _pbe_roots._monomial_split

    def spy_last(f, gen):
        seen.add("linear" if max(m[-1] for m in f) == 1 else "nonlinear")
        return last_roots(f, gen)

    def spy_attempt(self, system):
        basis = _pbe_groebner._reduced_lex_basis([f for f in system if f], self.nv)
        seen.add("one" if len(basis) == 1 and not any(basis[0][0]) else
                 "finite" if _pbe_groebner._zero_dimensional([lm for lm, _ in basis]) else "curve")
        return attempt(self, system)

    def spy_split(f):
        out = split(f)
        seen.add("split" if out is not None else "no split")
        return out

    monkeypatch.setattr(_pbe_roots, "_last_roots", spy_last)
    monkeypatch.setattr(_pbe_roots._System, "attempt", spy_attempt)
    monkeypatch.setattr(_pbe_roots, "_monomial_split", spy_split)
    monkeypatch.setattr(_pbe_roots._System, "ring", lambda self: seen.add("factor_list") or _ring(self))
    rng = random.Random(20261205)
    for _ in range(300):
        _outcome(_pbe_multilinear._solved_exactly, _random_system(rng))
    assert seen >= {"linear", "nonlinear", "one", "finite", "curve", "split", "no split", "factor_list"}


def _ring(system: _pbe_roots._System):
    from sympy.polys.domains import QQ
    from sympy.polys.orderings import lex
    from sympy.polys.rings import PolyRing

    return PolyRing(system.symbols(), QQ, lex)


# ------------------------------------------------------------------ the shortcuts
def test_root_of_a_linear_last_polynomial_is_that_of_real_roots():
    rng = random.Random(4)
    x = sympy.Symbol("x1_1")
    for _ in range(300):
        b = rng.randint(1, 10 ** rng.choice([1, 5, 50]))
        c = rng.choice([0, rng.randint(-10 ** rng.choice([1, 5, 50]), 10 ** rng.choice([1, 5, 50]))])
        f = {(0, 1): b, **({(0, 0): c} if c else {})}
        monic = _ring_univariate(f)
        expected = oracle._univariate(sympy, monic, x).real_roots(radicals=False)
        got = _pbe_roots._last_roots(f, x)
        assert got == expected and [type(r) for r in got] == [type(r) for r in expected]
        assert [str(r.evalf(30)) for r in got] == [str(r.evalf(30)) for r in expected]


def _ring_univariate(f: dict):
    """``f`` (in two unknowns, the last alone) made monic in sympy's ring over QQ, as the old
    ``attempt`` handed it on."""
    from sympy.polys.domains import QQ
    from sympy.polys.orderings import lex
    from sympy.polys.rings import PolyRing

    ring = PolyRing(sympy.symbols("x0_1 x1_1"), QQ, lex)
    lc = f[max(f)]
    return ring({m: QQ(c, lc) for m, c in f.items()})


def test_univariate_poly_is_that_of_the_monic_ring_polynomial():
    rng = random.Random(6)
    x = sympy.Symbol("x1_1")
    domains = set()
    for _ in range(200):
        f = {(0, e): rng.randint(-9, 9) * 10 ** rng.choice([0, 40])
             for e in rng.sample(range(6), rng.randint(1, 4))}
        f = {m: c for m, c in f.items() if c}
        if not f:
            continue
        if f[max(f)] < 0:
            f = {m: -c for m, c in f.items()}
        monic = _ring_univariate(f)
        expected = oracle._univariate(sympy, monic, x)
        new = _pbe_roots._univariate(sympy, f, x)
        assert new == expected and new.domain == expected.domain and new.gens == expected.gens
        assert new == sympy.Poly(monic.as_expr(), x)
        domains.add(str(expected.domain))
    assert domains == {"ZZ", "QQ"}


def test_root_of_x_plus_c_is_that_of_polyroots():
    """Random ``c`` (53 to 103 bits, tiny to huge): wherever ``_linear_root`` answers, the root is
    ``polyroots``', to the bit and of the same type; and it answers for most ``c`` the solver sees
    (53 bits, between ``2^-40`` and ``2^40``)."""
    rng = random.Random(8)
    answered = 0
    for _ in range(3000):
        num = rng.randint(-10 ** rng.randint(1, 60), 10 ** rng.randint(1, 60))
        with mpmath.workprec(53):  # as the solver reads a basis at mpmath's default precision
            c = mpmath.mpf(num) / rng.randint(1, 10 ** rng.randint(1, 60))
        with mpmath.workdps(30):
            if rng.random() < 0.3:
                c = c * mpmath.mpf(rng.randint(1, 10**30)) / 10**29
            c = mpmath.mpf(0) + c
            root = _pbe_roots._linear_root(c)
            if root is None:
                continue
            answered += 1
            expected = mpmath.polyroots([mpmath.mpf(0) + 1, c], maxsteps=_pbe_roots._POLYROOTS_STEPS,
                                        extraprec=_pbe_roots._POLYROOTS_EXTRA)
            assert len(expected) == 1 and type(expected[0]) is type(root) and expected[0]._mpf_ == root._mpf_
    assert answered > 500
    with mpmath.workprec(53):
        third = mpmath.mpf(1) / 3
    with mpmath.workdps(30):
        assert _pbe_roots._linear_root(mpmath.mpf(2) ** -50) is None
        assert _pbe_roots._linear_root(mpmath.mpf(0)) is None
        assert _pbe_roots._linear_root(mpmath.mpf(1) / 3) is None  # 103 bits
        assert _pbe_roots._linear_root(third) == -third


def test_lcm_of_packed_monomials_is_the_field_by_field_one():
    rng = random.Random(10)
    for bits in (3, 16, 32):
        for nv in (1, 3, 7):
            guard = sum(1 << (bits * i + bits - 1) for i in range(nv))
            fields = [((1 << (bits - 1)) - 1) << (bits * i) for i in range(nv)]
            for _ in range(300):
                a, b = (_pbe_groebner._pack(tuple(rng.randrange(1 << (bits - 1)) for _ in range(nv)), bits)
                        for _ in range(2))
                assert _pbe_groebner._lcm(a, b, guard, bits - 1) == oracle._lcm(a, b, fields)


def test_the_equilibria_do_not_depend_on_mpmaths_global_precision():
    """A process that raises mpmath's precision gets the same floats (the basis is read at a fixed
    precision; before, these points' roots differed in their last bits under ``mp.dps = 50``)."""
    from deterrence import kernels

    model = dt.load_model("asymmetric_escalation")
    sample = kernels.domain_sample(model, 4, seed=5)
    games = [model.game(**{k: float(v[i]) for k, v in sample.items()}) for i in range(4)]

    def strategies() -> list:
        return [[np.asarray(s).tolist() for e in dt.solve(g, "pbe").equilibria for s in e.strategies]
                for g in games]

    default = strategies()
    with mpmath.workdps(50):
        raised = strategies()
    assert raised == default
