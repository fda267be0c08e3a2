"""Launching the explorer: a Bokeh server on a loopback address, offline.

The server listens on ``127.0.0.1`` only and serves BokehJS and every style from the installed
``bokeh`` package (Bokeh's ``server`` resources: no CDN, no network). Each browser tab gets its
own page (:class:`._app.Page`); ``?model=NAME`` picks a catalogue model. A name that is no model
here is answered 404 with the reason (and the closest name) before any page is made; a page of a
known model that cannot be built shows the reason in the browser, never a blank page.

Every page shares the server's one event loop, so nothing slow runs on it: the compiled kernels
are prepared on a background thread (:func:`._kernel.prepare`), the first model's as the server
starts, the pages are built on one builder thread (:func:`_page_handler`), and each page's solves
and maps run on its own worker threads (:mod:`._worker`).
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import sys
import webbrowser
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import deterrence as dt

from ..errors import close_match_hint
from . import DEFAULT_PORT, HOST, _kernel
from ._config import ExplorerConfig, make_config
from ._regime_map import MapCache

log = logging.getLogger(__name__)


@dataclass
class RunningServer:
    """A started explorer server (its loop is not running yet: call :meth:`run`)."""

    server: Any
    url: str
    port: int
    closed: bool = False

    def run(self) -> None:
        """Serve until interrupted (Ctrl-C) or :meth:`stop`."""
        self.server.io_loop.start()

    def stop(self) -> None:
        """Stop serving (from the server's own thread, or via ``io_loop.add_callback``)."""
        self.close()
        self.server.io_loop.stop()

    def close(self) -> None:
        """Stop listening and unload the pages, once (the port is free again); the event loop,
        the thread's own, is left to its owner."""
        if not self.closed:
            self.closed = True
            self.server.stop()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class _Pages:
    """The models this server shows and their configurations (made on first use): the configured
    model, and each catalogue model by ``?model=NAME``."""

    def __init__(self, config: ExplorerConfig, models: tuple[str, ...], cache: MapCache) -> None:
        self.first, self.models, self.cache = config, models, cache
        self.configs: dict[str, ExplorerConfig] = {config.model.name: config}

    def known(self, name: str) -> bool:
        return name in self.configs or name in self.models

    def unknown_message(self, name: str) -> str:
        """Why ``name`` is no page here: the closest model name, then every one."""
        names = list(dict.fromkeys([self.first.model.name, *self.models]))
        return f"no model named {name!r} here{close_match_hint(name, names)}; models: {', '.join(names)}"

    def config_for(self, name: str) -> ExplorerConfig:
        if not self.known(name):
            raise dt.ModelError(self.unknown_message(name))
        if name not in self.configs:
            self.configs[name] = make_config(name)
        return self.configs[name]

    def wanted(self, arguments: Mapping[str, list[bytes]]) -> str:
        """The model a request asks for: ``?model=NAME`` (the first one), else the configured one."""
        return arguments.get("model", [self.first.model.name.encode()])[0].decode(errors="replace")


def _page_handler(pages: _Pages) -> Any:
    """Bokeh's function handler for the pages, which first answers 404 (before any session is
    made) to a request for a model this server does not have, the reason as status line and page.

    A page is built off the event loop, on one builder thread, in the order the pages are asked
    for: Bokeh awaits :meth:`on_session_created` before it fills in a new session's document, so
    the page's Bokeh models are made there, on the thread, and the loop meanwhile answers every
    other request (a class opening the same model at once: the other pages' websockets, their
    maps, a 404). Bokeh's own :meth:`modify_document` then finds the page made."""
    from bokeh.application.handlers.function import FunctionHandler
    from tornado.web import HTTPError

    class PageHandler(FunctionHandler):
        def __init__(self) -> None:
            super().__init__(_page_maker(pages))
            self._builder = ThreadPoolExecutor(1, thread_name_prefix="explorer-page")

        def process_request(self, request: Any) -> dict[str, Any]:
            wanted = pages.wanted(request.arguments or {})
            if not pages.known(wanted):
                raise HTTPError(404, reason=_status_text(pages.unknown_message(wanted)))
            return super().process_request(request)

        async def on_session_created(self, session_context: Any) -> None:
            loop = asyncio.get_running_loop()

            async def build(doc: Any) -> None:  # the new session's document, not yet shown to anyone
                await loop.run_in_executor(self._builder, self._func, doc)

            await session_context.with_locked_document(build)

        def modify_document(self, doc: Any) -> None:
            if not doc.roots:  # not built above (a hook that raised: Bokeh logged it); build it here
                super().modify_document(doc)

        def on_server_unloaded(self, server_context: Any) -> None:
            self._builder.shutdown(wait=False)  # the server stops: its builder thread ends

    return PageHandler()


def _status_text(text: str) -> str:
    """``text`` fit for an HTTP status line and for the HTML page Tornado makes of it: one line of
    printable ASCII without ``<>&"`` (each other character shown as ``?``; a Tornado that does not
    escape the reason cannot be fed markup), at most 400 characters."""
    safe = "".join(c if " " <= c <= "~" and c not in '<>&"' else "?" for c in " ".join(text.split()))
    return safe if len(safe) <= 400 else safe[:397] + "..."


def _page_maker(pages: _Pages) -> Callable[[Any], None]:
    """The Bokeh document handler: a page for the configured model or for ``?model=NAME``."""

    def make_page(doc: Any) -> None:
        from ._app import Page

        args = doc.session_context.request.arguments if doc.session_context else {}
        wanted = pages.wanted(args)
        try:
            Page(doc, pages.config_for(wanted), pages.cache, pages.models)
        except Exception as exc:  # every failure becomes a message in the page (the log has the traceback)
            if not isinstance(exc, dt.DeterrenceError):
                log.exception("explorer page for %r failed", wanted)
            _error_page(doc, wanted, exc)

    return make_page


def _error_page(doc: Any, wanted: str, exc: BaseException) -> None:
    from bokeh.models import Div

    from ._panels import message

    doc.clear()
    text = " ".join(str(exc).split()) or type(exc).__name__
    doc.add_root(
        Div(
            text=f"<h2>deterrence explore</h2>{message(f'Cannot show model {wanted!r}: {text}', 'error')}"
            "<p><a href='?'>Back to the first model</a></p>",
            name="error",
        )
    )


def start(
    config: ExplorerConfig, *, port: int = DEFAULT_PORT, models: tuple[str, ...] | None = None
) -> RunningServer:
    """Create the server on ``HOST:port`` (``0``: any free port) without running its loop.

    Raises
    ------
    ResourceError
        If the port is in use or cannot be bound.
    """
    from bokeh.application import Application
    from bokeh.server.server import Server
    from tornado.ioloop import IOLoop

    if not 0 <= int(port) <= 65535:
        raise dt.ParameterError(f"--port must be between 0 and 65535, got {port}")
    port = int(port) or _free_port()
    names = tuple(models if models is not None else dt.list_models())
    app = Application(_page_handler(_Pages(config, names, MapCache())))
    try:
        server = Server(
            {"/": app},
            port=port,
            address=HOST,
            io_loop=IOLoop.current(),
            allow_websocket_origin=[f"{HOST}:{port}", f"localhost:{port}"],
        )
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise dt.ResourceError(
                f"port {port} on {HOST} is in use (another explorer?); choose another with "
                "--port, or --port 0 for any free port"
            ) from None
        raise dt.ResourceError(f"cannot listen on {HOST}:{port}: {exc.strerror or exc}") from None
    server.start()
    _kernel.prepare(config.model, config.concept, config.belief_policy)  # warm: the first page finds it
    return RunningServer(server, f"http://{HOST}:{port}/", port)


def serve(
    model: Any = "extended_deterrence",
    *,
    port: int = DEFAULT_PORT,
    open_browser: bool = True,
    say: Callable[[str], None] | None = None,
    **options: Any,
) -> None:
    """Start the explorer for ``model`` and serve until interrupted.

    Parameters
    ----------
    model
        A catalogue name, a ``.toml`` path or a :class:`~deterrence.Model`.
    port
        The port on ``127.0.0.1`` (``0``: any free port).
    open_browser
        Open the page in the default browser; otherwise only print its address.
    say
        Where the address is printed (default: standard output, flushed).
    **options
        ``concept``, ``belief_policy``, ``x``, ``y``, ``values``, ``ranges``, ``grid``: see
        :func:`deterrence.explorer.make_config`.
    """
    config = make_config(model, **options)
    running = start(config, port=port)
    shown = say or _say
    shown(f"Explorer for '{config.model.name}' at {running.url} (Ctrl-C to stop)")
    if open_browser:
        webbrowser.open(running.url)
    try:
        running.run()
    except KeyboardInterrupt:
        shown("Explorer stopped.")
    finally:
        running.close()  # Ctrl-C ends the loop, not the server: it held its port (a second serve failed)


def _say(text: str) -> None:
    print(text, flush=True)
    sys.stdout.flush()
