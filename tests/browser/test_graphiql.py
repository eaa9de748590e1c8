"""GraphiQL as the frontend team opens it: in Chromium, with no network beyond this server
(every asset is the server's own), the project's examples in tabs, sign-in from the page."""

from __future__ import annotations

import json

from policies import SYSTEM
from resolvers.identity import create_user, grant_role
from tests.world import build_world

PASSWORD = "mat-khau-12345"


async def open_graphiql(page, base: str) -> list[str]:
    """Open GET /graphql as a browser does; returns the requests that left this server."""
    outside: list[str] = []

    async def only_this_server(route):
        if route.request.url.startswith(base + "/"):
            await route.continue_()
        else:  # a CDN, a font service: the province's network has none of them
            outside.append(route.request.url)
            await route.abort()

    await page.route("**/*", only_this_server)
    await page.goto(f"{base}/graphql")
    await page.wait_for_selector(".graphiql-execute-button")
    return outside


async def run_tab(page, name: str) -> dict:
    await page.click(f".graphiql-tab:has-text('{name}')")
    async with page.expect_response(lambda r: r.url.endswith("/graphql") and r.request.method == "POST"):
        await page.click(".graphiql-execute-button")
    await page.wait_for_selector(".result-window .CodeMirror-code:has-text('data')")
    text = await page.evaluate("document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()")
    return json.loads(text)


async def test_graphiql_loads_offline_and_runs_the_first_example(db, serve, page):
    await build_world()
    base = serve()
    outside = await open_graphiql(page, base)
    tabs = await page.locator(".graphiql-tab").all_inner_texts()
    assert [t.strip() for t in tabs[:3]] == ["Catalogue", "TrackDossier", "Me"]
    result = await run_tab(page, "Catalogue")
    assert "errors" not in result
    assert [u["name"] for u in result["data"]["administrativeUnits"]][:1] == ["Tỉnh Quảng Nam"]
    assert result["data"]["procedures"]["edges"][0]["node"]["code"] == "1.001193"
    assert outside == []
    assert page.problems == []


async def test_graphiql_signs_in_and_sends_the_token(db, serve, page):
    await build_world()
    await create_user(actor=SYSTEM, username="minh", password=PASSWORD, display_name="Minh")
    await grant_role(actor=SYSTEM, username="minh", role="INSPECTOR", unit_code="49")
    base = serve()
    await open_graphiql(page, base)
    anonymous = await run_tab(page, "Me")
    assert anonymous["data"]["me"] is None
    await page.fill("#signin-form input[name=username]", "minh")
    await page.fill("#signin-form input[name=password]", PASSWORD)
    await page.click("#signin-form button[type=submit]")
    await page.wait_for_selector("#who:has-text('minh')")
    signed_in = await run_tab(page, "Me")
    assert signed_in["data"]["me"]["username"] == "minh"
    assert signed_in["data"]["me"]["roles"] == [
        {"role": "INSPECTOR", "unit": {"code": "49", "name": "Tỉnh Quảng Nam"}}]
    await page.click("#signout")
    await page.wait_for_selector("#signin-form:visible")
    assert page.problems == []
