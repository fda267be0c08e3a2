"""Labelled dictionaries of results: a key that is not there raises a typed error that says so.

An equilibrium's ``payoffs``, ``outcomes``, ``indicators``, ``profile`` and ``beliefs`` are
dictionaries keyed by names (players, outcome labels, information sets, actions, nodes). A
misspelt name must not surface as a bare ``KeyError: 'warr'``: :class:`Labelled` raises
:class:`~deterrence.errors.LabelError` (a ``KeyError`` too) naming the kind of key, the keys
there are and the closest one. In every other respect it is the ``dict`` it holds (equality,
``get``, iteration, JSON, pickling).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .errors import LabelError


class Labelled(dict):
    """A ``dict`` whose missing keys raise :class:`~deterrence.errors.LabelError`.

    Parameters
    ----------
    items
        The entries.
    kind
        What the keys are, as the error names them (``"outcome"``, ``"player"``, ...).
    """

    __slots__ = ("kind",)

    def __init__(self, items: Any = (), kind: str = "key") -> None:
        super().__init__(items)
        self.kind = kind

    def __missing__(self, key: Any) -> Any:
        raise LabelError(key, self.kind, self.keys())

    def copy(self) -> Labelled:
        return Labelled(self, self.kind)

    def __reduce__(self) -> tuple[Any, ...]:
        return Labelled, (dict(self), self.kind)


def labelled(mapping: Mapping[Any, Any] | None, kinds: Sequence[str]) -> Labelled | None:
    """``mapping`` as a :class:`Labelled` whose keys are ``kinds[0]``, and its values that are
    mappings in turn as ``Labelled`` of ``kinds[1]``, and so on (``None`` stays ``None``)."""
    if mapping is None:
        return None
    rest = kinds[1:]
    return Labelled(
        ((k, labelled(v, rest) if rest and isinstance(v, Mapping) else v) for k, v in mapping.items()),
        kinds[0],
    )


def labelled_profile(profile: Mapping[str, Any] | None) -> Labelled | None:
    """A profile (``{player: {strategy: prob}}`` of a normal form, ``{player: {information set:
    {action: prob}}}`` of a tree) as :func:`labelled` dictionaries, the kinds read off its shape."""
    if profile is None:
        return None
    tree = any(isinstance(v, Mapping) for inner in profile.values() if isinstance(inner, Mapping)
               for v in inner.values())
    return labelled(profile, ("player", "information set", "action") if tree else ("player", "strategy"))
