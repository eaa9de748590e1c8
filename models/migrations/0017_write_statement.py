"""PostgreSQL: `motcua_expect(guarded, sealed)`, which aborts the statement it is part of.

A transition's write reaches PostgreSQL as one statement committed by itself (models/held.py,
audit/chain.py): the dossier's compare-and-set update, its event, rollups and notification,
the audit head's lock and the entry chained after the head the process expects. It must
commit whole or not at all; when the update changed nothing or the head was not the one
expected, this function raises (SQLSTATE MC001 or MC002) and PostgreSQL rolls the statement
back. SQLite has no such statement (its writes run one by one in a transaction).
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

from models import dialect

EXPECT = """
CREATE OR REPLACE FUNCTION motcua_expect(guarded boolean, sealed boolean) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT coalesce(guarded, false) THEN
        RAISE EXCEPTION 'a guarded write changed nothing' USING ERRCODE = 'MC001';
    END IF;
    IF NOT coalesce(sealed, false) THEN
        RAISE EXCEPTION 'the audit chain head is not where this process expected it'
            USING ERRCODE = 'MC002';
    END IF;
    RETURN true;
END
$$
"""


async def create_expect(apps, schema_editor) -> None:
    client = schema_editor.client
    if dialect.is_postgres(client):
        await client.execute_script(EXPECT)


async def drop_expect(apps, schema_editor) -> None:
    client = schema_editor.client
    if dialect.is_postgres(client):
        await client.execute_script("DROP FUNCTION IF EXISTS motcua_expect(boolean, boolean)")


class Migration(migrations.Migration):
    dependencies = [('models', '0016_perf')]

    initial = False

    operations = [
        ops.RunPython(create_expect, drop_expect),
    ]
