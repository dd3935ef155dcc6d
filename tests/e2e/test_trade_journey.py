"""A tour operator's group journey in a real browser (Debian's Chromium driven by
Playwright): sign in, search for a group, add a tour and a stay to a new quote, hold it as an
option, confirm it on account. Skipped where Chromium is not installed."""

import os
import shutil
from datetime import timedelta

import pytest

from bookings.models import Booking, BookingStatus
from tests.tradeportal.factories import group_products, member, partner

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium is not installed"),
]


@pytest.fixture
def page():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs a loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        yield page
        browser.close()


def test_a_tour_operator_quotes_holds_and_confirms_a_group(live_server, page):
    organisation = partner()
    user = member(organisation)
    products = group_products()
    start = products["start"]

    page.goto(f"{live_server.url}/en/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", "secret-pass-123")
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    query = (
        f"start={start.isoformat()}&end={(start + timedelta(days=2)).isoformat()}"
        "&adults=20&rooms_double=10"
    )
    page.goto(f"{live_server.url}/en/trade/search/?{query}")
    tour = page.locator("article", has_text="Walls walk")
    assert "€ 600.00" in tour.inner_text()
    tour.get_by_role("button", name="Add to quote").first.click()
    page.wait_for_load_state()
    assert "added to quote" in page.content()
    hotel = page.locator("article", has_text=str(products["hotel"]))
    hotel.get_by_role("button", name="Add to quote").first.click()
    page.wait_for_load_state()

    page.get_by_role("link", name="Open quote").click()
    page.wait_for_load_state()
    assert "€ 3000.00" in page.locator("#quote-total").inner_text()
    page.get_by_role("button", name="Hold as an option").click()
    page.wait_for_load_state()

    booking = Booking.objects.get()
    assert booking.status == BookingStatus.HELD
    assert booking.buyer_organisation == organisation
    assert booking.reference in page.content()
    page.get_by_role("button", name="Confirm on account").click()
    page.wait_for_load_state()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert "confirmed on account" in page.content()
