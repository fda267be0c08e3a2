"""A sweep's choice of path by cost under ``path="auto"`` (deterrence.sweeps._choice).

The decision is a pure function of measured numbers (:func:`compiled_pays`), tested on its own;
the sweep's plumbing is tested with the measurements replaced by fixed numbers, so that nothing
here depends on how fast the machine is. The rows are the same whichever path runs.
"""

from __future__ import annotations

import importlib
import weakref

import numpy as np
import pandas as pd
import pytest

import deterrence as dt
from deterrence.errors import ParameterError, UnsupportedError
from deterrence.kernels import _compiled, _cost
from deterrence.kernels._cost import PathEstimate, compile_seconds_estimate, compiled_pays
from deterrence.sweeps import _choice
from deterrence.sweeps._manifest import Manifest

backends = importlib.import_module("deterrence.sweeps._backends")

MODEL = "extended_deterrence"
GRID = {"credibility": [0.2, 0.5, 0.8]}


# ---------------------------------------------------------------- the decision itself
def test_a_kernel_that_decides_every_point_cheaply_pays_for_its_compile():
    # chain_store's figures: 46 us per point compiled, 3 ms per point solved, compile about 1.4 s
    assert compiled_pays(46e-6, 3e-3, 0.0, 1000, 1.4)
    assert not compiled_pays(46e-6, 3e-3, 0.0, 100, 1.4)  # too few points to repay the compile


def test_a_kernel_leaving_half_the_points_undecided_does_not_repay_a_large_compile():
    # costly_signal_menu's figures: 0.4 ms kernel, 6 ms per point, half undecided, ~6.6 s compile
    assert not compiled_pays(0.4e-3, 6e-3, 0.5, 844, 6.6)
    assert compiled_pays(0.4e-3, 6e-3, 0.5, 844, 0.0)  # once compiled it saves time
    assert compiled_pays(0.4e-3, 6e-3, 0.5, 10_000, 6.6)  # and a large sweep repays the compile


def test_a_kernel_costing_more_than_the_solver_never_pays():
    assert not compiled_pays(7e-3, 6e-3, 0.0, 10**9, 0.0)
    assert not compiled_pays(1e-3, 6e-3, 0.9, 10**9, 0.0)  # 1 + 5.4 ms > 6 ms


def test_a_tie_keeps_the_compiled_path():
    assert compiled_pays(1e-3, 2e-3, 0.5, 10, 0.0)
    assert compiled_pays(0.0, 0.0, 0.0, 0, 0.0)
    assert not compiled_pays(0.0, 1.0, 0.0, 0, 1e-9)


@pytest.mark.parametrize("args", [(-1e-3, 1e-3, 0.1, 10, 0.0), (1e-3, float("nan"), 0.1, 10, 0.0),
                                  (1e-3, 1e-3, 1.5, 10, 0.0), (1e-3, 1e-3, 0.1, -1, 0.0),
                                  (1e-3, 1e-3, 0.1, 10, float("inf"))])
def test_bad_numbers_are_refused_by_name(args):
    with pytest.raises(ParameterError, match="compiled_pays: "):
        compiled_pays(*args)


def test_the_estimate_records_its_numbers_and_its_choice():
    est = PathEstimate(844, 6e-3, 0.4e-3, 0.5, 6.6, "before compiling")
    data = est.to_json()
    assert data["path"] == "pointwise" and not est.compiled
    assert data["compiled_s"] == pytest.approx(6.6 + 844 * (0.4e-3 + 0.5 * 6e-3))
    assert data["pointwise_s"] == pytest.approx(844 * 6e-3)
    assert est.text().startswith("per-point solver")
    assert PathEstimate(844, 6e-3, 0.4e-3, 0.5, 0.0, "compiled").to_json()["path"] == "compiled"


def test_the_compile_estimate_grows_with_structures_and_patterns():
    big, small = compile_seconds_estimate(336, 8000), compile_seconds_estimate(128, 191)
    assert big > small > compile_seconds_estimate(0, 0)


def test_counts_from_the_shape_bound_what_the_compile_builds():
    model = dt.load_model("chain_store")  # compiled over the actions dominance keeps
    n_structures, n_patterns = _compiled.compile_counts(model, "pbe", "free")
    built = _compiled.compile_model(model, "pbe", "free")
    assert n_structures >= len(built.structures) > 0
    assert n_patterns >= len(built._guard.patterns) > 0


# ---------------------------------------------------------------- the sweep's plumbing
@pytest.fixture
def fresh_kernels(monkeypatch):
    """No kernel compiled yet in this process (both caches empty for the test)."""
    monkeypatch.setattr(backends, "_COMPILED", weakref.WeakKeyDictionary())
    monkeypatch.setattr(_compiled, "_COMPILED", {})
    monkeypatch.setattr(_compiled, "_PREPARED", {})


