"""The PyInstaller one-folder bundle builds from packaging/postventa.spec and the frozen program works.

Slow (the build takes about a minute): `pytest -m "not slow"` leaves it out. Without PyInstaller it
is skipped locally and fails on CI (CI=true), where .ci/run installs the pinned PyInstaller.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging import smoke

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not sys.platform.startswith("linux"),
        reason="the Linux bundle; Windows and macOS build in release.yml",
    ),
]
SPEC = smoke.ROOT / "packaging" / "postventa.spec"


@pytest.fixture(scope="module")
def frozen(tmp_path_factory) -> smoke.Program:
    smoke.require_module("PyInstaller", "pip install -c packaging/constraints.txt pyinstaller")
    base = tmp_path_factory.mktemp("bundle")
    dist, work = base / "Programas de José", base / "work"
    # From a folder outside the repository: the spec finds everything relative to itself.
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
            str(SPEC),
        ],
        cwd=base,
        capture_output=True,
        text=True,
        timeout=1200,
        stdin=subprocess.DEVNULL,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    executable = dist / "postventa" / ("postventa.exe" if sys.platform == "win32" else "postventa")
    assert executable.is_file(), sorted(path.name for path in (dist / "postventa").iterdir())
    return smoke.Program.for_user([str(executable)], base)


def test_the_bundle_carries_the_resources_the_metadata_and_the_qt_plugins(frozen):
    internal = Path(frozen.command[0]).parent / "_internal"
    resources = internal / "app" / "resources"
    for name in (
        "fonts/DejaVuSans.ttf",
        "fonts/DejaVu-LICENSE.txt",
        "i18n/es/LC_MESSAGES/postventa.mo",
        "icons/postventa.svg",
        "icons/postventa.png",
    ):
        assert (resources / name).is_file(), name
    assert list(internal.glob("postventa-*.dist-info/METADATA"))
    plugins = internal / "PySide6" / "Qt" / "plugins"
    for plugin in (
        "platforms/libqoffscreen.so",
        "platforms/libqxcb.so",
        "imageformats/libqsvg.so",
        "iconengines/libqsvgicon.so",
    ):
        assert (plugins / plugin).is_file(), plugin
    assert not list(internal.rglob("*Qt6Quick*")), "QtQuick is not used and should be left out"
    dangling = [path for path in internal.rglob("*") if path.is_symlink() and not path.exists()]
    assert not dangling
    assert not (internal / "app" / "main.py").exists() and not (internal / "tests").exists()


def needed_libraries(library: Path) -> set[str]:
    dump = subprocess.run(["objdump", "-p", str(library)], capture_output=True, text=True, check=True).stdout
    return {line.split()[1] for line in dump.splitlines() if line.strip().startswith("NEEDED")}


def test_the_xcb_platform_plugin_finds_its_x11_libraries_in_the_bundle(frozen):
    """A desktop without Qt's xcb helpers installed (libxcb-cursor0, libxcb-icccm4, …) still opens the window."""
    internal = Path(frozen.command[0]).parent / "_internal"
    xcb = internal / "PySide6" / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    needed = needed_libraries(xcb) | needed_libraries(
        internal / "PySide6" / "Qt" / "lib" / "libQt6XcbQpa.so.6"
    )
    # libxcb.so.1 itself is the system's on purpose: PyInstaller never bundles it (it goes with the X server).
    x11 = {name for name in needed if name.startswith(("libxcb", "libX11", "libxkbcommon"))} - {"libxcb.so.1"}
    assert x11 and not {name for name in x11 if not (internal / name).exists()}


def test_frozen_program_prints_the_project_version(frozen):
    smoke.check_version(frozen)


def test_frozen_program_runs_the_headless_commands(frozen):
    smoke.check_demo_and_check(frozen)
    smoke.check_activity_report_in_spanish(frozen)
    smoke.check_screenshots_in_spanish(frozen)
