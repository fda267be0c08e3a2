"""The compiled kernels tell a tie from a loss on the per-point solver's scale.

The per-point PBE solver compares payoff differences with ``tol`` in absolute terms on the game
it solves: the game as given when it is well scaled, else the game rescaled per player
(:func:`deterrence.game.scaling.on_common_scale`). The kernels once compared regrets with ``tol``
relative to each player's payoff range, so with payoffs spanning 4 an action worse by ``3e-8``
was a tie for the compiled path (three equilibria) and a loss per point (two), and a sweep kept
the compiled rows. Here both paths must give the same equilibria wherever the kernel decides a
point, on either side of the tolerance and with payoffs spanning far more or far less than 1;
and :func:`deterrence.game.scaling.solver_units` must give the scale that the solver uses
(:func:`~deterrence.game.scaling.player_scale`, :func:`~deterrence.game.scaling.solved_as_given`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import deterrence as dt
from deterrence.game.scaling import player_scale, solved_as_given, solver_units, with_common_unit
from deterrence.kernels import compile_model
from deterrence.outcomes import regime_label

UDG = "unilateral_deterrence"


def _udg_point(factor: float, gap: float) -> dict[str, float]:
    """unilateral_deterrence at its defaults with every utility times ``factor`` and the Hard
    Challenger's conflict utility ``gap`` above its utility for backing down."""
    m = dt.load_model(UDG)
    x = {k: float(p.default) for k, p in m.parameters.items()}
    x = {k: v * factor if k[:2] in ("c_", "d_") else v for k, v in x.items()}
    x["c_conflict_hard"] = x["c_challenger_concedes"] + gap
    return x


def _key(regime: str, p_attack: float, payoffs: list[float]) -> tuple:
    return regime, round(p_attack, 9), tuple(round(v, 9) for v in payoffs)


def _engine_alone(model: object) -> object:
    """The compiled model without its guard (:mod:`deterrence.kernels._guard`), a shallow copy (the
    cached model keeps it). Near these ties the guard sends points to the per-point solver, by
    design: a mixture the kernels do not list might hold there. These tests are about the engine's
    own tie decisions, so they run it alone; every equilibrium the per-point solver lists is still
    compared, so one the kernels do not list would fail them."""
    import copy

    engine = copy.copy(compile_model(model, "pbe", "free"))
    engine._guard = None
    return engine


def _compare(points: list[dict[str, float]]) -> int:
    """Assert compiled == per point at every point the kernel decides and the per-point solver
    solves; returns how many such points there are.

    (Where the utilities span less than 1, the per-point solver finds a candidate losing up to
    ``tol`` in the game's units and its certificate, which passes ``tol`` of the range, then
    rejects it: :class:`~deterrence.errors.SolverError`. Such a point is no equilibrium for the
    kernel beyond its knife-edge margin, as before: see the report of this change.)"""
    m = dt.load_model(UDG)
    cm = _engine_alone(m)
    table, undecided = cm.evaluate(pd.DataFrame(points))
    players = list(m.game().players)
    decided = 0
    for k, x in enumerate(points):
        if undecided[k]:
            continue
        try:
            eqs = list(dt.solve(m.game(**x), "pbe", belief_policy="free"))
        except dt.SolverError:
            continue
        pointwise = sorted(
            _key(regime_label(e.outcomes, e.is_pure()), 1 - e.outcomes.get("status_quo", 0.0),
                 [float(e.payoffs[p]) for p in players])
            for e in eqs
        )  # fmt: skip
        rows = table[table.point == k]
        compiled = sorted(
            _key(r.regime, r.p_attack, [r[f"payoff_{p}"] for p in players]) for _, r in rows.iterrows()
        )
        assert compiled == pointwise, (x, compiled, pointwise)
        decided += 1
    return decided


def test_a_loss_just_above_tol_is_a_loss_on_both_paths() -> None:
    """The reproduction: payoffs spanning 4, a loss of 3e-8 (3 tol; 7.5e-9 of the range)."""
    x = _udg_point(1.0, 3e-8)
    m = dt.load_model(UDG)
    table, undecided = compile_model(m, "pbe", "free").evaluate(pd.DataFrame([x]))
    per_point = len(dt.solve(m.game(**x), "pbe", belief_policy="free").equilibria)
    assert per_point == 2
    assert undecided[0] or len(table) == per_point, (len(table), per_point)


_LOSSES = [1e-9, 5e-9, 9e-9, 1.1e-8, 2e-8, 3e-8, 5e-8, 9e-8, 1.1e-7, 2e-7, 1e-6]


@pytest.mark.parametrize(("factor", "unit", "gaps"), [
    # payoffs spanning 4: the game's units (the reproduction is 3e-8)
    (1.0, 1.0, _LOSSES),
    # payoffs spanning 0.05: solved on the common scale, of unit 2**-6 (a loss of 5e-9 is 1e-7 of the range)
    (0.0125, 2.0**-6, [1e-11, 1e-9, 5e-9, 9e-9, 1.1e-8, 2e-8, 5e-8, 2e-7, 1e-6]),
    # payoffs spanning 400: the game's units (a loss of 5e-8 is 1.25e-10 of the range)
    (100.0, 1.0, [5e-9, 2e-8, 5e-8, 2e-7, 1e-6]),
    # payoffs spanning 2**-28, a badly scaled game: the solver's unit on the common scale
    (2.0**-30, 2.0**-29, [g * 2.0**-29 for g in _LOSSES]),
])  # fmt: skip
def test_compiled_equals_per_point_across_the_tolerance(
    factor: float, unit: float, gaps: list[float]
) -> None:
    decided = _compare([_udg_point(factor, g) for g in gaps])
    sure = [g for g in gaps if not 1e-8 * unit <= g <= 1.2e-7 * unit]  # outside the knife edge
    assert decided >= len(sure)


