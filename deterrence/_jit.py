"""Compilation of the numeric kernels (solvers, certificates) with numba, when it is installed,
and the kernels' on-disk cache.

:func:`njit` compiles a function with ``numba.njit(cache=True, nogil=True)``: the machine
code is cached on disk (next to the module, or in numba's user cache directory when the
package directory is read-only), so only the very first call on a machine compiles. Without
numba the function is returned unchanged and runs as plain Python: the same code, correct but
slow (the tests run every kernel that way too, through :func:`python_version`). numba itself is
imported by :func:`numba_module` (through which :func:`njit` and every kernel module get it), not
by this module, so that ``import deterrence`` stays light.

Stale caches
------------
numba keys a cached kernel on the file that defines it (its modification time and size). A
kernel that calls a kernel of another module compiles the callee into itself, so after a change
to the callee's file alone (a ``git checkout``, an edit) the caller's cache still holds the old
machine code, and runs it. :func:`drop_stale_kernel_caches` closes that gap in a source checkout:
it keeps a stamp of the package's kernel sources and, when they differ from the stamp, removes
every cached kernel of the package (each recompiles, once, on its next call).

The check is cheap when nothing changed: the stamp holds the size and modification time of every
``.py`` file of the package, and the files are read only when one of those differs; then the
caches are dropped only if the content of a *kernel* module (one that mentions ``njit``) or of a
module of the package a kernel module imports (directly or through others: numba compiles the
global values a kernel reads, such as a constant imported from a plain module, into its machine
code) changed, so editing other modules does not cost a recompilation. Imports are read from
the sources (``import`` and ``from ... import`` statements, relative or naming the package); a
kernel must not reach a module of the package any other way (``importlib``).

The caches dropped are those next to the sources (``__pycache__``, where numba writes them when
the package directory is writable) and, when ``NUMBA_CACHE_DIR`` is set (numba then writes
every cache there), the package's folders there. An installed, read-only package keeps its
caches in numba's user cache directory; a reinstall gives every file a new modification time,
which numba sees.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.util
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

#: True if the kernels are compiled (numba is installed)
COMPILED: bool = importlib.util.find_spec("numba") is not None


_CACHES_CHECKED = False


def numba_module() -> Any:
    """numba, imported on first use; the first call checks the package's cached kernels first
    (:func:`drop_stale_kernel_caches`, once per process). Every kernel module gets numba here, so
    the check runs before any kernel is defined or loaded from the cache, and ``import
    deterrence`` alone touches no file."""
    global _CACHES_CHECKED
    if not _CACHES_CHECKED:
        _CACHES_CHECKED = True
        drop_stale_kernel_caches()
    return importlib.import_module("numba")


def njit(fn: F | None = None, *, inline: bool = False) -> Any:
    """``fn`` compiled in nopython mode with an on-disk cache, or ``fn`` itself without numba.

    ``inline=True`` (as ``@njit(inline=True)``): a small helper inlined into its callers by
    numba, which saves the call. It does not save reference counting: the inlined body still
    increments and decrements the counts of the arrays it touches, inside the caller's loops.
    """
    def wrap(f: F) -> F:
        if not COMPILED:  # pragma: no cover
            return f
        numba = numba_module()
        kw: dict[str, Any] = {"inline": "always"} if inline else {}
        return numba.njit(cache=True, nogil=True, **kw)(f)  # type: ignore[no-any-return]

    return wrap if fn is None else wrap(fn)


def python_version(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The plain-Python function behind a kernel (itself without numba): the same code, uncompiled."""
    return getattr(fn, "py_func", fn)


#: the stamp's file name, in the package's own ``__pycache__``
STAMP = "kernel-sources.json"
#: numba's cache files: the index and the machine code
CACHE_SUFFIXES = (".nbi", ".nbc")


def drop_stale_kernel_caches(package: Path | None = None) -> bool:
    """Remove the package's cached kernels if its kernel sources changed since the last check.

    Parameters
    ----------
    package
        The package directory (default: this package's).

    Returns
    -------
    bool
        Whether cache files were removed. ``False`` also when the directory cannot be written
        (nothing to do: numba then caches elsewhere) or on any file-system error (a cache check
        must never stop an import). Without a stamp (the first check in a checkout) the sources
        the caches were made from are unknown, so the caches found are removed too.
    """
    root = Path(__file__).parent if package is None else package
    if not os.access(root, os.W_OK):  # numba caches elsewhere: nothing here to check or drop
        return False
    stamp_path = root / "__pycache__" / STAMP
    try:
        sources = sorted(root.rglob("*.py"))
        stats = _stat_signature(root, sources)
        old = _read_stamp(stamp_path)
        if old.get("stats") == stats:
            return False
        digest = _kernel_digest(root, sources)
        removed = _remove_caches(root) if old.get("kernels") != digest else 0
        _write_stamp(stamp_path, {"stats": stats, "kernels": digest})
        return removed > 0
    except OSError:
        return False


