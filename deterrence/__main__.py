"""``python -m deterrence``: the same as the ``deterrence`` command."""

import sys

from .cli import main

sys.exit(main())
