"""The explorer's one use of the compiled kernels (:mod:`deterrence.kernels`), kept here alone.

Two questions, answered on compiled models in a few milliseconds:

* does this (model, concept, belief policy) compile? (the page then promises fast answers and
  draws a fine map; otherwise it solves per point and says so);
* is a point a *knife edge*? The kernels' ``knife_edges`` says where the equilibria change
  within a hair of the point (a tie between actions, a mixing probability at 0 or 1, a regime
  boundary); the page says so next to the equilibria found there.

The first compile of a (model, concept, belief policy) takes from a fraction of a second to
several seconds (sympy, and numba on a machine's very first use). The server's event loop
never waits for it: :func:`prepare` runs it on one background thread (:class:`_CompileThread`)
and hands back a future, one per (model, concept, policy) however many pages ask, so a page
shows at once and fills in its map when the future is done. A thread is enough: the loop
still gets the interpreter every few milliseconds (a process could not hand the kernel back,
whose lambdified functions do not pickle). The server also starts the compile of its first
model's kernel as it starts (:func:`prepare` from :func:`._server.start`).

When the kernels' internals move, only this module needs to follow.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from typing import Any

import numpy as np
import pandas as pd

import deterrence as dt
from deterrence.sweeps import baseline_of

log = logging.getLogger(__name__)
_LOCK = threading.Lock()

#: the kernel (or ``None``) and the reason it does not compile
Compiled = tuple[Any | None, str]


class _CompileThread:
    """One daemon thread that runs the compiles :func:`prepare` hands it, in order (a daemon:
    stopping the server never waits for a compile nobody needs any more)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Future, Callable[[], Any]]] = queue.SimpleQueue()
        threading.Thread(target=self._run, name="explorer-compile", daemon=True).start()

    def submit(self, job: Callable[[], Any]) -> Future:
        future: Future = Future()
        self._jobs.put((future, job))
        return future

    def _run(self) -> None:
        while True:
            future, job = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job())
            except BaseException as exc:  # handed to whoever waits on the future; the thread goes on
                future.set_exception(exc)


_PREPARED: dict[tuple[int, str, str], tuple[Any, Future]] = {}
_PREPARED_LOCK = threading.Lock()
_THREAD: list[_CompileThread] = []


def _forget_compiles() -> None:
    """In a child forked from a process that compiled here: the compile thread is not there (a
    fork copies only the forking thread), so the futures it would have finished never finish,
    and the lock may be held by a thread that is gone. Forget them all: the child starts its own
    thread on its first :func:`prepare` (what ``kernels._compiled`` does with its pools)."""
    global _PREPARED_LOCK
    _PREPARED_LOCK = threading.Lock()
    _PREPARED.clear()
    _THREAD.clear()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_forget_compiles)


def prepare(model: Any, concept: str, belief_policy: str) -> Future:
    """A future of :func:`compiled` for this (model, concept, policy), compiled on the background
    thread: the same future for every caller (done at once for one compiled before; a compile
    that raised, logged with its traceback, is tried again by the next caller). Never blocks:
    for the server's event loop."""
    key = (id(model), concept, belief_policy)  # the model is kept in the entry: its id stays its own
    with _PREPARED_LOCK:
        entry = _PREPARED.get(key)
        if entry is not None and entry[0] is model and not _failed(entry[1]):
            return entry[1]
        if not _THREAD:
            _THREAD.append(_CompileThread())
        future = _THREAD[0].submit(lambda: _compile_logged(model, concept, belief_policy))
        _PREPARED[key] = (model, future)
    future.add_done_callback(lambda done: _keep_result_only(key, model, done))
    return future


def _keep_result_only(key: tuple[int, str, str], model: Any, future: Future) -> None:
    """Keep a finished compile as a new future holding its result alone: the one the pages waited
    on holds their callbacks (and through them the pages) for as long as it is kept."""
    if _failed(future):
        return
    settled: Future = Future()
    settled.set_result(future.result())
    with _PREPARED_LOCK:
        if key in _PREPARED and _PREPARED[key][1] is future:
            _PREPARED[key] = (model, settled)


