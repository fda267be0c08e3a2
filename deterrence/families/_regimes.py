"""What is exact about the regimes of the collective-defence family (``dt.regimes``, ``dt.threshold``).

For exchangeable allies deciding at once (``collective_defence``) at a fixed number of members
``n``, every symmetric equilibrium is written in closed form around two Bernstein polynomials of
an ally's join probability ``q`` (derived in ``docs/discussion/derivations.md#collective-defence``):

* ``D(q) = sum_m C(n-1, m) q^m (1 - q)^(n-1-m) Delta_m``, an ally's expected marginal contribution
  to the Target side's chance of winning (``Delta_m = p((m+1) k) - p(m k)``);
* ``P(q) = sum_m C(n, m) q^m (1 - q)^(n-m) p(m k)``, the Target side's chance of winning.

Type ``t`` joins iff ``w_t v D(q) >= c_L - a`` (``a`` the audience cost its pledge sets); the
attacked Target resists iff ``P(q) v >= c_D``; the Attacker attacks a resisting Target iff
``(1 - P(q)) v > c_A``. :func:`family_regimes` writes these conditions with sympy for each join
regime (nobody, the committed types, the uncommitted types or every ally joins; one type mixes
at a root ``q*`` of ``w_t v D(q) = c_L - a``), and :meth:`FamilyRegimes.boundaries` solves the
boundaries on ``credibility`` exactly: with the other parameters fixed they are roots of
polynomials in ``credibility`` (algebraic numbers, ``CRootOf``, when the fixed values are rational
and the contest's decisiveness is 1; numeric roots otherwise, said so).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from ..equilibrium import check_belief_policy
from ..errors import ParameterError, UnsupportedError, close_match_hint
from ._pledges import audience_multiplier

#: the join regimes: name -> (committed action, uncommitted action); None where the type mixes
JOIN_REGIMES: dict[str, tuple[Any, Any]] = {
    "nobody joins": (0, 0),
    "the committed types join": (1, 0),
    "the uncommitted types join": (0, 1),
    "every ally joins": (1, 1),
    "the committed types mix": (None, 0),
    "the uncommitted types mix": (1, None),
}


#: each join regime's conditions, in words of D (the forms kept as sympy in ``conditions``)
_TEXT: dict[str, str] = {
    "nobody joins": "q = 0:  w_C v D(0) <= h and w_U v D(0) <= h",
    "the committed types join": "q = pi:  w_C v D(pi) >= h and w_U v D(pi) <= h",
    "the uncommitted types join": "q = 1 - pi:  w_U v D(1 - pi) >= h and w_C v D(1 - pi) <= h",
    "every ally joins": "q = 1:  w_C v D(1) >= h and w_U v D(1) >= h",
    "the committed types mix": "q* in (0, pi) with w_C v D(q*) = h, and w_U v D(q*) <= h",
    "the uncommitted types mix": "q* in (pi, 1) with w_U v D(q*) = h, and w_C v D(q*) >= h",
}


@dataclass(frozen=True)
class FamilyRegimes:
    """The exact regimes of the family at ``members`` (see the module docstring).

    Attributes
    ----------
    model, members
        The family's name and the member count the conditions are written for.
    symbols
        Parameter name -> sympy symbol (the free parameters, and ``q`` the join probability).
    conditions
        Join regime -> list of sympy relations in ``q`` and the parameters (``q`` set to its
        value in the pure regimes).
    win, marginal
        ``P(q)`` and ``D(q)`` (sympy).
    fixed
        The values substituted.
    latex_names
        Parameter name -> its LaTeX symbol.
    notes
        What else the reader should know (the pledge's audience-cost multiplier; under a belief
        policy other than ``"prior"``, that equilibria supported only by off-path beliefs are
        not written here).
    concept, belief_policy
        The solution concept (always ``"pbe"``) and the belief policy asked for, as on
        :class:`deterrence.analysis.Regimes`.
    """

    model: str
    members: int
    symbols: dict[str, sp.Symbol]
    conditions: dict[str, list[sp.Basic]]
    win: sp.Expr
    marginal: sp.Expr
    fixed: dict[str, Any]
    latex_names: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    concept: str = "pbe"
    belief_policy: str = "prior"

    def to_text(self, latex: bool = False) -> str:
        """The regimes as text: the conditions in terms of ``D`` and ``P``, and their polynomials in
        ``q`` where every other parameter is fixed (LaTeX for expressions with ``latex=True``)."""
        show = sp.latex if latex else sp.sstr
        n, q = self.members, self.symbols["q"]
        lines = [
            f"Exact regimes of {self.model} with {n} members (symmetric equilibria of exchangeable allies "
            f"deciding at once; PBE with consistent beliefs; belief policy {self.belief_policy}):",
            "  contest: p(K) = g^r / (1 + g^r), g = x0 + K (x1 - x0), x = (p / (1 - p))^(1/r) at p_alone and "
            "p_allied, r = decisiveness",
            f"  D(q) = sum_m C({n - 1}, m) q^m (1-q)^({n - 1}-m) [p((m+1) k) - p(m k)]  (an ally's expected "
            "marginal contribution)",
            f"  P(q) = sum_m C({n}, m) q^m (1-q)^({n}-m) p(m k)  (the Target side's chance of winning)",
        ]
        if not (self.marginal.free_symbols - {q}):
            lines += [
                f"  at these values D(q) = {show(sp.expand(self.marginal))}",
                f"                P(q) = {show(sp.expand(self.win))}",
            ]
        lines.append(
            "  join regimes (h = cost_ally - the audience cost the pledge sets; w_C, w_U the interests, "
            "v the stakes, pi the credibility):"
        )
        width = max(len(k) for k in self.conditions) + 2
        for name, text in _TEXT.items():
            lines.append(f"    [{name}]".ljust(width + 6) + text)
        lines.append(
            "  then the attacked Target resists iff P(q) v >= c_D, and the Attacker attacks iff the Target "
            "concedes or (1 - P(q)) v > c_A."
        )
        if self.fixed:
            lines.append("  fixed: " + ", ".join(f"{k} = {v}" for k, v in self.fixed.items()))
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def boundaries(self, parameter: str, at: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The boundaries of the pure join regimes and of the Target's and the Attacker's choices
        on ``parameter`` (``credibility`` only), the other parameters at ``at``.

        Returns
        -------
        list of dict
            ``{"regime", "relation", "threshold", "exact"}``: at ``threshold`` (a root in (0, 1)
            of a polynomial in the credibility) the condition named by ``regime`` changes sign.

        Raises
        ------
        ParameterError
            ``parameter`` or a name in ``at`` is not a parameter of the family, or ``at`` gives
            ``members`` or ``pledge`` other than the values these regimes are written for.
        """
        self._check_names([parameter, *(at or {})])
        self._check_counts(at or {})
        if parameter != "credibility":  # exact boundaries on credibility only: dt.threshold scans the others
            return []
        values = {k: v for k, v in (at or {}).items() if k in self.symbols and k != "credibility"}
        pi = self.symbols["credibility"]
        out: list[dict[str, Any]] = []
        for name, conds in self.conditions.items():
            for cond in conds:
                if not isinstance(cond, sp.core.relational.Relational):
                    continue
                expr = (cond.lhs - cond.rhs).xreplace({self.symbols[k]: _exact(v) for k, v in values.items()})
                if expr.free_symbols - {pi}:
                    continue
                for root, exact in _roots(expr, pi):
                    out.append({"regime": name, "relation": cond.rel_op, "threshold": root, "exact": exact})
        return out


    def _check_names(self, names: list[str]) -> None:
        known = [k for k in self.symbols if k != "q"] + ["members", "pledge"]
        unknown = [k for k in names if k not in known]
        if unknown:
            raise ParameterError(
                f"unknown parameter '{unknown[0]}' for model '{self.model}'"
                f"{close_match_hint(unknown[0], known)}; valid: {', '.join(known)}",
                name=unknown[0],
            )

    def _check_counts(self, at: dict[str, Any]) -> None:
        written = {"members": self.members}
        if "pledge" in self.fixed:
            written["pledge"] = self.fixed["pledge"]
        for name, value in written.items():
            if name in at and at[name] != value:
                raise ParameterError(
                    f"these regimes are written for {name} = {value}, not {at[name]}; "
                    f"call dt.regimes(model, {name}={at[name]})",
                    name=name, value=at[name],
                )