def _fixed_solver_time(monkeypatch, seconds: float) -> None:
    monkeypatch.setattr(_choice, "_TIMINGS", {})
    monkeypatch.setattr(_choice, "_pointwise_seconds", lambda *args, **kwargs: seconds)


def _sweep(path: str):
    return dt.sweep(MODEL, grid=GRID, progress=False, concept="pbe", belief_policy="free", path=path)


def _rows(res) -> pd.DataFrame:
    return res.table.drop(columns="path")


def test_a_sweep_too_small_to_repay_the_compile_is_solved_per_point_uncompiled(monkeypatch, fresh_kernels):
    _fixed_solver_time(monkeypatch, 1e-3)
    monkeypatch.setattr(_cost, "SECONDS_FIXED", 100.0)  # a compile estimated at 100 s
    res = _sweep("auto")
    assert res.manifest.paths == {"pointwise": 3}
    choice = res.manifest.path_choice["model"]
    assert choice["path"] == "pointwise" and choice["stage"] == "before compiling"
    assert choice["n_points"] == 3 and choice["pointwise_s_per_point"] == 1e-3
    assert not _compiled._COMPILED  # nothing was compiled
    assert any("per-point solver" in note for note in res.manifest.runs[-1].notes)
    forced = _sweep("compiled")  # asked for: compiled whatever the estimate
    assert forced.manifest.paths == {"compiled": 3} and forced.manifest.path_choice is None
    pd.testing.assert_frame_equal(_rows(res), _rows(forced), check_exact=False, atol=1e-12)


def test_a_compiled_kernel_is_kept_where_it_is_the_cheaper(monkeypatch, fresh_kernels):
    _fixed_solver_time(monkeypatch, 1.0)  # a slow solver: compiling pays
    res = _sweep("auto")
    assert res.manifest.paths == {"compiled": 3}
    choice = res.manifest.path_choice["model"]
    assert choice["path"] == "compiled" and choice["stage"] == "compiled"
    assert choice["compile_s_remaining"] == 0.0 and choice["undecided_share"] == 0.0


def test_a_kernel_costing_more_than_the_solver_hands_the_sweep_to_it(monkeypatch, fresh_kernels):
    _fixed_solver_time(monkeypatch, 1e-3)
    monkeypatch.setattr(_cost, "SECONDS_FIXED", 0.0)
    monkeypatch.setattr(_cost, "SECONDS_PER_STRUCTURE", 0.0)
    monkeypatch.setattr(_cost, "SECONDS_PER_PATTERN", 0.0)
    monkeypatch.setattr(_compiled.CompiledModel, "probe_cost", lambda self: (2e-3, 0.0))
    res = _sweep("auto")
    assert res.manifest.paths == {"pointwise": 3}
    choice = res.manifest.path_choice["model"]
    assert choice["path"] == "pointwise" and choice["stage"] == "compiled"
    assert choice["kernel_s_per_point"] == 2e-3
    point = _sweep("pointwise")
    assert point.manifest.path_choice is None
    pd.testing.assert_frame_equal(_rows(res), _rows(point), check_exact=False, atol=0)


def test_the_choice_survives_the_manifest_file(monkeypatch, fresh_kernels, tmp_path):
    _fixed_solver_time(monkeypatch, 1.0)
    res = dt.sweep(MODEL, grid=GRID, progress=False, concept="pbe", out=tmp_path / "s")
    again = Manifest.from_json(res.manifest.to_json())
    assert again.path_choice == res.manifest.path_choice
    assert again.path_choice["model"]["path"] == "compiled"


def test_the_kernels_probe_cost_is_seconds_per_point_and_a_share(monkeypatch):
    """The kernel's evaluation of its probe points, on a fake clock (one second per reading): the
    seconds divided among the points, and the share the evaluation leaves undecided."""
    from types import SimpleNamespace

    model = _compiled.compile_model(dt.load_model("costly_signal_pledge"), "pbe", "free")
    model.decides_some_probe_point()
    ticks = iter(range(100))
    monkeypatch.setattr(_compiled, "time", SimpleNamespace(process_time=lambda: float(next(ticks))))
    monkeypatch.setattr(model, "_probe_cost", None)
    seconds, share = model.probe_cost()
    points = pd.DataFrame(model._probe)
    assert seconds == pytest.approx(1.0 / len(points))
    assert share == float(np.mean(model.evaluate(points)[1]))


