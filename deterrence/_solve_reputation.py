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

import operator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .certificates import certify_reputation, check_passed
from .equilibrium import Certificate, Labelled, result_columns
from .errors import GameError
from .game.reputation import QUIET, RESIST, YIELD, ReputationGame, exact_number
from .outcomes import OUTCOMES, indicators, regime_label
from .solvers._reputation_recursion import MarkovProfile, solve_recursion

_State = tuple[int, Fraction, frozenset[str]]  # (type, posterior, labels so far)


@dataclass(frozen=True)
class ReputationEquilibrium:
    """A certified equilibrium of a :class:`~deterrence.game.reputation.ReputationGame`.

    The same calls as on an :class:`~deterrence.Equilibrium` and its
    :class:`~deterrence.EquilibriumSet` work here with the same meanings: :attr:`regret`,
    :attr:`indicators`, :meth:`is_pure`, :attr:`label`, :attr:`concept`, :attr:`method`,
    :attr:`belief_policy` and :meth:`to_frame` (the one-row table with the columns of
    ``EquilibriumSet.to_frame``). What has no compact counterpart is left out: the profile and
    beliefs per information set (the tree has ``3**N``-odd of them; the play per state is
    :meth:`play` and :attr:`path`) and ``lam``.

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
        challenges; otherwise the labels of the stages' outcomes), for every label the game's
        plays can carry (0 for those the equilibrium never reaches), as on the explicit tree.
    payoffs
        Expected payoff of each player (challengers in stage order, then the long-run player).
    path
        One row per stage and posterior reached on the path: ``stage`` (1-based),
        ``posterior``, ``probability`` of reaching it, ``quiet`` (the challenger's probability of
        staying quiet), ``resist_resolute``, ``resist_weak`` (:meth:`path_frame`: as a table).


    Examples
    --------
    >>> import deterrence as dt
    >>> eq = dt.solve_reputation(dt.builders.chain_store_game(markets=5, p_tough=0.1))
    >>> eq.regret, eq.is_pure(), eq.label
    (0.0, False, 'reputation')
    >>> row = eq.to_frame().iloc[0]
    >>> row["regime"], float(row["outcome_war"]), row["method"], bool(row["certified"])
    ('mixed:capitulation+war', 0.4, 'reputation', True)
    """

    game: ReputationGame
    profile: MarkovProfile
    certificate: Certificate
    outcomes: dict[str, float]
    payoffs: dict[str, float]
    path: list[dict[str, Any]] = field(repr=False)

    #: the solution concept (a sequential equilibrium is a PBE), as ``EquilibriumSet.concept``
    concept = "pbe"
    #: the method, as ``EquilibriumSet.method`` (the tree solver of the same name gives this equilibrium)
    method = "reputation"
    #: the class label, as ``Equilibrium.label`` from ``dt.solve(game.tree(), method="reputation")``
    label = "reputation"
    #: no off-path belief policy was asked for: the beliefs are the sequential equilibrium's (a
    #: yield reveals the weak type), which both ``free`` and ``d1`` accept
    belief_policy = None

    def __post_init__(self) -> None:  # a misspelt key raises LabelError, as on an Equilibrium
        object.__setattr__(self, "outcomes", Labelled(self.outcomes, "outcome"))
        object.__setattr__(self, "payoffs", Labelled(self.payoffs, "player"))

    @property
    def indicators(self) -> dict[str, float]:
        """Mission indicators (``p_attack``, ``p_war``, ...) from the outcome probabilities."""
        return Labelled(indicators(self.outcomes), "indicator")

    @property
    def regret(self) -> float:
        """Largest gain from a unilateral deviation (from the certificate), as ``Equilibrium.regret``."""
        return self.certificate.regret

    def is_pure(self, tol: float = 1e-9) -> bool:
        """True if every player puts probability 1 on one action at every state the play can reach,
        on the path or off it (as ``Equilibrium.is_pure`` at every information set of the tree)."""
        for k, q in _reachable_states(self.game, self.profile):
            if any(min(p, 1 - p) > tol for p in self.profile.play(k, q)):
                return False
        return True

    def to_frame(self) -> Any:
        """The equilibrium as a one-row pandas DataFrame with the columns of
        :meth:`deterrence.EquilibriumSet.to_frame`, in the same order and with the same meanings:
        ``equilibrium`` (0), ``regime``, ``label``, ``pure``, ``payoff_<player>``,
        ``outcome_<label>``, the indicators, the certificate (``regret``, ``bayes_error``,
        ``qre_residual``, ``tolerance``, ``exact``, ``certified``), ``concept``, ``method``,
        ``belief_policy`` and ``lam`` (None). The per-information-set ``profile:`` and ``belief:``
        columns are left out (the tree has ``3**N``-odd information sets); the play on the path
        is :meth:`path_frame`.
        """
        import pandas as pd

        pure = self.is_pure()
        row: dict[str, Any] = {"equilibrium": 0, "regime": regime_label(self.outcomes, pure),
                               "label": self.label, "pure": pure}
        row.update(result_columns(self.payoffs, self.outcomes, self.certificate))
        row.update({"concept": self.concept, "method": self.method, "belief_policy": self.belief_policy,
                    "lam": None})
        return pd.DataFrame([row], columns=list(row))

    def path_frame(self) -> Any:
        """:attr:`path` as a pandas DataFrame: one row per stage and posterior reached on the path,
        columns ``stage``, ``posterior``, ``probability``, ``quiet``, ``resist_resolute``,
        ``resist_weak``."""
        import pandas as pd

        return pd.DataFrame(self.path, columns=list(_PATH_COLUMNS))

    def __repr__(self) -> str:
        cert = self.certificate
        verdict = f"regret {cert.regret:.2g}" + (" (exact)" if cert.exact else "")
        if not cert.passed:
            verdict += ", FAILED"
        name = self.game.title or f"{self.game.num_stages} stages"
        return (f"<ReputationEquilibrium of {name!r}: prior {float(self.game.prior):.4g}, "
                f"regime {regime_label(self.outcomes, self.is_pure())}, {verdict}>")

    def play(self, stage: int, posterior: Any) -> dict[str, float]:
        """Play in ``stage`` (1-based) at ``posterior`` (the probability of the resolute type; a
        float is read as the decimal it prints as): the challenger's probability of each action
        and each type's probability of resisting."""
        try:
            k = None if isinstance(stage, bool) else operator.index(stage)
        except TypeError:
            k = None
        if k is None or not 1 <= k <= self.game.num_stages:
            raise GameError(f"stage must be an integer from 1 to {self.game.num_stages}, got {stage!r}")
        q = exact_number(posterior, "posterior")
        if not 0 <= q <= 1:
            raise GameError(f"posterior must be a probability, got {posterior!r}")
        quiet, res_r, res_w = self.profile.play(k - 1, q)
        g = self.game
        return {g.challenge_actions[0]: float(quiet), g.challenge_actions[1]: float(1 - quiet),
                f"{g.response_actions[0]} ({g.types[0]})": float(res_r),
                f"{g.response_actions[0]} ({g.types[1]})": float(res_w)}


