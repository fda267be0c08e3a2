"""The collective-defence join stage against pygambit and brute force (simultaneous timing).

For up to :data:`~deterrence.solvers._collective_join.SMALL` allies the solver claims every
equilibrium of the join stage (``complete=True``). Its strategic form (each ally: which of its
two types joins, four pure strategies) is computed here from the explicit tree; then

* the pure equilibria equal a brute-force scan and pygambit's ``enumpure_solve``;
* every equilibrium pygambit's ``gnm_solve``, ``ipa_solve`` and ``logit_solve`` return is one
  of ours (up to 1e-4), unless the solver notes a continuum (then it lists its extreme points).

Types Nature never draws (credibility 0 or 1) are left out of the comparison: the strategic
form cannot tell their choices apart, sequential rationality picks one. pygambit runs in a
subprocess with a time limit (a hang guard only).
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from helpers.json_subprocess import run_json_script
from helpers.waiting import HANG_GUARD
from test_collective_defence import _random_game, game

from deterrence.game.collective import CollectiveDefenceGame, Contest
from deterrence.game.collective_tree import explicit_tree
from deterrence.solvers._collective_join import join_equilibria

pytest.importorskip("pygambit")

_GAMBIT = r"""
import json, sys
import numpy as np, pygambit as gbt
def rows(g, eqs):
    return [[[float(eq[s]) for s in p.strategies] for p in g.players] for eq in eqs]
out = []
for pay in json.load(sys.stdin):
    g = gbt.Game.from_arrays(*[np.array(a) for a in pay])
    out.append({k: rows(g, f(g).equilibria) for k, f in (("pure", gbt.nash.enumpure_solve),
                ("gnm", gbt.nash.gnm_solve), ("ipa", gbt.nash.ipa_solve), ("logit", gbt.nash.logit_solve))})
print(json.dumps(out))
"""

PURES = [(1, 1), (1, 0), (0, 1), (0, 0)]  # (committed type joins, uncommitted type joins)


def _strategic_form(g: CollectiveDefenceGame) -> np.ndarray:
    """``pays[i][profile]``: ally ``i``'s expected payoff in the join stage of the defence war."""
    tree = explicit_tree(g, war="defence")
    sets = {h.name: h.index for h in tree.infosets}
    pays = np.zeros((g.n,) + (4,) * g.n)
    for prof in itertools.product(range(4), repeat=g.n):
        behaviour: list[np.ndarray] = [np.zeros(0)] * len(tree.infosets)
        for i, s in enumerate(prof):
            for t, kind in enumerate(("committed", "uncommitted")):
                j = PURES[s][t]
                behaviour[sets[f"ally{i + 1}_{kind}"]] = np.array([j, 1 - j], float)
        ev = tree.expected_payoffs(behaviour)
        for i in range(g.n):
            pays[(i, *prof)] = ev[2 + i]
    return pays


def _pure_equilibria(pays: np.ndarray, tol: float = 1e-9) -> set[tuple[int, ...]]:
    out = set()
    for prof in itertools.product(range(4), repeat=pays.shape[0]):
        if all(
            pays[(i, *prof)] + tol >= max(pays[(i, *prof[:i], s, *prof[i + 1 :])] for s in range(4))
            for i in range(pays.shape[0])
        ):
            out.add(prof)
    return out


def _games() -> list[CollectiveDefenceGame]:
    rng = np.random.default_rng(12)
    out = [_random_game(rng, n, "simultaneous") for n in (2, 2, 3, 3, 4)]
    out.append(game(3, credibility=(0.0, 0.5, 1.0), cost_ally=(0.1, 0.2, 0.25),
                    interest_uncommitted=(0.0, 0.1, 0.2), capability=(1.0, 2.0, 1.0),
                    contest=Contest(0.25, 0.75, 1.0)))  # a continuum (see test_collective_defence)
    out.append(game(2, credibility=(0.25, 0.5), cost_ally=(0.2, 0.2), interest_uncommitted=(0.2, 0.2),
                    contest=Contest(0.25, 0.75, 3.0)))  # fmt: skip
    return out


@pytest.fixture(scope="module")
def gambit_runs() -> list[tuple[CollectiveDefenceGame, np.ndarray, dict]]:
    """Every game with its strategic form and pygambit's equilibria (one subprocess for all)."""
    games = _games()
    forms = [_strategic_form(g) for g in games]
    ran = run_json_script(_GAMBIT, json.dumps([f.tolist() for f in forms]), timeout=HANG_GUARD)
    assert ran is not None and ran[0] is not None, ran
    return list(zip(games, forms, ran[0], strict=True))


@pytest.mark.parametrize("which", range(len(_games())))
def test_join_stage_contains_pygambit_and_matches_pure_brute_force(gambit_runs, which: int) -> None:
    g, pays, theirs = gambit_runs[which]
    res = join_equilibria(g)
    assert res.complete
    cred = np.asarray(g.credibility, float)
    live = np.stack([cred > 0, cred < 1], axis=1)  # the types Nature draws

    def seen(prof: tuple[int, ...]) -> tuple:
        return tuple(tuple(PURES[s][t] if live[i, t] else None for t in (0, 1)) for i, s in enumerate(prof))

    ours = [np.where(live, np.asarray(s.sigma, float), 0.0) for s in res.solutions]
    our_pure = {
        tuple(
            tuple(round(x) if live[i, t] else None for t, x in enumerate(row)) for i, row in enumerate(o)
        )
        for o in ours
        if np.all((o == 0) | (o == 1))
    }
    brute = {seen(p) for p in _pure_equilibria(pays)}
    assert our_pure == brute
    assert {seen(tuple(int(np.argmax(p)) for p in eq)) for eq in theirs["pure"]} == brute
    if res.notes:  # a continuum (a knife edge): only its extreme points are listed
        return
    for method in ("gnm", "ipa", "logit"):
        for eq in theirs[method]:
            sigma = np.array([[sum(p[s] * PURES[s][t] for s in range(4)) for t in (0, 1)] for p in eq])
            sigma = np.where(live, sigma, 0.0)
            assert any(np.allclose(sigma, o, atol=1e-4) for o in ours), (method, sigma, ours)
