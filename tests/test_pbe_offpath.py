"""The free-offpath mask (``_pbe_offpath.free_offpath_mask``) and the patterns the solver visits.

The oracle (``tests/helpers/offpath_oracle.py``) is the selection before the mask: every admitted
pattern through the pattern loop, the free ones counted there one by one, and the per-pattern
test the loop made (``_specs_of`` gives no specs). The mask marks exactly the patterns that test
marks (every pattern of the list, not only the admitted ones), and the solver's selection
(``pbe._to_visit``, then the loop on the rest) yields the same patterns, in the same order, with
the same numbers skipped and free: AEG and chain store at seeded points, Nature's zeros, a tree
whose chance products underflow, random signalling trees and random trees with and without
perfect recall, several limits on the mixing sets.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.offpath_oracle import old_free_flags, old_selection
from helpers.random_trees import random_tree
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pbe_patterns import signalling_trees
from test_pbe_vertex import _model_points

import deterrence as dt
from deterrence.game import chance, decision, terminal
from deterrence.solvers import _pbe_offpath, pbe
from deterrence.solvers._pbe_patterns import feasible_patterns
from deterrence.solvers._pbe_pruning import BeliefSupportPruner, cached_patterns
from deterrence.solvers._pbe_table import PureTable
from deterrence.solvers._tree_utils import child_tables, prior_mass


def _setup(game, policy: str, table: bool = True):
    """A fresh solver context (with its pure table if it fits and ``table``), the pruner and the
    mixed patterns."""
    allowed, _, _ = pbe._counts(game, 1e-12)
    ctx = pbe._Ctx(game=game, tol=1e-12, policy=policy, kids=child_tables(game), prior=prior_mass(game),
                   senders=pbe._sender_sets(game))
    possible = [ctx.possible(k) for k in range(len(game.infosets))]
    _, patterns = cached_patterns(feasible_patterns, game, allowed, possible, 1e-12, mixed=True)
    if table and patterns and PureTable.fits(game, allowed):
        ctx.table = PureTable(game, allowed, ctx.batch, ctx.kids, ctx.prior)
    return ctx, BeliefSupportPruner(game, possible, 1e-12, ctx.batch, ctx.kids), patterns


def _new_selection(ctx, pruner, patterns, max_mixed: int) -> tuple[list[tuple], int, int]:
    """The selection as ``pbe_candidates`` makes it now."""
    admitted, counted = pbe._to_visit(ctx, pruner, patterns, max_mixed)
    reached = pruner.reached(pruner.indicators(patterns)[admitted]) if len(admitted) else []
    select = pbe._tabled_patterns if ctx.table is not None else pbe._untabled_patterns
    work, skipped, free = select(ctx, patterns, admitted, reached, max_mixed)
    return list(work), skipped, counted + free


def _same_work(new: list[tuple], old: list[tuple]) -> None:
    assert len(new) == len(old)
    for (pattern, mixed, rows, found, tested), (o_pattern, o_mixed, o_rows, o_found, o_tested) in zip(
            new, old, strict=True):
        assert (pattern, mixed) == (o_pattern, o_mixed)
        assert (rows is None) == (o_rows is None) and (rows is None or np.array_equal(rows, o_rows))
        assert np.array_equal(found[0], o_found[0]) and found[1:] == o_found[1:]
        assert (tested is None) == (o_tested is None)
        if tested is not None:
            assert tested[0] == o_tested[0] and tested[2] == o_tested[2]
            assert tested[1].keys() == o_tested[1].keys()


def _compare(game, policy: str, max_mixed: int = 6, table: bool = True) -> int:
    """The mask against the per-pattern test on every pattern, and the selections; returns the
    number of free patterns among the admitted ones."""
    ctx, pruner, patterns = _setup(game, policy, table)
    if not patterns:
        return 0
    mask = _pbe_offpath.free_offpath_mask(ctx, pruner, patterns, max_mixed)
    flags = old_free_flags(ctx, pruner, patterns, max_mixed)
    if policy != "free":
        assert mask is None and not flags.any()
    elif mask is not None:
        assert np.array_equal(mask, flags)
        assert not mask.flags.writeable
    new = _new_selection(ctx, pruner, patterns, max_mixed)
    old_ctx, old_pruner, _ = _setup(game, policy, table)
    old = old_selection(old_ctx, old_pruner, patterns, max_mixed)
    _same_work(new[0], old[0])
    assert new[1:] == old[1:]
    return old[2]


def _underflow_game() -> dt.ExtensiveFormGame:
    """A signalling tree in which the sender moves again after the answer ``a0``, below two chance
    moves of probability 1e-170 each: the chance products at those nodes underflow to 0 (no
    probability is 0), so their sets are never reached and carry no belief, whatever the supports."""
    tiny = 1e-170

    def again(t: int, m: int) -> object:
        late = decision("S", {f"x{j}": terminal({"S": t + m - 1, "R": j}) for j in range(2)},
                        infoset=f"S{t} after m{m}")
        deep = chance({"z": (tiny, late), "w": (1.0, terminal({"S": t - m, "R": 0}))})
        return chance({"z": (tiny, deep), "w": (1.0, terminal({"S": m - t, "R": 1}))})

    def sender(t: int) -> object:
        answers = {m: {"a0": again(t, m), "a1": terminal({"S": (t + 2 * m) % 3 - 1, "R": (t + m) % 2})}
                   for m in range(2)}
        return decision("S", {f"m{m}": decision("R", answers[m], infoset=f"R{m}") for m in range(2)},
                        infoset=f"S{t}")

    return dt.ExtensiveFormGame(chance({"t0": (0.5, sender(0)), "t1": (0.5, sender(1))}), players=["S", "R"])


def _mask_ignoring_underflow(game, policy: str = "free") -> tuple[np.ndarray, np.ndarray]:
    """The mask, and the mask as it would be if every route counted whatever its chance product."""
    ctx, pruner, patterns = _setup(game, policy)
    ind = pruner.indicators(patterns)
    routes = _pbe_offpath._routes(game, np.ones(len(game.nodes), dtype=bool))
    return (_pbe_offpath.free_offpath_mask(ctx, pruner, patterns, 99),
            _pbe_offpath._mask(ind, pruner.reached(ind), pruner.offsets, routes))


# ---------------------------------------------------------------------------------- the tests
@pytest.mark.parametrize("policy", ["free", "d1"])
def test_mask_and_selection_are_the_loops_on_aeg(policy):
    m = dt.load_model("asymmetric_escalation")
    for values in _model_points("asymmetric_escalation", 2, 31):
        free = _compare(m.game(**values), policy)
        assert free > 1000 if policy == "free" else free == 0


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_mask_and_selection_are_the_loops_on_chain_store(policy):
    m = dt.load_model("chain_store")
    for values in [*_model_points("chain_store", 2, 4), {"p_tough": 0.0}, {"p_tough": 1.0}]:
        for max_mixed in (0, 1, 6):
            for table in (True, False):
                _compare(m.game(**values), policy, max_mixed, table)


def test_mask_where_chance_products_underflow():
    game = _underflow_game()
    ctx, _, _ = _setup(game, "free")
    reach = ctx.chance_reach()
    assert reach.min() == 0.0 and (game._chance_prob > 0).all()  # the products underflow, no probability is 0
    mask, ignoring = _mask_ignoring_underflow(game)
    assert (mask & ~ignoring).any()  # patterns free only because a chance product underflows
    assert _compare(game, "free", table=True) > 0
    _compare(game, "free", table=False)


def test_mask_is_kept_for_an_equal_list_only():
    m = dt.load_model("chain_store")
    ctx, pruner, patterns = _setup(m.game(**_model_points("chain_store", 1, 4)[0]), "free")
    first = _pbe_offpath.free_offpath_mask(ctx, pruner, patterns, 6)
    assert _pbe_offpath.free_offpath_mask(ctx, pruner, list(patterns), 6) is first
    shorter = patterns[1:]
    again = _pbe_offpath.free_offpath_mask(ctx, pruner, shorter, 6)
    assert np.array_equal(again, first[1:])
    none = _pbe_offpath.free_offpath_mask(ctx, pruner, patterns, 0)  # no pattern mixes at 0 sets or fewer
    assert not none.any()


@settings(max_examples=30, deadline=None)
@given(signalling_trees(), st.sampled_from(["free", "prior", "d1"]), st.sampled_from([1, 6]))
def test_mask_and_selection_are_the_loops_on_signalling_trees(game, policy, max_mixed):
    _compare(game, policy, max_mixed)


@pytest.mark.parametrize("recall", [True, False])
@pytest.mark.parametrize("seed", range(8))
def test_mask_and_selection_are_the_loops_on_random_trees(seed, recall):
    game = random_tree(2 + seed % 2, 4 + seed % 4, seed, recall=recall)
    for policy in ("free", "d1"):
        _compare(game, policy)
        _compare(game, policy, table=False)
