"""Makes Qt unimportable in the Python process that loads it: `import PySide6` raises ImportError.

Put this folder first on PYTHONPATH and Python imports it at start-up (a `sitecustomize` module), before
pytest, its plugins or any code under test. tests/test_layers.py runs the model, service, report and
command-line tests that way, to prove they need no Qt; by hand:

    PYTHONPATH=tests/without_qt python -m pytest -p no:pytestqt tests/models tests/services ...
"""

from __future__ import annotations

import importlib.abc
import sys

BLOCKED = frozenset({"PySide6", "shiboken6"})


class QtBlocker(importlib.abc.MetaPathFinder):
    """Refuses PySide6 and shiboken6, and everything under them, before any other finder is asked."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(
                f"{fullname} is blocked: this run proves the code needs no Qt", name=fullname
            )
        return None


sys.meta_path.insert(0, QtBlocker())
