"""From noisy play to equilibrium along the logit QRE branch.

Players who make mistakes choose better actions more often, with precision lambda: at
lambda = 0 every action is equally likely, as lambda grows choices approach an equilibrium.
The figure follows the principal branch of the agent logit quantal-response equilibrium of the
extended-deterrence game at its defaults (McKelvey & Palfrey 1998; traced as in Turocy 2005).
"""

from __future__ import annotations

import numpy as np

import deterrence as dt

from ._common import DemoOutput, FigureFactory

TITLE = "From noise to equilibrium"
SHOWS = """The logit quantal-response branch of the extended-deterrence game: as the players' precision
grows from 0 (random play), their choices approach an equilibrium."""
TUTORIAL = "discussion/solution-concepts.md"

CURVES = {
    ("attacker", "attack"): "Attacker attacks",
    ("defender", "resist"): "Defender resists",
    ("ally_committed", "intervene"): "committed ally intervenes",
    ("ally_uncommitted", "intervene"): "uncommitted ally intervenes",
}


def make(quick: bool, new_figure: FigureFactory) -> DemoOutput:
    lambdas = np.linspace(0, 40, 21 if quick else 161)
    game = dt.load_model("extended_deterrence").game()
    probs: dict[tuple[str, str], list[float]] = {key: [] for key in CURVES}
    for lam in lambdas:
        eq = dt.solve(game, concept="qre", lam=float(lam))[0]
        for (infoset, action), values in probs.items():
            player = next(p for p, sets in eq.profile.items() if infoset in sets)
            values.append(float(eq.profile[player][infoset][action]))
    fig = new_figure(figsize=(8, 4.5))
    ax = fig.add_subplot()
    for key, label in CURVES.items():
        ax.plot(lambdas, probs[key], label=label, lw=2)
    limit = dt.solve(game, concept="qre")[0]
    ax.set_xlabel("precision lambda (0 = random play)")
    ax.set_ylabel("choice probability")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(
        f"Logit QRE branch of the extended-deterrence game; limit: p_attack = "
        f"{limit.indicators['p_attack']:.2f}"
    )
    ax.legend(loc="center right", frameon=False)
    fig.tight_layout()
    lines = [
        f"at lambda = {lambdas[-1]:g} the Attacker attacks with probability "
        f"{probs[('attacker', 'attack')][-1]:.2f}; the limit equilibrium has p_attack "
        f"{limit.indicators['p_attack']:.2f}"
    ]
    return DemoOutput({"qre_branch": fig}, lines=lines)
