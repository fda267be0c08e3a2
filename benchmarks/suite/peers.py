"""Run peer tools in worker subprocesses, with a time limit per job.

One :class:`PeerPool` keeps one worker process per tool (``peer_worker.py``), so imports and
just-in-time compilation are paid once per tool, not per job. A job that exceeds its time
limit gets its worker killed (by pid; the next job of that tool starts a fresh worker) and is
reported as a timeout together with the repeats it completed.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WORKER = Path(__file__).with_name("peer_worker.py")
SETUP_LIMIT = 300.0  # seconds allowed for a worker to import its tool and warm up


@dataclass
class PeerRun:
    """What one peer job returned."""

    tool: str
    status: str  # "ok" | "timeout" | "error"
    records: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    @property
    def results(self) -> list | None:
        """Per item, what the tool returned in its first repeat (``None`` if it did not finish one)."""
        return self.records[0].get("results") if self.records else None


class _Worker:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def send(self, job: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()

    def next(self, deadline: float) -> dict[str, Any] | None:
        """The next message, ``{}`` at end of output, ``None`` if ``deadline`` passes first."""
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        try:
            line = self.lines.get(timeout=left)
        except queue.Empty:
            return None
        return {} if line is None else json.loads(line)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def close(self) -> None:
        if self.proc.poll() is None and self.proc.stdin is not None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


class PeerPool:
    """Worker processes by tool name; use as a context manager."""

    def __init__(self) -> None:
        self.workers: dict[str, _Worker] = {}

    def __enter__(self) -> PeerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        for w in self.workers.values():
            w.close()
        self.workers.clear()

    def run(
        self,
        tool: str,
        items: list[Any],
        repeats: int,
        budget: float,
        timeout: float,
        item_budget: float | None = None,
    ) -> PeerRun:
        """Time ``tool`` on ``items``; at most ``timeout`` seconds once the tool is loaded."""
        worker = self.workers.get(tool)
        if worker is None or worker.proc.poll() is not None:
            worker = self.workers[tool] = _Worker()
        worker.send(
            {"tool": tool, "items": items, "repeats": repeats, "budget": budget, "item_budget": item_budget}
        )
        out = PeerRun(tool, "ok")
        deadline = time.monotonic() + SETUP_LIMIT
        while True:
            msg = worker.next(deadline)
            if msg is None:
                worker.kill()
                del self.workers[tool]
                out.status = "timeout"
                return out
            if msg == {}:
                out.status, out.error = "error", "the worker exited"
                del self.workers[tool]
                return out
            if msg.get("ready"):
                deadline = time.monotonic() + timeout
            elif "error" in msg:
                out.status, out.error = "error", msg["error"]
                return out
            elif msg.get("done"):
                return out
            else:
                out.records.append(msg)
