"""Dossiers whose codes never change, for the examples in the README and GraphiQL.

They are received through the same use case as any dossier, as the console operator, on fixed
days before the generator's window (the 730 days before today), at units of the pre-2025
tree, so each is the first of its desk's day: `UB20335-240603-0001` on any machine, any day.
The 2025 reorganisation then carries them to the units that succeeded those (Phường Tân Thạnh
is now part of Phường Bàn Thạch, Phường An Mỹ of Phường Tam Kỳ, Xã Dương Phong of Xã Bạch
Thông).
"""

from __future__ import annotations

from datetime import datetime

from models import Dossier
from policies import SYSTEM
from resolvers.clock import LOCAL_TZ
from resolvers.dossiers import Applicant, Channel, Reception, receive_dossier

# (unit code, procedure code, channel, received (local time), applicant, ID number, phone)
SHOWCASE = (
    ("20335", "1.001193", "IN_PERSON", "2024-06-03 09:00", "Nguyễn Thị Mai", "049191004512",
     "0905112233"),
    ("20341", "2.000635", "POSTAL", "2024-06-04 10:30", "Trần Văn Hùng", "049088002731",
     "0935667788"),
    ("02014", "1.001193", "IN_PERSON", "2024-06-05 08:15", "Hoàng Thị Lan Anh", "006195001286",
     "0912445566"),
)


async def load_showcase() -> list[str]:
    """Receive the showcase dossiers once, and return their codes (also after the 2025
    reorganisation ended the units they were received at)."""
    codes = []
    for number, (unit, procedure, channel, received, name, id_number, phone) in enumerate(
            SHOWCASE, start=1):
        key = f"demo-showcase-{number}"
        # The reception use case scopes a caller's keys by its name (`system:` here).
        existing = await Dossier.get_or_none(idempotency_key=f"{SYSTEM.name}:{key}")
        if existing is not None:
            codes.append(existing.code)
            continue
        dossier = await receive_dossier(actor=SYSTEM, reception=Reception(
            procedure_code=procedure, unit_code=unit, channel=Channel(channel),
            applicant=Applicant(name=name, id_number=id_number, phone=phone),
            received_at=datetime.fromisoformat(received).replace(tzinfo=LOCAL_TZ),
            idempotency_key=key,
            # The first was received by Vietnam Post staff at the ward's desk.
            received_by_postal_staff=number == 1))
        codes.append(dossier.code)
    return codes
