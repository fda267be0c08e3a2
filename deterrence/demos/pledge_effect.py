"""How much attack does the pledge prevent?

The pledge's deterrent effect is judged against the model's no-pledge baseline (the same
crisis with no audience cost of reneging): ``deterred = p_attack(baseline) - p_attack(pledge)``.
The figure plots ``p_attack`` with the pledge and ``deterred`` against the audience cost of
reneging, for a credibility below the Attacker's threshold and one above it (every credibility
below the threshold gives the same curves, so one stands for them all).
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


#: credibilities that give different curves: below the attacker's threshold (0.5 at these
#: parameters) every credibility attacks until the pledge entraps; above it the Attacker is deterred
#: whatever the audience cost
CREDIBILITIES = (0.3, 0.6)
STYLES = ({"color": "#EE6677", "lw": 2.2}, {"color": "#4477AA", "lw": 2.2, "ls": "--"})


def make(quick: bool, new_figure: FigureFactory) -> DemoOutput:
    n = 26 if quick else 51  # under 60 grid values: plot_lines draws every point (no binning)
    result = dt.sweep(
        "extended_deterrence",
        grid={"credibility": list(CREDIBILITIES), "audience_cost": np.linspace(0, 0.5, n)},
        fixed={"cost_attacker": 0.45},
        concept="pbe",
        progress=False,
    )
    model = dt.load_model("extended_deterrence")
    threshold = float(model.derived_value("entrapment_threshold", cost_attacker=0.45))
    cred_threshold = float(model.derived_value("credibility_threshold_attacker", cost_attacker=0.45))
    sel = result.selected().sort_values("audience_cost")
    fig = new_figure(figsize=(11, 4.6))
    axes = fig.subplots(1, 2, sharey=True)
    for ax, indicator, title in (
        (axes[0], "p_attack", "probability of attack, with the pledge"),
        (axes[1], "deterred", "deterred = p_attack(no pledge) - p_attack(pledge)"),
    ):
        for cred, style in zip(CREDIBILITIES, STYLES, strict=True):
            rows = sel[sel["credibility"] == cred]
            ax.step(rows["audience_cost"], rows[indicator], where="mid",
                    label=f"credibility = {cred:g}", **style)
        ax.axvline(threshold, color="0.3", lw=0.8, ls=":")
        ax.set_title(title)
        ax.set_xlabel("the ally's audience cost of reneging (audience_cost)")
        ax.set_ylim(-0.05, 1.05)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("probability")
    axes[0].text(threshold + 0.02, 0.5, f"entrapment threshold {threshold:.2g}:\nabove it the uncommitted\n"
                 "ally fights", fontsize=8, va="center")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=2, frameon=False,
               title=f"probability that the ally is the committed type (the Attacker's threshold is "
               f"{cred_threshold:.2g})")
    fig.suptitle("Extended deterrence (cost_attacker = 0.45): the pledge deters once reneging is costly")
    fig.tight_layout(rect=(0, 0.13, 1, 1))
    lines = []
    for cred, rows in sel.groupby("credibility"):
        held = rows.loc[rows["deterred"] > 0.5, "audience_cost"]
        lines.append(
            f"credibility {cred:g}: the pledge deters from audience_cost {held.min():.3f}"
            if len(held)
            else f"credibility {cred:g}: the pledge never deters here (the Attacker is deterred with or "
            "without it)"
        )
    return DemoOutput({"pledge_effect": fig}, lines=lines)
