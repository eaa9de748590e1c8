from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_partner_operations')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Feedback',
            name='secret_hash',
            field=fields.CharField(null=True, max_length=64),
        ),
    ]
