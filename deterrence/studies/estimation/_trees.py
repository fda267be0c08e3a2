"""The structure of the ``games`` trees that estimation needs beyond their closed forms.

The closed forms themselves are in :data:`deterrence.studies.statistical.TREES`. Here: each
decision (the package's name of the probability of its second action, the mover, the outcomes
after each action), the layouts of the dummy outcome columns the package accepts, and the
identification rule of Lewis & Schultz (2003) the package enforces.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..statistical import TREES, TreeForm


@dataclass(frozen=True)
class Decision:
    """One binary choice: ``key`` is the probability of its second action (``"p4"``)."""

    key: str
    player: int
    left: frozenset[int]
    right: frozenset[int]

    @property
    def reached(self) -> frozenset[int]:
        return self.left | self.right


@dataclass(frozen=True)
class Tree:
    """A ``games`` tree for estimation.

    Attributes
    ----------
    form
        The closed form (utilities, outcomes, recursion).
    decisions
        Top-down.
    dummy_layouts
        Number of dummy outcome columns -> which column records each decision's move.
    """

    form: TreeForm
    decisions: tuple[Decision, ...]
    dummy_layouts: dict[int, tuple[int, ...]]

    @property
    def name(self) -> str:
        return self.form.name

    @property
    def utilities(self) -> tuple[str, ...]:
        return self.form.utilities

    @property
    def outcomes(self) -> tuple[int, ...]:
        return self.form.outcomes

    def path(self, outcome: int) -> list[tuple[int, int]]:
        """``(decision index, action)`` pairs leading to ``outcome`` (action 1 = second)."""
        return [(i, int(outcome in d.right)) for i, d in enumerate(self.decisions) if outcome in d.reached]

    def identification_groups(self) -> list[tuple[int, tuple[str, ...]]]:
        """``(player, utilities)``: a player's utilities over every outcome after one of its moves,
        when all of them are estimated (none normalised to 0). A regressor in all of them is not
        identified (Lewis & Schultz 2003), which the package refuses."""
        groups = []
        for d in self.decisions:
            names = tuple(f"u{d.player}{o}" for o in sorted(d.reached))
            if all(n in self.utilities for n in names) and names not in [g for _, g in groups]:
                groups.append((d.player, names))
        return groups


def _d(key: str, player: int, left: set[int], right: set[int]) -> Decision:
    return Decision(key, player, frozenset(left), frozenset(right))


_TREES: dict[str, Tree] = {
    "egame12": Tree(
        TREES["egame12"],
        (_d("p2", 1, {1}, {3, 4}), _d("p4", 2, {3}, {4})),
        {2: (0, 1)},
    ),
    "egame122": Tree(
        TREES["egame122"],
        (_d("p2", 1, {1, 2}, {3, 4}), _d("p4", 2, {1}, {2}), _d("p6", 2, {3}, {4})),
        {2: (0, 1, 1), 3: (0, 1, 2)},
    ),
    "egame123": Tree(
        TREES["egame123"],
        (_d("p2", 1, {1}, {3, 5, 6}), _d("p4", 2, {3}, {5, 6}), _d("p6", 3, {5}, {6})),
        {3: (0, 1, 2)},
    ),
}


def tree(name: str) -> Tree | None:
    return _TREES.get(name)


def names() -> list[str]:
    return list(_TREES)
