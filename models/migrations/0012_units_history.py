from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.units import SuccessionKind, UnitKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import UniqueConstraint

from models import dialect
from models.postgres import postgres_sql

# Units as history (docs/units.md). Rows that existed before are versions in force since
# before our records; their kind comes from their official names.
KINDS = """UPDATE administrative_units SET kind = CASE
  WHEN level = 'PROVINCE' AND name LIKE 'Thành phố %' THEN 'CITY'
  WHEN level = 'PROVINCE' THEN 'PROVINCE'
  WHEN level = 'DISTRICT' AND name LIKE 'Quận %' THEN 'URBAN_DISTRICT'
  WHEN level = 'DISTRICT' AND name LIKE 'Thị xã %' THEN 'TOWN'
  WHEN level = 'DISTRICT' AND name LIKE 'Thành phố %' THEN 'PROVINCIAL_CITY'
  WHEN level = 'DISTRICT' THEN 'DISTRICT'
  WHEN name LIKE 'Phường %' THEN 'WARD'
  WHEN name LIKE 'Thị trấn %' THEN 'TOWNSHIP'
  WHEN name LIKE 'Đặc khu %' THEN 'SPECIAL_ZONE'
  ELSE 'COMMUNE' END"""
# A dossier received before this migration was received, handled and desked by its unit.
BACKFILL = (
    KINDS,
    "UPDATE dossiers SET received_unit_id = unit_id, desk_unit_id = unit_id, desk_path = unit_path,"
    " unit_history = CAST(unit_id AS TEXT) WHERE received_unit_id IS NULL",
    "UPDATE feedback SET received_unit_id = unit_id WHERE received_unit_id IS NULL",
)
# Both dialects have partial indexes: the units in force have distinct codes and paths.
LIVE_UNIQUE = (
    "CREATE UNIQUE INDEX IF NOT EXISTS unit_live_code ON administrative_units (code)"
    " WHERE valid_to IS NULL",
    "CREATE UNIQUE INDEX IF NOT EXISTS unit_live_path ON administrative_units (path)"
    " WHERE valid_to IS NULL",
)
LIVE_UNIQUE_DOWN = ("DROP INDEX IF EXISTS unit_live_path", "DROP INDEX IF EXISTS unit_live_code")
# PostgreSQL also refuses two versions with the same code or path whose periods overlap.
POSTGRES_UP = (
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE administrative_units ADD CONSTRAINT unit_code_period EXCLUDE USING gist"
    " (code WITH =, daterange(valid_from, valid_to) WITH &&)",
    "ALTER TABLE administrative_units ADD CONSTRAINT unit_path_period EXCLUDE USING gist"
    " (path WITH =, daterange(valid_from, valid_to) WITH &&)",
    "CREATE INDEX IF NOT EXISTS dossier_desk_path_pattern ON dossiers (desk_path varchar_pattern_ops, id)",
)
POSTGRES_DOWN = (
    "DROP INDEX IF EXISTS dossier_desk_path_pattern",
    "ALTER TABLE administrative_units DROP CONSTRAINT IF EXISTS unit_path_period",
    "ALTER TABLE administrative_units DROP CONSTRAINT IF EXISTS unit_code_period",
)


def on_sqlite(statements: tuple[str, ...]):
    async def run(apps, schema_editor) -> None:
        if not dialect.is_postgres(schema_editor.client):
            for statement in statements:
                await schema_editor.client.execute_script(statement)
    return run


# SQLite drops a column's UNIQUE by rebuilding the table (DROP TABLE + rename). With foreign
# keys enforced, dropping a referenced table fails or cascades, and the pragma is ignored
# inside a transaction: so this migration is not atomic, and turns the checks off around the
# rebuilds, then verifies every reference afterwards.
FOREIGN_KEYS_OFF = ("PRAGMA foreign_keys = OFF",)
FOREIGN_KEYS_ON = ("PRAGMA foreign_keys = ON",)


async def check_foreign_keys(apps, schema_editor) -> None:
    if not dialect.is_postgres(schema_editor.client):
        await schema_editor.client.execute_script("PRAGMA foreign_keys = ON")
        _, broken = await schema_editor.client.execute_query("PRAGMA foreign_key_check")
        if broken:
            raise RuntimeError(f"foreign keys broken by the table rebuild: {broken[:5]}")


def run_sql(statements: tuple[str, ...]):
    async def run(apps, schema_editor) -> None:
        for statement in statements:
            await schema_editor.client.execute_script(statement)
    return run


