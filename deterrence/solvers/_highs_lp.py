"""Small dense linear programs solved by HiGHS as ``scipy.optimize.linprog(method="highs")`` solves
them, without its per-call overhead (:func:`highs_x`).

``linprog`` checks and converts its arguments, builds a sparse matrix, validates each option
through a fresh option manager and wraps the answer; for the PBE solver's programs (a few
variables, :func:`deterrence.solvers._pbe_beliefs._lp_programs`) that costs about three times
HiGHS's own work. :func:`highs_x` hands HiGHS, through the same binding scipy uses
(``scipy.optimize._highspy._core``), the same model (the constraints stacked as ``linprog``
stacks them: inequalities ``-inf <= A_ub x <= b_ub``, then equalities ``b_eq <= A_eq x <= b_eq``;
the matrix by columns without its zero entries, rows increasing, as ``scipy.sparse.csc_array``
of the dense stack) and the same options (the ones ``linprog`` sets and does not leave
``None``), to a fresh solver object each time, as ``linprog`` does; and it applies ``linprog``'s
own check of the answer (``scipy.optimize._linprog_util._check_result``: an optimal answer
outside the bounds, the inequalities or the equalities by more than ``sqrt(1e-9) * 10`` is not
accepted). So it answers what ``linprog`` answers, to the bit (``tests/test_highs_lp.py``
compares the two on random programs). Inputs that are not finite (which ``linprog`` refuses with
an error), or a scipy whose ``linprog`` does not call HiGHS through that binding (before 1.15),
go to ``linprog`` itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_BINDING: list[Any] = []  # [scipy's HiGHS binding, or None], found on first use


def _binding() -> Any:
    """The binding of scipy's own HiGHS (``scipy.optimize._highspy._core``) if ``linprog`` calls
    HiGHS through it (scipy >= 1.15), else ``None``; imported on the first program, not with the
    package (``scipy.optimize`` brings ``scipy.special`` and ``scipy.sparse``, which a compiled
    sweep never needs: ``tests/test_startup.py``)."""
    if not _BINDING:
        try:
            import scipy.optimize._highspy._core as core
            from scipy.optimize._linprog_highs import _highs_wrapper
            ok = _highs_wrapper.__module__ == "scipy.optimize._highspy._highs_wrapper"
        except ImportError:  # pragma: no cover - depends on the installed scipy
            core, ok = None, False
        _BINDING.append(core if ok else None)
    return _BINDING[0]


#: ``linprog``'s acceptance tolerance for an optimal answer (``_check_result``: ``sqrt(tol) * 10``
#: with its default ``tol = 1e-9``)
_CHECK_TOL = float(np.sqrt(1e-9) * 10)

_OPTIONS: list[Any] = []  # the HiGHS options linprog(method="highs") sets, built once


def _options(core: Any) -> Any:
    """The options ``linprog(method="highs")`` passes with its defaults: presolve on, no debug
    output, no log, the dual simplex strategy (its other options are ``None`` and left unset)."""
    if not _OPTIONS:
        opts = core.HighsOptions()
        opts.presolve = "on"
        opts.highs_debug_level = core.HighsDebugLevel.kHighsDebugLevelNone
        opts.log_to_console = False
        opts.output_flag = False
        opts.simplex_strategy = core.simplex_constants.SimplexStrategy.kSimplexStrategyDual
        _OPTIONS.append(opts)
    return _OPTIONS[0]


def highs_x(c: np.ndarray, a_ub: np.ndarray, b_ub: np.ndarray, a_eq: np.ndarray, b_eq: np.ndarray,
            lb: np.ndarray, ub: np.ndarray) -> np.ndarray | None:
    """``res.x`` of ``linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(lb, ub) per
    variable, method="highs")`` if ``res.status == 0``, else ``None`` (``lb``, ``ub``: arrays,
    ``-inf`` / ``inf`` for no bound; every other argument a float array)."""
    finite = (np.isfinite(c).all() and np.isfinite(a_ub).all() and np.isfinite(b_ub).all()
              and np.isfinite(a_eq).all() and np.isfinite(b_eq).all())
    core = _binding() if finite else None
    if core is None:
        return _by_linprog(c, a_ub, b_ub, a_eq, b_eq, lb, ub)
    a = np.vstack((a_ub, a_eq))
    inf = core.kHighsInf
    lhs = np.concatenate([np.full(len(b_ub), -inf), b_eq])
    rhs = np.concatenate([b_ub, b_eq])
    lp = core.HighsLp()
    lp.num_col_ = lp.a_matrix_.num_col_ = a.shape[1]
    lp.num_row_ = lp.a_matrix_.num_row_ = a.shape[0]
    lp.a_matrix_.format_ = core.MatrixFormat.kColwise
    by_col = a.T
    nonzero = by_col != 0
    lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(nonzero.sum(axis=1))]).astype(np.int32)
    lp.a_matrix_.index_ = np.nonzero(nonzero)[1].astype(np.int32)
    lp.a_matrix_.value_ = by_col[nonzero]
    lp.col_cost_ = c
    lp.col_lower_ = _highs_inf(lb, inf)
    lp.col_upper_ = _highs_inf(ub, inf)
    lp.row_lower_ = lhs
    lp.row_upper_ = rhs
    highs = core._Highs()
    if highs.passOptions(_options(core)) == core.HighsStatus.kError:
        return None
    if highs.passModel(lp) == core.HighsStatus.kError or highs.run() == core.HighsStatus.kError:
        return None
    if highs.getModelStatus() != core.HighsModelStatus.kOptimal:
        return None
    solution = highs.getSolution()
    x = np.array(solution.col_value)
    row = np.array(solution.row_value)
    fun = highs.getInfo().objective_function_value
    return x if _accepted(x, fun, rhs - row, len(b_ub), lb, ub) else None


def _highs_inf(x: np.ndarray, inf: float) -> np.ndarray:
    """``x`` with its infinite entries as HiGHS's infinity ``inf`` of the same sign (``linprog``'s
    ``_replace_inf``), a copy."""
    x = np.array(x, dtype=float)
    infs = np.isinf(x)
    x[infs] = np.sign(x[infs]) * inf
    return x


def _accepted(x: np.ndarray, fun: float, slack: np.ndarray, n_ub: int, lb: np.ndarray, ub: np.ndarray
              ) -> bool:
    """``linprog``'s check of an optimal answer (``_check_result``): nothing NaN, the variables
    within their bounds, the inequalities' slacks not below, the equalities' residuals not beyond,
    ``_CHECK_TOL``. ``slack``: ``rhs - A x`` for every row, the inequalities first."""
    if np.isnan(x).any() or np.isnan(fun) or np.isnan(slack).any():
        return False
    tol = _CHECK_TOL
    inside = np.all((x >= lb - tol) & (x <= ub + tol))
    return bool(inside and not (slack[:n_ub] < -tol).any() and not (np.abs(slack[n_ub:]) > tol).any())


def _by_linprog(c: np.ndarray, a_ub: np.ndarray, b_ub: np.ndarray, a_eq: np.ndarray, b_eq: np.ndarray,
                lb: np.ndarray, ub: np.ndarray) -> np.ndarray | None:
    """:func:`highs_x` by ``scipy.optimize.linprog`` itself."""
    from scipy.optimize import linprog

    bounds = [(None if np.isinf(lo) else float(lo), None if np.isinf(hi) else float(hi))
              for lo, hi in zip(lb, ub, strict=True)]
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    return res.x if res.status == 0 else None
