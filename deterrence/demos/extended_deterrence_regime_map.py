"""Where does the pledge deter? The regime map of the extended-deterrence model.

Sweeps the credibility of the ally's pledge against the Attacker's cost of war (all other
parameters at their defaults), solves the perfect Bayesian equilibria at every point and
colours the map by the equilibrium regime: the status quo (deterrence holds), capitulation,
or war with the ally abandoning the Defender when it turns out to be uncommitted.
"""

from __future__ import annotations

import numpy as np

import deterrence as dt

from ._common import DemoOutput, FigureFactory

TITLE = "Where does the pledge deter?"
SHOWS = """The perfect Bayesian regimes of the extended-deterrence model over the credibility of the
ally's pledge and the Attacker's cost of war, with the exact boundary (dashed) where it separates
two regimes."""
TUTORIAL = "tutorials/does-the-pledge-deter.md"


def separating(result: dt.SweepResult, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether the curve ``(x, y)`` separates two regimes: the selected regimes of the grid cells just
    above and just below each of its points differ (False where the curve leaves the grid)."""
    sel = result.selected()
    xs, ys = np.unique(sel["credibility"]), np.unique(sel["cost_attacker"])
    table = sel.set_index(["credibility", "cost_attacker"])["regime"]
    step = ys[1] - ys[0]
    inside = (y - step >= ys[0]) & (y + step <= ys[-1])
    out = np.zeros(len(x), dtype=bool)
    for k in np.flatnonzero(inside):
        cx = xs[np.argmin(np.abs(xs - x[k]))]
        above = ys[np.argmin(np.abs(ys - (y[k] + step)))]
        below = ys[np.argmin(np.abs(ys - (y[k] - step)))]
        out[k] = table[(cx, above)] != table[(cx, below)]
    return out


def _add_to_legend(ax, line) -> None:
    """Append the boundary's line to the regime legend beside the axes."""
    legend = ax.get_legend()
    handles = [*legend.legend_handles, line]
    labels = [t.get_text() for t in legend.get_texts()] + [line.get_label()]
    ax.legend(handles, labels, title=legend.get_title().get_text(), loc="upper left",
              bbox_to_anchor=(1.02, 1.0), fontsize=8, title_fontsize=8, frameon=False)


def make(quick: bool, new_figure: FigureFactory) -> DemoOutput:
    from matplotlib import patheffects

    n = 41 if quick else 121
    model = dt.load_model("extended_deterrence")
    result = dt.sweep(
        model,
        grid={"credibility": np.linspace(0, 1, n), "cost_attacker": np.linspace(0, 1.2, n)},
        concept="pbe",
        progress=False,
    )
    fig = new_figure(figsize=(10, 5.5))
    ax = fig.add_subplot()
    result.plot("credibility", "cost_attacker", indicator=None, ax=ax)
    # the exact boundary (derived in the model file): attacking a resisting Defender stops paying
    # once credibility * (p_allied - p_alone) * stakes > (1 - p_alone) * stakes - cost_attacker.
    # It bounds the status quo only where the Defender resists: drawn only where it separates two
    # regimes (not across the capitulation zone, where the Defender concedes whatever the cost).
    d = model.defaults
    c = np.linspace(0, 1, 400)
    boundary = (1 - d["p_alone"]) * d["stakes"] - c * (d["p_allied"] - d["p_alone"]) * d["stakes"]
    shown = np.where(separating(result, c, boundary), boundary, np.nan)
    (line,) = ax.plot(c, shown, color="white", ls="--", lw=1.8,
                      path_effects=[patheffects.withStroke(linewidth=3.2, foreground="black")],
                      label="exact boundary: attack stops paying")
    _add_to_legend(ax, line)
    ax.set_title("Extended deterrence: which equilibrium holds (perfect Bayesian, worst case)")
    fig.tight_layout()
    shares = result.regime_shares()
    drawn = c[np.isfinite(shown)]
    lines = [
        f"{n}x{n} grid: " + ", ".join(f"{r} {s:.0%}" for r, s in shares.items()),
        f"at the defaults the pledge deters once cost_attacker > {float(boundary[-1]):.2f} (credibility 1) "
        f"or > {float(boundary[0]):.2f} (credibility 0)",
        f"the exact boundary separates regimes for credibility in [{drawn.min():.2f}, {drawn.max():.2f}]"
        if len(drawn) else "the exact boundary separates no regimes on this grid",
    ]
    return DemoOutput({"extended_deterrence_regime_map": fig}, lines=lines)
