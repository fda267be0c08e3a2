"""The collective-defence family (issue 16): the aggregated game, its solver and certificate, the
family's interfaces, and the oracles it is checked against.

* with one member it is ``extended_deterrence``: same parameters, equilibria and indicators;
* with 2 and 3 members every equilibrium agrees with the generic PBE solver on the explicit tree
  (the join stage everywhere; the whole tree where war is on the path), and every equilibrium
  found passes the generic certificate on the explicit tree;
* the aggregated certificate is independent: perturbed profiles fail it;
* bad input is a typed error naming the parameter; a size too large for an exact method is a
  ``ResourceError``.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sympy as sp

import deterrence as dt
from deterrence.certificates import certify_collective_batch
from deterrence.families import COMMITMENT_TYPES, IntegerParameter
from deterrence.game.collective import CollectiveDefenceGame, Contest, Sums, win_probability
from deterrence.game.collective_tree import explicit_tree, tree_profile
from deterrence.kernels import domain_sample
from deterrence.solvers._collective_boxes import solve_multilinear
from deterrence.solvers._collective_join import join_equilibria
from deterrence.solvers._collective_symmetric import bernstein_mean, symmetric_solutions
from deterrence.solvers.collective import strategies_of

ED = "extended_deterrence"
FAMILY = "collective_defence"


def game(n: int = 2, **kw) -> CollectiveDefenceGame:
    """A collective-defence game with the catalogue's defaults (per-ally values repeated)."""
    d = dict(
        stakes=1.0,
        cost_attacker=0.4,
        cost_defender=0.35,
        contest=Contest(0.3, 0.8),
        credibility=(0.5,) * n,
        cost_ally=(0.3,) * n,
        interest_committed=(1.0,) * n,
        interest_uncommitted=(0.2,) * n,
        audience_cost=(0.1,) * n,
        capability=(1.0,) * n,
        pledged=(True,) * n,
    )
    d.update(kw)
    return CollectiveDefenceGame(**d)


def key(eqs) -> list[tuple]:
    """An equilibrium set as sorted (regime, payoffs of the Attacker, the Target and the allies)."""
    return sorted(
        (dt.regime_label(e.outcomes, e.is_pure()), tuple(np.round(list(e.payoffs.values()), 7))) for e in eqs
    )


# ---------------------------------------------------------------------------- one member = ED
def _ed_values(row: dict) -> dict:
    return {k: row[k] for k in dt.load_model(ED).parameters}


def test_one_member_has_the_parameters_of_extended_deterrence() -> None:
    ed, fam = dt.load_model(ED), dt.load_model(FAMILY)
    assert set(ed.parameters) <= set(fam.parameters)
    for name, p in ed.parameters.items():
        assert (fam.parameters[name].default, fam.parameters[name].domain) == (p.default, p.domain), name
    g = fam.game(members=1)
    assert g.players == ("Attacker", "Defender", "Ally")
    assert [h.name for h in g.infosets] == [h.name for h in ed.game().infosets]
    # the explicit tree at one member is extended_deterrence's tree: labels, outcomes, payoffs
    tree, ref = explicit_tree(g), ed.game()
    assert [x.label for x in tree.nodes] == [x.label for x in ref.nodes]
    assert tree.terminal_outcomes == ref.terminal_outcomes
    np.testing.assert_allclose(np.asarray(tree.payoffs, float), np.asarray(ref.payoffs, float), atol=1e-12)


