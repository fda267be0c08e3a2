"""Reading a user's file with its size bounded: model files and Gambit game files.

A path given by a user may name something that is not a file of text at all: ``/dev/zero``
(endless), a FIFO (a read waits for a writer forever), a folder, a file of gigabytes. The file
is opened without blocking, checked to be a regular file, and read only up to a limit, so
that none of these hangs or fills the memory.
"""

from __future__ import annotations

import os
import stat

from .errors import ResourceError

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _size_text(n: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{int(n)} bytes"


def check_no_null_byte(path: str | os.PathLike[str]) -> None:
    """Raise ``ValueError`` if ``path`` holds a null byte, which no file name can (Python's own
    message for it differs between versions)."""
    if "\x00" in os.fsdecode(os.fspath(path)):
        raise ValueError("the path holds a null byte (\\x00), which no file name can")


def read_bytes(path: str | os.PathLike[str], *, max_bytes: int, what: str) -> bytes:
    """The contents of a regular file of at most ``max_bytes`` bytes.

    Parameters
    ----------
    path
        The file (symbolic links are followed to what they name).
    max_bytes
        The largest file read.
    what
        What the file is, for messages (``"model file"``).

    Raises
    ------
    ValueError
        The path holds a null byte (:func:`check_no_null_byte`).
    OSError
        The file cannot be opened or read, or is not a regular file (a folder, a FIFO, a
        device such as ``/dev/zero``): ``strerror`` says which.
    ResourceError
        The file is larger than ``max_bytes`` (``estimate``: its size in bytes, where known).
    """
    check_no_null_byte(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(os.fspath(path), flags)  # non-blocking: opening a FIFO does not wait for a writer
    try:
        info = os.fstat(fd)
        for test, kind in _KINDS:
            if test(info.st_mode):
                raise OSError(0, f"it is {kind}, not a regular file", os.fspath(path))
        if not stat.S_ISREG(info.st_mode):
            raise OSError(0, "it is not a regular file", os.fspath(path))
        if info.st_size > max_bytes:
            raise _too_large(path, info.st_size, max_bytes, what)
        chunks, total = [], 0
        while total <= max_bytes:  # read to the end, but never past the limit (sizes can lie)
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:
            raise _too_large(path, None, max_bytes, what)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _too_large(path: str | os.PathLike[str], size: int | None, max_bytes: int, what: str) -> ResourceError:
    shown = _size_text(size) if size is not None else f"more than {_size_text(max_bytes)}"
    return ResourceError(
        f"{os.fspath(path)}: the {what} is {shown}, larger than the limit of {_size_text(max_bytes)}; "
        "is this the right file?",
        estimate=None if size is None else float(size),
    )


__all__ = ["read_bytes"]
