"""The guard's second stage clears closed and big systems (recipes, closed forms, checks at the
roots): the points it clears are sound.

* Row level: where a compiled model decides a point, its rows are the per-point solver's
  (``costly_signal_menu``, a model a set of which keeps three actions after dominance, compiled
  since the stage clears its closed systems).
* Guard level, on ``asymmetric_escalation`` (its guard built alone; ``compile_model`` refuses
  it, under ``free`` and ``d1`` from its shape, a cost decision, under ``prior`` where its guard
  decides no probe point): at every point the guard clears, the per-point solver lists no
  equilibrium mixing at a pattern the kernels do not list.
* A stage clearing everything is caught by both checks.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import deterrence as dt
from deterrence.kernels import _systems, compile_model, domain_sample
from deterrence.kernels._dominance import kept_actions
from deterrence.kernels._systems import SystemGuard
from deterrence.kernels._trees import Structure, symbolic_tree
from deterrence.sweeps import evaluate_points


def _mismatches(model: dt.Model, policy: str, points: pd.DataFrame) -> tuple[int, list[int]]:
    """How many points the compiled model decides, and those whose rows differ from the
    per-point solver's (same equilibria in the same order, every column the kernel writes)."""
    cm = compile_model(model, "pbe", policy)
    table, undecided = cm.evaluate(points)
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


def _clear_everything(self, index, system, pts, *args):
    return np.ones(len(pts), dtype=bool)


@pytest.mark.parametrize("policy", ["free", "prior"])
def test_costly_signal_menu_decided_points_have_the_per_point_rows(policy):
    m = dt.load_model("costly_signal_menu")
    pts = pd.DataFrame(domain_sample(m, 40, seed=31))
    decided, bad = _mismatches(m, policy, pts)
    assert decided >= 10
    assert bad == []


def test_a_stage_clearing_everything_gives_wrong_rows(monkeypatch):
    """The check above catches a second stage that clears every system (a broken hook)."""
    m = dt.load_model("costly_signal_menu")
    pts = pd.DataFrame(domain_sample(m, 40, seed=31))
    monkeypatch.setattr(_systems.SystemStage, "cleared", _clear_everything)
    _, bad = _mismatches(m, "free", pts)
    assert bad


# ------------------------------------------------------------------ asymmetric_escalation
def _aeg_guard(policy: str) -> tuple[dt.Model, object, SystemGuard]:
    m = dt.load_model("asymmetric_escalation")
    tree = symbolic_tree(m)
    probe = domain_sample(m, 64, seed=12345)
    kept = kept_actions(m, probe, 1e-8)
    structures = [Structure(tuple(p)) for p in itertools.product(*kept)]
    return m, tree, SystemGuard(tree.structure, structures, policy, kept, tree=tree, pool=probe)


def _unlisted_pbe_where_cleared(m: dt.Model, tree: object, guard: SystemGuard, policy: str, n: int
                                ) -> tuple[int, list[int]]:
    """How many of ``n`` domain points the guard clears, and those where the per-point solver
    lists an equilibrium mixing at two or more sets, not at two sets of two kept actions each
    (the structures the kernels list)."""
    pts = domain_sample(m, n, seed=14)
    pay, ce = tree.numeric_columns({k: np.asarray(v, float) for k, v in pts.items()})
    flags = guard.flags(pay, ce, 1e-8, 1e-7)
    binary = {h for h, a in enumerate(guard.kept) if len(a) == 2}
    bad = []
    for i in np.flatnonzero(~flags):
        game = m.game(**{k: float(v[i]) for k, v in pts.items()})
        for eq in dt.solve(game, "pbe", belief_policy=policy):
            mixing = [h for h, s in enumerate(eq.strategies) if (np.asarray(s) > 1e-9).sum() > 1]
            if len(mixing) >= 2 and not (len(mixing) == 2 and set(mixing) <= binary):
                bad.append(int(i))
                break
    return int((~flags).sum()), bad


@pytest.mark.slow
@pytest.mark.parametrize("policy", ["free", "prior"])
def test_aeg_points_the_guard_clears_have_no_unlisted_equilibrium(policy):
    """~25 s to build the guard, ~10 s per 60 points."""
    m, tree, guard = _aeg_guard(policy)
    cleared, bad = _unlisted_pbe_where_cleared(m, tree, guard, policy, 60)
    assert cleared >= (5 if policy == "free" else 0)
    assert bad == []


@pytest.mark.slow
def test_a_stage_clearing_everything_is_caught_on_the_aeg(monkeypatch):
    m, tree, guard = _aeg_guard("free")
    monkeypatch.setattr(_systems.SystemStage, "cleared", _clear_everything)
    _, bad = _unlisted_pbe_where_cleared(m, tree, guard, "free", 20)
    assert bad