@pytest.mark.parametrize("policy", ["free", "prior"])
def test_one_member_is_extended_deterrence_at_every_sampled_point(policy: str) -> None:
    ed, fam = dt.load_model(ED), dt.load_model(FAMILY)
    points = pd.DataFrame(domain_sample(ed, 60, seed=5))
    # and the knife edges of the defaults' credibility grid (0.1 is a tie of the Target)
    grid = pd.DataFrame([{**ed.defaults, "credibility": c} for c in np.linspace(0, 1, 21)])
    for _k, row in pd.concat([points, grid], ignore_index=True).iterrows():
        values = _ed_values(row.to_dict())
        a = dt.solve(fam.game(members=1, **values), "pbe", belief_policy=policy)
        b = dt.solve(ed.game(**values), "pbe", belief_policy=policy)
        assert key(a) == key(b), values
        for ea, eb in zip(
            sorted(a, key=lambda e: tuple(e.payoffs.values())),
            sorted(b, key=lambda e: tuple(e.payoffs.values())),
            strict=True,
        ):
            for name, value in eb.indicators.items():
                assert ea.indicators[name] == pytest.approx(value, abs=1e-9), (name, values)


def test_one_member_sweep_matches_extended_deterrence() -> None:
    grid = {"credibility": np.linspace(0, 1, 11), "audience_cost": [0.0, 0.1, 0.3]}
    ed = dt.sweep(ED, grid=grid, progress=False).selected()
    fam = dt.sweep(FAMILY, grid=grid, fixed={"members": 1}, progress=False).selected()
    cols = [
        "p_attack",
        "p_war",
        "p_allied_war",
        "p_entrapment",
        "p_abandonment",
        "p_attack_baseline",
        "payoff_Attacker",
        "payoff_Defender",
        "payoff_Ally",
    ]
    np.testing.assert_allclose(fam[cols].to_numpy(float), ed[cols].to_numpy(float), atol=1e-9)
    assert list(fam["regime"]) == list(ed["regime"])


# ---------------------------------------------------------------------------- 2 and 3 members
def _random_game(rng: np.random.Generator, n: int, timing: str) -> CollectiveDefenceGame:
    return game(
        n,
        cost_attacker=float(rng.uniform(0, 1)),
        cost_defender=float(rng.uniform(0, 1)),
        contest=Contest(
            float(rng.uniform(0, 0.5)), float(rng.uniform(0.5, 1)), float(rng.choice([0.5, 1.0, 3.0]))
        ),
        credibility=tuple(rng.uniform(0, 1, n)),
        cost_ally=tuple(rng.uniform(0.05, 0.6, n)),
        interest_committed=tuple(rng.uniform(0.5, 2, n)),
        interest_uncommitted=tuple(rng.uniform(0, 0.6, n)),
        audience_cost=tuple(rng.uniform(0, 0.4, n)),
        capability=tuple(rng.choice([0.5, 1.0, 2.0], n)),
        timing=timing,
    )


def _intervene(profile: dict) -> tuple:
    return tuple(np.round([profile[p][h]["intervene"] for p in profile for h in sorted(profile[p])], 6))


@pytest.mark.parametrize(
    ("n", "timing"), [(2, "simultaneous"), (3, "simultaneous"), (2, "sequential"), (3, "sequential")]
)
def test_join_stage_agrees_with_the_generic_pbe_solver(n: int, timing: str) -> None:
    """Every join-stage equilibrium, symmetric or not, is one the generic solver finds on the
    explicit tree of that stage (all its sets are on the path: no belief policy matters), and
    conversely."""
    rng = np.random.default_rng(100 * n + len(timing))
    for _ in range(6):
        g = _random_game(rng, n, timing)
        stage = explicit_tree(g, war="defence")
        generic = dt.solve(stage, "pbe", belief_policy="prior")
        assert generic.complete
        mine = []
        for sol in join_equilibria(g).solutions:
            behaviour, _beliefs = tree_profile(g, stage, strategies_of(g, 0, 0, 0, {"defence": sol}))
            mine.append(_intervene(stage.labelled(behaviour)))
        assert sorted(mine) == sorted(_intervene(e.profile) for e in generic)


@pytest.mark.parametrize("n", [2, 3])
def test_every_equilibrium_certifies_on_the_explicit_tree(n: int) -> None:
    rng = np.random.default_rng(n)
    for timing in ("simultaneous", "sequential"):
        for _ in range(4):
            g = _random_game(rng, n, timing)
            tree = explicit_tree(g)
            for e in dt.solve(g, "pbe", belief_policy="prior"):
                behaviour, beliefs = tree_profile(g, tree, e.strategies)
                cert = dt.certify(tree, behaviour, "pbe", beliefs=beliefs)
                assert cert.passed, (timing, cert)
                assert tree.outcome_probabilities(behaviour)["status_quo"] == pytest.approx(
                    e.outcomes["status_quo"], abs=1e-9
                )


