"""``method="auto"`` when the one-equilibrium method it fell back to fails.

On ``chain_store`` (3 players, a tree) ``auto`` runs ``homotopy`` for Nash: the methods that find
every equilibrium are far too large. Near the model's thresholds (the reputation ``p_tough`` a
hair off ``entry_profit`` or ``entry_profit**2``) the game is nearly degenerate and the logit path
stalls, or does not settle, so ``homotopy`` fails with a :class:`~deterrence.SolverError`. ``auto``
then runs ``pure_agent`` (every pure Nash equilibrium in behaviour strategies) and says so, and
the error of ``homotopy`` itself names methods that take trees.
"""

from __future__ import annotations

import pytest

import deterrence as dt

#: points a hair off the thresholds, where homotopy fails (path stalled; branch not settled)
NEAR_THRESHOLDS = [
    {"entry_profit": 0.2, "p_tough": 0.2 - 1e-9},
    {"entry_profit": 0.2, "p_tough": 0.04 + 1e-9},
]


@pytest.fixture(scope="module")
def chain_store() -> dt.Model:
    return dt.load_model("chain_store")


@pytest.mark.parametrize("values", [
    # near the fight threshold the homotopy takes the longest to fail: slow
    pytest.param(NEAR_THRESHOLDS[0], id="near_fight_threshold", marks=pytest.mark.slow),
    pytest.param(NEAR_THRESHOLDS[1], id="near_entry_threshold"),
])
def test_auto_runs_pure_agent_when_homotopy_fails(chain_store: dt.Model, values: dict[str, float]) -> None:
    game = chain_store.game(**values)
    with pytest.raises(dt.SolverError):  # the method alone fails here: the reason for the rescue
        dt.solve(game, "nash", method="homotopy")
    eqs = dt.solve(game, "nash")
    assert eqs.method == "pure_agent"
    assert eqs.complete is False
    assert len(eqs) > 0 and all(e.certificate.passed for e in eqs)
    assert "'homotopy' failed" in eqs.notes[0] and "ran 'pure_agent' instead" in eqs.notes[0]
    # every subgame-perfect equilibrium is a Nash equilibrium: the pure one is among those found
    spe = dt.solve(game, "spe")
    assert any(all(e.profile[h] == s.profile[h] for h in s.profile) for s in spe for e in eqs)


def test_auto_keeps_the_error_when_the_caller_tuned_the_method(chain_store: dt.Model) -> None:
    game = chain_store.game(**NEAR_THRESHOLDS[0])
    with pytest.raises(dt.SolverError, match="homotopy"):  # homotopy's own options: no other method runs
        dt.solve(game, "nash", max_steps=20000)


def test_homotopy_error_on_a_tree_names_methods_that_take_trees(chain_store: dt.Model) -> None:
    game = chain_store.game(**NEAR_THRESHOLDS[0])
    with pytest.raises(dt.SolverError) as info:
        dt.solve(game, "nash", method="homotopy")
    message = str(info.value)
    assert "polynomial" not in message and "'pure'" not in message  # normal-form methods only
    assert "pure_agent" in message and "spe" in message
    assert len(dt.solve(game, "nash", method="pure_agent")) > 0  # the advice works


def test_spe_near_the_entry_threshold_solves_its_subgame_with_the_rescue(chain_store: dt.Model) -> None:
    # backward induction solves the subgame at the root (the whole tree) with auto's Nash method:
    # the same rescue when homotopy fails there
    game = chain_store.game(**NEAR_THRESHOLDS[1])
    eqs = dt.solve(game, "spe")
    assert len(eqs) > 0 and all(e.certificate.passed for e in eqs)
    assert eqs.complete is False


def test_no_rescue_that_fits_max_work_keeps_the_error_and_says_why(chain_store: dt.Model) -> None:
    # near the entry threshold homotopy (about 3.8e5 operations) fails, and with max_work=5e5
    # pure_agent (about 8.6e5) does not fit. (patron_reputation at p_committed = 1/27 was the case
    # first: homotopy now gets there, by its early exit.)
    game = chain_store.game(**NEAR_THRESHOLDS[1])
    with pytest.raises(dt.SolverError) as info:
        dt.solve(game, "nash", max_work=5e5)
    message = str(info.value)
    assert message.startswith("homotopy:") and "'pure_agent' (about" in message and "max_work" in message
    assert "pbe" in message
    assert len(dt.solve(game, "pbe")) > 0  # the advice works
