"""Defence postures of the Asymmetric Escalation Game as restrictions of the Defender's options.

Zagare and Kilgour compare deployment postures by what they let the Defender do when
challenged. Two are expressed here as restrictions of the Defender's first response (at every
type's information set), with :meth:`deterrence.Model.restrict`:

``flexible_response``
    the full game: concede, respond in kind, or escalate (book ch. 8, Appendix 7 [S: chapter
    titles]).
``massive_retaliation``
    no substrategic option: concede or escalate (book ch. 7, Appendix 6 [S: chapter titles];
    the restriction is our reading [L]).
``no_first_use``
    no first escalation: concede or respond in kind; the Defender may still counter-escalate
    after the Challenger escalates [L: the posture's usual meaning; not checked against the
    1995 paper's definitions].

The 1995 paper's "warfighting" deployment is not modelled: its definition was not retrieved.
"""

from __future__ import annotations

from typing import Any

from ..errors import ParameterError

DEFENDER_TYPES = ("HH", "HS", "SH", "SS")

POSTURES: dict[str, tuple[tuple[str, ...], str]] = {
    "flexible_response": (
        ("concede", "respond", "escalate"),
        "Flexible response: the Defender may concede, respond in kind or escalate.",
    ),
    "massive_retaliation": (
        ("concede", "escalate"),
        "Massive retaliation: the Defender has no substrategic option; it concedes or escalates.",
    ),
    "no_first_use": (
        ("concede", "respond"),
        "No first use: the Defender concedes or responds in kind, and escalates only in reply.",
    ),
}


def posture(model: Any, name: str) -> Any:
    """The Asymmetric Escalation Game under one defence posture.

    Parameters
    ----------
    model
        The ``asymmetric_escalation`` model (or its catalogue name).
    name
        ``"flexible_response"``, ``"massive_retaliation"`` or ``"no_first_use"``.

    Returns
    -------
    Model
        The model with the Defender's first response restricted (same parameters).

    Raises
    ------
    ParameterError
        If the posture is unknown.
    ModelError
        If the model lacks the AEG's Defender information sets.
    """
    from ..catalogue import load_model
    from ..model import Model

    m = load_model(model) if isinstance(model, str) else model
    if not isinstance(m, Model):
        raise ParameterError(f"model must be the asymmetric_escalation model or its name, got "
                             f"{type(model).__name__}", name="model", value=model)
    if not isinstance(name, str) or name not in POSTURES:
        raise ParameterError(f"unknown posture '{name}'; postures: {', '.join(POSTURES)}", name="posture",
                             value=name)
    actions, description = POSTURES[name]
    if name == "flexible_response":
        return m
    keep = {f"defender_{t}": list(actions) for t in DEFENDER_TYPES}
    return m.restrict(keep, label=name.replace("_", " "), description=f"{description}\n\n{m.description}")
