"""Option ``seeds`` of the PBE solver: Lemke–Howson equilibria of the dominance-reduced normal
form as extra candidates (two-player trees).

The Asymmetric Escalation Game is the case in point: two Defender types with the same payoffs
for conceding and escalating make its mixed PBE come in continua, which the support-pattern
search cannot list. Everything the seeds add is re-certified here by ``dt.certify``.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.beliefs import belief_vectors

import deterrence as dt

AEG = dt.load_model("asymmetric_escalation")
CN = ["c_all_out_soft", "c_defender_escalates", "c_all_out_hard", "c_limited_conflict",
      "c_challenger_escalates", "c_status_quo", "c_defender_concedes"]
DN = ["d_all_out_soft", "d_challenger_escalates", "d_all_out_hard", "d_limited_soft",
      "d_defender_concedes", "d_limited_hard", "d_defender_escalates", "d_status_quo"]


def _aeg_points(n: int, seed: int) -> list[dict[str, float]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        v = dict(zip(CN, np.sort(rng.uniform(0, 1, 7)).tolist(), strict=True))
        v.update(zip(DN, np.sort(rng.uniform(0, 1, 8)).tolist(), strict=True))
        w = rng.dirichlet([1, 1, 1, 1])
        v.update(p_challenger_hard=float(rng.uniform()), p_defender_hh=float(w[0]),
                 p_defender_hs=float(w[1]), p_defender_sh=float(w[2]))
        out.append(v)
    return out


def _recertify(game, eqs) -> None:
    for e in eqs:
        beliefs = belief_vectors(game, e)
        assert dt.certify(game, e.strategies, "pbe", beliefs=beliefs).passed


def _key(e) -> tuple:
    return tuple(np.round(np.concatenate([np.asarray(s, float) for s in e.strategies]), 7))


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_seeds_only_add_certified_pbe(policy):
    """At 6 seeded AEG points the seeded set contains the pure search's set, and at some point
    seeds add a mixed PBE that the pure search (mixed=False) does not have."""
    added = 0
    for v in _aeg_points(6, seed=0)[2:]:
        g = AEG.game(**v)
        plain = dt.solve(g, "pbe", belief_policy=policy, mixed=False)
        seeded = dt.solve(g, "pbe", belief_policy=policy, mixed=False, seeds=True)
        assert {_key(e) for e in plain} <= {_key(e) for e in seeded}
        new = [e for e in seeded if _key(e) not in {_key(x) for x in plain}]
        assert all(not e.is_pure() for e in new)
        _recertify(g, new)
        added += len(new)
        assert not seeded.complete and any("seeds:" in n for n in seeded.notes)
    assert added >= 1


def test_seeds_find_a_pbe_where_no_pure_one_exists():
    """A point with no pure PBE under prior beliefs: the seeds give a mixed PBE in which the
    Soft Challenger mixes (the status quo holds with probability strictly between 0 and 1)."""
    v = _aeg_points(4, seed=0)[3]
    g = AEG.game(**v)
    assert len(dt.solve(g, "pbe", belief_policy="prior", mixed=False)) == 0
    eqs = dt.solve(g, "pbe", belief_policy="prior", mixed=False, seeds=True)
    assert len(eqs) >= 1
    _recertify(g, eqs)
    assert all(0 < e.outcomes["status_quo"] < 1 for e in eqs)


def test_seeds_need_two_players():
    cs = dt.load_model("chain_store")  # two entrants and an incumbent
    eqs = dt.solve(cs.game(), "pbe", belief_policy="d1", max_mixed_sets=1, seeds=True)
    assert any("two-player" in n for n in eqs.notes)
