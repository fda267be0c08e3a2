"""The live explorer's server under requests its page never sends (no browser needed).

A student's browser, a mistyped address or a classroom opening the page all at once: unknown
paths, other methods, repeated or non-UTF-8 query keys, long addresses and many pages built at
the same time must each get a plain HTTP status, never a traceback, and the server's log must
stay free of errors. The server is started as a teacher starts it (``deterrence explore ...
--no-browser --port 0``, on 127.0.0.1). An unknown ``?model=`` is left to the tests of that
case.
"""

from __future__ import annotations

import socket
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers.explorer_server import request, start_explorer, stop_explorer
from helpers.waiting import HANG_GUARD


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[int, Path]]:
    """The explorer's port and the file its log (standard error) goes to."""
    with tempfile.TemporaryDirectory(prefix="dt-explore-") as folder:
        log = Path(folder) / "stderr.txt"
        with open(log, "w") as err:
            proc, port = start_explorer("mutual_deterrence", stderr=err)
        try:
            yield port, log
        finally:
            stop_explorer(proc)


@pytest.mark.parametrize(
    ("method", "target", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/no/such/page", 404),
        ("GET", "/static/../../etc/passwd", 403),  # outside the static folder: refused
        ("GET", "/%ff%fe", 404),
        ("GET", "/?model=mutual_deterrence&model=egame12", 200),  # the first ?model= counts
        ("GET", "/?%ff=1&x=" + "a" * 8000, 200),  # keys the page does not read are ignored
        ("GET", "/?bokeh-session-id=%ff", 400),
        ("HEAD", "/", 405),
        ("POST", "/", 405),
        ("PUT", "/", 405),
        ("OPTIONS", "/", 405),
        ("DELETE", "/", 405),
    ],
)
def test_odd_requests_get_a_plain_status(
    server: tuple[int, Path], method: str, target: str, status: int
) -> None:
    port, _log = server
    got, body = request(port, method, target)
    assert got == status, body[:500]
    assert "Traceback" not in body


def test_an_address_too_long_for_the_server_does_not_stop_it(server: tuple[int, Path]) -> None:
    """Tornado refuses a request line over its header limit by closing the connection; the server
    goes on answering."""
    port, _log = server
    with socket.create_connection(("127.0.0.1", port), timeout=HANG_GUARD) as s:
        s.sendall(b"GET /?x=" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        try:
            reply = s.recv(1024)
        except ConnectionResetError:
            reply = b""
    assert reply == b"" or reply.startswith(b"HTTP/1.1 4"), reply
    assert request(port, "GET", "/")[0] == 200


def test_a_class_opening_pages_at_once(server: tuple[int, Path]) -> None:
    """Many pages built at the same time (each starts its own solves and map) all arrive."""
    port, _log = server
    targets = ["/", "/?model=egame12", "/?model=brinkmanship", "/?model=mutual_deterrence"] * 3
    with ThreadPoolExecutor(len(targets)) as pool:
        statuses = list(pool.map(lambda t: request(port, "GET", t)[0], targets))
    assert statuses == [200] * len(targets)


def test_the_server_log_has_no_errors(server: tuple[int, Path]) -> None:
    """After the pages above (several models, each with its tree), Bokeh's checks of every
    document and the page callbacks logged no error and no traceback."""
    port, log = server
    for target in ("/", "/?model=egame12", "/?model=brinkmanship"):
        assert request(port, "GET", target)[0] == 200
    text = log.read_text()
    bad = [line for line in text.splitlines() if line.startswith("ERROR") or "Traceback" in line]
    assert not bad, bad[:5]
