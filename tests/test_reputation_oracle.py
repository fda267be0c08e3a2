"""The reputation solver against oracles nobody here wrote into it.

* an exact check of sequential rationality and of Bayes' rule wherever possible, from the
  definitions, on the explicit tree (:mod:`helpers.reputation_oracle`), at random dyadic
  parameters (exact in floating point) including priors 0 and 1, posteriors on the
  Kreps-Wilson thresholds, and random stage games with ties in the payoffs;
* Kreps and Wilson's closed form for the chain store along the path of fights: the entrant
  with ``n`` markets to go enters iff ``p < b**n`` and stays out iff ``p > b**n``; the weak
  incumbent fights for sure iff ``p >= b**(n-1)``, otherwise with probability
  ``p(1 - b**(n-1))/((1 - p) b**(n-1))``, and acquiesces in the last market.
"""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest
from helpers.reputation_oracle import assessment_problems

import deterrence as dt
from deterrence.errors import UnsupportedError
from deterrence.game.reputation import CrisisStage, ReputationGame
from deterrence.solvers._reputation_recursion import MarkovProfile
from deterrence.solvers.reputation import profile_candidate, solved_structure

F = Fraction


def _exact_solution(tree: dt.ExtensiveFormGame) -> tuple[MarkovProfile, tuple[tuple[Fraction, ...], ...]]:
    """The solver's profile and exact behaviour, read the way ``method='reputation'`` reads the tree."""
    struct, profile = solved_structure(tree)
    return profile, profile_candidate(tree, struct, profile).exact


def _checked(tree: dt.ExtensiveFormGame) -> tuple[MarkovProfile, list[str]]:
    """Solve with ``method='reputation'`` and check the returned assessment exactly."""
    eq = dt.solve(tree, "pbe", method="reputation").equilibria[0]
    profile, exact = _exact_solution(tree)
    for h, (floats, fractions) in enumerate(zip(eq.strategies, exact, strict=True)):
        np.testing.assert_allclose(
            floats, [float(x) for x in fractions], atol=1e-12, err_msg=tree.infosets[h].name
        )
    beliefs = [list(eq.beliefs[h.name].values()) if h.name in eq.beliefs else [1.0] for h in tree.infosets]
    return profile, assessment_problems(tree, exact, beliefs)


def _kreps_wilson_problems(profile: MarkovProfile, n_markets: int, p: Fraction, b: Fraction) -> list[str]:
    out = []
    q = p
    for k in range(n_markets):
        togo = n_markets - k
        quiet, _, fight = profile.play(k, q)
        if (q < b**togo and quiet != 0) or (q > b**togo and quiet != 1):
            out.append(f"market {k + 1}, reputation {q}: entrant stays out with probability {quiet}")
        if 0 < q < 1:
            if togo == 1:
                want = F(0)
            elif q >= b ** (togo - 1):
                want = F(1)
            else:
                want = q * (1 - b ** (togo - 1)) / ((1 - q) * b ** (togo - 1))
            if fight != want:
                out.append(
                    f"market {k + 1}, reputation {q}: weak fights with probability {fight}, not {want}"
                )
        q = profile.posterior(k, q, 1)  # along the path of fights
    return out


def _dyadic(rng: random.Random, lo: Fraction, hi: Fraction) -> Fraction:
    while True:
        x = F(rng.randint(1, 127), 16)
        if lo < x < hi:
            return x


def test_chain_store_is_sequentially_rational_and_kreps_wilson_at_random_and_threshold_points() -> None:
    rng = random.Random(20261206)
    checked = 0
    for _ in range(25):
        n = rng.choice([1, 2, 3])
        b = rng.choice([F(1, 2), F(1, 4), F(3, 4), _dyadic(rng, F(0), F(1))])
        a = rng.choice([F(2), F(3, 2), F(4), _dyadic(rng, F(1), F(6))])
        p = rng.choice([F(0), F(1), b**n, b ** (n - 1), b**n / 2, F(rng.randint(1, 7), 8)])
        tree = dt.builders.chain_store_game(
            markets=n, p_tough=float(p), monopoly_profit=float(a), entry_profit=float(b)
        ).tree()
        profile, problems = _checked(tree)
        problems += _kreps_wilson_problems(profile, n, p, b)
        assert not problems, (n, p, a, b, problems)
        checked += 1
    assert checked == 25


