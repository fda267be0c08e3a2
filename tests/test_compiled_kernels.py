"""The compiled kernels against the plain implementations they replaced, and the package without numba.

* vertex enumeration's pivoting kernel against the numpy layered pivoting it replaced
  (``helpers/vertex_pivot_numpy.py``): the same vertices with the same tight labels, on random,
  tied (degenerate) and one-sided games;
* Lemke's compiled pivoting against the numpy version (``helpers/lemke_numpy.py``) on the
  sequence-form LCPs of random trees;
* the compiled Nash regret of a tree against the Python walk (``_deviation_gain``), both on the
  players' scaled payoffs;
* the fast paths keep the guarantees of the scaled certificates: a badly scaled bimatrix game is
  certified on the players' scales (the same certificates as ``certify`` one by one), and a tree
  whose payoffs are far from 1 gets the same relative regret from the compiled kernel as the
  same tree on a unit scale;
* batch deduplication against the one-by-one greedy rule;
* the lazily built fields of ``Equilibrium`` (values, pickling, ``dataclasses.replace``);
* a fresh interpreter in which ``import numba`` fails solves the same games with the same
  results (the kernels run as plain Python).
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers.lemke_numpy import lemke as lemke_numpy
from helpers.trees import random_tree, sequence_count
from helpers.vertex_pivot_numpy import pivot_vertices

import deterrence as dt
from deterrence.certificates import (
    _tree_regret,
    _TreeNumbers,
    certify_bimatrix_profiles,
    nash_regret_on_scale,
)
from deterrence.game import ExtensiveFormGame, NormalFormGame, decision, terminal
from deterrence.game.convert import sequence_form
from deterrence.game.scaling import PlayerScale, payoff_scales, rescaled, well_scaled
from deterrence.solvers import _vertex_kernel as kernel
from deterrence.solvers import sequence_form as sf_solver
from deterrence.solvers._bimatrix import polytope_p, polytope_q, scaled_positive
from deterrence.solvers.base import distinct_rows
from deterrence.solvers.lemke import lemke
from deterrence.solvers.vertex_enumeration import _label_masks

ROOT = Path(__file__).resolve().parents[1]


def _games(seed: int, m: int, n: int, kind: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng([seed, m, n])
    if kind == "continuous":
        return rng.normal(size=(m, n)), rng.normal(size=(m, n))
    if kind == "ties":
        return rng.integers(0, 3, (m, n)).astype(float), rng.integers(0, 3, (m, n)).astype(float)
    return rng.integers(-9, 10, (m, n)).astype(float), np.zeros((m, n))  # "flat": column player indifferent


def _vertex_set(masks: np.ndarray, z: np.ndarray) -> dict[tuple[int, ...], np.ndarray]:
    return {tuple(int(w) for w in row): z[k] for k, row in enumerate(masks)}


CASES = [(s, m, n, kind) for s in range(6) for m, n in ((3, 3), (4, 5), (6, 4), (2, 7))
         for kind in ("continuous", "ties", "flat")]


@pytest.mark.parametrize("seed,m,n,kind", CASES)
def test_vertex_kernel_equals_numpy_pivoting(seed: int, m: int, n: int, kind: str) -> None:
    """Both polytopes: the same vertices (tight label sets) at the same points."""
    a, b = _games(seed, m, n, kind)
    p_matrix, p_labels, q_matrix, q_labels = kernel.polytopes(a, b)
    for (matrix, labels), (g, rhs) in (((p_matrix, p_labels), polytope_p(scaled_positive(b))),
                                       ((q_matrix, q_labels), polytope_q(scaled_positive(a)))):
        masks, z, degenerate, err = kernel.polytope_vertices(matrix, labels)
        assert err == kernel.OK
        oracle_z, oracle_tight = pivot_vertices(g, rhs)
        ours, theirs = _vertex_set(masks, z), _vertex_set(_label_masks(oracle_tight), oracle_z)
        assert ours.keys() == theirs.keys()
        for key in ours:
            np.testing.assert_allclose(ours[key], theirs[key], atol=1e-9)
        assert degenerate == bool(np.any(oracle_tight.sum(axis=1) > g.shape[1]))


def test_vertex_kernel_wide_label_masks() -> None:
    """More than one mask word (over 62 labels): the same equilibria as the qhull route."""
    a, b = _games(1, 3, 70, "continuous")
    from deterrence.solvers.vertex_enumeration import extreme_equilibria

    ours, hull = extreme_equilibria(a, b), extreme_equilibria(a, b, method="qhull")
    key = sorted(map(tuple, np.round(np.hstack([ours["x"], ours["y"]]), 9)))
    assert key == sorted(map(tuple, np.round(np.hstack([hull["x"], hull["y"]]), 9)))


@pytest.mark.parametrize("seed", range(8))
def test_lemke_kernel_equals_numpy_lemke(seed: int) -> None:
    """The sequence-form LCP of a random tree: the same pivots and the same solution."""
    game = random_tree(seed, rounds=2, types=2 + seed % 2)
    sf = sequence_form(game)
    M, rhs, basis, z0, complement, free = sf_solver.lcp_system(sf, seed=seed)
    c = {"M": M, "rhs": rhs, "basis": basis, "z0": z0, "complement": complement, "free": free}
    ours = lemke(c["M"], c["rhs"], c["basis"], c["z0"], c["complement"], c["free"])
    x, y, pivots, _ = sf_solver.solve_lcp(sf, seed=seed)  # the solver's own run of the kernel
    n1, n2 = sf.sizes
    assert pivots == ours.pivots
    np.testing.assert_allclose(np.concatenate([x, y]), np.clip(ours.values[:n1 + n2], 0, None), atol=1e-12)
    comp = {int(k): int(v) for k, v in enumerate(c["complement"]) if v >= 0}
    theirs = lemke_numpy(c["M"], c["rhs"], [int(v) for v in c["basis"]], c["z0"], comp, c["free"].tolist())
    assert ours.pivots == theirs.pivots and ours.basis == theirs.basis
    np.testing.assert_allclose(ours.values, theirs.values, atol=1e-9)


def _compiled_regret(game: ExtensiveFormGame, beh: list) -> np.ndarray | None:
    """The certificate's compiled Nash regret of a tree (``None``: it declines the game)."""
    fast = nash_regret_on_scale(game, beh)
    return None if fast is None else fast[0]


