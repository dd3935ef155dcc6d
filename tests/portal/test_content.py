"""Destination content: data files, pages in four languages, publishing dates and preview,
the offer that lets a visitor live a story, the iCal feed and the route map."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import ComunePage, ContentStatus, Event, Itinerary, Story
from tests.factories import UserFactory, comune
from tests.operators.factories import bookable_experience

pytestmark = pytest.mark.django_db


def test_demo_content_has_six_comuni_twelve_stories_and_ten_events(content):
    assert ComunePage.objects.live().count() == 6
    assert Story.objects.live().count() >= 12
    assert Event.objects.live().filter(ends_on__gte=timezone.localdate()).count() >= 10
    assert Itinerary.objects.live().count() >= 2
    assert all(story.image.endswith(".svg") and story.image_credit for story in Story.objects.all())


def test_loading_twice_changes_nothing(content):
    from portal.content import portal_content_load

    again = portal_content_load()
    assert again.counts == content.counts


@pytest.mark.parametrize("code", ["it", "en", "de", "fr"])
def test_story_comune_event_and_itinerary_pages_in_every_language(client, content, code):
    story = Story.objects.get(slug="quercia-delle-streghe")
    for url in (
        f"/{code}/stories/",
        f"/{code}/stories/{story.slug}/",
        f"/{code}/comuni/",
        f"/{code}/comuni/capannori/",
        f"/{code}/events/",
        f"/{code}/events/luminara-santa-croce/",
        f"/{code}/itineraries/",
        f"/{code}/itineraries/walls-villas-paper/",
        f"/{code}/themes/food-wine/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    html = client.get(f"/{code}/stories/{story.slug}/").content.decode()
    assert getattr(story, f"title_{code}") in html


def test_german_story_without_german_body_shows_english_with_a_note(client, content):
    html = client.get("/de/stories/lucida-mansi/").content.decode()
    assert "Lucida Mansi, die Dame und der Spiegel" in html
    assert "carriage of fire" in html
    assert 'class="fallback-note"' in html


def test_comune_page_never_shows_the_istat_code(client, content):
    html = client.get("/en/comuni/lucca/").content.decode()
    assert "046017" not in html
    assert "IAT Lucca" in html


def test_story_page_shows_the_experiences_that_let_you_live_it(client, content):
    product, _slot = bookable_experience(comune=comune("Capannori"), title_en="Witches walk")
    html = client.get("/en/stories/quercia-delle-streghe/").content.decode()
    assert "Live it" in html
    assert f"/en/discover/{product.slug}/" in html
    assert "from € 30.00" in html


def test_draft_and_scheduled_content_is_hidden_but_staff_can_preview(client, content):
    story = Story.objects.get(slug="volto-santo")
    story.status = ContentStatus.DRAFT
    story.save()
    scheduled = Story.objects.get(slug="lucida-mansi")
    scheduled.publish_from = timezone.now() + timedelta(days=3)
    scheduled.save()
    assert client.get("/en/stories/volto-santo/").status_code == 404
    assert client.get("/en/stories/lucida-mansi/").status_code == 404
    assert client.get("/en/stories/volto-santo/?preview=1").status_code == 404  # not staff
    client.force_login(UserFactory(is_staff=True))
    response = client.get("/en/stories/volto-santo/?preview=1")
    assert response.status_code == 200
    assert "Preview: this page is not published" in response.content.decode()


def test_expired_content_is_hidden(client, content):
    story = Story.objects.get(slug="volto-santo")
    story.publish_until = timezone.now() - timedelta(minutes=1)
    story.save()
    assert client.get("/en/stories/volto-santo/").status_code == 404


def test_ical_feed_lists_upcoming_events(client, content):
    response = client.get("/en/events/calendar.ics")
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.count("BEGIN:VEVENT") == Event.objects.live().count()
    assert "SUMMARY:Luminara of Santa Croce" in body
    single = client.get("/en/events/luminara-santa-croce/calendar.ics").content.decode()
    assert single.count("BEGIN:VEVENT") == 1


def test_itinerary_map_is_inline_svg_with_a_numbered_route(client, content):
    html = client.get("/en/itineraries/walls-villas-paper/").content.decode()
    assert '<svg viewBox="0 0 640 420" role="img"' in html
    assert html.count("<polyline") == 3  # one line per day
    assert "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", ""
    )


def test_pages_carry_json_ld_and_open_graph(client, content):
    html = client.get("/en/events/luminara-santa-croce/").content.decode()
    assert '"@type": "Event"' in html
    assert 'property="og:title" content="Luminara of Santa Croce"' in html
    html = client.get("/en/stories/volto-santo/").content.decode()
    assert '"@type": "TouristAttraction"' in html
    html = client.get("/en/itineraries/francigena-two-days/").content.decode()
    assert '"@type": "TouristTrip"' in html


def test_event_ending_before_it_starts_is_refused(content):
    from django.core.exceptions import ValidationError

    event = Event.objects.first()
    event.ends_on = event.starts_on - timedelta(days=1)
    with pytest.raises(ValidationError):
        event.full_clean()