def _failed(future: Future) -> bool:
    return future.done() and (future.cancelled() or future.exception() is not None)


def _compile_logged(model: Any, concept: str, belief_policy: str) -> Compiled:
    try:
        return compiled(model, concept, belief_policy)
    except BaseException:  # a bug (the page then solves per point): the log has the traceback
        log.exception("compiling %s (%s, %s) failed", getattr(model, "name", "?"), concept, belief_policy)
        raise


def compiled(model: Any, concept: str, belief_policy: str) -> Compiled:
    """The compiled model, or ``None`` and the reason it does not compile (blocks while it
    compiles: for worker threads; the event loop asks :func:`prepare`)."""
    if concept not in ("pbe", "spe"):
        return None, f"no compiled kernel serves {concept}"
    own = getattr(model, "compiled_kernel", None)
    if callable(own):  # a model family brings its own vectorised evaluation
        try:
            kernel = own(concept, belief_policy, "compiled")
        except dt.UnsupportedError as exc:
            return None, str(exc)
        return kernel, ""
    from deterrence.kernels import compile_model

    try:
        with _LOCK:  # the kernels' compile cache is a plain dict
            kernel = compile_model(model, concept, belief_policy)
    except (dt.UnsupportedError, dt.ResourceError) as exc:
        return None, str(exc)
    if not kernel.decides_some_probe_point():
        return None, ("the compiled kernel hands every point of this model back to the per-point "
                      "solver: every point is solved on its own")
    return kernel, ""


def map_path(model: Any, concept: str, belief_policy: str) -> str:
    """The ``path`` the page's map sweeps take: ``"compiled"`` where the model and its no-pledge
    baseline (if it has one) compile (blocks while they do), so that the kernels this process holds
    draw every map, however few its points (a sweep's ``path="auto"`` counts the compile's cost
    even for a kernel held already, and sends a row of a few dozen cells per point); else
    ``"auto"``."""
    if compiled(model, concept, belief_policy)[0] is None:
        return "auto"
    baseline = baseline_of(model)
    if baseline is not None and compiled(baseline, concept, belief_policy)[0] is None:
        return "auto"
    return "compiled"


def knife_edge(
    model: Any,
    concept: str,
    belief_policy: str,
    values: Mapping[str, float],
    regimes: Sequence[str] | None = None,
) -> bool | None:
    """Whether the point is a knife edge (the compiled kernel's equilibria change within a hair of
    it; ``regimes``: those of the equilibria solved at the point, if known); ``None`` when the
    model does not compile for this concept, or its kernel (a model family's own) cannot tell."""
    kernel, _ = compiled(model, concept, belief_policy)
    if kernel is None or not hasattr(kernel, "knife_edges"):  # a model family's kernel has no such test
        return None
    point = pd.DataFrame({name: np.array([float(values[name])]) for name in model.parameters})
    domains = {n: (float(p.domain[0]), float(p.domain[1])) for n, p in model.parameters.items()}
    try:
        known = None if regimes is None else [regimes]
        solve = _point_solver(model, concept, belief_policy)
        return bool(kernel.knife_edges(point, domains, regimes_at=known, solve_point=solve)[0])
    except (ValueError, ArithmeticError):  # values the kernel cannot evaluate: let the solver speak
        return None


def _point_solver(model: Any, concept: str, belief_policy: str) -> Any:
    """The regimes of the equilibria at a point, solved per point (for the points the kernel
    hands to the per-point solver, such as those where Nature never draws a type)."""
    options = {"belief_policy": belief_policy} if concept == "pbe" else {}

    def solve(values: Mapping[str, float]) -> list[str]:
        eqs = dt.solve(model.game(**values), concept, **options)
        return [dt.regime_label(eq.outcomes, eq.is_pure()) for eq in eqs]

    return solve
