"""Off-path beliefs of the compiled PBE kernels are the per-point solver's.

* A free belief over two nodes that leaves the prescribed move losing within rounding of the
  tolerance is a knife edge: the point is undecided (it was decided with the loss taken for a
  tie, while the per-point solver, whose payoffs round the other way, counts a loss).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import deterrence as dt
from deterrence.kernels import compile_model
from deterrence.sweeps import evaluate_points

CARRIED = Path(__file__).parent / "data" / "carried_pledge.toml"


def _mismatches(model: dt.Model, policy: str, points: pd.DataFrame) -> tuple[int, list[int]]:
    """How many points the compiled model decides, and those whose rows differ from the
    per-point solver's (same equilibria in the same order, every column the kernel writes)."""
    table, undecided = compile_model(model, "pbe", policy).evaluate(points)
    decided = points.loc[~undecided]
    ref = evaluate_points(model, decided.assign(point=decided.index), "pbe", policy)
    cols = [c for c in table.columns if c in ref.columns and c != "path"]
    ours = table[table["point"].isin(decided.index)][cols]
    bad = []
    for k in decided.index:
        a = ours[ours["point"] == k].reset_index(drop=True)
        b = ref[ref["point"] == k][cols].sort_values("equilibrium", kind="stable").reset_index(drop=True)
        try:
            pd.testing.assert_frame_equal(a, b, check_exact=False, atol=1e-9, check_dtype=False)
        except AssertionError:
            bad.append(int(k))
    return len(decided), bad


# ------------------------------------------------------------------ knife edges at the tolerance
def test_a_free_pair_losing_within_rounding_of_tol_is_not_taken_for_a_tie():
    """Both types stay after a pledge (each is deterred by a fight), so the Defender's set after
    a pledge and a challenge is unreached and carries no belief: its belief is free. Fighting
    there loses ``a + w = -1e-8`` at both nodes: ``tol (1 - 6e-9)`` on the kernel's payoffs,
    more than ``tol`` on the per-point solver's, which rejects the profile. The kernel took it
    for a tie and listed the profile; it now leaves the point undecided."""
    m = dt.load_model(CARRIED)
    point = {"q": 0.3, "v": 0.5, "c": 0.17952991458815876, "a": 0.7544844211335516,
             "w_d": -0.7544844311335516, "w_e": -0.7544844311335516, "k_d": 0.5, "k_e": 0.5, "b_e": -0.5}
    decided, bad = _mismatches(m, "free", pd.DataFrame([point]))
    assert bad == []
    assert decided == 0


def test_costly_signal_menu_knife_edge_at_the_committing_audience_cost():
    """``audience_high = -war_irresolute - 1e-8``: the irresolute type's fight after the high
    signal loses ``1e-8`` (``tol``, within rounding) at both nodes of its set, unreached. The
    compiled sweep listed six equilibria here, the per-point solver four."""
    m = dt.load_model("costly_signal_menu")
    point = {"resolve": 0.0014900835088361708, "value_resolute": 1.2151088448800298,
             "war_resolute": 0.9736871934994518, "value_irresolute": 1.1162627692916736,
             "war_irresolute": -0.2695522282574031, "sunk_low": 0.6330616666411539,
             "audience_low": 0.1493560931566828, "sunk_high": 0.5509834846415614,
             "audience_high": 0.2695522182574031, "share_determined": 0.47670543076752103,
             "cost_determined": -0.25761533150997173, "cost_deterrable": 2.7351119218475795}
    _decided, bad = _mismatches(m, "free", pd.DataFrame([point]))
    assert bad == []


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_knife_edges_of_the_pledge_at_the_tolerance(policy):
    """Many such knife edges (fighting after a pledge loses ``1e-8`` up to a relative ``3e-7``):
    decided points have the per-point rows."""
    m = dt.load_model(CARRIED)
    rng = np.random.default_rng(1)
    n = 120
    pts = pd.DataFrame({k: np.full(n, float(p.default)) for k, p in m.parameters.items()})
    pts["k_d"] = 0.5
    pts["a"] = rng.uniform(0.05, 0.95, n)
    pts["c"] = rng.uniform(0.0, 0.5, n)
    pts["w_d"] = pts["w_e"] = -pts["a"] - 1e-8 * (1 + rng.uniform(-3e-7, 3e-7, n))
    _decided, bad = _mismatches(m, policy, pts)
    assert bad == []
