"""PBE certificates of all candidates of a point at once equal the per-candidate ones bit for bit.

``certify_pbe_batch`` (what ``solve`` uses for the PBE candidates of a tree) and the certificate
of one profile both go through ``_pbe_numbers``; the oracle is the former per-profile check
(tests/helpers/pbe_certificate_oracle.py, main 6082fc5). Every certificate must have the same
``repr`` (numbers and their types, details in the same order) as ``certify`` of the candidate
alone with the oracle in place, and the batch's realisation probabilities must be the tree's.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.pbe_certificate_oracle import pbe_regret_one
from helpers.random_trees import jury_voting, random_tree

import deterrence as dt
from deterrence import _solve, certificates, kernels
from deterrence.certificates import _pbe_certificates, certify_pbe_batch
from deterrence.errors import GameError, SolverError
from deterrence.solvers import Candidate, SolveOptions


def _oracle(monkeypatch, game, cand, tol=1e-8) -> str:
    """``repr`` of the candidate's certificate, alone, by the former check."""
    with monkeypatch.context() as m:
        m.setattr(certificates, "_pbe_regret", pbe_regret_one)
        return repr(certificates.certify(game, cand.strategies, "pbe", beliefs=cand.beliefs, tol=tol))


def _alone(game, cand, tol=1e-8) -> str:
    return repr(certificates.certify(game, cand.strategies, "pbe", beliefs=cand.beliefs, tol=tol))


def _recorded(monkeypatch, game, policy):
    """The candidates ``solve`` certifies at ``game`` (recorded on their way into the batch)."""
    seen = []
    batch = _solve._pbe_batch

    def record(game, cands, concept, options):
        seen.append(list(cands))
        return batch(game, cands, concept, options)

    with monkeypatch.context() as m:
        m.setattr(_solve, "_pbe_batch", record)
        dt.solve(game, "pbe", belief_policy=policy)
    return seen[0]


def _check_batch(monkeypatch, game, cands, tol=1e-8) -> list:
    certs, reach = _pbe_certificates(game, cands, tol)
    for cand, cert, row in zip(cands, certs, reach, strict=True):
        assert repr(cert) == _oracle(monkeypatch, game, cand, tol) == _alone(game, cand, tol)
        assert row.tobytes() == game.realization_probabilities(list(cand.strategies)).tobytes()
    return certs


@pytest.mark.parametrize("name", ["asymmetric_escalation", "chain_store", "costly_signal_menu",
                                  "tripartite_crisis", "extended_deterrence"])
def test_batch_certificates_of_solver_candidates_equal_the_former_ones(monkeypatch, name):
    model = dt.load_model(name)
    sample = kernels.domain_sample(model, 3, seed=11)
    for i in range(3):
        game = model.game(**{k: float(v[i]) for k, v in sample.items()})
        for policy in ("free", "d1"):
            cands = _recorded(monkeypatch, game, policy)
            certs = _check_batch(monkeypatch, game, cands)
            assert all(c.passed for c in certs)
            assert certify_pbe_batch(game, cands, 1e-8) is not None


def _random_candidates(game, rng, n=6) -> list[Candidate]:
    out = []
    for k in range(n):
        beh = [rng.dirichlet(np.ones(len(h.actions))) for h in game.infosets]
        if k % 2:  # pure moves: unreached sets, zero gains, ties in the sorted details
            beh = [np.eye(len(b))[rng.integers(len(b))] for b in beh]
        mus = [rng.dirichlet(np.ones(len(h.nodes))) for h in game.infosets]
        out.append(Candidate(strategies=beh, beliefs=mus))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_batch_certificates_of_random_profiles_equal_the_former_ones(monkeypatch, seed):
    rng = np.random.default_rng(seed)
    games = [random_tree(2 + seed % 2, 8 + 2 * seed, seed), jury_voting(3),
             dt.load_model("chain_store").game(p_tough=0.0),  # Nature rules nodes out
             dt.load_model("asymmetric_escalation").game()]
    for game in games:
        certs = _check_batch(monkeypatch, game, _random_candidates(game, rng))
        assert not all(c.passed for c in certs)  # large gains and Bayes errors were met
        assert certify_pbe_batch(game, _random_candidates(game, rng), 1e-8) is None


def test_a_refused_or_failing_candidate_sends_the_batch_one_by_one(monkeypatch):
    game = dt.load_model("costly_signal_menu").game()
    good = _recorded(monkeypatch, game, "free")
    rng = np.random.default_rng(1)
    bad_beliefs = Candidate(strategies=good[0].strategies, beliefs=[[0.5, 0.6]] * len(game.infosets))
    failing = _random_candidates(game, rng, 2)[0]
    options = SolveOptions(tol=1e-8)
    assert len(_solve.certify_and_wrap(game, good, "pbe", options)) == len(good)
    assert _pbe_certificates(game, [*good, bad_beliefs], 1e-8) is None
    with pytest.raises(GameError, match="not a distribution"):
        _solve.certify_and_wrap(game, [*good, bad_beliefs], "pbe", options)
    assert certify_pbe_batch(game, [*good, failing], 1e-8) is None
    with pytest.raises(SolverError, match="failed certification"):  # the first fault in order wins
        _solve.certify_and_wrap(game, [*good, failing, bad_beliefs], "pbe", options)


def test_beliefs_of_many_profiles_are_checked_as_one_by_one():
    game = dt.load_model("costly_signal_menu").game()
    rng = np.random.default_rng(7)
    layout = certificates._set_layout(game)
    good = [[rng.dirichlet(np.ones(len(h.nodes))) for h in game.infosets] for _ in range(4)]
    good[1] = [list(mu) for mu in good[1]]  # lists of numbers, as arrays
    flats = certificates._flat_beliefs_all(game, layout, good, 1e-8)
    for row, beliefs in zip(flats, good, strict=True):
        assert row.tobytes() == certificates._flat_beliefs(game, layout, beliefs, 1e-8).tobytes()
    two = next(i for i, h in enumerate(game.infosets) if len(h.nodes) == 2)
    off = [*good[0][:two], np.array([0.5, 0.6]), *good[0][two + 1:]]
    short = [*good[0][:two], np.array([0.5]), *good[0][two + 1:]]
    for first, second in ((off, short), (short, off), (off, None), (None, off), (good[0][:-1], off)):
        with pytest.raises(GameError) as alone:
            certificates._flat_beliefs(game, layout, first, 1e-8)
        with pytest.raises(GameError) as many:
            certificates._flat_beliefs_all(game, layout, [good[0], first, second], 1e-8)
        assert str(many.value) == str(alone.value)
