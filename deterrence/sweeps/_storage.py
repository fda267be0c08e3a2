"""Storage of sweeps: atomic writes, chunk files, the manifest file, and resuming in a folder.

Every file is written atomically (a temporary file in the same folder, then
:func:`os.replace`), so a file is absent, the old one, or complete; it gets the mode the
user's umask gives new files (not the temporary file's 0600). Chunks are Parquet files
``chunks/chunk-NNNNNN.parquet``; each carries, in its Parquet metadata, the fingerprint of the
sweep that wrote it (:meth:`~deterrence.sweeps.Manifest.fingerprint`), its number and its
point range, so a resume checks every chunk it trusts.

A :class:`SweepFolder` is a sweep's ``out=`` folder. Opening it creates it, refuses symbolic
links where the sweep writes (a sweep writes only inside its folder), and locks it, so a
second sweep into the same folder is refused while the first runs. It reads the manifest a
previous run left, refuses a folder that holds a different sweep (unless told to overwrite
it), finds the chunks already finished (listing the folder once: the cost grows with the
chunks done, not with the chunks planned), recomputes damaged or misplaced ones, and writes
chunks and manifests as the run goes. Used by :func:`deterrence.sweeps.sweep` and
:class:`deterrence.sweeps.SweepResult`.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import json
import os
import platform
import re
import secrets
import socket
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SweepError
from ._manifest import FORMAT, ChunkRecord, Manifest, check_format
from ._tidy import ERROR_COLUMN, coerce

__all__ = [
    "FORMAT",
    "SweepFolder",
    "atomic_files",
    "atomic_write",
    "chunk_file",
    "now",
    "package_versions",
    "read_chunks",
    "read_manifest",
    "write_csv",
    "write_manifest",
    "write_table_files",
]

#: the Parquet metadata key under which a chunk file records which sweep and points it holds
CHUNK_KEY = b"deterrence.sweep"
#: the table files written from the chunks when a sweep ends
TABLE_FILES = ("table.parquet", "table.csv")
#: the files a sweep writes in its folder (besides ``chunks/``): none may be a symbolic link
OWN_FILES = ("manifest.json", *TABLE_FILES, "regime_map.png", "lines.png", ".lock")
_CHUNK_NAME = re.compile(r"^chunk-(\d+)\.parquet$")
#: a manifest.json larger than this is not read (a sweep's is far smaller)
MAX_MANIFEST_BYTES = 2**30


# ====================================================================== files
def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write a file so that ``path`` is either absent, the old file, or complete: never half-written.

    ``write`` writes a new temporary file (:func:`new_temporary`) in ``path``'s folder, which is
    then renamed over ``path`` (:func:`atomic_files`); this replaces a symbolic link there rather
    than writing through it.
    """
    with atomic_files(path) as (tmp_path,):
        write(tmp_path)


def new_temporary(path: Path) -> Path:
    """A new empty file beside ``path`` (``.NAME.RANDOM.tmp``), created exclusively (never through
    a link) with mode ``0o666`` less the umask (as any new file of the user's; ``mkstemp`` would
    give 0600). Interrupted (Ctrl-C) once the file is made, it removes it again."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for _attempt in range(100):
        tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            os.close(os.open(tmp, flags, 0o666))
            return tmp
        except FileExistsError:  # another's file: try another name
            continue
        except BaseException:  # interrupted, or cannot create it: leave nothing behind
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
    raise FileExistsError(f"no free temporary name beside {path}")


def write_manifest(path: Path, manifest: Manifest) -> None:
    """Write ``manifest.json`` atomically."""
    text = json.dumps(manifest.to_json(), indent=2, sort_keys=False) + "\n"
    atomic_write(path, lambda p: p.write_text(text))


def read_manifest(path: Path) -> Any:
    """The JSON data of a ``manifest.json`` (a ``SweepError`` if it cannot be read or is not JSON)."""
    if path.is_symlink():
        raise SweepError(f"{path}: is a symbolic link; a sweep reads its manifest only from its own folder")
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise SweepError(f"{path}: {path.stat().st_size:,} bytes, too large for a sweep manifest")
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SweepError(f"{path}: not valid JSON ({exc})") from None
    except OSError as exc:
        raise SweepError(f"{path}: cannot be read ({exc.strerror or exc})") from None


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


def read_chunk(path: Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """One chunk file's rows (``SweepError`` naming the file if it cannot be read)."""
    try:
        return pd.read_parquet(path, columns=None if columns is None else list(columns))
    except Exception as exc:  # pyarrow's errors (ArrowInvalid, OSError, ...) share no base class
        raise SweepError(
            f"{path}: cannot be read ({type(exc).__name__}: {exc}); run the same sweep with the same "
            "out= to recompute it"
        ) from None


