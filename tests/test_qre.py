"""Logit quantal-response equilibrium (``deterrence.solvers.qre``).

Oracles: pygambit's ``logit_solve_lambda`` / ``logit_solve_branch`` / ``logit_solve`` (normal
form, and agent QRE on behaviour profiles of trees); the published numbers of
``docs/discussion/derivations.md`` (statistical models: R package ``games``, egame12/122/123; test I1,
the International Interaction Game); backward induction for the lambda -> infinity limit.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import deterrence as dt
from deterrence.errors import ParameterError, UnsupportedError
from deterrence.game import ExtensiveFormGame, chance, decision, terminal
from deterrence.solvers import registry
from deterrence.solvers.qre import qre_at, qre_branch, qre_limit

try:
    import pygambit as gbt
except ImportError:  # pragma: no cover - pygambit is a test dependency
    gbt = None

oracle = [pytest.mark.oracle, pytest.mark.skipif(gbt is None, reason="needs pygambit")]


def with_oracle(fn):
    """Mark a test that compares against pygambit."""
    for mark in oracle:
        fn = mark(fn)
    return fn

LAMS = (0.3, 1.0, 4.0)


# ---------------------------------------------------------------------------- pygambit bridges
def _gbt_normal(arrays):
    return gbt.Game.from_arrays(*[np.asarray(a) for a in arrays])


def _gbt_normal_point(g, lam):
    """pygambit's principal-branch point near ``lam``: (its exact lambda, one vector per player)."""
    r = gbt.qre.logit_solve_lambda(g, lam)[0]
    assert abs(r.lam - lam) < 1e-6
    return r.lam, [np.array([float(r.profile[s]) for s in pl.strategies]) for pl in g.players]


def _matches_normal(game, g, lam, tol=1e-6):
    at, ref = _gbt_normal_point(g, lam)
    pt = qre_at(game, at)
    assert pt.residual < 1e-12
    return _maxdiff(pt.strategies, ref) < tol


def _to_tree(g):
    """A pygambit tree as an ExtensiveFormGame, and gambit's infoset order in ours."""
    players = [p.label or f"P{i}" for i, p in enumerate(g.players)]

    def key(h):
        return f"c{h.number}" if h.player.is_chance else f"{h.player.number}:{h.number}"

    def build(node, acc):
        try:
            acc = acc + np.array([float(node.outcome[p]) for p in g.players])
        except KeyError:  # no outcome attached to this node
            pass
        if node.is_terminal:
            return terminal(list(acc))
        h = node.infoset
        pairs = list(zip(h.actions, node.children, strict=True))
        if h.player.is_chance:
            branches = {f"{k}:{a.label}": (float(a.prob), build(c, acc)) for k, (a, c) in enumerate(pairs)}
            return chance(branches, infoset=key(h))
        actions = {f"{k}:{a.label}": build(c, acc) for k, (a, c) in enumerate(pairs)}
        return decision(players[h.player.number], actions, infoset=key(h))

    game = ExtensiveFormGame(build(g.root, np.zeros(len(players))), players=players, check_labels=False)
    order = [game.infoset_by_name(key(h)).index for p in g.players for h in p.infosets]
    return game, order


def _gbt_tree_point(g, game, order, lam):
    r = gbt.qre.logit_solve_lambda(g, lam)[0]
    # pygambit may stop short on trees whose branch has become pure; compare where it stopped
    assert 0 < r.lam <= lam + 1e-6
    flat = [r[i] for i in range(len(r))]
    out: list = [None] * len(game.infosets)
    k = 0
    for idx in order:
        n = len(game.infosets[idx].actions)
        out[idx] = np.array(flat[k:k + n])
        k += n
    return r.lam, out


def _maxdiff(a, b):
    return max(float(np.max(np.abs(np.asarray(x) - np.asarray(y)))) for x, y in zip(a, b, strict=True))


def _below_bifurcation(lams, bifurcations):
    """Precisions before the first bifurcation point: beyond it the continuation is a convention."""
    first = min(bifurcations, default=math.inf)
    return [lam for lam in lams if lam < first - 1e-3]


