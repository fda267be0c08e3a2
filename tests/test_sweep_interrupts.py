"""Sweeps interrupted, resumed, or failing part way, point by point.

A sweep with ``out=`` is interrupted (``KeyboardInterrupt``, as Ctrl-C raises it, or a solver's
error) at the N-th line it runs in :mod:`deterrence.sweeps`, for N across the whole run: the
interruption must come out as it was raised, leave no half-written or temporary file, no held
lock and a manifest listing only chunks that are there, and the same sweep rerun in the folder
must give the uninterrupted sweep's table value by value (no point lost or doubled), reusing
what was finished. The technique is that of ``tests/test_interrupted_solve.py``.

Also: an error raised at a point in a worker process reaches the sweep as itself (it used to be
reported as a worker that died), and a resume with a grid whose parameters come in another
order (which numbers the points otherwise) is refused instead of mixing two sweeps' points.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import CodeType
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import deterrence as dt
from deterrence import errors
from deterrence.errors import SolverError, SweepError, TimeLimitError
from deterrence.sweeps import _backends, _storage, sweep
from deterrence.sweeps._storage import CHUNK_KEY

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny_pledge.toml"
SWEEPS = str(Path(_storage.__file__).parent)
TINY_GRID = {"r": np.linspace(0.05, 1.95, 6), "k": np.linspace(0.1, 1.9, 5)}
#: a grid of extended_deterrence solved point by point (PBE), in chunks of 2
ED_GRID = {"credibility": [0.2, 0.5, 0.8], "cost_attacker": [0.1, 0.9]}


@contextmanager
def _at_line(n: int, act: Callable[[], Any], traced: Callable[[CodeType], bool]) -> Iterator[list[str]]:
    """Call ``act()`` (raise, or send a signal) at the ``n``-th line run in the code objects
    ``traced`` selects (this thread); yields a list that gets where (empty if fewer lines ran)."""
    seen, where = [0], []

    def local(frame: Any, event: str, arg: Any) -> Any:
        if event == "line":
            seen[0] += 1
            if seen[0] == n:
                where.append(f"{Path(frame.f_code.co_filename).name}:{frame.f_lineno}")
                act()
        return local

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        return local if traced(frame.f_code) else None

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        yield where
    finally:
        sys.settrace(old)


def _raise_at_line(n: int, make: Callable[[], BaseException]) -> Any:
    """Raise ``make()`` at the ``n``-th line run in :mod:`deterrence.sweeps`."""

    def act() -> None:
        raise make()

    return _at_line(n, act, lambda code: code.co_filename.startswith(SWEEPS))


def _interrupt() -> None:
    raise KeyboardInterrupt


def _ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)


def _check_left(out: Path) -> None:
    """What an interrupted sweep left in ``out``: no temporary file, no lock, every chunk file
    readable, and a manifest listing only chunk files that are there (at most one more, the
    chunk written as the interruption came, is not listed yet: a resume finds it)."""
    assert not list(out.rglob("*.tmp")), list(out.rglob("*.tmp"))
    assert not (out / ".lock").exists()
    files = {p.name for p in (out / "chunks").glob("chunk-*.parquet")}
    for name in files:
        pd.read_parquet(out / "chunks" / name)
    if (out / "manifest.json").exists():
        listed = {r["file"] for r in json.loads((out / "manifest.json").read_text())["chunks"]["records"]}
        assert listed <= files and len(files - listed) <= 1, (listed, files)


def _fuzz(model: Any, kwargs: dict[str, Any], stride: int, make: Callable[[], BaseException],
          kind: type[BaseException], tmp_path: Path) -> int:
    """Interrupt the sweep at every ``stride``-th line until it runs to its end; check each
    interrupted folder and its resume. Returns the number of interruptions."""
    expected = sweep(model, progress=False, **kwargs).table
    for k, n in enumerate(range(1, 10**7, stride)):
        out = tmp_path / f"out{k}"
        with pytest.raises(BaseException) as caught, _raise_at_line(n, make) as where:
            sweep(model, out=out, progress=False, **kwargs)
            raise _Finished
        if caught.type is _Finished:
            assert k > 1
            return k
        assert where and caught.type is kind, f"at line {n} ({where}): {caught.value!r}"
        if out.exists():
            _check_left(out)
        notes: list[str] = []
        again = sweep(model, out=out, progress=False, log=notes.append, **kwargs)
        pd.testing.assert_frame_equal(again.table, expected)
        assert not again.table.duplicated(["point", "equilibrium"]).any()
        assert not [m for m in notes if "recomput" in m], (where, notes)  # nothing was damaged
        m = again.manifest
        assert m.status == "complete" and m.done == tuple(range(m.n_chunks))
        assert m.runs[-1].computed_points + m.runs[-1].reused_points == m.n_points
        assert len(pd.read_csv(out / "table.csv")) == len(expected)
        shutil.rmtree(out)
    raise AssertionError("the sweep never ran to its end")


class _Finished(Exception):
    """The sweep ran to its end: the line number is beyond its run."""


def _cases() -> dict[str, tuple[Any, dict[str, Any]]]:
    return {
        "compiled": (dt.load_model(TINY), {"grid": TINY_GRID, "chunk_size": 7, "path": "compiled"}),
        "pointwise": (
            dt.load_model("extended_deterrence"),
            {"grid": ED_GRID, "chunk_size": 2, "path": "pointwise"},
        ),
    }


@pytest.mark.parametrize("case", ["compiled", "pointwise"])
@pytest.mark.parametrize("kind", [KeyboardInterrupt, SolverError])
def test_a_sweep_interrupted_anywhere_resumes_to_the_same_table(tmp_path, case, kind):
    """Interrupted at lines spread over the whole run (about seven): see the module's
    description. Before, an interruption just after a temporary file was made left it behind."""
    model, kwargs = _cases()[case]
    assert _fuzz(model, kwargs, 1301, lambda: kind("injected"), kind, tmp_path) > 4


@pytest.mark.slow
@pytest.mark.parametrize("case", ["compiled", "pointwise"])
@pytest.mark.parametrize("kind", [KeyboardInterrupt, SolverError])
def test_a_sweep_interrupted_at_many_lines_resumes_to_the_same_table(tmp_path, case, kind):
    model, kwargs = _cases()[case]
    assert _fuzz(model, kwargs, 97, lambda: kind("injected"), kind, tmp_path) > 80


def test_an_interrupt_while_a_temporary_file_is_made_leaves_none(tmp_path):
    """Ctrl-C once the temporary file of an atomic write was created, before the write was under
    way, left ``.NAME.RANDOM.tmp`` in the folder."""
    target = tmp_path / "manifest.json"
    code = _storage.new_temporary.__code__
    for line in range(1, 30):
        try:
            with _at_line(line, _interrupt, lambda c: c is code):
                _storage.atomic_write(target, lambda p: p.write_text("{}"))
        except KeyboardInterrupt:
            pass
        else:
            break
        assert not list(tmp_path.iterdir()), f"interrupted at line {line}"
    assert line > 3 and target.read_text() == "{}"


def _error_examples() -> list[errors.DeterrenceError]:
    return [
        errors.DeterrenceError("plain"),
        errors.ModelError("bad", file="m.toml", key="nodes.a", line=3),
        errors.ExpressionError("bad token", text="x +", column=3, file="m.toml", line=4),
        errors.ParameterError("out of domain", name="r", value=3.0, domain=(0, 2)),
        errors.GameError("no actions", node="n1", infoset="I"),
        errors.FormatError("bad header", file="g.efg", line=1),
        errors.UnsupportedError("no", methods=("a", "b")),
        errors.OptionError("misspelt", name="tl", value=1, method="qre", valid=("tol",)),
        errors.SolverError("did not certify"),
        errors.ResourceError("too large", estimate=1e12),
        errors.TimeLimitError("stopped", elapsed=2.5, limit=1.0),
        errors.SweepError("bad grid"),
    ]


@pytest.mark.parametrize("error", _error_examples(), ids=lambda e: type(e).__name__)
def test_every_error_pickles_as_it_is(error):
    """A worker process sends its error pickled. ``TimeLimitError`` could not be unpickled (its
    ``__init__`` needs ``elapsed`` and ``limit``), and ``ExpressionError`` and ``FormatError``
    came back with their message built twice."""
    error.add_note("at sweep point 3: r=1")
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert (str(back), back.args, vars(back)) == (str(error), error.args, vars(error))


def test_an_error_at_a_point_in_a_worker_process_is_that_error(tmp_path, monkeypatch):
    """A point whose game stops at a time limit, in a worker process: the sweep raised
    ``SweepError: a worker process died ... (killed, or out of memory?)``, as the parent could not
    unpickle the ``TimeLimitError``. Now it is that error, naming the point; the finished chunks
    are kept, and a rerun stops at the same point, computing nothing twice."""
    model = dt.load_model(TINY)
    game = type(model).game

    def limited(self: Any, **values: Any) -> Any:  # the solve of the grid's last row stops
        if abs(values.get("r", 0) - 1.95) < 1e-9:
            raise TimeLimitError("stopped at the time limit", elapsed=2.0, limit=1.0)
        return game(self, **values)

    monkeypatch.setattr(type(model), "game", limited)
    monkeypatch.setattr(_backends, "START_METHOD", "fork")  # the workers inherit the patch
    kwargs = {"grid": TINY_GRID, "chunk_size": 5, "path": "pointwise", "backend": "processes",
              "workers": 2, "progress": False, "out": tmp_path / "out"}
    for _run in range(2):
        with pytest.raises(TimeLimitError, match="time limit") as caught:
            sweep(model, **kwargs)
        assert caught.value.limit == 1.0
        assert any("at sweep point 25" in n for n in caught.value.__notes__)
        done = json.loads((tmp_path / "out" / "manifest.json").read_text())["chunks"]["done"]
        assert 5 not in done and set(done) <= {0, 1, 2, 3, 4}


GRID_RK = {"r": [0.3, 1.2, 1.5], "k": [0.2, 0.9]}
GRID_KR = {"k": [0.2, 0.9], "r": [0.3, 1.2, 1.5]}


@pytest.mark.parametrize("manifest", ["kept", "deleted"])
def test_a_resume_with_the_grid_in_another_order_is_refused(tmp_path, manifest):
    """The grid's first parameter varies slowest, so the same values in another order number
    the points otherwise. A resume with them was accepted (JSON objects compare regardless of
    order) and mixed the two numberings: two points twice, two lost."""
    tiny = dt.load_model(TINY)
    out = tmp_path / "out"
    sweep(tiny, grid=GRID_RK, out=out, chunk_size=2, progress=False)
    (out / "chunks" / "chunk-000001.parquet").unlink()  # as if interrupted before chunk 1
    if manifest == "deleted":
        (out / "manifest.json").unlink()
    match = "order of the grid's parameters" if manifest == "kept" else "of a different sweep"
    with pytest.raises(SweepError, match=match):
        sweep(tiny, grid=GRID_KR, out=out, chunk_size=2, progress=False)
    again = sweep(tiny, grid=GRID_RK, out=out, chunk_size=2, progress=False)
    assert len(again.table[["r", "k"]].drop_duplicates()) == 6
    assert again.manifest.runs[-1].computed_chunks == 1


def test_chunks_of_earlier_versions_resume_and_load_when_the_manifest_vouches(tmp_path):
    """Chunk files written before the fingerprint knew the grid's order (the fingerprint of
    :meth:`Manifest.legacy_fingerprint`) are reused on resume and read by ``load``, as the
    folder's manifest, which keeps the order, agrees; without it they are refused."""
    tiny = dt.load_model(TINY)
    out = tmp_path / "out"
    first = sweep(tiny, grid=GRID_RK, out=out, chunk_size=2, progress=False)
    legacy = first.manifest.legacy_fingerprint()
    assert legacy != first.manifest.fingerprint()
    for path in (out / "chunks").glob("chunk-*.parquet"):  # as an earlier version wrote them
        table = pq.read_table(path)
        meta = json.loads(table.schema.metadata[CHUNK_KEY])
        meta["fingerprint"] = legacy
        pq.write_table(table.replace_schema_metadata({**table.schema.metadata, CHUNK_KEY: json.dumps(meta)}),
                       path)
    (out / "table.csv").unlink()
    (out / "table.parquet").unlink()
    assert dt.SweepResult.load(out).table.equals(first.table)
    again = sweep(tiny, grid=GRID_RK, out=out, chunk_size=2, progress=False)
    assert again.manifest.runs[-1].computed_chunks == 0 and again.table.equals(first.table)
    (out / "manifest.json").unlink()
    with pytest.raises(SweepError, match="of a different sweep"):
        sweep(tiny, grid=GRID_RK, out=out, chunk_size=2, progress=False)


