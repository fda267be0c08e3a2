"""Gambit ``.nfg`` files (normal form): reading both the payoff and the outcome version, writing.

Part of :mod:`deterrence.gambit` (which holds :func:`~deterrence.gambit.read_game`
and :func:`~deterrence.gambit.write_game`); the tokens and numbers come from
:mod:`deterrence.gambit._lexer`.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import FormatError, GameError, ResourceError
from ..game.normal import MAX_PLAYERS, NormalFormGame
from ._lexer import (
    EOF,
    LBRACE,
    NUMBER,
    RBRACE,
    TEXT,
    Exact,
    _Parser,
    _quote,
    format_number,
    normalize_labels,
)

#: the most payoffs (players x pure profiles) a .nfg file may declare
MAX_PAYOFFS = 4_000_000


# ---------------------------------------------------------------------------------- .nfg
def parse_nfg(text: str, file: str | None = None) -> NormalFormGame:
    """Parse the text of a Gambit ``.nfg`` file (payoff or outcome version).

    Payoffs are listed with player 1's strategy changing fastest.

    Raises
    ------
    FormatError
        If the text is not a well-formed ``.nfg`` file; the message names the line.
    """
    p = _Parser(text, file)
    title = p.header("NFG", "1")
    players, players_tok = p.text_list("list of player names")
    if not players:
        raise p.error("the game has no players", players_tok.line)
    if len(players) > MAX_PLAYERS:
        raise _too_large(file, f"{len(players):,} players (at most {MAX_PLAYERS})", len(players))
    opening = p.expect(LBRACE, "'{' opening the strategy list")
    strategies: list[list[str]] = []
    if p.peek().kind == LBRACE:
        while p.peek().kind == LBRACE:
            names, tok = p.text_list(f"strategy names of player {len(strategies) + 1}")
            if not names:
                raise p.error(f"player {len(strategies) + 1} has no strategies", tok.line)
            strategies.append(names)
        p.expect(RBRACE, "'{' or '}' in the strategy list")
    else:
        counts: list[int] = []
        while p.peek().kind == NUMBER:
            count, _ = p.integer(f"the number of strategies of player {len(counts) + 1}", minimum=1)
            counts.append(count)
            _check_profiles(file, counts, len(players))  # before any label is made
        strategies = [[str(k + 1) for k in range(count)] for count in counts]
        p.expect(RBRACE, "a number of strategies or '}'")
    if len(strategies) != len(players):
        raise p.error(
            f"strategies are given for {len(strategies)} player(s), but the file names {len(players)}",
            opening.line,
        )
    if p.peek().kind == TEXT:  # optional comment
        p.next()
    shape = tuple(len(s) for s in strategies)
    _check_profiles(file, list(shape), len(players))
    nplayers, ncells = len(players), math.prod(shape)
    start = p.peek()
    if start.kind == LBRACE:
        table = _nfg_outcome_body(p, nplayers, ncells)
    elif start.kind == NUMBER:
        table = _nfg_payoff_body(p, nplayers, ncells, shape)
    else:
        raise p.error(f"expected payoffs or an outcome list, found {start.describe()}", start.line)
    arrays = _payoff_arrays(table, shape)
    try:
        return NormalFormGame(
            arrays,
            players=normalize_labels(players),
            strategies=[normalize_labels(s) for s in strategies],
            title=title,
        )
    except GameError as exc:  # not expected: the parser checks what the game checks
        raise FormatError(str(exc), file=file) from None


def _too_large(file: str | None, what: str, estimate: float) -> ResourceError:
    return ResourceError(f"{file or '<text>'}: the game has {what}; too large to read", estimate=estimate)


def _check_profiles(file: str | None, counts: list[int], nplayers: int) -> None:
    """Refuse, from the header alone, a game with more than :data:`MAX_PAYOFFS` payoffs."""
    payoffs = math.prod(counts) * nplayers
    if payoffs > MAX_PAYOFFS:
        shape = " x ".join(f"{c:,}" for c in counts)
        raise _too_large(
            file, f"{shape} pure profiles{' so far' if len(counts) < nplayers else ''}, "
            f"{payoffs:,} payoffs (at most {MAX_PAYOFFS:,})", payoffs
        )


def _nfg_payoff_body(
    p: _Parser, nplayers: int, ncells: int, shape: tuple[int, ...]
) -> list[tuple[Exact, ...]]:
    need = nplayers * ncells
    values: list[Exact] = []
    while len(values) < need:
        tok = p.next()
        if tok.kind == NUMBER:
            values.append(tok.value)  # type: ignore[arg-type]
        elif tok.kind == EOF:
            raise p.error(
                f"the file ends after {len(values)} payoffs; a game of {nplayers} players and shape "
                f"{'x'.join(map(str, shape))} needs {need}",
                tok.line,
            )
        else:
            raise p.error(f"expected a payoff (a number), found {tok.describe()}", tok.line)
    p.end(f"the last payoff ({need} payoffs expected)")
    return [tuple(values[k * nplayers : (k + 1) * nplayers]) for k in range(ncells)]


def _nfg_outcome_body(p: _Parser, nplayers: int, ncells: int) -> list[tuple[Exact, ...]]:
    p.expect(LBRACE, "'{' opening the outcome list")
    outcomes: list[tuple[Exact, ...]] = []
    while p.peek().kind == LBRACE:
        opening = p.next()
        p.expect(TEXT, f"the name of outcome {len(outcomes) + 1} (quoted text)")
        outcomes.append(p.numbers(f"outcome {len(outcomes) + 1}", nplayers, opening))
    p.expect(RBRACE, "'{' opening an outcome or '}' closing the outcome list")
    zero = (0,) * nplayers
    table: list[tuple[Exact, ...]] = []
    while len(table) < ncells:
        tok = p.peek()
        if tok.kind == EOF:
            raise p.error(
                f"the file ends after {len(table)} outcome indices; the game needs {ncells}", tok.line
            )
        index, tok = p.integer("an outcome index")
        if not 0 <= index <= len(outcomes):
            raise p.error(
                f"unknown outcome index {index} "
                f"(the file defines outcomes 1 to {len(outcomes)}; 0 means none)",
                tok.line,
            )
        table.append(outcomes[index - 1] if index else zero)
    p.end(f"the last outcome index ({ncells} expected)")
    return table


def _payoff_arrays(table: list[tuple[Exact, ...]], shape: tuple[int, ...]) -> list[np.ndarray]:
    """Per-player arrays from rows listed with player 1's strategy changing fastest."""
    integral = all(isinstance(v, int) and abs(v) < 2**62 for row in table for v in row)
    # exact values otherwise: the game checks that distinct payoffs stay distinct as floats
    flat = np.array(table, dtype=np.int64 if integral else object)
    return [flat[:, i].reshape(shape, order="F") for i in range(len(shape))]

