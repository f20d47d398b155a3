"""Runtime files shipped inside the package (`app/resources/`), found with importlib.resources.

The build writes them there from the sources in the project's top-level `resources/`
(tools/build_resources.py); nothing at run time reads the source tree. Installed packages,
editable installs and the one-folder bundles all keep the package on disk, so a plain path
is handed to the libraries that need one (reportlab's fonts, gettext's catalogs, Qt's icons).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


class ResourceMissingError(RuntimeError):
    """A file the build should have put into the package is not there: the installation is broken."""


def resource_path(*parts: str) -> Path:
    """The path of `app/resources/<parts…>`; raises ResourceMissingError when it is missing."""
    location = resources.files("app").joinpath("resources", *parts)
    path = Path(str(location))
    if not path.exists():
        name = "/".join(parts)
        raise ResourceMissingError(
            f"Postventa's own file resources/{name} is missing from {path.parent}: the installation is "
            "incomplete. Reinstall Postventa (from a source checkout: pip install -e . rebuilds it)."
        )
    return path
