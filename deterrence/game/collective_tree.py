"""The explicit tree of a :class:`~deterrence.game.collective.CollectiveDefenceGame` (small ``n``).

:func:`explicit_tree` builds it; :func:`tree_profile` turns a profile of the aggregated game
into a behaviour profile of the tree, with the consistent beliefs (for
:func:`deterrence.certify` on the tree: the generic certifier as an oracle).

Nature draws the allies' types one after the other (chance nodes ``<ally>_type``), then, with
``initiative > 0``, who has the initiative; then the Attacker and the Target move (information
sets ``attacker``, ``defender``, ``defender_initiative``), and the allies decide in their order.
Simultaneous timing: ally ``i`` knows only its own type (information set
``<ally>_<type>[_provoked]``), so it cannot tell apart the nodes after the earlier allies'
moves. Sequential timing: it also sees who joined before it (one information set per type and
set of earlier joiners, ``<ally>_<type>_after_<joiners>``). Each terminal's payoffs and labels
are those of the aggregated game. With one ally and no initiative this is the tree of
``models/extended_deterrence.toml`` (same node labels, information sets and payoffs).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ResourceError
from .collective import TYPES, CollectiveDefenceGame, ally_player, ally_prefix
from .extensive import ExtensiveFormGame
from .tree import chance, decision, terminal


def explicit_tree(
    game: CollectiveDefenceGame, max_allies: int = 4, war: str | None = None
) -> ExtensiveFormGame:
    """The explicit :class:`~deterrence.ExtensiveFormGame` of ``game`` (see the module docstring).

    ``war="defence"`` (or ``"provoked"``) gives only the allies' join stage of that war: Nature
    draws the types, then the allies decide (the Attacker and the Target have no move).
    """
    n = game.n
    if n > max_allies:
        raise ResourceError(
            f"the explicit tree of a collective-defence game with {n} allies has {2**n} type profiles "
            f"and {2**n} sets of joiners under each; it is built for at most {max_allies} allies "
            "(the aggregated game solves any number up to 32)"
        )
    builder = _Builder(game, war)
    root = builder.types(0, ())
    return ExtensiveFormGame(root, players=list(game.players), title=game.title)


def tree_profile(
    game: CollectiveDefenceGame, tree: ExtensiveFormGame, strategies: Any
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """A profile of the aggregated game as a behaviour profile of its explicit tree, with the
    consistent beliefs (Nature's odds times the earlier allies' moves) at every information set."""
    by_name = {h.name: h for h in game.infosets}
    sums = game.sums
    behaviour = []
    for h in tree.infosets:
        name = h.name
        if name in by_name:
            behaviour.append(np.asarray(strategies[by_name[name].index], dtype=float))
            continue
        node = tree.nodes[h.nodes[0]]
        ally = int(node.player) - 2
        joined = _joined_before(tree, node.index)
        k = float(sum(game.capability[j] for j in joined))
        state = int(np.flatnonzero(sums.index(game.sequential_states(ally)) == sums.index([k])[0])[0])
        base = name.split("_after_")[0]
        suffix = "_provoked" if name.endswith("_provoked") else ""
        agg = next(
            x
            for x in game.infosets
            if x.ally == ally
            and x.state == state
            and x.name.startswith(base + "_after")
            and x.name.endswith(suffix)
            and (suffix or not x.name.endswith("_provoked"))
        )
        behaviour.append(np.asarray(strategies[agg.index], dtype=float))
    weights = _consistent_weights(tree, behaviour)
    beliefs = []
    for h in tree.infosets:
        w = weights[list(h.nodes)]
        beliefs.append(w / w.sum() if w.sum() > 0 else np.full(len(w), 1.0 / len(w)))
    return behaviour, beliefs


def _joined_before(tree: ExtensiveFormGame, index: int) -> list[int]:
    """The allies (0-based) that intervened on the path to node ``index``."""
    out = []
    node = tree.nodes[index]
    while node.parent >= 0:
        parent = tree.nodes[node.parent]
        if parent.kind == "decision" and parent.player >= 2:
            if tree.infosets[parent.infoset].actions[node.action] == "intervene":
                out.append(int(parent.player) - 2)
        node = parent
    return out


def _consistent_weights(tree: ExtensiveFormGame, behaviour: list[np.ndarray]) -> np.ndarray:
    """Per node: Nature's probabilities times the allies' move probabilities on its path."""
    w = np.ones(len(tree.nodes))
    for node in tree.nodes:
        if node.parent < 0:
            continue
        parent = tree.nodes[node.parent]
        factor = 1.0
        if parent.kind == "chance":
            factor = float(tree.chance_infos[parent.infoset].probs[node.action])
        elif parent.player >= 2:
            factor = float(behaviour[parent.infoset][node.action])
        w[node.index] = w[parent.index] * factor
    return w


class _Builder:
    def __init__(self, game: CollectiveDefenceGame, war: str | None = None) -> None:
        self.g = game
        self.n = game.n
        self.p = game.players
        self.war = war

    def _tag(self, types: tuple[int, ...]) -> str:
        if self.n == 1:
            return "c" if types[0] == 0 else "u"
        return "".join("c" if t == 0 else "u" for t in types)

    def types(self, i: int, types: tuple[int, ...]) -> Any:
        if i == self.n and self.war is not None:
            return self.allies(0, types, (), self.war)
        if i == self.n:
            if self.g.initiative > 0:
                rho = self.g.initiative
                return chance(
                    {"attacker": (1 - rho, self.attacker(types)), "target": (rho, self.initiative(types))},
                    label=f"initiative_{self._tag(types)}",
                )
            return self.attacker(types)
        pi = self.g.credibility[i]
        branches = {
            name: (pi if t == 0 else 1 - pi, self.types(i + 1, (*types, t))) for t, name in enumerate(TYPES)
        }
        label = f"{ally_prefix(i, self.n)}_type" + ("" if i == 0 else f"_{self._tag(types)}")
        return chance(branches, label=label)

    def _quo(self, types: tuple[int, ...]) -> dict[str, float]:
        w = self.g.interest()
        v = self.g.stakes
        return {
            "Attacker": 0.0,
            "Defender": v,
            **{ally_player(i, self.n): float(w[i, t] * v) for i, t in enumerate(types)},
        }

    def attacker(self, types: tuple[int, ...]) -> Any:
        tag = self._tag(types)
        zero = {p: 0.0 for p in self.p}
        return decision(
            "Attacker",
            {
                "no_attack": terminal(self._quo(types), "status_quo", label=f"status_quo_{tag}"),
                "attack": decision(
                    "Defender",
                    {
                        "concede": terminal(
                            {**zero, "Attacker": float(self.g.stakes)},
                            "capitulation",
                            label=f"capitulation_{tag}",
                        ),
                        "resist": self.allies(0, types, (), "defence"),
                    },
                    infoset="defender",
                    label=f"defender_{tag}",
                ),
            },
            infoset="attacker",
            label=f"attacker_{tag}",
        )

    def initiative(self, types: tuple[int, ...]) -> Any:
        tag = self._tag(types)
        return decision(
            "Defender",
            {
                "status_quo": terminal(self._quo(types), "status_quo", label=f"status_quo_target_{tag}"),
                "provoke": self.allies(0, types, (), "provoked"),
            },
            infoset="defender_initiative",
            label=f"initiative_{tag}",
        )

    def allies(self, i: int, types: tuple[int, ...], acts: tuple[int, ...], war: str) -> Any:
        if i == self.n:
            return self.war_terminal(types, acts, war)
        suffix = "" if war == "defence" else "_provoked"
        base = f"{ally_prefix(i, self.n)}_{TYPES[types[i]]}"
        if self.g.timing == "sequential":
            joined = [str(j + 1) for j, a in enumerate(acts) if a == 1]
            base += "_after_" + ("-".join(joined) if joined else "none")
        tag = self._tag(types) + "".join("j" if a else "s" for a in acts)
        label = f"{ally_prefix(i, self.n)}_{tag}{suffix}" if self.n > 1 else f"ally_{tag}{suffix}"
        return decision(
            ally_player(i, self.n),
            {
                "intervene": self.allies(i + 1, types, (*acts, 1), war),
                "stay_out": self.allies(i + 1, types, (*acts, 0), war),
            },
            infoset=base + suffix,
            label=label,
        )

    def war_terminal(self, types: tuple[int, ...], acts: tuple[int, ...], war: str) -> Any:
        g = self.g
        k = float(sum(c for c, a in zip(g.capability, acts, strict=True) if a))
        p = float(g.contest.win(np.array([k]))[0])
        v, r = g.stakes, g.revision
        w = g.interest()
        audience = g.audience(war)
        covered = g.covered(war)
        if war == "defence":
            pay = {"Attacker": (1 - p) * v - g.cost_attacker, "Defender": p * v - g.cost_defender}
        else:
            pay = {
                "Attacker": (1 - p) * v - p * r - g.cost_attacker,
                "Defender": p * (v + r) - g.cost_defender,
            }
        for i, (t, a) in enumerate(zip(types, acts, strict=True)):
            cost = g.cost_ally[i] if a else audience[i]
            pay[ally_player(i, self.n)] = float(w[i, t] * p * v - cost)
        labels = ["allied_war" if any(acts) else "war"]
        if any(c and not a for c, a in zip(covered, acts, strict=True)):
            labels.append("abandonment")
        if any(a and g.unwilling[i, t] for i, (t, a) in enumerate(zip(types, acts, strict=True))):
            labels.append("entrapment")
        tag = self._tag(types) + "".join("j" if a else "s" for a in acts)
        if self.n == 1 and war == "defence":  # the node names of extended_deterrence
            name = ("allied_war_" if acts[0] else "war_") + tag[0]
        else:
            name = f"{war}_{tag}"
        return terminal(pay, tuple(labels), label=name)


__all__ = ["explicit_tree", "tree_profile"]
