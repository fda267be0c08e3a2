"""Structural estimation: a catalogue model's agent QRE fitted to outcome counts.

Checks: the backward-induction QRE equals the generic solver (``dt.solve``, certified) on
perfect-information trees; on ``egame12`` the structural fit at lambda = 1/sqrt(2) is the
package's constants-only model (same maximum, same standard errors); known parameters are
recovered from counts drawn from the model, on a tree with incomplete information (solved by
``dt.solve``); parameters the counts cannot identify are named; bad data are refused.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import deterrence as dt
from deterrence.studies.estimation import IdentificationWarning, SeparationWarning
from deterrence.studies.estimation._structural import qre_terminal_probabilities


@pytest.mark.parametrize(
    "name", ["egame12", "egame123", "brinkmanship", "mutual_deterrence", "alliance_moral_hazard"]
)
def test_backward_induction_qre_is_the_solvers(name: str) -> None:
    m = dt.load_model(name)
    g = m.game()
    assert g.is_perfect_information()
    for lam in (0.3, 1.0, 4.0):
        ours, _ = qre_terminal_probabilities(g, lam, "logit")
        eq = dt.solve(g, "qre", lam=lam)[0]
        np.testing.assert_allclose(ours, g.terminal_probabilities(eq.strategies), atol=1e-9)


def _war_counts() -> dict[str, int]:
    w = dt.load_dataset("war1800")
    return {
        "status_quo": int((w.esc == 0).sum()),
        "capitulation": int(((w.esc == 1) & (w.war == 0)).sum()),
        "war": int((w.war == 1).sum()),
    }


@pytest.mark.parametrize("link", ["logit", "probit"])
def test_egame12_structural_fit_is_the_packages_constant_model(link: str) -> None:
    war = dt.load_dataset("war1800")
    games = dt.fit("egame12", "esc + war ~ 1 | 0 | 0 | 1", war, link=link)
    counts = _war_counts()
    structural = dt.fit(
        "egame12", data=counts, estimate=["u11", "u24"], fixed={"u13": 0, "u14": 0},
        lam=1 / math.sqrt(2), link=link,
    )  # fmt: skip
    assert structural.llf == pytest.approx(games.llf, abs=1e-7)
    np.testing.assert_allclose(structural.params.to_numpy(), games.params.to_numpy(), atol=1e-5)
    np.testing.assert_allclose(structural.bse.to_numpy(), games.bse.to_numpy(), rtol=1e-3)
    assert list(structural.fixed_params.index) == ["lambda", "u13", "u14"]
    assert structural.nobs == sum(counts.values())
    probs = structural.predict()
    assert list(probs.columns) == ["Pr(status_quo)", "Pr(capitulation)", "Pr(war)"]
    np.testing.assert_allclose(probs.to_numpy()[0], np.array(list(counts.values())) / 313, atol=1e-6)


def _expected(model, values: dict, lam: float) -> dict[str, float]:
    g = model.game(**values)
    term, _ = qre_terminal_probabilities(g, lam, "logit")
    out: dict[str, float] = {}
    for row in range(len(g.terminals)):
        first = g.terminal_outcomes[row][0]
        out[first] = out.get(first, 0.0) + float(term[row])
    return out


def test_recovers_precision_and_credibility_on_an_incomplete_information_tree() -> None:
    m = dt.load_model("extended_deterrence")
    assert not m.game().is_perfect_information()
    truth = {"lambda": 2.0, "credibility": 0.7}
    p = _expected(m, {"credibility": truth["credibility"]}, truth["lambda"])
    counts = dict(zip(p, np.random.default_rng(0).multinomial(3000, list(p.values())), strict=True))
    fit = dt.fit(m, data=counts, estimate=["credibility"])
    assert fit.converged
    for k, v in truth.items():
        assert abs(fit.params[k] - v) < 3 * fit.bse[k], (k, fit.params[k], fit.bse[k])
    assert "lambda" in str(fit.summary())
    assert fit.predict(kind="action").shape[1] == sum(len(h.actions) for h in m.game().infosets)


def test_unidentified_parameters_are_named() -> None:
    counts = _war_counts()
    with pytest.warns(IdentificationWarning) as record:
        fit = dt.fit("egame12", data=counts, estimate=["u11", "u14", "u24"], fixed={"u13": 0})
    messages = " ".join(str(w.message) for w in record)
    assert "at most 2 of them" in messages  # 4 parameters (with lambda) from 3 frequencies
    assert "not identified" in messages and "u14" in messages and "lambda" in messages
    assert fit.bse.isna().all()


def test_bootstrap_of_a_structural_fit() -> None:
    fit = dt.fit("egame12", data=_war_counts(), estimate=["u11", "u24"], fixed={"u13": 0, "u14": 0},
                 lam=1 / math.sqrt(2), boot=12, seed=1)  # fmt: skip
    assert fit.boot_params is not None and len(fit.boot_params) == 12
    np.testing.assert_allclose(fit.boot_params.std(), fit.bse, rtol=0.5)


def test_bad_structural_inputs() -> None:
    counts = _war_counts()
    with pytest.raises(dt.ParameterError, match="'u99' is not a parameter of egame12"):
        dt.fit("egame12", data=counts, estimate=["u99"])
    with pytest.raises(dt.ParameterError, match="'truce' is neither an outcome label"):
        dt.fit("egame12", data={**counts, "truce": 3}, estimate=["u11"])
    with pytest.raises(dt.ParameterError, match="share the terminal"):
        dt.fit(
            "extended_deterrence",
            data={"war": 5, "abandonment": 3, "status_quo": 9},
            estimate=["credibility"],
        )
    with pytest.raises(dt.ParameterError, match="not proportions"):
        dt.fit("egame12", data={"status_quo": 0.5, "war": 0.5}, estimate=["u11"])
    with pytest.raises(dt.ParameterError, match="both estimated and fixed"):
        dt.fit("egame12", data=counts, estimate=["u11"], fixed={"u11": 0})
    with pytest.raises(dt.UnsupportedError, match="probit QRE is computed only on perfect-information"):
        dt.fit(
            "extended_deterrence", data={"war": 5, "status_quo": 9}, estimate=["credibility"], link="probit"
        )
    with pytest.raises(dt.ParameterError, match="only apply to strategic fits"):
        dt.fit("egame12", data=counts, estimate=["u11"], sd_formula="~ 1")
    with pytest.raises(dt.ParameterError, match="lam must be a positive number"):
        dt.fit("egame12", data=counts, estimate=["u11"], lam=-1)
    with pytest.raises(dt.UnsupportedError, match="profiles vary a regressor; this fit has none"):
        dt.fit("egame12", data=counts, estimate=["u24"], lam=1.0).predict_profile("u11")


def test_counts_from_a_list_of_outcomes() -> None:
    labels = ["status_quo"] * 40 + ["war"] * 10 + ["capitulation"] * 12
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = dt.fit("egame12", data=labels, estimate=["u24"], lam=1.0)
    b = dt.fit("egame12", data={"status_quo": 40, "war": 10, "capitulation": 12}, estimate=["u24"], lam=1.0)
    assert a.llf == pytest.approx(b.llf) and a.nobs == 62


def test_a_precision_running_to_zero_is_named() -> None:
    # uniformly random play gives exactly these frequencies in egame12: lambda -> 0
    with pytest.warns(IdentificationWarning, match="uniformly random play fits these counts best"):
        fit = dt.fit("egame12", data={"status_quo": 50, "capitulation": 25, "war": 25}, estimate=[])
    assert fit.params["lambda"] < 1e-3


def test_lambda_ridge_is_named_with_nan_standard_errors() -> None:
    # lambda, u11 and u24 from 3 frequencies: a ridge of equal likelihood. The numerical Hessian's
    # smallest eigenvalue (about 4e-6 of the largest) stayed above the singularity threshold, so
    # finite standard errors (266, 212, 62) were reported and the promised names never came
    with pytest.warns(IdentificationWarning) as record:
        fit = dt.fit("egame12", data=_war_counts(), estimate=["u11", "u24"], fixed={"u13": 0, "u14": 0})
    messages = " ".join(str(w.message) for w in record)
    assert "identify at most 2 of them" in messages and "lambda" in messages
    assert fit.bse.isna().all()
    assert np.isfinite(fit.params).all()


@pytest.mark.parametrize(
    ("counts", "estimate"),
    [
        ({"status_quo": 50, "capitulation": 0, "war": 0}, ["u11"]),
        ({"status_quo": 50, "capitulation": 5, "war": 0}, ["u11", "u24"]),
    ],
)
def test_an_outcome_never_observed_and_driven_to_zero_warns(counts: dict, estimate: list) -> None:
    # the estimates ran off (u11 = 30 with standard error 7371) and the fit said converged, silently
    with pytest.warns(SeparationWarning, match="no crisis ended in .*run off towards infinity"):
        fit = dt.fit("egame12", data=counts, estimate=estimate, fixed={"u13": 0, "u14": 0}, lam=0.7)
    assert fit.bse.isna().all()


def test_an_outcome_never_observed_with_a_finite_estimate_is_fine() -> None:
    # no capitulation, but war happens: the estimate of u11 is finite and no warning is given
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = dt.fit("egame12", data={"status_quo": 50, "capitulation": 0, "war": 7}, estimate=["u11"],
                     fixed={"u13": 0, "u14": 0}, lam=0.7)  # fmt: skip
    assert np.isfinite(fit.bse).all()
