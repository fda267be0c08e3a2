"""The belief-support test at unreached sets whose belief is Nature's odds (``prior`` policy).

Under ``belief_policy="prior"`` a set the play does not reach, whose mover has not moved before,
holds Nature's odds as its belief whatever the profile, so the admission test of
:class:`~deterrence.solvers._pbe_pruning.BeliefSupportPruner` applies there as at a reached set
under pure play (``nature_sets``). Checked here:

* the compiled verdicts are the old kernel's (the oracle of ``tests/test_pbe_pruning_kernel.py``)
  and, at those sets, a plain pass over each pattern's support bounds
  (:class:`~deterrence.solvers._pbe_pruning.SupportBounds`), under every table budget;
* ``dt.solve`` under ``prior`` lists the same equilibria with the test as without it, on random
  signalling games and on ``asymmetric_escalation``, with ``complete`` never lost;
* the test drops patterns on ``asymmetric_escalation`` (it can fail), and only under ``prior``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers.admits_oracle import old_admits_all
from helpers.random_trees import signalling_game
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pbe_patterns import signalling_trees
from test_pbe_pruning_kernel import _possible, _random_lists

import deterrence as dt
from deterrence import kernels
from deterrence.solvers import _pbe_beliefs, _pbe_patterns, _pbe_pruning, pbe
from deterrence.solvers._tree_utils import BatchTree, child_tables, prior_mass

TOL = 1e-12


def _nature_passes(game, nature, patterns, reached, tol):
    """Per pattern, whether every support action at each unreached set of ``nature`` is, under
    Nature's odds on the set's nodes Nature reaches, at least as good as each other action under the
    pattern's support bounds (``True`` where Nature reaches none of the set's nodes)."""
    bounds = _pbe_pruning.SupportBounds(BatchTree(game), _pbe_pruning._action_offsets(game))
    kids, prior = child_tables(game), prior_mass(game)
    out = np.ones(len(patterns), dtype=bool)
    for r, pattern in enumerate(patterns):
        lo, hi = bounds(pattern)
        for k, h in enumerate(game.infosets):
            w = prior[list(h.nodes)]
            if not nature[k] or reached[r, k] or not w.sum() > 0:
                continue
            mu, p = w / w.sum(), h.player
            if any(mu @ hi[kids[k][:, a], p] < mu @ lo[kids[k][:, b], p] - tol
                   for a in pattern[k] for b in range(len(h.actions)) if b != a):
                out[r] = False
                break
    return out


def _assert_verdicts(game, patterns, nature):
    """The kernel's verdicts with ``nature`` are the old kernel's and the plain pass's, under the
    package's table budget and under tiny ones (the memo tables' other paths)."""
    possible = _possible(game)
    plain = _pbe_pruning.BeliefSupportPruner(game, possible, TOL)
    tested = _pbe_pruning.BeliefSupportPruner(game, possible, TOL, nature_sets=nature)
    reached = plain.reached(plain.indicators(patterns))
    expected = old_admits_all(plain, patterns) & _nature_passes(game, nature, patterns, reached, TOL)
    kept = _pbe_pruning._TABLE_BYTES
    try:
        for budget in (kept, 0, 64):
            _pbe_pruning._TABLE_BYTES = budget
            np.testing.assert_array_equal(tested.admits_all(patterns), expected)
    finally:
        _pbe_pruning._TABLE_BYTES = kept
    return expected


def test_nature_sets_are_the_first_sets_of_their_movers_under_prior_only():
    game = signalling_game(3, messages=3)
    names = [h.name for h in game.infosets]
    marked = _pbe_beliefs.nature_belief_sets(game, "prior")
    assert marked == [True] * len(names)  # (no mover of a signalling game moves twice)
    game = _aeg_games(1)[0]
    marked = _pbe_beliefs.nature_belief_sets(game, "prior")
    assert any(marked) and not all(marked)
    assert marked == [game.own_sequence(h.nodes[0], h.player) == () for h in game.infosets]
    for policy in ("free", "d1"):
        assert not any(_pbe_beliefs.nature_belief_sets(game, policy))


@settings(max_examples=25, deadline=None)
@given(signalling_trees(), st.integers(0, 2**32 - 1))
def test_random_signalling_trees_pass_the_plain_test_at_nature_sets(game, seed):
    rng = np.random.default_rng(seed)
    nature = _pbe_beliefs.nature_belief_sets(game, "prior")
    for patterns in _random_lists(game, rng, size=300):
        _assert_verdicts(game, patterns, nature)


def _aeg_games(n, seed=3):
    m = dt.load_model("asymmetric_escalation")
    pts = pd.DataFrame(kernels.domain_sample(m, n, seed=seed))
    return [m.game(**{k: float(v) for k, v in row.items()}) for _, row in pts.iterrows()]


def test_aeg_patterns_pass_the_plain_test_and_some_fail_it():
    game = _aeg_games(1)[0]
    allowed = _pbe_pruning.iterated_undominated_actions(game, TOL)
    _, mixed = _pbe_patterns.feasible_patterns(game, allowed, _possible(game), TOL)
    drawn = [mixed[i] for i in np.random.default_rng(5).permutation(len(mixed))[:600]]
    nature = _pbe_beliefs.nature_belief_sets(game, "prior")
    plain = _pbe_pruning.BeliefSupportPruner(game, _possible(game), TOL)
    ok = _assert_verdicts(game, drawn, nature)
    assert ok.sum() < plain.admits_all(drawn).sum()  # the test drops patterns here


def _without_nature_sets(monkeypatch):
    monkeypatch.setattr(pbe, "nature_belief_sets", lambda game, policy: [False] * len(game.infosets))


def _summary(result):
    """The equilibria (strategies and beliefs, rounded) and the flags of a result."""
    eqs = sorted((tuple(np.round(np.concatenate([np.ravel(s) for s in e.strategies]), 9)),
                  tuple((h, tuple((v, round(p, 9)) for v, p in sorted(mu.items())))
                        for h, mu in sorted(e.beliefs.items())))
                 for e in result.equilibria)
    return eqs, result.degenerate


def _compare(games, monkeypatch):
    with_test = [dt.solve(g, "pbe", belief_policy="prior") for g in games]
    with monkeypatch.context() as patch:
        _without_nature_sets(patch)
        without = [dt.solve(g, "pbe", belief_policy="prior") for g in games]
    for a, b in zip(with_test, without, strict=True):
        assert _summary(a) == _summary(b)
        assert a.complete or not b.complete  # (fewer patterns left unsolved, never more)


@pytest.mark.parametrize("shape", [{}, {"types": 3}, {"messages": 3}, {"responses": 3}, {"zero_type": True}])
def test_prior_pbe_of_signalling_games_are_those_without_the_test(shape, monkeypatch):
    _compare([signalling_game(seed, **shape) for seed in range(12)], monkeypatch)


def test_prior_pbe_of_the_aeg_are_those_without_the_test(monkeypatch):
    _compare(_aeg_games(4), monkeypatch)


@pytest.mark.parametrize("policy", ["free", "d1"])
def test_other_policies_test_no_unreached_set(policy, monkeypatch):
    calls = []
    real = pbe.nature_belief_sets

    def spy(game, pol):
        out = real(game, pol)
        calls.append(any(out))
        return out

    monkeypatch.setattr(pbe, "nature_belief_sets", spy)
    dt.solve(_aeg_games(1)[0], "pbe", belief_policy=policy)
    assert calls == [False]
