"""Teaching demo: from noisy play to equilibrium along the logit QRE branch.

Players who make mistakes choose better actions more often, with precision lambda: at
lambda = 0 every action is equally likely, as lambda grows choices approach an equilibrium.
The plot follows the principal branch of the agent logit quantal-response equilibrium of the
extended-deterrence game at its defaults (McKelvey & Palfrey 1998; traced as in Turocy 2005).

Run: ``python qre_branch.py`` (writes ``qre_branch.png``).
"""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import deterrence as dt
from deterrence.solvers.qre import qre_at

QUICK = os.environ.get("DETERRENCE_DOCS_QUICK") == "1"
OUT = Path(os.environ.get("DETERRENCE_DOCS_OUT", "."))
LAMBDAS = np.linspace(0, 40, 21 if QUICK else 161)

game = dt.load_model("extended_deterrence").game()
curves = {
    ("attacker", "attack"): "Attacker attacks",
    ("defender", "resist"): "Defender resists",
    ("ally_committed", "intervene"): "committed ally intervenes",
    ("ally_uncommitted", "intervene"): "uncommitted ally intervenes",
}
index = {h.name: k for k, h in enumerate(game.infosets)}
probs = {key: [] for key in curves}
for lam in LAMBDAS:
    point = qre_at(game, float(lam))
    for infoset, action in curves:
        h = game.infosets[index[infoset]]
        probs[(infoset, action)].append(point.strategies[index[infoset]][list(h.actions).index(action)])

fig, ax = plt.subplots(figsize=(8, 4.5))
for key, label in curves.items():
    ax.plot(LAMBDAS, probs[key], label=label, lw=2)
limit = dt.solve(game, concept="qre")[0]
ax.set_xlabel("precision lambda (0 = random play)")
ax.set_ylabel("choice probability")
ax.set_ylim(-0.02, 1.02)
ax.set_title("Logit QRE branch of the extended-deterrence game; limit: "
             f"p_attack = {limit.indicators['p_attack']:.2f}")
ax.legend(loc="center right", frameon=False)
fig.tight_layout()
fig.savefig(OUT / "qre_branch.png", dpi=120)
