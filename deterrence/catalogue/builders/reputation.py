"""Builders for repeated crises with reputation: a patron's reputation across its protégés, and the
chain store in compact form.

* :func:`patron_reputation` — a patron (an ally) of uncertain commitment faces a challenge to
  each of its protégés in turn; how it answers one protégé's crisis builds or spends its
  reputation with the next challenger. A :class:`~deterrence.Model` equal to
  ``models/patron_reputation.toml`` (3 protégés) at its defaults.
* :func:`patron_reputation_game` — the same game for any number of protégés in compact form,
  a :class:`~deterrence.game.reputation.ReputationGame` for :func:`deterrence.solve_reputation`.
* :func:`chain_store_game` — the chain store (Selten; Kreps & Wilson) in compact form, for any
  number of markets (the tree model is :func:`~deterrence.catalogue.builders.chain_store`).

The specification, its derivation and what it rests on are in
``docs/discussion/derivations.md#patron-reputation``.
"""

# ruff: noqa: E501  (long citation and claim strings are data; they read better unbroken)
from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Mapping

import sympy as sp

from ...errors import ParameterError
from ...game.reputation import CrisisStage, ReputationGame, exact_number
from ...model import Baseline, Derived, Model, ModelSpec, Ordering, Reference
from ...outcomes import OUTCOMES
from ._crisis_tree import CrisisText, crisis_nodes
from ._parts import ParameterText, with_defaults

INF = math.inf

__all__ = ["chain_store_game", "patron_reputation", "patron_reputation_game"]

#: the most protégés :func:`patron_reputation` writes as a tree (``4·3**N − 1`` nodes)
MAX_TREE_PROTEGES = 6


def _count(value: object, name: str, hi: float) -> int:
    """``value`` as a count from 1 to ``hi`` (any integer type, numpy's too; not a bool)."""
    shown = f"from 1 to {int(hi)}" if math.isfinite(hi) else "of at least 1"
    try:
        count = None if isinstance(value, bool) else operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        count = None
    if count is None or not 1 <= count <= hi:
        raise ParameterError(f"{name} must be an integer {shown}, got {value!r}", name=name,
                             value=value, domain=(1, hi))
    return count


def _check(values: Mapping[str, object], texts: list[ParameterText]) -> None:
    """Each value a finite real number (a float, an int, a :class:`~fractions.Fraction`, a numpy
    number; not a bool) inside its declared domain (open ends respected), compared exactly."""
    for t in texts:
        v = values[t.name]
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise ParameterError(f"{t.name} must be a number, got {v!r}", name=t.name, value=v, domain=t.domain)
        x = exact_number(v, t.name) if math.isfinite(float(v)) else None
        lo, hi = t.domain
        ok = x is not None and (lo < x if t.open_lower else lo <= x) and (x < hi if t.open_upper else x <= hi)
        if not ok:
            raise ParameterError(f"{t.name} must lie in its domain {t.domain}, got {v!r}", name=t.name,
                                 value=v, domain=t.domain)


# ============================================================================ the chain store, compact
_CS_TEXTS = [
    ParameterText("p_tough", description="the incumbent's initial reputation: probability that it is Tough", symbol="p", domain=(0.0, 1.0)),
    ParameterText("monopoly_profit", description="a: the incumbent's profit in a market nobody enters", symbol="a", domain=(1.0, INF), open_lower=True),
    ParameterText("entry_profit", description="b: an entrant's profit if the incumbent acquiesces (b - 1 if it fights)", symbol="b", domain=(0.0, 1.0), open_lower=True, open_upper=True),
]