def _stat_signature(root: Path, sources: list[Path]) -> str:
    """A digest of every source file's path, size and modification time."""
    h = hashlib.sha256()
    for path in sources:
        st = path.stat()
        h.update(f"{path.relative_to(root)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _kernel_digest(root: Path, sources: list[Path]) -> str:
    """A digest of the path and content of every kernel module (a source mentioning ``njit``) and
    of every module of the package the kernel modules import, directly or through others."""
    texts = {path: path.read_bytes() for path in sources}
    h = hashlib.sha256()
    for path in sorted(_kernel_closure(root, texts)):
        text = texts[path]
        h.update(f"{path.relative_to(root)}\0{len(text)}\0".encode())
        h.update(text)
    return h.hexdigest()


def _kernel_closure(root: Path, texts: dict[Path, bytes]) -> set[Path]:
    """The kernel modules and the package's modules they import, transitively."""
    found = {path for path, text in texts.items() if b"njit" in text}
    todo = list(found)
    while todo:
        for imported in _imported_modules(root, todo.pop(), texts):
            if imported not in found:
                found.add(imported)
                todo.append(imported)
    return found


def _imported_modules(root: Path, path: Path, texts: dict[Path, bytes]) -> set[Path]:
    """The package's source files that ``path`` imports (a package's ``__init__.py`` too): its
    relative imports and those naming the package; an unparsable source imports nothing known."""
    try:
        tree = ast.parse(texts[path])
    except (SyntaxError, ValueError):
        return set()
    names: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(0, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names.append((node.level, module))
            names += [(node.level, f"{module}.{alias.name}".lstrip(".")) for alias in node.names]
    out: set[Path] = set()
    for level, name in names:
        out.update(_module_files(root, path, level, name, texts))
    return out


def _module_files(root: Path, path: Path, level: int, name: str, texts: dict[Path, bytes]) -> list[Path]:
    """The source files of module ``name`` (imported at ``level`` from ``path``) and of the packages
    above it within the package: none if it is not a module of the package."""
    parts = [p for p in name.split(".") if p]
    if level == 0:
        if not parts or parts[0] != root.name:
            return []
        base, parts = root, parts[1:]
    else:
        base = path.parent
        for _ in range(level - 1):
            base = base.parent
    out = []
    for depth in range(len(parts) + 1):
        here = base.joinpath(*parts[:depth])
        for candidate in (here / "__init__.py", here.with_suffix(".py") if depth else None):
            if candidate is not None and candidate in texts:
                out.append(candidate)
    return out


def _read_stamp(path: Path) -> dict[str, str]:
    """The stamp's fields, or none if it is missing or unreadable."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_stamp(path: Path, fields: dict[str, str]) -> None:
    """Write the stamp atomically (a concurrent import reads the old stamp or the new one)."""
    path.parent.mkdir(exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(fields))
    os.replace(tmp, path)


def _remove_caches(root: Path) -> int:
    """Remove numba's cache files of the package: from every ``__pycache__`` of it, and from its
    folders in ``NUMBA_CACHE_DIR`` when that is set; how many."""
    removed = 0
    for cache in [*root.rglob("__pycache__"), *_user_cache_folders(root)]:
        if not cache.is_dir():
            continue
        for path in cache.iterdir():
            if path.suffix in CACHE_SUFFIXES:
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def _user_cache_folders(root: Path) -> list[Path]:
    """Where numba caches the kernels of the package's folders when ``NUMBA_CACHE_DIR`` is set:
    for the folder ``D`` of a source, ``NUMBA_CACHE_DIR/<D's name>_<SHA-1 of D's absolute path>``
    (numba's ``_CacheLocator.get_suitable_cache_subpath``)."""
    cache_dir = os.environ.get("NUMBA_CACHE_DIR")
    if not cache_dir:
        return []
    folders = {path.parent for path in root.rglob("*.py")}
    out = []
    for folder in sorted(folders):
        absolute = os.path.abspath(folder)
        digest = hashlib.sha1(absolute.encode()).hexdigest()
        out.append(Path(cache_dir) / f"{os.path.basename(absolute)}_{digest}")
    return out
