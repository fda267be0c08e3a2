"""The commitment types (pledge types) and what each promises: the codes the catalogue shares.

:data:`COMMITMENT_TYPES` maps a code to ``(name, audience-cost multiplier, credibility
multiplier)``. ``extended_deterrence_commitment_types`` uses both multipliers (its
``commitment_type`` parameter); ``collective_defence`` uses the code as each ally's ``pledge``
and the audience-cost multiplier only (its credibility is a parameter of its own). Code 0, a
coalition of convenience, is no pledge at all: no audience cost, and staying out of a war is not
abandonment. Re-exported as ``dt.builders.COMMITMENT_TYPES``.
"""

from __future__ import annotations

import numbers

from ..errors import ParameterError

#: The commitment types: code -> (name, audience-cost multiplier, credibility multiplier).
#: STYLISED: the ordering defence pact > entente > non-aggression pact > coalition of convenience
#: follows the ATOP/Correlates-of-War literature (Leeds, Ritter, Mitchell & Long 2002; Leeds 2003;
#: Gibler & Sarkees 2004); the numbers are not estimates, they only encode that ordering and can be
#: changed through the parameters.
COMMITMENT_TYPES: dict[int, tuple[str, float, float]] = {
    0: ("coalition_of_convenience", 0.0, 0.25),
    1: ("non_aggression_pact", 0.25, 0.5),
    2: ("entente", 0.6, 0.75),
    3: ("defence_pact", 1.0, 1.0),
}

#: the code of no pledge (a coalition of convenience: nothing promised)
NO_PLEDGE = 0
#: the code of a defence pact ("an attack on one is an attack on all")
DEFENCE_PACT = 3


def audience_multiplier(code: float, name: str = "pledge") -> float:
    """The audience-cost multiplier of a pledge code.

    Raises
    ------
    ParameterError
        A code that is not one of :data:`COMMITMENT_TYPES` (naming the parameter ``name``).
    """
    real = isinstance(code, numbers.Real) and not isinstance(code, bool)  # not text: "3" is no code
    key = int(code) if real and float(code).is_integer() else None
    if key not in COMMITMENT_TYPES:
        codes = ", ".join(f"{k} {v[0]}" for k, v in COMMITMENT_TYPES.items())
        shown = f"{code:g}" if real else repr(code)
        raise ParameterError(
            f"{name} = {shown} is not a pledge type code; the codes are {codes}", name=name, value=code
        )
    return COMMITMENT_TYPES[key][1]


__all__ = ["COMMITMENT_TYPES", "DEFENCE_PACT", "NO_PLEDGE", "audience_multiplier"]
