"""Typed errors of the ``deterrence`` library.

Every error the library raises on bad input is a :class:`DeterrenceError`. Each
subclass also inherits the matching built-in exception (``ValueError``,
``NotImplementedError``, ...), so code that catches the built-ins keeps working.
Each error carries the culprit as attributes (file, key, line, node, parameter, ...)
and names it in its message.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any


class DeterrenceError(Exception):
    """Base class of every error raised by ``deterrence``.

    An error pickles as it is (its message, attributes and notes), so one raised in a sweep's
    worker process reaches the sweep's process intact: unpickling does not call ``__init__``,
    which for some subclasses takes keyword arguments, or builds the message from its parts.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuilt, (type(self), self.args, dict(self.__dict__))


#: ``Py_TPFLAGS_HEAPTYPE``: set on classes defined in Python, not on the built-in exceptions
_HEAP_TYPE = 1 << 9


def _rebuilt(cls: type[DeterrenceError], args: tuple[Any, ...], state: dict[str, Any]) -> DeterrenceError:
    """An error of class ``cls`` with these ``args`` and attributes, made without ``cls.__init__``."""
    base = cls
    while base.__flags__ & _HEAP_TYPE:  # the built-in exception the class is laid out on
        base = base.__base__
    error = base.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


def location(file: str | None = None, key: str | None = None, line: int | None = None) -> str:
    """Where something is, as error messages name it: ``"m.toml:12, key 'nodes.war.payoffs.A'"``."""
    where = []
    if file is not None:
        where.append(f"{file}" + (f":{line}" if line is not None else ""))
    elif line is not None:
        where.append(f"line {line}")
    if key is not None:
        where.append(f"key '{key}'")
    return ", ".join(where)


class ModelError(DeterrenceError, ValueError):
    """A model file or model definition is malformed.

    Parameters
    ----------
    message
        What is wrong.
    file, key, line
        Where: the file path, the key path inside it (e.g. ``tree.attack.payoffs``)
        and the 1-based line number, where known.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        key: str | None = None,
        line: int | None = None,
    ) -> None:
        self.reason = message
        self.file = file
        self.key = key
        self.line = line
        prefix = location(file, key, line)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class ExpressionError(ModelError):
    """A payoff or probability expression is not allowed or cannot be parsed.

    Parameters
    ----------
    message
        What is wrong.
    text
        The expression text.
    column
        1-based column of the offending token within ``text``, where known.
    """

    def __init__(
        self,
        message: str,
        *,
        text: str = "",
        column: int | None = None,
        file: str | None = None,
        key: str | None = None,
        line: int | None = None,
    ) -> None:
        self.text = text
        self.column = column
        shown = text if len(text) <= 80 else text[:77] + "..."
        detail = f"{message} in expression {shown!r}"
        if column is not None:
            detail += f" (column {column})"
        super().__init__(detail, file=file, key=key, line=line)


class ParameterError(DeterrenceError, ValueError):
    """A parameter name is unknown, or its value is of the wrong type or outside its domain."""

    def __init__(
        self,
        message: str,
        *,
        name: str | None = None,
        value: Any = None,
        domain: Any = None,
    ) -> None:
        self.name = name
        self.value = value
        self.domain = domain
        super().__init__(message)


class OrderingError(ParameterError):
    """Values break one of a model's orderings (the payoff rankings the model rests on).

    Parameters
    ----------
    message
        What is wrong: the ordering, the comparison that fails and the values it reads.
    advice
        What the caller can do about it (``Model.game``: pass ``check_orderings=False``; a sweep:
        other grid values, or ``on_error="record"``), appended to the message after a ``;``.
    name, value, domain
        As :class:`ParameterError`: the first parameter the failing comparison reads, the values
        it reads, and the ordering's text.
    """

    def __init__(
        self,
        message: str,
        *,
        advice: str | None = None,
        name: str | None = None,
        value: Any = None,
        domain: Any = None,
    ) -> None:
        self.problem = message
        self.advice = advice
        super().__init__(f"{message}; {advice}" if advice else message, name=name, value=value, domain=domain)

    def with_advice(self, advice: str | None) -> OrderingError:
        """The same error with other advice (a caller that knows better what its user can do)."""
        return type(self)(self.problem, advice=advice, name=self.name, value=self.value, domain=self.domain)


class GameError(DeterrenceError, ValueError):
    """A game is malformed; names the node or information set at fault."""

    def __init__(self, message: str, *, node: str | None = None, infoset: str | None = None) -> None:
        self.node = node
        self.infoset = infoset
        where = []
        if node is not None:
            where.append(f"node {node}")
        if infoset is not None:
            where.append(f"information set {infoset}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class FormatError(DeterrenceError, ValueError):
    """A Gambit ``.nfg``/``.efg`` file (or other game text) is malformed."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        self.file = file
        self.line = line
        where = (file or "<text>") + (f":{line}" if line is not None else "")
        super().__init__(f"{where}: {message}")


