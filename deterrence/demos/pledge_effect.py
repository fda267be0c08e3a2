"""How much attack does the pledge prevent?

The pledge's deterrent effect is judged against the model's no-pledge baseline (the same
crisis with no audience cost of reneging): ``deterred = p_attack(baseline) - p_attack(pledge)``.
The figure plots ``p_attack`` with the pledge and ``deterred`` against the audience cost of
reneging, for several credibilities.
"""

from __future__ import annotations

import numpy as np

import deterrence as dt

from ._common import DemoOutput, FigureFactory

TITLE = "What does the pledge add?"
SHOWS = """The probability of attack with the pledge, and the deterrent effect against the no-pledge
baseline, as the audience cost of reneging grows: the pledge only matters once breaking it costs
more than the war."""
TUTORIAL = "tutorials/does-the-pledge-deter.md"


def make(quick: bool, new_figure: FigureFactory) -> DemoOutput:
    n = 31 if quick else 121
    result = dt.sweep(
        "extended_deterrence",
        grid={"credibility": [0.05, 0.3, 0.6], "audience_cost": np.linspace(0, 0.5, n)},
        fixed={"cost_attacker": 0.45},
        concept="pbe",
        progress=False,
    )
    fig = new_figure(figsize=(11, 4.2))
    axes = fig.subplots(1, 2, sharey=True)
    result.plot_lines("audience_cost", indicator="p_attack", by="credibility", ax=axes[0])
    axes[0].set_title("probability of attack, with the pledge")
    result.plot_lines("audience_cost", indicator="deterred", by="credibility", ax=axes[1])
    axes[1].set_title("deterred = p_attack(no pledge) - p_attack(pledge)")
    for ax in axes:
        ax.set_xlabel("the ally's audience cost of reneging (audience_cost)")
    fig.suptitle("Extended deterrence (cost_attacker = 0.45): the pledge deters once reneging is costly")
    fig.tight_layout()
    sel = result.selected()
    lines = []
    for cred, rows in sel.groupby("credibility"):
        held = rows.loc[rows["deterred"] > 0.5, "audience_cost"]
        lines.append(
            f"credibility {cred:g}: the pledge deters from audience_cost {held.min():.3f}"
            if len(held)
            else f"credibility {cred:g}: the pledge never deters here"
        )
    return DemoOutput({"pledge_effect": fig}, lines=lines)
