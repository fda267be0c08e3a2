"""Typed solver options: declared as dataclass fields, checked by name, type and value.

Each solver declares its options as a frozen dataclass derived from
:class:`~deterrence.solvers.base.SolverOptions`. The field's annotation is its type, one of

* ``bool``, ``int``, ``float``, ``str``;
* ``tuple[int, ...]`` or ``tuple[float, ...]`` (any sequence of such numbers is accepted);
* a union of these with each other or with ``None`` (``float | tuple[float, ...] | None``).

:func:`option` adds what the annotation cannot say: the allowed values of a string, or a
lower bound of a number. Values are checked strictly: ``True`` is not an integer, ``"2"`` is
not a number, ``2.0`` is not an integer; integers are accepted where a ``float`` is asked
for. Numbers must be finite.
"""

from __future__ import annotations

import difflib
import inspect
import numbers
import re
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import MISSING, Field, dataclass, field, fields, replace
from functools import cache
from typing import Any

import numpy as np

from ..errors import OptionError, ParameterError

#: integers and decimal numbers as the command line accepts them (ASCII digits only)
_INT_TEXT = re.compile(r"[+-]?[0-9]+")
_FLOAT_TEXT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_TRUE = ("true", "yes", "1")
_FALSE = ("false", "no", "0")


def option(default: Any, *, choices: tuple[str, ...] | None = None, minimum: float | None = None,
           exclusive: bool = False) -> Any:
    """A dataclass field for a solver option, with the values it allows.

    Parameters
    ----------
    default
        The value the solver uses when the option is not given.
    choices
        For a string option: the allowed values.
    minimum
        For a number: the smallest value allowed (``exclusive=True``: values must exceed it).
    exclusive
        Whether ``minimum`` itself is excluded.
    """
    meta: dict[str, Any] = {}
    if choices is not None:
        meta["choices"] = tuple(choices)
    if minimum is not None:
        meta["minimum"] = minimum
        meta["exclusive"] = exclusive
    return field(default=default, metadata=meta)


# ---------------------------------------------------------------------------- declarations
@cache
def declared(cls: type) -> dict[str, Field]:
    """The option fields of ``cls`` by name, in declaration order."""
    return {f.name: f for f in fields(cls)}


@cache
def annotations(cls: type) -> dict[str, Any]:
    """The resolved type annotation of each option of ``cls``."""
    return typing.get_type_hints(cls)


@cache
def descriptions(cls: type) -> dict[str, str]:
    """The explanation of each option, read from the ``Parameters`` section of the docstring.

    The docstring is cleaned first (:func:`inspect.cleandoc`): Python 3.13 strips its indentation
    when compiling, earlier versions keep it, and the names are told from their explanations by
    indentation (names at the section's own, explanations deeper).
    """
    lines = inspect.cleandoc(cls.__doc__ or "").splitlines()
    out: dict[str, list[str]] = {}
    current: str | None = None
    in_section = False
    for k, line in enumerate(lines):
        text = line.strip()
        if text == "Parameters" and k + 1 < len(lines) and lines[k + 1].strip().startswith("---"):
            in_section = True
            continue
        if not in_section or text.startswith("---"):
            continue
        indent = len(line) - len(line.lstrip())
        if text and indent == 0 and k + 1 < len(lines) and lines[k + 1].strip().startswith("---"):
            break  # the next section
        if text and indent == 0:
            current = text
            for name in (n.strip() for n in text.split(",")):
                out[name] = []
        elif current is not None and text:
            for name in (n.strip() for n in current.split(",")):
                out[name].append(text)
    return {name: " ".join(words) for name, words in out.items()}


def default_of(f: Field) -> Any:
    """The default value of an option field."""
    if f.default is not MISSING:
        return f.default
    if f.default_factory is not MISSING:
        return f.default_factory()
    return None


def describe_type(hint: Any, meta: Mapping[str, Any] | None = None, *, text: bool = False) -> str:
    """The allowed values of a type annotation (and field metadata), in words.

    ``text=True``: as written on the command line (``true or false``, ``none``).
    """
    meta = meta or {}
    members = _members(hint)
    if len(members) > 1:
        words = [describe_type(m, meta, text=text) for m in members]
        return ", ".join(words[:-1]) + " or " + words[-1]
    if hint is type(None):
        return "none" if text else "None"
    if hint is bool:
        return "true or false" if text else "True or False"
    if hint is str:
        choices = meta.get("choices")
        return "one of " + ", ".join(choices) if choices else "a string"
    if hint in (int, float):
        return _number_words(hint, meta)
    item = _tuple_item(hint)
    if item is not None:
        noun = "integers" if item is int else "numbers"
        return f"comma-separated {noun}" if text else f"a sequence of {noun}"
    return repr(hint)


