"""Mixed support patterns ruled out by their on-path block (``_pbe_blocks``).

* Every pattern the mask marks has no root on the generic route (``_solve_mixed`` on that pattern
  alone, the linear route of two-player type games switched off), over AEG points and seeded
  signalling games (three messages, two or three types, ties and a type of prior 0 included),
  under each belief policy; and the masks mark some patterns there.
* In a signalling game with blocks of each kind, the mask marks the patterns of some blocks that
  have no interior root on the generic route (the block solved alone) and none of a block that
  has one; under ``d1`` the solver then hands the pattern loop the admitted patterns less exactly
  the marked ones, with the same equilibria as with the marking off (under ``prior`` and ``free``
  it does not mark: ``pbe.BLOCKS_POLICIES``).
* The grouping: patterns with the same supports at the sets they reach share a block, those that
  mix only where they reach or only where they do not have none, and the grouping is kept for an
  equal pattern list; a tree outside the class of two-player type games gets no mark.
"""

from __future__ import annotations

import numpy as np
import pytest

import deterrence as dt
from deterrence import kernels
from deterrence.solvers import _pbe_blocks, _pbe_typed_linear, pbe
from deterrence.solvers._pbe_patterns import feasible_patterns
from deterrence.solvers._pbe_pruning import BeliefSupportPruner, cached_patterns
from tests.helpers.exact_systems import generic_route_only
from tests.helpers.pbe_context import solver_context
from tests.helpers.random_trees import signalling_game

SIGNALLING = [dict(types=2, messages=3, responses=2, payoff_range=5),
              dict(types=3, messages=3, responses=2, payoff_range=4),
              dict(types=2, messages=3, responses=2, payoff_range=100),
              dict(types=3, messages=3, responses=2, zero_type=True)]


def _aeg_games(n: int, seed: int) -> list:
    model = dt.load_model("asymmetric_escalation")
    sample = kernels.domain_sample(model, n, seed=seed)
    return [model.game(**{k: float(v[i]) for k, v in sample.items()}) for i in range(n)]


def _setup(game, policy: str) -> tuple:
    """The solver's context, pruner, mixed patterns and admitted ones to visit (as ``pbe_candidates``
    has them, without the pure table)."""
    ctx = solver_context(game, policy)
    allowed, _, _ = pbe._counts(game, ctx.tol)
    possible = [ctx.possible(k) for k in range(len(game.infosets))]
    _, mixed = cached_patterns(feasible_patterns, game, allowed, possible, ctx.tol)
    pruner = BeliefSupportPruner(game, possible, ctx.tol, ctx.batch, ctx.kids)
    admitted, _ = pbe._to_visit(ctx, pruner, mixed, pbe.PBEOptions.max_mixed_sets)
    return ctx, pruner, mixed, admitted


def _generic_roots(ctx, pattern: tuple, on_path: np.ndarray) -> list | None:
    """The pattern's roots on the generic route (``None``: it mixes where beliefs are free)."""
    mixed = [k for k, s in enumerate(pattern) if len(s) > 1]
    found = pbe._specs_of(ctx, pattern, mixed, on_path)
    return None if found is None else pbe._solve_mixed(ctx, pattern, mixed, None, found)


def _marked_have_no_generic_root(game, policy: str) -> int:
    """Check every pattern the mask marks in ``game`` under ``policy``; the number marked."""
    ctx, pruner, mixed, admitted = _setup(game, policy)
    mask = _pbe_blocks.rootless_mask(ctx, pruner, mixed, admitted)
    rows = admitted[mask]
    reached = pruner.reached(pruner.indicators(mixed)[rows]) if len(rows) else []
    for i, on_path in zip(rows.tolist(), reached, strict=True):
        assert not _generic_roots(ctx, mixed[i], on_path), (policy, mixed[i])
    return len(rows)


@pytest.mark.parametrize("policy", ["prior", "d1", "free"])
def test_marked_patterns_have_no_generic_root(monkeypatch, policy):
    generic_route_only(monkeypatch)
    marked = {"aeg": 0, "signalling": 0}
    for game in _aeg_games(2, 3):
        marked["aeg"] += _marked_have_no_generic_root(game, policy)
    for seed in range(6):
        for shape in SIGNALLING:
            marked["signalling"] += _marked_have_no_generic_root(signalling_game(seed, **shape), policy)
    assert marked["aeg"] > 0
    assert marked["signalling"] > 0 or policy == "free"  # (there every unreached set's belief is free)


