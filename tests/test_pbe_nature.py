"""Nature's zero-probability moves carry zero belief, and equilibrium sets say how many classes they hold.

* Under every belief policy the PBE solver puts no belief on a node that Nature reaches with
  probability 0 when its information set has other nodes (Nature's probabilities are fixed, so no
  consistent assessment weighs such a node); the certificate refuses such beliefs on its own.
* ``EquilibriumSet.classes`` groups equilibria by their play on the path;
  ``class_summary`` says how many classes and how they differ.
"""

from __future__ import annotations

import numpy as np
import pytest

import deterrence as dt
from deterrence.game import chance, decision, terminal
from deterrence.solvers._tree_utils import prior_mass

AEG = dt.load_model("asymmetric_escalation")


def _zero_type_signalling(p_strong: float = 0.0) -> dt.ExtensiveFormGame:
    """Nature draws a strong (probability ``p_strong``) or weak challenger; it fights or quits; the
    defender, seeing only a fight, attacks or retreats. Attacking pays the defender only against the
    strong type (+2; -1 against the weak), and either type loses by fighting into an attack."""
    def branch(kind: str, d_attack: int):
        return decision("C", {
            "quit": terminal({"C": 0, "D": 2}),
            "fight": decision("D", {"attack": terminal({"C": -1, "D": d_attack}),
                                    "retreat": terminal({"C": 1, "D": 0})}, infoset="after fight"),
        }, infoset=f"C {kind}")

    return dt.ExtensiveFormGame(chance({"strong": (p_strong, branch("strong", 2)),
                                        "weak": (1 - p_strong, branch("weak", -1))}), players=["C", "D"])


def _belief_on_impossible_nodes(game, eqs) -> float:
    nature = prior_mass(game)
    worst = 0.0
    for e in eqs:
        for h in game.infosets:
            possible = nature[list(h.nodes)] > 0
            if possible.any() and not possible.all():
                mu = np.array([e.beliefs[h.name][game.nodes[v].path] for v in h.nodes])
                worst = max(worst, float(mu[~possible].sum()))
    return worst


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_no_belief_on_a_type_nature_never_draws(policy):
    """The Asymmetric Escalation Game with two of the Defender's four types drawn with probability 0
    (issue 14: under 'free' the solver used to return 72 pure PBE here, every one resting on such
    a belief). Pure PBE under each policy, none weighting an impossible node; each certified."""
    g = AEG.game(p_defender_hh=0.5, p_defender_hs=0.0, p_defender_sh=0.5)
    eqs = dt.solve(g, "pbe", belief_policy=policy, mixed=False)
    assert len(eqs) >= 1
    assert _belief_on_impossible_nodes(g, eqs) == 0
    assert all(e.certificate.details["nature_error"] == 0 for e in eqs)
    if policy == "free":
        assert len(eqs) == 16 and eqs.class_summary().startswith("16 equilibria in 1 class")


def test_free_policy_cannot_deter_with_an_impossible_type():
    """Only the weak challenger exists, so after a fight the defender retreats and the challenger
    fights: the one PBE. Before the fix, an off-path belief on the impossible strong type made
    'attack' optimal and supported a second PBE in which the challenger is deterred."""
    g = _zero_type_signalling(0.0)
    (e,) = dt.solve(g, "pbe", belief_policy="free")
    assert e.beliefs["after fight"]["strong/fight"] == 0
    assert e.profile["D"]["after fight"]["retreat"] == pytest.approx(1)
    assert e.profile["C"]["C weak"]["fight"] == pytest.approx(1)


def test_the_certificate_refuses_belief_on_an_impossible_node():
    g = _zero_type_signalling(0.0)
    # both types quit, the defender would attack: supported only by a belief on the strong type
    beh = [np.array([1.0, 0.0]) for _ in g.infosets]  # quit, quit, attack (first actions)
    on_strong = [np.ones(1) if len(h.nodes) == 1 else np.array([1.0, 0.0]) for h in g.infosets]
    cert = dt.certify(g, beh, "pbe", beliefs=on_strong)
    assert not cert.passed and cert.details["nature_error"] == 1.0 and cert.bayes_error == 1.0
    # with the strong type possible the same assessment is a (weak) PBE
    h = _zero_type_signalling(0.3)
    assert dt.certify(h, beh, "pbe", beliefs=on_strong).passed


def test_classes_group_by_play_on_the_path():
    """Chain store, two markets, free beliefs: three PBE in two classes (the Kreps–Wilson path, and
    one more path reached by two PBE that differ only off it)."""
    eqs = dt.solve(dt.load_model("chain_store").game(), "pbe", belief_policy="free")
    groups = eqs.classes()
    assert sorted(len(g) for g in groups) == [1, 2] and len(eqs) == 3
    for g in groups:
        outcomes = [eqs[i].outcomes for i in g]
        assert all(o == pytest.approx(outcomes[0]) for o in outcomes)
    assert eqs.class_summary() == ("3 equilibria in 2 classes, which differ on the path; within a class they "
                                   "differ only off the path (class sizes 1, 2)")
    one = dt.solve(dt.load_model("chain_store").game(), "pbe", belief_policy="d1")
    assert one.classes() == ((0,),) and one.class_summary() == "1 equilibrium"
    a = np.array([[3, 0, 1], [0, 2, 0], [1, 0, 2]])
    b = np.array([[2, 0, 1], [0, 3, 0], [0, 1, 1]])
    nash = dt.solve(dt.NormalFormGame([a, b]))
    assert len(nash.classes()) == len(nash) and "differ on the path" in nash.class_summary()