_PATH_COLUMNS = ("stage", "posterior", "probability", "quiet", "resist_resolute", "resist_weak")


def _reachable_states(game: ReputationGame, profile: MarkovProfile) -> set[tuple[int, Fraction]]:
    """Every (stage, posterior) some play reaches, on the path or off it: the states of the
    explicit tree's information sets."""
    states: set[tuple[int, Fraction]] = set()
    frontier = {game.prior}
    for k in range(game.num_stages):
        states.update((k, q) for q in frontier)
        frontier = {profile.posterior(k, q, o) for q in frontier for o in (QUIET, RESIST, YIELD)}
    return states


def _possible_labels(game: ReputationGame) -> list[str]:
    """Every outcome label some play of the game carries, in the order they first appear among the
    explicit tree's terminals (as the tree's equilibria list them): ``status_quo``, then each
    type's labels of a resist and of a yield (each in the vocabulary's order)."""
    order = {lab: k for k, lab in enumerate(OUTCOMES)}
    found = ["status_quo"]
    for row in game.stage_labels:
        for o in (RESIST, YIELD):
            found.extend(lab for lab in sorted(row[o], key=order.__getitem__) if lab not in found)
    return found


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
    outcomes: dict[str, float] = dict.fromkeys(_possible_labels(game), 0.0)
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
