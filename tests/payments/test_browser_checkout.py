"""The whole traveller journey in a real browser (Debian's Chromium through Playwright):
search, book, pay on the checkout page with localstripe's Stripe.js stand-in, see the
confirmation. Skipped where Chromium is not installed."""

from bookings.models import Booking, BookingStatus
from payments.models import LedgerEntry
from tests.browser import BROWSER_TEST, fill_card
from tests.operators.factories import bookable_experience

pytestmark = BROWSER_TEST


def test_a_traveller_books_and_pays_by_card_in_the_browser(live_server, localstripe, browser):
    product, slot = bookable_experience(capacity=8, title_en="Puccini's Lucca")
    query = f"start={slot.date.isoformat()}&end={slot.date.isoformat()}&adults=2"
    page = browser.new_page()
    page.goto(f"{live_server.url}/en/discover/{product.slug}/?{query}")
    form = page.locator("form.booking-form")
    form.get_by_label("Your name").fill("Emily Clarke")
    form.get_by_label("Email").fill("emily@example.co.uk")
    form.get_by_role("button", name="Add to cart").click()
    page.wait_for_url("**/en/cart/")
    page.get_by_role("button", name="Checkout").click()
    page.wait_for_url("**/en/cart/checkout/**")
    page.get_by_label("I accept the terms and conditions of sale.").check()
    page.get_by_label("I have read the privacy notice.").check()
    page.locator(".checkout-form button[type=submit]").click()
    page.wait_for_url("**/checkout/*/?t=*")
    page.get_by_role("button", name="Pay by card").click()
    fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Pay € 60.00").click()
    page.wait_for_selector("#payment-result", timeout=30000)
    result = page.locator("#payment-result").inner_text()
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.CONFIRMED, result
    assert booking.reference in result or "confirmed" in result.lower()
    assert LedgerEntry.objects.get(booking=booking, kind="charge").amount_cents == 6000
    slot.refresh_from_db()
    assert (slot.held, slot.sold) == (0, 2)
