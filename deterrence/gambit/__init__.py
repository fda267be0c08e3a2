"""gambit: see docs/discussion/architecture.md."""

from __future__ import annotations

from ._efg import format_efg, parse_efg
from ._files import read_game, write_game
from ._lexer import Exact, Token, format_number, normalize_labels, tokenize
from ._nfg import format_nfg, parse_nfg

__all__ = [
    "Exact",
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
