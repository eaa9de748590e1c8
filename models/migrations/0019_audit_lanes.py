"""Lanes of the audit chain: an entry's `lane`, and who holds each lane's head.

With one chain head, every writer of the province passed through one row, and two serving
processes sealed after each other's entries: each one's guess of the head's place
(audit/chain.py) was wrong half the time, and its statements went the long way (issue 15:
`--workers 2` slower than one). Each serving process on PostgreSQL now claims a lane, a head
row of its own, and chains its entries there; verification walks every lane. Existing
entries and the existing head are lane 1, unchanged (a constant default: no rewrite of the
trail on PostgreSQL 11 and later).

Going down folds nothing back: it refuses while entries exist in a lane other than 1.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


async def _nothing(apps, schema_editor) -> None:
    return None


async def _single_lane(apps, schema_editor) -> None:
    rows = await schema_editor.client.execute_query_dict(
        "SELECT COUNT(*) AS n FROM audit_entries WHERE lane <> 1")
    if rows[0]["n"]:
        raise RuntimeError(f"{rows[0]['n']} audit entries are chained in lanes other than 1: "
                           "the trail cannot go back to one chain")


class Migration(migrations.Migration):
    dependencies = [('models', '0018_open_dossiers_by_path')]

    initial = False

    operations = [
        ops.AddField(
            model_name='AuditEntry',
            name='lane',
            field=fields.SmallIntField(default=1, db_default=1),
        ),
        ops.AddField(
            model_name='AuditChainHead',
            name='holder',
            field=fields.CharField(max_length=128, null=True),
        ),
        ops.AddField(
            model_name='AuditChainHead',
            name='held_until',
            field=fields.DatetimeField(null=True),
        ),
        # Last, so that going down checks before the column goes.
        ops.RunPython(_nothing, _single_lane),
    ]
