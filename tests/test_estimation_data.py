"""The data sets: war1800 shipped with the package, the package's simulated sets as test data.

``data_122`` was simulated by the R package's script ``simdata122.r`` (provenance in
``tests/data/README.md``) with known utilities, so a fit must recover them; ``data_123`` is
fitted with the package's example specification, and each set's outcome given as one column or
as the move dummies must give the same fit.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2

import deterrence as dt

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent

TRUE122 = {
    "u11:(Intercept)": 0.5, "u11:x1": -0.5, "u11:x2": 0.5,
    "u12:(Intercept)": -0.5, "u12:x3": 0.5, "u12:f1b": -0.5, "u12:f1c": 0.5,
    "u14:(Intercept)": 0.5, "u14:x4": -0.5, "u14:x5": 0.5,
    "u22:(Intercept)": 1.0, "u22:z1": -1.0, "u22:z2": 1.0,
    "u24:(Intercept)": -1.0, "u24:z3": 1.0, "u24:f2b": -1.0, "u24:f2c": 1.0,
}  # fmt: skip
F122 = "y ~ x1 + x2 | x3 + f1 | 0 | x4 + x5 | z1 + z2 | z3 + f2"
F123 = "y ~ x1 + x2 | 0 | x3 | x4 + x5 | 0 | x6 | x7 | x8"


def test_war1800_ships_with_the_package() -> None:
    df = dt.load_dataset("war1800")
    assert df.shape == (313, 21)
    assert list(df["regime1"].cat.categories) == ["autoc", "dem", "mixed"]
    assert int(df["regime1"].isna().sum()) == 12 and int(df["regime2"].isna().sum()) == 20
    assert (df["esc"] == df["capit"] + df["war"]).all() and (df["sq"] + df["esc"] == 1).all()
    assert "Correlates of War" in df.attrs["citation"] and "56(8)" in df.attrs["citation"]
    assert dt.studies.estimation.list_datasets() == ["war1800"]


def test_the_data_file_is_package_data() -> None:
    here = ROOT / "deterrence" / "studies" / "estimation" / "data"
    assert (here / "war1800.csv").is_file() and "Jones" in (here / "README.md").read_text()
    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]
    # hatch puts every file under a listed package in the wheel unless excluded
    assert "deterrence" in wheel["packages"] and "exclude" not in wheel


def test_data_122_recovers_the_simulation_truth() -> None:
    d = pd.read_csv(DATA / "data_122.csv")
    fit = dt.fit("egame122", F122, d, link="logit")
    assert fit.converged and fit.nobs == 1000
    truth = pd.Series(TRUE122)[fit.params.index]
    z = (fit.params - truth) / fit.bse
    assert (z.abs() < 3.5).all(), z.round(2).to_dict()
    diff = (fit.params - truth).to_numpy()
    wald = float(diff @ np.linalg.solve(fit.cov_params().to_numpy(), diff))
    assert chi2.sf(wald, len(diff)) > 0.001, wald
    dummies = dt.fit("egame122", F122.replace("y ~", "a1 + a2 ~"), d, link="logit")
    np.testing.assert_allclose(dummies.params.to_numpy(), fit.params.to_numpy(), atol=1e-10)
    assert fit.info.outcome_names == ("LL", "LR", "RL", "RR")


def test_data_123_package_example() -> None:
    d = pd.read_csv(DATA / "data_123.csv")
    fit = dt.fit("egame123", F123, d, type="private")
    assert fit.converged and fit.info.outcome_names == ("1", "3", "5", "6")
    assert fit.info.notes == ("u13 fixed at 0", "u23 fixed at 0")
    dummies = dt.fit("egame123", F123.replace("y ~", "a1 + a2 + a3 ~"), d, type="private")
    np.testing.assert_allclose(dummies.params.to_numpy(), fit.params.to_numpy(), atol=1e-10)
    assert dummies.info.outcome_names == ("~a1", "a1,~a2", "a1,a2,~a3", "a1,a2,a3")
    # identification: x1 in all four of player 1's utilities is refused, as by the package
    with pytest.raises(dt.ParameterError, match="player 1's utility equations u11, u13, u15, u16"):
        dt.fit("egame123", "y ~ x1 | x1 | x1 + x3 | x1 | 0 | x6 | x7 | x8", d)
    with pytest.raises(dt.ParameterError, match="player 2's utility equations u23, u25, u26"):
        dt.fit("egame123", "y ~ x1 | 0 | x3 | x4 | x6 - 1 | x6 | x6 + x7 | x8", d)
