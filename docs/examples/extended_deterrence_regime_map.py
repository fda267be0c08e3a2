"""Teaching demo: where does the pledge deter? The regime map of the extended-deterrence model.

Sweeps the credibility of the ally's pledge against the Attacker's cost of war (all other
parameters at their defaults), solves the perfect Bayesian equilibria at every point and
colours the map by the equilibrium regime: the status quo (deterrence holds), capitulation,
or war with the ally abandoning the Defender when it turns out to be uncommitted.

Run: ``python extended_deterrence_regime_map.py`` (writes ``extended_deterrence_regime_map.png``).
"""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import deterrence as dt

QUICK = os.environ.get("DETERRENCE_DOCS_QUICK") == "1"  # small grid for tests
OUT = Path(os.environ.get("DETERRENCE_DOCS_OUT", "."))
N = 41 if QUICK else 121

model = dt.load_model("extended_deterrence")
result = dt.sweep(
    model,
    grid={"credibility": np.linspace(0, 1, N), "cost_attacker": np.linspace(0, 1.2, N)},
    concept="pbe",
    progress=False,
)
fig, ax = plt.subplots(figsize=(10, 5.5))
result.plot("credibility", "cost_attacker", indicator=None, ax=ax)
# the exact boundary (derived in the model file): attacking a resisting Defender stops paying
# once credibility * (p_allied - p_alone) * stakes > (1 - p_alone) * stakes - cost_attacker
d = model.defaults
c = np.linspace(0, 1, 200)
boundary = (1 - d["p_alone"]) * d["stakes"] - c * (d["p_allied"] - d["p_alone"]) * d["stakes"]
ax.plot(c, boundary, "w--", lw=1.5, label="exact boundary")
ax.set_title("Extended deterrence: which equilibrium holds (perfect Bayesian, worst case)")
fig.tight_layout()
fig.savefig(OUT / "extended_deterrence_regime_map.png", dpi=120)
