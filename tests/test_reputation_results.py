"""A reputation result where users meet it: ``dt.solve_reputation``'s answer has the result API of
the other equilibria (``to_frame``, ``regret``, ``is_pure``, ``label``, a short repr) with the same
meanings, checked against the same game solved as an explicit tree by ``dt.solve``; and the
compact builders take exact numbers (fractions), so Kreps and Wilson's thresholds can be hit
exactly.
"""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

import deterrence as dt

B = dt.builders

SMALL_GAMES = [
    B.chain_store_game(markets=3, p_tough=0.1),
    B.chain_store_game(markets=2, p_tough=0.3, monopoly_profit=1.5, entry_profit=0.7),
    B.chain_store_game(markets=2, p_tough=1),
    B.chain_store_game(markets=3, p_tough=0),
    B.patron_reputation_game(proteges=3),
    B.patron_reputation_game(proteges=2, p_committed=0.9),
]


def _tree_equilibrium(game: dt.ReputationGame) -> tuple[dt.Equilibrium, dt.EquilibriumSet]:
    eqs = dt.solve(game.tree(), "pbe", method="reputation")
    (e,) = eqs
    return e, eqs


@pytest.mark.parametrize("game", SMALL_GAMES, ids=lambda g: f"{g.title} p={g.prior}")
def test_outcome_labels_are_those_of_the_tree(game):
    """``outcomes`` lists every label the game's plays carry, 0 where the equilibrium never goes,
    as the tree's equilibrium does (before: labels of probability 0 were missing, so
    ``eq.outcomes["status_quo"]`` raised a KeyError where the tree's answer gave 0)."""
    compact = dt.solve_reputation(game)
    e, _ = _tree_equilibrium(game)
    assert set(compact.outcomes) == set(e.outcomes)
    for label, p in e.outcomes.items():
        assert compact.outcomes[label] == pytest.approx(p, abs=1e-12), label


@pytest.mark.parametrize("game", SMALL_GAMES, ids=lambda g: f"{g.title} p={g.prior}")
def test_to_frame_has_the_columns_and_values_of_the_tree_result(game):
    """``to_frame`` gives one row with ``EquilibriumSet.to_frame``'s columns (less the
    per-information-set profile and belief columns), in the same order and with the same values."""
    compact = dt.solve_reputation(game)
    e, eqs = _tree_equilibrium(game)
    tree_row = eqs.to_frame().iloc[0]
    tree_columns = [c for c in tree_row.index if not c.startswith(("profile:", "belief:"))]
    frame = compact.to_frame()
    assert len(frame) == 1 and list(frame.columns) == tree_columns
    row = frame.iloc[0]
    for col in tree_columns:
        if col in ("tolerance", "exact", "belief_policy"):  # how each was certified / asked for
            continue
        want, got = tree_row[col], row[col]
        if isinstance(want, float | np.floating) and want is not None:
            assert got == pytest.approx(want, abs=1e-9), col
        else:
            assert got == want, col
    assert row["belief_policy"] is None and bool(row["exact"])
    assert compact.regret == compact.certificate.regret == 0
    assert compact.is_pure() == e.is_pure() and compact.label == e.label
    assert (compact.concept, compact.method) == (eqs.concept, eqs.method)


def test_path_frame_and_repr():
    """``path_frame`` is ``path`` as a table; the repr is one short line, whatever N (before:
    the dataclass repr printed the whole game, every stage's payoffs as Fractions)."""
    eq = dt.solve_reputation(B.chain_store_game(markets=50, p_tough=0.1))
    frame = eq.path_frame()
    columns = ["stage", "posterior", "probability", "quiet", "resist_resolute", "resist_weak"]
    assert list(frame.columns) == columns
    assert frame.to_dict("records") == eq.path
    text = repr(eq)
    assert len(text) < 200 and "50 markets" in text and "regret 0 (exact)" in text


