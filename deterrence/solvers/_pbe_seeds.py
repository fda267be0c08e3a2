"""Nash-seeded PBE candidates for two-player trees (option ``seeds`` of the PBE solver).

The support-pattern search of :mod:`deterrence.solvers.pbe` solves mixing at a few
information sets exactly, but skips patterns that mix at many sets (``max_mixed_sets``) and
cannot list continua of equilibria, which symmetric payoffs create (two Defender types with the
same payoffs for the same actions). For two-player games this module adds candidates from
another source: the reduced normal form of the tree, restricted to the actions that survive the
solver's conditional-dominance test, is solved by Lemke–Howson from every starting label; each
equilibrium is mapped to a behaviour profile (Kuhn's theorem) and then

* kept as is (unreached information sets as the normal-form strategy plays them), and
* *repaired*: at every information set that the profile leaves unreached, the action is
  replaced, from the deepest set up, by a best reply under the belief the solver's policy
  gives there (``free``: the nearest supporting belief, or Nature's odds).

Every candidate is then assessed by the solver like any other (sequential rationality at every
information set, Bayes' rule on the path, the policy off it), so the seeds add PBE but never
certify anything the solver would not. Lemke–Howson finds some equilibria, not all: the result
stays marked incomplete.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..certificates import certify_candidate
from ..errors import DeterrenceError
from ..game.convert import mixed_to_behaviour, reduced_normal_form, reduced_strategy_counts
from ..game.extensive import ExtensiveFormGame
from ..game.normal import NormalFormGame
from ._dispatch import sub_candidates
from ._pbe_beliefs import _Beliefs
from ._pbe_context import _REACH, _Ctx
from .base import SolveOptions

#: largest reduced normal form (strategy-count product) that the seeds build
MAX_REDUCED_PROFILES = 200_000


def nash_seeds(game: ExtensiveFormGame, allowed: Sequence[tuple[int, ...]], options: SolveOptions,
               notes: list[str]) -> list[list[np.ndarray]]:
    """Behaviour profiles of the Lemke–Howson equilibria of the dominance-reduced normal form.

    Each equilibrium is certified as a Nash equilibrium of that normal form (default
    tolerance) before it is used. Returns an empty list (with a note) when the game does not
    have two players, its reduced normal form is too large, or the Lemke–Howson solve fails.
    """
    if game.num_players != 2:
        notes.append("seeds: Nash seeds need a two-player game; none used")
        return []
    counts = reduced_strategy_counts(game)
    if math.prod(counts) > MAX_REDUCED_PROFILES:
        size = " x ".join(map(str, counts))
        notes.append(f"seeds: the reduced normal form ({size}) is too large; none used")
        return []
    rnf = reduced_normal_form(game)
    keep = []
    for i in range(2):
        keep.append([s for s, choice in enumerate(rnf.strategies[i])
                     if all(a in allowed[h] for h, a in choice.items())])
    sub = NormalFormGame([p[np.ix_(keep[0], keep[1])] for p in rnf.normal.payoffs])
    try:
        eqs = _lemke_howson_equilibria(sub, options.max_work)
    except DeterrenceError as exc:  # too much work, or a numerically hard sub-game
        shape = f"{sub.shape[0]} x {sub.shape[1]}"
        notes.append(f"seeds: Lemke-Howson on the {shape} reduced game failed ({exc})")
        return []
    out = []
    for e in eqs:
        full = [np.zeros(len(rnf.strategies[i])) for i in range(2)]
        for i in range(2):
            full[i][keep[i]] = e[i]
        out.append([np.asarray(b, dtype=float) for b in mixed_to_behaviour(rnf, full)])
    notes.append(f"seeds: {len(out)} Lemke-Howson equilibria of the {sub.shape[0]} x {sub.shape[1]} "
                 "dominance-reduced normal form were assessed as candidates")
    return out


def _lemke_howson_equilibria(game: NormalFormGame, max_work: float) -> list[list[np.ndarray]]:
    """The Lemke–Howson equilibria of a bimatrix game, each certified (SolverError if one fails)."""
    sub = SolveOptions(max_work=max_work)
    found = sub_candidates(game, "nash", "lemke_howson", sub)
    out = []
    for cand in found.candidates:
        certify_candidate(game, cand, "nash", sub.tol, sub.exact)
        out.append([np.asarray(s, dtype=float) for s in cand.strategies])
    return out


def repaired(ctx: _Ctx, beh: list[np.ndarray]) -> list[np.ndarray] | None:
    """``beh`` with a best reply under the policy's belief at every unreached information set.

    Sets are repaired from the deepest up (so deeper replies are known when shallower ones are
    chosen). Returns ``None`` if nothing is unreached or no belief exists somewhere.
    """
    game = ctx.game
    out = [b.copy() for b in beh]
    reach = game.realization_probabilities(out)
    unreached = [h.index for h in game.infosets if reach[list(h.nodes)].sum() <= _REACH]
    if not unreached:
        return None
    depth = {h.index: min(_depth(game, v) for v in h.nodes) for h in game.infosets}
    for k in sorted(unreached, key=lambda k: -depth[k]):
        bel = _Beliefs(ctx, out)
        mu = bel.belief(k)
        if mu is None:
            mu = ctx.prior_belief(k)
        payoff = mu @ ctx.q(bel.values, k)
        best = np.zeros(len(out[k]))
        best[int(np.argmax(payoff))] = 1.0
        out[k] = best
    return out


def _depth(game: ExtensiveFormGame, v: int) -> int:
    d = 0
    while game.nodes[v].parent >= 0:
        v = game.nodes[v].parent
        d += 1
    return d
