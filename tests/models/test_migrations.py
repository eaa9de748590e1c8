"""Migrations apply to a database that already holds data (a province upgrading in place)."""

from __future__ import annotations

import os
import uuid

import pytest
from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate

import config


@pytest.mark.skipif(os.environ.get("MOTCUA_TEST_BACKEND", "sqlite") != "sqlite",
                    reason="one dialect is enough for the upgrade path; the suite migrates PostgreSQL")
async def test_latest_migrations_apply_over_existing_rows(tmp_path):
    url = f"sqlite://{tmp_path / ('upgrade-' + uuid.uuid4().hex[:6] + '.sqlite3')}"
    settings = config.tortoise_config(url)
    try:
        await migrate(config=settings, target="models.0004_audit_chain")
        conn = connections.get("default")
        await conn.execute_script(
            "INSERT INTO administrative_units (code, name, level, path)"
            " VALUES ('49', 'Tỉnh Quảng Nam', 'PROVINCE', '/49/');"
            "INSERT INTO agencies (code, name, unit_id) VALUES ('UB49', 'UBND', 1);"
            "INSERT INTO procedures (code, name, field, level, processing_days, fee, online_level, documents,"
            " search_text) VALUES ('1.004227', 'GPXD', 'XD', 'PROVINCE', 15, 0, 'NONE', '[]', '');"
            "INSERT INTO dossiers (code, procedure_id, unit_id, agency_id, unit_path, channel, status,"
            " national_status_code, applicant_name, applicant_kind, search_text, submitted_at,"
            " supplement_count, fee, paid_online, components_digitized, result_electronic, version,"
            " created_at, updated_at) VALUES ('UB49-260101-0001', 1, 1, 1, '/49/', 'ONLINE', 'NEW', 1,"
            " 'An', 'CITIZEN', 'an', '2026-01-01 00:00:00+00:00', 0, 0, 0, 1, 0, 1,"
            " '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')")
        await Tortoise.close_connections()
        await migrate(config=settings)
        rows = await connections.get("default").execute_query_dict(
            "SELECT certified_copies_electronic, reused_digitized_data FROM dossiers")
        assert rows == [{"certified_copies_electronic": 0, "reused_digitized_data": 0}]
        procedures = await connections.get("default").execute_query_dict(
            "SELECT published_on_time, payable_online FROM procedures")
        assert procedures == [{"published_on_time": 1, "payable_online": 0}]
        # 0012: the unit is a version in force since before our records, its kind from its
        # name; the dossier was received, desked and handled by it.
        units = await connections.get("default").execute_query_dict(
            "SELECT kind, valid_from, valid_to FROM administrative_units")
        assert units == [{"kind": "PROVINCE", "valid_from": None, "valid_to": None}]
        history = await connections.get("default").execute_query_dict(
            "SELECT received_unit_id, desk_unit_id, desk_path, unit_history, awaiting_assignment"
            " FROM dossiers")
        assert history == [{"received_unit_id": 1, "desk_unit_id": 1, "desk_path": "/49/",
                            "unit_history": "1", "awaiting_assignment": 0}]
    finally:
        await Tortoise.close_connections()
