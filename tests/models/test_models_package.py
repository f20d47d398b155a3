"""`app.models` gives every model by name and imports a model's module when the name is first asked
for (issue 19): its small modules come without peewee and the models."""

from __future__ import annotations

import subprocess
import sys

from peewee import Model

import app.models as models


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def test_every_name_resolves_and_all_models_is_every_model_in_order():
    assert set(models.__all__) == {*models._MODEL_MODULES, "ALL_MODELS", "BaseModel", "db", "now"}
    for name in models.__all__:
        assert getattr(models, name) is not None
    assert [model.__name__ for model in models.ALL_MODELS] == list(models._MODEL_MODULES)
    # Every model of the model modules is listed (one added there but not here would have no table;
    # app.models.base holds the abstract bases, a migration its own copies). By name: peewee makes
    # subclasses of the same name when a model is bound to another database for a while.
    modules = {f"app.models.{module}" for module in models._MODEL_MODULES.values()}
    ours = {(model.__module__, model.__name__) for model in _subclasses(Model) if model.__module__ in modules}
    assert ours == {(model.__module__, model.__name__) for model in models.ALL_MODELS}


def test_a_submodule_comes_without_peewee_and_the_models():
    code = (
        "import sys\n"
        "import app.models.window_lock, app.models.cipher, app.models.file_errors\n"
        "print(sorted(m for m in ('peewee', 'app.models.base', 'app.models.database') if m in sys.modules))\n"
    )
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "[]"


def test_an_unknown_name_is_an_attribute_error_and_a_submodule_still_imports():
    try:
        models.NoSuchModel  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchModel" in str(exc)
    else:
        raise AssertionError("an unknown name resolved")
    from app.models import enums  # a submodule, through the import system

    assert enums.FollowUpState.PLANNED == "planned"


def test_the_cipher_module_reads_sqlite3_s_errors_when_first_asked_for_them():
    code = (
        "import sys\n"
        "from app.models import cipher\n"
        "before = 'sqlite3' in sys.modules\n"
        "import sqlite3\n"
        "errors = (cipher.DRIVER_ERRORS, cipher.DRIVER_DATABASE_ERRORS, cipher.DRIVER_OPERATIONAL_ERRORS)\n"
        "print(before, errors == ((sqlite3.Error,), (sqlite3.DatabaseError,), (sqlite3.OperationalError,)))\n"
        "try:\n"
        "    cipher.NO_SUCH_NAME\n"
        "except AttributeError as exc:\n"
        "    print('NO_SUCH_NAME' in str(exc))\n"
    )
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.split() == ["False", "True", "True"]