class UnsupportedError(DeterrenceError, NotImplementedError):
    """The requested concept/method/game combination is not supported.

    ``methods`` lists the methods that can serve the request instead.
    """

    def __init__(self, message: str, *, methods: tuple[str, ...] = ()) -> None:
        self.methods = tuple(methods)
        if methods:
            message = f"{message}; methods that can serve: {', '.join(methods)}"
        super().__init__(message)


class OptionError(ParameterError, UnsupportedError):
    """A solver option is unknown or misspelt, or its value has the wrong type.

    Both a :class:`ParameterError` (a bad keyword argument) and an :class:`UnsupportedError`
    (the chosen method does not take it).

    Parameters
    ----------
    message
        What is wrong; names the option, the method and the valid options or values.
    name, value
        The option and the value given.
    method
        The solver the option was given to.
    valid
        The options the method takes (or, for a bad value, the values it allows).
    """

    def __init__(
        self,
        message: str,
        *,
        name: str | None = None,
        value: Any = None,
        method: str | None = None,
        valid: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self.value = value
        self.domain = tuple(valid)
        self.method = method
        self.valid = tuple(valid)
        self.methods = ()
        Exception.__init__(self, message)


class SolverError(DeterrenceError, RuntimeError):
    """A solver failed, or produced a candidate that did not certify."""


class ResourceError(DeterrenceError, MemoryError):
    """A game or sweep is too large for the chosen method; carries an estimate of the work."""

    def __init__(self, message: str, *, estimate: float | None = None) -> None:
        self.estimate = estimate
        super().__init__(message)


class TimeLimitError(ResourceError, TimeoutError):
    """A solve ran past the time limit the caller set (``time_limit=`` seconds) and was stopped.

    Attributes
    ----------
    elapsed
        Seconds spent when the solver stopped.
    limit
        The time limit, in seconds.
    """

    def __init__(self, message: str, *, elapsed: float, limit: float) -> None:
        self.elapsed = elapsed
        self.limit = limit
        super().__init__(message)


class SweepError(DeterrenceError, ValueError):
    """A sweep specification (grid, sample, backend, output folder) is invalid."""


class SweepVersionError(SweepError):
    """A sweep's ``out=`` folder holds chunks computed by another version of ``deterrence`` (or,
    in a source checkout, by the same version number with other sources): resuming there would
    mix the answers of two versions in one table.

    Attributes
    ----------
    folder
        The folder.
    theirs, ours
        The version (and digest of the package's sources) that computed the folder's chunks, and
        this one's, as ``{"deterrence": ..., "sources": ...}``.
    """

    def __init__(self, message: str, *, folder: str = "", theirs: dict[str, str] | None = None,
                 ours: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.folder, self.theirs, self.ours = folder, dict(theirs or {}), dict(ours or {})


class LabelError(DeterrenceError, KeyError):
    """A result looked up by a name it does not have: an outcome label, a player, an indicator,
    an information set, an action or a node that is not among its keys.

    It is a ``KeyError`` too, so ``except KeyError`` and ``dict.get`` keep working; its message
    names what was asked for, what kind of key it is and the keys there are.

    Parameters
    ----------
    name
        The key asked for.
    kind
        What the keys are (``"outcome"``, ``"player"``, ...).
    valid
        The keys there are.
    """

    def __init__(self, name: Any, kind: str, valid: Iterable[Any]) -> None:
        self.name, self.kind, self.valid = name, kind, tuple(valid)
        shown = ", ".join(repr(v) for v in self.valid) or "none"
        hint = close_match_hint(name, self.valid) if isinstance(name, str) else ""
        plural = kind[:-1] + "ies" if kind.endswith("y") else kind + "s"
        super().__init__(f"no {kind} {name!r}{hint}; the {plural} here: {shown}")

    def __str__(self) -> str:  # KeyError's own str() would show the message in quotes
        return str(self.args[0]) if self.args else ""


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


__all__ = [
    "DeterrenceError",
    "ExpressionError",
    "FormatError",
    "GameError",
    "LabelError",
    "ModelError",
    "OptionError",
    "ParameterError",
    "ResourceError",
    "SolverError",
    "SweepError",
    "SweepVersionError",
    "TimeLimitError",
    "UnsupportedError",
]
