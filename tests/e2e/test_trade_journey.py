"""A tour operator's group journey in a real browser (Debian's Chromium driven by
Playwright): sign in, search for a group, add a tour and a stay to a new quote, hold it as an
option, confirm it on account. Skipped where Chromium is not installed."""

from datetime import timedelta

from bookings.models import Booking, BookingStatus
from tests.browser import BROWSER_TEST
from tests.tradeportal.factories import group_products, member, partner

pytestmark = BROWSER_TEST


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
    assert "€ 3,000.00" in page.locator("#quote-total").inner_text()
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
