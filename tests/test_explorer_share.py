"""Pages asking for the same map at the same time share one computation (:class:`MapCache`).

A class opening the same model asks for the same regime map from many pages at once. The map
is computed once and every page asking for the same settings gets that result; a page with any
other setting (a slider, the axes, the concept, the policy, the grid) gets its own. The order
of events is forced by gates the tests open (the real map computation, or the real per-row
sweep, held until the test says), never by a clock; every wait has a hang guard only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import pandas as pd
import pytest
from helpers.explorer_pages import FakeDoc, pump_until
from helpers.waiting import HANG_GUARD, wait_until

import deterrence as dt
from deterrence.explorer import _regime_map
from deterrence.explorer._app import Page
from deterrence.explorer._regime_map import MapCache, MapRequest, RegimeMap


class HeldCompute:
    """The real :func:`._regime_map.compute`, each call held until :meth:`release`; records the
    requests it was called with and what each call returned."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[MapRequest] = []
        self.results: dict[tuple, RegimeMap] = {}
        self.started = threading.Event()
        self._gate = threading.Event()
        self._real = _regime_map.compute
        monkeypatch.setattr(_regime_map, "compute", self)

    def __call__(self, req: MapRequest, on_row: Any = None) -> RegimeMap:
        self.calls.append(req)
        self.started.set()
        assert self._gate.wait(HANG_GUARD), "the test never released the map (hang guard)"
        result = self._real(req, on_row)
        self.results[req.key()] = result
        return result

    def release(self) -> None:
        self._gate.set()


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldCompute]:
    gate = HeldCompute(monkeypatch)
    try:
        yield gate
    finally:
        gate.release()  # never leave a worker held


def _request(
    model: str = "brinkmanship", cells: int = 5, belief_policy: str | None = None, **values: float
) -> MapRequest:
    cfg = dt.explorer.make_config(model, grid=cells)
    return _regime_map.request(
        cfg.model,
        cfg.concept,
        belief_policy or cfg.belief_policy,
        cfg.x,
        cfg.y,
        cfg.ranges,
        cfg.grid,
        {**cfg.values, **values},
    )


def _listeners(cache: MapCache, req: MapRequest) -> int:
    with cache._lock:
        running = cache._running.get(req.key())
        return len(running.listeners) if running else 0


def _ask_at_once(cache: MapCache, requests: list[MapRequest], held: HeldCompute) -> list[Any]:
    """Every request asked from its own thread while the first computation is held; released once
    each request waits (on a computation of its own or on another's)."""
    with ThreadPoolExecutor(len(requests)) as pool:
        futures = [pool.submit(cache.compute, r) for r in requests]
        distinct = {r.key() for r in requests}
        waiting = lambda: sum(_listeners(cache, r) for r in {r.key(): r for r in requests}.values())  # noqa: E731
        wait_until(
            lambda: len(held.calls) == len(distinct) and waiting() == len(requests),
            "the pages never all asked",
            _nap,
        )
        held.release()
        return [f.result(HANG_GUARD) for f in futures]


def test_pages_asking_for_the_same_map_at_once_share_one_computation(held: HeldCompute) -> None:
    cache = MapCache()
    req = _request()
    maps = _ask_at_once(cache, [req] * 6, held)
    assert len(held.calls) == 1
    assert all(m is held.results[req.key()] for m in maps) and maps[0].complete
    assert cache.get(req.key()) is maps[0]  # and the next page finds it finished
    assert cache._running == {}  # nothing left behind


@pytest.mark.parametrize(
    "change",
    [
        lambda r: replace(r, fixed=tuple((k, v + 0.01 if k == r.fixed[0][0] else v) for k, v in r.fixed)),
        lambda r: replace(r, x=r.y, y=r.x, x_range=r.y_range, y_range=r.x_range),
        lambda r: replace(r, cells=r.cells + 2),
        lambda r: replace(r, selection="optimistic"),
        lambda r: replace(r, concept="nash"),
    ],
    ids=["a slider", "the axes", "the grid", "the selection", "the concept"],
)
def test_a_page_with_other_settings_gets_its_own_map(
    held: HeldCompute, change: Callable[[MapRequest], MapRequest]
) -> None:
    """Never another page's settings: each request's answer is the computation of its own request."""
    cache = MapCache()
    base = _request()
    other = change(base)
    assert other.key() != base.key()
    maps = _ask_at_once(cache, [base, other, base, other], held)
    assert sorted(r.key() == base.key() for r in held.calls) == [False, True]
    assert maps[0] is maps[2] is held.results[base.key()]
    assert maps[1] is maps[3] is held.results[other.key()]


def test_per_point_maps_of_the_same_settings_share_whatever_their_cells(held: HeldCompute) -> None:
    """A page's per-point map is coarser than the full map by its own solving time, and is kept
    under the full map's key (as in the cache): two pages at the same settings share one."""
    cache = MapCache()
    full = _request("chain_store", cells=7, belief_policy="d1")  # d1 does not compile: per point
    coarse = [replace(full, cells=5), replace(full, cells=3)]
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(cache.compute, r, None, lambda: True, full.key()) for r in coarse]
        wait_until(lambda: len(held.calls) > 1 or _listeners(cache, full) == 2, "the pages never asked", _nap)
        held.release()
        maps = [f.result(HANG_GUARD) for f in futures]
    assert len(held.calls) == 1 and maps[0] is maps[1] and cache.get(full.key()) is maps[0]