@contextmanager
def _ctrl_c_as_in_a_terminal() -> Iterator[None]:
    """SIGINT raises ``KeyboardInterrupt`` here meanwhile (whatever the runner passed on)."""
    handler = signal.signal(signal.SIGINT, signal.default_int_handler)
    mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        signal.signal(signal.SIGINT, handler)


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signal masks")
def test_ctrl_c_while_the_folders_lock_is_released_leaves_it_free(tmp_path):
    """A Ctrl-C (a real SIGINT) while a sweep released its folder's lock, as the sweep ended or
    was interrupted, left the lock held by the process: in a notebook every later sweep into
    the folder was refused as 'in use by another sweep' naming its own process. (From its
    second line: a signal on the first is raised as the block holding it back is entered,
    before anything is released, as one just before the call would be.)"""
    code = _storage._Lock.release.__code__
    for line in range(2, 20):
        folder = _storage.SweepFolder.open(tmp_path / "out")
        interrupted = False
        with _ctrl_c_as_in_a_terminal():
            try:
                with _at_line(line, _ctrl_c, lambda c: c is code) as where:
                    folder.close()
                    time.sleep(0.01)  # a signal sent on the last line is raised here at the latest
            except KeyboardInterrupt:
                interrupted = True
        _storage.SweepFolder.open(tmp_path / "out").close()  # free again
        if not where:  # past the function's last line
            break
        assert interrupted
    assert line > 3


