"""The reputation solver, its compact game, its tree detection and its certificate.

* :class:`~deterrence.ReputationGame` builds the same tree as the catalogue's models;
* the solver recognises such trees (whatever the order of branches and actions) and nothing
  else, and says why not; ``auto`` uses it only when the generic PBE solver is too big;
* :func:`deterrence.certificates.certify_reputation` rejects profiles that are not equilibria
  (a wrong mixture, a belief off Bayes' rule, a belief on a type Nature never draws);
* random games of the class (hypothesis): the solver either declines with a typed error or
  returns an equilibrium certified both on the compact states and on the explicit tree.
"""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence.certificates import certify_reputation
from deterrence.errors import GameError, ParameterError, ResourceError, UnsupportedError
from deterrence.game import chance, decision, terminal
from deterrence.game.reputation import QUIET, RESIST, YIELD, CrisisStage, ReputationGame
from deterrence.solvers import choose_method
from deterrence.solvers._reputation_structure import detect

B = dt.builders


def chain(n: int, p=F(1, 10), a=F(2), b=F(1, 2)) -> ReputationGame:
    tables = (((a, 0, -1), (a, -1, 0)), ((0, b - 1, b),) * 2)
    stages = [CrisisStage(f"Entrant{k}", *tables) for k in range(1, n + 1)]
    return ReputationGame("Incumbent", ("tough", "weak"), p, tuple(stages))


# ------------------------------------------------------------------ the compact game and its tree
@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_compact_tree_equals_the_models(n):
    pairs = [(B.chain_store_game(markets=n, p_tough=0.1), B.chain_store(markets=n, p_tough=0.1))]
    if n <= 3:
        pairs.append((B.patron_reputation_game(proteges=n), B.patron_reputation(proteges=n)))
    for compact, model in pairs:
        a, b = compact.tree(), model.game()
        assert a.players == b.players and len(a.nodes) == compact.tree_nodes
        assert [h.name for h in a.infosets] == [h.name for h in b.infosets]
        assert [nd.path for nd in a.nodes] == [nd.path for nd in b.nodes]
        exact = [[[F(x) for x in row] for row in g.payoff_values] for g in (a, b)]
        assert exact[0] == exact[1]
        assert a.terminal_outcomes == b.terminal_outcomes


def test_tree_refuses_to_grow_too_big():
    with pytest.raises(ResourceError, match="nodes"):
        chain(12).tree()
    assert chain(12).tree_nodes == 4 * 3**12 - 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"prior": F(3, 2)}, "prior"),
        ({"prior": "x"}, "number"),
        ({"prior": float("nan")}, "finite"),
        ({"stages": ()}, "at least one stage"),
        ({"types": ("a", "a")}, "types"),
        ({"codes": ("o", "o", "a")}, "codes"),
        ({"stage_labels": (((), ("nonsense",), ()), ((), (), ()))}, "unknown outcome"),
    ],
)
def test_bad_compact_games(kwargs, match):
    base = {"long_run": "I", "types": ("t", "w"), "prior": F(1, 2),
            "stages": (CrisisStage("E1", ((1, 0, -1), (1, -1, 0)), ((0, -1, 1),) * 2),)}
    base.update(kwargs)
    with pytest.raises(GameError, match=match):
        ReputationGame(**base)


def test_bad_stages_and_players():
    with pytest.raises(GameError, match="3 payoffs"):
        CrisisStage("E1", ((1, 0), (1, 0)), ((0, -1, 1),) * 2)
    with pytest.raises(GameError, match="player name"):
        CrisisStage("", ((1, 0, -1), (1, -1, 0)), ((0, -1, 1),) * 2)
    st1 = CrisisStage("E1", ((1, 0, -1), (1, -1, 0)), ((0, -1, 1),) * 2)
    with pytest.raises(GameError, match="distinct"):
        ReputationGame("E1", ("t", "w"), 0.5, (st1,))
    with pytest.raises(GameError, match="distinct"):
        ReputationGame("I", ("t", "w"), 0.5, (st1, st1))
    with pytest.raises(GameError, match="complete history"):
        chain(2).history_payoffs(0, (QUIET,))


