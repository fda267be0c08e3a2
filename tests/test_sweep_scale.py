"""Costs that grow with a sweep's size: what is done once per sweep must not be done per point.

Checked by counting calls (never by timing), on sizes small enough to run fast.
"""

from __future__ import annotations

import sympy.printing.str as sympy_str

import deterrence as dt


def test_ordering_failures_do_not_print_the_ordering_at_every_point(monkeypatch):
    """A point that violates an ordering is recorded with the ordering's text in its error.
    That text is the same at every point: printing it with sympy (about half the cost of such
    a point) must happen once per comparison, not once per failing point."""
    model = dt.load_model("extended_deterrence")
    # stakes this small break 'interest_committed * (p_allied - p_alone) * stakes > cost_ally'
    dt.sweep(model, grid={"stakes": [0.011]}, on_error="record", progress=False)  # the once-only work
    calls = []
    real = sympy_str.sstr

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(sympy_str, "sstr", counting)
    grid = {"stakes": dt.Linspace(0.01, 0.02, 30)}
    result = dt.sweep(model, grid=grid, on_error="record", progress=False)
    failed = result.table[result.table["regime"] == "error"]
    assert len(failed) == 30
    assert failed["error"].str.contains("fails at").all()
    assert len(calls) < len(failed)  # a few per sweep, not per point (and not 10 per point)
