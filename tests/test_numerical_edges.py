"""Numerical edges (issue 8): ties and continua of equilibria, payoffs from 1e-9 to 1e9, knife-edge
and domain-end parameter values, chance probabilities of 0, and exact rational certification.

The library must either return certified answers or say clearly that it cannot, with
``degenerate`` and ``complete`` set honestly. Where it fails today the test is marked
``xfail(strict=True)`` with the reason (so it turns red once fixed and the mark must go).
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from helpers.beliefs import belief_vectors

import deterrence as dt
from deterrence._solve import solve
from deterrence.certificates import certify
from deterrence.errors import GameError
from deterrence.game import chance, decision, terminal


def keys(eqs: Any, digits: int = 6) -> set[tuple[float, ...]]:
    """The equilibria of a set as rounded flat profiles (order-free comparison)."""
    return {tuple(round(float(x), digits) + 0.0 for s in e.strategies for x in s) for e in eqs}


def _pygambit_extreme_points(a: np.ndarray, b: np.ndarray) -> set[tuple[float, ...]]:
    gbt = pytest.importorskip("pygambit")
    g = gbt.Game.from_arrays(a.astype(int), b.astype(int))
    res = gbt.nash.enummixed_solve(g, rational=True)
    return {
        tuple(round(float(eq[s]), 6) + 0.0 for pl in g.players for s in pl.strategies)
        for eq in res.equilibria
    }


# ----------------------------------------------------------------------------- ties and continua
CONTINUUM = (np.array([[1, 0], [0, 1]]), np.array([[1, 1], [1, 1]]))  # the column player never cares


def test_continuum_vertex_enumeration_is_complete_and_degenerate() -> None:
    g = dt.NormalFormGame(list(CONTINUUM))
    eqs = solve(g, method="vertex_enumeration")
    assert eqs.degenerate is True and eqs.complete is True
    assert keys(eqs) == _pygambit_extreme_points(*CONTINUUM)  # the 4 extreme points of the component
    assert any("extreme points" in n for n in eqs.notes)


@pytest.mark.parametrize("method", ["support_enumeration", "lemke_howson", "pure"])
def test_continuum_other_methods_do_not_claim_completeness(method: str) -> None:
    g = dt.NormalFormGame(list(CONTINUUM))
    eqs = solve(g, method=method)
    assert eqs.complete is False  # each misses the mixed extreme points (0.5, 0.5) of the column player
    assert keys(eqs) < _pygambit_extreme_points(*CONTINUUM)
    if method != "pure":
        assert eqs.degenerate is True


def test_all_zero_game_every_pure_profile_is_an_extreme_equilibrium() -> None:
    g = dt.NormalFormGame([np.zeros((2, 3)), np.zeros((2, 3))])
    eqs = solve(g)
    assert eqs.complete and eqs.degenerate
    expected = {tuple(float(x) for x in (*np.eye(2)[i], *np.eye(3)[j])) for i in range(2) for j in range(3)}
    assert keys(eqs) == expected


@pytest.mark.parametrize("method", ["polynomial", "homotopy", "pure"])
def test_three_player_all_zero_game_is_not_claimed_complete(method: str) -> None:
    g = dt.NormalFormGame([np.zeros((2, 2, 2))] * 3)
    eqs = solve(g, method=method)
    assert eqs.complete is False  # a continuum of equilibria cannot be listed
    assert len(eqs) >= 1 and all(e.certificate.passed for e in eqs)
    if method == "polynomial":
        assert eqs.degenerate is True


def _tie_tree() -> dt.ExtensiveFormGame:
    """The Defender is indifferent between fighting and yielding."""
    return dt.ExtensiveFormGame(
        decision(
            "A",
            {
                "stay": terminal({"A": 0, "B": 0}, outcome="status_quo"),
                "attack": decision(
                    "B",
                    {
                        "fight": terminal({"A": -1, "B": -1}, outcome="war"),
                        "yield": terminal({"A": 1, "B": -1}, outcome="capitulation"),
                    },
                ),
            },
        )
    )


@pytest.mark.parametrize("concept", ["spe", "pbe"])
def test_tie_in_a_tree_is_reported_not_hidden(concept: str) -> None:
    eqs = solve(_tie_tree(), concept=concept)
    assert eqs.degenerate is True and eqs.complete is False  # mixtures over the tie are a continuum
    outcomes = sorted(max(e.outcomes, key=e.outcomes.get) for e in eqs)
    assert outcomes == ["capitulation", "status_quo"]  # both optimal choices give an equilibrium
    assert eqs.notes


def test_tie_tree_nash_via_reduced_form_is_complete_set_of_extreme_points() -> None:
    eqs = solve(_tie_tree(), concept="nash")
    assert eqs.degenerate is True and eqs.complete is True
    assert len(eqs) == 4


# ----------------------------------------------------------------------------- payoff magnitudes
def _integer_games() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(20240607)
    out = []
    for n in (2, 3, 4):
        for _ in range(4):
            out.append((rng.integers(-5, 6, (n, n)), rng.integers(-5, 6, (n, n))))
    return out




@pytest.mark.parametrize(
    ("scales", "exact"),
    [
        pytest.param((1e-9, 1e-9), False, id="1e-9"),
        pytest.param((1e9, 1e9), True, id="1e9-exact"),
        pytest.param((1e-9, 1e9), True, id="1e-9,1e9-exact"),
        pytest.param((1e9, 1e-9), True, id="1e9,1e-9-exact"),
        # certification tolerances are relative to each player's payoff range (fixed bug: they were absolute)
        pytest.param((1e9, 1e9), False, id="1e9"),
        pytest.param((1e-9, 1e9), False, id="1e-9,1e9"),
        pytest.param((1e9, 1e-9), False, id="1e9,1e-9"),
    ],
)
@pytest.mark.parametrize("method", ["vertex_enumeration", "support_enumeration", "lemke_howson"])
def test_integer_payoffs_scaled_to_extreme_magnitudes_give_the_same_equilibria(
    scales: tuple[float, float], exact: bool, method: str
) -> None:
    for a, b in _integer_games():
        base = solve(dt.NormalFormGame([a, b]), method=method)
        scaled = solve(dt.NormalFormGame([a * scales[0], b * scales[1]]), method=method, exact=exact)
        assert keys(scaled) == keys(base)
        assert (scaled.complete, scaled.degenerate) == (base.complete, base.degenerate)


def _mixed_magnitudes() -> tuple[dt.NormalFormGame, Fraction, Fraction]:
    """A 2x2 game without pure equilibria whose payoffs span 1e-9 .. 1e9, and its mixing
    probabilities in closed form (computed here in exact rationals)."""
    big, small = Fraction(10**9), Fraction(1, 10**9)
    a = [[big, Fraction(0)], [Fraction(0), small]]  # the row player wants to match
    b = [[Fraction(0), Fraction(1)], [Fraction(3), Fraction(0)]]  # the column player wants to mismatch
    q = small / (big + small)  # column's weight on column 1 that makes row indifferent: big*q = small*(1-q)
    p = Fraction(3, 4)  # row's weight on row 1 that makes column indifferent: 3*(1-p) = p
    return dt.NormalFormGame([np.array(a, dtype=float), np.array(b, dtype=float)]), p, q


def test_mixed_magnitudes_lemke_howson_exact_matches_the_closed_form() -> None:
    g, p, q = _mixed_magnitudes()
    eqs = solve(g, method="lemke_howson", exact=True)
    assert len(eqs) == 1 and eqs[0].certificate.exact and eqs[0].certificate.passed
    x, y = eqs[0].strategies
    assert x[0] == pytest.approx(float(p), abs=1e-12)
    assert y[0] == pytest.approx(float(q), rel=1e-9, abs=0)


@pytest.mark.parametrize("exact", [
    pytest.param(True, id="exact"),  # exact vertex enumeration (it failed its float-label re-solve)
    # fixed limitation: the row player's payoffs span 1e-9..1e9, so in floats (scaled to [1, 2]) its
    # payoffs 0 and 1e-9 are a tie, and the pure profile with regret 1e-9 (1e-18 of the range) was
    # listed; the float solve now sees payoffs closer than its tie tolerance and re-solves exactly
    pytest.param(False, id="float"),
])
def test_mixed_magnitudes_vertex_enumeration_finds_the_unique_equilibrium(exact: bool) -> None:
    g, _, q = _mixed_magnitudes()
    eqs = solve(g, method="vertex_enumeration", exact=exact)
    assert len(eqs) == 1 and eqs.complete and not eqs.degenerate
    assert eqs[0].strategies[1][0] == pytest.approx(float(q), rel=1e-9, abs=0)
    if not exact:
        assert any("closer together than the floating-point tie tolerance (player 1: 1.0e-18" in n
                   for n in eqs.notes)


def test_fine_payoffs_in_a_large_game_are_reported_not_rechecked(monkeypatch: pytest.MonkeyPatch) -> None:
    from deterrence.solvers import vertex_enumeration

    monkeypatch.setattr(vertex_enumeration, "_EXACT_RECHECK_PAIRS", 1)  # as if the game were large
    g, _, _ = _mixed_magnitudes()
    eqs = solve(g, method="vertex_enumeration")
    assert eqs.degenerate and not eqs.complete  # the floats' answer, for a nearby game with ties
    assert any("exact=True solves this game exactly" in n for n in eqs.notes)


def test_ordinary_degenerate_games_are_not_rechecked() -> None:
    eqs = solve(dt.NormalFormGame(list(CONTINUUM)), method="vertex_enumeration")
    assert eqs.complete and eqs.degenerate
    assert not any("tie tolerance (player" in n for n in eqs.notes)


def test_mixed_magnitudes_exact_certificates_have_zero_regret() -> None:
    # fixed bug: an exact certificate passed within tol, so the pure profile (row 1, column 2), whose
    # exact regret is 1e-9 (the row player's smallest payoff), was listed as an exact equilibrium
    g, p, q = _mixed_magnitudes()
    eqs = solve(g, method="support_enumeration", exact=True)
    assert all(e.certificate.regret == 0 for e in eqs), [(e.strategies, e.certificate.regret) for e in eqs]
    assert [tuple(map(float, s)) for s in (eqs[0].strategies[0], eqs[0].strategies[1])] == [
        (float(p), float(1 - p)), (float(q), float(1 - q))]  # the unique equilibrium, re-solved exactly
    assert len(eqs) == 1 and not eqs.complete and any("no exact equilibrium" in n for n in eqs.notes)


@pytest.mark.parametrize("method", ["support_enumeration", "vertex_enumeration", "lemke_howson", "pure"])
def test_mixed_magnitudes_exact_solves_list_only_exact_equilibria(method: str) -> None:
    g, _, q = _mixed_magnitudes()
    eqs = solve(g, method=method, exact=True)
    assert all(e.certificate.exact and e.certificate.regret == 0 for e in eqs)
    assert all(e.strategies[1][0] == pytest.approx(float(q), rel=1e-9, abs=0) for e in eqs)  # never pure


def test_an_exact_certificate_allows_no_regret_however_small() -> None:
    g, _, _ = _mixed_magnitudes()
    not_eq = [np.array([1.0, 0.0]), np.array([0.0, 1.0])]  # exact regret 1e-9, 1e-18 of the range
    assert certify(g, not_eq).passed  # within the float tolerance, relative to the range
    cert = certify(g, not_eq, exact=True)
    assert not cert.passed and cert.exact and cert.regret == pytest.approx(1e-9)


def _float_games(scale: float, count: int = 12) -> list[dt.NormalFormGame]:
    rng = np.random.default_rng(5)
    return [
        dt.NormalFormGame([rng.random((n, n)) * scale, rng.random((n, n)) * scale])
        for n in rng.integers(2, 5, count)
    ]


def test_float_payoffs_at_1e9_certify_in_exact_mode() -> None:
    """Workaround that works today: exact=True certifies the equilibria of large-magnitude games."""
    for g in _float_games(1e9):
        eqs = solve(g, exact=True)
        assert len(eqs) >= 1 and all(e.certificate.exact and e.certificate.passed for e in eqs)


def test_float_payoffs_at_1e9_certify_with_the_default_tolerance() -> None:
    for g in _float_games(1e9):
        base = solve(dt.NormalFormGame([p / 1e9 for p in g.payoffs]))
        assert keys(solve(g)) == keys(base)


def test_certificate_is_not_vacuous_at_payoff_scale_1e_minus_9() -> None:
    rng = np.random.default_rng(5)
    a, b = rng.random((3, 3)), rng.random((3, 3))
    g1 = dt.NormalFormGame([a, b])
    bad = next(
        [np.eye(3)[i], np.eye(3)[j]]
        for i, j in itertools.product(range(3), range(3))
        if g1.regrets([np.eye(3)[i], np.eye(3)[j]]).max() > 0.1
    )
    assert not certify(g1, bad, concept="nash").passed  # not an equilibrium at scale 1 ...
    tiny = dt.NormalFormGame([a * 1e-9, b * 1e-9])
    assert not certify(tiny, bad, concept="nash").passed  # ... nor, scale-free, at scale 1e-9


# ----------------------------------------------------------------------------- knife edges, domain ends
@pytest.fixture(scope="module")
def ed() -> Any:
    return dt.load_model("extended_deterrence")


def _p_attacks(eqs: Any) -> set[float]:
    return {round(e.indicators["p_attack"], 6) for e in eqs}


@pytest.mark.parametrize("concept", ["spe", "pbe"])
def test_credibility_domain_ends(ed: Any, concept: str) -> None:
    """credibility 0: the ally is surely uncommitted (attack); 1: surely committed (deterred)."""
    for credibility, expected in ((0, {1.0}), (1, {0.0})):
        eqs = solve(ed.game(credibility=credibility), concept=concept)
        assert len(eqs) >= 1 and all(e.certificate.passed for e in eqs)
        assert _p_attacks(eqs) == expected


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_credibility_zero_leaves_the_committed_branch_off_path(ed: Any, policy: str) -> None:
    """A chance probability of 0: the committed ally's information set is never reached."""
    eqs = solve(ed.game(credibility=0), concept="pbe", belief_policy=policy)
    assert eqs.belief_policy == policy
    for e in eqs:
        assert "ally_committed" in e.off_path
        assert e.certificate.passed


