"""The shared outcome vocabulary, the indicators and the regime labels, on whole arrays.

Every terminal node of a model carries labels from :data:`OUTCOMES`, so that sweeps
answer the same questions for every model (see ``docs/reference/outcomes.md``).

This module is the one source of two rules, written once for whole arrays of equilibria:

* the **indicators** (:func:`indicator_values`): ``p_attack`` and the sums of
  :data:`INDICATORS`, on numbers, numpy arrays or sympy expressions alike;
* the **regime labels** (:func:`regime_labels`): the labels with positive probability, in
  vocabulary order, joined by ``+``, prefixed by ``mixed:`` where some player randomises.
  On arrays they go through integer codes (:func:`regime_codes`, named by
  :func:`regime_code_names`), which the compiled kernels compute in compiled code.

The per-equilibrium functions :func:`indicators` and :func:`regime_label` are these rules on
one equilibrium; the compiled kernels (:mod:`deterrence.kernels`), the per-point sweep path
(:mod:`deterrence.sweeps`) and the exact regimes (:mod:`deterrence.analysis`) all call this
module.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

#: label -> meaning
OUTCOMES: dict[str, str] = {
    "status_quo": "no attack: deterrence held",
    "capitulation": "attacked state or ally gives in without war",
    "backdown": "the attacker withdraws its challenge without war when the other side stands firm",
    "war": "war between attacker and defender without the ally",
    "allied_war": "the ally fights beside the defender",
    "abandonment": "the ally declines to honour a pledge it made",
    "entrapment": (
        "the ally fights a war it would not have chosen: one started by the defender's "
        "provocation, or one it enters only because of the pledge's costs of reneging"
    ),
}

#: indicator name -> the outcome labels whose probabilities it sums
INDICATORS: dict[str, tuple[str, ...]] = {
    "p_war": ("war", "allied_war"),
    "p_allied_war": ("allied_war",),
    "p_entrapment": ("entrapment",),
    "p_abandonment": ("abandonment",),
}

#: every indicator, ``p_attack`` first
INDICATOR_NAMES: tuple[str, ...] = ("p_attack", *INDICATORS)

#: probabilities at or below this count as zero in regime labels
LABEL_TOL = 1e-9


# ---------------------------------------------------------------------------------- order
def label_order(labels: Iterable[str]) -> list[str]:
    """Outcome labels in vocabulary order (labels outside the vocabulary last, alphabetically)."""
    rank = {lab: k for k, lab in enumerate(OUTCOMES)}
    return sorted(set(labels), key=lambda lab: (rank.get(lab, len(rank)), lab))


def regime_name(present: Iterable[str], pure: bool) -> str:
    """The regime label of an equilibrium reaching the labels ``present`` with positive probability.

    The labels in vocabulary order joined by ``+`` (``"none"`` when there are none), prefixed by
    ``mixed:`` when some player randomises (``pure`` false).
    """
    body = "+".join(label_order(present)) or "none"
    return body if pure else f"mixed:{body}"


# ---------------------------------------------------------------------------------- indicators
def indicator_values(outcomes: Mapping[str, Any], zero: Any = 0.0) -> dict[str, Any]:
    """The indicators from outcome-label probabilities: numbers, arrays or sympy expressions.

    ``p_attack`` is one minus the probability of ``status_quo``; the others sum the
    probabilities of the labels listed in :data:`INDICATORS` (labels absent from ``outcomes``
    count as zero). A terminal node may carry several labels (``allied_war`` and
    ``entrapment``), so label probabilities need not sum to one; ``war`` and ``allied_war`` are
    exclusive by convention.

    Parameters
    ----------
    outcomes
        label -> probability (a number, an array of one value per equilibrium, or an expression).
    zero
        The zero of the values' kind (``0.0``, ``np.zeros(n)``, ``sympy.Integer(0)``): the value of
        an absent label and the start of every sum.

    Returns
    -------
    dict
        ``p_attack``, ``p_war``, ``p_allied_war``, ``p_entrapment``, ``p_abandonment``.
    """
    out = {"p_attack": 1 - outcomes.get("status_quo", zero)}
    for name, labels in INDICATORS.items():
        out[name] = sum((outcomes[label] for label in labels if label in outcomes), zero)
    return out


def indicators(outcomes: Mapping[str, float]) -> dict[str, float]:
    """Mission indicators of one equilibrium (:func:`indicator_values` on its outcome distribution).

    Parameters
    ----------
    outcomes
        label -> probability, as in ``Equilibrium.outcomes``.

    Returns
    -------
    dict
        ``p_attack``, ``p_war``, ``p_allied_war``, ``p_entrapment``, ``p_abandonment`` (floats).
    """
    arrays = {lab: np.array([float(p)]) for lab, p in outcomes.items()}
    return {name: float(v[0]) for name, v in indicator_values(arrays, np.zeros(1)).items()}


# ---------------------------------------------------------------------------------- regimes
def regime_labels(
    outcomes: Mapping[str, Any], pure: bool | np.ndarray, tol: float = LABEL_TOL, n: int | None = None
) -> np.ndarray:
    """The regime label of every equilibrium of an array (see :func:`regime_name`).

    Parameters
    ----------
    outcomes
        label -> array of probabilities, one per equilibrium.
    pure
        Whether every player plays a pure strategy: one flag for all, or one per equilibrium.
    tol
        Probabilities at or below this count as zero.
    n
        The number of equilibria (needed only when ``outcomes`` is empty).

    Returns
    -------
    numpy.ndarray
        Object array of labels, e.g. ``"status_quo"``, ``"allied_war+entrapment"``,
        ``"mixed:status_quo+war"``.
    """
    labels = label_order(outcomes)
    if n is None:
        n = len(np.atleast_1d(outcomes[labels[0]])) if labels else 1
    mixed = ~np.broadcast_to(np.asarray(pure, dtype=bool), (n,))
    if len(labels) > 61:  # too many labels for one integer code per equilibrium
        return _labels_by_rows(outcomes, labels, mixed, tol, n)
    if len(labels) < 8:  # few codes, one byte each (less to write), all named once per label set
        codes8 = mixed.astype(np.uint8) << np.uint8(len(labels))
        for k, lab in enumerate(labels):
            codes8 |= (np.asarray(outcomes[lab], dtype=float) > tol).view(np.uint8) << np.uint8(k)
        return regime_code_names(tuple(labels))[codes8]  # indexing: ndarray.take is slower on objects
    codes = regime_codes(outcomes, labels, ~mixed, tol)
    if len(labels) < 20:
        return _names_of_codes(codes, labels)
    present, inverse = np.unique(codes, return_inverse=True)
    return np.array([_code_name(int(c), labels) for c in present], dtype=object)[inverse.reshape(-1)]


def regime_codes(
    outcomes: Mapping[str, Any], labels: Sequence[str], pure: bool | np.ndarray, tol: float = LABEL_TOL
) -> np.ndarray:
    """The regime of every equilibrium of an array as an integer code (``int64``; fewer than 62
    ``labels``): bit ``k`` set where ``labels[k]`` has a probability above ``tol``, bit
    ``len(labels)`` where some player mixes (``pure`` false). :func:`regime_code_names` names
    the codes; :func:`regime_labels` is the two together (the compiled kernels compute the same
    codes in compiled code, :mod:`deterrence.kernels._rows`)."""
    first = np.atleast_1d(outcomes[labels[0]]) if labels else np.zeros(1)
    mixed = ~np.broadcast_to(np.asarray(pure, dtype=bool), first.shape)
    codes = mixed.astype(np.int64) << len(labels)
    for k, lab in enumerate(labels):
        codes |= (np.asarray(outcomes[lab], dtype=float) > tol).astype(np.int64) << k
    return codes


@functools.lru_cache(maxsize=64)
def regime_code_names(labels: tuple[str, ...]) -> np.ndarray:
    """The regime label of every code of :func:`regime_codes` for fewer than 12 ``labels`` (in
    vocabulary order), built once per label set: ``names[code]``."""
    if len(labels) >= 12:
        raise ValueError(f"{len(labels)} labels have too many regime codes to list")
    return np.array([_code_name(c, labels) for c in range(1 << (len(labels) + 1))], dtype=object)


def _names_of_codes(codes: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """The regime labels of equilibrium codes below ``2 ** (len(labels) + 1)`` (see
    :func:`_code_name`): the codes present counted, each named once, then one lookup."""
    present = np.flatnonzero(np.bincount(codes, minlength=1 << (len(labels) + 1)))
    table = np.empty(1 << (len(labels) + 1), dtype=object)
    table[present] = [_code_name(int(c), labels) for c in present]
    return table[codes]  # indexing: ndarray.take is slower on objects


def _code_name(code: int, labels: Sequence[str]) -> str:
    """The regime label of an equilibrium code (bit k: ``labels[k]`` present; top bit: mixed)."""
    present = [lab for k, lab in enumerate(labels) if code >> k & 1]
    return regime_name(present, pure=not (code >> len(labels) & 1))


def _labels_by_rows(
    outcomes: Mapping[str, Any], labels: Sequence[str], mixed: np.ndarray, tol: float, n: int
) -> np.ndarray:
    """:func:`regime_labels` for label sets too large for integer codes (distinct rows)."""
    present = np.zeros((n, len(labels) + 1), dtype=bool)
    for k, lab in enumerate(labels):
        present[:, k] = np.asarray(outcomes[lab], dtype=float) > tol
    present[:, -1] = mixed
    rows, inverse = np.unique(present, axis=0, return_inverse=True)
    names = [regime_name([lab for lab, on in zip(labels, r, strict=False) if on], not r[-1]) for r in rows]
    return np.array(names, dtype=object)[inverse.reshape(-1)]


def regime_label(outcomes: Mapping[str, float], pure: bool, tol: float = LABEL_TOL) -> str:
    """A generic equilibrium class from its outcome distribution (:func:`regime_labels` of one).

    The labels with positive probability, in vocabulary order, joined by ``+``; prefixed by
    ``mixed:`` when some player randomises. Examples: ``"status_quo"``,
    ``"allied_war+entrapment"``, ``"mixed:status_quo+war"``. Models may map these to named
    classes (``separating``, ``bluff``, ...).

    Parameters
    ----------
    outcomes
        label -> probability.
    pure
        Whether every player plays a pure strategy.
    tol
        Probabilities at or below this count as zero.
    """
    arrays = {lab: np.array([float(p)]) for lab, p in outcomes.items()}
    return str(regime_labels(arrays, pure, tol, n=1)[0])
