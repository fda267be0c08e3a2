"""Article 5 with N members: buck-passing, deterrence and chain-ganging as the alliance grows.

The ``collective_defence`` family (stylised; derived in the docs' Derivations): an Attacker, a
Target and ``n`` allies pledged to it, each committed with probability ``credibility``. The
Target's survival is a public good, so each ally is tempted to leave the fighting to the others.
Three panels, all from the symmetric perfect Bayesian equilibrium of exchangeable allies (the
pessimistic one where several hold):

* each ally's probability of joining a war falls as members are added (buck-passing);
* the Target side's chance of winning a war rises at first, then levels off (and at high
  credibility falls) as buck-passing offsets the added members; deterrence of the Attacker
  (dashed) comes with the second or third member here;
* with a provocation-prone Target and binding pledges (audience cost above the cost of
  fighting), more members embolden the Target and drag more allies into its wars (chain-ganging);
  with non-binding pledges the allies pass the buck instead.
"""

from __future__ import annotations

import numpy as np

import deterrence as dt

from ._common import DemoOutput, FigureFactory

TITLE = "Article 5 with N members"
SHOWS = """Buck-passing, deterrence and chain-ganging as an alliance grows from 1 to 32 members:
each ally joins a war less often, the Target side's chance of winning levels off (at high
credibility it falls), and a provocation-prone Target drags more allies into its wars when the
pledges bind."""
TUTORIAL = "tutorials/article-5.md"


def _symmetric(model: str, members: np.ndarray, **values: float) -> dict[str, np.ndarray]:
    """Measures of the symmetric equilibrium at each member count (pessimistic where several)."""
    fam = dt.load_model(model)
    out: dict[str, list[float]] = {k: [] for k in ("join", "p_attack", "win", "allies", "chain")}
    for n in members:
        game = fam.game(members=int(n), **values)
        eqs = [e for e in dt.solve(game, "pbe", belief_policy="prior") if "asymmetric" not in e.label]
        eq = max(eqs, key=lambda e: e.indicators["p_attack"])
        m = game.measures(eq.strategies)
        war = eq.indicators["p_war"]
        out["join"].append(m["join_probability"])
        out["p_attack"].append(eq.indicators["p_attack"])
        out["win"].append(m["p_target_wins"] / war if war > 0 else float(game.war_stage(eq.strategies).win))
        out["allies"].append(m["expected_allies_at_war"])
        out["chain"].append(m["p_chain_gang"])
    return {k: np.array(v) for k, v in out.items()}


def make(quick: bool, new_figure: FigureFactory) -> DemoOutput:
    members = np.arange(1, 9) if quick else np.arange(1, 33)
    credibility = (0.3, 0.6, 0.9)
    runs = {c: _symmetric("collective_defence", members, credibility=c) for c in credibility}
    chain = {a: _symmetric("collective_defence_chain_gang", members, credibility=0.6, audience_cost=a)
             for a in (0.35, 0.2)}
    fig = new_figure(figsize=(15, 4.4))
    axes = fig.subplots(1, 3)
    colours = ("tab:red", "tab:orange", "tab:blue")
    for colour, c in zip(colours, credibility, strict=True):
        axes[0].plot(members, runs[c]["join"], marker=".", color=colour, label=f"credibility {c}")
        axes[1].plot(members, runs[c]["win"], marker=".", color=colour, label=f"credibility {c}")
        axes[1].step(members, runs[c]["p_attack"], where="mid", ls="--", color=colour, alpha=0.7)
    axes[0].set(title="Buck-passing: each ally's probability of joining",
                xlabel="members", ylabel="P(an ally joins | war)")
    axes[1].set(title="Target's chance of winning a war (dashed: P(attack))", xlabel="members",
                ylabel="probability")
    for a, style in zip((0.35, 0.2), ("-", ":"), strict=True):
        label = f"audience cost {a} ({'binding' if a >= 0.3 else 'not binding'}: cost 0.3)"
        axes[2].plot(members, chain[a]["chain"], ls=style, marker=".", color="tab:purple", label=label)
    axes[2].set(title="Chain-ganging: P(provoked war, an ally entrapped)", xlabel="members",
                ylabel="probability")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, frameon=False)
    fig.suptitle("collective_defence (defaults; chain gang: initiative 0.3, credibility 0.6): symmetric PBE")
    fig.tight_layout()
    lines = [
        f"each ally joins a war with probability {runs[0.6]['join'][0]:.2f} alone and "
        f"{runs[0.6]['join'][-1]:.3f} among {members[-1]} members (credibility 0.6)",
        f"the Target side's chance of winning rises from {runs[0.3]['win'][0]:.2f} to "
        f"{runs[0.3]['win'][-1]:.2f} (credibility 0.3)",
        f"with binding pledges, P(chain gang) goes from {chain[0.35]['chain'][0]:.2f} to "
        f"{chain[0.35]['chain'][-1]:.2f}; with non-binding ones it stays at {chain[0.2]['chain'].max():.2f}",
    ]
    return DemoOutput({"article_five": fig}, lines=lines)
