"""A sweep's folder tells truthfully how its last run ended, and is resumed only by the code
that computed its chunks.

* A run stopped by Ctrl-C (``KeyboardInterrupt``) or by an error leaves its manifest
  ``"interrupted"`` or ``"failed"`` with the reason, not ``"running"``; the folder still resumes,
  and a sweep that really runs (its folder's lock held) is still told apart from one that
  stopped.
* A folder whose chunks another version of ``deterrence`` computed is refused with a
  :class:`~deterrence.errors.SweepVersionError` naming both versions, unless
  ``allow_other_version=True`` (``--allow-other-version``); manifests written before sweeps
  recorded their code resume as they did.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import deterrence as dt
from deterrence.cli import main as cli_main
from deterrence.errors import SolverError, SweepError, SweepVersionError
from deterrence.sweeps import _backends, sweep
from deterrence.sweeps._storage import SweepFolder, folder_state, lock_holder

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny_pledge.toml"
GRID = {"r": np.linspace(0.05, 1.95, 6), "k": np.linspace(0.1, 1.9, 5)}
SPEC = dict(grid=GRID, chunk_size=6, progress=False)  # 30 points, 5 chunks


@pytest.fixture(scope="module")
def tiny():
    return dt.load_model(TINY)


@pytest.fixture(scope="module")
def whole(tiny):
    """The uninterrupted sweep's table."""
    return sweep(tiny, **SPEC).table


def _stop_at_chunk(monkeypatch, n: int, error: BaseException) -> None:
    """Make the ``n``-th chunk evaluated (1-based) raise ``error``."""
    evaluate, calls = _backends.evaluate_chunk, [0]

    def evaluate_or_stop(job, points):
        calls[0] += 1
        if calls[0] == n:
            raise error
        return evaluate(job, points)

    monkeypatch.setattr(_backends, "evaluate_chunk", evaluate_or_stop)


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


