"""The PBE certificate's checks on all information sets at once equal the former set-by-set loop.

``_pbe_regret_per_set`` below is the certificate's former implementation (one Python iteration
per information set, several numpy reductions each, one compiled deviation walk per set), kept
here as the oracle: the flat checks (beliefs validated and Bayes' and Nature's errors taken on
the sets grouped by size, the deviation walks of all sets in one compiled call) must give the
same regrets, relative regrets, Bayes errors and details bit for bit, and the same errors for
bad beliefs.
"""

from __future__ import annotations

import numpy as np
import pytest

import deterrence as dt
from deterrence import certificates, kernels
from deterrence.certificates import (
    _deviation_gain,
    _in_units,
    _keep_largest,
    _rationalise,
    _tree_regret,
    _worst,
)
from deterrence.errors import GameError


def _pbe_regret_per_set(nums, beh, beliefs, tol, exact, details):
    """The former ``certificates._pbe_regret`` (the oracle)."""
    game = nums.game
    if beliefs is None or not hasattr(beliefs, "__len__") or len(beliefs) != len(game.infosets):
        raise GameError("a PBE certificate needs a belief vector at every information set")
    reach = game.realization_probabilities(beh)
    nature = game.realization_probabilities([np.ones(len(h.actions)) for h in game.infosets])
    regret = relative = bayes_error = nature_error = 0.0
    gains: dict[str, float] = {}
    for h, mu in zip(game.infosets, beliefs, strict=True):
        mu = certificates._check_belief(h, mu, tol)  # the per-set check the flat one still names
        r = reach[list(h.nodes)]
        if r.sum() > 1e-12:
            bayes_error = max(bayes_error, float(np.abs(r / r.sum() - mu).max()))
        possible = nature[list(h.nodes)] > 0
        if possible.any():
            nature_error = max(nature_error, float(mu[~possible].sum()))
        weights = _rationalise(mu) if exact else [float(m) for m in mu]
        br, cur = _deviation_gain(nums, h.player, list(zip(h.nodes, weights, strict=True)))
        gain = float(br - cur)
        gains[f"infoset {h.name}"] = gain * float(nums.units[h.player])
        regret = _worst(regret, gains[f"infoset {h.name}"])
        relative = _worst(relative, gain / nums.ranges[h.player])
    _keep_largest(details, gains)
    per = _tree_regret(nums, [(game.root, nums.one)])
    regret = _worst(regret, _in_units(per, nums.units))
    relative = _worst(relative, float((per / nums.ranges).max()))
    details["nature_error"] = nature_error
    return regret, relative, max(bayes_error, nature_error)


def _both(monkeypatch, game, beh, beliefs, exact=False):
    """The certificate (or the error) with the flat checks and with the oracle."""
    out = []
    for fn in (certificates._pbe_regret, _pbe_regret_per_set):
        with monkeypatch.context() as m:
            m.setattr(certificates, "_pbe_regret", fn)
            try:
                out.append(dt.certify(game, beh, "pbe", beliefs=beliefs, exact=exact))
            except GameError as exc:
                out.append(("error", str(exc)))
    return out


def _same(a, b) -> None:
    if isinstance(a, tuple):
        assert a == b
        return
    for field in ("regret", "bayes_error", "passed", "exact"):
        x, y = getattr(a, field), getattr(b, field)
        assert x == y or (x != x and y != y), field  # bit for bit (NaN equals NaN)
    assert list(a.details) == list(b.details)
    assert all(a.details[k] == b.details[k] for k in a.details)