def _exact(value: Any) -> Any:
    return sp.nsimplify(value, rational=True) if isinstance(value, float) else value


def _roots(expr: sp.Expr, x: sp.Symbol) -> list[tuple[sp.Expr, bool]]:
    """Real roots in (0, 1) of a polynomial in ``x`` (exact when its coefficients are rational)."""
    expr = sp.together(sp.expand(expr))
    num, _den = sp.fraction(expr)
    if x not in num.free_symbols:
        return []
    poly = sp.Poly(sp.expand(num), x)
    if all(c.is_rational for c in poly.coeffs()):
        roots = [(r, True) for r in sp.real_roots(poly)]
    else:
        roots = [
            (sp.Float(complex(r).real), False) for r in poly.nroots(n=15) if abs(complex(r).imag) < 1e-12
        ]
    return [(r, e) for r, e in roots if 0 < float(r) < 1]


def family_regimes(
    fam: Any, concept: str | None = None, belief_policy: str = "free", **fixed: Any
) -> FamilyRegimes:
    """The exact regimes of an exchangeable, simultaneous collective-defence family.

    Raises
    ------
    UnsupportedError
        A concept other than PBE, per-ally parameters, the sequential timing or the provocation
        variant (the command line then finds the boundaries numerically).
    ParameterError
        An unknown parameter, or a value outside its domain.
    """
    if concept not in (None, "pbe"):
        raise UnsupportedError(f"the {fam.name} family is solved as 'pbe', not '{concept}'", methods=("pbe",))
    check_belief_policy(belief_policy)
    if not fam.exchangeable or fam.timing != "simultaneous" or fam.provocation:
        raise UnsupportedError(
            f"exact regimes are written for exchangeable allies deciding at once "
            f"(collective_defence); {fam.name} has its boundaries found numerically"
        )
    unknown = [k for k in fixed if k not in fam.parameters]
    if unknown:
        raise ParameterError(f"unknown parameter '{unknown[0]}' for model '{fam.name}'", name=unknown[0])
    for k, v in fixed.items():
        fam.parameters[k].check(v)
    n = int(fixed.get("members", fam.parameters["members"].default))
    code = fixed.get("pledge", fam.parameters["pledge"].default)
    mult = 0.0 if fam.is_baseline else audience_multiplier(code)
    names = [k for k in fam.parameters if k not in ("members", "pledge")]
    syms = {k: sp.Symbol(k, real=True) for k in names}
    subs = {syms[k]: _exact(v) for k, v in fixed.items() if k in syms}
    q = sp.Symbol("q", real=True)
    s = {k: v.xreplace(subs) for k, v in syms.items()}
    win = [_contest(s, m) for m in range(n + 1)]
    delta = [win[m + 1] - win[m] for m in range(n)]
    marginal = sum(sp.binomial(n - 1, m) * q**m * (1 - q) ** (n - 1 - m) * delta[m] for m in range(n))
    total = sum(sp.binomial(n, m) * q**m * (1 - q) ** (n - m) * win[m] for m in range(n + 1))
    hurdle = s["cost_ally"] - s["audience_cost"] * sp.nsimplify(mult)
    conds = _join_conditions(s, q, marginal, hurdle)
    return FamilyRegimes(
        fam.name,
        n,
        {**syms, "q": q},
        conds,
        sp.simplify(total) if n <= 3 else total,
        marginal,
        dict(fixed),
        {k: getattr(fam.parameters[k], "symbol", "") for k in names},
        notes=(f"pledge code {int(code)}: audience-cost multiplier {mult:g}", *_policy_notes(belief_policy)),
        concept="pbe",
        belief_policy=belief_policy,
    )


