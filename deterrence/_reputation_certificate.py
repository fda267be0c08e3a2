"""The certificate of a reputation equilibrium on the compact (stage, posterior) form.

For games too large for an explicit tree (a chain store with 50 markets has about 10²⁴ nodes),
:func:`certify_reputation` checks an equilibrium of a
:class:`~deterrence.game.reputation.ReputationGame` given as a *Markov profile*: any object with

* ``play(k, q) -> (quiet, resist_resolute, resist_weak)``: in stage ``k`` (0-based) at public
  posterior ``q`` (the probability of the resolute type), the challenger's probability of
  staying quiet and each type's probability of resisting a challenge;
* ``posterior(k, q, outcome) -> q'``: the public posterior after the stage's outcome
  (0 quiet, 1 resist, 2 yield), on and off the path.

It uses nothing of the solver that produced the profile. What is checked, in exact rational
arithmetic (the regrets and the belief error are computed exactly; the verdict then allows a
tolerance, ``tol``: a profile passes when its largest regret, relative to the player's payoff
range, and its largest belief error are at most ``tol``; ``tol=0`` passes exact equilibria only):

1. **States.** Every state reachable from ``(stage 0, prior)`` by *any* sequence of stage
   outcomes, on or off the path, following ``posterior``; these are the states of all public
   histories of the explicit tree.
2. **Probabilities.** Every number ``play`` returns lies in [0, 1]; every posterior in [0, 1].
3. **Beliefs.** Staying quiet leaves the posterior unchanged (a challenger's move says nothing
   about the long-run player's type: "no signalling what you don't know"); after a resist or a
   yield that has positive probability the posterior is Bayes' rule; after one of probability
   zero it is free, except that a type Nature never draws (prior 0 or 1) keeps probability 0.
4. **Sequential rationality**, by one-shot deviations (enough in a finite game): at every
   state the challenger's mixture is a best reply to the posterior and the types' responses;
   after a challenge each type's mixture is a best reply given the continuation values, which
   are computed here by evaluating the profile backward over the states (payoffs are additive
   over stages, so past payoffs do not matter). A state's continuation game is the same for
   every public history that leads to it, so one check per state covers every information set
   of the explicit tree.

Points 3 and 4 make the profile a perfect Bayesian equilibrium in the sense of Fudenberg and
Tirole (1991): beliefs updated by Bayes' rule whenever possible, after off-path histories as
well, and not moved by the uninformed players' actions. With two types of the one informed
player, such equilibria are sequential (Fudenberg & Tirole 1991, JET 53: 236–260).
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any, Protocol

from .equilibrium import Certificate
from .errors import GameError, ResourceError, SolverError
from .game.reputation import QUIET, RESIST, YIELD, ReputationGame, exact_number

Pair = tuple[Fraction, Fraction]

#: the most states :func:`certify_reputation` visits before it gives up
MAX_STATES = 2_000_000


class MarkovProfile(Protocol):
    """What :func:`certify_reputation` reads from an equilibrium (see the module documentation)."""

    def play(self, k: int, q: Fraction) -> tuple[Any, Any, Any]: ...

    def posterior(self, k: int, q: Fraction, outcome: int) -> Any: ...


def _states(game: ReputationGame, profile: MarkovProfile, max_states: int
            ) -> tuple[list[dict[Fraction, tuple[Fraction, ...]]], float]:
    """Every reachable state's play and posteriors, per stage; and the largest belief error."""
    layers: list[dict[Fraction, tuple[Fraction, ...]]] = []
    frontier = {game.prior}
    error = Fraction(0)
    count = 0
    for k in range(game.num_stages):
        layer: dict[Fraction, tuple[Fraction, ...]] = {}
        nxt: set[Fraction] = set()
        for q in sorted(frontier):
            play = tuple(exact_number(x, f"play at stage {k + 1}") for x in profile.play(k, q))
            posts = tuple(exact_number(profile.posterior(k, q, o), f"posterior at stage {k + 1}")
                          for o in (QUIET, RESIST, YIELD))
            for x in (*play, *posts):
                if not 0 <= x <= 1:
                    raise GameError(f"stage {k + 1}, posterior {q}: {x} is not a probability")
            error = max(error, _belief_error(game, q, play, posts))
            layer[q] = play + posts
            nxt.update(posts)
        count += len(layer)
        if count > max_states:
            raise ResourceError(f"the profile reaches more than {max_states} states; not certified",
                                estimate=float(count))
        layers.append(layer)
        frontier = nxt
    return layers, float(error) or (math.ulp(0.0) if error > 0 else 0.0)  # a positive error stays positive


def _belief_error(game: ReputationGame, q: Fraction, play: tuple[Fraction, ...],
                  posts: tuple[Fraction, ...]) -> Fraction:
    """Largest gap between the stated posteriors and Bayes' rule (or the zero-prior rule)."""
    _, res_r, res_w = play
    err = abs(posts[QUIET] - q)
    for o, (pr, pw) in ((RESIST, (res_r, res_w)), (YIELD, (1 - res_r, 1 - res_w))):
        mass = q * pr + (1 - q) * pw
        if mass > 0:
            err = max(err, abs(posts[o] - q * pr / mass))
        elif game.prior in (0, 1):
            err = max(err, abs(posts[o] - game.prior))
    return err


