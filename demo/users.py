"""Demo accounts: the system administrator, each province's administrator and one official
per role (idempotent).

`admin` / `demo-admin` is the system administrator: ADMIN granted at the root `/`, the only
one who may edit the policy. Each province has its own ADMIN (`admin.quangnam`,
`admin.backan`, `admin.camau`), who reaches that province and nothing else. They and the
officials below use the password `demo-officer`. They exist for trying the API out, never
for production: the CLI refuses to load demo data when APP_ENV=production. Accounts and
grants are made through the same audited use cases an administrator calls, as the console
operator (`system`).
"""

from __future__ import annotations

from models import AdministrativeUnit, CasbinRule, User
from policies import ROOT, SYSTEM
from resolvers.identity import create_user, grant_role

ADMIN_PASSWORD = "demo-admin"
OFFICER_PASSWORD = "demo-officer"
# (username, display name, role, unit code)
ACCOUNTS = (
    ("admin", "Quản trị hệ thống", "ADMIN", ROOT),
    ("admin.quangnam", "Quản trị tỉnh Quảng Nam", "ADMIN", "49"),
    ("admin.backan", "Quản trị tỉnh Bắc Kạn", "ADMIN", "06"),
    ("admin.camau", "Quản trị tỉnh Cà Mau", "ADMIN", "96"),
    ("clerk.duongphong", "Hoàng Thị Lan (một cửa xã Dương Phong)", "CLERK", "02014"),
    ("specialist.bachthong", "Nông Văn Thành (chuyên viên huyện Bạch Thông)", "SPECIALIST", "063"),
    ("leader.bachthong", "Lý Văn Hùng (lãnh đạo huyện Bạch Thông)", "LEADER", "063"),
    ("clerk.tamky", "Nguyễn Thị Hoa (một cửa TP Tam Kỳ)", "CLERK", "502"),
    ("inspector.quangnam", "Trần Văn Minh (thanh tra tỉnh Quảng Nam)", "INSPECTOR", "49"),
)


async def load_demo_users() -> str:
    """Create the demo accounts and their grants if missing; returns a one-line report."""
    created = granted = 0
    for username, display_name, role, unit_code in ACCOUNTS:
        unit = await AdministrativeUnit.get_or_none(code=unit_code)
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
