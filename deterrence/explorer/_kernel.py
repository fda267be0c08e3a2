"""The explorer's one use of the compiled kernels (:mod:`deterrence.kernels`), kept here alone.

Two questions, answered on compiled models in a few milliseconds:

* does this (model, concept, belief policy) compile? (the page then promises fast answers and
  draws a fine map; otherwise it solves per point and says so);
* is a point a *knife edge*? The kernels' ``knife_edges`` says where the equilibria change
  within a hair of the point (a tie between actions, a mixing probability at 0 or 1, a regime
  boundary); the page says so next to the equilibria found there.

When the kernels' internals move, only this module needs to follow.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

import deterrence as dt

_LOCK = threading.Lock()


def compiled(model: Any, concept: str, belief_policy: str) -> tuple[Any | None, str]:
    """The compiled model, or ``None`` and the reason it does not compile."""
    if concept not in ("pbe", "spe") or (concept == "pbe" and belief_policy not in ("free", "prior")):
        return None, f"no compiled kernel serves {concept}" + (
            f" with belief policy '{belief_policy}'" if concept == "pbe" else ""
        )
    own = getattr(model, "compiled_kernel", None)
    if callable(own):  # a model family brings its own vectorised evaluation
        try:
            kernel = own(concept, belief_policy, "compiled")
        except dt.UnsupportedError as exc:
            return None, str(exc)
        return kernel, ""
    from deterrence.kernels import compile_model

    try:
        with _LOCK:  # the kernels' compile cache is a plain dict
            return compile_model(model, concept, belief_policy), ""
    except (dt.UnsupportedError, dt.ResourceError) as exc:
        return None, str(exc)


def knife_edge(
    model: Any,
    concept: str,
    belief_policy: str,
    values: Mapping[str, float],
    regimes: Sequence[str] | None = None,
) -> bool | None:
    """Whether the point is a knife edge (the compiled kernel's equilibria change within a hair of
    it; ``regimes``: those of the equilibria solved at the point, if known); ``None`` when the
    model does not compile for this concept, or its kernel (a model family's own) cannot tell."""
    kernel, _ = compiled(model, concept, belief_policy)
    if kernel is None or not hasattr(kernel, "knife_edges"):  # a model family's kernel has no such test
        return None
    point = pd.DataFrame({name: np.array([float(values[name])]) for name in model.parameters})
    domains = {n: (float(p.domain[0]), float(p.domain[1])) for n, p in model.parameters.items()}
    try:
        known = None if regimes is None else [regimes]
        solve = _point_solver(model, concept, belief_policy)
        return bool(kernel.knife_edges(point, domains, regimes_at=known, solve_point=solve)[0])
    except (ValueError, ArithmeticError):  # values the kernel cannot evaluate: let the solver speak
        return None


def _point_solver(model: Any, concept: str, belief_policy: str) -> Any:
    """The regimes of the equilibria at a point, solved per point (for the points the kernel
    hands to the per-point solver, such as those where Nature never draws a type)."""
    options = {"belief_policy": belief_policy} if concept == "pbe" else {}

    def solve(values: Mapping[str, float]) -> list[str]:
        eqs = dt.solve(model.game(**values), concept, **options)
        return [dt.regime_label(eq.outcomes, eq.is_pure()) for eq in eqs]

    return solve
