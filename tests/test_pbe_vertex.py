"""The compiled vertex sign tests of the PBE solver keep exactly what the per-pattern tests kept.

The oracle is the solver's code before the compiled pass: per pattern, per set it checks and per
weight spec, the payoffs at the pattern's vertex rows computed from those rows alone (``einsum``
over the vertex rows' weights), then ``_set_conditions``'s tests in numpy, in
``_live_options``'s order. Against it:

* the payoffs per spec computed once for every row of the table (``pbe._spec_payoffs``) are, at a
  pattern's rows, the oracle's payoffs to the bit, so the conditions the solver solves are the
  same numbers (AEG, chain store, costly signalling menu at seeded points under every policy;
  random signalling trees; random subsets of rows);
* the compiled pass (``pbe._tabled_patterns``, ``_pbe_vertex.vertex_tests``) keeps the same
  patterns with the same options per mixing set, and the compiled float screens that follow it
  (``_pbe_prescreen``) give every system of every such pattern the verdicts of the Python path's
  screens (``test_pbe_prescreen.oracle_verdict``; a pattern with no system left is not kept);
* the compiled test of one set agrees with the numpy test on random payoffs full of ties, values
  at ``±tol`` and NaN.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.samples import points
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pbe_patterns import signalling_trees
from test_pbe_prescreen import oracle_verdict

import deterrence as dt
from deterrence._jit import python_version
from deterrence.solvers import _pbe_vertex, pbe
from deterrence.solvers._pbe_patterns import feasible_patterns
from deterrence.solvers._pbe_pruning import BeliefSupportPruner, cached_patterns
from deterrence.solvers._pbe_table import PureTable
from deterrence.solvers._tree_utils import child_tables, prior_mass


# ---------------------------------------------------------------------------------- the oracle
def _oracle_payoffs(ctx, k, specs, rows):
    """The mover's payoffs at the vertex rows, computed from those rows alone (the old code)."""
    spec = specs.get(k, ("reach",))
    if spec[0] in ("reach", "prior"):
        return ctx.table.payoffs(k, spec[0])[rows]
    weights = pbe._row_weights(ctx, k, spec, rows, specs)
    return np.einsum("cn,cna->ca", weights, ctx.table.q(k)[rows])


def _oracle_conditions(ctx, k, pattern, specs, rows):
    """``_set_conditions`` (the per-pattern numpy tests, which the untabled path still runs) at the
    pattern's vertex rows: its payoffs are ``_oracle_payoffs``'s for a vertex set given by rows."""
    return pbe._set_conditions(ctx, k, pattern, specs, pbe._Vertices(ctx, pattern, [], rows))


def _oracle_live(ctx, pattern, mixed, found, rows):
    """``_live_options`` as it was: each mixing set's passing options, with the conditions."""
    on_path, base, choices = found
    options = dict(zip(mixed, choices, strict=True))
    live, conditions = {}, {}
    for k in range(len(pattern)):
        if k not in options and not on_path[k]:
            continue
        keep = []
        for spec in options.get(k, [("reach",)]):
            cond = _oracle_conditions(ctx, k, pattern, {**base, k: spec}, rows)
            if cond is not None:
                keep.append(spec)
                conditions[(k, spec)] = cond
        if not keep:
            return None, {}
        live[k] = keep
    return [live[k] for k in mixed], conditions


def _search(game, policy):
    """The solver's context with its table, the mixed patterns, the admitted ones and what they reach."""
    allowed, _, _ = pbe._counts(game, 1e-12)
    ctx = pbe._Ctx(game=game, tol=1e-12, policy=policy, kids=child_tables(game), prior=prior_mass(game),
                   senders=pbe._sender_sets(game))
    possible = [ctx.possible(k) for k in range(len(game.infosets))]
    _, patterns = cached_patterns(feasible_patterns, game, allowed, possible, 1e-12, mixed=True)
    ctx.table = PureTable(game, allowed, ctx.batch, ctx.kids, ctx.prior)
    pruner = BeliefSupportPruner(game, possible, 1e-12, ctx.batch, ctx.kids)
    admitted = np.flatnonzero(pruner.admits_all(patterns))
    reached = pruner.reached(pruner.indicators(patterns)[admitted]) if len(admitted) else []
    return ctx, patterns, admitted, reached