# ---------------------------------------------------------------------------- normal form vs pygambit
@with_oracle
def test_random_two_player_games_match_pygambit_at_given_lambda():
    rng = np.random.default_rng(20240601)
    for _ in range(12):
        n, m = rng.integers(2, 7, size=2)
        arrays = [rng.normal(size=(n, m)).round(3) for _ in range(2)]
        game = dt.NormalFormGame(arrays)
        g = _gbt_normal(arrays)
        assert qre_at(game, max(LAMS)).bifurcations == ()  # generic games: no bifurcation on the branch
        for lam in LAMS:
            assert _matches_normal(game, g, lam)


@with_oracle
def test_random_integer_games_match_pygambit_and_branch():
    rng = np.random.default_rng(7)
    for _ in range(6):
        arrays = [rng.integers(-9, 10, size=(4, 3)) for _ in range(2)]
        game = dt.NormalFormGame(arrays)
        g = _gbt_normal(arrays)
        pt = qre_at(game, 2.0)
        for lam in _below_bifurcation((0.5, 2.0), pt.bifurcations):
            assert _matches_normal(game, g, lam)
    # pygambit's whole branch: every point it reports (below 3) lies on ours
    arrays = [np.array([[3, 0, 1], [1, 2, 0]]), np.array([[1, 0, 2], [0, 3, 1]])]
    g = _gbt_normal(arrays)
    game = dt.NormalFormGame(arrays)
    for r in gbt.qre.logit_solve_branch(g)[1:]:
        if r.lam > 3:
            break
        ref = [np.array([float(r.profile[s]) for s in pl.strategies]) for pl in g.players]
        assert _maxdiff(qre_at(game, r.lam).strategies, ref) < 1e-6


@with_oracle
def test_three_player_games_match_pygambit():
    rng = np.random.default_rng(3)
    for shape in [(2, 2, 2), (2, 3, 2), (3, 2, 2)]:
        arrays = [rng.normal(size=shape).round(3) for _ in range(3)]
        game = dt.NormalFormGame(arrays)
        g = _gbt_normal(arrays)
        for lam in LAMS:
            assert _matches_normal(game, g, lam)


@with_oracle
def test_catalogue_normal_form_games_match_pygambit():
    slugs = [s for s in gbt.catalog.games().Game if not gbt.catalog.load(s).is_tree]
    assert len(slugs) >= 5
    compared = 0
    for slug in slugs:
        g = gbt.catalog.load(slug)
        game = dt.NormalFormGame([np.array(a, dtype=float) for a in g.to_arrays()])
        bif = qre_at(game, 10.0).bifurcations
        lams = _below_bifurcation((0.2, 0.5, 2.0, 10.0), bif)
        assert lams, slug  # every catalogue game is compared at least at small precision
        for lam in lams:
            assert _matches_normal(game, g, lam), (slug, lam)
            compared += 1
    assert compared >= 15


@with_oracle
def test_bifurcation_of_battle_of_the_sexes_is_where_pygambit_leaves_the_symmetric_branch():
    g = gbt.catalog.load("journals/ijgt/nau2004/sec3")
    game = dt.NormalFormGame([np.array(a, dtype=float) for a in g.to_arrays()])
    (bif,) = qre_at(game, 3.0).bifurcations
    # pygambit's branch stalls in lambda exactly where it turns onto an asymmetric branch
    lams = [r.lam for r in gbt.qre.logit_solve_branch(g)]
    stall = next(a for a, b in itertools.pairwise(lams) if abs(b - a) < 1e-6)
    assert abs(bif - stall) < 1e-3
    # ours keeps to the branch that respects the game's symmetry and ends at the mixed equilibrium
    lim = qre_limit(game)
    assert _maxdiff(lim.strategies, [[0.6, 0.4], [0.4, 0.6]]) < 1e-12


# ---------------------------------------------------------------------------- trees vs pygambit
@with_oracle
def test_catalogue_trees_agent_qre_matches_pygambit():
    compared = 0
    for slug in gbt.catalog.games().Game:
        g = gbt.catalog.load(slug)
        if not g.is_tree:
            continue
        game, order = _to_tree(g)
        if registry()["qre"].serves(game, "qre") is not None:  # absent-minded: agent QRE not defined here
            with pytest.raises(UnsupportedError):
                qre_at(game, 1.0)
            continue
        for lam in (0.5, 2.0, 8.0):
            at, ref = _gbt_tree_point(g, game, order, lam)
            pt = qre_at(game, at)
            if pt.bifurcations:  # beyond a bifurcation the continuation is a convention
                break
            assert pt.residual < 1e-12
            assert _maxdiff(pt.strategies, ref) < 1e-6, (slug, lam)
            compared += 1
    assert compared >= 75


