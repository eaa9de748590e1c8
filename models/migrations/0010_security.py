from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0009_edge_audit_counts')]

    initial = False

    operations = [
        ops.AddField(
            model_name='AuditChainHead',
            name='head_mac',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
    ]
