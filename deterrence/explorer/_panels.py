"""The page's text panels (HTML) and the map's colours, shared by the live page and the static export.

Every panel is plain HTML built from library results: the model's header, the regime and the
indicators of the shown equilibrium, the list of every equilibrium at the point, the map's
legend, and messages (an error or a warning is a visible sentence, never a traceback).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

#: regime colours in order of first appearance (Paul Tol's bright and muted schemes)
PALETTE = (
    "#4477AA",
    "#EE6677",
    "#228833",
    "#CCBB44",
    "#66CCEE",
    "#AA3377",
    "#332288",
    "#DDCC77",
    "#117733",
    "#88CCEE",
    "#882255",
    "#44AA99",
    "#999933",
    "#CC6677",
    "#AA4499",
    "#6699CC",
)
#: fixed colours of cells that hold no regime
SPECIAL = {"orderings fail": "#f4f4f4", "error": "#000000", "no_equilibrium": "#9a9a9a", "": "#ffffff"}
#: light to dark, for colouring the map by an indicator
RAMP = ("#fff7ec", "#fee8c8", "#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#b30000", "#7f0000")

STYLE = """<style>
.dt-panel table {border-collapse: collapse; font-size: 13px;}
.dt-panel td, .dt-panel th {padding: 2px 8px; text-align: left; border-bottom: 1px solid #eee;}
.dt-regime {font-size: 16px; font-weight: bold;}
.dt-swatch {display: inline-block; width: 14px; height: 14px; margin-right: 6px; vertical-align: middle;
            border: 1px solid #888;}
.dt-warn {background: #fff3cd; border: 1px solid #e0c36a; padding: 6px 8px; border-radius: 4px;}
.dt-error {background: #f8d7da; border: 1px solid #d9a0a6; padding: 6px 8px; border-radius: 4px;}
.dt-busy {background: #e7f1fb; border: 1px solid #9cc3e6; padding: 6px 8px; border-radius: 4px;}
</style>"""


class RegimeColours:
    """A regime -> colour mapping that stays fixed while a page lives (colours never jump)."""

    def __init__(self) -> None:
        self._colours: dict[str, str] = {}

    def __call__(self, regime: str) -> str:
        if regime in SPECIAL:
            return SPECIAL[regime]
        if regime not in self._colours:
            self._colours[regime] = PALETTE[len(self._colours) % len(PALETTE)]
        return self._colours[regime]


def ramp_colour(value: float, lo: float, hi: float) -> str:
    """A colour for an indicator value on the light-to-dark ramp (white when undefined)."""
    if value is None or not math.isfinite(value):
        return SPECIAL[""]
    t = 0.0 if hi <= lo else (value - lo) / (hi - lo)
    return RAMP[round(min(max(t, 0.0), 1.0) * (len(RAMP) - 1))]


def esc(text: Any) -> str:
    return html.escape(str(text))


def header(model: Any) -> str:
    """The model's name, title and status."""
    status = f" <small>({esc(model.status)})</small>" if getattr(model, "status", "") else ""
    desc = " ".join(str(getattr(model, "description", "") or "").split())
    if len(desc) > 320:
        desc = desc[:317].rsplit(" ", 1)[0] + "..."
    return (
        f"{STYLE}<div class='dt-panel'><h2 style='margin:0'>{esc(model.title or model.name)}</h2>"
        f"<code>{esc(model.name)}</code>{status}<p style='font-size:12px'>{esc(desc)}</p></div>"
    )


def meanings(model: Any) -> str:
    """What each parameter means, folded away until asked for."""
    rows = "".join(
        f"<tr><td><code>{esc(n)}</code></td><td>{esc(' '.join(str(p.description or '').split()))}</td></tr>"
        for n, p in model.parameters.items()
    )
    return (
        f"{STYLE}<details class='dt-panel'><summary>What the parameters mean</summary><table>{rows}"
        "</table></details>"
    )


def indicators(regime: str, label: str, values: Mapping[str, float], names: Sequence[str] = ()) -> str:
    """The shown equilibrium's regime and indicator values."""
    shown = [*names, *(k for k in values if k not in names)]
    named = f" <small>({esc(label)})</small>" if label else ""
    rows = "".join(f"<tr><td>{esc(k)}</td><td><b>{_num(values.get(k))}</b></td></tr>" for k in shown)
    return (
        f"{STYLE}<div class='dt-panel'><div>Regime: <span class='dt-regime'>{esc(regime)}</span>{named}"
        f"</div><table>{rows}</table></div>"
    )


def equilibria(rows: Iterable[tuple[str, str, Mapping[str, float]]], chosen: int, selection: str) -> str:
    """Every equilibrium at the point; the shown one in bold."""
    items = list(rows)
    body = "".join(
        f"<tr style='font-weight:{'bold' if k == chosen else 'normal'}'><td>{k + 1}</td><td>{esc(regime)}"
        f"{f' ({esc(label)})' if label else ''}</td><td>{_num(ind.get('p_attack'))}</td>"
        f"<td>{_num(ind.get('p_war'))}</td></tr>"
        for k, (regime, label, ind) in enumerate(items)
    )
    return (
        f"{STYLE}<div class='dt-panel'><b>{len(items)} equilibri{'um' if len(items) == 1 else 'a'}</b> "
        f"<small>(the map shows the {esc(selection)} one)</small><table><tr><th>#</th><th>regime</th>"
        f"<th>p_attack</th><th>p_war</th></tr>{body}</table></div>"
    )


def legend(entries: Iterable[tuple[str, str]], title: str = "") -> str:
    """Colour swatches with their names."""
    rows = "".join(
        f"<div><span class='dt-swatch' style='background:{c}'></span>{esc(name)}</div>" for name, c in entries
    )
    head = f"<b>{esc(title)}</b>" if title else ""
    return f"{STYLE}<div class='dt-panel' style='font-size:12px'>{head}{rows}</div>"


def ramp_legend(name: str, lo: float, hi: float) -> str:
    entries = [(f"{lo + (hi - lo) * k / (len(RAMP) - 1):.3g}", c) for k, c in enumerate(RAMP)]
    return legend(entries, f"{name} of the selected equilibrium")


#: what the page says instead of a tree for a model family (collective_defence: 1 to 32 allies)
NO_TREE = ("No game tree drawn: this model family is solved on its aggregated game (the allies' "
           "decisions summed up); its explicit tree is model.tree(...), up to 4 allies.")


def message(text: str, kind: str = "warn") -> str:
    """A visible sentence: ``kind`` is ``"warn"``, ``"error"`` or ``"busy"``; empty text, no box."""
    if not text:
        return ""
    return f"{STYLE}<div class='dt-panel dt-{kind}'>{esc(text)}</div>"


def _num(value: Any) -> str:
    if value is None:
        return "–"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return esc(value)
    return "–" if not np.isfinite(v) else f"{v:.3f}"
