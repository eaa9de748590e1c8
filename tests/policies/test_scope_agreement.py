"""The SQL jurisdiction filter agrees with Casbin's enforce for random users and grants."""

from __future__ import annotations

import random

from models import Dossier
from policies import SYSTEM, Actor, ActorKind, grants_of, jurisdiction, store
from resolvers.dossiers import Applicant, Reception, receive_dossier
from resolvers.dossiers.inputs import DossierFilter
from resolvers.dossiers.queries import _filtered
from resolvers.identity import create_user, grant_role
from tests.world import build_world

ROLES = ["CLERK", "SPECIALIST", "LEADER", "INSPECTOR", "ADMIN"]
UNITS = ["49", "502", "20335", "20341", "503", "20401", "490"]
PROCEDURE_AT = {"PROVINCE": "1.004227", "DISTRICT": "1.001612", "COMMUNE": "1.001193"}


async def test_sql_filter_and_enforce_agree_on_every_pair(db):
    world = await build_world()
    for code in UNITS:
        unit = world.units[code]
        for _ in range(2):
            await receive_dossier(actor=SYSTEM, reception=Reception(
                procedure_code=PROCEDURE_AT[unit.level.value], unit_code=code,
                channel="IN_PERSON", applicant=Applicant(name="Bùi Văn Nam")))
    rows = await Dossier.all()
    rng = random.Random(766)
    for index in range(40):
        username = f"user{index}"
        await create_user(actor=SYSTEM, username=username, password="mat-khau-12345",
                          display_name=username)
        for _ in range(rng.randint(0, 3)):
            await grant_role(actor=SYSTEM, username=username, role=rng.choice(ROLES),
                             unit_code=rng.choice(UNITS))
        actor = Actor(kind=ActorKind.USER, username=username, grants=grants_of(username))
        for act in ("read", "receive", "FINISH", "read_pii"):
            expected = {d.code for d in rows
                        if store.enforcer().enforce(username, d.unit_path, "dossier", act)}
            scope = jurisdiction(actor, "dossier", act)
            assert {d.code for d in rows if scope.covers(d.unit_path)} == expected, (username, act)
            if act == "read":
                query = await _filtered(actor, DossierFilter())
                in_sql = set(await query.values_list("code", flat=True))
                assert in_sql == expected, (username, actor.grants)