def chain_store_game(markets: int = 2, p_tough: float = 0.2, monopoly_profit: float = 2,
                     entry_profit: float = 0.5) -> ReputationGame:
    """The chain store (Selten 1978; Kreps & Wilson 1982) in compact form, any number of markets.

    The same game as ``dt.builders.chain_store(markets, ...).game()`` (whose tree it builds with
    :meth:`~deterrence.game.reputation.ReputationGame.tree`), for ``markets`` up to thousands.
    Per market the Tough incumbent gets ``a`` if nobody enters, 0 if it fights and -1 if it
    acquiesces; the Weak one ``a``, -1 and 0; an entrant 0, ``b - 1`` and ``b``.

    Raises
    ------
    ParameterError
        ``markets`` not a positive integer, or a parameter outside its domain.
    """
    markets = _count(markets, "markets", INF)
    values = {"p_tough": p_tough, "monopoly_profit": monopoly_profit, "entry_profit": entry_profit}
    _check(values, _CS_TEXTS)
    a, b = exact_number(monopoly_profit), exact_number(entry_profit)  # exact: b - 1 must not round
    stage_tables = (((a, 0, -1), (a, -1, 0)), ((0, b - 1, b), (0, b - 1, b)))
    stages = [CrisisStage(f"Entrant{k}", *stage_tables) for k in range(1, markets + 1)]
    return ReputationGame(long_run="Incumbent", types=("tough", "weak"), prior=p_tough, stages=tuple(stages),
                          title=f"Chain store with reputation, {markets} market{'s' if markets > 1 else ''}")


# ============================================================================ a patron's reputation
_PR_TEXTS = [
    ParameterText("p_committed", description="the patron's initial reputation: probability that it is committed (defending a challenged protege is its best reply even in a single crisis)", symbol="p", domain=(0.0, 1.0)),
    ParameterText("protege_value", description="v: what the patron loses if it abandons a challenged protege (the protege's value to it; 0 if nobody challenges)", symbol="v", domain=(0.0, INF), open_lower=True),
    ParameterText("war_cost", description="c: the opportunistic patron's cost of fighting for a protege (above v: in a single crisis it abandons)", symbol="c", domain=(0.0, INF), open_lower=True),
    ParameterText("committed_war_cost", description="c_C: the committed patron's cost of fighting (below v: it defends even in a single crisis)", symbol="c_C", domain=(0.0, INF)),
    ParameterText("challenge_gain", description="g: a challenger's gain if the patron abandons the protege it challenged", symbol="g", domain=(0.0, INF), open_lower=True),
    ParameterText("challenger_war_cost", description="w: a challenger's loss if the patron defends (it gets 0 if it does not challenge)", symbol="w", domain=(0.0, INF), open_lower=True),
    ParameterText("discount", description="delta: the weight of the next crisis relative to this one in the patron's payoff", symbol="\\delta", domain=(0.0, 1.0), open_lower=True),
]

_PR_REFERENCES = [
    Reference(key="AltCalvertHumes1988", provenance="S", citation="Alt, J. E., Calvert, R. L. & Humes, B. D. (1988). Reputation and Hegemonic Stability: A Game-Theoretic Analysis. American Political Science Review 82(2): 445-466.",
              note="a hegemon's reputation in repeated play with incomplete information (abstract); the stage game here is derived for this library [D]"),
    Reference(key="KrepsWilson1982", provenance="L", citation="Kreps, D. M. & Wilson, R. (1982). Reputation and Imperfect Information. Journal of Economic Theory 27: 253-279.",
              note="the chain-store equilibrium this model's closed form generalises (discounting, alliance payoffs) [D]"),
    Reference(key="Crescenzi2007", provenance="L", citation="Crescenzi, M. J. C. (2007). Reputation and Interstate Conflict. American Journal of Political Science 51(2): 382-396.",
              note="states learn from the behaviour of other states, including their conduct towards third parties (abstract); venue recalled [L]"),
    Reference(key="Sartori2002", provenance="S", citation="Sartori, A. E. (2002). The Might of the Pen: A Reputational Theory of Communication in International Disputes. International Organization 56(1): 121-149.",
              note="a related reputational mechanism (honesty in diplomacy; a state caught bluffing is less able to communicate), not modelled here"),
    Reference(key="FudenbergTirole1991", provenance="S", citation="Fudenberg, D. & Tirole, J. (1991). Perfect Bayesian Equilibrium and Sequential Equilibrium. Journal of Economic Theory 53(2): 236-260.",
              note="with two types, PBE with Bayes' rule wherever possible is sequential"),
    Reference(key="Snyder1984", provenance="S", citation="Snyder, G. H. (1984). The Security Dilemma in Alliance Politics. World Politics 36(4): 461-495.",
              note="abandonment and entrapment"),
]

