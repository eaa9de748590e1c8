"""Every role × grant level × action on a dossier at ward 20335, against a hand-written table.

A grant holds at its unit and below: at province 49, city 502 and ward 20335 it covers the
dossier; at the neighbouring ward 20341 it does not (the dossier then reads as not found).
Under Decree 118 any desk of the province receives for any unit of it, and the desk that
received a dossier returns its result (`DESK` below); everything else is the handling unit's.
"""

from __future__ import annotations

import pytest

from models import Dossier, DossierEvent
from models.errors import Forbidden, NotFound
from policies import SYSTEM, Actor, ActorKind, grants_of
from resolvers import dossiers
from resolvers.dossiers import Applicant, Reception
from resolvers.identity import create_user, grant_role
from resolvers.lifecycle import DossierAction as A
from tests.world import at, build_world

ALLOWED = {
    "CLERK": {"receive", "read", "ACCEPT", "REFUSE", "GUIDE_SUPPLEMENT", "REQUEST_SUPPLEMENT",
              "SUPPLEMENT", "WITHDRAW", "RETURN_RESULT", "CONFIRM_PAYMENT"},
    "SPECIALIST": {"read", "START_PROCESSING", "REQUEST_SUPPLEMENT", "REQUEST_PAYMENT"},
    "LEADER": {"read", "FINISH", "STOP", "extend"},
    "INSPECTOR": {"read"},
    "ADMIN": {"read"},
}
# The steps (by SYSTEM) that put a dossier where the action is legal.
SETUP = {
    "ACCEPT": ("ONLINE", []), "REFUSE": ("ONLINE", []), "GUIDE_SUPPLEMENT": ("IN_PERSON_CHECK", []),
    "START_PROCESSING": ("IN_PERSON", []), "STOP": ("IN_PERSON", []),
    "WITHDRAW": ("IN_PERSON", []), "REQUEST_SUPPLEMENT": ("IN_PERSON", []),
    "SUPPLEMENT": ("IN_PERSON", [A.REQUEST_SUPPLEMENT]),
    "REQUEST_PAYMENT": ("IN_PERSON", [A.START_PROCESSING]),
    "FINISH": ("IN_PERSON", [A.START_PROCESSING]),
    "CONFIRM_PAYMENT": ("IN_PERSON", [A.START_PROCESSING, A.REQUEST_PAYMENT]),
    "RETURN_RESULT": ("IN_PERSON", [A.START_PROCESSING, A.FINISH]),
    "extend": ("IN_PERSON", []), "read": ("IN_PERSON", []), "receive": None,
}
GRANT_UNITS = {"49": True, "502": True, "20335": True, "20341": False}
# What the clerks of the receiving desk (ward 20341) may do to a dossier handled by 20335:
# receive it, check it before acceptance (Decree 118 Art. 17) and return the result (Art. 20).
DESK = {"CLERK": {"receive", "ACCEPT", "REFUSE", "GUIDE_SUPPLEMENT", "RETURN_RESULT"}}


def reception(channel: str, desk: str | None = None) -> Reception:
    # IN_PERSON_CHECK: a paper dossier registered for the desk to check (not yet accepted).
    accepted = False if channel == "IN_PERSON_CHECK" else None
    return Reception(procedure_code="1.001193", unit_code="20335",
                     channel=channel.removesuffix("_CHECK"), accepted=accepted,
                     applicant=Applicant(name="Đỗ Thị Mai", id_number="049190001111"),
                     desk_code=desk)


async def attempt(actor: Actor, action: str, dossier: Dossier | None) -> None:
    if action == "receive":
        await dossiers.receive_dossier(actor=actor, reception=reception("IN_PERSON"))
    elif action == "read":
        if await dossiers.get_dossier(actor=actor, code=dossier.code) is None:
            raise NotFound("not visible")
    elif action == "extend":
        await dossiers.extend_dossier(actor=actor, code=dossier.code,
                                      new_due_at=at("2099-03-02 12:00"), reason="Lý do")
    else:
        await dossiers.transition_dossier(actor=actor, code=dossier.code, action=A(action),
                                          note="Lý do ghi cho người nộp")


@pytest.mark.parametrize("role", sorted(ALLOWED))
@pytest.mark.parametrize("action", sorted(SETUP))
async def test_permission_matrix(db, role, action):
    await build_world()
    for unit, covers in GRANT_UNITS.items():
        username = f"user{unit}"
        await create_user(actor=SYSTEM, username=username, password="mat-khau-12345",
                          display_name=username)
        await grant_role(actor=SYSTEM, username=username, role=role, unit_code=unit)
        actor = Actor(kind=ActorKind.USER, username=username, grants=grants_of(username))
        dossier = None
        if SETUP[action] is not None:
            channel, steps = SETUP[action]
            dossier = await dossiers.receive_dossier(actor=SYSTEM, reception=reception(channel))
            for step in steps:
                dossier = await dossiers.transition_dossier(actor=SYSTEM, code=dossier.code,
                                                            action=step, note="Lý do")
        before = await Dossier.all().count(), await DossierEvent.all().count()
        version = dossier.version if dossier else None
        # Decree 118: every unit of GRANT_UNITS is in province 49, so each desk may receive.
        expected = action in ALLOWED[role] and (covers or action == "receive")
        if expected:
            await attempt(actor, action, dossier)
        else:
            with pytest.raises((Forbidden, NotFound)):
                await attempt(actor, action, dossier)
            # then nothing changed
            assert (await Dossier.all().count(), await DossierEvent.all().count()) == before
            if dossier is not None:
                assert (await Dossier.get(id=dossier.id)).version == version


async def user_at(role: str, unit: str) -> Actor:
    await create_user(actor=SYSTEM, username="desk", password="mat-khau-12345", display_name="d")
    await grant_role(actor=SYSTEM, username="desk", role=role, unit_code=unit)
    return Actor(kind=ActorKind.USER, username="desk", grants=grants_of("desk"))


@pytest.mark.parametrize("role", sorted(ALLOWED))
@pytest.mark.parametrize("action", sorted(set(SETUP) - {"receive"}))
async def test_receiving_desk_matrix(db, role, action):
    # given a dossier for ward 20335 received at the desk of ward 20341
    await build_world()
    actor = await user_at(role, "20341")
    channel, steps = SETUP[action]
    dossier = await dossiers.receive_dossier(actor=SYSTEM, reception=reception(channel, "20341"))
    for step in steps:
        dossier = await dossiers.transition_dossier(actor=SYSTEM, code=dossier.code, action=step,
                                                    note="Bổ sung giấy tờ")
    before = await Dossier.get(id=dossier.id)
    # when someone of the desk's unit acts on it, then only the desk's own rights hold
    if action in DESK.get(role, set()):
        await attempt(actor, action, dossier)
        assert (await Dossier.get(id=dossier.id)).version == before.version + 1
    else:
        with pytest.raises((Forbidden, NotFound)):
            await attempt(actor, action, dossier)
        after = await Dossier.get(id=dossier.id)
        assert (after.version, after.status) == (before.version, before.status)
