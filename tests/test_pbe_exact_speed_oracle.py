"""Oracles for the faster exact path of the PBE solver's indifference systems.

The implementations these replaced are kept here, verbatim, and compared with the package's on
many random inputs and on inputs recorded from solves of the Asymmetric Escalation Game:

* :func:`deterrence.solvers._pbe_pruning.no_interior_root` (sparse fraction-free elimination
  that stops at the first row of one term) against the dense fraction-free Gauss-Jordan it
  replaced: the same verdict on every input.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest

import deterrence as dt
from deterrence.solvers import _pbe_multilinear, _pbe_pruning

#: a point of the Asymmetric Escalation Game's domain (float parameters: 17-digit payoffs)
_POINT = {"p_challenger_hard": 0.4254492378792118, "p_defender_hh": 0.06964070885505419,
          "p_defender_hs": 0.22398835252992433, "p_defender_sh": 0.09461037970363823,
          "c_all_out_soft": -0.13498202657906377, "c_defender_escalates": 2.4414389951585944,
          "c_all_out_hard": 3.0419802628186456, "c_limited_conflict": 7.340153272556185,
          "c_challenger_escalates": 7.744337123862213, "c_status_quo": 9.038826043151003,
          "c_defender_concedes": 10.583364504519015}


# ------------------------------------------------------------------ the old implementations
def _old_no_interior_root(polys: Sequence[dict[tuple[int, ...], int]]) -> bool:
    """``_pbe_pruning.no_interior_root`` as it was: dense fraction-free Gauss-Jordan."""
    if not polys:
        return False
    monos = sorted({m for p in polys for m in p})
    rows = [[p.get(m, 0) for m in monos] for p in polys]
    pivot_row = 0
    for col in range(len(monos)):
        piv = next((r for r in range(pivot_row, len(rows)) if rows[r][col] != 0), None)
        if piv is None:
            continue
        rows[pivot_row], rows[piv] = rows[piv], rows[pivot_row]
        prow = rows[pivot_row]
        lead = prow[col]
        for r in range(len(rows)):
            f = rows[r][col]
            if r != pivot_row and f != 0:
                new = [lead * x - f * y for x, y in zip(rows[r], prow, strict=True)]
                g = math.gcd(*new)
                rows[r] = [x // g for x in new] if g > 1 else new
        pivot_row += 1
        if pivot_row == len(rows):
            break
    for row in rows:
        nz = [x for x in row if x != 0]
        if nz and (all(x > 0 for x in nz) or all(x < 0 for x in nz)):
            return True
    return False


# ------------------------------------------------------------------ inputs
def _random_system(rng: np.random.Generator) -> list[dict[tuple[int, ...], int]]:
    """A random sparse multilinear system: few unknowns, rows of one to six terms with small or
    50-digit coefficients, some rows combinations of others (rank-deficient systems), some empty."""
    nv = int(rng.integers(1, 6))
    monos = sorted({tuple(int(b) for b in rng.integers(0, 2, nv)) for _ in range(int(rng.integers(1, 10)))})
    big = 10 ** int(rng.choice([0, 0, 20, 50]))
    rows: list[dict[tuple[int, ...], int]] = []
    for _ in range(int(rng.integers(1, 8))):
        kind = rng.integers(6)
        if kind == 0 and rows:  # a combination of earlier rows
            out: dict[tuple[int, ...], int] = {}
            for _ in range(2):
                row, f = rows[int(rng.integers(len(rows)))], int(rng.integers(-3, 4))
                for m, c in row.items():
                    out[m] = out.get(m, 0) + f * c
            rows.append({m: c for m, c in out.items() if c})
        elif kind == 1:
            rows.append({})
        else:
            terms = rng.choice(len(monos), size=int(rng.integers(1, min(6, len(monos)) + 1)), replace=False)
            row = {monos[int(t)]: int(rng.integers(-4, 5)) * big + int(rng.integers(-2, 3)) for t in terms}
            rows.append({m: c for m, c in row.items() if c})
    return rows


def _recorded(monkeypatch: pytest.MonkeyPatch, policy: str) -> list[list[dict[tuple[int, ...], int]]]:
    """The systems the exact row reduction gets in a solve of the AEG at :data:`_POINT`."""
    seen: list[list[dict[tuple[int, ...], int]]] = []
    screen = _pbe_multilinear.no_interior_root

    def record(polys: list[dict[tuple[int, ...], int]]) -> bool:
        seen.append([dict(p) for p in polys])
        return screen(polys)

    monkeypatch.setattr(_pbe_multilinear, "no_interior_root", record)
    dt.solve(dt.load_model("asymmetric_escalation").game(_POINT), "pbe", belief_policy=policy)
    monkeypatch.undo()
    return seen


# ------------------------------------------------------------------ the row reduction
def test_row_reduction_gives_the_old_verdict_on_random_systems():
    rng = np.random.default_rng(5)
    verdicts = []
    for _ in range(4000):
        polys = _random_system(rng)
        new = _pbe_pruning.no_interior_root(polys)
        assert new == _old_no_interior_root(polys), polys
        verdicts.append(new)
    assert 0.1 < np.mean(verdicts) < 0.9  # both verdicts well represented


@pytest.mark.parametrize("policy", ["free", "d1"])
def test_row_reduction_gives_the_old_verdict_on_recorded_systems(monkeypatch, policy):
    systems = _recorded(monkeypatch, policy)
    verdicts = [_pbe_pruning.no_interior_root(polys) for polys in systems]
    assert verdicts == [_old_no_interior_root(polys) for polys in systems]
    assert len(systems) > 100 and 0 < sum(verdicts) < len(verdicts)
