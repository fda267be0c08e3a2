"""The static page: a grid of answers precomputed over two or three parameters, sliders in the page.

:func:`export` solves the model at every grid point with the live page's own
:func:`._point.answer` (certified equilibria; the map's selection rule picks the one shown),
and writes ``index.html``: Bokeh's standalone HTML with its scripts inline, the answers as
data, and a small JavaScript callback that moves the marker, recolours the map slice, redraws
the tree and rewrites the panels when a slider moves. The page needs neither Python nor a
network: a teacher can put it on a course site.

The grid uses cell centres on the two map parameters (as the live map) and the same number of
points on an optional third parameter, which chooses the map's slice.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import deterrence as dt

from . import _panels, _tree
from ._config import ExplorerConfig, make_config
from ._map_view import map_figure
from ._point import PointAnswer, answer

#: refuse exports whose grid would take longer than this (seconds), unless asked for
MAX_SECONDS = 900.0


def export(
    model: Any,
    folder: str | Path,
    *,
    params: Sequence[str] | None = None,
    cells: int = 21,
    steps: int = 7,
    max_seconds: float = MAX_SECONDS,
    say: Callable[[str], None] | None = None,
    **options: Any,
) -> Path:
    """Write a self-contained static explorer page; returns the path of ``index.html``.

    Parameters
    ----------
    model
        A catalogue name, a ``.toml`` path or a :class:`~deterrence.Model`.
    folder
        Where ``index.html`` is written (created if missing).
    params
        Two parameters (the map's axes) or three (the third gets a slider of ``steps`` values
        that picks the map's slice). Default: the explorer's default map axes.
    cells
        Grid points along each map axis.
    steps
        Grid points of the third parameter.
    max_seconds
        Refuse (:class:`~deterrence.ResourceError`) when the first points show that solving the
        whole grid would take longer.
    say
        Progress messages (default: none).
    **options
        ``concept``, ``belief_policy``, ``values`` (the fixed parameters), ``ranges``: as for
        :func:`deterrence.explorer.make_config`.

    Raises
    ------
    ParameterError
        Not two or three distinct parameters, an unknown one, or a grid size out of range.
    ResourceError
        The grid would take longer than ``max_seconds``.
    UnsupportedError
        A model family (no game tree to draw).
    """
    names = list(params or [])
    if names and not 2 <= len(names) <= 3:
        raise dt.ParameterError(f"--params: give two or three parameters, got {len(names)}")
    if len(set(names)) != len(names):
        raise dt.ParameterError(f"--params: a parameter is named twice in {', '.join(names)}")
    cfg = make_config(model, x=names[0] if names else None, y=names[1] if names else None, **options)
    if callable(getattr(cfg.model, "compiled_kernel", None)):
        raise dt.UnsupportedError(f"the static page draws the game tree, and '{cfg.model.name}' is a model "
                                  "family without one; use the live explorer (deterrence explore)")
    third = names[2] if len(names) == 3 else None
    if third is not None and third not in cfg.model.parameters:
        raise dt.ParameterError(f"--params: model '{cfg.model.name}' has no parameter '{third}'", name=third)
    if not 2 <= cells <= 101 or not 2 <= steps <= 51:
        raise dt.ParameterError(
            f"the grid needs 2 to 101 cells per map axis and 2 to 51 steps, got {cells} and {steps}"
        )
    axes = _axes(cfg, third, cells, steps)
    data = _solve_grid(cfg, axes, max_seconds, say or (lambda _text: None))
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    page = out / "index.html"
    page.write_text(_page(cfg, axes, data), encoding="utf-8")
    return page


def _axes(cfg: ExplorerConfig, third: str | None, cells: int, steps: int) -> dict[str, np.ndarray]:
    """Grid values per exported parameter (x, y, then the optional third)."""
    axes = {
        cfg.x: np.array(cfg.ranges[cfg.x].cell_centres(cells)),
        cfg.y: np.array(cfg.ranges[cfg.y].cell_centres(cells)),
    }
    if third is not None:
        if third in axes:
            raise dt.ParameterError(f"--params: '{third}' is named twice", name=third)
        axes[third] = np.array(cfg.ranges[third].cell_centres(steps))
    return {k: np.array([_short(v) for v in vals]) for k, vals in axes.items()}


def _short(v: float) -> float:
    return float(f"{v:.6g}")


def _solve_grid(
    cfg: ExplorerConfig, axes: Mapping[str, np.ndarray], max_seconds: float, say: Callable[[str], None]
) -> dict[str, Any]:
    """Every point's answer (x fastest, then y, then the third parameter), as JSON-ready lists."""
    names = list(axes)
    shape = [len(axes[n]) for n in names]
    total = int(np.prod(shape))
    rows: list[PointAnswer] = []
    started = time.perf_counter()
    for k, index in enumerate(np.ndindex(*reversed(shape))):
        values = dict(cfg.values)
        for name, i in zip(names, reversed(index), strict=True):
            values[name] = float(axes[name][i])
        rows.append(answer(cfg.model, values, cfg.concept, cfg.belief_policy, cfg.selection))
        elapsed = time.perf_counter() - started
        if k + 1 in (5, 50) and elapsed / (k + 1) * total > max_seconds:
            raise dt.ResourceError(
                f"exporting {total} points would take about {elapsed / (k + 1) * total:.0f} s "
                f"(more than {max_seconds:.0f} s): use fewer cells or steps"
            )
        if (k + 1) % max(1, total // 10) == 0:
            say(f"  {k + 1}/{total} points solved ({elapsed:.1f} s)")
    return _tabulate(rows)


def _tabulate(rows: Sequence[PointAnswer]) -> dict[str, Any]:
    regimes: list[str] = []
    messages: list[str] = [""]
    names = list(
        dict.fromkeys(
            [*dt.INDICATOR_NAMES, *(k for r in rows if r.ok for k in r.equilibria[r.selected].indicators)]
        )
    )
    data: dict[str, Any] = {
        "regime": [],
        "label": [],
        "n": [],
        "message": [],
        "prob": [],
        "played": [],
        "indicators": {n: [] for n in names},
    }
    for r in rows:
        eq = r.equilibria[r.selected] if r.ok else None
        regime = eq.regime if eq is not None else "error"
        if regime not in regimes:
            regimes.append(regime)
        text = r.error or " ".join(r.warnings)
        if text not in messages:
            messages.append(text)
        data["regime"].append(regimes.index(regime))
        data["label"].append(eq.label if eq is not None else "")
        data["n"].append(len(r.equilibria))
        data["message"].append(messages.index(text))
        for n in names:
            v = eq.indicators.get(n) if eq is not None else None
            data["indicators"][n].append(None if v is None or not math.isfinite(v) else round(float(v), 4))
        data["prob"].append([round(float(p), 3) for p in eq.edge] if eq is not None else [])
        data["played"].append([int(p > 1e-9) for p in eq.reach] if eq is not None else [])
    data["regimes"], data["messages"] = regimes, messages
    return data


def _page(cfg: ExplorerConfig, axes: Mapping[str, np.ndarray], data: dict[str, Any]) -> str:
    from bokeh.document import Document
    from bokeh.embed import file_html
    from bokeh.layouts import column, row
    from bokeh.models import CustomJS, Div
    from bokeh.resources import INLINE

    names = list(axes)
    colours = _panels.RegimeColours()
    regime_colours = [colours(r) for r in data["regimes"]]
    sliders = _sliders(cfg, axes)
    game = cfg.model.game(cfg.values, check_orderings=False)
    tree = _tree.layout(game)
    tree_fig, edges = _tree.figure(tree, "Game tree: the equilibrium path in red")
    map_fig, cells, marker = _map_figure(cfg, axes)
    panels = {
        k: Div(text="", name=k, width=w)
        for k, w in (("indicators", 320), ("equilibria", 320), ("warning", 700))
    }
    legend = Div(
        text=_panels.legend(
            zip(data["regimes"], regime_colours, strict=True), "Regime (selected equilibrium)"
        ),
        name="legend",
        width=300,
    )
    args = {
        "sliders": sliders,
        "cells": cells,
        "marker": marker,
        "edges": edges,
        "data": data,
        "axes": {n: [float(x) for x in v] for n, v in axes.items()},
        "names": names,
        "colours": regime_colours,
        "child": [int(c) for c in tree.child],
        "action": list(tree.action),
        "indicator_names": list(data["indicators"]),
        "style": _panels.STYLE,
        **panels,
    }
    update = CustomJS(args=args, code=_tree.EDGE_JS + UPDATE_JS)
    for s in sliders:
        s.js_on_change("value", update)
    map_fig.js_on_event("tap", CustomJS(args={"sliders": sliders}, code=TAP_JS))
    intro = Div(text=_panels.header(cfg.model) + _fixed_text(cfg, axes), width=340)
    layout = row(
        column(intro, *sliders, legend),
        column(
            row(panels["indicators"], panels["equilibria"]),
            panels["warning"],
            row(map_fig),
            tree_fig,
            sizing_mode="stretch_width",
        ),
        sizing_mode="stretch_width",
        name="explorer",
    )
    doc = Document()
    doc.add_root(layout)
    doc.js_on_event("document_ready", CustomJS(args=args, code=_tree.EDGE_JS + UPDATE_JS))
    return file_html(doc, resources=INLINE, title=f"{cfg.model.name}: deterrence explorer (static)")


def _sliders(cfg: ExplorerConfig, axes: Mapping[str, np.ndarray]) -> list[Any]:
    """One slider per exported parameter, stepping through its grid values."""
    from bokeh.models import Slider

    return [
        Slider(
            start=float(v[0]),
            end=float(v[-1]),
            step=float(v[1] - v[0]),
            value=_nearest(v, cfg.values[n]),
            title=n,
            name=n,
            format="0[.]000",
            width=330,
        )
        for n, v in axes.items()
    ]


def _nearest(values: np.ndarray, value: float) -> float:
    """The grid value nearest to the configured starting value."""
    return float(values[int(np.argmin(np.abs(values - value)))])


def _fixed_text(cfg: ExplorerConfig, axes: Mapping[str, np.ndarray]) -> str:
    grid = ", ".join(f"<code>{_panels.esc(n)}</code> ({len(v)} values)" for n, v in axes.items())
    fixed = ", ".join(f"{_panels.esc(k)} = {v:g}" for k, v in cfg.values.items() if k not in axes)
    return (
        f"<p style='font-size:12px'>A static page: {cfg.concept.upper()} equilibria precomputed on a grid "
        f"over {grid} (certified; where several hold, the {cfg.selection} one is shown). Other parameters: "
        f"{fixed or 'none'}. Made with <code>deterrence explore --export</code>.</p>"
    )


def _map_figure(cfg: ExplorerConfig, axes: Mapping[str, np.ndarray]) -> tuple[Any, Any, Any]:
    xs, ys = axes[cfg.x], axes[cfg.y]
    w, h = float(xs[1] - xs[0]), float(ys[1] - ys[0])
    gx, gy = np.meshgrid(xs, ys)
    n = gx.size
    cells = {
        "x": gx.ravel().tolist(),
        "y": gy.ravel().tolist(),
        "w": [w] * n,
        "h": [h] * n,
        "colour": ["#ffffff"] * n,
        "regime": [""] * n,
    }
    return map_figure(
        cfg.x,
        cfg.y,
        (float(xs[0] - w / 2), float(xs[-1] + w / 2)),
        (float(ys[0] - h / 2), float(ys[-1] + h / 2)),
        cells,
        (_nearest(xs, cfg.values[cfg.x]), _nearest(ys, cfg.values[cfg.y])),
        [("regime", "@regime")],
        width=560,
    )


#: the static page's callback: from the sliders' grid indices to every panel
UPDATE_JS = """
const idx = names.map((n, k) => {
  const v = axes[n], s = sliders[k].value;
  let best = 0; for (let i = 1; i < v.length; i++) if (Math.abs(v[i] - s) < Math.abs(v[best] - s)) best = i;
  return best; });
const nx = axes[names[0]].length, ny = axes[names[1]].length;
const slice = names.length > 2 ? idx[2] : 0;
const p = (slice * ny + idx[1]) * nx + idx[0];
const esc = (t) => String(t).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fmt = (v) => (v === null || v === undefined) ? "–" : Number(v).toFixed(3);
const regime = data.regimes[data.regime[p]];
let rows = "";
for (const n of indicator_names)
  rows += `<tr><td>${esc(n)}</td><td><b>${fmt(data.indicators[n][p])}</b></td></tr>`;
const label = data.label[p] ? ` <small>(${esc(data.label[p])})</small>` : "";
indicators.text = style + `<div class='dt-panel'>Regime: <span class='dt-regime'>${esc(regime)}</span>` +
  `${label}<table>${rows}</table></div>`;
const n_eq = data.n[p];
equilibria.text = style + `<div class='dt-panel'><b>${n_eq} equilibri${n_eq === 1 ? "um" : "a"}</b>` +
  " at this point" +
  `<br><small>values: ${names.map((n, k) => esc(n) + " = " + axes[n][idx[k]]).join(", ")}</small></div>`;
const msg = data.messages[data.message[p]];
warning.text = msg ? style + `<div class='dt-panel dt-warn'>${esc(msg)}</div>` : "";
marker.data = {x: [axes[names[0]][idx[0]]], y: [axes[names[1]][idx[1]]]};
const m = nx * ny, colour = new Array(m), reg = new Array(m);
for (let q = 0; q < m; q++) {
  const r = data.regime[slice * m + q];
  colour[q] = colours[r];
  reg[q] = data.regimes[r];
}
cells.data = Object.assign({}, cells.data, {colour: colour, regime: reg});
const prob = data.prob[p], played = data.played[p];
if (prob.length) {
  const ep = child.map((c) => prob[c]), er = child.map((c) => played[c]);
  edges.data = Object.assign({}, edges.data, edgeColumns(action, ep, er));
}
"""

#: a click on the static map moves the two map sliders there
TAP_JS = """
const snap = (s, v) => Math.min(s.end,
  Math.max(s.start, s.start + Math.round((v - s.start) / s.step) * s.step));
sliders[0].value = snap(sliders[0], cb_obj.x);
sliders[1].value = snap(sliders[1], cb_obj.y);
"""
