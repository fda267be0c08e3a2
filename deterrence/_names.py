"""The hint an error message gives for a misspelt name: the closest valid one, if any is close."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def close_match_hint(name: str, valid: Iterable[str]) -> str:
    """``" (did you mean 'credibility'?)"`` for ``"credibilty"`` among the valid names, or ``""``
    when none is close (:func:`difflib.get_close_matches`, its default cutoff 0.6).

    Examples
    --------
    >>> close_match_hint("credibilty", ["credibility", "stakes"])
    " (did you mean 'credibility'?)"
    >>> close_match_hint("zzz", ["credibility", "stakes"])
    ''
    """
    close = difflib.get_close_matches(str(name), [str(v) for v in valid], n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