_PR_CLAIMS = [
    {"text": "In the last crisis the opportunistic patron abandons a challenged protege: no later protege is left to impress, so its reputation is worth nothing there.",
     "provenance": "D", "source": "derivations.md#patron-reputation", "test": "test_models_reputation.py::test_patron_last_crisis_abandoned"},
    {"text": "With n crises to go and reputation q, the challenger challenges iff q < b**n, b = g/(g + w); the opportunistic patron defends a challenged protege for sure iff q >= b**(n-1), otherwise with probability q(1 - b**(n-1))/((1 - q) b**(n-1)), so that its reputation after a defence is b**(n-1); the next challenger then holds back with probability (c - v)/(delta v). This holds when c <= (1 + delta) v (reputation_margin >= 0).",
     "provenance": "D", "source": "derivations.md#patron-reputation (Kreps & Wilson's construction with discounting)", "test": "test_models_reputation.py::test_patron_closed_form"},
    {"text": "Reputational entrapment: the opportunistic patron fights for early proteges it would abandon in a single crisis, for the sake of its reputation with the next challengers (p_entrapment > 0 on the path when some early challenger challenges).",
     "provenance": "D", "source": "derivations.md#patron-reputation; entrapment as in Snyder (1984) [S]", "test": "test_models_reputation.py::test_patron_reputational_entrapment"},
    {"text": "Reputation spent: after the patron abandons one protege every later protege is challenged and abandoned.",
     "provenance": "D", "source": "derivations.md#patron-reputation; cf. Crescenzi (2007) on reputations learnt from conduct towards third parties [L]", "test": "test_models_reputation.py::test_patron_reputation_spent"},
    {"text": "If c > (1 + delta) v, reputation with the next challenger alone is not worth one defence: with two crises the opportunistic patron abandons the first protege too, and the first challenger challenges iff p < b.",
     "provenance": "D", "source": "derivations.md#patron-reputation", "test": "test_models_reputation.py::test_patron_without_reputation_margin"},
]


def _pr_labels(t: str, hist: str) -> tuple[str, ...]:
    if set(hist) == {"s"}:
        return ("status_quo",)
    labels = set()
    if "d" in hist:
        labels |= {"allied_war", "entrapment"} if t == "opportunistic" else {"allied_war"}
    if "a" in hist:
        labels |= {"capitulation", "abandonment"}
    order = list(OUTCOMES)
    return tuple(sorted(labels, key=order.index))


def _pr_term(t: str, k: int, r: str) -> str:
    cost = {"s": "0", "d": "committed_war_cost" if t == "committed" else "war_cost", "a": "protege_value"}[r]
    if cost == "0":
        return "0"
    weight = "" if k == 1 else "discount*" if k == 2 else f"discount**{k - 1}*"
    return f"-{weight}{cost}"