def _stage_regrets(game: ReputationGame, k: int, q: Fraction, row: tuple[Fraction, ...],
                   later: dict[Fraction, Pair]) -> tuple[Pair, Fraction, Pair]:
    """Values from stage ``k`` on, the challenger's regret and the types' regrets at one state."""
    st = game.stages[k]
    u, s = st.long_run_payoffs, st.challenger_payoffs
    quiet, res_r, res_w = row[:3]
    posts = row[3:]
    cont = [later[posts[o]] for o in (QUIET, RESIST, YIELD)]
    values, regrets = [], []
    for t, rho in ((0, res_r), (1, res_w)):
        fight = u[t][RESIST] + cont[RESIST][t]
        give = u[t][YIELD] + cont[YIELD][t]
        now = rho * fight + (1 - rho) * give
        regrets.append(max(fight, give) - now)
        values.append(quiet * (u[t][QUIET] + cont[QUIET][t]) + (1 - quiet) * now)
    stay = q * s[0][QUIET] + (1 - q) * s[1][QUIET]
    enter = q * (res_r * s[0][RESIST] + (1 - res_r) * s[0][YIELD]) + \
        (1 - q) * (res_w * s[1][RESIST] + (1 - res_w) * s[1][YIELD])
    challenger = max(stay, enter) - (quiet * stay + (1 - quiet) * enter)
    return (values[0], values[1]), challenger, (regrets[0], regrets[1])


def _scales(game: ReputationGame) -> list[float]:
    """Payoff range of each challenger and of the long-run player's total (for relative regrets)."""
    out = []
    for st in game.stages:
        vals = [v for row in st.challenger_payoffs for v in row]
        out.append(float(max(vals) - min(vals)) or 1.0)
    hi = max(sum(max(st.long_run_payoffs[t]) for st in game.stages) for t in (0, 1))
    lo = min(sum(min(st.long_run_payoffs[t]) for st in game.stages) for t in (0, 1))
    out.append(float(hi - lo) or 1.0)
    return out


def certify_reputation(game: ReputationGame, profile: MarkovProfile, *, tol: float = 1e-8,
                       max_states: int = MAX_STATES) -> Certificate:
    """Certify a Markov profile of a :class:`~deterrence.game.reputation.ReputationGame` as a PBE.

    See the module documentation for what is checked. The regrets and the belief error are
    computed in exact rational arithmetic, but the verdict is within ``tol``: the profile passes
    when its largest regret relative to the player's payoff range, and its largest belief error,
    are at most ``tol`` (``tol=0``: only an exact equilibrium passes, the verdict of
    ``certify(..., exact=True)``). The certificate's ``exact`` says whether the verdict is exact,
    as everywhere: ``False`` only when the profile passed within a positive ``tol`` of a nonzero
    regret or belief error.

    Parameters
    ----------
    game
        The repeated crisis.
    profile
        The Markov profile (see the module documentation).
    tol
        The largest relative regret and belief error that pass (a finite number, 0 or more).
    max_states
        The most (stage, posterior) states visited.

    Returns
    -------
    Certificate
        ``concept="pbe"``, ``exact=True``; ``details`` gives the number of ``states`` checked,
        the ``relative_regret``, and the largest regret of the challengers and of each type.

    Raises
    ------
    GameError
        If ``play`` or ``posterior`` returns something that is not a probability.
    SolverError
        If ``tol`` is not a finite number of 0 or more.
    ResourceError
        If the profile reaches more than ``max_states`` states.
    """
    if not isinstance(game, ReputationGame):
        raise GameError(f"certify_reputation takes a ReputationGame, not {type(game).__name__}")
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not 0 <= tol < math.inf:
        raise SolverError(f"tol must be a finite number of 0 or more, got {tol!r}")
    layers, bayes_error = _states(game, profile, max_states)
    scales = _scales(game)
    later: dict[Fraction, Pair] = {}
    worst = {"challenger": 0.0, "resolute": 0.0, "weak": 0.0}
    relative = 0.0
    exactly_zero = True  # every regret exactly 0 (a float of a tiny positive Fraction may be 0)
    for k in reversed(range(game.num_stages)):
        here: dict[Fraction, Pair] = {}
        for q, row in layers[k].items():
            here[q], reg_s, (reg_r, reg_w) = _stage_regrets(game, k, q, row, later or _zero(row))
            worst["challenger"] = max(worst["challenger"], float(reg_s))
            worst["resolute"] = max(worst["resolute"], float(reg_r))
            worst["weak"] = max(worst["weak"], float(reg_w))
            relative = max(relative, float(reg_s) / scales[k], float(max(reg_r, reg_w)) / scales[-1])
            exactly_zero = exactly_zero and not (reg_s > 0 or reg_r > 0 or reg_w > 0)
        later = here
    regret = max(worst.values())
    states = sum(len(layer) for layer in layers)
    details = {"states": float(states), "relative_regret": relative,
               **{f"regret {who}": v for who, v in worst.items()}}
    exactly_zero = exactly_zero and not bayes_error > 0
    passed = exactly_zero if tol == 0 else relative <= tol and bayes_error <= tol
    return Certificate(concept="pbe", regret=regret, bayes_error=bayes_error, tolerance=tol,
                       exact=exactly_zero or not passed, passed=passed, details=details)


def _zero(row: tuple[Fraction, ...]) -> dict[Fraction, Pair]:
    """After the last stage every continuation value is 0."""
    return {p: (Fraction(0), Fraction(0)) for p in row[3:]}
