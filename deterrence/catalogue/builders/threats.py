"""Builder for the brinkmanship teaching model: the threat that leaves something to chance.

* :func:`brinkmanship` — Schelling (1960, 1966) and Dixit & Skeath's brinkmanship chapter
  (Cuban missile crisis): a threatener sets a risk ``q`` of disaster if a target of unknown
  resolve defies. The effectiveness threshold ``q_eff`` and the acceptability threshold
  ``q_acc`` are derived in ``docs/discussion/derivations.md#brinkmanship`` (provenance ``D``).

The builder returns a :class:`deterrence.Model` equal to the shipped file
``models/brinkmanship.toml`` at its defaults (``tests/test_models_brinkmanship.py`` checks
this). The model's ``status`` is ``teaching``: the structure is from the sources, the general
form and its closed forms are derived.
"""

# ruff: noqa: E501  (long description and claim strings are data; they read better unbroken)
from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from ...model import Baseline, Derived, Model, ModelSpec, NodeSpec, Ordering, Reference
from ._parts import ParameterText, with_defaults

__all__ = ["brinkmanship"]


_TITLE = "Brinkmanship: the threat that leaves something to chance (teaching model)"

_DESCRIPTION = """
A threatener T wants a target to comply. T either makes a brinkmanship threat, which exposes both
sides to a risk `risk` (q) of disaster if the target defies, or makes no threat. Nature then draws
the target's type: Hard with probability p_hard (p), for which defiance is dominant, or Soft. The
target knows its type (T does not) and complies or defies. After defiance under the threat, Nature
draws disaster with probability q (war), otherwise T acquiesces (capitulation); without a threat,
defiance is simply met by acquiescence. Payoffs: compliance gives T threatener_complies (u_c) and
the Soft target soft_complies (s_c); disaster gives T threatener_disaster (u_d) and the Soft target
soft_disaster (s_d); acquiescence gives T threatener_acquiesces (u_a) and the target
target_acquiesced (s_a). T would never choose disaster (u_d < u_a), so a pure threat is not
credible; a threat that leaves something to chance is. Effectiveness: the Soft type complies iff
q >= q_eff = (s_a - s_c)/(s_a - s_d). Acceptability: the effective threat beats acquiescing iff
q <= q_acc = (1 - p)(u_c - u_a)/(p(u_a - u_d)). In the SPE, T threatens iff q_eff <= q <= q_acc
(brinkmanship is feasible iff q_eff <= q_acc), and T's payoff over feasible risks is highest at
q = q_eff: the smallest effective risk. Away from q_eff the SPE is unique (at q = q_eff the Soft
type is indifferent and both of its choices give a pure SPE). The structure follows Schelling's
'threat that leaves something to chance' and Dixit & Skeath's brinkmanship chapter (Cuban missile
crisis); this general form and its closed forms are derived for teaching [D]
(docs/discussion/derivations.md#brinkmanship). Defaults: the worked example BR1 at p = 0.4 with
q = 0.3 (inside [q_eff, q_acc] = [2/9, 9/16]). Node ids: threat./none. = threat made or not,
.H/.S = the target's type. The baseline removes the threat."""

_ENTRAPMENT = """
Not applicable: a two-player crisis between a threatener and a target. No ally and no
pledge to a third party are modelled, so no terminal node carries the entrapment label
and p_entrapment is 0 by construction. The war label marks the disaster that the threat's
risk brings about, which neither side chooses."""

_REFERENCES = (
    Reference(
        citation="Schelling, T. C. (1960). The Strategy of Conflict. Harvard University Press.",
        key="Schelling1960",
        provenance="L",
        note="chapter 8, 'The Threat That Leaves Something to Chance'",
    ),
    Reference(
        citation="Schelling, T. C. (1966). Arms and Influence. Yale University Press.",
        key="Schelling1966",
        provenance="L",
        note="the manipulation of risk",
    ),
    Reference(
        citation="Dixit, A. K. & Skeath, S. Games of Strategy. W. W. Norton (later editions with D. H. Reiley). "
        "Chapter on brinkmanship: the Cuban missile crisis.",
        key="DixitSkeath",
        provenance="S",
        note="effectiveness and acceptability conditions, p = probability that the Soviets are hard-line, "
        "the pure threat q = 1, seen through an exercise text reproduced online; the book's numbers are not "
        "re-verified",
    ),
    Reference(
        citation="Powell, R. (1988). Nuclear Brinkmanship with Two-Sided Incomplete Information. American "
        "Political Science Review 82(1): 155-178.",
        key="Powell1988",
        provenance="S",
        note="abstract only; context (sequential brinkmanship with uncertain resolve); not reproduced by this model",
    ),
)

