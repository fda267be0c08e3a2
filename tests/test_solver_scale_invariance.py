"""The per-point solver decides ties on the certificate's scale, so its answers do not depend on
the payoffs' scale.

The solver compares payoff differences with ``tol`` in absolute terms on the game it sees; a
certificate passes a regret up to ``tol`` times the player's payoff range. A game whose payoffs
span less than 1 was solved as given, where ``tol`` is more than ``tol`` of the range: the solver
kept near-ties the certificate then rejected (``SolverError``). It is now solved rescaled
(:func:`deterrence.game.scaling.solved_as_given`), and ``k * payoffs`` has the equilibria of
``payoffs`` for every ``k > 0``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from helpers.random_trees import random_tree
from hypothesis import given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence.game.scaling import payoff_scales, solved_as_given, solver_units
from deterrence.kernels import domain_sample

#: a point of brinkmanship with every payoff parameter about 1e-6 (found by a kernel hunt): a
#: gain of 1.5e-9 against a range of 3.5e-5 was a tie to the solver (within tol = 1e-8 in the
#: game's units) and a loss of 4e-5 of the range to the certificate
TINY_BRINKMANSHIP = {
    "p_hard": 0.18018163703290968, "risk": 0.28971937176877816,
    "target_acquiesced": 2.6560378295614943e-06, "soft_complies": -9.870525416405832e-07,
    "soft_disaster": -9.913222014386537e-06, "hard_complies": -7.247905932823541e-06,
    "hard_disaster": -5.930464007407936e-07, "threatener_complies": -6.964783361564519e-07,
    "threatener_acquiesces": -9.285814265306022e-07, "threatener_disaster": -3.57888314841861e-05,
}

#: the catalogue's models whose games are trees solved in well under a second per point, and
#: the concept each is solved under in the property test
CATALOGUE = {
    "brinkmanship": "spe", "egame12": "spe", "mutual_deterrence": "spe",
    "unilateral_deterrence": "pbe", "extended_deterrence": "pbe",
    "rudimentary_asymmetric_deterrence": "pbe", "alliance_moral_hazard": "pbe",
    "tripartite_crisis": "pbe",
}


def scaled(game: dt.ExtensiveFormGame, k: float) -> dt.ExtensiveFormGame:
    """The same tree with every payoff multiplied by ``k``."""
    rows = [[v * k for v in row] for row in game.payoffs.tolist()]
    return game.with_numbers(rows, [c.probs for c in game.chance_infos])


def profiles(eqs: dt.EquilibriumSet) -> list[np.ndarray]:
    """Each equilibrium's strategies, flattened."""
    return [np.concatenate([np.ravel(np.asarray(s, dtype=float)) for s in e.strategies]) for e in eqs]


def same_equilibria(a: dt.EquilibriumSet, b: dt.EquilibriumSet, atol: float = 1e-6) -> bool:
    """Whether the two sets hold the same profiles up to ``atol`` (a matching, in any order)."""
    left, right = profiles(a), profiles(b)
    if len(left) != len(right):
        return False
    for x in left:
        close = (i for i, y in enumerate(right) if x.shape == y.shape and np.allclose(x, y, 0, atol))
        hit = next(close, None)
        if hit is None:
            return False
        right.pop(hit)
    return True


def assert_scale_free(game: dt.ExtensiveFormGame, concept: str, k: float, **options: Any) -> None:
    """``k * payoffs`` has the equilibria of ``payoffs``, each certified."""
    base = dt.solve(game, concept, **options)
    other = dt.solve(scaled(game, k), concept, **options)
    assert same_equilibria(other, base), (k, [p.round(6).tolist() for p in profiles(other)],
                                          [p.round(6).tolist() for p in profiles(base)])
    assert all(e.certificate.passed for e in other)


# ---------------------------------------------------------------------------- regressions
def test_tiny_brinkmanship_spe_is_certified() -> None:
    """Regression: raised "a spe candidate failed certification (regret 1.53e-09 ...)"."""
    game = dt.load_model("brinkmanship").game(**TINY_BRINKMANSHIP)
    eqs = dt.solve(game, "spe")
    assert len(eqs) == 1 and eqs[0].certificate.passed
    assert same_equilibria(eqs, dt.solve(scaled(game, 1e6), "spe"))


