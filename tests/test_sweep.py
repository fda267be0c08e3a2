"""Sweeps: designs, the tidy table, selection, storage, resume after a kill, backends, analysis, plots.

Most tests use ``tests/data/tiny_pledge.toml``, a 3-player perfect-information game whose
subgame-perfect play is derived by hand in the file: the pledge deters (``status_quo``) iff
``r > k`` and the Attacker wins by capitulation iff ``r < k``; in the no-pledge baseline
(``r = 0``) the Attacker attacks whenever ``k > 0``.
"""

from __future__ import annotations

import json
import os
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
from deterrence.errors import ParameterError, SweepError
from deterrence.sweeps import SweepResult, column_order, saltelli_unit, sample_unit, sobol_estimates, sweep
from deterrence.sweeps._tidy import SELECTIONS, select

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny_pledge.toml"
ROOT = Path(__file__).resolve().parents[1]

# grid values chosen so that r == k never happens (no knife edges)
R = np.linspace(0.05, 1.95, 6)
K = np.linspace(0.1, 1.9, 5)


@pytest.fixture(scope="module")
def tiny():
    return dt.load_model(TINY)


@pytest.fixture(scope="module")
def grid_result(tiny):
    return sweep(tiny, grid={"r": R, "k": K}, progress=False, chunk_size=7)


# ---------------------------------------------------------------------------- grids and the table
def test_grid_table_matches_hand_derived_equilibria(grid_result):
    t = grid_result.table
    assert len(t) == len(R) * len(K)  # one equilibrium per point away from r == k
    assert list(t.columns) == column_order(
        ["v", "c", "r", "k"], ["Attacker", "Defender", "Ally"],
        ["status_quo", "capitulation", "war", "allied_war", "abandonment"])
    deter = t["r"] > t["k"]
    assert (t.loc[deter, "regime"] == "status_quo").all()
    assert (t.loc[~deter, "regime"] == "capitulation").all()
    assert np.array_equal(t["p_attack"].to_numpy(), (~deter).to_numpy().astype(float))
    # baseline: the Ally stays out for k > 0, so the Attacker always attacks
    assert (t["p_attack_baseline"] == 1.0).all()
    assert np.allclose(t["deterred"], 1.0 - t["p_attack"])
    assert (t["regret"] <= 1e-8).all() and t["path"].isin(["compiled", "pointwise"]).all()
    assert np.allclose(t.loc[~deter, "payoff_Attacker"], t.loc[~deter, "v"])


def test_grid_order_first_parameter_slowest(grid_result):
    t = grid_result.table
    assert t["point"].tolist() == list(range(len(R) * len(K)))
    assert np.allclose(t["r"], np.repeat(R, len(K)))
    assert np.allclose(t["k"], np.tile(K, len(R)))
    assert (t["v"] == 1.0).all() and (t["c"] == 0.5).all()  # defaults


def test_fixed_values_and_multiple_equilibria_reported(tiny):
    res = sweep(tiny, grid={"r": [0.3, 0.6, 0.9]}, fixed={"k": 0.6, "v": 2.0}, progress=False)
    t = res.table
    assert (t["v"] == 2.0).all() and (t["k"] == 0.6).all()
    tie = t[t["point"] == 1]  # r == k: the Ally is indifferent, both SPE are reported
    assert len(tie) == 2 and (tie["n_equilibria"] == 2).all()
    assert set(tie["regime"]) == {"status_quo", "capitulation"}
    # one selected row per point; the pessimistic rule picks the attack
    sel = res.selected()
    assert sel["point"].tolist() == [0, 1, 2]
    assert sel.loc[sel["point"] == 1, "regime"].item() == "capitulation"
    opt = sweep(tiny, grid={"r": [0.3, 0.6, 0.9]}, fixed={"k": 0.6, "v": 2.0}, progress=False,
                selection="optimistic")
    assert opt.selected().loc[1, "regime"] == "status_quo"
    assert opt.manifest["selection"] == "optimistic"
    rt = res.regime_table()
    assert len(rt) == 3 and rt.loc[1, "regimes"] == "capitulation | status_quo"


# ---------------------------------------------------------------------------- samples
@pytest.mark.parametrize("method", ["sobol", "lhs", "random"])
def test_samples_reproducible_and_in_domain(tiny, method):
    a = sweep(tiny, samples=16, method=method, vary=["r", "k"], rng=7, progress=False)
    b = sweep(tiny, samples=16, method=method, vary=["r", "k"], rng=7, progress=False)
    c = sweep(tiny, samples=16, method=method, vary=["r", "k"], rng=8, progress=False)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert not np.allclose(a.table[["r", "k"]].to_numpy(), c.table[["r", "k"]].to_numpy())
    sel = a.selected()
    assert len(sel) == 16 and sel["r"].between(0, 2).all() and sel["k"].between(0, 2).all()
    assert a.manifest["design"] == {"kind": "sample", "method": method, "samples": 16, "seed": 7,
                                    "vary": ["r", "k"], "bounds": {"r": [0.0, 2.0], "k": [0.0, 2.0]},
                                    "second_order": None, "rejected_by_orderings": 0}