_TEST = "test_models_brinkmanship.py::"
_CLAIMS = (
    {
        "text": "Effectiveness: the Soft target complies with the threat iff risk >= q_eff = (s_a - s_c)/(s_a - s_d); the Hard target always defies.",
        "provenance": "D",
        "test": f"{_TEST}test_closed_form_on_random_points_kernel_and_solver",
    },
    {
        "text": "Acceptability and feasibility: the threatener threatens iff q_eff <= risk <= q_acc = (1 - p)(u_c - u_a)/(p(u_a - u_d)); brinkmanship is feasible iff q_eff <= q_acc.",
        "provenance": "D",
        "test": f"{_TEST}test_closed_form_on_random_points_kernel_and_solver, {_TEST}test_regimes_and_threshold_give_q_eff_and_q_acc",
    },
    {
        "text": "The optimal risk is q = q_eff: among feasible risks the threatener's equilibrium payoff is highest at the smallest effective risk.",
        "provenance": "D",
        "test": f"{_TEST}test_optimal_risk_is_q_eff",
    },
    {
        "text": "Example BR1 (s_a = 1, s_c = -1, s_d = -8; u_c = 1, u_a = -2, u_d = -10): q_eff = 2/9; at p = 0.4, q_acc = 0.5625, brinkmanship is feasible, EU_T = -0.911111 and P(disaster) = 0.088889 at q = q_eff; at p = 0.8, q_acc = 0.09375 < q_eff: no threat (defiance and acquiescence).",
        "provenance": "N",
        "test": f"{_TEST}test_br1_example",
    },
    {
        "text": "A threat that leaves something to chance: a threat the threatener would not carry out (it prefers acquiescing to disaster) still deters when it carries a risk q in [q_eff, q_acc], while a pure threat (q = 1) can be too large to be acceptable.",
        "provenance": "L",
        "source": "Schelling (1960) ch. 8; Dixit & Skeath, brinkmanship chapter (pure threat q = 1, acceptability condition)",
        "test": f"{_TEST}test_claim_a_pure_threat_can_be_too_large",
    },
)

_ORDERINGS = (
    (
        "soft_disaster < soft_complies < target_acquiesced",
        "s_d < s_c < s_a: the Soft target prefers getting its way to complying and complying to disaster, so 0 < q_eff < 1",
    ),
    (
        "hard_complies < hard_disaster and hard_complies < target_acquiesced",
        "the Hard target prefers either outcome of defiance to complying: defiance is dominant",
    ),
    (
        "threatener_disaster < threatener_acquiesces < threatener_complies",
        "u_d < u_a < u_c: the threatener would rather acquiesce than bring about disaster (a pure threat is not credible), so q_acc > 0",
    ),
)

_DERIVED = (
    (
        "q_eff",
        "(target_acquiesced - soft_complies) / (target_acquiesced - soft_disaster)",
        "effectiveness: the Soft target complies with the threat iff risk >= q_eff [D]",
    ),
    (
        "q_acc",
        "(1 - p_hard) * (threatener_complies - threatener_acquiesces) / (p_hard * (threatener_acquiesces - threatener_disaster))",
        "acceptability: an effective threat beats acquiescing iff risk <= q_acc; brinkmanship is feasible iff q_eff <= q_acc [D]",
    ),
)

_BASELINE = (
    "No threat possible: the threatener's only action is no_threat, so both types defy and the threatener "
    "acquiesces. deterred = p_attack(baseline) - p_attack(model) is then the probability of defiance that "
    "the threat removes (1 - p_hard where q_eff <= risk <= q_acc, 0 elsewhere)."
)


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


def _term(nid: str, *, outcome: str, threatener: str, target: str) -> NodeSpec:
    return NodeSpec(nid, "terminal", payoffs={"Threatener": threatener, "Target": target}, outcome=(outcome,))


def _branch(threat: str) -> list[NodeSpec]:
    """The subtree after the threatener's move ``threat`` (``"threat"`` or ``"none"``)."""
    nodes = [_chance(threat, {"hard": ("p_hard", f"{threat}.H"), "soft": ("1 - p_hard", f"{threat}.S")})]
    tag = "threat" if threat == "threat" else "no_threat"
    for code, kind in (("H", "hard"), ("S", "soft")):
        here = f"{threat}.{code}"
        complies, disaster = f"{kind}_complies", f"{kind}_disaster"
        defy = f"{here}.brink" if threat == "threat" else f"{here}.acquiesce"
        nodes.append(
            _dec(
                here,
                player="Target",
                infoset=f"{kind}_{tag}",
                actions={"comply": f"{here}.comply", "defy": defy},
            )
        )
        nodes.append(
            _term(f"{here}.comply", outcome="status_quo", threatener="threatener_complies", target=complies)
        )
        if threat == "threat":
            nodes.append(
                _chance(
                    defy,
                    {
                        "disaster": ("risk", f"{here}.disaster"),
                        "acquiesce": ("1 - risk", f"{here}.acquiesce"),
                    },
                )
            )
            nodes.append(
                _term(f"{here}.disaster", outcome="war", threatener="threatener_disaster", target=disaster)
            )
        nodes.append(
            _term(
                f"{here}.acquiesce",
                outcome="capitulation",
                threatener="threatener_acquiesces",
                target="target_acquiesced",
            )
        )
    return nodes


