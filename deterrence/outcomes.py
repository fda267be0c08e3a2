"""The shared outcome vocabulary and the indicators computed from outcome probabilities.

Every terminal node of a model carries labels from :data:`OUTCOMES`, so that sweeps
answer the same questions for every model (see ``docs/reference/outcomes.md``).
"""

from __future__ import annotations

from collections.abc import Mapping

#: label -> meaning
OUTCOMES: dict[str, str] = {
    "status_quo": "no attack: deterrence held",
    "capitulation": "attacked state or ally gives in without war",
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


def indicators(outcomes: Mapping[str, float]) -> dict[str, float]:
    """Mission indicators from an outcome-label distribution.

    ``p_attack`` is one minus the probability of ``status_quo``; the others sum the
    probabilities of the labels listed in :data:`INDICATORS`. A terminal node may carry
    several labels (``allied_war`` and ``entrapment``), so label probabilities need not sum
    to one; ``war`` and ``allied_war`` are exclusive by convention.

    Parameters
    ----------
    outcomes
        label -> probability, as in ``Equilibrium.outcomes``.

    Returns
    -------
    dict
        ``p_attack``, ``p_war``, ``p_allied_war``, ``p_entrapment``, ``p_abandonment``.
    """
    out = {"p_attack": 1.0 - float(outcomes.get("status_quo", 0.0))}
    for name, labels in INDICATORS.items():
        out[name] = float(sum(outcomes.get(label, 0.0) for label in labels))
    return out


INDICATOR_NAMES: tuple[str, ...] = ("p_attack", *INDICATORS)


def regime_label(outcomes: Mapping[str, float], pure: bool, tol: float = 1e-9) -> str:
    """A generic equilibrium class from its outcome distribution.

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
    order = {lab: k for k, lab in enumerate(OUTCOMES)}
    present = sorted((lab for lab, p in outcomes.items() if p > tol), key=lambda x: (order.get(x, 99), x))
    body = "+".join(present) if present else "none"
    return body if pure else f"mixed:{body}"
