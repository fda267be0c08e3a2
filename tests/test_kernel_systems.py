"""The guard's second stage (:mod:`deterrence.kernels._systems`): each unlisted pattern as a
system, its structure, and the skip of curve-shaped systems."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from helpers.exact_systems import generic_route_only
from test_kernel_guard import PENNIES, _symbolic_random_tree

import deterrence as dt
from deterrence import kernels
from deterrence.errors import UnsupportedError
from deterrence.kernels import compile_model, compile_tree
from deterrence.kernels._systems import (
    BIG,
    CLOSED,
    CURVE,
    SystemGuard,
    classify,
    exact_coefficients,
    maximum_matching,
)
from deterrence.kernels._trees import Structure, symbolic_tree
from deterrence.solvers import _pbe_multilinear
from deterrence.solvers._pbe_exact import _polynomial_plan

MONOS = [m for _, m in _polynomial_plan((2, 2, 2))[1]]  # unknowns x0, x1, x2 (three binary sets)


def _support(*equations: list[tuple[int, int, int]]) -> np.ndarray:
    """Per equation, its monomials (exponent tuples) as a support row over :data:`MONOS`."""
    return np.array([[m in eq for m in MONOS] for eq in equations], dtype=bool)


# ------------------------------------------------------------------ structure
def test_matching_is_maximum_on_random_bipartite_graphs():
    """Augmenting paths find a matching as large as brute force over every assignment."""
    rng = np.random.default_rng(3)
    for _ in range(200):
        n_left, n_right = rng.integers(1, 5), rng.integers(1, 5)
        adj = [sorted(set(rng.integers(0, n_right, size=rng.integers(0, 4)).tolist())) for _ in range(n_left)]
        match = maximum_matching(adj, int(n_right))
        used = [e for e in match if e >= 0]
        assert len(used) == len(set(used))
        assert all(e in adj[u] for u, e in enumerate(match) if e >= 0)
        best = 0
        for choice in itertools.product(*[[-1, *a] for a in adj]):
            picked = [e for e in choice if e >= 0]
            if len(picked) == len(set(picked)):
                best = max(best, len(picked))
        assert len(used) == best


def test_curve_when_fewer_equations_involve_some_unknowns():
    """Two equations in ``x1`` alone and one in ``x0, x2``: no matching covers all three."""
    sup = _support([(0, 0, 0), (0, 1, 0)], [(0, 1, 0)], [(1, 0, 0), (0, 0, 1)])
    kind, blocks, _, _ = classify(sup, MONOS, 3)
    assert kind == CURVE and blocks == []


def test_common_unknowns_are_divided_out():
    """``x0 x1 + x0`` is ``x0 (x1 + 1)``: it involves ``x1`` only, so with two more equations in
    ``x1`` only the system is curve-shaped; undivided, ``x0`` would be matched to it."""
    sup = _support([(1, 1, 0), (1, 0, 0)], [(0, 1, 0), (0, 0, 0)], [(0, 1, 0), (0, 0, 1), (0, 1, 1)])
    kind, _, _, common = classify(sup, MONOS, 3)
    assert common[0] == (0,)
    assert kind == CURVE


def test_closed_blocks_in_solving_order():
    """``a + b x1``, ``c + d x0``, ``x0 x2 + x1``: three 1x1 blocks, the last equation's after
    the blocks of ``x0`` and ``x1``; a fourth equation in ``x0`` is left unmatched."""
    sup = _support([(0, 0, 0), (0, 1, 0)], [(0, 0, 0), (1, 0, 0)], [(1, 0, 1), (0, 1, 0)],
                   [(0, 0, 0), (1, 0, 0)])
    kind, blocks, unmatched, _ = classify(sup, MONOS, 3)
    assert kind == CLOSED
    assert [len(b.unknowns) for b in blocks] == [1, 1, 1]
    order = [b.unknowns[0] for b in blocks]
    assert order.index(2) == 2
    assert {b.equations[0] for b in blocks} | set(unmatched) == {0, 1, 2, 3}
    assert len(unmatched) == 1 and unmatched[0] in (1, 3)


def test_bilinear_pair_is_closed_and_a_three_cycle_is_big():
    """A 2x2 coupled pair is closed form; three equations each in the two other unknowns are one
    3x3 block."""
    pair = _support([(0, 0, 0), (1, 1, 0)], [(1, 0, 0), (0, 1, 0)], [(0, 0, 0), (0, 0, 1)])
    kind, blocks, _, _ = classify(pair, MONOS, 3)
    assert kind == CLOSED and sorted(len(b.unknowns) for b in blocks) == [1, 2]
    cycle = _support([(0, 1, 0), (0, 0, 1)], [(1, 0, 0), (0, 0, 1)], [(1, 0, 0), (0, 1, 0)])
    kind, blocks, _, _ = classify(cycle, MONOS, 3)
    assert kind == BIG and [len(b.unknowns) for b in blocks] == [3]


# ------------------------------------------------------------------ the skip never drops a root
def _recording(monkeypatch) -> list[tuple]:
    """Record every system from which the per-point solver's exact path lists a root:
    ``(pattern, mixed, exact polynomials)`` (every root from the exact stage: the linear route of
    type games switched off)."""
    found: list[tuple] = []
    original = _pbe_multilinear._solved_exactly

    def solved(ctx, pattern, mixed, combos, int_polys, names):
        points = original(ctx, pattern, mixed, combos, int_polys, names)
        if points:
            found.append((tuple(tuple(s) for s in pattern), tuple(mixed), int_polys))
        return points

    monkeypatch.setattr(_pbe_multilinear, "_solved_exactly", solved)
    monkeypatch.setattr(_pbe_multilinear, "REPEATS_KEPT", False)
    generic_route_only(monkeypatch)
    return found


def _check_rooted(guard: SystemGuard, found: list[tuple]) -> int:
    """Every rooted system of a pattern the guard tests is not skipped, and its exact support is
    inside the structural one. Returns how many were checked."""
    index = {p: i for i, p in enumerate(guard.patterns)}
    checked = 0
    for pattern, mixed, polys in found:
        i = index.get(pattern)
        if i is None:  # a pattern the kernels list, or over an action the guard does not keep
            continue
        system = guard.systems.systems[i]
        assert system.mixed == mixed
        assert system.kind in (CLOSED, BIG), (pattern, system.kind)
        assert not system.skippable
        col = {m: c for c, m in enumerate(system.monomials)}
        for e, poly in enumerate(polys):
            for mono, c in poly.items():
                assert not c or system.support[e, col[mono]], (pattern, e, mono)
        checked += 1
    return checked


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
@pytest.mark.parametrize("seed", range(12))
def test_curve_skip_keeps_every_rooted_system_on_random_trees(seed, policy, monkeypatch):
    """On the random three-player trees of ``test_kernel_guard``, every system the per-point
    solver lists a root from is classified closed or big, with its exact support inside the
    structural one (the skip drops no equilibrium)."""
    tree, game, a, b = _symbolic_random_tree(seed, 3, 5)
    try:
        cm = compile_tree(tree, "pbe", policy)
    except UnsupportedError:
        pytest.skip("this tree does not compile")
    if cm._guard is None:
        pytest.skip("no guard")
    found = _recording(monkeypatch)
    for s in np.linspace(-1.0, 1.0, 9):
        g = game.with_numbers((a + s * b).tolist(), [ci.probs for ci in game.chance_infos])
        dt.solve(g, "pbe", belief_policy=policy)
    _check_rooted(cm._guard, found)


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_curve_skip_keeps_the_three_way_pennies_equilibrium(policy, monkeypatch):
    """Three-way matching pennies: its only PBE mixes at all three sets; the system it comes
    from is not skipped (and the recording above does see roots)."""
    m = dt.load_model(PENNIES)
    cm = compile_model(m, "pbe", policy)
    found = _recording(monkeypatch)
    for wa, wb, wc in [(1.0, 1.0, 1.0), (1.5, 0.7, 1.9), (0.6, 2.0, 0.5)]:
        dt.solve(m.game(wa=wa, wb=wb, wc=wc), "pbe", belief_policy=policy)
    assert _check_rooted(cm._guard, found) == 3


@pytest.mark.slow
@pytest.mark.parametrize("policy", ["free", "d1"])
def test_curve_skip_keeps_every_rooted_system_on_the_aeg(policy, monkeypatch):
    """The same on ``asymmetric_escalation`` (its guard built without compiling), at 12 domain
    points: some unlisted system has a root at most of them."""
    m = dt.load_model("asymmetric_escalation")
    tree = symbolic_tree(m)
    kept = kernels._dominance.kept_actions(m, kernels.domain_sample(m, 64, seed=12345), 1e-8)
    structures = [Structure(tuple(p)) for p in itertools.product(*kept)]
    guard = SystemGuard(tree.structure, structures, policy, kept)
    found = _recording(monkeypatch)
    pts = kernels.domain_sample(m, 12, seed=14)
    for i in range(12):
        dt.solve(m.game(**{k: float(v[i]) for k, v in pts.items()}), "pbe", belief_policy=policy)
    assert _check_rooted(guard, found) > 0


# ------------------------------------------------------------------ coefficients
def test_float_coefficients_bound_the_exact_ones():
    """At a rational point, each float coefficient is within its error bound of the exact one,
    and the structural zeros are exact zeros (tripartite_crisis, every pattern of its guard)."""
    m = dt.load_model("tripartite_crisis")
    cm = compile_model(m, "pbe", "free")
    guard = cm._guard
    params = {n: Fraction(float(p.default)).limit_denominator(1000) for n, p in m.parameters.items()}
    cols = {n: np.array([float(v)]) for n, v in params.items()}
    pay, ce = cm.tree.numeric_columns(cols)
    from deterrence.kernels._guard import _row_sums

    G, E = _row_sums(*guard.W, np.ascontiguousarray(guard._profiles.features(pay, ce)))
    checked = 0
    for system in guard.systems.systems[::7]:
        exact = exact_coefficients(guard, system, cm.tree, params)
        coef, err = system.coefficients(G, E)
        for e, line in enumerate(exact):
            for c, x in enumerate(line):
                assert abs(float(x) - coef[0, e, c]) <= err[0, e, c] + 1e-300
                if not system.support[e, c]:
                    assert x == 0
        checked += 1
    assert checked > 10


@pytest.mark.parametrize("policy", ["free", "d1"])
def test_a_stage_clearing_nothing_flags_what_the_skip_alone_flags(policy, monkeypatch):
    """With :meth:`SystemStage.cleared` clearing nothing, the collecting path (every survivor per
    point, pattern by pattern) flags exactly the points the first-survivor path flags; the real
    one flags a subset of them; clearing everything clears every point whose survivors are all
    formed closed or big systems (a subset again)."""
    from deterrence.kernels import _systems

    m = dt.load_model("costly_signal_pledge")
    cm = compile_model(m, "pbe", policy)
    guard = cm._guard
    pts = kernels.domain_sample(m, 400, seed=7)
    pay, ce = cm.tree.numeric_columns({k: np.asarray(v, float) for k, v in pts.items()})
    G, E, unit = guard.row_values(pay, ce)
    first = np.zeros(len(G), dtype=bool)
    exact = np.ascontiguousarray((ce > 0).all(axis=0))
    _systems._flag_skipping(guard.code, G, E, unit, cm.tol, cm.edge, guard.n_tests, guard.systems.skip, exact,
                            first)
    assert first.any()
    calls = []

    def answer(value):
        def cleared(self, index, system, pts, *args):
            calls.append(len(pts))
            return np.full(len(pts), value)
        return cleared

    real = guard.flags(pay, ce, cm.tol, cm.edge)
    assert not (real & ~first).any()
    monkeypatch.setattr(_systems.SystemStage, "cleared", answer(False))
    assert np.array_equal(guard.flags(pay, ce, cm.tol, cm.edge), first)
    assert calls
    monkeypatch.setattr(_systems.SystemStage, "cleared", answer(True))
    cleared = guard.flags(pay, ce, cm.tol, cm.edge)
    assert not (cleared & ~real).any()
