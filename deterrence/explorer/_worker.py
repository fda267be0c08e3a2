"""A background thread that runs the latest request only (a page's slow work off the server loop).

While a slider is dragged, requests come faster than answers: :class:`LatestWorker` keeps one
waiting request, and a new one replaces it, so the page never works through a backlog of
positions the slider has already left. An optional ``delay`` waits for the requests to settle
(used for maps, which are redrawn when the slider rests). Results are handed to a callback on
the worker's thread; the page moves them onto its document with ``add_next_tick_callback``.

The worker outlives its callbacks' failures: an error raised by a callback is logged (logger
``deterrence.explorer._worker``) and the next request runs, and the worker counts as idle again
whatever a job or a callback raised.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class LatestWorker:
    """Run ``job()`` then ``done(result_or_exception)`` for the latest submission only."""

    def __init__(self, name: str, delay: float = 0.0) -> None:
        self._delay = delay
        self._pending: tuple[Callable[[], Any], Callable[[Any], None]] | None = None
        self._submitted = 0.0
        self._closed = False
        self._busy = False
        self._cv = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=f"explorer-{name}", daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Queue ``job`` in place of any request still waiting."""
        with self._cv:
            self._pending = (job, done)
            self._submitted = time.monotonic()
            self._cv.notify()

    @property
    def idle(self) -> bool:
        """No request waiting or running."""
        with self._cv:
            return self._pending is None and not self._busy

    @property
    def closed(self) -> bool:
        """:meth:`close` was called (a running job may poll this to stop early)."""
        with self._cv:
            return self._closed

    def close(self) -> None:
        """Stop after the running job (a running solve cannot be interrupted; its result is dropped)."""
        with self._cv:
            self._closed = True
            self._pending = None
            self._cv.notify()

    def _take(self) -> tuple[Callable[[], Any], Callable[[Any], None]] | None:
        with self._cv:
            while not self._closed:
                if self._pending is None:
                    self._cv.wait()
                    continue
                wait = self._submitted + self._delay - time.monotonic()
                if wait > 0:
                    self._cv.wait(wait)
                    continue
                item, self._pending = self._pending, None
                self._busy = True
                return item
            return None

    def _run(self) -> None:
        while (item := self._take()) is not None:
            job, done = item
            try:
                result: Any = job()
            except Exception as exc:  # handed to the page, which shows a message
                result = exc
            finally:
                with self._cv:
                    self._busy = False
                    closed = self._closed
            if not closed:
                self._hand_over(done, result)

    def _hand_over(self, done: Callable[[Any], None], result: Any) -> None:
        """``done(result)``; an error it raises is logged, and the worker goes on to the next request."""
        try:
            done(result)
        except Exception:
            log.exception("explorer worker %r: the callback of a request failed", self._thread.name)
