"""The pattern search equals the former searches: the same patterns in the same order, the same
verdicts in the memo in the same order.

``_former_search`` below is the search as it was first (the chance bounds refreshed and the test
run support by support, every set assigned, a generator per depth); ``old_feasible_patterns``
(``tests/helpers/patterns_oracle.py``) is the search as it was at 4288d73 (verdicts taken once
per visit, every set assigned on the way down, the lists sorted by tuples of ranks), before its
bounds were brought up to date lazily and each context's passing supports remembered.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.patterns_oracle import old_feasible_patterns
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pbe_patterns import signalling_trees
from test_signalling_shortcuts import _search_inputs

import deterrence as dt
from deterrence import kernels
from deterrence.game import chance, decision, terminal
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


def _check_old(game, allowed=None, possible=None, mixed=True):
    """The search against the one of 4288d73: lists and memo."""
    if allowed is None:
        allowed, possible = _search_inputs(game)
    memo: dict = {}
    got = _pbe_patterns.feasible_patterns(game, allowed, possible, 1e-12, mixed=mixed, memo=memo)
    old_memo: dict = {}
    assert got == old_feasible_patterns(game, allowed, possible, 1e-12, mixed=mixed, memo=old_memo)
    assert list(memo.items()) == list(old_memo.items())
    return got


def test_search_equals_the_old_search_on_the_aeg():
    """At sampled points of the AEG, with the solver's inputs and with every node possible."""
    model = dt.load_model("asymmetric_escalation")
    sample = kernels.domain_sample(model, 4, seed=11)
    for i in range(4):
        game = model.game(**{k: float(v[i]) for k, v in sample.items()})
        pure, mixed = _check_old(game)
        assert len(pure) + len(mixed) > 1000
        _check_old(game, mixed=False)
        every = [np.ones(len(h.nodes), dtype=bool) for h in game.infosets]
        _check_old(game, [tuple(range(len(h.actions))) for h in game.infosets], every)


@pytest.mark.parametrize("name", ["alliance_moral_hazard", "chain_store", "costly_signal_menu",
                                  "costly_signal_pledge", "extended_deterrence_commitment_types",
                                  "tripartite_crisis", "unilateral_deterrence"])
def test_search_equals_the_old_search_on_models(name):
    """Among them trees with chance nodes below a set (costly_signal_menu, costly_signal_pledge,
    tripartite_crisis...: bounds the search refreshes)."""
    model = dt.load_model(name)
    sample = kernels.domain_sample(model, 6, seed=7)
    for i in range(6):
        game = model.game(**{k: float(v[i]) for k, v in sample.items()})
        _check_old(game)
        _check_old(game, mixed=False)


@st.composite
def noisy_trees(draw):
    """Two sender types; the sender's message may be lost (a chance move below the sender's
    decision, with a probability that may be 0 or 1) before the receiver answers; after some
    answers the sender moves again, some after a chance move: chance nodes whose bounds the
    search refreshes, some below a set that is itself below another."""
    pay = st.integers(-3, 3)
    n_msgs = draw(st.integers(2, 3))
    lost = [draw(st.sampled_from([0.0, 0.25, 0.5, 1.0])) for _ in range(n_msgs)]

    def later(t, m, a, o):
        if draw(st.booleans()):
            return decision("S", {f"x{j}": terminal({"S": draw(pay), "R": draw(pay)}) for j in range(2)},
                            infoset=f"S{t} after m{m} a{a} {o}")
        return terminal({"S": draw(pay), "R": draw(pay)})

    def answer(t, m, a):
        kind = draw(st.sampled_from(["later", "chance", "end"]))
        if kind == "later":
            return later(t, m, a, "")
        if kind == "chance":  # a chance node below the receiver's set, itself below the sender's
            q = draw(st.sampled_from([0.0, 0.3, 0.5]))
            return chance({"win": (q, later(t, m, a, "win")), "lose": (1.0 - q, later(t, m, a, "lose"))})
        return terminal({"S": draw(pay), "R": draw(pay)})

    def message(t, m):
        heard = decision("R", {f"a{a}": answer(t, m, a) for a in range(2)}, infoset=f"R{m}")
        if lost[m] == 0.0:
            return heard
        unheard = decision("R", {f"a{a}": answer(t, -1 - m, a) for a in range(2)}, infoset="R lost")
        return chance({"heard": (1.0 - lost[m], heard), "lost": (lost[m], unheard)})

    types = {f"t{t}": (p, decision("S", {f"m{m}": message(t, m) for m in range(n_msgs)}, infoset=f"S{t}"))
             for t, p in enumerate(draw(st.sampled_from([(0.5, 0.5), (0.2, 0.8), (1.0, 0.0)])))}
    return dt.ExtensiveFormGame(chance(types), players=["S", "R"])


@settings(max_examples=40, deadline=None)
@given(st.one_of(signalling_trees(max_messages=3), noisy_trees()))
def test_search_equals_the_old_search_on_random_trees(game):
    if _pbe_patterns._order(game) is None:
        return
    _check_old(game)
    _check_old(game, [tuple(range(len(h.actions))) for h in game.infosets],
               [np.ones(len(h.nodes), dtype=bool) for h in game.infosets])



def _eager_bounds(search, k, possible):
    """The bounds at the children of set ``k`` with every set before it in the search's order
    assigned afresh, in that order, under the search's current supports (what the search gave
    when it assigned every set on the way down)."""
    fresh = _pbe_patterns._Bounds(search.bounds.game, possible, search.bounds.tol)
    for j in search.order[:search.order.index(k)]:
        fresh.refresh(j)
        fresh.assign(j, search.assigned[j])
    fresh.refresh(k)
    kids = search.bounds.all_kids[k]
    return fresh.lo[kids], fresh.hi[kids]


@settings(max_examples=40, deadline=None)
@given(noisy_trees())
def test_lazy_bounds_equal_eager_bounds(game):
    """Wherever the search tests a set, the bounds it reads (brought up to date lazily) equal
    those of assigning every set below afresh, bit for bit."""
    if _pbe_patterns._order(game) is None:
        return
    rows = _pbe_patterns._Search._rows
    possible = [np.ones(len(h.nodes), dtype=bool) for h in game.infosets]
    checked = []

    def checked_rows(search, k):
        out = rows(search, k)
        lo, hi = _eager_bounds(search, k, possible)
        kids = search.bounds.all_kids[k]
        assert np.array_equal(search.bounds.lo[kids], lo) and np.array_equal(search.bounds.hi[kids], hi)
        checked.append(k)
        return out

    _pbe_patterns._Search._rows = checked_rows
    try:
        _pbe_patterns.feasible_patterns(game, [tuple(range(len(h.actions))) for h in game.infosets],
                                        possible, 1e-12)
    finally:
        _pbe_patterns._Search._rows = rows
    assert checked
