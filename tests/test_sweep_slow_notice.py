"""The sweep says what it is doing when measuring its cost is slow (a machine's first run).

The timer is a stand-in that the test fires by hand: no test here depends on a clock."""

from __future__ import annotations

import contextlib
import inspect
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

import deterrence as dt
from deterrence.sweeps import _sweep
from deterrence.sweeps._slow_notice import say_if_slow


class _HandTimer:
    """``threading.Timer``'s interface, fired by the test (``fire``) instead of by a clock."""

    def __init__(self, interval: float, function: Callable[..., Any], args: tuple = ()) -> None:
        self.function, self.args = function, args
        self.started = self.cancelled = False
        self.daemon = False

    def start(self) -> None:
        self.started = True

    def cancel(self) -> None:
        self.cancelled = True

    def fire(self) -> None:
        if self.started and not self.cancelled:
            self.function(*self.args)


def test_a_slow_step_is_announced_once() -> None:
    said: list[str] = []
    with say_if_slow(said.append, "working", timer=_HandTimer) as timer:
        timer.fire()  # the delay passes while the step still runs
    assert said == ["working"]
    assert timer.cancelled


def test_a_fast_step_says_nothing() -> None:
    said: list[str] = []
    with say_if_slow(said.append, "working", timer=_HandTimer) as timer:
        pass
    timer.fire()  # the delay passes after the step ended: the timer was cancelled
    assert said == []


def test_the_message_is_cancelled_when_the_step_fails() -> None:
    said: list[str] = []
    try:
        with say_if_slow(said.append, "working", timer=_HandTimer) as timer:
            raise ValueError("the step failed")
    except ValueError:
        pass
    timer.fire()
    assert said == []


def test_the_default_timer_is_threading_timer() -> None:
    # the stand-in above has threading.Timer's interface; by default the real one is used
    assert inspect.signature(say_if_slow).parameters["timer"].default is threading.Timer


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
    assert seen[0] == _sweep.MEASURING  # then the table files' notice (tests/test_sweep_scale.py)
