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


@pytest.mark.skipif(os.environ.get("MOTCUA_TEST_BACKEND", "sqlite") != "sqlite",
                    reason="one dialect is enough for the upgrade path; the suite migrates PostgreSQL")
async def test_clock_migration_upgrades_a_running_province(tmp_path):
    """0011 over rows of 0009: procedures count in working days, an administrator's day is kept,
    the announced days arrive, and the policy gains the new rules once."""
    url = f"sqlite://{tmp_path / ('clock-' + uuid.uuid4().hex[:6] + '.sqlite3')}"
    settings = config.tortoise_config(url)
    try:
        await migrate(config=settings, target="models.0009_edge_audit_counts")
        conn = connections.get("default")
        await conn.execute_script(
            "INSERT INTO procedures (code, name, field, level, processing_days, fee, online_level,"
            " documents, search_text) VALUES ('1.004227', 'GPXD', 'XD', 'PROVINCE', 15, 0, 'NONE',"
            " '[]', '');"
            "INSERT INTO calendar_overrides (day, is_working_day, note) VALUES"
            " ('2026-01-02', 1, 'set by a province before the upgrade');"
            "INSERT INTO casbin_rules (ptype, v0, v1, v2) VALUES ('p', 'CLERK', 'dossier', 'read');"
            "INSERT INTO policy_revision (id, revision) VALUES (1, 4)")
        await Tortoise.close_connections()
        await migrate(config=settings, target="models.0011_clock")
        conn = connections.get("default")
        procedures = await conn.execute_query_dict(
            "SELECT time_unit, payment_pauses_clock, channel_terms FROM procedures")
        assert procedures == [{"time_unit": "WORKING_DAYS", "payment_pauses_clock": 0,
                               "channel_terms": None}]
        days = {r["day"]: r["is_working_day"] for r in await conn.execute_query_dict(
            "SELECT day, is_working_day FROM calendar_overrides")}
        assert days["2026-01-02"] == 1  # the province's own decision is not overwritten
        assert days["2026-01-10"] == 1 and days["2026-11-24"] == 0
        rules = await conn.execute_query_dict(
            "SELECT v0, v1, v2 FROM casbin_rules WHERE ptype = 'p' ORDER BY id")
        assert [tuple(r.values()) for r in rules] == [
            ("CLERK", "dossier", "read"), ("ANONYMOUS", "calendar", "read"),
            ("CLERK", "dossier", "GUIDE_SUPPLEMENT"), ("ADMIN", "calendar", "set"),
            ("ADMIN", "calendar", "clear")]
        revision = await conn.execute_query_dict("SELECT revision FROM policy_revision")
        assert revision == [{"revision": 5}]  # other processes reload the policy
    finally:
        await Tortoise.close_connections()
