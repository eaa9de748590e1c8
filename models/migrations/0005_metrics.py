from tortoise import migrations
from tortoise.migrations import operations as ops

from models.postgres import postgres_sql
from models.metrics import FeedbackKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

POSTGRES_UP = (
    "CREATE INDEX IF NOT EXISTS unit_daily_path_pattern "
    "ON unit_daily_stats (unit_path varchar_pattern_ops, day)",
    "CREATE INDEX IF NOT EXISTS feedback_path_pattern "
    "ON feedback (unit_path varchar_pattern_ops, submitted_at)",
)
POSTGRES_DOWN = (
    "DROP INDEX IF EXISTS feedback_path_pattern",
    "DROP INDEX IF EXISTS unit_daily_path_pattern",
)



class Migration(migrations.Migration):
    dependencies = [('models', '0004_audit_chain')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Feedback',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='COMPLAINT: COMPLAINT\nRATING: RATING', enum_type=FeedbackKind, max_length=16)),
                ('unit', fields.ForeignKeyField('models.AdministrativeUnit', source_field='unit_id', db_constraint=True, to_field='id', related_name='feedback', on_delete=OnDelete.RESTRICT)),
                ('unit_path', fields.CharField(max_length=128)),
                ('dossier', fields.ForeignKeyField('models.Dossier', source_field='dossier_id', null=True, db_constraint=True, to_field='id', related_name='feedback', on_delete=OnDelete.SET_NULL)),
                ('content', fields.TextField(default='', unique=False)),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('handled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('response', fields.TextField(null=True, unique=False)),
                ('satisfied', fields.BooleanField(null=True)),
                ('rating', fields.SmallIntField(null=True)),
            ],
            options={'table': 'feedback', 'app': 'models', 'indexes': [Index(fields=['unit_path', 'submitted_at'], name='feedback_path_submitted')], 'pk_attr': 'id', 'table_description': "A citizen's complaint or rating, tied to a unit and optionally a dossier."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UnitDailyStats',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('unit', fields.ForeignKeyField('models.AdministrativeUnit', source_field='unit_id', db_constraint=True, to_field='id', related_name='daily_stats', on_delete=OnDelete.CASCADE)),
                ('unit_path', fields.CharField(max_length=128)),
                ('day', fields.DateField()),
                ('received', fields.IntField(default=0)),
                ('received_in_person', fields.IntField(default=0)),
                ('received_online', fields.IntField(default=0)),
                ('received_postal', fields.IntField(default=0)),
                ('received_with_fee', fields.IntField(default=0)),
                ('paid_online', fields.IntField(default=0)),
                ('components_digitized', fields.IntField(default=0)),
                ('certified_copies_electronic', fields.IntField(default=0)),
                ('reused_digitized_data', fields.IntField(default=0)),
                ('synced_to_portal', fields.IntField(default=0)),
                ('resolved', fields.IntField(default=0)),
                ('resolved_early', fields.IntField(default=0)),
                ('resolved_on_time', fields.IntField(default=0)),
                ('resolved_late', fields.IntField(default=0)),
                ('processing_days_sum', fields.BigIntField(default=0)),
                ('results_electronic', fields.IntField(default=0)),
            ],
            options={'table': 'unit_daily_stats', 'app': 'models', 'unique_together': (('unit', 'day'),), 'indexes': [Index(fields=['unit_path', 'day'], name='unit_daily_path_day')], 'pk_attr': 'id', 'table_description': 'Counters per unit and local day, kept in the transaction of every change they count.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Dossier',
            name='certified_copies_electronic',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Dossier',
            name='processing_days',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Dossier',
            name='reused_digitized_data',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Dossier',
            name='synced_to_portal_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Procedure',
            name='content_complete',
            field=fields.BooleanField(default=True, db_default=True),
        ),
        ops.AddField(
            model_name='Procedure',
            name='payable_online',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Procedure',
            name='published_on_time',
            field=fields.BooleanField(default=True, db_default=True),
        ),
        ops.AddField(
            model_name='Procedure',
            name='updated_on_time',
            field=fields.BooleanField(default=True, db_default=True),
        ),
        postgres_sql(POSTGRES_UP, POSTGRES_DOWN),
    ]
