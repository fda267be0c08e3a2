"""The signalling trees' faster paths give what the slower ones gave, and the shortcuts equal the long way.

* ``chain_store`` and ``costly_signal_menu`` at seeded points (with Nature's probability at 0 and
  1) under every belief policy give the equilibria, labels, certificates, ``complete`` flags and
  notes recorded before the sweep-speed work (``tests/data/signalling_pbe_regression.json``,
  made by ``tests/helpers/signalling_points.py``);
* a model's games built from its template (:class:`deterrence.model._numeric.GameTemplate`)
  equal the games built node by node;
* a replayed pattern search equals a fresh one, and a verdict at its threshold forces a fresh one;
* the compiled belief-support test equals the Python test it replaced (kept here as the oracle);
* the compiled deviation walk of the certificates equals the Python walk bit for bit.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers.signalling_points import DATA, record, solve_all

import deterrence as dt
from deterrence import certificates, kernels
from deterrence.errors import GameError
from deterrence.model._numeric import build_game, check_values
from deterrence.solvers import _pbe_patterns, _pbe_pruning
from deterrence.solvers._tree_utils import child_tables, prior_mass

MODELS = ("chain_store", "costly_signal_menu", "asymmetric_escalation", "tripartite_crisis", "egame12")


def _close(a, b, path: str = "") -> None:
    """Equal records: numbers within 1e-8 (profiles, beliefs) or 1e-12 (regrets), the rest exactly."""
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            _close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and not isinstance(b, bool):
        assert b == pytest.approx(a, abs=1e-12 if path.endswith(("regret", "bayes_error")) else 1e-8), path
    else:
        assert a == b, path


def test_signalling_trees_solve_as_they_did():
    expected = json.loads(DATA.read_text())
    found = solve_all()
    assert found.keys() == expected.keys()
    for key in expected:
        _close(expected[key], found[key], key)


def test_template_games_equal_games_built_node_by_node():
    for name in MODELS:
        model = dt.load_model(name)
        sample = kernels.domain_sample(model, 4, seed=3)
        for i in range(4):
            values = {k: float(v[i]) for k, v in sample.items()}
            for exact in (True, False):
                game = model.game(**values, exact=exact)
                vals = check_values(model.parameters, model.name, values)
                pay, prob = model._exact_numbers(vals, True) if exact else model._float_numbers(vals, True)
                ref = build_game(model._tree, model.players, model.title, pay, prob, model._where)
                assert game is not ref and game.payoff_values == ref.payoff_values
                assert np.array_equal(game.payoffs, ref.payoffs)
                assert game.chance_infos == ref.chance_infos
                assert np.array_equal(game._chance_prob, ref._chance_prob)
                assert dt.write_game(game) == dt.write_game(ref)
                assert game.subgame_roots() == ref.subgame_roots()
                assert np.array_equal(game.own_sequences()[0], ref.own_sequences()[0])


def test_template_copies_are_checked_and_keep_their_own_numbers():
    model = dt.load_model("chain_store")
    first, second = model.game(p_tough=0.25), model.game(p_tough=0.5)
    assert first.chance_infos[0].probs != second.chance_infos[0].probs
    rows = [[float("nan")] * first.num_players] + [list(r) for r in first.payoff_values[1:]]
    with pytest.raises(GameError, match="finite"):
        first.with_numbers(rows, [c.probs for c in first.chance_infos])
    with pytest.raises(GameError, match="outside"):
        first.with_numbers(first.payoff_values, [(1.5, -0.5)])
    with pytest.raises(dt.ParameterError):
        model.game(p_tough=1.5)  # the model's checks come first, template or not


def _search_inputs(game):
    allowed = _pbe_pruning.iterated_undominated_actions(game, 1e-12)
    prior = prior_mass(game)
    possible = []
    for h in game.infosets:
        mask = prior[list(h.nodes)] > 0
        possible.append(mask if mask.any() else np.ones(len(mask), dtype=bool))
    return allowed, possible


def test_replayed_pattern_searches_equal_fresh_ones(monkeypatch):
    replays = _pbe_pruning._Replays()
    monkeypatch.setattr(_pbe_pruning, "_REPLAYS", replays)
    model = dt.load_model("costly_signal_menu")
    sample = kernels.domain_sample(model, 40, seed=8)
    for i in range(40):
        game = model.game(**{k: float(v[i]) for k, v in sample.items()})
        allowed, possible = _search_inputs(game)
        got = _pbe_pruning.cached_patterns(_pbe_patterns.feasible_patterns, game, allowed, possible, 1e-12)
        assert got == _pbe_patterns.feasible_patterns(game, allowed, possible, 1e-12)
    searches = next(replays.serials) - 1  # the serial numbers given so far: one per search run
    assert 0 < searches < 40  # some searches were replayed, some ran


def _verdicts(game):
    allowed, possible = _search_inputs(game)
    memo: dict = {}
    _pbe_patterns.feasible_patterns(game, allowed, possible, 1e-12, memo=memo)
    ks, rows = _pbe_pruning._verdict_rows(game, memo)
    return ks, rows, np.array(list(memo.values()), dtype=bool), _pbe_pruning._VerdictTables(game, possible)


def test_a_verdict_at_its_threshold_is_not_replayed():
    model = dt.load_model("costly_signal_menu")
    # at the defaults a support ties another action exactly: too close to call, so no replay
    ks, rows, verdicts, tables = _verdicts(model.game())
    assert not tables.agree(ks, rows, verdicts, 1e-12)
    # at a point of the domain every verdict is clear of its threshold: the search replays
    sample = kernels.domain_sample(model, 1, seed=8)
    ks, rows, verdicts, tables = _verdicts(model.game(**{k: float(v[0]) for k, v in sample.items()}))
    assert tables.agree(ks, rows, verdicts, 1e-12)
    assert not tables.agree(ks, rows, ~verdicts, 1e-12)
    tables.margin = 10.0  # every comparison now counts as too close to call
    assert not tables.agree(ks, rows, verdicts, 1e-12)


def _admits_python(game, possible, tol, pattern, reach):
    """The belief-support test as the Python code before the compiled pass wrote it (the oracle)."""
    pruner = _pbe_pruning.BeliefSupportPruner(game, possible, tol)
    lo, hi = pruner._bounds(pattern)
    kids = child_tables(game)
    above = pruner._above(game)
    for k, h in enumerate(game.infosets):
        nodes = np.array(h.nodes)
        mask = (reach[nodes] > 0) & possible[k]
        if not mask.any():
            continue
        klo, khi = lo[kids[k][mask], h.player], hi[kids[k][mask], h.player]
        if all(len(pattern[j]) == 1 for j in above[k]):
            w = reach[nodes][mask]
            mu = w / w.sum()
            klo, khi = (mu @ klo)[None, :], (mu @ khi)[None, :]
        for a in pattern[k]:
            for b in range(len(h.actions)):
                if b != a and not np.any(khi[:, a] >= klo[:, b] - tol):
                    return False
    return True


@pytest.mark.parametrize("name", ["chain_store", "costly_signal_menu", "asymmetric_escalation"])
def test_compiled_belief_support_test_equals_the_python_test(name):
    game = dt.load_model(name).game()
    allowed, possible = _search_inputs(game)
    pure, mixed = _pbe_patterns.feasible_patterns(game, allowed, possible, 1e-12)
    patterns = (pure + mixed)[:400]
    pruner = _pbe_pruning.BeliefSupportPruner(game, possible, 1e-12)
    verdicts = pruner.admits_all(patterns)
    for pattern, ok in zip(patterns, verdicts, strict=True):
        ind = [np.zeros(len(h.actions)) for h in game.infosets]
        for b, s in zip(ind, pattern, strict=True):
            b[list(s)] = 1.0
        assert ok == _admits_python(game, possible, 1e-12, pattern, game.realization_probabilities(ind))
    assert 0 < verdicts.sum() < len(patterns)


def test_compiled_deviation_walk_equals_the_python_walk(monkeypatch):
    rng = np.random.default_rng(1)
    for name in MODELS:
        game = dt.load_model(name).game()
        for _ in range(3):
            beh = [rng.dirichlet(np.ones(len(h.actions))) for h in game.infosets]
            nums = certificates._TreeNumbers(game, beh, False)
            for h in game.infosets:
                starts = list(zip(h.nodes, rng.dirichlet(np.ones(len(h.nodes))).tolist(), strict=True))
                fast = certificates._deviation_gain_compiled(nums, h.player, starts)
                with monkeypatch.context() as m:
                    m.setattr(certificates, "_deviation_gain_compiled", lambda *a: None)
                    slow = certificates._deviation_gain(nums, h.player, starts)
                assert fast is not None and fast == slow  # bit for bit


def test_records_are_those_of_a_solve():
    eqs = dt.solve(dt.load_model("chain_store").game(), "pbe", belief_policy="d1")
    rec = record(eqs)
    assert rec["complete"] and len(rec["equilibria"]) == len(eqs)


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_kept_pattern_specs_equal_fresh_ones(policy):
    """The specs kept in the tree's cache (keyed by the policy and the zero chance moves) equal
    those worked out afresh at another point of the same model, Nature's zero included."""
    from deterrence.solvers import pbe

    model = dt.load_model("chain_store")
    for p in (0.3, 0.0, 0.6):  # 0.6 finds the specs that 0.3 left in the cache
        game = model.game(p_tough=p)
        dt.solve(game, "pbe", belief_policy=policy)  # fills the cache
        ctx = pbe._Ctx(game=game, tol=1e-12, policy=policy, kids=child_tables(game), prior=prior_mass(game),
                       senders=pbe._sender_sets(game))
        allowed, possible = _search_inputs(game)
        _, mixed = _pbe_patterns.feasible_patterns(game, allowed, possible, 1e-12)
        for pattern in mixed[:60]:
            sets = [k for k, s in enumerate(pattern) if len(s) > 1]
            kept = pbe._specs_of(ctx, pattern, sets, None)
            fresh = pbe._specs_uncached(ctx, pattern, sets, None)
            assert (kept is None) == (fresh is None)
            if kept is not None:
                assert np.array_equal(kept[0], fresh[0]) and kept[1:] == fresh[1:]


