"""Postventa: after-sales follow-up for small companies, offline on a laptop."""

APP_NAME = "Postventa"
# The one version source: pyproject.toml's build reads this literal (tool.setuptools.dynamic). A
# literal, not the installed metadata read back: importlib.metadata costs every start ~18 ms.
__version__ = "0.1.0"
