"""The seeded points of the signalling-tree PBE regression test and what a solve records there.

``tests/data/signalling_pbe_regression.json`` holds these records as the solver gave them before
the sweep-speed work (the template-built games, the compiled belief-support test, the replayed
pattern searches and the compiled certificate walk); ``test_signalling_pbe_regression.py``
compares today's solves with them. Regenerate (only when a change of results is intended) with
``PYTHONPATH=. python tests/helpers/signalling_points.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

import deterrence as dt
from deterrence import kernels

MODELS = {"chain_store": "p_tough", "costly_signal_menu": "resolve"}
POLICIES = ("free", "prior", "d1")
DATA = Path(__file__).resolve().parent.parent / "data" / "signalling_pbe_regression.json"


def points(name: str, n: int = 6) -> list[dict[str, float]]:
    """``n`` seeded domain points, the same with Nature's probability at 0 and 1, and the defaults."""
    model = dt.load_model(name)
    sample = kernels.domain_sample(model, n, seed=5)
    out = [{k: float(v[i]) for k, v in sample.items()} for i in range(n)]
    out += [{**p, MODELS[name]: float(i % 2)} for i, p in enumerate(out[: n // 2])]
    return [*out, {}]


def record(eqs: Any) -> dict[str, Any]:
    """What must not move: the set's flags and notes, and every equilibrium (rounded profiles and
    beliefs, label, certificate verdict and regrets)."""
    return {
        "complete": bool(eqs.complete), "degenerate": bool(eqs.degenerate), "notes": list(eqs.notes),
        "classes": str(eqs.class_summary()),
        "equilibria": [{
            "strategies": [np.round(np.asarray(s, dtype=float), 9).tolist() for s in e.strategies],
            "beliefs": {h: {v: round(float(x), 9) for v, x in d.items()} for h, d in e.beliefs.items()},
            "label": e.label,
            "passed": bool(e.certificate.passed),
            "regret": float(e.certificate.regret),
            "bayes_error": float(e.certificate.bayes_error),
        } for e in eqs],
    }


def solve_all() -> dict[str, Any]:
    """Every model x point x policy, keyed ``model|point|policy``."""
    out = {}
    for name in MODELS:
        model = dt.load_model(name)
        for i, p in enumerate(points(name)):
            for policy in POLICIES:
                out[f"{name}|{i}|{policy}"] = {"values": p, **record(
                    dt.solve(model.game(**p), "pbe", belief_policy=policy))}
    return out


if __name__ == "__main__":
    cases = solve_all()
    lines = [f"{json.dumps(k)}: {json.dumps(cases[k], sort_keys=True)}" for k in sorted(cases)]
    DATA.write_text("{\n" + ",\n".join(lines) + "\n}\n")  # one case a line
    print(f"wrote {DATA}")
