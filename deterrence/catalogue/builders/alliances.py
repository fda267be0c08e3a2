"""Builders for the alliance and extended-deterrence models of the catalogue.

Each builder takes the model's parameters by the names of what they mean (commitment
credibility, audience cost of reneging, costs of war, stakes, status-quo values, entrapment
parameters) as keyword arguments; their values become the parameters' *defaults*. Each returns
a :class:`deterrence.Model` equal to the shipped file ``models/<name>.toml`` when called with its
own defaults (tree shape, node ids, payoff and chance expressions, parameters, domains,
orderings, derived quantities and baseline; ``tests/test_models_alliances.py`` checks this).

* :func:`extended_deterrence` — attacker, defender and an ally of uncertain commitment.
* :func:`alliance_moral_hazard` — Benson-style entrapment: a protégé that may provoke, an
  adversary that may attack, a patron whose commitment is probabilistic and/or conditional.
* :func:`costly_signal_pledge` — Fearon's tying hands (audience cost) versus sinking costs,
  with the challenger's continuous cost discretised into two types.
* :func:`extended_deterrence_commitment_types` — the extended-deterrence game with the
  commitment type (defence pact, entente, non-aggression pact, coalition of convenience) as a
  parameter that sets the ally's audience cost and the credibility an attacker infers.
* :func:`egame12`, :func:`egame122`, :func:`egame123` — the strategic statistical trees of the
  R package ``games`` with the outcome utilities as parameters (see :mod:`deterrence.studies.statistical`).

All specifications other than the ``games`` trees are *stylised*: built for this library from
the mechanisms of the cited literature, with thresholds derived for this library (provenance
``D``; the derivations are in ``docs/discussion/derivations.md``), not the published models themselves.
"""

# ruff: noqa: E501  (long citation and claim strings are data; they read better unbroken)
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import sympy as sp

from ...families._pledges import COMMITMENT_TYPES
from ...game.tree import chance, decision, terminal
from ...model import Baseline, Derived, Model, NodeSpec, Ordering, Parameter, Reference
from ._parts import parameter

INF = math.inf

__all__ = [
    "COMMITMENT_TYPES",
    "alliance_moral_hazard",
    "costly_signal_pledge",
    "egame12",
    "egame122",
    "egame123",
    "extended_deterrence",
    "extended_deterrence_commitment_types",
]


# ---------------------------------------------------------------------------- helpers
_param = parameter


def _derived(items: Sequence[tuple[str, str, str]]) -> list[Derived]:
    """``(name, expression text, description)`` -> :class:`Derived` (parsed by the model)."""
    return [Derived(name, sp.S.Zero, text, desc) for name, text, desc in items]


def _orderings(items: Sequence[str | tuple[str, str]]) -> list[str | Ordering]:
    return [o if isinstance(o, str) else Ordering(o[0], o[1]) for o in items]


def _refs(items: Sequence[Mapping[str, str]]) -> list[Reference]:
    return [Reference(**dict(r)) for r in items]


_REF_KILGOUR_ZAGARE = {
    "key": "KilgourZagare1991",
    "citation": "Kilgour, D. M. & Zagare, F. C. (1991). Credibility, Uncertainty, and Deterrence. American "
    "Journal of Political Science 35(2): 305-334.",
    "provenance": "S",
    "note": "credibility of a threat as the probability that the threatener is the type that prefers to carry it out",
}
_REF_FEARON_1994 = {
    "key": "Fearon1994",
    "citation": "Fearon, J. D. (1994). Domestic Political Audiences and the Escalation of International Disputes. "
    "American Political Science Review 88(3): 577-592.",
    "provenance": "S",
    "note": "audience costs of backing down from a public commitment",
}
_REF_FEARON_1997 = {
    "key": "Fearon1997",
    "citation": "Fearon, J. D. (1997). Signaling Foreign Policy Interests: Tying Hands versus Sinking Costs. "
    "Journal of Conflict Resolution 41(1): 68-90.",
    "provenance": "S",
    "note": "a pledge that ties hands: the cost is paid only on reneging",
}
_REF_SMITH = {
    "key": "Smith1995",
    "citation": "Smith, A. (1995). Alliance Formation and War. International Studies Quarterly 39(4): 405-425.",
    "provenance": "S",
    "note": "alliance reliability as the ally's private type",
}
_REF_SNYDER = {
    "key": "Snyder1984",
    "citation": "Snyder, G. H. (1984). The Security Dilemma in Alliance Politics. World Politics 36(4): 461-495.",
    "provenance": "S",
    "note": "abandonment and entrapment",
}


# ---------------------------------------------------------------------------- extended deterrence
_ED_DESCRIPTION = """
An ally has publicly pledged to defend a protege (the Defender). Nature draws the ally's type:
committed with probability `credibility` (it values the Defender's security enough to fight for it
even without a pledge) or uncommitted (it would rather stay out, unless the audience cost of
reneging on its pledge is large). The Attacker, not knowing the type, attacks or not. If attacked,
the Defender, who does not know the type either, resists or concedes. If the Defender resists,
the ally, knowing its own type, intervenes or stays out. Wars are lotteries over the prize
`stakes`: the Defender wins with probability `p_alone` fighting alone and `p_allied` with the ally.
A stylised model built for this library from the mechanisms of the cited literature (reliability
as a type, audience costs of reneging); its thresholds (the derived quantities) are derived in
docs/discussion/derivations.md#extended-deterrence."""

_ED_ENTRAPMENT = """
Entrapment is the uncommitted ally fighting: the terminal nodes reached when the uncommitted type
intervenes (node allied_war_u) carry the labels allied_war and entrapment. The uncommitted type
prefers to stay out when reneging is free (see the ordering on interest_uncommitted), so it
intervenes only because of the pledge's audience cost: it does so exactly when
audience_cost > entrapment_threshold. Staying out after the Defender resists is abandonment
(labels war and abandonment) whatever the ally's type, because a pledge was made. In the
no-pledge baseline neither label applies: nothing was promised."""

_ED_BASELINE = """
The same crisis without the public pledge: the ally's type and interests are unchanged, and the
Attacker and Defender still know only its probability, but reneging costs nothing
(audience_cost = 0), staying out is not abandonment and an intervention is never entrapment,
because nothing was promised. The committed type still intervenes (it wants to); the uncommitted
type stays out. The pledge's deterrent effect is p_attack(baseline) - p_attack(model)."""


def _ed_tree(interest: dict[str, str], audience: str, treaty: str | None = None) -> Any:
    """The extended-deterrence tree; ``interest[t]``/``audience`` are expression texts.

    With ``treaty`` (an expression: the probability that the ally's promise is a treaty), staying
    out leads to a chance node that only splits the labels: a broken treaty is ``war`` and
    ``abandonment`` (node ``war_t``), staying out of no treaty plain ``war`` (``war_t_no_treaty``);
    the payoffs of the two are the same.
    """

    def stay_out(t: str, w: str) -> Any:
        pays = {
            "Attacker": "(1 - p_alone) * stakes - cost_attacker",
            "Defender": "p_alone * stakes - cost_defender",
            "Ally": f"{w} * p_alone * stakes - {audience}",
        }
        broken = terminal(pays, ("war", "abandonment"), label=f"war_{t}")
        if treaty is None:
            return broken
        return chance(
            {"treaty": (treaty, broken),
             "no_treaty": (f"1 - {treaty}", terminal(dict(pays), "war", label=f"war_{t}_no_treaty"))},
            label=f"promise_{t}",
        )

    def branch(t: str, entrap: bool) -> Any:
        w = interest[t]
        return decision(
            "Attacker",
            {
                "no_attack": terminal(
                    {"Attacker": "0", "Defender": "stakes", "Ally": f"{w} * stakes"},
                    "status_quo",
                    label=f"status_quo_{t}",
                ),
                "attack": decision(
                    "Defender",
                    {
                        "concede": terminal(
                            {"Attacker": "stakes", "Defender": "0", "Ally": "0"},
                            "capitulation",
                            label=f"capitulation_{t}",
                        ),
                        "resist": decision(
                            "Ally",
                            {
                                "intervene": terminal(
                                    {
                                        "Attacker": "(1 - p_allied) * stakes - cost_attacker",
                                        "Defender": "p_allied * stakes - cost_defender",
                                        "Ally": f"{w} * p_allied * stakes - cost_ally",
                                    },
                                    ("allied_war", "entrapment") if entrap else "allied_war",
                                    label=f"allied_war_{t}",
                                ),
                                "stay_out": stay_out(t, w),
                            },
                            infoset=f"ally_{'committed' if t == 'c' else 'uncommitted'}",
                            label=f"ally_{t}",
                        ),
                    },
                    infoset="defender",
                    label=f"defender_{t}",
                ),
            },
            infoset="attacker",
            label=f"attacker_{t}",
        )

    return branch


