"""deterrence: game-theoretic models of deterrence and alliances.

Build attacker–defender–ally games from published models or by parameter name, find their
equilibria (Nash, subgame-perfect, perfect Bayesian, logit quantal response), each one
certified, and sweep the parameters to see where a pledge deters and where it entraps.

>>> import deterrence as dt
>>> "extended_deterrence" in dt.list_models()
True
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it; imported on first use so `import deterrence` stays light
_PUBLIC: dict[str, str] = {
    "DeterrenceError": "errors",
    "ModelError": "errors",
    "ExpressionError": "errors",
    "ParameterError": "errors",
    "OrderingError": "errors",
    "GameError": "errors",
    "FormatError": "errors",
    "LabelError": "errors",
    "UnsupportedError": "errors",
    "SolverError": "errors",
    "ResourceError": "errors",
    "TimeLimitError": "errors",
    "SweepError": "errors",
    "SweepVersionError": "errors",
    "OptionError": "errors",
    "NormalFormGame": "game",
    "ExtensiveFormGame": "game",
    "ReputationGame": "game",
    "CrisisStage": "game",
    "decision": "game",
    "chance": "game",
    "terminal": "game",
    "read_game": "gambit",
    "write_game": "gambit",
    "Model": "model",
    "ModelSpec": "model",
    "Parameter": "model",
    "list_models": "catalogue",
    "load_model": "catalogue",
    "solve": "_solve",
    "solve_reputation": "_solve_reputation",
    "ReputationEquilibrium": "_solve_reputation",
    "solver_options": "solvers",
    "CONCEPTS": "equilibrium",
    "BELIEF_POLICIES": "equilibrium",
    "Equilibrium": "equilibrium",
    "EquilibriumSet": "equilibrium",
    "Certificate": "equilibrium",
    "certify": "certificates",
    "OUTCOMES": "outcomes",
    "INDICATOR_NAMES": "outcomes",
    "regime_label": "outcomes",
    "regimes": "analysis",
    "threshold": "analysis",
    "numeric_threshold": "analysis",
    "sweep": "sweeps",
    "SweepResult": "sweeps",
    "Linspace": "sweeps",
    "MAX_POINTS_IN_MEMORY": "sweeps",
    "fit": "studies.estimation",
    "load_dataset": "studies.estimation",
    "vuong": "studies.estimation",
    "clarke": "studies.estimation",
}

# public namespaces: dt.builders.extended_deterrence(...), dt.studies.burden.equilibrium(...)
_NAMESPACES: dict[str, str] = {
    "builders": "catalogue.builders",
    "studies": "studies",
    "explorer": "explorer",
    "demos": "demos",
}

__all__ = ["__version__", *sorted(_PUBLIC), *sorted(_NAMESPACES)]


# Subpackages are plural nouns and private modules start with "_", so no submodule is named
# like a public function: importing one never replaces the function on the package.


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        module = importlib.import_module(f".{_PUBLIC[name]}", __name__)
        value = getattr(module, name)
    elif name in _NAMESPACES:
        value = importlib.import_module(f".{_NAMESPACES[name]}", __name__)
    else:
        raise AttributeError(f"module 'deterrence' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC) | set(_NAMESPACES))