@pytest.mark.parametrize("n", [2, 3])
def test_whole_tree_agrees_where_war_is_on_the_path(n: int) -> None:
    """Where the generic solver's equilibria all fight the war (every set on the path), the two
    sets of equilibria are the same; elsewhere the generic ``prior`` policy holds beliefs over an
    earlier ally's off-path *moves*, which the aggregated game has no nodes for (docs)."""
    values = {"credibility": (0.1, 0.3, 0.6), "cost_attacker": (0.1,)}
    compared = 0
    for pi, c_a in itertools.product(*values.values()):
        g = game(n, credibility=(pi,) * n, cost_attacker=c_a)
        generic = dt.solve(explicit_tree(g), "pbe", belief_policy="prior")
        if not generic.complete or any(e.outcomes.get("status_quo", 0) > 0 for e in generic):
            continue
        assert key(dt.solve(g, "pbe", belief_policy="prior")) == key(generic)
        compared += 1
    assert compared >= 2


_CONTINUUM_SCRIPT = r"""
import json, sys
d = json.load(sys.stdin)
sys.path.insert(0, d.pop("root"))  # this checkout's package
from deterrence.game.collective import CollectiveDefenceGame, Contest
from deterrence.solvers._collective_join import join_equilibria
g = CollectiveDefenceGame(contest=Contest(*d.pop("contest")), **{k: tuple(v) if isinstance(v, list) else v
                                                                   for k, v in d.items()})
res = join_equilibria(g)
print(json.dumps({"sigma": sorted(s.sigma.tolist() for s in res.solutions), "notes": list(res.notes)}))
"""


def test_a_join_stage_continuum_is_reported_not_hung_on() -> None:
    """Regression: an ally's uncommitted type with no interest and no net cost of joining is
    indifferent whatever the others do (a continuum); the boxes left at the finest width (tens of
    thousands) were deduplicated pairwise, for hours. The subprocess's time limit is a hang guard."""
    from helpers.json_subprocess import run_json_script
    from helpers.waiting import HANG_GUARD

    fields = dict(stakes=1.0, cost_attacker=0.4, cost_defender=0.35, contest=(0.25, 0.75, 1.0),
                  credibility=(0.0, 0.5, 1.0), cost_ally=(0.1, 0.2, 0.25), interest_committed=(1.0,) * 3,
                  interest_uncommitted=(0.0, 0.1, 0.2), audience_cost=(0.1,) * 3, capability=(1.0, 2.0, 1.0),
                  pledged=(True,) * 3, root=str(Path(dt.__file__).parents[1]))  # fmt: skip
    ran = run_json_script(_CONTINUUM_SCRIPT, json.dumps(fields), timeout=HANG_GUARD)
    assert ran is not None, f"join_equilibria did not finish in {HANG_GUARD:.0f} s (a hang guard)"
    out, err = ran
    assert out is not None, err
    assert out["notes"] and "continuum" in out["notes"][0]
    assert out["sigma"] == [[[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]], [[1.0, 1.0], [1.0, 0.0], [0.0, 0.0]]]


def test_distinct_is_the_greedy_rule_on_near_duplicates() -> None:
    """``_distinct`` keeps a point unless an earlier kept one is within ``tol``: as a pairwise scan."""
    from deterrence.solvers._collective_boxes import _distinct

    def pairwise(points: np.ndarray, tol: float) -> np.ndarray:
        out: list[np.ndarray] = []
        for p in points:
            if not any(np.abs(p - q).max() <= tol for q in out):
                out.append(p)
        return np.array(out).reshape(-1, points.shape[1])

    rng = np.random.default_rng(5)
    for _ in range(100):
        m, tol = int(rng.integers(1, 5)), float(rng.choice([1e-10, 1e-7, 0.05]))
        base = rng.uniform(0, 1, (int(rng.integers(1, 20)), m))
        pts = np.concatenate([base, base + rng.uniform(-2 * tol, 2 * tol, base.shape), np.round(base, 1)])
        rng.shuffle(pts)
        np.testing.assert_array_equal(_distinct(pts, tol), pairwise(pts, tol))


