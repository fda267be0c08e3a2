"""Python builders of the catalogue's models, by parameter name.

Each builder returns a :class:`~deterrence.Model` equal to the matching file in ``models/``
(tests check that they agree). ``alliances`` holds the attacker–defender–ally models and the
strategic statistical trees; ``perfect_deterrence`` the Zagare–Kilgour family and the
reputation and teaching models; ``signalling`` the costly-signal menu (a signal level the
defender chooses); ``threats`` the brinkmanship model, the threat that leaves something to chance (teaching).
"""

from __future__ import annotations

from .alliances import *  # noqa: F403
from .alliances import __all__ as _alliances_all

try:  # written alongside; present in every release
    from .perfect_deterrence import *  # noqa: F403
    from .perfect_deterrence import __all__ as _pd_all
except ImportError:  # pragma: no cover - only while the module is being written
    _pd_all = []
from .signalling import *  # noqa: F403
from .signalling import __all__ as _signalling_all
from .threats import *  # noqa: F403
from .threats import __all__ as _threats_all

__all__ = [*_alliances_all, *_pd_all, *_signalling_all, *_threats_all]