def test_sobol_and_lhs_designs_are_scipy_qmc():
    import inspect

    from scipy.stats import qmc

    kw = "rng" if "rng" in inspect.signature(qmc.Sobol).parameters else "seed"
    assert np.array_equal(sample_unit("sobol", 8, 3, 11), qmc.Sobol(3, scramble=True, **{kw: 11}).random(8))
    assert np.array_equal(sample_unit("lhs", 8, 3, 11), qmc.LatinHypercube(3, **{kw: 11}).random(8))
    lhs = sample_unit("lhs", 10, 2, 3)
    for j in range(2):  # one point in each of the 10 strata of every axis
        assert sorted(np.floor(lhs[:, j] * 10).astype(int)) == list(range(10))


def test_saltelli_design_matches_salib():
    salib = pytest.importorskip("SALib.sample.sobol")
    ours = saltelli_unit(16, 3, 5)
    theirs = salib.sample({"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}, 16,
                          calc_second_order=False, seed=5)
    assert np.allclose(ours, theirs)


def test_seed_is_recorded_when_not_given(tiny):
    res = sweep(tiny, samples=4, vary=["r"], progress=False)
    seed = res.manifest["design"]["seed"]
    again = sweep(tiny, samples=4, vary=["r"], rng=seed, progress=False)
    pd.testing.assert_frame_equal(res.table, again.table)


# ---------------------------------------------------------------------------- bad specifications
@pytest.mark.parametrize(
    ("kwargs", "error", "culprit"),
    [
        ({"grid": {"nope": [1.0]}}, SweepError, "nope"),
        ({"grid": {"r": []}}, SweepError, "'r'"),
        ({"grid": {"r": [0.5, 2.5]}}, ParameterError, "'r'"),
        ({"grid": {"r": [0.5, float("nan")]}}, SweepError, "not finite"),
        ({"grid": {"r": [0.5, float("inf")]}}, SweepError, "not finite"),
        ({"grid": {"r": ["a"]}}, SweepError, "'r'"),
        ({"grid": {"r": [0.5]}, "fixed": {"r": 0.3}}, SweepError, "'r'"),
        ({"grid": {"r": [0.5]}, "fixed": {"zz": 0.3}}, SweepError, "zz"),
        ({"grid": {"r": [0.5]}, "fixed": {"k": 5.0}}, ParameterError, "'k'"),
        ({}, SweepError, "grid= "),
        ({"grid": {"r": [0.5]}, "samples": 4}, SweepError, "not both"),
        ({"samples": 0}, SweepError, "samples"),
        ({"samples": -3}, SweepError, "samples"),
        ({"samples": 2.5}, SweepError, "samples"),
        ({"samples": 4, "method": "halton"}, SweepError, "halton"),
        ({"samples": 4, "vary": ["r", "zz"]}, SweepError, "zz"),
        ({"samples": 4, "vary": []}, SweepError, "vary"),
        ({"samples": 4, "vary": ["r"], "bounds": {"r": (1.0, 0.5)}}, SweepError, "'r'"),
        ({"grid": {"r": [0.5]}, "backend": "spark"}, SweepError, "spark"),
        ({"grid": {"r": [0.5]}, "path": "magic"}, SweepError, "magic"),
        ({"grid": {"r": [0.5]}, "selection": "best"}, SweepError, "best"),
        ({"grid": {"r": [0.5]}, "concept": "core"}, SweepError, "core"),
        ({"grid": {"r": [0.5]}, "chunk_size": 0}, SweepError, "chunk_size"),
        ({"grid": {"r": [0.5]}, "workers": 0}, SweepError, "workers"),
        ({"grid": {"r": [0.5]}, "scheduler": "tcp://x:1"}, SweepError, "scheduler"),
        ({"grid": {"r": [0.5]}, "on_error": "ignore"}, SweepError, "ignore"),
        # options of samples given to a grid were silently ignored
        ({"grid": {"r": [0.5]}, "rng": 3}, SweepError, "rng only applies to samples"),
        ({"grid": {"r": [0.5]}, "method": "lhs"}, SweepError, "method only applies to samples"),
        ({"grid": {"r": [0.5]}, "vary": ["r"]}, SweepError, "vary only applies to samples"),
        ({"grid": {"r": [0.5]}, "bounds": {"r": (0, 1)}}, SweepError, "bounds only applies to samples"),
    ],
)
def test_bad_specs_name_the_culprit(tiny, kwargs, error, culprit):
    with pytest.raises(error) as info:
        sweep(tiny, progress=False, **kwargs)
    assert culprit in str(info.value)


def test_too_many_points_without_out_fails_fast_with_estimate(tiny):
    grid = {n: np.linspace(0.1, 0.2, 1000) for n in ("v", "c", "r", "k")}  # 10^12 points
    # "fails fast": the spec is refused before any point is generated or solved (no timing here:
    # speed is measured in benchmarks/, never asserted in tests)
    with pytest.raises(SweepError) as info:
        sweep(tiny, grid=grid, progress=False)
    msg = str(info.value)
    assert "1,000,000,000,000 points" in msg and "GB" in msg and "out=" in msg


def test_unknown_model_name():
    with pytest.raises(dt.DeterrenceError):
        sweep("no_such_model", grid={"x": [1]}, progress=False)


def test_failing_point_raises_or_is_recorded(tiny):
    # c = 2.6 violates the model's ordering c < 2.5: model.game refuses that point
    with pytest.raises(ParameterError) as info:
        sweep(tiny, grid={"c": [0.5, 2.6]}, progress=False, path="pointwise")
    assert "at sweep point 1" in "".join(getattr(info.value, "__notes__", []))
    for path in ("auto", "pointwise"):  # compiled kernels defer such points to the per-point path
        with pytest.raises(ParameterError, match=r"c < 2\.5"):
            sweep(tiny, grid={"c": [0.5, 2.6]}, progress=False, path=path)
        res = sweep(tiny, grid={"c": [0.5, 2.6]}, progress=False, on_error="record", path=path)
        t = res.table
        assert t["regime"].tolist() == ["capitulation", "error"]
        assert pd.isna(t["error"].iloc[0]) and "c < 2.5" in t["error"].iloc[1]


# ---------------------------------------------------------------------------- storage
def test_save_load_round_trip(grid_result, tmp_path):
    grid_result.save(tmp_path / "res")
    assert {p.name for p in (tmp_path / "res").iterdir()} == {"table.csv", "table.parquet", "manifest.json"}
    back = SweepResult.load(tmp_path / "res")
    pd.testing.assert_frame_equal(back.table, grid_result.table)
    assert back.manifest == grid_result.manifest
    csv = pd.read_csv(tmp_path / "res" / "table.csv")
    assert np.array_equal(csv["r"].to_numpy(), grid_result.table["r"].to_numpy())  # exact floats
    (tmp_path / "res" / "table.parquet").unlink()
    pd.testing.assert_frame_equal(SweepResult.load(tmp_path / "res").table, grid_result.table)


def test_load_refuses_non_sweep_folder(tmp_path):
    with pytest.raises(SweepError, match="manifest"):
        SweepResult.load(tmp_path)


def test_manifest_contents(grid_result, tiny):
    m = grid_result.manifest
    assert m["model"]["name"] == "tiny_pledge" and m["model"]["sha256"] == tiny.sha256
    assert m["baseline"]["is_baseline"] is True
    assert m["concept"] == "pbe" and m["belief_policy"] == "free"  # pbe: preferred when declared
    assert m["selection"] == "pessimistic" and "highest p_attack" in m["selection_description"]
    assert m["design"] == {"kind": "grid", "grid": {"r": R.tolist(), "k": K.tolist()}}
    assert m["fixed"] == {} and m["n_points"] == 30 and m["chunk_size"] == 7 and m["n_chunks"] == 5
    assert sum(m["paths"].values()) == 30 and set(m["paths"]) <= {"compiled", "pointwise"}
    assert set(m["versions"]) >= {"deterrence", "numpy", "scipy", "sympy", "pandas", "python"}
    assert m["command"] == list(sys.argv)
    assert m["started"] <= m["finished"] and m["status"] == "complete"
    assert m["chunks"]["done"] == [0, 1, 2, 3, 4]
    assert m["parameters"]["r"]["description"] == "the Ally's cost of reneging on its pledge"


def test_out_folder_resume_and_refusal(tiny, tmp_path, grid_result):
    out = tmp_path / "sw"
    first = sweep(tiny, grid={"r": R, "k": K}, progress=False, chunk_size=7, out=out)
    pd.testing.assert_frame_equal(first.table, grid_result.table)
    files = sorted((out / "chunks").iterdir())
    assert [f.name for f in files] == [f"chunk-{i:06d}.parquet" for i in range(5)]
    stamps = {f.name: f.stat().st_mtime_ns for f in files}
    again = sweep(tiny, grid={"r": R, "k": K}, progress=False, chunk_size=7, out=out)
    assert again.manifest["runs"][-1]["computed_chunks"] == 0  # nothing recomputed
    assert {f.name: f.stat().st_mtime_ns for f in (out / "chunks").iterdir()} == stamps
    pd.testing.assert_frame_equal(again.table, first.table)
    with pytest.raises(SweepError, match=r"different sweep.*design"):
        sweep(tiny, grid={"r": R[:3], "k": K}, progress=False, chunk_size=7, out=out)
    with pytest.raises(SweepError, match="chunk_size"):
        sweep(tiny, grid={"r": R, "k": K}, progress=False, chunk_size=8, out=out)
    (out / "manifest.json").write_text(json.dumps({"something": "else"}))
    with pytest.raises(SweepError, match="other than a deterrence sweep"):
        sweep(tiny, grid={"r": R, "k": K}, progress=False, chunk_size=7, out=out)


_KILL_SCRIPT = textwrap.dedent("""
    import json, os, sys, time
    import signal
    # Ctrl-C as a terminal delivers it, whatever disposition or mask the test runner passed on
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
    import numpy as np
    import deterrence.sweeps._pointwise as pw
    from deterrence.catalogue import load_model
    from deterrence.sweeps import sweep

    model_path, out, hold_at, log, hold = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
    original = pw.evaluate_points

    def done():
        try:
            with open(os.path.join(out, "manifest.json")) as fh:
                return len(json.load(fh)["chunks"]["done"])
        except (OSError, ValueError, KeyError):
            return 0

    def held(model, points, *args, **kwargs):  # waits, once hold_at chunks are done, for the signal
        while done() >= hold_at and os.path.exists(hold):
            time.sleep(0.01)
        with open(log, "a") as fh:  # log what is computed
            fh.write(json.dumps({"pid": os.getpid(), "baseline": bool(model.is_baseline),
                                 "points": points["point"].tolist()}) + "\\n")
        return original(model, points, *args, **kwargs)

    pw.evaluate_points = held
    r = np.linspace(0.05, 1.95, 6); k = np.linspace(0.1, 1.9, 5)
    sweep(load_model(model_path), grid={"r": r, "k": k}, chunk_size=2, out=out, progress=False,
          path="pointwise")
    print("finished")
""")


def _done_chunks(out: Path) -> list[int]:
    try:
        return json.loads((out / "manifest.json").read_text())["chunks"]["done"]
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return []


def _run_until(script: Path, out: Path, log: Path, n_done: int, sig: int) -> int:
    """Run the sweep script until ``n_done`` chunks are done, where it waits (no timing: the script
    holds its next chunk while the hold file exists), then send it ``sig``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    hold = out.parent / f"hold-{n_done}"
    hold.write_text("the sweep waits at its next chunk while this file exists")
    argv = [sys.executable, str(script), str(TINY), str(out), str(n_done), str(log), str(hold)]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=as_if_started_in_the_background)  # the script restores Ctrl-C
    while len(_done_chunks(out)) < n_done and proc.poll() is None:  # ends: the script holds there
        time.sleep(0.05)
    assert proc.poll() is None, proc.communicate()[1].decode()[-2000:]
    proc.send_signal(sig)
    hold.unlink()  # a sweep the signal did not stop runs to its end (and the caller's checks fail)
    proc.communicate()
    return proc.returncode


def _check_chunk_files(out: Path) -> dict[str, int]:
    """Every chunk file is complete (readable, the right points); returns file -> mtime."""
    stamps = {}
    for f in (out / "chunks").iterdir():
        if f.name.startswith("."):
            assert f.name.endswith(".tmp")  # a temporary file from a kill mid-write: never a chunk
            continue
        c = int(f.name[len("chunk-"):-len(".parquet")])
        pts = pd.read_parquet(f)["point"]
        assert sorted(set(pts)) == [p for p in (2 * c, 2 * c + 1) if p < 30], f.name
        stamps[f.name] = f.stat().st_mtime_ns
    return stamps


def _logged_points(log: Path) -> list[int]:
    return [p for line in log.read_text().splitlines() for p in json.loads(line)["points"]
            if not json.loads(line)["baseline"]]


def test_resume_after_sigint_and_sigkill_computes_every_point_once(tiny, tmp_path, grid_result, monkeypatch):
    script = tmp_path / "slow_sweep.py"
    script.write_text(_KILL_SCRIPT)
    out, log = tmp_path / "out", tmp_path / "computed.jsonl"
    # run 1: interrupted with SIGINT (Ctrl-C) after 3 chunks; run 2: killed outright after 7
    rc1 = _run_until(script, out, log, 3, signal.SIGINT)
    assert rc1 != 0
    after1 = _check_chunk_files(out)
    assert len(after1) >= 3
    rc2 = _run_until(script, out, log, 7, signal.SIGKILL)
    assert rc2 == -signal.SIGKILL
    after2 = _check_chunk_files(out)
    assert len(after2) >= 7 and set(after1) <= set(after2)
    assert all(after2[f] == after1[f] for f in after1)  # run 2 did not rewrite run 1's chunks
    done_before = {int(f[len("chunk-"):-len(".parquet")]) for f in after2}
    points_before = {p for c in done_before for p in (2 * c, 2 * c + 1)}
    assert points_before <= set(_logged_points(log))

    # run 3: to the end, in this process, logging what it computes
    import deterrence.sweeps._pointwise as pw

    original, log3 = pw.evaluate_points, tmp_path / "run3.jsonl"

    def logged(model, points, *args, **kwargs):
        with open(log3, "a") as fh:
            entry = {"baseline": bool(model.is_baseline), "points": points["point"].tolist()}
            fh.write(json.dumps(entry) + "\n")
        return original(model, points, *args, **kwargs)

    monkeypatch.setattr(pw, "evaluate_points", logged)
    res = sweep(tiny, grid={"r": R, "k": K}, chunk_size=2, out=out, progress=False, path="pointwise")
    after3 = _check_chunk_files(out)
    # temporaries cleaned
    assert not [f for f in [*(out / "chunks").iterdir(), *out.iterdir()] if f.name.startswith(".")]
    assert all(after3[f] == after2[f] for f in after2)
    # run 3 computed exactly the points not finished before, each once
    computed3 = _logged_points(log3)
    assert sorted(computed3) == sorted(set(range(30)) - points_before)
    assert res.manifest["runs"][-1]["computed_chunks"] == 15 - len(done_before)
    recs = {r["id"]: r for r in res.manifest["chunks"]["records"]}
    run_ids = [r["id"] for r in res.manifest["runs"]]
    assert len(run_ids) == 3
    assert {c for c, r in recs.items() if r["run"] == run_ids[2]} == set(range(15)) - done_before
    # every point exactly once in the table, which equals an uninterrupted sweep's
    counts = res.table.groupby("point").size()
    assert counts.index.tolist() == list(range(30)) and (counts == 1).all()
    pd.testing.assert_frame_equal(res.table.drop(columns="path"), grid_result.table.drop(columns="path"))


def test_an_in_memory_sweep_beyond_half_the_machine_is_refused(tiny, monkeypatch):
    """Without ``out=``, a table estimated at more than half the machine's memory is refused (the
    machine made to have 20 kB: 30 points need about 26 kB), unless allow_large."""
    from deterrence.sweeps import _sweep

    monkeypatch.setattr(_sweep, "total_memory", lambda: 20_000.0)
    refused = r"30 points: a table of about .* more than half of this machine"
    with pytest.raises(dt.ResourceError, match=refused) as info:
        sweep(tiny, grid={"r": R, "k": K}, progress=False)
    assert info.value.estimate > 10_000 and "out=FOLDER" in str(info.value)
    assert len(sweep(tiny, grid={"r": R, "k": K}, progress=False, allow_large=True).table) == 30


def test_a_sweep_larger_than_memory_leaves_its_table_in_the_chunks(tiny, tmp_path, grid_result):
    out = tmp_path / "big"
    with pytest.raises(SweepError, match="30 points"):
        sweep(tiny, grid={"r": R, "k": K}, progress=False, max_points=10)
    res = sweep(tiny, grid={"r": R, "k": K}, progress=False, chunk_size=7, out=out, max_points=10)
    assert res._table is None  # nothing held in memory after the run
    assert not (out / "table.csv").exists() and res.manifest["n_rows"] == 30
    pd.testing.assert_frame_equal(res.table, grid_result.table)  # read on demand
    pd.testing.assert_frame_equal(SweepResult.load(out).table, grid_result.table)


# ---------------------------------------------------------------------------- backends
def test_processes_backend_equals_numpy(tiny, grid_result):
    res = sweep(tiny, grid={"r": R, "k": K}, progress=False, chunk_size=7, backend="processes", workers=2)
    pd.testing.assert_frame_equal(res.table, grid_result.table)
    assert res.manifest["backend"] == "processes"


_START_METHOD_SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    import deterrence as dt
    from deterrence.sweeps import _backends, sweep

    if __name__ == "__main__":
        method, model_path, out = sys.argv[1], sys.argv[2], sys.argv[3]
        model = dt.load_model(model_path)
        model.evaluate()  # the model holds its lambdified evaluator when it is pickled
        _backends.START_METHOD = method
        r = np.linspace(0.05, 1.95, 6); k = np.linspace(0.1, 1.9, 5)
        res = sweep(model, grid={"r": r, "k": k}, progress=False, chunk_size=7, backend="processes",
                    workers=2)
        res.table.to_pickle(out)
""")