def _random_stage(rng: random.Random, name: str) -> CrisisStage:
    def x() -> Fraction:
        return F(rng.randint(-4, 4), rng.choice([1, 2, 4]))  # small dyadic values: ties are common

    while True:
        lr = [[x() for _ in range(3)] for _ in range(2)]
        if lr[0][1] > lr[0][2] and lr[1][2] > lr[1][1]:
            break
    ch = [[F(0), x(), x()] for _ in range(2)]
    if rng.random() < 0.5:
        ch[1] = list(ch[0])
    return CrisisStage(name, lr, ch)


def test_random_reputation_games_are_sequentially_rational() -> None:
    """Random stage payoffs (with ties), priors including 0 and 1, up to 3 stages: every answer
    passes the exact check; games outside the solver's class are typed refusals."""
    rng = random.Random(7)
    solved = 0
    for _ in range(36):
        n = rng.randint(1, 3)
        base = _random_stage(rng, "C1")
        stages = [base if rng.random() < 0.6 else _random_stage(rng, "C1") for _ in range(n)]
        stages = [
            CrisisStage(f"C{k + 1}", s.long_run_payoffs, s.challenger_payoffs) for k, s in enumerate(stages)
        ]
        prior = rng.choice([F(0), F(1), F(1, 2), F(1, 4), F(3, 4), F(rng.randint(1, 15), 16)])
        tree = ReputationGame(long_run="L", types=("r", "w"), prior=prior, stages=tuple(stages)).tree()
        try:
            _, problems = _checked(tree)
        except UnsupportedError:
            continue
        assert not problems, (prior, [(s.long_run_payoffs, s.challenger_payoffs) for s in stages], problems)
        solved += 1
    assert solved >= 25


def test_the_oracle_refuses_a_perturbed_assessment() -> None:
    tree = dt.builders.chain_store_game(markets=2, p_tough=0.2).tree()
    eq = dt.solve(tree, "pbe", method="reputation").equilibria[0]
    _, exact = _exact_solution(tree)
    beliefs = [list(eq.beliefs[h.name].values()) for h in tree.infosets]
    assert not assessment_problems(tree, exact, beliefs)
    weak_first = next(h.index for h in tree.infosets if h.name == "incumbent_weak_1")
    wrong = list(exact)
    wrong[weak_first] = (F(1, 3), F(2, 3))  # not 1/4: the next entrant is no longer indifferent
    assert any(
        "incumbent_weak_1" in s or "entrant2_f" in s for s in assessment_problems(tree, wrong, beliefs)
    )
    bent = [list(b) for b in beliefs]
    h = next(h.index for h in tree.infosets if h.name == "entrant2_a")
    bent[h] = [0.5, 0.5]  # an acquiescence reveals the weak type: not Bayes' rule
    assert any("entrant2_a" in s for s in assessment_problems(tree, exact, bent))


@pytest.mark.slow
def test_random_reputation_games_four_stages_slow() -> None:
    rng = random.Random(11)
    for _ in range(150):
        n = rng.randint(1, 4)
        stages = [_random_stage(rng, f"C{k + 1}") for k in range(n)]
        prior = rng.choice([F(0), F(1), F(1, 2), F(rng.randint(1, 15), 16)])
        tree = ReputationGame(long_run="L", types=("r", "w"), prior=prior, stages=tuple(stages)).tree()
        try:
            _, problems = _checked(tree)
        except UnsupportedError:
            continue
        assert not problems, (prior, problems)
