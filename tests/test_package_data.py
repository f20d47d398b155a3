"""The runtime files the build puts into the package (app/resources/), found beside the code."""

from __future__ import annotations

from pathlib import Path

import pytest

import app
from app.package_data import ResourceMissingError, resource_path


def test_a_resource_is_a_file_in_the_installed_package():
    path = resource_path("i18n", "es", "LC_MESSAGES", "postventa.mo")
    assert path.is_file()
    assert path.is_relative_to(Path(app.__file__).parent / "resources")


def test_a_missing_resource_names_the_file_and_says_to_reinstall():
    with pytest.raises(ResourceMissingError) as refused:
        resource_path("fonts", "Missing-Font.ttf")
    message = str(refused.value)
    assert "resources/fonts/Missing-Font.ttf" in message and "Reinstall Postventa" in message
