"""Shared steps for the reorganisation tests: dossiers before the change, officials by grant."""

from __future__ import annotations

from datetime import datetime

from models import Dossier
from policies import SYSTEM, Actor, ActorKind, grants_of
from resolvers import clock
from resolvers.dossiers import Applicant, Reception, receive_dossier, transition_dossier
from resolvers.identity import create_user, grant_role
from resolvers.lifecycle import DossierAction
from resolvers.units import parse_csv, reorganize

PROCEDURE = {"COMMUNE": "1.001193", "DISTRICT": "1.001612", "PROVINCE": "1.004227"}
LEVELS = {"49": "PROVINCE", "490": "PROVINCE", "502": "DISTRICT", "503": "DISTRICT"}


def at_clock(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment)


async def receive(unit: str, *, address: str = "Khóm 1", desk: str | None = None,
                  finish: bool = False) -> Dossier:
    """A dossier received now (the clock) at `unit`, optionally finished at once."""
    dossier = await receive_dossier(actor=SYSTEM, reception=Reception(
        procedure_code=PROCEDURE[LEVELS.get(unit, "COMMUNE")], unit_code=unit,
        channel="IN_PERSON", applicant=Applicant(name="Lê Thị Thu", address=address),
        desk_code=desk))
    if finish:
        for action in (DossierAction.START_PROCESSING, DossierAction.FINISH):
            dossier = await transition_dossier(actor=SYSTEM, code=dossier.code, action=action)
    return dossier


async def official(username: str, role: str, unit: str) -> Actor:
    """A user granted `role` at `unit` through the audited use cases."""
    await create_user(actor=SYSTEM, username=username, password="mat-khau-12345",
                      display_name=username)
    await grant_role(actor=SYSTEM, username=username, role=role, unit_code=unit)
    return as_logged_in(username)


def as_logged_in(username: str) -> Actor:
    """The caller as a request would see it now: grants read from the policy in force."""
    return Actor(kind=ActorKind.USER, username=username, grants=grants_of(username))


async def apply(csv: str, **options):
    return await reorganize(actor=SYSTEM, rows=parse_csv(csv), **options)