def _node_values_numpy(game, beh):
    """Node values as the numpy code before the compiled fold computed them (the oracle)."""
    edge = game.edge_probabilities(beh)
    val = np.zeros((len(game.nodes), game.num_players))
    val[game._terminal_idx] = game.payoffs
    if game._deep:
        for v in range(len(game.nodes) - 1, 0, -1):
            val[game._parent[v]] += edge[v] * val[v]
        return val
    for level in reversed(game._levels):
        np.add.at(val, game._parent[level], edge[level][:, None] * val[level])
    return val


def test_compiled_node_values_equal_the_numpy_fold():
    from deterrence.game import ExtensiveFormGame, decision, terminal

    node = terminal([0.0, 1.0])
    for i in range(150):  # deep and narrow: the last-node-first order
        node = decision("A" if i % 2 else "B", {"stop": terminal([float(i), -float(i)]), "go": node})
    games = [dt.load_model(name).game() for name in MODELS] + [ExtensiveFormGame(node)]
    assert games[-1]._deep and not games[0]._deep
    rng = np.random.default_rng(2)
    for game in games:
        for _ in range(4):
            beh = [rng.dirichlet(np.ones(len(h.actions))) for h in game.infosets]
            assert np.array_equal(game.node_values(beh), _node_values_numpy(game, beh))
