"""The pattern search's verdicts taken once per visit of a set equal the former search.

``_former_search`` below is :func:`deterrence.solvers._pbe_patterns._search` as it was (the
chance bounds refreshed and the test run support by support, every set assigned, a generator
per depth), kept here as the oracle: the new search must list the same patterns in the same
order and fill the memo with the same verdicts in the same order.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from test_pbe_patterns import signalling_trees
from test_signalling_shortcuts import _search_inputs

import deterrence as dt
from deterrence import kernels
from deterrence.game.extensive import CHANCE
from deterrence.solvers import _pbe_patterns


def _former_assign(bounds, k, support):
    kids = bounds.all_kids[k][:, list(support)]
    for a in support:
        for c in bounds.chance_kids[k][a]:
            bounds._chance(c)
    nodes = list(bounds.game.infosets[k].nodes)
    bounds.lo[nodes] = bounds.lo[kids].min(axis=1)
    bounds.hi[nodes] = bounds.hi[kids].max(axis=1)


def _former_passes(bounds, k, support):
    h = bounds.game.infosets[k]
    kids = bounds.kids[k]
    for c in sorted({int(c) for c in kids.ravel() if bounds.game.nodes[c].kind == CHANCE}):
        bounds._chance(c)
    lo, hi = bounds.lo[kids, h.player], bounds.hi[kids, h.player]
    ok = (hi[:, list(support), None] >= lo[:, None, :] - bounds.tol).any(axis=0)
    for i, a in enumerate(support):
        ok[i, a] = True
    return bool(ok.all())


def _former_search(bounds, order, depth, options, assigned, below, memo):
    if depth == len(order):
        yield tuple(assigned)
        return
    k = order[depth]
    context = tuple(assigned[j] for j in below[k])
    for support in options[k]:
        key = (k, support, context)
        ok = memo.get(key)
        if ok is None:
            ok = memo[key] = _former_passes(bounds, k, support)
        if not ok:
            continue
        _former_assign(bounds, k, support)
        assigned[k] = support
        yield from _former_search(bounds, order, depth + 1, options, assigned, below, memo)


def _former(game, allowed, possible, tol, mixed=True):
    options = [_pbe_patterns.subsets(a) if mixed else [(x,) for x in a] for a in allowed]
    rank = [{s: i for i, s in enumerate(opts)} for opts in options]
    order = _pbe_patterns._order(game)
    assert order is not None
    below = {k: sorted(v) for k, v in _pbe_patterns._below(game).items()}
    memo: dict = {}
    bounds = _pbe_patterns._Bounds(game, possible, tol)
    found = list(_former_search(bounds, order, 0, options, [()] * len(allowed), below, memo))
    found.sort(key=lambda p: tuple(r[s] for r, s in zip(rank, p, strict=True)))
    pure = [p for p in found if all(len(s) == 1 for s in p)]
    return (pure, [p for p in found if any(len(s) > 1 for s in p)]), list(memo.items())


def _inputs(game, every_action=False):
    allowed, possible = _search_inputs(game)
    if every_action:
        allowed = [tuple(range(len(h.actions))) for h in game.infosets]
    return allowed, possible


def _check(game, every_action=False, mixed=True):
    allowed, possible = _inputs(game, every_action)
    memo: dict = {}
    got = _pbe_patterns.feasible_patterns(game, allowed, possible, 1e-12, mixed=mixed, memo=memo)
    want, want_memo = _former(game, allowed, possible, 1e-12, mixed=mixed)
    assert got == want
    assert list(memo.items()) == want_memo
    return got


@pytest.mark.parametrize("name", ["costly_signal_menu", "chain_store", "tripartite_crisis"])
def test_search_equals_the_former_search_on_models(name):
    model = dt.load_model(name)
    sample = kernels.domain_sample(model, 12, seed=5)
    listed = 0
    for i in range(12):
        game = model.game(**{k: float(v[i]) for k, v in sample.items()})
        pure, mixed = _check(game)
        _check(game, mixed=False)
        listed += len(pure) + len(mixed)
    assert listed > 0
    for p in (0.0, 1.0):  # Nature's probability at the ends: nodes ruled out
        if name == "chain_store":
            _check(model.game(p_tough=p))


def test_search_equals_the_former_search_with_every_action():
    _check(dt.load_model("costly_signal_menu").game(), every_action=True)


@settings(max_examples=25, deadline=None)
@given(signalling_trees(max_messages=3))
def test_search_equals_the_former_search_on_random_trees(game):
    _check(game)
    _check(game, every_action=True)
