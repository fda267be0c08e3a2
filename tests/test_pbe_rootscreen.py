"""The screen of the mixed profiles of a PBE solve
(:func:`deterrence.solvers._pbe_rootscreen.onpath_verdicts`) rejects only profiles that
``pbe._assess`` rejects, passes only profiles whose tests at the sets they reach ``_assess`` finds
passed (and ``_assess`` told so gives the same verdict, beliefs and note), and the solver finds the
same with it as without.

* on the profiles a solve of ``asymmetric_escalation`` assesses (``d1``, ``free``): as above, and
  the screen decides nearly all of them;
* on random profiles (mixed, with exact zeros) of catalogue models and random signalling trees
  under every policy, and with the tolerance set to a set's gain as ``_assess`` computes it (and
  the floats next to it), where only the screen's margin keeps it from a rejection ``_assess``
  does not make;
* the compiled kernel against its Python version; nothing screened on a deep tree;
* whole solves of catalogue models with the screen and with every profile left to ``_assess``.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.pbe_context import catalogue_games, solver_context
from helpers.samples import points
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pbe_assess_order import _profile
from test_pbe_patterns import signalling_trees

import deterrence as dt
from deterrence._jit import python_version
from deterrence.solvers import _pbe_rootscreen, pbe
from deterrence.solvers._pbe_rootscreen import FAILS, HOLDS, UNDECIDED, onpath_verdicts


def _onpath_rejects(ctx, beh) -> bool:
    """Whether ``_assess``'s first loop (the sets the profile reaches) rejects ``beh``."""
    bel = pbe._Beliefs(ctx, beh)
    for k in range(len(beh)):
        if bel.on_path[k]:
            payoff = bel.mu[k] @ ctx.q(bel.values, k)
            if payoff.max() - payoff @ beh[k] > ctx.tol:
                return True
    return False


def _verdict(v) -> object:
    return None if v is None else ([(b.shape, b.tobytes()) for b in v.beliefs], v.loose)


def _check(ctx, behs) -> tuple[int, int, int]:
    """Screen against ``_assess``: (profiles the screen rejects, profiles rejected on the path,
    profiles the screen passes)."""
    screened = onpath_verdicts(ctx, behs)
    assert len(screened) == len(behs) and set(screened) <= {UNDECIDED, FAILS, HOLDS}
    for beh, out in zip(behs, screened, strict=True):
        if out == FAILS:
            assert pbe._assess(ctx, beh) is None
            assert _onpath_rejects(ctx, beh)
        elif out == HOLDS:
            assert not _onpath_rejects(ctx, beh)
            assert _verdict(pbe._assess(ctx, beh, on_path_passed=True)) == _verdict(pbe._assess(ctx, beh))
    onpath = sum(_onpath_rejects(ctx, beh) for beh in behs)
    return screened.count(FAILS), onpath, screened.count(HOLDS)


@pytest.mark.parametrize("policy", ["d1", "free"])
def test_screen_on_recorded_escalation_roots(policy, monkeypatch):
    m = dt.load_model("asymmetric_escalation")
    recorded = []

    def record(ctx, behs):
        recorded.append((ctx, [[b.copy() for b in beh] for beh in behs]))
        return [UNDECIDED] * len(behs)

    monkeypatch.setattr(pbe, "onpath_verdicts", record)
    for values in points("asymmetric_escalation", 3, 11):
        dt.solve(m.game(**values), "pbe", belief_policy=policy)
    monkeypatch.undo()
    screened = onpath = passed = 0
    for ctx, behs in recorded:
        got = _check(ctx, behs)
        screened, onpath, passed = screened + got[0], onpath + got[1], passed + got[2]
    total = sum(len(b) for _, b in recorded)
    assert total > 20 and onpath > 10 and screened >= 0.9 * onpath and passed >= 0.9 * (total - onpath) > 0


