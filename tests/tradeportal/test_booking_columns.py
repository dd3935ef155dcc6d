"""The partner's booking page calls its column what it is: the partner's price, not the
public "retail" price (the back office keeps Retail next to Net)."""

import pytest
from django.urls import reverse

from bookings import services as booking_services
from operators.pricing import PaxMix
from tests.tradeportal.factories import group_products, member, partner

pytestmark = pytest.mark.django_db


def test_the_partners_booking_lines_show_a_price_column_not_retail(client):
    organisation = partner()
    user = member(organisation)
    products = group_products()
    booking = booking_services.booking_hold(
        lines=[
            booking_services.LineRequest(
                product=products["tour"],
                day=products["slot"].date,
                slot=products["slot"],
                pax=PaxMix.of(adults=2),
            )
        ],
        channel="trade",
        contact_name="Hans Müller",
        contact_email="hans@tdt.example",
        language="en",
        buyer_organisation=organisation,
    )
    client.force_login(user)
    page = client.get(reverse("bookings:trade_detail", args=[booking.reference])).content.decode()
    assert '<th scope="col" class="num">Price</th>' in page
    assert ">Retail<" not in page
