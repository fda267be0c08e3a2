"""studies.estimation: fitting deterrence models to crisis data by maximum likelihood.

:func:`fit` (also ``dt.fit``) estimates the strategic statistical models of the R package
``games`` (``egame12``, ``egame122``, ``egame123``) with regressors in the utilities, with the
package's formula syntax and conventions, and fits the agent QRE of any catalogue tree to outcome
counts (structural estimation). Both return a :class:`FitResult`. :func:`vuong` and
:func:`clarke` compare non-nested fits; :func:`load_dataset` gives the example data (``war1800``).

Modules, one job each: ``_formula`` (formula text), ``_design`` (model frame and design
matrices), ``_response`` (outcome coding), ``_trees`` (tree structure), ``_dual`` (dual numbers),
``_likelihood`` (log-likelihood and analytic gradient), ``_start`` (statistical backward
induction), ``_separation`` (separation checks), ``_optimize`` (optimiser, Hessian,
identification, bootstrap), ``_strategic`` (the ``games`` fits), ``_structural`` (QRE fits),
``_result`` / ``_summary`` / ``_profiles`` (the result object, its tables and profiles),
``_compare`` (non-nested tests), ``_data`` (data sets), ``_warnings`` (typed warnings).
"""

from __future__ import annotations

from ._compare import NonNestedTest, clarke, vuong
from ._data import list_datasets, load_dataset
from ._fit import fit
from ._result import FitInfo, FitResult
from ._warnings import (
    ConvergenceWarning,
    EstimationWarning,
    IdentificationWarning,
    PerfectSeparationError,
    SeparationWarning,
)

__all__ = [
    "ConvergenceWarning",
    "EstimationWarning",
    "FitInfo",
    "FitResult",
    "IdentificationWarning",
    "NonNestedTest",
    "PerfectSeparationError",
    "SeparationWarning",
    "clarke",
    "fit",
    "list_datasets",
    "load_dataset",
    "vuong",
]
