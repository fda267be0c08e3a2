"""Burden-sharing game (deterrence.studies.burden): closed forms, certificates, exploitation, pledge, link.

The closed forms are checked against conditions written out by hand here (not the module's
sympy derivation): quasilinear stand-alone demands ``S*(v) = log(k v)/k`` and
``sqrt(s0 v) - s0``; log utility: every contributor's first-order condition
``w_i - c_i = 1/(v_i D'(S))`` and every non-contributor's ``w_i v_i D'(S) <= 1``.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from deterrence.errors import ParameterError, UnsupportedError
from deterrence.studies import burden as b

ROOT = Path(__file__).resolve().parents[1]
TECHS = ("exponential", "contest")


def _slope(tech: b.Technology, S: float) -> float:
    if tech.kind == "exponential":
        return tech.scale * np.exp(-tech.scale * S)
    return tech.scale / (S + tech.scale) ** 2


def _standalone(tech: b.Technology, v: float) -> float:
    if tech.kind == "exponential":
        return max(0.0, np.log(tech.scale * v) / tech.scale)
    return max(0.0, np.sqrt(tech.scale * v) - tech.scale)


def _check_by_hand(g: b.BurdenGame, c: np.ndarray) -> None:
    """The equilibrium conditions, written out independently of the module."""
    w, v, tech = g.w, g.v, g.technology
    S = c.sum()
    d1 = _slope(tech, S)
    assert np.all(c >= -1e-12) and np.all(c <= w + 1e-12)
    if g.utility == "quasilinear":
        t = np.array([_standalone(tech, x) for x in v])
        for i in range(g.n):
            if c[i] > 1e-9 and c[i] < w[i] - 1e-9:  # interior: v_i D'(S) = 1
                assert v[i] * d1 == pytest.approx(1.0, abs=1e-8)
            if c[i] <= 1e-9:  # free rider: does not want more
                assert t[i] <= S + 1e-8
            if c[i] >= w[i] - 1e-9:  # at its income: wants at least this total
                assert t[i] >= S - 1e-8
    else:
        contrib = c > 1e-10
        assert np.allclose(w[contrib] - c[contrib], 1.0 / (v[contrib] * d1), rtol=1e-8, atol=1e-10)
        assert np.all(w[~contrib] * v[~contrib] * d1 <= 1 + 1e-8)


# ---------------------------------------------------------------- closed forms
@pytest.mark.parametrize("utility", b.UTILITIES)
@pytest.mark.parametrize("tech", TECHS)
def test_sympy_solution_satisfies_its_equation(utility: str, tech: str) -> None:
    cf = b.closed_form(utility, tech)
    scale = sp.Symbol("k" if tech == "exponential" else "s0", positive=True)
    rng = np.random.default_rng(1)
    for _ in range(5):
        vals = {s: sp.Float(rng.uniform(0.5, 3.0)) for s in cf.equation.free_symbols if s != b.S_SYMBOL}
        vals.setdefault(scale, sp.Float(1.0))
        S_val = cf.solution.subs(vals).evalf()
        resid = (cf.equation.lhs - cf.equation.rhs).subs(vals).subs(b.S_SYMBOL, S_val).evalf()
        assert abs(complex(resid)) < 1e-9


@pytest.mark.parametrize("utility", b.UTILITIES)
def test_closed_form_matches_by_hand_and_numerical_on_1000_points(utility: str) -> None:
    rng = np.random.default_rng(20240917 if utility == "log" else 7)
    worst_gain = worst_kkt = worst_diff = 0.0
    for k in range(1000):
        g = b.random_game(rng, utility=utility, technology=TECHS[k % 2], size_valuation=bool(k % 3 == 0))
        closed = b.equilibrium(g, "closed_form")
        assert closed.certified and closed.second_order <= 0
        _check_by_hand(g, closed.contributions)
        worst_gain = max(worst_gain, closed.max_grid_gain)
        worst_kkt = max(worst_kkt, closed.kkt_residual)
        if k % 3:
            continue
        # the numerical path (best responses with scipy, no formula) finds the same profile
        num = b.equilibrium(g, "numerical")
        assert num.certified
        if closed.unique:
            worst_diff = max(worst_diff, float(np.max(np.abs(num.contributions - closed.contributions))))
        assert num.total == pytest.approx(closed.total, abs=1e-8)
        worst_gain = max(worst_gain, num.max_grid_gain)
        worst_kkt = max(worst_kkt, num.kkt_residual)
    assert worst_diff < 1e-7
    assert worst_gain < 1e-9 and worst_kkt < 1e-7


def test_quasilinear_only_highest_valuation_contributes_when_rich_enough() -> None:
    g = b.BurdenGame((10.0, 10.0, 10.0), (4.0, 2.0, 3.0), b.Technology("exponential", 1.0))
    e = b.equilibrium(g)
    assert e.contributions.tolist() == pytest.approx([np.log(4.0), 0.0, 0.0])
    # an income-constrained top member: the next one tops up to its own stand-alone demand
    g2 = b.BurdenGame((0.5, 10.0, 10.0), (4.0, 2.0, 3.0), b.Technology("exponential", 1.0))
    e2 = b.equilibrium(g2)
    assert e2.contributions.tolist() == pytest.approx([0.5, 0.0, np.log(3.0) - 0.5])


def test_certificate_rejects_a_non_equilibrium() -> None:
    for utility in b.UTILITIES:
        g = b.BurdenGame((5.0, 1.0, 1.0), (3.0, 1.0, 1.0), utility=utility)
        e = b.equilibrium(g)
        assert 0 < e.contributions[0] < g.w[0]
        for bump in (0.05, -0.05):
            c = e.contributions.copy()
            i = int(np.argmax(c))
            c[i] = np.clip(c[i] + bump * g.w[i], 0, g.w[i] * 0.999)
            cert = b.certify_profile(g, c)
            assert not cert.certified and cert.max_grid_gain > 1e-6 and cert.kkt_residual > 1e-6


# ---------------------------------------------------------------- exploitation of the large by the small
@pytest.mark.parametrize("utility", b.UTILITIES)
def test_largest_member_bears_a_disproportionate_share(utility: str) -> None:
    """Olson–Zeckhauser: with valuations proportional to income (v_i = theta w_i), the largest
    member's share of spending is at least its share of income."""
    rng = np.random.default_rng(11)
    checked = 0
    for _ in range(300):
        g = b.random_game(rng, n=int(rng.integers(2, 9)), utility=utility, size_valuation=True)
        e = b.equilibrium(g)
        if e.total <= 0:
            continue
        big = int(np.argmax(g.w))
        assert e.shares[big] >= g.w[big] / g.w.sum() - 1e-12
        checked += 1
    assert checked > 200


