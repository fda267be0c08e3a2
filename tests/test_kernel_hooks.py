"""The guard's second stage clears closed and big systems (recipes, closed forms, checks at the
roots): the points it clears are sound.

* Row level: where a compiled model decides a point, its rows are the per-point solver's
  (``costly_signal_menu``, a model a set of which keeps three actions after dominance, compiled
  since the stage clears its closed systems).
* Guard level, on ``asymmetric_escalation`` (its guard built alone; ``compile_model`` refuses it
  from its shape under every policy, a cost decision): at every point the
  guard clears, the per-point solver lists no equilibrium mixing at two or more sets (the guard is
  built with the pure structures alone, so it guards every mixed pattern). Under ``prior`` the
  points it clears are those whose surviving roots fail the solver's test at a set the pattern
  leaves unreached, under the mover's own belief carried forward
  (:mod:`deterrence.kernels._rootcheck`).
* A stage clearing everything, and checks at roots reading Nature's odds where the solver carries
  the mover's belief, are caught.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from helpers.kernel_checks import compiled_row_mismatches

import deterrence as dt
from deterrence.kernels import _rootcheck, _systems, domain_sample
from deterrence.kernels._dominance import kept_actions
from deterrence.kernels._systems import SystemGuard
from deterrence.kernels._trees import Structure, symbolic_tree


def _mismatches(model: dt.Model, policy: str, points: pd.DataFrame) -> tuple[int, list[int]]:
    """How many points the compiled model decides, and those whose rows differ from the
    per-point solver's (:func:`helpers.kernel_checks.compiled_row_mismatches`)."""
    return compiled_row_mismatches(model, policy, points)


def _clear_everything(self, index, system, pts, *args):
    return np.ones(len(pts), dtype=bool)


@pytest.mark.parametrize("policy", ["free", pytest.param("prior", marks=pytest.mark.slow)])
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


def _unlisted_pbe_where_cleared(m: dt.Model, tree: object, guard: SystemGuard, policy: str, n: int,
                                seed: int = 14) -> tuple[int, list[int]]:
    """How many of ``n`` domain points the guard clears, and those where the per-point solver
    lists an equilibrium mixing at two or more sets (the guard lists no mixed structure: it guards
    every such pattern)."""
    pts = domain_sample(m, n, seed=seed)
    pay, ce = tree.numeric_columns({k: np.asarray(v, float) for k, v in pts.items()})
    flags = guard.flags(pay, ce, 1e-8, 1e-7)
    bad = []
    for i in np.flatnonzero(~flags):
        game = m.game(**{k: float(v[i]) for k, v in pts.items()})
        for eq in dt.solve(game, "pbe", belief_policy=policy):
            mixing = [h for h, s in enumerate(eq.strategies) if (np.asarray(s) > 1e-9).sum() > 1]
            if len(mixing) >= 2:
                bad.append(int(i))
                break
    return int((~flags).sum()), bad


@pytest.mark.slow
@pytest.mark.parametrize("policy", ["free", "prior"])
def test_aeg_points_the_guard_clears_have_no_unlisted_equilibrium(policy):
    """~25 s to build the guard, ~10 s per 60 points. (Under ``prior`` the guard cleared none of
    them before it checked its roots off the path.)"""
    m, tree, guard = _aeg_guard(policy)
    cleared, bad = _unlisted_pbe_where_cleared(m, tree, guard, policy, 60)
    assert cleared >= (5 if policy == "free" else 3)
    assert bad == []


@pytest.mark.slow
def test_a_stage_clearing_everything_is_caught_on_the_aeg(monkeypatch):
    m, tree, guard = _aeg_guard("free")
    monkeypatch.setattr(_systems.SystemStage, "cleared", _clear_everything)
    _, bad = _unlisted_pbe_where_cleared(m, tree, guard, "free", 20)
    assert bad


@pytest.mark.slow
def test_checks_at_roots_under_nature_odds_instead_of_carried_beliefs_are_caught_on_the_aeg(monkeypatch):
    """Read the sets a pattern leaves unreached under Nature's odds where the per-point solver
    carries the mover's own belief forward (the Challenger's sets after its own initiation): the
    guard then clears points where the solver lists an equilibrium it does not."""
    real = _rootcheck.all_specs

    def nature_odds(game, policy, pattern, profiles):
        return {k: ("prior",) if s is not None and s[0] == "own" else s
                for k, s in real(game, policy, pattern, profiles).items()}

    monkeypatch.setattr(_rootcheck, "all_specs", nature_odds)
    m, tree, guard = _aeg_guard("prior")
    _, bad = _unlisted_pbe_where_cleared(m, tree, guard, "prior", 50, seed=5)
    assert bad