def _blocks_of_seed_4() -> tuple:
    game = signalling_game(4, types=2, messages=3, responses=2, payoff_range=5)
    ctx, pruner, mixed, admitted = _setup(game, "d1")
    return game, ctx, pruner, mixed, admitted


def test_a_rootless_block_is_marked_and_one_with_a_root_is_not(monkeypatch):
    game, ctx, pruner, mixed, admitted = _blocks_of_seed_4()
    mask = _pbe_blocks.rootless_mask(ctx, pruner, mixed, admitted)
    grouping = _pbe_blocks.on_path_blocks(pruner, mixed)
    ids = grouping.block_of[admitted]
    generic_route_only(monkeypatch)
    seen = set()
    for b in np.unique(ids[ids >= 0]).tolist():
        block, _, on_path = grouping.blocks[b]
        marked = mask[ids == b]
        assert marked.all() or not marked.any()  # a block's patterns share its verdict
        rooted = bool(_generic_roots(ctx, block, on_path))  # the block alone, on the generic route
        assert not (marked[0] and rooted)
        seen.add("marked" if marked[0] else "rooted" if rooted else "undecided")
    assert {"marked", "rooted"} <= seen
    monkeypatch.undo()

    visited = []
    tabled = pbe._tabled_patterns

    def spy(ctx, patterns, admitted, reached, max_mixed):
        visited.append(admitted.copy())
        return tabled(ctx, patterns, admitted, reached, max_mixed)

    monkeypatch.setattr(pbe, "_tabled_patterns", spy)
    on = dt.solve(game, "pbe", belief_policy="d1")
    marked = set(admitted[mask].tolist())  # (the first pass: the patterns that may hold a root)
    assert marked and not marked & set(visited[0].tolist())
    visited.clear()
    monkeypatch.setattr(pbe, "BLOCKS_POLICIES", frozenset())
    off = dt.solve(game, "pbe", belief_policy="d1")
    assert marked <= set(visited[0].tolist())
    assert len(on) == len(off) > 0
    for a, b in zip(on, off, strict=True):
        assert all(np.allclose(x, y, atol=1e-12) for x, y in zip(a.strategies, b.strategies, strict=True))


def test_the_grouping():
    _, _, pruner, mixed, _ = _blocks_of_seed_4()
    grouping = _pbe_blocks.on_path_blocks(pruner, mixed)
    assert _pbe_blocks.on_path_blocks(pruner, list(mixed)) is grouping  # kept for an equal list
    reached = pruner.reached(pruner.indicators(mixed))
    keys: dict[int, tuple] = {}
    for pattern, on_path, b in zip(mixed, reached, grouping.block_of.tolist(), strict=True):
        mixing = [len(s) > 1 for s in pattern]
        here = any(m and r for m, r in zip(mixing, on_path, strict=True))
        away = any(m and not r for m, r in zip(mixing, on_path, strict=True))
        assert (b >= 0) == (here and away)
        if b >= 0:
            key = tuple(s if r else () for s, r in zip(pattern, on_path, strict=True))
            assert keys.setdefault(b, key) == key  # one block, one set of supports where it reaches
            block, block_mixed, block_on_path = grouping.blocks[b]
            assert block_on_path.tolist() == on_path.tolist()
            assert block_mixed == [k for k, s in enumerate(block) if len(s) > 1]
            assert all(block_on_path[k] for k in block_mixed)
    assert len(set(keys.values())) == len(keys) == len(grouping.blocks)


def test_outside_the_class_nothing_is_marked():
    game = dt.load_model("costly_signal_menu").game()
    ctx, pruner, mixed, admitted = _setup(game, "prior")
    assert len(admitted) and not _pbe_blocks.rootless_mask(ctx, pruner, mixed, admitted).any()


def test_rootless_decides_each_block_as_typed_roots():
    """``rootless_mask`` decides its blocks together (``_pbe_typed_linear.rootless``): per block
    the verdict of ``typed_roots`` on it alone, blocks without roots and with
    some among them."""
    verdicts = set()
    for game in _aeg_games(2, 6):
        ctx, pruner, mixed, _ = _setup(game, "d1")
        blocks = _pbe_blocks.on_path_blocks(pruner, mixed).blocks
        got = _pbe_typed_linear.rootless(ctx, [b[:2] for b in blocks])
        reach = ("reach",)
        want = [_pbe_typed_linear.typed_roots(ctx, block, mixed, on_path, dict.fromkeys(mixed, reach)) == []
                for block, mixed, on_path in blocks]
        assert got == want
        verdicts |= set(got)
    assert verdicts == {True, False}