def _ed_common_parameters(
    stakes: float,
    p_alone: float,
    p_allied: float,
    cost_attacker: float,
    cost_defender: float,
    cost_ally: float,
    interest_committed: float,
    interest_uncommitted: float,
) -> list[Parameter]:
    return [
        _param(
            "stakes",
            stakes,
            domain=(0, INF),
            description="value of the disputed prize to the Attacker and the Defender",
            symbol="v",
            open_lower=True,
            open_upper=True,
        ),
        _param(
            "p_alone",
            p_alone,
            domain=(0, 1),
            description="probability that the Defender wins a war it fights alone",
            symbol="p_0",
        ),
        _param(
            "p_allied",
            p_allied,
            domain=(0, 1),
            description="probability that the Defender wins a war fought together with the ally",
            symbol="p_1",
        ),
        _param(
            "cost_attacker",
            cost_attacker,
            domain=(0, INF),
            description="the Attacker's cost of war",
            symbol="c_A",
        ),
        _param(
            "cost_defender",
            cost_defender,
            domain=(0, INF),
            description="the Defender's cost of war",
            symbol="c_D",
        ),
        _param(
            "cost_ally", cost_ally, domain=(0, INF), description="the ally's cost of fighting", symbol="c_L"
        ),
        _param(
            "interest_committed",
            interest_committed,
            domain=(0, INF),
            description="the committed ally's interest in the Defender: its value of the Defender holding the prize, "
            "per unit of stakes",
            symbol="w_C",
        ),
        _param(
            "interest_uncommitted",
            interest_uncommitted,
            domain=(0, INF),
            description="the uncommitted ally's interest in the Defender (how far the ally's interests diverge from the "
            "Defender's)",
            symbol="w_U",
        ),
    ]


_ED_ORDERINGS = [
    ("p_alone < p_allied", "the ally's help raises the Defender's chance of winning"),
    (
        "interest_committed * (p_allied - p_alone) * stakes > cost_ally",
        "the committed type prefers to intervene even when reneging is free",
    ),
    (
        "interest_uncommitted * (p_allied - p_alone) * stakes < cost_ally",
        "the uncommitted type prefers to stay out when reneging is free",
    ),
]


def extended_deterrence(
    credibility: float = 0.5,
    stakes: float = 1.0,
    p_alone: float = 0.3,
    p_allied: float = 0.8,
    cost_attacker: float = 0.4,
    cost_defender: float = 0.35,
    cost_ally: float = 0.3,
    interest_committed: float = 1.0,
    interest_uncommitted: float = 0.2,
    audience_cost: float = 0.1,
) -> Model:
    """Extended deterrence with an ally of uncertain commitment (``models/extended_deterrence.toml``).

    Parameters
    ----------
    credibility
        Probability that the ally is the committed type (the credibility of its pledge).
    stakes
        Value of the disputed prize to the Attacker and the Defender.
    p_alone, p_allied
        The Defender's probability of winning a war fought alone / together with the ally.
    cost_attacker, cost_defender, cost_ally
        Costs of war of the Attacker, the Defender and the ally.
    interest_committed, interest_uncommitted
        Each ally type's value of the Defender holding the prize, per unit of stakes (the
        uncommitted type's lower interest is how far the ally's interests diverge).
    audience_cost
        The ally's audience (reputation) cost of reneging on its pledge.

    Returns
    -------
    Model
        Equal to ``dt.load_model("extended_deterrence")`` at the default arguments.
    """
    branch = _ed_tree({"c": "interest_committed", "u": "interest_uncommitted"}, "audience_cost")
    root = chance(
        {
            "committed": ("credibility", branch("c", False)),
            "uncommitted": ("1 - credibility", branch("u", True)),
        },
        label="ally_type",
    )
    params = [
        _param(
            "credibility",
            credibility,
            domain=(0, 1),
            description="probability that the ally is the committed type (the credibility of its pledge)",
            symbol="\\pi",
        ),
        *_ed_common_parameters(
            stakes,
            p_alone,
            p_allied,
            cost_attacker,
            cost_defender,
            cost_ally,
            interest_committed,
            interest_uncommitted,
        ),
        _param(
            "audience_cost",
            audience_cost,
            domain=(0, INF),
            description="the ally's audience (reputation) cost of reneging on its pledge: paid if it stays out after the "
            "Defender resists",
            symbol="a",
        ),
    ]
    return Model.from_tree(
        root,
        name="extended_deterrence",
        players=["Attacker", "Defender", "Ally"],
        parameters=params,
        title="Extended deterrence with an ally of uncertain commitment",
        description=_ED_DESCRIPTION,
        concepts=["spe", "pbe", "qre"],
        status="stylised",
        entrapment=_ED_ENTRAPMENT,
        orderings=_orderings(_ED_ORDERINGS),
        references=_refs([_REF_KILGOUR_ZAGARE, _REF_FEARON_1994, _REF_FEARON_1997, _REF_SMITH, _REF_SNYDER]),
        claims=[
            {
                "text": "When audience_cost < entrapment_threshold, every perfect Bayesian equilibrium is free of "
                "attack iff credibility > max(credibility_threshold_attacker, credibility_threshold_defender); "
                "below it some PBE has the attack, and under prior and d1 beliefs every PBE has it (under free "
                "beliefs an optimistic off-path belief of the Defender can also hold up a PBE without attack when "
                "credibility_threshold_attacker < credibility < credibility_threshold_defender).",
                "provenance": "D",
                "test": (
                    "test_catalogue_claims.py::test_extended_deterrence_claim_below_the_entrapment_threshold, "
                    "test_sweep.py::test_extended_deterrence_grid_matches_its_derived_claim"
                ),
            },
            {
                "text": "When audience_cost > entrapment_threshold, both types intervene, so credibility no longer "
                "matters: the Attacker is deterred iff (1 - p_allied) * stakes < cost_attacker and "
                "p_allied * stakes > cost_defender.",
                "provenance": "D",
                "test": (
                    "test_catalogue_claims.py::test_extended_deterrence_claim_above_the_entrapment_threshold"
                ),
            },
            {
                "text": (
                    "Nations with unreliable alliances are more likely to be attacked than those with "
                    "reliable alliances."
                ),
                "provenance": "S",
                "source": (
                    "Smith (1995), abstract"
                ),
                "reproduced": (
                    "reliability read as credibility: P(attack) never rises with credibility"
                ),
                "test": (
                    "test_catalogue_claims.py::test_extended_deterrence_smith_unreliable_allies_attract_attacks_and_surrender"
                ),
            },
            {
                "text": (
                    "Nations with unreliable allies are more likely to surrender if attacked than are nations "
                    "with reliable allies."
                ),
                "provenance": "S",
                "source": (
                    "Smith (1996), To Intervene or Not to Intervene: A Biased Decision, JCR 40(1), abstract"
                ),
                "reproduced": (
                    "P(capitulation | attack) never rises with credibility"
                ),
                "test": (
                    "test_catalogue_claims.py::test_extended_deterrence_smith_unreliable_allies_attract_attacks_and_surrender"
                ),
            },
            {
                "text": (
                    "The aggregate effect of alliances on the occurrence of war is ambiguous: under some "
                    "circumstances alliances increase the probability of war; in others, alliances reduce the "
                    "likelihood of war."
                ),
                "provenance": "S",
                "source": (
                    "Smith (1995), abstract"
                ),
                "reproduced": (
                    "as the sign of P(war) with the pledge minus P(war) in the no-pledge baseline, which "
                    "takes both signs"
                ),
                "test": (
                    "test_catalogue_claims.py::test_extended_deterrence_smith_alliances_raise_or_lower_war"
                ),
            },
        ],
        derived=_derived(
            [
                (
                    "entrapment_threshold",
                    "cost_ally - interest_uncommitted * (p_allied - p_alone) * stakes",
                    "audience cost above which the uncommitted type intervenes (entrapment)",
                ),
                (
                    "credibility_threshold_attacker",
                    "((1 - p_alone) * stakes - cost_attacker) / ((p_allied - p_alone) * stakes)",
                    "credibility above which attacking a resisting Defender does not pay (audience_cost < "
                    "entrapment_threshold)",
                ),
                (
                    "credibility_threshold_defender",
                    "(cost_defender - p_alone * stakes) / ((p_allied - p_alone) * stakes)",
                    "credibility above which the Defender resists rather than concedes (audience_cost < "
                    "entrapment_threshold)",
                ),
            ]
        ),
        baseline=Baseline(
            description=_ED_BASELINE,
            parameters={"audience_cost": 0},
            outcomes={"war_c": ("war",), "war_u": ("war",), "allied_war_u": ("allied_war",)},
        ),
    )


