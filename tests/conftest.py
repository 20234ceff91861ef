"""Shared fixtures: a writable copy of the tiny test scenario."""

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """Path of mini.yaml in a fresh copy of tests/fixtures/mini that a test may edit."""
    dst = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", dst)
    return dst / "mini.yaml"