def patron_reputation(
    proteges: int = 3,
    p_committed: float = 0.1,
    protege_value: float = 3,
    war_cost: float = 4,
    committed_war_cost: float = 1,
    challenge_gain: float = 1,
    challenger_war_cost: float = 2,
    discount: float = 0.9,
) -> Model:
    """A patron's reputation across its protégés: one crisis per protégé, each seen by the next challenger.

    Nature makes the patron *committed* (defending a challenged protégé is its best reply even
    in a single crisis, ``committed_war_cost < protege_value``) with probability
    ``p_committed``, else *opportunistic* (``war_cost > protege_value``: in a single crisis it
    abandons). In crisis ``k`` challenger ``k`` stays put or challenges protégé ``k``; the patron
    defends (war beside the protégé) or abandons it. Every later challenger sees what happened.
    Crisis ``k`` counts ``discount**(k - 1)`` in the patron's payoff.

    Parameters
    ----------
    proteges
        Number of protégés (crises) N, 1 to 6 as a tree (the file has 3); any number in compact
        form with :func:`patron_reputation_game`.
    p_committed, protege_value, war_cost, committed_war_cost, challenge_gain, challenger_war_cost, discount
        See the parameters' descriptions (``p``, ``v``, ``c``, ``c_C``, ``g``, ``w``, ``delta``).

    Returns
    -------
    Model
        Equal to ``dt.load_model("patron_reputation")`` at the defaults.
    """
    n = _count(proteges, "proteges", MAX_TREE_PROTEGES)
    challengers = [f"Challenger{k}" for k in range(1, n + 1)]
    nodes = crisis_nodes(CrisisText(
        root="patron_type", types=(("committed", "p_committed"), ("opportunistic", "1 - p_committed")),
        challengers=challengers, long_run="Patron", node_names=("challenger", "patron"),
        challenge_actions=("stay", "challenge"), response_actions=("defend", "abandon"), codes=("s", "d", "a"),
        long_run_term=_pr_term,
        challenger_term=lambda t, k, r: {"s": "0", "d": "-challenger_war_cost", "a": "challenge_gain"}[r],
        labels=_pr_labels))
    values = dict(p_committed=p_committed, protege_value=protege_value, war_cost=war_cost,
                  committed_war_cost=committed_war_cost, challenge_gain=challenge_gain,
                  challenger_war_cost=challenger_war_cost, discount=discount)
    b = "challenge_gain / (challenge_gain + challenger_war_cost)"
    derived = [
        Derived("challenge_ratio", sp.S.Zero, b, "b = g/(g + w): a challenger challenges iff the probability of a defence is below b [D]"),
        Derived("first_challenge_threshold", sp.S.Zero, f"({b})**{n}", "the first challenger challenges iff p_committed < b**N (when reputation_margin >= 0) [D]"),
        Derived("defence_threshold", sp.S.Zero, f"({b})**{n - 1}", "the opportunistic patron defends the first protege for sure iff p_committed >= b**(N-1) (when reputation_margin >= 0) [D]"),
        Derived("opportunistic_defence_probability", sp.S.Zero, f"min(1, p_committed * (1 - ({b})**{n - 1}) / ((1 - p_committed) * ({b})**{n - 1}))",
                "probability that the opportunistic patron defends the first protege if challenged, so that its reputation after a defence is b**(N-1) [D]"),
        Derived("holdback_probability", sp.S.Zero, "(war_cost - protege_value) / (discount * protege_value)",
                "probability that a challenger at the threshold reputation holds back, which makes the opportunistic patron indifferent (at most 1 iff reputation_margin >= 0) [D]"),
        Derived("reputation_margin", sp.S.Zero, "(1 + discount) * protege_value - war_cost",
                ">= 0: deterring the next challenger is worth one defence to the opportunistic patron (the Kreps-Wilson regime) [D]"),
    ]
    return Model(ModelSpec(
        "patron_reputation" if n == 3 else f"patron_reputation_{n}",
        [*challengers, "Patron"],
        with_defaults(_PR_TEXTS, values),
        nodes,
        title=f"A patron's reputation across its proteges (Alt, Calvert & Humes; Kreps & Wilson), {n} crises",
        description=(
            f"A patron has {n} proteges; each faces its own challenger, one crisis after another. Nature "
            "makes the patron committed (probability p_committed: defending a challenged protege is its "
            "best reply even in a single crisis, committed_war_cost < protege_value) or opportunistic "
            "(war_cost > protege_value: in a single crisis it abandons). In crisis k challenger k stays put "
            "or challenges protege k, and the patron defends it (a war beside the protege) or abandons it; "
            "every later challenger sees what the patron did, so its conduct in one protege's crisis builds "
            "or spends its reputation with the next. Crisis k counts discount**(k-1) for the patron. The "
            "opportunistic patron's defence of a protege for reputation's sake is labelled entrapment (a "
            "war it enters only because reneging would cost it its reputation). STYLISED: the stage game "
            "is derived for this library [D] from Kreps and Wilson's chain store and the reputation "
            "arguments of Alt, Calvert and Humes; its closed form, valid when reputation_margin >= 0, is "
            "derived in docs/discussion/derivations.md#patron-reputation. Solved by the reputation solver "
            "(method 'reputation', chosen by auto); any number of proteges in compact form with "
            "dt.builders.patron_reputation_game and dt.solve_reputation. Node ids: type, then the history "
            "of crises (s = stayed put, d = defended, a = abandoned)."
        ),
        references=_PR_REFERENCES,
        concepts=["pbe"],
        status="stylised",
        entrapment=(
            "Entrapment is the opportunistic patron fighting for a protege: a war it would not choose\n"
            "in that crisis alone (war_cost > protege_value), entered only because abandoning the\n"
            "protege would cost it its reputation with the next challengers (the cost of reneging is\n"
            "reputational). Terminals where the opportunistic patron defended at least once carry\n"
            "allied_war and entrapment; the committed patron's defences carry allied_war only;\n"
            "abandonments carry abandonment and capitulation."
        ),
        orderings=[
            Ordering("committed_war_cost < protege_value", "the committed patron defends even in a single crisis", "D"),  # type: ignore[arg-type]
            Ordering("protege_value < war_cost", "the opportunistic patron abandons in a single crisis", "D"),  # type: ignore[arg-type]
        ],
        derived=derived,
        baseline=Baseline(
            description="No reputation to build: the patron is known to be opportunistic (p_committed = 0); every challenger challenges and every protege is abandoned (the chain-store paradox in an alliance).",
            parameters={"p_committed": 0},
        ),
        claims=_PR_CLAIMS,
        meta={"proteges": n},
    ))


