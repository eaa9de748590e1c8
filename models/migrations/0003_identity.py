from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_postgres_search_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CasbinRule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ptype', fields.CharField(max_length=8)),
                ('v0', fields.CharField(max_length=150)),
                ('v1', fields.CharField(max_length=150)),
                ('v2', fields.CharField(default='', max_length=150)),
            ],
            options={'table': 'casbin_rules', 'app': 'models', 'unique_together': (('ptype', 'v0', 'v1', 'v2'),), 'indexes': [Index(fields=['ptype', 'v0'], name='casbin_rule_subject')], 'pk_attr': 'id', 'table_description': 'One Casbin policy line: `p, role, object, action` or `g, user, role, domain`.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PartnerToken',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=16)),
                ('partner_name', fields.CharField(max_length=200)),
                ('scopes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('unit', fields.ForeignKeyField('models.AdministrativeUnit', source_field='unit_id', db_constraint=True, to_field='id', related_name='partner_tokens', on_delete=OnDelete.RESTRICT)),
                ('secret_hash', fields.CharField(max_length=64)),
                ('created_by', fields.CharField(max_length=150)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'partner_tokens', 'app': 'models', 'pk_attr': 'id', 'table_description': "A partner agency's token with scopes and a jurisdiction (only the secret's hash is kept)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PolicyRevision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('revision', fields.IntField(default=0)),
            ],
            options={'table': 'policy_revision', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A counter bumped with every policy change, so other processes know to reload.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('username', fields.CharField(unique=True, max_length=150)),
                ('display_name', fields.CharField(max_length=200)),
                ('password_hash', fields.CharField(max_length=255)),
                ('is_active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'users', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An official who logs in with a password (argon2id hash only).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('current_refresh_id', fields.CharField(max_length=32)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'sessions', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One login: the family of its rotating refresh tokens. Logout or reuse revokes it all.'},
            bases=['Model'],
        ),
    ]
