"""Storage of sweeps: atomic writes, chunk files, the manifest file, and resuming in a folder.

Every file is written atomically (a temporary file in the same folder, then
:func:`os.replace`), so a file is absent, the old one, or complete. Chunks are Parquet files
``chunks/chunk-NNNNNN.parquet``. A :class:`SweepFolder` is a sweep's ``out=`` folder: it reads
the manifest a previous run left there, refuses a folder that holds a different sweep, finds
the chunks already finished, and writes chunks and manifests as the run goes. Used by
:func:`deterrence.sweeps.sweep` and :class:`deterrence.sweeps.SweepResult`.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import tempfile
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import SweepError
from ._manifest import FORMAT, ChunkRecord, Manifest, check_format
from ._tidy import coerce

__all__ = [
    "FORMAT",
    "SweepFolder",
    "atomic_write",
    "chunk_file",
    "now",
    "package_versions",
    "read_chunks",
    "read_manifest",
    "write_manifest",
]


# ====================================================================== files
def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
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


def write_manifest(path: Path, manifest: Manifest) -> None:
    """Write ``manifest.json`` atomically."""
    text = json.dumps(manifest.to_json(), indent=2, sort_keys=False) + "\n"
    atomic_write(path, lambda p: p.write_text(text))


def read_manifest(path: Path) -> dict[str, Any]:
    """The JSON data of a ``manifest.json`` (a ``SweepError`` if it is not valid JSON)."""
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise SweepError(f"{path}: not valid JSON ({exc})") from None


def chunk_file(chunk: int) -> str:
    """The file name of a chunk."""
    return f"chunk-{chunk:06d}.parquet"


def now() -> str:
    """The time now (UTC, ISO 8601, to the second), for manifests."""
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


def read_chunks(folder: Path, chunks: Iterable[int]) -> pd.DataFrame:
    """The tidy table of a folder's finished chunks, in chunk order."""
    parts = [pd.read_parquet(folder / "chunks" / chunk_file(c)) for c in sorted(chunks)]
    if not parts:
        return pd.DataFrame()
    return coerce(pd.concat(parts, ignore_index=True))


# ====================================================================== a sweep's folder
class SweepFolder:
    """The ``out=`` folder of a sweep: its manifest, its chunk files, and resuming there.

    Parameters
    ----------
    path
        The folder (created when the sweep starts writing).

    Attributes
    ----------
    previous
        The manifest a previous run of a sweep left in the folder, or ``None``.

    Raises
    ------
    SweepError
        ``path`` is a file, or holds a manifest that is not valid JSON or not a sweep's.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise SweepError(
                f"out={str(self.path)!r} exists and is not a folder; name a folder for the sweep's output"
            )
        self.previous: Manifest | None = None
        mpath = self.path / "manifest.json"
        if mpath.is_file():
            try:
                data = json.loads(mpath.read_text())
            except json.JSONDecodeError as exc:
                raise SweepError(f"{mpath}: the folder's manifest is not valid JSON ({exc})") from None
            check_format(data, str(self.path))
            self.previous = Manifest.from_json(data)

    @property
    def chunks(self) -> Path:
        return self.path / "chunks"

    def refuse_other_sweep(self, manifest: Manifest) -> None:
        """Raise ``SweepError`` if the folder holds a sweep other than ``manifest``'s."""
        if self.previous is None:
            return
        differ = self.previous.differences(manifest)
        if differ:
            raise SweepError(
                f"{self.path}: holds a different sweep (differs in {', '.join(differ)}); "
                "choose another out= folder or delete this one"
            )

    def finished(self, bounds: Iterable[tuple[int, int, int]]) -> dict[int, ChunkRecord]:
        """Records of the chunks whose files are in the folder (chunk files are written
        atomically, so a file there is complete), after removing the temporary files a process
        killed mid-write left behind; a chunk without a record gets one (run ``"unrecorded"``)."""
        self.chunks.mkdir(parents=True, exist_ok=True)
        for stale in [
            *self.chunks.glob(".chunk-*.tmp"),
            *self.path.glob(".manifest.json.*.tmp"),
            *self.path.glob(".table.*.tmp"),
        ]:
            with contextlib.suppress(OSError):
                stale.unlink()
        known = {
            r.id: r for r in (self.previous.chunks.records if self.previous and self.previous.chunks else ())
        }
        out = {}
        for c, start, stop in bounds:
            if (self.chunks / chunk_file(c)).is_file():
                out[c] = known.get(c) or ChunkRecord(c, start, stop, file=chunk_file(c), run="unrecorded")
        return out

    def write_chunk(self, chunk: int, table: pd.DataFrame) -> None:
        """Write one finished chunk's rows (atomically)."""
        atomic_write(self.chunks / chunk_file(chunk), lambda p: table.to_parquet(p, index=False))

    def write_manifest(self, manifest: Manifest) -> None:
        write_manifest(self.path / "manifest.json", manifest)

    def read_table(self, chunks: Iterable[int]) -> pd.DataFrame:
        return read_chunks(self.path, chunks)

    def path_counts(self, chunks: Iterable[int]) -> tuple[dict[str, int], int]:
        """Points per path and rows of the finished chunks, read a chunk at a time (for a sweep
        too large to hold in memory)."""
        counts: dict[str, int] = {}
        rows = 0
        for c in sorted(chunks):
            part = pd.read_parquet(self.chunks / chunk_file(c), columns=["point", "path"])
            rows += len(part)
            for k, v in part.drop_duplicates("point")["path"].value_counts().items():
                counts[str(k)] = counts.get(str(k), 0) + int(v)
        return counts, rows
