"""The phase diagram of the Unilateral Deterrence Game (perfect deterrence theory).

Zagare and Kilgour's Unilateral Deterrence Game, as reconstructed in the catalogue
(``unilateral_deterrence``): both the Challenger and the Defender may be Hard or Soft, each
knowing only its own type. Under the D1 belief refinement the perfect Bayesian equilibrium is
unique, and the plane of the two type probabilities splits into four regimes: status quo,
separating (only the Hard Challenger challenges), attack and bluff. Deterring every Challenger
needs the Defender to be Hard with a probability above a threshold set by the *Challenger's*
utilities: credible threats are neither necessary nor sufficient for deterrence.
"""

from __future__ import annotations

import numpy as np

import deterrence as dt

from ._common import DemoOutput, FigureFactory

TITLE = "Perfect deterrence: the UDG phase diagram"
SHOWS = """Zagare and Kilgour's Unilateral Deterrence Game under D1 beliefs: the plane of the two type
probabilities splits into status quo, separating, bluff and attack."""
TUTORIAL = "reference/models/unilateral_deterrence.md"

#: Zagare-Kilgour names of the equilibrium classes, by regime label (``backdown``: the Soft
#: Challenger withdraws when the Defender resists)
NAMES = {
    "status_quo": "Status Quo",
    "status_quo+capitulation+war": "Separating",
    "capitulation+backdown+war": "Attack",
    "mixed:status_quo+capitulation+backdown+war": "Bluff",
}


def _name_the_legend(ax) -> None:
    """Put each class's name before its regime label in the map's legend, so the legend and the
    names on the map say the same thing."""
    for text in ax.get_legend().get_texts():
        regime = text.get_text().rsplit(" (", 1)[0]
        if regime in NAMES:
            text.set_text(f"{NAMES[regime]}: {text.get_text()}")


def make(quick: bool, new_figure: FigureFactory) -> DemoOutput:
    n = 9 if quick else 31  # D1 beliefs are solved point by point: keep the grid modest
    grid = {"p_challenger_hard": np.linspace(0.01, 0.99, n), "p_defender_hard": np.linspace(0.01, 0.99, n)}
    result = dt.sweep("unilateral_deterrence", grid=grid, concept="pbe", belief_policy="d1", progress=False)
    fig = new_figure(figsize=(10, 5.5))
    ax = fig.add_subplot()
    result.plot("p_challenger_hard", "p_defender_hard", indicator=None, ax=ax)
    _name_the_legend(ax)
    sel = result.selected()
    for regime, rows in sel.groupby("regime"):
        if regime in NAMES:
            ax.text(
                rows["p_challenger_hard"].mean(),
                rows["p_defender_hard"].mean(),
                NAMES[regime],
                ha="center",
                va="center",
                fontsize=13,
                weight="bold",
                color="white",
            )
    ax.set_title("Unilateral Deterrence Game (reconstruction): PBE regimes under D1 beliefs")
    fig.tight_layout()
    shares = result.regime_shares()
    lines = [
        f"{n}x{n} grid under D1 beliefs: "
        + ", ".join(f"{NAMES.get(r, r)} {s:.0%}" for r, s in shares.items())
    ]
    return DemoOutput({"udg_phase_diagram": fig}, lines=lines)
