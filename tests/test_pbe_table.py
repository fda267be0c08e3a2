"""The PBE solver's per-solve pure table and its box-contraction screen change nothing it finds.

* :class:`~deterrence.solvers._pbe_table.PureTable`: a pattern's vertex rows carry the numbers
  the per-pattern batch evaluation gives, the sets they reach are those the indicator profile
  reaches, and forced rows are the profiles with the deviations played; the solver finds the
  same equilibria, beliefs and notes with the table as without it (catalogue models at seeded
  points, random signalling trees);
* :func:`~deterrence.solvers._pbe_contract.box_may_vanish` never rules out a system with a root in
  the box (random multilinear systems made to vanish at a random point), rules out the
  contradictory systems it is there for, and the solver finds the same with the screen as with
  every such system sent to sympy's Gröbner bases.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pbe_patterns import signalling_trees

import deterrence as dt
from deterrence import kernels
from deterrence.solvers import _pbe_contract, _pbe_multilinear, _pbe_patterns, _pbe_table
from deterrence.solvers._pbe_context import _INTERIOR
from deterrence.solvers._tree_utils import BatchTree, child_tables, prior_mass, undominated_actions


def _summary(res) -> tuple:
    eqs = sorted((tuple(np.round(np.concatenate(e.strategies), 7)),
                  tuple(np.round([float(p) for b in e.beliefs.values() for p in b.values()], 7)))
                 for e in res.equilibria)
    return eqs, res.complete, tuple(res.notes)


def _without(monkeypatch, target, name, value):
    monkeypatch.setattr(target, name, value)


def _points(name: str, n: int) -> list[dict[str, float]]:
    m = dt.load_model(name)
    pts = pd.DataFrame(kernels.domain_sample(m, n, seed=3))
    out = [{k: float(v) for k, v in r.items()} for _, r in pts.iterrows()]
    first = {"chain_store": "p_tough", "costly_signal_menu": "resolve"}[name]
    return [*out, {first: 0.0}, {first: 1.0}]  # Nature's zero-probability moves


def _table(game) -> _pbe_table.PureTable:
    allowed = undominated_actions(game, 1e-12)
    return _pbe_table.PureTable(game, allowed, BatchTree(game), child_tables(game), prior_mass(game))


# ---------------------------------------------------------------------------------- the table
@pytest.mark.parametrize("name", ["chain_store", "costly_signal_menu"])
def test_table_rows_are_the_patterns_vertex_profiles(name):
    game = dt.load_model(name).game(**_points(name, 1)[0])
    allowed = undominated_actions(game, 1e-12)
    table = _table(game)
    batch = BatchTree(game)
    rng = np.random.default_rng(0)
    for _ in range(25):
        pattern = tuple(tuple(sorted(rng.choice(a, size=int(rng.integers(1, len(a) + 1)), replace=False)))
                        for a in allowed)
        mixed = [k for k, s in enumerate(pattern) if len(s) > 1]
        rows = table.rows(pattern, mixed)
        behs = []
        for combo in itertools.product(*(pattern[k] for k in mixed)):
            beh = [np.zeros(len(h.actions)) for h in game.infosets]
            for k, s in enumerate(pattern):
                beh[k][s[0]] = 1.0
            for k, a in zip(mixed, combo, strict=True):
                beh[k][:] = 0.0
                beh[k][a] = 1.0
            behs.append(beh)
            assert table.row_of(beh) == rows[len(behs) - 1]
        reach, edge, values = batch.evaluate(np.array([np.concatenate(b) for b in behs]))
        assert np.array_equal(table.reach[rows], reach) and np.array_equal(table.values[rows], values)
        assert np.array_equal(table.edge[rows], edge)
        ind = [np.zeros(len(h.actions)) for h in game.infosets]
        for b, s in zip(ind, pattern, strict=True):
            b[list(s)] = 1.0
        assert table.row_of(ind) is None or not mixed
        r_ind = game.realization_probabilities(ind)
        expected = np.array([r_ind[list(h.nodes)].sum() > 0 for h in game.infosets])
        assert np.array_equal(table.on_path(rows), expected)
        k = int(rng.integers(len(allowed)))
        a = int(rng.choice(allowed[k]))
        forced = [b.copy() for b in behs[0]]
        forced[k] = np.zeros(len(game.infosets[k].actions))
        forced[k][a] = 1.0
        assert np.array_equal(table.forced_reach(behs[0], [(k, a)]), game.realization_probabilities(forced))


def _forced_reach_batch(ctx, rows, devs):
    """The oracle of ``pbe.forced_reach_at``: the forced profiles decoded from the row numbers
    and evaluated in one batch (the solver's code before it read the reach off the path)."""
    table, game = ctx.table, ctx.game
    offsets = np.cumsum([0] + [len(h.actions) for h in game.infosets])
    flat = np.zeros((len(rows), int(offsets[-1])))
    at = np.arange(len(rows))
    for k, pos in enumerate(table.pos):
        acts = np.array(sorted(pos, key=pos.get), dtype=np.int64)
        flat[at, offsets[k] + acts[(rows // table.strides[k]) % len(acts)]] = 1.0
    for iota, a in devs:
        flat[:, offsets[iota]:offsets[iota + 1]] = 0.0
        flat[:, offsets[iota] + a] = 1.0
    return ctx.batch.evaluate(flat)[0]


@pytest.mark.parametrize("name", ["asymmetric_escalation", "chain_store", "costly_signal_menu"])
def test_forced_reach_at_is_the_batch_evaluation_to_the_bit(name):
    from deterrence.solvers import pbe

    m = dt.load_model(name)
    pts = pd.DataFrame(kernels.domain_sample(m, 2, seed=5))
    rng = np.random.default_rng(1)
    for _, row in pts.iterrows():
        game = m.game(**{k: float(v) for k, v in row.items()})
        ctx = pbe._Ctx(game=game, tol=1e-12, policy="d1", kids=child_tables(game), prior=prior_mass(game),
                       senders=pbe._sender_sets(game))
        ctx.table = _table(game)
        n_rows = len(ctx.table.reach)
        for _ in range(40):
            rows = rng.integers(0, n_rows, size=int(rng.integers(1, 30)))
            sets = rng.choice(len(game.infosets), size=int(rng.integers(0, 3)), replace=False)
            devs = [(int(k), int(rng.integers(len(game.infosets[k].actions)))) for k in sets]  # any action
            nodes = np.arange(len(game.nodes))
            expected = _forced_reach_batch(ctx, rows, devs)
            assert np.array_equal(pbe.forced_reach_at(ctx, rows, devs, nodes), expected)


@pytest.mark.parametrize("name", ["chain_store", "costly_signal_menu"])
@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_solver_finds_the_same_with_and_without_the_table(name, policy, monkeypatch):
    m = dt.load_model(name)
    for values in _points(name, 3):
        game = m.game(**values)
        with_table = _summary(dt.solve(game, "pbe", belief_policy=policy))
        monkeypatch.setattr(_pbe_table.PureTable, "fits", staticmethod(lambda game, allowed: False))
        without = _summary(dt.solve(game, "pbe", belief_policy=policy))
        monkeypatch.undo()
        assert with_table == without


@settings(max_examples=10, deadline=None)
@given(signalling_trees(), st.sampled_from(["free", "prior", "d1"]))
def test_table_changes_nothing_on_random_signalling_trees(game, policy):
    with_table = _summary(dt.solve(game, "pbe", method="pbe", belief_policy=policy))
    original = _pbe_table.PureTable.fits
    _pbe_table.PureTable.fits = staticmethod(lambda game, allowed: False)
    try:
        without = _summary(dt.solve(game, "pbe", method="pbe", belief_policy=policy))
    finally:
        _pbe_table.PureTable.fits = original
    assert with_table == without


# ---------------------------------------------------------------------------------- the screen
def _multilinear_at(values: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The equations (values at the unit box's corners) at the point ``x``."""
    k = len(x)
    weights = np.array([np.prod([xi if bit else 1 - xi for xi, bit in zip(x, bits, strict=True)])
                        for bits in itertools.product((0, 1), repeat=k)])
    return values @ weights


def test_box_screen_never_rules_out_a_system_with_a_root_in_the_box():
    rng = np.random.default_rng(5)
    for _ in range(60):
        k = int(rng.integers(2, 6))
        n_eq = int(rng.integers(1, k + 2))
        values = rng.normal(size=(n_eq, 2**k)) * rng.uniform(0.01, 100)
        if rng.random() < 0.3:  # conditions that vanish on a face: x_0 times something
            values[:, : 2 ** (k - 1)] = 0.0
        x = rng.uniform(_INTERIOR, 1 - _INTERIOR, size=k)
        if rng.random() < 0.2:  # a root near the box boundary
            x[int(rng.integers(k))] = float(rng.choice([1e-9, 1 - 1e-9]))
        values = values - _multilinear_at(values, x)[:, None]  # every equation vanishes at x
        assert _pbe_contract.box_may_vanish(values.tolist(), k)


def test_box_screen_rules_out_conditions_that_contradict_each_other():
    """From chain_store: one condition pins ``x3``, another (times ``x0 > 0``) pins it elsewhere;
    the grid sign test leaves the system alive, the contraction does not."""
    def system(x):  # unknowns (x0, x3, x6)
        x0, x3, x6 = x
        return [0.9128 * x3 - 0.1846, x0 * (-4.795 * x6 + 3.882), x0 * (-0.2481 * x3 + 0.06353)]

    corners = np.array([system(b) for b in itertools.product((0, 1), repeat=3)]).T
    assert _pbe_multilinear._grid_may_vanish(corners.tolist(), 3)
    assert not _pbe_contract.box_may_vanish(corners.tolist(), 3)
    # two parallel lines: x - y = 0.2 and x - y = -0.2
    lines = np.array([[a - b - 0.2 for a, b in itertools.product((0, 1), repeat=2)],
                      [a - b + 0.2 for a, b in itertools.product((0, 1), repeat=2)]])
    assert not _pbe_contract.box_may_vanish(lines.tolist(), 2)


@pytest.mark.parametrize("name", ["chain_store", "costly_signal_menu"])
@pytest.mark.parametrize("policy", ["free", "d1"])
def test_solver_finds_the_same_with_every_system_sent_to_sympy(name, policy, monkeypatch):
    m = dt.load_model(name)
    for values in _points(name, 3):
        game = m.game(**values)
        screened = _summary(dt.solve(game, "pbe", belief_policy=policy))
        monkeypatch.setattr(_pbe_multilinear, "box_may_vanish", lambda values, k: True)
        exact = _summary(dt.solve(game, "pbe", belief_policy=policy))
        monkeypatch.undo()
        assert screened == exact


def test_patterns_module_still_lists_subsets_in_order():
    assert _pbe_patterns.subsets((0, 1)) == [(0,), (1,), (0, 1)]


@pytest.mark.parametrize("name", ["asymmetric_escalation", "chain_store", "costly_signal_menu"])
def test_reached_sets_are_those_the_vertex_rows_reach(name):
    """The pruner's compiled pass gives each pattern the sets its vertex rows reach
    (``PureTable.on_path``), at Nature's zeros too; the kept indicators are those of the list."""
    from deterrence.solvers import _pbe_pruning

    m = dt.load_model(name)
    if name == "asymmetric_escalation":
        sample = pd.DataFrame(kernels.domain_sample(m, 2, seed=2))
        points = [{k: float(v) for k, v in r.items()} for _, r in sample.iterrows()]
    else:
        points = _points(name, 1)
    for values in points:
        game = m.game(**values)
        allowed = undominated_actions(game, 1e-12)
        table = _table(game)
        possible = [np.ones(len(h.nodes), dtype=bool) for h in game.infosets]
        pruner = _pbe_pruning.BeliefSupportPruner(game, possible, 1e-12)
        rng = np.random.default_rng(2)
        patterns = [tuple(tuple(sorted(int(x) for x in rng.choice(a, size=int(rng.integers(1, len(a) + 1)),
                                                                   replace=False)))
                          for a in allowed) for _ in range(60)]
        ind = pruner.indicators(patterns)
        assert ind is pruner.indicators(list(patterns))  # kept for an equal list
        reached = pruner.reached(ind)
        for pattern, row in zip(patterns, reached, strict=True):
            mixed = [k for k, s in enumerate(pattern) if len(s) > 1]
            assert np.array_equal(row, table.on_path(table.rows(pattern, mixed)))


def _numpy_evaluation(tree: BatchTree, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``BatchTree.evaluate`` as it was in numpy (the oracle of the compiled pass): one array
    operation per level down for the reach, ``np.add.at`` per level up for the values."""
    batch = flat.shape[0]
    edge = np.broadcast_to(tree.chance, (batch, tree.n)).copy()
    edge[:, tree.decision] = flat[:, tree.flat[tree.decision]]
    reach = np.ones((batch, tree.n))
    for level in tree.levels:
        reach[:, level] = reach[:, tree.parent[level]] * edge[:, level]
    values = np.zeros((batch, tree.n, tree.players))
    values[:, tree.terminals] = tree.payoffs
    for level in reversed(tree.levels):
        np.add.at(values, (slice(None), tree.parent[level]), edge[:, level, None] * values[:, level])
    return reach, edge, values


@pytest.mark.parametrize("name", ["asymmetric_escalation", "chain_store", "costly_signal_menu",
                                  "costly_signal_pledge", "tripartite_crisis"])
def test_compiled_batch_evaluation_is_the_numpy_one_to_the_bit(name):
    from deterrence.solvers import _tree_utils

    m = dt.load_model(name)
    pts = pd.DataFrame(kernels.domain_sample(m, 3, seed=9))
    rng = np.random.default_rng(4)
    for _, row in pts.iterrows():
        game = m.game(**{k: float(v) for k, v in row.items()})
        tree = BatchTree(game)
        width = int(game._action_offset[-1])
        for flat in (rng.random((40, width)), (rng.random((40, width)) < 0.5).astype(float),
                     rng.random((1, width)) * 1e-3, np.zeros((0, width))):
            values = np.zeros((flat.shape[0], tree.n, tree.players))
            values[:, tree.terminals] = tree.payoffs
            down = np.concatenate(tree.levels).astype(np.int64)
            up = np.concatenate(tree.levels[::-1]).astype(np.int64)
            reach, edge = _tree_utils._evaluate_batch(flat, tree.flat, tree.chance, down, up, tree.parent,
                                                      values)
            for got, want in zip((reach, edge, values), _numpy_evaluation(tree, flat), strict=True):
                assert got.shape == want.shape and np.array_equal(got.view(np.int64), want.view(np.int64))
            for got, want in zip(tree.evaluate(flat), _numpy_evaluation(tree, flat), strict=True):
                assert np.array_equal(got.view(np.int64), want.view(np.int64))


def test_points_of_one_tree_share_the_table_layout():
    """The table's tree-only arrays are worked out once for the points of a tree with the same
    allowed actions (the same objects, read only), and every table equals one built with nothing
    kept (the numbers of each point its own)."""
    m = dt.load_model("asymmetric_escalation")
    pts = kernels.domain_sample(m, 3, seed=4)
    games = [m.game({k: float(v[i]) for k, v in pts.items()}) for i in range(3)]
    tables = [_table(g) for g in games]
    assert tables[0].allowed == tables[1].allowed == tables[2].allowed
    assert tables[1].positions is tables[0].positions and tables[2].steps is tables[0].steps
    assert not tables[0].positions.flags.writeable and not tables[0].members.flags.writeable
    for g, t in zip(games, tables, strict=True):
        g.tree_cache.pop("pure_table_layouts")
        fresh = _table(g)
        assert t.positions is not fresh.positions
        for name in ("reach", "edge", "values", "positions", "members", "strides"):
            np.testing.assert_array_equal(getattr(t, name), getattr(fresh, name))
        assert (t.pos, t.steps, t._strides) == (fresh.pos, fresh.steps, fresh._strides)
        assert all(np.array_equal(a, b) for a, b in zip(t.nodes, fresh.nodes, strict=True))
