"""Runtime files shipped inside the package (`app/resources/`), found beside this module.

The build writes them there from the sources in the project's top-level `resources/`
(tools/build_resources.py); nothing at run time reads the source tree. Installed packages,
editable installs and the one-folder bundles all keep the package on disk, so a plain path
is handed to the libraries that need one (reportlab's fonts, gettext's catalogs, Qt's icons).
So the path is built from this module's own location: importlib.resources, which did it before,
took about 3 ms to import on the way to the window's first paint (issue 19).
"""

from __future__ import annotations

from pathlib import Path

_RESOURCES = Path(__file__).parent / "resources"


class ResourceMissingError(RuntimeError):
    """A file the build should have put into the package is not there: the installation is broken."""


def resource_path(*parts: str) -> Path:
    """The path of `app/resources/<parts…>`; raises ResourceMissingError when it is missing."""
    path = _RESOURCES.joinpath(*parts)
    if not path.exists():
        name = "/".join(parts)
        raise ResourceMissingError(
            f"Postventa's own file resources/{name} is missing from {path.parent}: the installation is "
            "incomplete. Reinstall Postventa (from a source checkout: pip install -e . rebuilds it)."
        )
    return path