def test_is_pure_looks_off_the_path_too():
    """As ``Equilibrium.is_pure`` (every information set of the tree), off the path too. Known to
    be weak (prior 0) every entrant enters and the weak incumbent acquiesces: pure. Two markets,
    prior 0.3, b = 1/2: the first entrant stays out (0.3 > b**2), the second enters and the weak
    incumbent acquiesces, all pure on the path; but had the first entered, the weak incumbent
    would have fought with probability 3/7 (0.3 < b): not pure, on the tree as here."""
    assert dt.solve_reputation(B.chain_store_game(markets=4, p_tough=0)).is_pure()
    eq = dt.solve_reputation(B.chain_store_game(markets=2, p_tough=0.3))
    for r in eq.path:  # pure on the path: a response counts only where somebody challenges
        assert r["quiet"] in (0, 1) and (r["quiet"] == 1 or r["resist_weak"] in (0, 1)), r
    assert eq.play(1, 0.3)["fight (weak)"] == pytest.approx(3 / 7)
    assert not eq.is_pure()
    assert not _tree_equilibrium(eq.game)[0].is_pure()


def test_play_takes_any_integer_stage_but_not_a_bool():
    eq = dt.solve_reputation(B.chain_store_game(markets=3, p_tough=0.1))
    assert eq.play(np.int64(3), 0.1) == eq.play(3, 0.1)
    with pytest.raises(dt.GameError, match="stage must be an integer from 1 to 3, got True"):
        eq.play(True, 0.1)


# ------------------------------------------------------------------ exact numbers in the builders
@pytest.mark.parametrize("n", [1, 2, 3, 7, 20])
@pytest.mark.parametrize("b", [F(1, 3), F(2, 3)])
def test_chain_store_exactly_at_the_kreps_wilson_thresholds(n, b):
    """p = b**n exactly (a fraction no float spells): the weak incumbent fights with Kreps and
    Wilson's probability (0 in the last market), which makes the first entrant exactly
    indifferent; just below, at p = b**n - 1/10**30, the first entrant enters. Before, the builder
    refused a Fraction with 'p_tough must lie in its domain (0.0, 1.0)'."""
    game = B.chain_store_game(markets=n, p_tough=b**n, monopoly_profit=F(3, 2), entry_profit=b)
    assert game.prior == b**n
    eq = dt.solve_reputation(game)
    _, resist_tough, resist_weak = eq.profile.play(0, b**n)
    assert resist_tough == 1
    # the weak type: KW resist probability at p = b**n with n markets to go
    want = F(0) if n == 1 else b**n * (1 - b ** (n - 1)) / ((1 - b**n) * b ** (n - 1))
    assert resist_weak == want
    # the entrant is indifferent there: P(fight) = p + (1 - p)·σ = b exactly
    assert b**n + (1 - b**n) * resist_weak == b
    below = dt.solve_reputation(B.chain_store_game(markets=n, p_tough=b**n - F(1, 10**30),
                                                   monopoly_profit=F(3, 2), entry_profit=b))
    assert below.profile.play(0, below.game.prior)[0] == 0


def test_builders_take_exact_and_numpy_numbers_and_name_what_is_wrong():
    game = B.patron_reputation_game(proteges=np.int64(4), p_committed=F(1, 3), discount=np.float32(0.5))
    assert game.num_stages == 4 and game.prior == F(1, 3)
    assert B.chain_store_game(markets=np.int64(2), p_tough=np.int64(0)).prior == 0
    with pytest.raises(dt.ParameterError, match=r"p_tough must be a number, got '0\.5'") as err:
        B.chain_store_game(p_tough="0.5")
    assert err.value.name == "p_tough"
    with pytest.raises(dt.ParameterError, match=r"entry_profit must lie in its domain") as err:
        B.chain_store_game(entry_profit=F(1))
    assert err.value.name == "entry_profit"
    with pytest.raises(dt.ParameterError, match="markets must be an integer of at least 1, got 0"):
        B.chain_store_game(markets=0)
    with pytest.raises(dt.ParameterError, match="proteges must be an integer of at least 1, got True"):
        B.patron_reputation_game(proteges=True)
