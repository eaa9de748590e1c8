"""The root Subscription: live dossier updates over graphql-transport-ws (web/subscriptions.py)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Optional

import strawberry

from resolvers import notifications
from resolvers.dossiers import DossierStatus
from resolvers.notifications import UpdateKind
from schema.context import Info

UpdateKindEnum = strawberry.enum(UpdateKind, name="DossierUpdateKind", description=(
    "CHANGED: a dossier was received or moved. RESYNC: updates may have been missed (the "
    "stream was interrupted); refetch what you show."))


@strawberry.type(description="A change of a dossier, without personal data; read the dossier "
                             "itself with `dossier(code:)`.")
class DossierUpdate:
    kind: UpdateKind
    at: datetime
    code: Optional[str]
    unit_code: Optional[str]
    action: Optional[str] = strawberry.field(description="RECEIVE, a DossierAction, EXTEND or "
                                                         "PORTAL_SYNC")
    from_status: Optional[DossierStatus]
    to_status: Optional[DossierStatus]
    version: Optional[int]

    @classmethod
    def of(cls, update: notifications.DossierUpdate) -> DossierUpdate:
        return cls(kind=update.kind, at=update.at, code=update.code, unit_code=update.unit_code,
                   action=update.action,
                   from_status=DossierStatus(update.from_status) if update.from_status else None,
                   to_status=DossierStatus(update.to_status) if update.to_status else None,
                   version=update.version)


@strawberry.type
class Subscription:
    @strawberry.subscription(description=(
        "Changes of dossiers at the unit and below, within your jurisdiction (needs dossier "
        "read permission there), as they happen on any server. WebSocket only "
        "(graphql-transport-ws); authenticate in connection_init."))
    async def dossier_updates(self, info: Info, unit_code: str) -> AsyncGenerator[DossierUpdate, None]:
        context = info.context
        async for update in notifications.dossier_updates(
                actor=context.actor, unit_code=unit_code, connection=context.connection_id or "-"):
            yield DossierUpdate.of(update)