@pytest.mark.parametrize("seed", range(10))
def test_compiled_tree_regret_equals_the_python_walk(seed: int) -> None:
    rng = np.random.default_rng(seed)
    game = random_tree(seed, rounds=2, types=2)
    for _ in range(5):
        beh = [rng.dirichlet(np.ones(len(h.actions))) for h in game.infosets]
        fast = _compiled_regret(game, beh)
        nums = _TreeNumbers(game, beh, False)
        nums.exact = True  # force the Python walk of _tree_regret
        slow = _tree_regret(nums, [(game.root, 1.0)])
        assert fast is not None
        np.testing.assert_allclose(fast, slow, atol=1e-12)


def test_compiled_tree_regret_declines_imperfect_recall() -> None:
    forget = decision("A", {  # A forgets its own first move
        "l": decision("A", {"a": terminal([1, 0]), "b": terminal([0, 1])}, infoset="x"),
        "r": decision("A", {"a": terminal([0, 0]), "b": terminal([2, 1])}, infoset="x"),
    })
    game = ExtensiveFormGame(forget, players=["A", "B"])
    assert _compiled_regret(game, game.uniform_behaviour()) is None
    cert = dt.certify(game, game.uniform_behaviour())  # the pure-strategy enumeration instead
    assert cert.regret == pytest.approx(2 - (1 + 0 + 0 + 2) / 4)  # best pure plan (r, b) against uniform


