"""The receiving desk and the handling unit (Decree 118/2025/NĐ-CP, Art. 14(2) and 20).

From 1 July 2025 the public service centres of a province and of its communes receive
dossiers "regardless of administrative boundaries within the province": a dossier records
the desk that received it and the unit competent to resolve it. The desk keeps the right to
return the result (and to see the dossiers it received); the handling unit processes it.
Before that day (Decree 61/2018) a unit received only its own dossiers.
"""

from __future__ import annotations

from datetime import date

from models import AdministrativeUnit, Dossier
from models.errors import BadInput, Forbidden
from models.scope import Scope
from policies import Actor, ActorKind, authorize, jurisdiction
from resolvers import lookups
from resolvers.lifecycle import DossierAction, Side, sides_of

DECREE_118 = date(2025, 7, 1)


def province_of(path: str) -> str:
    """The province part of a unit path: /48/20341/ → /48/."""
    return "/" + path.strip("/").split("/")[0] + "/"


async def _own_unit(actor: Actor, unit: AdministrativeUnit) -> AdministrativeUnit:
    """The caller's own desk: the unit of its one receiving grant (the deepest covering the
    handling unit when it has several). The console and partners (the post, the portal)
    deliver to the handling unit's own desk."""
    if actor.kind in (ActorKind.SYSTEM, ActorKind.PARTNER):
        return unit
    scope = jurisdiction(actor, "dossier", "receive")
    if scope.prefixes is None:
        return unit
    candidates = list(scope.prefixes)
    if not candidates:
        return unit  # no desk anywhere: the permission check refuses it
    if len(candidates) > 1:
        covering = [p for p in candidates if unit.path.startswith(p)]
        candidates = sorted(covering, key=len)[-1:] if covering else candidates
    if len(candidates) != 1:
        raise BadInput("you receive at several desks: give deskCode", field="deskCode")
    if candidates[0] == unit.path and unit.valid_to is None:
        return unit  # a clerk receiving for the unit of their own desk: nothing more to read
    desk = await lookups.live_unit_by_path(candidates[0])
    if desk is None:
        raise BadInput("your desk's unit no longer exists: give deskCode", field="deskCode")
    return desk


async def receiving_desk(
    *, actor: Actor, desk_code: str | None, unit: AdministrativeUnit, received_day: date,
) -> AdministrativeUnit:
    """The desk receiving a dossier for `unit` on `received_day`, checked against the rules
    in force that day; the caller must be allowed to receive at the desk."""
    if desk_code is not None:
        desk = await lookups.unit_by_code(desk_code)
        if desk is None:
            raise BadInput(f"unknown unit {desk_code!r}", field="deskCode")
    else:
        desk = await _own_unit(actor, unit)
    authorize(actor, "dossier", "receive", desk.path)
    for row in (desk, unit):
        if row.valid_from is not None and received_day < row.valid_from:
            raise BadInput(f"receivedAt {received_day} is before unit {row.code} existed "
                           f"(from {row.valid_from})", field="receivedAt")
    if desk.id == unit.id:
        return desk
    if received_day < DECREE_118:
        raise BadInput("before 1 July 2025 (Decree 61/2018) a unit received only its own dossiers",
                       field="deskCode")
    if province_of(desk.path) != province_of(unit.path):
        # A refusal of the caller's reach, recorded as such by the layer above.
        raise Forbidden(
            f"desk {desk.code} receives only for units of its own province (Decree 118 Art. 14(2))",
            field="deskCode", action="dossier:receive",
            audit=dict(action="dossier:receive", object_type=None, object_id=None,
                       unit_path=unit.path))
    return desk


def desk_scope(actor: Actor) -> Scope:
    """Where the caller works a desk: it may see (and return) what those desks received."""
    return jurisdiction(actor, "dossier", "receive")


def may_see(actor: Actor, dossier: Dossier) -> bool:
    """The handling unit's readers, and the receiving desk's clerks, see that it exists."""
    if jurisdiction(actor, "dossier", "read").covers(dossier.unit_path):
        return True
    return dossier.desk_path is not None and desk_scope(actor).covers(dossier.desk_path)


def authorize_action(actor: Actor, dossier: Dossier, action: DossierAction) -> None:
    """Permission for one lifecycle action at the side(s) that may take it (lifecycle.SIDES)."""
    sides = sides_of(action)
    if Side.DESK in sides and dossier.desk_path is not None:
        scope = jurisdiction(actor, "dossier", action.value)
        if scope.covers(dossier.desk_path):
            return
    authorize(actor, "dossier", action.value, dossier.unit_path, object_id=dossier.code)
