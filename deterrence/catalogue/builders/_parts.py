"""Parameters as the builders write them: every field named, so a reader sees what each value means.

:func:`parameter` makes a :class:`~deterrence.model.Parameter` from keyword arguments;
:class:`ParameterText` is a parameter without its default value, for builders that list their
parameters first and take the defaults from their own arguments (:func:`with_defaults`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import KW_ONLY, dataclass

from ...model import Parameter

#: the whole real line: the domain of a utility
REAL: tuple[float, float] = (-math.inf, math.inf)


def parameter(
    name: str,
    default: float,
    *,
    description: str,
    symbol: str = "",
    domain: tuple[float, float] = REAL,
    open_lower: bool = False,
    open_upper: bool = False,
) -> Parameter:
    """A model parameter, every field but the name and the default given by keyword."""
    return Parameter(
        name=name,
        default=default,
        domain=domain,
        description=description,
        symbol=symbol,
        open_lower=open_lower,
        open_upper=open_upper,
    )


@dataclass(frozen=True)
class ParameterText:
    """A parameter as a builder declares it, before its default is known.

    Parameters
    ----------
    name
        The parameter's name (also the builder's keyword argument that gives its default).
    description, symbol, domain, open_lower, open_upper
        As in :class:`~deterrence.model.Parameter`; the domain defaults to the real line.
    """

    name: str
    _: KW_ONLY
    description: str
    symbol: str = ""
    domain: tuple[float, float] = REAL
    open_lower: bool = False
    open_upper: bool = False

    def with_default(self, default: float) -> Parameter:
        """The :class:`~deterrence.model.Parameter` with this text and ``default``."""
        return parameter(
            self.name,
            default,
            description=self.description,
            symbol=self.symbol,
            domain=self.domain,
            open_lower=self.open_lower,
            open_upper=self.open_upper,
        )


def with_defaults(texts: Iterable[ParameterText], values: Mapping[str, float]) -> list[Parameter]:
    """Each declared parameter with its default taken from ``values`` (the builder's arguments)."""
    return [t.with_default(values[t.name]) for t in texts]
