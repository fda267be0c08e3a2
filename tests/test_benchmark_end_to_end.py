"""The benchmark suite's end-to-end sweep measurement and its report (``benchmarks/suite``).

No timing is asserted: the records are built by hand where only the report's arithmetic and
wording are under test, and the agreement check runs on a real (small) sweep.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import deterrence as dt  # noqa: E402
from benchmarks.suite import end_to_end, report  # noqa: E402
from benchmarks.suite.cases_sweeps import end_to_end_estimate  # noqa: E402


def _per_point_row(wall: float, cpu: float) -> dict:
    return {"tool": "deterrence dt.solve (pbe free)", "role": "ours", "status": "ok",
            "stats": {"median": wall}, "cpu_median": cpu, "items_done": 30}


def _sweep(cpu_warm: float, compiles: bool = True) -> dict:
    if not compiles:
        return {"model": "m", "policy": "free", "compile": {"compiles": False, "reason": "too many profiles"}}
    run = {"points": 2000, "cpu_per_point": cpu_warm, "wall_per_point": 2 * cpu_warm, "pointwise_share": 0.5}
    return {"model": "m", "policy": "free", "compile": {"compiles": True, "cpu_s": 3.0, "wall_s": 4.0},
            "warm": run, "cold": {**run, "cpu_per_point": cpu_warm + 0.0015}}


def _case(row: dict, sweep: dict) -> dict:
    return {"group": "reputation", "case": "m per point (PBE free)", "tools": [row], "sweep": sweep,
            "items": 30, "disagreements": []}


def test_target_report_takes_the_cheaper_recorded_path_and_names_it():
    target = report._signalling_target(_case(_per_point_row(0.009, 0.009), _sweep(0.004)))
    assert target["via"] == "end-to-end dt.sweep" and target["met"]
    assert target["value"].startswith("end-to-end dt.sweep: 250 points/s by CPU")
    assert "50.0% solved per point inside the sweep" in target["value"]
    assert "compile alone 3.00 s CPU" in target["value"] and "per point dt.solve" in target["value"]
    target = report._signalling_target(_case(_per_point_row(0.005, 0.003), _sweep(0.004)))
    assert target["via"] == "per point" and target["met"]


def test_target_report_says_missed_when_the_recorded_figure_is_above_the_target():
    target = report._signalling_target(_case(_per_point_row(0.03, 0.012), _sweep(0.011)))
    assert target["via"] == "end-to-end dt.sweep" and target["met"] is False


def test_target_of_a_model_that_does_not_compile_is_its_per_point_rate():
    target = report._signalling_target(_case(_per_point_row(0.2, 0.15), _sweep(0.0, compiles=False)))
    assert target["via"] == "per point" and target["met"] is False
    assert "end to end = per point" in target["value"]


def test_per_point_target_is_the_mean_after_the_first_point():
    """The report's arithmetic on a hand-made record (no clock is read): the target is the mean over
    the items after the first, and the text gives the first item, the median and the mean of all."""
    cpu = [0.45, 0.020, 0.030, 0.040, 0.010]
    row = {**_per_point_row(sum(cpu) / 5, sum(cpu) / 5), "item_cpu": cpu, "item_wall": [2 * c for c in cpu],
           "items_done": 5}
    option = report._per_point_option(_case(row, _sweep(0.0, compiles=False)))
    assert option["cpu"] == pytest.approx(0.025)
    text = option["text"]
    assert text.startswith("per point dt.solve: 40 points/s by CPU (25.00 ms CPU, 50.00 ms wall")
    assert "the 4 distinct points after the first; median 25.00 ms CPU" in text
    assert "450.00 ms CPU" in text and "over all 5: 110.00 ms CPU per point" in text
    # without per-item times (an older record), the whole job over the items
    assert report._per_point_option(_case(_per_point_row(0.2, 0.15), {}))["cpu"] == 0.15


def test_end_to_end_estimate_adds_the_undecided_share_of_the_recorded_per_point_figure():
    comp = {"stats": {"median": 2e-6}, "undecided": 450, "points": 1000}
    est = end_to_end_estimate(comp, {"stats": {"median": 0.008}})
    assert est["undecided_share"] == pytest.approx(0.45)
    assert est["estimate_s_per_point"] == pytest.approx(2e-6 + 0.45 * 0.008)
    assert est["bound"] == "="
    # the per-point path hit its time limit: the estimate is a bound, shown as one
    est = end_to_end_estimate(comp, {"stats": None, "lower_bound_per_item": 30.0})
    assert est["bound"] == ">=" and report._estimate_pps(est).startswith("≤ ")
    # nothing undecided: the kernel's own rate
    est = end_to_end_estimate({**comp, "undecided": 0}, {"stats": None})
    assert est["estimate_s_per_point"] == pytest.approx(2e-6)


def test_agreement_accepts_the_sweep_and_catches_a_changed_row():
    model = dt.load_model("chain_store")
    table = dt.sweep(model, samples=12, method="random", rng=5, concept="pbe", belief_policy="free",
                     progress=False).table
    summary, disagreements = end_to_end.agreement(model, table, "free", 4, "chain_store")
    assert disagreements == [] and summary["points"] >= 4
    assert "payoff_Incumbent" in summary["columns"]
    changed = table.copy()
    first = changed.index[changed["point"] == changed["point"].iloc[0]][0]
    changed.loc[first, "payoff_Incumbent"] += 1e-6
    _, disagreements = end_to_end.agreement(model, changed, "free", 4, "chain_store")
    assert len(disagreements) == 1 and disagreements[0]["columns"] == ["payoff_Incumbent"]


def test_domain_box_is_accepted_by_sweep_on_open_domains():
    """``chain_store``'s ``monopoly_profit`` lives in (1, inf): a bound at 1 is refused by
    ``dt.sweep``; the box stays a hair inside and spans ``domain_sample``'s range."""
    model = dt.load_model("chain_store")
    box = end_to_end.domain_box(model)
    lo, hi = box["monopoly_profit"]
    assert 1 < lo < 1 + 1e-6 and hi == pytest.approx(2 + 6, rel=1e-6)
    record, table = end_to_end.timed_sweep(model, 6, 3, "free", box)
    assert record["points"] == 6 and sorted(record["varied"]) == sorted(model.parameters)
    assert table["monopoly_profit"].between(lo, hi).all()


def test_report_says_whether_the_kernels_were_compiled_before_the_cases():
    """The machine section names the warm-up's outcome; a failed one warns that cases may have
    compiled kernels; results from before the step have no line."""
    assert report._warm_up_line(None) == []
    done = report._warm_up_line({"seconds": 3.4, "ok": True, "last_line": "compiled 4 of 4 parts"})
    assert len(done) == 1 and "done in 3.4 s" in done[0] and "compiled 4 of 4 parts" in done[0]
    failed = report._warm_up_line({"seconds": 9.0, "ok": False, "last_line": "logit: failed"})
    assert "**failed**" in failed[0] and "logit: failed" in failed[0]
