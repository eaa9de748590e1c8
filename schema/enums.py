"""GraphQL enums, exposing the domain enums under the names in API.md."""

from __future__ import annotations

import strawberry

from policies.actor import ActorKind
from resolvers.catalogue import OnlineLevel, UnitLevel
from resolvers.dossiers import ApplicantKind, Channel, DossierAction, DossierStatus, Timeliness
from resolvers.timelimits import TimeUnit
from resolvers.units import UnitKind

UnitLevelEnum = strawberry.enum(UnitLevel, name="UnitLevel")
UnitKindEnum = strawberry.enum(UnitKind, name="UnitKind", description=(
    "PROVINCE tỉnh, CITY thành phố trực thuộc trung ương, DISTRICT huyện, URBAN_DISTRICT quận, "
    "TOWN thị xã, PROVINCIAL_CITY thành phố thuộc tỉnh, COMMUNE xã, WARD phường, "
    "TOWNSHIP thị trấn, SPECIAL_ZONE đặc khu"))
OnlineLevelEnum = strawberry.enum(OnlineLevel, name="OnlineLevel")
ChannelEnum = strawberry.enum(Channel, name="Channel")
DossierStatusEnum = strawberry.enum(DossierStatus, name="DossierStatus")
TimelinessEnum = strawberry.enum(Timeliness, name="Timeliness")
ApplicantKindEnum = strawberry.enum(ApplicantKind, name="ApplicantKind")
DossierActionEnum = strawberry.enum(DossierAction, name="DossierAction")
ViewerKindEnum = strawberry.enum(ActorKind, name="ActorKind")
TimeUnitEnum = strawberry.enum(TimeUnit, name="TimeUnit", description=(
    "How a time limit is counted: WORKING_DAYS (ngày làm việc), CALENDAR_DAYS (ngày), "
    "WORKING_HOURS (giờ làm việc), HOURS (giờ), SAME_DAY (trong ngày; received after the "
    "cut-off, 15:00 by default: the next working day)."))