def _number_words(hint: Any, meta: Mapping[str, Any]) -> str:
    """``"an integer"``, ``"a positive number"``, ``"a non-negative integer"``, ``"an integer >= 2"``."""
    noun = "integer" if hint is int else "number"
    if "minimum" not in meta:
        return f"an {noun}" if hint is int else f"a {noun}"
    low, excl = meta["minimum"], bool(meta.get("exclusive"))
    if low == 0:
        return f"a {'positive' if excl else 'non-negative'} {noun}"
    if low == 1 and hint is int and not excl:
        return f"a positive {noun}"
    return f"{'an' if hint is int else 'a'} {noun} {'>' if excl else '>='} {low:g}"


def _members(hint: Any) -> tuple[Any, ...]:
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return typing.get_args(hint)
    return (hint,)


def _tuple_item(hint: Any) -> Any:
    """``int`` for ``tuple[int, ...]``, ``float`` for ``tuple[float, ...]``, else ``None``."""
    if typing.get_origin(hint) is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis and args[0] in (int, float):
            return args[0]
    return None


def supported(hint: Any) -> bool:
    """Whether :func:`check_value` understands the annotation ``hint``."""
    return all(m in (bool, int, float, str, type(None)) or _tuple_item(m) is not None
               for m in _members(hint))


# ---------------------------------------------------------------------------- checking values
_NO = object()


def _as(hint: Any, value: Any) -> Any:
    """``value`` converted to the type ``hint`` (one member of a union), or ``_NO``."""
    if hint is type(None):
        return None if value is None else _NO
    if hint is bool:
        return bool(value) if isinstance(value, bool | np.bool_) else _NO
    if isinstance(value, bool | np.bool_):
        return _NO
    if hint is int:
        return int(value) if isinstance(value, numbers.Integral) else _NO
    if hint is float:
        if isinstance(value, numbers.Real) and np.isfinite(float(value)):
            return float(value)
        return _NO
    if hint is str:
        return value if isinstance(value, str) else _NO
    item = _tuple_item(hint)
    if item is None or isinstance(value, str | bytes | Mapping) or np.ndim(value) != 1:
        return _NO
    try:
        out = tuple(_as(item, v) for v in value)
    except TypeError:
        return _NO
    return _NO if any(v is _NO for v in out) else out


def _within(value: Any, meta: Mapping[str, Any]) -> bool:
    choices = meta.get("choices")
    if choices is not None and isinstance(value, str) and value not in choices:
        return False
    if "minimum" in meta and isinstance(value, int | float) and not isinstance(value, bool):
        low = meta["minimum"]
        return value > low if meta.get("exclusive") else value >= low
    return True


def check_value(cls: type, name: str, value: Any, method: str, *, owner: str | None = None) -> Any:
    """``value`` of option ``name`` of ``cls`` (of ``method``) checked and normalised.

    ``owner`` names the option's owner in the message (default: ``method 'name'``).

    Raises
    ------
    OptionError
        If the value has the wrong type or is not allowed.
    """
    f = declared(cls)[name]
    hint = annotations(cls)[name]
    for member in _members(hint):
        out = _as(member, value)
        if out is not _NO and _within(out, f.metadata):
            return out
    allowed = describe_type(hint, f.metadata)
    choices = tuple(f.metadata.get("choices", ()))
    raise OptionError(
        f"option '{name}' of {owner or f'method {method!r}'} must be {allowed}, got {value!r}",
        name=name, value=value, method=method, valid=choices,
    )


