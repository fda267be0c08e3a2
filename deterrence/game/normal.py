"""N-player normal-form (strategic-form) games with named players and strategies."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np

from ..errors import GameError, ResourceError

Profile = Sequence[np.ndarray]
"""A mixed profile: one probability vector per player."""

#: the most players of a normal-form game (each player is an array dimension; numpy allows 64)
MAX_PLAYERS = 32


@cache
def _numbered(count: int, prefix: str) -> tuple[str, ...]:
    return tuple(f"{prefix}{k + 1}" for k in range(count))


@cache
def _numbered_strategies(shape: tuple[int, ...]) -> tuple[tuple[str, ...], ...]:
    """The default strategy names of every player of a game of this shape."""
    return tuple(_numbered(n, "") for n in shape)


def _names(given: Sequence[Any] | None, count: int, prefix: str, what: str) -> tuple[str, ...]:
    if given is None:
        return _numbered(count, prefix)
    names = tuple(str(x) for x in given)
    if len(names) != count:
        raise GameError(f"{what}: expected {count} names, got {len(names)}")
    if len(set(names)) != len(names):
        raise GameError(f"{what}: names must be distinct, got {list(names)}")
    return names


def _as_array(i: int, payoffs: Any) -> np.ndarray:
    """Player ``i``'s payoffs as an array (GameError if they are not rectangular or are complex)."""
    if isinstance(payoffs, np.ndarray) and payoffs.dtype.kind in "iuf":
        return payoffs
    try:
        a = np.asarray(payoffs)
    except (ValueError, TypeError) as exc:
        raise GameError(f"payoffs of player {i + 1} are not a rectangular array: {exc}") from None
    if np.iscomplexobj(a):
        raise GameError(f"payoffs of player {i + 1} are complex numbers; payoffs must be real")
    return a


def _exact_array(a: np.ndarray) -> np.ndarray | None:
    """Payoffs given exactly (integers, or Python ints and Fractions), as given; else ``None``."""
    if a.dtype.kind in "iu":
        return a
    if a.dtype.kind == "O" and all(
        isinstance(v, (int, Fraction, np.integer)) and not isinstance(v, bool) for v in a.flat
    ):
        return a
    return None


def _whole(exact: np.ndarray | None) -> bool:
    """Whether payoffs given exactly (:func:`_exact_array`) are all integers."""
    return exact is not None and (
        exact.dtype.kind in "iu" or all(isinstance(v, (int, np.integer)) for v in exact.flat))


def _as_floats(i: int, a: np.ndarray) -> np.ndarray:
    """Player ``i``'s payoffs as contiguous finite floats (GameError if not numbers or not finite)."""
    kind, given = a.dtype.kind, a
    if kind == "O":
        try:
            a = a.astype(float)
        except OverflowError:
            raise GameError(f"payoffs of player {i + 1} hold a number beyond the float range") from None
        except (TypeError, ValueError) as exc:
            raise GameError(f"payoffs of player {i + 1} are not numbers: {exc}") from None
    elif kind not in "iuf" and not np.issubdtype(a.dtype, np.number):
        raise GameError(f"payoffs of player {i + 1} are not numbers (dtype {a.dtype})")
    out = np.ascontiguousarray(a, dtype=float)
    if kind not in "iu" and not np.isfinite(out).all():  # (integers convert to finite floats)
        bad = np.argwhere(~np.isfinite(out))[0]
        raise GameError(f"payoff of player {i + 1} at profile {tuple(int(x) for x in bad)} is not finite")
    _check_distinct_floats(i, given, out)
    return out


