"""The typed warnings and the one typed error of estimation.

Bad input raises the library's typed errors (:class:`~deterrence.ParameterError` for data and
options, :class:`~deterrence.ExpressionError` for formula text, :class:`~deterrence.SolverError`
when the optimiser cannot evaluate the likelihood). A fit that runs but whose answer is
doubtful warns with a subclass of :class:`EstimationWarning` that names the cause and what to try.
"""

from __future__ import annotations

from ...errors import ParameterError


class EstimationWarning(UserWarning):
    """Base class of the warnings of :func:`deterrence.fit`."""


class ConvergenceWarning(EstimationWarning):
    """The optimiser stopped before the gradient of the log-likelihood vanished."""


class IdentificationWarning(EstimationWarning):
    """The information matrix is singular or nearly so: some parameters (named in the message)
    are not identified by these data, or only weakly."""


class SeparationWarning(EstimationWarning):
    """Regressors (nearly) separate the choices at a decision that is not the last in the tree,
    or (structural fits) the fit drives the probability of an outcome never observed to zero."""


class PerfectSeparationError(ParameterError):
    """A linear combination of a decision's regressors predicts its observed choices perfectly:
    the maximum-likelihood estimate does not exist (the coefficients run off to infinity)."""
