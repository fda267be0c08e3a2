"""Teaching demo: how much attack does the pledge prevent?

The pledge's deterrent effect is judged against the model's no-pledge baseline (the same
crisis with no audience cost of reneging): ``deterred = p_attack(baseline) - p_attack(pledge)``.
This plots ``p_attack`` with the pledge and ``deterred`` against the audience cost of reneging,
for several credibilities: the pledge only changes behaviour once the audience cost is large
enough to make even the uncommitted ally fight.

Run: ``python pledge_effect.py`` (writes ``pledge_effect.png``).
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
N = 31 if QUICK else 121

result = dt.sweep(
    "extended_deterrence",
    grid={"credibility": [0.05, 0.3, 0.6], "audience_cost": np.linspace(0, 0.5, N)},
    fixed={"cost_attacker": 0.45},
    concept="pbe",
    progress=False,
)
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
result.plot_lines("audience_cost", indicator="p_attack", by="credibility", ax=axes[0])
axes[0].set_title("probability of attack, with the pledge")
result.plot_lines("audience_cost", indicator="deterred", by="credibility", ax=axes[1])
axes[1].set_title("deterred = p_attack(no pledge) - p_attack(pledge)")
for ax in axes:
    ax.set_xlabel("the ally's audience cost of reneging (audience_cost)")
fig.suptitle("Extended deterrence (cost_attacker = 0.45): the pledge deters once reneging is costly")
fig.tight_layout()
fig.savefig(OUT / "pledge_effect.png", dpi=120)
