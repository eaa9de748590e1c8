from tortoise import migrations
from tortoise.migrations import operations as ops

from models.postgres import postgres_sql
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_feedback_secret')]

    initial = False

    operations = [
        ops.CreateModel(
            name='UnitProcedureMonthlyStats',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('unit', fields.ForeignKeyField('models.AdministrativeUnit', source_field='unit_id', db_constraint=True, to_field='id', related_name='procedure_monthly_stats', on_delete=OnDelete.CASCADE)),
                ('procedure', fields.ForeignKeyField('models.Procedure', source_field='procedure_id', db_constraint=True, to_field='id', related_name='monthly_stats', on_delete=OnDelete.CASCADE)),
                ('unit_path', fields.CharField(max_length=128)),
                ('month', fields.DateField()),
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
            options={'table': 'unit_procedure_monthly_stats', 'app': 'models', 'unique_together': (('unit', 'procedure', 'month'),), 'indexes': [Index(fields=['unit_path', 'month'], name='unit_proc_month_path')], 'pk_attr': 'id', 'table_description': 'The same counters per unit, procedure and month (for breakdowns by procedure and'},
            bases=['Model'],
        ),
        postgres_sql(
            ("CREATE INDEX IF NOT EXISTS unit_proc_month_path_pattern "
             "ON unit_procedure_monthly_stats (unit_path varchar_pattern_ops, month)",),
            ("DROP INDEX IF EXISTS unit_proc_month_path_pattern",),
        ),
    ]
