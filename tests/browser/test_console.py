"""The inspector console as an inspector uses it: Chromium, a live server in production mode
(the console's own Content-Security-Policy, no GraphiQL), the test's own database."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta, timezone

import pytest
from tortoise import connections

from audit import record
from models import AuditEntry
from policies import SYSTEM, Actor, ActorKind, grants_of
from resolvers.dossiers import Applicant, Reception, receive_dossier, transition_dossier
from resolvers.identity import create_user, grant_role
from tests.graphql import execute
from tests.world import build_world

PASSWORD = "mat-khau-12345"
FINISH = """mutation Finish($c: String!) {
  transitionDossier(code: $c, action: FINISH) { dossier { status } } }"""
VIETNAM = timezone(timedelta(hours=7))


async def person(username: str, role: str, unit: str) -> Actor:
    await create_user(actor=SYSTEM, username=username, password=PASSWORD, display_name=username)
    await grant_role(actor=SYSTEM, username=username, role=role, unit_code=unit)
    return Actor(kind=ActorKind.USER, username=username, grants=grants_of(username))


@pytest.fixture
async def scene(db) -> dict:
    """A province, its officials, one dossier received, processed (with a refused step),
    finished and returned, and enough older entries for a second page."""
    await build_world()
    await person("minh", "INSPECTOR", "49")
    clerk, specialist = await person("lan", "CLERK", "20335"), await person("thanh", "SPECIALIST", "502")
    leader = await person("hung", "LEADER", "502")
    for n in range(30):
        await record(actor=SYSTEM, action="report:weekly", object_type="Report", object_id=f"w{n}",
                     unit_path="/49/")
    dossier = await receive_dossier(actor=clerk, reception=Reception(
        procedure_code="1.001193", unit_code="20335", channel="IN_PERSON",
        applicant=Applicant(name="Nguyễn Văn An", id_number="049090001234")))
    await transition_dossier(actor=specialist, code=dossier.code, action="START_PROCESSING")
    refused = await execute(FINISH, clerk, c=dossier.code)  # a clerk may not finish
    assert refused.codes == ["FORBIDDEN"]
    await transition_dossier(actor=leader, code=dossier.code, action="FINISH", note="Đã ký")
    await transition_dossier(actor=clerk, code=dossier.code, action="RETURN_RESULT")
    return {"code": dossier.code}


async def sign_in(page, base: str, username: str = "minh") -> None:
    await page.goto(f"{base}/console/")
    await page.fill("#signin input[name=username]", username)
    await page.fill("#signin input[name=password]", PASSWORD)
    await page.click("#signin button[type=submit]")
    await page.wait_for_selector("table.entries")
    await page.wait_for_selector("#chain-state")


async def search(page, **choices: str) -> list[str]:
    """Choose filters, press Tìm kiếm, and return the rows' texts."""
    for name, value in choices.items():
        control = page.locator(f"#filters [name={name}]")
        if await control.evaluate("e => e.tagName") == "SELECT":
            await control.select_option(value)
        else:
            await control.fill(value)
    async with page.expect_response(lambda r: r.url.endswith("/graphql")):
        await page.click("#filters button[type=submit]")
    await page.wait_for_selector("#results table.entries, #results .empty")
    return await page.locator("#results tbody tr").all_inner_texts()


async def test_inspector_signs_in_searches_and_pages(scene, serve, page):
    base = serve(production=True)
    await sign_in(page, base)
    # the console's own requests are recorded while it verifies: the count is at least the scene's
    assert await page.get_attribute("#chain-state", "data-ok") == "true"
    checked = int((await page.inner_text("#chain-state")).split("(")[1].split()[0])
    assert checked >= (await AuditEntry.get(action="dossier:RETURN_RESULT")).seq
    assert (await page.inner_text("#chain-state")).startswith("Chuỗi nhật ký toàn vẹn (")
    # the action list is the API's (auditActions), in words with the action beside them
    options = await page.locator("#filters [name=action] option").all_inner_texts()
    assert "Hoàn thành xử lý (dossier:FINISH)" in options
    rows = await search(page, action="dossier:FINISH", outcome="DENIED")
    assert len(rows) == 1 and "lan" in rows[0] and "Bị từ chối" in rows[0]
    assert "action=dossier%3AFINISH" in page.url and "outcome=DENIED" in page.url
    # a local date range: today in Vietnam holds every entry; yesterday none
    today = (await AuditEntry.all().order_by("-id").first()).at.astimezone(VIETNAM).date()
    await page.click("#clear")
    await page.wait_for_selector("#results table.entries")
    assert await search(page, to=(today - timedelta(days=1)).isoformat()) == []
    rows = await search(page, **{"from": today.isoformat(), "to": today.isoformat()})
    assert len(rows) == 25 and await page.is_enabled("#next")
    await page.click("#next")
    await page.wait_for_selector("#page:has-text('Trang 2')")
    second = await page.locator("#results tbody tr").all_inner_texts()
    assert second and not set(second) & set(rows)
    await page.click("#previous")
    await page.wait_for_selector("#page:has-text('Trang 1')")
    assert await page.locator("#results tbody tr").all_inner_texts() == rows
    await page.click("#language")
    await page.wait_for_selector("#filters button[type=submit]:has-text('Search')")
    assert await page.inner_text("h1") == "Audit trail"
    assert page.problems == []