def brinkmanship(
    p_hard: float = 0.4,
    risk: float = 0.3,
    target_acquiesced: float = 1,
    soft_complies: float = -1,
    soft_disaster: float = -8,
    hard_complies: float = -2,
    hard_disaster: float = -1,
    threatener_complies: float = 1,
    threatener_acquiesces: float = -2,
    threatener_disaster: float = -10,
) -> Model:
    """Brinkmanship: the threat that leaves something to chance (a teaching model).

    The threatener threatens (at risk ``risk``) or not; Nature draws the target's type (Hard
    with probability ``p_hard``); the target, knowing its type, complies or defies; defiance
    of a threat ends in disaster with probability ``risk`` and otherwise in the threatener's
    acquiescence. In the SPE the Soft type complies iff ``risk >= q_eff`` and the threatener
    threatens iff ``q_eff <= risk <= q_acc``. Defaults: example BR1 at ``p = 0.4``, ``q = 0.3``.

    Parameters
    ----------
    p_hard
        ``p``: probability that the target is Hard (defiance dominant); in ``(0, 1]``.
    risk
        ``q``: probability of disaster if the target defies a threat; in ``[0, 1]``.
    target_acquiesced
        ``s_a``: the target's payoff (either type) when the threatener acquiesces.
    soft_complies, soft_disaster
        ``s_c``, ``s_d``: the Soft target's payoffs for complying and for disaster;
        ``s_d < s_c < s_a``.
    hard_complies, hard_disaster
        The Hard target's payoffs for complying and for disaster; complying is below both
        ``hard_disaster`` and ``target_acquiesced``, so defiance is dominant.
    threatener_complies, threatener_acquiesces, threatener_disaster
        ``u_c``, ``u_a``, ``u_d``: the threatener's payoffs; ``u_d < u_a < u_c``.

    Returns
    -------
    Model
        The model; equal to ``models/brinkmanship.toml`` at the defaults.

    Raises
    ------
    ParameterError
        A value outside its domain, or values that violate one of the orderings (checked at
        construction).
    """
    values = {
        "p_hard": p_hard,
        "risk": risk,
        "target_acquiesced": target_acquiesced,
        "soft_complies": soft_complies,
        "soft_disaster": soft_disaster,
        "hard_complies": hard_complies,
        "hard_disaster": hard_disaster,
        "threatener_complies": threatener_complies,
        "threatener_acquiesces": threatener_acquiesces,
        "threatener_disaster": threatener_disaster,
    }
    specs: list[ParameterText] = [
        ParameterText(
            "p_hard",
            description="p: probability that the target is Hard (defiance is dominant for it); only the target knows its type",
            symbol="p",
            domain=(0.0, 1.0),
            open_lower=True,
        ),
        ParameterText(
            "risk",
            description="q: the probability of disaster if the target defies a brinkmanship threat (the risk the threatener sets)",
            symbol="q",
            domain=(0.0, 1.0),
        ),
        ParameterText(
            "target_acquiesced",
            description="s_a: the target's payoff (either type) when it defies and the threatener acquiesces",
            symbol="s_a",
        ),
        ParameterText(
            "soft_complies", description="s_c: the Soft target's payoff for complying", symbol="s_c"
        ),
        ParameterText(
            "soft_disaster", description="s_d: the Soft target's payoff for disaster", symbol="s_d"
        ),
        ParameterText(
            "hard_complies",
            description="h_c: the Hard target's payoff for complying (below both outcomes of defiance)",
            symbol="h_c",
        ),
        ParameterText(
            "hard_disaster",
            description="h_d: the Hard target's payoff for disaster (above complying: the Hard type defies whatever the risk)",
            symbol="h_d",
        ),
        ParameterText(
            "threatener_complies",
            description="u_c: the threatener's payoff when the target complies",
            symbol="u_c",
        ),
        ParameterText(
            "threatener_acquiesces",
            description="u_a: the threatener's payoff when the target defies and the threatener acquiesces",
            symbol="u_a",
        ),
        ParameterText(
            "threatener_disaster", description="u_d: the threatener's payoff for disaster", symbol="u_d"
        ),
    ]
    params = with_defaults(specs, values)
    nodes = [
        _dec(
            "threatener",
            player="Threatener",
            infoset="threatener",
            actions={"threaten": "threat", "no_threat": "none"},
        ),
        *_branch("threat"),
        *_branch("none"),
    ]
    model = Model(ModelSpec(
        "brinkmanship",
        ["Threatener", "Target"],
        params,
        nodes,
        root="threatener",
        title=_TITLE,
        description=_DESCRIPTION.strip(),
        references=list(_REFERENCES),
        concepts=["spe"],
        status="teaching",
        orderings=[Ordering(c, note, "D") for c, note in _ORDERINGS],  # type: ignore[arg-type]  # the model parses the text
        derived=[Derived(n, sp.S.Zero, text, desc) for n, text, desc in _DERIVED],
        baseline=Baseline(
            description=_BASELINE,
            nodes=(
                _dec("threatener", player="Threatener", infoset="threatener", actions={"no_threat": "none"}),
            ),
        ),
        entrapment=_ENTRAPMENT.strip(),
        claims=[dict(c) for c in _CLAIMS],
    ))
    model.game()  # validates the orderings at the given values (raises ParameterError)
    return model