def unknown_option(name: str, method: str, valid: tuple[str, ...], value: Any = None) -> OptionError:
    """The error for an option ``method`` does not take, with the closest valid name suggested."""
    close = difflib.get_close_matches(name, valid, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    takes = f"it takes {', '.join(valid)}" if valid else "it takes no options"
    return OptionError(f"unknown option '{name}' for method '{method}'{hint} ({takes})",
                       name=name, value=value, method=method, valid=valid)


def typed_options(cls: type, values: Mapping[str, Any], method: str) -> Any:
    """An instance of ``cls`` from keyword options, every name and value checked.

    Raises
    ------
    OptionError
        An option ``cls`` does not declare (the message suggests the closest name and lists
        the valid ones), or a value of the wrong type.
    """
    valid = tuple(declared(cls))
    for name in values:
        if name not in valid:
            raise unknown_option(name, method, valid, values[name])
    return cls(**{name: check_value(cls, name, v, method) for name, v in values.items()})


@cache
def default_options(cls: type) -> Any:
    """The instance of the options class ``cls`` with every default (built once: it is frozen)."""
    return cls()


def normalise_fields(instance: Any) -> None:
    """Check every option of a freshly built options instance; store the normalised values.

    Called by ``SolverOptions.__post_init__``, so no instance holds a value of the wrong type.

    Raises
    ------
    OptionError
        A value of the wrong type or not allowed.
    """
    cls = type(instance)
    for name in declared(cls):
        value = check_value(cls, name, getattr(instance, name), "", owner=cls.__name__)
        object.__setattr__(instance, name, value)


# ---------------------------------------------------------------------------- command-line text
def parse_text(hint: Any, text: str, meta: Mapping[str, Any] | None = None) -> Any:
    """An option value from command-line text, parsed strictly by its annotation.

    ``bool``: true/false, yes/no, 1/0 (any case). ``int``: ASCII digits with an optional
    sign. ``float``: a decimal number (``1e-6``, ``.5``), finite. ``None``: ``none``.
    Sequences: comma-separated items. Returns the value (checked against ``meta``'s allowed
    values by :func:`check_value` later).

    Raises
    ------
    ValueError
        If the text is not a value of the annotation (the message says what is expected).
    """
    raw = text.strip()
    for member in _members(hint):
        value = _parse_member(member, raw)
        if value is not _NO and _within(value, meta or {}):
            return value
    raise ValueError(f"expected {describe_type(hint, meta, text=True)}, got '{text}'")


def _parse_member(hint: Any, raw: str) -> Any:
    low = raw.lower()
    if hint is type(None):
        return None if low == "none" else _NO
    if hint is bool:
        return True if low in _TRUE else False if low in _FALSE else _NO
    if hint is int:
        return int(raw) if _INT_TEXT.fullmatch(raw) else _NO
    if hint is float:
        if not _FLOAT_TEXT.fullmatch(raw):
            return _NO
        value = float(raw)
        return value if np.isfinite(value) else _NO
    if hint is str:
        return raw
    item = _tuple_item(hint)
    if item is None or not raw:
        return _NO
    parts = tuple(_parse_member(item, p.strip()) for p in raw.split(","))
    return _NO if any(p is _NO for p in parts) else parts


# ---------------------------------------------------------------------------- descriptions
@dataclass(frozen=True)
class OptionSpec:
    """One solver option as declared: for listings, documentation and the command line.

    Attributes
    ----------
    name
        The keyword of ``deterrence.solve``.
    type
        Its annotation (``bool``, ``int``, ``float | None``, ...).
    default
        The value used when it is not given.
    description
        The explanation from the options class's docstring.
    methods
        The methods that take it.
    choices
        The allowed values of a string option (empty: any string).
    allowed
        The allowed values in words (``"a non-negative integer"``).
    """

    name: str
    type: Any
    default: Any
    description: str
    methods: tuple[str, ...]
    choices: tuple[str, ...] = ()
    allowed: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def parse(self, text: str) -> Any:
        """The value from command-line text (``"true"``, ``"3"``, ``"1e-6"``, ``"d1"``, ``"1,2"``).

        Raises
        ------
        ParameterError
            If the text is not an allowed value: ``"NAME: expected ..., got '...'"``.
        """
        try:
            return parse_text(self.type, text, self.metadata)
        except ValueError as exc:
            raise ParameterError(f"{self.name}: {exc}", name=self.name, value=text,
                                 domain=self.allowed) from None


def specs_of(cls: type, method: str) -> dict[str, OptionSpec]:
    """The options declared by ``cls`` (of ``method``), by name."""
    docs = descriptions(cls)
    hints = annotations(cls)
    out = {}
    for name, f in declared(cls).items():
        out[name] = OptionSpec(
            name=name, type=hints[name], default=default_of(f), description=docs.get(name, ""),
            methods=(method,), choices=tuple(f.metadata.get("choices", ())),
            allowed=describe_type(hints[name], f.metadata), metadata=dict(f.metadata))
    return out


def merge_specs(groups: Iterable[Mapping[str, OptionSpec]]) -> dict[str, OptionSpec]:
    """Options of several methods by name; an option several methods take lists them all.

    The first method's declaration describes a shared name (the methods agree on its type:
    ``tests/test_solver_options.py`` checks it).
    """
    out: dict[str, OptionSpec] = {}
    for group in groups:
        for name, spec in group.items():
            if name in out:
                out[name] = replace(out[name], methods=out[name].methods + spec.methods)
            else:
                out[name] = spec
    return out
