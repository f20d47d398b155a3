"""A wheel built from the project works installed on its own: not editable, source tree not on the path.

`pip wheel . --no-deps` (in a copy of the project, so the work tree is left alone; pip fetches the
build requirements), then the wheel installed without its dependencies into a brand-new venv that
borrows the dependencies of the test environment by a .pth line. A directory named in a .pth file is
only appended to sys.path, its own .pth files are not run, so the editable install of the test
environment (a .pth finder) stays inactive and the new venv's own `app` comes first. Slow.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.packaging import smoke

pytestmark = pytest.mark.slow
#: What a source checkout holds besides the project: never part of a build.
NOT_SOURCES = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    "*.sqlite3*",
    "out",
)


def run(*command: str | Path, **kwargs) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
        **kwargs,
    )
    assert result.returncode == 0, f"{' '.join(map(str, command))}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> smoke.Program:
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    shutil.copytree(smoke.ROOT, source, ignore=NOT_SOURCES)
    shutil.rmtree(source / "app" / "resources", ignore_errors=True)  # the build must make them itself
    run(sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-w", "dist", "-q", cwd=source)
    (wheel,) = (source / "dist").glob("postventa-*.whl")

    venv = base / "venv nuevo"
    run(sys.executable, "-m", "venv", venv, cwd=base)
    python = venv / "bin" / "python"
    purelib = Path(
        run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    )
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (purelib / "test-environment-dependencies.pth").write_text(
        "".join(f"{path}\n" for path in sorted(borrowed))
    )
    run(python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", wheel, cwd=base)

    program = smoke.Program.for_user([str(venv / "bin" / "postventa")], base)
    where = run(
        python,
        "-c",
        "import app, importlib.metadata as m; print(app.__file__); "
        "print(m.distribution('postventa').locate_file(''))",
        cwd=program.folder,
        env=program.env,
    )
    app_file, dist_location = map(Path, where.stdout.splitlines())
    assert app_file.is_relative_to(purelib), f"app imported from {app_file}, not from the new venv"
    assert dist_location.resolve() == purelib.resolve(), dist_location
    assert (purelib / "app" / "resources" / "fonts" / "DejaVuSans.ttf").is_file()
    return program


def test_installed_wheel_prints_the_project_version(installed):
    smoke.check_version(installed)


def test_installed_wheel_runs_the_headless_commands(installed):
    smoke.check_demo_and_check(installed)
    smoke.check_activity_report_in_spanish(installed)
    smoke.check_screenshots_in_spanish(installed)
