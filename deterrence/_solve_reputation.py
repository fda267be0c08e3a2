"""``solve_reputation()``: the sequential equilibrium of a repeated crisis in compact form.

For :class:`~deterrence.game.reputation.ReputationGame` s of any length (a chain store with 50
markets has about 10²⁴ tree nodes). The solver's recursion
(:mod:`deterrence.solvers._reputation_recursion`) gives the equilibrium as play at every
(stage, posterior); :func:`deterrence.certificates.certify_reputation` certifies it on the same
compact form, independently; :class:`ReputationEquilibrium` holds both, with the outcome
probabilities, expected payoffs and the path of play computed by a forward pass over the states.
Games that fit in memory as trees can also be solved with ``dt.solve(game.tree(), "pbe")``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .certificates import certify_reputation, check_passed
from .equilibrium import Certificate
from .errors import GameError
from .game.reputation import QUIET, RESIST, YIELD, ReputationGame, exact_number
from .outcomes import indicators
from .solvers._reputation_recursion import MarkovProfile, solve_recursion

_State = tuple[int, Fraction, frozenset[str]]  # (type, posterior, labels so far)


@dataclass(frozen=True)
class ReputationEquilibrium:
    """A certified equilibrium of a :class:`~deterrence.game.reputation.ReputationGame`.

    Attributes
    ----------
    game
        The game.
    profile
        The equilibrium: ``profile.play(k, q)`` gives, in stage ``k`` (0-based) at posterior
        ``q``, the challenger's probability of staying quiet and each type's probability of
        resisting; ``profile.posterior(k, q, outcome)`` the posterior after the stage.
    certificate
        From :func:`deterrence.certificates.certify_reputation` (computed in exact arithmetic;
        passed within ``tol``: its ``regret`` says whether it is exactly 0).
    outcomes
        Probability of each outcome label of the whole play (``status_quo`` if nobody ever
        challenges; otherwise the labels of the stages' outcomes).
    payoffs
        Expected payoff of each player (challengers in stage order, then the long-run player).
    path
        One row per stage and posterior reached on the path: ``stage`` (1-based),
        ``posterior``, ``probability`` of reaching it, ``quiet`` (the challenger's probability of
        staying quiet), ``resist_resolute``, ``resist_weak``.
    """

    game: ReputationGame
    profile: MarkovProfile
    certificate: Certificate
    outcomes: dict[str, float]
    payoffs: dict[str, float]
    path: list[dict[str, Any]] = field(repr=False)

    @property
    def indicators(self) -> dict[str, float]:
        """Mission indicators (``p_attack``, ``p_war``, ...) from the outcome probabilities."""
        return indicators(self.outcomes)

    def play(self, stage: int, posterior: Any) -> dict[str, float]:
        """Play in ``stage`` (1-based) at ``posterior`` (the probability of the resolute type; a
        float is read as the decimal it prints as): the challenger's probability of each action
        and each type's probability of resisting."""
        if not isinstance(stage, int) or not 1 <= stage <= self.game.num_stages:
            raise GameError(f"stage must be an integer from 1 to {self.game.num_stages}, got {stage!r}")
        q = exact_number(posterior, "posterior")
        if not 0 <= q <= 1:
            raise GameError(f"posterior must be a probability, got {posterior!r}")
        quiet, res_r, res_w = self.profile.play(stage - 1, q)
        g = self.game
        return {g.challenge_actions[0]: float(quiet), g.challenge_actions[1]: float(1 - quiet),
                f"{g.response_actions[0]} ({g.types[0]})": float(res_r),
                f"{g.response_actions[0]} ({g.types[1]})": float(res_w)}


def _forward(game: ReputationGame, profile: MarkovProfile
             ) -> tuple[dict[str, float], dict[str, float], list[dict[str, Any]]]:
    """Outcome probabilities, expected payoffs and the on-path rows, by a pass over the states."""
    mass: dict[_State, Fraction] = {}
    for t, p in ((0, game.prior), (1, 1 - game.prior)):
        if p > 0:
            mass[(t, game.prior, frozenset())] = p
    pay = [Fraction(0)] * (game.num_stages + 1)
    rows: list[dict[str, Any]] = []
    for k, st in enumerate(game.stages):
        nxt: dict[_State, Fraction] = {}
        reach: dict[Fraction, Fraction] = {}
        for (t, q, labels), m in mass.items():
            reach[q] = reach.get(q, Fraction(0)) + m
            quiet, *resist = profile.play(k, q)
            chal = 1 - quiet
            branches = ((QUIET, quiet), (RESIST, chal * resist[t]), (YIELD, chal * (1 - resist[t])))
            for o, pr in branches:
                if pr == 0:
                    continue
                w = m * pr
                pay[k] += w * st.challenger_payoffs[t][o]
                pay[-1] += w * st.long_run_payoffs[t][o]
                key = (t, profile.posterior(k, q, o), labels | set(game.stage_labels[t][o] if o else ()))
                nxt[key] = nxt.get(key, Fraction(0)) + w
        rows.extend(_rows(k, reach, profile))
        mass = nxt
    outcomes: dict[str, float] = {}
    for (_, _, labels), m in mass.items():
        for lab in labels or ("status_quo",):
            outcomes[lab] = outcomes.get(lab, 0.0) + float(m)
    payoffs = {p: float(v) for p, v in zip(game.players, pay, strict=True)}
    return outcomes, payoffs, rows


def _rows(k: int, reach: dict[Fraction, Fraction], profile: MarkovProfile) -> list[dict[str, Any]]:
    out = []
    for q in sorted(reach):
        quiet, res_r, res_w = profile.play(k, q)
        out.append({"stage": k + 1, "posterior": float(q), "probability": float(reach[q]),
                    "quiet": float(quiet), "resist_resolute": float(res_r), "resist_weak": float(res_w)})
    return out


def solve_reputation(game: ReputationGame, *, tol: float = 1e-8) -> ReputationEquilibrium:
    """The sequential equilibrium of a repeated crisis, solved and certified in compact form.

    Parameters
    ----------
    game
        A :class:`~deterrence.game.reputation.ReputationGame` (e.g.
        ``dt.builders.chain_store_game(markets=50)``).
    tol
        Certification tolerance: the regrets are computed in exact arithmetic and pass when at
        most ``tol`` (relative to each player's payoff range; ``0``: only an exact equilibrium
        passes; see :func:`deterrence.certificates.certify_reputation`).

    Returns
    -------
    ReputationEquilibrium
        The equilibrium in which the resolute type always resists (see
        :mod:`deterrence.solvers.reputation`), its certificate, outcome probabilities,
        expected payoffs and path.

    Raises
    ------
    GameError
        If ``game`` is not a ReputationGame.
    UnsupportedError
        If the recursion meets a tie it does not resolve.
    SolverError
        If the equilibrium fails its certificate.

    Examples
    --------
    >>> import deterrence as dt
    >>> eq = dt.solve_reputation(dt.builders.chain_store_game(markets=5, p_tough=0.1))
    >>> eq.certificate.passed, eq.play(3, 0.1)["enter"]
    (True, 1.0)
    """
    if not isinstance(game, ReputationGame):
        raise GameError(f"solve_reputation takes a ReputationGame, not {type(game).__name__}; "
                        "solve a tree with dt.solve(game, 'pbe')")
    profile = MarkovProfile(solve_recursion(game))
    cert = check_passed(certify_reputation(game, profile, tol=tol))
    outcomes, payoffs, rows = _forward(game, profile)
    return ReputationEquilibrium(game=game, profile=profile, certificate=cert, outcomes=outcomes,
                                 payoffs=payoffs, path=rows)