def test_a_tie_in_the_games_units_but_not_of_its_range_is_a_loss_for_both() -> None:
    """Utilities spanning 0.05: a loss of 3e-9 is 6e-8 of the range. The per-point solver once
    took it for a tie (within tol in the game's units) and its certificate then rejected the
    candidate (SolverError; the kernel left the point undecided); the game is now solved on its
    common scale, and both paths decide it a loss (two equilibria). 1e-11 (2e-10 of the range)
    is a tie for both, decided with three equilibria."""
    m = dt.load_model(UDG)
    cm = _engine_alone(m)
    x = _udg_point(0.0125, 3e-9)
    table, undecided = cm.evaluate(pd.DataFrame([x]))
    per_point = len(dt.solve(m.game(**x), "pbe", belief_policy="free").equilibria)
    assert not undecided[0] and len(table) == per_point == 2
    x = _udg_point(0.0125, 1e-11)
    table, undecided = cm.evaluate(pd.DataFrame([x]))
    per_point = len(dt.solve(m.game(**x), "pbe", belief_policy="free").equilibria)
    assert not undecided[0] and len(table) == per_point == 3


def test_the_sweep_keeps_the_per_point_answer_at_the_reproduction() -> None:
    x = _udg_point(1.0, 3e-8)
    m = dt.load_model(UDG)
    out = dt.sweep(m, grid={k: [v] for k, v in x.items()}, belief_policy="free", progress=False,
                   table_files=False)  # fmt: skip
    assert len(out.table) == 2


def _payoff_cases(rng: np.random.Generator) -> list[np.ndarray]:
    """Payoff arrays ``(terminals, players)`` of every kind of scale: near 1, tiny, huge, far
    from 0, whole numbers, equal payoffs, at the edges of the well-scaled range."""
    cases = []
    for _ in range(300):
        n_players, n_terms = rng.integers(1, 4), rng.integers(1, 7)
        span = 2.0 ** rng.integers(-40, 40, size=n_players)
        mid = rng.choice([0.0, 1.0, 1e3, -1e7, 2.0**21, 3e15]) * rng.choice([0.0, 1.0], size=n_players)
        pay = mid + span * rng.uniform(-1, 1, size=(n_terms, n_players))
        if rng.random() < 0.3:
            pay = np.round(pay)
        if rng.random() < 0.1:
            pay[:, 0] = pay[0, 0]
        cases.append(pay)
    cases += [np.array([[0.0, 1.0], [2.0**21, 1.0]]), np.array([[0.0], [2.0**-19]]),
              np.array([[2.0**22], [2.0**22 + 2.0]]), np.array([[1e308, -1e308], [-1e308, 1e308]]),
              np.array([[5e-324, 0.0], [-5e-324, 1.0]]),
              # whole numbers whose midpoint rounds into the well-scaled range (half to even), and
              # the same payoffs off whole numbers, whose midpoint stays outside
              np.array([[2.0**19], [2.0**19 + 1]]),
              np.array([[2.0**19], [2.0**19 + 1 + 2.0**-30]])]  # fmt: skip
    return cases


def test_solver_units_are_the_scale_the_solver_uses() -> None:
    rng = np.random.default_rng(15)
    for pay in _payoff_cases(rng):
        scales = [player_scale(pay[:, i]) for i in range(pay.shape[1])]
        expected = [1.0 if solved_as_given(scales) else s.unit for s in with_common_unit(scales)]
        got = solver_units(pay[None, :, :])[0]
        assert got.tolist() == expected, (pay, got, expected)


def test_solver_units_follow_the_game_the_solver_is_given() -> None:
    """On a badly scaled catalogue game (utilities times 2**-30), the solver's own decision."""
    from deterrence.game.scaling import on_common_scale, payoff_scales, with_common_unit

    m = dt.load_model(UDG)
    game = m.game(**_udg_point(2.0**-30, 2.0**-31))
    assert on_common_scale(game, "pbe") is not game  # rescaled for the solver
    units = solver_units(np.asarray(game.payoffs, dtype=float)[None])[0]
    assert units.tolist() == [s.unit for s in with_common_unit(payoff_scales(game))]


def test_regret_within_rounding_of_tol_is_not_decided_by_the_kernel() -> None:
    """chain_store at a knife edge where a mixed equilibrium's regret is ``tol`` in exact
    arithmetic: the kernel computed ``tol - 5e-18`` and listed it (3 rows), the per-point solver
    ``tol + 2e-17`` and did not (1 row). Such a point must be left to the per-point path (or
    decided alike), never decided with rows the per-point solver does not give."""
    m = dt.load_model("chain_store")
    pt = {"p_tough": 0.3827081508275154, "monopoly_profit": 1.459568313239489,
          "entry_profit": 0.6186340959251878}
    table, undecided = compile_model(m, "pbe", "free").evaluate(pd.DataFrame([pt]))
    per_point = dt.solve(m.game(**pt), "pbe", belief_policy="free")
    assert len(per_point) == 1
    assert bool(undecided[0]) or len(table) == len(per_point)