# ---------------------------------------------------------------------------- the certificate
def test_the_certificate_refuses_perturbed_profiles() -> None:
    g = game(5, credibility=(0.7,) * 5)
    eqs = dt.solve(g, "pbe", belief_policy="prior")
    assert len(eqs) == 1 and eqs[0].certificate.passed
    strategies = [np.array(s, dtype=float) for s in eqs[0].strategies]
    for k in range(len(strategies)):
        bad = [s.copy() for s in strategies]
        bad[k] = bad[k][::-1].copy()
        cert = dt.certify(g, bad, "pbe")
        flipped_matters = not np.allclose(bad[k], strategies[k])
        assert not cert.passed or not flipped_matters or k >= 2, k
    # the committed types mix: pushing them to join for sure is a deviation that gains
    joins = [s.copy() for s in strategies]
    for h in g.infosets:
        if h.ally >= 0 and h.kind == 0:
            joins[h.index] = np.array([1.0, 0.0])
    assert not dt.certify(g, joins, "pbe").passed


def test_the_certificate_checks_stated_beliefs_on_the_path() -> None:
    g = game(2)
    eq = dt.solve(g, "pbe", belief_policy="prior")[0]
    beliefs = [None] * len(g.infosets)
    beliefs[1] = np.array([1.0, 1.0])  # the Target's set is on the path: the prior is required there
    cert = certify_collective_batch([g], [eq.strategies], beliefs=[beliefs])[0]
    on_path = eq.outcomes["status_quo"] < 1
    assert (cert.bayes_error > 0) == on_path
    with pytest.raises(dt.UnsupportedError, match="exact"):
        dt.certify(g, eq.strategies, "pbe", exact=True)


# ---------------------------------------------------------------------------- the solvers
def test_symmetric_roots_are_all_the_symmetric_equilibria() -> None:
    """Against a brute-force scan of the indifference (an S-shaped contest gives several)."""
    rng = np.random.default_rng(3)
    for _ in range(40):
        n = int(rng.integers(2, 12))
        p0, p1, r = rng.uniform(0.05, 0.3), rng.uniform(0.3, 0.7), rng.choice([1.0, 3.0, 5.0])
        win = win_probability(p0, p1, r, np.arange(n + 1) * 1.0)
        delta = np.diff(win)[None, :]
        pi, w_c, w_u, c, a = (
            rng.uniform(0.1, 0.9),
            rng.uniform(0.5, 3),
            rng.uniform(0, 0.5),
            rng.uniform(0, 0.6),
            0.0,
        )
        sols = symmetric_solutions(
            np.array([pi]), np.array([w_c]), np.array([w_u]), np.array([c]), np.array([a]), np.ones(1), delta
        )
        grid = np.linspace(0, 1, 20001)
        d = bernstein_mean(np.repeat(delta, len(grid), axis=0), grid)
        gain_c = w_c * d - c
        # roots of the committed type's indifference strictly inside (0, pi) with the uncommitted out
        flips = np.flatnonzero(np.diff(np.sign(gain_c)) != 0)
        expected = [grid[i] for i in flips if 0.001 < grid[i] < pi - 0.001 and w_u * d[i] - c < -1e-3]
        found = [
            q for q, s_c, s_u in zip(sols.q, sols.s_c, sols.s_u, strict=True) if 0 < s_c < 1 and s_u == 0
        ]
        assert len(found) == len(expected), (n, p0, p1, r, found, expected)
        assert np.allclose(sorted(found), sorted(expected), atol=2e-4)


