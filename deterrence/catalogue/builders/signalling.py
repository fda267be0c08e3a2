"""Builders for the signalling models of the catalogue in which the signal's level is chosen.

* :func:`costly_signal_menu` — Fearon (1997)'s costly signals with a *menu* of levels: the
  defender, knowing its type, chooses no signal, a low signal or a high signal, each level with
  its own sunk cost and audience cost. It is :func:`~deterrence.catalogue.builders.costly_signal_pledge`
  (whose level is fixed by its parameters) with the choice of level that Fearon's first result,
  that leaders never bluff, rests on.

The builder returns a :class:`deterrence.Model` equal to the shipped file
``models/costly_signal_menu.toml`` at its defaults (``tests/test_models_signal_menu.py`` checks
this). The specification is *stylised*: a two-type discretisation derived for this library
(``docs/discussion/derivations.md#costly-signal-menu``, provenance ``D``), not Fearon's continuous game.
"""

# ruff: noqa: E501  (long claim strings are data; they read better unbroken)
from __future__ import annotations

from typing import Any

from ...game.tree import chance, decision
from ...model import Baseline, Model, NodeSpec
from .alliances import (
    _REF_FEARON_1994,
    _REF_FEARON_1997,
    _derived,
    _orderings,
    _param,
    _refs,
    _signal_consequences,
    costly_signal_pledge,
)

INF = float("inf")

__all__ = ["SIGNAL_LEVELS", "costly_signal_menu"]

#: The defender's menu: action name -> (node-id code, sunk-cost parameter, audience-cost parameter).
SIGNAL_LEVELS: dict[str, tuple[str, str | None, str | None]] = {
    "none": ("n", None, None),
    "low": ("l", "sunk_low", "audience_low"),
    "high": ("h", "sunk_high", "audience_high"),
}

#: Parameters shared with ``costly_signal_pledge`` (same names, domains, symbols and descriptions).
_SHARED = (
    "resolve",
    "value_resolute",
    "war_resolute",
    "value_irresolute",
    "war_irresolute",
    "share_determined",
    "cost_determined",
    "cost_deterrable",
)

_MENU_DESCRIPTION = """
Fearon's (1997) costly signals with the level CHOSEN from a menu. As in costly_signal_pledge,
Nature draws the defender's type: resolute (probability `resolve`, war payoff `war_resolute` > 0)
or irresolute (`war_irresolute` < 0); each keeps `value_resolute` / `value_irresolute` if not
challenged and 0 if it backs down. Knowing its type, the defender chooses a signal: `none`, `low`
or `high`. Level L costs `sunk_L` whether or not the defender is challenged (sinking costs:
mobilisation) and `audience_L` only if it backs down when challenged (tying hands: going public);
setting the sunk costs to 0 gives a pure tying-hands menu, the audience costs 0 a pure sunk-cost
menu, and `low` may use one technology and `high` the other (the names are labels; nothing
orders the two levels). The challenger sees the signal, not the type, and challenges or not; a
challenged defender fights or backs down. The challenger's private cost of war is discretised
as in costly_signal_pledge: a determined type (probability `share_determined` = P0, cost
`cost_determined` < 0) challenges whatever it believes; a deterrable type (cost `cost_deterrable`
> 0) stays out iff the probability that the defender fights is at least deterring_belief =
1 / (1 + cost_deterrable). Defaults: the worked example FE1 with a tying-hands menu,
audience_low = 0.1 (below commitment_audience_cost = -war_irresolute: the level at which the
fixed-level costly_signal_pledge has a bluffing PBE) and audience_high = 0.25 (commits).
Findings (checked by the library's tests; a bluff = a PBE with abandonment, a type that
signals and then backs down): at FE1 the only PBE, under free, prior and d1 beliefs alike, is
both types tying their hands at the committing level: choosing the level removes the bluff that
the fixed-level tree has at audience 0.1. With resolve < deterring_belief, a tying-hands menu with
a free committing level has no bluffing PBE under any policy (the committing level guarantees
each type its commitment payoff whatever the challenger believes; where
commitment_value_irresolute < 0 the irresolute type does not signal). On a sunk-cost menu with
separation feasible a semi-separating bluff exists under free and prior beliefs (held up by a
pessimistic belief after the unused high signal); d1 removes it unless the high level is dear,
sunk_high - sunk_low > separating_sunk_high * (1 - sunk_low / least_cost_sunk), so never when the
least-cost separating level is on the menu. With resolve >= deterring_belief the prior alone
deters the deterrable challenger, signals buy nothing, and both types pool on the low level with
the irresolute backing down when the determined challenger calls, iff (1 - share_determined) *
value_irresolute - share_determined * audience_low - sunk_low > 0: a bluff under free AND d1
(d1 sends the deviator to `none` to the irresolute type, who saves the cost), not under prior.
So Fearon's F1 holds in all PBE found under d1 when the prior does not deter on its own and the
menu holds a free committing or a least-cost separating level; the failures are features of the
two-type discretisation (a prior that deters outright) or of a coarse menu.
STYLISED: the two-type version derived for this library (docs/discussion/derivations.md#costly-signal-menu) [D]."""

