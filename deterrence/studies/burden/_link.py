"""The link from burden-sharing to deterrence: the deterrent level ``D(S)`` sets a model parameter.

:class:`DeterrenceLink` maps ``D(S)`` onto a parameter of an attacker–defender–ally model,
:func:`linked_outcomes` solves that model at the resulting values, :func:`required_level`
finds the smallest level that deters. Part of :mod:`deterrence.studies.burden`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...errors import ParameterError, SolverError, close_match_hint
from ._certify import BurdenEquilibrium
from ._game import check_grid


# ---------------------------------------------------------------------------- link to deterrence
@dataclass(frozen=True)
class DeterrenceLink:
    """How the alliance's deterrent level ``D(S)`` sets a parameter of a deterrence model.

    ``parameter = at_zero + (at_full - at_zero) * D(S)``: linear in the deterrent level, from
    its value with no spending (``D = 0``) to its value as spending grows without bound.

    Parameters
    ----------
    parameter
        A parameter of ``model`` (e.g. ``"p_allied"``, ``"cost_attacker"``).
    at_zero
        Value at ``D = 0``. ``None``: for ``p_allied``, the Defender's chance alone ``p_alone``
        (an ally that buys nothing adds nothing); otherwise the parameter's value in ``fixed``
        or its default.
    at_full
        Value as ``D -> 1``.
    model
        A catalogue name or a model file path.
    """

    parameter: str = "p_allied"
    at_zero: float | None = None
    at_full: float = 1.0
    model: str = "extended_deterrence"

    def load(self) -> Any:
        from ...catalogue import load_model

        m = load_model(self.model)
        if self.parameter not in m.parameters:
            raise ParameterError(f"unknown parameter '{self.parameter}' for model '{m.name}'"
                                 f"{close_match_hint(self.parameter, m.parameters)}; valid: "
                                 f"{', '.join(m.parameters)}", name=self.parameter)
        return m

    def values(self, levels: Any, model: Any = None, **fixed: float) -> pd.DataFrame:
        """Model parameter values (one row per deterrent level): ``fixed``, defaults and the link."""
        m = model if model is not None else self.load()
        for k in fixed:
            if k not in m.parameters:
                raise ParameterError(f"unknown parameter '{k}' for model '{m.name}'"
                                     f"{close_match_hint(k, m.parameters)}; valid: "
                                     f"{', '.join(m.parameters)}", name=k)
            if k == self.parameter:
                raise ParameterError(f"'{k}' is set by the burden-sharing link and cannot be fixed", name=k)
        d = np.atleast_1d(np.asarray(levels, dtype=float))
        base = {n: float(fixed.get(n, p.default)) for n, p in m.parameters.items()}
        if self.at_zero is not None:
            lo = float(self.at_zero)
        elif self.parameter == "p_allied" and "p_alone" in base:
            lo = base["p_alone"]
        else:
            lo = base[self.parameter]
        pts = pd.DataFrame({n: np.full(d.size, x) for n, x in base.items()})
        pts[self.parameter] = lo + (self.at_full - lo) * d
        dom = m.parameters[self.parameter].domain
        bad = (pts[self.parameter] < dom[0] - 1e-12) | (pts[self.parameter] > dom[1] + 1e-12)
        if bad.any():
            x = float(pts[self.parameter][bad].iloc[0])
            raise ParameterError(f"the link sets {self.parameter} = {x}, outside its domain {dom}",
                                 name=self.parameter, value=x, domain=dom)
        return pts


def linked_outcomes(levels: Any, link: DeterrenceLink | None = None, *, concept: str = "pbe",
                    belief_policy: str = "free", **fixed: float) -> pd.DataFrame:
    """Solve the linked deterrence model at each deterrent level.

    Parameters
    ----------
    levels
        Deterrent levels ``D(S)`` (floats in ``[0, 1]``) or :class:`BurdenEquilibrium` objects.
    link
        The :class:`DeterrenceLink` (default: ``p_allied`` of ``extended_deterrence``).
    concept, belief_policy
        As in :func:`deterrence.solve`; the compiled kernel solves whole arrays, and points the
        kernel leaves undecided (knife edges) are solved per point with ``dt.solve``.
    fixed
        Values of the model's other parameters (defaults otherwise).

    Returns
    -------
    pandas.DataFrame
        One row per level: ``level``, the linked parameter, ``n_equilibria``, ``p_attack_min``,
        ``p_attack_max``, ``deterred`` (every equilibrium is free of attack), ``regimes`` and
        ``orderings_ok`` (the model's stated orderings hold at these values).
    """
    from ...kernels import compile_model

    link = link or DeterrenceLink()
    lv = _levels(levels)
    m = link.load()
    pts = link.values(lv, m, **fixed)
    table, undecided = compile_model(m, concept, belief_policy).evaluate(pts)
    rows = []
    grouped = dict(tuple(table.groupby("point"))) if len(table) else {}
    for k in range(len(pts)):
        if undecided[k] or k not in grouped:
            rows.append(_solve_point(m, pts.iloc[k].to_dict(), concept, belief_policy))
        else:
            g = grouped[k]
            rows.append((len(g), float(g.p_attack.min()), float(g.p_attack.max()),
                         "|".join(sorted(set(g.regime)))))
    out = pd.DataFrame(rows, columns=["n_equilibria", "p_attack_min", "p_attack_max", "regimes"])
    out.insert(0, link.parameter, pts[link.parameter].to_numpy())
    out.insert(0, "level", lv)
    out["deterred"] = out["p_attack_max"] <= 1e-9
    ev = m.evaluate({n: pts[n].to_numpy() for n in m.parameters}, check=False, check_orderings=False)
    out["orderings_ok"] = np.broadcast_to(np.asarray(ev.ordering_ok, dtype=bool), (len(pts),))
    return out


def _levels(levels: Any) -> np.ndarray:
    if isinstance(levels, BurdenEquilibrium):
        levels = [levels]
    if isinstance(levels, Iterable) and not isinstance(levels, np.ndarray | str):
        return np.array([x.deterrence if isinstance(x, BurdenEquilibrium) else float(x) for x in levels])
    return np.atleast_1d(np.asarray(levels, dtype=float))


def _solve_point(m: Any, values: Mapping[str, float], concept: str, belief_policy: str) -> tuple:
    from ..._solve import solve
    from ...solvers import belief_options

    game = m.game(dict(values), check_orderings=False)
    eqs = solve(game, concept, **belief_options(concept, belief_policy))
    pa = [1.0 - float(e.outcomes.get("status_quo", 0.0)) for e in eqs]
    return (len(pa), min(pa), max(pa), "per-point")


def solve_linked(eq: BurdenEquilibrium | float, link: DeterrenceLink | None = None, *, concept: str = "pbe",
                 belief_policy: str = "free", **fixed: float) -> Any:
    """The full :class:`~deterrence.EquilibriumSet` of the linked model at one equilibrium
    (``dt.solve`` on ``model.game(**values)``)."""
    from ..._solve import solve
    from ...solvers import belief_options

    link = link or DeterrenceLink()
    m = link.load()
    level = eq.deterrence if isinstance(eq, BurdenEquilibrium) else float(eq)
    values = link.values([level], m, **fixed).iloc[0].to_dict()
    return solve(m.game(values, check_orderings=False), concept, **belief_options(concept, belief_policy))


def required_level(link: DeterrenceLink | None = None, *, concept: str = "pbe", belief_policy: str = "free",
                   grid: int = 1001, **fixed: float) -> float | None:
    """The smallest deterrent level ``D`` in ``[0, 1]`` from which on every equilibrium of the
    linked model is free of attack (``None`` if not even ``D = 1`` deters). Found on a grid and
    refined on a second grid inside the bracketing cell (precision about ``1/grid**2``).
    Assumes deterrence is monotone in the level (checked on the grid: an error if not)."""
    grid = check_grid(grid)  # one point would be read as the whole interval
    xs = np.linspace(0.0, 1.0, grid)
    out = linked_outcomes(xs, link, concept=concept, belief_policy=belief_policy, **fixed)
    ok = out["deterred"].to_numpy()
    if not ok[-1]:
        return None
    if ok[0]:
        return 0.0
    j = int(np.flatnonzero(~ok)[-1])
    if ok[:j].any():
        raise SolverError("deterrence is not monotone in the deterrent level for this link; "
                          "inspect linked_outcomes() instead")
    fine = np.linspace(xs[j], xs[j + 1], grid)
    ok2 = linked_outcomes(fine, link, concept=concept, belief_policy=belief_policy, **fixed)["deterred"]
    return float(fine[int(np.argmax(ok2.to_numpy()))])



__all__ = ["DeterrenceLink", "linked_outcomes", "required_level", "solve_linked"]