#: tiny_pledge's ordering ``c < 2.5`` fails at c=2.7: those points' games are refused
FAILING_GRID = {"c": [0.5, 1.0, 2.7, 1.5], "r": [0.3, 1.2]}


def test_a_sweep_stopped_by_a_failing_point_goes_on_recording_errors(tmp_path):
    """A point whose game or solve fails stops a sweep (``on_error="raise"``): its error names
    the point and says how to go on. A rerun stops there again; the rerun recording errors was
    refused as a different sweep (``differs in on_error``), so every finished chunk was lost.
    Now it reuses them and gives the table a fresh ``on_error="record"`` sweep gives; the
    other way round (chunks that may hold error rows, resumed by a sweep that raises) is
    still refused."""
    tiny = dt.load_model(TINY)
    out = tmp_path / "out"
    kwargs = {"grid": FAILING_GRID, "chunk_size": 2, "progress": False}
    for _run in range(2):
        with pytest.raises(errors.ParameterError, match="ordering") as caught:
            sweep(tiny, out=out, **kwargs)
        notes = caught.value.__notes__
        assert notes[0].startswith("at sweep point 4") and "on_error='record'" in notes[1]
    recorded = sweep(tiny, out=out, on_error="record", **kwargs)
    assert recorded.manifest.runs[-1].reused_points == 4
    fresh = sweep(tiny, on_error="record", **kwargs)
    pd.testing.assert_frame_equal(recorded.table, fresh.table)
    pd.testing.assert_frame_equal(dt.SweepResult.load(out).table, fresh.table)
    assert sweep(tiny, out=out, on_error="record", **kwargs).manifest.runs[-1].computed_points == 0
    with pytest.raises(SweepError, match="differs in on_error"):
        sweep(tiny, out=out, **kwargs)
