"""The ``warm`` verb: compile the numeric kernels into numba's on-disk cache now.

numba compiles a kernel the first time it is called and keeps the machine code on disk, so only
the first call on a machine waits: about half a minute for the sweep engine, about two minutes of
compiling in all (one CPU). ``deterrence warm`` makes those first calls now, on small games that take
the paths a solve or a sweep takes, so that a class, a benchmark or a test run starts with the
kernels compiled. The work is split into *parts* (:data:`PARTS`), run in separate processes,
several at once (``--jobs``), each compiling its own kernels: compiled kernels are not shared
between processes except through the cache, so parts that ran in one process would compile one
after the other.

Each part is a short function of the public API; what a part compiles is what those calls
compile (numba caches every kernel under the argument types it was called with). Without numba
the kernels run as plain Python and there is nothing to compile.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import deterrence as dt


def _compile_sweeps() -> None:
    """The sweep engine and the table's rows: compiled sweeps of the README's model."""
    model = dt.load_model("extended_deterrence")
    grid = {"credibility": np.linspace(0.0, 1.0, 4), "cost_attacker": np.linspace(0.0, 2.0, 3)}
    for concept in (None, "pbe"):
        dt.sweep(model, grid=grid, concept=concept, path="compiled", progress=False)


def _compile_pbe() -> None:
    """The per-point PBE solver's screens and certificates, under each belief policy."""
    game = dt.load_model("asymmetric_escalation").game()
    for policy in dt.BELIEF_POLICIES:
        dt.solve(game, "pbe", belief_policy=policy)


def _compile_nash() -> None:
    """Nash equilibria of a bimatrix game (vertex enumeration, Lemke-Howson) and of a
    two-player tree (the sequence form)."""
    rng = np.random.default_rng(0)
    bimatrix = dt.NormalFormGame([rng.random((4, 4)), rng.random((4, 4))])
    for method in ("vertex_enumeration", "lemke_howson"):
        dt.solve(bimatrix, "nash", method=method)
    dt.solve(dt.load_model("brinkmanship").game(), "nash", method="sequence_form")


def _compile_logit() -> None:
    """The logit kernels: the homotopy that fails near the chain store's entry threshold and
    the pure agent equilibria that rescue it, a QRE branch of a two-player tree, and its QRE at
    one precision (Newton's method at a fixed precision, which the homotopy also runs where it
    locates a bifurcation of the branch, as on symmetric N-player trees)."""
    chain_store = dt.load_model("chain_store").game(entry_profit=0.2, p_tough=0.04 + 1e-9)
    dt.solve(chain_store, "nash")
    brinkmanship = dt.load_model("brinkmanship").game()
    dt.solve(brinkmanship, "qre")
    dt.solve(brinkmanship, "qre", lam=2.0)


#: the parts, the most expensive first (the order in which ``--jobs`` starts them)
PARTS: dict[str, Callable[[], None]] = {
    "logit": _compile_logit,
    "pbe": _compile_pbe,
    "sweeps": _compile_sweeps,
    "nash": _compile_nash,
}


def numba_installed() -> bool:
    """Whether numba can be imported (without it there is nothing to compile)."""
    return importlib.util.find_spec("numba") is not None


def run_part(name: str) -> float:
    """Run one part in this process; returns its wall-clock seconds."""
    start = time.perf_counter()
    PARTS[name]()
    return time.perf_counter() - start


def part_argv(name: str) -> list[str]:
    """The command line of the process that runs the part ``name``."""
    return [sys.executable, "-m", "deterrence", "warm", "--part", name]


def run_parts(names: Sequence[str], jobs: int, say: Callable[[str], Any] = print,
              argv: Callable[[str], list[str]] = part_argv) -> int:
    """Run each part in a process of its own, ``jobs`` at a time; returns how many failed.

    Each process runs the command line ``argv(name)`` (:func:`part_argv`); a part that fails is reported
    with the last line of its error, and the others go on. If this function is interrupted
    (Ctrl-C, a termination signal turned into an exception), the parts still running are killed.
    """
    waiting, running, failed = list(names), {}, 0
    try:
        while waiting or running:
            while waiting and len(running) < jobs:
                name = waiting.pop(0)
                running[name] = subprocess.Popen(argv(name), stdout=subprocess.PIPE,
                                                 stderr=subprocess.PIPE, text=True)
            name, process = _first_done(running)
            out, err = process.communicate()
            del running[name]
            if process.returncode == 0:
                say(out.strip() or f"{name}: done")
            else:
                failed += 1
                last = (err.strip().splitlines() or ["no message"])[-1]
                say(f"{name}: failed (status {process.returncode}): {last}")
    finally:
        for process in running.values():
            process.kill()
            process.communicate()
    return failed


def _first_done(running: dict[str, subprocess.Popen[str]]) -> tuple[str, subprocess.Popen[str]]:
    """The first of the running processes to end (polled every 0.05 s)."""
    while True:
        for name, process in running.items():
            if process.poll() is not None:
                return name, process
        time.sleep(0.05)


def cmd_warm(args: argparse.Namespace) -> int:
    if not numba_installed():
        print("numba is not installed: the kernels run as plain Python, there is nothing to compile")
        return 0
    if args.part:
        print(f"{args.part}: {run_part(args.part):.1f} s", flush=True)
        return 0
    jobs = args.jobs or min(len(PARTS), os.cpu_count() or 1)
    start = time.perf_counter()
    failed = run_parts(list(PARTS), jobs)
    print(f"compiled {len(PARTS) - failed} of {len(PARTS)} parts in {time.perf_counter() - start:.1f} s "
          f"({jobs} at a time)")
    if failed:
        raise dt.SolverError(f"{failed} part{'s' if failed > 1 else ''} of the warm-up failed (see above)")
    return 0


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--jobs takes a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"--jobs takes a number of processes of at least 1, not {value}")
    return value


def register_warm(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``warm`` verb: compile the kernels into numba's cache."""
    s = sub.add_parser(
        "warm",
        parents=[common],
        help="compile the numeric kernels now, so the first solve or sweep does not wait",
        description="Compile the numeric kernels into numba's on-disk cache by solving small "
        "games, in parts that run as separate processes, several at once. Later solves and "
        "sweeps, in any process, load the compiled kernels instead of compiling them.",
    )
    s.add_argument("--jobs", type=_positive, default=None, metavar="N",
                   help="how many parts run at once (default: the number of CPUs, at most "
                   f"{len(PARTS)})")
    s.add_argument("--part", choices=tuple(PARTS), default=None,
                   help="run only this part, in this process")
    s.set_defaults(func=cmd_warm)
