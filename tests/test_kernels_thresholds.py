"""Compiled sweep tables against per-point solving at the models' exact regime boundaries.

For every catalogue model and belief policy that compiles, at each boundary
:func:`deterrence.threshold` derives (the exact value in floating point, one ulp either side,
and 1e-9 either side), every point the compiled path decides has the per-point solver's
equilibria: regime, ``p_attack``, each player's payoff, every outcome probability, and the
count of equilibria (``n_equilibria``). (``tests/test_kernels.py`` compares regimes,
``p_attack`` and payoffs, under ``free`` beliefs.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import deterrence as dt
from deterrence.errors import UnsupportedError
from deterrence.kernels import compile_model
from deterrence.outcomes import regime_label
from deterrence.solvers import belief_options


def _compiling() -> list[tuple[str, str, str]]:
    out = []
    for name in dt.list_models("files"):
        m = dt.load_model(name)
        for concept in ("pbe", "spe"):
            if concept in m.concepts:
                out += [
                    (name, concept, policy)
                    for policy in (("free", "prior") if concept == "pbe" else ("free",))
                ]
    return out


def _boundary_points(m: dt.Model) -> pd.DataFrame:
    base = {n: float(p.default) for n, p in m.parameters.items()}
    frames = []
    for par in m.parameters:
        values = []
        for b in dt.threshold(m, par):
            x = float(b["numeric"])
            values += [x, np.nextafter(x, -np.inf), np.nextafter(x, np.inf), x - 1e-9, x + 1e-9]
        if values:
            f = pd.DataFrame({n: np.full(len(values), v) for n, v in base.items()})
            f[par] = values
            frames.append(f)
    if not frames:
        return pd.DataFrame(columns=list(base))
    pts = pd.concat(frames, ignore_index=True)
    inside = np.all([np.asarray(p.contains(pts[n].to_numpy())) for n, p in m.parameters.items()], 0)
    return pts[inside].reset_index(drop=True)


def _rounded(*xs: float) -> tuple[float, ...]:
    return tuple(round(float(x), 6) for x in xs)


def _compare(name: str, concept: str, policy: str) -> int:
    m = dt.load_model(name)
    try:
        cm = compile_model(m, concept, policy)
    except UnsupportedError as exc:
        pytest.skip(f"{name} does not compile for {concept}/{policy}: {exc}")
    pts = _boundary_points(m)
    if pts.empty:
        pytest.skip(f"{name}: no exact thresholds")
    table, undecided = cm.evaluate(pts)
    players = list(m.game().players)
    outcomes = [c.removeprefix("outcome_") for c in table.columns if c.startswith("outcome_")]
    compared = 0
    for k, row in pts.iterrows():
        if undecided[k]:
            continue
        try:
            eqs = list(dt.solve(m.game(**row.to_dict()), concept, **belief_options(concept, policy)))
        except dt.ParameterError:  # an ordering that holds in floating point only
            continue
        pointwise = sorted(
            (regime_label(e.outcomes, e.is_pure()), _rounded(1 - e.outcomes.get("status_quo", 0.0)),
             _rounded(*(e.payoffs[p] for p in players)),
             _rounded(*(e.outcomes.get(o, 0.0) for o in outcomes)), len(eqs))
            for e in eqs
        )  # fmt: skip
        rows = table[table.point == k]
        compiled = sorted(
            (r.regime, _rounded(r.p_attack), _rounded(*(r[f"payoff_{p}"] for p in players)),
             _rounded(*(r[f"outcome_{o}"] for o in outcomes)), int(r.n_equilibria))
            for _, r in rows.iterrows()
        )  # fmt: skip
        assert compiled == pointwise, (name, policy, row.to_dict(), compiled, pointwise)
        compared += 1
    return compared


def test_compiled_tables_match_per_point_at_exact_boundaries() -> None:
    assert _compare("egame12", "spe", "free") >= 5


@pytest.mark.slow
@pytest.mark.parametrize(("name", "concept", "policy"), _compiling())
def test_compiled_tables_match_per_point_at_exact_boundaries_every_model(
    name: str, concept: str, policy: str
) -> None:
    _compare(name, concept, policy)
