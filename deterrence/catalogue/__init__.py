"""catalogue: see docs/discussion/architecture.md."""

from __future__ import annotations

from ._files import (
    FAMILIES,
    dumps_model,
    expression_text,
    list_models,
    load_model,
    loads_model,
    models_dir,
)

__all__ = [
    "FAMILIES",
    "dumps_model",
    "expression_text",
    "list_models",
    "load_model",
    "loads_model",
    "models_dir",
]
