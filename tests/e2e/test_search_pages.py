"""The storefront's search pages in a real browser, at 1280 and 390 px: a full page says
"more than N" (nothing is counted beyond the page), Next leads to the last page, which says
how many there are; no sideways scroll on a phone, no serious accessibility violation."""

import os
from datetime import timedelta

from tests.browser import BROWSER_TEST, axe, no_sideways_scroll, screenshots
from tests.operators.factories import bookable_experience

pytestmark = BROWSER_TEST


def test_a_full_page_says_more_than_and_next_leads_to_the_total(live_server, page):
    for i in range(13):
        _product, slot = bookable_experience(title=f"Walk {i:02}")
    start, end = slot.date, slot.date + timedelta(days=1)
    folder = os.environ.get("SEARCH_SCREENSHOTS")
    page.goto(f"{live_server.url}/en/discover/?start={start}&end={end}&adults=2")
    assert page.get_by_text("More than 12 offers available for your dates and party.").is_visible()
    assert page.locator("article.result").count() == 12
    assert no_sideways_scroll(page) is True
    assert axe(page) == []
    screenshots(page, folder, "search-more-than")

    page.get_by_role("link", name="Next").click()
    assert page.get_by_text("13 offers available for your dates and party.").is_visible()
    assert page.locator("article.result").count() == 1
    assert page.get_by_role("link", name="Next").count() == 0
    assert page.get_by_role("link", name="Previous").is_visible()
    screenshots(page, folder, "search-last-page")
