"""Explorer pages driven by the test: a Bokeh document whose next-tick callbacks wait in a queue
until the test runs them (:class:`FakeDoc`), and the loops that run them (:func:`pump_until`,
:func:`pump`), each bounded by the hang guard of :mod:`helpers.waiting`."""

from __future__ import annotations

import contextlib
import queue
from collections.abc import Callable
from typing import Any

from bokeh.document import Document

from .waiting import wait_until


class FakeDoc(Document):
    """A Bokeh document whose next-tick callbacks wait in a queue until :func:`pump` runs them."""

    def __init__(self) -> None:
        super().__init__()
        self.ticks: queue.Queue = queue.Queue()

    def add_next_tick_callback(self, callback: Any) -> Any:
        self.ticks.put(callback)

    def add_timeout_callback(self, callback: Any, timeout_milliseconds: int) -> Any:
        return None  # the "computing" box: not needed here

    def on_session_destroyed(self, *callbacks: Any) -> None:
        return None


def pump_until(page: Any, condition: Callable[[], bool], what: str) -> None:
    """Run the page's document callbacks until ``condition()`` holds."""

    def run_a_tick() -> None:
        with contextlib.suppress(queue.Empty):
            page.doc.ticks.get(timeout=0.05)()

    wait_until(condition, what, run_a_tick)


def pump(page: Any) -> None:
    """Run the document's callbacks until both workers are idle and nothing is queued."""
    pump_until(
        page,
        lambda: page.points.idle and page.maps.idle and page.doc.ticks.empty(),
        "the page's workers never settled",
    )
