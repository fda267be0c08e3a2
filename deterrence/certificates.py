"""Certificates: is a profile an equilibrium of the stated concept, and by how much?

This module is independent of every solver. It recomputes, from the game alone,

* the largest gain from a unilateral deviation (Nash regret) of a mixed or behaviour profile;
* the same in every subgame (subgame perfection);
* sequential rationality at every information set given stated beliefs, and the largest gap
  between those beliefs and Bayes' rule where the set is reached, or the belief put on nodes
  that Nature reaches with probability 0 when the set has others (perfect Bayesian: Nature's
  probabilities are fixed, so no consistent assessment weighs such nodes);
* the fixed-point residual of the logit response (quantal response);
* for repeated crises in compact form (:class:`~deterrence.game.reputation.ReputationGame`),
  the same perfect Bayesian conditions on the (stage, posterior) states of a Markov profile
  (:func:`certify_reputation`, defined in :mod:`deterrence._reputation_certificate`).

With ``exact=True`` the check runs in rational arithmetic (``fractions.Fraction``): float
profiles are rationalised (``limit_denominator``) unless the solver gave exact strategies, payoffs
(floats included) are taken exactly as the rationals they are, and the verdict is exact: a profile
passes only if it is an exact equilibrium, its regret (and, for PBE, its Bayes error) exactly 0.
``tol`` then allows no regret: it only bounds how far the given floats may be from probability
vectors, and a solver's exact strategies from the floats it reports. (A float certificate, and
:func:`certify_reputation` with ``tol > 0``, pass a regret up to ``tol`` of the payoff range.)
"""

from __future__ import annotations

import dataclasses
import functools
import math
import numbers
import weakref
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from ._certify_collective import certify_collective
from ._certify_collective import certify_collective_batch as certify_collective_batch  # re-exported
from ._jit import njit
from ._reputation_certificate import certify_reputation
from .equilibrium import Certificate, instance
from .errors import GameError, SolverError, UnsupportedError
from .game import ExtensiveFormGame, NormalFormGame
from .game._vectors import stacked
from .game.collective import CollectiveDefenceGame
from .game.extensive import CHANCE, DECISION, TERMINAL, _first_not_distribution, _reach
from .game.reputation import ReputationGame
from .game.scaling import payoff_scales, player_scale, well_scaled

_MAX_PURE_ENUMERATION = 1_000_000


# ----------------------------------------------------------------------------- helpers
def _rationalise(values: Sequence[Any], max_den: int = 10**9) -> list[Fraction]:
    fr = [Fraction(v).limit_denominator(max_den) if not isinstance(v, Fraction) else v for v in values]
    fr = [max(x, Fraction(0)) for x in fr]
    total = sum(fr)
    if total == 0:
        raise GameError("a strategy has no positive probability")
    return [x / total for x in fr]


def _exact_profile(exact: Sequence[Any], floats: Sequence[np.ndarray], atol: float) -> list[list[Fraction]]:
    """A solver's exact strategies, checked before they are certified in its place: each a
    probability vector of exact numbers summing to 1, no further than ``atol`` from the float
    strategy it stands for (the certificate must certify what is reported).

    Raises
    ------
    GameError
        Naming the strategy that is not such a vector.
    """
    if len(exact) != len(floats):
        raise GameError(f"{len(exact)} exact strategies given for {len(floats)} strategies")
    out = []
    for k, (given, approx) in enumerate(zip(exact, floats, strict=True)):
        try:
            row = [Fraction(x) for x in given]
        except (TypeError, ValueError) as exc:
            raise GameError(f"exact strategy {k + 1} is not a vector of numbers: {exc}") from None
        if (
            len(row) != len(approx)
            or any(x < 0 for x in row)
            or sum(row) != 1
            or max(abs(float(x) - a) for x, a in zip(row, approx, strict=True)) > max(atol, 1e-6)
        ):
            raise GameError(
                f"exact strategy {k + 1} is not an exact probability vector matching the strategy "
                f"{np.asarray(approx).tolist()}"
            )
        out.append(row)
    return out


def _exactly(value: Any) -> Any:
    """A payoff as an exact number: an ``int`` or ``Fraction`` as it is, a float as the rational it is."""
    if isinstance(value, (int, Fraction, np.integer)) and not isinstance(value, bool):
        return value
    return Fraction(float(value))


def _lam_per_player(lam: Any, n: int) -> list[float]:
    if lam is None:
        raise UnsupportedError("a QRE certificate needs the precision lam")
    try:
        lams = [float(lam)] * n if np.ndim(lam) == 0 else [float(x) for x in lam]
    except (TypeError, ValueError):
        raise GameError(f"the precision lam must be a number or one per player, got {lam!r}") from None
    if len(lams) != n:
        raise GameError(f"{len(lams)} precisions given for {n} players")
    return lams


def _check_arguments(concept: str, tol: Any, exact: Any) -> None:
    """``certify``'s own arguments: a known concept, a positive finite tolerance, a bool."""
    if concept not in ("nash", "spe", "pbe", "qre"):
        raise UnsupportedError(f"unknown concept '{concept}'; concepts are nash, spe, pbe, qre")
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not 0 < tol < math.inf:
        raise SolverError(f"tol must be a positive finite number, got {tol!r}")
    if not isinstance(exact, bool):
        raise SolverError(f"exact must be True or False, got {exact!r}")


def _worst(*values: float) -> float:
    """The largest value, or NaN if any is NaN (Python's ``max`` drops a NaN after the first
    argument, and a NaN in a certificate must fail it, not vanish)."""
    return math.nan if any(map(math.isnan, values)) else max(values)


def _gain(value: Any) -> float:
    """An exact (``Fraction``) or floating-point gain as a float; a positive exact gain stays
    positive (the smallest positive float when it is smaller), so that an exact certificate
    never reports a real gain as 0."""
    out = float(value)
    return out if out > 0 or not value > 0 else math.ulp(0.0)


def _relative(gains: np.ndarray, ranges: np.ndarray, exact: bool) -> np.ndarray:
    """``gains / ranges`` (on the players' scales); ``exact``: a positive gain never rounded to 0,
    since an exact certificate's gains are at least the smallest positive float (:func:`_gain`)
    and its verdict reads whether the relative regret is 0."""
    if not exact:
        return gains / ranges
    with np.errstate(under="ignore"):
        out = np.asarray(gains, dtype=float) / ranges
    return np.where((out == 0.0) & (np.asarray(gains) > 0.0), math.ulp(0.0), out)


def _softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max())
    return z / z.sum()


