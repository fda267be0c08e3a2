"""``EquilibriumSet.to_frame()``: one row per equilibrium, the same numbers as the objects."""

from __future__ import annotations

import numpy as np
import pytest

import deterrence as dt
from deterrence.equilibrium import EquilibriumSet


def _check_rows(eqs):
    df = eqs.to_frame()
    assert len(df) == len(eqs) and list(df["equilibrium"]) == list(range(len(eqs)))
    for k, eq in enumerate(eqs):
        row = df.iloc[k]
        assert row["regime"] == dt.regime_label(eq.outcomes, eq.is_pure())
        assert row["pure"] == eq.is_pure() and row["label"] == eq.label
        for player, value in eq.payoffs.items():
            assert row[f"payoff_{player}"] == pytest.approx(value)
        for label, p in eq.outcomes.items():
            assert row[f"outcome_{label}"] == pytest.approx(p)
        for name, value in (eq.indicators if eq.outcomes else {}).items():
            assert row[name] == pytest.approx(value)
        cert = eq.certificate
        assert row["regret"] == cert.regret and row["bayes_error"] == cert.bayes_error
        assert row["certified"] == cert.passed and row["tolerance"] == cert.tolerance
        assert row["concept"] == eqs.concept and row["method"] == eqs.method
    return df


def test_normal_form_profile_columns():
    g = dt.NormalFormGame([[[1, -1], [-1, 1]], [[-1, 1], [1, -1]]], players=["Row", "Col"],
                          strategies=[["H", "T"], ["H", "T"]])
    df = _check_rows(dt.solve(g, concept="nash"))
    assert df.loc[0, "profile:Row:H"] == pytest.approx(0.5)
    assert df.loc[0, "profile:Col:T"] == pytest.approx(0.5)
    assert not df.loc[0, "pure"]


def test_extensive_form_profile_beliefs_and_indicators():
    eqs = dt.solve(dt.load_model("extended_deterrence").game(credibility=0.3), concept="pbe")
    df = _check_rows(eqs)
    eq = eqs[0]
    for player, part in eq.profile.items():
        for infoset, dist in part.items():
            for action, p in dist.items():
                assert df.loc[0, f"profile:{player}:{infoset}:{action}"] == pytest.approx(p)
    for infoset, dist in eq.beliefs.items():
        for node, p in dist.items():
            assert df.loc[0, f"belief:{infoset}:{node}"] == pytest.approx(p)
    assert df.loc[0, "p_attack"] == pytest.approx(1.0) and df.loc[0, "belief_policy"] == "free"


def test_several_equilibria_and_qre():
    bos = dt.NormalFormGame([[[2, 0], [0, 1]], [[1, 0], [0, 2]]])
    df = _check_rows(dt.solve(bos, concept="nash"))
    assert len(df) == 3 and df["pure"].sum() == 2
    qre = dt.solve(dt.load_model("extended_deterrence").game(credibility=0.3), concept="qre", lam=2.0)
    df = _check_rows(qre)
    assert df.loc[0, "lam"] == 2.0 and np.isfinite(df.loc[0, "qre_residual"])


def test_empty_set_gives_an_empty_frame():
    df = EquilibriumSet((), "nash", "pure", complete=True).to_frame()
    assert len(df) == 0 and "regime" in df.columns
