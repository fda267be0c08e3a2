"""The certifier, checked against independent brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence.certificates import certify
from deterrence.game import ExtensiveFormGame, chance, decision, terminal


def _brute_regret(payoffs, profile):
    """Regret by summing over every pure profile explicitly (no shared code with the library)."""
    n = len(payoffs)
    shape = payoffs[0].shape
    worst = 0.0
    for i in range(n):
        cur = 0.0
        dev = np.zeros(shape[i])
        for s in itertools.product(*[range(k) for k in shape]):
            p_others = np.prod([profile[j][s[j]] for j in range(n) if j != i])
            dev[s[i]] += p_others * payoffs[i][s]
            cur += p_others * profile[i][s[i]] * payoffs[i][s]
        worst = max(worst, dev.max() - cur)
    return worst


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6), st.integers(2, 3), st.integers(2, 3))
def test_normal_regret_matches_brute_force(seed, n_players, n_strats):
    rng = np.random.default_rng(seed)
    shape = (n_strats,) * n_players
    payoffs = [rng.integers(-5, 6, size=shape) for _ in range(n_players)]
    g = dt.NormalFormGame(payoffs)
    prof = [rng.dirichlet(np.ones(n_strats)) for _ in range(n_players)]
    cert = certify(g, prof)
    assert cert.regret == pytest.approx(_brute_regret(payoffs, prof), abs=1e-9)
    exact = certify(g, prof, exact=True)
    assert exact.exact
    assert exact.regret == pytest.approx(cert.regret, abs=1e-7)


def test_matching_pennies_exact():
    g = dt.NormalFormGame([np.array([[1, -1], [-1, 1]]), np.array([[-1, 1], [1, -1]])])
    half = [np.array([0.5, 0.5])] * 2
    assert certify(g, half, exact=True).passed
    bad = certify(g, [np.array([1.0, 0.0]), np.array([0.5, 0.5])])
    assert not bad.passed and bad.regret == pytest.approx(1.0)


def test_qre_residual():
    g = dt.NormalFormGame([np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])])
    half = [np.array([0.5, 0.5])] * 2
    # the centroid is the logit QRE of this symmetric coordination game at every lambda
    assert certify(g, half, concept="qre", lam=3.0).qre_residual < 1e-12
    skew = [np.array([0.6, 0.4]), np.array([0.5, 0.5])]
    assert certify(g, skew, concept="qre", lam=3.0).qre_residual > 0.01


def _entry_game(hard_set: str = "dh", soft_set: str = "ds"):
    """Attacker stays or attacks; Nature draws a hard or soft defender, who fights or yields.

    With ``hard_set == soft_set`` the defender does not know its type's branch (one information set).
    """

    def defender(war_cost: int, infoset: str):
        return decision(
            "D",
            {
                "fight": terminal({"A": -1, "D": war_cost}, "war"),
                "yield": terminal({"A": 1, "D": -2}, "capitulation"),
            },
            infoset=infoset,
        )

    return ExtensiveFormGame(
        decision(
            "A",
            {
                "stay": terminal({"A": 0, "D": 0}, "status_quo"),
                "attack": chance(
                    {"hard": (0.3, defender(-1, hard_set)), "soft": (0.7, defender(-3, soft_set))}
                ),
            },
        )
    )


def test_spe_catches_incredible_threat():
    g = _entry_game()
    threat = [np.array([1.0, 0.0]), np.array([1.0, 0.0]), np.array([1.0, 0.0])]
    assert certify(g, threat, "nash").passed  # Nash: the threat is never tested
    spe = certify(g, threat, "spe")
    assert not spe.passed and spe.regret == pytest.approx(1.0)
    credible = [np.array([0.0, 1.0]), np.array([1.0, 0.0]), np.array([0.0, 1.0])]
    assert certify(g, credible, "spe", exact=True).passed


def test_pbe_checks_bayes_on_path():
    # defender does not know the type: one information set over both chance branches
    g = _entry_game("d", "d")
    attack_yield = [np.array([0.0, 1.0]), np.array([0.0, 1.0])]
    good = certify(g, attack_yield, "pbe", beliefs=[np.array([1.0]), np.array([0.3, 0.7])])
    assert good.passed
    wrong = certify(g, attack_yield, "pbe", beliefs=[np.array([1.0]), np.array([0.9, 0.1])])
    assert not wrong.passed and wrong.bayes_error == pytest.approx(0.6)
    with pytest.raises(dt.GameError):
        certify(g, attack_yield, "pbe", beliefs=None)


# ---------------------------------------------------------------------------- batch certification
def test_bimatrix_batch_equals_one_at_a_time():
    """The batch path of dt.solve (two-player Nash) gives the same certificates, payoffs and
    outcome probabilities as certifying each equilibrium on its own."""
    from deterrence.certificates import certify_bimatrix_batch

    rng = np.random.default_rng(21)
    for _ in range(20):
        m, n = rng.integers(2, 6, size=2)
        g = dt.NormalFormGame([rng.integers(-4, 5, size=(m, n)), rng.integers(-4, 5, size=(m, n))])
        eqs = dt.solve(g, "nash")
        for e in eqs:
            one = dt.certify(g, e.strategies, "nash")
            assert e.certificate.passed and one.passed
            assert e.certificate.regret == pytest.approx(one.regret, abs=1e-12)
            assert e.certificate.details["relative_regret"] == pytest.approx(
                one.details["relative_regret"], abs=1e-12)
            assert list(e.payoffs.values()) == pytest.approx(list(g.expected_payoffs(e.strategies)))
        # a profile that is not an equilibrium fails, and a broken one is a typed error
        xs = np.eye(m)[[0]]
        ys = np.eye(n)[[0]]
        (cert,), _ = certify_bimatrix_batch(g, xs, ys)
        assert cert.passed == dt.certify(g, [xs[0], ys[0]], "nash").passed
    with pytest.raises(dt.GameError, match="not a probability vector"):
        certify_bimatrix_batch(g, np.full((1, m), 0.9), np.eye(n)[[0]])


def test_batch_outcome_probabilities_match():
    g = dt.NormalFormGame(
        [np.array([[3, 0], [5, 1]]), np.array([[3, 5], [0, 1]])],
        outcomes={"war": np.array([[0.0, 1.0], [1.0, 1.0]]), "status_quo": np.array([[1.0, 0], [0, 0]])},
    )
    g2 = dt.NormalFormGame(
        [np.array([[1, 0], [0, 1]]), np.array([[1, 0], [0, 1]])],
        outcomes={"war": np.array([[0.0, 1.0], [1.0, 0.0]])},
    )
    for game in (g, g2):
        for e in dt.solve(game, "nash"):
            assert e.outcomes == pytest.approx(game.outcome_probabilities(e.strategies))