_MENU_ENTRAPMENT = """
As in costly_signal_pledge, the defender is the pledging party (the vocabulary's ally), so a war it
fights is allied_war and backing down is capitulation. Entrapment is the irresolute defender
fighting after it signalled (low or high), a war it would not choose (war_irresolute < 0) and
fights only because the signal's audience cost makes backing down cost more
(audience_L > -war_irresolute); the nodes war_i_l_* and war_i_h_* carry allied_war and entrapment.
Abandonment is backing down after a signal, i.e. a bluff that was called (nodes back_down_*_l_*,
back_down_*_h_*: capitulation and abandonment). Fearon's first result is that no equilibrium has
positive probability of abandonment."""


def _tree() -> Any:
    """The game tree: Nature draws the defender's type, the defender picks a level from the menu."""

    def defender(t: str) -> Any:
        value, war = (
            ("value_resolute", "war_resolute") if t == "r" else ("value_irresolute", "war_irresolute")
        )

        def after(level: str) -> Any:
            s, sunk_name, audience_name = SIGNAL_LEVELS[level]
            sunk = f" - {sunk_name}" if sunk_name else ""
            back = f"-{sunk_name} - {audience_name}" if sunk_name else "0"
            signalled = sunk_name is not None

            return _signal_consequences(t, s, value, war, sunk, back, signalled)

        return decision(
            "Defender",
            {level: after(level) for level in SIGNAL_LEVELS},
            infoset=f"signal_{t}",
            label=f"signal_{t}",
        )

    return chance(
        {"resolute": ("resolve", defender("r")), "irresolute": ("1 - resolve", defender("i"))},
        label="defender_type",
    )


def costly_signal_menu(
    resolve: float = 0.4,
    value_resolute: float = 1.0,
    war_resolute: float = 0.3,
    value_irresolute: float = 0.5,
    war_irresolute: float = -0.2,
    sunk_low: float = 0.0,
    audience_low: float = 0.1,
    sunk_high: float = 0.0,
    audience_high: float = 0.25,
    share_determined: float = 0.1,
    cost_determined: float = -0.125,
    cost_deterrable: float = 1.125,
) -> Model:
    """Costly signals with a menu of levels: the defender chooses none, low or high (Fearon 1997, two types).

    Parameters
    ----------
    resolve
        Probability that the defender is resolute (prefers war to backing down): the
        credibility of its pledge.
    value_resolute, value_irresolute
        Each type's value of the status quo (not being challenged): the stakes.
    war_resolute, war_irresolute
        Each type's war payoff (the resolute type's is positive, the irresolute type's negative).
    sunk_low, sunk_high
        Ex-ante cost of the low / high signal (mobilisation), paid whether or not the defender is
        challenged (sinking costs).
    audience_low, audience_high
        Ex-post cost of the low / high signal (tied hands), paid only if the defender backs down
        after sending it.
    share_determined
        P0 = F(0): the share of challengers who challenge even a defender sure to fight.
    cost_determined, cost_deterrable
        The discretised challenger types' costs of war (negative: it gains from war).

    Returns
    -------
    Model
        Equal to ``dt.load_model("costly_signal_menu")`` at the default arguments (example FE1
        with a tying-hands menu: audience_low = 0.1 does not commit the irresolute type,
        audience_high = 0.25 does).

    Examples
    --------
    >>> m = costly_signal_menu(audience_low=0.0, audience_high=0.0, sunk_low=0.2, sunk_high=0.45)
    >>> m.parameters["sunk_high"].default
    0.45
    """
    shared = costly_signal_pledge(
        resolve=resolve,
        value_resolute=value_resolute,
        war_resolute=war_resolute,
        value_irresolute=value_irresolute,
        war_irresolute=war_irresolute,
        share_determined=share_determined,
        cost_determined=cost_determined,
        cost_deterrable=cost_deterrable,
    ).parameters
    levels = []
    for level, sunk, audience in (
        ("low", sunk_low, audience_low),
        ("high", sunk_high, audience_high),
    ):
        sym = "l" if level == "low" else "h"
        levels += [
            _param(
                f"sunk_{level}",
                sunk,
                domain=(0, INF),
                description=f"ex-ante cost of the {level} signal (mobilisation): paid whether or not the defender is "
                "challenged (sinking costs)",
                symbol=f"s_{sym}",
            ),
            _param(
                f"audience_{level}",
                audience,
                domain=(0, INF),
                description=f"ex-post cost of the {level} signal: paid only if the defender backs down after sending it "
                "(tying hands)",
                symbol=f"a_{sym}",
            ),
        ]
    names = [*_SHARED[:5], "sunk_low", "audience_low", "sunk_high", "audience_high", *_SHARED[5:]]
    by_name = {**{n: shared[n] for n in _SHARED}, **{p.name: p for p in levels}}
    params = [by_name[n] for n in names]
    return Model.from_tree(
        _tree(),
        name="costly_signal_menu",
        players=["Defender", "Challenger"],
        parameters=params,
        title="Costly-signal menu: the defender chooses the level of its signal (tying hands, sinking costs)",
        description=_MENU_DESCRIPTION,
        concepts=["pbe"],
        status="stylised",
        entrapment=_MENU_ENTRAPMENT,
        orderings=_orderings(
            [
                ("war_resolute < value_resolute", "the resolute type prefers not being challenged to war"),
            ]
        ),
        references=_refs([_REF_FEARON_1997, _REF_FEARON_1994]),
        claims=_CLAIMS,
        derived=_derived(_DERIVED),
        baseline=Baseline(
            description="No pledge: the defender cannot signal (only `none` is left on the menu); a challenged "
            "defender fights or backs down by its type alone.",
            nodes=tuple(
                NodeSpec(
                    f"signal_{t}", "chance", actions={"none": f"challenger_type_{t}_n"}, probs={"none": "1"}
                )
                for t in ("r", "i")
            ),
        ),
    )


