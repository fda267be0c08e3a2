"""Studies built on the core, each a small package or module that uses the layers below.

``burden`` (alliance burden-sharing, the 2 % pledge), ``collective`` (collective defence: the
burden-sharing link to wartime reliability), ``commitment`` (commitment types:
defence pact, entente, non-aggression pact), ``postures`` (defence postures of the asymmetric
escalation game), ``statistical`` (strategic statistical models, the R package ``games``).
Each is imported on first use: ``dt.studies.burden``.
"""

from __future__ import annotations

import importlib
from typing import Any

_STUDIES = ("burden", "collective", "commitment", "estimation", "postures", "statistical")

__all__ = list(_STUDIES)


def __getattr__(name: str) -> Any:
    if name in _STUDIES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'deterrence.studies' has no attribute {name!r}")
