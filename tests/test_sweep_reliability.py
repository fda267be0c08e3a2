"""Sweeps a careless or hostile user can trust (issues 19 and 20): output, limits, folder, resume.

* Output: files get the user's mode (umask), CSV floats read back exactly in their shortest
  text, ``overwrite=`` replaces a changed sweep, the run record says what this run computed,
  reused and solved one by one, default chunks give every worker several.
* Limits: a grid axis of a billion values costs nothing until evaluated (``Linspace``); sizes
  beyond numbering, a day's work or the free disk are refused before any work, with the
  estimate; workers are capped at the cores; the summary and the map of a table left in its
  folder are computed a part at a time.
* The folder: nothing is written through a symbolic link, an empty ``out`` is bad input, a
  second sweep into a folder in use is refused.
* Resume: every chunk carries its sweep's fingerprint and point range, checked on resume; a
  foreign, copied, truncated or unreadable chunk and a malformed manifest are recomputed (and
  said so) or refused, typed.

Most tests use ``tests/data/tiny_pledge.toml`` (see ``tests/test_sweep.py``); the tests about
processes and signals run the command line in real subprocesses.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers.sigint import as_if_started_in_the_background
from hypothesis import given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence.cli import main as cli_main
from deterrence.errors import ParameterError, ResourceError, SweepError
from deterrence.sweeps import Linspace, SweepResult, sweep
from deterrence.sweeps import _estimate as estimate_module
from deterrence.sweeps import _result as result_module
from deterrence.sweeps._storage import SweepFolder
from deterrence.sweeps._sweep import ChunkBounds, default_chunk_size

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny_pledge.toml"
ROOT = Path(__file__).resolve().parents[1]
R = np.linspace(0.05, 1.95, 6)
K = np.linspace(0.1, 1.9, 5)
GRID = {"r": R, "k": K}
#: a 12-point grid of tiny_pledge from the command line (add --out)
SMALL_CLI = ("sweep", TINY, "--vary", "r=0.05:1.95:4", "--vary", "k=0.1:1.9:3", "--no-progress")


@pytest.fixture(scope="module")
def tiny():
    return dt.load_model(TINY)


@pytest.fixture(scope="module")
def reference(tiny):
    return sweep(tiny, grid=GRID, progress=False, chunk_size=7)


def _sweep(tiny, out, **kw):
    kw = {"grid": GRID, "chunk_size": 7, "progress": False, **kw}
    return sweep(tiny, out=out, **kw)


def _spec_args(**changes):
    """Every argument of ``check_spec`` at its default (as ``dt.sweep`` passes them), with ``changes``."""
    args = dict(
        grid=GRID,
        samples=None,
        method="sobol",
        vary=None,
        bounds=None,
        fixed=None,
        concept=None,
        belief_policy="free",
        selection="pessimistic",
        path="auto",
        backend="numpy",
        scheduler=None,
        workers=None,
        chunk_size=None,
        out=None,
        rng=None,
        progress=False,
        on_error="raise",
        max_points=10**7,
        solve_options=None,
    )
    return {**args, **changes}


def _cli(capsys, *argv):
    code = cli_main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_error_line(err: str) -> str:
    lines = err.strip("\n").splitlines()
    assert len(lines) == 1 and lines[0].startswith("deterrence: error: "), err
    return lines[0]


# ============================================================================ output
@pytest.mark.parametrize("mask", [0o022, 0o027])
def test_files_get_the_users_mode_not_0600(tiny, tmp_path, mask):
    """Every file a sweep writes (chunks, table, manifest, map) has mode 0666 less the umask, as
    any file the user makes: the write-then-rename no longer keeps the temporary file's 0600."""
    old = os.umask(mask)
    try:
        res = _sweep(tiny, tmp_path / "out")
        res.plot("r", "k", path=tmp_path / "out" / "regime_map.png")
        saved = res.save(tmp_path / "copy")
    finally:
        os.umask(old)
    files = [*(tmp_path / "out").glob("*.*"), *(tmp_path / "out" / "chunks").iterdir(), *saved.iterdir()]
    assert len(files) >= 10
    for f in files:
        assert f.stat().st_mode & 0o777 == 0o666 & ~mask, (f.name, oct(f.stat().st_mode))


def test_csv_floats_are_the_shortest_text_that_reads_back_exactly(tiny, tmp_path):
    values = [0.1 + 0.2, 0.3, 1 / 3, 0.7, 2**-30]
    res = sweep(tiny, grid={"r": values}, progress=False, out=tmp_path / "out")
    text = (tmp_path / "out" / "table.csv").read_text()
    assert "0.29999999999999999" not in text and "0.69999999999999996" not in text
    rows = text.splitlines()[1:]
    r_col = text.splitlines()[0].split(",").index("r")
    assert [row.split(",")[r_col] for row in rows] == [repr(v) for v in values]
    back = pd.read_csv(tmp_path / "out" / "table.csv")
    for col in ("r", "p_attack", "payoff_Attacker", "regret"):
        assert np.array_equal(back[col].to_numpy(), res.table[col].to_numpy(), equal_nan=True), col
    pd.testing.assert_frame_equal(SweepResult.load(tmp_path / "out").table, res.table)