def format_nfg(game: NormalFormGame, outcome_version: bool = False) -> str:
    """The Gambit ``.nfg`` text of a normal-form game.

    Parameters
    ----------
    game
        The game.
    outcome_version
        Write the outcome version (a list of outcomes, then one outcome index per
        profile) instead of the payoff version.
    """
    exact = game.integer_payoffs()
    arrays = exact if exact is not None else game.payoffs
    columns = [np.asarray(a).reshape(-1, order="F") for a in arrays]
    rows = [" ".join(format_number(c[k]) for c in columns) for k in range(columns[0].size)]
    strategies = " ".join("{ " + " ".join(_quote(s) for s in names) + " }" for names in game.strategies)
    lines = [
        f"NFG 1 R {_quote(game.title)} {{ {' '.join(_quote(p) for p in game.players)} }} {{ {strategies} }}",
        '""',
        "",
    ]
    if outcome_version:  # one outcome per distinct payoff vector
        numbers: dict[str, int] = {}
        indices = [numbers.setdefault(row, len(numbers) + 1) for row in rows]
        lines.append("{")
        lines.extend(f'{{ "" {row.replace(" ", ", ")} }}' for row in numbers)
        lines.append("}")
        lines.append(" ".join(map(str, indices)))
    else:
        lines.extend(rows)
    return "\n".join(lines) + "\n"


__all__ = ["format_nfg", "parse_nfg"]
