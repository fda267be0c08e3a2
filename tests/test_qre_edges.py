"""Edges of the logit QRE path: the time limit from the start of the call, Newton's last step.

* ``time_limit`` counts from the call of :func:`deterrence.solve`: a limit spent before a
  long-running method starts (choosing the method, loading its compiled kernels) stops it with
  :class:`~deterrence.TimeLimitError`, not after the kernels load and the path runs. The clock is
  a fake one that jumps where the time would go (no wall-clock assertions).
* ``_qre_path.newton_at`` (the pure-Python follower's Newton polish, the probit link's and the
  test oracle's) keeps the point of its last step.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from helpers.random_trees import random_tree

import deterrence as dt
from deterrence.errors import SolverError, TimeLimitError
from deterrence.solvers import _logit, qre
from deterrence.solvers import _qre_path as qp

PRISONERS = [np.array([[3.0, 0.0], [5.0, 1.0]]), np.array([[3.0, 5.0], [0.0, 1.0]])]
COORDINATION = [np.array([[3.0, 1.0], [0.0, 2.0]]), np.array([[2.0, 0.0], [1.0, 3.0]])]


# ---------------------------------------------------------------------------- a clock that jumps
class JumpingClock:
    """``time.perf_counter`` plus the seconds :meth:`jump` added (the time a slow step would take)."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.real = time.perf_counter

    def __call__(self) -> float:
        return self.real() + self.offset

    def jump(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> JumpingClock:
    fake = JumpingClock()
    monkeypatch.setattr(time, "perf_counter", fake)
    return fake


def _slow(fn: Callable[..., Any], clock: JumpingClock, seconds: float = 1000.0) -> Callable[..., Any]:
    """``fn`` taking ``seconds`` on the jumping clock."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        clock.jump(seconds)
        return fn(*args, **kwargs)
    return wrapper


# ---------------------------------------------------------------------------- time limit
@pytest.mark.parametrize("method, concept, game", [
    ("qre", "qre", dt.NormalFormGame(PRISONERS)),
    ("homotopy", "nash", dt.NormalFormGame(PRISONERS)),
    ("pure_agent", "nash", random_tree(2, 5, 1)),
    ("polynomial", "nash", dt.NormalFormGame(PRISONERS)),
])
def test_a_limit_spent_before_the_method_starts_stops_it(
    clock: JumpingClock, monkeypatch: pytest.MonkeyPatch, method: str, concept: str, game: Any
) -> None:
    # the limit counted from when the method started, after choosing it; a slow choice (here
    # 1000 s on the fake clock) did not count, and the answer came without a TimeLimitError
    import deterrence.solvers._dispatch as dispatch  # solve() chooses there (run_auto)

    monkeypatch.setattr(dispatch, "choose", _slow(dispatch.choose, clock))
    with pytest.raises(TimeLimitError, match="time limit of 100 s"):
        dt.solve(game, concept, method=method, time_limit=100.0)


@pytest.mark.parametrize("method, concept, options", [
    ("qre", "qre", {"lam": 2.0}), ("qre", "qre", {}), ("homotopy", "nash", {}),
])
def test_the_kernels_load_counts_against_the_limit(
    clock: JumpingClock, monkeypatch: pytest.MonkeyPatch, method: str, concept: str, options: dict
) -> None:
    # the logit path checked the clock only after a stretch of steps; a short path (and, in a
    # fresh process, the ~1 s the compiled kernels take to load before it) went unchecked, and
    # the answer came long after the limit
    monkeypatch.setattr(_logit, "logit_game", _slow(_logit.logit_game, clock))
    with pytest.raises(TimeLimitError, match="time limit of 100 s"):
        dt.solve(dt.NormalFormGame(PRISONERS), concept, method=method, time_limit=100.0, **options)


def test_a_result_that_came_past_the_limit_between_checks_says_so(
    clock: JumpingClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the work after the path's last check (Newton's polish, the certificate) is not interrupted
    monkeypatch.setattr(qre, "_check_representable", _slow(qre._check_representable, clock))
    eqs = dt.solve(dt.NormalFormGame(PRISONERS), "qre", lam=2.0, time_limit=100.0)
    assert any("finished between two of its checks of time_limit" in n for n in eqs.notes)


def test_a_generous_limit_changes_nothing(clock: JumpingClock) -> None:
    eqs = dt.solve(dt.NormalFormGame(PRISONERS), "qre", lam=2.0, time_limit=1e6)
    plain = dt.solve(dt.NormalFormGame(PRISONERS), "qre", lam=2.0)
    assert not any("time_limit" in n for n in eqs.notes)
    assert all(np.array_equal(a, b) for a, b in zip(eqs[0].strategies, plain[0].strategies, strict=True))


# ---------------------------------------------------------------------------- Newton's last step
def test_newton_at_keeps_the_point_of_its_last_step() -> None:
    # coordinates near 5700 (payoffs of size 300 at lambda=19): a point 5e-13 off the QRE is one
    # step from it, a step below the rounding of the coordinates; Newton stopped there and
    # returned the point before the step, refusing it (residual 2.9e-9)
    game = dt.NormalFormGame([100 * a for a in COORDINATION])
    system = qp.LogitSystem(qp.NormalValues(game), np.ones(2))
    on = qre._trace_to(system, 19.0, qp.StepControl())
    off = on.copy()
    off[:-1] += 5e-13
    assert np.max(np.abs(system.H(off))) > 1e-9
    polished = qp.newton_at(system, off, 19.0)
    assert np.max(np.abs(system.H(polished))) <= 1e-12
    p = system.probs(polished)
    direct = dt.solve(game, "qre", lam=19.0)[0].strategies  # the compiled tracer's point
    assert np.allclose(p, np.concatenate(direct), atol=1e-12)


def test_newton_at_still_refuses_a_point_far_from_the_branch() -> None:
    game = dt.NormalFormGame(COORDINATION)
    system = qp.LogitSystem(qp.NormalValues(game), np.ones(2))
    far = system.start()
    far[:-1] += 50.0
    with pytest.raises(SolverError, match="did not converge"):
        qp.newton_at(system, far, 19.0, iters=2)


# ---------------------------------------------------------------------------- options
@pytest.mark.parametrize("options", [{"lam_max": 5.0}, {"lam_max": 5.0, "lam": 2.0, "trace": True},
                                     {"lam_max": 5.0, "lam": 2.0}])
def test_lam_max_where_it_changes_nothing_is_refused(options: dict) -> None:
    # lam_max serves lam=None with trace=True only; elsewhere it was dropped without a word
    with pytest.raises(dt.OptionError, match="lam_max") as info:
        dt.solve(dt.NormalFormGame(PRISONERS), "qre", **options)
    assert info.value.name == "lam_max" and info.value.method == "qre"


def test_lam_max_traces_the_branch_that_far() -> None:
    eqs = dt.solve(dt.NormalFormGame(PRISONERS), "qre", trace=True, lam_max=5.0)
    lams = [e.lam for e in eqs if e.lam is not None]
    assert eqs[0].lam is None and max(lams) >= 5.0
