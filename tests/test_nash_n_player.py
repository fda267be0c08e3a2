"""N-player Nash: pure equilibria, all isolated equilibria (polynomial), one by the logit homotopy.

Oracles: pygambit's ``enumpure_solve`` (in process) and ``enumpoly_solve`` (in a subprocess
with a timeout, since it can hang); published descriptions of the Nau et al. (2004) games in
pygambit's catalogue.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from helpers.json_subprocess import run_json_script
from hypothesis import given, settings
from hypothesis import strategies as st

from deterrence._solve import solve
from deterrence.errors import ResourceError
from deterrence.game import NormalFormGame
from deterrence.solvers import choose_method
from deterrence.solvers.homotopy import logit_homotopy
from deterrence.solvers.polynomial import SupportSystem, find_roots, polynomial_equilibria
from deterrence.solvers.pure import iterated_dominance, pure_equilibria

gbt = pytest.importorskip("pygambit")

SHAPES_3P = [s for s in itertools.product((2, 3), repeat=3)]


def _random_payoffs(rng: np.random.Generator, shape: tuple[int, ...], kind: str) -> list[np.ndarray]:
    if kind == "int":
        return [rng.integers(-9, 10, size=shape) for _ in shape]
    if kind == "ties":  # three payoff levels: many ties, several pure equilibria
        return [rng.integers(0, 3, size=shape) for _ in shape]
    return [np.round(rng.standard_normal(shape), 6) for _ in shape]


def _gambit_pure(payoffs: list[np.ndarray]) -> set[tuple[int, ...]]:
    g = gbt.Game.from_arrays(*payoffs)
    out = set()
    for eq in gbt.nash.enumpure_solve(g).equilibria:
        out.add(tuple(int(np.argmax([float(eq[s]) for s in p.strategies])) for p in g.players))
    return out


def _catalogue_game(slug: str) -> NormalFormGame:
    g = gbt.catalog.load(slug)
    shape = [len(p.strategies) for p in g.players]
    arrays = [np.zeros(shape) for _ in g.players]
    for idx in itertools.product(*[range(k) for k in shape]):
        outcome = g[idx]
        for i, p in enumerate(g.players):
            arrays[i][idx] = float(outcome[p])
    return NormalFormGame(arrays, title=slug)


# ----------------------------------------------------------------------------- pure
def test_pure_matches_enumpure_on_120_random_three_player_games():
    rng = np.random.default_rng(20240603)
    kinds = ("int", "float", "ties")
    counts = []
    for k in range(120):
        shape = SHAPES_3P[k % len(SHAPES_3P)]
        payoffs = _random_payoffs(rng, shape, kinds[k % 3])
        ours = {tuple(int(x) for x in row) for row in pure_equilibria(NormalFormGame(payoffs))}
        assert ours == _gambit_pure(payoffs), (k, shape, kinds[k % 3])
        counts.append(len(ours))
    # the sample must exercise games with none, one and several pure equilibria
    assert {0, 1}.issubset(counts) and max(counts) >= 3


def test_pure_four_player_and_solve_front_end():
    rng = np.random.default_rng(7)
    for _ in range(10):
        payoffs = _random_payoffs(rng, (2, 3, 2, 2), "ties")
        g = NormalFormGame(payoffs)
        ours = {tuple(int(x) for x in row) for row in pure_equilibria(g)}
        assert ours == _gambit_pure(payoffs)
        eqs = solve(g, method="pure")
        assert len(eqs) == len(ours)
        assert all(e.certificate.passed for e in eqs)
        assert not eqs.complete or len(ours) == 1


def test_pure_ties_count_as_best_responses():
    # everyone gets 1 everywhere: every profile is an equilibrium
    g = NormalFormGame([np.ones((2, 2, 2))] * 3)
    assert len(pure_equilibria(g)) == 8
    # within tolerance counts as a tie, beyond it does not
    a = np.zeros((2, 2))
    a[1, :] = 1e-10
    g2 = NormalFormGame([a, np.zeros((2, 2))])
    assert len(pure_equilibria(g2, tol=1e-8)) == 4
    assert len(pure_equilibria(g2, tol=1e-12)) == 2


def test_pure_complete_only_when_dominance_solvable():
    pd = NormalFormGame([np.array([[3, 0], [5, 1]]), np.array([[3, 5], [0, 1]])])
    res = solve(pd, method="pure")
    assert res.complete and len(res) == 1
    mp = NormalFormGame([np.array([[1, -1], [-1, 1]]), np.array([[-1, 1], [1, -1]])])
    res = solve(mp, method="pure")
    assert not res.complete and len(res) == 0
    assert any("pure equilibria only" in n for n in res.notes)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([(2, 2, 2), (2, 3, 2), (3, 2, 3), (2, 2, 2, 2)]))
def test_pure_invariant_under_relabelling(seed, shape):
    rng = np.random.default_rng(seed)
    g = NormalFormGame(_random_payoffs(rng, shape, "ties"))
    order = rng.permutation(len(shape)).tolist()
    sorders = [rng.permutation(k).tolist() for k in shape]
    h = g.permuted(order, sorders)
    base = {tuple(int(x) for x in row) for row in pure_equilibria(g)}
    moved = {tuple(int(x) for x in row) for row in pure_equilibria(h)}
    # profile s of g is, in h, player q -> position of s[order[q]] in sorders[order[q]]
    mapped = {tuple(sorders[order[q]].index(s[order[q]]) for q in range(len(shape))) for s in base}
    assert moved == mapped


def test_iterated_dominance_keeps_equilibria():
    pd = [np.array([[3, 0], [5, 1]]), np.array([[3, 5], [0, 1]])]
    assert [a.tolist() for a in iterated_dominance(pd)] == [[1], [1]]


# ----------------------------------------------------------------------------- polynomial
_ENUMPOLY_SCRIPT = r"""
import json, sys
import numpy as np
import pygambit as gbt
out = []
for arrays, ours in json.load(sys.stdin):
    g = gbt.Game.from_arrays(*[np.array(a) for a in arrays])
    res = gbt.nash.enumpoly_solve(g, maxregret=1e-9)
    eqs = [[[float(e[s]) for s in p.strategies] for p in g.players] for e in res.equilibria]
    # pygambit's own regret of each of our profiles: an independent certificate
    regrets = [float(g.mixed_strategy_profile(data=prof).max_regret()) for prof in ours]
    out.append([eqs, regrets])