def _compare(game, policy, max_mixed: int = 6) -> tuple[int, int]:
    """The compiled pass against the oracle on every admitted pattern (those mixing at more than
    ``max_mixed`` sets are skipped); returns the numbers of patterns tested and kept."""
    ctx, patterns, admitted, reached = _search(game, policy)
    with pytest.MonkeyPatch.context() as mp:  # (no early settling: test_pbe_settled)
        mp.setattr(pbe, "_settled_patterns", lambda *args: None)
        kept, skipped, free = pbe._tabled_patterns(ctx, patterns, admitted, reached, max_mixed)
        kept = list(kept)
    kept_by = {pattern: item for pattern, *item in kept}
    tested = n_kept = n_yielded = n_skipped = n_free = 0
    for i, on_path in zip(admitted.tolist(), reached, strict=True):
        pattern = patterns[i]
        mixed = [k for k, s in enumerate(pattern) if len(s) > 1]
        if len(mixed) > max_mixed:
            n_skipped += 1
            continue
        found = pbe._specs_of(ctx, pattern, mixed, on_path)
        if found is None:
            n_free += 1
            assert pattern not in kept_by
            continue
        tested += 1
        rows = ctx.table.rows(pattern, mixed)
        live, conditions = _oracle_live(ctx, pattern, mixed, found, rows)
        if live is None:
            assert pattern not in kept_by
            continue
        n_kept += 1
        # the float screens of the pattern's systems (_pbe_prescreen) against those of the Python path
        values = [[row for k in mixed for row in conditions[(k, specs[k])]]
                  for specs in pbe._spec_combos(found[1], mixed, live)]
        expected = [oracle_verdict(pattern, mixed, v) for v in values]
        if not any(expected):
            assert pattern not in kept_by
            continue
        n_yielded += 1
        got_mixed, got_rows, got_found, (got_live, checks, verdicts) = kept_by[pattern]
        assert verdicts == expected
        assert got_mixed == mixed and np.array_equal(got_rows, rows) and got_live == live
        assert np.array_equal(got_found[0], found[0]) and got_found[1:] == found[1:]
        vertices = pbe._Vertices(ctx, pattern, mixed, rows)
        # the numbers the solver solves, to the bit (the reached sets that do not mix have none)
        assert checks == {key: c for key, c in conditions.items() if key[0] in mixed}
        assert all(c == [] for key, c in conditions.items() if key[0] not in mixed)
        for (k, spec), cond in conditions.items():
            assert pbe._set_conditions(ctx, k, pattern, {**found[1], k: spec}, vertices) == cond
    assert n_yielded == len(kept_by) and (n_skipped, n_free) == (skipped, free)
    return tested, n_kept


def _model_points(name: str, n: int, seed: int) -> list[dict[str, float]]:
    return points(name, n, seed)


# ---------------------------------------------------------------------------------- the tests
@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_compiled_tests_keep_what_the_per_pattern_tests_kept_on_aeg(policy):
    m = dt.load_model("asymmetric_escalation")
    kept = 0
    for values in _model_points("asymmetric_escalation", 2, 11):
        tested, n_kept = _compare(m.game(**values), policy)
        assert tested > 100
        kept += n_kept
    assert kept > 0


@pytest.mark.parametrize("name", ["chain_store", "costly_signal_menu"])
@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_compiled_tests_keep_what_the_per_pattern_tests_kept(name, policy):
    m = dt.load_model(name)
    first = {"chain_store": "p_tough", "costly_signal_menu": "resolve"}[name]
    for values in [*_model_points(name, 3, 4), {first: 0.0}, {first: 1.0}]:  # Nature's zeros too
        _compare(m.game(**values), policy)
        _compare(m.game(**values), policy, max_mixed=1)  # skipped patterns counted too


@settings(max_examples=25, deadline=None)
@given(signalling_trees(), st.sampled_from(["free", "prior", "d1"]))
def test_compiled_tests_keep_what_the_per_pattern_tests_kept_on_random_trees(game, policy):
    _compare(game, policy)


