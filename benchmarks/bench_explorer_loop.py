"""Benchmark: does the explorer's server stay responsive while pages are being prepared?

Run from the repository root::

    python benchmarks/bench_explorer_loop.py                 # both measurements, a fresh server each
    python benchmarks/bench_explorer_loop.py --pages 28 --repeats 3
    python benchmarks/bench_explorer_loop.py --code /path/to/before . # two checkouts, in turns

Each measurement starts the real server (``deterrence explore extended_deterrence --no-browser
--port 0``) in a fresh process, so no kernel is compiled yet, and uses plain HTTP (the stdlib
client; a page's first byte is what a browser waits for before it draws anything):

* **second page**: ask for the first page (``unilateral_deterrence``, whose kernel is not
  compiled yet), and ``--delay`` seconds later for a page of another model; prints the time to first byte
  of the second page and the time the first page took.
* **a class at once**: ``--pages`` page requests over the catalogue's models at the same moment,
  and a request for a model that does not exist sent just after them; prints the time until every
  page has arrived, the slowest page, and how long the 404 took.
* **a class's maps**: ``--pages`` live pages (Bokeh client sessions over the websocket, as a
  browser tab holds one) over the same models opened at the same moment; prints the time until
  every page shows its finished regime map (its map status reads "Map ..."), and the slowest
  page. Pages of the same model show the same map, so this is what sharing maps between pages
  saves. Each session waits at most :data:`HANG_GUARD` seconds (a hang guard: a page that never
  gets its map is reported as such, never waited on for ever).

``--measure`` picks some of them (default: all three).

Times are wall-clock seconds on this machine (load from other jobs included); compare runs made
under the same conditions.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import math
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from helpers.explorer_server import start_explorer, stop_explorer  # noqa: E402  (the tests' server helper)
from helpers.waiting import HANG_GUARD  # noqa: E402

#: the first page's model: not the server's own (whose kernel the server may prepare as it starts)
FIRST = "unilateral_deterrence"
MODELS = ("extended_deterrence", "mutual_deterrence", "egame12", "brinkmanship", "unilateral_deterrence")


def start_server(code: Path) -> tuple[subprocess.Popen, int]:
    """The explorer of ``extended_deterrence`` running the package in the folder ``code``."""
    return start_explorer("extended_deterrence", code=code, stderr=subprocess.DEVNULL)


def get(port: int, target: str) -> tuple[int, float, float]:
    """Status, seconds to the first byte of the answer and seconds to its last byte."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        conn.request("GET", target)
        response = conn.getresponse()  # returns once the status line (the first bytes) arrived
        first = time.perf_counter() - started
        response.read()
        return response.status, first, time.perf_counter() - started
    finally:
        conn.close()


def second_page(code: Path, delay: float) -> tuple[float, float]:
    """(first byte of the second page, whole first page) on a fresh server."""
    proc, port = start_server(code)
    try:
        get(port, "/no/such/page")  # the server is up and listening
        results: dict[str, tuple[int, float, float]] = {}
        first = threading.Thread(target=lambda: results.update(a=get(port, f"/?model={FIRST}")))
        first.start()
        time.sleep(delay)
        results["b"] = get(port, "/?model=mutual_deterrence")
        first.join()
        assert results["a"][0] == 200 and results["b"][0] == 200, results
        return results["b"][1], results["a"][2]
    finally:
        stop_explorer(proc)


def a_class(code: Path, pages: int) -> tuple[float, float, float]:
    """(every page in, the latest first byte of a page, the 404) for ``pages`` requests at once on
    a fresh server."""
    proc, port = start_server(code)
    try:
        get(port, "/no/such/page")
        targets = [f"/?model={MODELS[k % len(MODELS)]}" for k in range(pages)]
        started = time.perf_counter()
        with ThreadPoolExecutor(pages + 1) as pool:
            futures = [pool.submit(get, port, t) for t in targets]
            time.sleep(0.05)
            missing = pool.submit(get, port, "/?model=no_such_model")
            answers = [f.result() for f in futures]
            status_404, _first, took_404 = missing.result()
        total = time.perf_counter() - started
        assert all(a[0] == 200 for a in answers) and status_404 == 404, (answers, status_404)
        return total, max(a[1] for a in answers), took_404
    finally:
        stop_explorer(proc)


