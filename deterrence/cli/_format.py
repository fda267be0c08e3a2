"""Text and JSON output of the command line: tables, profiles, equilibria."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any, TextIO

import deterrence as dt

# control characters (ANSI escapes, carriage returns, ...) and the bidirectional-text controls:
# text from a model or game file must not move the cursor, recolour or reorder the terminal
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``); newlines and tabs kept."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class TerminalSafe(io.TextIOBase):
    """A text stream that writes to ``stream`` through :func:`terminal_safe`."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(terminal_safe(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    @property
    def closed(self) -> bool:
        """Whether the stream underneath is closed (then so is this one)."""
        return bool(getattr(self._stream, "closed", False))

    def isatty(self) -> bool:
        return not self.closed and self._stream.isatty()


def fmt_value(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:.6g}"
    return str(x)


def table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    cells = [[str(h) for h in header], *[[fmt_value(c) for c in r] for r in rows]]
    widths = [max(len(r[k]) for r in cells) for k in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def nonzero(d: Mapping[str, float], tol: float = 1e-12) -> dict[str, float]:
    return {k: float(v) for k, v in d.items() if abs(float(v)) > tol}


def jsonable(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, Fraction):
        return float(obj)
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        try:
            return obj.item()
        except (ValueError, AttributeError):
            pass
    if hasattr(obj, "tolist"):
        return obj.tolist()
    return obj


def equilibrium_dict(eq: Any) -> dict[str, Any]:
    cert = eq.certificate
    return jsonable({
        "regime": dt.regime_label(eq.outcomes, eq.is_pure()),
        "label": eq.label,
        "profile": eq.profile,
        "beliefs": eq.beliefs,
        "off_path": list(eq.off_path),
        "payoffs": eq.payoffs,
        "outcomes": eq.outcomes,
        "indicators": eq.indicators,
        "regret": cert.regret,
        "relative_regret": cert.details.get("relative_regret"),
        "bayes_error": cert.bayes_error,
        "qre_residual": cert.qre_residual,
        "certificate": {"concept": cert.concept, "tolerance": cert.tolerance, "exact": cert.exact,
                        "passed": cert.passed},
        "lam": eq.lam,
    })


def print_profile(profile: Mapping[str, Any], indent: str = "    ") -> None:
    for player, part in profile.items():
        first = next(iter(part.values()), None) if isinstance(part, Mapping) else None
        if isinstance(first, Mapping):  # extensive: infoset -> action -> prob
            for infoset, dist in part.items():
                shown = ", ".join(f"{a}={p:.4g}" for a, p in nonzero(dist).items())
                print(f"{indent}{player} @ {infoset}: {shown}")
        else:
            shown = ", ".join(f"{a}={p:.4g}" for a, p in nonzero(part).items())
            print(f"{indent}{player}: {shown}")