def test_free_riding_grows_with_n_and_cooperation_does_not() -> None:
    tech = b.Technology("exponential", 1.0)
    ratios = []
    for n in (1, 2, 4, 8, 16):
        w = np.full(n, 100.0 / n)
        g = b.BurdenGame(tuple(w), tuple(0.1 * w), tech)
        ratios.append(b.equilibrium(g).total / b.cooperative_total(g))
        assert b.cooperative_total(g) == pytest.approx(np.log(10.0))
    assert ratios[0] == pytest.approx(1.0)
    assert all(x > y for x, y in itertools.pairwise(ratios))


# ---------------------------------------------------------------- the pledge
@pytest.mark.parametrize("utility", b.UTILITIES)
def test_pledge_raises_spending_above_the_sanction_threshold(utility: str) -> None:
    """Above sigma_bar (tau * max w_i quasilinear, -log(1 - tau) log) falling short never pays,
    so every member meets the target and S >= tau * W, above the no-pledge total when
    tau * W exceeds it; with no sanction nothing changes."""
    rng = np.random.default_rng(5)
    for _ in range(40):
        g0 = b.random_game(rng, n=int(rng.integers(2, 7)), utility=utility, size_valuation=True)
        nash = b.equilibrium(g0)
        tau = min(0.9, 1.2 * nash.total / g0.w.sum() + 0.01)
        bar = tau * g0.w.max() if utility == "quasilinear" else -np.log1p(-tau)
        free = b.equilibrium(b.BurdenGame(g0.incomes, g0.valuations, g0.technology, utility, tau, 0.0))
        assert free.total == pytest.approx(nash.total)
        e = b.equilibrium(b.BurdenGame(g0.incomes, g0.valuations, g0.technology, utility, tau, 1.01 * bar))
        assert e.certified and e.meets_target.all()
        assert e.total >= tau * g0.w.sum() * (1 - 1e-12) > nash.total