def test_small_solver_contains_the_symmetric_ones() -> None:
    for n in (2, 3, 4):
        g = game(n, credibility=(0.8,) * n)
        small = join_equilibria(g).solutions
        sym = [s for s in small if np.abs(s.sigma - s.sigma[0]).max() < 1e-12]
        assert len(sym) == 1 and sym[0].label == "symmetric"
        win = g.contest.win(np.arange(n + 1) * 1.0)
        ref = symmetric_solutions(
            np.array([0.8]),
            np.array([1.0]),
            np.array([0.2]),
            np.array([0.3]),
            np.array([0.1]),
            np.ones(1),
            np.diff(win)[None, :],
        )
        assert sym[0].sigma[0] == pytest.approx([ref.s_c[0], ref.s_u[0]], abs=1e-9)
        assert len(small) > 1  # and asymmetric ones: who buck-passes


def test_multilinear_boxes_find_every_solution() -> None:
    """Random systems of 2 and 3 unknowns with a planted solution, against sympy."""
    rng = np.random.default_rng(11)
    x0, x1, x2 = sp.symbols("x0:3")
    xs = (x0, x1, x2)
    for m in (2, 3):
        for _ in range(8):
            planted = rng.uniform(0.1, 0.9, m)
            a = np.zeros((m, 1 << m))
            for i in range(m):
                for t in range(1 << m):
                    if not t >> i & 1:
                        a[i, t] = rng.normal()
                mono = np.array(
                    [np.prod([planted[j] for j in range(m) if t >> j & 1]) for t in range(1 << m)]
                )
                a[i, 0] -= a[i] @ mono
            found = solve_multilinear(a, np.zeros(m), np.ones(m)).points
            eqs = [
                sum(
                    sp.Rational(str(a[i, t])) * sp.Mul(*[xs[j] for j in range(m) if t >> j & 1])
                    for t in range(1 << m)
                )
                for i in range(m)
            ]
            real = []
            for sol in sp.solve_poly_system(eqs, *xs[:m]):
                v = np.array([complex(sp.N(s)) for s in sol])
                if np.all(np.abs(v.imag) < 1e-9) and np.all((v.real > 0) & (v.real < 1)):
                    real.append(v.real)
            assert len(found) == len(real)
            for v in real:
                assert np.abs(found - v).max(axis=1).min() < 1e-8


def test_heterogeneous_cutoff_equilibria_are_every_pure_monotone_one() -> None:
    """Five and six heterogeneous allies: branch and bound against all 3**n cutoff profiles."""
    rng = np.random.default_rng(8)
    for n in (5, 6):
        g = game(
            n,
            credibility=tuple(rng.uniform(0.2, 0.9, n)),
            cost_ally=tuple(rng.uniform(0.05, 0.4, n)),
            interest_committed=tuple(rng.uniform(0.3, 2, n)),
            audience_cost=tuple(rng.uniform(0, 0.2, n)),
            capability=tuple(rng.choice([0.5, 1.0], n)),
        )
        res = join_equilibria(g)
        assert not res.complete and all(s.label == "cutoff" for s in res.solutions)
        found = {tuple(map(tuple, s.sigma)) for s in res.solutions}
        brute = set()
        for pattern in itertools.product(((0.0, 0.0), (1.0, 0.0), (1.0, 1.0)), repeat=n):
            sigma = np.array(pattern)
            strategies = strategies_of(g, 1, 1, 0, {"defence": type("S", (), {"sigma": sigma})})
            if _allies_best_respond(g, strategies):
                brute.add(tuple(map(tuple, sigma)))
        assert found == brute and found


def _allies_best_respond(g: CollectiveDefenceGame, strategies) -> bool:
    """Whether no ally type gains by switching its action (the war is on the path)."""
    base = g.expected_payoffs(strategies)
    for h in g.infosets:
        if h.ally < 0:
            continue
        for action in (0, 1):
            dev = [np.array(s, dtype=float) for s in strategies]
            dev[h.index] = np.eye(2)[action]
            if g.expected_payoffs(dev)[h.player] > base[h.player] + 1e-12:
                return False
    return True