# ---------------------------------------------------------------------------- commitment types
# COMMITMENT_TYPES (code -> name, audience-cost multiplier, credibility multiplier) lives with the
# model families (deterrence.families), which use the same codes for each ally's pledge.


def _ct_text(values: dict[int, float]) -> str:
    """A piecewise-constant function of ``commitment_type`` in 0..3 written with min/max only.

    ``ind_k = max(0, 1 - abs(commitment_type - k))`` is 1 at ``k`` and 0 at the other integers
    (and interpolates linearly in between, which the domain's integer grid never uses in the
    shipped sweeps; non-integer values are *mixtures* of neighbouring types).
    """
    terms = [f"{v} * max(0, 1 - abs(commitment_type - {k}))" for k, v in values.items() if v != 0]
    return " + ".join(terms) if terms else "0"


_CT_DESCRIPTION = """
The extended-deterrence game (models/extended_deterrence.toml) with the kind of alliance as a
first-class parameter. `commitment_type` codes the promise the ally made: 0 coalition of
convenience (formed for one crisis, no treaty), 1 non-aggression pact, 2 entente (a promise to
consult and cooperate in a crisis), 3 defence pact (an attack on one is an attack on all). The type
sets (a) the ally's audience/reputation cost of reneging, `max_audience_cost` times a multiplier
(0, 0.25, 0.6, 1 for types 0..3), and (b) the credibility the Attacker infers, the probability that
the ally is the committed type, `max_credibility` times a multiplier (0.25, 0.5, 0.75, 1).
Non-integer values of `commitment_type` interpolate linearly between neighbouring types.
STYLISED: the ordering of the types (defence pact > entente > non-aggression pact > coalition) is
the one the empirical literature reports for assistance in war (Leeds, Ritter, Mitchell & Long
2002; Gibler & Sarkees 2004); the multipliers are not estimates from it, only an encoding of that
ordering, and the claims below are derived for this specification in
docs/discussion/derivations.md#commitment-types."""

#: the probability that the ally's promise is a treaty: 0 for a coalition of convenience, 1 for
#: every pact; non-integer types below 1 mix a coalition with a non-aggression pact
_CT_TREATY = "min(1, commitment_type)"

_CT_ENTRAPMENT = """
Entrapment is the uncommitted ally fighting: the terminal nodes reached when the uncommitted type
intervenes (node allied_war_u) carry the labels allied_war and entrapment. The uncommitted type
prefers to stay out when reneging is free (see the ordering on interest_uncommitted), so it
intervenes only because of the pledge's audience cost: it does so exactly when
audience_cost > entrapment_threshold (never for a coalition of convenience, which carries no
audience cost). Staying out after the Defender resists is abandonment (labels war and
abandonment) when the ally broke a treaty: every pact (commitment_type >= 1) is one, a coalition
of convenience (commitment_type = 0) is not, and a type between 0 and 1 is a treaty with
probability commitment_type (the chance nodes promise_c and promise_u split the labels only:
war_c and war_u carry war and abandonment, war_c_no_treaty and war_u_no_treaty plain war, with
the same payoffs). In the no-pledge baseline neither label applies: nothing was promised."""


def extended_deterrence_commitment_types(
    commitment_type: float = 2.0,
    max_credibility: float = 0.8,
    max_audience_cost: float = 0.4,
    stakes: float = 1.0,
    p_alone: float = 0.3,
    p_allied: float = 0.8,
    cost_attacker: float = 0.4,
    cost_defender: float = 0.35,
    cost_ally: float = 0.3,
    interest_committed: float = 1.0,
    interest_uncommitted: float = 0.2,
) -> Model:
    """Extended deterrence with the commitment type as a parameter (stylised; see :data:`COMMITMENT_TYPES`).

    Parameters
    ----------
    commitment_type
        0 coalition of convenience, 1 non-aggression pact, 2 entente, 3 defence pact.
    max_credibility
        The credibility (probability of the committed type) a defence pact conveys; the other
        types convey a fraction of it.
    max_audience_cost
        The ally's audience cost of reneging on a defence pact; the other types carry a fraction.
    stakes, p_alone, p_allied, cost_attacker, cost_defender, cost_ally, interest_committed, interest_uncommitted
        As in :func:`extended_deterrence`.
    """
    cred = "max_credibility * (" + _ct_text({k: v[2] for k, v in COMMITMENT_TYPES.items()}) + ")"
    aud = "max_audience_cost * (" + _ct_text({k: v[1] for k, v in COMMITMENT_TYPES.items()}) + ")"
    branch = _ed_tree({"c": "interest_committed", "u": "interest_uncommitted"}, "audience_cost", _CT_TREATY)
    root = chance(
        {
            "committed": ("credibility", branch("c", False)),
            "uncommitted": ("1 - credibility", branch("u", True)),
        },
        label="ally_type",
    )
    params = [
        _param(
            "commitment_type",
            commitment_type,
            domain=(0, 3),
            description="the kind of alliance: 0 coalition of convenience, 1 non-aggression pact, 2 entente, 3 defence "
            "pact (non-integers interpolate between neighbouring types)",
            symbol="\\tau",
        ),
        _param(
            "max_credibility",
            max_credibility,
            domain=(0, 1),
            description="the credibility (probability that the ally is the committed type) that a defence pact conveys",
            symbol="\\bar\\pi",
        ),
        _param(
            "max_audience_cost",
            max_audience_cost,
            domain=(0, INF),
            description="the ally's audience (reputation) cost of reneging on a defence pact",
            symbol="\\bar a",
        ),
        *_ed_common_parameters(
            stakes,
            p_alone,
            p_allied,
            cost_attacker,
            cost_defender,
            cost_ally,
            interest_committed,
            interest_uncommitted,
        ),
    ]
    return Model.from_tree(
        root,
        name="extended_deterrence_commitment_types",
        players=["Attacker", "Defender", "Ally"],
        parameters=params,
        title="Extended deterrence with the commitment type (defence pact, entente, non-aggression pact, coalition)",
        description=_CT_DESCRIPTION,
        concepts=["spe", "pbe"],
        status="stylised",
        entrapment=_CT_ENTRAPMENT,
        orderings=_orderings(_ED_ORDERINGS),
        references=_refs(
            [
                {
                    "key": "LeedsEtAl2002",
                    "citation": "Leeds, B. A., Ritter, J. M., Mitchell, S. M. & Long, A. G. (2002). Alliance Treaty "
                    "Obligations and Provisions, 1815-1944. International Interactions 28(3): 237-260.",
                    "provenance": "L",
                    "note": "alliance types by obligation (defence, offence, neutrality, non-aggression, consultation)",
                },
                {
                    "key": "GiblerSarkees2004",
                    "citation": "Gibler, D. M. & Sarkees, M. R. (2004). Measuring Alliances: The Correlates of War Formal "
                    "Interstate Alliance Dataset, 1816-2000. Journal of Peace Research 41(2): 211-222.",
                    "provenance": "L",
                    "note": "defence pacts, neutrality/non-aggression pacts and ententes",
                },
                _REF_FEARON_1994,
                _REF_KILGOUR_ZAGARE,
                _REF_SNYDER,
            ]
        ),
        claims=[
            {
                "text": "In war, entente partners assist each other less often than defence-pact partners but more "
                "often than non-aggression partners.",
                "provenance": "L",
                "source": "the empirical literature on alliance reliability (Leeds et al. 2002; Gibler & Sarkees 2004)",
                "reproduced": "as an ordering of p_allied_war over commitment_type; see tests",
                "test": (
                    "test_models_alliances.py::test_commitment_types_mapping_and_assistance_ordering, "
                    "test_commitment_types.py::test_ordering_holds_weakly_everywhere"
                ),
            },
            {
                "text": "The probability that the ally is the committed type and its audience cost of reneging are "
                "non-decreasing in commitment_type.",
                "provenance": "D",
                "test": "test_models_alliances.py::test_commitment_types_mapping_and_assistance_ordering",
            },
        ],
        derived=_derived(
            [
                ("credibility", cred, "the credibility the Attacker infers from the commitment type"),
                ("audience_cost", aud, "the ally's audience cost of reneging implied by the commitment type"),
                (
                    "entrapment_threshold",
                    "cost_ally - interest_uncommitted * (p_allied - p_alone) * stakes",
                    "audience cost above which the uncommitted type intervenes (entrapment)",
                ),
            ]
        ),
        baseline=Baseline(
            description="No alliance at all: a coalition of convenience (commitment_type = 0) with no audience "
            "cost; staying out is not abandonment and an intervention is never entrapment.",
            parameters={"commitment_type": 0, "max_audience_cost": 0},
            outcomes={"war_c": ("war",), "war_u": ("war",), "allied_war_u": ("allied_war",)},
        ),
        meta={
            "commitment_types": {v[0]: k for k, v in COMMITMENT_TYPES.items()},
            "audience_multiplier": {v[0]: v[1] for v in COMMITMENT_TYPES.values()},
            "credibility_multiplier": {v[0]: v[2] for v in COMMITMENT_TYPES.values()},
        },
    )


