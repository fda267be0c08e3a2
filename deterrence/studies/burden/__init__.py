"""studies.burden: see docs/discussion/architecture.md."""

from __future__ import annotations

from ._certify import BurdenEquilibrium, Certificate, certify_profile
from ._closed import ClosedForm, closed_form
from ._equilibrium import cooperative_total, equilibrium, random_game
from ._game import S_SYMBOL, TECHNOLOGIES, UTILITIES, BurdenGame, Technology
from ._link import DeterrenceLink, linked_outcomes, required_level, solve_linked
from ._pledge import pledge_equilibria

__all__ = [
    "S_SYMBOL",
    "TECHNOLOGIES",
    "UTILITIES",
    "BurdenEquilibrium",
    "BurdenGame",
    "Certificate",
    "ClosedForm",
    "DeterrenceLink",
    "Technology",
    "certify_profile",
    "closed_form",
    "cooperative_total",
    "equilibrium",
    "linked_outcomes",
    "pledge_equilibria",
    "random_game",
    "required_level",
    "solve_linked",
]
