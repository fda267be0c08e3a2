"""Fitting the ``games`` trees: war1800 against an independent optimisation, gradients, conventions.

No published coefficients of the package's ``war1800`` example could be found (its help page
runs ``summary(m1)`` without printing the output, and the JSS article's running example is
Leblang's currency-attack data, not war1800). So the fit is checked against an independent
maximisation: the log-likelihood written out from the JSS article's formulas (equations for
``p4`` and ``p2`` in section 2.1) in plain numpy, maximised by a derivative-free method from
another start. The other checks: analytic against numerical gradients for every tree, link,
error type and scale option; fitted probabilities equal the closed forms of
:mod:`deterrence.studies.statistical`; the three ways of giving the outcome agree (the package's
own test); invariance to row order and to rescaling a regressor.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize
from scipy.stats import logistic, norm

import deterrence as dt
from deterrence.studies.estimation._likelihood import Block, Likelihood, StrategicModel
from deterrence.studies.estimation._trees import tree
from deterrence.studies.statistical import egame12_probs, egame123_probs

F1 = "esc + war ~ s_wt_re1 + revis1 | 0 | regime1 | balanc + regime2"


@pytest.fixture(scope="module")
def war() -> pd.DataFrame:
    return dt.load_dataset("war1800")


@pytest.fixture(scope="module")
def m1(war: pd.DataFrame):
    return dt.fit("egame12", F1, war)


def _independent_fit(war: pd.DataFrame, cdf) -> tuple[np.ndarray, float]:
    """The JSS formulas in plain numpy, maximised by Nelder-Mead then Powell from zero."""
    d = war.dropna(subset=["s_wt_re1", "revis1", "regime1", "balanc", "regime2"])
    x11 = np.column_stack([np.ones(len(d)), d.s_wt_re1, d.revis1])
    x14 = np.column_stack([np.ones(len(d)), d.regime1 == "dem", d.regime1 == "mixed"]).astype(float)
    x24 = np.column_stack([np.ones(len(d)), d.balanc, d.regime2 == "dem", d.regime2 == "mixed"]).astype(float)
    y = np.where(d.esc == 0, 0, np.where(d.war == 1, 2, 1))

    def nll(b: np.ndarray) -> float:
        u11, u14, u24 = x11 @ b[:3], x14 @ b[3:6], x24 @ b[6:]
        p4 = cdf(u24 / np.sqrt(2))
        p2 = cdf((p4 * u14 - u11) / np.sqrt(2))  # u13 = 0
        probs = np.column_stack([1 - p2, p2 * (1 - p4), p2 * p4])
        return -float(np.sum(np.log(probs[np.arange(len(y)), y])))

    r = minimize(
        nll, np.zeros(10), method="Nelder-Mead", options={"maxfev": 40000, "xatol": 1e-9, "fatol": 1e-12}
    )
    r = minimize(nll, r.x, method="Powell", options={"xtol": 1e-10, "ftol": 1e-13, "maxfev": 100000})
    return r.x, -float(r.fun)


@pytest.mark.parametrize(("link", "cdf"), [("probit", norm.cdf), ("logit", logistic.cdf)])
def test_war1800_matches_an_independent_maximisation(war: pd.DataFrame, link: str, cdf) -> None:
    fit = dt.fit("egame12", F1, war, link=link)
    x, llf = _independent_fit(war, cdf)
    assert fit.converged
    assert fit.llf == pytest.approx(llf, abs=1e-7)
    # to the printed precision of the package's summary (5 decimals) and beyond
    np.testing.assert_allclose(fit.params.to_numpy(), x, atol=2e-5)


def test_war1800_names_rows_and_table(m1) -> None:
    assert list(m1.params.index) == [
        "u11:(Intercept)", "u11:s_wt_re1", "u11:revis1",
        "u14:(Intercept)", "u14:regime1dem", "u14:regime1mixed",
        "u24:(Intercept)", "u24:balanc", "u24:regime2dem", "u24:regime2mixed",
    ]  # fmt: skip
    assert m1.nobs == 282 and m1.info.n_missing == 31 and m1.info.n_input == 313
    assert m1.df_model == 10
    assert m1.aic == pytest.approx(-2 * m1.llf + 20)
    assert m1.bic == pytest.approx(-2 * m1.llf + 10 * np.log(282))
    assert m1.loglik_obs.sum() == pytest.approx(m1.llf)
    text = str(m1.summary())
    for piece in (
        "u24:regime2dem",
        "Std. Error",
        "inverse Hessian",
        "u13 fixed at 0",
        "31 dropped for missing",
    ):
        assert piece in text
    z = m1.tvalues
    np.testing.assert_allclose(m1.pvalues, 2 * norm.sf(np.abs(z)))
    ci = m1.conf_int()
    assert (ci["lower"] < m1.params).all() and (m1.params < ci["upper"]).all()
    assert np.all(np.linalg.eigvalsh(m1.cov_params().to_numpy()) > 0)


def test_standard_errors_are_the_inverse_hessian(m1, war: pd.DataFrame) -> None:
    # an independent numerical Hessian of the log-likelihood (second differences of the sum)
    lik = m1._backend.lik
    theta = m1.params.to_numpy()
    p, h = len(theta), 1e-4
    H = np.zeros((p, p))
    f = lambda t: lik.loglik_obs(t).sum()  # noqa: E731
    for i in range(p):
        for j in range(p):
            ei, ej = np.eye(p)[i] * h, np.eye(p)[j] * h
            H[i, j] = (f(theta + ei + ej) - f(theta + ei - ej) - f(theta - ei + ej) + f(theta - ei - ej)) / (
                4 * h * h
            )
    np.testing.assert_allclose(m1.bse, np.sqrt(np.diag(np.linalg.inv(-H))), rtol=1e-4)


CASES = [
    (link, kind, scale)
    for link, kind in (("probit", "agent"), ("logit", "agent"), ("probit", "private"))
    for scale in ("none", "common", "player")
]


@pytest.mark.parametrize("name", ["egame12", "egame122", "egame123"])
@pytest.mark.parametrize(("link", "kind", "scale"), CASES)
def test_analytic_gradient_matches_central_differences(name: str, link: str, kind: str, scale: str) -> None:
    t = tree(name)
    rng = np.random.default_rng(5)
    n = 40
    blocks, Xs = [], []
    for u in t.utilities:
        blocks.append(Block(u, ("(Intercept)", "x")))
        Xs.append(np.column_stack([np.ones(n), rng.normal(size=n)]))
    if scale == "common":
        blocks.append(Block("log(sigma)", ("z",), players=tuple(range(1, t.form.players + 1))))
        Xs.append(rng.normal(size=(n, 1)))
    elif scale == "player":
        for p in range(1, t.form.players + 1):
            blocks.append(Block(f"log(sigma{p})", ("z",), players=(p,)))
            Xs.append(rng.normal(size=(n, 1)))
    model = StrategicModel(t, link, kind, blocks)
    lik = Likelihood(model, Xs, rng.integers(0, len(t.outcomes), n))
    theta = rng.normal(scale=0.6, size=model.n_params)
    _, g = lik.value_and_grad(theta)
    h = 1e-6
    num = [(lik.value_and_grad(theta + h * e)[0] - lik.value_and_grad(theta - h * e)[0]) / (2 * h)
           for e in np.eye(model.n_params)]  # fmt: skip
    np.testing.assert_allclose(g, num, atol=1e-6, rtol=1e-6)
    # the per-observation scores sum to the gradient
    np.testing.assert_allclose(lik.score_obs(theta).sum(axis=0), g, atol=1e-10)


def test_fitted_probabilities_are_the_closed_forms(m1, war: pd.DataFrame) -> None:
    rows = m1._backend.frame
    b = m1.params
    u11 = b["u11:(Intercept)"] + b["u11:s_wt_re1"] * rows.s_wt_re1 + b["u11:revis1"] * rows.revis1
    u14 = (
        b["u14:(Intercept)"]
        + b["u14:regime1dem"] * (rows.regime1 == "dem")
        + b["u14:regime1mixed"] * (rows.regime1 == "mixed")
    )
    u24 = (
        b["u24:(Intercept)"]
        + b["u24:balanc"] * rows.balanc
        + b["u24:regime2dem"] * (rows.regime2 == "dem")
        + b["u24:regime2mixed"] * (rows.regime2 == "mixed")
    )
    closed = egame12_probs(u11.to_numpy(float), 0.0, u14.to_numpy(float), u24.to_numpy(float))
    out = m1.predict()
    np.testing.assert_allclose(out.to_numpy(), np.column_stack(list(closed.outcomes.values())), atol=1e-14)
    act = m1.predict(kind="action")
    np.testing.assert_allclose(act["p4"], closed.choices["p4"], atol=1e-14)
    # and the log-likelihood is the log of the observed outcome's probability (the package's test)
    y = m1._backend.y
    np.testing.assert_allclose(m1.loglik_obs, np.log(out.to_numpy()[np.arange(len(y)), y]), atol=1e-12)


def test_private_three_player_probabilities_are_the_closed_forms() -> None:
    d = _data("data_123.csv")
    fit = dt.fit("egame123", "y ~ x1 + x2 | 0 | x3 | x4 + x5 | 0 | x6 | x7 | x8", d, type="private")
    b = fit.params

    def lin(u: str, cols: list[str]) -> np.ndarray:
        return b[f"{u}:(Intercept)"] + sum(b[f"{u}:{c}"] * d[c] for c in cols)

    closed = egame123_probs(
        lin("u11", ["x1", "x2"]), 0.0, lin("u15", ["x3"]), lin("u16", ["x4", "x5"]),
        0.0, lin("u25", ["x6"]), lin("u26", ["x7"]), lin("u36", ["x8"]), type="private",
    )  # fmt: skip
    np.testing.assert_allclose(
        fit.predict().to_numpy(), np.column_stack(list(closed.outcomes.values())), atol=1e-13
    )


def _data(name: str) -> pd.DataFrame:
    from pathlib import Path

    return pd.read_csv(Path(__file__).parent / "data" / name)


def test_outcome_as_dummies_factor_or_numbers_gives_the_same_fit(war: pd.DataFrame, m1) -> None:
    w = war.copy()
    w["y"] = pd.Categorical(
        np.where(w.esc == 1, np.where(w.war == 1, "war", "cap"), "sq"), categories=["sq", "cap", "war"]
    )
    w["k"] = np.where(w.esc == 1, np.where(w.war == 1, 4, 3), 1)
    w["s"] = np.asarray(w["y"]).astype(str)  # text: sorted, so give the order
    rhs = F1.split("~")[1]
    for lhs, kw in (("y", {}), ("k", {}), ("s", {"outcomes": ["sq", "cap", "war"]})):
        other = dt.fit("egame12", f"{lhs} ~{rhs}", w, **kw)
        np.testing.assert_allclose(other.params.to_numpy(), m1.params.to_numpy(), atol=1e-10)
        np.testing.assert_allclose(other.bse.to_numpy(), m1.bse.to_numpy(), rtol=1e-6)
        assert other.llf == pytest.approx(m1.llf, abs=1e-10)
    assert dt.fit("egame12", f"y ~{rhs}", w).info.outcome_names == ("sq", "cap", "war")
    assert m1.info.outcome_names == ("~esc", "esc,~war", "esc,war")


def test_row_order_does_not_matter(war: pd.DataFrame, m1) -> None:
    shuffled = war.sample(frac=1.0, random_state=3)
    other = dt.fit("egame12", F1, shuffled)
    np.testing.assert_allclose(other.params.to_numpy(), m1.params.to_numpy(), atol=1e-7)
    np.testing.assert_allclose(other.bse.to_numpy(), m1.bse.to_numpy(), rtol=1e-5)
    assert other.llf == pytest.approx(m1.llf, abs=1e-9)


def test_rescaling_a_regressor_rescales_its_coefficient(war: pd.DataFrame, m1) -> None:
    w = war.copy()
    w["balanc"] = 100 * w["balanc"]  # per cent instead of share
    other = dt.fit("egame12", F1, w)
    assert other.llf == pytest.approx(m1.llf, abs=1e-8)
    assert other.params["u24:balanc"] == pytest.approx(m1.params["u24:balanc"] / 100, abs=1e-8)
    assert other.bse["u24:balanc"] == pytest.approx(m1.bse["u24:balanc"] / 100, rel=1e-4)
    assert other.tvalues["u24:balanc"] == pytest.approx(m1.tvalues["u24:balanc"], abs=1e-4)
    rest = [k for k in m1.params.index if k != "u24:balanc"]
    np.testing.assert_allclose(other.params[rest], m1.params[rest], atol=1e-7)
    np.testing.assert_allclose(other.predict().to_numpy(), m1.predict().to_numpy(), atol=1e-9)


def test_logit_private_is_coerced_to_probit(war: pd.DataFrame) -> None:
    with pytest.warns(UserWarning, match="probit"):
        fit = dt.fit("egame12", F1, war, link="logit", type="private")
    assert fit.info.link == "probit"
    assert fit.llf == pytest.approx(dt.fit("egame12", F1, war, type="private").llf)


def test_package_options_fixed_utilities_scales_subsets(war: pd.DataFrame) -> None:
    utils = [-1, 0, -1.4, 0.1]
    m5 = dt.fit("egame12", "esc + war ~ 1", war, fixed_utils=utils)
    assert list(m5.params.index) == ["log(sigma):(Intercept)"]
    assert list(m5.fixed_params) == utils and m5.nobs == 313
    m6 = dt.fit("egame12", "esc + war ~ 1", war, fixed_utils=utils, sd_by_player=True)
    assert list(m6.params.index) == ["log(sigma1):(Intercept)", "log(sigma2):(Intercept)"]
    # one scale per player nests the common scale
    assert m6.llf >= m5.llf - 1e-9
    m7 = dt.fit("egame12", F1, war, sd_formula="~ balanc - 1")
    assert m7.params.index[-1] == "log(sigma):balanc" and m7.converged
    logit = dt.fit("egame12", "esc + war ~ 1", war, fixed_utils=utils, link="logit")
    assert list(logit.params.index) == ["log(lambda):(Intercept)"]
    m3 = dt.fit("egame12", F1, war, subset=(war["year"] >= 1850).to_numpy())
    assert m3.info.n_subset == int((war["year"] < 1850).sum())
    assert m3.nobs == int(((war["year"] >= 1850) & war[["regime1", "regime2"]].notna().all(axis=1)).sum())


def test_scale_is_one_at_the_utilities_of_the_package_model(war: pd.DataFrame) -> None:
    # fix the utilities at the estimates of a model with sigma = 1 and estimate sigma: the optimum
    # is sigma = 1 (scaling the utilities by 1/sigma cannot beat their maximum-likelihood values)
    base = dt.fit("egame12", "esc + war ~ 1 | 0 | 0 | 1", war)
    a, c = base.params["u11:(Intercept)"], base.params["u24:(Intercept)"]
    for link in ("probit", "logit"):
        if link == "logit":
            base = dt.fit("egame12", "esc + war ~ 1 | 0 | 0 | 1", war, link="logit")
            a, c = base.params["u11:(Intercept)"], base.params["u24:(Intercept)"]
        scaled = dt.fit("egame12", "esc + war ~ 1", war, fixed_utils=[a, 0, 0, c], link=link)
        assert scaled.params.iloc[0] == pytest.approx(0.0, abs=1e-6)
        assert scaled.llf == pytest.approx(base.llf, abs=1e-9)


def test_bootstrap_and_profiles(war: pd.DataFrame) -> None:
    fit = dt.fit("egame12", F1, war, boot=12, seed=4)
    assert fit.boot_params is not None and 2 <= len(fit.boot_params) <= 12
    assert "bootstrap results" in str(fit.summary())
    assert "inverse Hessian" in str(fit.summary(se="hessian"))
    prof = fit.predict_profile("balanc", n=7, center="mean")
    assert len(prof) == 7 and {"Pr(esc,war)", "Pr(esc,war):low", "Pr(esc,war):high"} <= set(prof.columns)
    assert (prof["Pr(esc,war):low"] <= prof["Pr(esc,war)"]).all() and (
        prof["Pr(esc,war)"] <= prof["Pr(esc,war):high"]
    ).all()
    probs = prof[[c for c in prof.columns if c.startswith("Pr(") and ":" not in c]].sum(axis=1)
    np.testing.assert_allclose(probs, 1.0, atol=1e-12)
    assert (prof["regime1"] == "mixed").all() and (prof["revis1"] == 1).all()  # the modes
    assert prof["s_wt_re1"].iloc[0] == pytest.approx(fit._backend.frame["s_wt_re1"].mean())
    by_default = fit.predict_profile("balanc", n=3)  # the rule: medians (and modes)
    assert by_default["s_wt_re1"].iloc[0] == pytest.approx(fit._backend.frame["s_wt_re1"].median())
    boot = fit.predict_profile("regime1", method="bootstrap")
    assert list(boot["regime1"]) == ["autoc", "dem", "mixed"]
    tex = fit.to_latex()
    assert tex.count(r"\\") > 10 and "u24" in tex and r"s\_wt\_re1" in tex


def test_delta_bands_cover_like_simulation(m1) -> None:
    delta = m1.predict_profile("balanc", n=5)
    sim = m1.predict_profile("balanc", n=5, method="bootstrap", reps=4000, seed=2)
    width_d = delta["Pr(esc,war):high"] - delta["Pr(esc,war):low"]
    width_s = sim["Pr(esc,war):high"] - sim["Pr(esc,war):low"]
    np.testing.assert_allclose(width_d, width_s, rtol=0.15)


def test_predict_on_new_rows_with_missing_values(m1, war: pd.DataFrame) -> None:
    new = war.head(5).drop(columns=["esc", "war"]).copy()
    new.loc[new.index[1], "balanc"] = np.nan
    out = m1.predict(new)
    assert (
        out.index.equals(new.index)
        and out.iloc[1].isna().all()
        and out.drop(new.index[1]).notna().all().all()
    )
    with pytest.raises(dt.ParameterError, match="levels"):
        m1.predict(new.assign(regime1="monarchy"))


def test_vuong_and_clarke(war: pd.DataFrame, m1) -> None:
    logit = dt.fit("egame12", F1, war, link="logit")
    v, c = dt.vuong(m1, logit), dt.clarke(m1, logit)
    diff = m1.loglik_obs - logit.loglik_obs
    n = diff.size
    assert v.statistic == pytest.approx(diff.sum() / (np.sqrt(n) * diff.std()))  # same parameter count
    assert c.statistic == float(np.sum(diff > 0))
    assert v.preferred is None and "Vuong" in str(v) and "Clarke" in str(c)
    # against a binary logit of war on the same rows (outcome1=3, as in the package's example)
    rows = m1._backend.frame
    X = np.column_stack([np.ones(len(rows)), rows.balanc, rows.s_wt_re1])
    yw = rows["war"].to_numpy(float)

    def nll(b: np.ndarray) -> float:
        p = logistic.cdf(X @ b)
        return -float(np.sum(yw * np.log(p) + (1 - yw) * np.log(1 - p)))

    b = minimize(nll, np.zeros(3), method="BFGS").x
    p = logistic.cdf(X @ b)
    ll = yw * np.log(p) + (1 - yw) * np.log(1 - p)
    t = dt.vuong(m1, (ll, 3), outcome1=3)
    assert np.isfinite(t.statistic) and t.nobs == 282
    with pytest.raises(dt.ParameterError, match="same dependent variable"):
        dt.vuong(m1, logit, outcome1=3, outcome2=1)  # war against the status quo: different events
    same = dt.clarke(m1, logit, outcome1="esc,war", outcome2=3)
    assert same.nobs == 282


def test_no_warning_on_a_clean_fit(war: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dt.fit("egame12", F1, war)


def test_four_outcome_tree_and_per_player_scales_are_the_closed_forms(war: pd.DataFrame) -> None:
    from deterrence.studies.statistical import egame122_probs

    d = _data("data_122.csv")
    fit = dt.fit("egame122", "y ~ x1 | x3 | 0 | x4 | z1 | z3", d, link="logit")
    b = fit.params

    def lin(u: str, col: str) -> np.ndarray:
        return (b[f"{u}:(Intercept)"] + b[f"{u}:{col}"] * d[col]).to_numpy()

    closed = egame122_probs(
        lin("u11", "x1"),
        lin("u12", "x3"),
        0.0,
        lin("u14", "x4"),
        lin("u22", "z1"),
        lin("u24", "z3"),
        link="logit",
    )
    np.testing.assert_allclose(
        fit.predict().to_numpy(), np.column_stack(list(closed.outcomes.values())), atol=1e-13
    )
    # one scale per player (the package's sdByPlayer) against the closed form's {player: sigma}
    utils = [-1, 0, -1.4, 0.1]
    m6 = dt.fit("egame12", "esc + war ~ 1", war, fixed_utils=utils, sd_by_player=True, type="private")
    s1, s2 = np.exp(m6.params.to_numpy())
    closed12 = egame12_probs(*utils, type="private", scale={1: s1, 2: s2})
    np.testing.assert_allclose(m6.predict().to_numpy()[0], list(closed12.outcomes.values()), atol=1e-13)
