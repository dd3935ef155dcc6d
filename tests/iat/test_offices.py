from datetime import date, datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone

from iat.hours import opening_state
from iat.models import OpeningException
from iat.selectors import offices_public

pytestmark = pytest.mark.django_db


def at(y, m, d, hh, mm=0):
    return timezone.make_aware(datetime(y, m, d, hh, mm))


def test_open_now_until_the_end_of_the_summer_interval(office):
    state = opening_state(office, at(2026, 7, 15, 11))
    assert state.is_open and state.until == time(19)


def test_winter_lunch_break_is_closed_until_the_afternoon(office):
    state = opening_state(office, at(2026, 12, 2, 13, 30))
    assert not state.is_open
    assert timezone.localtime(state.next_opening) == at(2026, 12, 2, 14)


def test_winter_sunday_is_closed_and_monday_opens(office):
    state = opening_state(office, at(2026, 12, 6, 10))  # a Sunday
    assert not state.is_open
    assert timezone.localtime(state.next_opening) == at(2026, 12, 7, 9)


def test_an_exception_wins_over_the_season(office):
    OpeningException.objects.create(
        office=office, date=date(2026, 9, 13), opens=time(9), closes=time(23), note="Luminara"
    )
    OpeningException.objects.create(office=office, date=date(2026, 8, 15), closed=True)
    office = offices_public().get(pk=office.pk)
    assert opening_state(office, at(2026, 9, 13, 21)).until == time(23)
    closed = opening_state(office, at(2026, 8, 15, 11))
    assert not closed.is_open
    assert timezone.localtime(closed.next_opening) == at(2026, 8, 16, 9)


def test_where_to_find_us_per_comune(client, office, other_office):
    page = client.get(reverse("iat:where_comune", args=["lucca"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "IAT Lucca Centro" in html and "IAT Altopascio" not in html.split("<footer")[0]
    assert client.get(reverse("iat:where_comune", args=["pisa"])).status_code == 404


def test_the_storefront_footer_lists_the_offices(client, office, django_assert_num_queries):
    html = client.get(reverse("home")).content.decode()
    footer = html.split('<footer class="site-footer">')[1]
    assert reverse("iat:where") in footer and reverse("iat:footer_offices") in footer
    with django_assert_num_queries(4):  # offices, exceptions, seasons, hours
        fragment = client.get(reverse("iat:footer_offices")).content.decode()
    assert "IAT Lucca Centro" in fragment
    assert reverse("iat:where_comune", args=["lucca"]) in fragment
