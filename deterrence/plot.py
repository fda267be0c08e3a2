"""Pictures of sweeps: labelled regime maps and indicator lines (matplotlib, imported inside).

Both functions take a :class:`~deterrence.sweeps.SweepResult` and draw the *selected*
equilibrium at each point (the selection rule is in the result's manifest and in the title).
When ``ax`` is not given and ``path`` is, the figure is drawn off-screen (no pyplot, no
display needed); when neither is given, a pyplot figure is made, with the Agg backend when
there is no display.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import SweepError, close_match_hint

#: colours for regimes, in order of their share of points (colour-blind friendly first)
PALETTE = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB", "#000000",
           "#EE7733", "#009988", "#CC3311", "#33BBEE", "#EE3377", "#0077BB", "#DDAA33", "#882255")


def _axes(ax: Any, path: Any, size: tuple[float, float]) -> tuple[Any, Any]:
    if ax is not None:
        return ax.figure, ax
    if path is not None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=size)
        return fig, fig.add_subplot()
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules and not os.environ.get("DISPLAY") \
            and not os.environ.get("MPLBACKEND") and sys.platform.startswith("linux"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=size)
    return fig, ax


def _save(fig: Any, path: str | os.PathLike[str]) -> None:
    """Save a figure atomically: drawn into a new file beside ``path`` (created exclusively, with
    the user's file mode), then renamed over it, so a symbolic link at ``path`` is replaced, never
    written through, and an interrupted save leaves the old picture. The format is ``path``'s
    extension."""
    target = Path(path)
    fmt = target.suffix.lstrip(".").lower()
    known = fig.canvas.get_supported_filetypes()
    if target.is_dir() or fmt not in known:
        raise SweepError(
            f"path={str(target)!r}: name a picture file ending in one of .{', .'.join(sorted(known))}"
        )
    if not target.parent.is_dir():
        raise SweepError(f"path={str(target)!r}: the folder {str(target.parent)!r} does not exist")
    tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
        os.close(fd)
        fig.savefig(tmp, dpi=150, bbox_inches="tight", format=fmt)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise SweepError(f"path={str(target)!r}: cannot write the picture ({exc.strerror or exc})") from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _label(result: Any, name: str) -> str:
    info = result.manifest.parameters.get(name)
    desc = (info.description if info is not None else "").strip()
    if not desc:
        return name
    if len(desc) > 70:  # keep the main clause: drop a parenthesis or a clause after ':' / ';'
        for sep in (" (", ": ", "; ", ", "):
            head = desc.split(sep)[0]
            if 10 <= len(head) <= 70:
                desc = head
                break
        else:
            desc = desc[:67].rsplit(" ", 1)[0] + "..."
    return f"{desc} ({name})"


def _slice(result: Any, keep: Sequence[str], at: Mapping[str, float] | None) -> pd.DataFrame:
    """Selected rows with every varied parameter outside ``keep`` pinned (by ``at`` or because
    it has one value)."""
    sel = result.selected()
    for name in keep:
        if name not in result.parameters:
            raise SweepError(f"unknown parameter '{name}'{close_match_hint(name, result.parameters)}; "
                             f"parameters are {', '.join(result.parameters)}")
    at = dict(at or {})
    for name, value in at.items():
        if name not in sel.columns:
            raise SweepError(f"at= names unknown parameter '{name}'{close_match_hint(name, sel.columns)}")
        if not _finite_number(value):
            raise SweepError(f"at= gives '{name}' the value {value!r}, not a finite number")
    for name in result.varied:
        if name in keep:
            continue
        vals = np.unique(sel[name].to_numpy(dtype=float))
        if name in at:
            nearest = vals[np.argmin(np.abs(vals - float(at[name])))]
            sel = sel[sel[name].to_numpy(dtype=float) == nearest]
        elif len(vals) > 1:
            raise SweepError(
                f"the sweep also varies '{name}'; pass at={{'{name}': value}} to choose a slice")
    return sel


def _finite_number(value: Any) -> bool:
    try:
        return not isinstance(value, (bool, str, bytes)) and bool(np.isfinite(float(value)))
    except (TypeError, ValueError, OverflowError):
        return False


#: the most lines :func:`lines` draws
MAX_LINES = 50


def _edges(v: np.ndarray) -> np.ndarray:
    if len(v) == 1:
        return np.array([v[0] - 0.5, v[0] + 0.5])
    mid = (v[:-1] + v[1:]) / 2
    return np.concatenate([[v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]])


def _contourable(v: np.ndarray) -> bool:
    """Worth contouring: finite values that take more than three levels (a 0/1 indicator only
    repeats the regime boundaries)."""
    f = v[np.isfinite(v)]
    return f.size > 3 and len(np.unique(np.round(f, 9))) > 3


def _levels(v: np.ndarray) -> np.ndarray:
    from matplotlib.ticker import MaxNLocator

    f = v[np.isfinite(v)]
    lv = MaxNLocator(6).tick_values(f.min(), f.max())
    return lv[(lv > f.min()) & (lv < f.max())]


def regime_map(
    result: Any,
    x: str,
    y: str,
    indicator: str | None = "p_attack",
    ax: Any = None,
    path: str | os.PathLike[str] | None = None,
    at: Mapping[str, float] | None = None,
) -> Any:
    """A labelled regime map over parameters ``x`` and ``y``.

    Each cell (grid sweeps) or dot (samples) is coloured by the selected regime, with a
    legend giving each regime's share of the points; black lines mark the boundaries between
    regimes; the ``indicator`` (``None`` for none) is drawn as labelled contour lines. Axis
    labels come from the parameter descriptions.

    Parameters
    ----------
    result
        A :class:`~deterrence.sweeps.SweepResult`.
    x, y
        Two parameters of the sweep.
    indicator
        Column drawn as contours (``p_attack``, ``deterred``, ...).
    ax
        Matplotlib axes to draw on.
    path
        Save the figure there (PNG, PDF, SVG, by extension).
    at
        Values for other varied parameters (the nearest value in the sweep is used).

    Returns
    -------
    matplotlib.axes.Axes
    """
    if x == y:
        raise SweepError(f"x and y must be different parameters, both are '{x}'")
    if indicator is not None and indicator not in result.table.columns:
        raise SweepError(f"unknown indicator '{indicator}'")
    sel = _slice(result, (x, y), at)
    if sel.empty:
        raise SweepError("no points to draw")
    regimes = list(sel["regime"].value_counts().index)
    colours = [PALETTE[k % len(PALETTE)] for k in range(len(regimes))]
    fig, ax = _axes(ax, path, (8.0, 5.6))
    codes = sel["regime"].map({r: k for k, r in enumerate(regimes)}).to_numpy()
    xv, yv = sel[x].to_numpy(dtype=float), sel[y].to_numpy(dtype=float)
    xs, ys = np.unique(xv), np.unique(yv)
    is_grid = (len(xs) * len(ys) == len(sel) and not sel.duplicated([x, y]).any()
               and len(xs) > 1 and len(ys) > 1)
    values = None if indicator is None else sel[indicator].to_numpy(dtype=float)
    draw = _draw_cells if is_grid else _draw_dots
    contoured = draw(ax, xv, yv, codes, colours, values)
    _legend(ax, sel, regimes, colours)
    ax.set_xlabel(_label(result, x))
    ax.set_ylabel(_label(result, y))
    name, concept, selection = _described(result)
    title = f"{name}: {concept} regimes"
    if contoured:
        title += f", contours of {indicator}"
    ax.set_title(title, fontsize=10)
    note = f"selection: {selection}"
    if indicator is not None and not contoured:
        note += f"\n{indicator}: too few levels to contour"
    if at:
        note += "; " + ", ".join(f"{k}={v:g}" for k, v in at.items())
    ax.text(1.02, 0.0, note, transform=ax.transAxes, fontsize=7, va="bottom")
    if path is not None:
        _save(fig, path)
    return ax


def _described(result: Any) -> tuple[str, str, str]:
    """The swept model's name, the concept and the selection rule, for titles."""
    m = result.manifest
    name = (m.model.name or "") if m.model is not None else ""
    return name, m.concept, m.selection or "?"


def _colour_map(colours: Sequence[str]) -> tuple[Any, Any]:
    from matplotlib.colors import BoundaryNorm, ListedColormap

    return ListedColormap(list(colours)), BoundaryNorm(np.arange(len(colours) + 1) - 0.5, len(colours))


def _draw_cells(ax: Any, xv: np.ndarray, yv: np.ndarray, codes: np.ndarray, colours: Sequence[str],
                values: np.ndarray | None) -> bool:
    """A grid: one cell per point coloured by regime, black lines between regimes, and the
    indicator's contours. Returns whether contours were drawn."""
    from matplotlib.collections import LineCollection

    cmap, norm = _colour_map(colours)
    xs, ys = np.unique(xv), np.unique(yv)
    ix, iy = np.searchsorted(xs, xv), np.searchsorted(ys, yv)
    Z = np.empty((len(ys), len(xs)), dtype=float)
    Z[iy, ix] = codes
    xe, ye = _edges(xs), _edges(ys)
    ax.pcolormesh(xe, ye, Z, cmap=cmap, norm=norm, shading="flat")
    segs = []
    dx = np.argwhere(Z[:, 1:] != Z[:, :-1])  # vertical boundaries
    segs += [((xe[j + 1], ye[i]), (xe[j + 1], ye[i + 1])) for i, j in dx]
    dy = np.argwhere(Z[1:, :] != Z[:-1, :])  # horizontal boundaries
    segs += [((xe[j], ye[i + 1]), (xe[j + 1], ye[i + 1])) for i, j in dy]
    if segs:
        ax.add_collection(LineCollection(segs, colors="black", linewidths=1.0))
    contoured = False
    if values is not None:
        V = np.full((len(ys), len(xs)), np.nan)
        V[iy, ix] = values
        if _contourable(V):
            contoured = True
            cs = ax.contour(xs, ys, V, levels=_levels(V), colors="white", linewidths=0.9, linestyles="--")
            ax.clabel(cs, fmt="%.2g", fontsize=7)
    ax.set_xlim(xe[0], xe[-1])
    ax.set_ylim(ye[0], ye[-1])
    return contoured


def _draw_dots(ax: Any, xv: np.ndarray, yv: np.ndarray, codes: np.ndarray, colours: Sequence[str],
               values: np.ndarray | None) -> bool:
    """Scattered points (samples): one dot per point coloured by regime, and the indicator's
    contours over their triangulation. Returns whether contours were drawn."""
    cmap, norm = _colour_map(colours)
    ax.scatter(xv, yv, c=codes, cmap=cmap, norm=norm, s=12, linewidths=0)
    if values is None or len(values) < 4:
        return False
    ok = np.isfinite(values)
    if not (_contourable(values) and np.ptp(xv[ok]) > 0 and np.ptp(yv[ok]) > 0):
        return False
    try:
        cs = ax.tricontour(xv[ok], yv[ok], values[ok], levels=_levels(values[ok]), colors="black",
                           linewidths=0.7, linestyles="--")
        ax.clabel(cs, fmt="%.2g", fontsize=7)
    except (ValueError, RuntimeError):  # degenerate triangulation
        pass
    return True


def _legend(ax: Any, sel: pd.DataFrame, regimes: Sequence[str], colours: Sequence[str]) -> None:
    """Each regime's colour and share of the points, beside the axes."""
    from matplotlib.patches import Patch

    share = sel["regime"].value_counts(normalize=True)
    shown = {r: f"{share[r]:.0%}" if share[r] >= 0.005 else "<1%" for r in regimes}
    handles = [Patch(facecolor=colours[k], edgecolor="black", label=f"{r} ({shown[r]})")
               for k, r in enumerate(regimes)]
    ax.legend(handles=handles, title="regime (selected)", loc="upper left", bbox_to_anchor=(1.02, 1.0),
              fontsize=8, title_fontsize=8, frameon=False)


def lines(
    result: Any,
    x: str,
    indicator: str = "p_attack",
    by: str | None = None,
    values: Sequence[float] | None = None,
    ax: Any = None,
    path: str | os.PathLike[str] | None = None,
) -> Any:
    """An indicator against parameter ``x``, one line per value of parameter ``by``.

    Other varied parameters are averaged over (a partial-dependence line). For grid sweeps
    the lines use the grid values of ``by`` nearest to ``values`` (default: up to five values
    spread over its range); for samples, the points within a band around each value, and
    ``x`` in 20 bins.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if indicator not in result.table.columns:
        raise SweepError(f"unknown indicator '{indicator}'")
    sel = result.selected()
    for name in (x, by):
        if name is not None and name not in result.parameters:
            raise SweepError(f"unknown parameter '{name}'{close_match_hint(name, result.parameters)}; "
                             f"parameters are {', '.join(result.parameters)}")
    if by == x:
        raise SweepError(f"x and by must be different parameters, both are '{x}'")
    if values is not None:
        values = list(values)
        bad = [v for v in values if not _finite_number(v)]
        if bad or not values or len(values) > MAX_LINES:
            raise SweepError(
                f"values= must be 1 to {MAX_LINES} finite numbers (one line each), got "
                + (f"{bad[0]!r}" if bad else f"{len(values):,} values")
            )
    fig, ax = _axes(ax, path, (6.4, 4.4))
    xs_all = np.unique(sel[x].to_numpy(dtype=float))
    binned = len(xs_all) > 60

    def line(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        xv = rows[x].to_numpy(dtype=float)
        if binned:
            edges = np.linspace(xs_all[0], xs_all[-1], 21)
            idx = np.clip(np.searchsorted(edges, xv, side="right") - 1, 0, 19)
            key = ((edges[:-1] + edges[1:]) / 2)[idx]
        else:
            key = xv
        g = rows[indicator].groupby(key).mean()
        return g.index.to_numpy(dtype=float), g.to_numpy(dtype=float)

    if by is None:
        ax.plot(*line(sel), marker="." if len(xs_all) < 30 else None)
    else:
        bv = np.unique(sel[by].to_numpy(dtype=float))
        if values is None:
            values = bv[np.unique(np.linspace(0, len(bv) - 1, min(5, len(bv))).round().astype(int))] \
                if len(bv) <= 60 else np.linspace(bv[0], bv[-1], 5)
        band = (bv[-1] - bv[0]) / (2 * max(1, len(values))) if len(bv) > 60 else 0.0
        for k, v in enumerate(values):
            if band == 0.0:
                nearest = bv[np.argmin(np.abs(bv - float(v)))]
                rows = sel[sel[by].to_numpy(dtype=float) == nearest]
                shown = nearest
            else:
                rows = sel[np.abs(sel[by].to_numpy(dtype=float) - float(v)) <= band]
                shown = float(v)
            if rows.empty:
                continue
            ax.plot(*line(rows), color=PALETTE[k % len(PALETTE)], label=f"{by} = {shown:.3g}")
        ax.legend(fontsize=8, title=_label(result, by), title_fontsize=8)
    ax.set_xlabel(_label(result, x))
    ax.set_ylabel(indicator)
    name, concept, selection = _described(result)
    ax.set_title(f"{name}: {indicator} ({concept}, selection {selection})", fontsize=10)
    ax.grid(alpha=0.3)
    if path is not None:
        _save(fig, path)
    return ax


__all__ = ["lines", "regime_map"]