@pytest.mark.parametrize("method", [pytest.param("spawn", marks=pytest.mark.slow), "forkserver"])
def test_processes_backend_under_other_start_methods_equals_numpy(grid_result, tmp_path, method):
    """macOS and Windows spawn the workers, and Linux from Python 3.14 forks them from a server:
    the job reaches them pickled, with a model that has been evaluated already (so holding the
    evaluator it lambdified, which pickle cannot name). Run in a fresh process, so that the fork
    server and the resource tracker it starts do not outlive the test in the test runner's process."""
    import multiprocessing

    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no start method {method!r} on this platform")
    script, out = tmp_path / "start_method.py", tmp_path / "table.pkl"
    script.write_text(_START_METHOD_SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, str(script), method, str(TINY), str(out)], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    # the path each point took may differ (path="auto" weighs the compile a fresh process still has
    # to pay); the rows may not
    rows = pd.read_pickle(out).drop(columns="path")
    pd.testing.assert_frame_equal(rows, grid_result.table.drop(columns="path"))


def test_progress_bar_runs_no_thread_of_its_own():
    """The processes backend forks its workers while the bar runs (Linux, Python < 3.14): the bar
    must not run tqdm's monitor thread then."""
    import threading

    pytest.importorskip("tqdm")
    from deterrence.sweeps._sweep import _progress

    before = set(threading.enumerate())
    bar = _progress(10, 0, True)
    try:
        bar.update(5)
        assert set(threading.enumerate()) == before
    finally:
        bar.close()


