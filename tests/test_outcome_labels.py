"""Every model's outcome labels follow the definitions of the shared vocabulary.

The definitions (``docs/reference/outcomes.md``, ``deterrence.outcomes.OUTCOMES``) imply rules that
a tree's labels must obey, checked here for every model in the catalogue:

* on every terminal node (of the model and of its baseline): an outcome (``status_quo``,
  ``capitulation``, ``backdown``, ``war`` or ``allied_war``); ``status_quo`` and ``backdown`` alone;
  ``war`` and ``allied_war`` never together; ``entrapment`` only where the ally fights
  (``allied_war``); ``abandonment`` only where it did not (with ``war`` or ``capitulation``); and in
  a no-pledge baseline neither ``abandonment`` nor ``entrapment`` (nothing was promised);
* at the extremes of each parameter (the ends of its domain, or as far as the model's orderings
  allow, the others at their defaults), in every equilibrium the model's first concept finds: the
  same rules as probabilities, and what each model's parameters mean at their extremes (no
  effective pledge: no abandonment and no entrapment; a Hard Defender never concedes; no risk, no
  war; ...), listed per model in ``AT_EXTREMES``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

import deterrence as dt

PRIMARY = ("status_quo", "capitulation", "backdown", "war", "allied_war")
TOL = 1e-9

#: models in which one terminal node stands for several crises (the chain store's markets, the
#: patron's successive crises): a
#: terminal may carry one outcome per market
SEVERAL_CRISES = {"chain_store", "patron_reputation"}
#: solver options that keep the per-point solves fast (pure PBE only where mixed ones take seconds)
OPTIONS = {"asymmetric_escalation": {"mixed": False}, "chain_store": {"mixed": False},
           "costly_signal_menu": {"mixed": False}}
#: in the default run, only these parameters of the slowest model (a solve takes about a second);
#: its utilities (bounded by the orderings' chains) run with ``-m slow``
DEFAULT_RUN = {"asymmetric_escalation": ("p_challenger_hard", "p_defender_hh")}


def p(eq, label: str) -> float:
    return float(eq.outcomes.get(label, 0.0))


def no_pledge(eq) -> bool:
    """No effective pledge: nothing to abandon, no cost of reneging to be entrapped by."""
    return p(eq, "abandonment") <= TOL and p(eq, "entrapment") <= TOL


def no_entrapment(eq) -> bool:
    return p(eq, "entrapment") <= TOL


def every_allied_war_is_entrapment(eq) -> bool:
    return abs(p(eq, "allied_war") - p(eq, "entrapment")) <= 1e-7


def zero(*labels: str) -> Callable:
    def check(eq) -> bool:
        return all(p(eq, lab) <= TOL for lab in labels)

    check.__name__ = "no " + " or ".join(labels)
    return check


def only_the_protege_gives_in(eq) -> bool:
    """TCG-R: capitulation happens only when the unsupported Protege concedes (with abandonment)."""
    return abs(p(eq, "capitulation") - p(eq, "abandonment")) <= 1e-7


#: the attacking side of each model whose roles are fixed: a ``capitulation`` must be decided last by
#: the other side (the attacked state or its ally gives in), a ``backdown`` by this one (brinkmanship's
#: acquiescence follows a chance move, in mutual deterrence either side may attack, and a chain-store
#: terminal ends several markets)
ATTACKERS = {
    "alliance_moral_hazard": ("Adversary",), "asymmetric_escalation": ("Challenger",),
    "costly_signal_menu": ("Challenger",),
    "costly_signal_pledge": ("Challenger",), "egame12": ("Player1",), "egame122": ("Player1",),
    "egame123": ("Player1",), "extended_deterrence": ("Attacker",),
    "extended_deterrence_commitment_types": ("Attacker",),
    "rudimentary_asymmetric_deterrence": ("Challenger",),
    "tripartite_crisis": ("Challenger",), "unilateral_deterrence": ("Challenger",),
}

#: model -> rules at every point, and (parameter, "lo" | "hi") -> rules at that extreme
ALWAYS: dict[str, tuple[Callable, ...]] = {
    "alliance_moral_hazard": (zero("abandonment"),),  # a probabilistic commitment allows staying out
    "tripartite_crisis": (no_entrapment, only_the_protege_gives_in),
    "snyder_alliance_dilemma": (zero("capitulation", "backdown", "war", "allied_war"),),
    **{m: (no_pledge,) for m in ("asymmetric_escalation", "brinkmanship", "chain_store", "egame12",
                                 "egame122", "egame123", "mutual_deterrence",
                                 "rudimentary_asymmetric_deterrence", "unilateral_deterrence")},
}
AT_EXTREMES: dict[str, dict[tuple[str, str], tuple[Callable, ...]]] = {
    "alliance_moral_hazard": {
        ("commitment", "lo"): (no_pledge, zero("allied_war")),  # issue 19: p_abandonment was 0.5 here
        ("conditional", "hi"): (no_entrapment,),  # never assists in a war the protege provoked
    },
    "extended_deterrence": {
        ("audience_cost", "lo"): (no_entrapment,),  # reneging is free: the uncommitted type stays out
        ("credibility", "hi"): (no_entrapment,),  # no uncommitted type
        ("credibility", "lo"): (every_allied_war_is_entrapment,),  # only the uncommitted type
    },
    "extended_deterrence_commitment_types": {
        ("commitment_type", "lo"): (no_pledge,),  # a coalition of convenience: no treaty, no cost
        ("max_audience_cost", "lo"): (no_entrapment,),
        ("max_credibility", "lo"): (every_allied_war_is_entrapment,),
    },
    "costly_signal_pledge": {
        ("audience_cost", "lo"): (no_entrapment,),  # sunk costs tie no hands
        ("resolve", "hi"): (no_entrapment,),  # no irresolute type
    },
    "costly_signal_menu": {("resolve", "hi"): (no_entrapment,)},
    "tripartite_crisis": {
        ("p_determined", "lo"): (zero("allied_war"),),  # a Hesitant Challenger backs down, never fights
        ("p_determined", "hi"): (zero("backdown"),),  # a Determined Challenger never backs down
    },
    "unilateral_deterrence": {
        ("p_defender_hard", "hi"): (zero("capitulation"),),  # a Hard Defender never concedes
        ("p_challenger_hard", "hi"): (zero("backdown"),),  # a Hard Challenger never backs down
    },
    "rudimentary_asymmetric_deterrence": {
        ("p_defender_hard", "hi"): (zero("capitulation"),),
        ("p_defender_hard", "lo"): (zero("war"),),
    },
    "brinkmanship": {("risk", "lo"): (zero("war"),)},  # no risk, no disaster
}


# ------------------------------------------------------------------------ the tree
def _check_terminal(name: str, node: str, labels: tuple[str, ...], baseline: bool) -> None:
    where = f"{name}{' (baseline)' if baseline else ''} node {node} {labels}"
    primary = [lab for lab in labels if lab in PRIMARY]
    assert primary, f"{where}: no outcome among {PRIMARY}"
    assert len(primary) == 1 or name in SEVERAL_CRISES, f"{where}: several outcomes"
    for alone in ("status_quo", "backdown"):
        assert alone not in labels or labels == (alone,), f"{where}: {alone} goes alone"
    if name in SEVERAL_CRISES:  # the rules below hold crisis by crisis, not across crises
        return
    assert not {"war", "allied_war"} <= set(labels), f"{where}: war and allied_war exclude each other"
    if "entrapment" in labels:
        assert "allied_war" in labels, f"{where}: entrapment needs the ally fighting"
    if "abandonment" in labels:
        assert "allied_war" not in labels and ({"war", "capitulation"} & set(labels)), where
    if baseline:
        assert not {"abandonment", "entrapment"} & set(labels), f"{where}: nothing was promised"


def _last_mover(m, node: str) -> str | None:
    """The player of the last decision node on the path to ``node`` (None if only chance moved)."""
    parent = {child: n.id for n in m.nodes for child in n.actions.values()}
    while node in parent:
        node = parent[node]
        if m.node(node).kind == "decision":
            return m.node(node).player
    return None


@pytest.mark.parametrize("name", sorted(ATTACKERS))
def test_who_gives_in(name):
    """``capitulation``: the attacked side gives in; ``backdown``: the attacker withdraws (issue 19:
    the Challenger backing down was labelled capitulation in the UDG and TCG-R)."""
    m = dt.load_model(name)
    for node, labels in m.outcomes().items():
        mover = _last_mover(m, node)
        if "capitulation" in labels:
            assert mover not in ATTACKERS[name], f"{name} node {node}: the attacker does not capitulate"
        if "backdown" in labels:
            assert mover in ATTACKERS[name], f"{name} node {node}: only the attacker backs down"


@pytest.mark.parametrize("name", dt.list_models("files"))  # families: tests/test_collective_defence.py
def test_terminal_labels_follow_the_definitions(name):
    m = dt.load_model(name)
    for node, labels in m.outcomes().items():
        _check_terminal(name, node, labels, baseline=False)
    base = m.baseline()
    for node, labels in base.outcomes().items():
        _check_terminal(name, node, labels, baseline=base is not m)


# ------------------------------------------------------------------------ at the extremes
def _valid(m, values: dict) -> bool:
    try:
        m.game(**values)
    except dt.ParameterError:
        return False
    return True


def extremes(m, name: str) -> list[tuple[str, float]]:
    """(end, value) for both ends of a parameter's domain: the end itself when it is finite, closed
    and allowed by the orderings with the other parameters at their defaults; otherwise the point
    farthest towards it on a fixed ladder that is."""
    par, default = m.parameters[name], m.parameters[name].default
    out = []
    for end, bound in (("lo", par.domain[0]), ("hi", par.domain[1])):
        far = default + (10.0 if end == "hi" else -10.0) * (1 + abs(default))
        target = bound if math.isfinite(bound) else far
        for share in (1.0, 1 - 1e-6, 0.999, 0.99, 0.9, 0.5, 0.1, 0.0):
            value = default + share * (target - default)
            if _valid(m, {name: value}):
                out.append((end, value))
                break
    return out


def _check_equilibrium(eq, where: str) -> None:
    total = sum(p(eq, lab) for lab in PRIMARY)
    assert total >= 1 - 1e-7, f"{where}: outcomes sum to {total}"
    assert p(eq, "entrapment") <= p(eq, "allied_war") + 1e-7, f"{where}: entrapment outside an allied war"
    assert p(eq, "abandonment") <= p(eq, "war") + p(eq, "capitulation") + 1e-7, f"{where}: abandonment"
    ind = eq.indicators
    assert ind["p_attack"] == pytest.approx(1 - p(eq, "status_quo"), abs=1e-12)


@pytest.mark.parametrize("name", dt.list_models("files"))  # families: tests/test_collective_defence.py
def test_labels_at_the_extremes_of_each_parameter(name):
    _check_extremes(name, DEFAULT_RUN.get(name))


@pytest.mark.slow
@pytest.mark.parametrize("name", list(DEFAULT_RUN))
def test_labels_at_the_extremes_of_every_parameter_of_the_slow_models(name):
    _check_extremes(name, None)


def _check_extremes(name: str, only: tuple[str, ...] | None) -> None:
    m = dt.load_model(name)
    concept, options = m.concepts[0], OPTIONS.get(name, {})
    rules = AT_EXTREMES.get(name, {})
    assert all(param in m.parameters for param, _ in rules), "a rule names an unknown parameter"
    checked = set()
    for param in only or m.parameters:
        for end, value in extremes(m, param):
            where = f"{name} at {param} = {value:g} ({end})"
            eqs = dt.solve(m.game(**{param: value}), concept=concept, **options)
            assert len(eqs) >= 1, where
            for eq in eqs:
                _check_equilibrium(eq, where)
                for rule in (*ALWAYS.get(name, ()), *rules.get((param, end), ())):
                    assert rule(eq), f"{where}: {rule.__name__} fails: {dict(eq.outcomes)}"
            if (param, end) in rules:
                bound = m.parameters[param].domain[0 if end == "lo" else 1]
                assert np.isclose(value, bound), f"{where}: the extreme of a rule must be reachable"
                checked.add((param, end))
    assert checked == set(rules)
