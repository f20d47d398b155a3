"""The layers, kept by tests: which part of app/ may import which, and the tests below the views run without Qt.

    views ──▶ documents ──▶ reports          (reports receive plain data)
      │           │            ╎ types and pure formatters only
      └───────────┴──▶ services ──▶ models ──▶ i18n, package_data, markup, locations (the base)
    any part ──▶ outputs ──▶ models.database, services.errors   (every file written for the user)

Arrows point one way. Only app.views imports Qt. The command line (app.cli) may call everything, but
imports the views only inside the commands that open a window, so the headless commands start without Qt.
The rules name package prefixes, not files, so they hold however app/services is divided.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import app

APP = Path(app.__file__).resolve().parent
ROOT = APP.parent
QT = ("PySide6", "shiboken6")

#: What each part of the application must not import (by package prefix). A module belongs to the first
#: part whose prefix it starts with; top-level modules not listed are the base, which imports no part.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "app.models": (
        "app.outputs",
        "app.sync",
        "app.services",
        "app.reports",
        "app.documents",
        "app.demo",
        "app.diagnostics",
        "app.views",
        "app.cli",
    ),
    # Laptops and the office: above the models and the services (their errors, their numbering).
    "app.sync": (
        "app.reports",
        "app.documents",
        "app.demo",
        "app.diagnostics",
        "app.views",
        "app.cli",
    ),
    "app.services": (
        "app.sync",
        "app.reports",
        "app.documents",
        "app.demo",
        "app.diagnostics",
        "app.views",
        "app.cli",
    ),
    # Every file written for the user (app/outputs.py): it knows the open database and refuses with a
    # DomainError; from the services it takes only their errors.
    "app.outputs": ("app.reports", "app.documents", "app.demo", "app.diagnostics", "app.views", "app.cli"),
    "app.reports": ("app.sync", "app.documents", "app.demo", "app.diagnostics", "app.views", "app.cli"),
    "app.demo": ("app.reports", "app.documents", "app.views", "app.cli"),
    "app.documents": ("app.demo", "app.diagnostics", "app.views", "app.cli"),
    "app.diagnostics": ("app.reports", "app.documents", "app.demo", "app.views", "app.cli"),
    "app.views": ("app.cli",),
    "app.cli": (),
    "app.__main__": (),
}
BASE_FORBIDDEN = (
    "app.models",
    "app.outputs",
    "app.sync",
    "app.services",
    "app.reports",
    "app.documents",
    "app.demo",
    "app.diagnostics",
    "app.views",
    "app.cli",
)

#: Reports receive plain data. From the services they take only types (the dataclasses and enums of that
#: data) and these formatters, each read and found to be pure (no query, no database): adding one here is
#: a decision to review, not a way to make the test pass.
REPORT_FORMATTERS = frozenset(
    {
        "format_target",
        "indicator_text",
        "format_measurement",
        "is_share",
        "warranty_text",
        # app.services.audit: a field's label and a stored value as the user reads it (no query).
        "field_label",
        "format_value",
        "action_label",
        "entity_label",
    }
)
#: From the models, reports take only the enums (stored codes with their labels), never a model class.
REPORT_MODELS = ("app.models.enums",)


@dataclass(frozen=True)
class Import:
    importer: str
    module: str
    names: tuple[str, ...]
    line: int
    top_level: bool  # at module level (not inside a function)

    def __str__(self) -> str:
        names = f" ({', '.join(self.names)})" if self.names else ""
        return f"{self.importer}:{self.line} imports {self.module}{names}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_in(path: Path) -> list[Import]:
    """Every import statement in the file, relative ones resolved, with whether it runs at import time."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    in_function: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            in_function.update(id(child) for child in ast.walk(node) if child is not node)
    found = []
    for node in ast.walk(tree):
        top_level = id(node) not in in_function
        if isinstance(node, ast.Import):
            found += [Import(name, alias.name, (), node.lineno, top_level) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append(Import(name, module, tuple(a.name for a in node.names), node.lineno, top_level))
    return found


def all_imports() -> list[Import]:
    return [found for path in sorted(APP.rglob("*.py")) for found in imports_in(path)]


def within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def part_of(module: str) -> str | None:
    return next((prefix for prefix in FORBIDDEN if within(module, prefix)), None)


def layer_violations(imports: list[Import]) -> list[str]:
    problems = []
    for found in imports:
        part = part_of(found.importer)
        forbidden = FORBIDDEN[part] if part is not None else BASE_FORBIDDEN
        if any(within(found.module, prefix) for prefix in forbidden):
            problems.append(f"{found}: {part or 'the base'} must not import it")
        if (
            part == "app.outputs"
            and within(found.module, "app.services")
            and found.module != "app.services.errors"
        ):
            problems.append(f"{found}: outputs takes only the errors from the services")
        if found.module.partition(".")[0] in QT and part != "app.views":
            problems.append(f"{found}: only app.views imports Qt")
        if part == "app.cli" and found.top_level and within(found.module, "app.views"):
            problems.append(f"{found}: the command line imports the views only inside the GUI commands")
    return problems


def report_violations(imports: list[Import]) -> list[str]:
    problems = []
    for found in imports:
        if part_of(found.importer) != "app.reports":
            continue
        if within(found.module, "app.models") and not any(within(found.module, m) for m in REPORT_MODELS):
            problems.append(f"{found}: reports take enums from the models, never model classes")
        if within(found.module, "app.services"):
            if not found.names:
                problems.append(f"{found}: reports import names (types, formatters), never a service module")
            for name in found.names:
                target = getattr(importlib.import_module(found.module), name)
                if not (inspect.isclass(target) or name in REPORT_FORMATTERS):
                    problems.append(
                        f"{found}: {name} is neither a type nor a reviewed pure formatter (REPORT_FORMATTERS)"
                    )
    return problems


# --- the contract ---------------------------------------------------------------------------------------


def test_each_part_imports_only_the_parts_below_it():
    assert layer_violations(all_imports()) == []


def test_reports_take_plain_data_from_the_services():
    assert report_violations(all_imports()) == []


def test_the_contract_catches_what_it_forbids():
    """The checks above can fail: each kind of wrong import is reported."""
    wrong = [
        Import("app.models.customers", "app.services.errors", ("DomainError",), 3, True),
        Import("app.services.followups.agenda", "app.views.events", ("FOLLOW_UPS",), 4, False),
        Import("app.services.cases", "PySide6.QtCore", ("QObject",), 5, True),
        Import("app.reports.activity", "app.views.dialogs", ("show_error",), 6, True),
        Import("app.models.base", "app.reports.base", ("escape",), 7, True),
        Import("app.i18n", "app.models", ("db",), 8, True),
        Import("app.cli", "app.views.app", ("run_gui",), 9, True),
        Import("app.documents", "PySide6.QtGui", ("QPdfWriter",), 10, True),
        Import("app.outputs", "app.services.reps", ("find_rep_by_code",), 11, True),
        Import("app.models.database", "app.outputs", ("write_output",), 12, False),
    ]
    assert len(layer_violations(wrong)) == len(wrong)
    assert layer_violations([Import("app.cli", "app.views.app", ("run_gui",), 9, False)]) == []
    assert (
        layer_violations([Import("app.views.agenda.page", "PySide6.QtWidgets", ("QWidget",), 1, True)]) == []
    )
    reports = [
        Import("app.reports.charter", "app.models", ("Customer",), 1, True),
        Import("app.reports.charter", "app.services.reps", (), 2, True),
        Import("app.reports.charter", "app.services.reps", ("list_reps",), 3, True),
    ]
    assert len(report_violations(reports)) == len(reports)


def test_relative_imports_are_resolved(tmp_path, monkeypatch):
    package = tmp_path / "app" / "services" / "cases"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from .workflow import advance_case\n", encoding="utf-8")
    (package / "workflow.py").write_text(
        "from ..errors import DomainError\nfrom . import stats\n", encoding="utf-8"
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert [f.module for f in imports_in(package / "__init__.py")] == ["app.services.cases.workflow"]
    assert [f.module for f in imports_in(package / "workflow.py")] == [
        "app.services.errors",
        "app.services.cases",
    ]


# --- the tests below the views run without Qt -------------------------------------------------------------

WITHOUT_QT = Path(__file__).resolve().parent / "without_qt"  # its sitecustomize makes PySide6 unimportable


def qt_free_environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    env["PYTHONPATH"] = str(WITHOUT_QT)
    return env


@pytest.mark.slow
def test_model_service_report_and_command_line_tests_pass_without_qt():
    """Everything under tests/ but the views and the packaging (whose bundles carry Qt) passes in a process
    where `import PySide6` fails: the code below the views, and the tests' own fixtures, need no Qt."""
    env = qt_free_environment()
    blocked = subprocess.run(
        [sys.executable, "-c", "import PySide6"], env=env, capture_output=True, text=True
    )
    assert blocked.returncode != 0 and "PySide6 is blocked" in blocked.stderr
    here = Path(__file__).resolve()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:pytest-qt",  # the plugin imports Qt when it starts
            "-W",
            "ignore::pytest.PytestConfigWarning",  # qt_api in pyproject, unknown without the plugin
            "--ignore",
            str(here.parent / "views"),
            "--ignore",
            str(here.parent / "packaging"),
            "--deselect",
            "tests/test_layers.py::test_model_service_report_and_command_line_tests_pass_without_qt",
            str(here.parent),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in result.stdout and "error" not in result.stdout.splitlines()[-1]
