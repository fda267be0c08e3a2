"""The deter-versus-restrain window of an alliance commitment (moral hazard).

A patron pledges to defend its protege. The more likely the patron is to fight (commitment pi),
the less the adversary attacks, but the more the emboldened protege provokes. In the
``alliance_moral_hazard`` model (Benson-style, stylised) the adversary attacks iff
pi < pi_A and the protege provokes iff pi * (1 - conditional) > pi_P. The figure shows both
choices in the subgame-perfect equilibrium against pi, for an unconditional pledge and a
conditional one (assistance only against the adversary's aggression), and shades the window
[pi_A, pi_P) in which an unconditional pledge both deters and restrains.
"""

from __future__ import annotations

import numpy as np

import deterrence as dt

from ._common import DemoOutput, FigureFactory

TITLE = "The entrapment window"
SHOWS = """Moral hazard in an alliance: a stronger pledge deters the adversary but emboldens the
protege. An unconditional pledge works only inside the window; a conditional one removes the
moral hazard."""
TUTORIAL = "tutorials/entrapment.md"


def make(quick: bool, new_figure: FigureFactory) -> DemoOutput:
    pis = np.linspace(0, 1, 21 if quick else 101)
    model = dt.load_model("alliance_moral_hazard")
    pi_a = float(model.derived_value("deter_threshold"))
    pi_p = float(model.derived_value("restrain_threshold"))
    fig = new_figure(figsize=(11, 4.2))
    axes = fig.subplots(1, 2, sharey=True)
    for ax, conditional, title in (
        (axes[0], 0.0, "unconditional pledge"),
        (axes[1], 1.0, "conditional pledge (only against aggression)"),
    ):
        attack, provoke = [], []
        for pi in pis:
            eq = dt.solve(model.game(commitment=float(pi), conditional=conditional), concept="spe")[0]
            attack.append(eq.profile["Adversary"]["adversary"]["attack"])
            provoke.append(eq.profile["Protege"]["protege"]["provoke"])
        ax.axvspan(
            pi_a,
            pi_p if conditional == 0 else 1.0,
            color="tab:green",
            alpha=0.12,
            label="deters and restrains",
        )
        ax.step(pis, attack, where="post", lw=2.5, color="tab:red", label="adversary attacks")
        ax.step(
            pis,
            provoke,
            where="post",
            lw=2.5,
            ls="--",
            color="tab:blue",
            label="protege provokes (entrapment)",
        )
        ax.set_title(title)
        ax.set_xlabel("commitment pi: probability the patron fights")
        ax.set_ylim(-0.05, 1.1)
    axes[0].set_ylabel("probability (subgame-perfect equilibrium)")
    axes[0].legend(loc="center left", frameon=False, fontsize=9)
    fig.suptitle(
        f"Alliance moral hazard (defaults): deterrence needs pi >= {pi_a:.3g}, "
        f"restraint needs pi < {pi_p:.3g} unless the pledge is conditional"
    )
    fig.tight_layout()
    lines = [
        f"an unconditional pledge deters and restrains for commitment in [{pi_a:.3g}, {pi_p:.3g})",
        f"a conditional pledge deters and restrains for every commitment >= {pi_a:.3g}",
    ]
    return DemoOutput({"entrapment_window": fig}, lines=lines)