class Migration(migrations.Migration):
    dependencies = [('models', '0011_clock')]

    initial = False
    atomic = False

    operations = [
        ops.CreateModel(
            name='Reorganization',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('effective_date', fields.DateField()),
                ('reference', fields.CharField(default='', max_length=255)),
                ('fingerprint', fields.CharField(unique=True, max_length=64)),
                ('rows', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('summary', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('carry_grants', fields.BooleanField(default=False)),
                ('applied_by', fields.CharField(max_length=150)),
                ('applied_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reorganizations', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One audited change of the tree, effective from a date (one step of a plan).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UnitSuccession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('reorganization', fields.ForeignKeyField('models.Reorganization', source_field='reorganization_id', db_constraint=True, to_field='id', related_name='successions', on_delete=OnDelete.RESTRICT)),
                ('predecessor', fields.ForeignKeyField('models.AdministrativeUnit', source_field='predecessor_id', db_constraint=True, to_field='id', related_name='successions_out', on_delete=OnDelete.RESTRICT)),
                ('successor', fields.ForeignKeyField('models.AdministrativeUnit', source_field='successor_id', db_constraint=True, to_field='id', related_name='successions_in', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='CONTINUED: CONTINUED\nMERGED: MERGED\nSPLIT: SPLIT\nABSORBED: ABSORBED', enum_type=SuccessionKind, max_length=16)),
            ],
            options={'table': 'unit_successions', 'app': 'models', 'unique_together': (('predecessor', 'successor'),), 'indexes': [Index(fields=['successor_id'], name='succession_successor')], 'pk_attr': 'id', 'table_description': "`successor` continues (part of) `predecessor` from the reorganisation's date."},
            bases=['Model'],
        ),
        ops.RunPython(on_sqlite(FOREIGN_KEYS_OFF), on_sqlite(FOREIGN_KEYS_ON)),
        ops.AlterModelOptions(
            name='AdministrativeUnit',
            options={'table': 'administrative_units', 'app': 'models', 'indexes': [Index(fields=['code', 'valid_from'], name='unit_code_from'), Index(fields=['parent_id', 'code'], name='unit_parent_code')], 'pk_attr': 'id', 'table_description': 'One version of a province, district or commune with its official statistical code.'},
        ),
        ops.AlterField(
            model_name='AdministrativeUnit',
            name='code',
            field=fields.CharField(max_length=16),
        ),
        ops.AlterField(
            model_name='AdministrativeUnit',
            name='path',
            field=fields.CharField(max_length=128),
        ),
        ops.AddField(
            model_name='AdministrativeUnit',
            name='kind',
            field=fields.CharEnumField(description='PROVINCE: PROVINCE\nCITY: CITY\nDISTRICT: DISTRICT\nURBAN_DISTRICT: URBAN_DISTRICT\nTOWN: TOWN\nPROVINCIAL_CITY: PROVINCIAL_CITY\nCOMMUNE: COMMUNE\nWARD: WARD\nTOWNSHIP: TOWNSHIP\nSPECIAL_ZONE: SPECIAL_ZONE', db_default='COMMUNE', enum_type=UnitKind, max_length=16),
        ),
        ops.AddField(
            model_name='AdministrativeUnit',
            name='valid_from',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='AdministrativeUnit',
            name='valid_to',
            field=fields.DateField(null=True),
        ),
        ops.AddIndex(
            model_name='AdministrativeUnit',
            index=Index(fields=['code', 'valid_from'], name='unit_code_from'),
        ),
        ops.AddIndex(
            model_name='AdministrativeUnit',
            index=Index(fields=['parent_id', 'code'], name='unit_parent_code'),
        ),
        ops.AlterModelOptions(
            name='Agency',
            options={'table': 'agencies', 'app': 'models', 'unique_together': (('unit', 'code'),), 'pk_attr': 'id', 'table_description': "An office that receives and handles dossiers, e.g. a commune People's Committee. Each"},
        ),
        ops.AlterField(
            model_name='Agency',
            name='code',
            field=fields.CharField(max_length=32),
        ),
        ops.AddConstraint(
            model_name='Agency',
            constraint=UniqueConstraint(fields=('unit', 'code'), name=None),
        ),
        ops.RunPython(check_foreign_keys, on_sqlite(FOREIGN_KEYS_OFF)),
        ops.AddField(
            model_name='Dossier',
            name='awaiting_assignment',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Dossier',
            name='desk_path',
            field=fields.CharField(null=True, max_length=128),
        ),
        ops.AddField(
            model_name='Dossier',
            name='desk_unit',
            field=fields.ForeignKeyField('models.AdministrativeUnit', source_field='desk_unit_id', null=True, db_constraint=True, to_field='id', related_name='dossiers_at_desk', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='Dossier',
            name='received_unit',
            field=fields.ForeignKeyField('models.AdministrativeUnit', source_field='received_unit_id', null=True, db_constraint=True, to_field='id', related_name='dossiers_received', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='Dossier',
            name='unit_history',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddIndex(
            model_name='Dossier',
            index=Index(fields=['unit_id', 'id'], name='dossier_unit_id'),
        ),
        ops.AddIndex(
            model_name='Dossier',
            index=Index(fields=['desk_path', 'id'], name='dossier_desk_path_id'),
        ),
        ops.AddIndex(
            model_name='Dossier',
            index=Index(fields=['awaiting_assignment', 'id'], name='dossier_awaiting'),
        ),
        ops.AddField(
            model_name='Feedback',
            name='received_unit',
            field=fields.ForeignKeyField('models.AdministrativeUnit', source_field='received_unit_id', null=True, db_constraint=True, to_field='id', related_name='feedback_received', on_delete=OnDelete.RESTRICT),
        ),
        ops.RunPython(run_sql(BACKFILL), run_sql(())),
        ops.RunPython(run_sql(LIVE_UNIQUE), run_sql(LIVE_UNIQUE_DOWN)),
        postgres_sql(POSTGRES_UP, POSTGRES_DOWN),
    ]
