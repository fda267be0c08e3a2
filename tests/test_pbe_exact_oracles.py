"""Oracles for the faster exact path of the PBE solver's indifference systems.

The implementations these replaced are kept here, verbatim, and compared with the package's on
many random inputs and on inputs recorded from solves of the Asymmetric Escalation Game:

* :func:`deterrence.solvers._pbe_pruning.no_interior_root` (sparse fraction-free elimination
  that stops at the first row of one term) against the dense fraction-free Gauss-Jordan it
  replaced: the same verdict on every input.
* ``ExactTree._payoffs_of`` (each set's scale factors kept) against its version computing them
  at each call: the same integers for random pure profiles and weight specs.
* ``_pbe_roots._irreducible_multilinear`` (in integers) against its version in sympy's
  polynomial ring: the same verdict on random polynomials.
* ``_pbe_groebner._reduced_lex_basis`` (Buchberger's algorithm in integers) against sympy's
  ``groebner``, which ``_Multilinear.attempt`` called: the same reduced bases on the systems of
  AEG solves and on random systems (of higher degrees too, some with the exponent fields made
  narrow enough to overflow).
* ``_pbe_multilinear._solved_exactly``, which no longer recomputes the Gröbner basis of a
  continuum whose conditions are their own only factors, against itself with that attempt
  made: the same points and notes on the systems of AEG solves.

(``_pbe_roots._univariate``, the last basis polynomial as a ``sympy.Poly`` built from its terms
instead of ``sympy.Poly(f.as_expr(), x)``: ``tests/test_pbe_roots.py``.)
"""

from __future__ import annotations

import itertools
import math
import types
from collections.abc import Sequence

import numpy as np
import pytest
from helpers.exact_systems import recorded_exact_systems
from test_pbe_exact import _POINT, _random_specs, _tree_with_chance_below

import deterrence as dt
from deterrence.solvers import _pbe_groebner, _pbe_multilinear, _pbe_pruning, _pbe_roots, _pbe_unbalanced
from deterrence.solvers._pbe_exact import ExactTree