@pytest.mark.parametrize("name", ["asymmetric_escalation", "chain_store", "costly_signal_menu"])
def test_screen_on_random_profiles(name):
    rng = np.random.default_rng(7)
    screened = passed = 0
    for game in catalogue_games(name, 2, seed=5):
        for policy in ("d1", "free", "prior"):
            ctx = solver_context(game, policy)
            got = _check(ctx, [_profile(game, rng) for _ in range(30)])
            screened, passed = screened + got[0], passed + got[2]
    assert screened > 0 and passed > 0


def _gains(ctx, beh) -> list[float]:
    """The gains ``_assess`` computes at the sets ``beh`` reaches."""
    bel = pbe._Beliefs(ctx, beh)
    out = []
    for k in range(len(beh)):
        if bel.on_path[k]:
            payoff = bel.mu[k] @ ctx.q(bel.values, k)
            out.append(float(payoff.max() - payoff @ beh[k]))
    return out


@pytest.mark.parametrize("name", ["asymmetric_escalation", "costly_signal_menu"])
def test_screen_with_the_tolerance_at_a_gain(name):
    rng = np.random.default_rng(11)
    for game in catalogue_games(name, 2, seed=3):
        for _ in range(40):
            beh = _profile(game, rng)
            gains = [g for g in _gains(solver_context(game, "free"), beh) if g > 0]
            if not gains:
                continue
            g = max(gains)  # the tolerance at the largest gain: _assess rejects just below it
            for tol in (np.nextafter(g, -np.inf), g, np.nextafter(g, np.inf), g * (1 + 1e-15)):
                ctx = solver_context(game, "free")
                ctx.tol = float(tol)
                _check(ctx, [beh])


@settings(max_examples=40, deadline=None)
@given(signalling_trees(), st.integers(0, 2**31 - 1))
def test_screen_on_random_signalling_trees(game, seed):
    rng = np.random.default_rng(seed)
    for policy in ("d1", "free", "prior"):
        _check(solver_context(game, policy), [_profile(game, rng) for _ in range(6)])


def test_kernel_is_its_python_version(monkeypatch):
    rng = np.random.default_rng(2)
    for game in catalogue_games("asymmetric_escalation", 2, seed=9):
        ctx = solver_context(game, "free")
        behs = [_profile(game, rng) for _ in range(40)]
        compiled = onpath_verdicts(ctx, behs)
        with monkeypatch.context() as mp:
            mp.setattr(_pbe_rootscreen, "_onpath_gaps", python_version(_pbe_rootscreen._onpath_gaps))
            assert onpath_verdicts(ctx, behs) == compiled
        assert FAILS in compiled


def test_nothing_screened_on_a_deep_tree_or_odd_profiles(monkeypatch):
    game = catalogue_games("asymmetric_escalation", 1, seed=9)[0]
    ctx = solver_context(game, "free")
    rng = np.random.default_rng(5)
    behs = [_profile(game, rng) for _ in range(40)]
    assert FAILS in onpath_verdicts(ctx, behs)
    assert onpath_verdicts(ctx, []) == []
    assert set(onpath_verdicts(ctx, [[b.astype(np.float32) for b in beh] for beh in behs])) == {UNDECIDED}
    assert set(onpath_verdicts(ctx, [beh[:-1] for beh in behs])) == {UNDECIDED}
    monkeypatch.setattr(game, "_deep", True)
    assert set(onpath_verdicts(ctx, behs)) == {UNDECIDED}


def _summary(res) -> tuple:
    eqs = [(np.concatenate(e.strategies).tobytes(),
            tuple(float(p) for b in e.beliefs.values() for p in b.values()), e.label)
           for e in res.equilibria]
    return eqs, res.complete, tuple(res.notes)


@pytest.mark.parametrize("name", ["asymmetric_escalation", "chain_store", "costly_signal_menu"])
@pytest.mark.parametrize("policy", ["d1", "free", "prior"])
def test_solves_with_and_without_the_screen(name, policy, monkeypatch):
    def solved() -> list[tuple]:
        return [_summary(dt.solve(g, "pbe", belief_policy=policy)) for g in catalogue_games(name, 2, seed=13)]

    with_screen = solved()
    monkeypatch.setattr(pbe, "onpath_verdicts", lambda ctx, behs: [UNDECIDED] * len(behs))
    without = solved()
    assert with_screen == without