#: a point of unilateral_deterrence whose PBE (free and prior beliefs) failed certification with
#: every payoff times 1e-6 (regret 1.24e-09 against a range of about 1.3e-5)
UDG_POINT = {
    "p_challenger_hard": 0.3428326122911064, "p_defender_hard": 0.2852299502378899,
    "c_status_quo": 10.000241561806874, "c_defender_concedes": 13.050163564159199,
    "c_challenger_concedes": 3.369556043015802, "c_conflict_hard": 5.4836344917316975,
    "c_conflict_soft": 0.15816731377933535, "d_status_quo": 7.385357061563617,
    "d_defender_concedes": 2.8271376115978626, "d_challenger_concedes": 4.183546977198059,
    "d_conflict_hard": 3.456014940458978, "d_conflict_soft": 0.2234578716048954,
}


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
@pytest.mark.parametrize("k", [1e-6, 1e-3, 0.0125])
def test_small_payoffs_are_solved_rescaled(k: float, policy: str) -> None:
    """Regression: a game whose payoffs span less than 1 is solved on its common scale, where
    ``tol`` is within ``tol`` of every player's range (at ``k = 1e-6`` free and prior raised
    "a pbe candidate failed certification (regret 1.24e-09 ...)")."""
    game = dt.load_model("unilateral_deterrence").game(**UDG_POINT)
    assert not solved_as_given(payoff_scales(scaled(game, k)))
    assert_scale_free(game, "pbe", k, belief_policy=policy)


def test_the_kernels_units_are_the_per_point_solvers() -> None:
    """:func:`solver_units` (vectorised, for the kernels) says a game is solved as given exactly
    where :func:`deterrence.game.scaling.on_common_scale` solves it as given, spans around 1 included."""
    rng = np.random.default_rng(3)
    base = rng.integers(-5, 6, size=(40, 7, 2)).astype(float)
    spans = base.max(axis=1) - base.min(axis=1)
    pay = base * (2.0 ** rng.integers(-3, 3, size=(40, 1, 1))) / np.where(spans > 0, spans, 1)[:, None, :]
    pay[::5] *= 0.999  # just under a span of 1 for some
    units = solver_units(pay)
    for p in range(len(pay)):
        game = dt.NormalFormGame([pay[p, :, 0].reshape(7, 1), pay[p, :, 1].reshape(7, 1)])
        assert bool(np.all(units[p] == 1.0)) == solved_as_given(payoff_scales(game)), p
        spread = pay[p].max(axis=0) - pay[p].min(axis=0)
        # tol in the solver's units is within tol of the range
        assert np.all((units[p] <= spread) | (spread == 0)), p


# ---------------------------------------------------------------------------- properties
@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(sorted(CATALOGUE)), seed=st.integers(0, 10**6), exponent=st.floats(-6, 6))
def test_catalogue_equilibria_do_not_depend_on_the_payoffs_scale(name: str, seed: int, exponent: float
                                                                   ) -> None:
    model = dt.load_model(name)
    point = {p: float(v[0]) for p, v in domain_sample(model, 1, seed=seed).items()}
    assert_scale_free(model.game(**point), CATALOGUE[name], 10.0**exponent)


@settings(max_examples=30, deadline=None)
@given(players=st.integers(2, 3), infosets=st.integers(2, 5), seed=st.integers(0, 10**6),
       concept=st.sampled_from(["nash", "spe", "pbe"]), exponent=st.floats(-6, 6))
def test_random_tree_equilibria_do_not_depend_on_the_payoffs_scale(
    players: int, infosets: int, seed: int, concept: str, exponent: float
) -> None:
    game = random_tree(players, infosets, seed)
    try:
        dt.solve(game, concept, max_work=1e7)
    except (dt.ResourceError, dt.UnsupportedError):  # too large or not served: not this test's business
        return
    assert_scale_free(game, concept, 10.0**exponent, max_work=1e7)


def test_a_rescaled_game_keeps_its_players_payoffs_in_proportion() -> None:
    """Regression: rescaled per player, patron_reputation's SPE (whose subgame is solved by the
    logit homotopy, one precision for all players) was another equilibrium with payoffs times
    1e-3 than as given; one unit for all players keeps the path, and the answer."""
    model = dt.load_model("patron_reputation")
    point = {p: float(v[3]) for p, v in domain_sample(model, 6, seed=5).items()}
    assert_scale_free(model.game(**point), "spe", 1e-3)