def _check_distinct_floats(i: int, given: np.ndarray, floats: np.ndarray) -> None:
    """Refuse payoffs that differ but round to the same float (e.g. the integers ``2**70`` and
    ``2**70 + 1``): the solvers work on the floats, and a game whose payoffs tie there is another
    game (matching pennies would get four pure equilibria). Only integers beyond ``2**53`` and
    numbers given as objects (Python ints, ``Fraction``, ``Decimal``) can round so; floats are
    the floats solved.

    Raises
    ------
    GameError
        Naming two such payoffs and what to do.
    """
    kind = given.dtype.kind
    if kind not in "iuO":
        return
    if kind in "iu" and (given.size == 0 or max(abs(int(given.min())), abs(int(given.max()))) <= 2**53):
        return
    exact = given.reshape(-1).tolist()
    if len(set(exact)) == len(set(floats.reshape(-1).tolist())):
        return
    first: dict[float, Any] = {}
    for x, f in zip(exact, floats.reshape(-1).tolist(), strict=True):
        if f in first and first[f] != x:
            raise GameError(
                f"payoffs of player {i + 1} hold {first[f]} and {x}, which differ but are the same "
                "float number: the solvers work in floats (about 16 significant digits), where they "
                "would tie; subtract a common constant or rescale the payoffs"
            )
        first.setdefault(f, x)


