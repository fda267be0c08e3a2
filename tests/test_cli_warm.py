"""``deterrence warm``: the kernels a part compiles are loaded, not compiled, by a later process."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from helpers.checkout import ROOT, checkout_env

from deterrence.cli import main
from deterrence.cli._warm import PARTS, run_parts

#: counts the package's kernels that a process compiles, while it solves a bimatrix game and a
#: two-player tree as the ``nash`` part does (loading a kernel from the cache is no compile)
_COUNT_COMPILES = """
import numba.core.event as event
import numpy as np
import deterrence as dt

compiled = []

class Count(event.Listener):
    def on_start(self, e):
        f = getattr(e.data["dispatcher"], "py_func", None)
        if f is not None and f.__module__.startswith("deterrence"):
            compiled.append(f.__module__ + "." + f.__qualname__)

    def on_end(self, e):
        pass

event.register("numba:compile", Count())
rng = np.random.default_rng(0)
bimatrix = dt.NormalFormGame([rng.random((4, 4)), rng.random((4, 4))])
for method in ("vertex_enumeration", "lemke_howson"):
    dt.solve(bimatrix, "nash", method=method)
dt.solve(dt.load_model("brinkmanship").game(), "nash", method="sequence_form")
print(len(compiled), sorted(set(compiled)))
"""


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    """Python running this checkout's package, as the tests' other subprocesses do."""
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=checkout_env(),
                          cwd=ROOT)


def test_a_process_after_the_part_loads_its_kernels_from_the_cache() -> None:
    pytest.importorskip("numba")
    warm = _python("-m", "deterrence", "warm", "--part", "nash")
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout.startswith("nash: ") and warm.stdout.strip().endswith(" s")
    later = _python("-c", _COUNT_COMPILES)
    assert later.returncode == 0, later.stderr
    assert later.stdout.startswith("0 []"), f"compiled after the warm-up: {later.stdout}"


def test_a_part_that_fails_is_reported_and_counted() -> None:
    said: list[str] = []
    assert run_parts(["no-such-part"], 1, say=said.append) == 1
    assert said[0].startswith("no-such-part: failed (status 2)") and "invalid choice" in said[0]


def test_an_interrupted_warm_up_kills_the_parts_still_running(monkeypatch) -> None:
    """A part ends (status 3) while the other waits for ever; reporting the first is interrupted,
    and the waiting one is killed, not left behind."""
    started: list[subprocess.Popen[str]] = []
    popen = subprocess.Popen

    def recorded(*args: Any, **kwargs: Any) -> subprocess.Popen[str]:
        started.append(popen(*args, **kwargs))
        return started[-1]

    def argv(name: str) -> list[str]:
        code = "raise SystemExit(3)" if name == "ends" else "import threading; threading.Event().wait()"
        return [sys.executable, "-c", code]

    def interrupt(line: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(subprocess, "Popen", recorded)
    try:
        with pytest.raises(KeyboardInterrupt):
            run_parts(["waits", "ends"], 2, say=interrupt, argv=argv)
        assert [p.returncode for p in started] == [-9, 3]
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()


@pytest.mark.parametrize(("argv", "needle"), [
    (["warm", "--jobs", "0"], "--jobs takes a number of processes of at least 1, not 0"),
    (["warm", "--jobs", "two"], "--jobs takes a whole number, not 'two'"),
    (["warm", "--part", "sweep"], "invalid choice: 'sweep'"),
])
def test_bad_options_are_one_line_and_status_2(capsys, argv: list[str], needle: str) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    err = capsys.readouterr().err
    assert info.value.code == 2 and needle in err and len(err.strip().splitlines()) <= 2


def test_the_parts_are_listed_in_the_help(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["warm", "--help"])
    out = capsys.readouterr().out
    assert all(name in out for name in PARTS)