_DERIVED = [
    (
        "least_cost_sunk",
        "(1 - share_determined) * value_irresolute",
        "s*: the least sunk cost (without audience cost) that the irresolute type will not mimic",
    ),
    (
        "separating_sunk_high",
        "(1 - share_determined) * (value_resolute - war_resolute)",
        "the resolute type pays a sunk cost of at most this to separate",
    ),
    (
        "commitment_audience_cost",
        "-war_irresolute",
        "audience cost at and above which even the irresolute type fights once it has tied its hands",
    ),
    (
        "commitment_value_irresolute",
        "(1 - share_determined) * value_irresolute + share_determined * war_irresolute",
        "the irresolute type's payoff from a free committing signal (it deters the deterrable challenger "
        "and fights the determined one); when negative it prefers not to commit",
    ),
    (
        "deterring_belief",
        "1 / (1 + cost_deterrable)",
        "probability of a fight at and above which the deterrable challenger stays out",
    ),
]

_CLAIMS: list[dict[str, str]] = [
    {
        "text": "In the games' equilibria, leaders never bluff with either type of signal; they do not incur "
        "or create costs and then fail to respond if challenged.",
        "provenance": "S",
        "source": "Fearon (1997) abstract (F1)",
        "test": "test_claim_f1_menu_fe1, test_claim_f1_menu_random_points (holds under d1 when resolve < "
        "deterring_belief and the menu has a free committing or a least-cost separating level; see the description)",
    },
    {
        "text": "Leaders do better on average by tying hands, despite the fact that the ability to do so "
        "creates a greater ex ante risk of war than does the use of sunk-cost signals.",
        "provenance": "S",
        "source": "Fearon (1997) abstract (F2)",
        "test": "test_claim_f2_on_a_menu_with_both_technologies",
    },
    {
        "text": "With resolve < deterring_belief no PBE bluffs on a tying-hands menu whose high level commits "
        "(audience_high >= -war_irresolute, sunk costs 0), under any belief policy; on a sunk-cost menu with "
        "least_cost_sunk < separating_sunk_high and sunk_low < least_cost_sunk <= sunk_high, a bluffing PBE "
        "exists under free and prior beliefs, and under d1 iff sunk_high - sunk_low > separating_sunk_high * "
        "(1 - sunk_low / least_cost_sunk). With resolve >= deterring_belief a PBE in which both types send the "
        "low signal and the irresolute backs down exists under free and d1 beliefs (not prior) iff "
        "(1 - share_determined) * value_irresolute - share_determined * audience_low - sunk_low > 0.",
        "provenance": "D",
        "test": "test_claim_f1_menu_random_points, test_claim_f1_menu_random_points_every_policy (slow)",
    },
]
