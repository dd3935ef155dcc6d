"""Quotes: the partner's prices come from trade.pricing; a quote becomes an option with all
its lines or none (each refused line named); tenancy; bad input."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from operators.models import Slot
from operators.pricing import PaxMix
from tests.bookings.factories import _booking_for_buyer
from tests.operators.factories import bookable_experience
from tests.tradeportal.factories import group_products, member, partner, quote_for
from trade import pricing as trade_pricing
from tradeportal import services
from tradeportal.models import QuoteStatus

pytestmark = pytest.mark.django_db


def _quote_with_tour_and_stay(organisation, products, adults=20, valid_days=14):
    quote = services.quote_create(
        organisation=organisation,
        title="Spring group",
        valid_until=timezone.localdate() + timedelta(days=valid_days),
    )
    services.quote_line_add(
        quote=quote,
        product=products["tour"],
        day=products["slot"].date,
        slot=products["slot"],
        pax=PaxMix.of(adults=adults),
    )
    services.quote_line_add(
        quote=quote,
        product=products["hotel"],
        day=products["start"],
        check_out=products["start"] + timedelta(days=2),
        unit_type=products["room"],
        units=10,
        pax=PaxMix.of(adults=adults),
    )
    return quote


def test_lines_are_priced_by_the_partner_pricing_function(monkeypatch):
    """A contract rule (here: 10 % off) reaches the quote through trade.pricing."""
    organisation = partner()
    products = group_products()
    original = trade_pricing.price_product_for
    seen = []

    def discounted(org, product, **kwargs):
        seen.append(org)
        quote = original(org, product, **kwargs)
        for line in quote.lines:
            line.unit_retail = (line.unit_retail * Decimal("0.9")).quantize(Decimal("0.01"))
        return quote

    monkeypatch.setattr(trade_pricing, "price_product_for", discounted)
    quote = _quote_with_tour_and_stay(organisation, products)
    assert seen and all(org == organisation for org in seen)
    assert [line.amount for line in quote.lines.all()] == [Decimal("540.00"), Decimal("2160.00")]
    quote.refresh_from_db()
    assert quote.total == Decimal("2700.00")


def test_a_draft_is_repriced_when_opened_and_a_sent_quote_keeps_its_prices():
    organisation = partner()
    products = group_products()
    quote = _quote_with_tour_and_stay(organisation, products)
    products["tour"].rates.update(retail_price=Decimal("35.00"))
    services.quote_reprice(quote=quote)
    quote.refresh_from_db()
    assert quote.total == Decimal("3100.00")
    services.quote_send(quote=quote)
    products["tour"].rates.update(retail_price=Decimal("40.00"))
    services.quote_reprice(quote=quote)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT
    assert quote.total == Decimal("3100.00")


def test_an_option_takes_every_line_or_none_and_names_each_refused_line():
    organisation = partner()
    products = group_products()
    quote = _quote_with_tour_and_stay(organisation, products)
    # Someone else takes the tour's places meanwhile.
    Slot.objects.filter(pk=products["slot"].pk).update(sold=25)
    with pytest.raises(services.QuoteNotBookable) as excinfo:
        services.quote_convert(quote=quote)
    errors = excinfo.value.line_errors
    assert [(e.position, e.code) for e in errors] == [(1, "sold_out")]
    assert "5" in errors[0].message  # only 5 places left
    assert not Booking.objects.exists()
    room_nights = products["room"].nights.all()
    assert all(n.held == 0 for n in room_nights)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.DRAFT and quote.booking is None


def test_a_past_date_is_reported_per_line():
    organisation = partner()
    products = group_products()
    quote = _quote_with_tour_and_stay(organisation, products, valid_days=60)
    later = timezone.localdate() + timedelta(days=25)
    with pytest.raises(services.QuoteNotBookable) as excinfo:
        services.quote_convert(quote=quote, today=later)
    assert {e.position for e in excinfo.value.line_errors} == {1, 2}
    assert not Booking.objects.exists()


def test_an_expired_quote_cannot_become_an_option():
    organisation = partner()
    quote = _quote_with_tour_and_stay(organisation, group_products())
    with pytest.raises(services.QuoteNotOpen):
        services.quote_convert(quote=quote, today=quote.valid_until + timedelta(days=1))
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.EXPIRED


@pytest.mark.parametrize(
    "change, field",
    [
        ({"day": timezone.localdate() - timedelta(days=1)}, "day"),
        ({"pax": PaxMix.of()}, "adults"),
        ({"units": 0}, "units"),
        ({"slot": None}, "product"),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_written(change, field):
    organisation = partner()
    products = group_products()
    quote = services.quote_create(organisation=organisation, title="Group")
    values = {
        "quote": quote,
        "product": products["tour"],
        "day": products["slot"].date,
        "slot": products["slot"],
        "pax": PaxMix.of(adults=4),
        **change,
    }
    with pytest.raises(ValidationError) as excinfo:
        services.quote_line_add(**values)
    assert field in excinfo.value.message_dict
    assert not quote.lines.exists()


def test_bad_quote_headers_are_refused():
    organisation = partner()
    with pytest.raises(ValidationError) as excinfo:
        services.quote_create(
            organisation=organisation,
            title=" ",
            valid_until=timezone.localdate() - timedelta(days=1),
            client_email="not-an-email",
        )
    assert set(excinfo.value.message_dict) == {"title", "valid_until", "client_email"}


def test_the_search_refuses_bad_input_with_a_400(client):
    organisation = partner()
    client.force_login(member(organisation))
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.get(
        reverse("tradeportal:search"),
        {"start": yesterday, "end": yesterday, "adults": 2, "children_ages": "4, x"},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"start", "children_ages"}
    response = client.get(reverse("tradeportal:search"), {"start": "nonsense", "adults": -1})
    assert response.status_code == 400


def test_the_add_line_form_with_a_product_not_on_sale_writes_nothing(client):
    organisation = partner()
    client.force_login(member(organisation))
    tour, slot = bookable_experience(status="draft")
    response = client.post(
        reverse("tradeportal:quote_add_line"),
        {"product": tour.pk, "slot": slot.pk, "day": slot.date.isoformat(), "adults": 2},
        follow=True,
    )
    assert response.status_code == 200
    assert "not on sale" in response.content.decode()
    assert not organisation.trade_quotes.exists()


def test_another_partners_quote_and_booking_are_404(client):
    mine, theirs = partner(name="Mine Tours"), partner(name="Their Tours")
    client.force_login(member(mine))
    their_quote = quote_for(theirs)
    their_booking = _booking_for_buyer(theirs)
    for name in ("quote", "quote_pdf"):
        assert (
            client.get(reverse(f"tradeportal:{name}", args=[their_quote.reference])).status_code
            == 404
        )
    for name in ("quote_send", "quote_convert"):
        assert (
            client.post(reverse(f"tradeportal:{name}", args=[their_quote.reference])).status_code
            == 404
        )
    for name in ("option", "option_pay"):
        assert (
            client.get(reverse(f"tradeportal:{name}", args=[their_booking.reference])).status_code
            == 404
        )
    assert (
        client.post(
            reverse("tradeportal:option_confirm", args=[their_booking.reference])
        ).status_code
        == 404
    )
    response = client.post(
        reverse("tradeportal:quote_add_line"),
        {
            "quote": their_quote.reference,
            "product": 1,
            "day": "2030-01-01",
            "adults": 1,
            "units": 1,
        },
    )
    assert response.status_code in (302, 404)
    assert not their_quote.lines.exists()
    their_booking.refresh_from_db()
    assert their_booking.status == BookingStatus.HELD
    home = client.get(reverse("tradeportal:home"))
    assert their_booking.reference not in home.content.decode()


def test_the_portal_is_404_for_an_operator(client, owner):
    client.force_login(owner)
    assert client.get(reverse("tradeportal:home")).status_code == 404
    assert client.get(reverse("tradeportal:search")).status_code == 404


def test_a_storefront_booking_by_a_partners_member_belongs_to_the_partner(client):
    organisation = partner()
    client.force_login(member(organisation))
    tour, slot = bookable_experience(capacity=10)
    response = client.post(
        reverse("discover_book", args=[tour.slug]),
        {
            "start": slot.date.isoformat(),
            "end": slot.date.isoformat(),
            "adults": 2,
            "slot": slot.pk,
            "contact_name": "Desk",
            "contact_email": "desk@tdt.example",
        },
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.buyer_organisation == organisation
    listing = client.get(reverse("bookings:trade_list"))
    assert booking.reference in listing.content.decode()


def test_the_add_line_form_never_redirects_to_another_site(client):
    organisation = partner()
    client.force_login(member(organisation))
    response = client.post(
        reverse("tradeportal:quote_add_line"), {"back": "//evil.example/x", "adults": 2}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("tradeportal:search")
