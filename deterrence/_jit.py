"""Compilation of the numeric kernels (solvers, certificates) with numba, when it is installed.

:func:`njit` compiles a function with ``numba.njit(cache=True, nogil=True)``: the machine
code is cached on disk (next to the module, or in numba's user cache directory when the
package directory is read-only), so only the very first call on a machine compiles. Without
numba the function is returned unchanged and runs as plain Python: the same code, correct but
slow (the tests run every kernel that way too, through :func:`python_version`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

try:  # pragma: no cover - which branch runs depends on the environment
    import numba as _numba
except ImportError:  # pragma: no cover
    _numba = None

#: True if the kernels are compiled (numba is installed)
COMPILED: bool = _numba is not None


def njit(fn: F | None = None, *, inline: bool = False) -> Any:
    """``fn`` compiled in nopython mode with an on-disk cache, or ``fn`` itself without numba.

    ``inline=True`` (as ``@njit(inline=True)``): a small helper inlined into its callers by
    numba, which saves the call. It does not save reference counting: the inlined body still
    increments and decrements the counts of the arrays it touches, inside the caller's loops.
    """
    def wrap(f: F) -> F:
        if _numba is None:  # pragma: no cover
            return f
        kw: dict[str, Any] = {"inline": "always"} if inline else {}
        return _numba.njit(cache=True, nogil=True, **kw)(f)  # type: ignore[no-any-return]

    return wrap if fn is None else wrap(fn)


def python_version(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The plain-Python function behind a kernel (itself without numba): the same code, uncompiled."""
    return getattr(fn, "py_func", fn)
