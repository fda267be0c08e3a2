"""One Nash equilibrium of an N-player game or tree by the logit homotopy (logit tracing).

The logit quantal-response equilibria of a game form, for generic games, a smooth curve that
starts at the centroid at precision ``lambda = 0`` and converges, as ``lambda -> infinity``, to
a Nash equilibrium (McKelvey and Palfrey 1995; Turocy 2005). On a tree the curve is that of the
*agent* logit QRE (McKelvey and Palfrey 1998; the method of Gambit's ``logit`` on trees), whose
limits are sequential equilibria. This solver traces the curve's *principal branch* with the
compiled predictor–corrector path follower of :mod:`deterrence.solvers._logit`, in
log-probability coordinates so that vanishing probabilities stay well conditioned, and
parameterised by arclength so that turning points in ``lambda`` do no harm.

At every doubling of the precision (from ``lambda = 3`` in payoffs divided by their range) the
current point is *refined*: a support is read off it (each group's best action alone, then the
actions with at least ``1e-3 ... 1e-12`` of the best one's probability), the support's
indifference equations are solved by Newton's method, and the result is kept as soon as its
regret is below ``1e-10`` of the payoff range. On trees, from ``lambda = 1e4`` (scaled), an
action outside the support that its mover gains by is also tried tied with the support, with
the behaviour at the sets the support does not reach left free: a branch that ends at a
degenerate equilibrium plays such an action with a probability vanishing like ``1 / lambda``
and is otherwise never refined (see :func:`deterrence.solvers._logit_kernels._tie_refine`).
The equilibrium returned is exact to rounding and certified by :mod:`deterrence.certificates`
like every other.

**Early exit.** Some branches (agent QRE of trees, often without perfect recall) turn back and
forth in ``lambda`` for thousands of steps (seed 143 of ``benchmarks/bench_n_player.py
--trees``: about 140 turning points, 6,500 steps) and reach no new largest precision to refine
at. After :data:`PROBE_FROM` steps the current point is therefore also refined every 32 steps,
wherever its precision, and the first certified equilibrium is returned, labelled as such
(``HomotopyResult.early``, and a note): this solver returns **one** certified equilibrium, not
necessarily the limit of the principal branch. Shorter branches are refined as before.

Trees without perfect recall: the limit is an equilibrium of the **agent form** (no
information set's mover gains by changing its move there alone), which need not be a Nash
equilibrium of the tree; it is returned as such, labelled, and certified by its agent-form
regret.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import SolverError
from . import _logit
from ._options import option
from .base import Candidate, Clock, RawResult, SolveOptions, SolverInfo, SolverOptions

#: steps after which the branch's current point is also refined every 32 steps (the early exit)
PROBE_FROM = 256


@dataclass
class HomotopyResult:
    """What :func:`logit_homotopy` found.

    Attributes
    ----------
    profile
        The refined equilibrium: one mixed strategy per player (normal form) or one behaviour
        vector per information set (tree).
    regret
        Its largest regret in the game's own payoffs (agent-form regret without perfect recall).
    lam
        Precision (in the game's own payoffs) of the traced point it was refined from.
    steps
        Continuation steps taken.
    limit
        True if the refinement started on the path; False if the path could not be followed
        and the equilibrium came from the last point reached.
    agent
        True for an equilibrium of the agent form of a tree without perfect recall.
    early
        True if the branch was still winding when a point of it refined into a certified
        equilibrium (the early exit after ``probe_from`` steps): one equilibrium, not
        necessarily the limit of the principal branch.
    """

    profile: list[np.ndarray]
    regret: float
    lam: float
    steps: int
    limit: bool = True
    agent: bool = False
    early: bool = False


def logit_homotopy(game: Any, tol: float = 1e-9, *, max_steps: int = 20000, max_lambda: float = 1e9,
                   clock: Clock | None = None, probe_from: int | None = PROBE_FROM) -> HomotopyResult:
    """Trace the principal logit branch and refine a point near its end into an exact equilibrium.

    Parameters
    ----------
    game
        A normal-form game or a tree (any number of players).
    tol
        Largest regret accepted, relative to the payoff range (the refinement itself asks
        for ``1e-10``).
    max_steps
        Continuation step budget.
    max_lambda
        Give up beyond this precision (in payoffs divided by their range).
    clock
        Time limit and progress reports.
    probe_from
        The early exit: after this many steps, every 32 steps the current point is refined
        too, wherever its precision; the first certified equilibrium found so is returned
        (``early=True``). None: refine only at every doubling of the largest precision reached.

    Raises
    ------
    SolverError
        If the path cannot be followed and its last point does not refine into an equilibrium.
    """
    lg = _logit.logit_game(game)
    if lg.K == 0:  # a tree without a decision: the empty profile is its only equilibrium
        return HomotopyResult([], 0.0, 0.0, 0, True, agent=False)
    try:
        lim = _logit.limit(lg, settle=False, max_steps=max_steps, clock=clock, max_t=max_lambda,
                           probe_from=probe_from)
        q, lam, steps, on_path = np.concatenate(lim.strategies), lim.lam_reached, lim.steps, True
        early = lim.early
    except SolverError as exc:
        q, lam, steps = _last_resort(lg, exc, game.kind)
        on_path, early = False, False
    regret = lg.regret(q) * lg.scale
    if regret > max(tol, 1e-9) * lg.scale:
        raise SolverError(f"homotopy: the refined profile has regret {regret:.3g}")  # pragma: no cover
    return HomotopyResult(lg.split(q), regret, lam, steps, on_path, agent=lg.tree and not lg.recall,
                          early=early)


#: what to try when the path fails, by the kind of game (methods that take that kind)
_INSTEAD = {
    "extensive": "try concept='pbe' or 'spe' (each such equilibrium is a Nash equilibrium), "
                 "method='pure_agent' (the pure equilibria), or parameters off the threshold",
    "normal": "try method='pure' or 'polynomial' (two players: 'vertex_enumeration'), or parameters off "
              "the threshold",
}


def _last_resort(lg: Any, exc: SolverError, kind: str) -> tuple[np.ndarray, float, int]:
    """Refine the last point the path reached, with every support it suggests; or re-raise (the
    message says what to try instead on a game of this ``kind``)."""
    path = getattr(exc, "path", None)
    if path is None:
        raise exc
    q = _logit.refine_near(lg, lg.probs(path.y), max(float(path.y[-1]), 1e4))
    if q is None:
        raise SolverError(f"homotopy: {exc}; the last point reached (lambda={path.lam:.4g}) does not "
                          f"refine into an equilibrium; the game may be (nearly) degenerate: {_INSTEAD[kind]}"
                          ) from None
    return q, path.lam, path.steps


@dataclass(frozen=True)
class HomotopyOptions(SolverOptions):
    """Options of ``homotopy``.

    Parameters
    ----------
    max_steps
        Bound on the continuation steps along the logit path.
    max_lambda
        Precision (in payoffs divided by their range) at which the path is abandoned (the last
        point is then refined).
    """

    max_steps: int = option(20000, minimum=1)
    max_lambda: float = option(1e9, minimum=0, exclusive=True)


def _run(game: Any, options: SolveOptions) -> RawResult:
    opts = options.of(HomotopyOptions)
    clock = options.clock("homotopy")
    clock.check("starting")  # before the compiled kernels load: a limit already spent stops here
    res = logit_homotopy(game, min(options.tol, 1e-9), max_steps=opts.max_steps, max_lambda=opts.max_lambda,
                         clock=clock)
    form = "agent logit QRE" if game.kind == "extensive" else "logit QRE"
    if res.early:
        how = (f"an equilibrium refined from a point of the principal {form} branch (logit tracing) met "
               f"while the branch still turned back and forth (lambda={res.lam:.4g}; early exit, not "
               "necessarily the branch's limit)")
    elif res.limit:
        how = f"an equilibrium near the principal {form} branch (logit tracing), from lambda={res.lam:.4g}"
    else:
        how = f"an equilibrium near the last point of the {form} path (it stopped at lambda={res.lam:.4g})"
    notes = [f"{how} after {res.steps} steps; exact on its support (regret {res.regret:.2g})",
             "finds one equilibrium: other equilibria may exist"]
    if res.agent:
        notes.append(_logit.AGENT_NOTE.format(what="this is an equilibrium", it="it"))
    cand = Candidate(strategies=tuple(res.profile), label="agent-form" if res.agent else "logit-tracing",
                     agent=res.agent)
    return RawResult(candidates=[cand], complete=False, degenerate=None, notes=tuple(notes))


def _applicable(game: Any) -> str | None:
    return _logit.absent_minded(game, "homotopy")


def _estimate(game: Any) -> float:
    # per step: the Jacobian (normal form: N^2 partial payoff tables; tree: nodes x depth x
    # actions) and one sparse LU of size (actions - groups); a few hundred steps
    if game.kind == "normal":
        return float(300 * game.num_players ** 2 * np.prod([float(k) for k in game.shape]))
    k = float(sum(len(h.actions) for h in game.infosets))
    n = k - len(game.infosets)
    return 300.0 * (len(game.nodes) * 10.0 * k / max(len(game.infosets), 1) + n * n * 4.0)


SOLVER = SolverInfo(
    name="homotopy",
    concepts=frozenset({"nash"}),
    kinds=frozenset({"normal", "extensive"}),
    run=_run,
    options=HomotopyOptions,
    finds="one",
    min_players=1,
    max_players=None,
    applicable=_applicable,
    estimate=_estimate,
    stops_at_time_limit=True,
    description="one Nash equilibrium of an N-player game or tree: the logit-QRE branch (agent form on "
    "trees) traced from lambda=0, a point near its end refined to an exact equilibrium",
)

__all__ = ["SOLVER", "HomotopyOptions", "HomotopyResult", "logit_homotopy"]
