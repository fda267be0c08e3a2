"""The PBE solver's on-path beliefs taken on the sets grouped by size equal the former set-by-set loop.

:class:`~deterrence.solvers._pbe_beliefs._Beliefs` sums the reach of the sets of one size in one
numpy call (``_Ctx.set_groups``); ``_on_path_per_set`` below is the loop it replaced (one sum per
set), kept as the oracle: the same beliefs to the bit and the same sets on the path, on catalogue
models at seeded points and random signalling trees, over random (pure and mixed) profiles.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pbe_patterns import signalling_trees

import deterrence as dt
from deterrence import kernels
from deterrence.solvers import pbe
from deterrence.solvers._pbe_beliefs import _Beliefs
from deterrence.solvers._pbe_context import _REACH
from deterrence.solvers._tree_utils import child_tables, prior_mass


def _on_path_per_set(ctx, reach):
    """The former loop of ``_Beliefs.__init__`` (the oracle)."""
    mu, on_path = [None] * len(ctx.game.infosets), [False] * len(ctx.game.infosets)
    for k, nodes in enumerate(ctx.set_nodes):
        r = reach[nodes]
        s = r.sum()
        if s > _REACH:
            mu[k] = r / s
            on_path[k] = True
    return mu, on_path


def _check(game, rng, n: int) -> None:
    ctx = pbe._Ctx(game=game, tol=1e-9, policy="free", kids=child_tables(game), prior=prior_mass(game),
                   senders=pbe._sender_sets(game))
    for _ in range(n):
        beh = [rng.dirichlet(np.ones(len(h.actions))) for h in game.infosets]
        if rng.random() < 0.5:  # pure moves leave sets unreached
            beh = [np.eye(len(b))[rng.integers(len(b))] for b in beh]
        elif rng.random() < 0.5:  # tiny and huge spreads of probabilities: rounding in the sums
            beh = [b ** rng.uniform(1, 40) for b in beh]
            beh = [b / b.sum() for b in beh]
        bel = _Beliefs(ctx, beh)
        mu, on_path = _on_path_per_set(ctx, bel.reach)
        assert bel.on_path == on_path
        for found, oracle in zip(bel.mu, mu, strict=True):
            assert (found is None) == (oracle is None)
            if found is not None:
                assert found.tobytes() == oracle.tobytes()


@pytest.mark.parametrize("name", ["asymmetric_escalation", "chain_store", "costly_signal_menu", "egame12"])
def test_grouped_on_path_beliefs_equal_the_set_by_set_loop(name):
    m = dt.load_model(name)
    pts = pd.DataFrame(kernels.domain_sample(m, 3, seed=3))
    rng = np.random.default_rng(8)
    for _, row in pts.iterrows():
        _check(m.game(**{k: float(v) for k, v in row.items()}), rng, 30)


@settings(max_examples=30, deadline=None)
@given(signalling_trees(), st.integers(0, 2**32 - 1))
def test_grouped_on_path_beliefs_equal_the_loop_on_random_trees(game, seed):
    _check(game, np.random.default_rng(seed), 10)


def test_a_rows_sum_is_the_sum_of_the_row_alone():
    """The premise of the grouping: numpy's sum along a C-ordered matrix's rows adds each row as
    it adds that row taken alone (sizes 1 to 40, values spread over 40 orders of magnitude)."""
    rng = np.random.default_rng(1)
    for size in range(1, 41):
        rows = rng.random((5, size)) * 10.0 ** rng.integers(-20, 20, (5, size))
        sums = rows.sum(axis=1)
        assert all(sums[j] == rows[j].copy().sum() for j in range(5))
