"""The smoke commands run against an installed Postventa: a frozen bundle or a wheel in a fresh venv.

Each is a real process, offscreen, with the user's folders, the database and the outputs under a
path with accents and spaces (`José Muñoz/Datos de empresa`), started outside the source tree.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
USER = "José Muñoz"
COMPANY_FOLDER = "Datos de empresa"
#: Variables that would let the program find code or data other than its own installation.
LEAKY = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "POSTVENTA_DB")


def project_version() -> str:
    """The version the source declares: app/__init__.py's literal, read as the build reads it."""
    tree = ast.parse((ROOT / "app" / "__init__.py").read_text(encoding="utf-8"))
    return next(
        node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__version__" for t in node.targets)
    )


def require_module(module: str, install: str) -> None:
    """Skip with the reason when `module` is missing; fail instead on CI, where skipping hides a gap."""
    if importlib.util.find_spec(module) is not None:
        return
    message = f"{module} is not installed in this environment ({install})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}: CI must run the packaging tests, .ci/run installs it")
    pytest.skip(message)


def user_environment(home: Path) -> dict[str, str]:
    """The process environment of a user whose home and XDG folders are under `home`."""
    env = {key: value for key, value in os.environ.items() if key not in LEAKY}
    runtime = home / ".run"
    for folder in (
        home / ".config",
        home / ".local" / "share",
        home / ".local" / "state",
        home / ".cache",
        runtime,
    ):
        folder.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)  # Qt refuses a runtime folder others can read
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_RUNTIME_DIR=str(runtime),
        QT_QPA_PLATFORM="offscreen",
        PYTHONNOUSERSITE="1",
    )
    return env


@dataclass
class Program:
    """An installed `postventa` command run as a user would, from their company folder."""

    command: list[str]
    folder: Path  # the company folder: database, reports, screenshots
    env: dict[str, str]

    @classmethod
    def for_user(cls, command: list[str], base: Path) -> Program:
        home = base / USER
        folder = home / COMPANY_FOLDER
        folder.mkdir(parents=True)
        return cls(command, folder, user_environment(home))

    @property
    def database(self) -> Path:
        return self.folder / "postventa de prueba.sqlite3"

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [*self.command, *args],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        shown = " ".join(args)
        assert result.returncode == 0, f"postventa {shown} exited {result.returncode}:\n{result.stderr}"
        assert "Traceback" not in result.stderr, f"postventa {shown}:\n{result.stderr}"
        return result


def check_version(program: Program) -> None:
    result = program.run("--version")
    assert result.stdout.strip() == f"Postventa {project_version()}"


def check_demo_and_check(program: Program) -> None:
    program.run("demo", "--db", str(program.database), "--customers", "50", "--today", "2026-06-15")
    assert program.database.is_file()
    result = program.run("check", "--db", str(program.database), "--lang", "en")
    assert "Result: healthy" in result.stdout
    assert str(program.database) in result.stdout  # the path with accents reached SQLite intact


def check_activity_report_in_spanish(program: Program) -> None:
    from pypdf import PdfReader

    pdf = program.folder / "Informes" / "actividad 2026.pdf"
    pdf.parent.mkdir()
    program.run(
        "report",
        "activity",
        "--db",
        str(program.database),
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--lang",
        "es",
        "--out",
        str(pdf),
    )
    reader = PdfReader(pdf)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Informe de actividad" in text and "Seguimientos programados" in text
    embedded = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                embedded.add(str(font["/BaseFont"]).split("+")[-1])
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= embedded, embedded


def check_screenshots_in_spanish(program: Program) -> None:
    out = program.folder / "Capturas de pantalla"
    program.run("screenshots", "--db", str(program.database), "--out", str(out), "--lang", "es")
    pictures = sorted(out.glob("*.png"))
    names = {picture.name for picture in pictures}
    assert {"es-01-dashboard.png", "es-03-customers.png", "es-dialog-customer-360.png"} <= names, names
    for picture in pictures:
        data = picture.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 2000, picture.name
