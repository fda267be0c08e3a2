"""Every pure equilibrium of a tree's agent form, by enumerating pure behaviour profiles.

The *agent form* of a tree gives every information set its own player (an agent) with the
payoff of the set's mover (Selten 1975). A pure profile is an agent-form equilibrium when no
agent gains by changing its move alone; pygambit calls this ``enumpure_agent_solve``. Every
pure behaviour profile (one action per information set) is checked by a compiled kernel.

* **Perfect recall**: a player may gain by changing moves at several of its sets at once, so
  an agent-form equilibrium need not be a Nash equilibrium. The profiles kept are those whose
  Nash regret is also zero: every pure Nash equilibrium in behaviour strategies.
* **Imperfect recall**: the profiles kept are the pure agent-form equilibria, labelled as
  such (a note, ``complete=False``) and certified by their agent-form regret: without perfect
  recall an agent-form equilibrium need not be a Nash equilibrium, and Nash equilibria in
  behaviour strategies need not exist.

Either way the list holds every pure one, but mixed equilibria are not sought
(``complete=False``). The work is the number of pure profiles times the size of the tree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import SolverError
from . import _logit
from .base import Candidate, RawResult, SolveOptions, SolverInfo, SolverOptions


@dataclass(frozen=True)
class PureAgentOptions(SolverOptions):
    """Options of ``pure_agent``.

    Parameters
    ----------
    max_equilibria
        Cap on the number of equilibria listed (the count of all is still reported).
    """

    max_equilibria: int = 1000


def _profiles(game: Any) -> int:
    return math.prod(len(h.actions) for h in game.infosets)


def _run(game: Any, options: SolveOptions) -> RawResult:
    opts = options.of(PureAgentOptions)
    if opts.max_equilibria < 1:
        raise SolverError(f"max_equilibria must be at least 1, got {opts.max_equilibria}")
    clock = options.clock("pure_agent")
    clock.check("starting")  # before the compiled kernels load: a limit already spent stops here
    lg = _logit.logit_game(game)
    total = _profiles(game)
    tol = options.tol * _logit.regret_unit(lg)
    args = lg.regret_arrays()
    chunk = max(1, int(2e6 // max(len(game.nodes) * game.num_players, 1)))
    found: list[int] = []
    count = 0
    for start in range(0, total, chunk):
        clock.check(f"{start:,} of {total:,} pure profiles checked, {count} equilibria")
        idx, n = _logit.kern.pure_agent_equilibria(lg.sy, start, min(chunk, total - start), tol, lg.recall,
                                                   *args, opts.max_equilibria)
        found.extend(int(i) for i in idx[: max(0, opts.max_equilibria - len(found))])
        count += int(n)
    agent = not lg.recall
    label = "pure agent-form" if agent else "pure"
    cands = [Candidate(strategies=_profile(game, i), label=label, agent=agent) for i in found]
    return RawResult(candidates=cands, complete=False, degenerate=None, notes=_notes(total, count, len(cands),
                                                                                       agent))


def _profile(game: Any, flat: int) -> tuple[np.ndarray, ...]:
    """The pure behaviour profile with mixed-radix index ``flat`` (last information set fastest)."""
    out: list[np.ndarray] = []
    for h in reversed(game.infosets):
        size = len(h.actions)
        b = np.zeros(size)
        b[flat % size] = 1.0
        flat //= size
        out.append(b)
    return tuple(reversed(out))


def _notes(total: int, count: int, listed: int, agent: bool) -> tuple[str, ...]:
    what = "pure agent-form equilibria" if agent else "pure Nash equilibria (behaviour strategies)"
    notes = [f"{total:,} pure profiles checked: {count} {what}"
             + (f", the first {listed} listed" if listed < count else ""),
             "mixed equilibria are not sought (complete=False)"]
    if agent:
        notes.append(_logit.AGENT_NOTE.format(what="these are equilibria", it="they"))
    return tuple(notes)


def _applicable(game: Any) -> str | None:
    return _logit.absent_minded(game, "pure_agent")


def _estimate(game: Any) -> float:
    return float(_profiles(game)) * len(game.nodes) * game.num_players * 2.0


SOLVER = SolverInfo(
    name="pure_agent",
    concepts=frozenset({"nash"}),
    kinds=frozenset({"extensive"}),
    run=_run,
    options=PureAgentOptions,
    finds="some",
    applicable=_applicable,
    estimate=_estimate,
    stops_at_time_limit=True,
    description="every pure equilibrium of a tree by enumeration: pure Nash equilibria with perfect recall, "
    "pure agent-form equilibria without (like pygambit's enumpure_agent_solve)",
)

__all__ = ["SOLVER", "PureAgentOptions"]
