"""Web pages in a real headless Chromium (Debian's ``chromium``), driven by Playwright for Python.

Playwright's wheel ships its driver; the browser is the system's (``.ci/run`` installs it on a
fresh machine), so nothing is downloaded. Every page is offline: a request that leaves this
machine is aborted and fails the test, so a page that needs the internet cannot pass.

Fixtures: ``browser`` (one per session), ``page`` (a fresh context per test; ``mobile_page`` for
a phone-sized one) and ``local_server`` (the e2e tests' running ``ringbridge serve``).
"""

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, sync_playwright

# The e2e tests' own running ``ringbridge serve`` (one per session).
from tests.e2e.conftest import local_server  # noqa: F401

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"no browser at {CHROMIUM}: install Debian's chromium (apt-get install -y chromium)")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
    yield browser
    browser.close()


def _offline(context: BrowserContext) -> list[str]:
    """Abort every request that would leave this machine; answers the list of those attempted."""
    left: list[str] = []

    def guard(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).hostname not in LOOPBACK:
            left.append(url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", guard)
    return left


def _page(browser: Browser, **options: object) -> Iterator[Page]:
    context = browser.new_context(**options)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    left = _offline(context)
    try:
        yield context.new_page()
    finally:
        context.close()
    assert not left, f"the page tried to reach the internet: {left}"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from _page(browser)


@pytest.fixture
def mobile_page(browser: Browser) -> Iterator[Page]:
    yield from _page(browser, **PHONE)
