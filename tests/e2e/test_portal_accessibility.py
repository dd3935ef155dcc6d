"""The public portal in a real browser: axe-core (vendored, pinned) finds no serious or
critical WCAG 2.2 AA violation on any public page, and no page scrolls sideways on a phone.
A traveller reads a story, opens its experience and books it, in German."""

import pytest

from places.services import comuni_ensure_piana
from portal.content import portal_content_load
from tests.browser import BROWSER_TEST, PHONE, axe
from tests.factories import comune
from tests.operators.factories import bookable_experience

pytestmark = BROWSER_TEST

PUBLIC_PAGES = [
    "/{lang}/",
    "/{lang}/discover/",
    "/{lang}/discover/?adults=2",
    "/{lang}/discover/{product}/",
    "/{lang}/discover/packages/",
    "/{lang}/comuni/",
    "/{lang}/comuni/capannori/",
    "/{lang}/stories/",
    "/{lang}/stories/quercia-delle-streghe/",
    "/{lang}/events/",
    "/{lang}/events/luminara-santa-croce/",
    "/{lang}/itineraries/",
    "/{lang}/itineraries/walls-villas-paper/",
    "/{lang}/themes/food-wine/",
    "/{lang}/discover/packages/{package}/",
    "/{lang}/cart/",
    "/{lang}/bookings/find/",
    "/{lang}/terms/",
    "/{lang}/privacy/",
]
# Pages that need a booking or a cart (the checkout, the guest's manage and cancel pages) are
# checked by test_cart_journey.py and by test_a_guest_finds_the_booking_by_link_and_by_form
# below; the iCal feeds are not HTML (checked to be served as text/calendar).


@pytest.fixture
def site(db):
    comuni_ensure_piana()
    product, slot = bookable_experience(comune=comune("Capannori"), days_ahead=5)
    portal_content_load()
    from tests.packages.factories import ComponentFactory, PackageFactory

    package = PackageFactory()
    ComponentFactory(package=package, product=product, day_offset=0)
    return {"product": product, "slot": slot, "package": package.slug}


@pytest.mark.parametrize("lang", ["en", "de"])
def test_no_serious_accessibility_violation_and_no_sideways_scroll(
    live_server, browser, site, lang
):
    problems = {}
    for width in (1280, 320):
        page = browser.new_page(viewport={"width": width, "height": 900})
        for template in PUBLIC_PAGES:
            path = template.format(lang=lang, product=site["product"].slug, package=site["package"])
            page.goto(live_server.url + path)
            if width == 1280:
                violations = axe(page)
                if violations:
                    problems[path] = violations
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                problems[f"{path} at {width}px"] = f"{scroll}px wide"
        page.close()
    assert problems == {}


def test_a_german_visitor_reads_a_legend_and_books_its_experience(live_server, browser, site):
    from portal.models import Story

    story = Story.objects.get(slug="quercia-delle-streghe")
    story.products.set([site["product"]])
    page = browser.new_page(viewport=PHONE)
    page.goto(live_server.url + "/de/stories/quercia-delle-streghe/")
    assert page.locator("h1").inner_text() == "Die Hexeneiche"
    page.locator(".offer a", has_text=site["product"].title).first.click()
    page.wait_for_url(f"**/de/discover/{site['product'].slug}/**")
    page.locator(".availability-calendar .day-open a").first.click()
    page.locator("input[name=contact_name]").fill("Lena Vogel")
    page.locator("input[name=contact_email]").fill("lena@example.de")
    page.locator(".booking-form button[type=submit]").click()
    page.wait_for_url("**/de/cart/")
    from bookings.models import Booking

    booking = Booking.objects.get()
    assert booking.contact_email == "lena@example.de"
    assert booking.language == "de"


def test_the_ical_feeds_are_calendars(live_server, browser, site):
    page = browser.new_page()
    for path in ("/en/events/calendar.ics", "/en/events/luminara-santa-croce/calendar.ics"):
        response = page.request.get(live_server.url + path)
        assert response.status == 200, path
        assert response.headers["content-type"].startswith("text/calendar")
        assert response.text().startswith("BEGIN:VCALENDAR")


@pytest.mark.parametrize("lang", ["it", "en"])
def test_a_guest_finds_the_booking_by_link_and_by_form_and_cancels(live_server, browser, lang):
    """The guest opens the link of the confirmation email, and (on another device) asks for it
    with the "find my booking" form; the page, the form and the cancel page pass axe-core at
    390 px without sideways scroll; the guest sees the penalty first, then cancels."""
    import re

    from django.core import mail

    from bookings import services
    from bookings.manage_links import manage_token
    from bookings.models import Booking, BookingStatus
    from tests.bookings.factories import hold_experience

    booking = services.booking_confirm(booking=hold_experience(adults=2, days_ahead=20))
    Booking.objects.filter(pk=booking.pk).update(language=lang)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    problems = {}

    def check(label):
        violations = axe(page)
        if violations:
            problems[label] = violations
        if page.evaluate("document.documentElement.scrollWidth") > 390:
            problems[f"{label} scroll"] = page.evaluate("document.documentElement.scrollWidth")

    # By form: reference + email -> the link arrives by email.
    page.goto(f"{live_server.url}/{lang}/bookings/find/")
    check("find")
    page.locator("input[name=reference]").fill(booking.reference.lower())
    page.locator("input[name=email]").fill("ANNA@example.com")
    mail.outbox.clear()
    page.locator("form.card button[type=submit]").click()
    page.wait_for_selector(".message-success")
    check("find sent")
    sent = [m for m in mail.outbox if m.to == ["anna@example.com"]]
    assert len(sent) == 1
    link = re.search(r"https?://\S+/bookings/manage/\S+/", sent[0].body).group(0)
    path = "/" + link.split("/", 3)[3]
    assert manage_token(booking) in path and path.startswith(f"/{lang}/")

    # By link: the page of the booking, then cancel with the penalty shown first.
    page.goto(live_server.url + path)
    assert booking.reference in page.content()
    check("manage")
    page.locator("a[href*='/bookings/manage/'][href$='/cancel/']").click()
    check("cancel")
    page.locator("button[name=action][value=preview]").first.click()
    assert "18" in page.locator("main").inner_text()  # 30 % of 60, from 30 days before
    page.locator("button[name=action][value=confirm]").click()
    page.wait_for_url("**" + path.split("?")[0])
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    check("after cancel")
    assert problems == {}
