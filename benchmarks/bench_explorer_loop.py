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

Times are wall-clock seconds on this machine (load from other jobs included); compare runs made
under the same conditions.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: the first page's model: not the server's own (whose kernel the server may prepare as it starts)
FIRST = "unilateral_deterrence"
MODELS = ("extended_deterrence", "mutual_deterrence", "egame12", "brinkmanship", "unilateral_deterrence")


def start_server(code: Path) -> tuple[subprocess.Popen, int]:
    """The explorer of ``extended_deterrence`` running the package in the folder ``code``."""
    env = dict(os.environ, PYTHONPATH=str(code))
    proc = subprocess.Popen(
        [sys.executable, "-m", "deterrence", "explore", "extended_deterrence", "--no-browser", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=code,
    )
    assert proc.stdout is not None
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", proc.stdout.readline())
    if not match:
        proc.kill()
        raise SystemExit("the explorer did not print its address")
    return proc, int(match.group(1))


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


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
        stop_server(proc)


def a_class(code: Path, pages: int) -> tuple[float, float, float]:
    """(every page in, slowest page, the 404) for ``pages`` requests at once on a fresh server."""
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
        return total, max(a[2] for a in answers), took_404
    finally:
        stop_server(proc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=28)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.3, help="seconds between the first and second page")
    parser.add_argument(
        "--code", type=Path, nargs="+", default=[ROOT], help="checkouts whose package is measured, in turns"
    )
    args = parser.parse_args()
    seconds: dict[Path, list[tuple[float, ...]]] = {code: [] for code in args.code}
    classes: dict[Path, list[tuple[float, ...]]] = {code: [] for code in args.code}
    for _ in range(args.repeats):  # in turns: the machine's load changes over a run
        for code in args.code:
            seconds[code].append(second_page(code, args.delay))
            classes[code].append(a_class(code, args.pages))
    for code in args.code:
        ttfb, whole = zip(*seconds[code], strict=True)
        total, _slowest, missing = zip(*classes[code], strict=True)
        print(f"{code}:")
        print(
            f"  second page while the first is prepared: first byte median {statistics.median(ttfb):.2f} s "
            f"(all: {_all(ttfb)}); first page {statistics.median(whole):.2f} s"
        )
        print(
            f"  {args.pages} pages at once: all in after median {statistics.median(total):.2f} s "
            f"(all: {_all(total)}); the 404 took {statistics.median(missing):.2f} s (all: {_all(missing)})"
        )
    return 0


def _all(values: tuple[float, ...]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    raise SystemExit(main())