def test_overwrite_replaces_a_changed_sweep_and_nothing_else(tiny, tmp_path, reference):
    out = tmp_path / "out"
    _sweep(tiny, out)
    (out / "notes.txt").write_text("mine")
    with pytest.raises(
        SweepError, match=r"different sweep \(differs in design, n_points\).*overwrite=True.*--overwrite"
    ):
        _sweep(tiny, out, grid={"r": R[:3], "k": K})
    changed = _sweep(tiny, out, grid={"r": R[:3], "k": K}, overwrite=True)
    assert changed.manifest.n_points == 15 and len(changed.manifest.runs) == 1
    assert sorted(f.name for f in (out / "chunks").iterdir()) == [f"chunk-{i:06d}.parquet" for i in range(3)]
    assert (out / "notes.txt").read_text() == "mine"  # not the sweep's: left alone
    pd.testing.assert_frame_equal(SweepResult.load(out).table, changed.table)
    back = _sweep(tiny, out, overwrite=True)  # and back again
    pd.testing.assert_frame_equal(back.table, reference.table)


def test_the_run_record_says_what_was_computed_reused_and_solved_one_by_one(tiny, tmp_path, capsys):
    out = tmp_path / "out"
    first = _sweep(tiny, out, path="pointwise")
    run = first.manifest.runs[-1]
    assert (run.computed_points, run.reused_points, run.pointwise_points, run.computed_chunks) == (
        30,
        0,
        30,
        5,
    )
    again = _sweep(tiny, out, path="pointwise")
    run = again.manifest.runs[-1]
    assert (run.computed_points, run.reused_points, run.pointwise_points, run.computed_chunks) == (
        0,
        30,
        0,
        0,
    )
    argv = [
        "sweep",
        TINY,
        "--vary",
        "r=0.05:1.95:4",
        "--out",
        tmp_path / "cli",
        "--no-progress",
        "--path",
        "pointwise",
    ]
    code, text, _ = _cli(capsys, *argv)
    assert code == 0 and "this run: computed 4 points" in text
    assert "4 of the computed points solved one by one" in text and "points/second computed" in text
    code, text, _ = _cli(capsys, *argv)  # again: nothing to compute
    assert (
        "computed 0 points" in text and "reused 4 from earlier runs" in text and "points/second" not in text
    )