def test_sequential_timing_is_backward_induction_in_cutoffs() -> None:
    g = game(6, timing="sequential", credibility=(0.63,) * 6, cost_ally=(0.31,) * 6)
    (sol,) = join_equilibria(g).solutions
    # each type joins while the capability already in is below a cutoff (strategic substitutes)
    for i, table in enumerate(sol.sigma):
        for t in range(2):
            joins = table[t]
            assert np.all(np.diff(joins) <= 0), (i, t, joins)
    assert dt.solve(g, "pbe")[0].certificate.passed


# ---------------------------------------------------------------------------- the family
def test_the_family_is_in_the_catalogue_and_builds_per_ally_parameters() -> None:
    fam = dt.load_model(FAMILY)
    assert isinstance(fam.parameters["members"], IntegerParameter) and fam.concepts == ("pbe",)
    het = dt.builders.collective_defence(credibility=[0.9, 0.5, 0.2], pledge=[3, 2, 0])
    assert het.parameters["members"].domain == (3, 3)
    assert {"credibility_1", "credibility_3", "pledge_2"} <= set(
        het.parameters
    ) and "credibility" not in het.parameters
    g = het.game(credibility_2=0.4)
    assert g.credibility == (0.9, 0.4, 0.2) and g.pledged == (True, True, False)
    assert g.audience_cost == pytest.approx((0.1, 0.1 * COMMITMENT_TYPES[2][1], 0.0))
    assert het.baseline().game().audience_cost == (0.0, 0.0, 0.0)
    assert dt.solve(g, "pbe").complete is False  # the free extras are listed but not complete


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: dt.builders.collective_defence(members=0), "members"),
        (lambda: dt.builders.collective_defence(members=33), "members"),
        (lambda: dt.builders.collective_defence(members=2.5), "members"),
        (lambda: dt.load_model(FAMILY).game(members=0), "members"),
        (lambda: dt.load_model(FAMILY).game(members=3.5), "members"),
        (lambda: dt.builders.collective_defence(members=4, credibility=[0.5, 0.5, 0.5]), "credibility"),
        (
            lambda: dt.builders.collective_defence(credibility=[0.5, 0.5], cost_ally=[0.1, 0.2, 0.3]),
            "cost_ally",
        ),
        (lambda: dt.builders.collective_defence(stakes=[1.0, 2.0]), "stakes"),
        (lambda: dt.load_model(FAMILY).game(pledge=4), "pledge"),
        (lambda: dt.load_model(FAMILY).game(pledge=2.5), "pledge"),
        (lambda: dt.builders.collective_defence(pledge=[3, 7]), "pledge_2"),
        (lambda: dt.load_model(FAMILY).game(p_alone=0.8, p_allied=0.3, capability=3.0), "capability"),
        (lambda: dt.load_model(FAMILY).game(credibility=1.5), "credibility"),
        (lambda: dt.load_model(FAMILY).game(no_such=1), "no_such"),
    ],
)
def test_bad_input_is_a_typed_error_naming_the_parameter(call, name: str) -> None:
    with pytest.raises(dt.ParameterError) as info:
        call()
    assert info.value.name == name and name.split("_")[0] in str(info.value)


def test_sizes_too_large_for_an_exact_method_are_resource_errors() -> None:
    fam = dt.builders.collective_defence(capability=list(np.random.default_rng(0).uniform(0.5, 1.5, 32)))
    with pytest.raises(dt.ResourceError, match="distinct sums"):
        dt.solve(fam.game(), "pbe")
    with pytest.raises(dt.ResourceError, match="at most 4"):
        dt.load_model(FAMILY).tree(members=5)
    with pytest.raises(dt.ResourceError):
        Sums([2.0**-i for i in range(20)])