@pytest.mark.parametrize(("alone", "chunks"), [(0.5, [1]), (0.01, [1, _choice.TIMED_POINTS])])
def test_the_point_solved_alone_is_the_estimate_where_it_cost_enough(monkeypatch, alone, chunks):
    """The point solved alone is the estimate where it took ALONE_ENOUGH_S or more; else the
    chunk of TIMED_POINTS after it is timed (a fake clock: one tick of ``alone`` per call)."""
    from types import SimpleNamespace

    calls: list[int] = []
    ticks = iter(np.arange(0, 100, alone))
    monkeypatch.setattr(_choice, "time", SimpleNamespace(process_time=lambda: float(next(ticks))))
    monkeypatch.setattr(_choice.pointwise, "evaluate_points",
                        lambda model, chunk, *args, **kwargs: calls.append(len(chunk)))
    model = dt.load_model(MODEL)
    points = pd.DataFrame({"point": range(20), "credibility": np.linspace(0.1, 0.9, 20)})
    seconds = _choice._pointwise_seconds(model, "pbe", "free", points, {})
    assert calls == chunks
    assert seconds == pytest.approx(alone if len(chunks) == 1 else alone / _choice.TIMED_POINTS)


def test_the_choice_does_not_depend_on_a_kernel_compiled_before(monkeypatch, fresh_kernels):
    """A sweep too small to repay the compile goes per point whether or not the process holds
    the kernel already (compiled here by a forced sweep), so two runs of one sweep agree on the
    table's path column too."""
    _fixed_solver_time(monkeypatch, 1e-3)
    monkeypatch.setattr(_cost, "SECONDS_FIXED", 100.0)
    first = _sweep("auto")
    _sweep("compiled")
    assert _compiled._COMPILED  # the process holds the kernel now
    again = _sweep("auto")
    assert first.manifest.paths == again.manifest.paths == {"pointwise": 3}
    pd.testing.assert_frame_equal(first.table, again.table)


def test_a_repeated_sweep_reuses_the_solvers_measured_time(monkeypatch, fresh_kernels):
    """The per-point solver is timed once per model, options and points in a process: a second
    run of a sweep chooses as the first did, where a new measurement (here a solver now costing a
    thousand times as much) would have chosen the other path and changed the ``path`` column."""
    monkeypatch.setattr(_choice, "_TIMINGS", {})
    monkeypatch.setattr(_cost, "SECONDS_FIXED", 1.0)
    cost = [1e-3]
    calls: list[float] = []

    def timed(*args, **kwargs):
        calls.append(cost[0])
        return cost[0]

    monkeypatch.setattr(_choice, "_pointwise_seconds", timed)
    first = _sweep("auto")
    timings = len(calls)
    assert timings > 0
    cost[0] = 1.0  # were it measured again, the costlier solver would choose the compiled path
    again = _sweep("auto")
    assert len(calls) == timings
    assert first.manifest.paths == again.manifest.paths == {"pointwise": 3}
    pd.testing.assert_frame_equal(first.table, again.table)
    other = dt.sweep(MODEL, grid={"credibility": [0.3, 0.6]}, progress=False, concept="pbe",
                     belief_policy="free", path="auto")
    assert len(calls) == 2 * timings  # other points: measured anew
    assert other.manifest.paths == {"compiled": 2}


def test_choosing_a_path_builds_the_models_symbolic_tree_once(monkeypatch):
    """The compile's counts and the timings' key (the model's content digest) are read from one
    symbolic tree; each used to build its own."""
    _fixed_solver_time(monkeypatch, 1e-3)
    model = dt.load_model(MODEL)
    real = _compiled.symbolic_tree
    built: list[object] = []

    def counted(m):
        built.append(m)
        return real(m)

    monkeypatch.setattr(_compiled, "symbolic_tree", counted)
    points = pd.DataFrame({"point": [0, 1], "credibility": [0.2, 0.5]})
    path, estimate = _choice.choose_path(model, "pbe", "free", "auto", points, 3)
    assert estimate is not None and path == "pointwise"  # judged before compiling: nothing compiled
    assert len(built) == 1


def test_a_model_refused_after_its_probe_is_not_probed_again(monkeypatch):
    """``asymmetric_escalation`` is refused only after the probe points are drawn from its domain
    (iterated dominance at them keeps three actions at a set); the refusal is kept, and every
    later ask (a sweep's choice of path asks at every sweep, for the model and its baseline) drew
    the probe again before reading it. The draws are counted."""
    model = dt.load_model("asymmetric_escalation")
    with pytest.raises(UnsupportedError):
        _compiled.compile_counts(model, "pbe", "free")
    real = _compiled.domain_sample
    drawn: list[int] = []

    def counted(*args, **kwargs):
        drawn.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(_compiled, "domain_sample", counted)
    with pytest.raises(UnsupportedError) as again:
        _compiled.compile_counts(model, "pbe", "free")
    assert "too many to compile" in str(again.value)
    assert not drawn
