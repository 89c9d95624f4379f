"""Shared fixtures: where the official XSD is, where our hand-written samples are."""

from pathlib import Path

import pytest
from django.conf import settings

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def reference_dir() -> Path:
    return Path(settings.REFERENCE_DATA_DIR) / "actes"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()