# ------------------------------------------------------------------ how a run ended
def test_an_interrupted_sweep_says_so_and_resumes(tiny, whole, tmp_path, monkeypatch):
    out = tmp_path / "s"
    _stop_at_chunk(monkeypatch, 3, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        sweep(tiny, out=out, **SPEC)
    m = _manifest(out)
    assert m["status"] == "interrupted"
    assert m["runs"][-1]["stopped"] == "KeyboardInterrupt" and m["runs"][-1]["computed_chunks"] == 2
    assert m["chunks"]["done"] == [0, 1] and "finished" in m["runs"][-1]
    assert folder_state(out, dt.sweeps.Manifest.from_json(m)) == "interrupted"
    with pytest.raises(SweepError, match=r"was interrupted .*2 of 5 chunks"):
        dt.SweepResult.load(out)

    monkeypatch.undo()
    said: list[str] = []
    again = sweep(tiny, out=out, log=said.append, **SPEC)
    assert again.manifest.status == "complete"
    assert [r.computed_chunks for r in again.manifest.runs] == [2, 3]
    assert any("its last run was interrupted" in s and "2 of 5 chunks" in s for s in said)
    pd.testing.assert_frame_equal(again.table, whole)


def test_a_sweep_stopped_by_an_error_is_failed_with_the_error(tiny, tmp_path, monkeypatch):
    out = tmp_path / "s"
    _stop_at_chunk(monkeypatch, 2, SolverError("the solver gave up"))
    with pytest.raises(SolverError):
        sweep(tiny, out=out, **SPEC)
    m = _manifest(out)
    assert m["status"] == "failed" and m["runs"][-1]["stopped"] == "SolverError: the solver gave up"
    with pytest.raises(SweepError, match=r"stopped at an error \(SolverError: the solver gave up\)"):
        dt.SweepResult.load(out)


def test_a_running_sweep_is_told_apart_from_one_that_stopped(tiny, tmp_path, monkeypatch):
    """A manifest left ``"running"`` (a process killed outright) with the lock free reads as
    stopped; a folder whose lock is held reads as running, whatever its manifest says."""
    out = tmp_path / "s"
    _stop_at_chunk(monkeypatch, 2, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        sweep(tiny, out=out, **SPEC)
    data = {**_manifest(out), "status": "running"}  # as a killed process leaves it
    (out / "manifest.json").write_text(json.dumps(data))
    manifest = dt.sweeps.Manifest.from_json(data)
    assert lock_holder(out) is None and folder_state(out, manifest) == "stopped"
    with pytest.raises(SweepError, match="stopped without recording why"):
        dt.SweepResult.load(out)
    folder = SweepFolder.open(out)  # another sweep holds the folder
    try:
        assert "process" in lock_holder(out) and folder_state(out, manifest) == "running"
        with pytest.raises(SweepError, match="running now"):
            dt.SweepResult.load(out)
    finally:
        folder.close()
    assert lock_holder(out) is None


def test_a_sweep_refused_at_the_start_leaves_the_folder_as_it_was(tiny, tmp_path):
    out = tmp_path / "s"
    sweep(tiny, out=out, **SPEC)
    before = (out / "manifest.json").read_text()
    with pytest.raises(SweepError, match="different sweep"):
        sweep(tiny, out=out, **{**SPEC, "selection": "optimistic"})
    assert (out / "manifest.json").read_text() == before


# ------------------------------------------------------------------ which code computed it
def _interrupted_by_version(tiny, out: Path, monkeypatch, version: str) -> None:
    """Two chunks of the sweep in ``out``, computed by "deterrence ``version``"."""
    monkeypatch.setattr(dt, "__version__", version)
    _stop_at_chunk(monkeypatch, 3, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        sweep(tiny, out=out, **SPEC)
    monkeypatch.undo()


def test_a_folder_of_another_version_is_refused_naming_both(tiny, tmp_path, monkeypatch):
    out = tmp_path / "s"
    _interrupted_by_version(tiny, out, monkeypatch, "0.0.9")
    before = (out / "manifest.json").read_text()
    both = r"deterrence 0\.0\.9 .*this is deterrence " + dt.__version__
    with pytest.raises(SweepVersionError, match=both) as err:
        sweep(tiny, out=out, **SPEC)
    assert err.value.theirs["deterrence"] == "0.0.9" and err.value.ours["deterrence"] == dt.__version__
    assert "allow_other_version=True" in str(err.value)
    assert (out / "manifest.json").read_text() == before  # refused: nothing changed


def test_chunks_of_another_version_are_refused_without_a_manifest(tiny, tmp_path, monkeypatch):
    out = tmp_path / "s"
    _interrupted_by_version(tiny, out, monkeypatch, "0.0.9")
    (out / "manifest.json").unlink()
    with pytest.raises(SweepVersionError, match=r"0\.0\.9 \(sources \w+\) \(chunk file\(s\) chunk-000000"):
        sweep(tiny, out=out, **SPEC)


def test_another_version_may_be_resumed_when_allowed_and_each_run_says_its_version(
    tiny, whole, tmp_path, monkeypatch
):
    out = tmp_path / "s"
    _interrupted_by_version(tiny, out, monkeypatch, "0.0.9")
    said: list[str] = []
    again = sweep(tiny, out=out, allow_other_version=True, log=said.append, **SPEC)
    assert [r.identity["deterrence"] for r in again.manifest.runs] == ["0.0.9", dt.__version__]
    assert again.manifest.identity["deterrence"] == dt.__version__
    assert any("0.0.9" in s and "mixes the answers of both" in s for s in said)
    assert any("mixes" in n for n in again.manifest.runs[-1].notes)
    pd.testing.assert_frame_equal(again.table, whole)


def test_the_command_line_refuses_another_version_and_resumes_when_allowed(
    tiny, tmp_path, monkeypatch, capsys
):
    out = tmp_path / "s"
    _interrupted_by_version(tiny, out, monkeypatch, "0.0.9")
    argv = [str(TINY), "--vary", "r=0.05:1.95:6", "--vary", "k=0.1:1.9:5", "--chunk-size", "6",
            "--out", str(out), "--no-progress"]
    assert cli_main(["sweep", *argv]) == 2
    assert "deterrence 0.0.9" in capsys.readouterr().err
    assert cli_main(["sweep", *argv, "--allow-other-version"]) == 0
    assert _manifest(out)["status"] == "complete"


def test_a_legacy_manifest_of_another_version_resumes_as_before_with_a_note(tiny, tmp_path):
    """Manifests written before sweeps recorded their code (no ``identity``) resume as they did;
    the version their ``versions`` name is said when it is not this one."""
    out = tmp_path / "s"
    sweep(tiny, out=out, **SPEC)
    data = _manifest(out)
    data.pop("identity")
    for run in data["runs"]:
        run.pop("identity")
    data["versions"]["deterrence"] = "0.0.1"
    (out / "manifest.json").write_text(json.dumps(data))
    said: list[str] = []
    again = sweep(tiny, out=out, log=said.append, **SPEC)
    assert again.manifest.runs[-1].computed_chunks == 0
    assert any("deterrence 0.0.1" in s and "as earlier versions did" in s for s in said)


def test_other_sources_of_the_same_version_number_are_another_version(tiny, tmp_path, monkeypatch):
    """A source checkout edited between two runs computes with other code under one version
    number: the digest of the sources tells them apart."""
    from deterrence.sweeps import _manifest

    out = tmp_path / "s"
    monkeypatch.setattr(_manifest, "_sources_digest", lambda: "0123456789abcdef")
    _stop_at_chunk(monkeypatch, 3, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        sweep(tiny, out=out, **SPEC)
    monkeypatch.undo()
    with pytest.raises(SweepVersionError, match="same version number with other sources"):
        sweep(tiny, out=out, **SPEC)