def page_map_seconds(port: int, model: str) -> tuple[float, str]:
    """Open a live page of ``model`` (a Bokeh client session, on this thread's own event loop) and
    wait until its map status says the map is drawn (or no map): the seconds, and that status."""
    from bokeh.client import connection, pull_session
    from tornado.httpclient import HTTPRequest
    from tornado.ioloop import IOLoop

    # a class's pages are built one after another: the last page's websocket may wait longer than
    # the client's 20 s default (a browser waits on); the hang guard instead
    connection.HTTPRequest = partial(HTTPRequest, connect_timeout=HANG_GUARD, request_timeout=HANG_GUARD)
    asyncio.set_event_loop(asyncio.new_event_loop())
    loop = IOLoop.current()
    started = time.perf_counter()
    session = pull_session(url=f"http://127.0.0.1:{port}/", io_loop=loop, arguments={"model": model})
    status = session.document.get_model_by_name("map_status")
    done: list[float] = []

    def check(_attr: str, _old: object, _new: object) -> None:
        if not done and (status.text.startswith("<small>Map ") or "No map" in status.text):
            done.append(time.perf_counter() - started)
            session.close()

    status.on_change("text", check)
    check("text", None, None)
    loop.call_later(HANG_GUARD, session.close)  # the hang guard
    if not done:
        session._loop_until_closed()  # Bokeh's client has no public "serve this session until closed"
    loop.close()
    if done:
        return done[0], status.text
    why = session._connection.error_detail if session._connection.error_reason else "the hang guard"
    return math.inf, f"no map ({why}); the page said: {status.text[status.text.rfind('<div'):]}"


def class_maps(code: Path, pages: int) -> tuple[float, float, float]:
    """(every page shows its map or gave up, the fastest page, how many pages got no map) for
    ``pages`` live pages opened at once (each page without a map is printed with the reason)."""
    proc, port = start_server(code)
    try:
        get(port, "/no/such/page")
        models = [MODELS[k % len(MODELS)] for k in range(pages)]
        started = time.perf_counter()
        with ThreadPoolExecutor(pages) as pool:
            answers = list(pool.map(lambda m: page_map_seconds(port, m), models))
        total = time.perf_counter() - started
        failed = [text for seconds, text in answers if not math.isfinite(seconds) or "No map" in text]
        for text in failed:
            print(f"{code}: a page got no map: {text}", file=sys.stderr)
        return total, min(seconds for seconds, _ in answers), float(len(failed))
    finally:
        stop_explorer(proc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=28)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.3, help="seconds between the first and second page")
    parser.add_argument(
        "--code", type=Path, nargs="+", default=[ROOT], help="checkouts whose package is measured, in turns"
    )
    parser.add_argument(
        "--measure", nargs="+", choices=("second", "class", "maps"), default=["second", "class", "maps"]
    )
    args = parser.parse_args()
    runs = {m: {c: [] for c in args.code} for m in args.measure}
    for _ in range(args.repeats):  # in turns: the machine's load changes over a run
        for code in args.code:
            if "second" in runs:
                runs["second"][code].append(second_page(code, args.delay))
            if "class" in runs:
                runs["class"][code].append(a_class(code, args.pages))
            if "maps" in runs:
                runs["maps"][code].append(class_maps(code, args.pages))
    for code in args.code:
        print(f"{code}:")
        for measure, by_code in runs.items():
            print("  " + _summary(measure, by_code[code], args.pages))
    return 0


def _summary(measure: str, runs: list[tuple[float, ...]], pages: int) -> str:
    """One line for one measurement's runs on one checkout."""
    columns = list(zip(*runs, strict=True))
    if measure == "second":
        ttfb, whole = columns
        return (
            f"second page while the first is prepared: first byte median {_median(ttfb)} "
            f"(all: {_all(ttfb)}); first page {_median(whole)}"
        )
    if measure == "class":
        total, last_first_byte, missing = columns
        return (
            f"{pages} pages at once: all in after median {_median(total)} (all: {_all(total)}); "
            f"the last page's first byte after {_median(last_first_byte)} (all: {_all(last_first_byte)}); "
            f"the 404 took {_median(missing)} (all: {_all(missing)})"
        )
    total, fastest, failed = columns
    return (
        f"{pages} live pages at once: every map shown after median {_median(total)} "
        f"(all: {_all(total)}); the first map after {_median(fastest)} (all: {_all(fastest)})"
        + (f"; pages without a map: {sum(failed):.0f}" if sum(failed) else "")
    )


def _median(values: tuple[float, ...]) -> str:
    return f"{statistics.median(values):.2f} s"


def _all(values: tuple[float, ...]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    raise SystemExit(main())
