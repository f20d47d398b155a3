"""The build step pyproject.toml cannot state: runtime resources compiled and copied into the package.

Everything else about the package is in pyproject.toml.
"""

import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))
from build_resources import build_resources  # noqa: E402


class BuildPyWithResources(build_py):
    """Also write app/resources/: into the wheel, or into the source tree for an editable install."""

    def run(self):
        super().run()
        if self.editable_mode:  # PEP 660: the package is imported from the source tree
            target = Path(__file__).resolve().parent / "app" / "resources"
        else:
            target = Path(self.build_lib) / "app" / "resources"
        build_resources(target)


setup(cmdclass={"build_py": BuildPyWithResources})