def read_chunks(folder: Path, chunks: Iterable[int]) -> pd.DataFrame:
    """The tidy table of a folder's finished chunks, in chunk order."""
    parts = [read_chunk(folder / "chunks" / chunk_file(c)) for c in sorted(chunks)]
    if not parts:
        return pd.DataFrame()
    return coerce(pd.concat(parts, ignore_index=True))


def write_table_files(
    folder: Path, parts: Callable[[], Iterator[pd.DataFrame]], columns: Sequence[str]
) -> None:
    """Write ``table.parquet`` and ``table.csv`` from a table given a part at a time (bounded
    memory), each atomically, both in one pass over the parts. ``parts()`` yields the parts in
    order; ``columns`` is the schema every part is given (a missing ``error`` column is empty)."""
    cols = list(columns)
    with atomic_files(folder / "table.parquet", folder / "table.csv") as (parquet_tmp, csv_tmp):
        parquet = _ParquetParts(parquet_tmp, cols)
        with open(csv_tmp, "w", newline="") as fh:
            first = True
            for part in parts():
                for c in cols:
                    if c not in part.columns:
                        part[c] = None if c == ERROR_COLUMN else np.nan
                part = part[cols]
                parquet.write(part)
                write_csv(part, fh, header=first)
                first = False
            if first:
                fh.write(",".join(cols) + os.linesep)
        parquet.close()


@contextlib.contextmanager
def atomic_files(*paths: Path) -> Iterator[tuple[Path, ...]]:
    """Files written together so that each path is absent, the old file, or complete: yields a
    new temporary file beside each path (:func:`new_temporary`); when the block ends without an
    error each is synced and renamed over its path (in order), else all are removed."""
    tmps: list[Path] = []
    try:
        for path in paths:
            tmps.append(new_temporary(path))
        yield tuple(tmps)
        for tmp in tmps:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        for tmp, path in zip(tmps, paths, strict=True):
            os.replace(tmp, path)
    except BaseException:
        for tmp in tmps:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise


