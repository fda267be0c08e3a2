"""Recovery of known parameters from data simulated by the model's own story.

The data are drawn from the shocks themselves, not from the closed forms: under agent error each
mover adds a shock to each action's expected utility (the expectation over later moves taken with
the equilibrium choice probabilities); under private information each player adds a shock to each
outcome's utility. The fitted 95 % intervals must cover the true values at close to their nominal
rate over seeds. The fast test uses 40 seeds; the slow one 300 seeds for every tree and error type.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

import deterrence as dt

TRUE12 = {
    "u11:(Intercept)": 0.3, "u11:x1": -0.8,
    "u14:(Intercept)": -0.5, "u14:x2": 1.0,
    "u24:(Intercept)": 0.2, "u24:x3": 0.9,
}  # fmt: skip
FORMULA12 = "y ~ x1 | 0 | x2 | x3"


def _shock(rng: np.random.Generator, link: str, size: int) -> np.ndarray:
    """The difference of the two actions' shocks: N(0, 2) (probit) or logistic with scale sqrt(2)."""
    if link == "probit":
        return rng.normal(size=size) - rng.normal(size=size)
    return rng.logistic(scale=math.sqrt(2.0), size=size)


def simulate_egame12(n: int, seed: int, link: str = "probit", kind: str = "agent") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    b = TRUE12
    u11 = b["u11:(Intercept)"] + b["u11:x1"] * x[:, 0]
    u14 = b["u14:(Intercept)"] + b["u14:x2"] * x[:, 1]
    u24 = b["u24:(Intercept)"] + b["u24:x3"] * x[:, 2]
    cdf = norm.cdf if link == "probit" else (lambda z: 1 / (1 + np.exp(-z)))
    p4 = cdf(u24 / math.sqrt(2))  # what Player 1 expects of Player 2
    if kind == "agent":
        fight = u24 + _shock(rng, link, n) > 0
        escalate = p4 * u14 + _shock(rng, link, n) > u11  # u13 = 0
    else:  # private information: a shock on each outcome's utility, known to its player only
        e = rng.normal(size=(n, 5))  # pi11, pi13, pi14 (player 1), pi23, pi24 (player 2)
        fight = u24 + e[:, 4] > e[:, 3]
        escalate = (1 - p4) * e[:, 1] + p4 * (u14 + e[:, 2]) > u11 + e[:, 0]
    y = np.where(escalate, np.where(fight, 4, 3), 1)
    return pd.DataFrame({"y": y, "x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 2]})


def coverage(seeds: range, n: int, link: str, kind: str) -> tuple[float, np.ndarray]:
    hits, estimates = [], []
    truth = pd.Series(TRUE12)
    for seed in seeds:
        fit = dt.fit("egame12", FORMULA12, simulate_egame12(n, seed, link, kind), link=link, type=kind)
        ci = fit.conf_int()
        hits.append(((ci["lower"] <= truth) & (truth <= ci["upper"])).to_numpy())
        estimates.append(fit.params[truth.index].to_numpy())
    return float(np.mean(hits)), np.array(estimates)


def test_intervals_cover_the_true_values_fast() -> None:
    rate, est = coverage(range(40), 600, "probit", "agent")
    # 240 intervals (6 per fit): the binomial sd of the rate is about 0.014
    assert 0.89 <= rate <= 0.99, rate
    # and the estimates centre on the truth (mean within 3 standard errors of the mean)
    bias = est.mean(axis=0) - np.array(list(TRUE12.values()))
    assert np.all(np.abs(bias) < 3 * est.std(axis=0) / np.sqrt(len(est))), bias


@pytest.mark.slow
@pytest.mark.parametrize(("link", "kind"), [("probit", "agent"), ("logit", "agent"), ("probit", "private")])
def test_intervals_cover_the_true_values_many_seeds(link: str, kind: str) -> None:
    rate, est = coverage(range(1000, 1300), 800, link, kind)
    # 1,800 intervals: the binomial sd of the rate is about 0.005
    assert 0.93 <= rate <= 0.97, rate
    bias = est.mean(axis=0) - np.array(list(TRUE12.values()))
    assert np.all(np.abs(bias) < 0.05), bias
