"""The sweep says what it is doing when measuring its cost is slow (a machine's first run)."""

from __future__ import annotations

import contextlib

import numpy as np

import deterrence as dt
from deterrence.sweeps import _sweep
from deterrence.sweeps._slow_notice import say_if_slow


def test_a_slow_step_is_announced_once() -> None:
    said: list[str] = []
    with say_if_slow(said.append, "working", after=0.0) as timer:
        timer.join()  # the step outlasts the delay: the timer fires before the block ends
    assert said == ["working"]


def test_a_fast_step_says_nothing() -> None:
    said: list[str] = []
    with say_if_slow(said.append, "working", after=3600.0) as timer:
        pass
    timer.join()  # cancelled when the block ended: it ends without firing
    assert said == []


def test_the_message_is_cancelled_when_the_step_fails() -> None:
    said: list[str] = []
    try:
        with say_if_slow(said.append, "working", after=3600.0) as timer:
            raise ValueError("the step failed")
    except ValueError:
        pass
    timer.join()
    assert said == []


def test_the_sweep_measures_its_cost_under_the_notice(monkeypatch, tmp_path) -> None:
    seen: list[str] = []

    @contextlib.contextmanager
    def record(say, message, after=0.0):
        seen.append(message)
        yield None

    monkeypatch.setattr(_sweep, "say_if_slow", record)
    # 22,500 points: a compiled sweep this large is measured before it runs
    grid = {"credibility": np.linspace(0, 1, 150), "cost_attacker": np.linspace(0, 2, 150)}
    dt.sweep("extended_deterrence", grid=grid, out=tmp_path / "run", progress=False)
    assert seen == [_sweep.MEASURING]
