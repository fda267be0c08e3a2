"""The systems the PBE solver hands its exact stage, recorded from real solves (test inputs)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pytest

import deterrence as dt
from deterrence.solvers import _pbe_multilinear, _pbe_unbalanced, pbe
from deterrence.solvers._pbe_typed_float import FloatDecided


def generic_route_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch off the linear route of two-player type games (``pbe.typed_roots``, and the float
    route that decides balanced patterns before the screens, :func:`float_route_off`) and the stop
    of their unbalanced patterns at the first continuum (``_pbe_unbalanced``), so that every system
    the screens keep reaches the exact stage (``_solved_exactly``) as it did before them: what the
    tests of that stage record from real solves."""
    monkeypatch.setattr(pbe, "typed_roots", lambda *args: None)
    monkeypatch.setattr(_pbe_unbalanced, "STOP_AT_FIRST_CONTINUUM", False)
    float_route_off(monkeypatch)


def float_route_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch off the float route of the balanced patterns of two-player type games
    (``pbe.float_decided``): every admitted pattern goes the generic way."""
    def undecided(ctx, pruner, patterns, admitted, max_mixed):
        return FloatDecided(np.zeros(len(admitted), dtype=np.bool_))
    monkeypatch.setattr(pbe, "float_decided", undecided)


def recorded_exact_systems(monkeypatch: pytest.MonkeyPatch, games: Iterable[Any], policy: str) -> list[tuple]:
    """The arguments of ``_solved_exactly`` (pattern, mixed sets, combinations, integer
    polynomials, names) in PBE solves of ``games`` under ``policy``, in the order they came (the
    linear route switched off, :func:`generic_route_only`)."""
    seen: list[tuple] = []
    solve = _pbe_multilinear._solved_exactly

    def record(ctx, pattern, mixed, combos, int_polys, names):
        seen.append((pattern, list(mixed), list(combos), [dict(p) for p in int_polys], names))
        return solve(ctx, pattern, mixed, combos, int_polys, names)

    monkeypatch.setattr(_pbe_multilinear, "_solved_exactly", record)
    generic_route_only(monkeypatch)
    for game in games:
        dt.solve(game, "pbe", belief_policy=policy)
    monkeypatch.undo()
    return seen
