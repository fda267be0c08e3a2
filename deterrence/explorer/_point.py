"""The answer at one parameter point: every certified equilibrium, its regime and indicators.

:func:`answer` builds the exact game at the slider values, solves it with :func:`deterrence.solve`
(every equilibrium certified by :mod:`deterrence.certificates`), picks one by the map's
selection rule, and asks the compiled kernel (:mod:`._kernel`) whether the point is a knife
edge. It never raises for bad values: a library error becomes :attr:`PointAnswer.error`, a
message the page shows instead of a traceback.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

import deterrence as dt

from ..errors import OrderingError
from . import _kernel

KNIFE_EDGE = (
    "Knife edge: at these values a player is indifferent (a tie between actions, or a "
    "mixing probability at 0 or 1), so the regime changes here; the equilibria below were "
    "solved exactly at this point."
)
DEGENERATE = (
    "Degenerate point: equilibria may form a continuum here (the solver reports each "
    "extreme point); nearby values give a clear answer."
)


@dataclass(frozen=True)
class EquilibriumView:
    """One equilibrium as the page shows it.

    Attributes
    ----------
    regime
        :func:`deterrence.regime_label` of its outcome distribution (as on the map).
    label
        The model's or solver's name for the class (``"separating"``, ...), if any.
    indicators
        ``p_attack``, ``p_war``, ... (every indicator the equilibrium reports).
    edge
        Per game node: probability of the move leading into it (chance or behaviour).
    reach
        Per game node: probability of reaching it.
    payoffs, regret
        Expected payoffs and the certificate's regret.
    """

    regime: str
    label: str
    indicators: Mapping[str, float]
    edge: np.ndarray
    reach: np.ndarray
    payoffs: Mapping[str, float]
    regret: float
    pure: bool


@dataclass(frozen=True)
class PointAnswer:
    """What the page shows for one point (see the module docstring)."""

    values: Mapping[str, float]
    concept: str
    equilibria: tuple[EquilibriumView, ...] = ()
    selected: int = 0
    game: Any = None
    complete: bool = True
    knife_edge: bool = False
    notes: tuple[str, ...] = ()
    error: str = ""
    seconds: float = 0.0
    warnings: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.error and bool(self.equilibria)


def answer(
    model: Any,
    values: Mapping[str, float],
    concept: str,
    belief_policy: str = "free",
    selection: str = "pessimistic",
    lam: float | None = None,
    check_edge: bool = True,
) -> PointAnswer:
    """Solve the model at ``values`` (see the module docstring); ``check_edge=False`` leaves the
    knife-edge test to :func:`with_knife_edge` (the live page shows the answer first)."""
    started = time.perf_counter()
    values = {k: float(v) for k, v in values.items()}
    try:
        game = model.game(values)
        kwargs: dict[str, Any] = {"belief_policy": belief_policy} if concept == "pbe" else {}
        if concept == "qre" and lam is not None:
            kwargs["lam"] = lam
        found = dt.solve(game, concept=concept, **kwargs)
    except dt.DeterrenceError as exc:
        return PointAnswer(values, concept, error=_message(exc), seconds=time.perf_counter() - started)
    views = tuple(_view(game, eq) for eq in found)
    if not views:
        return PointAnswer(
            values,
            concept,
            game=game,
            error=f"the solver found no {concept} equilibrium at these values",
            seconds=time.perf_counter() - started,
        )
    warnings = (DEGENERATE,) if found.degenerate else ()
    result = PointAnswer(
        values,
        concept,
        views,
        pick(views, selection),
        game,
        bool(found.complete),
        False,
        tuple(found.notes),
        "",
        time.perf_counter() - started,
        warnings,
    )
    return with_knife_edge(result, model, belief_policy) if check_edge else result


def with_knife_edge(result: PointAnswer, model: Any, belief_policy: str = "free") -> PointAnswer:
    """The answer with the compiled kernel's knife-edge test done (a warning added if the point is
    one; the degenerate-point note then gives way to it)."""
    regimes = [v.regime for v in result.equilibria]
    if not result.ok or not _kernel.knife_edge(model, result.concept, belief_policy, result.values, regimes):
        return result
    return replace(result, knife_edge=True, warnings=(KNIFE_EDGE,))


def pick(views: tuple[EquilibriumView, ...], selection: str = "pessimistic") -> int:
    """The index the map's selection rule picks: highest ``p_attack`` (pessimistic), lowest
    (optimistic) or the first; ties go to the first (as in :func:`deterrence.sweep`)."""
    if selection == "first" or not views:
        return 0
    attack = [v.indicators.get("p_attack", 0.0) for v in views]
    best = max(attack) if selection == "pessimistic" else min(attack)
    return next(k for k, a in enumerate(attack) if abs(a - best) <= 1e-9)


def _view(game: Any, eq: Any) -> EquilibriumView:
    pure = eq.is_pure()
    regime = dt.regime_label(eq.outcomes, pure)
    behaviour = list(eq.strategies)
    if getattr(game, "kind", "") == "extensive":
        edge = np.asarray(game.edge_probabilities(behaviour), dtype=float)
        reach = np.asarray(game.realization_probabilities(behaviour), dtype=float)
    else:
        edge = reach = np.zeros(0)
    return EquilibriumView(
        regime,
        str(eq.label or ""),
        dict(eq.indicators),
        edge,
        reach,
        dict(eq.payoffs),
        float(eq.regret),
        pure,
    )


def _message(exc: BaseException) -> str:
    # an ordering's advice (check_orderings=False) is for Python callers, not for the page
    text = exc.problem if isinstance(exc, OrderingError) else (str(exc) or type(exc).__name__)
    return " ".join(text.split())
