"""A traveller's journey in a real browser (Debian's Chromium driven by Playwright):
search, open a product, book it. Skipped where Chromium is not installed."""

from bookings.models import Booking, BookingStatus
from tests.browser import BROWSER_TEST
from tests.operators.factories import bookable_experience

pytestmark = BROWSER_TEST


def test_a_traveller_finds_and_books_a_guided_tour_on_a_phone(live_server, phone_page):
    page = phone_page
    product, slot = bookable_experience(capacity=8, title_en="Walls of Lucca at dawn")
    query = f"start={slot.date.isoformat()}&end={slot.date.isoformat()}&adults=2"
    page.goto(f"{live_server.url}/en/discover/?{query}")
    page.get_by_role("link", name="Walls of Lucca at dawn").first.click()
    page.wait_for_load_state()
    assert "€ 60.00" in page.content()
    form = page.locator("form.booking-form")
    form.get_by_label("Your name").fill("Emily Clarke")
    form.get_by_label("Email").fill("emily@example.co.uk")
    form.get_by_role("button", name="Add to cart").click()
    page.wait_for_load_state()
    booking = Booking.objects.get()
    assert booking.status in (BookingStatus.HELD, BookingStatus.PENDING_PAYMENT)
    assert booking.contact_email == "emily@example.co.uk"
    assert booking.reference in page.content()
    slot.refresh_from_db()
    assert slot.held == 2
