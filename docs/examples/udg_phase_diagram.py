"""Teaching demo: the phase diagram of the Unilateral Deterrence Game (perfect deterrence theory).

Zagare and Kilgour's Unilateral Deterrence Game, as reconstructed in the catalogue
(``unilateral_deterrence``): both the Challenger and the Defender may be Hard or Soft, each
knowing only its own type. Under the D1 belief refinement the perfect Bayesian equilibrium is
unique, and the plane of the two type probabilities splits into four regimes: status quo,
separating (only the Hard Challenger challenges), attack and bluff. Deterring every Challenger
needs the Defender to be Hard with a probability above a threshold set by the *Challenger's*
utilities: credible threats are neither necessary nor sufficient for deterrence.

Run: ``python udg_phase_diagram.py`` (writes ``udg_phase_diagram.png``).
"""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import deterrence as dt

QUICK = os.environ.get("DETERRENCE_DOCS_QUICK") == "1"
OUT = Path(os.environ.get("DETERRENCE_DOCS_OUT", "."))
N = 9 if QUICK else 31  # D1 beliefs are solved point by point: keep the grid modest

model = dt.load_model("unilateral_deterrence")
result = dt.sweep(
    model,
    grid={"p_challenger_hard": np.linspace(0.01, 0.99, N), "p_defender_hard": np.linspace(0.01, 0.99, N)},
    concept="pbe",
    belief_policy="d1",
    progress=False,
)
fig, ax = plt.subplots(figsize=(10, 5.5))
result.plot("p_challenger_hard", "p_defender_hard", indicator=None, ax=ax)
# Zagare-Kilgour names of the equilibrium classes, written at the centre of their regions
names = {"status_quo": "Status Quo", "status_quo+capitulation+war": "Separating",
         "capitulation+war": "Attack", "mixed:status_quo+capitulation+war": "Bluff"}
sel = result.selected()
for regime, rows in sel.groupby("regime"):
    if regime in names:
        ax.text(rows["p_challenger_hard"].mean(), rows["p_defender_hard"].mean(), names[regime],
                ha="center", va="center", fontsize=13, weight="bold", color="white")
ax.set_title("Unilateral Deterrence Game (reconstruction): PBE regimes under D1 beliefs")
fig.tight_layout()
fig.savefig(OUT / "udg_phase_diagram.png", dpi=120)
