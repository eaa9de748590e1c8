"""Fixtures of the browser tests: a live server over the test database, and a browser page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack

import pytest

from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, live_server, why_no_browser
from tests.conftest import settings

REASON = why_no_browser()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if REASON is None:
        return
    skip = pytest.mark.skip(reason=REASON)
    for item in items:
        if "tests/browser/" in str(item.path).replace("\\", "/"):
            item.add_marker(skip)


@pytest.fixture
def serve(database_url: str) -> Iterator[Callable[..., str]]:
    """Start the app over this test's database (after the test has put its data in)."""
    with ExitStack() as servers:

        def start(*, production: bool = False) -> str:
            return servers.enter_context(live_server(settings(
                production=production, database_url=database_url)))

        yield start


@pytest.fixture
async def browser() -> AsyncIterator:
    from playwright.async_api import async_playwright

    async with async_playwright() as driver:
        chromium = await driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture
async def page(browser) -> AsyncIterator:
    """A page in a fresh context: Vietnamese, in a time zone other than Vietnam's (times on
    screen must be Vietnam's whatever the browser's zone), downloads accepted."""
    context = await browser.new_context(locale="vi-VN", timezone_id="Europe/Paris",
                                        accept_downloads=True, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = await context.new_page()
    page.problems = []  # errors the page's own scripts met; a test asserts there are none
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    yield page
    await context.close()