def _policy_notes(belief_policy: str) -> tuple[str, ...]:
    """What the conditions leave out under ``belief_policy``: they are written with beliefs that
    follow the prior, so equilibria that only other off-path beliefs support are not among them."""
    if belief_policy == "prior":
        return ()
    return (f"belief policy '{belief_policy}': the conditions are those of equilibria with beliefs that "
            "follow the prior off the path; equilibria that only other off-path beliefs support are not "
            "written here (dt.solve and dt.sweep find them)",)


def _contest(s: dict[str, Any], m: int) -> sp.Expr:
    """``p(m k)`` of the ratio-form contest (``p(0) = p_alone``)."""
    if m == 0:
        return s["p_alone"]
    r = s["decisiveness"]
    x0 = (s["p_alone"] / (1 - s["p_alone"])) ** (1 / r)
    x1 = (s["p_allied"] / (1 - s["p_allied"])) ** (1 / r)
    g = x0 + m * s["capability"] * (x1 - x0)
    return sp.simplify(g**r / (1 + g**r)) if r == 1 else g**r / (1 + g**r)


def _join_conditions(
    s: dict[str, Any], q: sp.Symbol, marginal: sp.Expr, hurdle: sp.Expr
) -> dict[str, list[sp.Basic]]:
    """Each join regime's best-response conditions (``q`` at its value in the pure regimes)."""
    pi, v = s["credibility"], s["stakes"]
    w = (s["interest_committed"], s["interest_uncommitted"])
    out: dict[str, list[sp.Basic]] = {}
    for name, (a_c, a_u) in JOIN_REGIMES.items():
        if a_c is not None and a_u is not None:
            at = pi * a_c + (1 - pi) * a_u
            d = marginal.xreplace({q: at})
            out[name] = [(sp.Ge if act else sp.Le)(w[t] * v * d, hurdle) for t, act in enumerate((a_c, a_u))]
        else:
            t = 0 if a_c is None else 1
            other = 1 - t
            act = a_u if t == 0 else a_c
            lo = (1 - pi) * act if t == 0 else pi * act
            hi = lo + (pi if t == 0 else 1 - pi)
            out[name] = [
                sp.Eq(w[t] * v * marginal, hurdle),
                sp.Gt(q, lo),
                sp.Lt(q, hi),
                (sp.Ge if act else sp.Le)(w[other] * v * marginal, hurdle),
            ]
    return out


