"""0015 over a running province: the policy gains the scorecard-input rules once (and other
processes reload it), and existing dossiers were not received by postal staff."""

from __future__ import annotations

import os
import uuid

import pytest
from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate

import config


@pytest.mark.skipif(os.environ.get("MOTCUA_TEST_BACKEND", "sqlite") != "sqlite",
                    reason="one dialect is enough for the upgrade path; the suite migrates PostgreSQL")
async def test_scorecard_inputs_migration_adds_its_rules_to_a_running_policy(tmp_path):
    url = f"sqlite://{tmp_path / ('inputs-' + uuid.uuid4().hex[:6] + '.sqlite3')}"
    settings = config.tortoise_config(url)
    try:
        await migrate(config=settings, target="models.0013_audit_partitions")
        conn = connections.get("default")
        await conn.execute_script(
            "INSERT INTO casbin_rules (ptype, v0, v1, v2) VALUES ('p', 'ADMIN', 'target', 'set');"
            "INSERT INTO policy_revision (id, revision) VALUES (1, 7)")
        await Tortoise.close_connections()
        await migrate(config=settings)
        conn = connections.get("default")
        rules = {tuple(r.values()) for r in await conn.execute_query_dict(
            "SELECT v0, v1, v2 FROM casbin_rules WHERE ptype = 'p'")}
        assert rules == {("LEADER", "dossier", "late_cause"), ("SPECIALIST", "dossier", "late_cause"),
                         ("LEADER", "target", "set"), ("ADMIN", "target", "set"),
                         ("ADMIN", "procedure", "publish"), ("ADMIN", "procedure", "delegate")}
        revision = await conn.execute_query_dict("SELECT revision FROM policy_revision")
        assert revision == [{"revision": 8}]
        columns = {r["name"]: r for r in await conn.execute_query_dict("PRAGMA table_info(dossiers)")}
        assert columns["received_by_postal_staff"]["dflt_value"] in ("0", "FALSE", "false")
    finally:
        await Tortoise.close_connections()
