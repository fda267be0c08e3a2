"""The explorer: a teaching page with a slider per parameter, the game tree and the regime map.

``deterrence explore MODEL`` (or :func:`serve`) starts a local web app on ``127.0.0.1`` built on
Bokeh (every script served from the installed package: it works offline); :func:`export` writes
a self-contained static page over a precomputed grid that opens without Python or a network.

Where the parts live
--------------------
:mod:`._config` (options, slider ranges), :mod:`._point` (the answer at one point: certified
equilibria, regimes, indicators, knife edges), :mod:`._kernel` (the one use of the compiled
kernels), :mod:`._regime_map` (maps by :func:`deterrence.sweep`, cached), :mod:`._tree` (the
tree figure), :mod:`._panels` (text panels and colours), :mod:`._worker` (latest-request
background threads), :mod:`._app` (the live page), :mod:`._server` (launch), :mod:`._export`
(the static page), :mod:`._map_view` (the map figure both pages draw). Names are imported on
first use, so the command line stays light.

Examples
--------
>>> import deterrence as dt
>>> cfg = dt.explorer.make_config("extended_deterrence", x="credibility", y="cost_attacker")
>>> a = dt.explorer.answer(cfg.model, {**cfg.values, "credibility": 1.0}, "pbe")
>>> a.equilibria[a.selected].regime
'status_quo'
"""

from __future__ import annotations

import importlib
from typing import Any

#: the port ``deterrence explore`` uses unless told otherwise
DEFAULT_PORT = 5006
#: the only address the explorer listens on
HOST = "127.0.0.1"

_PUBLIC = {
    "ExplorerConfig": "_config",
    "Range": "_config",
    "make_config": "_config",
    "EquilibriumView": "_point",
    "PointAnswer": "_point",
    "answer": "_point",
    "RegimeMap": "_regime_map",
    "RunningServer": "_server",
    "serve": "_server",
    "start": "_server",
    "export": "_export",
}

__all__ = ["DEFAULT_PORT", "HOST", *sorted(_PUBLIC)]


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'deterrence.explorer' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))
