"""The one way the package turns sympy expressions into numpy functions.

:func:`sympy.lambdify` writes Python source with the arguments' names as the generated
function's parameters. A model parameter named like something that code uses (``maximum``,
``select``, ``numpy``) would then shadow it, and the generated function fails or, worse,
computes with the parameter where numpy's function belongs. Renaming the arguments in the code
(``dummify=True``) is not enough: for a single expression, lambdify also puts every symbol of the
expression into the generated function's namespace under its name, over numpy's function of
that name. :func:`numpy_function` therefore replaces the arguments by fresh dummy symbols in the
expressions themselves before lambdify sees them, so no name a user gives a parameter reaches
the generated code or its namespace.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sympy as sp


def numpy_function(
    args: Sequence[sp.Symbol],
    exprs: Any,
    *,
    cse: bool = False,
    extra: Mapping[str, Callable[..., Any]] | None = None,
) -> Callable[..., Any]:
    """``exprs`` (an expression or a list of them) as a numpy function of ``args``, in order.

    Parameters
    ----------
    args
        The symbols, in the order the function takes their values.
    exprs
        A sympy expression, or a list of them (the function then returns a list).
    cse
        Share common sub-expressions in the generated code.
    extra
        Functions the expressions call by name, besides numpy's (e.g. a special function).

    Returns
    -------
    callable
        The function, with dummy argument names whatever the symbols are called.
    """
    dummies = [sp.Dummy(f"arg{k}") for k in range(len(args))]
    renamed = dict(zip(args, dummies, strict=True))
    modules: list[Any] = [dict(extra), "numpy"] if extra else ["numpy"]
    return sp.lambdify(dummies, _replaced(exprs, renamed), modules=modules, cse=cse, dummify=True)


def _replaced(exprs: Any, renamed: Mapping[sp.Symbol, sp.Dummy]) -> Any:
    """``exprs`` (one expression, or a list or tuple of them) with the symbols replaced."""
    if isinstance(exprs, (list, tuple)):
        return [_replaced(e, renamed) for e in exprs]
    return exprs.xreplace(renamed) if isinstance(exprs, sp.Basic) else exprs


__all__ = ["numpy_function"]
