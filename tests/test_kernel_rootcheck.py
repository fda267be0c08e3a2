"""The guard's checks at a closed-form root (:mod:`deterrence.kernels._rootcheck`): a root that fails
the per-point solver's test at a set the pattern leaves unreached (under the belief the solver
gives it there) is no PBE, and the point it alone flagged is decided by the kernels.

The checks at the sets the pattern reaches or mixes at are what the guard read before; those off
the path are new. On random trees the points decided only thanks to them get the per-point rows;
checks that clear every root are caught there. (On ``asymmetric_escalation``, where the beliefs
carried forward matter, see ``tests/test_kernel_hooks.py``.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_kernel_guard import _listed, _pattern, _symbolic_random_tree

import deterrence as dt
from deterrence.kernels import _rootcheck, compile_tree

VALUES = np.linspace(-1.0, 1.0, 9)


def _on_path_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leave out the conditions at the sets a pattern neither reaches nor mixes at."""
    full = _rootcheck.RootCheck._conditions_at

    def conditions_at(self, h):
        spec = self.specs[h]
        if len(self.pattern[h]) == 1 and (spec is None or spec[0] != "reach"):
            return []
        return full(self, h)

    monkeypatch.setattr(_rootcheck.RootCheck, "_conditions_at", conditions_at)


def _undecided_and_wrong(seed: int, policy: str) -> tuple[np.ndarray, list[int]]:
    """A random three-player tree (as ``test_kernel_guard``): the compiled model's undecided points,
    and the decided points where its rows are not the per-point solver's equilibria (a pattern the
    kernels do not list, or another count)."""
    tree, game, a, b = _symbolic_random_tree(seed, 3, 5)
    cm = compile_tree(tree, "pbe", policy)
    table, undecided = cm.evaluate(pd.DataFrame({"s": VALUES}))
    wrong = []
    for k in np.flatnonzero(~undecided):
        g = game.with_numbers((a + VALUES[k] * b).tolist(), [ci.probs for ci in game.chance_infos])
        eqs = dt.solve(g, "pbe", belief_policy=policy)
        if any(not _listed(cm, _pattern(e)) for e in eqs) or (table["point"] == k).sum() != len(eqs):
            wrong.append(int(k))
    return undecided, wrong


@pytest.mark.parametrize(("seed", "policy"), [(1, "free"), (1, "d1"), (36, "free"), (36, "prior")])
def test_roots_failing_off_the_path_are_cleared(seed, policy, monkeypatch):
    """On these trees some point is flagged only by roots that pass every condition on the path and
    fail off it: the checks off the path decide it, with the per-point solver's rows."""
    undecided, wrong = _undecided_and_wrong(seed, policy)
    assert wrong == []
    _on_path_only(monkeypatch)
    on_path_undecided, _ = _undecided_and_wrong(seed, policy)
    assert not (undecided & ~on_path_undecided).any()
    assert (on_path_undecided & ~undecided).any()


def test_checks_clearing_every_root_are_caught(monkeypatch):
    """The comparison above catches checks that clear every root."""
    monkeypatch.setattr(_rootcheck.RootCheck, "fails", lambda self, *args: True)
    _, wrong = _undecided_and_wrong(1, "prior")
    assert wrong
