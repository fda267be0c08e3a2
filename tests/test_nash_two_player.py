"""2-player Nash solvers (vertex enumeration, support enumeration, Lemke-Howson) against pygambit.

The oracle is pygambit's ``enummixed_solve`` (all extreme equilibria), in exact rational
arithmetic wherever the game has ties (``rational=True``) and in floating point for
continuous random games (nondegenerate with probability one, where it is much faster).
Sets are compared both ways within 1e-6. Nothing is cached between runs.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence.errors import SolverError
from deterrence.game import NormalFormGame
from deterrence.solvers import lemke_howson as lh
from deterrence.solvers import support_enumeration as se
from deterrence.solvers import vertex_enumeration as ve
from deterrence.solvers.base import SolveOptions

gbt = pytest.importorskip("pygambit")

GAMES_DIR = Path(__file__).parent / "data"  # von Stengel's games: see tests/data/README.md
STENGEL_75 = GAMES_DIR / "6x6_game_with_75_eq.nfg"
OPTS = SolveOptions()


# ---------------------------------------------------------------------------- helpers
def profiles(raw) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(np.asarray(c.strategies[0], float), np.asarray(c.strategies[1], float)) for c in raw.candidates]


def gambit_equilibria(a: np.ndarray, b: np.ndarray, rational: bool) -> list[tuple[np.ndarray, np.ndarray]]:
    """pygambit's extreme equilibria of the bimatrix game ``(a, b)``."""
    g = gbt.Game.from_arrays(a, b)
    return gambit_of(g, rational)


def gambit_of(g, rational: bool) -> list[tuple[np.ndarray, np.ndarray]]:
    res = gbt.nash.enummixed_solve(g, rational=rational)
    p1, p2 = g.players
    return [
        (np.array([float(eq[s]) for s in p1.strategies]), np.array([float(eq[s]) for s in p2.strategies]))
        for eq in res.equilibria
    ]


def _close(p, q, tol: float) -> bool:
    return bool(np.allclose(p[0], q[0], atol=tol) and np.allclose(p[1], q[1], atol=tol))


def assert_same_set(ours, theirs, tol: float = 1e-6, what: str = "") -> None:
    """Every profile of ours matches one of theirs within ``tol``, and vice versa."""
    for p in ours:
        assert any(_close(p, q, tol) for q in theirs), f"{what}: {p} not found by pygambit"
    for q in theirs:
        assert any(_close(p, q, tol) for p in ours), f"{what}: pygambit's {q} missing"


def assert_subset(ours, theirs, tol: float = 1e-6) -> None:
    for p in ours:
        assert any(_close(p, q, tol) for q in theirs), f"{p} is not one of pygambit's equilibria"


def assert_equilibria(game: NormalFormGame, profs, tol: float = 1e-9) -> None:
    for x, y in profs:
        assert np.all(x >= 0) and np.all(y >= 0)
        assert abs(x.sum() - 1) < 1e-12 and abs(y.sum() - 1) < 1e-12
        assert game.regrets([x, y]).max() <= tol * (1 + np.abs(game.payoff_tensor()).max())


