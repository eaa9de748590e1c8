"""The abuse tests' province: one clerk, `lan`, at Phường An Mỹ."""

from __future__ import annotations

import pytest

from policies import SYSTEM
from resolvers.identity import create_user, grant_role
from tests.conftest import KEYS, settings
from tests.world import build_world


@pytest.fixture
async def world(db):
    world = await build_world()
    await create_user(actor=SYSTEM, username="lan", password="mat-khau-12345", display_name="Lan")
    await grant_role(actor=SYSTEM, username="lan", role="CLERK", unit_code="20335")
    return world


@pytest.fixture
async def client_for(client_for, world):
    """The shared factory, on this folder's province."""
    return client_for


__all__ = ["KEYS", "settings"]
