"""Text and LaTeX tables of a fitted model, laid out as the R package ``games`` prints them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

_STARS = ((0.001, "***"), (0.01, "**"), (0.05, "*"), (0.1, "."))


def _stars(p: float) -> str:
    if not np.isfinite(p):
        return ""
    return next((s for cut, s in _STARS if p < cut), "")


def _pval(p: float) -> str:
    if not np.isfinite(p):
        return "NaN"
    return "< 2e-16" if p < 2e-16 else f"{p:.4g}"


def coefficient_table(result: Any, se: str) -> pd.DataFrame:
    """Estimate, Std. Error, z value, Pr(>|z|) for each estimated parameter."""
    est = result.params
    cov = result.cov_params(se)
    bse = pd.Series(np.sqrt(np.diag(cov.to_numpy())), index=est.index)
    z = est / bse
    p = pd.Series(2 * norm.sf(np.abs(z.to_numpy())), index=est.index)
    return pd.DataFrame({"Estimate": est, "Std. Error": bse, "z value": z, "Pr(>|z|)": p})


class Summary:
    """What ``result.summary()`` returns: ``print`` it, or read ``.table``."""

    def __init__(self, result: Any, se: str) -> None:
        self.result = result
        self.se = se
        self.table = coefficient_table(result, se)

    def _rows(self) -> list[str]:
        t = self.table
        width = max([len(str(i)) for i in t.index] + [8])
        head = f"{'':<{width}} {'Estimate':>10} {'Std. Error':>10} {'z value':>8} {'Pr(>|z|)':>9}"
        rows = [head]
        for name, r in t.iterrows():
            p = float(r["Pr(>|z|)"])
            rows.append(
                f"{name!s:<{width}} {r['Estimate']:>10.5f} {r['Std. Error']:>10.5f} {r['z value']:>8.3f} "
                f"{_pval(p):>9} {_stars(p)}".rstrip()
            )
        return rows

    def __str__(self) -> str:
        res, info = self.result, self.result.info
        what = "private information" if info.type == "private" else "agent error"
        lines = [
            f"{info.model}: {info.kind} model, {info.link} link, {what}, fitted by maximum likelihood",
            f"{'Formula' if info.kind == 'strategic' else 'Estimated'}: {info.formula}",
            "",
            "Coefficients:",
            *self._rows(),
            "---",
            "Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1",
            "",
            "Standard errors estimated from "
            + ("bootstrap results" if self.se == "bootstrap" else "inverse Hessian")
            + (f" ({len(res.boot_params)} replicates)" if self.se == "bootstrap" else ""),
        ]
        fixed = [f"{k} = {v:g}" for k, v in res.fixed_params.items()] + list(info.notes)
        if fixed:
            lines.append("Fixed terms: " + "; ".join(fixed))
        lines += [f"Log-likelihood: {res.llf:.4f}", f"AIC: {res.aic:.4f}", f"BIC: {res.bic:.4f}"]
        dropped = []
        if info.n_missing:
            dropped.append(f"{info.n_missing} dropped for missing values")
        if info.n_subset:
            dropped.append(f"{info.n_subset} removed by subset")
        lines.append(f"No. observations: {res.nobs}" + (f" ({'; '.join(dropped)})" if dropped else ""))
        if not info.converged:
            lines.append(f"Warning: model fitting did not converge ({info.message})")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


_TEX = {
    "\\": r"\textbackslash{}",
    "_": r"\_",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\^{}",
    "{": r"\{",
    "}": r"\}",
}


def _tex(s: str) -> str:
    return "".join(_TEX.get(c, c) for c in s)


def latex_table(
    result: Any, *, digits: int = 3, se: str | None = None, caption: str = "", label: str = ""
) -> str:
    """One row per regressor, one column per equation; estimate over (standard error)."""
    if se is None:
        se = "bootstrap" if result.boot_params is not None and len(result.boot_params) > 1 else "hessian"
    t = coefficient_table(result, se)
    eqs = list(dict.fromkeys(str(i).split(":", 1)[0] for i in t.index))
    regs = list(dict.fromkeys(str(i).split(":", 1)[1] if ":" in str(i) else "" for i in t.index))
    regs.sort(key=lambda r: r != "(Intercept)")

    def fmt(x: float) -> str:
        s = f"{x:.{digits}f}"
        return s.replace("-", "$-$")

    out = [
        r"\begin{table}[htbp]",
        r"\centering",
        r"\begin{tabular}{l" + "c" * len(eqs) + "}",
        r"\hline",
        " & ".join(["", *(_tex(e) for e in eqs)]) + r" \\",
        r"\hline",
    ]
    for r in regs:
        est_row, se_row = [_tex(r)], [""]
        for e in eqs:
            key = f"{e}:{r}"
            if key in t.index:
                est_row.append(fmt(t.loc[key, "Estimate"]))
                se_row.append(f"({fmt(t.loc[key, 'Std. Error'])})")
            else:
                est_row.append("")
                se_row.append("")
        out += [" & ".join(est_row) + r" \\", " & ".join(se_row) + r" \\[2pt]"]
    out += [
        r"\hline",
        f"Log-likelihood & {fmt(result.llf)}" + " &" * (len(eqs) - 1) + r" \\",
        f"$N$ & {result.nobs}" + " &" * (len(eqs) - 1) + r" \\",
        r"\hline",
        r"\end{tabular}",
    ]
    if caption:
        out.append(rf"\caption{{{caption}}}")
    if label:
        out.append(rf"\label{{{label}}}")
    out.append(r"\end{table}")
    return "\n".join(out) + "\n"