class _ParquetParts:
    """A Parquet file written a part at a time (the ``error`` column typed as text)."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        self.path, self.columns, self.writer = path, columns, None

    def write(self, part: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(part, preserve_index=False)
        if self.writer is None:
            schema = table.schema
            if ERROR_COLUMN in self.columns:
                schema = schema.set(schema.get_field_index(ERROR_COLUMN), pa.field(ERROR_COLUMN, pa.string()))
            self.writer = pq.ParquetWriter(self.path, schema)
        self.writer.write_table(table.cast(self.writer.schema))

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        else:
            pd.DataFrame(columns=self.columns).to_parquet(self.path, index=False)


def write_csv(part: pd.DataFrame, fh: Any, header: bool = True) -> None:
    """Write ``part`` to the open text file ``fh`` (opened with ``newline=""``) as the bytes
    ``part.to_csv(fh, index=False, header=header)`` writes, faster: the columns are turned into
    text column by column (each distinct float formatted once) and written by the same
    :mod:`csv` writer pandas uses, or, when no field would be quoted, joined with commas
    directly (what that writer writes then, in half the time). A part with a column of another
    kind is written by pandas."""
    columns = _column_texts(part)
    if columns is None:
        csv_text(part).to_csv(fh, index=False, header=header)
        return
    texts, quoted = columns
    names = [str(c) for c in part.columns]
    if len(names) > 1 and not quoted and not any(_QUOTED.intersection(n) for n in names):
        if header:
            fh.write(",".join(names) + os.linesep)
        if len(part):
            fh.write(os.linesep.join(map(",".join, zip(*texts, strict=True))) + os.linesep)
        return
    writer = csv.writer(fh, lineterminator=os.linesep)  # pandas' defaults: ',', '"', QUOTE_MINIMAL
    if header:
        writer.writerow(names)
    writer.writerows(zip(*texts, strict=True))


#: characters that make the csv writer quote a field: the delimiter, the quote, line ends (and
#: a one-column table's empty field is quoted: such tables go to the writer)
_QUOTED = frozenset(',"\r\n' + os.linesep)


def _column_texts(part: pd.DataFrame) -> tuple[list[list[str]], bool] | None:
    """Each column's values as the text ``to_csv`` writes (floats: the shortest text that reads
    back exactly, empty for NaN; integers; ``True``/``False``; strings, empty for a missing
    one), and whether a string would be quoted (numbers and booleans never are); ``None`` if a
    column is of another kind, or the columns' names repeat."""
    if not part.columns.is_unique or len(part.columns) == 0:
        return None
    out, quoted = [], False
    for name in part.columns:
        column = part[name]
        kind = column.dtype.kind if isinstance(column.dtype, np.dtype) else None
        if kind == "f" and column.dtype == np.float64:
            out.append(_float_texts(column.to_numpy()).tolist())
        elif kind in ("i", "u"):
            out.append(column.to_numpy().astype(str).tolist())
        elif kind == "b":
            out.append(np.where(column.to_numpy(), "True", "False").tolist())
        elif kind == "O" or isinstance(column.dtype, pd.StringDtype):
            values = column.tolist()
            if not all(isinstance(v, str) or _missing(v) for v in values):
                return None
            out.append([v if isinstance(v, str) else "" for v in values])
            quoted = quoted or any(_QUOTED.intersection(v) for v in set(out[-1]))
        else:
            return None
    return out, quoted


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _float_texts(values: np.ndarray) -> np.ndarray:
    """The text of each float (``numpy``'s ``astype(str)``, the shortest that reads back exactly;
    empty for NaN), each distinct value formatted once."""
    bits, where = np.unique(values.view(np.int64), return_inverse=True)  # -0.0 apart from 0.0
    distinct = bits.view(np.float64)
    text = distinct.astype(str).astype(object)
    text[np.isnan(distinct)] = ""
    return text[where.reshape(-1)]


def csv_text(part: pd.DataFrame) -> pd.DataFrame:
    """``part`` with its float columns as the text ``part.to_csv`` writes for them (the shortest
    text that reads back exactly, ``numpy``'s ``astype(str)``; empty for NaN), each distinct value
    formatted once: a sweep's columns repeat few values (parameters, outcome probabilities), and
    formatting every float was most of the time ``to_csv`` took. Writing the result with
    ``to_csv`` gives the same bytes as writing ``part``."""
    if not part.columns.is_unique:
        return part
    out = {}
    for name in part.columns:
        values = part[name].to_numpy()
        if values.dtype != np.float64:
            out[name] = part[name]
            continue
        out[name] = pd.Series(_float_texts(values), index=part.index, dtype=object)
    return pd.DataFrame(out, index=part.index, copy=False)


def _links_in(path: Path) -> list[Path]:
    """The sweep's own files and chunk files in ``path`` that are symbolic links."""
    found = [path / n for n in (*OWN_FILES, "chunks") if (path / n).is_symlink()]
    chunks = path / "chunks"
    if chunks.is_dir() and not chunks.is_symlink():
        with os.scandir(chunks) as entries:
            found += [Path(e.path) for e in entries if e.is_symlink()]
    return found


def check_out(out: Any, what: str = "out=") -> Path:
    """``out=`` (or another folder argument, named by ``what``) as a path, refused if empty, if it
    or a folder above it is a file, or if a file the sweep writes there is a symbolic link
    (``SweepError`` naming it)."""
    text = os.fspath(out) if isinstance(out, (str, os.PathLike)) else None
    if text is None:
        raise SweepError(f"{what} must be a folder path, not {type(out).__name__}")
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if not text.strip():
        raise SweepError(f"{what} is empty: name the folder for the sweep's output")
    if "\0" in text:
        raise SweepError(f"{what}{text!r} contains a NUL character")
    path = Path(text)
    for above in (path, *path.parents):
        if above.exists() and not above.is_dir():
            raise SweepError(
                f"{what}{text!r}: {str(above)!r} exists and is not a folder; "
                "name a folder for the sweep's output"
            )
    if path.is_dir():
        links = _links_in(path)
        if links:
            target = os.readlink(links[0])
            raise SweepError(
                f"{what}{text!r}: {links[0]} is a symbolic link (to {target}); a sweep writes only inside "
                f"its folder and never through a link: remove the link or choose another {what}"
            )
    return path


