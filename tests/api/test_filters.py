"""Every documented list filter filters (docs/api.md): the bookings' own reference, status,
dates; invoices by booking; products by text in any language. Bad values are a 400."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings import services as booking_services
from bookings.models import Booking, Channel
from operators.pricing import PaxMix
from tests.factories import OrganisationFactory, api_key_for
from tests.operators.factories import bookable_experience

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    return OrganisationFactory(name="Tuscany Tours", kind="trade", subkind="tour_operator")


@pytest.fixture
def partner_client(api_client, partner):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key_for(partner)[1]}")
    return api_client


def _hold(partner, buyer_reference, days_ahead=10):
    product, slot = bookable_experience(days_ahead=days_ahead)
    return booking_services.booking_hold(
        lines=[
            booking_services.LineRequest(
                product=product, day=slot.date, pax=PaxMix.of(adults=1), slot=slot
            )
        ],
        channel=Channel.API,
        contact_name="Hans Müller",
        contact_email="hans@example.de",
        buyer_organisation=partner,
        buyer_reference=buyer_reference,
    )


def _refs(client, **params):
    response = client.get("/api/v1/bookings/", params)
    assert response.status_code == 200, response.json()
    return sorted(b["reference"] for b in response.json()["results"])


def test_bookings_filter_by_buyer_reference_and_the_rest(partner_client, partner):
    near = _hold(partner, "TT-42", days_ahead=5)
    far = _hold(partner, "TT-43", days_ahead=40)
    other = OrganisationFactory(kind="trade", subkind="travel_agency")
    _hold(other, "TT-42")  # another partner's booking with the same reference: never shown

    assert _refs(partner_client, buyer_reference="TT-42") == [near.reference]
    assert _refs(partner_client, buyer_reference="tt-43") == [far.reference]
    assert _refs(partner_client, buyer_reference="nothing") == []
    assert _refs(partner_client, reference=far.reference.lower()) == [far.reference]
    cut = (timezone.localdate() + timedelta(days=20)).isoformat()
    assert _refs(partner_client, first_service_from=cut) == [far.reference]
    assert _refs(partner_client, first_service_to=cut) == [near.reference]
    assert _refs(partner_client, first_service_date=far.first_service_date) == [far.reference]
    today = timezone.localdate().isoformat()
    assert _refs(partner_client, created_from=today) == sorted([near.reference, far.reference])
    booking_services.booking_confirm(booking=near)
    assert _refs(partner_client, status="confirmed") == [near.reference]
    assert _refs(partner_client, status="held") == [far.reference]
    assert _refs(partner_client, channel="api") == sorted([near.reference, far.reference])
    assert Booking.objects.count() == 3


@pytest.mark.parametrize(
    "query",
    [
        {"status": "lost"},
        {"first_service_from": "not-a-date"},
        {"created_to": "2026-13-45"},
        {"buyer_reference": "x" * 61},
    ],
)
def test_bad_filter_values_are_400_in_the_error_shape(partner_client, query):
    response = partner_client.get("/api/v1/bookings/", query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == next(iter(query)) and error["code"]


def test_products_are_found_by_text_in_german(partner_client):
    product, _slot = bookable_experience(title_de="Stadtmauer zu Fuß", title_en="Walls walk")
    other, _slot = bookable_experience(title_en="Oil tasting")
    found = partner_client.get("/api/v1/products/", {"q": "stadtmauer"}).json()["results"]
    assert [p["slug"] for p in found] == [product.slug]
    assert other.slug not in [p["slug"] for p in found]


def test_every_filter_in_the_schema_is_one_the_view_applies(partner_client):
    """The documented parameters (the schema) come from the FilterSets: nothing documented
    is ignored, as `buyer_reference` once was."""
    from bookings.api.views import BookingFilter
    from invoices.api.views import InvoiceFilter

    schema = partner_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path, filterset in (
        ("/api/v1/bookings/", BookingFilter),
        ("/api/v1/invoices/", InvoiceFilter),
    ):
        params = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        assert params - {"limit", "offset"} == set(filterset.base_filters), path
