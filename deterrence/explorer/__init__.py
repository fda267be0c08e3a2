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
(the static page).

Examples
--------
>>> import deterrence as dt
>>> cfg = dt.explorer.make_config("extended_deterrence", x="credibility", y="cost_attacker")
>>> a = dt.explorer.answer(cfg.model, {**cfg.values, "credibility": 1.0}, "pbe")
>>> a.equilibria[a.selected].regime
'status_quo'
"""

from __future__ import annotations

from ._config import ExplorerConfig, Range, make_config
from ._export import export
from ._point import EquilibriumView, PointAnswer, answer
from ._regime_map import RegimeMap
from ._server import DEFAULT_PORT, HOST, RunningServer, serve, start

__all__ = ["DEFAULT_PORT", "HOST", "EquilibriumView", "ExplorerConfig", "PointAnswer", "Range", "RegimeMap",
           "RunningServer", "answer", "export", "make_config", "serve", "start"]
