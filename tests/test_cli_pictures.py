"""The ``sweep`` verb's pictures drawn by a helper process (``deterrence.cli._pictures``).

The helper must draw exactly the files the main process would, bring its errors back as the
library's typed errors, leave no process behind on any exit path, and be replaced by drawing
in the main process when it cannot serve.
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from pathlib import Path

import pytest

import deterrence as dt
from deterrence.cli import _pictures
from deterrence.cli import main as cli_main
from deterrence.cli._pictures import Painter, Picture

GRID = ["--vary", "credibility=0:1:6", "--vary", "cost_attacker=0:2:5", "--no-progress"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished sweep's folder (no pictures in it)."""
    out = tmp_path_factory.mktemp("pictures") / "sweep"
    dt.sweep(
        dt.load_model("extended_deterrence"),
        grid={"credibility": [0.2, 0.5, 0.9], "cost_attacker": [0.1, 0.6, 1.2, 1.8]},
        out=out,
        progress=False,
    )
    return out


def _map(where: Path, name: str = "map.png", **changes: object) -> Picture:
    fields = dict(kind="map", folder=str(where), path=str(where / name), x="credibility", y="cost_attacker")
    return Picture(**{**fields, **changes})  # type: ignore[arg-type]


def test_the_helper_draws_the_same_files_as_the_main_process(capsys, tmp_path, monkeypatch):
    outs = {}
    for helper in (True, False):
        monkeypatch.setenv(_pictures.HELPER_VARIABLE, "1" if helper else "0")
        out = tmp_path / f"helper_{helper}"
        assert cli_main(["sweep", "extended_deterrence", *GRID, "--out", str(out)]) == 0
        assert "regime_map.png" in capsys.readouterr().out
        outs[helper] = out
    for name in ("regime_map.png", "table.csv", "table.parquet"):
        assert (outs[True] / name).read_bytes() == (outs[False] / name).read_bytes(), name


def test_the_command_writes_the_table_files_dt_sweep_writes(capsys, tmp_path, monkeypatch):
    """The command leaves the table files out of the sweep and writes them while the pictures
    are drawn (from the chunks): the same bytes as ``dt.sweep(..., out=)`` writes at its end."""
    monkeypatch.setenv(_pictures.HELPER_VARIABLE, "1")
    out = tmp_path / "command"
    assert cli_main(["sweep", "extended_deterrence", *GRID, "--out", str(out)]) == 0
    capsys.readouterr()
    ref = tmp_path / "library"
    grid = {"credibility": dt.Linspace(0, 1, 6), "cost_attacker": dt.Linspace(0, 2, 5)}
    dt.sweep("extended_deterrence", grid=grid, out=ref, progress=False)
    for name in ("table.csv", "table.parquet"):
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name
    assert dt.SweepResult.load(out).manifest.status == "complete"


def test_the_helper_draws_lines_and_maps(folder):
    pictures = [
        _map(folder),
        Picture("lines", str(folder), str(folder / "lines.png"), "credibility", None, "p_war"),
    ]
    with Painter(helper=True) as painter:
        assert painter.process is not None
        painter.submit(pictures)
        drawn = painter.wait()
    assert drawn == [Path(p.path) for p in pictures]
    assert all(p.stat().st_size > 1000 for p in drawn)
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    "changes, error, needle",
    [
        ({"path": "map.xyz"}, dt.SweepError, "name a picture file"),
        ({"x": "no_such_parameter"}, dt.SweepError, "no_such_parameter"),
        ({"folder": "/nonexistent/sweep"}, dt.SweepError, "nonexistent"),
    ],
)
def test_an_error_while_drawing_comes_back_typed(folder, changes, error, needle):
    if "path" in changes:
        changes = {"path": str(folder / str(changes["path"]))}
    with Painter(helper=True) as painter:
        painter.submit([_map(folder, **changes)])
        with pytest.raises(error, match=needle):
            painter.wait()
        assert painter.process is None


def test_errors_are_typed_by_name_and_others_become_sweep_errors():
    assert type(_pictures._error("ParameterError", "bad x")) is dt.ParameterError
    assert type(_pictures._error("SweepError", "bad")) is dt.SweepError
    other = _pictures._error("ValueError", "boom")
    assert type(other) is dt.SweepError and "ValueError: boom" in str(other)
    # an error that needs more than a message, and a name that is not the library's
    assert type(_pictures._error("TimeLimitError", "slow")) is dt.SweepError
    assert type(_pictures._error("sweep", "x")) is dt.SweepError


def test_a_request_that_is_not_a_picture_is_refused():
    with pytest.raises(dt.SweepError, match="not a picture request"):
        Picture.from_json({"kind": "exec", "folder": "."})
    answer = _pictures._serve(iter([b'[{"kind": "exec"}]\n']))
    assert answer is not None and answer["error"] == "SweepError"
    assert _pictures._serve(iter([])) is None


