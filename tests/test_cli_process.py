"""The program's process settings (``deterrence.cli._process``).

The quick exit: the interpreter's teardown is skipped only when nothing anyone can observe is
lost: the exit handlers run, the standard streams are flushed (also into a pipe), the exit
status is kept; and it is not skipped while a thread a normal exit waits for still runs, or
when ``DETERRENCE_QUICK_EXIT=0``. The rarer full collections: set by the program only, never
by importing the library."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from deterrence.cli._process import FULL_COLLECTION_EVERY, QUICK_EXIT_VARIABLE, quick_exit

ROOT = Path(__file__).resolve().parents[1]

#: a program that registers an exit handler, prints without a newline and exits quickly
PROGRAM = """
import atexit, sys
from deterrence.cli._process import quick_exit
atexit.register(lambda: print("handler ran"))
print("x" * 100000, end="")
sys.stderr.write("to stderr")
quick_exit(int(sys.argv[1]))
print("not reached")
"""


def _python(code: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=environment, check=False
    )


@pytest.mark.parametrize("status", [0, 2, 130])
def test_handlers_run_streams_flush_and_the_status_is_kept(status: int) -> None:
    done = _python(PROGRAM, str(status))
    assert done.returncode == status
    assert done.stdout == "x" * 100000 + "handler ran\n"  # flushed into the pipe, nothing after
    assert done.stderr == "to stderr"


def test_turned_off_by_the_environment_it_returns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(QUICK_EXIT_VARIABLE, "0")
    quick_exit(0)  # returned: this test goes on


def test_a_thread_a_normal_exit_waits_for_keeps_the_normal_exit() -> None:
    release = threading.Event()
    worker = threading.Thread(target=release.wait)
    worker.start()
    try:
        quick_exit(0)  # returned: this test goes on
    finally:
        release.set()
        worker.join()


def test_the_program_prints_everything_and_keeps_its_status(tmp_path: Path) -> None:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "deterrence", "models"], capture_output=True, text=True, env=environment
    )
    assert done.returncode == 0 and "extended_deterrence" in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "deterrence", "show", str(tmp_path / "missing.toml")],
        capture_output=True,
        text=True,
        env=environment,
    )
    assert bad.returncode == 2 and bad.stderr.startswith("deterrence: error: ")


def test_the_program_makes_full_collections_rarer_and_the_library_does_not() -> None:
    code = "import gc, deterrence as dt, deterrence.cli; dt.sweep; print(gc.get_threshold()[2])"
    assert _python(code).stdout.strip() == "10"  # importing the library changes nothing
    code = (
        "import gc, sys; from deterrence import cli; "
        "cli.main = lambda: print(gc.get_threshold()[2]) or 0; cli.run()"
    )
    assert _python(code).stdout.strip() == str(FULL_COLLECTION_EVERY)


_TERM_SCRIPT = """
import os, sys, time
import deterrence.sweeps._pointwise as pw
from deterrence.cli import run

out, hold = sys.argv[1], sys.argv[2]
original = pw.evaluate_points
calls = [0]

def held(*args, **kwargs):  # from its fifth evaluation (two chunks done), waits while the hold file exists
    calls[0] += 1
    while calls[0] > 4 and os.path.exists(hold):
        time.sleep(0.01)
    return original(*args, **kwargs)

pw.evaluate_points = held
sys.argv = ["deterrence", "sweep", sys.argv[3], "--vary", "r=0.05:1.95:6", "--vary", "k=0.1:1.9:5",
            "--chunk-size", "2", "--path", "pointwise", "--no-progress", "--out", out]
sys.exit(run())
"""


def test_sigterm_stops_a_sweep_as_ctrl_c_does(tmp_path: Path) -> None:
    """A scheduler's stop (or ``timeout``) sends SIGTERM, whose default ended the program on the spot:
    the manifest kept "running" and the run no record. The program now ends as on Ctrl-C: the run is
    recorded as interrupted (``Terminated``), the chunks are kept, the exit status is 143. No timing:
    the sweep waits at its third chunk while a hold file exists (a hang guard bounds the wait)."""
    from helpers.waiting import HANG_GUARD, wait_until

    out, hold = tmp_path / "out", tmp_path / "hold"
    hold.write_text("the sweep waits at its next chunk while this file exists")
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    tiny = ROOT / "tests" / "data" / "tiny_pledge.toml"
    proc = subprocess.Popen([sys.executable, "-c", _TERM_SCRIPT, str(out), str(hold), str(tiny)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_until(lambda: proc.poll() is not None or len(_chunks_done(out)) >= 2,
                   "the sweep did not reach its third chunk", lambda: time.sleep(0.05))
        assert proc.poll() is None, proc.communicate()[1].decode()[-2000:]
        proc.terminate()  # SIGTERM
        _, err = proc.communicate(timeout=HANG_GUARD)
    finally:
        hold.unlink(missing_ok=True)
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 143, err.decode()[-2000:]
    assert "stopped by SIGTERM" in err.decode()
    manifest = _json(out / "manifest.json")
    assert manifest["status"] == "interrupted"
    assert manifest["runs"][-1]["stopped"] == "Terminated"
    assert len(manifest["chunks"]["done"]) >= 2


def _chunks_done(out: Path) -> list[int]:
    try:
        return _json(out / "manifest.json")["chunks"]["done"]
    except (FileNotFoundError, ValueError, KeyError):
        return []


def _json(path: Path) -> dict:
    import json

    return json.loads(path.read_text())