# ---------------------------------------------------------------------------- moral hazard (Benson)
_MH_DESCRIPTION = """
Benson-style moral hazard (entrapment) in an asymmetric alliance, as a game tree. A patron has
pledged to defend its protege against an adversary. Nature gives the crisis initiative to the
protege (probability `initiative_protege`) or to the adversary; as in Bueno de Mesquita and
Lalman's chance move choosing the first mover, this keeps the two decisions of the derived model
separate. With the initiative, the protege either keeps the status quo (value `sq_protege`) or
provokes the adversary (a revisionist move that starts a war); the adversary either keeps the
status quo (value `sq_adversary`) or attacks. The patron is not a strategic player: its commitment
is a chance move. In a war the adversary started it intervenes with probability `commitment`
(the probabilistic commitment pi); in a war the protege provoked it intervenes with probability
`commitment * (1 - conditional)`: `conditional = 1` is Benson's conditional commitment (assistance
only against the adversary's aggression; needs the initiator to be observable), `conditional = 0`
an unconditional one, values in between the probability that the patron withholds support from a
war its protege provoked. Wars are fought over a prize of 1; the protege wins with probability
`p_alone` alone and `p_alone + patron_boost` with the patron, so its expected war payoff is
p(pi) - cost_protege with p(pi) = p_alone + pi * patron_boost (the pledge's emboldening effect is
patron_boost per unit of commitment) and the adversary's is 1 - p(pi) - cost_adversary.
STYLISED: a model derived for this library, not Benson's published bargaining model; its thresholds
(the derived quantities) are derived in docs/discussion/derivations.md#alliance-moral-hazard."""

_MH_ENTRAPMENT = """
Entrapment is the patron fighting a war its protege provoked: the terminal node entrapped_war
(protege provoked, patron intervened) carries allied_war and entrapment. Nothing is abandonment:
the patron's pledge is a probabilistic commitment, a promise to intervene with probability
commitment (Benson's strategic ambiguity), not a promise to fight, so staying out with probability
1 - commitment is within its terms, as withholding support from a provoked war under the
conditional clause is; at commitment = 0 it made no effective pledge at all. The patron is not a
player and never chooses to renege. The wars it stays out of (unaided_war_p, unaided_war_a, and
withheld_war under the conditional clause) carry war only; the abandonment side of Snyder's
dilemma shows as p_war - p_allied_war, the protege fighting alone. In the no-pledge baseline the
patron never intervenes and nothing is entrapment."""


