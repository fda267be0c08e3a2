"""The explorer's event loop is never held by a compile: a class of pages stays served.

Every page of a server shares one event loop. The first compile of a kernel for a (model,
concept, belief policy) takes from a fraction of a second to several seconds; it runs on a
background thread, and a page that needs it shows "Preparing the compiled model…" at once and
draws its map when the kernel is ready. Here the compile is made slow on purpose: the real one,
behind a gate the test opens (:class:`SlowCompile`), so that the tests assert the order of events
(a page, another model's page and a 404 are answered while the compile is still held; the map
comes after it) with no clock involved. Every wait has a hang guard only.

The server runs in this process, on a thread with its own event loop, so that the gate can be
put in; the browser test drives it with headless Chromium (``tests/helpers/browser.py``).
"""

from __future__ import annotations

import asyncio
import os
import queue
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from helpers import browser
from helpers.explorer_pages import FakeDoc, pump_until  # a document whose callbacks wait for the test
from helpers.explorer_server import request
from helpers.waiting import HANG_GUARD

import deterrence as dt
from deterrence.explorer import _kernel
from deterrence.explorer._app import Page
from deterrence.explorer._regime_map import MapCache

SLOW = "extended_deterrence"


class SlowCompile:
    """The real :func:`._kernel.compiled`, held for one model until :meth:`release` (a compile
    taking as long as the test wants). ``started``/``finished``: the held compile's events."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, model: str, policy: str | None = None) -> None:
        self.model, self.policy = model, policy
        self.started, self.finished, self._gate = threading.Event(), threading.Event(), threading.Event()
        self._real = _kernel.compiled
        monkeypatch.setattr(_kernel, "_PREPARED", {})  # nothing prepared by earlier tests
        monkeypatch.setattr(_kernel, "compiled", self)

    def __call__(self, model: Any, concept: str, belief_policy: str) -> _kernel.Compiled:
        held = model.name == self.model and self.policy in (None, belief_policy)
        if held:
            self.started.set()
            assert self._gate.wait(HANG_GUARD), "the test never released the compile (hang guard)"
        result = self._real(model, concept, belief_policy)
        if held:
            self.finished.set()
        return result

    def release(self) -> None:
        self._gate.set()


@pytest.fixture
def slow(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlowCompile]:
    gate = SlowCompile(monkeypatch, SLOW)
    try:
        yield gate
    finally:
        gate.release()  # never leave the compile thread held


@pytest.fixture
def server(slow: SlowCompile) -> Iterator[int]:
    """An explorer of ``extended_deterrence`` (whose compile is held) in this process; its port."""
    config = dt.explorer.make_config(SLOW, x="credibility", y="cost_attacker")
    started: queue.Queue = queue.Queue()

    def run() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        try:
            running = dt.explorer.start(config, port=0, models=(SLOW, "mutual_deterrence", "egame12"))
        except BaseException as exc:  # handed to the test
            started.put(exc)
            raise
        started.put(running)
        running.run()

    thread = threading.Thread(target=run, name="explorer-under-test", daemon=True)
    thread.start()
    running = started.get(timeout=HANG_GUARD)
    if isinstance(running, BaseException):
        raise running
    try:
        yield running.port
    finally:
        slow.release()
        running.server.io_loop.add_callback(running.stop)
        thread.join(HANG_GUARD)


def test_pages_and_a_404_are_answered_while_a_compile_runs(server: int, slow: SlowCompile) -> None:
    """While the kernel of the server's model is compiled (the compile held), that model's page,
    another model's page and an unknown model's 404 all arrive. Before, a page's compile ran on
    the event loop: the first page waited for it, and every other request waited behind."""
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(request, server, "GET", "/")
        assert slow.started.wait(HANG_GUARD), "nothing started compiling the server's model"
        assert request(server, "GET", "/?model=mutual_deterrence")[0] == 200
        assert request(server, "GET", "/?model=no_such_model")[0] == 404
        assert first.result(HANG_GUARD)[0] == 200
        assert not slow.finished.is_set(), "the answers above came only after the compile"
    slow.release()
    assert slow.finished.wait(HANG_GUARD)
    assert request(server, "GET", "/")[0] == 200


def test_a_404_is_answered_while_a_page_is_built(server: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages are built off the event loop: while a page is being built (held here), an unknown
    model's 404 arrives. Before, every page was built on the loop, so every request waited for
    every page asked before it (a class of 28 opening a model at once: the last pages' websockets
    waited longer than a client's connect timeout)."""
    from deterrence.explorer import _app

    real, builders = _app.Page, []
    building, gate = threading.Event(), threading.Event()

    def held(doc: Any, config: Any, *args: Any) -> Any:
        builders.append(threading.current_thread().name)
        if config.model.name == "mutual_deterrence" and not building.is_set():
            building.set()
            assert gate.wait(HANG_GUARD), "the test never let the page be built (hang guard)"
        return real(doc, config, *args)

    monkeypatch.setattr(_app, "Page", held)
    try:
        with ThreadPoolExecutor(1) as pool:
            page = pool.submit(request, server, "GET", "/?model=mutual_deterrence")
            assert building.wait(HANG_GUARD), "the page was never built"
            assert request(server, "GET", "/?model=no_such_model")[0] == 404
            assert not page.done(), "the page arrived before its build was let go"
            gate.set()
            assert page.result(HANG_GUARD)[0] == 200
    finally:
        gate.set()  # never leave the builder held
    assert builders and "explorer-under-test" not in builders, builders  # not on the loop's thread