def test_qre_says_clearly_it_cannot_with_a_zero_probability_branch(ed: Any) -> None:
    with pytest.raises(GameError, match="ally_committed"):
        solve(ed.game(credibility=0), concept="qre", lam=5.0)


@pytest.mark.parametrize(
    ("parameter", "derived"),
    [("credibility", "credibility_threshold_attacker"), ("audience_cost", "entrapment_threshold")],
)
@pytest.mark.parametrize("concept", ["spe", "pbe"])
def test_knife_edge_contains_the_limits_from_both_sides(
    ed: Any, parameter: str, derived: str, concept: str
) -> None:
    """At a threshold the set is degenerate and contains the equilibria on either side (their limits)."""
    edge = Fraction(ed.derived_value(derived))
    at = solve(ed.game(**{parameter: edge}), concept=concept)
    assert at.degenerate is True and at.complete is False
    assert all(e.certificate.passed for e in at)
    sides = set()
    for eps in (Fraction(-1, 10**6), Fraction(1, 10**6)):
        near = solve(ed.game(**{parameter: edge + eps}), concept=concept)
        sides |= _p_attacks(near)
    assert sides == {0.0, 1.0}  # deterred on one side, attacked on the other ...
    assert sides <= _p_attacks(at)  # ... and both appear at the edge


