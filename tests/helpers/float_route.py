"""The float route of the balanced patterns (``_pbe_typed_float``) checked against the generic route,
pattern by pattern, inside real solves."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

import deterrence as dt
from deterrence.solvers import _pbe_multilinear, _pbe_typed_float, pbe


@dataclass
class Compared:
    """What :func:`compared_routes` saw: per solve, the numbers of patterns the float route looked at
    and decided (``looked``, ``decided``), how many of the decided have a root (``roots``), those whose
    root the generic route's vertex tests drop (a root that is no PBE, ``dropped``), and every
    disagreement (``bad``)."""

    looked: list[int] = field(default_factory=list)
    decided: list[int] = field(default_factory=list)
    roots: int = 0
    empty: int = 0
    dropped: int = 0
    bad: list[str] = field(default_factory=list)


def _balanced_reached(ctx: Any, pruner: Any, patterns: list, admitted: np.ndarray, max_mixed: int) -> int:
    """How many admitted patterns are balanced, mix at no more than ``max_mixed`` sets and at reached
    sets only (those the float route looks at)."""
    game = ctx.game
    ind = pruner.indicators(patterns)[admitted]
    reached = pruner.reached(ind) if len(admitted) else np.zeros((0, len(game.infosets)), dtype=bool)
    n = 0
    for row, i in enumerate(admitted.tolist()):
        pattern = patterns[i]
        mixed = [k for k, s in enumerate(pattern) if len(s) > 1]
        d = [0, 0]
        for k in mixed:
            d[game.infosets[k].player] += len(pattern[k]) - 1
        n += d[0] == d[1] > 0 and len(mixed) <= max_mixed and all(reached[row, k] for k in mixed)
    return n


def _check(ctx: Any, pruner: Any, patterns: list, index: int, mine: list | None, seen: Compared) -> None:
    """The generic route on one decided pattern (alone, no repeats kept): the same roots (``mine``:
    the float route's root, or ``None``) and no notes; a root of the float route that the generic
    route's vertex tests drop must be rejected by the assessment."""
    pattern = patterns[index]
    mixed = [k for k, s in enumerate(pattern) if len(s) > 1]
    on_path = pruner.reached(pruner.indicators(patterns)[[index]])[0]
    found = pbe._reached_specs(on_path, mixed)
    told, noted = len(ctx.continua), len(ctx.notes)
    generic = pbe._solve_mixed(ctx, pattern, mixed, None, found)
    if len(ctx.continua) != told or len(ctx.notes) != noted:
        seen.bad.append(f"notes on {pattern}: {ctx.continua[told:]} {ctx.notes[noted:]}")
    want = [] if mine is None else [mine]
    if len(generic) == len(want):
        for p, q in zip(generic, want, strict=True):
            if not all(np.allclose(a, b, rtol=0, atol=1e-9) for a, b in zip(p, q, strict=True)):
                seen.bad.append(f"roots differ on {pattern}: {p} vs {q}")
        seen.roots += bool(want)
        seen.empty += not want
        return
    live = pbe._live_options(ctx, pattern, mixed, on_path, {k: ("reach",) for k in mixed},
                             [[("reach",)]] * len(mixed), pbe._Vertices(ctx, pattern, mixed, None), {})
    if mine is not None and not generic and live is None and pbe._assess(ctx, mine) is None:
        seen.dropped += 1
        return
    seen.bad.append(f"{pattern}: generic {generic} vs float {want}")


def compared_routes(monkeypatch: pytest.MonkeyPatch, games: list, policies: tuple[str, ...]) -> Compared:
    """Solve ``games`` under ``policies``; every pattern the float route decides is solved again by the
    generic route alone (:func:`_check`)."""
    seen = Compared()
    monkeypatch.setattr(_pbe_multilinear, "REPEATS_KEPT", False)
    route = _pbe_typed_float.float_decided

    def spied(ctx, pruner, patterns, admitted, max_mixed):
        out = route(ctx, pruner, patterns, admitted, max_mixed)
        seen.looked.append(_balanced_reached(ctx, pruner, patterns, admitted, max_mixed))
        seen.decided.append(int(out.decided.sum()))
        roots = dict(out.found)
        for i in admitted[out.decided].tolist():
            _check(ctx, pruner, patterns, i, roots.get(i), seen)
        return out

    monkeypatch.setattr(pbe, "float_decided", spied)
    for game in games:
        for policy in policies:
            dt.solve(game, "pbe", belief_policy=policy)
    monkeypatch.undo()
    return seen
