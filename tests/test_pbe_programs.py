"""The mixed patterns' programs (``pbe._Programs.build``) are those the old build gave.

The oracle (``tests/helpers/programs_oracle.py``) is the build before it kept each set's part of
the code by set and support, and ``PureTable.rows`` before its steps were kept per set. Both
builds run over the admitted patterns of a solve in the same order, each into its own
``_Programs``: every program (free or not, its specs, reached sets, rows, code, number of options,
the specs it reads and where each mixing set's options start) and the numbering of the specs are
the same (AEG and chain store at seeded points under every policy, Nature's zeros too; random
signalling trees). Likewise the kept patterns of the compiled tests (``pbe._kept``, on the
inputs ``_tabled_patterns`` gives it) are those the old ``_kept`` gave: the same patterns, rows,
specs, passing options, verdicts and conditions, as lists of Python floats, to the bit.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.programs_oracle import old_build, old_kept, old_rows
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pbe_patterns import signalling_trees
from test_pbe_vertex import _model_points, _search

import deterrence as dt
from deterrence.solvers import _pbe_unbalanced, pbe


def _compare_builds(game, policy: str) -> int:
    """Both builds over every admitted pattern of a solve; returns the number of programs with tests."""
    ctx, patterns, admitted, reached = _search(game, policy)
    new, old = pbe._Programs(), pbe._Programs()
    n = 0
    for j, i in enumerate(admitted.tolist()):
        pattern = patterns[i]
        mixed = tuple(k for k, s in enumerate(pattern) if len(s) > 1)
        a, b = pbe._Program(mixed=mixed), pbe._Program(mixed=mixed)
        new.build(ctx, pattern, a, reached[j])
        old_build(old, ctx, pattern, b, reached[j])
        assert np.array_equal(ctx.table.rows(pattern, mixed), old_rows(ctx.table, pattern, mixed))
        assert (a.built, a.free) == (b.built, b.free) == (True, b.free)
        if a.free:
            continue
        n += 1
        assert (a.found is None) == (b.found is None)
        if a.found is not None:
            assert np.array_equal(a.found[0], b.found[0]) and a.found[1:] == b.found[1:]
        else:
            assert np.array_equal(a.on_path, b.on_path)
        assert np.array_equal(a.rows, b.rows) and a.rows.dtype == b.rows.dtype
        assert np.array_equal(a.code, b.code) and a.code.dtype == b.code.dtype
        assert (a.n_keys, a.key_set, a.starts) == (b.n_keys, b.key_set, b.starts)
    assert new.index == old.index
    assert [s[:3] for s in new.specs.values()] == [s[:3] for s in old.specs.values()]
    return n


def _kept_inputs(game, policy: str) -> tuple:
    """The arguments ``_tabled_patterns`` passes to ``pbe._kept`` in a search (``None`` if it
    does not reach it)."""
    ctx, patterns, admitted, reached = _search(game, policy)
    calls, real = [], pbe._kept

    def spy(*args):
        calls.append(args)
        return real(*args)

    pbe._kept = spy
    try:
        with pytest.MonkeyPatch.context() as mp:  # (no early settling: test_pbe_settled)
            mp.setattr(pbe, "_settled_patterns", lambda *args: None)
            pbe._tabled_patterns(ctx, patterns, admitted, reached, 6)
    finally:
        pbe._kept = real
    return calls[0] if calls else None


def _same_conditions(a: dict, b: dict) -> bool:
    """Whether two dicts of conditions (lists of lists of floats) hold the same floats, NaN too."""
    if a.keys() != b.keys():
        return False
    for key, rows in a.items():
        if len(rows) != len(b[key]) or any(type(x) is not float for row in rows for x in row):
            return False
        if rows and not np.array_equal(np.array(rows), np.array(b[key]), equal_nan=True):
            return False
    return True


def _compare_kept(game, policy: str) -> int:
    """The new ``_kept`` against the old on a search's inputs; returns the number of kept patterns."""
    args = _kept_inputs(game, policy)
    if args is None:
        return 0
    new, old = list(pbe._kept(*args)), list(old_kept(*args))
    assert len(new) == len(old)
    for (pattern, mixed, rows, found, tested), (o_pattern, o_mixed, o_rows, o_found, o_tested) in zip(
            new, old, strict=True):
        assert (pattern, mixed) == (o_pattern, o_mixed) and rows is o_rows
        assert found[0] is o_found[0] and found[1:] == o_found[1:]
        (live, checks, verdicts), (o_live, o_checks, o_verdicts) = tested, o_tested
        assert (live, verdicts) == (o_live, o_verdicts)
        assert _same_conditions(checks, o_checks)
    return len(new)


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_programs_are_the_old_builds_on_aeg(policy):
    m = dt.load_model("asymmetric_escalation")
    for values in _model_points("asymmetric_escalation", 2, 21):
        assert _compare_builds(m.game(**values), policy) > 100


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_kept_patterns_are_the_old_ones_on_aeg(policy):
    m = dt.load_model("asymmetric_escalation")
    for values in _model_points("asymmetric_escalation", 2, 21):
        assert _compare_kept(m.game(**values), policy) > 10


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_kept_patterns_are_the_old_ones_on_chain_store(policy):
    m = dt.load_model("chain_store")
    for values in [*_model_points("chain_store", 2, 4), {"p_tough": 0.0}, {"p_tough": 1.0}]:
        _compare_kept(m.game(**values), policy)


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_programs_are_the_old_builds_on_chain_store(policy):
    m = dt.load_model("chain_store")
    for values in [*_model_points("chain_store", 2, 4), {"p_tough": 0.0}, {"p_tough": 1.0}]:
        _compare_builds(m.game(**values), policy)


