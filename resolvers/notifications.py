"""Live updates: announcing dossier changes, and the `dossierUpdates` stream of a unit.

A reception or transition announces itself with one `pg_notify` inside its own transaction
(`announce`): no per-row work, delivered to every process when it commits. A subscriber gets
the changes of dossiers under the unit it asked for and within its jurisdiction, at the
moment each change arrives (a grant revoked meanwhile stops them), and a `RESYNC` update
whenever the stream may have missed changes (the database restarted, or the subscriber
fell too far behind): the client then refetches what it shows.

Updates carry the dossier's code, unit, action, statuses and version, never personal data;
a client reads the dossier itself through `dossier(code:)`, with its usual masking.

Subscribe and unsubscribe are audited by this use case; a refused subscription is recorded
by the layer above, like every refusal.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from audit import record
from models import Dossier, notify
from models.errors import BadInput, Forbidden, RateLimited
from policies import Actor, ActorKind, authorize, grants_of, jurisdiction
from resolvers import clock, lookups

log = logging.getLogger("motcua.subscriptions")
ACTION = "subscription:dossierUpdates"


class UpdateKind(StrEnum):
    CHANGED = "CHANGED"  # a dossier was received or moved
    RESYNC = "RESYNC"  # changes may have been missed: refetch


@dataclass(frozen=True)
class DossierUpdate:
    kind: UpdateKind
    at: datetime
    code: str | None = None
    unit_code: str | None = None
    action: str | None = None
    from_status: str | None = None
    to_status: str | None = None
    version: int | None = None


@dataclass
class Limits:
    per_connection: int = 5
    per_user: int = 20


class _Open:
    """Open subscriptions in this process, by caller and by connection."""

    limits = Limits()
    by_caller: dict[str, int] = {}
    by_connection: dict[str, int] = {}


def configure(*, per_connection: int, per_user: int) -> None:
    _Open.limits = Limits(per_connection=per_connection, per_user=per_user)


def open_count() -> int:
    return sum(_Open.by_connection.values())


async def announce(dossier: Dossier, *, action: str, from_status: str | None) -> None:
    """Inside the change's transaction: tell every process (and so every subscriber)."""
    await notify.publish("dossier", code=dossier.code, unit=dossier.unit_path, action=action,
                         frm=from_status, to=str(dossier.status), version=dossier.version,
                         at=clock.now().isoformat())


async def announce_ended(kind: str, ident: str) -> None:
    """Inside the transaction that ended a session or revoked a partner token: open
    subscriptions of that token end at once, on every node."""
    await notify.publish(kind, id=ident)


Inbox = notify.Inbox
GAP = notify.GAP


def revocations() -> notify.Inbox:
    """Session ends and partner-token revocations as they are announced (and gaps)."""
    return notify.hub.open({"session", "partner"})


def stop(inbox: notify.Inbox) -> None:
    notify.hub.close(inbox)


def _caller_key(actor: Actor) -> str:
    return f"{actor.kind.value}:{actor.username}"


def _current(actor: Actor) -> Actor:
    """The caller with its grants as the policy says now (a revoked grant stops updates)."""
    if actor.kind is not ActorKind.USER or actor.username is None:
        return actor
    return Actor(kind=actor.kind, username=actor.username, grants=grants_of(actor.username),
                 scopes=actor.scopes, partner_unit_path=actor.partner_unit_path,
                 request_id=actor.request_id, client_address=actor.client_address,
                 extra=actor.extra)


def _update(event: notify.Event) -> DossierUpdate:
    data = event.data
    unit = str(data.get("unit") or "")
    at = datetime.fromisoformat(str(data["at"])) if data.get("at") else clock.now()
    return DossierUpdate(kind=UpdateKind.CHANGED, at=at,
                         code=data.get("code"), unit_code=unit.rstrip("/").rsplit("/", 1)[-1] or None,
                         action=data.get("action"), from_status=data.get("frm"),
                         to_status=data.get("to"), version=data.get("version"))


def _claim(actor: Actor, connection: str) -> None:
    caller = _caller_key(actor)
    if _Open.by_connection.get(connection, 0) >= _Open.limits.per_connection:
        raise RateLimited(f"at most {_Open.limits.per_connection} subscriptions per connection",
                          audit={"action": ACTION})
    if _Open.by_caller.get(caller, 0) >= _Open.limits.per_user:
        raise RateLimited(f"at most {_Open.limits.per_user} open subscriptions per caller",
                          audit={"action": ACTION})
    _Open.by_connection[connection] = _Open.by_connection.get(connection, 0) + 1
    _Open.by_caller[caller] = _Open.by_caller.get(caller, 0) + 1


def _release(actor: Actor, connection: str) -> None:
    for table, key in ((_Open.by_connection, connection), (_Open.by_caller, _caller_key(actor))):
        table[key] = table.get(key, 1) - 1
        if table[key] <= 0:
            del table[key]


async def dossier_updates(*, actor: Actor, unit_code: str, connection: str
                          ) -> AsyncIterator[DossierUpdate]:
    """Changes of dossiers under `unit_code` within the caller's jurisdiction, as they happen."""
    unit = await lookups.unit_by_code(unit_code)
    if unit is None:
        raise BadInput(f"unknown unit {unit_code!r}", field="unitCode")
    refused = {"action": ACTION, "object_type": "AdministrativeUnit", "object_id": unit.code,
               "unit_path": unit.path}
    try:
        authorize(actor, "dossier", "read", unit.path)
    except Forbidden as error:
        raise Forbidden(error.message, audit=refused) from None
    _claim(actor, connection)
    inbox = notify.hub.open({"dossier"})
    delivered = 0
    try:
        await notify.hub.listening(inbox)  # other processes' changes reach it from here on
        await record(actor=actor, action="subscription:subscribe", object_type="AdministrativeUnit",
                     object_id=unit.code, unit_path=unit.path)
        while True:
            event = await inbox.get()
            if event.kind == notify.GAP:
                yield DossierUpdate(kind=UpdateKind.RESYNC, at=clock.now())
                continue
            path = str(event.data.get("unit") or "")
            if not path.startswith(unit.path):
                continue
            scope = jurisdiction(_current(actor), "dossier", "read")
            if not scope.covers(unit.path):
                raise Forbidden("no longer allowed to read dossiers of this unit", audit=refused)
            if scope.covers(path):
                delivered += 1
                yield _update(event)
    finally:
        notify.hub.close(inbox)
        _release(actor, connection)
        # Recorded even when the socket went away (the task is being cancelled then).
        try:
            await record(actor=actor, action="subscription:unsubscribe",
                         object_type="AdministrativeUnit", object_id=unit.code,
                         unit_path=unit.path, changes={"delivered": [None, delivered]})
        except Exception:  # the database is gone too: the log keeps the request id
            log.warning("request %s: unsubscribe not recorded", actor.request_id, exc_info=True)