@pytest.mark.parametrize("policy", ["prior", "d1"])
def test_spec_payoffs_at_any_rows_are_those_rows_alone(policy):
    """Every spec a solve registers, at random subsets of the table's rows (1 to 200, repeats
    allowed): the once-per-solve payoffs are those the subset's rows alone give, to the bit."""
    game = dt.load_model("asymmetric_escalation").game(**_model_points("asymmetric_escalation", 1, 3)[0])
    ctx, patterns, admitted, reached = _search(game, policy)
    list(pbe._tabled_patterns(ctx, patterns, admitted, reached, 6)[0])
    progs = pbe._programs(ctx)
    assert any(spec[0] not in ("reach", "prior") for _, _, spec, _ in progs.specs.values())
    rng = np.random.default_rng(8)
    n_rows = len(ctx.table.reach)
    for key, k, spec, specs in progs.specs.values():
        full = pbe._spec_payoffs(ctx, key, k, spec, specs)
        for size in (1, 2, 3, 4, 8, 17, 200):
            rows = rng.integers(0, n_rows, size=size)
            assert np.array_equal(full[rows], _oracle_payoffs(ctx, k, specs, rows))


def _numpy_passes(w, rows, support, others, tol):
    with np.errstate(invalid="ignore"):
        v = w[rows]
        for j in range(1, len(support)):
            diff = v[:, support[j]] - v[:, support[0]]
            if diff.min() > tol or diff.max() < -tol:
                return False
        return not (others and float((v[:, [support[0]]] - v[:, others]).max(axis=0).min()) < -tol)


def test_compiled_set_test_is_the_numpy_test():
    rng = np.random.default_rng(12)
    tol = 1e-12
    levels = np.array([-1.0, -tol, -tol / 2, 0.0, tol / 2, tol, 1.0, 2 * tol, -2 * tol])
    for _ in range(3000):
        n_actions = int(rng.integers(2, 5))
        w = rng.choice(levels, size=(12, n_actions)) + rng.choice([0.0, 0.5], size=(12, n_actions))
        if rng.random() < 0.1:
            w[rng.integers(12), rng.integers(n_actions)] = np.nan
        rows = rng.integers(0, 12, size=int(rng.integers(1, 6)))
        size = int(rng.integers(1, n_actions + 1))
        support = sorted(rng.choice(n_actions, size=size, replace=False).tolist())
        others = [b for b in range(n_actions) if b not in support]
        code = _pbe_vertex.encode(rows, [(support, others, [0])])
        ok, _, passed, values = _pbe_vertex.vertex_tests([code], np.array([1]), w[None], np.array([0]), tol)
        assert bool(ok[0]) == bool(passed[0]) == _numpy_passes(w, rows, support, others, tol)
        if ok[0]:
            expected = [w[rows, s] - w[rows, support[0]] for s in support[1:]]
            got = np.concatenate(expected) if expected else np.zeros(0)
            assert np.array_equal(values, got, equal_nan=True)


def test_kernels_compiled_equal_their_python_versions():
    """Many patterns in one pass, compiled and as plain Python (the code that runs without numba)."""
    rng = np.random.default_rng(13)
    payoffs = rng.choice([-1.0, 0.0, 1e-12, 1.0, 2.0], size=(4, 30, 3))
    codes, n_options = [], []
    for _ in range(200):
        rows = rng.integers(0, 30, size=int(rng.integers(1, 9)))
        groups = []
        for _ in range(int(rng.integers(1, 4))):
            support = sorted(rng.choice(3, size=int(rng.integers(1, 4)), replace=False).tolist())
            others = [b for b in range(3) if b not in support]
            groups.append((support, others, rng.integers(0, 6, size=int(rng.integers(1, 4))).tolist()))
        codes.append(_pbe_vertex.encode(rows, groups))
        n_options.append(sum(len(g[2]) for g in groups))
    slot = np.array([0, 1, 2, 3, 1, 0])
    compiled = _pbe_vertex.vertex_tests(codes, np.array(n_options), payoffs, slot, 1e-12)
    original = _pbe_vertex._tests_kernel, _pbe_vertex._conditions_kernel
    try:
        _pbe_vertex._tests_kernel = python_version(original[0])
        _pbe_vertex._conditions_kernel = python_version(original[1])
        plain = _pbe_vertex.vertex_tests(codes, np.array(n_options), payoffs, slot, 1e-12)
    finally:
        _pbe_vertex._tests_kernel, _pbe_vertex._conditions_kernel = original
    assert 0 < compiled[0].sum() < len(codes)
    for a, b in zip(compiled, plain, strict=True):
        assert np.array_equal(a, b)