def test_zero_probability_chance_branch_in_a_built_tree() -> None:
    root = chance(
        {
            "never": (
                Fraction(0),
                decision(
                    "A",
                    {
                        "l": terminal({"A": 1, "B": 0}, outcome="war"),
                        "r": terminal({"A": 0, "B": 0}, outcome="war"),
                    },
                ),
            ),
            "always": (
                Fraction(1),
                decision(
                    "B",
                    {
                        "l": terminal({"A": 0, "B": 1}, outcome="status_quo"),
                        "r": terminal({"A": 0, "B": 2}, outcome="status_quo"),
                    },
                ),
            ),
        }
    )
    g = dt.ExtensiveFormGame(root)
    for concept in ("spe", "pbe", "nash"):
        eqs = solve(g, concept=concept)
        assert len(eqs) >= 1 and all(e.certificate.passed for e in eqs)
        for e in eqs:
            assert e.payoffs["B"] == pytest.approx(2.0)  # B's choice is the only one that matters
            assert any(name.startswith("A") for name in e.off_path)
    assert solve(g, concept="spe").complete  # A is not indifferent at the unreached node: one SPE


# ----------------------------------------------------------------------------- exact certification
def _small_games() -> list[tuple[str, Any, str]]:
    rng = np.random.default_rng(11)
    return [
        (
            "prisoners-dilemma",
            dt.NormalFormGame([np.array([[3, 0], [5, 1]]), np.array([[3, 5], [0, 1]])]),
            "nash",
        ),
        (
            "matching-pennies",
            dt.NormalFormGame([np.array([[1, -1], [-1, 1]]), np.array([[-1, 1], [1, -1]])]),
            "nash",
        ),
        ("random-3x3", dt.NormalFormGame([rng.integers(-4, 5, (3, 3)), rng.integers(-4, 5, (3, 3))]), "nash"),
        ("degenerate-continuum", dt.NormalFormGame(list(CONTINUUM)), "nash"),
        ("three-player", dt.NormalFormGame([rng.integers(0, 4, (2, 2, 2)) for _ in range(3)]), "nash"),
        ("tie-tree-spe", _tie_tree(), "spe"),
        ("tie-tree-nash", _tie_tree(), "nash"),
        (
            "extended-deterrence-pbe",
            dt.load_model("extended_deterrence").game(credibility=Fraction(1, 2)),
            "pbe",
        ),
        (
            "extended-deterrence-spe",
            dt.load_model("extended_deterrence").game(credibility=Fraction(7, 10)),
            "spe",
        ),
    ]


@pytest.mark.parametrize(("name", "game", "concept"), _small_games(), ids=[g[0] for g in _small_games()])
def test_exact_certification_confirms_the_float_results(name: str, game: Any, concept: str) -> None:
    flt = solve(game, concept=concept)
    ext = solve(game, concept=concept, exact=True)
    assert keys(ext) == keys(flt)
    assert (ext.complete, ext.degenerate) == (flt.complete, flt.degenerate)
    for e in flt:
        assert not e.certificate.exact and e.certificate.passed
    for e in ext:
        assert e.certificate.exact and e.certificate.passed
        assert e.certificate.regret <= e.certificate.tolerance
    # and the exact certifier, run on the float results themselves, agrees
    for e in flt:
        cert = certify(
            game,
            e.strategies,
            concept=concept,
            beliefs=None if concept != "pbe" else _beliefs(game, e),
            exact=True,
        )
        assert cert.exact and cert.passed


def _beliefs(game: Any, eq: Any) -> list[np.ndarray] | None:
    return belief_vectors(game, eq)
