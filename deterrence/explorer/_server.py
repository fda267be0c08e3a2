"""Launching the explorer: a Bokeh server on a loopback address, offline.

The server listens on ``127.0.0.1`` only and serves BokehJS and every style from the installed
``bokeh`` package (Bokeh's ``server`` resources: no CDN, no network). Each browser tab gets its
own page (:class:`._app.Page`); ``?model=NAME`` picks a catalogue model. A page that cannot be
built shows the reason in the browser, never a blank page.
"""

from __future__ import annotations

import errno
import logging
import socket
import sys
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import deterrence as dt

from . import DEFAULT_PORT, HOST
from ._config import ExplorerConfig, make_config
from ._regime_map import MapCache

log = logging.getLogger(__name__)


@dataclass
class RunningServer:
    """A started explorer server (its loop is not running yet: call :meth:`run`)."""

    server: Any
    url: str
    port: int

    def run(self) -> None:
        """Serve until interrupted (Ctrl-C) or :meth:`stop`."""
        self.server.io_loop.start()

    def stop(self) -> None:
        """Stop serving (from the server's own thread, or via ``io_loop.add_callback``)."""
        self.server.stop()
        self.server.io_loop.stop()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _page_factory(config: ExplorerConfig, models: tuple[str, ...], cache: MapCache) -> Callable[[Any], None]:
    """The Bokeh document handler: a page for the configured model or for ``?model=NAME``."""
    configs: dict[str, ExplorerConfig] = {config.model.name: config}

    def config_for(name: str) -> ExplorerConfig:
        if name not in configs:
            if name not in models:
                raise dt.ModelError(f"no model named '{name}' here; models: {', '.join(models)}")
            configs[name] = make_config(name)
        return configs[name]

    def make_page(doc: Any) -> None:
        from ._app import Page

        args = doc.session_context.request.arguments if doc.session_context else {}
        wanted = args.get("model", [config.model.name.encode()])[0].decode(errors="replace")
        try:
            Page(doc, config_for(wanted), cache, models)
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
    from bokeh.application.handlers.function import FunctionHandler
    from bokeh.server.server import Server
    from tornado.ioloop import IOLoop

    if not 0 <= int(port) <= 65535:
        raise dt.ParameterError(f"--port must be between 0 and 65535, got {port}")
    port = int(port) or _free_port()
    names = tuple(models if models is not None else dt.list_models())
    app = Application(FunctionHandler(_page_factory(config, names, MapCache())))
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


def _say(text: str) -> None:
    print(text, flush=True)
    sys.stdout.flush()
