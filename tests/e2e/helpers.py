"""Shared by the browser tests here and elsewhere (tests/reports): Chromium through
Playwright, one per module, and axe-core's accessibility check of a page."""

from pathlib import Path

import pytest

from tests.e2e.chromium import CHROMIUM, CHROMIUM_ARGS

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def browser():
    # Per module, not per session: Playwright's sync API keeps an event loop running in
    # the main thread while it is open, which would break later tests that use asyncio
    # (the scale-out load tests) or start Playwright themselves.
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core in the page; return the violations of the given impacts."""
    # Evaluated through the DevTools protocol: a <script> tag would be (rightly) blocked
    # by the Content-Security-Policy, which allows no inline scripts.
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run()")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]