def test_default_chunks_give_every_worker_several(tiny):
    """The README's 40,401 points in one chunk left the parallel backends on one core: chunks
    now come from the point count and the workers."""
    from deterrence.sweeps._spec import check_spec
    from deterrence.sweeps._sweep import plan_chunks

    for workers in (1, 2, 8):
        size = default_chunk_size(40_401, workers, compiled=True)
        assert -(-40_401 // size) >= 4 * workers or size == 2_000  # at least 4 chunks each (or the floor)
    assert default_chunk_size(10**9, 2, True) == 100_000 and default_chunk_size(10, 2, True) == 2_000
    assert default_chunk_size(1000, 4, False) == 63 and default_chunk_size(3, 2, False) == 1
    grid = {"credibility": Linspace(0, 1, 201), "cost_attacker": Linspace(0, 2, 201)}
    for backend, workers in (("processes", 2), ("dask", 2)):
        args = _spec_args(grid=grid, concept="pbe", backend=backend, workers=workers)
        spec = check_spec("extended_deterrence", **args)
        design, _ = dt.sweeps.build_design(spec.model, grid, None, "sobol", None, None, None, None)
        plan = plan_chunks(spec, design, None, workers)
        assert plan.n_chunks > workers and plan.n_chunks >= 4 * workers, (backend, plan.n_chunks)


def test_a_resumed_sweep_keeps_its_folders_chunks_whatever_the_backend(tiny, tmp_path):
    out = tmp_path / "out"
    first = sweep(tiny, grid=GRID, progress=False, out=out, path="pointwise")  # numpy: 1 worker
    again = sweep(tiny, grid=GRID, progress=False, out=out, path="pointwise", backend="processes", workers=2)
    assert (
        again.manifest.chunk_size == first.manifest.chunk_size
        and again.manifest.runs[-1].computed_points == 0
    )


# ============================================================================ limits
@settings(max_examples=60, deadline=None)
@given(
    lo=st.floats(-1e6, 1e6, allow_nan=False),
    hi=st.floats(-1e6, 1e6, allow_nan=False),
    n=st.integers(1, 3000),
)
def test_linspace_is_numpys_linspace_bit_for_bit(lo, hi, n):
    if n > 1 and lo == hi:
        return
    axis = Linspace(lo, hi, n)
    assert np.array_equal(axis.values(), np.linspace(lo, hi, n))
    idx = np.array([0, n - 1, n // 2])
    assert np.array_equal(axis.take(idx), np.linspace(lo, hi, n)[idx])


def test_a_billion_value_axis_is_never_held_in_memory(tiny):
    """``dt.Linspace`` axes are computed a chunk at a time and written to the manifest as three
    numbers; long evenly spaced arrays are recorded the same way, shorter axes as lists."""
    import tracemalloc

    from deterrence.sweeps import build_design

    tracemalloc.start()
    design, info = build_design(
        tiny, {"r": Linspace(0, 2, 10**9), "k": [0.5]}, None, "sobol", None, None, None, None
    )
    pts = design.points(10**9 - 3, 10**9)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50e6 and design.n_points == 10**9
    assert pts["r"].tolist()[-1] == 2.0 and pts["point"].tolist() == [10**9 - 3, 10**9 - 2, 10**9 - 1]
    assert info.to_json()["grid"] == {"r": {"linspace": [0.0, 2.0, 10**9]}, "k": [0.5]}
    long = np.linspace(0, 2, 20_001)
    _, info = build_design(tiny, {"r": long}, None, "sobol", None, None, None, None)
    assert info.to_json()["grid"]["r"] == {"linspace": [0.0, 2.0, 20_001]}
    _, info = build_design(tiny, {"r": Linspace(0, 2, 11)}, None, "sobol", None, None, None, None)
    assert info.to_json()["grid"]["r"] == np.linspace(0, 2, 11).tolist()  # as before: a list
    bounds = ChunkBounds(10**12, 100_000)
    assert len(bounds) == 10**7 and bounds[-1] == (10**7 - 1, 10**12 - 100_000, 10**12)


def test_sizes_beyond_numbering_or_memory_are_refused_before_any_work(tiny, tmp_path):
    with pytest.raises(ResourceError, match="more than a sweep can number") as info:
        sweep(tiny, grid={"r": Linspace(0, 2, 10**20)}, out=tmp_path / "a", progress=False)
    assert info.value.estimate == 1e20
    with pytest.raises(ResourceError, match=r"10,000,000,000 explicit values.*Linspace"):
        sweep(tiny, grid={"r": range(10**10)}, out=tmp_path / "b", progress=False)
    with pytest.raises(ResourceError, match=r"at least 27\.8 h") as info:  # 10^12 points: no probe
        sweep(
            tiny,
            grid={"r": Linspace(0, 2, 10**6), "k": Linspace(0, 2, 10**6)},
            out=tmp_path / "c",
            progress=False,
        )
    assert "allow_large=True" in str(info.value) and "--yes" in str(info.value)
    assert not any(tmp_path.iterdir())  # refused folders are not left behind


def test_beyond_a_days_work_or_the_free_disk_is_refused_with_the_estimate(tiny, tmp_path, monkeypatch):
    grid = {"r": Linspace(0.05, 1.95, 150), "k": Linspace(0.1, 1.9, 150)}  # 22,500 points: measured
    monkeypatch.setattr(estimate_module, "DAY_SECONDS", 1e-9)
    monkeypatch.setattr(estimate_module, "FASTEST_POINTS_PER_SECOND", 1e30)  # measure, do not guess
    with pytest.raises(
        ResourceError, match=r"estimate: 22,500 points to compute in about .*beyond a day's work"
    ):
        sweep(tiny, grid=grid, out=tmp_path / "a", progress=False)
    assert not (tmp_path / "a").exists()
    monkeypatch.setattr(estimate_module, "DAY_SECONDS", 86_400.0)

    class Tiny:
        free = 1000.0

    monkeypatch.setattr(estimate_module.shutil, "disk_usage", lambda path: Tiny())
    with pytest.raises(ResourceError, match=r"writing about .* \(1 kB free\): beyond the free disk"):
        sweep(tiny, grid=grid, out=tmp_path / "b", progress=False)
    said = []
    res = sweep(tiny, grid=grid, out=tmp_path / "b", progress=False, allow_large=True, log=said.append)
    assert res.manifest.n_points == 22_500 and said[0].startswith("estimate: 22,500 points")
    assert res.manifest.runs[-1].notes[0] == said[0]


def test_workers_are_capped_at_the_cores_unless_the_user_insists(tiny, tmp_path, capsys):
    from deterrence.sweeps._spec import available_cores, check_spec

    args = _spec_args(backend="processes", workers=2000)
    spec = check_spec(tiny, **args)
    assert (
        spec.workers == available_cores() and "allow_large=True" in spec.notes[0] and "--yes" in spec.notes[0]
    )
    assert check_spec(tiny, **{**args, "allow_large": True}).workers == 2000
    said = []
    res = sweep(tiny, grid={"r": R}, progress=False, backend="processes", workers=2000, log=said.append)
    assert res.manifest.workers == available_cores() and "workers=2000" in said[0]
    code = cli_main(
        [
            "sweep",
            str(TINY),
            "--vary",
            "r=0.1:0.9:3",
            "--backend",
            "processes",
            "--workers",
            "2000",
            "--out",
            str(tmp_path / "cli"),
            "--no-progress",
        ]
    )
    assert (
        code == 0
        and f"workers=2000 is more than the {available_cores()} cores here" in capsys.readouterr().out
    )


def test_summary_and_map_of_a_table_left_in_its_folder_read_it_a_part_at_a_time(
    tiny, tmp_path, reference, monkeypatch, capsys
):
    out = tmp_path / "big"
    res = sweep(tiny, grid={**GRID, "v": [0.5, 1.5]}, progress=False, chunk_size=7, out=out, max_points=10)
    assert res._table is None and not (out / "table.csv").exists()
    whole = sweep(tiny, grid={**GRID, "v": [0.5, 1.5]}, progress=False)
    shares = whole.regime_shares()
    summary = res.summary()
    assert res._table is None  # the summary did not load the table
    assert summary["points"] == 60 and summary["rows"] == len(whole.table)
    assert summary["regimes"] == pytest.approx(shares.to_dict())
    assert summary["paths"] == whole.manifest.paths
    monkeypatch.setattr(result_module, "MAP_SIDE", 3)  # thinned: 3 values of r and k, v at its slice
    drawn = res._drawn(("r", "k"), {"v": 1.4})
    assert sorted(drawn.table["r"].unique()) == [R[0], R[2], R[5]] and set(drawn.table["v"]) == {1.5}
    assert sorted(drawn.table["k"].unique()) == [K[0], K[2], K[4]] and len(drawn.table) == 9
    assert drawn.table["selected"].all() and res._table is None
    res.plot("r", "k", at={"v": 1.4}, path=tmp_path / "map.png")
    assert (tmp_path / "map.png").is_file() and res._table is None
    code, text, err = _cli(capsys, *SMALL_CLI, "--out", tmp_path / "cli", "--chunk-size", "5")
    assert code == 0, err
    assert "table.csv" in text  # written: named


def test_the_cli_never_names_a_table_file_it_did_not_write(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(dt, "MAX_POINTS_IN_MEMORY", 5)  # the command's limit for one table file
    code, text, err = _cli(capsys, *SMALL_CLI, "--out", tmp_path / "big", "--chunk-size", "5")
    assert code == 0, err
    wrote = next(line for line in text.splitlines() if line.startswith("wrote:"))
    assert "table.csv" not in wrote and "table.parquet" not in wrote and "manifest.json" in wrote
    assert "the table stays in" in text and not (tmp_path / "big" / "table.csv").exists()
    assert "12 points" in text and "regimes (selected):" in text


def test_table_files_false_leaves_the_table_in_the_chunks_until_saved(tiny, tmp_path, reference):
    out = tmp_path / "later"
    _sweep(tiny, out)  # an earlier run's table files ...
    res = _sweep(tiny, out, table_files=False)
    assert not (out / "table.csv").exists() and not (out / "table.parquet").exists()  # ... removed
    loaded = SweepResult.load(out)
    assert loaded.manifest.status == "complete"
    pd.testing.assert_frame_equal(loaded.table, reference.table)
    res.save(out)  # (the table read from the chunks a part at a time, as the sweep writes it)
    now = _sweep(tiny, tmp_path / "now")
    for name in ("table.csv", "table.parquet"):
        assert (out / name).read_bytes() == (now.folder / name).read_bytes(), name
    with pytest.raises(SweepError, match="table_files must be True or False"):
        _sweep(tiny, tmp_path / "bad", table_files="no")


def test_sweep_json_summary(tmp_path, capsys):
    code, text, err = _cli(capsys, *SMALL_CLI, "--out", tmp_path / "j", "--json")
    assert code == 0, err
    data = json.loads(text)
    assert data["model"] == "tiny_pledge" and data["points"] == 12 and data["varied"] == ["r", "k"]
    assert sum(data["regimes"].values()) == pytest.approx(1.0) and set(data["regimes"]) == {
        "status_quo",
        "capitulation",
    }
    assert data["run"]["computed_points"] == 12 and data["run"]["reused_points"] == 0
    assert str(tmp_path / "j" / "table.csv") in data["wrote"] and data["table_in_chunks"] is False


def test_regimes_scan_limits(capsys):
    with pytest.raises(ResourceError, match="100,000,000 scan points"):
        dt.numeric_threshold("extended_deterrence", "credibility", "pbe", "d1", grid=10**8)
    with pytest.raises(ParameterError, match="tol"):
        dt.numeric_threshold("extended_deterrence", "credibility", "pbe", grid=5, tol=0.6)
    for argv, needle in [
        (["--threshold", "nope"], "'nope' is not a parameter"),
        (["--grid", "100000000", "--belief-policy", "d1"], "100,000,000 scan points"),
        (["--grid", "2"], "at least 3"),
        (["--tol", "nan"], "--tol"),
        (["--lo", "0.8", "--hi", "0.2"], "--lo 0.8 must be below --hi 0.2"),
        (["--threshold", "credibility", "--set", "credibility=0.5"], "also fixed by --set"),
    ]:
        code, _, err = _cli(capsys, "regimes", "extended_deterrence", *argv)
        assert code == 2 and needle in _one_error_line(err), (argv, err)


# ============================================================================ the folder
def test_nothing_is_written_through_a_symbolic_link(tiny, tmp_path, capsys):
    elsewhere = tmp_path / "precious.png"
    elsewhere.write_bytes(b"keep me")
    (tmp_path / "outside").mkdir()
    for name, target in [
        ("regime_map.png", elsewhere),
        ("chunks", tmp_path / "outside"),
        ("manifest.json", elsewhere),
        ("table.csv", elsewhere),
    ]:
        out = tmp_path / f"out_{name}"
        out.mkdir()
        (out / name).symlink_to(target)
        with pytest.raises(SweepError, match=rf"{name} is a symbolic link .*never through a link"):
            _sweep(tiny, out)
        code, _, err = _cli(capsys, "sweep", TINY, "--vary", "r=0.1:0.9:3", "--out", out, "--no-progress")
        assert code == 2 and "symbolic link" in _one_error_line(err)
    out = tmp_path / "out_chunkfile"
    _sweep(tiny, out)
    (out / "chunks" / "chunk-000001.parquet").unlink()
    (out / "chunks" / "chunk-000001.parquet").symlink_to(elsewhere)
    with pytest.raises(SweepError, match=r"chunk-000001\.parquet is a symbolic link"):
        _sweep(tiny, out)
    assert elsewhere.read_bytes() == b"keep me" and not any((tmp_path / "outside").iterdir())


def test_a_picture_replaces_a_link_rather_than_writing_through_it(reference, tmp_path):
    target = tmp_path / "precious.png"
    target.write_bytes(b"keep me")
    (tmp_path / "map.png").symlink_to(target)
    reference.plot("r", "k", path=tmp_path / "map.png")
    assert target.read_bytes() == b"keep me" and not (tmp_path / "map.png").is_symlink()


@pytest.mark.parametrize(
    ("out", "needle"),
    [
        ("", "out= is empty"),
        ("   ", "out= is empty"),
        ("afile/sub", "'afile' exists and is not a folder"),
        ("/proc/self/x", "cannot create or lock the folder"),
    ],
)
def test_bad_out_folders_are_typed(tiny, tmp_path, monkeypatch, capsys, out, needle):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("x")
    with pytest.raises(SweepError, match=needle.replace("(", r"\(")):
        sweep(tiny, grid={"r": [0.5]}, out=out, progress=False)
    code, _, err = _cli(capsys, "sweep", TINY, "--vary", "r=0.1:0.9:3", "--out", out, "--no-progress")
    assert code == 2 and ("is empty" if not out.strip() else needle) in _one_error_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]  # nothing written in the current folder


def test_a_second_sweep_into_a_folder_in_use_is_refused(tiny, tmp_path):
    out = tmp_path / "out"
    holder = SweepFolder.open(out)
    try:
        with pytest.raises(SweepError, match=rf"is in use by another sweep \(process {os.getpid()} on .*\)"):
            _sweep(tiny, out)
    finally:
        holder.close()
    assert not out.exists()  # the holder created it, wrote nothing, and removed it again
    _sweep(tiny, out)
    assert not (out / ".lock").exists()


_CONCURRENT = textwrap.dedent("""
    import os, sys, time
    import deterrence.sweeps._pointwise as pw
    original = pw.evaluate_points
    def held(*args, **kwargs):  # waits while the file named by HOLD exists
        while os.path.exists(os.environ["HOLD"]):
            time.sleep(0.02)
        return original(*args, **kwargs)
    pw.evaluate_points = held
    if __name__ == "__main__":
        from deterrence.cli import main
        sys.exit(main(sys.argv[1:]))
""")


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def test_two_concurrent_sweeps_into_one_folder_one_is_refused(tmp_path):
    script = tmp_path / "slow_cli.py"
    script.write_text(_CONCURRENT)
    out, hold = tmp_path / "out", tmp_path / "hold"
    hold.write_text("the first sweep waits while this file exists")
    env = {**_env(), "HOLD": str(hold)}
    argv = [
        sys.executable,
        str(script),
        "sweep",
        str(TINY),
        "--vary",
        "r=0.05:1.95:6",
        "--vary",
        "k=0.1:1.9:5",
        "--path",
        "pointwise",
        "--chunk-size",
        "2",
        "--out",
        str(out),
        "--no-progress",
    ]
    first = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while not (out / "manifest.json").exists() and first.poll() is None:  # ends: the sweep finishes
        time.sleep(0.05)
    try:
        second = subprocess.run(argv, env=env, capture_output=True, text=True)
    finally:
        hold.unlink()
    _, err1 = first.communicate()
    assert first.returncode == 0, err1
    assert second.returncode == 2 and "in use by another sweep" in _one_error_line(second.stderr)
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["runs"]) == 1 and manifest["chunks"]["done"] == list(range(15))
    table = pd.read_parquet(out / "table.parquet")
    assert table.groupby("point").size().index.tolist() == list(range(30))


# ============================================================================ resume
def test_a_different_sweep_after_the_manifest_is_deleted_gets_no_old_data(tiny, tmp_path):
    out = tmp_path / "out"
    _sweep(tiny, out)
    (out / "manifest.json").unlink()
    other = {"r": R, "k": K + 0.01}
    with pytest.raises(
        SweepError, match=r"chunks/ holds 5 chunk file\(s\) of a different sweep.*--overwrite"
    ):
        _sweep(tiny, out, grid=other)
    fresh = _sweep(tiny, out, grid=other, overwrite=True)
    assert fresh.manifest.runs[-1].computed_points == 30
    assert np.allclose(sorted(fresh.table["k"].unique()), K + 0.01)
    (out / "manifest.json").unlink()  # the same sweep again: its chunks carry its fingerprint
    again = _sweep(tiny, out, grid=other)
    assert again.manifest.runs[-1].computed_points == 0 and again.manifest.runs[-1].reused_points == 30
    pd.testing.assert_frame_equal(again.table, fresh.table)


@pytest.mark.parametrize("damage", ["copied", "truncated", "garbage", "empty", "rows"])
def test_a_damaged_chunk_is_recomputed_and_said_so(tiny, tmp_path, reference, damage):
    out = tmp_path / "out"
    _sweep(tiny, out)
    victim = out / "chunks" / "chunk-000003.parquet"
    if damage == "copied":
        shutil.copy(out / "chunks" / "chunk-000001.parquet", victim)
    elif damage == "truncated":
        victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    elif damage == "garbage":
        victim.write_bytes(b"PAR1" + os.urandom(300) + b"PAR1")
    elif damage == "empty":
        victim.write_bytes(b"")
    else:  # a valid Parquet file whose rows are not the chunk's
        pd.read_parquet(victim).iloc[:2].to_parquet(victim)
    said = []
    res = _sweep(tiny, out, log=said.append)
    assert any(m.startswith("chunk 3 (chunk-000003.parquet)") and "recomputing it" in m for m in said), said
    assert res.manifest.runs[-1].computed_chunks == 1 and res.manifest.runs[-1].notes == tuple(said)
    pd.testing.assert_frame_equal(res.table, reference.table)  # no duplicate, no missing row


@pytest.mark.parametrize(
    ("manifest", "needle"),
    [
        ([], "other than a deterrence sweep"),
        ("not json {", "not valid JSON"),
        ({"chunks": {"records": [{"x": 1}]}}, "malformed"),
        ({"chunks": "x"}, "malformed"),
        ({"design": {"kind": "grid", "grid": 5}}, "malformed"),
        ({"runs": [{"started": 1}]}, "malformed"),
    ],
)
def test_a_malformed_manifest_is_a_typed_refusal_or_overwritten(
    tiny, tmp_path, reference, capsys, manifest, needle
):
    out = tmp_path / "out"
    _sweep(tiny, out)
    good = json.loads((out / "manifest.json").read_text())
    text = (
        manifest
        if isinstance(manifest, str)
        else json.dumps(manifest if isinstance(manifest, list) else {**good, **manifest})
    )
    (out / "manifest.json").write_text(text)
    with pytest.raises(SweepError, match=needle) as info:
        _sweep(tiny, out)
    assert "overwrite=True" in str(info.value)
    with pytest.raises(SweepError, match=needle):
        _ = SweepResult.load(out).table
    res = _sweep(tiny, out, overwrite=True)
    pd.testing.assert_frame_equal(res.table, reference.table)


# ============================================================================ other tracebacks
def test_dask_scheduler_addresses_are_checked(tiny, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    from deterrence.sweeps import _workers

    with pytest.raises(SweepError, match="'not a url' is not a Dask scheduler address"):
        sweep(tiny, grid={"r": R}, backend="dask", scheduler="not a url", progress=False)
    with pytest.raises(SweepError, match=r"a Dask scheduler address or a distributed\.Client, not int"):
        sweep(tiny, grid={"r": R}, backend="dask", scheduler=5, progress=False)
    monkeypatch.setattr(_workers, "CONNECT_SECONDS", 1)
    with pytest.raises(SweepError, match=r"cannot reach the Dask scheduler at 'tcp://127.0.0.1:1'"):
        sweep(tiny, grid={"r": R}, backend="dask", scheduler="tcp://127.0.0.1:1", progress=False)


def _overflow_model(tmp_path: Path) -> Path:
    text = TINY.read_text().replace(
        'payoffs = { Attacker = "v", Defender = "-1", Ally = "-1/5" }',
        'payoffs = { Attacker = "exp(v*300)", Defender = "-1", Ally = "-1/5" }',
    )
    model = tmp_path / "overflow.toml"
    model.write_text(text.replace('name = "tiny_pledge"', 'name = "overflow"'))
    return model


@pytest.mark.parametrize("backend", ["numpy", "processes", pytest.param("dask", marks=pytest.mark.slow)])
def test_a_compiled_sweep_that_overflows_at_one_point_is_one_typed_line(tmp_path, backend):
    """Payoffs that overflow at some points: those points go to the per-point path (before, the
    kernels dropped them silently), which refuses them typed; numpy's warnings and the workers'
    logs stay quiet, on every backend."""
    if backend == "dask":
        pytest.importorskip("distributed")
    model = _overflow_model(tmp_path)
    argv = [
        sys.executable,
        "-m",
        "deterrence",
        "sweep",
        str(model),
        "--vary",
        "v=0:3:31",
        "--out",
        str(tmp_path / "out"),
        "--no-progress",
        "--backend",
        backend,
        "--chunk-size",
        "8",
    ]
    if backend != "numpy":
        argv += ["--workers", "2"]
    proc = subprocess.run(argv, env=_env(), capture_output=True, text=True)
    line = _one_error_line(proc.stderr)
    assert proc.returncode == 2 and "not a finite number" in line and "at sweep point 2" in line
    if backend == "numpy":
        res = sweep(
            dt.load_model(model), grid={"v": np.linspace(0, 3, 31)}, progress=False, on_error="record"
        )
        sel = res.selected()
        assert len(sel) == 31 and (sel.loc[sel["v"] > 2.37, "regime"] == "error").all()


_HELD_AFTER_TWO = textwrap.dedent("""
    import json, os, sys, time
    import signal
    # Ctrl-C as a terminal delivers it, whatever disposition or mask the test runner passed on
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
    import deterrence.sweeps._pointwise as pw
    original = pw.evaluate_points
    def done():
        try:
            with open(os.path.join(os.environ["OUT"], "manifest.json")) as fh:
                return len(json.load(fh)["chunks"]["done"])
        except (OSError, ValueError, KeyError):
            return 0
    def held(*args, **kwargs):  # once two chunks are done, waits while the file named by HOLD exists
        while done() >= 2 and os.path.exists(os.environ["HOLD"]):
            time.sleep(0.01)
        return original(*args, **kwargs)
    pw.evaluate_points = held
    if __name__ == "__main__":
        from deterrence.cli import main
        sys.exit(main(sys.argv[1:]))
""")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads the signal masks in /proc")
def test_the_ctrl_c_tests_sweeps_start_with_sigint_ignored_and_blocked_and_restore_it():
    """The Ctrl-C tests' sweeps start as under a test runner started in the background (SIGINT
    ignored and blocked: see ``helpers.sigint``); their scripts' first lines give them a
    terminal's Ctrl-C back. Without those lines the sweep would run to its end."""
    head = _HELD_AFTER_TWO.split("import deterrence")[0]
    show = (
        "import signal\n"
        "status = dict(l.split(':', 1) for l in open('/proc/self/status'))\n"
        "bit = 1 << (signal.SIGINT - 1)\n"
        "print(bool(int(status['SigIgn'], 16) & bit), bool(int(status['SigBlk'], 16) & bit))\n"
    )
    for code, expected in ((show, "True True"), (head + show, "False False")):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              preexec_fn=as_if_started_in_the_background)
        assert proc.returncode == 0 and proc.stdout.split() == expected.split(), proc.stderr


def _started(out: Path, proc: subprocess.Popen, chunks: int) -> None:
    while proc.poll() is None:  # ends: the sweep finishes by itself
        try:
            if len(json.loads((out / "manifest.json").read_text())["chunks"]["done"]) >= chunks:
                return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"the sweep did not start: {proc.poll()}")


def _group(pgid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-g", str(pgid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found]


def _wait_for_exit(pids: list[int]) -> None:
    """Block until every process in ``pids`` has exited (not our children: through a pidfd each,
    which becomes readable when its process ends)."""
    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue  # already gone
        try:
            select.select([fd], [], [])
        finally:
            os.close(fd)


def _pool_workers(pid: int) -> list[int]:
    """The children of ``pid`` that are pool workers (not multiprocessing's resource tracker)."""
    kids = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(k) for k in kids if b"resource_tracker" not in Path(f"/proc/{k}/cmdline").read_bytes()]


@pytest.mark.parametrize(
    ("backend", "how"),
    [
        ("processes", "ctrl-c"),
        ("processes", "sigkill"),
        ("processes", "kill-a-worker"),
        pytest.param("dask", "ctrl-c", marks=pytest.mark.slow),  # a local cluster takes seconds to start
    ],
)
def test_interrupting_a_parallel_sweep(tmp_path, backend, how):
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) is one line on stderr,
    status 130, and no worker left; SIGKILL of the sweep's process leaves no pool worker alive; a
    worker killed mid-chunk (out of memory) is one typed line, status 2."""
    if backend == "dask":
        pytest.importorskip("distributed")
    script = tmp_path / "held_cli.py"
    script.write_text(_HELD_AFTER_TWO)
    out, hold = tmp_path / "out", tmp_path / "hold"
    hold.write_text("the sweep's workers wait, once two chunks are done, while this file exists")
    argv = [
        "sweep",
        TINY,
        "--vary",
        "r=0:2:40",
        "--vary",
        "k=0:2:5",
        "--path",
        "pointwise",
        "--backend",
        backend,
        "--workers",
        "2",
        "--chunk-size",
        "2",
        "--out",
        out,
        "--no-progress",
    ]
    proc = subprocess.Popen(
        [sys.executable, str(script), *map(str, argv)],
        env={**_env(), "OUT": str(out), "HOLD": str(hold)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=as_if_started_in_the_background,  # the script restores Ctrl-C
    )
    try:
        _started(out, proc, 2)
        if how == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)
        elif how == "sigkill":
            os.kill(proc.pid, signal.SIGKILL)
        else:
            os.kill(_pool_workers(proc.pid)[0], signal.SIGKILL)
        hold.unlink()  # the workers still held finish their chunk, as after any signal
        _, err = proc.communicate()
        while pids := _group(proc.pid):  # orphans notice their parent is gone and exit
            _wait_for_exit(pids)
            time.sleep(0.05)  # an exited process leaves the group once it is reaped
        left = _group(proc.pid)
    finally:
        for pid in _group(proc.pid):
            os.kill(pid, signal.SIGKILL)
    assert left == [], f"workers left alive: {left}"
    if how == "ctrl-c":
        assert proc.returncode == 130
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("deterrence: interrupted"), err
    elif how == "sigkill":
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 2 and "worker process died" in _one_error_line(err)


def test_a_dask_scheduler_without_workers_is_refused(tiny, monkeypatch):
    distributed = pytest.importorskip("distributed")
    from deterrence.sweeps import _workers

    monkeypatch.setattr(_workers, "CONNECT_SECONDS", 1)
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster:
        with pytest.raises(SweepError, match="has no worker"):
            sweep(tiny, grid={"r": R}, backend="dask", scheduler=cluster.scheduler_address, progress=False)


# ============================================================================ found by the red-team pass
def test_a_folder_holding_someone_elses_table_is_not_overwritten(tiny, tmp_path, reference):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "table.csv").write_text("precious")
    with pytest.raises(SweepError, match=r"holds table\.csv but no sweep's manifest.*overwrite=True"):
        _sweep(tiny, out)
    assert (out / "table.csv").read_text() == "precious"
    res = _sweep(tiny, out, overwrite=True)
    pd.testing.assert_frame_equal(SweepResult.load(out).table, res.table)


def test_without_its_manifest_a_sweep_finds_its_chunking_and_seed_in_its_chunks(tiny, tmp_path):
    """The default chunk size depends on the backend and a sample's seed is fresh each time: a
    sweep whose manifest is gone reads both from its chunk files, and resumes."""
    out = tmp_path / "grid"
    first = sweep(tiny, grid=GRID, progress=False, out=out, path="pointwise", backend="processes", workers=2)
    (out / "manifest.json").unlink()
    again = sweep(tiny, grid=GRID, progress=False, out=out, path="pointwise")  # numpy: another default
    assert (
        again.manifest.chunk_size == first.manifest.chunk_size
        and again.manifest.runs[-1].computed_points == 0
    )
    out = tmp_path / "sample"
    first = sweep(tiny, samples=40, vary=["r", "k"], progress=False, out=out, chunk_size=10)
    (out / "manifest.json").unlink()
    again = sweep(tiny, samples=40, vary=["r", "k"], progress=False, out=out, chunk_size=10)
    assert again.manifest.design.seed == first.manifest.design.seed
    assert again.manifest.runs[-1].computed_points == 0
    pd.testing.assert_frame_equal(again.table, first.table)


def test_only_the_names_a_sweep_writes_count_as_chunks(tiny, tmp_path, reference):
    out = tmp_path / "out"
    _sweep(tiny, out)
    shutil.copy(out / "chunks" / "chunk-000002.parquet", out / "chunks" / "chunk-0000002.parquet")
    (out / "chunks" / "chunk-000002.parquet").unlink()
    res = _sweep(tiny, out)
    assert res.manifest.runs[-1].computed_chunks == 1
    pd.testing.assert_frame_equal(res.table, reference.table)


def test_chunks_too_large_for_memory_are_refused(tiny, tmp_path):
    with pytest.raises(
        ResourceError, match=r"chunks of 1,000,000,000 points would need about .* GB in memory"
    ):
        sweep(tiny, grid={"r": Linspace(0, 2, 10**9)}, out=tmp_path / "o", chunk_size=10**9, progress=False)
    assert not (tmp_path / "o").exists()


def test_saving_into_another_sweeps_folder_is_refused(tiny, tmp_path, reference):
    other = _sweep(tiny, tmp_path / "other", grid={"r": R[:2], "k": K})
    with pytest.raises(SweepError, match="holds a different sweep"):
        reference.save(tmp_path / "other")
    pd.testing.assert_frame_equal(SweepResult.load(tmp_path / "other").table, other.table)
    reference.save(tmp_path / "fresh")
    other.save(tmp_path / "other")  # its own folder: fine


def test_samples_check_their_orderings_a_block_at_a_time(monkeypatch):
    from deterrence.sweeps import _design

    m = dt.load_model("extended_deterrence")
    kw = dict(samples=64, method="random", vary=["p_alone", "p_allied"], rng=3, progress=False, concept="pbe")
    whole = sweep(m, **kw)
    monkeypatch.setattr(_design, "ORDERING_BLOCK", 7)
    pd.testing.assert_frame_equal(sweep(m, **kw).table, whole.table)


def test_a_large_grid_in_memory_is_drawn_thinned(tiny, monkeypatch, tmp_path):
    res = sweep(tiny, grid={"r": Linspace(0.05, 1.95, 40), "k": Linspace(0.1, 1.9, 30)}, progress=False)
    monkeypatch.setattr(result_module, "MAP_POINTS", 100)
    monkeypatch.setattr(result_module, "MAP_SIDE", 10)
    drawn = res._drawn(("r", "k"), None)
    assert len(drawn.table) == 100 and drawn.table["selected"].all()
    res.plot("r", "k", path=tmp_path / "map.png")
    assert (tmp_path / "map.png").is_file()


def test_cli_on_error_record(tmp_path, capsys):
    model = _overflow_model(tmp_path)
    code, out, err = _cli(
        capsys,
        "sweep",
        model,
        "--vary",
        "v=0:3:31",
        "--out",
        tmp_path / "o",
        "--no-progress",
        "--on-error",
        "record",
    )
    assert code == 0, err
    assert "error" in out and err == ""
    table = pd.read_parquet(tmp_path / "o" / "table.parquet")
    assert (table.loc[table["v"] > 2.37, "regime"] == "error").all()
    assert table.loc[table["v"] > 2.37, "error"].str.contains("not a finite number").all()


def test_reading_a_table_left_in_chunks_checks_each_chunk(tiny, tmp_path, reference):
    out = tmp_path / "big"
    sweep(tiny, grid=GRID, progress=False, chunk_size=7, out=out, max_points=10)
    pd.testing.assert_frame_equal(SweepResult.load(out).table, reference.table)
    shutil.copy(out / "chunks" / "chunk-000001.parquet", out / "chunks" / "chunk-000003.parquet")
    for read in (
        lambda r: r.table,
        lambda r: r.summary(),
        lambda r: r.plot("r", "k", path=tmp_path / "m.png"),
    ):
        with pytest.raises(SweepError, match=r"chunk-000003\.parquet: is not chunk 3 of this folder's sweep"):
            read(SweepResult.load(out))
    res = sweep(tiny, grid=GRID, progress=False, chunk_size=7, out=out, max_points=10)  # resume repairs it
    assert res.manifest.runs[-1].computed_chunks == 1
    pd.testing.assert_frame_equal(SweepResult.load(out).table, reference.table)
