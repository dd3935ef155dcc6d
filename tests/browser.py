"""The browser tests' set-up in one place: Debian's Chromium driven by Playwright with the
project's flags, skipped where Chromium is not installed, and the helpers the journeys share
(axe-core, screenshots at 1280 and 390 px, the sideways-scroll check, the test card form).
The `browser`, `page` and `phone_page` fixtures (tests/conftest.py) launch it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"

# pytestmark of every browser test module: a live server's own transactions, and a skip
# where there is no Chromium.
BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium is not installed"),
]


@contextmanager
def chromium() -> Iterator:
    """A headless Chromium, closed on the way out."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs a loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def axe(page) -> list[dict]:
    """The serious and critical WCAG 2.2 AA violations axe-core (vendored) finds on the page."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def screenshots(page, folder: str | None, name: str) -> None:
    """Full-page PNGs at 1280 and 390 px into `folder` (nothing when it is not set)."""
    if not folder:
        return
    size = page.viewport_size
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(size)


def no_sideways_scroll(page):
    """At 390 px the page is no wider than the screen: True, else the elements that stick out."""
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    wide = page.evaluate(
        """() => document.documentElement.scrollWidth <= 390 ? [] :
            [...document.querySelectorAll('main *')]
              .filter(e => e.getBoundingClientRect().right > 391)
              .map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40))"""
    )
    page.set_viewport_size(size)
    return wide == [] or wide


def fill_card(page, number: str) -> None:
    """The card form of localstripe's Stripe.js stand-in: number, expiry, CVC, postcode."""
    page.wait_for_selector("#card-element input")
    inputs = page.locator("#card-element input")
    for index, value in enumerate([number, "12", "30", "123", "55100"]):
        if index < inputs.count():
            inputs.nth(index).fill(value)
