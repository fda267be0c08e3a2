"""Maximum-likelihood fits of the strategic statistical models, next to the cost of one likelihood.

Ours: ``dt.fit`` on the R package ``games``' data sets (``egame12`` on ``war1800``, probit and
logit agent error; ``egame122`` on ``data_122``; ``egame123`` on ``data_123``, private
information): the whole job every repeat (formula, model frame, designs, starting values, BFGS,
Hessian, result). Next to it, one evaluation of the log-likelihood with its analytic gradient
(per call and per row), which is what the optimiser repeats.

Baseline (in process, no R here): the same ``egame12`` likelihood written in plain numpy from the
JSS article's formulas and maximised by scipy's BFGS from zero with finite-difference gradients
(the route without an analytic gradient); its answer is compared with ours (log-likelihoods must
agree within 1e-6). The likelihood row
times 100 calls; the case records the median per call and per row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.stats import norm

import deterrence as dt

from .measure import Settings, ours

CALLS = 100
DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
F12 = "esc + war ~ s_wt_re1 + revis1 | 0 | regime1 | balanc + regime2"
F122 = "y ~ x1 + x2 | x3 + f1 | 0 | x4 + x5 | z1 + z2 | z3 + f2"
F123 = "y ~ x1 + x2 | 0 | x3 | x4 + x5 | 0 | x6 | x7 | x8"
FITS = (
    ("egame12 on war1800, probit agent", "egame12", F12, "war1800", {}),
    ("egame12 on war1800, logit agent", "egame12", F12, "war1800", {"link": "logit"}),
    ("egame122 on data_122, logit agent", "egame122", F122, "data_122.csv", {"link": "logit"}),
    ("egame123 on data_123, probit private", "egame123", F123, "data_123.csv", {"type": "private"}),
)


def _data(name: str) -> pd.DataFrame:
    return dt.load_dataset(name) if name == "war1800" else pd.read_csv(DATA / name)


def _plain_egame12(war: pd.DataFrame):
    """The negative log-likelihood of the war1800 specification in plain numpy (probit agent)."""
    d = war.dropna(subset=["regime1", "regime2"])
    x11 = np.column_stack([np.ones(len(d)), d.s_wt_re1, d.revis1])
    x14 = np.column_stack([np.ones(len(d)), d.regime1 == "dem", d.regime1 == "mixed"]).astype(float)
    x24 = np.column_stack([np.ones(len(d)), d.balanc, d.regime2 == "dem", d.regime2 == "mixed"]).astype(float)
    y = np.where(d.esc == 0, 0, np.where(d.war == 1, 2, 1))

    def nll(b: np.ndarray) -> float:
        p4 = norm.cdf(x24 @ b[6:] / np.sqrt(2))
        p2 = norm.cdf((p4 * (x14 @ b[3:6]) - x11 @ b[:3]) / np.sqrt(2))
        probs = np.column_stack([1 - p2, p2 * (1 - p4), p2 * p4])
        return -float(np.sum(np.log(probs[np.arange(len(y)), y])))

    return nll


def _baseline(df: pd.DataFrame, st: Settings) -> dict[str, Any]:
    nll = _plain_egame12(df)
    row = ours(
        "scipy BFGS, finite-difference gradient, plain-numpy likelihood",
        lambda it: minimize(nll, np.zeros(10), method="BFGS"),
        [{"df": df}],
        st,
        keep=lambda r: -float(r.fun),
    )
    row["role"] = "peer"
    return row


def _case(
    label: str, model: str, formula: str, data: str, kw: dict[str, Any], st: Settings
) -> dict[str, Any]:
    df = _data(data)
    item = {"df": df}
    fit = dt.fit(model, formula, df, **kw)
    lik, theta = fit._backend.lik, fit.params.to_numpy()
    fit_row = ours("deterrence dt.fit", lambda it: dt.fit(model, formula, it["df"], **kw), [item], st,
                   keep=lambda r: r.llf)  # fmt: skip
    calls = ours("deterrence log-likelihood + gradient (100 calls)",
                 lambda it: [lik.value_and_grad(theta) for _ in range(CALLS)], [item], st)  # fmt: skip
    calls["role"] = "component"  # part of the fit's work, not a competing tool
    rows = [fit_row, calls] + ([_baseline(df, st)] if label == FITS[0][0] else [])
    per_call = calls["stats"]["median"] / CALLS if calls.get("stats") else None
    return {
        "group": "estimation",
        "case": label,
        "task": f"maximum-likelihood fit ({fit.df_model} parameters, {fit.nobs} rows)",
        "unit": "s per fit (or per 100 calls)",
        "items": 1,
        "tools": rows,
        "likelihood_per_call_s": per_call,
        "likelihood_per_row_s": per_call / fit.nobs if per_call else None,
        "loglik": fit.llf,
        "disagreements": _check_baseline(rows, fit.llf),
    }


def run(pool: Any, st: Settings, log=print) -> list[dict[str, Any]]:
    """One case per fit (the fit, 100 likelihood evaluations), the baseline on war1800."""
    dt.fit("egame12", F12, _data("war1800"))  # warm-up: imports
    cases = []
    for label, model, formula, data, kw in FITS:
        log(f"  {label}")
        cases.append(_case(label, model, formula, data, kw, st))
    return cases


def _check_baseline(rows: list[dict[str, Any]], llf: float) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        got = row.get("results")
        if row["role"] == "peer" and got and abs(got[0] - llf) > 1e-6:
            out.append(
                {
                    "where": "war1800",
                    "tool": row["tool"],
                    "kind": "optimum",
                    "verdict": f"{row['tool']} stopped at log-likelihood {got[0]:.6f}, ours {llf:.6f}",
                }
            )
    return out
