"""The exact steps of the PBE solver's multilinear systems (``_pbe_multilinear``).

The factors of an indifference condition are those sympy's ``factor_list`` gives (the older
implementation, kept here as the oracle) on random multilinear polynomials, irreducible ones
and products of factors in disjoint unknowns, with integer coefficients up to 50 digits.
"""

from __future__ import annotations

import itertools

import numpy as np

from deterrence.solvers import _pbe_multilinear


def _random_multilinear(system: _pbe_multilinear._Multilinear, unknowns: list[int], rng: np.random.Generator,
                        big: bool) -> object:
    """A random multilinear polynomial in ``unknowns`` (some terms left out, small or 50-digit
    integer coefficients, sometimes with a common factor)."""
    ring = system.ring
    poly = ring.zero
    common = int(rng.choice([1, 1, 2, 6, -3]))
    for r in range(len(unknowns) + 1):
        for chosen in itertools.combinations(unknowns, r):
            if rng.random() < 0.45:
                continue
            c = int(rng.integers(-9, 10)) * (10**49 + int(rng.integers(10**6)) if big else 1)
            mono = ring.one
            for i in chosen:
                mono *= ring.gens[i]
            poly += common * c * mono
    return poly


def test_factors_are_those_of_sympys_factor_list():
    rng = np.random.default_rng(5)
    pattern = [(0, 1), (0, 1, 2), (0, 1), (0, 1), (0, 1)]
    mixed = list(range(len(pattern)))
    system = _pbe_multilinear._Multilinear(pattern, mixed, list(itertools.product(*pattern)))
    shortcut = reducible = 0
    for _ in range(250):
        unknowns = [int(i) for i in rng.permutation(system.nv)[: int(rng.integers(1, system.nv + 1))]]
        cut = int(rng.integers(0, len(unknowns) + 1))  # 0: one part; else two parts in disjoint unknowns
        parts = [unknowns] if cut in (0, len(unknowns)) else [unknowns[:cut], unknowns[cut:]]
        poly = system.ring.one
        for part in parts:
            poly *= _random_multilinear(system, part, rng, big=bool(rng.integers(2)))
        if not poly or poly.is_ground:
            continue
        expected = [f for f, _ in poly.factor_list()[1]]
        assert system.factors(poly) == expected
        shortcut += _pbe_multilinear._irreducible_multilinear(poly, system.ring.gens)
        reducible += len(expected) > 1
    assert shortcut > 60 and reducible > 30  # both paths were taken


def test_irreducibility_test_never_claims_a_product_irreducible():
    """Products of two nonconstant multilinear factors in disjoint unknowns are never called
    irreducible; a polynomial of degree 2 in one unknown is not multilinear (no verdict)."""
    rng = np.random.default_rng(8)
    pattern = [(0, 1)] * 5
    system = _pbe_multilinear._Multilinear(pattern, list(range(5)), list(itertools.product(*pattern)))
    gens = system.ring.gens
    for _ in range(200):
        unknowns = [int(i) for i in rng.permutation(5)]
        cut = int(rng.integers(1, 5))
        g = _random_multilinear(system, unknowns[:cut], rng, big=False)
        h = _random_multilinear(system, unknowns[cut:], rng, big=False)
        if g.is_ground or h.is_ground:
            continue
        assert not _pbe_multilinear._irreducible_multilinear(g * h, gens)
    x = gens[0]
    assert not _pbe_multilinear._irreducible_multilinear(x**2 - 2, gens)
    assert _pbe_multilinear._irreducible_multilinear(3 * x * gens[1] - 2 * gens[1] + 5, gens)
