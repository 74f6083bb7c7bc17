"""A real headless Chromium (Debian's `chromium`, driven by Playwright) on a console served in
process over a fresh SQLite database: one browser and one page for the whole module.

Never `playwright install`: the browser is the system's. In CI a missing Chromium or axe-core
is a failure; on a laptop without them the browser tests are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

CHROMIUM = os.environ.get("ENTRAIDE_CHROMIUM", "/usr/bin/chromium")
AXE = Path(
    os.environ.get(
        "ENTRAIDE_AXE_JS",
        Path.home() / ".cache/entraide/axe/node_modules/axe-core/axe.min.js",
    )
)


def missing(what: str) -> None:
    """Fail in CI, skip elsewhere: a browser test never passes without its browser."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required for the browser tests (see .ci/run)")
    pytest.skip(f"{what} is not installed (see .ci/run)")


@dataclass
class Browser:
    page: object
    context: object


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        missing(f"Chromium ({CHROMIUM})")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        missing("Playwright (pip install playwright)")
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"]
        )
        # The console forbids inline scripts (its Content-Security-Policy); axe-core is
        # injected by the test as one, so this browser alone is allowed to bypass it.
        context = await chromium.new_context(
            locale="fr-FR", viewport={"width": 1100, "height": 900}, bypass_csp=True
        )
        context.set_default_timeout(8000)
        page = await context.new_page()
        yield Browser(page, context)
        await chromium.close()
