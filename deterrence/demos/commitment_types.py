"""Commitment types: does the ally assist more often under a defence pact than under an entente?

One seeded Sobol sample of the extended-deterrence parameters, solved (PBE, free off-path
beliefs, pessimistic selection) once per commitment type of the
``extended_deterrence_commitment_types`` model: coalition of convenience, non-aggression pact,
entente, defence pact. Writes ``commitment_types.csv`` (one row per point and type),
``commitment_types_by_type.csv`` (shares and means per type), ``commitment_types_summary.json``
and the figure. Quick mode uses 256 points instead of 4,096.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from deterrence.studies import commitment as ct

from ._common import DemoOutput, FigureFactory

TITLE = "Do defence pacts assist more often than ententes?"
SHOWS = """The ally's probability of fighting beside an attacked defender, and the attacker's probability
of attacking, by commitment type (coalition, non-aggression pact, entente, defence pact) on one
Sobol sample of the other parameters."""
TUTORIAL = "tutorials/commitment-types.md"

SEED = 2026
TYPES = ["coalition_of_convenience", "non_aggression_pact", "entente", "defence_pact"]  # weakest first
LABELS = ["coalition", "non-aggression\npact", "entente", "defence\npact"]
CASE_COLOURS = {"strict": "tab:green", "tie": "tab:orange", "undefined": "0.8", "reversed": "tab:red"}
STATUS_COLOURS = {"deterred": "tab:blue", "war": "tab:red", "capitulation": "0.6", "mixed": "black"}


def by_type(table: pd.DataFrame) -> pd.DataFrame:
    """Per type: shares of war status, mean p_attack, mean and pooled assistance."""
    g = table.groupby("type")
    out = g["war_status"].value_counts(normalize=True).unstack(fill_value=0.0).add_prefix("share_")
    out["mean_p_attack"] = g["p_attack"].mean()
    out["mean_p_entrapment"] = g["p_entrapment"].mean()
    out["n_with_war"] = g["assistance"].count()
    out["mean_assistance"] = g["assistance"].mean()
    out["pooled_assistance"] = g["p_allied_war"].sum() / g["p_war"].sum()  # p_war: every war, joined or not
    return out.reindex(TYPES)


def figure(table: pd.DataFrame, per_type: pd.DataFrame, summary: dict, new_figure: FigureFactory) -> object:
    fig = new_figure(figsize=(12, 9))
    axes = fig.subplots(2, 2)
    x = np.arange(len(TYPES))

    ax = axes[0, 0]  # assistance probability, over the points where the type has a war
    data = [table.loc[table["type"] == t, "assistance"].dropna().to_numpy() for t in TYPES]
    ax.boxplot(data, positions=x, widths=0.5, showmeans=True, flierprops={"markersize": 2})
    ax.plot(x, per_type["pooled_assistance"], "o-", color="tab:red", label="pooled over the sample's wars")
    ax.set_xticks(x, LABELS)
    ax.set_ylim(-0.03, 1.03)
    ax.set_ylabel("P(ally fights | attacked and resisted)")
    ax.set_title("assistance probability (points with a war)")
    ax.legend(loc="lower right", fontsize=8)

    ax = axes[0, 1]  # what happens at each type: deterred, war, capitulation; p_attack
    bottom = np.zeros(len(TYPES))
    for status in ("deterred", "war", "capitulation", "mixed"):
        col = f"share_{status}"
        if col in per_type and per_type[col].sum() > 0:
            ax.bar(x, per_type[col], bottom=bottom, color=STATUS_COLOURS[status], label=status, width=0.6)
            bottom += per_type[col].to_numpy()
    ax.plot(x, per_type["mean_p_attack"], "kD-", label="mean p_attack")
    ax.set_xticks(x, LABELS)
    ax.set_ylim(0, 1.22)  # room above the bars for the legend
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_ylabel("share of sampled points")
    ax.set_title("selected equilibrium by commitment type")
    ax.legend(loc="upper center", fontsize=8, ncol=4, frameon=False, columnspacing=1.0)

    ax = axes[1, 0]  # ordering cases
    cases = ["strict", "tie", "undefined", "reversed"]
    shares = [summary[f"share_{c}"] for c in cases]
    ax.bar(cases, shares, color=[CASE_COLOURS[c] for c in cases])
    for k, s in enumerate(shares):
        ax.text(k, s + 0.01, f"{s:.1%}", ha="center")
    ax.set_xticks(range(len(cases)), ["strict", "tie", "undefined:\nno war at some type", "reversed"])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share of sampled points")
    ax.set_title("defence pact > entente > non-aggression pact in assistance?")
    r = summary["undefined_reasons"]
    ax.text(0.02, 0.97, "Assistance is measured only in a war.\n"
            "Undefined: at one of the three types\n"
            "the Attacker is deterred or the\n"
            "Defender concedes (of these points:\n"
            f"deterred at some type {r['some_type_deterred']:.0%},\n"
            f"concedes at some type {r['some_type_capitulates']:.0%})",
            transform=ax.transAxes, ha="left", va="top", fontsize=8,
            bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "0.7"})

    ax = axes[1, 1]  # where ties happen: the entente's audience cost against the entrapment threshold
    per_point = table[table["type"] == "entente"]
    for case in ("undefined", "strict", "tie", "reversed"):
        sel = per_point["ordering_case"] == case
        if sel.any():
            pts = per_point[sel]
            ax.scatter(
                pts["entrapment_threshold"],
                pts["max_audience_cost"],
                s=6,
                color=CASE_COLOURS[case],
                label=case,
                alpha=0.8 if case != "undefined" else 0.4,
            )
    t = np.linspace(0, 1, 50)
    ax.plot(t, t / 0.6, "k--", lw=1, label="entente's audience cost = threshold")
    ax.plot(t, t / 0.25, "k:", lw=1, label="non-aggression pact's = threshold")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("entrapment threshold (audience cost above which the uncommitted ally fights)")
    ax.set_ylabel("max_audience_cost (a defence pact's audience cost)")
    ax.set_title("ties lie above the dashed line")
    ax.legend(loc="lower right", fontsize=7, markerscale=2)

    fig.suptitle(f"Commitment types: {summary['n_points']:,} Sobol points (PBE, pessimistic selection)")
    fig.tight_layout()
    return fig


def make(quick: bool, new_figure: FigureFactory) -> DemoOutput:
    samples = 256 if quick else 4096
    table = ct.commitment_type_sweep(samples=samples, seed=SEED)
    summary = ct.summarise(table)
    per_type = by_type(table)
    lines = [f"{summary['n_points']} points (seed {SEED})"]
    for case in ("strict", "tie", "undefined", "reversed"):
        lines.append(f"  ordering {case:9s}: {summary[f'share_{case}']:.1%}")
    lines.append(
        f"  strict among points with a war at all three types: {summary['share_strict_of_defined']:.1%}"
    )
    for pair, s in summary["pairs"].items():
        lines.append(
            f"  {pair}: {s['n']} points with war at both; strict {s['strict']:.1%}, "
            f"tie {s['tie']:.1%}, reversed {s['reversed']:.1%}"
        )
    r = summary["undefined_reasons"]
    lines.append(
        f"  undefined ({r['n']} points): some type deterred {r['some_type_deterred']:.1%}, "
        f"some type's defender capitulates {r['some_type_capitulates']:.1%}, "
        f"no war at any of the three {r['no_type_has_war']:.1%}"
    )
    cols = ["share_deterred", "share_war", "share_capitulation", "mean_p_attack", "pooled_assistance"]
    lines.extend(per_type[[c for c in cols if c in per_type]].round(3).to_string().splitlines())
    tables = {"commitment_types": table, "commitment_types_by_type": per_type.reset_index()}
    return DemoOutput(
        {"commitment_types": figure(table, per_type, summary, new_figure)},
        tables,
        {"commitment_types_summary.json": json.dumps(summary, indent=2)},
        lines,
    )