def test_builders_check_their_arguments():
    with pytest.raises(ParameterError, match="markets"):
        B.chain_store_game(markets=0)
    with pytest.raises(ParameterError, match="markets"):
        B.chain_store_game(markets=2.5)
    with pytest.raises(ParameterError, match="entry_profit"):
        B.chain_store_game(entry_profit=1.0)
    with pytest.raises(ParameterError, match="monopoly_profit"):
        B.chain_store_game(monopoly_profit=1)
    with pytest.raises(ParameterError, match="orderings"):
        B.patron_reputation_game(war_cost=2)
    with pytest.raises(ParameterError, match="proteges"):
        B.patron_reputation(proteges=7)
    with pytest.raises(ParameterError, match="discount"):
        B.patron_reputation_game(discount=0)


# ------------------------------------------------------------------ detection and dispatch
def _hand_tree(weak_first: bool, yield_first: bool, enter_first: bool, n: int = 2):
    """The chain store written by hand with the branches and actions in another order."""
    a, b, p = F(2), F(1, 2), F(1, 5)

    def sub(t: str, hist: str):
        if len(hist) == n:
            inc = sum(a if r == "o" else {("tough", "f"): 0, ("tough", "a"): -1, ("weak", "f"): -1,
                                          ("weak", "a"): 0}[(t, r)] for r in hist)
            pay = {f"E{k + 1}": {"o": 0, "f": b - 1, "a": b}[r] for k, r in enumerate(hist)}
            return terminal({**pay, "I": inc})
        k = len(hist) + 1
        resp = {"fight": sub(t, hist + "f"), "acquiesce": sub(t, hist + "a")}
        if yield_first:
            resp = dict(reversed(resp.items()))
        inc_node = decision("I", resp, infoset=f"i_{t}_{hist}")
        acts = {"out": sub(t, hist + "o"), "in": inc_node}
        if enter_first:
            acts = dict(reversed(acts.items()))
        return decision(f"E{k}", acts, infoset=f"e_{hist}")

    types = {"tough": (p, sub("tough", "")), "weak": (1 - p, sub("weak", ""))}
    if weak_first:
        types = dict(reversed(types.items()))
    return dt.ExtensiveFormGame(chance(types), players=["E1", "E2", "I"])


@pytest.mark.parametrize("order", [(False, False, False), (True, False, False), (False, True, True),
                                   (True, True, False)])
def test_detection_reads_any_order_of_branches_and_actions(order):
    g = _hand_tree(*order)
    found = detect(g)
    assert not isinstance(found, str), found
    assert found.game.types == ("tough", "weak") and found.game.prior == F(1, 5)
    assert found.game.response_actions == ("fight", "acquiesce")
    assert found.game.challenge_actions == ("out", "in")
    (e,) = dt.solve(g, "pbe", method="reputation", exact=True)
    (ref,) = dt.solve(_hand_tree(False, False, False), "pbe", method="reputation")
    assert e.outcomes == pytest.approx(ref.outcomes) and e.payoffs == pytest.approx(ref.payoffs)
    (gen,) = dt.solve(g, "pbe", method="pbe", belief_policy="d1")  # the generic solver agrees
    for x, y in zip(gen.strategies, e.strategies, strict=True):
        np.testing.assert_allclose(x, y, atol=1e-9)


def test_detection_rejects_other_trees_and_says_why():
    for name in ("extended_deterrence", "unilateral_deterrence", "costly_signal_menu",
                 "snyder_alliance_dilemma"):
        reason = detect(dt.load_model(name).game())
        assert isinstance(reason, str) and "repeated crisis" in reason, (name, reason)
    g = dt.load_model("extended_deterrence").game()
    with pytest.raises(UnsupportedError, match="repeated crisis"):
        dt.solve(g, "pbe", method="reputation")


