"""Logit QRE through ``dt.solve(game, "qre", ...)`` against what nobody here wrote.

* pygambit's principal branch (``qre.logit_solve_lambda``, in a subprocess: ``helpers.qre_oracle``)
  on random normal-form games of 2 and 3 players and on random trees (``helpers.random_trees``:
  with and without perfect recall, signalling games, jury voting), where both compute the
  *agent* logit QRE (one logit response per information set);
* the fixed-point residual from the definition (each mover's behaviour equals the softmax of
  precision times expected payoffs, beliefs from the realisation probabilities), per-player
  precisions included;
* the ``lam=None`` limit: a Nash equilibrium by brute force over every pure strategy.

Comparisons with pygambit stop at the first bifurcation point the branch passes (our notes say
where): beyond it the two tracers may continue on different branches.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.qre_oracle import (
    gambit_logit,
    maxdiff,
    normal_regret,
    normal_residual,
    tree_nash_regret,
    tree_residual,
)
from helpers.random_trees import jury_voting, random_tree, signalling_game

import deterrence as dt
from deterrence.errors import SolverError

try:
    import pygambit
except ImportError:  # pragma: no cover - pygambit is a test dependency
    pygambit = None

needs_pygambit = pytest.mark.skipif(pygambit is None, reason="needs pygambit")


def _random_normal_games(seed: int, count: int) -> list[list[np.ndarray]]:
    """Payoff arrays: two players (2 to 4 strategies) or three (2 or 3), integers or scaled normals."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        players = 2 if k % 3 else 3
        shape = tuple(int(x) for x in rng.integers(2, 5 if players == 2 else 4, size=players))
        if k % 2:
            out.append([rng.integers(-5, 6, size=shape).astype(float) for _ in range(players)])
        else:
            scale = 10.0 ** int(rng.integers(-1, 3))
            out.append([rng.normal(size=shape).round(3) * scale for _ in range(players)])
    return out


