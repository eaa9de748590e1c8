"""Demo accounts: the system administrator, each province's administrator and one official
per role (idempotent).

`admin` / `demo-admin` is the system administrator: ADMIN granted at the root `/`, the only
one who may edit the policy and the national calendar. Each province has its own ADMIN
(`admin.quangnam`, `admin.backan`, `admin.camau`, named after the provinces they served before
1 July 2025), who reaches that province and nothing else. They and the officials below use
the password `demo-officer`. They exist for trying the API out, never for production: the
CLI refuses to load demo data when APP_ENV=production. Accounts and grants are made through
the same audited use cases an administrator calls, as the console operator (`system`).

The accounts keep the names they had before 1 July 2025 and are granted at the units that
succeeded theirs (README, "Demo accounts"): Quảng Nam and Bắc Kạn became part of Đà Nẵng and
Thái Nguyên; Dương Phong merged into Xã Bạch Thông; Thành phố Tam Kỳ's name lives on in
Phường Tam Kỳ; the Bạch Thông district was abolished and its dossiers passed to the province.
"""

from __future__ import annotations

from models import CasbinRule, User
from policies import ROOT, SYSTEM
from resolvers import lookups
from resolvers.identity import create_user, grant_role

ADMIN_PASSWORD = "demo-admin"
OFFICER_PASSWORD = "demo-officer"
# (username, display name, role, unit code)
ACCOUNTS = (
    ("admin", "Quản trị hệ thống", "ADMIN", ROOT),
    ("admin.quangnam", "Quản trị thành phố Đà Nẵng (trước là tỉnh Quảng Nam)", "ADMIN", "48"),
    ("admin.backan", "Quản trị tỉnh Thái Nguyên (trước là tỉnh Bắc Kạn)", "ADMIN", "19"),
    ("admin.camau", "Quản trị tỉnh Cà Mau", "ADMIN", "96"),
    ("clerk.duongphong", "Hoàng Thị Lan (một cửa xã Bạch Thông, trước là xã Dương Phong)", "CLERK",
     "02014"),
    ("specialist.bachthong", "Nông Văn Thành (chuyên viên, trước ở huyện Bạch Thông)", "SPECIALIST",
     "19"),
    ("leader.bachthong", "Lý Văn Hùng (lãnh đạo, trước ở huyện Bạch Thông)", "LEADER", "19"),
    ("clerk.tamky", "Nguyễn Thị Hoa (một cửa phường Tam Kỳ)", "CLERK", "20341"),
    ("inspector.quangnam", "Trần Văn Minh (thanh tra thành phố Đà Nẵng)", "INSPECTOR", "48"),
)


async def load_demo_users() -> str:
    """Create the demo accounts and their grants if missing; returns a one-line report."""
    created = granted = 0
    for username, display_name, role, unit_code in ACCOUNTS:
        unit = None if unit_code == ROOT else await lookups.unit_by_code(unit_code)  # in force today
        path = ROOT if unit_code == ROOT else unit.path if unit else None
        if path is None:
            continue
        if not await User.exists(username=username):
            password = ADMIN_PASSWORD if username == "admin" else OFFICER_PASSWORD
            await create_user(actor=SYSTEM, username=username, password=password,
                              display_name=display_name)
            created += 1
        if not await CasbinRule.exists(ptype="g", v0=username, v1=role, v2=f"{path}*"):
            await grant_role(actor=SYSTEM, username=username, role=role, unit_code=unit_code)
            granted += 1
    return f"demo users: {created} created, {granted} grants added"