def alliance_moral_hazard(
    commitment: float = 0.5,
    conditional: float = 0.0,
    p_alone: float = 0.3,
    patron_boost: float = 0.4,
    cost_protege: float = 0.1,
    cost_adversary: float = 0.1,
    sq_protege: float = 0.5,
    sq_adversary: float = 0.45,
    initiative_protege: float = 0.5,
) -> Model:
    """Benson-style alliance moral hazard: deter the adversary versus restrain the protégé.

    Parameters
    ----------
    commitment
        pi: probability that the patron intervenes in a war the adversary started (the
        strength of a probabilistic commitment; 1 = certain).
    conditional
        Conditional commitment: 1 = the patron assists only against the adversary's aggression
        (never in a war the protégé provoked), 0 = unconditional; in between, the probability
        that it withholds support from a war its protégé provoked.
    p_alone
        p0: the protégé's probability of winning a war fought alone.
    patron_boost
        Delta: how far the patron's intervention raises the protégé's probability of winning
        (how far the pledge emboldens the protégé).
    cost_protege, cost_adversary
        Costs of war (fractions of the prize of 1).
    sq_protege, sq_adversary
        Status-quo values of the protégé and the adversary.
    initiative_protege
        Probability that Nature gives the crisis initiative to the protégé (else the adversary).

    Returns
    -------
    Model
        Equal to ``dt.load_model("alliance_moral_hazard")`` at the default arguments (which are
        worked example B1 of ``docs/discussion/derivations.md#alliance-moral-hazard`` with pi = 0.5: peace).
    """
    allied_p = {
        "Protege": "p_alone + patron_boost - cost_protege",
        "Adversary": "1 - p_alone - patron_boost - cost_adversary",
    }
    alone = {"Protege": "p_alone - cost_protege", "Adversary": "1 - p_alone - cost_adversary"}
    sq = {"Protege": "sq_protege", "Adversary": "sq_adversary"}
    protege = decision(
        "Protege",
        {
            "restrain": terminal(sq, "status_quo", label="status_quo_p"),
            "provoke": chance(
                {
                    "intervene": (
                        "commitment * (1 - conditional)",
                        terminal(allied_p, ("allied_war", "entrapment"), label="entrapped_war"),
                    ),
                    "withhold": ("commitment * conditional", terminal(alone, "war", label="withheld_war")),
                    "stay_out": (
                        "1 - commitment",
                        terminal(alone, "war", label="unaided_war_p"),
                    ),
                },
                label="patron_p",
            ),
        },
        label="protege",
    )
    adversary = decision(
        "Adversary",
        {
            "no_attack": terminal(sq, "status_quo", label="status_quo_a"),
            "attack": chance(
                {
                    "intervene": ("commitment", terminal(allied_p, "allied_war", label="allied_war_a")),
                    "stay_out": (
                        "1 - commitment",
                        terminal(alone, "war", label="unaided_war_a"),
                    ),
                },
                label="patron_a",
            ),
        },
        label="adversary",
    )
    root = chance(
        {"protege": ("initiative_protege", protege), "adversary": ("1 - initiative_protege", adversary)},
        label="initiative",
    )
    params = [
        _param(
            "commitment",
            commitment,
            domain=(0, 1),
            description="probability that the patron intervenes in a war the adversary started (probabilistic "
            "commitment; 1 = certain)",
            symbol="\\pi",
        ),
        _param(
            "conditional",
            conditional,
            domain=(0, 1),
            description="conditional commitment: 1 = the patron assists only against the adversary's aggression, "
            "0 = unconditional; in between, the probability that it withholds support from a war its "
            "protege provoked",
            symbol="\\kappa",
        ),
        _param(
            "p_alone",
            p_alone,
            domain=(0, 1),
            description="the protege's probability of winning a war it fights alone",
            symbol="p_0",
        ),
        _param(
            "patron_boost",
            patron_boost,
            domain=(0, 1),
            description="how far the patron's intervention raises the protege's probability of winning (how far the "
            "pledge emboldens the protege)",
            symbol="\\Delta",
            open_lower=True,
        ),
        _param(
            "cost_protege",
            cost_protege,
            domain=(0, INF),
            description="the protege's cost of war",
            symbol="c_P",
        ),
        _param(
            "cost_adversary",
            cost_adversary,
            domain=(0, INF),
            description="the adversary's cost of war",
            symbol="c_A",
        ),
        _param(
            "sq_protege",
            sq_protege,
            domain=(0, 1),
            description="the protege's value of the status quo",
            symbol="s_P",
        ),
        _param(
            "sq_adversary",
            sq_adversary,
            domain=(0, 1),
            description="the adversary's value of the status quo",
            symbol="s_A",
        ),
        _param(
            "initiative_protege",
            initiative_protege,
            domain=(0, 1),
            description="probability that the protege (rather than the adversary) has the crisis initiative",
            symbol="q",
            open_lower=True,
            open_upper=True,
        ),
    ]
    return Model.from_tree(
        root,
        name="alliance_moral_hazard",
        players=["Protege", "Adversary"],
        parameters=params,
        title="Alliance moral hazard: deterring the adversary versus restraining the protege (Benson-style)",
        description=_MH_DESCRIPTION,
        concepts=["spe", "pbe", "qre"],
        status="stylised",
        entrapment=_MH_ENTRAPMENT,
        orderings=_orderings([("p_alone + patron_boost <= 1", "a win probability cannot exceed 1")]),
        references=_refs(
            [
                {
                    "key": "Benson2012",
                    "citation": "Benson, B. V. (2012). Constructing International Security: Alliances, Deterrence, and "
                    "Moral Hazard. Cambridge University Press.",
                    "provenance": "S",
                    "note": "probabilistic and conditional commitments balance deterrence against moral hazard "
                    "(chapter summaries); the tree here is derived for this library [D]",
                },
                {
                    "key": "Benson2011",
                    "citation": "Benson, B. V. (2011). Unpacking Alliances: Deterrent and Compellent Alliances and Their "
                    "Relationship with Conflict, 1816-2000. Journal of Politics 73(4): 1111-1127.",
                    "provenance": "S",
                    "note": "unconditional compellent alliances raise conflict initiation by members",
                },
                {
                    "key": "BensonMeirowitzRamsay2014",
                    "citation": "Benson, B. V., Meirowitz, A. & Ramsay, K. W. (2014). Inducing Deterrence through Moral "
                    "Hazard in Alliance Contracts. Journal of Conflict Resolution 58(2): 307-335.",
                    "provenance": "S",
                },
                {
                    "key": "Yuen2009",
                    "citation": "Yuen, A. (2009). Target Concessions in the Shadow of Intervention. Journal of Conflict "
                    "Resolution 53(5): 745-773.",
                    "provenance": "S",
                },
                _REF_SNYDER,
                {
                    "key": "BdML1992",
                    "citation": "Bueno de Mesquita, B. & Lalman, D. (1992). War and Reason. Yale University Press.",
                    "provenance": "S",
                    "note": "a chance move chooses which state has the initiative",
                },
            ]
        ),
        claims=[
            {
                "text": "A commitment may embolden the leader of the protected state to take actions that risk "
                "provoking the adversary: a stronger, unconditional pledge raises the protege's probability "
                "of provoking.",
                "provenance": "S",
                "source": "Benson (2012), ch. 3 summary",
                "test": (
                    "test_models_alliances.py::test_claim_a_stronger_unconditional_pledge_raises_provocation"
                ),
            },
            {
                "text": "Conditional commitment and probabilistic commitment can be effective instruments for "
                "balancing the demands for deterrence against the effects of moral hazard.",
                "provenance": "S",
                "source": "Benson (2012), ch. 5 summary",
                "test": "test_models_alliances.py::test_claim_conditional_commitment_resolves_the_dilemma",
            },
            {
                "text": "The adversary attacks iff commitment < deter_threshold (at deter_threshold it is "
                "indifferent, and both occur); the protege provokes iff "
                "commitment * (1 - conditional) > restrain_threshold. If deter_threshold < "
                "restrain_threshold every commitment in [deter_threshold, restrain_threshold) deters and "
                "restrains; otherwise no unconditional commitment does both, and a conditional one "
                "(conditional = 1, commitment >= deter_threshold) does.",
                "provenance": "D",
                "test": (
                    "test_models_alliances.py::test_moral_hazard_closed_form_on_1000_points_kernel_and_solver, "
                    "test_models_alliances.py::test_b1_thresholds_and_the_three_regimes, "
                    "test_models_alliances.py::test_b2_dilemma_and_the_conditional_commitment"
                ),
            },
        ],
        derived=_derived(
            [
                (
                    "deter_threshold",
                    "(1 - p_alone - cost_adversary - sq_adversary) / patron_boost",
                    "pi_A: the commitment above which the adversary does not attack (at it the adversary is "
                    "indifferent: it attacks in some equilibria and not in others)",
                ),
                (
                    "restrain_threshold",
                    "(sq_protege + cost_protege - p_alone) / patron_boost",
                    "pi_P: the effective commitment above which the protege provokes",
                ),
                (
                    "commitment_if_provoked",
                    "commitment * (1 - conditional)",
                    "the probability that the patron fights a war its protege provoked",
                ),
                (
                    "window",
                    "restrain_threshold - deter_threshold",
                    "width of the deter-and-restrain window [pi_A, pi_P); <= 0 is the dilemma",
                ),
            ]
        ),
        baseline=Baseline(
            description="No pledge: the patron never intervenes (commitment = 0), so there is no entrapment.",
            parameters={"commitment": 0},
            outcomes={"entrapped_war": ("allied_war",)},
        ),
        meta={
            "examples": {
                "B1": {
                    "p_alone": 0.3,
                    "patron_boost": 0.4,
                    "cost_adversary": 0.1,
                    "cost_protege": 0.1,
                    "sq_adversary": 0.45,
                    "sq_protege": 0.5,
                    "deter_threshold": 0.375,
                    "restrain_threshold": 0.75,
                },
                "B2": {
                    "p_alone": 0.3,
                    "patron_boost": 0.4,
                    "cost_adversary": 0.1,
                    "cost_protege": 0.1,
                    "sq_adversary": 0.3,
                    "sq_protege": 0.35,
                    "deter_threshold": 0.75,
                    "restrain_threshold": 0.375,
                },
            }
        },
    )