def _random_trees(first: int, count: int) -> list[dt.ExtensiveFormGame]:
    games = [random_tree(2 + s % 2, 3 + s % 6, s, recall=s % 4 != 3) for s in range(first, first + count)]
    games += [signalling_game(s, types=2 + s % 2, responses=2 + s % 2, payoff_range=5)
              for s in range(first, first + max(1, count // 5))]
    return [*games, jury_voting(2)]


def _passed_bifurcation(eqs: dt.EquilibriumSet) -> bool:
    return any("bifurcation" in note for note in eqs.notes)


def _check_points_against_pygambit(games, lams, residual, players_of) -> int:
    """Every point of ``dt.solve`` is a logit fixed point and, before a bifurcation, pygambit's."""
    ref = gambit_logit(games, lams)
    if ref is None:
        pytest.skip("pygambit ran out of time")
    compared = 0
    for k, (game, res) in enumerate(zip(games, ref, strict=True)):
        for lam, theirs in res["points"]:
            eqs = dt.solve(game, "qre", lam=lam)
            ours = [np.asarray(s, dtype=float) for s in eqs[0].strategies]
            assert residual(game, ours, [lam] * players_of(game)) < 1e-10, (k, lam)
            if _passed_bifurcation(eqs):
                break
            assert maxdiff(ours, theirs) < 1e-6, (k, lam)
            compared += 1
    return compared


def _normal_residual(game, profile, lams):
    return normal_residual(game.payoffs, profile, lams)


def _players(game) -> int:
    return game.num_players


# ---------------------------------------------------------------------------- normal form
@needs_pygambit
@pytest.mark.oracle
def test_random_normal_form_qre_matches_pygambit_and_is_a_logit_fixed_point():
    games = [dt.NormalFormGame(a) for a in _random_normal_games(0, 12)]
    compared = _check_points_against_pygambit(games, (0.1, 0.7, 2.0, 6.0), _normal_residual, _players)
    assert compared >= 40


def test_limit_of_random_normal_form_games_is_a_nash_equilibrium_by_brute_force():
    for k, arrays in enumerate(_random_normal_games(0, 12)):
        eqs = dt.solve(dt.NormalFormGame(arrays), "qre")
        assert eqs[0].lam is None
        scale = float(np.ptp(np.stack(arrays)))
        assert normal_regret(arrays, [np.asarray(s) for s in eqs[0].strategies]) <= 1e-10 * scale, k


def test_newton_polish_keeps_the_point_of_its_last_step():
    # Newton's method at a fixed precision stopped when its step became tiny without looking at
    # the point that step reached, and returned the point before it: a residual of 2.4e-9 where
    # one more evaluation gave 3e-13, so lambda = 19 to 30 on this game was refused
    arrays = _random_normal_games(1, 60)[34]  # two players, 4 x 4, payoffs of size 100
    game = dt.NormalFormGame(arrays)
    for lam in (19.0, 20.0, 21.0, 30.0):
        eqs = dt.solve(game, "qre", lam=lam)
        ours = [np.asarray(s) for s in eqs[0].strategies]
        assert eqs[0].certificate.passed and normal_residual(arrays, ours, [lam, lam]) < 1e-12
    coordination = [np.array([[3.0, 1.0], [0.0, 2.0]]), np.array([[2.0, 0.0], [1.0, 3.0]])]
    game = dt.NormalFormGame(coordination)
    for lam in np.geomspace(1e3, 1e6, 13):  # lambda = 316228 was refused
        eqs = dt.solve(game, "qre", lam=float(lam))
        ours = [np.asarray(s) for s in eqs[0].strategies]
        assert eqs[0].certificate.passed and normal_residual(coordination, ours, [lam, lam]) < 1e-12


def test_a_point_whose_log_odds_are_known_to_their_last_bit_is_accepted():
    # at lambda * range = 1e6 the log-odds are near 1e6, whose last bit is 1.2e-10: the logit
    # equations stop at 1.2e-10, above Newton's 1e-10, while the probabilities are exact
    arrays = [np.array([[2.0, 5.0], [3.0, 0.0]]), np.array([[5.0, 4.0], [0.0, 2.0]])]
    eqs = dt.solve(dt.NormalFormGame(arrays), "qre", lam=2e5)
    ours = [np.asarray(s) for s in eqs[0].strategies]
    assert eqs[0].certificate.passed and normal_residual(arrays, ours, [2e5, 2e5]) < 1e-10


# ---------------------------------------------------------------------------- trees (agent QRE)
@needs_pygambit
@pytest.mark.oracle
def test_random_tree_agent_qre_matches_pygambit_and_is_a_logit_fixed_point():
    games = _random_trees(0, 14)
    compared = _check_points_against_pygambit(games, (0.1, 0.5, 2.0, 8.0), tree_residual, _players)
    assert compared >= 60


def test_per_player_precision_on_trees_is_the_agent_logit_fixed_point():
    for s in range(8):
        game = random_tree(2 + s % 2, 4 + s % 4, 100 + s, recall=s % 3 != 2)
        lams = [0.2 + 0.9 * i for i in range(game.num_players)]
        eqs = dt.solve(game, "qre", lam=lams)
        assert tree_residual(game, [np.asarray(x) for x in eqs[0].strategies], lams) < 1e-10, s


def test_limit_on_random_trees_with_perfect_recall_is_a_nash_equilibrium_by_brute_force():
    games = [g for g in _random_trees(0, 14) if g.has_perfect_recall()]
    assert len(games) >= 12
    for game in games:
        eqs = dt.solve(game, "qre")
        scale = float(np.ptp(np.asarray(game.payoffs, dtype=float)))
        assert tree_nash_regret(game, [np.asarray(x) for x in eqs[0].strategies]) <= 1e-10 * scale, game.title


def test_qre_beyond_the_float_range_on_a_tree_is_a_clear_solver_error():
    # at lambda=1000 the QRE reaches egame12's second mover with a probability below the smallest
    # float: the profile cannot be certified, which used to surface as a GameError (a malformed game)
    game = dt.load_model("egame12").game()
    assert dt.solve(game, "qre", lam=100.0)[0].certificate.passed
    with pytest.raises(SolverError, match=r"node2.*smaller lam"):
        dt.solve(game, "qre", lam=1000.0)


# ---------------------------------------------------------------------------- larger runs
@needs_pygambit
@pytest.mark.oracle
@pytest.mark.slow
def test_many_random_games_match_pygambit():
    games = [dt.NormalFormGame(a) for a in _random_normal_games(1, 60)]
    lams = (0.1, 0.7, 2.0, 6.0, 20.0)
    assert _check_points_against_pygambit(games, lams, _normal_residual, _players) >= 250
    trees = _random_trees(100, 80)
    assert _check_points_against_pygambit(trees, (0.1, 0.5, 2.0, 8.0), tree_residual, _players) >= 350