# ---------------------------------------------------------------------------- published numbers
def _iig():
    """The International Interaction Game tree (derivations.md#international-interaction-game; 12 nodes)."""
    u1 = dict(SQ=0, ACQ1=-1, ACQ2=1, NEG=0.2, CAP1=-1.5, CAP2=1.5, WAR1=-0.5, WAR2=-0.8)
    u2 = dict(SQ=0, ACQ1=1, ACQ2=-1, NEG=-0.1, CAP1=1.5, CAP2=-1.5, WAR1=-0.8, WAR2=-0.5)

    def t(o):
        return terminal({"P1": u1[o], "P2": u2[o]}, label=o)

    n12 = decision("P1", {"fight": t("WAR2"), "capitulate": t("CAP1")}, label="12")
    n11 = decision("P2", {"fight": t("WAR1"), "capitulate": t("CAP2")}, label="11")
    n10 = decision("P2", {"fight": t("WAR1"), "capitulate": t("CAP2")}, label="10")
    n8 = decision("P1", {"fight": t("WAR2"), "capitulate": t("CAP1")}, label="8")
    n9 = decision("P2", {"force": n12, "no_force": t("NEG")}, label="9")
    n7 = decision("P1", {"force": n11, "no_force": t("NEG")}, label="7")
    n5 = decision("P1", {"force": n10, "no_force": n9}, label="5")
    n6 = decision("P2", {"force": n8, "no_force": n7}, label="6")
    n3 = decision("P2", {"counter": n5, "acquiesce": t("ACQ2")}, label="3")
    n4 = decision("P1", {"counter": n6, "acquiesce": t("ACQ1")}, label="4")
    n2 = decision("P2", {"demand": n4, "no_demand": t("SQ")}, label="2")
    n1 = decision("P1", {"demand": n3, "no_demand": n2}, label="1")
    return ExtensiveFormGame(n1, players=["P1", "P2"])


def _outcomes_by_label(game, beh):
    out: dict[str, float] = {}
    for node, p in zip(game.terminals, game.terminal_probabilities(list(beh)), strict=True):
        lab = game.nodes[node].label
        out[lab] = out.get(lab, 0.0) + float(p)
    return out


def _by_node(game, beh):
    """Probability of the first action at each decision node, keyed by the node label."""
    return {game.nodes[h.nodes[0]].label: float(b[0]) for h, b in zip(game.infosets, beh, strict=True)}


def test_i1_international_interaction_game_at_lambda_one():
    game = _iig()
    pt = qre_at(game, 1.0)
    assert pt.residual < 1e-12
    published = dict(SQ=0.123018, ACQ1=0.072763, ACQ2=0.291487, NEG=0.077824, CAP1=0.049475, CAP2=0.094832,
                     WAR1=0.190969, WAR2=0.099631)
    got = _outcomes_by_label(game, pt.strategies)
    for k, v in published.items():
        assert got[k] == pytest.approx(v, abs=1e-6), k
    nodes = _by_node(game, pt.strategies)
    expected = {"1": 0.699405, "2": 0.590751, "3": 0.583235, "4": 0.590245, "5": 0.659374, "6": 0.672889,
                "7": 0.490907, "8": 0.668188, "9": 0.565527, "10": 0.668188, "11": 0.668188, "12": 0.668188}
    for k, v in expected.items():
        assert nodes[k] == pytest.approx(v, abs=1e-6), k


def _backward_induction(game):
    """Pure SPE of a generic perfect-information tree (chance allowed): one-hot behaviour."""
    beh = [np.zeros(len(h.actions)) for h in game.infosets]

    def value(v):
        nd = game.nodes[v]
        if nd.kind == "terminal":
            return game.payoffs[game.terminal_index(v)]
        vals = [value(c) for c in nd.children]
        if nd.kind == "chance":
            probs = [float(p) for p in game.chance_infos[nd.infoset].probs]
            return sum(p * x for p, x in zip(probs, vals, strict=True))
        best = int(np.argmax([x[nd.player] for x in vals]))
        beh[nd.infoset][best] = 1.0
        return vals[best]

    value(0)
    return beh