def test_detection_needs_additive_payoffs():
    g = chain(2).tree()
    rows = [list(r) for r in g.payoff_values]
    rows[3][2] += 1  # one terminal of the incumbent no longer a sum of stage payoffs

    def rebuild(v: int):
        nd = g.nodes[v]
        if nd.kind == "terminal":
            return terminal(rows[g.terminal_index(v)])
        if nd.kind == "chance":
            ci = g.chance_infos[nd.infoset]
            kids = zip(ci.actions, ci.probs, nd.children, strict=True)
            return chance({a: (p, rebuild(c)) for a, p, c in kids})
        h = g.infosets[nd.infoset]
        acts = {a: rebuild(c) for a, c in zip(h.actions, nd.children, strict=True)}
        return decision(g.players[nd.player], acts, infoset=h.name)

    bent = dt.ExtensiveFormGame(rebuild(0), players=g.players)
    assert "sum of stage payoffs" in detect(bent)
    same_types = chain(2, a=F(2))
    both_fight = ReputationGame("I", ("t", "w"), F(1, 2), tuple(
        CrisisStage(s.challenger, ((2, 0, -1), (2, 0, -1)), s.challenger_payoffs) for s in same_types.stages))
    assert "strictly prefers" in detect(both_fight.tree())


def test_auto_uses_the_reputation_solver_only_where_the_generic_one_is_too_big():
    small, big = B.chain_store(markets=2).game(), B.chain_store(markets=3).game()
    assert choose_method(small, "pbe").name == "pbe"
    assert choose_method(big, "pbe").name == "reputation"
    assert choose_method(big, "pbe", max_work=1e300).name == "pbe"
    eqs = dt.solve(big, "pbe", belief_policy="d1")
    assert eqs.method == "reputation" and eqs.belief_policy == "d1" and not eqs.complete
    assert any("sequential equilibrium" in n for n in eqs.notes)
    with pytest.raises(UnsupportedError, match="prior"):
        dt.solve(big, "pbe", belief_policy="prior")


def test_zero_probability_types():
    """Prior 0 (Selten's paradox) and prior 1: a type Nature never draws keeps belief 0 at every
    information set, on and off the path; both certified on the tree and in compact form."""
    for p in (F(0), F(1)):
        game = chain(3, p=p)
        (e,) = dt.solve(game.tree(), "pbe", method="reputation", exact=True)
        for name, belief in e.beliefs.items():
            if name.startswith("entrant") and name != "entrant1":
                tough = next(v for k, v in belief.items() if k.startswith("tough"))
                assert tough == float(p), (name, belief)
        eq = dt.solve_reputation(game)
        assert eq.certificate.passed
    # every label the plays can carry is listed, as on the tree, 0 where the play never goes
    selten = dt.solve_reputation(chain(3, p=F(0))).outcomes
    assert selten == {"status_quo": 0.0, "war": 0.0, "capitulation": 1.0}
    tough = dt.solve_reputation(chain(3, p=F(1))).outcomes
    assert tough == {"status_quo": 1.0, "war": 0.0, "capitulation": 0.0}


# ------------------------------------------------------------------ the certificate
class Tampered:
    """A profile with one answer changed."""

    def __init__(self, base, play=None, posterior=None):
        self.base, self._play, self._posterior = base, play, posterior

    def play(self, k, q):
        out = self.base.play(k, q)
        return self._play(k, q, out) if self._play else out

    def posterior(self, k, q, o):
        out = self.base.posterior(k, q, o)
        return self._posterior(k, q, o, out) if self._posterior else out


def test_certificate_rejects_what_is_not_an_equilibrium():
    game = chain(5)
    eq = dt.solve_reputation(game)
    good = certify_reputation(game, eq.profile)
    assert good.passed and good.exact and good.details["states"] > 5
    # the weak incumbent fights for sure in market 3 instead of mixing: the entrant then should stay out
    bad = Tampered(eq.profile, play=lambda k, q, out: (out[0], out[1], F(1)) if k == 2 else out)
    cert = certify_reputation(game, bad)
    assert not cert.passed and cert.details["regret challenger"] > 0
    # the Weak type resists in the last market
    bad = Tampered(eq.profile, play=lambda k, q, out: (out[0], out[1], F(1)) if k == 4 else out)
    assert certify_reputation(game, bad).details["regret weak"] > 0
    # a posterior off Bayes' rule after a fight
    bad = Tampered(eq.profile, posterior=lambda k, q, o, out: out / 2 if o == RESIST and 0 < out < 1 else out)
    assert certify_reputation(game, bad).bayes_error > 0
    # a quiet market that moves the posterior (signalling what the entrant does not know)
    bad = Tampered(eq.profile, posterior=lambda k, q, o, out: q / 2 if o == QUIET else out)
    assert certify_reputation(game, bad).bayes_error > 0
    # with prior 0, an off-path belief on the Tough type Nature never draws
    g0 = chain(3, p=F(0))
    eq0 = dt.solve_reputation(g0)
    bad = Tampered(eq0.profile, posterior=lambda k, q, o, out: F(1, 2) if o == RESIST else out)
    assert certify_reputation(g0, bad).bayes_error == 0.5
    with pytest.raises(GameError, match="probability"):
        certify_reputation(game, Tampered(eq.profile, play=lambda k, q, out: (F(2), out[1], out[2])))
    with pytest.raises(ResourceError):
        certify_reputation(game, eq.profile, max_states=3)


