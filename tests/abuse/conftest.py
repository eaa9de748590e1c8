"""The abuse tests' province: one clerk, `lan`, at Phường An Mỹ."""

from __future__ import annotations

import pytest

from tests.conftest import KEYS, settings


@pytest.fixture
async def world(province_with_clerk):
    return province_with_clerk


@pytest.fixture
async def client_for(client_for, world):
    """The shared factory, on this folder's province."""
    return client_for


__all__ = ["KEYS", "settings"]