def test_i1_large_lambda_and_limit_is_the_spe():
    game = _iig()
    pt = qre_at(game, 1000.0)
    assert pt.residual < 1e-12
    assert _outcomes_by_label(game, pt.strategies)["NEG"] > 1 - 1e-9
    lim = qre_limit(game)
    assert _maxdiff(lim.strategies, _backward_induction(game)) == 0.0
    assert _outcomes_by_label(game, lim.strategies)["NEG"] == 1.0
    eqs = dt.solve(game, "qre")
    assert eqs[0].lam is None and eqs[0].certificate.passed and eqs[0].regret <= 1e-12


def _egame12(u11, u13, u14, u24):
    return ExtensiveFormGame(decision("1", {
        "L": terminal({"1": u11, "2": 0.0}),
        "R": decision("2", {"L": terminal({"1": u13, "2": 0.0}), "R": terminal({"1": u14, "2": u24})}),
    }), players=["1", "2"])


def test_g1_egame12_logit_and_probit_agent():
    game = _egame12(0.5, 1.0, -1.0, 0.5)
    lam = 1 / math.sqrt(2)  # the games package's agent model: scale sqrt(2)
    rows = {"logit": (0.587479, 0.382898, (0.617102, 0.157953, 0.224944)),
            "probit": (0.638163, 0.291521, (0.708479, 0.105483, 0.186038))}
    for link, (p4, p2, outcomes) in rows.items():
        pt = qre_at(game, lam, link=link)
        assert pt.residual < 1e-12
        first, second = pt.strategies  # root (player 1), then player 2
        assert second[1] == pytest.approx(p4, abs=1e-6)
        assert first[1] == pytest.approx(p2, abs=1e-6)
        probs = game.terminal_probabilities(list(pt.strategies))
        assert np.allclose(probs, outcomes, atol=1e-6)


def test_g2_g3_probit_agent_egame122_and_egame123():
    g122 = ExtensiveFormGame(decision("1", {
        "L": decision("2", {"L": terminal({"1": 1.0, "2": 0.0}), "R": terminal({"1": 0.0, "2": -0.5})}),
        "R": decision("2", {"L": terminal({"1": 0.5, "2": 0.0}), "R": terminal({"1": 2.0, "2": 1.0})}),
    }), players=["1", "2"])
    pt = qre_at(g122, 1 / math.sqrt(2), link="probit")
    assert np.allclose(g122.terminal_probabilities(list(pt.strategies)),
                       (0.152690, 0.086575, 0.182386, 0.578349), atol=1e-6)
    assert pt.strategies[0][1] == pytest.approx(0.760736, abs=1e-6)
    u = dict(u11=0, u13=1, u15=-1, u16=2, u23=0.5, u25=1, u26=-1, u36=0.3)
    g123 = ExtensiveFormGame(decision("1", {
        "L": terminal({"1": u["u11"], "2": 0, "3": 0}),
        "R": decision("2", {
            "L": terminal({"1": u["u13"], "2": u["u23"], "3": 0}),
            "R": decision("3", {"L": terminal({"1": u["u15"], "2": u["u25"], "3": 0}),
                                "R": terminal({"1": u["u16"], "2": u["u26"], "3": u["u36"]})}),
        }),
    }), players=["1", "2", "3"])
    pt = qre_at(g123, 1 / math.sqrt(2), link="probit")
    p2, p4, p6 = (float(s[1]) for s in pt.strategies)
    assert (p2, p4, p6) == pytest.approx((0.742567, 0.318340, 0.583998), abs=1e-6)
    assert np.allclose(g123.terminal_probabilities(list(pt.strategies)),
                       (0.257433, 0.506178, 0.098338, 0.138051), atol=1e-6)


