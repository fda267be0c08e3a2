"""Read and write Gambit game files: ``.nfg`` (normal form) and ``.efg`` (extensive form).

The reader follows the formats of Gambit 16 (``NFG 1 R`` in both its payoff and its
outcome version, ``EFG 2 R``). Text is split by a tokenizer that tracks line numbers, so
every malformed file raises :class:`~deterrence.errors.FormatError` naming the file and the
line. Numbers stay exact: integers are ``int``, decimals and rationals such as ``1/3`` are
:class:`fractions.Fraction` (``NormalFormGame`` keeps integer payoffs as integers and the
rest as floats).

Gambit outcome names are not outcome labels of the ``deterrence`` vocabulary: they are kept
as the terminal nodes' ``name`` and the game is built with ``check_labels=False``. Payoffs of
outcomes attached to non-terminal nodes are added to every terminal node below them, and kept
on their node (``ExtensiveFormGame.interior_outcomes``) so that :func:`write_game` writes them
back where they were; the writer gives distinct outcomes distinct labels. As in
Gambit 16, empty or repeated player, strategy and action names are made distinct by a
suffix ``_1``, ``_2``, ... Information sets are keyed by name in ``deterrence``, so an
empty or repeated information-set name becomes ``(player,number)`` (chance: ``(0,number)``).

Where the parts live
--------------------
This module holds :func:`read_game` and :func:`write_game`. The tokenizer, the parsing
cursor and the number and label rules shared by both formats are in
:mod:`deterrence.gambit._lexer`; ``.nfg`` reading and writing is in :mod:`deterrence.gambit._nfg`,
``.efg`` in :mod:`deterrence.gambit._efg`. Their public names are re-exported here.

Examples
--------
>>> g = read_game('NFG 1 R "PD" { "Row" "Col" } { 2 2 } 3 3 5 0 0 5 1 1', text=True)
>>> g.players, g.shape
(('Row', 'Col'), (2, 2))
>>> g.payoffs[0].tolist()
[[3.0, 0.0], [5.0, 1.0]]
>>> print(write_game(g).splitlines()[0])
NFG 1 R "PD" { "Row" "Col" } { { "1" "2" } { "1" "2" } }
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from .._textfile import read_bytes
from ..errors import FormatError, UnsupportedError
from ..game.extensive import ExtensiveFormGame
from ..game.normal import NormalFormGame
from ._efg import format_efg, parse_efg
from ._lexer import Token, format_number, normalize_labels, tokenize
from ._nfg import format_nfg, parse_nfg

# ---------------------------------------------------------------------------------- public
#: the largest game file read (a tree of a million nodes takes about 50 MB)
MAX_GAME_BYTES = 64_000_000


def _read_text(path: str | os.PathLike[str]) -> str:
    try:
        data = read_bytes(path, max_bytes=MAX_GAME_BYTES, what="game file")
    except OSError as exc:
        raise FormatError(f"cannot read the file: {exc.strerror or exc}", file=str(path)) from None
    except ValueError as exc:  # e.g. a path with a NUL character
        raise FormatError(f"cannot read the file: {exc}", file=repr(str(path))) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text.removeprefix("\ufeff")


_PARSERS: dict[str, Callable[[str, str | None], NormalFormGame | ExtensiveFormGame]] = {
    "NFG": parse_nfg,
    "EFG": parse_efg,
}


def read_game(
    path_or_text: str | os.PathLike[str], *, text: bool = False
) -> NormalFormGame | ExtensiveFormGame:
    """Read a Gambit ``.nfg`` or ``.efg`` game.

    Parameters
    ----------
    path_or_text
        A file path, or the file's text when ``text=True``.
    text
        Treat ``path_or_text`` as the file's contents.

    Returns
    -------
    NormalFormGame or ExtensiveFormGame
        Chosen by the file's header (``NFG`` or ``EFG``), not by its suffix.

    Raises
    ------
    FormatError
        If the file cannot be read or is malformed; the message names the file and line.
    """
    if text:
        content, file = str(path_or_text), None
    else:
        if not isinstance(path_or_text, (str, os.PathLike)):
            kind = type(path_or_text).__name__
            raise FormatError(f"read_game() takes a path (or text=True and the file's text), got {kind}")
        file = os.fspath(path_or_text)
        content = _read_text(file)
    match = re.match(r"\s*(\S+)", content)
    kind = match.group(1)[:3] if match else ""
    if kind not in _PARSERS or (match and match.group(1) != kind):
        first = match.group(1)[:20] if match else "nothing"
        line = content[: match.start(1)].count("\n") + 1 if match else 1
        raise FormatError(
            f"not a Gambit game file: expected 'NFG' or 'EFG' at the start, found {first!r}",
            file=file,
            line=line,
        )
    return _PARSERS[kind](content, file)


def write_game(game: NormalFormGame | ExtensiveFormGame, path: str | os.PathLike[str] | None = None) -> str:
    """Write a game as Gambit text (``.nfg`` for normal form, ``.efg`` for extensive form).

    Parameters
    ----------
    game
        The game.
    path
        Where to write the file; ``None`` only returns the text.

    Returns
    -------
    str
        The file's text.
    """
    if isinstance(game, NormalFormGame):
        content, suffix = format_nfg(game), ".nfg"
    elif isinstance(game, ExtensiveFormGame):
        content, suffix = format_efg(game), ".efg"
    else:
        raise UnsupportedError(f"cannot write a {type(game).__name__} as a Gambit file")
    if path is not None:
        given = Path(path).suffix.lower()
        if given in (".nfg", ".efg") and given != suffix:
            raise UnsupportedError(
                f"this {game.kind}-form game is written as {suffix}, not {given} (file {os.fspath(path)}); "
                "convert it first"
            )
        Path(path).write_text(content, encoding="utf-8")
    return content


__all__ = [
    "Token",
    "format_efg",
    "format_nfg",
    "format_number",
    "normalize_labels",
    "parse_efg",
    "parse_nfg",
    "read_game",
    "tokenize",
    "write_game",
]
