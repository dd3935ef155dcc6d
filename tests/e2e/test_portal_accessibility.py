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
]


@pytest.fixture
def site(db):
    comuni_ensure_piana()
    product, slot = bookable_experience(comune=comune("Capannori"), days_ahead=5)
    portal_content_load()
    return {"product": product, "slot": slot}


@pytest.mark.parametrize("lang", ["en", "de"])
def test_no_serious_accessibility_violation_and_no_sideways_scroll(
    live_server, browser, site, lang
):
    problems = {}
    for width in (1280, 320):
        page = browser.new_page(viewport={"width": width, "height": 900})
        for template in PUBLIC_PAGES:
            path = template.format(lang=lang, product=site["product"].slug)
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
