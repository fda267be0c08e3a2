"""Parsing of the command line's values: ``--set``, ``--option``, ``--vary``, ``--lam``."""

from __future__ import annotations

import argparse
import difflib
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, NoReturn

import deterrence as dt

PROG = "deterrence"

class Parser(argparse.ArgumentParser):
    """argparse, but a bad command line is one line on stderr and status 2, and an option must be
    spelt in full: an abbreviation (``--sampl`` for ``--samples``) is refused as an unknown
    option, never taken for the option it may stand for (``allow_abbrev=False``; every verb's
    parser is one of these)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{PROG}: error: {message} (see '{self.prog} --help')\n")


def close_match_hint(name: str, valid: Sequence[str]) -> str:
    """``" (did you mean 'credibility'?)"`` for ``"credibilty"``, or ``""`` if no valid name is
    close: the command line's copy of ``deterrence.errors.close_match_hint`` (the command line
    uses the library through its public API only)."""
    close = difflib.get_close_matches(name, [str(v) for v in valid], n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def add_check_orderings(parser: argparse.ArgumentParser) -> None:
    """``--check-orderings`` (the default) / ``--no-check-orderings``: refuse parameter values that
    violate one of the model's orderings, or use them anyway (``Model.game(check_orderings=...)``)."""
    parser.add_argument(
        "--check-orderings", action=argparse.BooleanOptionalAction, default=True,
        help="refuse parameter values that violate one of the model's published orderings (default); "
        "--no-check-orderings uses them anyway")


def parse_number(text: str, what: str) -> float | Fraction:
    """``"0.7"`` -> 0.7, ``"1/3"`` -> Fraction(1, 3); anything else is a dt.ParameterError."""
    raw = text.strip()
    shown = text if len(text) <= 40 else text[:37] + "..."
    try:
        if "/" in raw:
            return Fraction(raw)
        value = float(raw)
    except (ValueError, ZeroDivisionError):
        raise dt.ParameterError(f"{what}: '{shown}' is not a number", value=text) from None
    if not math.isfinite(value):
        raise dt.ParameterError(f"{what}: '{shown}' is not a finite number", value=text)
    if value == 0 and any(c in "123456789" for c in raw.lower().partition("e")[0]):
        raise dt.ParameterError(f"{what}: '{shown}' is too small: it would be read as 0", value=text)
    return value


def parse_sets(items: Sequence[str] | None) -> dict[str, float | Fraction]:
    """``["a=1", "b=1/3"]`` -> ``{"a": 1.0, "b": Fraction(1, 3)}``."""
    out: dict[str, float | Fraction] = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise dt.ParameterError(f"--set '{item}': expected NAME=VALUE")
        if name in out:
            raise dt.ParameterError(f"--set: parameter '{name}' is set twice", name=name)
        out[name] = parse_number(value, f"--set {name}")
    return out


def parse_options(items: Sequence[str] | None, *, concept: str | None = None,
                  method: str = "auto") -> dict[str, Any]:
    """``["mixed=false", "max_mixed_sets=2"]`` -> ``{"mixed": False, "max_mixed_sets": 2}``.

    Names and types come from the solvers' declared options (:func:`deterrence.solver_options`):
    of ``method``, or of every method that computes ``concept`` (every method if ``None``).
    Booleans are true/false, yes/no or 1/0; integers ASCII digits; numbers decimal and finite.

    Raises
    ------
    ParameterError
        Not ``NAME=VALUE``, an unknown name (the valid ones are listed), a name given twice,
        or a value that is not of the option's type.
    """
    out: dict[str, Any] = {}
    specs: dict[str, Any] | None = None
    for item in items or ():
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise dt.ParameterError(f"--option '{item}': expected NAME=VALUE")
        if specs is None:
            specs = dt.solver_options(None if method == "auto" else method, concept=concept)
        spec = specs.get(name)
        if spec is None:
            raise dt.ParameterError(
                f"--option: unknown solver option '{name}'{close_match_hint(name, specs)}; options: "
                f"{', '.join(specs)}", name=name)
        if name in out:
            raise dt.ParameterError(f"--option: option '{name}' is given twice", name=name)
        try:
            out[name] = spec.parse(value)
        except dt.ParameterError as exc:
            raise dt.ParameterError(f"--option {exc}", name=name, value=value) from None  # --option NAME: ...
    return out


def parse_vary(items: Sequence[str] | None, sampling: bool
               ) -> tuple[dict[str, Any], dict[str, tuple[float, float]]]:
    """Parse ``--vary`` specs.

    Grid mode: ``k=lo:hi:n`` (``n`` evenly spaced values, ends included, as a
    :class:`~deterrence.Linspace`: never held in memory; ``n = 1`` only with ``lo == hi``) or
    ``k=v1,v2,...`` (each value once: the sweep refuses a repeated one).
    Sampling mode: ``k`` (sample over its domain) or ``k=lo:hi`` (over these bounds).

    Returns
    -------
    grid_or_vary, bounds
        ``{name: values}`` (grid) or ``{name: None}`` (sampling), and sampling bounds.
    """
    import numpy as np

    values: dict[str, Any] = {}
    bounds: dict[str, tuple[float, float]] = {}
    for item in items or ():
        name, sep, spec = item.partition("=")
        name = name.strip()
        if not name:
            raise dt.SweepError(f"--vary '{item}': expected NAME=LO:HI:N")
        if name in values:
            raise dt.SweepError(f"--vary: parameter '{name}' is varied twice")
        if sampling:
            values[name] = None
            if sep:
                parts = spec.split(":")
                if len(parts) != 2:
                    raise dt.SweepError(f"--vary '{item}': with --samples give NAME or NAME=LO:HI")
                lo, hi = (float(parse_number(p, f"--vary {name}")) for p in parts)
                bounds[name] = (lo, hi)
            continue
        if not sep or not spec.strip():
            raise dt.SweepError(f"--vary '{item}': expected NAME=LO:HI:N or NAME=V1,V2,...")
        if ":" in spec:
            parts = spec.split(":")
            if len(parts) != 3:
                raise dt.SweepError(
                    f"--vary '{item}': expected NAME=LO:HI:N (three fields), got {len(parts)}")
            lo, hi = (float(parse_number(p, f"--vary {name}")) for p in parts[:2])
            try:
                n = int(parts[2])
            except ValueError:
                raise dt.SweepError(
                    f"--vary '{item}': the number of steps '{parts[2]}' is not an integer") from None
            if n < 1:
                raise dt.SweepError(f"--vary '{item}': the number of steps must be at least 1, got {n}")
            if n > 1 and lo == hi:
                raise dt.SweepError(f"--vary '{item}': empty range ({lo:g} to {hi:g}) with {n} steps")
            if n == 1 and lo != hi:
                raise dt.SweepError(
                    f"--vary '{item}': one value cannot run from {lo:g} to {hi:g}; give {name}={lo:g} "
                    f"for one value, or N of at least 2")
            values[name] = dt.Linspace(lo, hi, n)  # evenly spaced values, computed a chunk at a time
        else:
            values[name] = np.array([float(parse_number(p, f"--vary {name}")) for p in spec.split(",")])
    return values, bounds


def parse_lam(text: str | None) -> Any:
    if text is None:
        return None
    parts = [float(parse_number(p, "--lam")) for p in text.split(",")]
    return parts[0] if len(parts) == 1 else parts