def random_game(seed: int, m: int, n: int, kind: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if kind == "continuous":
        return rng.normal(size=(m, n)), rng.normal(size=(m, n))
    if kind == "wide":
        return rng.integers(-1000, 1001, (m, n)), rng.integers(-1000, 1001, (m, n))
    return rng.integers(0, 3, (m, n)), rng.integers(0, 3, (m, n))  # "ties"


def _cases() -> list[tuple[int, int, int, str]]:
    rng = np.random.default_rng(20240601)
    cases = []
    seed = 0
    for kind, count, lo, hi in (("continuous", 100, 1, 6), ("wide", 60, 2, 6), ("ties", 124, 2, 6)):
        for _ in range(count):
            m, n = (int(v) for v in rng.integers(lo, hi + 1, 2))
            cases.append((seed, m, n, kind))
            seed += 1
    # some larger ones: floating-point oracle for continuous games, exact for ties
    for m, n in ((7, 7), (8, 8), (7, 8), (8, 7), (8, 8), (7, 7), (8, 6), (6, 8), (8, 8), (7, 7)):
        cases.append((seed, m, n, "continuous"))
        seed += 1
    for m, n in ((7, 7), (7, 6), (8, 8), (7, 8), (8, 5), (6, 7)):
        cases.append((seed, m, n, "ties"))
        seed += 1
    return cases


CASES = _cases()


def check_game(a: np.ndarray, b: np.ndarray, rational: bool) -> None:
    game = NormalFormGame([a, b])
    theirs = gambit_equilibria(a, b, rational)
    vres = ve.run(game, OPTS)
    ours = profiles(vres)
    assert vres.complete
    assert_equilibria(game, ours)
    assert_same_set(ours, theirs, what="vertex_enumeration")
    assert len(ours) == len({tuple(np.round(np.r_[x, y], 9)) for x, y in ours}), "duplicates"
    sres = se.run(game, OPTS)
    assert sres.degenerate == vres.degenerate, "support and vertex enumeration disagree on degeneracy"
    assert_equilibria(game, profiles(sres))
    if not vres.degenerate:
        assert sres.complete
        assert_same_set(profiles(sres), theirs, what="support_enumeration")
        assert len(ours) % 2 == 1, "a nondegenerate game has an odd number of equilibria"
    else:
        assert not sres.complete
        assert vres.notes and "degenerate" in vres.notes[0]
        assert_subset(profiles(sres), theirs)
    lres = lh.run(game, OPTS)
    assert not lres.complete and len(lres.candidates) >= 1
    assert_equilibria(game, profiles(lres))
    assert_subset(profiles(lres), theirs)


# ---------------------------------------------------------------------------- oracle: random games
@pytest.mark.oracle
@pytest.mark.parametrize("seed,m,n,kind", CASES, ids=[f"{k}-{m}x{n}-{s}" for s, m, n, k in CASES])
def test_random_games_equal_enummixed(seed: int, m: int, n: int, kind: str) -> None:
    a, b = random_game(seed, m, n, kind)
    check_game(a, b, rational=kind != "continuous")


def test_case_mix() -> None:
    """At least 300 games, up to 8x8, both kinds, and the tie games really are mostly degenerate."""
    assert len(CASES) >= 300
    assert max(max(m, n) for _, m, n, _ in CASES) == 8
    degenerate = 0
    ties = [c for c in CASES if c[3] == "ties"]
    for seed, m, n, kind in ties:
        a, b = random_game(seed, m, n, kind)
        degenerate += ve.run(NormalFormGame([a, b]), OPTS).degenerate
    assert degenerate >= 0.7 * len(ties)


# ------------------------------------------------------------------ oracle: catalogue, 75 equilibria
def _catalogue_slugs() -> list[str]:
    df = gbt.catalog.games(n_players=2, is_tree=False)
    return list(df["Game"])


@pytest.mark.oracle
@pytest.mark.parametrize("slug", _catalogue_slugs())
def test_catalogue_games(slug: str) -> None:
    g = gbt.catalog.load(slug)
    a, b = (np.array([[float(Fraction(str(v))) for v in row] for row in arr]) for arr in g.to_arrays())
    game = NormalFormGame([a, b])
    theirs = gambit_of(g, rational=True)
    ours = profiles(ve.run(game, OPTS))
    assert_same_set(ours, theirs, what=slug)
    assert_subset(profiles(lh.run(game, OPTS)), theirs)


@pytest.mark.oracle
@pytest.mark.parametrize("name", ["6x6_game_with_75_eq.nfg", "6x6_game_with_75_eq_small_payoffs.nfg"])
def test_von_stengel_75(name: str) -> None:
    path = GAMES_DIR / name
    g = gbt.read_nfg(str(path))
    a, b = (np.array([[float(Fraction(str(v))) for v in row] for row in arr]) for arr in g.to_arrays())
    game = NormalFormGame([a.astype(np.int64), b.astype(np.int64)])
    theirs = gambit_of(g, rational=True)
    assert len(theirs) == 75
    vres = ve.run(game, OPTS)
    assert len(vres.candidates) == 75 and vres.degenerate is False
    assert_same_set(profiles(vres), theirs, what="vertex_enumeration")
    sres = se.run(game, OPTS)
    assert len(sres.candidates) == 75 and sres.degenerate is False and sres.complete
    assert_same_set(profiles(sres), theirs, what="support_enumeration")
    traverse = SolveOptions(method_options=lh.LemkeHowsonOptions(traverse=True))
    assert_subset(profiles(lh.run(game, traverse)), theirs)


def test_read_game_75_through_solve() -> None:
    game = dt.read_game(str(STENGEL_75))
    eqs = dt.solve(game, method="vertex_enumeration", exact=True)
    assert len(eqs) == 75 and eqs.complete and eqs.degenerate is False


# ---------------------------------------------------------------------------- exactness, shapes, methods
def test_exact_candidates_are_exact_equilibria() -> None:
    for seed in range(15):
        a, b = random_game(seed, 4, 5, "ties")
        game = NormalFormGame([a, b])
        for mod in (ve, lh):
            for c in mod.run(game, SolveOptions(exact=True)).candidates:
                x, y = c.exact
                assert sum(x) == 1 and sum(y) == 1 and min(x) >= 0 and min(y) >= 0
                ay = [sum(Fraction(int(a[i, j])) * y[j] for j in range(5)) for i in range(4)]
                xb = [sum(Fraction(int(b[i, j])) * x[i] for i in range(4)) for j in range(5)]
                assert sum(xi * v for xi, v in zip(x, ay, strict=True)) == max(ay)
                assert sum(yj * v for yj, v in zip(y, xb, strict=True)) == max(xb)


@pytest.mark.parametrize("method", ["pivot", "qhull", "bases"])
def test_vertex_methods_agree(method: str) -> None:
    for seed in range(12):
        a, b = random_game(seed, 5, 4, "ties" if seed % 2 else "wide")
        base = ve.extreme_equilibria(a, b)
        other = ve.extreme_equilibria(a, b, method=method)
        assert_same_set(list(zip(base["x"], base["y"], strict=True)),
                        list(zip(other["x"], other["y"], strict=True)), tol=1e-9)
        assert base["degenerate"] == other["degenerate"]


@pytest.mark.oracle
@pytest.mark.parametrize("m,n", [(1, 5), (6, 1), (1, 1), (3, 30), (2, 70)])
def test_thin_and_wide_games(m: int, n: int) -> None:
    """One-strategy players, the sorted-visited path (> 26 labels) and wide keys (> 62 labels)."""
    for seed in range(3):
        a, b = random_game(seed, m, n, "continuous")
        game = NormalFormGame([a, b])
        ours = profiles(ve.run(game, OPTS))
        assert_same_set(ours, gambit_equilibria(a, b, rational=False))
        if m * n <= 90:
            assert_same_set(profiles(se.run(game, OPTS)), ours)


def test_degenerate_component_extremes() -> None:
    """A game with a continuum: the column player is indifferent everywhere."""
    a = np.array([[1, 0], [0, 1]])
    b = np.zeros((2, 2), dtype=int)
    game = NormalFormGame([a, b])
    res = ve.run(game, OPTS)
    assert res.degenerate is True and res.complete
    got = {tuple(np.round(np.r_[x, y], 9)) for x, y in profiles(res)}
    # components: x = e1 with y1 >= 1/2, x = e2 with y2 >= 1/2, and x mixed with y = (1/2, 1/2)
    theirs = gambit_equilibria(a, b, rational=True)
    assert_same_set(profiles(res), theirs)
    assert (1.0, 0.0, 1.0, 0.0) in got and (0.0, 1.0, 0.5, 0.5) in got
    sres = se.run(game, OPTS)
    assert sres.degenerate is True and sres.complete is False


def test_lemke_howson_labels_option() -> None:
    a, b = random_game(3, 5, 5, "continuous")
    game = NormalFormGame([a, b])
    one = lh.run(game, SolveOptions(method_options=lh.LemkeHowsonOptions(labels=(0,))))
    assert len(one.candidates) == 1
    with pytest.raises(SolverError, match="label 99"):
        lh.run(game, SolveOptions(method_options=lh.LemkeHowsonOptions(labels=(99,))))


def test_not_two_player() -> None:
    rng = np.random.default_rng(0)
    game = NormalFormGame([rng.normal(size=(2, 2, 2)) for _ in range(3)])
    for mod in (ve, se, lh):
        assert mod.SOLVER.serves(game, "nash") is not None
        with pytest.raises(ValueError, match="2-player"):
            mod.run(game, OPTS)


def test_estimates_fail_fast() -> None:
    rng = np.random.default_rng(0)
    big = NormalFormGame([rng.normal(size=(30, 30)), rng.normal(size=(30, 30))])
    assert se.estimate(big) > 1e12 and ve.estimate(big) > 1e12
    with pytest.raises(dt.ResourceError):
        dt.solve(big, method="support_enumeration")
    with pytest.raises(dt.ResourceError):
        dt.solve(big, method="vertex_enumeration")
    eqs = dt.solve(big, method="lemke_howson", labels=[0])
    assert len(eqs) == 1


# ---------------------------------------------------------------------------- properties (hypothesis)
def _matrix(m: int, n: int, lo: int = -3, hi: int = 3):
    return st.lists(st.integers(lo, hi), min_size=m * n, max_size=m * n).map(
        lambda v: np.array(v, dtype=np.int64).reshape(m, n))


@st.composite
def bimatrix_games(draw, max_size: int = 4):
    m = draw(st.integers(1, max_size))
    n = draw(st.integers(1, max_size))
    return draw(_matrix(m, n)), draw(_matrix(m, n))


def _eq_set(a, b) -> list[tuple[np.ndarray, np.ndarray]]:
    return profiles(ve.run(NormalFormGame([a, b]), OPTS))


HYP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@HYP
@given(bimatrix_games(), st.integers(1, 7), st.integers(-5, 5), st.integers(1, 7), st.integers(-5, 5))
def test_affine_invariance(g, s1, t1, s2, t2) -> None:
    a, b = g
    base = _eq_set(a, b)
    assert_same_set(_eq_set(s1 * a + t1, s2 * b + t2), base, tol=1e-9)
    assert_same_set(_eq_set(a / 7.0 + 0.25, b * 0.5), base, tol=1e-9)


@HYP
@given(bimatrix_games(), st.randoms(use_true_random=False), st.booleans())
def test_relabelling_invariance(g, rnd, swap) -> None:
    a, b = g
    m, n = a.shape
    game = NormalFormGame([a, b])
    rows, cols = list(range(m)), list(range(n))
    rnd.shuffle(rows)
    rnd.shuffle(cols)
    order = [1, 0] if swap else [0, 1]
    perm = game.permuted(player_order=order, strategy_orders=[rows, cols])
    theirs = profiles(ve.run(perm, OPTS))
    mapped = []
    for x, y in profiles(ve.run(game, OPTS)):
        new = (x[rows], y[cols])
        mapped.append((new[1], new[0]) if swap else new)
    assert_same_set(mapped, theirs, tol=1e-9)


@HYP
@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_nondegenerate_odd_and_methods_agree(m, n, seed) -> None:
    a, b = random_game(seed, m, n, "continuous")
    game = NormalFormGame([a, b])
    vres = ve.run(game, OPTS)
    sres = se.run(game, OPTS)
    assert vres.degenerate is False and sres.degenerate is False
    assert len(vres.candidates) % 2 == 1
    assert_same_set(profiles(vres), profiles(sres), tol=1e-9)
    assert_subset(profiles(lh.run(game, OPTS)), profiles(vres), tol=1e-9)


@HYP
@given(bimatrix_games(max_size=4))
def test_every_equilibrium_certifies(g) -> None:
    game = NormalFormGame(list(g))
    for mod in (ve, se, lh):
        assert_equilibria(game, profiles(mod.run(game, OPTS)))


# ---------------------------------------------------------------------------- slow sweep
@pytest.mark.slow
@pytest.mark.oracle
@pytest.mark.parametrize("seed", range(1000, 1120))
def test_random_sweep_large(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, n = (int(v) for v in rng.integers(5, 9, 2))
    kind = ("ties", "wide", "continuous")[seed % 3]
    a, b = random_game(seed, m, n, kind)
    check_game(a, b, rational=kind != "continuous")
