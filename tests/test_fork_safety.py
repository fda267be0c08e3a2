"""Thread pools kept by the library, in a child process forked after they started.

A fork copies only the thread that forks. A pool the parent kept has no threads in the child,
so work the child queued on it would never run: ``dt.solve`` of a 10x10 bimatrix game (vertex
enumeration runs its two polytopes on a kept pool) and a compiled sweep of 16,385 points or
more (the kernels' pool) hung for ever in a ``multiprocessing`` child forked after the parent
had done the same. These tests fork such a child and check that it finishes its work.
The join timeout only keeps a regression from hanging the suite: it is no speed limit.
"""

from __future__ import annotations

import multiprocessing as mp
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import deterrence as dt
from deterrence.kernels import _compiled
from deterrence.solvers import vertex_enumeration

pytestmark = pytest.mark.skipif("fork" not in mp.get_all_start_methods(),
                                reason="needs the fork start method")

_HANG_GUARD = 120.0  # seconds: a hang fails the test instead of stopping the suite


def _in_forked_child(job: Callable[[], Any]) -> Any:
    """``job()`` run in a child forked from this process (the pools already started here)."""
    ctx = mp.get_context("fork")
    queue = ctx.Queue()

    def run() -> None:
        queue.put(job())

    with warnings.catch_warnings():  # Python 3.12+ warns about forking with threads: the case tested
        warnings.simplefilter("ignore", DeprecationWarning)
        child = ctx.Process(target=run)
        child.start()
    child.join(_HANG_GUARD)
    if child.is_alive():
        child.kill()
        child.join()
        pytest.fail("the forked child hung on a thread pool kept from its parent")
    assert child.exitcode == 0
    return queue.get(timeout=_HANG_GUARD)


def _bimatrix() -> Any:
    rng = np.random.default_rng(3)
    return dt.NormalFormGame([rng.random((10, 10)), rng.random((10, 10))])


def test_a_forked_child_solves_a_game_whose_parent_started_the_vertex_threads() -> None:
    game = _bimatrix()
    expected = len(dt.solve(game, "nash", method="vertex_enumeration").equilibria)
    assert vertex_enumeration._executor.cache_info().currsize == 1  # the parent's pool is running
    found = _in_forked_child(lambda: len(dt.solve(game, "nash", method="vertex_enumeration").equilibria))
    assert found == expected > 0


def test_a_forked_child_runs_kernel_work_on_a_pool_of_its_own() -> None:
    parent_pool = _compiled._pool(2)
    assert parent_pool.submit(int, "7").result() == 7

    def child_job() -> tuple[bool, int]:
        pool = _compiled._pool(2)
        return pool is parent_pool, pool.submit(int, "7").result()

    assert _in_forked_child(child_job) == (False, 7)


def _explorer_kernel_ready() -> bool:
    from deterrence.explorer import _kernel

    future = _kernel.prepare(dt.load_model("brinkmanship"), "spe", "free")  # not compiled before
    return future.result(timeout=_HANG_GUARD)[0] is not None


def test_a_forked_child_compiles_an_explorer_kernel_whose_parent_started_the_compile_thread() -> None:
    from deterrence.explorer import _kernel

    _kernel.prepare(dt.load_model("egame12"), "spe", "free").result(timeout=_HANG_GUARD)
    assert _kernel._THREAD  # the parent's compile thread is running
    assert _in_forked_child(_explorer_kernel_ready)