def test_dask_backend_on_a_local_cluster_equals_numpy(tiny, grid_result):
    distributed = pytest.importorskip("distributed")
    import logging

    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as cluster:
        res = sweep(tiny, grid={"r": R, "k": K}, progress=False, chunk_size=7, backend="dask",
                    scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(res.table, grid_result.table)
    assert res.manifest["scheduler"] == cluster.scheduler_address


def test_compiled_and_pointwise_paths_agree(tiny, grid_result):
    kernels = pytest.importorskip("deterrence.kernels")
    if not hasattr(kernels, "compile_model"):
        pytest.skip("the compiled path (deterrence.kernels.compile_model) is not there yet")
    comp = sweep(tiny, grid={"r": R, "k": K}, progress=False, path="compiled")
    point = sweep(tiny, grid={"r": R, "k": K}, progress=False, path="pointwise")
    assert (point.table["path"] == "pointwise").all()
    assert comp.manifest["paths"].get("compiled", 0) > 0
    pd.testing.assert_frame_equal(comp.table.drop(columns="path"), point.table.drop(columns="path"),
                                  check_exact=False, atol=1e-9)


def test_compiled_and_pointwise_paths_agree_when_recording_errors(tiny):
    """With ``on_error="record"`` both paths give the ``error`` column (``None`` where nothing
    failed): the table's columns do not depend on which path solved which point."""
    comp = sweep(tiny, grid={"r": R, "k": K}, progress=False, path="compiled", on_error="record")
    point = sweep(tiny, grid={"r": R, "k": K}, progress=False, path="pointwise", on_error="record")
    assert comp.manifest["paths"].get("compiled", 0) > 0
    assert list(comp.table.columns) == list(point.table.columns)
    assert comp.table["error"].isna().all() and point.table["error"].isna().all()
    pd.testing.assert_frame_equal(comp.table.drop(columns="path"), point.table.drop(columns="path"),
                                  check_exact=False, atol=1e-9)


def test_recorded_errors_column_reads_the_same_on_both_paths():
    """Points that break an ordering are recorded as errors among solved points: the ``error``
    column holds the message or ``None`` (never NaN, which pandas made of ``None`` next to a
    message), and the two paths give the same rows."""
    model = dt.load_model("mutual_deterrence")
    grid = {"a_status_quo": [3.0, 8.5], "a_wins": [4.0, 11.0]}  # 8.5 > 4 breaks a_status_quo < a_wins
    tables = [sweep(model, grid, progress=False, path=path, on_error="record").table
              for path in ("compiled", "pointwise")]
    for table in tables:
        assert all(v is None or isinstance(v, str) for v in table["error"])
        assert (table["regime"] == "error").sum() == 1
    pd.testing.assert_frame_equal(tables[0].drop(columns="path"), tables[1].drop(columns="path"),
                                  check_exact=False, atol=1e-9)


def test_regime_map_matches_the_exact_regimes(tiny, grid_result):
    """Each point's regime in the table is the one regime whose exact condition (dt.regimes) holds."""
    kernels = pytest.importorskip("deterrence.kernels")
    if not hasattr(kernels, "compile_model"):
        pytest.skip("dt.regimes needs deterrence.kernels.compile_model, not there yet")
    from deterrence.analysis import regimes

    t = grid_result.selected()
    holds = regimes(tiny, concept="spe").holds({n: t[n].to_numpy() for n in ("v", "c", "r", "k")})
    for i, regime in enumerate(t["regime"]):
        assert holds[regime][i], (regime, t.loc[i, ["r", "k"]].tolist())
        assert sum(bool(m[i]) for m in holds.values()) == 1


class _HalfCompiled:
    """A stand-in compiled kernel: decides two points in three (by solving them per point) and
    returns wrong rows for the third, which it flags as undecided: the sweep must drop those rows
    and solve the flagged points per point."""

    def __init__(self, model):
        self.model = model

    def evaluate(self, points):
        from deterrence.sweeps import evaluate_points

        pts = points.reset_index(names="point")
        rows = evaluate_points(self.model, pts, "spe")
        rows["path"] = "compiled"
        undecided = points.index.to_numpy() % 3 == 0
        rows.loc[rows["point"].isin(points.index[undecided]), "regime"] = "WRONG"
        return rows.drop(columns=["selected", "p_attack_baseline", "deterred"]), undecided


def test_compiled_path_plumbing_with_undecided_points(monkeypatch, grid_result):
    import importlib
    import weakref

    import deterrence.kernels as kernels

    sweep_module = importlib.import_module("deterrence.sweeps._backends")  # holds the compiled-kernel cache

    def fresh_cache():  # compiled kernels are cached per process and model object
        monkeypatch.setattr(sweep_module, "_COMPILED", weakref.WeakKeyDictionary())

    fresh_cache()
    monkeypatch.setattr(kernels, "compile_model", lambda model, concept, policy: _HalfCompiled(model),
                        raising=False)
    res = sweep(dt.load_model(TINY), grid={"r": R, "k": K}, progress=False, chunk_size=7, path="compiled")
    t = res.table
    assert "WRONG" not in set(t["regime"])
    assert (t.loc[t["point"] % 3 == 0, "path"] == "pointwise").all()
    assert (t.loc[t["point"] % 3 != 0, "path"] == "compiled").all()
    assert res.manifest["paths"] == {"compiled": 20, "pointwise": 10}
    assert res.manifest["chunk_size"] == 7
    pd.testing.assert_frame_equal(t.drop(columns="path"), grid_result.table.drop(columns="path"))

    def unsupported(model, concept, policy):
        raise dt.UnsupportedError("this model does not compile", methods=("pointwise",))

    monkeypatch.setattr(kernels, "compile_model", unsupported)
    fresh_cache()
    with pytest.raises(dt.UnsupportedError, match="does not compile"):
        sweep(dt.load_model(TINY), grid={"r": R}, progress=False, path="compiled")
    auto = sweep(dt.load_model(TINY), grid={"r": R}, progress=False, path="auto")
    # per point: the default chunk gives the one worker four chunks (at most 100 points each)
    assert auto.manifest["paths"] == {"pointwise": len(R)} and auto.manifest["chunk_size"] == 2


# ---------------------------------------------------------------------------- analysis
def test_partial_dependence(grid_result):
    pdep = grid_result.partial_dependence("p_attack", "r")
    assert pdep["r"].tolist() == pytest.approx(R.tolist())
    # at each r, p_attack = share of k values above r
    expect = [(K > r).mean() for r in R]
    assert pdep["mean"].tolist() == pytest.approx(expect)
    assert (pdep["count"] == len(K)).all()
    with pytest.raises(SweepError, match="p_peace"):
        grid_result.partial_dependence("p_peace", "r")
    with pytest.raises(SweepError, match="zz"):
        grid_result.partial_dependence("p_attack", "zz")


def test_sobol_estimator_on_ishigami():
    """Analytic indices of the Ishigami function (a = 7, b = 0.1): an oracle nobody here wrote."""
    d, n = 3, 2**13
    x = -np.pi + 2 * np.pi * saltelli_unit(n, d, 1)
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    s1, st = sobol_estimates(y, d)
    assert s1 == pytest.approx([0.3139, 0.4424, 0.0], abs=0.02)
    assert st == pytest.approx([0.5576, 0.4424, 0.2437], abs=0.02)


def test_sobol_indices_of_a_sweep(tiny):
    res = sweep(tiny, samples=32, method="saltelli", vary=["v", "r", "k"], rng=3, progress=False)
    assert res.manifest["n_points"] == 32 * 5
    si = res.sobol_indices("p_attack")
    assert list(si.index) == ["v", "r", "k"]
    # p_attack = 1[r < k] does not depend on v (v > 0 almost surely): both indices vanish
    assert si.loc["v", "S1"] == pytest.approx(0, abs=1e-12)
    assert si.loc["v", "ST"] == pytest.approx(0, abs=1e-12)
    assert si.loc["r", "ST"] > 0.3 and si.loc["k", "ST"] > 0.3
    y = res.selected().sort_values("point")["p_attack"].to_numpy()
    s1, st = sobol_estimates(y, 3)
    assert si["S1"].to_numpy() == pytest.approx(s1) and si["ST"].to_numpy() == pytest.approx(st)
    with pytest.raises(SweepError, match="saltelli"):
        sweep(tiny, samples=4, vary=["r"], rng=1, progress=False).sobol_indices("p_attack")


# ---------------------------------------------------------------------------- pictures
def test_regime_map_and_lines(grid_result, tmp_path):
    ax = grid_result.plot("r", "k", path=tmp_path / "map.png")
    assert (tmp_path / "map.png").stat().st_size > 5000
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(t.startswith("capitulation") for t in legend)
    assert any(t.startswith("status_quo") for t in legend)
    assert ax.get_xlabel() == "the Ally's cost of reneging on its pledge (r)"
    assert ax.get_ylabel() == "the Ally's cost of fighting (k)"
    assert len(ax.collections) >= 2  # the regime cells and the boundary lines
    ax = grid_result.plot_lines("r", by="k", values=[0.1, 1.9], path=tmp_path / "lines.png")
    assert (tmp_path / "lines.png").stat().st_size > 3000
    assert [ln.get_label() for ln in ax.get_lines()] == ["k = 0.1", "k = 1.9"]
    with pytest.raises(SweepError, match="zz"):
        grid_result.plot("r", "zz")


def test_regime_map_needs_a_slice_when_more_parameters_vary(tiny, tmp_path):
    res = sweep(tiny, grid={"r": [0.2, 0.8], "k": [0.4, 1.2], "v": [0.5, 1.5]}, progress=False)
    with pytest.raises(SweepError, match="at="):
        res.plot("r", "k")
    res.plot("r", "k", at={"v": 1.5}, path=tmp_path / "slice.png")
    res_s = sweep(tiny, samples=16, vary=["r", "k"], rng=2, progress=False)
    res_s.plot("r", "k", path=tmp_path / "scatter.png")  # samples: a scatter map
    assert (tmp_path / "scatter.png").is_file()


# ---------------------------------------------------------------------------- the catalogue model
def test_extended_deterrence_grid_matches_its_derived_claim():
    """The model file's claim: with audience_cost below the entrapment threshold, every PBE is free
    of attack iff credibility > max(credibility_threshold_attacker, credibility_threshold_defender)."""
    m = dt.load_model("extended_deterrence")
    cred, cost = [0.25, 0.55, 0.85], [0.2, 0.4, 0.6]
    res = sweep(m, grid={"credibility": cred, "cost_attacker": cost}, concept="pbe", progress=False)
    sel = res.selected()
    assert len(sel) == 9
    for _, row in sel.iterrows():
        values = {"credibility": row["credibility"], "cost_attacker": row["cost_attacker"]}
        assert m.derived_value("entrapment_threshold", **values) > row["audience_cost"]
        thr = max(m.derived_value("credibility_threshold_attacker", **values),
                  m.derived_value("credibility_threshold_defender", **values))
        assert (row["p_attack"] == 0) == (row["credibility"] > thr), values
    assert res.manifest["concept"] == "pbe"
    assert np.isfinite(res.table["deterred"]).all()


def test_samples_keep_only_points_that_satisfy_the_orderings():
    """A sample covers the part of the box where the model's orderings hold (the rest is dropped
    and counted in the manifest), so a sampled sweep never trips over an ordering."""
    import deterrence as dt

    m = dt.load_model("extended_deterrence")
    res = sweep(m, samples=64, method="random", vary=["p_alone", "p_allied"], rng=3, progress=False,
                concept="pbe")
    sel = res.selected()
    rejected = res.manifest["design"]["rejected_by_orderings"]
    assert rejected > 0 and len(sel) == 64 - rejected
    assert (sel["p_alone"] < sel["p_allied"]).all()


# ---------------------------------------------------------------------------- the typed manifest
def test_manifest_is_typed_and_reads_like_its_json(grid_result, tiny):
    from deterrence.sweeps import DesignInfo, Manifest

    m = grid_result.manifest
    assert isinstance(m, Manifest) and isinstance(m.design, DesignInfo)
    assert m.model.name == "tiny_pledge" and m.model.sha256 == tiny.sha256 and m.baseline.is_baseline
    assert m.design.kind == "grid" and m.design.varied == ("r", "k") and m.n_points == 30
    assert m.runs[-1].computed_chunks == 5 and m.chunks.done == (0, 1, 2, 3, 4) and m.done == m.chunks.done
    assert m.parameters["r"].domain == (0.0, 2.0)
    data = m.to_json()
    assert json.loads(json.dumps(data)) == data  # plain JSON data
    for key in data:
        assert m[key] == data[key]
    assert Manifest.from_json(data) == m
    with pytest.raises(dt.LabelError, match="no manifest field 'no_such_field'"):  # a KeyError too
        m["no_such_field"]


def test_a_manifest_written_before_the_typed_manifest_reads_and_resumes(tiny, tmp_path):
    """``tests/data/sweep_manifest_v0.1.json`` was written by deterrence 0.1.0 before the manifest
    was typed (commit 48a5382: ``sweep(tiny_pledge, samples=8, method="lhs", vary=["r", "k"],
    rng=5, chunk_size=3, out=...)``, command line shortened). It reads into the same JSON, and a
    folder holding it resumes the same sweep without recomputing a chunk."""
    from deterrence.sweeps import Manifest

    old = json.loads((DATA / "sweep_manifest_v0.1.json").read_text())
    m = Manifest.from_json(old)
    assert m.to_json() == old
    assert m.design.seed == 5 and m.design.bounds == {"r": (0.0, 2.0), "k": (0.0, 2.0)}
    assert m.runs[0].computed_chunks == 3 and m.chunks.records[0].file == "chunk-000000.parquet"
    out = tmp_path / "old"
    spec = dict(samples=8, method="lhs", vary=["r", "k"], rng=5, chunk_size=3, out=out, progress=False)
    first = sweep(tiny, **spec)
    (out / "manifest.json").write_text(json.dumps(old))
    again = sweep(tiny, **spec)
    assert again.manifest.runs[-1].computed_chunks == 0 and len(again.manifest.runs) == 2
    assert again.manifest.runs[0] == m.runs[0] and again.manifest.started == m.started
    pd.testing.assert_frame_equal(again.table, first.table)


def test_the_spec_stage_types_the_arguments(tiny):
    from deterrence.sweeps import SweepSpec, check_spec

    args = dict(grid={"r": [0.5]}, samples=None, method="sobol", vary=None, bounds=None, fixed=None,
                concept=None, belief_policy="free", selection="pessimistic", path="auto", backend="numpy",
                scheduler=None, workers=None, chunk_size=None, out=None, rng=None, progress=False,
                on_error="raise", max_points=10, solve_options=None)
    spec = check_spec(tiny, **args)
    assert isinstance(spec, SweepSpec) and spec.concept == "pbe" and spec.baseline.is_baseline
    assert spec.solve_options == {} and spec.out is None
    with pytest.raises(AttributeError):
        spec.concept = "spe"  # frozen
    with pytest.raises(SweepError, match="workers"):
        check_spec(tiny, **{**args, "workers": True})


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 6), st.sampled_from([0.0, 0.5, 1.0, 0.5 + 1e-12])), min_size=1),
    st.sampled_from(sorted(SELECTIONS)),
    st.randoms(use_true_random=False),
)
def test_select_sorted_and_shuffled_tables_agree(rows, rule, rnd):
    """One selected row per point, the same whether the table is sorted by point or not."""
    points = sorted(p for p, _ in rows)
    eq = [sum(1 for q in points[:k] if q == p) for k, p in enumerate(points)]
    table = pd.DataFrame({"point": points, "equilibrium": eq, "p_attack": [a for _, a in rows]})
    mask = select(table, rule).to_numpy()
    assert sorted(table.point[mask]) == sorted(set(points))
    order = list(range(len(table)))
    rnd.shuffle(order)
    shuffled = table.iloc[order].reset_index(drop=True)
    np.testing.assert_array_equal(select(shuffled, rule).to_numpy(), mask[order])
