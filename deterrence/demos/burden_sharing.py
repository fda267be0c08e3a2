"""Burden sharing: free riding against the number of members and income inequality, and the 2 %
pledge against the sanction for missing it, each linked to extended deterrence.

The alliance's deterrent level ``D(S) = 1 - exp(-S)`` sets ``p_allied = p_alone + (1 - p_alone) D``
in the ``extended_deterrence`` model (other parameters at their defaults), where the Attacker is
deterred iff ``D`` exceeds the level returned by ``burden.required_level()`` (6/7). Members value
security in proportion to their size (``v_i = theta * w_i``, Olson–Zeckhauser; ``theta`` per
utility, see ``THETA``); total income is 100, so spending is in per cent of the alliance's income.
Writes three figures and the table behind each.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import deterrence as dt
from deterrence.studies import burden as b

from ._common import DemoOutput, FigureFactory

TITLE = "Who pays for the alliance?"
SHOWS = """Free riding in a burden-sharing alliance (against the number of members and against income
inequality), and the 2 % pledge against the sanction for missing it."""
TUTORIAL = "tutorials/burden-sharing.md"

# value of security per unit of income. The two utilities are not on one scale (the marginal
# utility of consumption is 1 in the quasilinear game and 1/(w_i - c_i) in the log game), so each
# gets a theta at which the 8-member no-pledge equilibrium of the pledge sweep just fails to deter.
THETA = {"quasilinear": 0.1, "log": 0.005}
TOTAL_INCOME = 100.0
TECH = b.Technology("exponential", 1.0)
TARGET = 0.02  # the 2 % pledge


def _row(g: b.BurdenGame, eq: b.BurdenEquilibrium) -> dict:
    big = int(np.argmax(g.w))
    coop = b.cooperative_total(g)
    return {
        "utility": g.utility,
        "n": g.n,
        "total": eq.total,
        "level": eq.deterrence,
        "cooperative_total": coop,
        "cooperative_level": float(TECH.value(coop)),
        "provision_ratio": eq.total / coop if coop > 0 else np.nan,
        "contributors": int(np.sum(eq.contributions > 1e-12)),
        "largest_income_share": g.w[big] / g.w.sum(),
        "largest_spending_share": float(eq.shares[big]),
        "max_grid_gain": eq.max_grid_gain,
        "kkt_residual": eq.kkt_residual,
        "certified": eq.certified,
    }


def _link(df: pd.DataFrame) -> pd.DataFrame:
    nash = b.linked_outcomes(df["level"].to_numpy())
    coop = b.linked_outcomes(df["cooperative_level"].to_numpy())
    df["p_allied"] = nash["p_allied"].to_numpy()
    df["deterred"] = nash["deterred"].to_numpy()
    df["cooperative_deterred"] = coop["deterred"].to_numpy()
    return df


def sweep_n(ns: range = range(1, 21)) -> pd.DataFrame:
    rows = []
    for utility in b.UTILITIES:
        for n in ns:
            w = np.full(n, TOTAL_INCOME / n)
            g = b.BurdenGame(tuple(w), tuple(THETA[utility] * w), TECH, utility)
            rows.append(_row(g, b.equilibrium(g)))
    return _link(pd.DataFrame(rows))


def sweep_inequality(n: int = 8, shares: np.ndarray | None = None) -> pd.DataFrame:
    shares = np.linspace(1 / n, 0.95, 40) if shares is None else shares
    rows = []
    for utility in b.UTILITIES:
        for s in shares:
            w = np.r_[s, np.full(n - 1, (1 - s) / (n - 1))] * TOTAL_INCOME
            g = b.BurdenGame(tuple(w), tuple(THETA[utility] * w), TECH, utility)
            rows.append(_row(g, b.equilibrium(g)) | {"largest_share_param": s})
    return _link(pd.DataFrame(rows))


def sweep_pledge(sanctions: np.ndarray | None = None, n: int = 8) -> pd.DataFrame:
    """Incomes proportional to 1/rank (a few large members, many small ones)."""
    sanctions = np.linspace(0.0, 1.0, 41) if sanctions is None else sanctions
    w = TOTAL_INCOME / np.arange(1, n + 1) / np.sum(1 / np.arange(1, n + 1))
    rows = []
    for utility in b.UTILITIES:
        for sigma in sanctions:
            g = b.BurdenGame(tuple(w), tuple(THETA[utility] * w), TECH, utility, TARGET, float(sigma))
            eq = b.equilibrium(g)
            n_eq = len(b.pledge_equilibria(g)) if sigma > 0 else 1
            rows.append(
                {
                    "utility": utility,
                    "sanction": sigma,
                    "total": eq.total,
                    "level": eq.deterrence,
                    "members_meeting": int(eq.meets_target.sum()),
                    "meeting": "".join("x" if m else "." for m in eq.meets_target),
                    "largest_spending_share": float(eq.shares[0]),
                    "n_pledge_equilibria": n_eq,
                    "cooperative_total": b.cooperative_total(g),
                    "certified": eq.certified,
                }
            )
    df = pd.DataFrame(rows)
    link = b.linked_outcomes(df["level"].to_numpy())
    df["p_allied"] = link["p_allied"].to_numpy()
    df["deterred"] = link["deterred"].to_numpy()
    return df


def _figures(
    new_figure: FigureFactory, by_n: pd.DataFrame, by_ineq: pd.DataFrame, pledge: pd.DataFrame, need: float
) -> dict:
    from matplotlib.ticker import MaxNLocator

    figures = {}
    fig = new_figure(figsize=(10, 4.6))
    ax = fig.subplots(1, 2)
    for k, (utility, d) in enumerate(by_n.groupby("utility")):
        colour = ("tab:blue", "tab:orange")[k % 2]
        ax[0].plot(d["n"], d["level"], marker="o", ms=3, color=colour, label=f"Nash ({utility})")
        ax[0].plot(d["n"], d["cooperative_level"], ls="--", color=colour, label=f"cooperative ({utility})")
        ax[1].plot(d["n"], d["provision_ratio"], marker="o", ms=3, color=colour, label=utility)
    ax[0].axhline(need, color="k", lw=0.8, ls=":", label=f"deterrence holds above D = {need:.3f}")
    ax[0].set(xlabel="members (equal incomes)", ylabel="deterrent level D(S)", title="Free riding vs N")
    ax[1].set(
        xlabel="members (equal incomes)", ylabel="Nash total / cooperative total", title="Under-provision"
    )
    for a in ax:  # whole members only
        a.xaxis.set_major_locator(MaxNLocator(integer=True))
    # legends below the axes, where they cover no line
    ax[0].legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    ax[1].legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    fig.tight_layout()
    figures["free_riding_vs_n"] = fig

    fig = new_figure(figsize=(10, 4))
    ax = fig.subplots(1, 2)
    for utility, d in by_ineq.groupby("utility"):
        ax[0].plot(d["largest_income_share"], d["level"], label=f"Nash ({utility})")
        ax[1].plot(d["largest_income_share"], d["largest_spending_share"], label=utility)
    ax[0].axhline(need, color="k", lw=0.8)
    ax[1].plot([0, 1], [0, 1], color="k", lw=0.8, ls=":", label="spending share = income share")
    ax[0].set(
        xlabel="largest member's income share (8 members)",
        ylabel="deterrent level D(S)",
        title="Inequality and provision",
    )
    ax[1].set(
        xlabel="largest member's income share",
        ylabel="its share of spending",
        title="Exploitation of the large by the small",
    )
    ax[0].legend(fontsize=7)
    ax[1].legend(fontsize=7)
    fig.tight_layout()
    figures["free_riding_vs_inequality"] = fig

    fig = new_figure(figsize=(10, 4))
    ax = fig.subplots(1, 2)
    for utility, d in pledge.groupby("utility"):
        ax[0].step(d["sanction"], d["level"], where="post", label=utility)
        ax[1].step(d["sanction"], d["members_meeting"], where="post", label=utility)
    ax[0].axhline(need, color="k", lw=0.8)
    ax[0].set(
        xlabel="sanction for missing the 2 % target", ylabel="deterrent level D(S)", title="The 2 % pledge"
    )
    ax[1].set(xlabel="sanction for missing the 2 % target", ylabel="members meeting the target (of 8)")
    ax[0].legend(fontsize=7)
    ax[1].legend(fontsize=7)
    fig.tight_layout()
    figures["pledge_vs_sanction"] = fig
    return figures


def _pledge_line(utility: str, d: pd.DataFrame, members: int) -> str:
    """What the pledge sweep of one utility found, in a sentence (sanctions rounded to the grid's
    precision; "all" only where every member meets the target somewhere on the grid)."""
    base = d.iloc[0]
    most = int(d.members_meeting.max())
    from_ = float(d.loc[d.members_meeting == most, "sanction"].min())
    meeting = (f"all {most} meet" if most == members else f"at most {most} of {members} meet")
    first_det = d.loc[d.deterred, "sanction"]
    deters = f"{float(first_det.min()):.3f}" if len(first_det) else "never"
    multi = [round(float(x), 3) for x in d.loc[d.n_pledge_equilibria != 1, "sanction"]]
    return (
        f"[{utility}] 2 % pledge: no sanction S={base.total:.3f} ({base.members_meeting} meet); "
        f"{meeting} from sanction {from_:.3f}, S={d.total.iloc[-1]:.3f}; "
        f"deterrence holds from sanction {deters}; "
        f"sanctions with more than one pledge equilibrium: {multi or 'none'}."
    )


def make(quick: bool, new_figure: FigureFactory) -> DemoOutput:
    need = b.required_level()
    if quick:
        by_n, by_ineq = sweep_n(range(1, 9)), sweep_inequality(shares=np.linspace(1 / 8, 0.95, 10))
        pledge = sweep_pledge(np.linspace(0.0, 1.0, 11))
    else:
        by_n, by_ineq, pledge = sweep_n(), sweep_inequality(), sweep_pledge()
    for name, table in (("free riding vs N", by_n), ("inequality", by_ineq), ("pledge", pledge)):
        if not table["certified"].all():
            raise dt.SolverError(f"burden-sharing demo: an uncertified equilibrium in the {name} sweep")
    lines: list[str] = []
    p_allied = float(b.DeterrenceLink().values([need])["p_allied"].iloc[0])
    lines.append(
        f"Deterrence holds when D(S) > {need:.4f}, i.e. S > {float(TECH.inverse(need)):.3f} "
        f"(p_allied > {p_allied:.3f})."
    )
    for utility in b.UTILITIES:
        d = by_n[by_n.utility == utility]
        held = d.loc[d.deterred, "n"].tolist()
        lines.append(
            f"[{utility}] vs N: Nash total falls from {d.total.iloc[0]:.3f} (N=1) to "
            f"{d.total.iloc[-1]:.3f} (N={d.n.iloc[-1]}), {d.provision_ratio.iloc[-1]:.0%} of the "
            f"cooperative {d.cooperative_total.iloc[-1]:.3f}; deterrence holds for N in {held or 'none'}, "
            f"cooperatively for {int(d.cooperative_deterred.sum())} of {len(d)} N."
        )
        d = by_ineq[by_ineq.utility == utility]
        first = d.loc[d.deterred, "largest_income_share"]
        spend = d[d.total > 0]
        ok = bool((spend.largest_spending_share >= spend.largest_income_share - 1e-12).all())
        lines.append(
            f"[{utility}] vs inequality: deterrence holds once the largest member has "
            f"{'%.0f%%' % (100 * first.min()) if len(first) else 'no share up to 95%'} of income; "
            f"its spending share >= income share wherever anyone spends: {ok}."
        )
        lines.append(_pledge_line(utility, pledge[pledge.utility == utility], len(pledge.meeting.iloc[0])))
    tables = {"free_riding_vs_n": by_n, "free_riding_vs_inequality": by_ineq, "pledge_vs_sanction": pledge}
    return DemoOutput(_figures(new_figure, by_n, by_ineq, pledge, need), tables, lines=lines)
