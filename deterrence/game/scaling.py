"""Payoffs put on a common scale: each player's payoffs shifted and divided by a power of two.

Equilibria (Nash, subgame-perfect, perfect Bayesian) do not change when a player's payoffs are
mapped by a positive affine map ``u -> (u - shift) / unit``, but floating-point arithmetic
does: a game whose payoffs are all about ``1e-12``, or all near ``1e12``, or spread up to
``1.7e308``, loses its equilibria in absolute tolerances, cancellation or overflow. Here each
player's payoffs are mapped into ``[-8, 8]``: ``shift`` is the midpoint of the player's payoffs
when they lie far from 0 next to their spread (a whole number when they are whole numbers),
else 0; ``unit`` is the power of two at most half their range and more than a quarter of it.
Both steps are exact in floating point (no payoff is rounded) and never overflow.

:func:`deterrence.solve` solves a badly scaled game on this scale (:func:`well_scaled`,
:func:`rescaled`) and certifies the result on the game as given; the certificates compute
regrets on this scale too (:func:`player_scale`), so their arithmetic stays finite.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from .._jit import njit
from ..equilibrium import instance
from .extensive import ExtensiveFormGame
from .normal import NormalFormGame

#: a game is solved as given when every player's payoffs lie within this factor of 1 in scale
#: (half their range) and their midpoint within this many ranges of 0
WELL_SCALED = 2.0**20
#: the smallest unit of a player whose payoffs are solved as given (:func:`solved_as_given`): the
#: unit of payoffs spanning 1 (:func:`player_scale` takes it in ``(range / 4, range / 2]``)
AS_GIVEN_UNIT = 0.5
#: the smallest positive float (a subnormal), the smallest unit of a scale
_SMALLEST = math.ldexp(1.0, -1074)
#: the attribute of a game that keeps its scales (:func:`payoff_scales`)
_KEPT = "_payoff_scales"


@dataclass(frozen=True)
class PlayerScale:
    """``u -> (u - shift) / unit`` maps one player's payoffs into ``[-8, 8]``.

    ``unit`` is a power of two (1 when all the player's payoffs are equal); ``shift`` an ``int``
    when the payoffs are whole numbers.
    """

    shift: int | float
    unit: float

    def apply(self, values: np.ndarray) -> np.ndarray:
        """The values on this scale (floats)."""
        return (np.asarray(values, dtype=float) - self.shift) / self.unit

    def apply_exact(self, value: Any) -> Any:
        """One value on this scale, exactly for ints and Fractions."""
        if isinstance(value, (int, Fraction, np.integer)) and not isinstance(value, bool):
            return (
                Fraction(int(value) if isinstance(value, np.integer) else value) - Fraction(self.shift)
            ) / (Fraction(self.unit))
        return (float(value) - self.shift) / self.unit


def player_scale(values: np.ndarray, bounds: tuple[float, float] | None = None) -> PlayerScale:
    """The scale of one player's payoffs (finite numbers; at least one); ``bounds``: their smallest
    and largest, if already known."""
    v = np.asarray(values, dtype=float)
    lo, hi = _bounds(v.reshape(-1)) if bounds is None else bounds
    mid = lo / 2 + hi / 2  # does not overflow
    # the spread itself where it is finite: halving each end first would round subnormal
    # payoffs (``hi / 2 - lo / 2`` is 0 for payoffs of +-5e-324, as if they were all equal)
    spread = hi - lo
    half = spread / 2 if math.isfinite(spread) else hi / 2 - lo / 2
    # shift only payoffs far from 0 next to their spread: then every payoff is within a factor 2
    # of the midpoint and the subtraction is exact (Sterbenz); near 0 a shift would only lose
    # the precision of the small payoffs
    shift: int | float = 0
    if abs(mid) >= 3 * half:
        shift = round(mid) if np.all(v == np.round(v)) and abs(mid) < 2.0**53 else mid
    # the power of two with half / unit in [1, 2): 2**1023 at most, and dividing by it is exact;
    # at least the smallest subnormal 2**-1074 (half / unit is then 0.5 for a spread of 2**-1074)
    if spread == 0:
        unit = 1.0
    elif math.isfinite(spread):
        unit = max(math.ldexp(1.0, math.frexp(spread)[1] - 2), _SMALLEST)
    else:
        unit = math.ldexp(1.0, math.frexp(half)[1] - 1)
    return instance(PlayerScale, {"shift": shift, "unit": unit})  # without the frozen dataclass's setattr


@njit
def _bounds_of_two(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float, float]:
    """:func:`_bounds` of two 1-d arrays in one compiled call (a two-player game's payoffs)."""
    lo_a, hi_a = _bounds(a)
    lo_b, hi_b = _bounds(b)
    return lo_a, hi_a, lo_b, hi_b


@njit
def _bounds(v: np.ndarray) -> tuple[float, float]:
    """The smallest and the largest entry of the 1-d array ``v`` (at least one entry), in one pass."""
    lo = hi = v[0]
    for x in v:
        lo, hi = min(lo, x), max(hi, x)
    return float(lo), float(hi)


def payoff_scales(game: NormalFormGame | ExtensiveFormGame) -> tuple[PlayerScale, ...]:
    """Every player's :class:`PlayerScale` (a player of a tree without terminals: the identity).

    Kept on the game object (its payoffs are read-only arrays; :func:`rescaled` makes a new game).
    """
    scales = game.__dict__.get(_KEPT)
    if scales is None:
        if isinstance(game, NormalFormGame) and len(game.payoffs) == 2:
            a, b = game.payoffs
            lo_a, hi_a, lo_b, hi_b = _bounds_of_two(a.reshape(-1), b.reshape(-1))
            scales = (player_scale(a, (lo_a, hi_a)), player_scale(b, (lo_b, hi_b)))
        elif isinstance(game, NormalFormGame):
            scales = tuple([player_scale(a) for a in game.payoffs])
        elif not len(game.payoffs):
            scales = tuple(PlayerScale(0, 1.0) for _ in game.players)
        else:
            scales = tuple(player_scale(game.payoffs[:, i]) for i in range(game.num_players))
        game.__dict__[_KEPT] = scales
    return scales


def solver_units(pay: np.ndarray) -> np.ndarray:
    """Per point and player, the unit of the payoffs on which the per-point solver compares
    payoff differences with its tolerance: 1 where the point's game is :func:`solved_as_given`,
    else the player's unit on the common scale (:func:`with_common_unit` of the players'
    :class:`PlayerScale`: the game is solved :func:`rescaled`), as :func:`on_common_scale`
    decides at that point.

    :func:`player_scale`, :func:`solved_as_given` and :func:`with_common_unit` vectorised over
    points, for the compiled kernels (:mod:`deterrence.kernels`), which must decide ties on the
    same scale as the per-point solver.

    Parameters
    ----------
    pay
        Payoffs ``(points, terminals, players)``: every terminal of the game at each point. A
        point with a payoff that is not finite gets units of 1 (the kernels leave it undecided).

    Returns
    -------
    np.ndarray
        ``(points, players)``: powers of two (1 where the game is well scaled).
    """
    pay = np.asarray(pay, dtype=float)
    if pay.shape[1] == 0:
        return np.ones((pay.shape[0], pay.shape[2]))
    with np.errstate(invalid="ignore", over="ignore"):
        lo, hi = pay.min(axis=1), pay.max(axis=1)
        finite = np.isfinite(lo) & np.isfinite(hi)
        lo, hi = np.where(finite, lo, 0.0), np.where(finite, hi, 0.0)
        mid, spread = lo / 2 + hi / 2, hi - lo
        half = np.where(np.isfinite(spread), spread / 2, hi / 2 - lo / 2)
    # the unit: as player_scale (1 for equal payoffs; from the spread, or half of it on overflow)
    wide = ~np.isfinite(spread)
    exponent = np.where(wide, np.frexp(half)[1] - 1, np.frexp(np.where(wide, 1.0, spread))[1] - 2)
    unit = np.maximum(np.ldexp(1.0, exponent), _SMALLEST)
    unit = np.where((spread == 0) | ~finite, 1.0, unit)
    # the shift: 0 near 0, else the midpoint (rounded to a whole number for whole-number payoffs:
    # whether they are is looked at only where rounding changes the verdict, which is rare)
    with np.errstate(over="ignore"):  # 3 * half, WELL_SCALED * unit may overflow to inf (as floats)
        shifted, room = np.abs(mid) >= 3 * half, WELL_SCALED * unit
        fine = (AS_GIVEN_UNIT <= unit) & (unit <= WELL_SCALED)  # as solved_as_given
        as_is = np.where(shifted, np.abs(mid), 0.0)
        near = as_is <= room
        rounded = np.where(shifted & (np.abs(mid) < 2.0**53), np.abs(np.round(mid)), as_is) <= room
    for p, i in zip(*np.nonzero(near != rounded), strict=True):
        near[p, i] = rounded[p, i] if np.all(pay[p, :, i] == np.round(pay[p, :, i])) else near[p, i]
    fine &= near
    # a common unit per point where the units are close enough (as with_common_unit)
    if unit.shape[1]:
        smallest = unit.min(axis=1, keepdims=True)
        with np.errstate(over="ignore"):
            unit = np.where(unit.max(axis=1, keepdims=True) <= WELL_SCALED * smallest, smallest, unit)
    return np.where(np.all(fine, axis=1)[:, None], 1.0, unit)


def well_scaled(scales: Sequence[PlayerScale]) -> bool:
    """Whether floating-point arithmetic is safe on payoffs of these scales as given (units near 1,
    midpoints near 0): no overflow, cancellation or loss to absolute tolerances of ``1e-8``."""
    for s in scales:
        if not (1 / WELL_SCALED <= s.unit <= WELL_SCALED and abs(s.shift) <= WELL_SCALED * s.unit):
            return False
    return True


def solved_as_given(scales: Sequence[PlayerScale]) -> bool:
    """Whether the per-point solver solves a game of these scales as given, else rescaled
    (:func:`rescaled`; :func:`on_common_scale`).

    The solver compares payoff differences with ``tol`` in absolute terms on the game it sees,
    while a certificate (:mod:`deterrence.certificates`) passes a regret up to ``tol`` times the
    player's payoff range. A game is solved as given only if it is :func:`well_scaled` and no
    player's payoffs span less than 1 (a unit of at least :data:`AS_GIVEN_UNIT`): on the game
    seen, then, ``tol`` is at most ``tol`` times every player's range, as on a rescaled game,
    where a player's range is between 2 and 4 units. So the solver never keeps a tie that the
    certificate rejects (brinkmanship with payoffs times ``1e-6``: a gain of ``1.5e-9`` against
    a range of ``3.5e-5`` was a tie to the solver, a loss of ``4e-5`` of the range to the
    certificate), and a game's payoffs times ``k > 0`` are decided alike for every ``k`` that
    keeps them spanning less than 1 (the same rescaled game up to a factor of 2)."""
    return well_scaled(scales) and all(s.unit >= AS_GIVEN_UNIT for s in scales)


def on_common_scale(game: Any, concept: str) -> Any:
    """The game the per-point solver searches: the game itself when it is
    :func:`solved_as_given`, else each player's payoffs mapped into [-8, 8] (:func:`rescaled`;
    equilibria do not change), so that ``tol`` on it is within ``tol`` of every player's range.

    :func:`deterrence.solve` searches the game on it. Not for QRE, whose precision ``lam`` is in
    the payoffs' units, nor for other games (the aggregated games of model families keep their
    own parameters). Candidates are certified, and their payoffs reported, on the game as given.
    """
    if concept == "qre" or not isinstance(game, (NormalFormGame, ExtensiveFormGame)):
        return game
    scales = payoff_scales(game)
    return game if solved_as_given(scales) else rescaled(game, with_common_unit(scales))


def with_common_unit(scales: Sequence[PlayerScale]) -> tuple[PlayerScale, ...]:
    """The scales with every player's unit the smallest of them (the shifts kept), unless the
    units are more than :data:`WELL_SCALED` apart (then as they are: a common unit could
    overflow the payoffs of the player with the largest).

    A common unit keeps the players' payoffs in proportion, as a map of all payoffs by one
    positive constant does: so a solver whose answer depends on how the players' payoffs compare
    (the logit homotopy traces one precision for all players) finds on the rescaled game what
    it finds on the game as given, and ``tol`` in this unit is within ``tol`` of every range.
    """
    units = [s.unit for s in scales]
    common = min(units, default=1.0)
    if not scales or max(units) > WELL_SCALED * common:
        return tuple(scales)
    return tuple(instance(PlayerScale, {"shift": s.shift, "unit": common}) for s in scales)


def rescaled(
    game: NormalFormGame | ExtensiveFormGame, scales: Sequence[PlayerScale]
) -> NormalFormGame | ExtensiveFormGame:
    """The same game with each player's payoffs on its scale (players, strategies, labels kept)."""
    if isinstance(game, NormalFormGame):
        return NormalFormGame(
            [s.apply(a) for s, a in zip(scales, game.payoffs, strict=True)],
            players=game.players,
            strategies=game.strategies,
            title=game.title,
            outcomes=game.outcomes,
        )
    # the tree's tables are shared; what holds payoffs (the builder nodes, the scales of the game
    # as given) is built afresh from the new ones; the sequence form's parts hold the tree and
    # Nature's probabilities only (the same), and are shared too
    values = [tuple(s.apply_exact(v) for s, v in zip(scales, row, strict=True)) for row in game.payoff_values]
    out = game.with_numbers(values, [c.probs for c in game.chance_infos])
    out._sequence_form = game._sequence_form
    return out


__all__ = [
    "AS_GIVEN_UNIT", "WELL_SCALED", "PlayerScale", "on_common_scale", "payoff_scales", "player_scale",
    "rescaled", "solved_as_given", "solver_units", "well_scaled", "with_common_unit",
]