# ---------------------------------------------------------------------------- per-player precision
def test_per_player_precision_matches_closed_form_recursion():
    u11, u13, u14, u24 = 0.5, 1.0, -1.0, 0.5
    game = _egame12(u11, u13, u14, u24)
    lam1, lam2 = 0.4, 2.5
    pt = qre_at(game, [lam1, lam2])
    p4 = 1 / (1 + math.exp(-lam2 * u24))
    p2 = 1 / (1 + math.exp(-lam1 * ((1 - p4) * u13 + p4 * u14 - u11)))
    assert pt.strategies[1][1] == pytest.approx(p4, abs=1e-12)
    assert pt.strategies[0][1] == pytest.approx(p2, abs=1e-12)
    # the same through solve(), certified at the per-player precision
    eqs = dt.solve(game, "qre", lam=[lam1, lam2])
    assert eqs[0].lam == (lam1, lam2) and eqs[0].certificate.qre_residual < 1e-12


def test_per_player_precision_normal_form_is_a_fixed_point():
    rng = np.random.default_rng(11)
    game = dt.NormalFormGame([rng.normal(size=(3, 2, 2)) for _ in range(3)])
    lams = (0.5, 3.0, 1.5)
    pt = qre_at(game, lams)
    assert pt.residual < 1e-12
    for i, lam in enumerate(lams):  # independent check of sigma_i = softmax(lambda_i u_i)
        u = game.deviation_payoffs(list(pt.strategies), i)
        target = np.exp(lam * (u - u.max()))
        assert np.allclose(pt.strategies[i], target / target.sum(), atol=1e-12)
    # equal precisions reduce to the scalar case
    assert _maxdiff(qre_at(game, [2.0] * 3).strategies, qre_at(game, 2.0).strategies) < 1e-12
    # a zero precision for one player keeps that player uniform
    pt0 = qre_at(game, (0.0, 3.0, 1.5))
    assert np.allclose(pt0.strategies[0], [1 / 3] * 3, atol=1e-12)


# ---------------------------------------------------------------------------- the limit
@with_oracle
def test_limit_of_random_normal_games_is_an_exact_nash_equilibrium_near_pygambit():
    rng = np.random.default_rng(5)
    for k in range(8):
        players = 2 if k < 6 else 3
        shape = tuple(int(x) for x in rng.integers(2, 5, size=players))
        arrays = [rng.normal(size=shape).round(4) for _ in range(players)]
        game = dt.NormalFormGame(arrays)
        lim = qre_limit(game)
        assert lim.settled
        assert float(game.regrets(list(lim.strategies)).max()) < 1e-12
        g = _gbt_normal(arrays)
        ref = gbt.nash.logit_solve(g).equilibria[0]
        ref = [np.array([float(ref[s]) for s in pl.strategies]) for pl in g.players]
        assert _maxdiff(lim.strategies, ref) < 1e-4
        eqs = dt.solve(game, "qre")
        assert eqs[0].lam is None and eqs[0].certificate.passed


def _random_perfect_information_tree(rng, players=("A", "B", "C"), depth=4):
    def node(d):
        if d == 0 or (d < depth and rng.random() < 0.25):
            return terminal({p: float(rng.normal()) for p in players})
        if rng.random() < 0.2:
            return chance({f"c{k}": (pr, node(d - 1)) for k, pr in enumerate((0.3, 0.7))})
        n = int(rng.integers(2, 4))
        return decision(str(rng.choice(players)), {f"a{k}": node(d - 1) for k in range(n)})

    return ExtensiveFormGame(decision(players[0], {"x": node(depth - 1), "y": node(depth - 1)}),
                             players=list(players))


def test_limit_on_generic_perfect_information_trees_is_the_spe():
    rng = np.random.default_rng(17)
    for _ in range(6):
        game = _random_perfect_information_tree(rng)
        lim = qre_limit(game)
        assert _maxdiff(lim.strategies, _backward_induction(game)) == 0.0