def family_threshold(
    fam: Any, parameter: str, concept: str | None = None, belief_policy: str = "free", **fixed: Any
) -> list[dict[str, Any]]:
    """Values of ``parameter`` where the set of regimes changes: exact candidates on ``credibility``
    (:meth:`FamilyRegimes.boundaries`), each kept where the family's own evaluation finds different
    regime sets on its two sides; other parameters numerically (:func:`deterrence.numeric_threshold`
    does not apply to families: a scan with the same evaluation)."""
    if parameter not in fam.parameters:
        raise ParameterError(
            f"unknown parameter '{parameter}' for model '{fam.name}'; valid: {', '.join(fam.parameters)}",
            name=parameter,
        )
    check_belief_policy(belief_policy)  # before the try: an OptionError is an UnsupportedError too
    values = {n: p.default for n, p in fam.parameters.items() if n != parameter}
    values.update(fixed)
    try:
        regs = family_regimes(fam, concept, belief_policy, **{k: v for k, v in values.items()})
        candidates = [(r["threshold"], r["exact"]) for r in regs.boundaries(parameter, values)]
    except UnsupportedError:
        candidates = []
    if parameter != "credibility" or not candidates:
        return _scan(fam, parameter, values, belief_policy)
    out = []
    for root, exact in sorted({(c, e) for c, e in candidates}, key=lambda t: float(t[0])):
        x = float(root)
        eps = 1e-6 * max(1.0, abs(x))
        below, above = (_regime_set(fam, {**values, parameter: y}, belief_policy) for y in (x - eps, x + eps))
        if below != above:
            out.append(
                {
                    "parameter": parameter,
                    "value": root,
                    "numeric": x,
                    "below": sorted(below),
                    "above": sorted(above),
                    "exact": exact,
                }
            )
    return out


def _regime_set(fam: Any, values: dict[str, Any], belief_policy: str) -> frozenset[str]:
    import pandas as pd

    kernel = fam.compiled_kernel("pbe", belief_policy)
    rows, _ = kernel.evaluate(pd.DataFrame({k: [float(v)] for k, v in values.items()}))
    return frozenset(rows["regime"])


def _scan(
    fam: Any, parameter: str, values: dict[str, Any], belief_policy: str, grid: int = 65, tol: float = 1e-6
) -> list[dict[str, Any]]:
    """Boundaries on a bounded parameter by a scan and bisection with the family's evaluation."""
    par = fam.parameters[parameter]
    lo, hi = (float(x) for x in par.domain)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ParameterError(
            f"parameter '{parameter}' has the unbounded domain {par.domain_text}; thresholds "
            "are found on bounded parameters",
            name=parameter,
        )
    xs = (
        np.unique(np.round(np.linspace(lo, hi, grid)))
        if getattr(par, "integer", False)
        else np.linspace(lo + tol, hi - tol, grid)
    )
    sets = [(float(x), _regime_set(fam, {**values, parameter: float(x)}, belief_policy)) for x in xs]
    out = []
    for (a, ra), (b, rb) in itertools.pairwise(sets):
        if ra == rb:
            continue
        while not getattr(par, "integer", False) and b - a > tol:
            mid = 0.5 * (a + b)
            rm = _regime_set(fam, {**values, parameter: mid}, belief_policy)
            a, b = (mid, b) if rm == ra else (a, mid)
        out.append(
            {
                "parameter": parameter,
                "value": None,
                "numeric": 0.5 * (a + b),
                "bracket": (a, b),
                "below": sorted(ra),
                "above": sorted(rb),
                "exact": False,
            }
        )
    return out


__all__ = ["JOIN_REGIMES", "FamilyRegimes", "family_regimes", "family_threshold"]