class NormalFormGame:
    """An N-player game in normal form.

    Parameters
    ----------
    payoffs
        One array per player, each of shape ``(n_1, ..., n_N)``: ``payoffs[i][s]`` is
        player ``i``'s payoff at pure profile ``s``. A single array of shape
        ``(N, n_1, ..., n_N)`` is accepted too.
    players
        Player names (default ``"1"``, ``"2"``, ...).
    strategies
        Strategy names per player (default ``"1"``, ``"2"``, ...).
    title
        A human-readable title.
    outcomes
        Optional outcome labels: label -> array of shape ``(n_1, ..., n_N)`` giving the
        probability of that label at each pure profile (reduced normal forms of
        extensive games carry these).

    Examples
    --------
    >>> import numpy as np
    >>> g = NormalFormGame([np.array([[3, 0], [5, 1]]), np.array([[3, 5], [0, 1]])],
    ...                    players=["Row", "Col"], strategies=[["C", "D"], ["C", "D"]])
    >>> g.shape
    (2, 2)
    >>> g.expected_payoffs([np.array([0, 1.0]), np.array([0, 1.0])]).tolist()
    [1.0, 1.0]
    """

    kind = "normal"

    def __init__(
        self,
        payoffs: Sequence[Any] | np.ndarray,
        players: Sequence[str] | None = None,
        strategies: Sequence[Sequence[str]] | None = None,
        title: str = "",
        outcomes: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        try:
            raw = list(payoffs)
        except TypeError:
            raise GameError(f"payoffs must be one array per player, got {payoffs!r}") from None
        if len(raw) > MAX_PLAYERS:
            raise ResourceError(
                f"a normal-form game of {len(raw)} players is too large (at most {MAX_PLAYERS}: each "
                "player is a dimension of the payoff arrays)",
                estimate=len(raw),
            )
        arrays = [_as_array(i, p) for i, p in enumerate(raw)]
        if not arrays:
            raise GameError("a normal-form game needs at least one player")
        shape = arrays[0].shape
        if len(arrays) != len(shape):
            raise GameError(
                f"{len(arrays)} payoff arrays given but each has {len(shape)} dimensions; "
                "a game of N players needs N arrays of N dimensions"
            )
        for i, a in enumerate(arrays):
            if a.shape != shape:
                raise GameError(f"payoff array of player {i + 1} has shape {a.shape}, expected {shape}")
        floats = [_as_floats(i, a) for i, a in enumerate(arrays)]
        if min(shape, default=1) < 1:
            raise GameError(f"every player needs at least one strategy, shape is {shape}")
        self._exact = [_exact_array(a) for a in arrays]
        self.payoffs: tuple[np.ndarray, ...] = tuple(floats)
        for a in self.payoffs:
            a.setflags(write=False)
        self.players: tuple[str, ...] = _names(players, len(shape), "", "players")
        if strategies is None:
            self.strategies: tuple[tuple[str, ...], ...] = _numbered_strategies(shape)
        else:
            if len(strategies) != len(shape):
                raise GameError(f"strategy names given for {len(strategies)} players, game has {len(shape)}")
            self.strategies = tuple(
                _names(s, n, "", f"strategies of player {self.players[i]}")
                for i, (s, n) in enumerate(zip(strategies, shape, strict=True))
            )
        self.title = title
        self.outcomes: dict[str, np.ndarray] = {}
        for label, arr in (outcomes or {}).items():
            arr = np.asarray(arr, dtype=float)
            if arr.shape != shape:
                raise GameError(f"outcome array '{label}' has shape {arr.shape}, expected {shape}")
            self.outcomes[label] = arr

    # ------------------------------------------------------------------ basic facts
    @property
    def num_players(self) -> int:
        """Number of players."""
        return len(self.payoffs)

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of pure strategies per player."""
        return self.payoffs[0].shape

    def payoff_ranges(self) -> tuple[float, ...]:
        """Each player's payoff range (largest minus smallest payoff), computed once."""
        ranges = self.__dict__.get("_ranges")
        if ranges is None:
            ranges = self._ranges = tuple(float(a.max() - a.min()) for a in self.payoffs)
        return ranges

    def payoff_tensor(self) -> np.ndarray:
        """All payoffs as one array of shape ``(N, n_1, ..., n_N)``."""
        return np.stack(self.payoffs)

    def integer_payoffs(self) -> tuple[np.ndarray, ...] | None:
        """The payoffs as integer arrays if they were given as integers, else ``None``."""
        if all(_whole(e) for e in self._exact):
            return tuple(self._exact)  # type: ignore[arg-type]
        if all(np.array_equal(a, np.round(a)) and np.all(np.abs(a) < 2**52) for a in self.payoffs):
            return tuple(a.astype(np.int64) for a in self.payoffs)
        return None

    def rational_payoffs(self) -> tuple[np.ndarray, ...]:
        """The payoffs as exact numbers (object arrays of ``int`` and ``Fraction``): as given when
        given as integers or fractions (or known exactly elsewhere: :meth:`_defer_exact`), else the
        floats as the rationals they are. The game that ``exact=True`` solves and certifies."""
        out = []
        for given, floats in zip(self._given_exact(), self.payoffs, strict=True):
            if given is None:
                exact = [Fraction(v) for v in floats.ravel().tolist()]
                given = np.array(exact, dtype=object).reshape(floats.shape)
            out.append(given.astype(object))
        return tuple(out)

    def _defer_exact(self, compute: Callable[[], list[np.ndarray]]) -> None:
        """Payoffs known exactly elsewhere: ``compute()`` returns them (one object array of exact
        numbers per player, the shape of the floats) when :meth:`rational_payoffs` first asks.

        For games derived from another (a reduced normal form from its tree,
        :func:`deterrence.game.convert.reduced_normal_form`), whose floats are rounded sums: two
        profiles that pay exactly the same may differ in the last bit, and an exact solve of the
        floats as given would take the tie for a strict preference.
        """
        self._exact_later = compute

    def _given_exact(self) -> list[np.ndarray | None]:
        """The payoffs given exactly (:func:`_exact_array`; ``None`` for a player given as floats),
        computed now if they were deferred (:meth:`_defer_exact`)."""
        compute = self.__dict__.get("_exact_later")
        if compute is not None:
            self._exact = compute()
            self.__dict__.pop("_exact_later", None)
        return self._exact

    def __repr__(self) -> str:
        dims = "x".join(str(n) for n in self.shape)
        title = f" {self.title!r}" if self.title else ""
        return f"<NormalFormGame{title} {self.num_players} players, {dims}>"

    # ------------------------------------------------------------------ profiles
    def check_profile(self, profile: Sequence[Any], atol: float = 1e-9) -> list[np.ndarray]:
        """Validate a mixed profile and return it as float arrays.

        Raises
        ------
        GameError
            If the profile has the wrong number of players or lengths, negative
            entries, or rows that do not sum to one.
        """
        if not isinstance(profile, Sequence | np.ndarray) or isinstance(profile, str):
            raise GameError(f"a profile is one mixed strategy per player, got {type(profile).__name__}")
        if len(profile) != self.num_players:
            raise GameError(f"profile has {len(profile)} strategies, game has {self.num_players} players")
        out = []
        for i, (p, n) in enumerate(zip(profile, self.shape, strict=True)):
            try:
                v = np.asarray(p, dtype=float).reshape(-1)
            except (TypeError, ValueError):
                raise GameError(f"strategy of player {self.players[i]} is not numbers: {p!r}") from None
            if v.shape != (n,):
                raise GameError(f"strategy of player {self.players[i]} has {v.size} entries, expected {n}")
            if not np.all(np.isfinite(v)) or np.any(v < -atol) or abs(v.sum() - 1) > max(atol, 1e-6):
                raise GameError(f"strategy of player {self.players[i]} is not a probability vector: {v}")
            out.append(v)
        return out

    def pure_profile(self, indices: Sequence[int]) -> list[np.ndarray]:
        """The mixed profile that plays pure strategy ``indices[i]`` for each player ``i``."""
        return [np.eye(n)[k] for n, k in zip(self.shape, indices, strict=True)]

    def deviation_payoffs(self, profile: Profile, player: int) -> np.ndarray:
        """Payoff to ``player`` of each of its pure strategies against the others' mix."""
        a = self.payoffs[player]
        a = np.moveaxis(a, player, 0)
        others = [p for j, p in enumerate(profile) if j != player]
        for p in reversed(others):
            a = a @ np.asarray(p, dtype=float)
        return np.asarray(a, dtype=float)

    def expected_payoffs(self, profile: Profile) -> np.ndarray:
        """Expected payoff of every player under a mixed profile."""
        return np.array(
            [float(self.deviation_payoffs(profile, i) @ profile[i]) for i in range(self.num_players)]
        )

    def regrets(self, profile: Profile) -> np.ndarray:
        """Largest gain from a unilateral pure deviation, per player (>= 0 up to rounding)."""
        out = []
        for i in range(self.num_players):
            dev = self.deviation_payoffs(profile, i)
            out.append(float(dev.max() - dev @ profile[i]))
        return np.array(out)

    def outcome_probabilities(self, profile: Profile) -> dict[str, float]:
        """Probability of each outcome label under a mixed profile (empty if none set)."""
        result = {}
        for label, arr in self.outcomes.items():
            a = arr
            for p in reversed(profile):
                a = a @ np.asarray(p, dtype=float)
            result[label] = float(a)
        return result

    def labelled(self, profile: Profile) -> dict[str, dict[str, float]]:
        """A profile as ``{player: {strategy: probability}}``."""
        return {
            pl: {s: float(x) for s, x in zip(names, p, strict=True)}
            for pl, names, p in zip(self.players, self.strategies, profile, strict=True)
        }

    # ------------------------------------------------------------------ transforms
    def permuted(
        self,
        player_order: Sequence[int] | None = None,
        strategy_orders: Sequence[Sequence[int]] | None = None,
    ) -> NormalFormGame:
        """The same game with players and/or strategies relabelled (reordered)."""
        n = self.num_players
        order = list(range(n)) if player_order is None else list(player_order)
        sorders = (
            [list(range(k)) for k in self.shape]
            if strategy_orders is None
            else [list(s) for s in strategy_orders]
        )
        arrays = []
        for i in order:
            a = self.payoffs[i]
            for ax, so in enumerate(sorders):
                a = np.take(a, so, axis=ax)
            arrays.append(np.transpose(a, order))
        strategies = [[self.strategies[ax][k] for k in sorders[ax]] for ax in range(n)]
        return NormalFormGame(
            arrays,
            players=[self.players[i] for i in order],
            strategies=[strategies[i] for i in order],
            title=self.title,
        )
