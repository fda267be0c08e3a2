"""The engine's reach threshold against the per-point solver's (``_engine.REACH_BAND``).

The per-point PBE solver counts an information set whose reach is at most 1e-12 as unreached
(``deterrence.solvers._pbe_context._REACH``); the engine counts one whose reach total is above 0
as reached. A point where some structure reaches a set with a total in ``(0, REACH_BAND]`` is
undecided (solved per point), so that the two paths cannot place the set on different sides.
``chain_store``'s Nature draws the incumbent's type: with ``p_tough`` (or ``1 - p_tough``) at
1e-12 or below, a profile that separates the types reaches some set through the rare type only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers.kernel_checks import compiled_row_mismatches

import deterrence as dt
from deterrence.kernels import compile_model, domain_sample
from deterrence.kernels._engine import REACH_BAND
from deterrence.solvers._pbe_context import _REACH


def _points(m, p_tough: float) -> pd.DataFrame:
    pts = pd.DataFrame(domain_sample(m, 24, seed=3))
    return pts.assign(p_tough=p_tough)


def test_the_band_covers_the_solvers_threshold():
    assert _REACH < REACH_BAND < 2 * _REACH


@pytest.mark.parametrize("policy", ["free", "prior"])
@pytest.mark.parametrize("p_tough", [1e-14, 5e-13, 1e-12, 1.0 - 1e-12])
def test_a_type_reached_within_the_band_sends_the_point_per_point(policy, p_tough):
    m = dt.load_model("chain_store")
    model = compile_model(m, "pbe", policy)
    pts = _points(m, p_tough)
    _table, undecided = model.evaluate(pts)
    assert undecided.all()  # the engine decided most of these points before the band
    _ref, ref_undecided = model.evaluate_reference(pts)
    assert ref_undecided.all()  # the tree-walking oracle flags them alike


@pytest.mark.parametrize("policy", ["free", "prior"])
def test_a_type_reached_above_the_band_is_decided_as_per_point(policy):
    m = dt.load_model("chain_store")
    pts = _points(m, 2e-12)
    decided, bad = compiled_row_mismatches(m, policy, pts, skip_no_equilibrium=True)
    assert decided > 0 and bad == []
    undecided = compile_model(m, "pbe", policy).evaluate(pts)[1]
    assert np.count_nonzero(~undecided) == decided


# ---------------------------------------------------------------- outcome labels at LABEL_TOL
def test_outcome_probabilities_on_either_side_of_label_tol_are_found():
    from deterrence.kernels._compiled import label_edge_points

    outcome = np.array([[9.9999997e-10, 1.0000000000000003e-09, 1.1e-9, 0.0, 0.5],
                        [0.0, 0.0, 0.9e-9, 1.0, 0.5]])
    point = np.array([3, 3, 4, 5, 6])
    assert label_edge_points(outcome, point).tolist() == [3]
    assert label_edge_points(outcome[:, 2:], point[2:]).tolist() == []


def test_an_outcome_probability_at_label_tol_sends_the_point_per_point():
    """extended_deterrence with credibility 1 - 1e-9: the non-credible type's outcomes have
    probability 1 - credibility, about LABEL_TOL, which the rows' labels compare with it."""
    from deterrence.kernels._compiled import LABEL_BAND
    from deterrence.outcomes import LABEL_TOL

    m = dt.load_model("extended_deterrence")
    pts = pd.DataFrame(domain_sample(m, 12, seed=4)).assign(credibility=1 - 1e-9)
    table, undecided = compile_model(m, "pbe", "free").evaluate(pts)
    probs = table[[c for c in table.columns if c.startswith("outcome_")]].to_numpy(dtype=float)
    assert not (np.abs(probs - LABEL_TOL) <= LABEL_BAND * LABEL_TOL).any()
    assert undecided.any() and not undecided.all()
    decided, bad = compiled_row_mismatches(m, "free", pts, skip_no_equilibrium=True)
    assert decided == np.count_nonzero(~undecided) and bad == []


def test_a_sweep_through_the_band_gives_the_per_point_rows():
    grid = {"p_tough": [1e-13, 1e-12, 2e-12], "monopoly_profit": [1.5, 4.0], "entry_profit": [0.3, 0.8]}
    kw = {"grid": grid, "concept": "pbe", "belief_policy": "free", "progress": False}
    compiled = dt.sweep("chain_store", path="compiled", **kw)
    pointwise = dt.sweep("chain_store", path="pointwise", **kw)
    band = compiled.table[compiled.table["p_tough"] <= 1e-12]
    assert len(band) and (band["path"] == "pointwise").all()  # 4 of these 8 points were compiled before
    pd.testing.assert_frame_equal(compiled.table.drop(columns="path"), pointwise.table.drop(columns="path"),
                                  check_exact=False, atol=1e-9)
