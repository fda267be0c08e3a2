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
ally's pledge and the Attacker's cost of war, with the exact boundary (dashed)."""
TUTORIAL = "tutorials/does-the-pledge-deter.md"


def make(quick: bool, new_figure: FigureFactory) -> DemoOutput:
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
    # once credibility * (p_allied - p_alone) * stakes > (1 - p_alone) * stakes - cost_attacker
    d = model.defaults
    c = np.linspace(0, 1, 200)
    boundary = (1 - d["p_alone"]) * d["stakes"] - c * (d["p_allied"] - d["p_alone"]) * d["stakes"]
    ax.plot(c, boundary, "w--", lw=1.5, label="exact boundary")
    ax.set_title("Extended deterrence: which equilibrium holds (perfect Bayesian, worst case)")
    fig.tight_layout()
    shares = result.regime_shares()
    lines = [
        f"{n}x{n} grid: " + ", ".join(f"{r} {s:.0%}" for r, s in shares.items()),
        f"at the defaults the pledge deters once cost_attacker > {float(boundary[-1]):.2f} (credibility 1) "
        f"or > {float(boundary[0]):.2f} (credibility 0)",
    ]
    return DemoOutput({"extended_deterrence_regime_map": fig}, lines=lines)