print(json.dumps(out))
"""


def _enumpoly_batch(games: list[list[np.ndarray]], ours: list[list[list[np.ndarray]]],
                    timeout: float = 90.0) -> list | None:
    data = json.dumps([[[a.tolist() for a in g], [[p.tolist() for p in prof] for prof in found]]
                       for g, found in zip(games, ours, strict=True)])
    ran = run_json_script(_ENUMPOLY_SCRIPT, data, timeout)
    return None if ran is None or ran[1] else ran[0]


def _contains(ours: list[list[np.ndarray]], theirs: list[list[list[float]]], atol: float = 1e-6) -> bool:
    flat_ours = [np.concatenate(p) for p in ours]
    flat_theirs = [np.concatenate([np.asarray(x) for x in p]) for p in theirs]
    return all(any(np.allclose(a, b, atol=atol) for a in flat_ours) for b in flat_theirs)


def test_polynomial_matches_enumpoly_on_generic_2x2x2_games():
    rng = np.random.default_rng(99)
    games = [[rng.standard_normal((2, 2, 2)) for _ in range(3)] for _ in range(30)]
    results = [polynomial_equilibria(NormalFormGame(p)) for p in games]
    oracle = _enumpoly_batch(games, [r.profiles for r in results])
    if oracle is None:
        pytest.skip("pygambit enumpoly_solve timed out or failed")
    mixed = extra = 0
    for k, (payoffs, res, (theirs, their_regrets)) in enumerate(zip(games, results, oracle, strict=True)):
        g = NormalFormGame(payoffs)
        assert res.complete and not res.degenerate, k
        assert len(res.profiles) % 2 == 1, k  # generic games: an odd number of equilibria
        for prof, their_regret in zip(res.profiles, their_regrets, strict=True):
            assert g.regrets(prof).max() <= 1e-10
            assert their_regret <= 1e-9  # pygambit confirms every one of ours
        # everything enumpoly finds, we find; enumpoly is known to miss some totally mixed
        # equilibria, which pygambit's own regret (above) confirms are equilibria
        assert _contains(res.profiles, theirs), (k, res.profiles, theirs)
        extra += len(res.profiles) - len(theirs)
        mixed += sum(any(0 < x < 1 for x in np.concatenate(p)) for p in res.profiles)
    assert mixed >= 5  # the sample has mixed equilibria, not only pure ones
    assert extra <= 10  # a few misses by the oracle at most, not a systematic disagreement


@pytest.mark.parametrize("shape, count", [((2, 2, 3), 8), ((3, 3, 3), 3), ((2, 2, 2, 2), 6), ((2, 3), 8)])
def test_polynomial_equilibria_certify(shape, count):
    rng = np.random.default_rng(sum(shape) * 31 + len(shape))
    for k in range(count):
        payoffs = _random_payoffs(rng, shape, "int" if k % 2 else "float")
        g = NormalFormGame(payoffs)
        eqs = solve(g, method="polynomial")
        assert len(eqs) >= 1
        assert all(e.certificate.passed and e.certificate.regret <= 1e-8 for e in eqs)
        pure = {tuple(int(x) for x in row) for row in pure_equilibria(g)}
        found_pure = {tuple(int(np.argmax(s)) for s in e.strategies) for e in eqs
                      if all(np.max(s) > 1 - 1e-12 for s in e.strategies)}
        assert found_pure == pure
        if eqs.complete:
            assert len(eqs) % 2 == 1 or eqs.degenerate


def test_polynomial_two_player_agrees_with_enummixed():
    rng = np.random.default_rng(5)
    compared = 0
    for _ in range(12):
        a, b = rng.integers(-5, 6, (3, 3)), rng.integers(-5, 6, (3, 3))
        res = polynomial_equilibria(NormalFormGame([a, b]))
        if not res.complete or res.degenerate:
            continue
        g = gbt.Game.from_arrays(a, b)
        theirs = gbt.nash.enummixed_solve(g, rational=False).equilibria
        theirs = [[[float(e[s]) for s in p.strategies] for p in g.players] for e in theirs]
        assert len(res.profiles) == len(theirs) and _contains(res.profiles, theirs)
        compared += 1
    assert compared >= 6


def test_nau2004_unique_irrational_equilibrium():
    # Nau, Gomez Canovas and Hansen (2004), section 4: a 2x2x2 game whose unique Nash
    # equilibrium is in irrational mixed strategies
    g = _catalogue_game("journals/ijgt/nau2004/sec4")
    eqs = solve(g)
    assert eqs.method == "polynomial"
    assert eqs.complete and len(eqs) == 1 and not eqs.degenerate
    prof = eqs[0].strategies
    assert all(0.3 < p[0] < 0.7 for p in prof)  # completely mixed
    ref = gbt.catalog.load("journals/ijgt/nau2004/sec4")
    theirs = gbt.nash.enumpoly_solve(ref).equilibria
    assert len(theirs) == 1
    ref_prof = [[float(theirs[0][s]) for s in p.strategies] for p in ref.players]
    assert np.allclose(np.concatenate(prof), np.concatenate(ref_prof), atol=1e-6)
    # the exact root: a regret of zero to machine precision
    assert eqs[0].certificate.regret < 1e-13


def test_nau2004_continuum_is_flagged_degenerate():
    # section 5: 3 pure, 2 incompletely mixed and a continuum of completely mixed equilibria
    g = _catalogue_game("journals/ijgt/nau2004/sec5")
    res = polynomial_equilibria(g)
    assert not res.complete and res.degenerate
    assert all(g.regrets(p).max() <= 1e-8 for p in res.profiles)

    def kind(p):
        mixed = [bool(np.all(s > 1e-9)) for s in p]
        return "pure" if not any(mixed) else "complete" if all(mixed) else "partial"

    kinds = [kind(p) for p in res.profiles]
    assert kinds.count("pure") == 3
    assert kinds.count("partial") == 2
    assert kinds.count("complete") >= 2  # sample points of the continuum


def test_nau2004_segment_points_are_collinear():
    # section 6: the set of Nash equilibria of this 2x2x4 game is a line segment
    g = _catalogue_game("journals/ijgt/nau2004/sec6")
    res = polynomial_equilibria(g)
    assert res.degenerate and not res.complete
    pts = np.array([np.concatenate(p) for p in res.profiles])
    assert len(pts) >= 3
    assert np.linalg.matrix_rank(pts[1:] - pts[0], tol=1e-7) == 1


def test_support_system_roots_verified():
    # a 2x2x2 game with a known completely mixed equilibrium at (1/2, 1/2, 1/2):
    # every player gets 1 for matching the next player's strategy, else 0
    a = np.zeros((2, 2, 2))
    pay = [a.copy(), a.copy(), a.copy()]
    for s in itertools.product(range(2), repeat=3):
        for i in range(3):
            pay[i][s] = 1.0 if s[i] == s[(i + 1) % 3] else 0.0
    system = SupportSystem(pay, [[0, 1]] * 3)
    search = find_roots(system)
    assert search.resolved
    assert len(search.roots) == 1 and np.allclose(search.roots[0], 0.5)


def test_polynomial_fails_fast_on_big_games():
    rng = np.random.default_rng(1)
    g = NormalFormGame([rng.standard_normal((4, 4, 4, 4)) for _ in range(4)])
    with pytest.raises(ResourceError):
        solve(g, method="polynomial")
    assert choose_method(g, "nash").name == "homotopy"
    assert choose_method(NormalFormGame([rng.standard_normal((2, 2, 2)) for _ in range(3)]),
                         "nash").name == "polynomial"


# ----------------------------------------------------------------------------- homotopy
@pytest.mark.parametrize("shape, count", [((3, 3, 3, 3), 4), ((5, 5, 5), 4), ((2, 2, 2), 10)])
def test_homotopy_finds_an_equilibrium(shape, count):
    rng = np.random.default_rng(len(shape) * 1000 + shape[0])
    checked = 0
    for k in range(count):
        payoffs = _random_payoffs(rng, shape, "int" if k % 2 else "float")
        g = NormalFormGame(payoffs)
        res = logit_homotopy(g)
        assert g.regrets(res.profile).max() <= 1e-9
        eqs = solve(g, method="homotopy")
        assert len(eqs) == 1 and not eqs.complete
        assert eqs[0].certificate.regret <= 1e-9
        every = polynomial_equilibria(g) if shape == (2, 2, 2) else None
        if every is not None and every.complete:  # the selected equilibrium is one of the complete set
            checked += 1
            assert any(all(np.allclose(p, q, atol=1e-7) for p, q in zip(res.profile, e, strict=True))
                       for e in every.profiles)
    assert shape != (2, 2, 2) or checked >= 5


def test_homotopy_selection_is_invariant_to_payoff_scale():
    rng = np.random.default_rng(11)
    payoffs = [rng.standard_normal((3, 3, 3)) for _ in range(3)]
    a = logit_homotopy(NormalFormGame(payoffs)).profile
    b = logit_homotopy(NormalFormGame([7.0 * p + 3.0 for p in payoffs])).profile
    assert all(np.allclose(x, y, atol=1e-9) for x, y in zip(a, b, strict=True))