@pytest.mark.parametrize("factor", [1e-200, 1e200, 1.7e308])  # the last: ranges beyond floats
def test_badly_scaled_bimatrix_profiles_are_certified_on_the_scale(factor: float) -> None:
    rng = np.random.default_rng(3)
    a, b = rng.uniform(-1, 1, (4, 3)), rng.uniform(-1, 1, (4, 3))
    game = NormalFormGame([a * factor, b])
    assert not well_scaled(payoff_scales(game))  # the compiled pass on raw payoffs is not used
    xs, ys = rng.dirichlet(np.ones(4), 6), rng.dirichlet(np.ones(3), 6)
    certs = certify_bimatrix_profiles(game, xs, ys)
    unit = certify_bimatrix_profiles(NormalFormGame([a, b]), xs, ys)  # the same game on a unit scale
    np.testing.assert_allclose(certs.relative, unit.relative, rtol=1e-9, atol=1e-15)
    for k in range(len(xs)):
        one = dt.certify(game, [xs[k], ys[k]])
        assert certs.certificate(k).details["relative_regret"] == pytest.approx(
            one.details["relative_regret"], rel=1e-9, abs=1e-15)
        assert certs.certificate(k).passed == one.passed
        assert np.isfinite(certs.relative[k])
    eq = dt.solve(game, method="vertex_enumeration")
    assert len(eq) and all(e.certificate.passed for e in eq)


@pytest.mark.parametrize("factor", [1e-250, 1e250])
def test_compiled_tree_regret_on_a_badly_scaled_tree(factor: float) -> None:
    rng = np.random.default_rng(5)
    game = random_tree(2, rounds=2, types=2)
    far = rescaled(game, [PlayerScale(0, 1 / factor)] * game.num_players)  # payoffs times factor
    far_payoffs = game.payoffs * factor
    np.testing.assert_allclose(far.payoffs, far_payoffs, rtol=1e-12)
    for _ in range(3):
        beh = [rng.dirichlet(np.ones(len(h.actions))) for h in game.infosets]
        assert _compiled_regret(far, beh) is not None  # the compiled kernel serves
        near, distant = dt.certify(game, beh), dt.certify(far, beh)
        assert distant.details["relative_regret"] == pytest.approx(near.details["relative_regret"], rel=1e-9)
        assert distant.regret == pytest.approx(near.regret * factor, rel=1e-9)


@pytest.mark.parametrize("seed,m,n,kind", CASES[::3])
def test_strategies_kernel_is_the_full_kernel_less_tight_labels(seed: int, m: int, n: int, kind: str) -> None:
    """``bimatrix_strategies`` (floating-point solves) returns what ``bimatrix_extremes`` does, less
    the tight labels."""
    a, b = _games(seed, m, n, kind)
    full, short = kernel.bimatrix_extremes(a, b), kernel.bimatrix_strategies(a, b)
    for mine, theirs in zip(short[:3], full[:3], strict=True):
        np.testing.assert_array_equal(mine, theirs)
    assert tuple(short[3:]) == tuple(full[5:])


def test_a_rescaled_tree_keeps_its_own_scales() -> None:
    """The scales kept on a tree are not carried over to its rescaled copy (which shares the tree)."""
    game = random_tree(2, rounds=2, types=2)
    kept = payoff_scales(game)
    far = rescaled(game, [PlayerScale(0, 1 / 1e250)] * game.num_players)
    assert payoff_scales(game) is kept
    assert [s.unit for s in payoff_scales(far)] != [s.unit for s in kept]
    assert not well_scaled(payoff_scales(far)) and well_scaled(kept)


def test_a_rescaled_tree_holds_its_payoffs_everywhere() -> None:
    """Its builder nodes carry the rescaled payoffs, even when the tree it came from had built its
    own (they once came along in the copy, on the old scale); its sequence form too."""
    from deterrence.game.convert import sequence_form

    game = random_tree(2, rounds=2, types=2)
    _ = game.root_node, sequence_form(game)  # built and kept on the original
    far = rescaled(game, [PlayerScale(1, 1 / 1e250)] * game.num_players)
    np.testing.assert_allclose(far.payoffs, (game.payoffs - 1) * 1e250, rtol=1e-12)
    leaves = []

    def walk(node) -> None:
        if hasattr(node, "payoffs"):
            leaves.append(tuple(float(v) for v in node.payoffs))
        for child in getattr(node, "actions", {}).values():
            walk(child)
        for _prob, child in getattr(node, "branches", {}).values():
            walk(child)

    walk(far.root_node)
    np.testing.assert_allclose(sorted(leaves), sorted(tuple(row) for row in far.payoffs), rtol=1e-12)
    fresh = game.with_numbers(far.payoff_values, [c.probs for c in game.chance_infos])
    np.testing.assert_array_equal(sequence_form(far).A, sequence_form(fresh).A)