# ---------------------------------------------------------------------------- Fearon's costly signals
_CS_DESCRIPTION = """
A defender pledges support for a protege by a costly signal, as in Fearon (1997): it can sink
costs (mobilise: `sunk_cost`, paid whether or not it is challenged) or tie its hands (go public:
`audience_cost`, paid only if it backs down when challenged); a signal may combine both, and
setting one of the two to 0 gives the pure technologies. Nature draws the defender's type:
resolute (probability `resolve`, war payoff `war_resolute` > 0) or irresolute (`war_irresolute`
< 0); each keeps `value_resolute` / `value_irresolute` if not challenged and 0 if it backs down.
The defender signals or not; the challenger, not knowing the defender's type, challenges or not;
a challenged defender fights or backs down. The challenger gains 1 if the defender backs down,
pays its cost of war in a war and gets 0 otherwise. Its cost is private: Fearon's continuous
distribution is DISCRETISED here into two types drawn by Nature after the signal: a determined
challenger (probability `share_determined` = P0 = F(0), cost `cost_determined` < 0, so it
challenges even a sure resister) and a deterrable one (cost `cost_deterrable` > 0). The equilibria
of interest (least-cost separating with sunk costs, pooling commitment with tied hands) depend on
the distribution only through P0, so the worked example FE1 (P0 = 0.1) is reproduced exactly.
STYLISED: a two-type version derived for this library (docs/discussion/derivations.md#costly-signal) [D],
not Fearon's continuous-type game."""

_CS_ENTRAPMENT = """
The defender is the pledging party, the vocabulary's ally (its protege is the attacked state), so
a war it fights is allied_war and backing down is the ally giving in (capitulation). Entrapment is
the irresolute defender fighting after it signalled: it would not choose that war
(war_irresolute < 0) and fights only because its tied hands make backing down cost more
(audience_cost > -war_irresolute); the nodes war_i_s_* carry allied_war and entrapment.
Abandonment is backing down after signalling, i.e. a bluff that was called (nodes back_down_r_s_*,
back_down_i_s_*: capitulation and abandonment). Fearon's first result is that no equilibrium has
positive probability of abandonment."""


def _signal_consequences(t: str, s: str, value: str, war: str, sunk: str, back: str, signalled: bool) -> Any:
    """What follows the defender's signal choice in the costly-signal trees.

    Nature draws the challenger's type (determined or deterrable), the challenger stays out or
    challenges, and a challenged defender fights or backs down. ``t`` is the defender's type code
    (``r``/``i``), ``s`` the signal's code, ``sunk`` the sunk-cost term subtracted from the
    defender's payoffs (``""`` for none), ``back`` the defender's payoff for backing down, and
    ``signalled`` whether a signal was sent (then an irresolute defender's war is entrapment and
    backing down is abandonment). The defender is the pledging party (the vocabulary's ally, the
    protege being the attacked state), so its fights are ``allied_war``. Shared by ``costly_signal_pledge`` and
    :func:`deterrence.catalogue.builders.costly_signal_menu`.
    """

    def challenger(ct: str) -> Any:
        kappa = "cost_determined" if ct == "d" else "cost_deterrable"
        return decision(
            "Challenger",
            {
                "stay": terminal(
                    {"Defender": f"{value}{sunk}", "Challenger": "0"},
                    "status_quo",
                    label=f"status_quo_{t}_{s}_{ct}",
                ),
                "challenge": decision(
                    "Defender",
                    {
                        "fight": terminal(
                            {"Defender": f"{war}{sunk}", "Challenger": f"-{kappa}"},
                            ("allied_war", "entrapment") if (signalled and t == "i") else "allied_war",
                            label=f"war_{t}_{s}_{ct}",
                        ),
                        "back_down": terminal(
                            {"Defender": back, "Challenger": "1"},
                            ("capitulation", "abandonment") if signalled else "capitulation",
                            label=f"back_down_{t}_{s}_{ct}",
                        ),
                    },
                    infoset=f"defender_{t}_{s}_challenged",
                    label=f"defender_{t}_{s}_{ct}",
                ),
            },
            infoset=f"challenger_{'determined' if ct == 'd' else 'deterrable'}_{s}",
            label=f"challenger_{t}_{s}_{ct}",
        )

    return chance(
        {
            "determined": ("share_determined", challenger("d")),
            "deterrable": ("1 - share_determined", challenger("e")),
        },
        label=f"challenger_type_{t}_{s}",
    )


