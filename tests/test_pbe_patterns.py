"""The PBE solver's speed-ups change nothing it finds.

* the support patterns it skips (:mod:`deterrence.solvers._pbe_patterns`) hold no PBE: on random
  signalling trees (hypothesis) the solver with pruning finds exactly the equilibria it finds
  when it examines every pattern, and every equilibrium's supports pass the test;
* the batched evaluation of a pattern's vertex profiles equals the game's own methods;
* the separable grid sign test equals the direct one it replaced.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import deterrence as dt
import deterrence.solvers.pbe as pbe_module
from deterrence._jit import python_version
from deterrence.game import chance, decision, terminal
from deterrence.solvers import _pbe_exact, _pbe_multilinear, _pbe_patterns, _pbe_roots
from deterrence.solvers._tree_utils import BatchTree


@st.composite
def signalling_trees(draw, max_messages: int = 3):
    """Nature draws one of 2-3 sender types (a probability may be 0); the sender sends one of 2-3
    messages; the receiver, seeing the message only, answers with one of 2 actions; with a
    further move by the sender after some answers."""
    n_types = draw(st.integers(2, 3))
    n_msgs = draw(st.integers(2, max_messages))
    raw = [draw(st.integers(0, 4)) for _ in range(n_types)]
    if sum(raw) == 0:
        raw[0] = 1
    probs = [x / sum(raw) for x in raw]
    pay = st.integers(-3, 3)
    deep = draw(st.booleans())

    def answer(t: int, m: int, a: int):
        if deep and a == 0 and m == 0:
            return decision("S", {f"x{j}": terminal({"S": draw(pay), "R": draw(pay)}) for j in range(2)},
                            infoset=f"S{t} after m0 a0")
        return terminal({"S": draw(pay), "R": draw(pay)})

    types = {}
    for t in range(n_types):
        msgs = {f"m{m}": decision("R", {f"a{a}": answer(t, m, a) for a in range(2)}, infoset=f"R{m}")
                for m in range(n_msgs)}
        types[f"t{t}"] = (probs[t], decision("S", msgs, infoset=f"S{t}"))
    return dt.ExtensiveFormGame(chance(types), players=["S", "R"])


def _every_pattern(game, allowed, possible, tol, mixed=True):
    options = [_pbe_patterns.subsets(a) if mixed else [(x,) for x in a] for a in allowed]
    found = list(itertools.product(*options))
    pure = [p for p in found if all(len(s) == 1 for s in p)]
    return pure, [p for p in found if any(len(s) > 1 for s in p)]


def _profiles(eqs) -> list[tuple[float, ...]]:
    return sorted(tuple(np.round(np.concatenate(e.strategies), 7)) for e in eqs)


def _check_pruning(game, policy):
    pruned = dt.solve(game, "pbe", method="pbe", belief_policy=policy)
    original = pbe_module.feasible_patterns
    pbe_module.feasible_patterns = _every_pattern
    try:
        every = dt.solve(game, "pbe", method="pbe", belief_policy=policy)
    finally:
        pbe_module.feasible_patterns = original
    assert _profiles(pruned) == _profiles(every)
    assert pruned.complete or not every.complete  # pruning only removes reasons to doubt completeness


@settings(max_examples=8, deadline=None)
@given(signalling_trees(max_messages=2), st.sampled_from(["free", "prior", "d1"]))
def test_pruning_loses_no_equilibrium(game, policy):
    _check_pruning(game, policy)


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(signalling_trees(), st.sampled_from(["free", "prior", "d1"]))
def test_pruning_loses_no_equilibrium_long(game, policy):
    _check_pruning(game, policy)


def test_cyclic_below_relation_falls_back_to_complete_patterns():
    """Player 1's set {a1, a2} and player 2's {b1, b2} with a1 above b1 and b2 above a2: perfect
    recall, but neither set can be assigned first."""
    def pay(x, y):
        return terminal({"1": x, "2": y})

    left = decision("1", {"l": decision("2", {"u": pay(1, 0), "d": pay(0, 1)}, infoset="B"),
                          "r": pay(2, 2)}, infoset="A")
    right = decision("2", {"u": decision("1", {"l": pay(0, 0), "r": pay(1, 1)}, infoset="A"),
                           "d": pay(3, 0)}, infoset="B")
    g = dt.ExtensiveFormGame(chance({"x": (0.5, left), "y": (0.5, right)}), players=["1", "2"])
    assert g.has_perfect_recall() and _pbe_patterns._order(g) is None
    pruned = dt.solve(g, "pbe", method="pbe", belief_policy="free")
    original = pbe_module.feasible_patterns
    pbe_module.feasible_patterns = _every_pattern
    try:
        every = dt.solve(g, "pbe", method="pbe", belief_policy="free")
    finally:
        pbe_module.feasible_patterns = original
    assert _profiles(pruned) == _profiles(every) and len(pruned) >= 1


@pytest.mark.parametrize("name", ["chain_store", "costly_signal_menu", "tripartite_crisis"])
def test_batch_evaluation_equals_the_games_methods(name):
    g = dt.load_model(name).game()
    rng = np.random.default_rng(0)
    behs = [[rng.dirichlet(np.ones(len(h.actions))) for h in g.infosets] for _ in range(5)]
    reach, edge, values = BatchTree(g).evaluate(np.array([np.concatenate(b) for b in behs]))
    for c, beh in enumerate(behs):
        np.testing.assert_allclose(reach[c], g.realization_probabilities(beh), atol=1e-12)
        np.testing.assert_allclose(edge[c], g.edge_probabilities(beh), atol=1e-12)
        np.testing.assert_allclose(values[c], g.node_values(beh), atol=1e-12)


def _grid_direct(values, k):
    """The grid sign test as first written: every grid point and every sub-box corner at once."""
    m = 8 if k <= 3 else 4
    ticks = _pbe_multilinear.grid_ticks(m)
    grid = np.stack(np.meshgrid(*([ticks] * k), indexing="ij"), axis=-1).reshape(-1, k)
    corners = np.array(list(itertools.product((0, 1), repeat=k)))
    w = np.prod(np.where(corners[None, :, :] == 1, grid[:, None, :], 1 - grid[:, None, :]), axis=2)
    g = np.asarray(values, dtype=float)
    f = (w @ g.T).reshape(*([m + 1] * k), len(values))
    eps = 1e-13 * max(1.0, float(np.abs(g).max()))
    alive = np.ones([m] * k, dtype=bool)
    for e in range(len(values)):
        views = [f[..., e][tuple(slice(1, None) if b else slice(None, -1) for b in shift)]
                 for shift in itertools.product((0, 1), repeat=k)]
        alive &= ~((np.minimum.reduce(views) > eps) | (np.maximum.reduce(views) < -eps))
    return bool(alive.any())


def _grid_systems(seed: int, count: int, k_max: int):
    """Random systems for the grid screen: half of them real-valued, half with small integer
    vertex values (round numbers: exact zeros and ties at vertices and on grid lines)."""
    rng = np.random.default_rng(seed)
    for i in range(count):
        k = int(rng.integers(1, k_max + 1))
        n_eq = int(rng.integers(1, k + 1))
        if i % 2:
            yield rng.integers(-3, 4, size=(n_eq, 2**k)).astype(float), k
        else:
            yield rng.normal(size=(n_eq, 2**k)) + rng.normal(size=(n_eq, 1)) * float(rng.uniform(0, 3)), k


def test_coarse_to_fine_grid_test_equals_the_direct_one():
    """The compiled grid screen, which reaches the cells coarse to fine and drops whole boxes by
    their corners, gives the verdict of testing every cell of the grid (the direct test above)."""
    verdicts = set()
    for vals, k in _grid_systems(1, 400, 6):
        got = _pbe_multilinear._grid_may_vanish(vals.tolist(), k)
        assert got == _grid_direct(vals.tolist(), k)
        verdicts.add(got)
    assert verdicts == {True, False}


def test_grid_kernel_compiled_equals_its_python_version():
    kernel = _pbe_multilinear._grid_alive
    plain = python_version(kernel)
    for vals, k in _grid_systems(3, 60, 5):
        m = 8 if k <= 3 else 4
        ticks = _pbe_multilinear.grid_ticks(m)
        eps = 1e-13 * max(1.0, float(np.abs(vals).max()))
        assert bool(kernel(vals, k, ticks, eps)) == bool(plain(vals, k, ticks, eps))


def test_box_corners_give_the_system_inside_the_simplices():
    """The grid screen for supports of three or more actions works on the unit box of the
    unknowns: the multilinear function built from the box corners equals the system's value
    (a sum over the support vertices) at random points of the product of simplices."""
    rng = np.random.default_rng(2)
    for _ in range(100):
        shapes = [int(m) for m in rng.integers(2, 4, size=int(rng.integers(1, 4)))]
        vals = rng.normal(size=int(np.prod(shapes)))
        box = np.array(_pbe_multilinear._box_corners([vals.tolist()], shapes)[0])
        sig = [rng.dirichlet(np.ones(m)) for m in shapes]
        combos = itertools.product(*(range(m) for m in shapes))
        direct = sum(v * np.prod([s[c] for s, c in zip(sig, combo, strict=True)])
                     for v, combo in zip(vals, combos, strict=True))
        xs = np.concatenate([s[1:] for s in sig])
        corners = itertools.product((0, 1), repeat=len(xs))
        inside = sum(b * np.prod([x if bit else 1 - x for x, bit in zip(xs, bits, strict=True)])
                     for b, bits in zip(box, corners, strict=True))
        assert inside == pytest.approx(direct, abs=1e-9)



def _at(poly, xs) -> float:
    """A polynomial (monomial -> integer coefficient) at a float point."""
    return sum(float(c) * float(np.prod([x**e for x, e in zip(xs, m, strict=True)])) for m, c in poly.items())


@pytest.mark.parametrize("shapes", [(2, 2, 2), (3, 2)])
def test_real_roots_find_a_planted_root_and_only_roots(shapes):
    """The indifference systems' real roots (lex Gröbner basis, exact in the last unknown, extended at
    30 digits): on random multilinear systems with small integer vertex values shifted so that they
    vanish at a random rational interior point, a zero-dimensional system's roots include that point,
    and every root reported solves the system."""
    rng = np.random.default_rng(sum(shapes) * 10 + len(shapes))
    mixed = list(range(len(shapes)))
    pattern = [tuple(range(m)) for m in shapes]
    combos = list(itertools.product(*pattern))
    zero_dimensional = 0
    for _ in range(25):
        point = [np.array([Fraction(int(x), 12) for x in rng.multinomial(12 - m, np.ones(m) / m) + 1])
                 for m in shapes]
        weight = [np.prod([p[c] for p, c in zip(point, combo, strict=True)]) for combo in combos]
        system = _pbe_roots._System(pattern, mixed, combos)
        values = []
        for _ in range(system.nv):
            raw = [Fraction(int(v)) for v in rng.integers(-3, 4, size=len(combos))]
            at = sum(w * v for w, v in zip(weight, raw, strict=True))
            values.append([int((v - at) * 12 ** len(shapes)) for v in raw])  # integers, as the solver's
        int_polys = [_pbe_exact.integer_polynomial(pattern, mixed, v) for v in values]
        if not all(int_polys):
            continue  # an equation vanishes identically
        polys = int_polys
        if not system.attempt(polys):
            continue  # an equation vanishes identically, or a continuum of roots
        zero_dimensional += 1
        for found in system.found:
            xs = [float(x) for p in found for x in p[1:]]
            assert max(abs(_at(f, xs)) for f in polys) < 1e-9
        planted = np.concatenate([p.astype(float) for p in point])
        assert any(np.allclose(planted, np.concatenate(f), atol=1e-9) for f in system.found)
    assert zero_dimensional >= 10
