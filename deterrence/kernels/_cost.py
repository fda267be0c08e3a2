"""Whether a compiled kernel pays for a sweep: its cost against solving every point per point.

A compiled sweep pays the compile still to come, then at every point the kernel, and at the
points the kernel leaves undecided the per-point solver too; the per-point path pays the
per-point solver at every point. :func:`compiled_pays` compares the two from measured numbers
(a pure function, tested on its own); :class:`PathEstimate` holds the numbers and the choice,
as the sweep records them (:func:`deterrence.sweeps._choice.choose_path`).

Before a model is compiled the kernel's own numbers are unknown: the estimate then takes the
best case for the kernel (it costs nothing and decides every point) and the compile's cost
estimated from the tree's shape (:func:`compile_seconds_estimate`): a sweep too small to repay
even that is solved per point without compiling. Once compiled, the kernel's cost per point and
its undecided share are measured on the compile's probe points
(:meth:`~deterrence.kernels.CompiledModel.probe_cost`) and the compile is paid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..errors import ParameterError

#: compile seconds per candidate structure (lambdified rows and their flat layout) and per
#: support pattern the guard checks (its vertex tests and systems), fitted on this project's
#: compiled catalogue models (one core, 2026): ``costly_signal_menu`` (336 structures after the
#: probe, 8,156 patterns) compiles in about 6.9 s CPU, ``tripartite_crisis`` (368, 619) 1.1 s,
#: ``chain_store`` (128, 191) 0.6 s, ``unilateral_deterrence`` (184, 295) 0.5 s,
#: ``costly_signal_pledge`` (76, 77) 0.3 s. An estimate: the decision it feeds changes speed only.
SECONDS_PER_STRUCTURE = 3e-3
SECONDS_PER_PATTERN = 0.7e-3
#: the fixed part of a compile (sympy tree, probe sample, the first engine call)
SECONDS_FIXED = 0.2

STAGES = ("before compiling", "compiled")


def _check_number(name: str, value: float, *, share: bool = False) -> float:
    value = float(value)
    if not math.isfinite(value) or value < 0 or (share and value > 1):
        what = "a share in [0, 1]" if share else "a finite number >= 0"
        raise ParameterError(f"compiled_pays: {name} must be {what}, not {value!r}")
    return value


def compiled_pays(
    kernel_s_per_pt: float,
    pointwise_s_per_pt: float,
    undecided_share: float,
    n_points: int,
    compile_s_remaining: float,
) -> bool:
    """Whether the compiled path costs no more than the per-point path for a sweep of ``n_points``.

    Compiled: ``compile_s_remaining + n_points * (kernel_s_per_pt + undecided_share *
    pointwise_s_per_pt)`` (the undecided points are solved per point after the kernel); per point:
    ``n_points * pointwise_s_per_pt``. A tie keeps the compiled path.

    Raises
    ------
    ParameterError
        If a number is negative or not finite, or the share lies outside [0, 1].
    """
    k = _check_number("kernel_s_per_pt", kernel_s_per_pt)
    p = _check_number("pointwise_s_per_pt", pointwise_s_per_pt)
    u = _check_number("undecided_share", undecided_share, share=True)
    n = _check_number("n_points", n_points)
    c = _check_number("compile_s_remaining", compile_s_remaining)
    return c + n * (k + u * p) <= n * p


def compile_seconds_estimate(n_structures: int, n_patterns: int) -> float:
    """The estimated CPU seconds of compiling a model with these candidate structures and guard
    patterns (:data:`SECONDS_PER_STRUCTURE`, :data:`SECONDS_PER_PATTERN`, :data:`SECONDS_FIXED`)."""
    return SECONDS_FIXED + SECONDS_PER_STRUCTURE * n_structures + SECONDS_PER_PATTERN * n_patterns


@dataclass(frozen=True)
class PathEstimate:
    """The numbers behind a sweep's choice of path for one model, and the choice.

    Attributes
    ----------
    n_points
        Points of the sweep.
    pointwise_s_per_point
        Measured CPU seconds per point of the per-point solver.
    kernel_s_per_point, undecided_share
        The kernel's CPU seconds per point and the share of points it leaves undecided, measured
        on its probe points (``stage="compiled"``), or the best case 0, 0 (``"before compiling"``).
    compile_s_remaining
        Compile seconds still to pay (estimated before compiling, 0 once compiled).
    stage
        One of :data:`STAGES`.
    """

    n_points: int
    pointwise_s_per_point: float
    kernel_s_per_point: float
    undecided_share: float
    compile_s_remaining: float
    stage: str

    @property
    def compiled(self) -> bool:
        """Whether the compiled path pays (:func:`compiled_pays`)."""
        return compiled_pays(self.kernel_s_per_point, self.pointwise_s_per_point, self.undecided_share,
                             self.n_points, self.compile_s_remaining)

    @property
    def compiled_s(self) -> float:
        """Estimated seconds of the sweep on the compiled path."""
        return self.compile_s_remaining + self.n_points * (
            self.kernel_s_per_point + self.undecided_share * self.pointwise_s_per_point)

    @property
    def pointwise_s(self) -> float:
        """Estimated seconds of the sweep on the per-point path."""
        return self.n_points * self.pointwise_s_per_point

    def to_json(self) -> dict[str, Any]:
        return {
            "path": "compiled" if self.compiled else "pointwise",
            "stage": self.stage,
            "n_points": int(self.n_points),
            "pointwise_s_per_point": self.pointwise_s_per_point,
            "kernel_s_per_point": self.kernel_s_per_point,
            "undecided_share": self.undecided_share,
            "compile_s_remaining": self.compile_s_remaining,
            "compiled_s": self.compiled_s,
            "pointwise_s": self.pointwise_s,
        }

    def text(self) -> str:
        """One line saying the choice and why."""
        path = "compiled kernel" if self.compiled else "per-point solver"
        kernel = ("best case for the kernel (nothing measured yet)" if self.stage == STAGES[0] else
                  f"kernel {self.kernel_s_per_point * 1e3:.3g} ms/point leaving "
                  f"{self.undecided_share:.0%} undecided")
        return (f"{path}: about {self.compiled_s:.3g} s compiled (compile left "
                f"{self.compile_s_remaining:.3g} s, {kernel}) against {self.pointwise_s:.3g} s per point "
                f"({self.pointwise_s_per_point * 1e3:.3g} ms/point) for {self.n_points:,} points")