# ------------------------------------------------------------------ the old implementations
def _old_no_interior_root(polys: Sequence[dict[tuple[int, ...], int]]) -> bool:
    """``_pbe_pruning.no_interior_root`` as it was: dense fraction-free Gauss-Jordan."""
    if not polys:
        return False
    monos = sorted({m for p in polys for m in p})
    rows = [[p.get(m, 0) for m in monos] for p in polys]
    pivot_row = 0
    for col in range(len(monos)):
        piv = next((r for r in range(pivot_row, len(rows)) if rows[r][col] != 0), None)
        if piv is None:
            continue
        rows[pivot_row], rows[piv] = rows[piv], rows[pivot_row]
        prow = rows[pivot_row]
        lead = prow[col]
        for r in range(len(rows)):
            f = rows[r][col]
            if r != pivot_row and f != 0:
                new = [lead * x - f * y for x, y in zip(rows[r], prow, strict=True)]
                g = math.gcd(*new)
                rows[r] = [x // g for x in new] if g > 1 else new
        pivot_row += 1
        if pivot_row == len(rows):
            break
    for row in rows:
        nz = [x for x in row if x != 0]
        if nz and (all(x > 0 for x in nz) or all(x < 0 for x in nz)):
            return True
    return False


def _old_irreducible_multilinear(f: object, gens: Sequence[object]) -> bool:
    """``_pbe_multilinear._irreducible_multilinear`` as it was: in sympy's polynomial ring."""
    used = [i for i in range(len(gens)) if any(m[i] for m in f.keys())]
    if not used or any(e > 1 for m in f.keys() for e in m):
        return False
    first = {i: f.diff(gens[i]) for i in used}
    component = {used[0]}
    todo = [used[0]]
    while todo:
        i = todo.pop()
        for j in used:
            if j not in component and f * first[i].diff(gens[j]) != first[i] * first[j]:
                component.add(j)
                todo.append(j)
    return len(component) == len(used)


def _old_payoffs_of(tree: ExactTree, k: int, spec: tuple, choice: tuple[int, ...], specs: dict) -> list[int]:
    """``ExactTree._payoffs_of`` as it was: the scale factors of set ``k`` found at each call."""
    h = tree.game.infosets[k]
    w = tree.weights(k, spec, choice, specs)
    kids = [tree.children[v] for v in h.nodes]
    c_k = max(tree.c[v] for v in h.nodes)
    b_k = max(tree.b[c] for ks in kids for c in ks)
    i = h.player
    out = [0] * len(h.actions)
    for v, wv, ks in zip(h.nodes, w, kids, strict=True):
        if wv:
            for a, c in enumerate(ks):
                out[a] += wv * tree.value(c, choice)[i] * tree.power(c_k - tree.c[v] + b_k - tree.b[c])
    return out


# ------------------------------------------------------------------ inputs
def _random_system(rng: np.random.Generator) -> list[dict[tuple[int, ...], int]]:
    """A random sparse multilinear system: few unknowns, rows of one to six terms with small or
    50-digit coefficients, some rows combinations of others (rank-deficient systems), some empty."""
    nv = int(rng.integers(1, 6))
    monos = sorted({tuple(int(b) for b in rng.integers(0, 2, nv)) for _ in range(int(rng.integers(1, 10)))})
    big = 10 ** int(rng.choice([0, 0, 20, 50]))
    rows: list[dict[tuple[int, ...], int]] = []
    for _ in range(int(rng.integers(1, 8))):
        kind = rng.integers(6)
        if kind == 0 and rows:  # a combination of earlier rows
            out: dict[tuple[int, ...], int] = {}
            for _ in range(2):
                row, f = rows[int(rng.integers(len(rows)))], int(rng.integers(-3, 4))
                for m, c in row.items():
                    out[m] = out.get(m, 0) + f * c
            rows.append({m: c for m, c in out.items() if c})
        elif kind == 1:
            rows.append({})
        else:
            terms = rng.choice(len(monos), size=int(rng.integers(1, min(6, len(monos)) + 1)), replace=False)
            row = {monos[int(t)]: int(rng.integers(-4, 5)) * big + int(rng.integers(-2, 3)) for t in terms}
            rows.append({m: c for m, c in row.items() if c})
    return rows


def _recorded(monkeypatch: pytest.MonkeyPatch, policy: str) -> list[list[dict[tuple[int, ...], int]]]:
    """The systems the exact row reduction gets in a solve of the AEG at :data:`_POINT` (all of
    them: the memo of conditions that hold a one-term vector is switched off)."""
    seen: list[list[dict[tuple[int, ...], int]]] = []
    screen = _pbe_multilinear.root_screen

    def record(polys: list[dict[tuple[int, ...], int]]) -> int | None:
        seen.append([dict(p) for p in polys])
        return screen(polys)

    monkeypatch.setattr(_pbe_multilinear, "root_screen", record)
    monkeypatch.setattr(ExactTree, "note_one_term", lambda tree, conditions, mask: None)
    monkeypatch.setattr(_pbe_unbalanced, "STOP_AT_FIRST_CONTINUUM", False)  # (nor the stop at a continuum)
    game = dt.load_model("asymmetric_escalation").game(_POINT)
    game.tree_cache.pop("pbe_one_term_store", None)  # (nor the sets other points found)
    dt.solve(game, "pbe", belief_policy=policy)
    monkeypatch.undo()
    return seen


# ------------------------------------------------------------------ the row reduction
def test_row_reduction_gives_the_old_verdict_on_random_systems():
    rng = np.random.default_rng(5)
    verdicts = []
    for _ in range(4000):
        polys = _random_system(rng)
        new = _pbe_pruning.no_interior_root(polys)
        assert new == _old_no_interior_root(polys), polys
        verdicts.append(new)
    assert 0.1 < np.mean(verdicts) < 0.9  # both verdicts well represented


@pytest.mark.parametrize("policy", ["free", "d1"])
def test_row_reduction_gives_the_old_verdict_on_recorded_systems(monkeypatch, policy):
    systems = _recorded(monkeypatch, policy)
    verdicts = [_pbe_pruning.no_interior_root(polys) for polys in systems]
    assert verdicts == [_old_no_interior_root(polys) for polys in systems]
    assert len(systems) > 100 and 0 < sum(verdicts) < len(verdicts)


# ------------------------------------------------------------------ the exact polynomials
def test_set_payoffs_are_the_old_ones():
    for game in (_tree_with_chance_below(), dt.load_model("asymmetric_escalation").game(_POINT)):
        tree = ExactTree(game)
        rng = np.random.default_rng(7)
        sizes = [len(h.actions) for h in game.infosets]
        nonzero = 0
        for _ in range(300):
            choice = tuple(int(rng.integers(m)) for m in sizes)
            specs = _random_specs(game, list(range(len(sizes))), rng)
            for k in range(len(sizes)):
                spec = specs.get(k, ("reach",))
                new = tree._payoffs_of(k, spec, choice, specs)
                assert new == _old_payoffs_of(tree, k, spec, choice, specs)
                nonzero += any(new)
        assert nonzero > 100


# ------------------------------------------------------------------ the sympy stage
def test_irreducibility_test_gives_the_old_verdict():
    """Random polynomials over QQ: multilinear (some products of factors in disjoint unknowns,
    some with fractional coefficients), constants, and some of degree 2."""
    rng = np.random.default_rng(12)
    pattern = [(0, 1), (0, 1, 2), (0, 1), (0, 1)]
    system = _pbe_roots._System(pattern, list(range(4)), list(itertools.product(*pattern)))
    ring = system.ring()
    gens = ring.gens
    verdicts = []
    for _ in range(400):
        parts = []
        unknowns = [int(i) for i in rng.permutation(system.nv)]
        cut = int(rng.integers(0, system.nv + 1))
        for part in (unknowns[:cut], unknowns[cut:]):
            poly = ring.zero
            for r in range(len(part) + 1):
                for chosen in itertools.combinations(part, r):
                    if rng.random() < 0.4:
                        continue
                    c = ring.domain(int(rng.integers(-9, 10)) * 10 ** int(rng.choice([0, 40])),
                                    int(rng.choice([1, 1, 3, 7])))
                    mono = ring.one
                    for i in chosen:
                        mono *= gens[i]
                    poly += c * mono
            parts.append(poly if poly else ring.one)
        poly = parts[0] * parts[1] if rng.random() < 0.5 else parts[0] + parts[1]
        if rng.random() < 0.05:
            poly *= gens[0]
        if not poly:
            continue
        new = _pbe_roots._irreducible_multilinear(_pbe_roots._integral(poly))
        assert new == _old_irreducible_multilinear(poly, gens), poly
        verdicts.append(new)
    assert 0.2 < np.mean(verdicts) < 0.8


def _recorded_exact_systems(monkeypatch: pytest.MonkeyPatch, policy: str) -> list[tuple]:
    """The arguments of ``_solved_exactly`` in solves of the AEG at :data:`_POINT` and nearby."""
    model = dt.load_model("asymmetric_escalation")
    games = (model.game({**_POINT, "c_status_quo": _POINT["c_status_quo"] * shift})
             for shift in (1.0, 1.1, 0.9))
    return recorded_exact_systems(monkeypatch, games, policy)


@pytest.mark.parametrize("policy", ["free", "d1"])
def test_continuum_attempts_left_out_give_the_same_points_and_notes(monkeypatch, policy):
    systems = _recorded_exact_systems(monkeypatch, policy)

    def run() -> list[tuple]:
        out = []
        for pattern, mixed, combos, int_polys, names in systems:
            ctx = types.SimpleNamespace(continua=[])
            points = _pbe_multilinear._solved_exactly(ctx, pattern, mixed, combos, int_polys, names)
            out.append(([[p.tolist() for p in point] for point in points], ctx.continua))
        return out

    new = run()
    monkeypatch.setattr(_pbe_multilinear, "_proportional", lambda f, g: False)  # every attempt made
    old = run()
    assert new == old
    assert len(systems) > 20 and any(notes for _, notes in new) and any(points for points, _ in new)


def _in_ring(system: _pbe_roots._System, polys: list) -> list:
    """Integer polynomials (monomial -> int) as polynomials of the system's ring over QQ."""
    ring = system.ring()
    return [ring({m: ring.domain(c) for m, c in p.items()}) for p in polys]


def _sympy_basis(system: _pbe_roots._System, polys: list) -> list:
    from sympy.polys.groebnertools import groebner

    return groebner([f for f in polys if f], system.ring())


def _basis_in_ring(system: _pbe_roots._System, polys: list) -> list:
    """``_reduced_lex_basis`` of the ring's polynomials, made the ring's monic polynomials."""
    ring = system.ring()
    qq = ring.domain
    ints = [_pbe_roots._integral(f) for f in polys if f]
    basis = _pbe_groebner._reduced_lex_basis(ints, system.nv)
    return [ring({m: qq(c, p[lm]) for m, c in p.items()}) for lm, p in basis]


@pytest.mark.parametrize("policy", ["free", "d1"])
def test_reduced_basis_is_sympys_on_recorded_systems(monkeypatch, policy):
    tried = []
    attempt = _pbe_roots._System.attempt

    def record(self, system):
        tried.append((self, _in_ring(self, system)))
        return attempt(self, system)

    monkeypatch.setattr(_pbe_roots._System, "attempt", record)
    _recorded_exact_systems(monkeypatch, policy)
    kinds = set()
    for system, polys in tried:
        expected = _sympy_basis(system, polys)
        assert _basis_in_ring(system, polys) == expected
        finite = _pbe_groebner._zero_dimensional([g.LM for g in expected])
        kinds.add("one" if expected == [system.ring().one] else "zero-dimensional" if finite else "curve")
    assert len(tried) > 20 and kinds >= {"zero-dimensional", "curve"}


@pytest.mark.parametrize("bits", [16, 3])
def test_reduced_basis_is_sympys_on_random_systems(monkeypatch, bits):
    """Random systems of two or three polynomials of up to three terms in three unknowns, of
    degree up to 2 in each (some up to 4), small or 30-digit coefficients (some inconsistent,
    some with a curve of roots), with fields of 16 bits (the package's) and of 3 (exponents from
    4 overflow: the fields are widened)."""
    monkeypatch.setattr(_pbe_groebner, "_FIELD_BITS", bits)
    widened = []
    fields = _pbe_groebner._basis_in_fields

    def spy(polys, nv, width):
        widened.append(width)
        return fields(polys, nv, width)

    monkeypatch.setattr(_pbe_groebner, "_basis_in_fields", spy)
    rng = np.random.default_rng(21)
    pattern = [(0, 1), (0, 1), (0, 1)]
    system = _pbe_roots._System(pattern, [0, 1, 2], list(itertools.product(*pattern)))
    ring = system.ring()
    gens = ring.gens
    kinds = set()
    for _ in range(150):
        polys = []
        for _ in range(int(rng.integers(2, 4))):
            poly = ring.zero
            for _ in range(int(rng.integers(1, 4))):
                mono = ring.one
                for g in gens:
                    mono *= g ** int(rng.integers(0, 3 if rng.random() < 0.8 else 5))
                poly += int(rng.integers(-5, 6)) * 10 ** int(rng.choice([0, 30])) * mono
            polys.append(poly)
        if rng.random() < 0.2:  # a common factor: a curve of roots
            polys = [p * (gens[0] - gens[1]) for p in polys]
        polys = [p for p in polys if p]
        if not polys:
            continue
        expected = _sympy_basis(system, polys)
        assert _basis_in_ring(system, polys) == expected
        kinds.add("one" if expected == [ring.one] else len(expected))
    assert "one" in kinds and len(kinds) > 4
    assert (max(widened) > bits) == (bits == 3)