# ---------------------------------------------------------------------------- a page without a server
def _text(div: Any) -> str:
    import re

    return " ".join(re.sub(r"<style>.*?</style>|<[^>]+>", " ", div.text, flags=re.S).split())


def test_a_page_shows_preparing_then_its_map(slow: SlowCompile) -> None:
    """The page is built while the compile is held: it says so where the map goes, answers the
    point meanwhile (per point), and draws the compiled map once the kernel is ready."""
    cfg = dt.explorer.make_config(SLOW)
    page = Page(FakeDoc(), cfg, MapCache(), (SLOW,))
    try:
        assert page.compiled is None
        assert "Preparing the compiled model" in _text(page.map_status)
        pump_until(page, lambda: page.answer is not None, "the point was never answered")
        assert page.answer is not None and page.answer.ok and page.map is None
        assert "while the compiled model is prepared" in _text(page.status)
        assert not slow.finished.is_set()
        slow.release()
        pump_until(page, lambda: page.map is not None and page.map.complete, "the map never came")
        assert page.compiled is True and page.map.compiled
        assert "compiled" in _text(page.map_status) and "Preparing" not in _text(page.map_status)
        assert "(compiled model)" in _text(page.status)
    finally:
        page.close()


def test_a_belief_policy_switch_waits_for_its_own_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Switching to a belief policy (the same for a concept) whose kernel is being compiled shows the
    preparing state, not the previous policy's map, and then the new policy's map."""
    gate = SlowCompile(monkeypatch, SLOW, policy="prior")
    cfg = dt.explorer.make_config(SLOW)
    assert (cfg.concept, cfg.belief_policy) == ("pbe", "free")
    page = Page(FakeDoc(), cfg, MapCache(), (SLOW,))
    try:
        pump_until(page, lambda: page.map is not None and page.map.complete, "the first map never came")
        first_map = page.map
        page.policy_select.value = "prior"
        assert gate.started.wait(HANG_GUARD) and page.compiled is None
        assert "Preparing the compiled model" in _text(page.map_status)
        pump_until(page, lambda: page.answer_gen == page.point_gen, "the point was never answered")
        assert page.map is first_map and not gate.finished.is_set()
        gate.release()
        pump_until(page, lambda: page.map is not first_map and page.map.complete, "the new map never came")
        assert page.compiled is True and gate.finished.is_set() and page.map.compiled
    finally:
        gate.release()
        page.close()


def test_many_pages_share_one_compile(slow: SlowCompile) -> None:
    """Pages asking for the same kernel while it compiles wait on the same compile (it runs once)."""
    calls: list[str] = []
    real = slow._real

    def counted(model: Any, concept: str, belief_policy: str) -> _kernel.Compiled:
        calls.append(model.name)
        return real(model, concept, belief_policy)

    slow._real = counted
    cfg = dt.explorer.make_config(SLOW)
    futures = [_kernel.prepare(cfg.model, cfg.concept, cfg.belief_policy) for _ in range(5)]
    assert all(f is futures[0] for f in futures)
    slow.release()
    kernel, _why = futures[0].result(HANG_GUARD)
    assert kernel is not None and calls == [SLOW]
    again = _kernel.prepare(cfg.model, cfg.concept, cfg.belief_policy)
    assert again.done() and again.result()[0] is kernel and calls == [SLOW]


def test_a_compile_that_raises_is_logged_and_tried_again(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(_kernel, "_PREPARED", {})
    real = _kernel.compiled
    failures = [RuntimeError("compiler bug")]

    def failing_once(model: Any, concept: str, belief_policy: str) -> _kernel.Compiled:
        if failures:
            raise failures.pop()
        return real(model, concept, belief_policy)

    monkeypatch.setattr(_kernel, "compiled", failing_once)
    model = dt.load_model("mutual_deterrence")
    first = _kernel.prepare(model, "spe", "free")
    assert isinstance(first.exception(HANG_GUARD), RuntimeError)
    assert any("compiling mutual_deterrence" in r.getMessage() for r in caplog.records)
    again = _kernel.prepare(model, "spe", "free")
    assert again is not first and again.result(HANG_GUARD)[0] is not None


# ---------------------------------------------------------------------------- in the browser
WHY = browser.missing()


@pytest.fixture
def chromium() -> Iterator[Any]:
    if WHY is not None and not os.environ.get("CI"):
        pytest.skip(f"no browser: {WHY}")
    driver, profile = browser.start_chromium()
    try:
        yield driver
    finally:
        browser.stop_chromium(driver, profile)


def test_the_browser_shows_preparing_then_the_map(chromium: Any, server: int, slow: SlowCompile) -> None:
    chromium.get(f"http://127.0.0.1:{server}/")
    browser.wait_for(
        chromium,
        lambda d: "Preparing the compiled model" in browser.shown_text(d, "map_status"),
        "the page never said it was preparing the compiled model",
    )
    browser.wait_for(  # the point is answered meanwhile
        chromium,
        lambda d: "Regime:" in browser.shown_text(d, "indicators"),
        "the point was never answered while the kernel was prepared",
    )
    assert not slow.finished.is_set()
    slow.release()
    browser.wait_for(
        chromium,
        lambda d: "Map 41×41 (compiled)" in browser.shown_text(d, "map_status"),
        "the compiled map never arrived",
    )
    assert "compiled model" in browser.shown_text(chromium, "status")
    cells = "return Bokeh.documents[0].get_model_by_name('map_cells').data.x.length"
    assert chromium.execute_script(cells) > 0
