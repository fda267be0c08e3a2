"""Storage of sweeps: atomic writes, chunk files, manifests and their JSON, resume checks.

Every file is written atomically (a temporary file in the same folder, then
:func:`os.replace`), so a file is absent, the old one, or complete. Chunks are Parquet files
``chunks/chunk-NNNNNN.parquet``; ``_diff_spec`` compares a folder's manifest with a new sweep's
specification (the keys in ``_SPEC_KEYS``) to decide whether the sweep can resume there.
Used by :func:`deterrence.sweeps.sweep` and :class:`deterrence.sweeps.SweepResult`.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import tempfile
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._tidy import coerce

FORMAT = "deterrence-sweep/1"

_SPEC_KEYS = (
    "model",
    "baseline",
    "concept",
    "belief_policy",
    "selection",
    "design",
    "fixed",
    "n_points",
    "chunk_size",
    "path_requested",
    "solve_options",
    "on_error",
)


# ====================================================================== storage
def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write a file so that ``path`` is either absent, the old file, or complete: never half-written."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


def _write_json(path: Path, obj: Any) -> None:
    _atomic_write(path, lambda p: p.write_text(json.dumps(obj, indent=2, sort_keys=False) + "\n"))


def _chunk_file(chunk: int) -> str:
    return f"chunk-{chunk:06d}.parquet"


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=_json_default))


def _json_default(o: Any) -> Any:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, (set, tuple)):
        return list(o)
    return str(o)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def package_versions() -> dict[str, str]:
    """Versions of deterrence, Python and the numeric packages, for manifests."""
    from importlib import metadata

    from .. import __version__

    out = {"deterrence": __version__, "python": platform.python_version()}
    for pkg in ("numpy", "scipy", "sympy", "pandas", "pyarrow", "dask", "distributed", "SALib"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    return out


def _read_chunks(folder: Path, chunks: Iterable[int]) -> pd.DataFrame:
    parts = [pd.read_parquet(folder / "chunks" / _chunk_file(c)) for c in sorted(chunks)]
    if not parts:
        return pd.DataFrame()
    return coerce(pd.concat(parts, ignore_index=True))


def _diff_spec(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    return [k for k in _SPEC_KEYS if old.get(k) != new.get(k)]