def test_a_helper_that_died_is_replaced_by_drawing_here(folder):
    with Painter(helper=True) as painter:
        assert painter.process is not None
        painter.process.kill()
        painter.process.wait()
        painter.submit([_map(folder, "after_death.png")])
        assert painter.wait() == [folder / "after_death.png"]
    assert (folder / "after_death.png").stat().st_size > 1000


def test_no_helper_is_left_running_on_any_exit_path(folder):
    """Leaving the block (an error, a Ctrl-C, nothing to draw) stops and reaps the helper; it
    runs in a session of its own, so a Ctrl-C at the terminal reaches only the main process."""
    for how in ("interrupt", "nothing", "error"):
        expected = pytest.raises((KeyboardInterrupt, dt.SweepError)) if how != "nothing" else nullcontext()
        with expected:
            with Painter(helper=True) as painter:
                process = painter.process
                assert process is not None
                if os.name == "posix":
                    assert os.getsid(process.pid) != os.getsid(0)
                if how == "interrupt":
                    raise KeyboardInterrupt
                if how == "error":
                    raise dt.SweepError("the sweep failed")
                painter.submit([])
                assert painter.wait() == []
        assert process.returncode is not None  # reaped: no zombie, no orphan
        assert painter.process is None


def test_the_helper_ends_when_its_input_closes():
    with Painter(helper=True) as painter:
        process = painter.process
        assert process is not None
        # closes its input and waits for it, with no deadline: a helper that never ends hangs the test
        out, _err = process.communicate()
        painter.process = None
    assert process.returncode == 0 and out == b""


def test_the_policy_needs_a_core_to_spare(monkeypatch):
    monkeypatch.delenv(_pictures.HELPER_VARIABLE, raising=False)
    monkeypatch.setattr(_pictures, "spare_cores", lambda: 0.5)
    assert Painter().helper is False
    monkeypatch.setattr(_pictures, "spare_cores", lambda: 3.0)
    assert Painter().helper is True
    assert Painter(helper=False).helper is False


def test_spare_cores_is_the_cores_less_the_load(monkeypatch):
    monkeypatch.setattr(os, "getloadavg", lambda: (1.25, 0.0, 0.0))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    assert _pictures.spare_cores() == 2.75


def test_the_environment_variable_decides_when_set(monkeypatch):
    monkeypatch.setattr(_pictures, "spare_cores", lambda: 0.0)
    monkeypatch.setenv(_pictures.HELPER_VARIABLE, "1")
    assert Painter().helper is True
    monkeypatch.setattr(_pictures, "spare_cores", lambda: 8.0)
    monkeypatch.setenv(_pictures.HELPER_VARIABLE, "0")
    assert Painter().helper is False
    monkeypatch.setenv(_pictures.HELPER_VARIABLE, "yes")
    with pytest.raises(dt.SweepError, match="DETERRENCE_PICTURE_HELPER"):
        Painter()


def test_the_helper_imports_this_package_whatever_the_working_directory_holds(
    folder, tmp_path, monkeypatch, capsys
):
    """A folder named ``deterrence`` in the working directory does not replace the package in
    the helper (it would die on importing it, and say so on stderr)."""
    decoy = tmp_path / "decoy" / "deterrence"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("raise ImportError('the decoy package was imported')\n")
    monkeypatch.chdir(decoy.parent)
    with Painter(helper=True) as painter:
        painter.submit([_map(folder, "from_decoy_cwd.png")])
        assert painter.wait() == [folder / "from_decoy_cwd.png"]
    assert "decoy" not in capsys.readouterr().err


def test_a_dying_helper_says_why_on_stderr(folder, capsys, monkeypatch):
    monkeypatch.setattr(_pictures, "HELPER_CODE", "import sys; sys.exit('the helper could not start')")
    with Painter(helper=True) as painter:
        painter.submit([_map(folder, "after_failed_start.png")])
        assert painter.wait() == [folder / "after_failed_start.png"]  # drawn here instead
    assert "the helper could not start" in capsys.readouterr().err


def test_a_helper_that_dies_before_it_is_given_the_pictures_says_why_too(folder, capsys, monkeypatch):
    """The helper died before ``submit`` wrote to it (a fast machine): the write failed, the helper
    was stopped and its stderr, the reason, was read and dropped; the test above then failed now
    and then (a merged suite on a quiet machine)."""
    monkeypatch.setattr(_pictures, "HELPER_CODE", "import sys; sys.exit('the helper could not start')")
    with Painter(helper=True) as painter:
        painter.process.wait()  # dead before it is given anything: the write to it fails
        painter.submit([_map(folder, "after_early_death.png")])
        assert painter.wait() == [folder / "after_early_death.png"]  # drawn here instead
    assert "the helper could not start" in capsys.readouterr().err
