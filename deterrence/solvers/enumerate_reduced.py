"""All Nash equilibria of a small extensive game, through its reduced normal form.

Builds the reduced normal form (:func:`deterrence.game.convert.reduced_normal_form`),
solves it with the normal-form Nash method that ``method="auto"`` would choose for its
player count (vertex enumeration for two players, the polynomial method for more; or the
method named by the option ``normal_method``: see :class:`EnumerateReducedOptions`), and maps
every mixed equilibrium to a behaviour profile by Kuhn's theorem (uniform at information
sets the player's own mixed strategy precludes). Distinct mixed equilibria that induce the
same behaviour are merged.

The set is complete when the normal-form method's is: then every Nash equilibrium of the
tree is realisation-equivalent to a convex combination within one of the returned
components (for degenerate games the returned points are the images of the extreme points
of the normal-form components). Needs perfect recall for Kuhn's theorem.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..game.convert import (
    ReducedNormalForm,
    mixed_to_behaviour,
    recall_violation,
    reduced_normal_form,
    reduced_strategy_counts,
)
from ._dispatch import auto_methods, choose_method, run_solver, work_of_methods
from ._options import option
from .base import Candidate, RawResult, SolveOptions, SolverInfo, SolverOptions, same_equilibrium


@dataclass(frozen=True)
class EnumerateReducedOptions(SolverOptions):
    """Options of ``enumerate_reduced``.

    Parameters
    ----------
    normal_method
        The Nash method for the reduced normal form: ``"auto"`` (the one ``method="auto"``
        runs on a normal-form game of that size) or a method name.
    max_strategies
        Largest number of reduced strategies of one player before the reduced normal form
        is refused (``ResourceError``).
    """

    normal_method: str = "auto"
    max_strategies: int = option(100_000, minimum=1)


class _Shape:
    """Just enough of a normal-form game for a solver's ``estimate`` (which reads only sizes)."""

    kind = "normal"

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape
        self.num_players = len(shape)


#: reduced pure profiles beyond which the reduced normal form is never built (the estimate is
#: then infinite, and the normal-form methods are not priced: their bounds grow combinatorially)
_NO_NORMAL_FORM = 1e15


def estimate(game: Any) -> float:
    """Work estimate: the reduced pure profiles, or the least estimate of a normal-form method
    that ``auto`` may choose and that finds every equilibrium, if larger."""
    counts = reduced_strategy_counts(game)
    work = float(math.prod(counts))
    if work > _NO_NORMAL_FORM:  # no such normal form can be built: no need to price its methods
        return math.inf
    methods = auto_methods("nash", "normal", len(counts) == 2, finds="all")
    least = work_of_methods(methods, _Shape(counts))
    return work if least is None else max(work, least)


def _exact_behaviour(rnf: ReducedNormalForm, exact: Any) -> tuple[tuple[Fraction, ...], ...] | None:
    """Kuhn's map in rational arithmetic, when the normal-form candidate carries exact values."""
    game = rnf.game
    if exact is None or len(exact) != game.num_players:
        return None
    out: list[tuple[Fraction, ...]] = [
        tuple(Fraction(1, len(h.actions)) for _ in h.actions) for h in game.infosets]
    for i in range(game.num_players):
        sigma = [Fraction(v) for v in exact[i]]
        if len(sigma) != rnf.shape[i]:
            return None
        num: dict[tuple[int, int], Fraction] = {}
        for s, w in zip(rnf.strategies[i], sigma, strict=True):
            if w == 0:
                continue
            for h, a in s.items():
                num[(h, a)] = num.get((h, a), Fraction(0)) + w
        for h in game.infosets_of(i):
            den = sum((num.get((h.index, a), Fraction(0)) for a in range(len(h.actions))), Fraction(0))
            if den > 0:
                out[h.index] = tuple(num.get((h.index, a), Fraction(0)) / den for a in range(len(h.actions)))
    return tuple(out)


def run(game: Any, options: SolveOptions) -> RawResult:
    """All Nash equilibria (as behaviour profiles) via the reduced normal form."""
    opts = options.of(EnumerateReducedOptions)
    rnf = reduced_normal_form(game, max_strategies=opts.max_strategies, exact=options.exact)
    nfg = rnf.normal
    info = choose_method(nfg, "nash", opts.normal_method, options.max_work)
    raw = run_solver(info, nfg, options.common())
    cands: list[Candidate] = []
    tol = max(options.tol, 1e-9) * 10
    kept: list[np.ndarray] = []  # the kept behaviour profiles, flat
    kept_exact: set[tuple[tuple[Fraction, ...], ...]] = set()  # exact behaviours: merged only if equal
    for c in raw.candidates:
        beh = mixed_to_behaviour(rnf, [np.asarray(s, dtype=float) for s in c.strategies])
        exact = _exact_behaviour(rnf, c.exact)
        if exact is not None:
            if exact in kept_exact:
                continue
            kept_exact.add(exact)
        else:
            flat = np.concatenate([np.asarray(b, dtype=float).ravel() for b in beh] or [np.zeros(0)])
            if kept and same_equilibrium(np.asarray(kept), flat, tol).any():
                continue  # another mixed profile realisation-equivalent to a kept one
            kept.append(flat)
        cands.append(Candidate(strategies=tuple(beh), exact=exact, label=c.label))
    complete = bool(raw.complete and info.finds == "all")
    notes = [
        f"reduced normal form {' x '.join(map(str, rnf.shape))} solved by '{info.name}'"
        f" ({len(raw.candidates)} mixed equilibria, {len(cands)} distinct behaviour profiles)",
        "behaviour at information sets a player's own strategy precludes is uniform",
        *raw.notes,
    ]
    return RawResult(candidates=cands, complete=complete, degenerate=raw.degenerate, notes=tuple(notes))


def _applicable(game: Any) -> str | None:
    bad = recall_violation(game)
    if bad is not None:
        return (f"'enumerate_reduced' needs perfect recall (Kuhn's theorem); information set "
                f"'{bad}' violates it")
    return None


SOLVER = SolverInfo(
    name="enumerate_reduced",
    concepts=frozenset({"nash"}),
    kinds=frozenset({"extensive"}),
    run=run,
    options=EnumerateReducedOptions,
    finds="all",
    min_players=1,
    max_players=None,
    applicable=_applicable,
    estimate=estimate,
    description="all Nash equilibria of small extensive games: reduced normal form, solved by the "
                "normal-form method for its player count, mapped back to behaviour (Kuhn)",
)

__all__ = ["SOLVER", "EnumerateReducedOptions", "estimate", "run"]
