"""Symbolic trees and candidate structures: what a compiled kernel is built from.

A :class:`SymbolicTree` is a game tree whose payoffs and chance probabilities are sympy
expressions in named parameters (:func:`symbolic_tree` reads one off a
:class:`~deterrence.model.Model`); a :class:`Structure` is one candidate equilibrium structure
(pure actions, and the information sets that mix). Used by :mod:`deterrence.kernels` and
:mod:`deterrence.analysis`; re-exported by :mod:`deterrence.kernels`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from .._numbers import numpy_function
from ..errors import UnsupportedError
from ..game.extensive import ExtensiveFormGame


@dataclass(frozen=True)
class SymbolicTree:
    """A tree whose payoffs and chance probabilities are sympy expressions in named parameters.

    Attributes
    ----------
    structure
        The numeric game at some parameter values (only its shape is used).
    names
        Parameter names, in the order of ``symbols``.
    symbols
        The sympy symbols of the parameters.
    payoffs
        Per terminal row of ``structure.payoffs``: one expression per player.
    chance
        Per chance move of ``structure.chance_infos``: one expression per action.
    """

    structure: ExtensiveFormGame
    names: tuple[str, ...]
    symbols: tuple[sp.Symbol, ...]
    payoffs: tuple[tuple[sp.Expr, ...], ...]
    chance: tuple[tuple[sp.Expr, ...], ...]
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def _values(self, points: Mapping[str, np.ndarray]) -> tuple[int, list[Any]]:
        """The number of points and every payoff, then every chance probability, at the points
        (arrays, or numbers where an expression is constant)."""
        if "f" not in self._cache:
            flat_pay = [e for row in self.payoffs for e in row]
            flat_ch = [e for row in self.chance for e in row]
            self._cache["f"] = numpy_function(self.symbols, flat_pay + flat_ch)
        args = [np.asarray(points[name], dtype=float) for name in self.names]
        return (len(args[0]) if args else 1), self._cache["f"](*args)

    def numeric_columns(self, points: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Payoffs ``(Z * N, P)`` (row ``z * N + i``: player ``i`` at terminal row ``z``) and the
        probabilities of the chance edges ``(edges, P)`` (chance moves in order, their actions in
        order): one contiguous row per quantity, as the kernels' engine reads them."""
        npts, vals = self._values(points)
        n_pay = len(self.payoffs) * (len(self.payoffs[0]) if self.payoffs else 0)
        pay = np.empty((n_pay, npts))
        chance = np.empty((len(vals) - n_pay, npts))
        for k, v in enumerate(vals):
            (pay[k] if k < n_pay else chance[k - n_pay])[:] = v
        return pay, chance

    def numeric(self, points: Mapping[str, np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Payoffs ``(P, Z, N)`` and chance probabilities (list of ``(P, k)``) at the points."""
        npts, vals = self._values(points)
        cols = [np.broadcast_to(np.asarray(v, dtype=float), (npts,)) for v in vals]
        Z, N = len(self.payoffs), len(self.payoffs[0]) if self.payoffs else 0
        pay = np.stack(cols[: Z * N], axis=1).reshape(npts, Z, N) if Z * N else np.zeros((npts, Z, N))
        chance, k = [], Z * N
        for row in self.chance:
            chance.append(np.stack(cols[k : k + len(row)], axis=1))
            k += len(row)
        return pay, chance


@dataclass(frozen=True)
class Structure:
    """A candidate equilibrium structure: pure actions, and the information sets that mix.

    ``pure[h]`` is the action at information set ``h`` (``-1`` where it mixes); ``mixing``
    lists the mixing (binary, on-path) information sets.
    """

    pure: tuple[int, ...]
    mixing: tuple[int, ...] = ()


def symbolic_tree_from(
    game: ExtensiveFormGame,
    names: Sequence[str],
    symbols: Sequence[sp.Symbol],
    payoffs: Sequence[Sequence[sp.Expr]],
    chance: Sequence[Sequence[sp.Expr]],
) -> SymbolicTree:
    """Assemble a :class:`SymbolicTree` (checks the shapes against the game)."""
    if len(payoffs) != len(game.terminals) or any(len(r) != game.num_players for r in payoffs):
        raise UnsupportedError("symbolic payoffs do not match the tree's terminals and players")
    if len(chance) != len(game.chance_infos):
        raise UnsupportedError("symbolic chance probabilities do not match the tree's chance moves")
    return SymbolicTree(
        game, tuple(names), tuple(symbols), tuple(tuple(r) for r in payoffs), tuple(tuple(r) for r in chance)
    )


def _as_expr(value: Any) -> sp.Expr:
    """A model's (already parsed) expression or number as a sympy expression; text is refused."""
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, (int, Fraction)) and not isinstance(value, bool):
        return sp.Rational(value)
    if isinstance(value, float):
        return sp.Float(value)
    raise TypeError(f"expected a parsed expression or a number, got {type(value).__name__}")


def symbolic_tree(model: Any) -> SymbolicTree:
    """The :class:`SymbolicTree` of a :class:`~deterrence.Model` (payoffs and chance by node id)."""
    game = model.game(exact=False, check_orderings=False)
    pay = model.payoff_expressions(key="id")
    probs = model.probability_expressions(key="id")
    payoffs = []
    for v in game.terminals:
        row = pay[game.nodes[v].label]
        payoffs.append([_as_expr(row[p]) for p in game.players])
    chance = []
    for ci in game.chance_infos:
        row = probs[game.nodes[ci.nodes[0]].label]
        chance.append([_as_expr(row[a]) for a in ci.actions])
    names = list(model.parameters)
    return symbolic_tree_from(game, names, [model.symbols[n] for n in names], payoffs, chance)



__all__ = ["Structure", "SymbolicTree", "symbolic_tree", "symbolic_tree_from"]
