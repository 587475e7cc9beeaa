"""Shared fixtures: a small valid scenario (one class, one staffed desk, a three-hour day),
as text and as a file (:data:`tests.helpers.MINIMAL_SCENARIO`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import MINIMAL_SCENARIO


@pytest.fixture
def minimal_scenario_text() -> str:
    """YAML text of :data:`MINIMAL_SCENARIO`."""
    return MINIMAL_SCENARIO


@pytest.fixture
def minimal_scenario_file(tmp_path: Path) -> Path:
    """:data:`MINIMAL_SCENARIO` written to ``tmp_path/minimal.yaml``."""
    path = tmp_path / "minimal.yaml"
    path.write_text(MINIMAL_SCENARIO, encoding="utf-8")
    return path
