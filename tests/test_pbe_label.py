"""The PBE solver's signalling labels (:func:`deterrence.solvers.pbe._label`): a pure profile's
label without numpy, the same label as the general rule's."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from deterrence.solvers import pbe
from deterrence.solvers._pbe_context import _INTERIOR


def _general(senders, beh) -> str:
    """The label by the general rule (``_label``'s numpy steps for any profile)."""
    moves = [np.asarray(beh[k]) for k in senders]
    pure = all(m.max() >= 1 - _INTERIOR for m in moves)
    if all(pbe._close(m, moves[0]) for m in moves):
        return "pooling"
    if pure:
        picks = [int(np.argmax(m)) for m in moves]
        return "separating" if len(set(picks)) == len(picks) else "partially pooling"
    return "semi-separating"


_ENTRY = st.sampled_from([0.0, -0.0, 1.0, 0.0, 1.0, 0.5, 1e-12, 1.0 - 1e-12, 0.3])


@settings(max_examples=400, deadline=None)
@given(st.integers(2, 4), st.integers(2, 3), st.data())
def test_label_is_the_general_rules(n_senders, n_actions, data):
    """Random sender moves (all 0 and 1 often, with -0.0; near-pure and mixed now and then),
    other sets ignored: the same label as the general rule."""
    beh = [np.array(data.draw(st.lists(_ENTRY, min_size=n_actions, max_size=n_actions)))
           for _ in range(n_senders)]
    beh.append(np.array([0.25, 0.75]))  # a set that is not a sender's
    ctx = SimpleNamespace(senders=tuple(range(n_senders)))
    assert pbe._label(ctx, beh) == _general(ctx.senders, beh)


def test_pure_profiles_are_labelled_without_numpy_comparisons(monkeypatch):
    """Sender moves of 0s and 1s: no ``_close`` (the equality of entries decides)."""
    def refused(a, b):
        raise AssertionError("_close called")

    monkeypatch.setattr(pbe, "_close", refused)
    ctx = SimpleNamespace(senders=(0, 1, 2))
    one, other = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    assert pbe._label(ctx, [one, one, one]) == "pooling"
    assert pbe._label(ctx, [one, other, one]) == "partially pooling"
    assert pbe._label(ctx, [one, other, np.array([0.0, -0.0])]) == "semi-separating"
    assert pbe._label(SimpleNamespace(senders=(0, 1)), [one, other]) == "separating"