@settings(max_examples=25, deadline=None)
@given(signalling_trees(), st.sampled_from(["free", "prior", "d1"]))
def test_programs_are_the_old_builds_on_random_trees(game, policy):
    _compare_builds(game, policy)
    _compare_kept(game, policy)


def test_programs_by_position_follow_the_list_of_patterns():
    """``_Programs.aligned``: one list of programs per list of patterns, found again for an equal
    copy of the list (the points of a sweep get copies of one), a new one for another list."""
    progs = pbe._Programs()
    patterns = [((0,), (0, 1)), ((0, 1), (1,)), ((1,), (0, 1))]
    first = progs.aligned(patterns)
    assert first.programs == [None] * 3 and first.status.tolist() == [pbe._UNBUILT] * 3
    first.programs[1] = pbe._Program(mixed=(0,))
    assert progs.aligned(list(patterns)) is first
    other = progs.aligned(patterns[:2])
    assert other is not first and other.programs == [None] * 2
    assert progs.aligned([((0,), (1,)), *patterns[1:]]) is not first
    for _ in range(4):  # (the last four lists are kept)
        progs.aligned([((0,), (5,))])
        progs.aligned([((0,), (6,))])
    assert progs.aligned(list(patterns)) is not first


def _kept_list(ctx, patterns, admitted, reached) -> list:
    """``_tabled_patterns``'s kept patterns, with their specs, options and verdicts, as a list."""
    kept, skipped, free = pbe._tabled_patterns(ctx, patterns, admitted, reached, 6)
    return [(pattern, mixed, rows.tolist(), found[0].tolist(), found[1:], tested[0], tested[2])
            for pattern, mixed, rows, found, tested in kept] + [skipped, free]


@pytest.mark.parametrize("policy", ["free", "prior"])
def test_programs_built_through_another_list_are_selected_alike(policy):
    """A pattern list whose programs were built (and their codes placed) through another list of the
    same patterns, in reverse order, selects the same patterns, with the same options and verdicts, as
    with programs built through itself (``_Aligned``: a program met first through another list is
    marked when met, its placement read off the program)."""
    game = dt.load_model("asymmetric_escalation").game(**_model_points("asymmetric_escalation", 1, 5)[0])
    ctx, patterns, admitted, reached = _search(game, policy)
    game.tree_cache.clear()
    fresh = _kept_list(ctx, patterns, admitted, reached)
    game.tree_cache.clear()
    backwards = patterns[::-1]
    order = np.argsort(len(patterns) - 1 - admitted, kind="stable")
    _kept_list(ctx, backwards, (len(patterns) - 1 - admitted)[order], np.asarray(reached)[order])
    progs = pbe._programs(ctx)
    assert progs.aligned(patterns).status.tolist() == [pbe._UNBUILT] * len(patterns)
    size = len(progs.codes.current[0])
    assert _kept_list(ctx, patterns, admitted, reached) == fresh
    assert len(progs.codes.current[0]) == size  # (the codes placed through the other list are found)


def test_reached_sets_are_worked_out_only_for_the_programs_built(monkeypatch):
    """The pattern loop reads the sets a pattern reaches only to build its program
    (``pbe._AdmittedReach``): the points of a tree (which share its programs) work them out for the
    programs they build alone, none when every program is built, with the same answers."""
    from helpers.exact_systems import float_route_off
    from test_pbe_multilinear import _everything

    from deterrence.solvers._pbe_pruning import BeliefSupportPruner

    m = dt.load_model("asymmetric_escalation")
    points = _model_points("asymmetric_escalation", 3, 5)
    asked, real, classify = [], BeliefSupportPruner.reached, _pbe_unbalanced._classified
    classifying, classified = [], []

    def counted(self, ind):
        if not classifying:
            asked.append(len(ind))
        return real(self, ind)

    def classified_once(game, pruner, ind):  # (all patterns, once per tree: not a pattern loop's read)
        classifying.append(1)
        try:
            classified.append(len(ind))
            return classify(game, pruner, ind)
        finally:
            classifying.clear()

    def n_built(game) -> int:
        return sum(p.built for progs in game.tree_cache.values() if isinstance(progs, pbe._Programs)
                   for p in progs.of.values())

    float_route_off(monkeypatch)  # (the float route reads the reached sets of its own patterns)
    fresh = [_everything(dt.solve(m.game(**values), "pbe", belief_policy="prior")) for values in points]
    monkeypatch.setattr(BeliefSupportPruner, "reached", counted)
    monkeypatch.setattr(_pbe_unbalanced, "_classified", classified_once)
    m.game(**points[0]).tree_cache.clear()
    for n, values in enumerate(points):
        game = m.game(**values)
        before = n_built(game)
        assert _everything(dt.solve(game, "pbe", belief_policy="prior")) == fresh[n]
        assert sum(asked) == n_built(game) - before
        asked.clear()
    again = m.game(**points[0])  # (every program built: none worked out)
    assert _everything(dt.solve(again, "pbe", belief_policy="prior")) == fresh[0] and sum(asked) == 0
    assert len(classified) == 1