@with_oracle
def test_limit_on_catalogue_trees_is_a_nash_equilibrium():
    for slug in ("journals/ijgt/selten1975/fig1", "journals/ijgt/selten1975/fig3", "books/myerson1991/fig4_2",
                 "journals/geb/bagwell1995", "books/vonstengel2022/fig10.12"):
        game, _ = _to_tree(gbt.catalog.load(slug))
        eqs = dt.solve(game, "qre")
        assert eqs[0].lam is None and eqs[0].certificate.passed, slug
        assert eqs[0].regret < 1e-12, slug
    # without perfect recall the limit is an equilibrium of the agent form, labelled as such; in
    # Wichardt's (2008) game no Nash equilibrium in behaviour strategies exists, so it is not Nash
    game, _ = _to_tree(gbt.catalog.load("journals/geb/wichardt2008"))
    eqs = dt.solve(game, "qre")
    assert not eqs.complete and any("agent form" in n for n in eqs.notes)
    assert eqs[0].certificate.passed and "agent_regret" in eqs[0].certificate.details
    assert not dt.certify(game, eqs[0].strategies, "nash").passed
    assert dt.solve(game, "qre", lam=2.0)[0].certificate.passed
    # Selten's horse: the limit selects the perfect equilibrium path (1 and 2 play R)
    game, _ = _to_tree(gbt.catalog.load("journals/ijgt/selten1975/fig1"))
    lim = qre_limit(game)
    assert lim.strategies[0][0] == 1.0 and lim.strategies[1][0] == 1.0


# ---------------------------------------------------------------------------- solver protocol
def test_solve_point_trace_and_branch_arrays():
    game = dt.NormalFormGame([np.array([[3, 0], [5, 1]]), np.array([[3, 5], [0, 1]])])
    eqs = dt.solve(game, "qre", lam=2.0, trace=True)
    assert eqs.method == "qre" and not eqs.complete
    assert eqs[0].lam == 2.0 and len(eqs) > 3
    lams = [e.lam for e in eqs][1:]
    assert lams[0] == 0.0 and all(a < b for a, b in itertools.pairwise(lams))
    assert all(e.certificate.passed for e in eqs)
    br = qre_branch(game, 5.0)
    assert br.probs.shape == (len(br), 4) and br.lam[0] == 0.0 and br.lam[-1] == 5.0
    assert br.columns == ("1:1", "1:2", "2:1", "2:2")
    assert np.allclose(br.profile(len(br) - 1)[0], qre_at(game, 5.0).strategies[0], atol=1e-12)
    assert np.allclose(br.probs.reshape(len(br), 2, 2).sum(axis=2), 1.0)
    tree = _iig()
    br = qre_branch(tree, [1.0, 2.0])
    assert np.allclose(br.lam_per_player[-1], [1.0, 2.0])
    assert br.columns[0] == "P1:" + tree.infosets[0].name + ":demand"


def test_zero_probability_chance_branch():
    game = ExtensiveFormGame(chance({
        "never": (0.0, decision("A", {"l": terminal({"A": 1, "B": 0}), "r": terminal({"A": 0, "B": 1})})),
        "always": (1.0, decision("B", {"l": terminal({"A": 2, "B": 0}), "r": terminal({"A": 0, "B": 2})})),
    }), players=["A", "B"])
    pt = qre_at(game, 3.0)
    assert pt.residual < 1e-12
    assert np.allclose(pt.strategies[0], [np.exp(3) / (np.exp(3) + 1), 1 / (np.exp(3) + 1)])


def test_bad_input_raises_typed_errors():
    game = dt.NormalFormGame([np.eye(3), np.eye(3)])
    with pytest.raises(ParameterError, match="lam"):
        dt.solve(game, "qre", lam=-1.0)
    with pytest.raises(ParameterError, match="2 players"):
        dt.solve(game, "qre", lam=[1.0, 2.0, 3.0])
    with pytest.raises(UnsupportedError, match="unknown option"):
        dt.solve(game, "qre", lam=1.0, precision=3)
    with pytest.raises(UnsupportedError, match="link"):
        dt.solve(game, "qre", lam=1.0, link="probit")
    with pytest.raises(UnsupportedError, match="two actions"):
        qre_at(game, 1.0, link="probit")
    absent_minded = ExtensiveFormGame(decision("D", {
        "exit": terminal({"D": 0}),
        "go": decision("D", {"exit": terminal({"D": 4}), "go": terminal({"D": 1})}, infoset="h"),
    }, infoset="h"), players=["D"])
    with pytest.raises(UnsupportedError, match="absent-mindedness"):
        dt.solve(absent_minded, "qre", method="qre", lam=1.0)