def test_a_page_that_moved_on_stops_waiting_and_the_others_still_get_the_map(held: HeldCompute) -> None:
    cache = MapCache()
    req = _request()
    moved_on = threading.Event()
    with ThreadPoolExecutor(2) as pool:
        owner = pool.submit(cache.compute, req)
        assert held.started.wait(HANG_GUARD)
        leaver = pool.submit(cache.compute, req, None, lambda: not moved_on.is_set())
        wait_until(lambda: _listeners(cache, req) == 2, "the second page never asked", _nap)
        moved_on.set()
        assert leaver.result(HANG_GUARD) is None  # while the map is still held: it did not wait for it
        held.release()
        assert owner.result(HANG_GUARD).complete
    assert len(held.calls) == 1


def test_a_failing_map_is_raised_to_every_page_waiting_for_it(monkeypatch: pytest.MonkeyPatch) -> None:
    started, gate = threading.Event(), threading.Event()

    def failing(req: MapRequest, on_row: Any = None) -> RegimeMap:
        started.set()
        assert gate.wait(HANG_GUARD), "hang guard"
        raise dt.SolverError("no map here")

    monkeypatch.setattr(_regime_map, "compute", failing)
    cache, req = MapCache(), _request()
    with ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(cache.compute, req)]
        assert started.wait(HANG_GUARD)
        futures += [pool.submit(cache.compute, req) for _ in range(2)]
        wait_until(lambda: _listeners(cache, req) == 3, "the pages never asked", _nap)
        gate.set()
        for future in futures:
            with pytest.raises(dt.SolverError, match="no map here"):
                future.result(HANG_GUARD)
    assert cache._running == {} and cache.get(req.key()) is None  # tried again by the next page


class HeldRows:
    """The real per-point map with each row's sweep replaced by an empty table, held until the
    test lets one more row through (:meth:`next_row`)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.rows = 0
        self._asked = threading.Semaphore(0)
        self._allowed = threading.Semaphore(0)
        monkeypatch.setattr(_regime_map, "_sweep", self)

    def __call__(self, req: MapRequest, grid: dict, path: str) -> pd.DataFrame:
        self._asked.release()
        assert self._allowed.acquire(timeout=HANG_GUARD), "the test never let the row through (hang guard)"
        self.rows += 1
        return pd.DataFrame()

    def next_row(self) -> None:
        assert self._asked.acquire(timeout=HANG_GUARD), "no row was asked for (hang guard)"
        self._allowed.release()

    def finish(self) -> None:
        for _ in range(1000):
            self._allowed.release()


def test_a_per_point_map_goes_on_for_the_page_still_waiting_and_stops_when_none_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first page moved on: the map goes on for the second (which sees every row); once the
    second moves on too, the map stops after the row in hand."""
    rows = HeldRows(monkeypatch)
    cache = MapCache()
    # d1 beliefs do not compile: a per-point map, row by row
    req = _request("chain_store", cells=5, belief_policy="d1")
    assert _regime_map._kernel.compiled(req.model, req.concept, req.belief_policy)[0] is None
    first_wants, second_wants = threading.Event(), threading.Event()
    first_wants.set()
    second_wants.set()
    seen: list[int] = []
    try:
        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(cache.compute, req, None, first_wants.is_set)
            rows.next_row()  # row 1
            second = pool.submit(cache.compute, req, lambda m: seen.append(m.rows_done), second_wants.is_set)
            wait_until(lambda: _listeners(cache, req) == 2, "the second page never asked", _nap)
            first_wants.clear()
            rows.next_row()  # row 2: the first page no longer wants the map, the second does
            wait_until(lambda: seen[-1:] == [2], "the second page never saw row 2", _nap)
            second_wants.clear()
            assert second.result(HANG_GUARD) is None  # it stopped waiting
            rows.next_row()  # row 3, for nobody: the map stops here
            stopped = first.result(HANG_GUARD)
    finally:
        rows.finish()
    assert seen == [1, 2]
    assert stopped.rows_done == rows.rows == 3 and not stopped.complete
    assert cache.get(req.key()) is None and cache._running == {}


def _nap() -> None:
    time.sleep(0.01)


def test_two_pages_of_the_same_model_and_values_compute_one_map(held: HeldCompute) -> None:
    """Two tabs of the same model at the same slider values: one computation, both pages draw it."""
    cfg = dt.explorer.make_config("brinkmanship", grid=5)
    cache = MapCache()
    pages = [Page(FakeDoc(), cfg, cache, ()) for _ in range(2)]
    try:
        for page in pages:
            pump_until(page, lambda p=page: p.map_key is not None, "the page never asked for its map")
        wait_until(
            lambda: len(held.calls) > 1 or (held.calls and _listeners(cache, held.calls[0]) == 2),
            "the two pages never both asked for the map",
            _nap,
        )
        held.release()
        for page in pages:
            pump_until(
                page, lambda p=page: p.map is not None and p.map.complete, "the page never got its map"
            )
        assert len(held.calls) == 1 and pages[0].map is pages[1].map
    finally:
        for page in pages:
            page.close()
