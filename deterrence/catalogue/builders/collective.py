"""Builders of the collective-defence family: an Attacker, a Target and 1 to 32 pledged allies.

The models are *families* (:class:`deterrence.families.CollectiveDefence`), not TOML files: the
number of members is a parameter, and the game is solved on its aggregated form. The catalogue
lists them next to the files (:func:`deterrence.list_models`) and builds them by these
functions (:func:`deterrence.load_model`):

* :func:`collective_defence` — the allies decide at once (a Bayesian game among them);
* :func:`collective_defence_sequential` — one after the other along the pledge order, each
  seeing who joined before it;
* :func:`collective_defence_chain_gang` — a provocation-prone Target: with probability
  ``initiative`` it, not the Attacker, may start a war, emboldened by the pledges.

Every quantity an ally has (``credibility``, ``cost_ally``, ``interest_committed``,
``interest_uncommitted``, ``pledge``, ``capability``) takes one number (shared) or a list (one
per ally; ``members`` is then the list's length).
"""

# ruff: noqa: E501  (long citation and claim strings are data; they read better unbroken)
from __future__ import annotations

from typing import Any

from ...families import CollectiveDefence
from ...model import Reference

__all__ = ["collective_defence", "collective_defence_chain_gang", "collective_defence_sequential"]

_DESCRIPTION = """
An Attacker, a Target (player Defender, as in extended_deterrence) and `members` allies pledged
to it (NATO's Article 5: an attack on one is an attack on all). Nature draws each ally's type:
committed with probability `credibility` (it values the Target enough to fight for it alone) or
uncommitted. The Attacker, not knowing the types, attacks or not; the Target resists or concedes;
then the allies decide {timing}.
The Target side wins with a probability that grows with the
total capability of the allies that fight (a ratio-form contest function: one ally of capability
1 turns p_alone into p_allied). The Target's survival is a public good: every ally gets its
interest in it whether it fought or not, so each is tempted to leave the fighting to the others
(buck-passing). Staying out of a war its pledge covers costs an ally its audience cost: the
defence-pact value `audience_cost` times the share its `pledge` type sets (codes 0 none, 1
non-aggression pact, 2 entente, 3 defence pact; the commitment-type codes). With one ally this is
extended_deterrence.{extra} A stylised model built for this library from the mechanisms of the
cited literature; its analysis is derived here [D] (docs/discussion/derivations.md#collective-defence)."""

_TIMING = {
    "simultaneous": "at once whether to join the war (a Bayesian game among them)",
    "sequential": "one after the other along the pledge order whether to join the war, each seeing who "
                  "joined before it",
}

_CHAIN_GANG = """ Provocation-prone Target: with probability `initiative` the Target, not the
Attacker, has the initiative and may provoke a war for an extra prize `revision`; the allies then
decide whether to join that war too (a pledge waives the share `conditional` of its audience cost
in it). The pledges embolden the Target: a war it starts drags in allies whose interest would
never justify fighting (chain-ganging)."""

_ENTRAPMENT = """
Entrapment is a pledged ally fighting although its interest in the Target could never justify
fighting without the pledge: w_t * stakes * (p(K + k_i) - p(K)) < cost_ally for every capability K
the other allies could bring (the ally's type is unwilling); it fights only because reneging costs
its audience cost. A war in which at least one ally is entrapped carries the label entrapment, and
expected_entrapped counts the entrapped allies. With one ally this is extended_deterrence's
uncommitted type intervening (under that model's orderings). Abandonment is a war in which at least
one ally whose pledge covers it stays out (p_abandonment); p_full_abandonment is a war no ally
joins although a pledge covers it. In the no-pledge baseline (every pledge type 0) neither label
applies: nothing was promised."""

_BASELINE = """
The same crisis with every pledge type 0 (a coalition of convenience: nothing promised): no ally
pays an audience cost for staying out, staying out is not abandonment and fighting is never
entrapment. The allies' types, interests and capabilities are unchanged. The pledges' deterrent
effect is p_attack(baseline) - p_attack(model)."""


def _ref(key: str, citation: str, provenance: str, note: str) -> Reference:
    return Reference(key=key, citation=citation, provenance=provenance, note=note)