@pytest.mark.parametrize("name", ["costly_signal_menu", "chain_store", "tripartite_crisis", "egame12"])
def test_flat_pbe_checks_equal_the_set_by_set_loop(monkeypatch, name):
    model = dt.load_model(name)
    sample = kernels.domain_sample(model, 6, seed=11)
    rng = np.random.default_rng(4)
    for i in range(6):
        game = model.game(**{k: float(v[i]) for k, v in sample.items()})
        for eq in dt.solve(game, "pbe", belief_policy="free"):  # equilibria: Bayes errors near 0
            _same(*_both(monkeypatch, game, eq.strategies, eq.beliefs))
            _same(*_both(monkeypatch, game, eq.strategies, eq.beliefs, exact=True))
        for _ in range(4):  # arbitrary profiles and beliefs: large gains and Bayes errors
            beh = [rng.dirichlet(np.ones(len(h.actions))) for h in game.infosets]
            if rng.random() < 0.5:  # some pure moves leave sets unreached
                beh = [np.eye(len(b))[rng.integers(len(b))] for b in beh]
            mus = [rng.dirichlet(np.ones(len(h.nodes))) for h in game.infosets]
            _same(*_both(monkeypatch, game, beh, mus))


def test_flat_pbe_checks_equal_the_loop_where_nature_rules_nodes_out(monkeypatch):
    game = dt.load_model("chain_store").game(p_tough=0.0)
    rng = np.random.default_rng(2)
    for _ in range(10):
        beh = [rng.dirichlet(np.ones(len(h.actions))) for h in game.infosets]
        mus = [rng.dirichlet(np.ones(len(h.nodes))) for h in game.infosets]
        found, oracle = _both(monkeypatch, game, beh, mus)
        _same(found, oracle)
        assert found.details["nature_error"] > 0


def test_bad_beliefs_give_the_errors_of_the_loop(monkeypatch):
    game = dt.load_model("costly_signal_menu").game()
    beh = [np.ones(len(h.actions)) / len(h.actions) for h in game.infosets]
    good = [np.ones(len(h.nodes)) / len(h.nodes) for h in game.infosets]
    two = next(i for i, h in enumerate(game.infosets) if len(h.nodes) == 2)
    cases = [
        None, good[:-1], {0: 1},
        [*good[:two], ["a", "b"], *good[two + 1:]],
        [*good[:two], [0.5], *good[two + 1:]],
        [*good[:two], [np.nan, 1.0], *good[two + 1:]],
        [*good[:two], [1.5, -0.5], *good[two + 1:]],
        [*good[:two], [0.5, 0.6], *good[two + 1:]],
        [*good[:two], [[0.5, 0.5]], *good[two + 1:]],  # reshaped to a vector, as before
        [*good[:two], [0.5, 0.6], *good[two + 1:-1], [0.2, 0.2, 0.2]],  # the first fault is named
    ]
    for k, beliefs in enumerate(cases):
        found, oracle = _both(monkeypatch, game, beh, beliefs)
        _same(found, oracle)
        assert isinstance(found, tuple) == (k != 8), k  # all refused but the nested vector


def _eager_float_numbers(game, beh):
    """The float lists the former ``_TreeNumbers.__init__`` built at once (the oracle of the lazy ones)."""
    scaled, _, _ = certificates._scaled_payoffs(game)
    return (scaled.tolist(), [[float(p) for p in ci.probs] for ci in game.chance_infos],
            [list(map(float, b)) for b in beh], np.array([x for b in beh for x in b], dtype=float))


@pytest.mark.parametrize("name", ["costly_signal_menu", "chain_store", "egame12"])
def test_float_tree_numbers_made_on_demand_equal_the_eager_ones(name):
    model = dt.load_model(name)
    sample = kernels.domain_sample(model, 3, seed=5)
    rng = np.random.default_rng(9)
    for i in range(3):
        game = model.game(**{k: float(v[i]) for k, v in sample.items()})
        beh = game.check_behaviour([rng.dirichlet(np.ones(len(h.actions))) for h in game.infosets])
        nums = certificates._TreeNumbers(game, beh, False)
        payoffs, chance, lists, flat = _eager_float_numbers(game, beh)
        assert nums.flat_beh.tobytes() == flat.tobytes()
        assert (nums.payoffs, nums.chance, nums.beh) == (payoffs, chance, lists)
        fast = _tree_regret(nums, [(game.root, nums.one)])  # from ``flat_beh``
        walked = certificates.nash_regret_on_scale(game, lists)
        assert fast.tobytes() == walked[0].tobytes()
