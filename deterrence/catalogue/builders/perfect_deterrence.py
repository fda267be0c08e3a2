"""Builders for the Zagare–Kilgour (perfect deterrence) family and the reputation and teaching models.

Each function takes the model's parameters, named for what they mean, as keyword arguments
with the defaults of the shipped file, and returns a :class:`~deterrence.Model` whose tree,
payoffs, chance probabilities, parameters, orderings, derived thresholds and baseline are
those of the file of the same name in ``models/`` (``tests/test_models_perfect_deterrence.py``
checks that they agree). The specifications and their provenance are in
``docs/discussion/derivations.md`` (one section per model); each model's ``status`` says what it rests on.

Models
------
:func:`rudimentary_asymmetric_deterrence`
    Zagare & Kilgour (2000) §3.4 / Appendix 3: one-sided incomplete information (§1.1).
:func:`unilateral_deterrence`
    Zagare & Kilgour (2000) ch. 5, as recalled: two-sided incomplete information.
:func:`asymmetric_escalation`
    Zagare & Kilgour (1995, 2000 App. 8): Challenger Hard/Soft, Defender tactically and
    strategically Hard/Soft.
:func:`tripartite_crisis`
    A reconstruction (TCG-R) of Zagare & Kilgour (2003): Challenger, Defender, Protégé.
:func:`chain_store`
    Selten (1978) / Kreps & Wilson (1982) with ``markets`` entrants.
:func:`snyder_alliance_dilemma`
    A 2×2 formalisation of Snyder (1984)'s alliance security dilemma.
:func:`mutual_deterrence`
    The complete-information mutual deterrence game (Kilgour–Zagare 1991, Zagare 1992).

Outcome labels follow the shared vocabulary. Where a Challenger backs down after a challenge
(UDG ``CD``, TCG-R ``CB``), the terminal carries ``backdown`` (not ``capitulation``: nobody
attacked gave in), and ``p_attack`` counts every challenge.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import sympy as sp

from ...errors import ParameterError
from ...model import Baseline, Derived, Model, ModelSpec, NodeSpec, Ordering, Reference
from ._crisis_tree import CrisisText, crisis_nodes
from ._parts import ParameterText, parameter, with_defaults

__all__ = [
    "asymmetric_escalation",
    "chain_store",
    "mutual_deterrence",
    "rudimentary_asymmetric_deterrence",
    "snyder_alliance_dilemma",
    "tripartite_crisis",
    "unilateral_deterrence",
]

INF = math.inf

# ----------------------------------------------------------------------------- references
_ZK2000 = Reference(
    key="ZagareKilgour2000",
    citation="Zagare, F. C. & Kilgour, D. M. (2000). Perfect Deterrence. Cambridge Studies in "
    "International Relations 72. Cambridge University Press.",
    provenance="S",
)
_KZ1991 = Reference(
    key="KilgourZagare1991",
    citation="Kilgour, D. M. & Zagare, F. C. (1991). Credibility, Uncertainty, and Deterrence. "
    "American Journal of Political Science 35(2): 305-334.",
    provenance="S",
    note="credibility of a threat = probability that the threatener prefers retaliation to capitulation",
)
_ZK1993 = Reference(
    key="ZagareKilgour1993",
    citation="Zagare, F. C. & Kilgour, D. M. (1993). Asymmetric Deterrence. International Studies "
    "Quarterly 37: 1-27.",
    provenance="L",
)


# ----------------------------------------------------------------------------- helpers
_par = parameter
_params = with_defaults


def _dec(nid: str, *, player: str, infoset: str, actions: Mapping[str, str]) -> NodeSpec:
    return NodeSpec(nid, "decision", player=player, infoset=infoset, actions=dict(actions))


def _chance(nid: str, branches: Mapping[str, tuple[str, str]]) -> NodeSpec:
    """``branches``: action -> (probability expression, child id)."""
    return NodeSpec(
        nid,
        "chance",
        actions={a: c for a, (_, c) in branches.items()},
        probs={a: p for a, (p, _) in branches.items()},
    )


def _term(
    nid: str, *, outcome: str | tuple[str, ...], payoffs: Mapping[str, Any], note: str = ""
) -> NodeSpec:
    labels = (outcome,) if isinstance(outcome, str) else tuple(outcome)
    return NodeSpec(
        nid, "terminal", payoffs={p: str(v) for p, v in payoffs.items()}, outcome=labels, label=note
    )


def _ord(*, condition: str, note: str = "", provenance: str = "") -> Ordering:
    return Ordering(condition, note, provenance)  # type: ignore[arg-type]  # the model parses the text


def _derived(name: str, *, expr: str, description: str) -> Derived:
    return Derived(name, sp.S.Zero, expr, description)  # the model parses ``expr`` (the text)


_CD_NOTE = (
    "the Challenger backs down after challenging: backdown (the challenge failed; nobody attacked gave in), "
    "and p_attack counts every challenge"
)


# ============================================================================= RADG
def rudimentary_asymmetric_deterrence(
    p_defender_hard: float = 0.5,
    c_status_quo: float = 2,
    c_defender_concedes: float = 3,
    c_conflict: float = 0,
    d_status_quo: float = 3,
    d_defender_concedes: float = 1,
    d_conflict_hard: float = 2,
    d_conflict_soft: float = 0,
) -> Model:
    """The Rudimentary Asymmetric Deterrence Game (Zagare & Kilgour 2000, §3.4 and Appendix 3).

    The Challenger (Z–K's A) accepts the status quo or challenges; the Defender (B), Hard with
    probability ``p_defender_hard`` (Z–K's ``pB``) and Soft otherwise, then concedes or
    fights. The Challenger attacks iff ``p_defender_hard < pB_star``.

    Parameters
    ----------
    p_defender_hard
        ``pB``: probability that the Defender is Hard (prefers conflict to conceding); the
        credibility of its threat.
    c_status_quo, c_defender_concedes, c_conflict
        The Challenger's utilities ``aSQ``, ``aDC``, ``aDD``; ``aDD < aSQ < aDC``.
    d_status_quo, d_defender_concedes, d_conflict_hard, d_conflict_soft
        The Defender's utilities ``bSQ``, ``bDC``, ``bDD+`` (Hard), ``bDD-`` (Soft);
        ``bDD- < bDC < bDD+ < bSQ``.
    """
    values = dict(locals())
    specs = [
        ParameterText(
            "p_defender_hard",
            description="pB: probability that the Defender is Hard (prefers conflict DD to conceding DC), "
            "the credibility of its threat",
            symbol="p_B",
            domain=(0.0, 1.0),
        ),
        ParameterText(
            "c_status_quo", description="aSQ: the Challenger's utility for the status quo", symbol="a_{SQ}"
        ),
        ParameterText(
            "c_defender_concedes",
            description="aDC: the Challenger's utility when it challenges and the Defender concedes",
            symbol="a_{DC}",
        ),
        ParameterText(
            "c_conflict", description="aDD: the Challenger's utility for conflict", symbol="a_{DD}"
        ),
        ParameterText(
            "d_status_quo", description="bSQ: the Defender's utility for the status quo", symbol="b_{SQ}"
        ),
        ParameterText(
            "d_defender_concedes",
            description="bDC: the Defender's utility for conceding to a challenge",
            symbol="b_{DC}",
        ),
        ParameterText(
            "d_conflict_hard",
            description="bDD+: the Hard Defender's utility for conflict",
            symbol="b_{DD}^{+}",
        ),
        ParameterText(
            "d_conflict_soft",
            description="bDD-: the Soft Defender's utility for conflict",
            symbol="b_{DD}^{-}",
        ),
    ]
    nodes: list[NodeSpec] = [
        _chance(
            "defender_type",
            {"hard": ("p_defender_hard", "H.challenge"), "soft": ("1 - p_defender_hard", "S.challenge")},
        )
    ]
    for t, ddd in (("H", "d_conflict_hard"), ("S", "d_conflict_soft")):
        nodes += [
            _dec(
                f"{t}.challenge",
                player="Challenger",
                infoset="challenger",
                actions={"accept": f"{t}.SQ", "challenge": f"{t}.respond"},
            ),
            _term(
                f"{t}.SQ",
                outcome="status_quo",
                payoffs={"Challenger": "c_status_quo", "Defender": "d_status_quo"},
            ),
            _dec(
                f"{t}.respond",
                player="Defender",
                infoset=f"defender_{'hard' if t == 'H' else 'soft'}",
                actions={"concede": f"{t}.DC", "fight": f"{t}.DD"},
            ),
            _term(
                f"{t}.DC",
                outcome="capitulation",
                payoffs={"Challenger": "c_defender_concedes", "Defender": "d_defender_concedes"},
            ),
            _term(f"{t}.DD", outcome="war", payoffs={"Challenger": "c_conflict", "Defender": ddd}),
        ]
    return Model(ModelSpec(
        "rudimentary_asymmetric_deterrence",
        ["Challenger", "Defender"],
        _params(specs, values),
        nodes,
        title="Rudimentary Asymmetric Deterrence Game (Zagare & Kilgour)",
        description=(
            "The smallest perfect-deterrence model. The Challenger (Zagare and Kilgour's A) accepts the "
            "status quo (SQ) or challenges; the Defender (B) then concedes (DC) or fights (DD). Nature makes "
            "the Defender Hard (it prefers DD to DC) with probability p_defender_hard (pB), Soft otherwise; "
            "only the Defender knows its type. Every Bayesian equilibrium has the Hard Defender fight and "
            "the Soft one concede, and the Challenger challenges iff pB < pB_star = (aDC - aSQ)/(aDC - aDD). "
            "The tree, the information structure and the orderings are those of the book's Appendix 3 "
            "summary [S]; the threshold is derived [D] "
            "(docs/discussion/derivations.md#rudimentary-asymmetric-deterrence). "
            "Node ids: H./S. = the Defender's type."
        ),
        references=[
            Reference(
                citation=_ZK2000.citation,
                key="ZagareKilgour2000",
                provenance="S",
                note="section 3.4 and Appendix 3 (Rudimentary Asymmetric Deterrence Game): tree, types, "
                "orderings and the strategy variables [x; yH, yS]",
            ),
            _ZK1993,
        ],
        concepts=["pbe"],
        status="published",
        entrapment=(
            "Not applicable: direct deterrence between two states (A may attack B, B may resist). No\n"
            "pledge to a third party is modelled, so no terminal node carries the entrapment label\n"
            "and p_entrapment is 0 by construction; a Defender that fights fights for its own stake."
        ),
        orderings=[
            _ord(
                condition="c_conflict < c_status_quo < c_defender_concedes",
                provenance="S",
                note="aDD < aSQ < aDC",
            ),
            _ord(
                condition="d_conflict_soft < d_defender_concedes < d_conflict_hard < d_status_quo",
                provenance="S",
                note="bDD- < bDC < bDD+ < bSQ",
            ),
        ],
        derived=[
            _derived(
                "pB_star",
                expr="(c_defender_concedes - c_status_quo) / (c_defender_concedes - c_conflict)",
                description="the Challenger challenges iff p_defender_hard < pB_star (deterrence iff above) "
                "[D]",
            ),
        ],
        baseline=Baseline(
            description=(
                "No credible threat: the Defender is known to be Soft (p_defender_hard = 0), so the "
                "Challenger always challenges and the Defender concedes. For a two-player deterrence game "
                "the Defender's threat plays the part of the pledge; deterred = p_attack(baseline) - "
                "p_attack(model) is then the probability of attack that the threat removes."
            ),
            parameters={"p_defender_hard": 0},
        ),
        claims=[
            {
                "text": "yH = 1 and yS = 0 at any Bayesian equilibrium (the Hard Defender fights, the Soft "
                "one concedes).",
                "provenance": "S",
                "source": "Zagare & Kilgour (2000), Appendix 3 summary",
                "test": "test_radg_threshold_sweep",
            },
            {
                "text": "The Challenger is deterred iff pB > pB* = (aDC - aSQ)/(aDC - aDD) and attacks iff "
                "pB < pB*.",
                "provenance": "D",
                "test": "test_radg_threshold_sweep",
            },
        ],
    ))


# ============================================================================= UDG
def unilateral_deterrence(
    p_challenger_hard: float = 0.5,
    p_defender_hard: float = 0.2,
    c_status_quo: float = 3,
    c_defender_concedes: float = 4,
    c_challenger_concedes: float = 1,
    c_conflict_hard: float = 2,
    c_conflict_soft: float = 0,
    d_status_quo: float = 4,
    d_defender_concedes: float = 1,
    d_challenger_concedes: float = 3,
    d_conflict_hard: float = 2,
    d_conflict_soft: float = 0,
) -> Model:
    """The Unilateral Deterrence Game (Zagare & Kilgour 2000, ch. 5), as recalled.

    The Challenger challenges or not; the Defender concedes or resists; the Challenger then
    backs down or presses to conflict. Each player is Hard or Soft (prefers conflict to its
    own concession or not) and knows only its own type.

    Parameters
    ----------
    p_challenger_hard, p_defender_hard
        ``pCh`` and ``pDef``: probabilities that the Challenger and the Defender are Hard
        (``pDef`` is the credibility of the Defender's threat).
    c_status_quo, c_defender_concedes, c_challenger_concedes, c_conflict_hard, c_conflict_soft
        ``cSQ, cDC, cCD, cDD+, cDD-``; ``cDD- < cCD < cDD+ < cSQ < cDC``.
    d_status_quo, d_defender_concedes, d_challenger_concedes, d_conflict_hard, d_conflict_soft
        ``dSQ, dDC, dCD, dDD+, dDD-``; ``dDD- < dDC < dDD+ < dCD < dSQ``.
    """
    values = dict(locals())
    specs = [
        ParameterText(
            "p_challenger_hard",
            description="pCh: probability that the Challenger is Hard (prefers conflict DD to backing down "
            "CD)",
            symbol="p_{Ch}",
            domain=(0.0, 1.0),
        ),
        ParameterText(
            "p_defender_hard",
            description="pDef: probability that the Defender is Hard (prefers conflict DD to conceding "
            "DC), the credibility of its threat",
            symbol="p_{Def}",
            domain=(0.0, 1.0),
        ),
        ParameterText(
            "c_status_quo", description="cSQ: the Challenger's utility for the status quo", symbol="c_{SQ}"
        ),
        ParameterText(
            "c_defender_concedes",
            description="cDC: the Challenger's utility when the Defender concedes",
            symbol="c_{DC}",
        ),
        ParameterText(
            "c_challenger_concedes",
            description="cCD: the Challenger's utility when it backs down after resistance",
            symbol="c_{CD}",
        ),
        ParameterText(
            "c_conflict_hard",
            description="cDD+: the Hard Challenger's utility for conflict",
            symbol="c_{DD}^{+}",
        ),
        ParameterText(
            "c_conflict_soft",
            description="cDD-: the Soft Challenger's utility for conflict",
            symbol="c_{DD}^{-}",
        ),
        ParameterText(
            "d_status_quo", description="dSQ: the Defender's utility for the status quo", symbol="d_{SQ}"
        ),
        ParameterText(
            "d_defender_concedes", description="dDC: the Defender's utility for conceding", symbol="d_{DC}"
        ),
        ParameterText(
            "d_challenger_concedes",
            description="dCD: the Defender's utility when the Challenger backs down",
            symbol="d_{CD}",
        ),
        ParameterText(
            "d_conflict_hard",
            description="dDD+: the Hard Defender's utility for conflict",
            symbol="d_{DD}^{+}",
        ),
        ParameterText(
            "d_conflict_soft",
            description="dDD-: the Soft Defender's utility for conflict",
            symbol="d_{DD}^{-}",
        ),
    ]
    word = {"H": "hard", "S": "soft"}
    nodes: list[NodeSpec] = [
        _chance(
            "challenger_type", {"hard": ("p_challenger_hard", "H"), "soft": ("1 - p_challenger_hard", "S")}
        )
    ]
    for ct in "HS":
        nodes.append(
            _chance(
                ct,
                {
                    "hard": ("p_defender_hard", f"{ct}H.challenge"),
                    "soft": ("1 - p_defender_hard", f"{ct}S.challenge"),
                },
            )
        )
        for dt_ in "HS":
            k = ct + dt_
            nodes += [
                _dec(
                    f"{k}.challenge",
                    player="Challenger",
                    infoset=f"challenger_{word[ct]}",
                    actions={"accept": f"{k}.SQ", "challenge": f"{k}.respond"},
                ),
                _term(
                    f"{k}.SQ",
                    outcome="status_quo",
                    payoffs={"Challenger": "c_status_quo", "Defender": "d_status_quo"},
                ),
                _dec(
                    f"{k}.respond",
                    player="Defender",
                    infoset=f"defender_{word[dt_]}",
                    actions={"concede": f"{k}.DC", "resist": f"{k}.press"},
                ),
                _term(
                    f"{k}.DC",
                    outcome="capitulation",
                    payoffs={"Challenger": "c_defender_concedes", "Defender": "d_defender_concedes"},
                ),
                _dec(
                    f"{k}.press",
                    player="Challenger",
                    infoset=f"challenger_{word[ct]}_resisted",
                    actions={"back_down": f"{k}.CD", "press": f"{k}.DD"},
                ),
                _term(
                    f"{k}.CD",
                    outcome="backdown",
                    payoffs={"Challenger": "c_challenger_concedes", "Defender": "d_challenger_concedes"},
                    note=_CD_NOTE,
                ),
                _term(
                    f"{k}.DD",
                    outcome="war",
                    payoffs={"Challenger": f"c_conflict_{word[ct]}", "Defender": f"d_conflict_{word[dt_]}"},
                ),
            ]
    return Model(ModelSpec(
        "unilateral_deterrence",
        ["Challenger", "Defender"],
        _params(specs, values),
        nodes,
        title="Unilateral Deterrence Game (Zagare & Kilgour), as reconstructed",
        description=(
            "Challenger challenges or accepts the status quo (SQ); the Defender concedes (DC) or resists; "
            "after resistance the Challenger backs down (CD) or presses to conflict (DD). Nature draws both "
            "types independently: the Challenger is Hard (prefers DD to CD) with probability "
            "p_challenger_hard, the Defender Hard (prefers DD to DC) with probability p_defender_hard; each "
            "knows only its own type. Under the d1 belief policy the perfect Bayesian equilibrium is unique "
            "for generic parameters: Status Quo if pDef > rho_H_star, Separating (only the Hard Challenger "
            "challenges) if rho_S_star < pDef < rho_H_star, and below rho_S_star Attack (both challenge) if "
            "pCh > r_star or Bluff (the Soft Challenger bluffs with some probability) if pCh < r_star. "
            "RECONSTRUCTION: the tree and the orderings are recalled from Zagare and Kilgour (2000) ch. 5 "
            "[L], chosen consistent with the verified Asymmetric Escalation Game orderings, and not verified "
            "against the book's Appendix 1; the thresholds and classes are derived [D] and checked "
            "numerically [N] (docs/discussion/derivations.md#unilateral-deterrence). Node ids: first letter "
            "the "
            "Challenger's type, second the Defender's (H = Hard, S = Soft)."
        ),
        references=[
            Reference(
                citation=_ZK2000.citation,
                key="ZagareKilgour2000",
                provenance="L",
                note="chapter 5 (Unilateral deterrence); tree and orderings as recalled, to verify "
                "against Appendix 1",
            ),
            _KZ1991,
            _ZK1993,
        ],
        concepts=["pbe"],
        status="reconstruction",
        entrapment=(
            "Not applicable: direct deterrence between a Challenger and a Defender. No pledge to a\n"
            "third party is modelled, so no terminal node carries the entrapment label and\n"
            "p_entrapment is 0 by construction; a Defender that fights fights for its own stake."
        ),
        orderings=[
            _ord(
                condition="c_conflict_soft < c_challenger_concedes < c_conflict_hard < c_status_quo < "
                "c_defender_concedes",
                provenance="L",
                note="cDD- < cCD < cDD+ < cSQ < cDC",
            ),
            _ord(
                condition="d_conflict_soft < d_defender_concedes < d_conflict_hard < d_challenger_concedes < "
                "d_status_quo",
                provenance="L",
                note="dDD- < dDC < dDD+ < dCD < dSQ",
            ),
        ],
        derived=[
            _derived(
                "rho_H_star",
                expr="(c_defender_concedes - c_status_quo) / (c_defender_concedes - c_conflict_hard)",
                description="the Hard Challenger challenges iff the probability of resistance is below this "
                "[D]",
            ),
            _derived(
                "rho_S_star",
                expr="(c_defender_concedes - c_status_quo) / (c_defender_concedes - c_challenger_concedes)",
                description="the Soft Challenger challenges iff the probability of resistance is below this "
                "[D]",
            ),
            _derived(
                "r_star",
                expr="(d_challenger_concedes - d_defender_concedes) / (d_challenger_concedes - "
                "d_conflict_soft)",
                description="the Soft Defender resists iff its belief that the Challenger is Hard is at most "
                "this [D]",
            ),
        ],
        baseline=Baseline(
            description=(
                "No credible threat: the Defender is known to be Soft (p_defender_hard = 0). For a "
                "two-player deterrence game the Defender's threat plays the part of the pledge."
            ),
            parameters={"p_defender_hard": 0},
        ),
        claims=[
            {
                "text": "Credible threats are neither necessary nor sufficient for deterrence: deterring "
                "every Challenger needs p_defender_hard >= rho_H_star, a threshold set by the Challenger's "
                "utilities, not by the Defender's.",
                "provenance": "S",
                "source": "Oxford Research Encyclopedia, 'Perfect Deterrence Theory' (summary); threshold "
                "[D]",
                "test": "test_udg_claim_credibility_neither_necessary_nor_sufficient",
            },
            {
                "text": "Under d1 beliefs the PBE is unique: SQ if pDef > rho_H_star; Separating if "
                "rho_S_star < "
                "pDef < rho_H_star; Attack if pDef < rho_S_star and pCh > r_star; Bluff if pDef < rho_S_star "
                "and pCh < r_star.",
                "provenance": "D",
                "test": "test_udg_d1_partition_sweep",
            },
        ],
        meta={
            "equilibrium_classes_d1": {
                "status_quo": "p_defender_hard > rho_H_star",
                "separating": "rho_S_star < p_defender_hard < rho_H_star",
                "attack": "p_defender_hard < rho_S_star and p_challenger_hard > r_star",
                "bluff": "p_defender_hard < rho_S_star and p_challenger_hard < r_star",
            },
            "equilibrium_classes_free": "status_quo always; the others under the same conditions as d1",
        },
    ))


# ============================================================================= AEG
_AEG_DEF_TYPES = ("HH", "HS", "SH", "SS")


def asymmetric_escalation(
    p_challenger_hard: float = 0.5,
    p_defender_hh: float = 0.25,
    p_defender_hs: float = 0.25,
    p_defender_sh: float = 0.25,
    c_all_out_soft: float = 0,
    c_defender_escalates: float = 1,
    c_all_out_hard: float = 2,
    c_limited_conflict: float = 3,
    c_challenger_escalates: float = 4,
    c_status_quo: float = 5,
    c_defender_concedes: float = 6,
    d_all_out_soft: float = 0,
    d_challenger_escalates: float = 1,
    d_all_out_hard: float = 2,
    d_limited_soft: float = 3,
    d_defender_concedes: float = 4,
    d_limited_hard: float = 5,
    d_defender_escalates: float = 6,
    d_status_quo: float = 7,
) -> Model:
    """The Asymmetric Escalation Game (Zagare & Kilgour 1995; 2000, Appendix 8).

    The Challenger initiates or not; the Defender concedes, responds in kind or escalates;
    after a response in kind the Challenger holds (limited conflict DD) or escalates, and the
    Defender then holds (ED) or counter-escalates (EE); after the Defender's escalation the
    Challenger holds (DE) or counter-escalates (EE).

    Parameters
    ----------
    p_challenger_hard
        ``pCh``: probability that the Challenger is strategically Hard (``cEE+``).
    p_defender_hh, p_defender_hs, p_defender_sh
        ``pHH, pHS, pSH``: probabilities that the Defender is (tactically, strategically)
        Hard-Hard, Hard-Soft, Soft-Hard; ``pSS`` is the rest (derived ``p_defender_ss``).
    c_all_out_soft, c_defender_escalates, c_all_out_hard
        The Challenger's utilities ``cEE-``, ``cDE``, ``cEE+``; the Challenger's orderings are
        ``cEE- < cDE < cEE+ < cDD < cED < cSQ < cDC``.
    c_limited_conflict, c_challenger_escalates, c_status_quo, c_defender_concedes
        The Challenger's utilities ``cDD``, ``cED``, ``cSQ``, ``cDC``.
    d_all_out_soft, d_challenger_escalates, d_all_out_hard, d_limited_soft
        The Defender's utilities ``dEE-``, ``dED``, ``dEE+``, ``dDD-``; the Defender's orderings
        are ``dEE- < dED < dEE+ < dDD- < dDC < dDD+ < dDE < dSQ``.
    d_defender_concedes, d_limited_hard, d_defender_escalates, d_status_quo
        The Defender's utilities ``dDC``, ``dDD+``, ``dDE``, ``dSQ``.
    """
    values = dict(locals())
    prob = (0.0, 1.0)
    specs = [
        ParameterText(
            "p_challenger_hard",
            description="pCh: probability that the Challenger is strategically Hard (prefers all-out "
            "conflict EE to losing at the escalated level DE)",
            symbol="p_{Ch}",
            domain=prob,
        ),
        ParameterText(
            "p_defender_hh",
            description="pHH: probability that the Defender is tactically Hard (prefers limited conflict DD "
            "to conceding) and strategically Hard (prefers EE to ED)",
            symbol="p_{HH}",
            domain=prob,
        ),
        ParameterText(
            "p_defender_hs",
            description="pHS: probability that the Defender is tactically Hard and strategically Soft",
            symbol="p_{HS}",
            domain=prob,
        ),
        ParameterText(
            "p_defender_sh",
            description="pSH: probability that the Defender is tactically Soft and strategically Hard",
            symbol="p_{SH}",
            domain=prob,
        ),
        ParameterText(
            "c_all_out_soft",
            description="cEE-: the Soft Challenger's utility for all-out conflict EE",
            symbol="c_{EE}^{-}",
        ),
        ParameterText(
            "c_defender_escalates",
            description="cDE: the Challenger's utility when the Defender escalates and it does not "
            "counter-escalate (Defender wins)",
            symbol="c_{DE}",
        ),
        ParameterText(
            "c_all_out_hard",
            description="cEE+: the Hard Challenger's utility for all-out conflict EE",
            symbol="c_{EE}^{+}",
        ),
        ParameterText(
            "c_limited_conflict",
            description="cDD: the Challenger's utility for limited conflict DD",
            symbol="c_{DD}",
        ),
        ParameterText(
            "c_challenger_escalates",
            description="cED: the Challenger's utility when it escalates and the Defender does not "
            "counter-escalate (Challenger wins)",
            symbol="c_{ED}",
        ),
        ParameterText(
            "c_status_quo", description="cSQ: the Challenger's utility for the status quo", symbol="c_{SQ}"
        ),
        ParameterText(
            "c_defender_concedes",
            description="cDC: the Challenger's utility when the Defender concedes",
            symbol="c_{DC}",
        ),
        ParameterText(
            "d_all_out_soft",
            description="dEE-: the strategically Soft Defender's utility for all-out conflict",
            symbol="d_{EE}^{-}",
        ),
        ParameterText(
            "d_challenger_escalates",
            description="dED: the Defender's utility when the Challenger escalates and it does not "
            "counter-escalate",
            symbol="d_{ED}",
        ),
        ParameterText(
            "d_all_out_hard",
            description="dEE+: the strategically Hard Defender's utility for all-out conflict",
            symbol="d_{EE}^{+}",
        ),
        ParameterText(
            "d_limited_soft",
            description="dDD-: the tactically Soft Defender's utility for limited conflict",
            symbol="d_{DD}^{-}",
        ),
        ParameterText(
            "d_defender_concedes", description="dDC: the Defender's utility for conceding", symbol="d_{DC}"
        ),
        ParameterText(
            "d_limited_hard",
            description="dDD+: the tactically Hard Defender's utility for limited conflict",
            symbol="d_{DD}^{+}",
        ),
        ParameterText(
            "d_defender_escalates",
            description="dDE: the Defender's utility when it escalates and the Challenger does not "
            "counter-escalate",
            symbol="d_{DE}",
        ),
        ParameterText(
            "d_status_quo", description="dSQ: the Defender's utility for the status quo", symbol="d_{SQ}"
        ),
    ]
    cw = {"H": "hard", "S": "soft"}
    nodes: list[NodeSpec] = [
        _chance(
            "challenger_type", {"hard": ("p_challenger_hard", "H"), "soft": ("1 - p_challenger_hard", "S")}
        )
    ]
    probs = {"HH": "p_defender_hh", "HS": "p_defender_hs", "SH": "p_defender_sh", "SS": "p_defender_ss"}
    for ct in "HS":
        nodes.append(_chance(ct, {t: (probs[t], f"{ct}_{t}.initiate") for t in _AEG_DEF_TYPES}))
        for t in _AEG_DEF_TYPES:
            k = f"{ct}_{t}"
            tact, strat = cw[t[0]], cw[t[1]]
            cee = f"c_all_out_{cw[ct]}"
            dee = f"d_all_out_{strat}"
            nodes += [
                _dec(
                    f"{k}.initiate",
                    player="Challenger",
                    infoset=f"challenger_{cw[ct]}",
                    actions={"status_quo": f"{k}.SQ", "initiate": f"{k}.respond"},
                ),
                _term(
                    f"{k}.SQ",
                    outcome="status_quo",
                    payoffs={"Challenger": "c_status_quo", "Defender": "d_status_quo"},
                ),
                _dec(
                    f"{k}.respond",
                    player="Defender",
                    infoset=f"defender_{t}",
                    actions={
                        "concede": f"{k}.DC",
                        "respond": f"{k}.ch_escalate",
                        "escalate": f"{k}.ch_counter",
                    },
                ),
                _term(
                    f"{k}.DC",
                    outcome="capitulation",
                    payoffs={"Challenger": "c_defender_concedes", "Defender": "d_defender_concedes"},
                ),
                _dec(
                    f"{k}.ch_escalate",
                    player="Challenger",
                    infoset=f"challenger_{cw[ct]}_after_response",
                    actions={"hold": f"{k}.DD", "escalate": f"{k}.def_counter"},
                ),
                _term(
                    f"{k}.DD",
                    outcome="war",
                    payoffs={"Challenger": "c_limited_conflict", "Defender": f"d_limited_{tact}"},
                    note="limited conflict",
                ),
                _dec(
                    f"{k}.def_counter",
                    player="Defender",
                    infoset=f"defender_{t}_after_escalation",
                    actions={"hold": f"{k}.ED", "counter_escalate": f"{k}.EE_c"},
                ),
                _term(
                    f"{k}.ED",
                    outcome="war",
                    payoffs={"Challenger": "c_challenger_escalates", "Defender": "d_challenger_escalates"},
                    note="the Challenger prevails at the escalated level",
                ),
                _term(
                    f"{k}.EE_c",
                    outcome="war",
                    payoffs={"Challenger": cee, "Defender": dee},
                    note="all-out conflict",
                ),
                _dec(
                    f"{k}.ch_counter",
                    player="Challenger",
                    infoset=f"challenger_{cw[ct]}_after_escalation",
                    actions={"hold": f"{k}.DE", "counter_escalate": f"{k}.EE_d"},
                ),
                _term(
                    f"{k}.DE",
                    outcome="war",
                    payoffs={"Challenger": "c_defender_escalates", "Defender": "d_defender_escalates"},
                    note="the Defender prevails at the escalated level",
                ),
                _term(
                    f"{k}.EE_d",
                    outcome="war",
                    payoffs={"Challenger": cee, "Defender": dee},
                    note="all-out conflict",
                ),
            ]
    return Model(ModelSpec(
        "asymmetric_escalation",
        ["Challenger", "Defender"],
        _params(specs, values),
        nodes,
        title="Asymmetric Escalation Game (Zagare & Kilgour)",
        description=(
            "Challenger initiates (D) or accepts the status quo (SQ). The Defender concedes (DC), responds "
            "in "
            "kind (D) or escalates (E). After a response in kind the Challenger holds (limited conflict DD) "
            "or escalates, and the Defender then holds (ED: the Challenger prevails at the escalated level) "
            "or counter-escalates (EE: all-out conflict). After the Defender's escalation the Challenger "
            "holds (DE: the Defender prevails) or counter-escalates (EE). Nature makes the Challenger "
            "strategically Hard (cEE+) with probability p_challenger_hard, and draws the Defender's two type "
            "dimensions, tactical (dDD+ or dDD-) and strategic (dEE+ or dEE-), with joint probabilities pHH, "
            "pHS, pSH and pSS = 1 - pHH - pHS - pSH: twenty parameter values in all. Each player knows only "
            "its own type. The orderings are verbatim from the book's Appendix 8 summary [S]; the move "
            "structure is from the 1995 World Politics abstract [S], with node labels corroborated by a "
            "third-party re-implementation [L]. The complete-information subgame-perfect outcomes "
            "(worked example A1) are derived [D][N] (docs/discussion/derivations.md#asymmetric-escalation); "
            "the incomplete-information PBE are computed by the generic solver, and the "
            "book's Appendix 8 threshold conditions are not reproduced here. Node ids: the Challenger's type "
            "(H/S) and the Defender's (tactical, strategic), e.g. H_HS."
        ),
        references=[
            Reference(
                citation="Zagare, F. C. & Kilgour, D. M. (1995). Assessing Competing Defense Postures: "
                "The Strategic Implications of Flexible Response. World Politics 47(3): 373-417.",
                key="ZagareKilgour1995",
                provenance="S",
                note="the game's moves (abstract)",
            ),
            Reference(
                citation=_ZK2000.citation,
                key="ZagareKilgour2000",
                provenance="S",
                note="Appendix 8 (general Asymmetric Escalation Game): types and orderings (summary page); "
                "chapters 6-9",
            ),
            Reference(
                citation="Kilgour, D. M. & Zagare, F. C. (2007). Explaining Limited Conflicts. Conflict "
                "Management and Peace Science 24.",
                key="KilgourZagare2007",
                provenance="L",
            ),
        ],
        concepts=["pbe"],
        status="published",
        entrapment=(
            "Not applicable: direct deterrence between a Challenger and a Defender, at two levels of\n"
            "conflict. No pledge to a third party is modelled, so no terminal node carries the\n"
            "entrapment label and p_entrapment is 0 by construction; a Defender that fights fights\n"
            "for its own stake."
        ),
        orderings=[
            _ord(
                condition="c_all_out_soft < c_defender_escalates < c_all_out_hard < c_limited_conflict < "
                "c_challenger_escalates < c_status_quo < c_defender_concedes",
                provenance="S",
                note="cEE- < cDE < cEE+ < cDD < cED < cSQ < cDC",
            ),
            _ord(
                condition="d_all_out_soft < d_challenger_escalates < d_all_out_hard < d_limited_soft < "
                "d_defender_concedes < d_limited_hard < d_defender_escalates < d_status_quo",
                provenance="S",
                note="dEE- < dED < dEE+ < dDD- < dDC < dDD+ < dDE < dSQ",
            ),
            _ord(
                condition="p_defender_hh + p_defender_hs + p_defender_sh <= 1",
                note="the Defender's four type probabilities sum to one",
            ),
        ],
        derived=[
            _derived(
                "p_defender_ss",
                expr="1 - p_defender_hh - p_defender_hs - p_defender_sh",
                description="pSS: probability that the Defender is Soft on both dimensions",
            ),
        ],
        baseline=Baseline(
            description=(
                "No credible threat: the Defender is known to be Soft on both dimensions (pHH = pHS = pSH = "
                "0, "
                "so pSS = 1). For a two-player deterrence game the Defender's threat plays the part of the "
                "pledge."
            ),
            parameters={"p_defender_hh": 0, "p_defender_hs": 0, "p_defender_sh": 0},
        ),
        claims=[
            {
                "text": "Under complete information deterrence fails only against a Hard Challenger facing a "
                "Defender who is not Hard on both dimensions (outcome DC); a Soft Challenger is always "
                "deterred.",
                "provenance": "D",
                "test": "test_aeg_complete_information_table_A1",
            },
            {
                "text": "Substrategic deployments add little to overall deterrence stability; under "
                "relatively "
                "rare conditions no-first-use offers Defender advantages; a warfighting deployment never "
                "benefits Defender; limited or substrategic wars are possible but unlikely.",
                "provenance": "S",
                "source": "Zagare & Kilgour (1995), abstract",
                "test": (
                    "test_postures_and_boundaries.py::test_aeg_limited_conflict_is_possible (the 'possible'"
                    " part of the last sentence only). Not tested: the posture comparisons and 'unlikely'; "
                    "they concern the incomplete-information PBE over a parameter measure the paper "
                    "defines; the paper's definitions (and its warfighting deployment) were not retrieved; "
                    "and the PBE set is not listed completely (complete=False at every point tried): no "
                    "two Defender types share payoffs (they differ in dDD+/dDD- or in dEE+/dEE-; strictly "
                    "by the orderings); but under free beliefs mixing at unreached sets is not enumerated; "
                    "patterns mixing at more than max_mixed_sets=6 sets are skipped; and some indifference "
                    "systems have curves of solutions (reported but not listed)."
                ),
            },
            {
                "text": "Under complete information (derived from the orderings), flexible response deters "
                "weakly more than either restricted posture: with massive retaliation (no substrategic "
                "option) every Defender concedes to a Hard Challenger, and with no first use every "
                "Defender but the Hard-Hard one concedes to either Challenger; the substrategic option "
                "adds deterrence only against a Hard Challenger facing a Hard-Hard Defender.",
                "provenance": "D",
                "test": (
                    "test_postures_and_boundaries.py::test_aeg_posture_tables_under_complete_information, "
                    "test_postures_and_boundaries.py::"
                    "test_flexible_response_deters_wherever_a_restricted_posture_does"
                ),
            },
        ],
    ))


# ============================================================================= TCG-R
def tripartite_crisis(
    p_determined: float = 0.3,
    p_realigner: float = 0.2,
    c_realignment: float = 6,
    c_concession: float = 5,
    c_status_quo: float = 4,
    c_war_determined: float = 3,
    c_back_down: float = 1,
    c_war_hesitant: float = 0,
    d_status_quo: float = 5,
    d_back_down: float = 4,
    d_concession: float = 3,
    d_war: float = 2,
    d_realignment: float = 0,
    pro_realign_realigner: float = 1,
    pro_realign_loyal: float = -1,
) -> Model:
    """TCG-R: a reconstruction of the Tripartite Crisis Game (Zagare & Kilgour 2003, 2006).

    NOT verified against Zagare & Kilgour (2003) Figure 1: built to agree with every verified
    statement of the 2003 and 2006 abstracts.

    Parameters
    ----------
    p_determined
        ``pCh``: probability that the Challenger is Determined (prefers war to backing down).
    p_realigner
        ``pPro``: probability that the Protégé is a Realigner (prefers realignment to a quiet
        concession): the credibility of its threat to realign.
    c_realignment, c_concession, c_status_quo, c_war_determined, c_back_down, c_war_hesitant
        The Challenger's ``cRA, cPC, cSQ, cWAR_D, cCB, cWAR_H``.
    d_status_quo, d_back_down, d_concession, d_war, d_realignment
        The Defender's ``dSQ > dCB > dPC > dWAR > dRA``.
    pro_realign_realigner, pro_realign_loyal
        The Protégé's utility for realigning (conceding quietly = 0) by type.
    """
    values = dict(locals())
    specs = [
        ParameterText(
            "p_determined",
            description="pCh: probability that the Challenger is Determined (prefers war to backing down)",
            symbol="p_{Ch}",
            domain=(0.0, 1.0),
        ),
        ParameterText(
            "p_realigner",
            description="pPro: probability that the Protege is a Realigner (prefers breaking with the "
            "Defender "
            "to a quiet concession): the credibility of its threat to realign",
            symbol="p_{Pro}",
            domain=(0.0, 1.0),
        ),
        ParameterText(
            "c_realignment",
            description="cRA: the Challenger's utility when the unsupported Protege concedes and realigns",
            symbol="c_{RA}",
        ),
        ParameterText(
            "c_concession",
            description="cPC: the Challenger's utility when the unsupported Protege concedes and stays "
            "aligned",
            symbol="c_{PC}",
        ),
        ParameterText(
            "c_status_quo",
            description="cSQ: the Challenger's utility for the status quo (no demand)",
            symbol="c_{SQ}",
        ),
        ParameterText(
            "c_war_determined",
            description="cWAR_D: the Determined Challenger's utility for war against Protege and Defender",
            symbol="c_{WAR}^{D}",
        ),
        ParameterText(
            "c_back_down",
            description="cCB: the Challenger's utility for backing down when the Defender supports the "
            "Protege",
            symbol="c_{CB}",
        ),
        ParameterText(
            "c_war_hesitant",
            description="cWAR_H: the Hesitant Challenger's utility for war",
            symbol="c_{WAR}^{H}",
        ),
        ParameterText(
            "d_status_quo", description="dSQ: the Defender's utility for the status quo", symbol="d_{SQ}"
        ),
        ParameterText(
            "d_back_down",
            description="dCB: the Defender's utility when the Challenger backs down",
            symbol="d_{CB}",
        ),
        ParameterText(
            "d_concession",
            description="dPC: the Defender's utility when the Protege concedes and stays aligned",
            symbol="d_{PC}",
        ),
        ParameterText(
            "d_war", description="dWAR: the Defender's utility for war beside the Protege", symbol="d_{WAR}"
        ),
        ParameterText(
            "d_realignment",
            description="dRA: the Defender's utility when the Protege realigns",
            symbol="d_{RA}",
        ),
        ParameterText(
            "pro_realign_realigner",
            description="the Realigner Protege's utility for realigning (a quiet concession = 0)",
            symbol="r_{R}",
            domain=(0.0, INF),
            open_lower=True,
        ),
        ParameterText(
            "pro_realign_loyal",
            description="the Loyal Protege's utility for realigning (a quiet concession = 0)",
            symbol="r_{L}",
            domain=(-INF, 0.0),
            open_upper=True,
        ),
    ]
    tw = {"D": "determined", "H": "hesitant", "R": "realigner", "L": "loyal"}
    # Nature draws the Protege's type only when the Protege moves (after the Defender withholds
    # support): nobody observes it earlier, so this is the same game as drawing it at the root, and
    # the Defender's information set has two nodes (the Challenger's types), not four.
    nodes: list[NodeSpec] = [
        _chance(
            "challenger_type",
            {"determined": ("p_determined", "D.demand"), "hesitant": ("1 - p_determined", "H.demand")},
        )
    ]
    for ct in "DH":
        war = "c_war_determined" if ct == "D" else "c_war_hesitant"
        nodes += [
            _dec(
                f"{ct}.demand",
                player="Challenger",
                infoset=f"challenger_{tw[ct]}",
                actions={"no_demand": f"{ct}.SQ", "demand": f"{ct}.support"},
            ),
            _term(
                f"{ct}.SQ",
                outcome="status_quo",
                payoffs={"Challenger": "c_status_quo", "Defender": "d_status_quo", "Protege": 0},
            ),
            _dec(
                f"{ct}.support",
                player="Defender",
                infoset="defender",
                actions={"support": f"{ct}.fight", "not_support": f"{ct}.N"},
            ),
            _dec(
                f"{ct}.fight",
                player="Challenger",
                infoset=f"challenger_{tw[ct]}_facing_support",
                actions={"back_down": f"{ct}.CB", "fight": f"{ct}.WAR"},
            ),
            _term(
                f"{ct}.CB",
                outcome="backdown",
                payoffs={"Challenger": "c_back_down", "Defender": "d_back_down", "Protege": 0},
                note=_CD_NOTE,
            ),
            _term(
                f"{ct}.WAR",
                outcome="allied_war",
                payoffs={"Challenger": war, "Defender": "d_war", "Protege": 0},
                note="war of the Challenger against the Protege and the Defender: allied_war; not "
                "entrapment, since the Challenger started it and the Defender chose to support",
            ),
            _chance(
                f"{ct}.N",
                {
                    "realigner": ("p_realigner", f"{ct}.NR.protege"),
                    "loyal": ("1 - p_realigner", f"{ct}.NL.protege"),
                },
            ),
        ]
        for pt in "RL":
            k = f"{ct}.N{pt}"
            ra = "pro_realign_realigner" if pt == "R" else "pro_realign_loyal"
            nodes += [
                _dec(
                    f"{k}.protege",
                    player="Protege",
                    infoset=f"protege_{tw[pt]}",
                    actions={"concede": f"{k}.PC", "realign": f"{k}.RA"},
                ),
                _term(
                    f"{k}.PC",
                    outcome=("capitulation", "abandonment"),
                    payoffs={"Challenger": "c_concession", "Defender": "d_concession", "Protege": 0},
                ),
                _term(
                    f"{k}.RA",
                    outcome=("capitulation", "abandonment"),
                    payoffs={"Challenger": "c_realignment", "Defender": "d_realignment", "Protege": ra},
                ),
            ]
    baseline_nodes = tuple(
        _dec(f"{ct}.support", player="Defender", infoset="defender", actions={"not_support": f"{ct}.N"})
        for ct in "DH"
    )
    return Model(ModelSpec(
        "tripartite_crisis",
        ["Challenger", "Defender", "Protege"],
        _params(specs, values),
        nodes,
        title="Tripartite Crisis Game, reconstruction TCG-R (after Zagare & Kilgour)",
        description=(
            "RECONSTRUCTION, NOT VERIFIED against Zagare and Kilgour (2003) Figure 1: the original node "
            "order, "
            "outcome list and utility orderings could not be retrieved. This tree (TCG-R) was built for this "
            "library to agree with every verified statement of the 2003 and 2006 abstracts [D]; use it as "
            "'TCG-R', not as the published game. The Challenger makes a demand on the Protege or not (SQ). "
            "The Defender, who does not see either type, supports the Protege or not; a mixed choice is the "
            "'straddle'. Unsupported, the Protege concedes (PC) or concedes and realigns away from the "
            "Defender (RA). Supported, the Protege stands firm and the Challenger backs down (CB) or fights "
            "(WAR). The Challenger is Determined (prefers WAR to CB) with probability p_determined; the "
            "Protege is a Realigner with probability p_realigner. The Defender's type is known and it "
            "prefers "
            "conflict to the break-up of its relationship with the Protege, but a quiet concession to "
            "conflict (2006). Thresholds: pi_star (support is dominant iff p_realigner > pi_star), "
            "delta_star "
            "(the Defender supports iff its belief that the Challenger is Determined is below it), "
            "sigma_H_star and sigma_D_star (each Challenger type demands iff the support probability is "
            "below its threshold), all derived here [D] (docs/discussion/derivations.md#tripartite-crisis). "
            "Nature "
            "draws "
            "the Protege's type when the Protege moves (nobody observes it earlier, so this is the same game "
            "as drawing it first). Node ids: D./H. the Challenger's type, NR/NL the Protege's type after the "
            "Defender withholds support."
        ),
        references=[
            Reference(
                citation="Zagare, F. C. & Kilgour, D. M. (2003). Alignment Patterns, Crisis Bargaining, "
                "and Extended Deterrence: A Game-Theoretic Analysis. International Studies Quarterly "
                "47(4): 587-615.",
                key="ZagareKilgour2003",
                provenance="S",
                note="abstract only; the game's figure was not retrieved, so this tree is a reconstruction",
            ),
            Reference(
                citation="Zagare, F. C. & Kilgour, D. M. (2006). The Deterrence-Versus-Restraint Dilemma "
                "in Extended Deterrence: Explaining British Policy in 1914. International Studies Review "
                "8: 623-641.",
                key="ZagareKilgour2006",
                provenance="S",
                note="abstract: results R1-R3",
            ),
            Reference(
                citation="Benson, B. V., Meirowitz, A. & Ramsay, K. W. (2014). Inducing Deterrence through "
                "Moderate Alliances. Journal of Conflict Resolution 58(2): 307-335.",
                key="BMR2014",
                provenance="S",
                note="describes the Z-K result as a pooling equilibrium in mixed strategies",
            ),
            Reference(
                citation="Snyder, G. H. (1984). The Security Dilemma in Alliance Politics. World Politics "
                "36(4): 461-495.",
                key="Snyder1984",
                provenance="S",
            ),
        ],
        concepts=["pbe"],
        status="reconstruction",
        entrapment=(
            "No terminal node carries entrapment (p_entrapment is 0 by construction): the Challenger starts "
            "every war (a demand the supported "
            "Protege resists), never the Protege, and the Defender's support is its own choice, made to keep "
            "the Protege from realigning (its type is known and it ranks war above the break-up, d_war > "
            "d_realignment), not forced by the costs of reneging on a pledge. War (node WAR) is allied_war: "
            "the Defender fights beside the Protege; it ranks that war below a quiet concession (d_war < "
            "d_concession), the deterrence-versus-restraint dilemma, which the model prices in its payoffs. "
            "Withholding support (PC, RA) carries capitulation and abandonment: the Protege gives in, and "
            "the Defender declines to back the Protege aligned with it, the relationship the Protege "
            "threatens to sever. A demand withdrawn when the Defender supports (CB) is backdown. In the "
            "no-support baseline nothing is abandonment."
        ),
        orderings=[
            _ord(condition="c_realignment >= c_concession", note="cRA >= cPC"),
            _ord(
                condition="c_status_quo > c_war_determined > c_back_down > c_war_hesitant",
                note="cSQ > cWAR_D > cCB > cWAR_H (capable threat: cSQ > cWAR_D)",
            ),
            _ord(
                condition="d_status_quo > d_back_down > d_concession > d_war > d_realignment",
                note="dSQ > dCB > dPC > dWAR > dRA: conflict preferred to break-up, a concession to conflict",
            ),
        ],
        derived=[
            _derived(
                "V_N_c",
                expr="p_realigner * c_realignment + (1 - p_realigner) * c_concession",
                description="the Challenger's expected utility from a demand the Defender does not support",
            ),
            _derived(
                "V_N_d",
                expr="p_realigner * d_realignment + (1 - p_realigner) * d_concession",
                description="the Defender's expected utility from not supporting",
            ),
            _derived(
                "pi_star",
                expr="(d_concession - d_war) / (d_concession - d_realignment)",
                description="realignment-credibility threshold: support is dominant iff p_realigner > "
                "pi_star (R1) [D]",
            ),
            _derived(
                "delta_star",
                expr="(d_back_down - V_N_d) / (d_back_down - d_war)",
                description="the Defender supports iff its belief that the Challenger is Determined is below "
                "this [D]",
            ),
            _derived(
                "sigma_H_star",
                expr="(V_N_c - c_status_quo) / (V_N_c - c_back_down)",
                description="the Hesitant Challenger demands iff the support probability is below this [D]",
            ),
            _derived(
                "sigma_D_star",
                expr="(V_N_c - c_status_quo) / (V_N_c - c_war_determined)",
                description="the Determined Challenger demands iff the support probability is below this [D]",
            ),
        ],
        baseline=Baseline(
            description=(
                "No support: the Defender cannot back the Protege (its only action is not_support), so a "
                "demand meets a lone Protege that concedes or realigns; nothing was promised, so neither "
                "outcome is abandonment. deterred = p_attack(baseline) - p_attack(model) is the share of "
                "demands the possibility of support prevents."
            ),
            outcomes={
                f"{ct}.N{pt}.{o}": ("capitulation",) for ct in "DH" for pt in "RL" for o in ("PC", "RA")
            },
            nodes=baseline_nodes,
        ),
        claims=[
            {
                "text": "Unequivocal commitments are efficacious, but only when the Protege's threat to "
                "sever its relationship with the Defender is highly credible.",
                "provenance": "S",
                "source": "Zagare & Kilgour (2006), abstract (R1); TCG-R: p_realigner > pi_star",
                "test": "test_tcg_claim_r1_unequivocal_support",
            },
            {
                "text": "Otherwise a straddle (or mixed) strategy is optimal for the Defender.",
                "provenance": "S",
                "source": "Zagare & Kilgour (2006), abstract (R2)",
                "reproduced": "in TCG-R only where p_realigner < pi_star, p_determined < delta_star and "
                "V_N_c > c_status_quo (d1 beliefs); where p_determined > delta_star the Defender withholds "
                "support (sigma = 0) and both types demand",
                "test": "test_tcg_claim_r2_r3_straddle_sweep",
            },
            {
                "text": "A straddle strategy will always fail to deter determined Challengers that prefer "
                "to fight rather than back down, and may fail even against hesitant Challengers.",
                "provenance": "S",
                "source": "Zagare & Kilgour (2006), abstract (R3)",
                "test": "test_tcg_claim_r2_r3_straddle_sweep",
            },
            {
                "text": "When Challenger is willing to fight but only weakly or moderately motivated, "
                "Protege's "
                "threat to realign can dissuade Challenger from initiating a crisis; when Challenger stands "
                "to gain a great deal, Protege's threat may prompt Challenger to make a demand.",
                "provenance": "S",
                "source": "Zagare & Kilgour (2003), abstract; TCG-R example T4 [D][N]",
                "test": "test_tcg_t4_non_monotonic",
            },
        ],
        meta={
            "equilibrium_classes_d1": {
                "no_demand": "p_realigner > pi_star or V_N_c < c_status_quo",
                "straddle": "p_realigner < pi_star and V_N_c > c_status_quo and p_determined < delta_star",
                "attack_no_support": (
                    "p_realigner < pi_star and V_N_c > c_status_quo and p_determined > delta_star"
                ),
            },
            "equilibrium_classes_free": "no_demand always; the others under the same conditions as d1",
        },
    ))


# ============================================================================= chain store
def chain_store(
    markets: int = 2,
    p_tough: float = 0.2,
    monopoly_profit: float = 2,
    entry_profit: float = 0.5,
) -> Model:
    """The chain store with reputation (Selten 1978; Kreps & Wilson 1982).

    An incumbent faces ``markets`` entrants in turn; each enters or stays out, and after entry
    the incumbent fights or acquiesces, seen by all later entrants. Nature makes the incumbent
    Tough (fighting is its best reply) with probability ``p_tough``, else Weak.

    Parameters
    ----------
    markets
        Number of entrants N (a structural choice, not a model parameter); the shipped file
        has N = 2. The tree has ``2 * 3**N`` terminal nodes.
    p_tough
        The incumbent's initial reputation: probability that it is Tough.
    monopoly_profit
        ``a > 1``: the incumbent's profit in a market nobody enters.
    entry_profit
        ``b`` in (0, 1): an entrant's profit if the incumbent acquiesces (``b - 1`` if it fights,
        0 if it stays out).
    """
    if not isinstance(markets, int) or isinstance(markets, bool) or not 1 <= markets <= 5:
        raise ParameterError(
            f"markets must be an integer from 1 to 5, got {markets!r}",
            name="markets",
            value=markets,
            domain=(1, 5),
        )
    n = markets
    entrants = [f"Entrant{k}" for k in range(1, n + 1)]
    players = [*entrants, "Incumbent"]
    inc = {("tough", "f"): "0", ("tough", "a"): "-1", ("weak", "f"): "-1", ("weak", "a"): "0"}
    ent = {"o": "0", "a": "entry_profit", "f": "entry_profit - 1"}

    def labels(t: str, hist: str) -> tuple[str, ...]:
        if set(hist) == {"o"}:
            return ("status_quo",)
        return tuple(lab for lab, r in (("capitulation", "a"), ("war", "f")) if r in hist)

    nodes = crisis_nodes(CrisisText(
        root="incumbent_type", types=(("tough", "p_tough"), ("weak", "1 - p_tough")), challengers=entrants,
        long_run="Incumbent", node_names=("entrant", "incumbent"), challenge_actions=("stay_out", "enter"),
        response_actions=("fight", "acquiesce"), codes=("o", "f", "a"),
        long_run_term=lambda t, k, r: "monopoly_profit" if r == "o" else inc[(t, r)],
        challenger_term=lambda t, k, r: ent[r], labels=labels))
    params = [
        _par(
            "p_tough",
            p_tough,
            description="the incumbent's initial reputation: probability that it is Tough (fighting "
            "entry is its best reply)",
            symbol="p",
            domain=(0.0, 1.0),
        ),
        _par(
            "monopoly_profit",
            monopoly_profit,
            description="a: the incumbent's profit in a market nobody enters "
            "(acquiescing gives 0, fighting -1 to the Weak type; fighting 0 and acquiescing -1 to the Tough)",
            symbol="a",
            domain=(1.0, INF),
            open_lower=True,
        ),
        _par(
            "entry_profit",
            entry_profit,
            description="b: an entrant's profit if the incumbent acquiesces (b - 1 if it fights, 0 if it "
            "stays out)",
            symbol="b",
            domain=(0.0, 1.0),
            open_lower=True,
            open_upper=True,
        ),
    ]
    return Model(ModelSpec(
        "chain_store" if n == 2 else f"chain_store_{n}",
        players,
        params,
        nodes,
        title=f"Chain store with reputation (Selten; Kreps & Wilson), {n} market{'s' if n > 1 else ''}",
        description=(
            f"An incumbent (the defender) faces {n} entrants (challengers) in turn. Each entrant stays out "
            f"or enters; after entry the incumbent fights or acquiesces, and every later entrant sees what "
            "happened. Nature makes the incumbent Tough (it prefers to fight) with probability p_tough, else "
            "Weak (it prefers to acquiesce in a single market). With p_tough = 0 this is Selten's chain "
            "store: "
            "every entrant enters and the Weak incumbent always acquiesces (the chain-store paradox). With "
            "p_tough > 0 the Weak incumbent fights early entrants to protect its reputation (Kreps and "
            "Wilson): with n markets to go the entrant stays out iff the reputation exceeds b**n, and the "
            "Weak incumbent fights with probability p(1 - b**(n-1))/((1 - p) b**(n-1)) when p < b**(n-1). "
            "The sequential-equilibrium path is reproduced by the d1 belief policy. Labels: status_quo if "
            "nobody enters; otherwise war if the incumbent fights at least once and capitulation if it "
            "acquiesces at least once (so p_attack = P(some entry), p_war = P(some fight)). Model [L], "
            "equilibrium derived [D] and checked [N] (docs/discussion/derivations.md#chain-store). Node ids: "
            "type, then the history of market results (o = stayed out, f = fought, a = acquiesced)."
        ),
        references=[
            Reference(
                citation="Selten, R. (1978). The Chain Store Paradox. Theory and Decision 9: 127-159.",
                key="Selten1978",
                provenance="S",
            ),
            Reference(
                citation="Kreps, D. M. & Wilson, R. (1982). Reputation and Imperfect Information. Journal "
                "of Economic Theory 27: 253-279.",
                key="KrepsWilson1982",
                provenance="L",
                note="the model as known from the literature; equilibrium re-derived [D]",
            ),
            Reference(
                citation="Milgrom, P. & Roberts, J. (1982). Predation, Reputation, and Entry Deterrence. "
                "Journal of Economic Theory 27: 280-312.",
                key="MilgromRoberts1982",
                provenance="S",
            ),
        ],
        concepts=["pbe"],
        status="published",
        entrapment=(
            "Not applicable: an incumbent defends its own markets against successive entrants. No\n"
            "pledge to a third party is modelled, so no terminal node carries the entrapment label\n"
            "and p_entrapment is 0 by construction. (A Weak incumbent fighting early entrants to\n"
            "protect its reputation is costly resolve, not entrapment: it fights its own fight.)"
        ),
        orderings=[],
        derived=[
            _derived(
                "entry_threshold",
                expr=f"entry_profit**{n}",
                description="the first entrant stays out iff p_tough > entry_profit**N (enters iff below) "
                "[D]",
            ),
            _derived(
                "fight_threshold",
                expr=f"entry_profit**{n - 1}",
                description="the Weak incumbent fights the first entrant for sure iff p_tough >= "
                "entry_profit**(N-1) [D]",
            ),
            _derived(
                "weak_fight_probability",
                expr=f"min(1, p_tough * (1 - entry_profit**{n - 1}) "
                f"/ ((1 - p_tough) * entry_profit**{n - 1}))",
                description="probability that the Weak incumbent fights the first entry, so that the "
                "posterior after a fight is entry_profit**(N-1) [D]",
            ),
        ],
        baseline=Baseline(
            description=(
                "No reputation: the incumbent is known to be Weak (p_tough = 0), Selten's "
                "complete-information "
                "chain store, in which every entrant enters and the incumbent acquiesces."
            ),
            parameters={"p_tough": 0},
        ),
        claims=[
            {
                "text": "Chain-store paradox: under complete information (p_tough = 0) every entrant enters "
                "and the incumbent always acquiesces.",
                "provenance": "S",
                "source": "Selten (1978)",
                "test": "test_chain_store_selten_paradox",
            },
            {
                "text": "With N markets to go the entrant stays out iff p > b**N; the Weak incumbent fights "
                "with probability p(1 - b**(N-1))/((1 - p) b**(N-1)) so that the posterior after a fight is "
                "b**(N-1); the next entrant, at that belief, stays out with probability 1/a.",
                "provenance": "D",
                "source": "Kreps & Wilson (1982) [L]; Melles & Nitsche notes [S]",
                "test": (
                    "test_chain_store_kw_numbers, test_chain_store_entry_sweep, "
                    "test_chain_store_kw1_five_markets, "
                    "test_chain_store_first_entry_threshold_with_three_and_four_markets"
                ),
            },
        ],
        meta={"markets": n},
    ))


# ============================================================================= Snyder 2x2
def snyder_alliance_dilemma(
    partner_commitment_value: float = 2,
    cohesion_value: float = 3,
    entrapment_risk: float = 1,
) -> Model:
    """Snyder (1984)'s alliance security dilemma as a 2×2 game between two allies (a formalisation).

    Each ally chooses a strong or weak commitment, simultaneously (the second mover's
    information set contains both of the first's choices). ``u_i = alpha*s_j - epsilon*s_i +
    beta*s_i*s_j``.

    Parameters
    ----------
    partner_commitment_value
        ``alpha``: the value of the partner's strong commitment (less risk of abandonment).
    cohesion_value
        ``beta``: the extra value of mutual firmness (cohesion, bargaining leverage).
    entrapment_risk
        ``epsilon``: the cost of one's own strong commitment (risk of entrapment).
    """
    params = [
        _par(
            "partner_commitment_value",
            partner_commitment_value,
            description="alpha: the value to an ally of its "
            "partner's strong commitment (it lowers the risk of abandonment)",
            symbol="\\alpha",
            domain=(0.0, INF),
        ),
        _par(
            "cohesion_value",
            cohesion_value,
            description="beta: the extra value of mutual strong commitment (cohesion and "
            "bargaining leverage against the adversary)",
            symbol="\\beta",
            domain=(0.0, INF),
        ),
        _par(
            "entrapment_risk",
            entrapment_risk,
            description="epsilon: the cost of an ally's own strong commitment (the risk "
            "of being entrapped in its partner's quarrels)",
            symbol="\\varepsilon",
            domain=(0.0, INF),
        ),
    ]
    u = {
        ("strong", "strong"): ("partner_commitment_value - entrapment_risk + cohesion_value",) * 2,
        ("strong", "weak"): ("-entrapment_risk", "partner_commitment_value"),
        ("weak", "strong"): ("partner_commitment_value", "-entrapment_risk"),
        ("weak", "weak"): ("0", "0"),
    }
    nodes: list[NodeSpec] = [
        _dec("ally1", player="Ally1", infoset="ally1", actions={"strong": "strong", "weak": "weak"})
    ]
    for s1 in ("strong", "weak"):
        nodes.append(
            _dec(
                s1, player="Ally2", infoset="ally2", actions={"strong": f"{s1}.strong", "weak": f"{s1}.weak"}
            )
        )
        for s2 in ("strong", "weak"):
            a, b = u[(s1, s2)]
            nodes.append(_term(f"{s1}.{s2}", outcome="status_quo", payoffs={"Ally1": a, "Ally2": b}))
    return Model(ModelSpec(
        "snyder_alliance_dilemma",
        ["Ally1", "Ally2"],
        params,
        nodes,
        title="Snyder's alliance security dilemma (2x2 teaching model)",
        description=(
            "Two allies choose, simultaneously, a strong or a weak commitment to each other (Ally2's "
            "information set holds both of Ally1's choices). u_i = alpha * s_j - epsilon * s_i + beta * s_i "
            "* s_j: the partner's strong commitment lowers my risk of abandonment (alpha), my own strong "
            "commitment carries a risk of entrapment (epsilon), and mutual firmness adds cohesion (beta). If "
            "beta > epsilon the game is a coordination game (Stag Hunt): both (strong, strong) and (weak, "
            "weak) are equilibria. If beta < epsilon < alpha + beta, weak is dominant and (weak, weak) is "
            "the unique equilibrium although (strong, strong) is better for both: an alliance Prisoners' "
            "Dilemma, Snyder's security-dilemma reading. Snyder's own analysis is verbal; this 2x2 "
            "formalisation is derived for teaching [D] "
            "(docs/discussion/derivations.md#snyder-alliance-dilemma). No attack is "
            "modelled, so every terminal is labelled status_quo: abandonment and entrapment enter only as "
            "risks priced in the payoffs. The no-pledge baseline removes the strong commitment."
        ),
        references=[
            Reference(
                citation="Snyder, G. H. (1984). The Security Dilemma in Alliance Politics. World Politics "
                "36(4): 461-495.",
                key="Snyder1984",
                provenance="S",
                note="abandonment versus entrapment; the 2x2 payoffs are a formalisation derived here",
            ),
        ],
        concepts=["nash"],
        status="teaching",
        entrapment=(
            "No terminal node carries the entrapment label: no attack is modelled. Entrapment is a\n"
            "risk priced in the payoffs: epsilon is the expected cost to an ally of its own strong\n"
            "commitment (being drawn into its partner's wars), as alpha is the value of the partner's\n"
            "strong commitment (the risk of abandonment it removes). p_entrapment is 0 by\n"
            "construction."
        ),
        baseline=Baseline(
            description=(
                "No pledges: neither ally can commit strongly (each has only the weak commitment), so the "
                "outcome is (weak, weak). No attack is modelled, so the deterrent effect is zero by "
                "construction; the baseline exists for uniformity with the catalogue."
            ),
            nodes=(
                _dec("ally1", player="Ally1", infoset="ally1", actions={"weak": "weak"}),
                _dec("weak", player="Ally2", infoset="ally2", actions={"weak": "weak.weak"}),
            ),
        ),
        derived=[
            _derived(
                "stag_hunt_margin",
                expr="cohesion_value - entrapment_risk",
                description="gain from a strong commitment when the partner is strong: positive = Stag Hunt "
                "(coordination), negative = weak is dominant [D]",
            ),
            _derived(
                "mutual_strong_payoff",
                expr="partner_commitment_value + cohesion_value - entrapment_risk",
                description="each ally's payoff at (strong, strong) (0 at (weak, weak)): positive with a "
                "negative "
                "stag_hunt_margin = alliance Prisoners' Dilemma [D]",
            ),
        ],
        claims=[
            {
                "text": "beta > epsilon: coordination game (Stag Hunt), pure equilibria (strong, strong) and "
                "(weak, weak); beta < epsilon < alpha + beta: (weak, weak) is the unique equilibrium "
                "although (strong, strong) Pareto-dominates it (alliance Prisoners' Dilemma).",
                "provenance": "D",
                "test": "test_snyder_regimes_sweep",
            },
            {
                "text": "The alliance security dilemma involves a choice between support or nonsupport of "
                "allies, and tension between fears of entrapment and abandonment.",
                "provenance": "S",
                "source": "Snyder (1984), abstract",
                "test": "test_snyder_regimes_sweep (the two regimes)",
            },
        ],
    ))


# ============================================================================= mutual deterrence
def mutual_deterrence(
    a_status_quo: float = 3,
    a_wins: float = 4,
    a_loses: float = 1,
    a_conflict: float = 2,
    b_status_quo: float = 3,
    b_wins: float = 4,
    b_loses: float = 1,
    b_conflict: float = 2,
) -> Model:
    """The complete-information mutual deterrence game (Kilgour & Zagare 1991; Zagare 1992).

    A cooperates (C) or defects (D). After C, B cooperates (SQ) or defects, and A then
    retaliates (DD) or accepts (CD). After D, B concedes (DC) or retaliates (DD). A player is
    Hard (its threat is credible) iff it prefers conflict to being exploited.

    Parameters
    ----------
    a_status_quo, a_wins, a_loses, a_conflict
        A's ``aSQ, aDC, aCD, aDD``: ``aCD < aSQ < aDC`` and ``aDD < aSQ``; Hard iff ``aDD > aCD``.
    b_status_quo, b_wins, b_loses, b_conflict
        B's ``bSQ, bCD, bDC, bDD``: ``bDC < bSQ < bCD`` and ``bDD < bSQ``; Hard iff ``bDD > bDC``.
    """
    values = dict(locals())
    specs = [
        ParameterText("a_status_quo", description="aSQ: A's utility for the status quo", symbol="a_{SQ}"),
        ParameterText(
            "a_wins", description="aDC: A's utility when it defects and B concedes", symbol="a_{DC}"
        ),
        ParameterText(
            "a_loses", description="aCD: A's utility when B defects and A accepts", symbol="a_{CD}"
        ),
        ParameterText(
            "a_conflict",
            description="aDD: A's utility for conflict (A is Hard iff aDD > aCD)",
            symbol="a_{DD}",
        ),
        ParameterText("b_status_quo", description="bSQ: B's utility for the status quo", symbol="b_{SQ}"),
        ParameterText(
            "b_wins", description="bCD: B's utility when it defects and A accepts", symbol="b_{CD}"
        ),
        ParameterText(
            "b_loses", description="bDC: B's utility when A defects and B concedes", symbol="b_{DC}"
        ),
        ParameterText(
            "b_conflict",
            description="bDD: B's utility for conflict (B is Hard iff bDD > bDC)",
            symbol="b_{DD}",
        ),
    ]
    nodes = [
        _dec("A", player="A", infoset="A", actions={"cooperate": "C", "defect": "D"}),
        _dec("C", player="B", infoset="B_after_C", actions={"cooperate": "C.SQ", "defect": "C.D"}),
        _term("C.SQ", outcome="status_quo", payoffs={"A": "a_status_quo", "B": "b_status_quo"}),
        _dec("C.D", player="A", infoset="A_after_CD", actions={"accept": "C.CD", "retaliate": "C.DD"}),
        _term(
            "C.CD",
            outcome="capitulation",
            payoffs={"A": "a_loses", "B": "b_wins"},
            note="B defects and A accepts (A capitulates)",
        ),
        _term("C.DD", outcome="war", payoffs={"A": "a_conflict", "B": "b_conflict"}),
        _dec("D", player="B", infoset="B_after_D", actions={"concede": "D.DC", "retaliate": "D.DD"}),
        _term(
            "D.DC",
            outcome="capitulation",
            payoffs={"A": "a_wins", "B": "b_loses"},
            note="A defects and B concedes (B capitulates)",
        ),
        _term("D.DD", outcome="war", payoffs={"A": "a_conflict", "B": "b_conflict"}),
    ]
    return Model(ModelSpec(
        "mutual_deterrence",
        ["A", "B"],
        _params(specs, values),
        nodes,
        title="Mutual deterrence game, complete information (after Kilgour & Zagare)",
        description=(
            "A cooperates or defects. After A cooperates, B cooperates (status quo SQ) or defects, and A "
            "then retaliates (conflict DD) or accepts (CD: B prevails). After A defects, B concedes (DC: A "
            "prevails) or retaliates (DD). A player's threat is credible (the player is Hard) iff it prefers "
            "conflict to being exploited: aDD > aCD for A, bDD > bDC for B. Subgame-perfect outcomes: SQ iff "
            "both are Hard; DC if A is Hard and B Soft; CD if A is Soft and B Hard; DC if both are Soft. "
            "This "
            "reproduces Zagare (1992): mutual credibility implies stable deterrence, mutually incredible "
            "threats and asymmetric credibility do not. RECONSTRUCTION: the tree and orderings are recalled "
            "[L]; the published game has two-sided incomplete information (Kilgour and Zagare 1991), whose "
            "existence conditions were not retrievable, so only the complete-information game is shipped "
            "(derivation: docs/discussion/derivations.md#mutual-deterrence)."
        ),
        references=[
            _KZ1991,
            Reference(
                citation="Zagare, F. C. (1992). NATO, Rational Escalation and Flexible Response. Journal "
                "of Peace Research 29(4): 435-454.",
                key="Zagare1992",
                provenance="S",
                note="complete-information one- and multi-stage mutual deterrence games (abstract)",
            ),
            Reference(
                citation=_ZK2000.citation,
                key="ZagareKilgour2000",
                provenance="L",
                note="chapter 4 (Generalized Mutual Deterrence Game)",
            ),
        ],
        concepts=["spe"],
        status="reconstruction",
        entrapment=(
            "Not applicable: mutual deterrence between two states. No pledge to a third party is\n"
            "modelled, so no terminal node carries the entrapment label and p_entrapment is 0 by\n"
            "construction; a Defender that fights fights for its own stake."
        ),
        orderings=[
            _ord(condition="a_loses < a_status_quo < a_wins", provenance="L", note="aCD < aSQ < aDC"),
            _ord(
                condition="a_conflict < a_status_quo", provenance="L", note="B's threat is capable: aDD < aSQ"
            ),
            _ord(condition="b_loses < b_status_quo < b_wins", provenance="L", note="bDC < bSQ < bCD"),
            _ord(
                condition="b_conflict < b_status_quo", provenance="L", note="A's threat is capable: bDD < bSQ"
            ),
        ],
        derived=[
            _derived(
                "a_resolve",
                expr="a_conflict - a_loses",
                description="positive iff A is Hard (its threat to retaliate is credible)",
            ),
            _derived(
                "b_resolve",
                expr="b_conflict - b_loses",
                description="positive iff B is Hard (its threat to retaliate is credible)",
            ),
        ],
        baseline=Baseline(
            description=(
                "No credible threat by B: B is Soft, its utility for conflict pinned one unit below "
                "conceding "
                "(b_conflict = b_loses - 1). For a two-player deterrence game the threat plays the part of "
                "the pledge."
            ),
            parameters={"b_conflict": "b_loses - 1"},
        ),
        claims=[
            {
                "text": "Mutual credibility at each stage implies stable deterrence; mutually incredible "
                "threats "
                "at every stage result in an unstable deterrence relationship, as does an asymmetry of "
                "credibility.",
                "provenance": "S",
                "source": "Zagare (1992), abstract",
                "test": "test_mutual_deterrence_table_M1, test_mutual_deterrence_sweep",
            },
        ],
    ))