def test_the_sweep_engine_runs_the_family_with_its_measures() -> None:
    res = dt.sweep(FAMILY, grid={"members": [1, 2, 5], "credibility": [0.2, 0.8]}, progress=False)
    table = res.table
    assert set(table["path"]) == {"compiled"}
    for column in dt.load_model(FAMILY).measures:
        assert column in table.columns and table[column].notna().all()
    sel = res.selected()
    assert (sel["p_attack_baseline"] >= 0).all() and np.isfinite(sel["deterred"]).all()
    with pytest.raises(dt.ParameterError, match="members"):
        dt.sweep(FAMILY, grid={"members": [1.5]}, progress=False)


@pytest.mark.parametrize("policy", ["free", "d1"])
def test_the_per_point_path_fills_the_family_columns_as_the_compiled_path_does(policy: str) -> None:
    """The per-point path (``path="pointwise"``, and any sweep given ``solve_options``) wrote NaN
    for ``payoff_Ally`` (the allies' mean payoff; the game names its allies Ally1, Ally2, ...) and
    for every family measure: the two paths now give the same table."""
    grid = {"members": [1, 3], "credibility": [0.1, 0.5, 0.9], "cost_attacker": [0.2, 0.5]}
    tables = [dt.sweep(FAMILY, grid=grid, belief_policy=policy, path=path, progress=False).table
              for path in ("compiled", "pointwise")]
    assert set(tables[1]["path"]) == {"pointwise"}
    for column in ("payoff_Ally", *dt.load_model(FAMILY).measures):
        assert tables[1][column].notna().all(), column
    pd.testing.assert_frame_equal(tables[0].drop(columns="path"), tables[1].drop(columns="path"),
                                  check_exact=False, atol=1e-9)


def test_symmetric_rows_match_the_solver_point_by_point() -> None:
    """The vectorised symmetric path (members > 4) against dt.solve one point at a time."""
    fam = dt.load_model(FAMILY)
    pts = pd.DataFrame(
        [
            {**fam.defaults, "members": n, "credibility": c, "cost_defender": cd}
            for n in (5, 9)
            for c in (0.05, 0.3, 0.7)
            for cd in (0.35, 0.85)
        ]
    )
    rows, _ = fam.compiled_kernel("pbe", "free").evaluate(pts)
    for k, point in pts.iterrows():
        mine = rows[rows["point"] == k]
        eqs = dt.solve(fam.game(**point.to_dict()), "pbe", belief_policy="free")
        assert len(mine) == len(eqs)
        assert sorted(np.round(mine["p_attack"], 9)) == sorted(
            round(e.indicators["p_attack"], 9) for e in eqs
        )
        ally = sorted(np.round(mine["payoff_Ally"], 8))
        assert ally == sorted(round(float(np.mean(list(e.payoffs.values())[2:])), 8) for e in eqs)


def test_measures_add_up() -> None:
    g = game(3, credibility=(0.4, 0.6, 0.9), capability=(0.5, 1.0, 2.0))
    for e in dt.solve(g, "pbe", belief_policy="prior"):
        m = g.measures(e.strategies)
        assert m["expected_allies_at_war"] == pytest.approx(m["p_join"].sum())
        assert m["expected_entrapped"] <= m["expected_allies_at_war"] + 1e-12
        war = e.outcomes["war"] + e.outcomes["allied_war"]
        assert m["p_full_abandonment"] == pytest.approx(e.outcomes["war"])  # every ally is pledged
        assert 0 <= m["p_target_wins"] <= war + 1e-12


def test_exact_regimes_and_thresholds_agree_with_the_kernel() -> None:
    fam = dt.load_model(FAMILY)
    regs = dt.regimes(fam, members=4)
    assert "the committed types mix" in regs.to_text()
    rows = dt.threshold(fam, "credibility", members=4)
    assert rows and all(r["exact"] for r in rows)
    for r in rows:  # each boundary separates different regime sets in the kernel's own evaluation
        assert r["below"] != r["above"] and isinstance(r["value"], sp.Expr)
    with pytest.raises(dt.UnsupportedError):
        dt.regimes(dt.load_model("collective_defence_sequential"))