async def test_inspector_opens_an_entry_with_its_changes(scene, serve, page):
    base = serve(production=True)
    await sign_in(page, base)
    rows = await search(page, action="dossier:START_PROCESSING")
    assert len(rows) == 1
    await page.click("#results tbody tr")
    dialog = page.locator("dialog#entry")
    await dialog.wait_for()
    entry = await AuditEntry.get(action="dossier:START_PROCESSING")
    assert await dialog.locator("h2").inner_text() == f"Bản ghi #{entry.id}"
    rows = [await row.locator("th, td").all_inner_texts()
            for row in await dialog.locator(".changes tbody tr").all()]
    changes = {cells[0]: cells[1:] for cells in rows}
    assert changes["status"] == ["RECEIVED", "→", "IN_PROCESSING"]
    # the time as in Vietnam (UTC+7), though the browser runs on Paris time
    assert entry.at.astimezone(VIETNAM).strftime("%H:%M:%S %d/%m/%Y") in await dialog.inner_text()
    await page.click("#close-entry")
    assert not await dialog.is_visible()
    assert page.problems == []


async def test_inspector_exports_the_current_search(scene, serve, page):
    base = serve(production=True)
    await sign_in(page, base)
    rows = await search(page, action="dossier:receive")
    async with page.expect_download() as started:
        await page.click("#export")
    download = await started.value
    assert download.suggested_filename.startswith("nhat-ky-kiem-tra-")
    table = list(csv.DictReader(io.StringIO(open(await download.path(), encoding="utf-8-sig").read())))
    assert [(r["action"], r["object_id"]) for r in table] == [("dossier:receive", scene["code"])]
    assert len(rows) == 1
    await page.wait_for_selector("#status:has-text('Đã tải xuống')")
    exported = await AuditEntry.filter(action="audit:export").get()
    assert exported.actor_username == "minh"
    assert page.problems == []


async def test_inspector_sees_a_tampered_chain(scene, serve, page):
    base = serve(production=True)
    await sign_in(page, base)
    assert await page.get_attribute("#chain-state", "data-ok") == "true"
    victim = await AuditEntry.get(action="dossier:START_PROCESSING")
    statement = f"UPDATE audit_entries SET actor_username = 'someone' WHERE id = {victim.id}"
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":  # as a superuser would, past the trigger
        statement = ("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_immutable; "
                     f"{statement}; ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_immutable")
    await conn.execute_script(statement)
    await page.click("#chain button")
    await page.wait_for_selector("#chain-state[data-ok=false]")
    assert await page.inner_text("#chain-state") == (
        f"Chuỗi nhật ký đã bị sửa đổi: bản ghi #{victim.id} (entry {victim.id} was altered)")
    assert page.problems == []


async def test_inspector_opens_a_dossier_history(scene, serve, page):
    base = serve(production=True)
    await sign_in(page, base)
    await search(page, action="dossier:receive")
    await page.click("#results tbody tr")
    await page.click(f"dialog#entry a:has-text('{scene['code']}')")
    await page.wait_for_selector("#timeline")
    assert await page.inner_text("#dossier h2") == scene["code"]
    steps = await page.locator("#timeline li").all_inner_texts()
    assert [s.split(" ", 2)[2] for s in steps] == [
        "Tiếp nhận hồ sơ Đã tiếp nhận — lan",
        "Bắt đầu xử lý Đã tiếp nhận → Đang xử lý — thanh",
        "Hoàn thành xử lý Đang xử lý → Đã có kết quả — hung\nĐã ký",
        "Trả kết quả Đã có kết quả → Đã trả kết quả — lan",
    ]
    history = await page.locator("#history tbody tr").all_inner_texts()
    assert any("dossier:FINISH" in row and "Bị từ chối" in row for row in history)
    assert len(history) == await AuditEntry.filter(object_type="Dossier", object_id=scene["code"]).count()
    assert page.problems == []


async def test_inspector_session_is_renewed_then_ended(scene, serve, page):
    base = serve(production=True)
    await sign_in(page, base)
    # the access token is about to expire (15 minutes are up): the console renews it first
    await page.evaluate("""() => {
        const state = JSON.parse(sessionStorage.getItem("motcua.session"));
        state.expiresAt = new Date(Date.now() + 5000).toISOString();
        sessionStorage.setItem("motcua.session", JSON.stringify(state));
    }""")
    await page.reload()
    await page.wait_for_selector("table.entries")
    renewed = await _eventually(
        lambda: AuditEntry.filter(action="token:refresh", actor_username="minh").count())
    assert renewed == 1
    await page.click("#signout")
    await page.wait_for_selector("#signin")
    assert await page.evaluate("sessionStorage.getItem('motcua.session')") is None
    # The page shows the sign-in form at once; the logout request may still be on its way.
    assert await _eventually(lambda: AuditEntry.exists(action="logout", actor_username="minh"))
    assert page.problems == []


async def _eventually(read, seconds: float = 5.0):  # noqa: ANN001, ANN202
    """The first truthy answer of `read()` within `seconds` (else the last answer)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        answer = await read()
        if answer or asyncio.get_running_loop().time() > deadline:
            return answer
        await asyncio.sleep(0.05)