_REFERENCES = (
    _ref("OlsonZeckhauser1966", "Olson, M., Jr. & Zeckhauser, R. (1966). An Economic Theory of Alliances. Review of Economics and Statistics 48(3): 266-279.", "S",
         "alliance security as a public good: members free ride on the larger members' efforts"),
    _ref("ChristensenSnyder1990", "Christensen, T. J. & Snyder, J. (1990). Chain Gangs and Passed Bucks: Predicting Alliance Patterns in Multipolarity. International Organization 44(2): 137-168.", "S",
         "chain-ganging (unconditional alliances drag members into an ally's war) and buck-passing (free riding on others' balancing)"),
    _ref("Snyder1984", "Snyder, G. H. (1984). The Security Dilemma in Alliance Politics. World Politics 36(4): 461-495.", "S",
         "abandonment and entrapment"),
    _ref("Smith1995", "Smith, A. (1995). Alliance Formation and War. International Studies Quarterly 39(4): 405-425.", "S",
         "alliance reliability as the ally's private type"),
    _ref("Leeds2003", "Leeds, B. A. (2003). Do Alliances Deter Aggression? The Influence of Military Alliances on the Initiation of Militarized Interstate Disputes. American Journal of Political Science 47(3): 427-439.", "S",
         "defence commitments to a potential target reduce the probability that a dispute is initiated"),
    _ref("Leeds2003IO", "Leeds, B. A. (2003). Alliance Reliability in Times of War: Explaining State Decisions to Violate Treaties. International Organization 57(4): 801-827.", "S",
         "alliance commitments are fulfilled about 75 percent of the time"),
    _ref("FangJohnsonLeeds2014", "Fang, S., Johnson, J. C. & Leeds, B. A. (2014). To Concede or to Resist? The Restraining Effect of Military Alliances. International Organization 68(4): 775-809.", "S",
         "a target's alliances affect both the challenger's demand and the target's own choice to concede or resist"),
    _ref("Hirshleifer1989", "Hirshleifer, J. (1989). Conflict and Rent-Seeking Success Functions: Ratio vs. Difference Models of Relative Success. Public Choice 63(2): 101-112.", "S",
         "contest success functions; the ratio form used here for the Target side's chance of winning"),
    _ref("Tullock1980", "Tullock, G. (1980). Efficient Rent Seeking. In Buchanan, J. M., Tollison, R. D. & Tullock, G. (eds.), Toward a Theory of the Rent-Seeking Society, 97-112. College Station: Texas A&M University Press.", "L",
         "the ratio-form contest success function with a decisiveness exponent"),
    _ref("Fearon1994", "Fearon, J. D. (1994). Domestic Political Audiences and the Escalation of International Disputes. American Political Science Review 88(3): 577-592.", "S",
         "audience costs of backing down from a public commitment"),
    _ref("KilgourZagare1991", "Kilgour, D. M. & Zagare, F. C. (1991). Credibility, Uncertainty, and Deterrence. American Journal of Political Science 35(2): 305-334.", "S",
         "credibility of a threat as the probability that the threatener is the type that prefers to carry it out"),
)

_CLAIMS: tuple[dict[str, Any], ...] = (
    {"text": "With one member the family is extended_deterrence: the same parameters (by name), the same equilibria and the same indicators at every point where extended_deterrence is defined.",
     "provenance": "D"},
    {"text": "With exchangeable allies and a contest concave in capability (decisiveness <= 1), an ally's expected marginal contribution falls as the others join more (strategic substitutes), so the join game has exactly one symmetric equilibrium.",
     "provenance": "D"},
    {"text": "Buck-passing: with exchangeable allies, each ally's probability of joining a war falls as the number of members rises; it holds in the swept region wherever the committed type mixes, and fails (stays flat) where the marginal ally's contribution stays above its cost for every member count (docs/discussion/derivations.md#collective-defence).",
     "provenance": "D"},
)


def _with_members(members: int | None, values: dict[str, Any]) -> dict[str, Any]:
    """The builder's arguments: ``members`` when given (else 3, or the length of per-ally lists)."""
    return values if members is None else {"members": members, **values}


def _family(name: str, title: str, timing: str, provocation: bool, values: dict[str, Any]) -> CollectiveDefence:
    extra = _CHAIN_GANG if provocation else ""
    return CollectiveDefence(
        name=name, title=title, description=_DESCRIPTION.format(timing=_TIMING[timing], extra=extra),
        values=values, timing=timing, provocation=provocation, references=_REFERENCES, claims=_CLAIMS,
        entrapment=_ENTRAPMENT, baseline_text=_BASELINE)


def collective_defence(members: int | None = None, **values: Any) -> CollectiveDefence:
    """Collective defence with ``members`` allies deciding at once (a catalogue model family).

    Parameters
    ----------
    members
        The number of allies, 1 to 32 (a whole number). Default: 3, or the length of the per-ally
        lists when some are given.
    **values
        Defaults of the other parameters (see ``dt.load_model("collective_defence").parameters``):
        ``credibility``, ``stakes``, ``p_alone``, ``p_allied``, ``cost_attacker``,
        ``cost_defender``, ``cost_ally``, ``interest_committed``, ``interest_uncommitted``,
        ``audience_cost``, ``pledge`` (0 none, 1 non-aggression pact, 2 entente, 3 defence pact),
        ``capability``, ``decisiveness``. A list for ``credibility``, ``cost_ally``,
        ``interest_committed``, ``interest_uncommitted``, ``pledge`` or ``capability`` gives
        one parameter per ally (``credibility_1``, ...).

    Raises
    ------
    ParameterError
        Naming the parameter: ``members`` not a whole number in [1, 32], a per-ally list of the
        wrong length, a pledge code that does not exist, an unknown parameter, a value outside
        its domain, or a capability at which the contest function is undefined.

    Examples
    --------
    >>> import deterrence as dt
    >>> m = dt.builders.collective_defence(members=5, credibility=0.6)
    >>> m.game().n, m.parameters["members"].default
    (5, 5)
    """
    return _family("collective_defence", "Collective defence: an alliance of many members", "simultaneous",
                   False, _with_members(members, values))


def collective_defence_sequential(members: int | None = None, **values: Any) -> CollectiveDefence:
    """Collective defence with the allies joining one after the other, each seeing who joined before it.

    Same parameters as :func:`collective_defence`; the equilibrium is found by backward
    induction on the capability already joined (each ally joins while that capability is below
    a cutoff of its own, by type).
    """
    return _family("collective_defence_sequential", "Collective defence: allies join in sequence",
                   "sequential", False, _with_members(members, values))


def collective_defence_chain_gang(members: int | None = None, **values: Any) -> CollectiveDefence:
    """Collective defence with a provocation-prone Target (moral hazard: chain-ganging).

    Adds ``initiative`` (the probability that the Target has the crisis initiative), ``revision``
    (its extra prize in a war it provokes) and ``conditional`` (the share of the audience cost a
    pledge waives in such a war) to the parameters of :func:`collective_defence`.
    """
    return _family("collective_defence_chain_gang", "Collective defence with a provocation-prone Target",
                   "simultaneous", True, _with_members(members, values))