def test_joined_codes_keep_their_positions_in_the_versions_that_extend_theirs():
    store = _pbe_vertex.JoinedCodes()
    a, b, c, d = (np.arange(n, dtype=np.int64) + 10 * n for n in (2, 3, 4, 5))
    base = store.current
    flat1, one, at = store.extended(base, [a, b])
    assert at == 0 and np.array_equal(flat1, np.concatenate([a, b])) and store.current[0] is flat1
    first = store.current
    flat2, two, at_c = store.extended(first, [c])
    assert at_c == len(a) + len(b) and np.array_equal(flat2[:at_c], flat1)
    assert {one, two} <= store.current[1]
    # another thread extending the version before: its version is kept, which does not extend `two`
    flat3, three, at_d = store.extended(first, [d])
    assert store.current[0] is flat3 and at_d == at_c and np.array_equal(flat3[at_d:], d)
    assert one in store.current[1] and three in store.current[1] and two not in store.current[1]
    assert np.array_equal(flat1, np.concatenate([a, b])) and np.array_equal(flat2[at_c:], c)  # unchanged


def test_joined_codes_append_after_their_version_in_one_buffer_and_never_overwrite_one():
    """Extending the newest version writes its codes after it in the same buffer (no copy of what it
    holds); extending a version already extended, or one whose buffer has no room left, copies it
    into another: after many extensions of random earlier versions (as solves on threads may do),
    every version still holds exactly its own codes."""
    store = _pbe_vertex.JoinedCodes()
    rng = np.random.default_rng(3)
    first = store.extended(store.current, [np.arange(5, dtype=np.int64)])[0]
    second = store.extended(store.current, [np.arange(7, dtype=np.int64)])[0]
    assert np.shares_memory(first, second) and second.base is first.base
    versions = [(first, np.arange(5)), (second, np.concatenate([np.arange(5), np.arange(7)]))]
    copied = 0
    for _ in range(300):
        n = len(versions) - 1 if rng.random() < 0.7 else int(rng.integers(len(versions)))
        flat, expected = versions[n]
        codes = [rng.integers(0, 1000, size=int(rng.integers(1, 60))) for _ in range(int(rng.integers(1, 4)))]
        longer, number, at = store.extended((flat, frozenset({0})), codes)
        assert at == len(flat) and store.current[0] is longer and number in store.current[1]
        copied += not np.shares_memory(longer, flat)
        versions.append((longer, np.concatenate([expected, *codes])))
    assert 0 < copied < 150
    for flat, expected in versions:
        assert np.array_equal(flat, expected)


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_a_solve_reading_the_kept_codes_is_a_solve_joining_them_anew(policy, monkeypatch):
    """The codes the solver reads from its tree's joined codes, kept from earlier solves (at other
    points), are the patterns' own: the same equilibria as with the codes joined anew per solve."""
    from test_pbe_multilinear import _everything

    m = dt.load_model("asymmetric_escalation")
    games = [m.game(**values) for values in _model_points("asymmetric_escalation", 4, 23)]
    kept = [_everything(dt.solve(game, "pbe", belief_policy=policy)) for game in games]
    placed = 0

    def anew(progs, programs, base, at):
        nonlocal placed
        placed += sum(a >= 0 for a in at)
        return _pbe_vertex.joined([p.code for p in programs])

    monkeypatch.setattr(pbe, "_joined_codes", anew)
    assert [_everything(dt.solve(game, "pbe", belief_policy=policy)) for game in games] == kept
    assert placed > 1000  # (the codes were read from the kept ones in the solves above)