# ----------------------------------------------------------------------------- normal form
def _on_scale(arrays: Sequence[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Each player's payoffs on its scale (:func:`deterrence.game.scaling.player_scale`), the
    units back to the game's, and the ranges on the scale (1 where a player's payoffs are all
    equal): regrets are computed on the scale, where the arithmetic cannot overflow or cancel,
    and reported relative to the range (the certificate's tolerance) and in the game's units."""
    scales = [player_scale(a) for a in arrays]
    scaled = [sc.apply(a) for sc, a in zip(scales, arrays, strict=True)]
    ranges = np.array([float(a.max() - a.min()) for a in scaled])
    return scaled, np.array([sc.unit for sc in scales]), np.where(ranges > 0, ranges, 1.0)


def _in_units(regrets: Any, units: np.ndarray) -> float:
    """The largest regret (on the scale) in the game's units (``inf`` beyond the float range)."""
    arr = np.asarray(regrets, dtype=float)
    if arr.ndim == 1 and arr.shape == np.shape(units) and arr.size:  # a few players: Python floats
        scale = np.asarray(units, dtype=float).tolist()
        values = [(r if not r < 0.0 else 0.0) * u for r, u in zip(arr.tolist(), scale, strict=True)]
        return math.nan if any(v != v for v in values) else max(values)  # NaN wins, as in numpy
    with np.errstate(over="ignore"):
        return float(np.max(np.maximum(np.asarray(regrets, dtype=float), 0.0) * units))


def _deviations(arrays: Sequence[np.ndarray], profile: Sequence[np.ndarray], i: int) -> np.ndarray:
    """Player ``i``'s payoff from each pure strategy against the others' mixture."""
    a = np.moveaxis(arrays[i], i, 0)
    for p in reversed([p for j, p in enumerate(profile) if j != i]):
        a = a @ p
    return np.asarray(a, dtype=float)


def _normal_regret_exact(game: NormalFormGame, strategies: Sequence[Sequence[Fraction]]) -> list[Fraction]:
    """Each player's regret in rational arithmetic, relative to the range of its payoffs."""
    exact = game.rational_payoffs()  # as given (integers, fractions), or the floats exactly
    out = []
    for i in range(game.num_players):
        a = np.vectorize(Fraction, otypes=[object])(np.moveaxis(exact[i], i, 0))
        span = Fraction(max(a.flat)) - Fraction(min(a.flat))
        for j in reversed([j for j in range(game.num_players) if j != i]):
            a = a.dot(np.array(strategies[j], dtype=object))
        dev = list(a.reshape(-1))
        cur = sum(d * p for d, p in zip(dev, strategies[i], strict=True))
        out.append(max(Fraction(max(dev) - cur), Fraction(0)) / (span if span > 0 else 1))
    return out


def _certify_normal(
    game: NormalFormGame,
    strategies: Sequence[Any],
    concept: str,
    tol: float,
    exact: bool,
    lam: Any,
    exact_strategies: Any,
) -> Certificate:
    prof = game.check_profile(strategies, atol=max(tol, 1e-9))
    scaled, units, ranges = _on_scale(game.payoffs)
    on_scale = np.array(
        [
            float(d.max() - d @ p)
            for d, p in ((_deviations(scaled, prof, i), prof[i]) for i in range(game.num_players))
        ]
    )
    regret = _in_units(on_scale, units)
    residual = 0.0
    details: dict[str, float] = {"relative_regret": float((np.maximum(on_scale, 0) / ranges).max())}
    if concept == "qre" and lam is not None:
        lams = _lam_per_player(lam, game.num_players)
        with np.errstate(over="ignore", invalid="ignore"):
            for i in range(game.num_players):
                # on the player's scale, the precision times its unit: the same logit response
                # (a shift of the payoffs does not change it), without the cancellation of
                # payoffs such as 1e9 + u, whose rounding ``lam`` would magnify
                target = _softmax(lams[i] * units[i] * _deviations(scaled, prof, i))
                residual = _worst(residual, float(np.abs(target - prof[i]).max()))
        passed = residual <= tol
    else:
        if exact:
            fr = (
                _exact_profile(exact_strategies, prof, tol)
                if exact_strategies is not None
                else [_rationalise(s) for s in prof]
            )
            relative = _normal_regret_exact(game, fr)
            details["float_regret"] = regret
            details["relative_regret"] = _gain(max(relative))
            # relative regret times the range on the scale, then in units: the range in the
            # game's units (``ranges * units``) overflows for payoffs spanning more than the
            # float range, and a zero regret times ``inf`` would be NaN and fail the certificate
            regret = _in_units([float(r) * s for r, s in zip(relative, ranges, strict=True)], units)
            regret = regret if regret > 0 or not max(relative) > 0 else math.ulp(0.0)
        # exact: an exact verdict (tol allows no regret); floating point: within tol of the range
        passed = max(relative) == 0 if exact else details["relative_regret"] <= tol
    return _finished(
        Certificate(
            concept=concept,
            regret=_worst(regret, 0.0),
            qre_residual=residual,
            tolerance=tol,
            exact=exact and concept != "qre",
            passed=passed,
            details=details,
        )
    )


def _finished(cert: Certificate) -> Certificate:
    """``cert``, failed if any of its numbers is not finite (NaN or infinite arithmetic proves nothing).

    The absolute regret may be infinite when the payoffs span more than the float range: it is
    the relative regret, computed on the players' scales, that decides.
    """
    numbers = [
        cert.bayes_error,
        cert.qre_residual,
        *(v for k, v in cert.details.items() if k != "float_regret"),
    ]
    if not all(map(math.isfinite, numbers)) or math.isnan(cert.regret):
        details = {**cert.details, "non_finite": 1.0}
        return dataclasses.replace(cert, passed=False, details=details)
    return cert


@njit
def _bimatrix_kernel(a: np.ndarray, b: np.ndarray, xs: np.ndarray, ys: np.ndarray, tol: float):
    """The regrets of many profiles of the bimatrix game ``(a, b)``, in one pass.

    Profile ``e``: the row player's payoff of each pure strategy against ``ys[e]`` (``a @ y``)
    and the column player's against ``xs[e]`` (``x @ b``); a regret is the best of these minus
    the expected payoff, and the profile passes if neither regret exceeds ``tol`` times the
    player's payoff range (1 if all its payoffs are equal). A strategy is not a probability
    vector if an entry is not finite or below ``-max(tol, 1e-9)`` or its sum is off 1 by more
    than ``max(tol, 1e-9, 1e-6)``.

    Returns
    -------
    tuple
        The numbers ``(E, 5)`` of every profile, one array (one array back to Python, not
        five): both expected payoffs, the larger regret (``>= 0``), the larger regret relative
        to the player's scale, and 1.0 if it passed (else 0.0) (see :data:`_NUMBERS`); then the
        first profile failing the test (-1: none), the player (0 or 1) and profile of the first
        strategy that is not a probability vector (profile -1: none; the row player's are
        checked first), and whether every payoff and regret is finite.
    """
    n_prof, m = xs.shape
    n = ys.shape[1]
    atol = max(tol, 1e-9)
    scale_a, scale_b = a.max() - a.min(), b.max() - b.min()
    scale_a, scale_b = scale_a if scale_a > 0 else 1.0, scale_b if scale_b > 0 else 1.0
    out = np.empty((n_prof, 5))
    failed, bad_who, bad_row, finite = -1, 0, -1, True
    for e in range(n_prof - 1, -1, -1):  # the row player's first bad strategy wins
        if _not_probabilities(ys, e, atol):
            bad_who, bad_row = 1, e
    for e in range(n_prof - 1, -1, -1):
        if _not_probabilities(xs, e, atol):
            bad_who, bad_row = 0, e
    for e in range(n_prof):
        best_a, best_b, u_a, u_b = -np.inf, -np.inf, 0.0, 0.0
        for i in range(m):
            acc = 0.0
            for j in range(n):
                acc += a[i, j] * ys[e, j]
            u_a += xs[e, i] * acc
            best_a = max(best_a, acc)
        for j in range(n):
            acc = 0.0
            for i in range(m):
                acc += xs[e, i] * b[i, j]
            u_b += ys[e, j] * acc
            best_b = max(best_b, acc)
        regret = max(best_a - u_a, best_b - u_b, 0.0)
        relative = max(max(best_a - u_a, 0.0) / scale_a, max(best_b - u_b, 0.0) / scale_b)
        passed = relative <= tol
        out[e, 0], out[e, 1], out[e, 2], out[e, 3] = u_a, u_b, regret, relative
        out[e, 4] = 1.0 if passed else 0.0
        if not passed and failed < 0:
            failed = e
        finite = finite and np.isfinite(u_a) and np.isfinite(u_b) and np.isfinite(regret) and np.isfinite(
            relative)
    return out, failed, bad_who, bad_row, finite


#: the columns of :func:`_bimatrix_kernel`'s numbers: payoffs (two), regret, relative regret, passed
_NUMBERS = ("payoff_row", "payoff_column", "regret", "relative", "passed")


@njit
def _not_probabilities(s: np.ndarray, e: int, atol: float) -> bool:
    total, ok = 0.0, True
    for v in s[e]:
        ok = ok and np.isfinite(v) and v >= -atol
        total += v
    return not ok or abs(total - 1.0) > max(atol, 1e-6)


class BimatrixCertificates:
    """Nash certificates of many profiles of a two-player game, computed at once (floating point).

    Built by :func:`certify_bimatrix_profiles`; :meth:`certificate` gives profile ``k``'s
    :class:`~deterrence.Certificate` (the same as :func:`certify` with ``concept="nash"``).
    The numbers are held in one array ``(E, 5)`` (see :data:`_NUMBERS`); the attributes below
    are views of it.

    Attributes
    ----------
    payoffs
        Expected payoffs ``(E, 2)``, in the game's units.
    regret
        Largest gain of a pure deviation over both players, ``>= 0``, in the game's units (``inf``
        where that is beyond the float range) ``(E,)``.
    relative
        The same relative to each player's payoff range (the tested quantity) ``(E,)``.
    passed
        ``relative <= tol``, and every number finite but the absolute regret ``(E,)``.
    first_failed
        The first profile that did not pass (-1 if all did).
    tol
        The tolerance.
    """

    __slots__ = ("first_failed", "numbers", "tol")

    def __init__(self, numbers: np.ndarray, first_failed: int, tol: float) -> None:
        self.numbers, self.first_failed, self.tol = numbers, first_failed, tol

    @classmethod
    def of_arrays(cls, payoffs: np.ndarray, regret: np.ndarray, relative: np.ndarray, passed: np.ndarray,
                  first_failed: int, tol: float) -> BimatrixCertificates:
        """The certificates of separate arrays (payoffs ``(E, 2)``, then ``(E,)`` each)."""
        numbers = np.column_stack([payoffs, regret, relative, np.asarray(passed, dtype=float)])
        return cls(numbers, first_failed, tol)

    @property
    def payoffs(self) -> np.ndarray:
        return self.numbers[:, :2]

    @property
    def regret(self) -> np.ndarray:
        return self.numbers[:, 2]

    @property
    def relative(self) -> np.ndarray:
        return self.numbers[:, 3]

    @property
    def passed(self) -> np.ndarray:
        return self.numbers[:, 4] > 0

    def __len__(self) -> int:
        return len(self.numbers)

    def certificate(self, k: int) -> Certificate:
        """Profile ``k``'s certificate (failed if one of its numbers is not finite, :func:`_finished`)."""
        _, _, regret, relative, passed = self.numbers[k].tolist()
        return _finished(Certificate(concept="nash", regret=regret, tolerance=self.tol, exact=False,
                                     passed=passed > 0, details={"relative_regret": relative}))


def certify_bimatrix_profiles(game: NormalFormGame, xs: np.ndarray, ys: np.ndarray, tol: float = 1e-8
                              ) -> BimatrixCertificates:
    """Nash certificates of many profiles of a two-player game at once (floating point).

    The same checks as :func:`certify` with ``concept="nash"``: each row of ``xs`` and ``ys``
    must be a probability vector, and no player may gain more than ``tol`` times its payoff
    range by a pure deviation. A well-scaled game (:func:`deterrence.game.scaling.well_scaled`) is
    certified in one compiled pass over the profiles on its payoffs as given; any other game, or
    a pass whose numbers are not all finite, by matrix products on the players' scales
    (:func:`_bimatrix_on_scale`). Either way the tested quantity is the regret relative to each
    player's payoff range, and a certificate with a number that is not finite fails
    (:func:`_finished`).

    Parameters
    ----------
    game
        A two-player :class:`~deterrence.NormalFormGame`.
    xs, ys
        Mixed strategies of the row and the column player, one profile per row.
    tol
        Tolerance on the regret relative to each player's payoff range.

    Raises
    ------
    GameError
        If the game does not have two players or a row is not a probability vector.
    """
    if game.num_players != 2:
        raise GameError(f"certify_bimatrix_batch needs a two-player game, not {game.num_players} players")
    xs = np.ascontiguousarray(xs, dtype=float)
    ys = np.ascontiguousarray(ys, dtype=float)
    m, n = game.shape
    if xs.ndim != 2 or ys.ndim != 2 or xs.shape[1] != m or ys.shape[1] != n or len(xs) != len(ys):
        raise GameError(f"profiles of shapes {xs.shape} and {ys.shape} do not fit a {m}x{n} game")
    if well_scaled(payoff_scales(game)):  # the compiled pass on the payoffs as given
        a, b = game.payoffs
        numbers, failed, who, row, finite = _bimatrix_kernel(a, b, xs, ys, tol)
        if row >= 0:
            raise GameError(f"strategy of player {game.players[who]} is not a probability vector: "
                            f"{(xs, ys)[who][row]}")
        if finite:
            return BimatrixCertificates(numbers, failed, tol)
    return _bimatrix_on_scale(game, xs, ys, tol)


def _bimatrix_on_scale(game: NormalFormGame, xs: np.ndarray, ys: np.ndarray, tol: float
                       ) -> BimatrixCertificates:
    """:func:`certify_bimatrix_profiles` for a badly scaled game: regrets by matrix products on the
    players' scales (:func:`_on_scale`), reported relative to the ranges and in the game's units."""
    atol = max(tol, 1e-9)
    for who, arr in ((game.players[0], xs), (game.players[1], ys)):
        off_sum = np.abs(arr.sum(axis=1) - 1) > max(atol, 1e-6)
        bad = ~np.isfinite(arr).all(axis=1) | (arr < -atol).any(axis=1) | off_sum
        if bad.any():
            row = arr[int(np.argmax(bad))]
            raise GameError(f"strategy of player {who} is not a probability vector: {row}")
    (a, b), units, ranges = _on_scale(game.payoffs)
    dev_row = ys @ a.T  # payoff of each pure row against each profile's column mixture (on the scale)
    dev_col = xs @ b
    on_scale = np.stack([(xs * dev_row).sum(axis=1), (ys * dev_col).sum(axis=1)], axis=1)
    regrets = np.stack([dev_row.max(axis=1) - on_scale[:, 0], dev_col.max(axis=1) - on_scale[:, 1]], axis=1)
    relative = (np.maximum(regrets, 0) / ranges).max(axis=1)
    with np.errstate(over="ignore", invalid="ignore"):
        regret = (np.maximum(regrets, 0) * units).max(axis=1)
    passed = np.isfinite(relative) & (relative <= tol) & ~np.isnan(regret)
    failed = int(np.argmax(~passed)) if not passed.all() else -1
    return BimatrixCertificates.of_arrays(_expected(game, xs, ys), regret, relative, passed, failed, tol)


def _expected(game: NormalFormGame, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Both players' expected payoffs of each profile, in the game's units (on the players' scales
    and mapped back where the direct sums overflow)."""
    a, b = game.payoffs
    with np.errstate(over="ignore", invalid="ignore"):
        u = np.stack([(xs * (ys @ a.T)).sum(axis=1), (ys * (xs @ b)).sum(axis=1)], axis=1)
    bad = ~np.isfinite(u)
    if bad.any():
        scales = [player_scale(a), player_scale(b)]
        for k, (sc, arr) in enumerate(zip(scales, (a, b), strict=True)):
            arr = sc.apply(arr)
            v = (xs * (ys @ arr.T)).sum(axis=1) if k == 0 else (ys * (xs @ arr)).sum(axis=1)
            u[bad[:, k], k] = v[bad[:, k]] * sc.unit + sc.shift
    return u


def certify_bimatrix_batch(
    game: NormalFormGame, xs: np.ndarray, ys: np.ndarray, tol: float = 1e-8
) -> tuple[list[Certificate], np.ndarray]:
    """Nash certificates of many profiles of a two-player game at once (floating point).

    :func:`certify_bimatrix_profiles`, with every certificate built.

    Returns
    -------
    certificates, payoffs
        One certificate per profile, and the expected payoffs (profiles x 2).
    """
    res = certify_bimatrix_profiles(game, xs, ys, tol)
    return [res.certificate(k) for k in range(len(res))], res.payoffs


# ----------------------------------------------------------------------------- trees
_SCALED: weakref.WeakKeyDictionary[ExtensiveFormGame, tuple[np.ndarray, np.ndarray, np.ndarray]] = (
    weakref.WeakKeyDictionary()
)


def _scaled_payoffs(game: ExtensiveFormGame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The terminals' payoffs on each player's scale (:func:`deterrence.game.scaling.player_scale`;
    terminals x players), the units back to the game's, and the ranges on the scale (1 where a
    player's payoffs are all equal); kept per game object, whose payoffs do not change."""
    cached = _SCALED.get(game)
    if cached is None:
        scales = payoff_scales(game)
        shifts = np.array([float(sc.shift) for sc in scales])
        units = np.array([sc.unit for sc in scales])
        scaled = ((game.payoffs - shifts) / units).reshape(-1, game.num_players)  # as sc.apply, all at once
        ranges = scaled.max(axis=0) - scaled.min(axis=0) if len(scaled) else np.ones(game.num_players)
        scaled.setflags(write=False)
        cached = _SCALED[game] = (scaled, units, np.where(ranges > 0, ranges, 1.0))
    return cached


class _TreeNumbers:
    """The game's numbers as Python objects, floats or exact Fractions, with each player's payoffs
    on its scale (:func:`deterrence.game.scaling.player_scale`): regrets are computed there and
    reported relative to the range (``ranges``) and in the game's units (``units``)."""

    def __init__(
        self, game: ExtensiveFormGame, behaviour: Sequence[Any], exact: bool, exact_strategies: Any = None
    ) -> None:
        self.game = game
        #: floating point: the payoffs on the players' scales as an array (terminals x players)
        self.scaled, self.units, self.ranges = _scaled_payoffs(game)
        if exact:
            scales = payoff_scales(game)
            # floats too as the exact rationals they are (``apply_exact`` keeps a float a float)
            self.payoffs = [[sc.apply_exact(_exactly(v)) for sc, v in zip(scales, row, strict=True)]
                            for row in game.payoff_values]
            self.chance = [[Fraction(p) for p in ci.probs] for ci in game.chance_infos]
            self.beh = (
                _exact_profile(exact_strategies, behaviour, 1e-6)
                if exact_strategies is not None
                else [_rationalise(b) for b in behaviour]
            )
            spans = [float(max(col) - min(col)) for col in zip(*self.payoffs, strict=True)]
            if spans:
                self.ranges = np.array([r if r > 0 else 1.0 for r in spans])
        self.zero = Fraction(0) if exact else 0.0
        self.one = Fraction(1) if exact else 1.0
        self.exact = exact
        #: the behaviour as one array (compiled walks); floating point: the profile's float vectors
        #: (``game.check_behaviour``), whose values ``beh`` holds as Python floats
        self.flat_beh: np.ndarray | None = None
        self._behaviour = behaviour
        if not exact:
            self.flat_beh = (np.concatenate(behaviour).astype(float, copy=False) if len(behaviour)
                             else np.zeros(0))

    # floating point: the Python lists of the tree walks, made when a walk first needs them (the
    # compiled passes read ``scaled`` and ``flat_beh``); exact: set in ``__init__``
    @functools.cached_property
    def payoffs(self) -> list[list[Any]]:
        return self.scaled.tolist()

    @functools.cached_property
    def chance(self) -> list[list[Any]]:
        return [[float(p) for p in ci.probs] for ci in self.game.chance_infos]

    @functools.cached_property
    def beh(self) -> list[list[Any]]:
        return [list(map(float, b)) for b in self._behaviour]

    def edge(self, parent: int, action: int) -> Any:
        nd = self.game.nodes[parent]
        if nd.kind == CHANCE:
            return self.chance[nd.infoset][action]
        return self.beh[nd.infoset][action]


def _deviation_gain(
    nums: _TreeNumbers,
    player: int,
    starts: Sequence[tuple[int, Any]],
    cut: dict[int, tuple[Any, Any]] | None = None,
) -> tuple[Any, Any]:
    """Best-response value and current value of ``player`` from weighted start nodes.

    The weights are the probabilities (or beliefs) of the start nodes. Other players and chance
    follow the profile; ``player`` may change its behaviour at every one of its information sets
    below the starts (a sequence-form dynamic programme over the player's own histories, each a
    number; perfect recall below the starts assumed, otherwise pure strategies are enumerated).
    ``cut``: nodes that root subgames already solved, with the player's best-response and current
    values there (a subgame's best response does not depend on moves outside it). Iterative
    throughout, so the depth of the tree does not matter.
    """
    game = nums.game
    if not nums.exact and cut is None and game.has_perfect_recall():
        fast = _deviation_gain_compiled(nums, player, starts)
        if fast is not None:
            return fast
    acc: list[Any] = [nums.zero]  # per own history: the payoff it secures directly
    kids: list[dict[int, list[int]]] = [{}]  # per own history: infoset -> histories, one per action
    current = nums.zero
    stack: list[tuple[int, Any, Any, int]] = [(v, w, nums.one, 0) for v, w in starts]
    recall_ok = True
    seen: dict[int, int] = {}
    while stack:
        v, w, own, key = stack.pop()
        if w == 0:
            continue
        nd = game.nodes[v]
        if cut is not None and v in cut:
            best, now = cut[v]
            acc[key] += w * best
            current += w * own * now
        elif nd.kind == TERMINAL:
            u = nums.payoffs[game.terminal_index(v)][player]
            acc[key] += w * u
            current += w * own * u
        elif nd.kind == DECISION and nd.player == player:
            h = nd.infoset
            recall_ok = recall_ok and seen.setdefault(h, key) == key
            after = kids[key].get(h)
            if after is None:
                after = kids[key][h] = list(range(len(acc), len(acc) + len(nd.children)))
                acc.extend([nums.zero] * len(nd.children))
                kids.extend({} for _ in nd.children)
            stack.extend((c, w, own * nums.beh[h][a], after[a]) for a, c in enumerate(nd.children))
        else:
            stack.extend((c, w * nums.edge(v, a), own, key) for a, c in enumerate(nd.children))
    if not recall_ok:
        return _deviation_gain_pure(nums, player, starts), current
    value = list(acc)
    for k in range(len(acc) - 1, -1, -1):  # a history's continuations have larger numbers
        for after in kids[k].values():
            value[k] += max(value[c] for c in after)
    return value[0], current


def _deviation_gain_compiled(nums: _TreeNumbers, player: int, starts: Sequence[tuple[int, Any]]
                             ) -> tuple[float, float] | None:
    """:func:`_deviation_gain` in floating point on a tree with perfect recall, compiled: the same
    walk (the same stack order, hence the same sums bit for bit); ``None`` if the walk finds a
    set reached by two own histories (the caller then enumerates pure strategies)."""
    game = nums.game
    kind, movers, sets, child_ptr, children, terminal_row = game.node_arrays
    if nums.flat_beh is None:
        nums.flat_beh = np.array([x for b in nums.beh for x in b], dtype=float)
    nodes = np.array([v for v, _ in starts], dtype=np.int64)
    weights = np.array([float(w) for _, w in starts], dtype=float)
    br, cur, ok = _deviation_gain_kernel(nodes, weights, player, kind, movers, sets, child_ptr, children,
                                         terminal_row, nums.scaled, game._chance_prob, nums.flat_beh,
                                         game._action_offset, len(game.infosets))
    return (br, cur) if ok else None


@njit
def _deviation_gain_kernel(starts: np.ndarray, weights: np.ndarray, player: int, kind: np.ndarray,
                           movers: np.ndarray, sets: np.ndarray, child_ptr: np.ndarray, children: np.ndarray,
                           terminal_row: np.ndarray, payoffs: np.ndarray, chance_prob: np.ndarray,
                           beh: np.ndarray, offsets: np.ndarray, n_sets: int) -> tuple[float, float, bool]:
    """The walk of :func:`_deviation_gain` on arrays (``kind``: 0 decision, 1 chance, 2 terminal;
    own histories numbered as there; each history's sets kept in the order first met)."""
    cap = kind.shape[0] + starts.shape[0] + 1
    acc = np.zeros(cap)
    first, last = np.full(cap, -1, dtype=np.int64), np.full(cap, -1, dtype=np.int64)
    ent_set, ent_start = np.empty(cap, dtype=np.int64), np.empty(cap, dtype=np.int64)
    ent_size, ent_next = np.empty(cap, dtype=np.int64), np.full(cap, -1, dtype=np.int64)
    seen = np.full(n_sets, -1, dtype=np.int64)
    sv, sk = np.empty(cap, dtype=np.int64), np.empty(cap, dtype=np.int64)
    sw, so = np.empty(cap), np.empty(cap)
    top, n_hist, n_ent, current = 0, 1, 0, 0.0
    for i in range(starts.shape[0]):
        sv[top], sw[top], so[top], sk[top] = starts[i], weights[i], 1.0, 0
        top += 1
    while top > 0:
        top -= 1
        v, w, own, key = sv[top], sw[top], so[top], sk[top]
        if w == 0:
            continue
        if kind[v] == 2:
            u = payoffs[terminal_row[v], player]
            acc[key] += w * u
            current += w * own * u
        elif kind[v] == 0 and movers[v] == player:
            h = sets[v]
            if seen[h] == -1:
                seen[h] = key
            elif seen[h] != key:
                return 0.0, 0.0, False
            e = first[key]
            while e >= 0 and ent_set[e] != h:
                e = ent_next[e]
            if e < 0:  # a new (history, set): one history per action
                e = n_ent
                n_ent += 1
                ent_set[e], ent_start[e], ent_size[e] = h, n_hist, child_ptr[v + 1] - child_ptr[v]
                n_hist += ent_size[e]
                if first[key] < 0:
                    first[key] = e
                else:
                    ent_next[last[key]] = e
                last[key] = e
            for a in range(child_ptr[v + 1] - child_ptr[v]):
                sv[top], sw[top] = children[child_ptr[v] + a], w
                so[top], sk[top] = own * beh[offsets[h] + a], ent_start[e] + a
                top += 1
        else:
            for a in range(child_ptr[v + 1] - child_ptr[v]):
                c = children[child_ptr[v] + a]
                edge = chance_prob[c] if kind[v] == 1 else beh[offsets[sets[v]] + a]
                sv[top], sw[top], so[top], sk[top] = c, w * edge, own, key
                top += 1
    value = acc[:n_hist].copy()
    for k in range(n_hist - 1, -1, -1):  # a history's continuations have larger numbers
        e = first[k]
        while e >= 0:
            best = value[ent_start[e]]
            for c in range(ent_start[e] + 1, ent_start[e] + ent_size[e]):
                if value[c] > best:
                    best = value[c]
            value[k] += best
            e = ent_next[e]
    return value[0], current, True


def _deviation_gain_pure(nums: _TreeNumbers, player: int, starts: Sequence[tuple[int, Any]]) -> Any:
    """Best-response value by enumerating pure strategies (imperfect recall)."""
    game = nums.game
    sets = sorted(
        {
            game.nodes[v].infoset
            for s, _ in starts
            for v in range(s, game.nodes[s].end)
            if game.nodes[v].kind == DECISION and game.nodes[v].player == player
        }
    )
    sizes = [len(game.infosets[h].actions) for h in sets]
    total = int(np.prod(sizes)) if sizes else 1
    if total > _MAX_PURE_ENUMERATION:
        raise UnsupportedError(
            f"certifying this imperfect-recall game needs {total} pure strategies of player "
            f"{game.players[player]}; too many"
        )
    best = None
    for flat in np.ndindex(*sizes) if sizes else [()]:
        choice = dict(zip(sets, flat, strict=True))
        val = nums.zero
        stack = list(starts)
        while stack:
            v, w = stack.pop()
            if w == 0:
                continue
            nd = game.nodes[v]
            if nd.kind == TERMINAL:
                val += w * nums.payoffs[game.terminal_index(v)][player]
            elif nd.kind == DECISION and nd.player == player:
                stack.append((nd.children[choice[nd.infoset]], w))
            else:
                for a, c in enumerate(nd.children):
                    stack.append((c, w * nums.edge(v, a)))
        best = val if best is None or val > best else best
    return best


# The Nash regret of a tree with perfect recall in one compiled pass (each player's payoffs put
# on its scale, the perfect-recall test, the reach probabilities, the backward induction over the
# player's own sequences), on the game's own edge tables and payoffs. tests/test_tree_certificate.py
# checks it bit for bit against the certificate's former compiled path on per-game arrays built in
# Python, and against the Python walk of _tree_regret (both kept there as oracles).
_GAME_ARRAYS: weakref.WeakKeyDictionary[ExtensiveFormGame, tuple[np.ndarray, ...]] = (
    weakref.WeakKeyDictionary())


def _game_arrays(game: ExtensiveFormGame) -> tuple[np.ndarray, ...]:
    """The player of each information set, the payoffs (terminals x players), and the shifts and
    units of the players' scales (:func:`deterrence.game.scaling.payoff_scales`), kept per game
    object (its payoffs do not change)."""
    arrays = _GAME_ARRAYS.get(game)
    if arrays is None:
        scales = payoff_scales(game)
        arrays = _GAME_ARRAYS[game] = (
            np.fromiter((h.player for h in game.infosets), dtype=np.int64, count=len(game.infosets)),
            np.ascontiguousarray(game.payoffs, dtype=float).reshape(-1, game.num_players),
            np.array([float(sc.shift) for sc in scales]), np.array([sc.unit for sc in scales]))
    return arrays


def nash_regret_on_scale(game: ExtensiveFormGame, beh: Sequence[Any]
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Per-player largest gain from a deviation (on the players' scales,
    :func:`deterrence.game.scaling.player_scale`), the units of the scales and the ranges of the
    scaled payoffs (1 where a player's payoffs are all equal); ``None`` without perfect recall or
    when the float arithmetic is not finite (the caller then walks the tree)."""
    set_players, payoffs, shifts, units = _game_arrays(game)
    flat = np.concatenate(beh).astype(float, copy=False) if len(beh) else np.zeros(0)
    regret, ranges, ok = _nash_regret_kernel(
        game._parent, game._edge_infoset, game._edge_flat, game._chance_prob, game._action_offset,
        set_players, game._terminal_idx, payoffs, shifts, units, flat)
    if not ok or not all(map(math.isfinite, regret.tolist())):
        return None
    return regret, units.copy(), ranges


@njit
def _scaled(payoffs: np.ndarray, shifts: np.ndarray, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The payoffs on each player's scale, and each player's range there (1 where it is 0)."""
    scaled = np.empty(payoffs.shape)
    ranges = np.ones(payoffs.shape[1])
    for i in range(payoffs.shape[1]):
        for r in range(payoffs.shape[0]):
            scaled[r, i] = (payoffs[r, i] - shifts[i]) / units[i]
        if payoffs.shape[0] > 0:
            span = scaled[:, i].max() - scaled[:, i].min()
            ranges[i] = span if span > 0 else 1.0
    return scaled, ranges


@njit
def _nash_regret_kernel(parent: np.ndarray, edge_set: np.ndarray, edge_flat: np.ndarray,
                        chance_prob: np.ndarray, set_offset: np.ndarray, set_player: np.ndarray,
                        terminals: np.ndarray, payoffs: np.ndarray, shifts: np.ndarray, units: np.ndarray,
                        beh: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """``(regret per player, ranges, perfect recall?)`` of the flat behaviour ``beh``.

    Per node (preorder): the probability of reaching it, the same without each player's own
    moves and each player's last own move (a flat action). Recall is perfect when every node
    of a set has its first node's last own move. The best response of player ``i`` is then a
    backward induction over its sequences: the terminals' payoffs weighted by the others' and
    chance's moves are summed by ``i``'s last own move, and from the last set to the first each
    set adds its best action's value to the sequence leading to it.
    """
    scaled, ranges = _scaled(payoffs, shifts, units)
    n_players = payoffs.shape[1]
    n, n_sets = parent.shape[0], set_player.shape[0]
    reach = np.ones(n)
    others = np.ones((n, n_players))
    last = np.full((n, n_players), -1, dtype=np.int64)
    lead = np.full(n_sets, -2, dtype=np.int64)  # the owner's last own move at each set's first node
    out = np.zeros(n_players)
    for v in range(1, n):
        p, h = parent[v], edge_set[v]
        j = set_player[h] if h >= 0 else -1
        prob = beh[edge_flat[v]] if h >= 0 else chance_prob[v]
        reach[v] = reach[p] * prob
        for i in range(n_players):
            others[v, i] = others[p, i] * (prob if i != j else 1.0)
            last[v, i] = last[p, i]
        if h >= 0:
            if lead[h] == -2:
                lead[h] = last[p, j]
            elif lead[h] != last[p, j]:
                return out, ranges, False
            last[v, j] = edge_flat[v]
    n_flat = set_offset[n_sets]
    for i in range(n_players):
        value = np.zeros(n_flat + 1)  # by own sequence: the flat actions, then the empty sequence
        current = 0.0
        for r in range(terminals.shape[0]):
            z = terminals[r]
            s = last[z, i] if last[z, i] >= 0 else n_flat
            value[s] += others[z, i] * scaled[r, i]
            current += reach[z] * scaled[r, i]
        for h in range(n_sets - 1, -1, -1):
            if set_player[h] == i:
                best = -np.inf
                for f in range(set_offset[h], set_offset[h + 1]):
                    best = max(best, value[f])
                value[lead[h] if lead[h] >= 0 else n_flat] += best
        out[i] = max(0.0, value[n_flat] - current)
    return out, ranges, True


def _nash_regret(game: ExtensiveFormGame, beh: Sequence[np.ndarray], exact: bool, exact_strategies: Any
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-player largest gain from a deviation in the whole game on the players' scales, with the
    units and ranges of the scales (compiled in floating point with perfect recall, on the scaled
    payoffs; else :func:`_tree_regret`)."""
    if not exact:  # one compiled pass (:func:`nash_regret_on_scale`)
        fast = nash_regret_on_scale(game, beh)
        if fast is not None:
            return fast
    nums = _TreeNumbers(game, beh, exact, exact_strategies)
    return _tree_regret(nums, [(game.root, nums.one)]), nums.units, nums.ranges


def _tree_regret(nums: _TreeNumbers, starts: Sequence[tuple[int, Any]]) -> np.ndarray:
    """Per-player largest gain from a deviation below the weighted starts (on the players' scales;
    compiled in floating point for the whole game with perfect recall,
    :func:`nash_regret_on_scale`)."""
    game = nums.game
    if not nums.exact and len(starts) == 1 and starts[0][0] == game.root and starts[0][1] == 1:
        fast = nash_regret_on_scale(game, [nums.flat_beh])
        if fast is not None:
            return fast[0]
    out = np.zeros(nums.game.num_players)
    for i in range(nums.game.num_players):
        br, cur = _deviation_gain(nums, i, starts)
        out[i] = _worst(0.0, _gain(br - cur))
    return out


def _agent_regret(nums: _TreeNumbers) -> np.ndarray:
    """Per-player largest gain of one *agent*: a mover changing its move at one information set only.

    The regret of the agent form (Selten 1975), the equilibrium notion of trees without perfect
    recall: every other move, the player's own elsewhere included, stays as in the profile.
    """
    game = nums.game
    nodes = game.nodes
    reach = [nums.one] * len(nodes)
    for nd in nodes[1:]:
        reach[nd.index] = reach[nd.parent] * nums.edge(nd.parent, nd.action)
    value: list[list[Any]] = [[nums.zero] * game.num_players for _ in nodes]
    for nd in reversed(nodes):
        if nd.kind == TERMINAL:
            value[nd.index] = list(nums.payoffs[game.terminal_index(nd.index)])
        else:
            value[nd.index] = [sum((nums.edge(nd.index, a) * value[c][i] for a, c in enumerate(nd.children)),
                                   nums.zero) for i in range(game.num_players)]
    out = np.zeros(game.num_players)
    for h in game.infosets:
        i = h.player
        now = sum((reach[v] * value[v][i] for v in h.nodes), nums.zero)
        best = max(sum((reach[v] * value[nodes[v].children[a]][i] for v in h.nodes), nums.zero)
                   for a in range(len(h.actions)))
        out[i] = max(out[i], _gain(best - now))
    return out


def _qre_residual_tree(game: ExtensiveFormGame, beh: Sequence[np.ndarray], lam: Any) -> float:
    """Largest gap between the behaviour and the agent logit response to it."""
    lams = _lam_per_player(lam, game.num_players)
    # beliefs from log reach probabilities: at high precision plain products underflow
    with np.errstate(divide="ignore"):
        log_edge = np.log(game.edge_probabilities(beh))
    log_reach = np.zeros(len(game.nodes))
    for nd in game.nodes[1:]:
        log_reach[nd.index] = log_reach[nd.parent] + log_edge[nd.index]
    # each player's values on its scale (the precision times the unit):
    # the logit response is that of the game's payoffs, without their cancellation near 1e9
    scaled, units, _ = _scaled_payoffs(game)
    values = game.node_values(beh, payoffs=scaled)
    lams = [lam_i * unit for lam_i, unit in zip(lams, units.tolist(), strict=True)]
    residual = 0.0
    for h, b in zip(game.infosets, beh, strict=True):
        lr = log_reach[list(h.nodes)]
        if not np.isfinite(lr.max()):
            raise GameError("a QRE profile must reach every information set", infoset=h.name)
        mu = np.exp(lr - lr.max())
        mu = mu / mu.sum()
        q = np.array(
            [
                sum(m * values[game.nodes[v].children[a], h.player] for m, v in zip(mu, h.nodes, strict=True))
                for a in range(len(h.actions))
            ]
        )
        residual = _worst(residual, float(np.abs(_softmax(lams[h.player] * q) - b).max()))
    return residual


#: per-subgame and per-information-set details kept in a certificate (the largest gains)
_MAX_DETAILS = 50


def _keep_largest(details: dict[str, float], gains: dict[str, float]) -> None:
    """Add the largest ``gains`` to ``details`` (all of them when there are few)."""
    shown = sorted(gains.items(), key=lambda kv: -kv[1])[:_MAX_DETAILS]
    details.update(shown)
    if len(gains) > _MAX_DETAILS:
        details["details_omitted"] = float(len(gains) - _MAX_DETAILS)


def _perfect_information_values(nums: _TreeNumbers) -> tuple[list[list[Any]], list[list[Any]]]:
    """Every node's value under the profile and each player's best-response value there, for a
    game of perfect information (one pass, children first): the mover's best response takes
    the best child, everyone else's follows the profile and chance."""
    game = nums.game
    values: list[list[Any]] = [[]] * len(game.nodes)
    best: list[list[Any]] = [[]] * len(game.nodes)
    players = range(game.num_players)
    zero = nums.zero
    for nd in reversed(game.nodes):
        v = nd.index
        if nd.kind == TERMINAL:
            values[v] = best[v] = list(nums.payoffs[game.terminal_index(v)])
            continue
        probs = nums.beh[nd.infoset] if nd.kind == DECISION else nums.chance[nd.infoset]
        here, top = [zero] * len(players), [zero] * len(players)
        for p, c in zip(probs, nd.children, strict=True):
            if p:
                below, best_below = values[c], best[c]
                for i in players:
                    here[i] += p * below[i]
                    top[i] += p * best_below[i]
        if nd.kind == DECISION:
            top[nd.player] = max(best[c][nd.player] for c in nd.children)
        values[v], best[v] = here, top
    return values, best


def _subgame_gains(nums: _TreeNumbers) -> dict[int, np.ndarray]:
    """Each subgame root's largest gain per player from a deviation inside it (on the scale)."""
    game = nums.game
    roots = game.subgame_roots()
    if game.is_perfect_information():
        values, best = _perfect_information_values(nums)
        return {
            r: np.array([_worst(0.0, _gain(b - v)) for b, v in zip(best[r], values[r], strict=True)])
            for r in roots
        }
    cut: list[dict[int, tuple[Any, Any]]] = [{} for _ in game.players]
    gains: dict[int, np.ndarray] = {}
    for r in reversed(roots):  # deepest first: a checked subgame enters the ones above by its values
        per = np.zeros(game.num_players)
        for i in range(game.num_players):
            b, v = _deviation_gain(nums, i, [(r, nums.one)], cut[i])
            cut[i][r] = (b, v)
            per[i] = _worst(0.0, _gain(b - v))
        gains[r] = per
    return gains


def _spe_regret(nums: _TreeNumbers, details: dict[str, float]) -> tuple[float, float]:
    """Largest gain (in the game's units, relative) from a deviation in any subgame.

    Subgames are checked deepest first; a subgame already checked enters the ones above it by
    its best-response and current values (in a game of perfect information, one pass over the
    nodes computes both everywhere), so the work is linear in the tree however deeply the
    subgames nest. Details: every subgame's gain, or, with many subgames, the largest positive
    ones.
    """
    game = nums.game
    gains = _subgame_gains(nums)
    if not gains:
        return 0.0, 0.0
    table = np.array(list(gains.values()))
    regret = _in_units(table, nums.units)
    relative = float(_relative(table, nums.ranges, nums.exact).max())
    shown = list(gains) if len(gains) <= _MAX_DETAILS else [r for r in gains if gains[r].max() > 0]
    _keep_largest(
        details,
        {
            f"subgame {game.nodes[r].path}": _in_units(gains[r], nums.units)
            for r in sorted(shown, key=lambda r: -gains[r].max())[:_MAX_DETAILS]
        },
    )
    if len(gains) > _MAX_DETAILS:
        details["subgames_checked"] = float(len(gains))
    return regret, relative


class _SetLayout:
    """The information sets' nodes as flat arrays, for the PBE checks on all sets at once: the
    sets grouped by size (``groups``: set indices and their nodes, one row per set), so that a
    row's sum is the sum numpy takes of that set's vector alone (the same arithmetic, bit for
    bit); ``nodes``/``ptr``: every set's nodes one after another; ``players``: each set's player."""

    def __init__(self, game: ExtensiveFormGame) -> None:
        sizes = [len(h.nodes) for h in game.infosets]
        self.sizes = sizes
        self.ptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.nodes = np.array([v for h in game.infosets for v in h.nodes], dtype=np.int64)
        self.players = np.array([h.player for h in game.infosets], dtype=np.int64)
        self.player_list: list[int] = self.players.tolist()
        self.keys = [f"infoset {h.name}" for h in game.infosets]  # the certificate's detail names
        self.groups: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for k in sorted(set(sizes)):
            members = np.array([i for i, n in enumerate(sizes) if n == k], dtype=np.int64)
            at = self.ptr[members][:, None] + np.arange(k)  # positions in the flat belief vector
            self.groups.append((members, at, self.nodes[at]))


def _set_layout(game: ExtensiveFormGame) -> _SetLayout:
    """The game's :class:`_SetLayout` (read from the tree alone: kept in the game's ``tree_cache``,
    shared by the copies of one tree)."""
    layout = game.tree_cache.get("certificate_set_layout")
    if layout is None:
        layout = game.tree_cache["certificate_set_layout"] = _SetLayout(game)
    return layout


_POSSIBLE: weakref.WeakKeyDictionary[ExtensiveFormGame, list[np.ndarray]] = weakref.WeakKeyDictionary()


def _possible_nodes(game: ExtensiveFormGame, layout: _SetLayout) -> list[np.ndarray]:
    """Per set some of whose nodes Nature reaches with positive probability and some not, in the
    order of :attr:`_SetLayout.groups` and of their rows, the positions in the flat belief vector
    of the nodes Nature does not reach (kept per game object: its chance probabilities do not
    change)."""
    impossible = _POSSIBLE.get(game)
    if impossible is None:
        nature = game.realization_probabilities([np.ones(len(h.actions)) for h in game.infosets])
        impossible = []
        for _, at, nodes in layout.groups:
            possible = nature[nodes] > 0
            impossible.extend(at[row][~possible[row]]
                              for row in np.flatnonzero(possible.any(axis=1) & ~possible.all(axis=1)))
        _POSSIBLE[game] = impossible
    return impossible


def _check_belief(h: Any, mu: Any, tol: float) -> np.ndarray:
    """One set's belief as a float vector.

    Raises
    ------
    GameError
        If it is not numbers, or not a distribution over the set's nodes.
    """
    try:
        mu = np.asarray(mu, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise GameError(f"beliefs {mu!r} are not numbers", infoset=h.name) from None
    if (
        mu.shape != (len(h.nodes),)
        or not np.all(np.isfinite(mu))
        or np.any(mu < -tol)
        or abs(mu.sum() - 1) > 1e-6
    ):
        raise GameError(
            f"beliefs {mu} are not a distribution over the set's {len(h.nodes)} nodes", infoset=h.name
        )
    return mu


def _flat_beliefs(game: ExtensiveFormGame, layout: _SetLayout, beliefs: Any, tol: float) -> np.ndarray:
    """Every set's belief, checked (:func:`_check_belief`, all sets at once), one after another
    (:func:`_flat_beliefs_all` of one profile).

    Raises
    ------
    GameError
        Naming the first set whose belief is not numbers or not a distribution over its nodes.
    """
    return _flat_beliefs_all(game, layout, [beliefs], tol)[0]


def _flat_beliefs_all(game: ExtensiveFormGame, layout: _SetLayout, beliefs: Sequence[Any], tol: float
                      ) -> np.ndarray:
    """:func:`_flat_beliefs` of many profiles' beliefs, one row each, checked all at once (each
    set's sum over the last axis of a C-contiguous array: as numpy sums the set's vector alone);
    when one fails a check (or one is not vectors of the sets' sizes), the profiles that did (all)
    are checked set by set in order, which names the first profile's first set at fault.

    Raises
    ------
    GameError
        For the first profile at fault, naming its first set whose belief is not numbers or not a
        distribution over its nodes.
    """
    flats = stacked(beliefs, layout.sizes)  # float vectors of the right sizes: taken as they are
    vectors = [] if flats is not None else [_belief_vectors(game, layout, b) for b in beliefs]
    bad = [True] * len(beliefs)  # checked set by set, in order, unless all pass at once
    if flats is None and layout.sizes and all(v is not None for v in vectors):
        flats = np.concatenate([m for v in vectors for m in v]).reshape(len(vectors), -1)
    if flats is not None:
        faults = ~np.isfinite(flats).all(axis=1) | (flats < -tol).any(axis=1)
        for _, at, _ in layout.groups:
            faults |= (np.abs(np.ascontiguousarray(flats[:, at]).sum(axis=2) - 1) > 1e-6).any(axis=1)
        if not faults.any():
            return flats
        bad = faults.tolist()
        vectors = vectors or [_belief_vectors(game, layout, b) for b in beliefs]
    if not layout.sizes and all(v is not None for v in vectors):
        return np.zeros((len(vectors), 0))
    rows = [np.concatenate(v) if not b else _checked_beliefs(game, mus, tol)
            for v, b, mus in zip(vectors, bad, beliefs, strict=True)]
    return np.array(rows)


def _checked_beliefs(game: ExtensiveFormGame, beliefs: Any, tol: float) -> np.ndarray:
    """One profile's beliefs checked set by set (:func:`_check_belief`), one after another.

    Raises
    ------
    GameError
        If there is not one belief per information set, or naming the first set at fault.
    """
    if not _one_per_set(game, beliefs):
        raise GameError("a PBE certificate needs a belief vector at every information set")
    mus = [_check_belief(h, mu, tol) for h, mu in zip(game.infosets, beliefs, strict=True)]
    return np.concatenate(mus) if mus else np.zeros(0)


def _one_per_set(game: ExtensiveFormGame, beliefs: Any) -> bool:
    """Whether ``beliefs`` has one entry per information set."""
    return beliefs is not None and hasattr(beliefs, "__len__") and len(beliefs) == len(game.infosets)


def _belief_vectors(game: ExtensiveFormGame, layout: _SetLayout, beliefs: Any) -> list[np.ndarray] | None:
    """One profile's beliefs as float vectors, ``None`` if there is not one per information set, or
    one is not numbers or has the wrong size."""
    if not _one_per_set(game, beliefs):
        return None
    try:
        mus = [mu if type(mu) is np.ndarray and mu.ndim == 1 and mu.dtype.char == "d"  # a float vector
               else np.asarray(mu, dtype=float).reshape(-1) for mu in beliefs]
    except (TypeError, ValueError):
        return None
    return mus if all(m.shape == (n,) for m, n in zip(mus, layout.sizes, strict=True)) else None


def _belief_errors(layout: _SetLayout, flats: np.ndarray, reach: np.ndarray, impossible: list[np.ndarray]
                   ) -> tuple[list[float], list[float]]:
    """Per profile (rows of ``flats`` and ``reach``), the largest gap between the beliefs and Bayes'
    rule at a reached set, and the largest belief on nodes Nature reaches with probability 0 in a
    set that has others (``impossible``: :func:`_possible_nodes`).

    Each reduction runs over the last axis of a C-contiguous array, one set (or one list of
    positions) per row, as numpy reduces a single set's vector (pairwise summation along the
    row; a strided copy from fancy indexing would be summed in another order): the numbers are
    those of one profile alone, bit for bit.
    """
    n = len(flats)
    bayes, nature = [0.0] * n, [0.0] * n
    for _, at, nodes in layout.groups:
        r = np.ascontiguousarray(reach[:, nodes])  # profiles x sets x nodes
        total = r.sum(axis=2)
        reached = total > 1e-12
        with np.errstate(invalid="ignore", divide="ignore"):
            gap = np.abs(r / np.where(reached, total, 1.0)[..., None] - flats[:, at])
        largest = np.where(reached[..., None], gap, -np.inf).max(axis=(1, 2)).tolist()
        for e in np.flatnonzero(reached.any(axis=1)).tolist():
            bayes[e] = max(bayes[e], largest[e])
    for positions in impossible:
        mass = np.ascontiguousarray(flats[:, positions]).sum(axis=1).tolist()
        nature = [max(a, b) for a, b in zip(nature, mass, strict=True)]
    return bayes, nature


def _set_gains(nums: _TreeNumbers, layout: _SetLayout, flat: np.ndarray) -> list[float]:
    """At every information set, the gain of its player's best response over the profile from
    the set's nodes weighted by the beliefs (:func:`_deviation_gain`; all sets in one compiled
    call when the arithmetic is floating point and the game has perfect recall)."""
    game = nums.game
    done = np.zeros(len(game.infosets), dtype=bool)
    if not nums.exact and game.has_perfect_recall():
        if nums.flat_beh is None:
            nums.flat_beh = np.array([x for b in nums.beh for x in b], dtype=float)
        kind, movers, sets, child_ptr, children, terminal_row = game.node_arrays
        br, cur, done = _set_gains_kernel(layout.ptr, layout.nodes, flat, layout.players, kind, movers, sets,
                                          child_ptr, children, terminal_row, nums.scaled, game._chance_prob,
                                          nums.flat_beh, game._action_offset, len(game.infosets))
        gains = (br - cur).tolist()
    else:
        gains = [0.0] * len(game.infosets)
    for i in np.flatnonzero(~done):
        h, mu = game.infosets[i], flat[layout.ptr[i]:layout.ptr[i + 1]]
        weights = _rationalise(mu) if nums.exact else [float(m) for m in mu]
        best, now = _deviation_gain(nums, h.player, list(zip(h.nodes, weights, strict=True)))
        gains[i] = _gain(best - now)
    return gains


@njit
def _set_gains_kernel(ptr: np.ndarray, nodes: np.ndarray, weights: np.ndarray, players: np.ndarray,
                      kind: np.ndarray, movers: np.ndarray, sets: np.ndarray, child_ptr: np.ndarray,
                      children: np.ndarray, terminal_row: np.ndarray, payoffs: np.ndarray,
                      chance_prob: np.ndarray, beh: np.ndarray, offsets: np.ndarray, n_sets: int
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_deviation_gain_kernel` from each set's nodes (``nodes[ptr[i]:ptr[i + 1]]``, weighted
    by ``weights``) for its player: best-response values, current values, and whether the walk
    found perfect recall (else the caller enumerates)."""
    m = players.shape[0]
    br, cur, ok = np.zeros(m), np.zeros(m), np.zeros(m, dtype=np.bool_)
    for i in range(m):
        lo, hi = ptr[i], ptr[i + 1]
        br[i], cur[i], ok[i] = _deviation_gain_kernel(nodes[lo:hi], weights[lo:hi], players[i], kind, movers,
                                                      sets, child_ptr, children, terminal_row, payoffs,
                                                      chance_prob, beh, offsets, n_sets)
    return br, cur, ok


def _pbe_regret(
    nums: _TreeNumbers,
    beh: Sequence[np.ndarray],
    beliefs: Any,
    tol: float,
    exact: bool,
    details: dict[str, float],
) -> tuple[float, float, float]:
    """Largest gain (in the game's units, relative) at any information set given the beliefs, and
    the Bayes error (:func:`_pbe_numbers` of this one profile)."""
    game = nums.game
    layout = _set_layout(game)
    flat = _flat_beliefs(game, layout, beliefs, tol)
    reach = game.realization_probabilities(beh)
    per_set = np.array(_set_gains(nums, layout, flat), dtype=float).reshape(1, -1)
    per = _tree_regret(nums, [(game.root, nums.one)])
    regret, relative, bayes = _pbe_numbers(layout, _possible_nodes(game, layout), nums.units, nums.ranges,
                                           flat[None, :], reach[None, :], per_set, per[None, :], [details],
                                           exact)[0]
    if exact:
        bayes = _exact_belief_error(nums, layout, flat)
    return regret, relative, bayes


def _exact_belief_error(nums: _TreeNumbers, layout: _SetLayout, flat: np.ndarray) -> float:
    """:func:`_belief_errors` of one profile in rational arithmetic: the beliefs rationalised as
    the set's gains take them (:func:`_set_gains`), the realisation probabilities of the exact
    profile; the larger of the Bayes and Nature errors, a positive one never reported as 0."""
    game = nums.game
    reach = [nums.one] * len(game.nodes)
    for nd in game.nodes[1:]:
        reach[nd.index] = reach[nd.parent] * nums.edge(nd.parent, nd.action)
    nature_reach = [Fraction(1)] * len(game.nodes)
    for nd in game.nodes[1:]:
        parent = game.nodes[nd.parent]
        step = nums.chance[parent.infoset][nd.action] if parent.kind == CHANCE else Fraction(1)
        nature_reach[nd.index] = nature_reach[nd.parent] * step
    worst = Fraction(0)
    for i, h in enumerate(game.infosets):
        mu = _rationalise(flat[layout.ptr[i]:layout.ptr[i + 1]])
        total = sum((reach[v] for v in h.nodes), Fraction(0))
        if total > 0:
            worst = max(worst, *(abs(m - reach[v] / total) for m, v in zip(mu, h.nodes, strict=True)))
        possible = [nature_reach[v] > 0 for v in h.nodes]
        if any(possible) and not all(possible):
            worst = max(worst, sum((m for m, ok in zip(mu, possible, strict=True) if not ok), Fraction(0)))
    return _gain(worst)


def _pbe_numbers(layout: _SetLayout, impossible: list[np.ndarray], units: np.ndarray, ranges: np.ndarray,
                 flats: np.ndarray, reach: np.ndarray, per_set: np.ndarray, per: np.ndarray,
                 details: list[dict[str, float]], exact: bool = False) -> list[tuple[float, float, float]]:
    """Per profile (one row each of the beliefs ``flats``, the realisation probabilities ``reach``,
    the gains at the sets ``per_set`` and the players' whole-game gains ``per``, both on the
    players' scales): the largest gain in the game's units, the largest relative one, and the
    larger of the Bayes and Nature errors; each profile's ``details`` get its sets' gains (the
    largest, :func:`_keep_largest`) and its Nature error."""
    bayes, nature = _belief_errors(layout, flats, reach, impossible)
    players = layout.players
    in_units = per_set * units[players]  # each gain times its player's unit, as Python floats would
    relative = _relative(per_set, ranges[players], exact)
    set_regret, set_relative = _row_worst(in_units), _row_worst(relative, numpy_scalars=True)
    tree_relative = _relative(per, ranges, exact).max(axis=1).tolist() if per.shape[1] else [0.0] * len(per)
    _keep_largest_rows(details, layout.keys, in_units)
    out = []
    for e in range(len(in_units)):
        regret = _worst(set_regret[e], _in_units(per[e], units))
        rel = _worst(set_relative[e], tree_relative[e])
        details[e]["nature_error"] = nature[e]
        out.append((regret, rel, max(bayes[e], nature[e])))
    return out


def _row_worst(table: np.ndarray, numpy_scalars: bool = False) -> list[Any]:
    """Per row, :func:`_worst` of 0 and the row's values: NaN if one is NaN, else the largest of 0
    and them (0.0, never -0.0, when none is positive, as Python's ``max`` keeps its first
    argument among equals). ``numpy_scalars``: a positive largest value as a numpy float, the
    type :func:`_worst` returns of values that are numpy floats (the certificate shows it)."""
    if not table.shape[1]:
        return [0.0] * len(table)
    nan = np.isnan(table).any(axis=1).tolist()
    top = table.max(axis=1).tolist()
    wrap = np.float64 if numpy_scalars else float
    return [math.nan if bad else wrap(x) if x > 0.0 else 0.0 for bad, x in zip(nan, top, strict=True)]


def _keep_largest_row(details: dict[str, float], keys: list[str], row: np.ndarray) -> None:
    """:func:`_keep_largest` of the gains ``dict(zip(keys, row))``: the same entries in the same
    order (a stable sort on the negated values, as ``sorted`` by ``-value``; with a NaN, or a
    name twice, the dict itself is sorted)."""
    if np.isnan(row).any() or len(set(keys)) != len(keys):
        _keep_largest(details, dict(zip(keys, row.tolist(), strict=True)))
        return
    order = np.argsort(-row, kind="stable")[:_MAX_DETAILS]
    details.update(zip([keys[i] for i in order.tolist()], row[order].tolist(), strict=True))
    if len(keys) > _MAX_DETAILS:
        details["details_omitted"] = float(len(keys) - _MAX_DETAILS)


def _keep_largest_rows(details: list[dict[str, float]], keys: list[str], table: np.ndarray) -> None:
    """:func:`_keep_largest_row` of each row of ``table`` into its ``details``, with one sort of the
    whole table (a stable sort along each row gives each row's own order: a stable order of given
    values is unique); rows with a NaN, or all rows when a name comes twice, row by row."""
    if len(set(keys)) != len(keys):
        for d, row in zip(details, table, strict=True):
            _keep_largest_row(d, keys, row)
        return
    nan = np.isnan(table).any(axis=1).tolist()
    order = np.argsort(-table, axis=1, kind="stable")[:, :_MAX_DETAILS]
    top = np.take_along_axis(table, order, axis=1).tolist()
    omitted = float(len(keys) - _MAX_DETAILS) if len(keys) > _MAX_DETAILS else None
    for d, bad, picks, values, row in zip(details, nan, order.tolist(), top, table, strict=True):
        if bad:
            _keep_largest_row(d, keys, row)
            continue
        d.update(zip([keys[i] for i in picks], values, strict=True))
        if omitted is not None:
            d["details_omitted"] = omitted


def _certify_tree(
    game: ExtensiveFormGame,
    strategies: Sequence[Any],
    concept: str,
    beliefs: Any,
    tol: float,
    exact: bool,
    lam: Any,
    exact_strategies: Any,
    agent: bool = False,
) -> Certificate:
    beh = game.check_behaviour(strategies, atol=max(tol, 1e-9))
    details: dict[str, float] = {}
    bayes_error = 0.0
    if concept == "qre" and lam is not None:
        with np.errstate(over="ignore", invalid="ignore"):
            residual = _qre_residual_tree(game, beh, lam)
        per, units, _ = _nash_regret(game, beh, False, None)
        return _finished(
            Certificate(
                concept="qre",
                regret=_in_units(per, units),
                qre_residual=residual,
                tolerance=tol,
                passed=residual <= tol,
                details=details,
            )
        )
    if concept in ("nash", "qre") and agent and not game.has_perfect_recall():
        nums = _TreeNumbers(game, beh, exact, exact_strategies)
        per = _agent_regret(nums)
        regret, relative = _in_units(per, nums.units), float(_relative(per, nums.ranges, exact).max())
        details["agent_regret"] = regret
    elif concept in ("nash", "qre"):
        per, units, ranges = _nash_regret(game, beh, exact, exact_strategies)
        regret, relative = _in_units(per, units), float(_relative(per, ranges, exact).max())
    elif concept == "spe":
        regret, relative = _spe_regret(_TreeNumbers(game, beh, exact, exact_strategies), details)
    elif concept == "pbe":
        nums = _TreeNumbers(game, beh, exact, exact_strategies)
        regret, relative, bayes_error = _pbe_regret(nums, beh, beliefs, tol, exact, details)
    else:
        raise UnsupportedError(f"unknown concept '{concept}'")
    return _tree_certificate(concept, regret, relative, bayes_error, tol, exact, details)


def _tree_certificate(concept: str, regret: float, relative: float, bayes_error: float, tol: float,
                      exact: bool, details: dict[str, float]) -> Certificate:
    """The certificate of a tree's numbers: passed when the relative regret is within ``tol`` and
    the Bayes error within ``max(tol, 1e-9)``, or, ``exact``, when both are exactly 0 (an exact
    number is positive here exactly when it is positive, :func:`_gain`, :func:`_relative`); and
    every number finite (:func:`_finished`)."""
    details["relative_regret"] = relative
    if exact:
        passed = relative == 0 and bayes_error == 0
    else:
        passed = relative <= tol and bayes_error <= max(tol, 1e-9)
    return _finished(instance(Certificate, {  # every field, as Certificate(...) would set them
        "concept": concept, "regret": _worst(regret, 0.0), "bayes_error": bayes_error, "qre_residual": 0.0,
        "tolerance": tol, "exact": exact, "passed": passed, "details": details,
    }))


@njit
def _pbe_batch_kernel(behs: np.ndarray, weights: np.ndarray, ptr: np.ndarray, nodes: np.ndarray,
                      players: np.ndarray, kind: np.ndarray, movers: np.ndarray, sets: np.ndarray,
                      child_ptr: np.ndarray, children: np.ndarray, terminal_row: np.ndarray,
                      scaled: np.ndarray, chance_prob: np.ndarray, offsets: np.ndarray, parent: np.ndarray,
                      edge_flat: np.ndarray, edge_set: np.ndarray, terminals: np.ndarray, payoffs: np.ndarray,
                      shifts: np.ndarray, units: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """The compiled passes of :func:`_pbe_regret` for many profiles (rows of ``behs``, beliefs in
    the rows of ``weights``), each the same call as for one profile alone: the reach
    probabilities (``_reach`` of :mod:`deterrence.game.extensive`), the gains at every set
    (:func:`_set_gains_kernel`) and the players' gains in the whole game
    (:func:`_nash_regret_kernel`); and whether every walk found perfect recall (else the caller
    certifies profile by profile)."""
    n_prof, n_sets = behs.shape[0], players.shape[0]
    reach = np.empty((n_prof, parent.shape[0]))
    per_set = np.empty((n_prof, n_sets))
    per = np.empty((n_prof, payoffs.shape[1]))
    ok = True
    for e in range(n_prof):
        reach[e] = _reach(parent, edge_flat, chance_prob, behs[e])
        br, cur, done = _set_gains_kernel(ptr, nodes, weights[e], players, kind, movers, sets, child_ptr,
                                          children, terminal_row, scaled, chance_prob, behs[e], offsets,
                                          n_sets)
        per_set[e] = br - cur
        regret, _, recall = _nash_regret_kernel(parent, edge_set, edge_flat, chance_prob, offsets, players,
                                                terminals, payoffs, shifts, units, behs[e])
        per[e] = regret
        ok = ok and recall and done.all()
    return reach, per_set, per, ok


def certify_pbe_batch(game: Any, candidates: Sequence[Any], tol: float
                      ) -> tuple[list[Certificate], np.ndarray] | None:
    """Floating-point PBE certificates of many candidates of one tree (anything with ``strategies``
    and ``beliefs``), each the certificate :func:`certify_candidate` gives it alone (bit for bit:
    the same checks and compiled passes, taken over all candidates at once, :func:`_pbe_numbers`),
    and the candidates' realisation probabilities (candidates x nodes).

    ``None`` when the batch does not apply or a candidate is refused or fails (the tree lacks
    perfect recall, a profile or belief is not valid, a number is not finite, a walk needs the
    Python fallback, a certificate does not pass): the caller then certifies the candidates one
    by one, which raises the first error in order.
    """
    out = _pbe_certificates(game, candidates, tol)
    if out is None or not all(c.passed for c in out[0]):
        return None
    return out


def _pbe_certificates(game: Any, candidates: Sequence[Any], tol: float
                      ) -> tuple[list[Certificate], np.ndarray] | None:
    """:func:`certify_pbe_batch`, passed or not (``None`` only when the batch does not apply)."""
    if (not isinstance(game, ExtensiveFormGame) or not candidates or not game.infosets
            or not game.has_perfect_recall()):
        return None
    try:
        _check_arguments("pbe", tol, False)
        behs = _behaviours(game, candidates, max(tol, 1e-9))
        layout = _set_layout(game)
        flats = _flat_beliefs_all(game, layout, [c.beliefs for c in candidates], tol)
    except (GameError, SolverError):
        return None
    if behs is None:  # (a profile that is not a probability vector at every set)
        return None
    scaled, units, ranges = _scaled_payoffs(game)
    _, payoffs, shifts, game_units = _game_arrays(game)
    kind, movers, sets, child_ptr, children, terminal_row = game.node_arrays
    reach, per_set, per, ok = _pbe_batch_kernel(
        behs, flats, layout.ptr, layout.nodes, layout.players, kind, movers, sets, child_ptr, children,
        terminal_row, scaled, game._chance_prob, game._action_offset, game._parent, game._edge_flat,
        game._edge_infoset, game._terminal_idx, payoffs, shifts, game_units)
    if not ok or not np.isfinite(per).all():
        return None
    details: list[dict[str, float]] = [{} for _ in candidates]
    numbers = _pbe_numbers(layout, _possible_nodes(game, layout), units, ranges, flats, reach, per_set, per,
                           details)
    certs = [_tree_certificate("pbe", regret, relative, bayes, tol, False, d)
             for (regret, relative, bayes), d in zip(numbers, details, strict=True)]
    return certs, reach


def _behaviours(game: ExtensiveFormGame, candidates: Sequence[Any], atol: float) -> np.ndarray | None:
    """The candidates' behaviour profiles checked (``game.check_behaviour``) and stacked, a row per
    candidate (its sets' vectors one after another), or ``None`` if one is not a probability vector
    at every set.

    When every profile is float vectors of the sets' sizes (:func:`~deterrence.game._vectors.stacked`),
    ``check_behaviour`` would take them as they are and test their concatenation: that test
    (``_first_not_distribution``) runs on each row of the stack. Else each profile is checked alone.

    Raises
    ------
    GameError
        If a profile is not one vector of numbers per information set, of the set's size.
    """
    flat = stacked([c.strategies for c in candidates], game._action_counts)
    if flat is None:
        behs = [game.check_behaviour(c.strategies, atol=atol) for c in candidates]
        return np.array([np.concatenate(b) for b in behs], dtype=float)
    if any(_first_not_distribution(row, game._action_offset, atol) >= 0 for row in flat):
        return None
    return flat


# ----------------------------------------------------------------------------- entry point
def certify(
    game: NormalFormGame | ExtensiveFormGame,
    strategies: Sequence[Any],
    concept: str = "nash",
    *,
    beliefs: Sequence[Any] | None = None,
    tol: float = 1e-8,
    exact: bool = False,
    lam: Any = None,
    exact_strategies: Any = None,
    agent: bool = False,
) -> Certificate:
    """Certify a profile as an equilibrium of ``concept``.

    Parameters
    ----------
    game
        The game.
    strategies
        Normal form: one mixed strategy per player; extensive form: one behaviour vector per
        information set (``game.infosets`` order); a
        :class:`~deterrence.game.reputation.ReputationGame`: a Markov profile (see
        :func:`certify_reputation`; ``concept`` must be ``"pbe"``, the check is exact).
    concept
        ``"nash"``, ``"spe"``, ``"pbe"`` or ``"qre"``. For ``"qre"`` with ``lam=None`` (the
        lambda -> infinity limit) the Nash conditions are checked.
    beliefs
        PBE: one distribution per information set over its nodes.
    tol
        Tolerance on the regret *relative to each player's payoff range* (max minus min of its
        payoffs; so certificates do not depend on the units of the payoffs), and absolute
        tolerance on the Bayes error and the QRE residual (probabilities).
    exact
        An exact verdict: regrets and the Bayes error computed in rational arithmetic (float
        profiles and beliefs rationalised with ``Fraction.limit_denominator(10**9)`` unless
        ``exact_strategies`` are given; payoffs, floats included, taken exactly as the
        rationals they are), and the profile passes only if it is an exact equilibrium: regret
        and Bayes error exactly 0 (the reported regret is the exact one, a positive gain never
        reported as 0). ``tol`` then allows no regret; it only bounds how far ``strategies``
        may be from probability vectors and from ``exact_strategies``. So an equilibrium with
        irrational probabilities, given in floats, fails an exact certificate: certify it in
        floating point, within ``tol``. A :class:`~deterrence.game.reputation.ReputationGame`
        is certified by :func:`certify_reputation` with ``tol=0``.
    lam
        QRE precision (number or one per player).
    exact_strategies
        Exact rational version of ``strategies`` if the solver has one.
    agent
        Trees, ``"nash"`` (or ``"qre"`` without ``lam``): check the regret of the *agent form*
        instead — the largest gain of a mover who changes its move at one information set
        only (``details["agent_regret"]``). The equilibrium notion of trees without perfect
        recall, where an agent-form equilibrium need not be a Nash equilibrium; ignored on
        trees with perfect recall, whose Nash regret is always checked.

    Returns
    -------
    Certificate
        ``passed`` is True when every quantity is within ``tol`` (``exact``: exactly 0).

    Examples
    --------
    >>> import numpy as np
    >>> from deterrence import NormalFormGame
    >>> g = NormalFormGame([np.array([[1, -1], [-1, 1]]), np.array([[-1, 1], [1, -1]])])
    >>> certify(g, [np.array([0.5, 0.5]), np.array([0.5, 0.5])], exact=True).regret
    0.0
    """
    _check_arguments(concept, tol, exact)
    if isinstance(game, NormalFormGame):
        if concept in ("spe", "pbe"):
            raise UnsupportedError(f"{concept} needs an extensive-form game")
        return _certify_normal(game, strategies, concept, tol, exact, lam, exact_strategies)
    if isinstance(game, ExtensiveFormGame):
        return _certify_tree(game, strategies, concept, beliefs, tol, exact, lam, exact_strategies, agent)
    if isinstance(game, ReputationGame):
        if concept != "pbe":
            raise UnsupportedError(f"a reputation game in compact form is certified as a PBE, not {concept}")
        return certify_reputation(game, strategies, tol=0 if exact else tol)  # type: ignore[arg-type]
    if isinstance(game, CollectiveDefenceGame):
        return certify_collective(game, strategies, concept, beliefs=beliefs, tol=tol, exact=exact)
    raise GameError(f"cannot certify a {type(game).__name__}")


def check_passed(cert: Certificate) -> Certificate:
    """``cert`` if it passed.

    Raises
    ------
    SolverError
        If it failed: the candidate it certifies is not an equilibrium within the tolerance.
    """
    if not cert.passed:
        raise SolverError(
            f"a {cert.concept} candidate failed certification (regret {cert.regret:.3g}, Bayes error "
            f"{cert.bayes_error:.3g}, QRE residual {cert.qre_residual:.3g}, tolerance {cert.tolerance:.3g}); "
            "this is a bug in the solver or a numerically hard game: try exact=True or another method"
        )
    return cert


def certify_candidate(
    game: NormalFormGame | ExtensiveFormGame,
    candidate: Any,
    concept: str,
    tol: float = 1e-8,
    exact: bool = False,
    check: bool = True,
) -> Certificate:
    """Certify a solver's candidate (anything with ``strategies``, ``beliefs``, ``lam``, ``exact``).

    The precision of a QRE candidate is its own ``lam``; ``exact`` values the solver computed
    are used by an exact certificate; a candidate marked ``agent`` (an equilibrium of the agent
    form of a tree without perfect recall) is certified by its agent-form regret.

    Raises
    ------
    SolverError
        If the candidate fails certification (:func:`check_passed`; ``check=False``: the failed
        certificate is returned).
    """
    cert = certify(
        game,
        candidate.strategies,
        concept=concept,
        beliefs=candidate.beliefs,
        tol=tol,
        exact=exact,
        lam=candidate.lam,
        exact_strategies=candidate.exact,
        agent=bool(getattr(candidate, "agent", False)),
    )
    return check_passed(cert) if check else cert
