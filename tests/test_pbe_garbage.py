"""The PBE solver leaves no cyclic garbage and pauses the garbage collector while it runs
(:mod:`deterrence.solvers._gc_pause`), resuming it after, on an error too.

Pausing the collector is sound only if a solve makes no reference cycles (its memory is then
freed by reference counting as it goes): the first tests solve the AEG under each belief policy
with the collector saving what it finds, and find nothing. The rule for the
belief-weight spec of a set (``_pbe_context.belief_spec_rule``), built per support pattern, was a
closure calling itself: a cycle per pattern (thousands per solve of the AEG).
"""

from __future__ import annotations

import gc
from collections.abc import Callable

import pytest
from helpers.samples import sample

import deterrence as dt
from deterrence.solvers import pbe
from deterrence.solvers._pbe_context import belief_spec_rule


def _cyclic_garbage(solve: Callable[[], object]) -> list[str]:
    """The types of the objects ``solve()`` leaves in reference cycles."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        solve()
        gc.collect()
        return sorted({type(o).__name__ for o in gc.garbage})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_a_solve_makes_no_reference_cycles(policy: str) -> None:
    """The AEG at four points: a first pass builds the caches and loads the kernels the points meet
    on first use (numba makes cycles as it loads one: a ``c_void_p`` array type per kernel, met at
    the fourth point only, under ``free``, when nothing ran before), then a second pass over the
    same points, as new games, must leave no cycle (the four solves watched together: the collector
    saves what it finds in any of them)."""
    model = dt.load_model("asymmetric_escalation")
    points = sample("asymmetric_escalation", 4, 7)

    def game(i: int) -> dt.ExtensiveFormGame:
        return model.game(**{k: float(v[i]) for k, v in points.items()})

    for i in range(4):
        dt.solve(game(i), "pbe", belief_policy=policy)
    again = [game(i) for i in range(4)]  # (built, and kept, outside the watch: only the solves are watched)

    def second_pass() -> None:
        for g in again:
            dt.solve(g, "pbe", belief_policy=policy)

    assert _cyclic_garbage(second_pass) == []


def test_the_belief_spec_rule_is_no_reference_cycle() -> None:
    game = dt.load_model("costly_signal_menu").game()

    def use_a_rule() -> None:
        spec = belief_spec_rule(game, "prior", {}, lambda k: k == 0, lambda k, cand, specs: True,
                                lambda k: False)
        specs = [spec(k) for k in range(len(game.infosets))]
        assert specs[0] == ("reach",)

    assert _cyclic_garbage(use_a_rule) == []


def test_the_collector_is_paused_during_a_solve_and_resumed_after_an_error(monkeypatch) -> None:
    game = dt.load_model("costly_signal_menu").game()
    seen = []
    inner = pbe.pbe_candidates

    def failing(*args, **kwargs):
        seen.append(gc.isenabled())
        inner(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(pbe, "pbe_candidates", failing)
    assert gc.isenabled()
    with pytest.raises(KeyboardInterrupt):
        dt.solve(game, "pbe", belief_policy="prior")
    assert seen == [False]
    assert gc.isenabled()


def test_a_paused_collector_stays_paused() -> None:
    game = dt.load_model("costly_signal_menu").game()
    gc.disable()
    try:
        result = dt.solve(game, "pbe", belief_policy="prior")
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert len(result) > 0