def test_pledge_sweep_example_and_paths_agree() -> None:
    w = 100 / np.arange(1, 9) / (1 / np.arange(1, 9)).sum()
    out = []
    for sigma in (0.0, 0.05, 0.1, 0.2, 0.3, 1.0):
        tech = b.Technology("exponential", 1.0)
        g = b.BurdenGame(tuple(w), tuple(0.1 * w), tech, "quasilinear", 0.02, sigma)
        e = b.equilibrium(g, check_unique=sigma > 0)
        assert e.certified
        if sigma > 0:
            assert e.unique
            num = b.equilibrium(g, "numerical")
            assert num.contributions == pytest.approx(e.contributions, abs=1e-9)
        out.append((e.total, int(e.meets_target.sum())))
    assert out[0] == pytest.approx((np.log(0.1 * w[0]), 1))
    assert out[-1] == pytest.approx((2.0, 8))  # everyone meets: S = 2 % of total income
    assert [m for _t, m in out] == sorted(m for _t, m in out)


def test_pledge_equilibria_enumeration_contains_the_returned_one() -> None:
    rng = np.random.default_rng(9)
    for utility in b.UTILITIES:
        for _ in range(10):
            g0 = b.random_game(rng, n=4, utility=utility, size_valuation=True)
            sigma = float(rng.uniform(0, 0.5))
            g = b.BurdenGame(g0.incomes, g0.valuations, g0.technology, utility, 0.3, sigma)
            e = b.equilibrium(g)
            assert any(np.allclose(e.contributions, c, atol=1e-9) for c in b.pledge_equilibria(g))


# ---------------------------------------------------------------- custom technology and errors
def test_custom_technology_numerical_path() -> None:
    S = b.S_SYMBOL
    tech = b.Technology.custom(1 - 1 / (1 + S) ** 2)  # v D'(S) = 1 has the closed form (2v)^(1/3) - 1
    g = b.BurdenGame((5.0, 1.0), (4.0, 1.0), tech)
    num = b.equilibrium(g, "numerical")
    assert num.certified and num.total == pytest.approx(8 ** (1 / 3) - 1)
    assert b.equilibrium(g, "closed_form").total == pytest.approx(num.total)


@pytest.mark.parametrize("kwargs, name", [
    ({"incomes": (1.0, -1.0), "valuations": (1.0, 1.0)}, "incomes[1]"),
    ({"incomes": (1.0,), "valuations": (1.0, 1.0)}, "valuations"),
    ({"incomes": (1.0,), "valuations": (float("nan"),)}, "valuations[0]"),
    ({"incomes": (1.0,), "valuations": (1.0,), "utility": "cobb"}, "utility"),
    ({"incomes": (1.0,), "valuations": (1.0,), "target_share": 1.5}, "target_share"),
    ({"incomes": (1.0,), "valuations": (1.0,), "sanction": -1.0}, "sanction"),
    # wrong types: typed errors naming the parameter, not a stray TypeError or ValueError
    ({"incomes": ("a",), "valuations": (1.0,)}, "incomes[0]"),
    ({"incomes": (1.0,), "valuations": (True,)}, "valuations[0]"),
    ({"incomes": 1.0, "valuations": (1.0,)}, "incomes"),
    ({"incomes": (1.0,), "valuations": (1.0,), "target_share": "0.02"}, "target_share"),
    ({"incomes": (1.0,), "valuations": (1.0,), "sanction": "1"}, "sanction"),
    ({"incomes": (1.0,), "valuations": (1.0,), "technology": 1.0}, "technology"),
])
def test_bad_parameters_are_named(kwargs: dict, name: str) -> None:
    with pytest.raises(ParameterError) as err:
        b.BurdenGame(**kwargs)
    assert err.value.name == name and name.split("[")[0] in str(err.value)


