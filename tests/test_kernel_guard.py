"""The compiled PBE kernels' guard: points where a support pattern the kernels do not list may
hold an equilibrium go to the per-point solver (:mod:`deterrence.kernels._guard`)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers.kernel_checks import symbolic_random_tree

import deterrence as dt
from deterrence.errors import UnsupportedError
from deterrence.kernels import compile_model, compile_tree

PENNIES = Path(__file__).parent / "data" / "three_way_pennies.toml"
GRID = {"wa": [0.6, 1.0, 1.7], "wb": [0.8, 1.3], "wc": [1.0, 1.9]}


def _rounded(table: pd.DataFrame) -> list[tuple]:
    cols = ["point", "regime", "p_attack", "p_war"]
    rows = table[cols].itertuples(index=False)
    return sorted((int(k), str(r), round(float(a), 6), round(float(w), 6)) for k, r, a, w in rows)


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_three_way_pennies_is_never_decided_without_its_equilibrium(policy):
    """Three-way matching pennies: its only PBE mixes at all three sets, a pattern the kernels do
    not list. Without the guard the compiled path returned no equilibrium at every point."""
    m = dt.load_model(PENNIES)
    cm = compile_model(m, "pbe", policy)
    points = pd.DataFrame({"wa": [1.0, 1.5, 0.6], "wb": [1.0, 0.7, 2.0], "wc": [1.0, 1.9, 0.5]})
    for evaluate in (cm.evaluate, cm.evaluate_reference):
        table, undecided = evaluate(points)
        assert undecided.all(), evaluate
        assert table.empty
    for _, row in points.iterrows():  # the per-point solver lists it: (1/2, 1/2) at every set
        eqs = dt.solve(m.game(**row.to_dict()), "pbe", belief_policy=policy)
        assert len(eqs) == 1
        assert all(np.allclose(s, 0.5) for s in eqs[0].strategies)


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_three_way_pennies_sweep_compiled_equals_per_point(policy):
    """The sweep's compiled path gives the per-point answer (the guard sends every point there).
    An agreement test, not the regression test: the sweep also solves per point any point where
    the kernels find no equilibrium, so it held before the guard too (the tests above and below
    fail without it)."""
    m = dt.load_model(PENNIES)
    kw = dict(grid=GRID, concept="pbe", belief_policy=policy, progress=False)
    compiled = dt.sweep(m, path="compiled", **kw).table
    per_point = dt.sweep(m, path="pointwise", **kw).table
    assert len(per_point) == 12  # one equilibrium per point
    assert _rounded(compiled) == _rounded(per_point)


# ------------------------------------------------------------------ random trees
def _symbolic_random_tree(seed: int, players: int, sets: int):
    """A seeded random tree whose payoffs move with one parameter ``s``
    (:func:`helpers.kernel_checks.symbolic_random_tree`)."""
    return symbolic_random_tree(seed, players, sets)


def _pattern(eq) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(np.flatnonzero(np.asarray(x) > 1e-9).tolist()) for x in eq.strategies)


def _listed(cm, pattern) -> bool:
    mixing = tuple(h for h, s in enumerate(pattern) if len(s) > 1)
    if len(mixing) < 2:
        return True
    pure = tuple(s[0] if len(s) == 1 else -1 for s in pattern)
    return any(st.mixing == mixing and st.pure == pure for st in cm.structures)


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
@pytest.mark.parametrize("seed", range(12))
def test_guard_flags_every_point_with_an_unlisted_equilibrium(seed, policy):
    """On random three-player trees, wherever the per-point solver lists a PBE whose support
    pattern the kernels do not list (mixing at three or more sets, or over three actions), the
    guard sends the point per point; and the compiled path agrees with the per-point solver at
    the points it decides."""
    _check_random_tree(seed, 3, 5, policy)


@pytest.mark.parametrize("seed", [99])
def test_guard_under_d1_tests_unreached_sets_for_every_belief(seed):
    """Under ``d1`` the per-point solver also solves patterns mixing at an unreached set, with a
    D1 belief the guard does not form: it rules them out only where every node's condition has
    the same strict sign. On this tree (seed 99) it lists a PBE mixing at two sets, one of them
    unreached, which a guard ruling such sets out for any belief would drop."""
    _check_random_tree(seed, 2, 5, "d1")


def _check_random_tree(seed: int, players: int, sets: int, policy: str) -> None:
    """The guard sends per point every point of a random tree where the per-point solver lists a
    PBE of a pattern the kernels do not list; the decided points agree with it."""
    tree, game, a, b = _symbolic_random_tree(seed, players, sets)
    try:
        cm = compile_tree(tree, "pbe", policy)
    except UnsupportedError:
        pytest.skip("this tree does not compile")
    values = np.linspace(-1.0, 1.0, 9)
    points = pd.DataFrame({"s": values})
    table, undecided = cm.evaluate(points)
    for k, s in enumerate(values):
        g = game.with_numbers((a + s * b).tolist(), [ci.probs for ci in game.chance_infos])
        eqs = dt.solve(g, "pbe", belief_policy=policy)
        if any(not _listed(cm, _pattern(e)) for e in eqs):
            assert undecided[k], (seed, s, [_pattern(e) for e in eqs])
        if not undecided[k]:
            assert (table["point"] == k).sum() == len(eqs), (seed, s)


# ------------------------------------------------------------------ the first stage alone
def test_the_first_stage_alone_flags_every_point_the_two_stages_flag():
    """``PatternGuard`` (vertex tests only) is the base of the guard compiled models hold,
    ``SystemGuard`` (which examines the survivors as systems). Its ``flags`` called its own
    ``_flag_patterns`` with the subclass's arguments (``pay`` too) and raised ``TypeError``. The
    first stage alone flags a superset of the points both stages flag: on ``costly_signal_pledge``
    the second stage clears points the first flags."""
    from deterrence import kernels
    from deterrence.kernels._guard import PatternGuard

    m = dt.load_model("costly_signal_pledge")
    cm = compile_model(m, "pbe", "free")
    first = PatternGuard(cm.game, cm.structures, cm.belief_policy, cm.kept)
    pts = kernels.domain_sample(m, 400, seed=7)
    pay, ce = cm.tree.numeric_columns({k: np.asarray(v, float) for k, v in pts.items()})
    alone = first.flags(pay, ce, cm.tol, cm.edge)
    both = cm._guard.flags(pay, ce, cm.tol, cm.edge)
    assert not (both & ~alone).any()
    assert (alone & ~both).any()


def test_one_variable_reads_the_sets_its_rows_change_along():
    """:func:`_one_variable` finds the one binary set an indifference condition's rows change
    along, by strides over the vertices; the same as comparing the rows at every vertex with those
    at the vertex that differs at one set only, the set at its first support action."""
    from deterrence.kernels._guard import _one_variable

    rng = np.random.default_rng(5)
    for _ in range(300):
        pattern = tuple(tuple(sorted(rng.choice(3, size=int(rng.integers(1, 3)), replace=False).tolist()))
                        for _ in range(4))
        mixing = [k for k, s in enumerate(pattern) if len(s) > 1]
        h = int(rng.integers(4))
        choices = [pattern[k] if k in mixing and k != h else (pattern[k][0],) for k in range(4)]
        vertices = list(itertools.product(*choices))
        reads = [k for k in range(4) if rng.random() < 0.4]  # the sets the condition's rows depend on
        rows = [(hash(tuple(v[k] for k in reads)) % 3, 0, -1) for v in vertices]
        at = dict(zip(vertices, rows, strict=True))
        depends = [j for j in mixing if j != h and any(
            at[(*v[:j], b, *v[j + 1:])] != at[v]
            for v in vertices if v[j] == pattern[j][0] for b in pattern[j][1:])]
        line = _one_variable(pattern, mixing, h, rows)
        if len(depends) != 1 or len(pattern[depends[0]]) != 2:
            assert line is None
            continue
        j = depends[0]
        base = vertices[0]
        lo, hi = (at[(*base[:j], a, *base[j + 1:])] for a in pattern[j])
        assert line == (j, (lo, hi))
