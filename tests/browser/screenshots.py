"""The pictures in docs/images/, made by hand (not a test; CI does not run it):

    .venv/bin/python -m tests.browser.screenshots

A throwaway SQLite database with the demo data, a day of work done through the API by
Tam Kỳ's officials (a dossier received, processed, refused a step, finished, returned), then
Chromium takes the console and GraphiQL as the inspector sees them, and the weekly report
(XLSX) goes through LibreOffice to PDF and pdftoppm to PNG (Debian's libreoffice-calc-nogui,
poppler-utils, and fonts-crosextra-carlito for the spreadsheet's default font, Calibri).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "docs" / "images"
PASSWORD = "demo-officer"


def graphql(client: httpx.Client, query: str, token: str | None = None, **variables) -> dict:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    answer = client.post("/graphql", json={"query": query, "variables": variables},
                         headers=headers).json()
    if answer.get("errors") and "FORBIDDEN" not in str(answer["errors"]):
        raise RuntimeError(answer["errors"])
    return answer


def login(client: httpx.Client, username: str, password: str = PASSWORD) -> str:
    answer = graphql(client, "mutation($u: String!, $p: String!) { login(username: $u, password: $p)"
                     " { accessToken } }", u=username, p=password)
    return answer["data"]["login"]["accessToken"]


def a_day_of_work(client: httpx.Client) -> str:
    """Phường Tam Kỳ's officials at work, through the API; returns the dossier's code."""
    admin = login(client, "admin", "demo-admin")
    for username, role in (("specialist.tamky", "SPECIALIST"), ("leader.tamky", "LEADER")):
        graphql(client, "mutation($i: CreateUserInput!) { createUser(input: $i) { username } }",
                admin, i={"username": username, "password": PASSWORD, "displayName": username})
        graphql(client, "mutation($u: String!, $r: String!) { grantRole(username: $u, role: $r,"
                " unitCode: \"20341\") }", admin, u=username, r=role)
    clerk, specialist = login(client, "clerk.tamky"), login(client, "specialist.tamky")
    leader = login(client, "leader.tamky")
    received = graphql(client, """mutation($i: ReceiveDossierInput!) {
        receiveDossier(input: $i) { dossier { code } } }""", clerk, i={
        "procedureCode": "1.001193", "unitCode": "20341", "channel": "IN_PERSON",
        "applicant": {"name": "Nguyễn Thị Hoa", "idNumber": "049190004321", "phone": "0905111222",
                      "address": "12 Phan Bội Châu, Phường Tam Kỳ, Đà Nẵng"}})
    code = received["data"]["receiveDossier"]["dossier"]["code"]
    move = """mutation Move($c: String!, $a: DossierAction!, $n: String) {
        transitionDossier(code: $c, action: $a, note: $n) { dossier { status } } }"""
    graphql(client, move, specialist, c=code, a="START_PROCESSING", n=None)
    graphql(client, move, clerk, c=code, a="FINISH", n=None)  # refused: a clerk may not finish
    graphql(client, move, leader, c=code, a="FINISH", n="Đã ký giấy khai sinh")
    graphql(client, move, clerk, c=code, a="RETURN_RESULT", n=None)
    graphql(client, "{ dossiers(first: 5) { totalCount } }", login(client, "inspector.quangnam"))
    return code


async def pictures(base: str, code: str) -> None:
    from playwright.async_api import async_playwright

    from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS

    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 860})
        page = await context.new_page()
        await page.goto(f"{base}/console/")
        await page.fill("#signin input[name=username]", "inspector.quangnam")
        await page.fill("#signin input[name=password]", PASSWORD)
        await page.screenshot(path=IMAGES / "console-sign-in.png")
        await page.click("#signin button[type=submit]")
        await page.wait_for_selector("#chain-state")
        await page.select_option("#filters [name=unitCode]", "20341")
        await page.click("#filters button[type=submit]")
        await page.wait_for_selector("#results table.entries")
        await page.screenshot(path=IMAGES / "console-audit.png")
        await page.click("#results tbody tr:has-text('START_PROCESSING')")
        await page.wait_for_selector("dialog#entry")
        await page.screenshot(path=IMAGES / "console-entry.png")
        await page.click("#close-entry")
        await page.goto(f"{base}/console/#/dossier/{code}")
        await page.wait_for_selector("#timeline")
        await page.screenshot(path=IMAGES / "console-dossier.png", full_page=True)
        await page.goto(f"{base}/graphql")
        await page.wait_for_selector(".graphiql-execute-button")
        await page.click(".graphiql-execute-button")
        await page.wait_for_selector(".result-window .CodeMirror-code:has-text('data')")
        await page.screenshot(path=IMAGES / "graphiql.png")
        await browser.close()


def weekly_report(client: httpx.Client, work: Path) -> None:
    token = login(client, "inspector.quangnam")
    answer = client.get("/reports/weekly.xlsx", params={"unitCode": "48"},
                        headers={"authorization": f"Bearer {token}"})
    answer.raise_for_status()
    sheet = work / "bao-cao-tuan.xlsx"
    sheet.write_bytes(answer.content)
    # Printed as the report's own settings say (landscape, one page wide, header repeated).
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work), str(sheet)],
                   check=True, capture_output=True, timeout=120)
    # The first printed page as it comes out (A4 landscape), at 120 dpi.
    subprocess.run(["pdftoppm", "-png", "-r", "120", "-singlefile", str(work / "bao-cao-tuan.pdf"),
                    str(IMAGES / "weekly-report")], check=True, timeout=60)


def main() -> None:
    import cli
    from config import Settings
    from tests.browser.harness import live_server

    IMAGES.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="motcua-shots-"))
    try:
        url = f"sqlite://{work / 'demo.sqlite3'}"
        asyncio.run(cli.migrate(url))
        asyncio.run(cli.seed(url, demo=True, dossiers=2000))
        os.environ["DATABASE_URL"] = url
        with live_server(Settings.from_env()) as base, httpx.Client(base_url=base, timeout=30) as client:
            code = a_day_of_work(client)
            asyncio.run(pictures(base, code))
            weekly_report(client, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("pictures in", IMAGES)


if __name__ == "__main__":
    main()
