"""Postventa: after-sales follow-up for small companies, offline on a laptop."""

from importlib import metadata

APP_NAME = "Postventa"
try:  # the one version source is pyproject.toml, read back from the installed package's metadata
    __version__ = metadata.version("postventa")
except metadata.PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"