def test_dt_certify_and_solve_reputation_front_door():
    game = chain(4)
    eq = dt.solve_reputation(game)
    assert dt.certify(game, eq.profile, "pbe").passed
    with pytest.raises(UnsupportedError, match="PBE"):
        dt.certify(game, eq.profile, "nash")
    with pytest.raises(GameError, match="ReputationGame"):
        dt.solve_reputation(game.tree())
    assert eq.play(3, 0.25)["stay_out"] == 0.5
    with pytest.raises(GameError, match="stage"):
        eq.play(0, 0.5)
    rows = eq.path
    assert rows[0] == {"stage": 1, "posterior": 0.1, "probability": 1.0, "quiet": 1.0, "resist_resolute": 1.0,
                       "resist_weak": pytest.approx(7 / 9)}  # 4 to go: 0.1 < b^3, mixes so that 1/8 follows
    assert set(eq.indicators) >= {"p_attack", "p_war"}


def test_types_listed_resolute_first():
    game = chain(2)
    stages = tuple(CrisisStage(s.challenger, tuple(reversed(s.long_run_payoffs)), s.challenger_payoffs)
                   for s in game.stages)
    swapped = ReputationGame("Incumbent", ("weak", "tough"), F(9, 10), stages)
    with pytest.raises(UnsupportedError, match="resolute first"):
        dt.solve_reputation(swapped)


# ------------------------------------------------------------------ random games of the class
_payoff = st.integers(-4, 4).map(F)


@st.composite
def games(draw):
    n = draw(st.integers(1, 3))
    stages = []
    for k in range(n):
        ur = [draw(_payoff) for _ in range(3)]
        uw = [draw(_payoff) for _ in range(3)]
        ur[RESIST] = max(ur[RESIST], ur[YIELD] + 1)
        uw[YIELD] = max(uw[YIELD], uw[RESIST] + 1)
        sr = tuple(draw(_payoff) for _ in range(3))
        sw = tuple(draw(_payoff) for _ in range(3))
        stages.append(CrisisStage(f"C{k}", (tuple(ur), tuple(uw)), (sr, sw)))
    prior = F(draw(st.integers(0, 8)), 8)
    return ReputationGame("L", ("r", "w"), prior, tuple(stages))


@settings(max_examples=60, deadline=None)
@given(games())
def test_random_games_solved_or_declined(game):
    """Either a typed refusal, or an equilibrium certified on the compact states and, exactly, on
    the explicit tree (the two certificates share no code)."""
    try:
        eq = dt.solve_reputation(game)
    except UnsupportedError:
        return
    assert eq.certificate.passed
    (e,) = dt.solve(game.tree(), "pbe", method="reputation", exact=True)
    assert e.certificate.passed
    for label, p in eq.outcomes.items():
        assert e.outcomes[label] == pytest.approx(p, abs=1e-12)


def _tied_game(stage_labels=None) -> ReputationGame:
    """A game hypothesis found where the tree used to be read the other way round: the challengers
    like the weak type's yield less than the resolute type's resist, and both readings (either
    type resolute) are in the solver's class, with different equilibria."""
    zero = (F(0),) * 3
    lr = ((F(0), F(1), F(0)), (F(0), F(0), F(1)))
    quiet_hurts = (zero, (F(-1), F(0), F(0)))
    yield_hurts = (zero, (F(0), F(0), F(-1)))
    stages = (CrisisStage("C0", lr, quiet_hurts), CrisisStage("C1", lr, yield_hurts),
              CrisisStage("C2", lr, quiet_hurts))
    extra = {} if stage_labels is None else {"stage_labels": stage_labels}
    return ReputationGame("L", ("r", "w"), F(1, 8), stages, **extra)