def test_distinct_rows_is_the_greedy_rule() -> None:
    rng = np.random.default_rng(3)
    base = rng.random((6, 3))
    rows = np.vstack([base, base[[1, 4]] + 1e-10, base[[2]] + 5e-9, rng.random((2, 3))])
    rng.shuffle(rows)
    keep: list[int] = []
    for k in range(len(rows)):
        if not any(np.abs(rows[j] - rows[k]).max() <= 1e-8 for j in keep):
            keep.append(k)
    assert distinct_rows((rows[:, :2], rows[:, 2:]), 1e-8).tolist() == keep
    assert distinct_rows((rows,), 1e-8).tolist() == keep


def test_lazy_equilibrium_fields() -> None:
    rng = np.random.default_rng(0)
    game = NormalFormGame([rng.integers(-5, 6, (3, 3)), rng.integers(-5, 6, (3, 3))],
                          players=["R", "C"], strategies=[["a", "b", "c"], ["x", "y", "z"]])
    eqs = dt.solve(game)
    for e in eqs:
        x, y = e.strategies
        assert e.profile == game.labelled([x, y])
        assert e.payoffs == dict(zip(game.players, game.expected_payoffs([x, y]).tolist(), strict=True))
        assert e.certificate == dt.certify(game, [x, y])
        clone = pickle.loads(pickle.dumps(e))
        assert clone.profile == e.profile and clone.certificate == e.certificate
        assert dataclasses.replace(e, label="x").profile == e.profile
        with pytest.raises(AttributeError):
            e.no_such_field  # noqa: B018


def test_large_random_tree_sequence_form() -> None:
    game = random_tree(7, rounds=3, types=2)
    assert sum(sequence_form(game).sizes) == sequence_count(3, 2, 2, 2) == 128
    eqs = dt.solve(game, method="sequence_form")
    assert len(eqs) == 1 and eqs[0].certificate.passed


@pytest.mark.slow
def test_sequence_form_on_512_sequences() -> None:
    game = random_tree(1, rounds=4, types=2)
    assert sum(sequence_form(game).sizes) == 512
    eqs = dt.solve(game, method="sequence_form", max_work=1e13)
    assert eqs[0].certificate.passed


_WITHOUT_NUMBA = """
import sys, json
sys.modules["numba"] = None  # "import numba" now raises ImportError
sys.path.insert(0, {tests!r})
import numpy as np
import deterrence as dt
from deterrence import _jit
from helpers.trees import random_tree
assert not _jit.COMPILED
rng = np.random.default_rng(5)
out = {{}}
for name, (m, n) in {{"4x4": (4, 4), "3x5": (3, 5)}}.items():
    g = dt.NormalFormGame([rng.integers(-9, 10, (m, n)), rng.integers(-9, 10, (m, n))])
    eqs = dt.solve(g, method="vertex_enumeration")
    out[name] = sorted(np.round(np.concatenate(e.strategies), 9).tolist() for e in eqs)
tree = dt.solve(random_tree(2, rounds=2, types=2), method="sequence_form")
out["tree"] = np.round(np.concatenate(tree[0].strategies), 9).tolist()
print(json.dumps(out))
"""


def test_without_numba_the_same_results() -> None:
    code = _WITHOUT_NUMBA.format(tests=str(ROOT / "tests"))
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert res.returncode == 0, res.stderr[-2000:]
    plain = json.loads(res.stdout.strip().splitlines()[-1])
    rng = np.random.default_rng(5)
    for name, (m, n) in {"4x4": (4, 4), "3x5": (3, 5)}.items():
        g = dt.NormalFormGame([rng.integers(-9, 10, (m, n)), rng.integers(-9, 10, (m, n))])
        eqs = dt.solve(g, method="vertex_enumeration")
        assert sorted(np.round(np.concatenate(e.strategies), 9).tolist() for e in eqs) == plain[name]
    tree = dt.solve(random_tree(2, rounds=2, types=2), method="sequence_form")
    assert np.round(np.concatenate(tree[0].strategies), 9).tolist() == plain["tree"]
