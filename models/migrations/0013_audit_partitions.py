from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from datetime import UTC, datetime
from json import dumps, loads
from tortoise import fields

from models import dialect, partitions

# On PostgreSQL the audit trail becomes a table partitioned by month on `at`
# (models/partitions.py), converted in place: the rows are copied into their months'
# partitions in one transaction (the trail is unavailable meanwhile: docs/operations.md has
# the measured time), and every index and trigger the table had is declared again on the
# partitioned table, so PostgreSQL puts it on every partition, present and future. They are
# read from the catalog rather than listed here so that none added since is lost. Unique
# constraints must include the partition key: the primary key becomes (id, at) and the
# uniqueness of `seq` a plain index (see models/audit.py for why that is enough).
OLD = "audit_entries_unpartitioned"
AHEAD_MONTHS = 3  # the current month and the next three, as resolvers/audit_partitions.py keeps


async def _definitions(client, table: str) -> tuple[list[str], list[str]]:
    """The indexes (those backing the primary key and unique constraints aside) and the
    triggers of `table`, as statements that re-create them on a table of the same name."""
    indexes = await client.execute_query_dict(
        "SELECT pg_get_indexdef(i.indexrelid) AS sql FROM pg_index i "
        "WHERE i.indrelid = $1::regclass AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY i.indexrelid",
        [table])
    triggers = await client.execute_query_dict(
        "SELECT pg_get_triggerdef(t.oid) AS sql FROM pg_trigger t "
        "WHERE t.tgrelid = $1::regclass AND NOT t.tgisinternal AND t.tgparentid = 0 ORDER BY t.oid",
        [table])
    # A partitioned table's index is written `ON ONLY`; a partitioned table has no unique
    # index without the partition key, and the plain table gets its uniqueness back below.
    return ([r["sql"].replace(" ON ONLY ", " ON ").replace("CREATE UNIQUE INDEX", "CREATE INDEX")
             for r in indexes], [r["sql"] for r in triggers])


async def _rebuild(client, *, partitioned: bool) -> None:
    await client.execute_script("SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0;"
                                "LOCK TABLE audit_entries IN ACCESS EXCLUSIVE MODE")
    indexes, triggers = await _definitions(client, "audit_entries")
    sequence = (await client.execute_query_dict(
        "SELECT pg_get_serial_sequence('audit_entries', 'id') AS name"))[0]["name"]
    await client.execute_script(
        f"ALTER TABLE audit_entries RENAME TO {OLD};"
        f"CREATE TABLE audit_entries (LIKE {OLD} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        + (" PARTITION BY RANGE (at);" if partitioned else ";")
        + f"ALTER SEQUENCE {sequence} OWNED BY audit_entries.id")
    if partitioned:
        months = {row["month"] for row in await client.execute_query_dict(
            f"SELECT DISTINCT date_trunc('month', at AT TIME ZONE '{partitions.LOCAL_NAME}')::date "
            f"AS month FROM {OLD}")}
        current = partitions.month_of(datetime.now(UTC))
        months |= {partitions.add_months(current, n) for n in range(AHEAD_MONTHS + 1)}
        await client.execute_script(f"CREATE TABLE {partitions.DEFAULT} PARTITION OF audit_entries DEFAULT")
        for month in sorted(months):
            await client.execute_script(partitions.create_sql(month))
    await client.execute_script(
        f"INSERT INTO audit_entries SELECT * FROM {OLD}; DROP TABLE {OLD} CASCADE;"
        + ("ALTER TABLE audit_entries ADD CONSTRAINT audit_entries_pkey PRIMARY KEY (id, at);"
           "CREATE INDEX IF NOT EXISTS audit_seq ON audit_entries (seq);" if partitioned else
           "ALTER TABLE audit_entries ADD CONSTRAINT audit_entries_pkey PRIMARY KEY (id);"
           "DROP INDEX IF EXISTS audit_seq;"
           "ALTER TABLE audit_entries ADD CONSTRAINT audit_entries_seq_key UNIQUE (seq);"))
    for statement in [*indexes, *triggers]:
        if not (not partitioned and " audit_seq " in statement):
            await client.execute_script(statement)
    await client.execute_script("ANALYZE audit_entries")


async def partition_trail(apps, schema_editor) -> None:
    client = schema_editor.client
    if dialect.is_postgres(client) and not await partitions.is_partitioned(client):
        await _rebuild(client, partitioned=True)


async def unpartition_trail(apps, schema_editor) -> None:
    """Back to one table; archived (detached) months stay as they are, outside it."""
    client = schema_editor.client
    if dialect.is_postgres(client) and await partitions.is_partitioned(client):
        await _rebuild(client, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [('models', '0012_units_history')]

    initial = False

    operations = [
        ops.AddField(
            model_name='AuditChainHead',
            name='base_hash',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='AuditChainHead',
            name='base_loose',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='AuditChainHead',
            name='base_mac',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='AuditChainHead',
            name='base_seq',
            field=fields.BigIntField(default=0, db_default=0),
        ),
        ops.RunPython(partition_trail, unpartition_trail),
    ]