def _compact_terminals(eq, game: ReputationGame) -> dict[str, float]:
    """The terminals (``type.codes``) the compact equilibrium's play reaches, with probabilities,
    by walking its public play stage by stage from the prior."""
    out: dict[str, float] = {}
    resist = [f"{game.response_actions[0]} ({t})" for t in game.types]

    def walk(k: int, q: float, reach: tuple[float, float], code: str) -> None:
        if k == game.num_stages:
            for t, p in enumerate(reach):
                if p > 0:
                    out[f"{game.types[t]}.{code}"] = out.get(f"{game.types[t]}.{code}", 0.0) + p
            return
        play = eq.play(k + 1, q)
        quiet = play[game.challenge_actions[0]]
        walk(k + 1, q, (reach[0] * quiet, reach[1] * quiet), code + game.codes[QUIET])
        for o, share in ((RESIST, lambda r: r), (YIELD, lambda r: 1 - r)):
            nxt = tuple(reach[t] * (1 - quiet) * share(play[resist[t]]) for t in (0, 1))
            if sum(nxt) > 0:
                walk(k + 1, nxt[0] / sum(nxt), nxt, code + game.codes[o])

    walk(0, float(game.prior), (float(game.prior), float(1 - game.prior)), "")
    return out


def test_tree_of_a_compact_game_is_read_as_that_game():
    """Regression: the tree's outcome labels (a yield is ``capitulation``) name the resolute type
    and its response, so the tree solver finds the compact solver's equilibrium, not the one of
    the mirror reading ('w' resolute, 'acquiesce' as resist) the challengers' payoffs suggest."""
    game = _tied_game()
    eq = dt.solve_reputation(game)
    assert eq.certificate.passed
    tree = game.tree()
    found = detect(tree)
    assert (found.game.types, found.game.response_actions) == (("r", "w"), ("fight", "acquiesce"))
    assert found.game.prior == F(1, 8)
    (e,) = dt.solve(tree, "pbe", method="reputation", exact=True)
    assert e.certificate.passed
    assert e.outcomes == pytest.approx(eq.outcomes, abs=1e-12)
    assert eq.outcomes == pytest.approx({"status_quo": 0, "war": 1 / 8, "capitulation": 7 / 8})
    probs = tree.terminal_probabilities(e.strategies)
    reached = {tree.nodes[v].label: float(p) for v, p in zip(tree.terminals, probs, strict=True) if p > 1e-12}
    assert reached == pytest.approx(_compact_terminals(eq, game), abs=1e-12)
    assert reached == pytest.approx({"r.foo": 1 / 8, "w.aoa": 7 / 8})


def test_unlabelled_tree_is_read_by_the_challengers_payoffs():
    """Without outcome labels the tree does not say which response gives in: resist is then the
    response the challengers like less (here 'acquiesce', making 'w' the resolute type)."""
    bare = _tied_game(stage_labels=(((), (), ()), ((), (), ())))
    found = detect(bare.tree())
    assert (found.game.types, found.game.response_actions) == (("w", "r"), ("acquiesce", "fight"))
    assert found.alternative is not None and found.alternative.game.types == ("r", "w")


def test_reputation_solver_gives_the_generic_d1_equilibrium_of_the_chain_store_model():
    """At seeded points of the catalogue's ``chain_store`` (2 markets) the generic PBE solver under
    ``d1`` finds exactly one equilibrium, and the reputation solver's sequential equilibrium is it;
    the reputation solver still says ``complete=False`` (it constructs one equilibrium and proves
    no uniqueness), and under ``free`` the generic solver may find more."""
    import pandas as pd

    from deterrence import kernels

    m = dt.load_model("chain_store")
    points = pd.DataFrame(kernels.domain_sample(m, 8, seed=7))
    for _, row in points.iterrows():
        g = m.game(**{k: float(v) for k, v in row.items()})
        generic = dt.solve(g, "pbe", method="pbe", belief_policy="d1")
        rep = dt.solve(g, "pbe", method="reputation", belief_policy="d1")
        assert generic.complete and not rep.complete
        assert len(generic) == len(rep) == 1
        ours, theirs = (np.concatenate(r[0].strategies) for r in (generic, rep))
        assert np.allclose(ours, theirs, atol=1e-7)