def costly_signal_pledge(
    resolve: float = 0.4,
    value_resolute: float = 1.0,
    war_resolute: float = 0.3,
    value_irresolute: float = 0.5,
    war_irresolute: float = -0.2,
    sunk_cost: float = 0.0,
    audience_cost: float = 0.25,
    share_determined: float = 0.1,
    cost_determined: float = -0.125,
    cost_deterrable: float = 1.125,
) -> Model:
    """Costly-signal pledge: tying hands (audience cost) versus sinking costs (Fearon 1997, two types).

    Parameters
    ----------
    resolve
        Probability that the defender is resolute (prefers war to backing down): the
        credibility of its pledge.
    value_resolute, value_irresolute
        Each type's value of the status quo (not being challenged): the stakes.
    war_resolute, war_irresolute
        Each type's war payoff (the resolute type's is positive, the irresolute type's negative).
    sunk_cost
        Ex-ante cost of the signal (mobilisation), paid whether or not the defender is challenged.
    audience_cost
        Ex-post cost of the signal (tied hands), paid only if the defender backs down.
    share_determined
        P0 = F(0): the share of challengers who challenge even a defender sure to fight.
    cost_determined, cost_deterrable
        The discretised challenger types' costs of war (negative: it gains from war).

    Returns
    -------
    Model
        Equal to ``dt.load_model("costly_signal_pledge")`` at the default arguments (example FE1
        with tied hands, a = 0.25).
    """

    def defender(t: str) -> Any:
        value, war = (
            ("value_resolute", "war_resolute") if t == "r" else ("value_irresolute", "war_irresolute")
        )

        def after(signal: bool) -> Any:
            s = "s" if signal else "n"
            sunk = " - sunk_cost" if signal else ""
            back = "-sunk_cost - audience_cost" if signal else "0"

            return _signal_consequences(t, s, value, war, sunk, back, signal)

        return decision(
            "Defender",
            {"no_signal": after(False), "signal": after(True)},
            infoset=f"signal_{t}",
            label=f"signal_{t}",
        )

    root = chance(
        {"resolute": ("resolve", defender("r")), "irresolute": ("1 - resolve", defender("i"))},
        label="defender_type",
    )
    params = [
        _param(
            "resolve",
            resolve,
            domain=(0, 1),
            description="probability that the defender is resolute (prefers war to backing "
            "down): the credibility of its pledge",
            symbol="p",
        ),
        _param(
            "value_resolute",
            value_resolute,
            domain=(0, INF),
            description="the resolute type's value of not being challenged",
            symbol="v_R",
            open_lower=True,
        ),
        _param(
            "war_resolute",
            war_resolute,
            domain=(0, INF),
            description="the resolute type's war payoff",
            symbol="W_R",
            open_lower=True,
        ),
        _param(
            "value_irresolute",
            value_irresolute,
            domain=(0, INF),
            description="the irresolute type's value of not being challenged",
            symbol="v_I",
            open_lower=True,
        ),
        _param(
            "war_irresolute",
            war_irresolute,
            domain=(-INF, 0),
            description="the irresolute type's war payoff",
            symbol="W_I",
            open_upper=True,
        ),
        _param(
            "sunk_cost",
            sunk_cost,
            domain=(0, INF),
            description="ex-ante cost of the signal (mobilisation): paid whether or not "
            "the defender is challenged (sinking costs)",
            symbol="s",
        ),
        _param(
            "audience_cost",
            audience_cost,
            domain=(0, INF),
            description="ex-post cost of the signal: paid only if the defender backs down after signalling (tying hands)",
            symbol="a",
        ),
        _param(
            "share_determined",
            share_determined,
            domain=(0, 1),
            description="P0 = F(0): share of challengers who challenge even "
            "a defender sure to fight (the determined type)",
            symbol="P_0",
            open_lower=True,
            open_upper=True,
        ),
        _param(
            "cost_determined",
            cost_determined,
            domain=(-INF, 0),
            description="the determined challenger's cost of war (negative: it gains from war)",
            symbol="\\kappa_D",
            open_upper=True,
        ),
        _param(
            "cost_deterrable",
            cost_deterrable,
            domain=(0, INF),
            description="the deterrable challenger's cost of war",
            symbol="\\kappa_H",
            open_lower=True,
        ),
    ]
    return Model.from_tree(
        root,
        name="costly_signal_pledge",
        players=["Defender", "Challenger"],
        parameters=params,
        title="Costly-signal pledge: tying hands (audience cost) versus sinking costs",
        description=_CS_DESCRIPTION,
        concepts=["pbe"],
        status="stylised",
        entrapment=_CS_ENTRAPMENT,
        orderings=_orderings(
            [
                ("war_resolute < value_resolute", "the resolute type prefers not being challenged to war"),
            ]
        ),
        references=_refs(
            [
                _REF_FEARON_1997,
                _REF_FEARON_1994,
            ]
        ),
        claims=[
            {
                "text": "In the games' equilibria, leaders never bluff with either type of signal; they do not incur "
                "or create costs and then fail to respond if challenged.",
                "provenance": "S",
                "source": "Fearon (1997) abstract (F1)",
                "test": "test_claim_f1_leaders_never_bluff (holds at committing or separating levels; a low fixed "
                "level bluffs: the level chosen from a menu is model costly_signal_menu)",
            },
            {
                "text": "Leaders do better on average by tying hands, despite the fact that the ability to do so "
                "creates a greater ex ante risk of war than does the use of sunk-cost signals.",
                "provenance": "S",
                "source": "Fearon (1997) abstract (F2)",
                "test": "test_models_alliances.py::test_claim_f2_tying_hands_pays_more_and_risks_more_war",
            },
            {
                "text": "With sunk costs only, the separating PBE (resolute signals, irresolute does not) exists iff "
                "separating_sunk_low <= sunk_cost <= separating_sunk_high; with least cost "
                "sunk_cost = (1 - share_determined) * value_irresolute. With tied hands only, the pooling "
                "commitment PBE (both signal and fight) exists iff audience_cost >= -war_irresolute and "
                "(1 - share_determined) * value_irresolute + share_determined * war_irresolute >= 0.",
                "provenance": "D",
                "test": (
                    "test_models_alliances.py::test_costly_signal_closed_forms_on_1000_points, "
                    "test_models_alliances.py::test_fe1_sunk_costs_least_cost_separating, "
                    "test_models_alliances.py::test_fe1_tied_hands"
                ),
            },
        ],
        derived=_derived(
            [
                (
                    "least_cost_sunk",
                    "(1 - share_determined) * value_irresolute",
                    "s*: the least sunk cost that the irresolute type will not mimic (audience_cost = 0)",
                ),
                (
                    "separating_sunk_low",
                    "(1 - share_determined) * value_irresolute + share_determined * max(war_irresolute, -audience_cost)",
                    "the irresolute type does not mimic a signal costing at least this",
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
            ]
        ),
        baseline=Baseline(
            description="No pledge: the defender cannot signal (the signal branches are cut); a challenged "
            "defender fights or backs down by its type alone.",
            nodes=(
                NodeSpec(
                    "signal_r",
                    "chance",
                    actions={"no_signal": "challenger_type_r_n"},
                    probs={"no_signal": "1"},
                ),
                NodeSpec(
                    "signal_i",
                    "chance",
                    actions={"no_signal": "challenger_type_i_n"},
                    probs={"no_signal": "1"},
                ),
            ),
        ),
    )


# ---------------------------------------------------------------------------- the games package trees
_GAMES_REF = {
    "key": "KenkelSignorino",
    "citation": "Kenkel, B. & Signorino, C. S. (2014). Estimating Extensive Form Games in R. Journal of Statistical "
    "Software 56(8): 1-27; R package games 1.1.2.",
    "provenance": "S",
    "note": "tree, normalisations and stochastic structures (agent error, private information) read from the "
    "package sources (games/R/egame12.r, egame122.r, egame123.r) and its JSS article",
}
_SIGNORINO_1999 = {
    "key": "Signorino1999",
    "citation": "Signorino, C. S. (1999). Strategic Interaction and the Statistical Analysis of International "
    "Conflict. American Political Science Review 93(2): 279-297.",
    "provenance": "S",
}
_SIGNORINO_2003 = {
    "key": "Signorino2003",
    "citation": "Signorino, C. S. (2003). Structure and Uncertainty in Discrete Choice Models. Political Analysis "
    "11(4): 316-344.",
    "provenance": "L",
}
_GAMES_META = {
    "package": "games (R) 1.1.2, Kenkel & Signorino",
    "agent_error": "Pr(R) = F((EU(R) - EU(L)) / (sigma * sqrt(2))), F = Phi or logistic: the logit agent model is "
    "a logit QRE with lambda = 1/sqrt(2)",
    "private_information": "probit only (logit is coerced to probit with a warning); the error of a choice has "
    "variance sigma^2 * sum of the squared outcome weights of both alternatives",
    "closed_forms": "deterrence.studies.statistical",
    "normalisation": "utilities that are not identified are fixed at 0",
}


_NO_PLEDGE = Baseline(
    description="The statistical tree has no pledge: its baseline is the model itself (kept so that sweeps "
    "report a deterrent effect of 0)."
)


def _util(name: str, default: float, what: str) -> Parameter:
    return _param(name, default, domain=(-INF, INF), description=what)


def egame12(u11: float = 0.5, u13: float = 1.0, u14: float = -1.0, u24: float = 0.5) -> Model:
    """The ``games`` package's egame12: two players, three outcomes (the deterrence workhorse).

    Player 1 chooses L (outcome 1, status quo) or R; then Player 2 chooses L (outcome 3,
    capitulation) or R (outcome 4, war). Player 2's utility of outcome 3 is normalised to 0 and
    its utility of outcome 1 is not identified (0 here). Defaults: test G1
    (``docs/discussion/derivations.md#statistical-models``).
    """
    root = decision(
        "Player1",
        {
            "L": terminal({"Player1": "u11", "Player2": "0"}, "status_quo", label="outcome1"),
            "R": decision(
                "Player2",
                {
                    "L": terminal({"Player1": "u13", "Player2": "0"}, "capitulation", label="outcome3"),
                    "R": terminal({"Player1": "u14", "Player2": "u24"}, "war", label="outcome4"),
                },
                label="node2",
            ),
        },
        label="node1",
    )
    return Model.from_tree(
        root,
        name="egame12",
        players=["Player1", "Player2"],
        parameters=[
            _util("u11", u11, "Player 1's utility of outcome 1 (status quo)"),
            _util("u13", u13, "Player 1's utility of outcome 3 (Player 2 capitulates)"),
            _util("u14", u14, "Player 1's utility of outcome 4 (war)"),
            _util("u24", u24, "Player 2's utility of outcome 4 (war), relative to outcome 3"),
        ],
        title="egame12: the strategic statistical 2-player, 3-outcome tree (R package games)",
        description="The tree of the R package games' egame12 (Signorino 2003; Kenkel & Signorino) with the "
        "outcome utilities as parameters. In the package's example (war1800) outcome 1 is the status "
        "quo, 3 the defender's capitulation and 4 war. Closed-form agent-error and "
        "private-information choice probabilities: deterrence.studies.statistical.egame12_probs.",
        concepts=["spe", "qre"],
        status="published",
        entrapment=(
            "Not applicable: a two-player crisis (Signorino's deterrence tree). No pledge to a third\n"
            "party is modelled, so no terminal node carries the entrapment label and p_entrapment is\n"
            "0 by construction; a Defender that fights fights for its own stake."
        ),
        references=_refs([_GAMES_REF, _SIGNORINO_2003, _SIGNORINO_1999]),
        claims=[
            {
                "text": "Test G1: u11=0.5, u13=1, u14=-1, u24=0.5, logit agent: p4 = 0.587479, p2 = 0.382898.",
                "provenance": "N",
                "test": (
                    "test_statistical.py::test_g1_egame12, "
                    "test_qre.py::test_g1_egame12_logit_and_probit_agent"
                ),
            }
        ],
        meta=dict(_GAMES_META),
        baseline=_NO_PLEDGE,
    )


def egame122(
    u11: float = 1.0,
    u12: float = 0.0,
    u13: float = 0.5,
    u14: float = 2.0,
    u22: float = -0.5,
    u24: float = 1.0,
) -> Model:
    """The ``games`` package's egame122: two players, four outcomes.

    Player 1 chooses L or R; after either, Player 2 chooses L or R (two distinct information
    sets). Player 2's utilities of outcomes 1 and 3 are normalised to 0. The outcome labels are
    an illustrative deterrence reading (1 status quo, 2 war, 3 capitulation, 4 war). Defaults:
    test G2 (``docs/discussion/derivations.md#statistical-models``).
    """
    root = decision(
        "Player1",
        {
            "L": decision(
                "Player2",
                {
                    "L": terminal({"Player1": "u11", "Player2": "0"}, "status_quo", label="outcome1"),
                    "R": terminal({"Player1": "u12", "Player2": "u22"}, "war", label="outcome2"),
                },
                label="node2",
            ),
            "R": decision(
                "Player2",
                {
                    "L": terminal({"Player1": "u13", "Player2": "0"}, "capitulation", label="outcome3"),
                    "R": terminal({"Player1": "u14", "Player2": "u24"}, "war", label="outcome4"),
                },
                label="node3",
            ),
        },
        label="node1",
    )
    return Model.from_tree(
        root,
        name="egame122",
        players=["Player1", "Player2"],
        parameters=[
            _util("u11", u11, "Player 1's utility of outcome 1"),
            _util("u12", u12, "Player 1's utility of outcome 2"),
            _util("u13", u13, "Player 1's utility of outcome 3"),
            _util("u14", u14, "Player 1's utility of outcome 4"),
            _util("u22", u22, "Player 2's utility of outcome 2, relative to outcome 1"),
            _util("u24", u24, "Player 2's utility of outcome 4, relative to outcome 3"),
        ],
        title="egame122: the strategic statistical 2-player, 4-outcome tree (R package games)",
        description="The tree of the R package games' egame122 with the outcome utilities as parameters. The "
        "outcome labels are an illustrative deterrence reading (Player 1 challenges (R) or not (L); "
        "Player 2 escalates (R) or not), not the package's. Closed forms: "
        "deterrence.studies.statistical.egame122_probs.",
        concepts=["spe", "qre"],
        status="published",
        entrapment=(
            "Not applicable: a two-player crisis (Signorino's four-outcome tree). No pledge to a\n"
            "third party is modelled, so no terminal node carries the entrapment label and\n"
            "p_entrapment is 0 by construction; a Defender that fights fights for its own stake."
        ),
        references=_refs([_GAMES_REF, _SIGNORINO_2003]),
        claims=[
            {
                "text": "Test G2: u11=1, u12=0, u13=0.5, u14=2, u22=-0.5, u24=1, probit agent: p2 = 0.760736, "
                "p4 = 0.361837, p6 = 0.760250.",
                "provenance": "N",
                "test": (
                    "test_statistical.py::test_g2_egame122, "
                    "test_qre.py::test_g2_g3_probit_agent_egame122_and_egame123"
                ),
            }
        ],
        meta=dict(_GAMES_META),
        baseline=_NO_PLEDGE,
    )


def egame123(
    u11: float = 0.0,
    u13: float = 1.0,
    u15: float = -1.0,
    u16: float = 2.0,
    u23: float = 0.5,
    u25: float = 1.0,
    u26: float = -1.0,
    u36: float = 0.3,
) -> Model:
    """The ``games`` package's egame123: three players, four outcomes (attacker, defender, ally chain).

    Player 1 chooses L (outcome 1) or R; Player 2 then L (outcome 3) or R; Player 3 then L
    (outcome 5) or R (outcome 6). Unidentified utilities (Player 2's of outcome 1, Player 3's of
    outcomes 1 and 3) are 0, Player 3's of outcome 5 is normalised to 0. Labels read the chain as
    attacker -> defender -> ally: 1 status quo, 3 capitulation, 5 war (the ally stays out), 6
    allied war. Defaults: test G3
    (``docs/discussion/derivations.md#statistical-models``).
    """
    root = decision(
        "Player1",
        {
            "L": terminal({"Player1": "u11", "Player2": "0", "Player3": "0"}, "status_quo", label="outcome1"),
            "R": decision(
                "Player2",
                {
                    "L": terminal(
                        {"Player1": "u13", "Player2": "u23", "Player3": "0"}, "capitulation", label="outcome3"
                    ),
                    "R": decision(
                        "Player3",
                        {
                            "L": terminal(
                                {"Player1": "u15", "Player2": "u25", "Player3": "0"}, "war", label="outcome5"
                            ),
                            "R": terminal(
                                {"Player1": "u16", "Player2": "u26", "Player3": "u36"},
                                "allied_war",
                                label="outcome6",
                            ),
                        },
                        label="node3",
                    ),
                },
                label="node2",
            ),
        },
        label="node1",
    )
    return Model.from_tree(
        root,
        name="egame123",
        players=["Player1", "Player2", "Player3"],
        parameters=[
            _util("u11", u11, "Player 1's utility of outcome 1"),
            _util("u13", u13, "Player 1's utility of outcome 3"),
            _util("u15", u15, "Player 1's utility of outcome 5"),
            _util("u16", u16, "Player 1's utility of outcome 6"),
            _util("u23", u23, "Player 2's utility of outcome 3"),
            _util("u25", u25, "Player 2's utility of outcome 5"),
            _util("u26", u26, "Player 2's utility of outcome 6"),
            _util("u36", u36, "Player 3's utility of outcome 6, relative to outcome 5"),
        ],
        title="egame123: the strategic statistical 3-player, 4-outcome tree (R package games)",
        description="The tree of the R package games' egame123 with the outcome utilities as parameters: the "
        "natural statistical template of an attacker -> defender -> ally chain (Player 3 decides "
        "whether to intervene). Closed forms: deterrence.studies.statistical.egame123_probs.",
        concepts=["spe", "qre"],
        status="published",
        entrapment=(
            "Not defined: the third player of the games package's egame123 acts for its own payoffs\n"
            "and no pledge is modelled, so its intervention is not entrapment and no terminal node\n"
            "carries the label; p_entrapment is 0 by construction."
        ),
        references=_refs([_GAMES_REF]),
        claims=[
            {
                "text": "Test G3: u11=0, u13=1, u15=-1, u16=2, u23=0.5, u25=1, u26=-1, u36=0.3, probit agent: "
                "p2 = 0.742567, p4 = 0.318340, p6 = 0.583998.",
                "provenance": "N",
                "test": (
                    "test_statistical.py::test_g3_egame123, "
                    "test_qre.py::test_g2_g3_probit_agent_egame122_and_egame123"
                ),
            }
        ],
        meta=dict(_GAMES_META),
        baseline=Baseline(
            description="No ally: Player 3 never intervenes (node3 always leads to outcome 5), so the chain is "
            "egame12 between Players 1 and 2 with Player 1's war utility u15 and Player 2's u25.",
            nodes=(NodeSpec("node3", "chance", actions={"L": "outcome5"}, probs={"L": "1"}),),
        ),
    )