# ====================================================================== the folder's lock
class _Lock:
    """An exclusive lock on a folder (``flock`` of its ``.lock`` file), refused at once if held."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / ".lock"
        self.fd: int | None = None

    def acquire(self) -> None:
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock (documented)
            return
        for _attempt in range(20):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = _read_text(fd)
                os.close(fd)
                raise SweepError(
                    f"out={str(self.path.parent)!r} is in use by another sweep "
                    f"({holder or 'holder unknown'}); "
                    "wait for it to finish, or choose another out="
                ) from None
            if _same_file(fd, self.path):  # not removed by the previous holder while we waited
                os.ftruncate(fd, 0)
                os.write(fd, f"process {os.getpid()} on {socket.gethostname()}, since {now()}".encode())
                self.fd = fd
                return
            os.close(fd)
        raise SweepError(f"out={str(self.path.parent)!r}: cannot take the folder's lock")

    def release(self) -> None:
        """Remove the lock file and release the lock, with Ctrl-C held back meanwhile (it is
        raised once the lock is free): interrupted half way, the lock stayed held by this
        process, and every later sweep into the folder from it was refused."""
        with ctrl_c_held_back():
            fd, self.fd = self.fd, None
            if fd is None:
                return
            try:
                with contextlib.suppress(OSError):
                    self.path.unlink()  # while still held: whoever opened the old file retries
            finally:
                os.close(fd)


@contextlib.contextmanager
def ctrl_c_held_back() -> Iterator[None]:
    """A Ctrl-C (SIGINT) in the block is noted and handled as it ends (its ``KeyboardInterrupt``
    raised then), by the handler there was; on the main thread only (the only one that handles
    signals). A Python handler, not a blocked signal: a process's signal goes to any of its
    threads that does not block it."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[Any] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught and callable(previous):
            previous(signal.SIGINT, caught[0])
        elif caught and previous == signal.SIG_DFL:
            signal.raise_signal(signal.SIGINT)


def lock_holder(folder: Path) -> str | None:
    """Who holds a folder's sweep lock (``"process N on HOST, since T"``, or ``"holder unknown"``),
    or ``None`` if no sweep holds it (no lock file, or its lock is free). Takes no lock and
    creates nothing."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        return None
    try:
        fd = os.open(folder / ".lock", os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return _read_text(fd) or "holder unknown"
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def folder_state(folder: Path, manifest: Manifest) -> str:
    """What the sweep in a folder is doing, told truthfully: ``"running"`` only while a sweep
    holds the folder's lock (whatever its manifest says); otherwise the manifest's status, with
    ``"stopped"`` for a manifest left ``"running"`` by a process that ended without recording
    why (killed outright, or one whose last manifest could not be written)."""
    if lock_holder(folder) is not None:
        return "running"
    return "stopped" if manifest.status in ("running", "") else manifest.status


def _read_text(fd: int) -> str:
    with contextlib.suppress(OSError):
        return os.pread(fd, 300, 0).decode(errors="replace").strip()
    return ""


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    mine = os.fstat(fd)
    return (st.st_ino, st.st_dev) == (mine.st_ino, mine.st_dev)


# ====================================================================== checked chunks
@dataclass(frozen=True)
class ChunkCheck:
    """What a look at a folder's chunk files found: the chunks to keep (by id), the files of
    other sweeps, and the chunks to recompute with the reason for each."""

    kept: dict[int, ChunkRecord]
    foreign: list[str]
    redo: dict[int, str]
    #: files of this sweep computed by other code: that code (as JSON text) -> the files
    other_code: dict[str, list[str]] = dataclasses.field(default_factory=dict)


def chunk_metadata(path: Path) -> tuple[dict[str, Any] | None, int]:
    """The sweep metadata a chunk file carries (``None`` for a file written without it) and its
    number of rows; ``OSError``/``ValueError`` if the file is not a readable Parquet file."""
    import pyarrow.parquet as pq

    meta = pq.read_metadata(path)
    raw = (meta.metadata or {}).get(CHUNK_KEY)
    if raw is None:
        return None, meta.num_rows
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("malformed sweep metadata")
    return data, meta.num_rows


def _points_cover(path: Path, start: int, stop: int) -> bool:
    """Whether a chunk file's rows are the points ``start .. stop-1``, each at least once."""
    pts = pd.read_parquet(path, columns=["point"])["point"].to_numpy()
    if len(pts) == 0:
        return stop == start
    if pts.min() < start or pts.max() >= stop:
        return False
    return len(np.unique(pts)) == stop - start


