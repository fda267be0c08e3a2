"""Sweeps at the edges of their input: values just past a domain's end, and ``fixed`` values
that break one of the model's orderings whatever the varied values."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

import deterrence as dt
from deterrence.errors import OrderingError, ParameterError
from deterrence.sweeps import sweep

TINY = Path(__file__).parent / "data" / "tiny_pledge.toml"  # ordering: c < 2.5; r in [0, 2]


@pytest.fixture(scope="module")
def tiny():
    return dt.load_model(TINY)


def test_a_value_just_past_the_domain_is_named_as_given(tiny):
    """The message used to round the value (``value 2 is outside its domain [0, 2]``)."""
    with pytest.raises(ParameterError, match=r"value 2\.0000001 is outside its domain \[0, 2\]"):
        sweep(tiny, grid={"r": [0.5, 2.0000001]}, progress=False)


def test_the_domain_ends_themselves_are_swept(tiny):
    table = sweep(tiny, grid={"r": [0.0, 2.0], "k": [0.0, 2.0]}, progress=False).table
    assert sorted(set(zip(table["r"], table["k"], strict=True))) == [(0, 0), (0, 2), (2, 0), (2, 2)]


@pytest.mark.parametrize("on_error", ["raise", "record"])
def test_fixed_values_that_break_an_ordering_everywhere_are_refused_before_any_point(
    tiny, tmp_path, on_error
):
    """A grid over r with c fixed past the ordering c < 2.5 used to fail at the first point (or
    record every point as an error), suggesting ``check_orderings=False``, which a sweep does not
    take; it is refused at once, naming the fixed value, and writes nothing."""
    out = tmp_path / "s"
    with pytest.raises(ParameterError, match=r"'c < 2\.5' .* c=2\.6 \(fixed\).*every point") as err:
        sweep(tiny, grid={"r": [0.5, 1.0]}, fixed={"c": 2.6}, on_error=on_error, out=out, progress=False)
    assert "check_orderings" not in str(err.value)
    assert not out.exists()


def test_a_sample_with_fixed_values_that_break_an_ordering_names_them(tiny):
    """It used to say that none of the sampled points satisfies the orderings: narrow bounds=."""
    with pytest.raises(ParameterError, match=r"c=2\.6 \(fixed\)"):
        sweep(tiny, samples=8, vary=["r"], fixed={"c": 2.6}, rng=1, progress=False)


def test_an_ordering_that_involves_a_varied_parameter_is_judged_point_by_point(tiny):
    """Only orderings none of whose parameters varies are judged before the sweep."""
    result = sweep(tiny, grid={"c": np.array([0.5, 2.6])}, on_error="record", progress=False)
    regimes = result.table.groupby("c")["regime"].agg(set)
    assert regimes[2.6] == {"error"} and "error" not in regimes[0.5]


def test_a_grid_value_that_breaks_an_ordering_gets_advice_a_sweep_can_follow(tiny):
    """The point's error used to end with the model's advice, ``pass check_orderings=False``, an
    option sweeps do not take; it now says what a sweep can do (other values, or record the point)."""
    with pytest.raises(ParameterError, match=r"'c < 2\.5'.*on_error='record'.*--on-error record") as err:
        sweep(tiny, grid={"c": np.array([0.5, 2.6])}, progress=False)
    assert "check_orderings" not in str(err.value)
    recorded = sweep(tiny, grid={"c": np.array([0.5, 2.6])}, on_error="record", progress=False).table
    message = recorded.loc[recorded["c"] == 2.6, "error"].iloc[0]
    assert "'c < 2.5'" in message and "check_orderings" not in message


@pytest.mark.parametrize("path", ["pointwise", "compiled"])
def test_a_recorded_ordering_violation_does_not_advise_the_option_already_in_use(tiny, path):
    """A recorded point's message used to advise recording such points with on_error='record', the
    option its sweep was run with; it keeps the advice a recording sweep can follow (other values).
    The raising sweep's error keeps both."""
    grid = {"c": np.array([0.5, 2.6])}
    recorded = sweep(tiny, grid=grid, on_error="record", path=path, progress=False).table
    message = recorded.loc[recorded["c"] == 2.6, "error"].iloc[0]
    assert "choose grid values" in message
    assert "on_error" not in message and "--on-error" not in message
    with pytest.raises(OrderingError) as raised:
        sweep(tiny, grid=grid, path=path, progress=False)
    assert "choose grid values" in str(raised.value) and "on_error='record'" in str(raised.value)


def test_an_ordering_violation_is_an_ordering_error_whose_advice_a_sweep_replaces(tiny):
    """The error is typed (``OrderingError``, a ``ParameterError``) with the problem and the advice
    apart: a sweep swaps the advice, it does not edit the message's text; the problem, the
    parameter and the ordering survive, and so does the error through pickling (worker processes)."""
    with pytest.raises(OrderingError) as direct:
        tiny.game(c=2.6)
    assert isinstance(direct.value, ParameterError)
    assert direct.value.advice is not None and "check_orderings=False" in direct.value.advice
    assert str(direct.value) == f"{direct.value.problem}; {direct.value.advice}"
    with pytest.raises(OrderingError) as swept:
        sweep(tiny, grid={"c": np.array([0.5, 2.6])}, progress=False)
    assert swept.value.problem == direct.value.problem
    assert (swept.value.name, swept.value.domain) == (direct.value.name, direct.value.domain)
    assert "on_error='record'" in swept.value.advice
    again = pickle.loads(pickle.dumps(swept.value))
    assert type(again) is OrderingError and str(again) == str(swept.value)
    assert again.advice == swept.value.advice


def test_a_second_sweep_of_a_model_does_not_print_its_orderings_symbols_again(tiny, monkeypatch):
    """The check of orderings none of whose parameters varies (``refuse_broken_orderings``) named
    each comparison's parameters with sympy's printer at every sweep; the names are now found once
    per comparison (``Comparison.parameter_names``)."""
    import sympy.printing.str as sympy_str

    from deterrence.sweeps import _design

    inside, printed, checks = [False], [0], [0]
    real_print, real_check = sympy_str.sstr, _design.refuse_broken_orderings

    def counting_print(*args, **kwargs):
        printed[0] += inside[0]
        return real_print(*args, **kwargs)

    def watched_check(*args, **kwargs):
        checks[0] += 1
        inside[0] = True
        try:
            return real_check(*args, **kwargs)
        finally:
            inside[0] = False

    monkeypatch.setattr(sympy_str, "sstr", counting_print)
    monkeypatch.setattr(_design, "refuse_broken_orderings", watched_check)
    sweep(tiny, grid={"r": [0.5, 1.0]}, path="pointwise", progress=False)
    printed[0], checks[0] = 0, 0
    sweep(tiny, grid={"r": [0.5, 1.0]}, path="pointwise", progress=False)
    assert checks[0] == 1 and printed[0] == 0