def patron_reputation_game(
    proteges: int = 3,
    p_committed: float = 0.1,
    protege_value: float = 3,
    war_cost: float = 4,
    committed_war_cost: float = 1,
    challenge_gain: float = 1,
    challenger_war_cost: float = 2,
    discount: float = 0.9,
) -> ReputationGame:
    """:func:`patron_reputation` in compact form, for any number of protégés.

    The same game as ``patron_reputation(proteges, ...).game()`` (whose tree
    :meth:`~deterrence.game.reputation.ReputationGame.tree` builds for small N), for
    :func:`deterrence.solve_reputation`.

    Raises
    ------
    ParameterError
        ``proteges`` not a positive integer, a parameter outside its domain, or the orderings
        ``committed_war_cost < protege_value < war_cost`` violated.
    """
    proteges = _count(proteges, "proteges", INF)
    values = dict(p_committed=p_committed, protege_value=protege_value, war_cost=war_cost,
                  committed_war_cost=committed_war_cost, challenge_gain=challenge_gain,
                  challenger_war_cost=challenger_war_cost, discount=discount)
    _check(values, _PR_TEXTS)
    if not committed_war_cost < protege_value < war_cost:
        raise ParameterError("the orderings committed_war_cost < protege_value < war_cost must hold, got "
                             f"{committed_war_cost}, {protege_value}, {war_cost}", name="protege_value",
                             value=protege_value)
    v, c, cc = (exact_number(x) for x in (protege_value, war_cost, committed_war_cost))
    delta = exact_number(discount)
    challenger = ((0, -exact_number(challenger_war_cost), exact_number(challenge_gain)),) * 2
    stages = []
    for k in range(1, proteges + 1):
        w = delta ** (k - 1)
        stages.append(CrisisStage(f"Challenger{k}", ((0, -w * cc, -w * v), (0, -w * c, -w * v)), challenger))
    labels = (((), ("allied_war",), ("capitulation", "abandonment")),
              ((), ("allied_war", "entrapment"), ("capitulation", "abandonment")))
    return ReputationGame(long_run="Patron", types=("committed", "opportunistic"), prior=p_committed,
                          stages=tuple(stages), challenge_actions=("stay", "challenge"),
                          response_actions=("defend", "abandon"), codes=("s", "d", "a"), stage_labels=labels,
                          title=f"A patron's reputation across its proteges, {proteges} crises")