@dataclass(frozen=True)
class _OtherCode:
    """The verdict on a chunk file of this sweep that other code computed (its identity, as JSON)."""

    code: str


# ====================================================================== a sweep's folder
class SweepFolder:
    """The ``out=`` folder of a sweep: its manifest, its chunk files, and resuming there.

    Use :meth:`open` (which creates and locks the folder) and :meth:`close` (which releases
    the lock, and removes the folder again if the sweep failed before writing anything there).

    Parameters
    ----------
    path
        The folder.

    Attributes
    ----------
    previous
        The manifest a previous run of a sweep left in the folder, or ``None``.

    Raises
    ------
    SweepError
        ``path`` is empty, is a file (or below one), holds a symbolic link where the sweep
        writes, or holds a manifest that is not valid JSON or not a sweep's.
    """

    def __init__(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        self.path = check_out(path)
        self.previous: Manifest | None = None
        #: the manifest this sweep last wrote in the folder (``None`` before its first)
        self.written: Manifest | None = None
        self.overwrite = overwrite
        self._lock = _Lock(self.path)
        self._created: list[Path] = []
        self._read_previous()

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, overwrite: bool = False) -> SweepFolder:
        """The folder, created if needed and locked for this sweep (released by :meth:`close`).
        With ``overwrite`` a manifest that cannot be read is no obstacle (it will be replaced).

        Raises
        ------
        SweepError
            As the class does; the folder cannot be created (naming the system's reason); or
            another sweep holds it.
        """
        folder = cls(path, overwrite=overwrite)
        missing = [p for p in (folder.path, *folder.path.parents) if not p.exists()]
        try:
            for p in reversed(missing):
                p.mkdir()
                folder._created.append(p)
            folder._lock.acquire()
        except OSError as exc:
            folder.close()
            raise SweepError(
                f"out='{folder.path}': cannot create or lock the folder ({exc.strerror or exc})"
            ) from None
        except BaseException:
            folder.close()
            raise
        try:
            check_out(folder.path)  # again, under the lock
            folder._read_previous()
        except BaseException:
            folder.close()
            raise
        return folder

    def close(self) -> None:
        """Release the lock; remove the folders :meth:`open` created if nothing was written there."""
        self._lock.release()
        for p in reversed(self._created):
            with contextlib.suppress(OSError):
                if p.is_dir() and not any(p.iterdir()):
                    p.rmdir()
        self._created = []

    def _read_previous(self) -> None:
        self.previous = None
        mpath = self.path / "manifest.json"
        if not mpath.is_file() or mpath.is_symlink():
            return
        try:
            data = read_manifest(mpath)
            check_format(data, str(self.path))
            self.previous = Manifest.from_json(data)
        except SweepError as exc:
            if not self.overwrite:
                raise SweepError(
                    f"{exc}; repair or delete {mpath}, or replace the folder's sweep with overwrite=True "
                    "(command line: --overwrite)"
                ) from None

    @property
    def chunks(self) -> Path:
        return self.path / "chunks"

    def refuse_other_sweep(self, manifest: Manifest) -> None:
        """Raise ``SweepError`` if the folder holds a sweep other than ``manifest``'s."""
        if self.previous is None:
            return
        differ = manifest.resumes(self.previous)
        if differ:
            raise SweepError(
                f"{self.path}: holds a different sweep (differs in {', '.join(differ)}); choose another out= "
                "folder, or replace it with overwrite=True (command line: --overwrite)"
            )

    def clear(self) -> None:
        """Remove what a sweep wrote in the folder (its chunk files, table, pictures and manifest),
        and nothing else: for ``overwrite=True``."""
        if self.chunks.is_dir():
            with os.scandir(self.chunks) as entries:
                doomed = [
                    Path(e.path) for e in entries if _CHUNK_NAME.match(e.name) or e.name.endswith(".tmp")
                ]
            for p in doomed:
                p.unlink()
        for name in OWN_FILES:
            if name != ".lock" and (self.path / name).is_file():
                (self.path / name).unlink()
        self.previous = None

    def check_chunks(
        self,
        bounds: Callable[[int], tuple[int, int]],
        n_chunks: int,
        fingerprints: Collection[str],
        trust_legacy: bool,
        code: Mapping[str, str] | None = None,
    ) -> ChunkCheck:
        """Look at every chunk file in the folder (one listing, then one footer read and one
        ``point`` column read per file: the cost grows with the chunks done).

        A file is kept when its metadata names this sweep (one of its ``fingerprints``), its chunk number
        and point range, its row count matches, and its points are the range. A file of
        another sweep is *foreign*. Anything else (unreadable, truncated, copied over another
        chunk, rows missing) is to be recomputed, with the reason. Files written before chunks
        carried metadata are kept when ``trust_legacy`` (the folder's manifest holds this
        sweep) and their points are the range. Removes the temporary files a killed run left.
        With ``code`` (:func:`~deterrence.sweeps._manifest.code_identity`), a file of this sweep
        that says other code computed it is listed in ``other_code`` (files that do not say
        are judged as before).
        """
        kept: dict[int, ChunkRecord] = {}
        foreign: list[str] = []
        redo: dict[int, str] = {}
        other_code: dict[str, list[str]] = {}
        if not self.chunks.is_dir():
            return ChunkCheck(kept, foreign, redo, other_code)
        self._remove_temporaries()
        with os.scandir(self.chunks) as entries:
            names = sorted(e.name for e in entries if _CHUNK_NAME.match(e.name))
        for name in names:
            c = int(_CHUNK_NAME.match(name).group(1))  # type: ignore[union-attr]
            if name != chunk_file(c):  # not a name a sweep writes (chunk-0000003.parquet): not ours
                continue
            verdict = self._check_one(
                self.chunks / name, c, bounds, n_chunks, fingerprints, trust_legacy, code
            )
            if verdict == "foreign":
                foreign.append(name)
            elif isinstance(verdict, _OtherCode):
                other_code.setdefault(verdict.code, []).append(name)
            elif isinstance(verdict, str):
                redo[c] = verdict
            else:
                kept[c] = verdict
        return ChunkCheck(kept, foreign, redo, other_code)

    def _check_one(
        self,
        path: Path,
        c: int,
        bounds: Callable[[int], tuple[int, int]],
        n_chunks: int,
        fingerprints: Collection[str],
        trust_legacy: bool,
        code: Mapping[str, str] | None = None,
    ) -> ChunkRecord | _OtherCode | str:
        """A chunk file's record if it is a good chunk of this sweep; ``"foreign"``; the other
        code that computed it; or the reason to recompute it."""
        try:
            meta, rows = chunk_metadata(path)
        except Exception as exc:  # an unreadable footer: pyarrow raises several unrelated types
            return f"unreadable ({type(exc).__name__})"
        if meta is not None and meta.get("fingerprint") not in fingerprints:
            return "foreign"
        theirs = meta.get("code") if meta is not None else None
        if code is not None and isinstance(theirs, dict) and theirs != dict(code):
            return _OtherCode(json.dumps(theirs, sort_keys=True))
        if c >= n_chunks:
            return "foreign" if meta is None else "not a chunk of this sweep"
        start, stop = bounds(c)
        if meta is None:
            known = self.previous.chunks.records if self.previous and self.previous.chunks else ()
            rec = next((r for r in known if r.id == c), None)
            if not trust_legacy or (rec is not None and (rec.start, rec.stop) != (start, stop)):
                return "written without the sweep's fingerprint, by another version or program"
            meta = {"chunk": c, "start": start, "stop": stop, "rows": rows, "run": "unrecorded"}
        if (meta.get("chunk"), meta.get("start"), meta.get("stop")) != (c, start, stop):
            return f"holds chunk {meta.get('chunk')}'s points (copied or renamed?)"
        if meta.get("rows") != rows:
            return f"has {rows} rows, its record says {meta.get('rows')}"
        try:
            if not _points_cover(path, start, stop):
                return f"does not hold exactly the points {start}..{stop - 1}"
        except Exception as exc:  # damaged data pages
            return f"unreadable ({type(exc).__name__})"
        return ChunkRecord(c, start, stop, rows, path.name, meta.get("run"), meta.get("finished"))

    def _remove_temporaries(self) -> None:
        for stale in [
            *self.chunks.glob(".chunk-*.tmp"),
            *self.path.glob(".manifest.json.*.tmp"),
            *self.path.glob(".table.*.tmp"),
            *self.path.glob(".regime_map.png.*.tmp"),
            *self.path.glob(".lines.png.*.tmp"),
        ]:
            with contextlib.suppress(OSError):
                stale.unlink()

    def chunk_hints(self) -> dict[str, Any]:
        """What the first chunk file of a sweep says about it (``chunk_size``, ``seed``): how a
        sweep whose manifest is gone finds its chunking and its sample again. Empty if none."""
        if not self.chunks.is_dir() or self.chunks.is_symlink():
            return {}
        with os.scandir(self.chunks) as entries:
            names = sorted(e.name for e in entries if _CHUNK_NAME.match(e.name))
        for name in names[:1]:
            try:
                meta, _rows = chunk_metadata(self.chunks / name)
            except Exception:  # unreadable: the resume check says so
                return {}
            return {k: meta[k] for k in ("chunk_size", "seed") if meta and isinstance(meta.get(k), int)}
        return {}

    def foreign_files(self) -> list[str]:
        """The files a sweep writes that are in the folder although it holds no sweep's manifest
        (someone else's ``table.csv``...)."""
        if self.previous is not None:
            return []
        return [n for n in OWN_FILES if n not in (".lock", "manifest.json") and (self.path / n).exists()]

    def write_chunk(
        self, record: ChunkRecord, fingerprint: str, table: pd.DataFrame, extra: dict[str, Any] | None = None
    ) -> None:
        """Write one finished chunk's rows (atomically), with the sweep's fingerprint, the chunk's
        number and point range and its row count in the file's metadata (and ``extra``: the
        chunk size and the sample's seed)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        meta = {
            "fingerprint": fingerprint,
            "chunk": record.id,
            "start": record.start,
            "stop": record.stop,
            "rows": len(table),
            "run": record.run,
            "finished": record.finished,
            **(extra or {}),
        }
        arrow = pa.Table.from_pandas(table, preserve_index=False)
        arrow = arrow.replace_schema_metadata(
            {**(arrow.schema.metadata or {}), CHUNK_KEY: json.dumps(meta).encode()}
        )
        atomic_write(self.chunks / chunk_file(record.id), lambda p: pq.write_table(arrow, p))

    def write_manifest(self, manifest: Manifest) -> None:
        write_manifest(self.path / "manifest.json", manifest)
        self.written = manifest

    def read_table(self, chunks: Iterable[int]) -> pd.DataFrame:
        return read_chunks(self.path, chunks)

    def tally(self, chunks: Iterable[int]) -> tuple[dict[str, int], int, list[str]]:
        """Points per path, rows, and the optional columns (``error``) of the finished chunks,
        read a chunk (and two columns) at a time."""
        import pyarrow.parquet as pq

        counts: dict[str, int] = {}
        rows = 0
        extra: set[str] = set()
        for c in sorted(chunks):
            path = self.chunks / chunk_file(c)
            part = read_chunk(path, ["point", "path"])
            rows += len(part)
            for k, v in part.drop_duplicates("point")["path"].value_counts().items():
                counts[str(k)] = counts.get(str(k), 0) + int(v)
            if ERROR_COLUMN in pq.read_schema(path).names:
                extra.add(ERROR_COLUMN)
        return counts, rows, sorted(extra)

    def remove_tables(self) -> None:
        """Remove ``table.parquet`` and ``table.csv`` (the table is then read from the chunks)."""
        for name in TABLE_FILES:
            with contextlib.suppress(FileNotFoundError):
                (self.path / name).unlink()

    def write_tables(self, chunks: Iterable[int], columns: Sequence[str]) -> None:
        """``table.parquet`` and ``table.csv`` written from the finished chunks, one at a time."""
        ids = sorted(chunks)
        write_table_files(self.path, lambda: (read_chunk(self.chunks / chunk_file(c)) for c in ids), columns)
