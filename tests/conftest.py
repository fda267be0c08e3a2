"""Shared test set-up: make ``tests/helpers`` importable as ``helpers``."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
