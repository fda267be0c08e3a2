"""PBE under free off-path beliefs on random games, against brute force from the definition.

Oracle: ``helpers.pbe_brute_oracle``. On seeded random signalling games
(``helpers.random_trees.signalling_game``: small integer payoffs with many ties, a third type,
message or response, a type of prior 0, or generic payoffs), every pure behaviour profile is
tried: Bayes' rule where it reaches a set, a linear program for a belief that supports the
prescribed action where it does not. The pure equilibria ``dt.solve(game, "pbe",
belief_policy="free")`` lists, and all those of ``mixed=False``, must be exactly those
profiles, whether or not the set of mixed ones is complete (the notes say when continua are
not listed). Every listed equilibrium, mixed ones included, is also checked with its reported
beliefs (distributions, Bayes' rule on the path, 0 on nodes Nature never reaches, no better
action anywhere), on the signalling games and on random trees of two and three players.

``test_pbe.py`` runs the same kind of assessment check on textbook games; these add random
games and the brute-force count, which catches missing equilibria.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.pbe_brute_oracle import assessment_problems, pure_pbe_profiles
from helpers.random_trees import random_tree, signalling_game

import deterrence as dt
from deterrence.errors import ResourceError

SHAPES = {
    "2x2x2": {},
    "3types": {"types": 3, "payoff_range": 4},
    "3messages": {"messages": 3},
    "3responses": {"responses": 3},
    "zero-prior-type": {"zero_type": True},
    "generic": {"payoff_range": 100},
    "generic-3types": {"types": 3, "payoff_range": 100},
    "generic-3messages": {"messages": 3, "payoff_range": 100},
}
SEEDS = range(20)
SLOW_SEEDS = range(20, 300)


def _flat_pure(eqs) -> list[np.ndarray]:
    return [np.concatenate(e.strategies) for e in eqs if e.is_pure()]


def _differences(ours: list[np.ndarray], brute: list[np.ndarray]) -> tuple[list, list]:
    """Brute-force profiles missing from ``ours`` and profiles of ours brute force rejects."""
    def found(p: np.ndarray, pool: list[np.ndarray]) -> bool:
        return any(np.allclose(p, q, rtol=0, atol=1e-9) for q in pool)

    return [b for b in brute if not found(b, ours)], [p for p in ours if not found(p, brute)]


def check_pure_sets(shape: str, seeds: range) -> None:
    """Pure PBE of the default solve and of ``mixed=False`` equal brute force on every seed."""
    total = 0
    for seed in seeds:
        game = signalling_game(seed, **SHAPES[shape])
        brute = pure_pbe_profiles(game)
        total += len(brute)
        for options in ({}, {"mixed": False}):
            eqs = dt.solve(game, "pbe", belief_policy="free", **options)
            missing, extra = _differences(_flat_pure(eqs), brute)
            assert not missing and not extra, (
                f"signalling_game({seed}, **{SHAPES[shape]}) {options}: missing {missing}, "
                f"not a PBE {extra}")
    assert total >= len(seeds)  # not a sweep of games without pure equilibria


def check_assessments(games: list[dt.ExtensiveFormGame]) -> int:
    """Every listed PBE of every game passes the independent check; return how many mixed ones.

    Games over the work budget are left out, at most one in ten.
    """
    mixed = refused = 0
    for game in games:
        try:
            eqs = dt.solve(game, "pbe", belief_policy="free", max_work=1e7)
        except ResourceError:
            refused += 1
            continue
        for eq in eqs:
            problems = assessment_problems(game, eq)
            assert not problems, f"{game.title}: {eq}: {problems}"
            mixed += not eq.is_pure()
    assert refused <= len(games) // 10, f"{refused} of {len(games)} games over the work budget"
    return mixed


@pytest.mark.parametrize("shape", SHAPES)
def test_pure_pbe_of_signalling_games_equal_brute_force(shape: str) -> None:
    check_pure_sets(shape, SEEDS)


@pytest.mark.slow
@pytest.mark.parametrize("shape", SHAPES)
def test_pure_pbe_of_signalling_games_equal_brute_force_sweep(shape: str) -> None:
    check_pure_sets(shape, SLOW_SEEDS)


@pytest.mark.parametrize("shape", SHAPES)
def test_listed_pbe_of_signalling_games_pass_the_definition(shape: str) -> None:
    check_assessments([signalling_game(seed, **SHAPES[shape]) for seed in SEEDS])


def test_listed_pbe_of_signalling_games_include_mixed_ones() -> None:
    """The assessment check above is not only about pure profiles."""
    games = [signalling_game(seed, **SHAPES[s]) for s in ("generic", "generic-3types") for seed in SEEDS]
    assert check_assessments(games) >= 5


@pytest.mark.parametrize("players", [2, 3])
def test_listed_pbe_of_random_trees_pass_the_definition(players: int) -> None:
    check_assessments([random_tree(players, size, seed) for size in (6, 8, 10) for seed in range(15)])


@pytest.mark.slow
@pytest.mark.parametrize("shape", SHAPES)
def test_listed_pbe_of_signalling_games_pass_the_definition_sweep(shape: str) -> None:
    check_assessments([signalling_game(seed, **SHAPES[shape]) for seed in SLOW_SEEDS])


@pytest.mark.slow
@pytest.mark.parametrize("players", [2, 3])
def test_listed_pbe_of_random_trees_pass_the_definition_sweep(players: int) -> None:
    check_assessments([random_tree(players, size, seed) for size in (6, 8, 10, 12)
                       for seed in range(15, 150)])
