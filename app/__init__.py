"""Postventa: after-sales follow-up for small companies, offline on a laptop."""

__version__ = "0.1.0"
APP_NAME = "Postventa"
