"""Perfect Bayesian equilibria of the aggregated collective-defence game (any number of allies).

The game (:class:`~deterrence.game.collective.CollectiveDefenceGame`) has a structure the
generic tree solvers cannot use at 32 allies (``2**32`` type profiles) and this method does:

1. no move before a war depends on a type, so every player's belief about the allies' types is
   the prior wherever it stands (on the path by Bayes' rule; off it as the only consistent
   belief: the limit of Bayes' rule along any sequence of trembles);
2. so each war's join stage is a game of its own whose equilibria do not depend on what came
   before: they are found by :func:`~deterrence.solvers._collective_join.join_equilibria`
   (every equilibrium up to 4 allies; every symmetric one for exchangeable allies; every pure
   cutoff equilibrium for heterogeneous ones; backward induction in the sequential timing);
3. each combination of join equilibria fixes the Target side's chances of winning, and the
   Target's and the Attacker's best responses follow
   (:func:`~deterrence.solvers._collective_upper.top_choices`).

Every belief policy (``free``, ``prior``, ``d1``) is served with these consistent beliefs. The
prior is what ``prior`` and ``d1`` give here: no deviation before a war reveals a type, so D1
has no type to single out. Under ``free`` the method also lists the equilibria that *other*
beliefs about the allies' types support off the path (an Attacker deterred only because the
Target, off the path, believes the allies committed; see
:func:`~deterrence.solvers._collective_free.free_extras`); it enumerates pure off-path profiles
only, so the result is then not complete, as with the generic ``pbe`` solver. Beliefs are
over the allies' *types*: in the explicit tree, where simultaneous moves are written one after
the other, the generic solver's ``free`` beliefs may also weigh an earlier ally's off-path
moves, which this game has no nodes for.

Every candidate is certified by :mod:`deterrence.certificates` on the aggregated game.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ..equilibrium import BELIEF_POLICIES
from ..game.collective import CollectiveDefenceGame
from ._collective_join import JoinResult, JoinSolution, join_equilibria
from ._collective_profiles import strategies_of
from ._collective_symmetric import gain_scale
from ._collective_upper import top_choices
from ._options import option
from .base import Candidate, RawResult, SolveOptions, SolverInfo, SolverOptions


@dataclass(frozen=True)
class CollectiveOptions(SolverOptions):
    """Options of ``collective``.

    Parameters
    ----------
    belief_policy
        Off-path beliefs about the allies' types: ``"prior"`` and ``"d1"`` give the consistent
        (prior) belief everywhere; ``"free"`` also lists equilibria that other beliefs support
        off the path (pure off-path play only). See the module documentation.
    """

    belief_policy: str = option("free", choices=BELIEF_POLICIES)


def _win(game: CollectiveDefenceGame, war: str, solution: JoinSolution) -> float:
    """The Target side's chance of winning a war of this kind under a join equilibrium."""
    if game.timing == "simultaneous":
        sigma = np.asarray(solution.sigma, dtype=float)
        q = (game.type_probabilities() * sigma).sum(axis=1)
        return float(game.sums.distribution(q) @ game.win)
    strategies = strategies_of(game, 0.0, 0.0, 0.0, {w: solution for w in game.wars})
    return game.war_stage(strategies, war).win


def collective_candidates(
    game: CollectiveDefenceGame, belief_policy: str = "free", tol: float = 1e-9
) -> tuple[list[Candidate], bool, bool, tuple[str, ...]]:
    """Every equilibrium found: ``(candidates, complete, degenerate, notes)``."""
    results: dict[str, JoinResult] = {war: join_equilibria(game, war, tol) for war in game.wars}
    combos = list(itertools.product(*(results[w].solutions for w in game.wars)))
    wins = {w: np.array([_win(game, w, c[k]) for c in combos]) for k, w in enumerate(game.wars)}
    m = len(combos)
    full = np.ones(m)
    eps = tol * (1.0 + game.stakes + game.revision + game.cost_attacker + game.cost_defender) * full
    top = top_choices(
        wins["defence"],
        wins.get("provoked"),
        game.stakes * full,
        game.cost_attacker * full,
        game.cost_defender * full,
        game.revision * full,
        eps,
    )
    cands: list[Candidate] = []
    knife = False
    for k, alpha, tau, beta, kn in zip(top.owner, top.alpha, top.tau, top.beta, top.knife, strict=True):
        joins = dict(zip(game.wars, combos[k], strict=True))
        strategies = strategies_of(game, float(alpha), float(tau), float(beta), joins)
        label = "+".join(dict.fromkeys(j.label for j in combos[k]))
        cands.append(Candidate(strategies=strategies, beliefs=None, label=label))
        knife |= bool(kn) or any(j.knife for j in combos[k])
    notes = [n for w in game.wars for n in results[w].notes]
    degenerate = any(j.degenerate for w in game.wars for j in results[w].solutions) or any(
        "continuum" in n for n in notes
    )
    complete = all(results[w].complete for w in game.wars)
    if belief_policy == "free":
        from ._collective_free import free_extras

        extra, extra_complete, extra_notes = free_extras(game, results, tol)
        seen = {_key(c.strategies) for c in cands}
        for c in extra:
            if _key(c.strategies) not in seen:
                seen.add(_key(c.strategies))
                cands.append(c)
        complete = complete and extra_complete
        notes.extend(extra_notes)
    if knife:
        notes.append(
            "knife edge: some player is indifferent between pure actions; the pure choices "
            "(the extreme points of a continuum) are listed"
        )
    return cands, complete, degenerate or knife, tuple(dict.fromkeys(notes))


def _key(strategies: tuple[np.ndarray, ...]) -> tuple:
    return tuple(np.round(np.concatenate(strategies), 9))


def _run(game: CollectiveDefenceGame, options: SolveOptions) -> RawResult:
    policy = options.of(CollectiveOptions).belief_policy
    cands, complete, degenerate, notes = collective_candidates(game, policy, min(options.tol, 1e-9))
    return RawResult(
        candidates=cands,
        complete=complete,
        degenerate=degenerate,
        notes=(f"belief policy '{policy}' (consistent beliefs: see the method's notes)", *notes),
    )


def _estimate(game: CollectiveDefenceGame) -> float:
    return float(game.n) ** 3 * 100.0


SOLVER = SolverInfo(
    name="collective",
    concepts=frozenset({"pbe"}),
    kinds=frozenset({"collective"}),
    run=_run,
    options=CollectiveOptions,
    finds="all",
    estimate=_estimate,
    description="perfect Bayesian equilibria of the aggregated collective-defence game (up to 32 allies): "
    "join-stage equilibria by structure, then the Target's and the Attacker's best responses",
)

__all__ = ["SOLVER", "CollectiveOptions", "collective_candidates", "gain_scale", "strategies_of"]