def test_technology_given_by_name_and_bad_grids() -> None:
    # a kind's name stands for that technology at its default scale (it raised AttributeError)
    by_name = b.equilibrium(b.BurdenGame((1.0,), (4.0,), technology="contest"))
    assert by_name.total == pytest.approx(4**0.5 - 1)  # v D'(S) = 1: 4 / (S + 1)^2 = 1
    with pytest.raises(ParameterError, match="scale") as err:
        b.Technology("exponential", "1")
    assert err.value.name == "scale"
    game = b.BurdenGame((1.0,), (2.0,))
    for grid in (0, 1, 2.5, "10"):  # 0 and 1 used to yield an answer (with a division by zero)
        with pytest.raises(ParameterError, match="grid"):
            b.equilibrium(game, grid=grid)
        with pytest.raises(ParameterError, match="grid"):
            b.certify_profile(game, [0.5], grid=grid)
    with pytest.raises(ParameterError, match="contributions"):
        b.certify_profile(game, [float("nan")])  # it returned a Certificate of NaNs
    with pytest.raises(ParameterError, match="game"):
        b.equilibrium("game")


def test_required_level_refuses_a_one_point_grid() -> None:
    # one point (D = 0, not deterred) was read as "not even D = 1 deters": None, a wrong answer
    for grid in (0, 1):
        with pytest.raises(ParameterError, match="grid"):
            b.required_level(grid=grid)


def test_bad_technology_and_method() -> None:
    with pytest.raises(ParameterError, match="scale"):
        b.Technology("exponential", 0.0)
    with pytest.raises(ParameterError, match="technology kind"):
        b.Technology("linear")
    with pytest.raises(ParameterError, match="method"):
        b.equilibrium(b.BurdenGame((1.0,), (1.0,)), "magic")
    with pytest.raises(UnsupportedError, match="at most 12"):
        b.pledge_equilibria(b.BurdenGame((1.0,) * 13, (1.0,) * 13, target_share=0.1, sanction=1.0))


# ---------------------------------------------------------------- link to deterrence
def test_required_level_matches_the_models_threshold() -> None:
    """At the defaults the Attacker is deterred iff credibility > ((1-p0) v - cA)/((p1-p0) v),
    i.e. p_allied > 0.9; with p_allied = p_alone + (1 - p_alone) D that is D > 6/7."""
    assert b.required_level(grid=301) == pytest.approx(6 / 7, abs=2e-5)
    link = b.DeterrenceLink("cost_attacker", at_full=1.0)
    assert b.required_level(link, grid=301) == pytest.approx((0.45 - 0.4) / 0.6, abs=2e-5)


def test_free_riding_erodes_deterrence_and_the_pledge_restores_it() -> None:
    w = 100 / np.arange(1, 9) / (1 / np.arange(1, 9)).sum()
    tech = b.Technology("exponential", 1.0)
    g = b.BurdenGame(tuple(w), tuple(0.1 * w), tech, "quasilinear", 0.02, 0.5)
    nash = b.equilibrium(g.without_pledge())
    pledged = b.equilibrium(g)
    coop = float(tech.value(b.cooperative_total(g)))
    table = b.linked_outcomes([nash, coop, pledged])
    assert table["deterred"].tolist() == [False, True, True]
    sol = b.solve_linked(nash)
    assert all(eq.outcomes["status_quo"] < 1e-9 for eq in sol)
    with pytest.raises(ParameterError, match="p_allied"):
        b.linked_outcomes([0.5], p_allied=0.9)
    with pytest.raises(ParameterError, match="nonsense"):
        b.linked_outcomes([0.5], nonsense=1.0)


# ---------------------------------------------------------------- the tutorial's code runs
def test_tutorial_code_blocks_run() -> None:
    page = (ROOT / "docs" / "tutorials" / "burden-sharing.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, flags=re.S)
    assert blocks
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "burden-sharing.md", "exec"), namespace)
