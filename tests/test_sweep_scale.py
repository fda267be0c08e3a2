"""Costs that grow with a sweep's size: what is done once per sweep must not be done per point.

Checked by counting calls (never by timing), on sizes small enough to run fast.
"""

from __future__ import annotations

import contextlib

import sympy.printing.str as sympy_str

import deterrence as dt
from deterrence.cli import main
from deterrence.sweeps import _result as result_module
from deterrence.sweeps import _sweep as sweep_module


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


@contextlib.contextmanager
def _say_at_once(say, message, *args, **kwargs):
    """``say_if_slow`` as if every step outlasted its delay: says the message when the step
    starts (so a test sees which steps are announced, without waiting)."""
    say(message)
    yield None


def test_writing_the_table_files_is_announced_when_slow(monkeypatch, tmp_path):
    """The progress bar is full once the chunks are computed; writing the table files of a
    sweep of millions of rows then takes many seconds. That step is announced when it is slow
    (by the library, and by the command line, which writes them itself)."""
    monkeypatch.setattr(sweep_module, "say_if_slow", _say_at_once)
    said: list[str] = []
    grid = {"credibility": dt.Linspace(0, 1, 5), "cost_attacker": dt.Linspace(0, 2, 4)}
    dt.sweep("extended_deterrence", grid=grid, out=tmp_path / "lib", progress=False, log=said.append)
    assert said[-1] == "writing table.csv and table.parquet (20 rows) from the chunks ..."
    assert (tmp_path / "lib" / "table.csv").is_file()


def test_the_command_line_announces_writing_the_table_files(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(result_module, "say_if_slow", _say_at_once)
    monkeypatch.setenv("DETERRENCE_PICTURE_HELPER", "0")
    out = tmp_path / "cli"
    status = main(["sweep", "extended_deterrence", "--vary", "credibility=0:1:5", "--vary",
                   "cost_attacker=0:2:4", "--out", str(out), "--no-progress"])
    assert status == 0
    assert "writing table.csv and table.parquet (20 rows) from the chunks ..." in capsys.readouterr().out
    assert (out / "table.csv").is_file()
