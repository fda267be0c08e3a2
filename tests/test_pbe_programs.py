"""The mixed patterns' programs (``pbe._Programs.build``) are those the old build gave.

The oracle (``tests/helpers/programs_oracle.py``) is the build before it kept each set's part of
the code by set and support, and ``PureTable.rows`` before its steps were kept per set. Both
builds run over the admitted patterns of a solve in the same order, each into its own
``_Programs``: every program (free or not, its specs, reached sets, rows, code, number of options,
the specs it reads and where each mixing set's options start) and the numbering of the specs are
the same (AEG and chain store at seeded points under every policy, Nature's zeros too; random
signalling trees).
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.programs_oracle import old_build, old_rows
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pbe_patterns import signalling_trees
from test_pbe_vertex import _model_points, _search

import deterrence as dt
from deterrence.solvers import pbe


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
    assert [s[:3] for s in new.specs] == [s[:3] for s in old.specs]
    return n


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_programs_are_the_old_builds_on_aeg(policy):
    m = dt.load_model("asymmetric_escalation")
    for values in _model_points("asymmetric_escalation", 2, 21):
        assert _compare_builds(m.game(**values), policy) > 100


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_programs_are_the_old_builds_on_chain_store(policy):
    m = dt.load_model("chain_store")
    for values in [*_model_points("chain_store", 2, 4), {"p_tough": 0.0}, {"p_tough": 1.0}]:
        _compare_builds(m.game(**values), policy)


@settings(max_examples=25, deadline=None)
@given(signalling_trees(), st.sampled_from(["free", "prior", "d1"]))
def test_programs_are_the_old_builds_on_random_trees(game, policy):
    _compare_builds(game, policy)
