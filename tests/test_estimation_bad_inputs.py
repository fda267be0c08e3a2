"""Every bad input of estimation: a typed error or warning that names the cause and what to try."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import deterrence as dt
from deterrence.studies.estimation import (
    ConvergenceWarning,
    IdentificationWarning,
    PerfectSeparationError,
    SeparationWarning,
)

F1 = "esc + war ~ s_wt_re1 + revis1 | 0 | regime1 | balanc + regime2"


@pytest.fixture(scope="module")
def war() -> pd.DataFrame:
    return dt.load_dataset("war1800")


def test_missing_column_is_named_with_a_suggestion(war: pd.DataFrame) -> None:
    with pytest.raises(dt.ParameterError, match=r"column 'balance' \(in u24\).*did you mean 'balanc'") as exc:
        dt.fit("egame12", F1.replace("balanc", "balance"), war)
    assert exc.value.name == "balance"
    with pytest.raises(dt.ParameterError, match="'escalate' \\(outcome\\)"):
        dt.fit("egame12", F1.replace("esc +", "escalate +"), war)


def test_outcome_outside_the_tree(war: pd.DataFrame) -> None:
    w = war.assign(k=np.where(war.esc == 1, np.where(war.war == 1, 4, 3), 1))
    w.loc[w.index[0], "k"] = 7
    with pytest.raises(dt.ParameterError, match=r"7.*outcomes=") as exc:
        dt.fit("egame12", "k ~ 1 | 0 | 1 | balanc", w)
    assert exc.value.name == "k"
    w["t"] = np.where(w.esc == 1, np.where(w.war == 1, "war", "cap"), "sq")
    w.loc[w.index[:3], "t"] = "truce"
    with pytest.raises(dt.ParameterError, match=r"4 distinct outcome value\(s\).*3 outcomes"):
        dt.fit("egame12", "t ~ 1 | 0 | 1 | balanc", w)
    with pytest.raises(dt.ParameterError, match=r"'truce'.*not outcomes of egame12"):
        dt.fit("egame12", "t ~ 1 | 0 | 1 | balanc", w, outcomes=["sq", "cap", "war"])
    with pytest.raises(dt.ParameterError, match="dummy outcome column 'esc' must hold 0 or 1"):
        dt.fit("egame12", F1, war.assign(esc=war.esc * 2))
    with pytest.raises(dt.ParameterError, match="takes one column of outcomes, or 2 dummy columns"):
        dt.fit("egame12", "esc + war + sq ~ 1 | 0 | 1 | balanc", war)


def test_wrong_number_of_parts(war: pd.DataFrame) -> None:
    with pytest.raises(
        dt.ExpressionError, match=r"3 right-hand part\(s\).*needs 4.*u11 \| u13 \| u14 \| u24"
    ):
        dt.fit("egame12", "esc + war ~ s_wt_re1 | regime1 | balanc", war)
    with pytest.raises(dt.ExpressionError, match=r"functions are not evaluated.*column 27"):
        dt.fit("egame12", "esc + war ~ s_wt_re1 + log(balanc) | 0 | 1 | 1", war)


def test_constant_and_collinear_regressors(war: pd.DataFrame) -> None:
    with pytest.raises(dt.ParameterError, match=r"'ones' in the equation u24 is constant.*'- 1'"):
        dt.fit("egame12", "esc + war ~ s_wt_re1 | 0 | 1 | balanc + ones", war.assign(ones=1.0))
    w = war.assign(b2=2 * war.balanc - 1)
    with pytest.raises(
        dt.ParameterError,
        match=r"'b2' in the equation u24 is a linear combination of \['\(Intercept\)', 'balanc'\]",
    ):
        dt.fit("egame12", "esc + war ~ s_wt_re1 | 0 | 1 | balanc + b2", w)


def test_regressor_in_all_of_player_1s_utilities(war: pd.DataFrame) -> None:
    with pytest.raises(
        dt.ParameterError, match=r"identification problem: \['\(Intercept\)', 'balanc'\].*u11, u13, u14"
    ):
        dt.fit("egame12", "esc + war ~ balanc | balanc | balanc | 1", war)


def test_unobserved_outcome(war: pd.DataFrame) -> None:
    peace = war[war.war == 0]
    with pytest.raises(dt.ParameterError, match=r"outcome 'esc,war' .*never occurs.*does not exist"):
        dt.fit("egame12", F1, peace)


def test_perfect_separation_of_the_last_mover(war: pd.DataFrame) -> None:
    w = war.assign(fights=war.war + 0.01 * np.arange(len(war)) / len(war))
    with pytest.raises(PerfectSeparationError, match=r"player 2's decision \(p4, 180 rows\).*fights") as exc:
        dt.fit("egame12", "esc + war ~ s_wt_re1 | 0 | 1 | fights", w)
    assert isinstance(exc.value, dt.ParameterError)


def test_separation_higher_up_warns(war: pd.DataFrame) -> None:
    w = war.assign(esc_proxy=war.esc + 0.01 * np.arange(len(war)) / len(war))
    with pytest.warns(SeparationWarning, match="player 1's decision"):
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", IdentificationWarning)
        dt.fit("egame12", "esc + war ~ esc_proxy | 0 | 1 | balanc", w, maxiter=50)


def test_non_convergence_warns_with_advice(war: pd.DataFrame) -> None:
    with pytest.warns(ConvergenceWarning) as record:
        fit = dt.fit("egame12", F1, war, maxiter=1, start="zero")
    messages = [str(w.message) for w in record]
    assert any(re.search(r"stopped after .* iterations .*maxiter=", m) for m in messages)
    assert not fit.converged and "did not converge" in str(fit.summary())
    # standard errors at a point that is not a maximum are NaN, and said to be
    assert fit.bse.isna().all() and any("not negative definite" in m for m in messages)


def test_unidentified_parameters_are_named_and_their_errors_flagged(war: pd.DataFrame) -> None:
    # intercepts only in u11 and u14: two outcomes' worth of information for three parameters
    with pytest.warns(IdentificationWarning, match=r"u1[14]:\(Intercept\), u1[14]:\(Intercept\)"):
        fit = dt.fit("egame12", "esc + war ~ 1 | 0 | 1 | 1", war)
    assert fit.bse.isna().any() or fit.bse.max() > 100


def test_nan_standard_errors_never_come_silently(war: pd.DataFrame) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = dt.fit("egame12", "esc + war ~ balanc | 0 | balanc | 1", war.assign(balanc=war.balanc.round(0)))
    if fit.bse.isna().any():
        assert any(issubclass(w.category, IdentificationWarning) for w in caught)


def test_options_and_types_are_checked(war: pd.DataFrame) -> None:
    with pytest.raises(dt.ParameterError, match="unknown link 'cauchit'"):
        dt.fit("egame12", F1, war, link="cauchit")
    with pytest.raises(dt.ParameterError, match="unknown type"):
        dt.fit("egame12", F1, war, type="mixed")
    with pytest.raises(TypeError):
        dt.fit("egame12", F1, war, lnik="logit")  # a misspelt option is an error
    with pytest.raises(dt.ParameterError, match="text is never evaluated"):
        dt.fit("egame12", F1, war, subset="year >= 1850")
    with pytest.raises(dt.ParameterError, match="fixed_utils must give 4"):
        dt.fit("egame12", "esc + war ~ 1", war, fixed_utils=[1, 2])
    with pytest.raises(dt.ParameterError, match="sd_by_player=True needs"):
        dt.fit("egame12", F1, war, sd_by_player=True)
    with pytest.raises(dt.ExpressionError, match=r"one per player 1 \| player 2"):
        dt.fit("egame12", F1, war, sd_formula="~ balanc", sd_by_player=True)
    with pytest.raises(dt.ParameterError, match="estimate only apply to structural fits"):
        dt.fit("egame12", F1, war, estimate=["u11"])
    with pytest.raises(dt.ParameterError, match="formulas apply to the strategic statistical trees"):
        dt.fit("extended_deterrence", F1, war)
    with pytest.raises(dt.ParameterError, match="give a formula"):
        dt.fit("egame12", data=war)
    with pytest.raises(dt.ParameterError, match="start has 3 values"):
        dt.fit("egame12", F1, war, start=[0, 0, 0])
    with pytest.raises(dt.ParameterError, match="boot must be 0"):
        dt.fit("egame12", F1, war, boot=1)
    with pytest.raises(dt.ParameterError, match="no data set named 'war1900'"):
        dt.load_dataset("war1900")


def test_profile_and_predict_errors(war: pd.DataFrame) -> None:
    fit = dt.fit("egame12", F1, war)
    with pytest.raises(dt.ParameterError, match="did you mean 'balanc'"):
        fit.predict_profile("balance")
    with pytest.raises(dt.ParameterError, match="kind must be"):
        fit.predict(kind="outcomes")
    with pytest.raises(dt.ParameterError, match="no bootstrap was run"):
        fit.cov_params("bootstrap")
    with pytest.raises(dt.ParameterError, match="method must be"):
        fit.predict_profile("balanc", method="jackknife")


def test_numbers_written_as_text_are_refused_not_made_factors(war: pd.DataFrame) -> None:
    # a numeric column read as text used to enter as a factor with one dummy per distinct value
    # (262 for s_wt_re1): a fit with NaN standard errors instead of an error
    text = war.assign(s_wt_re1=war["s_wt_re1"].astype(str))
    with pytest.raises(dt.ParameterError, match="column 's_wt_re1' holds numbers written as text") as exc:
        dt.fit("egame12", F1, text)
    assert exc.value.name == "s_wt_re1" and "pd.to_numeric" in str(exc.value)
    stray = war.assign(s_wt_re1=war["s_wt_re1"].astype(object))
    stray.loc[5, "s_wt_re1"] = "n/a"
    with pytest.raises(dt.ParameterError, match=r"1 text value\(s\) that are not: 'n/a' \(row 5\)"):
        dt.fit("egame12", F1, stray)
    # the escapes: a Categorical is a factor on purpose; an outcome column may hold numbers as text
    few = war.assign(code=pd.Categorical(np.where(war["dem1"] > 0, "1", "0")))
    dt.fit("egame12", "esc + war ~ s_wt_re1 + revis1 | 0 | code | balanc + regime2", few)
    outcome = war.assign(o=np.select([war["esc"] == 0, war["war"] == 0], ["1", "3"], default="4"))
    fit = dt.fit("egame12", F1.replace("esc + war", "o"), outcome)
    assert fit.params.round(6).equals(dt.fit("egame12", F1, war).params.round(6))


@pytest.mark.parametrize(
    ("option", "value"),
    [("maxiter", 2.5), ("maxiter", "500"), ("boot", 2.7), ("boot", True), ("seed", "x"), ("seed", -1)],
)
def test_counts_and_seeds_must_be_integers(war: pd.DataFrame, option: str, value: object) -> None:
    # maxiter=2.5 was truncated to 2 in silence; maxiter="a" and seed="x" raised bare ValueError/TypeError
    with pytest.raises(dt.ParameterError, match=f"{option} must be"):
        dt.fit("egame12", F1, war, **{option: value})
