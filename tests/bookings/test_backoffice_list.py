"""The back-office bookings list sorts by column, shows the payment status from the ledger,
and finds a partial reference."""

import pytest
from django.urls import reverse

from bookings import services
from tests.bookings.factories import hold_experience
from tests.bookings.test_views_backoffice import dmc_client  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
URL = reverse("bookings:backoffice_list")


def _refs(response):
    return [b.reference for b in response.context["bookings"]]


def test_a_partial_reference_finds_the_booking(dmc_client):  # noqa: F811
    booking = hold_experience()
    hold_experience()
    found = _refs(dmc_client.get(URL, {"q": booking.reference[1:5].lower()}))
    assert booking.reference in found
    assert len(found) >= 1


def test_the_list_sorts_by_total_both_ways(dmc_client):  # noqa: F811
    small = hold_experience(adults=1)
    large = hold_experience(adults=4)
    assert _refs(dmc_client.get(URL, {"sort": "total"})) == [small.reference, large.reference]
    response = dmc_client.get(URL, {"sort": "-total"})
    assert _refs(response) == [large.reference, small.reference]
    assert 'aria-sort="descending"' in response.content.decode()
    assert _refs(dmc_client.get(URL, {"sort": "nonsense"}))  # unknown keys: newest first


def test_the_list_shows_the_payment_status_from_the_ledger(dmc_client):  # noqa: F811
    from payments.gateway import to_cents
    from payments.ledger import ledger_record
    from payments.models import EntryKind, Method

    unpaid = hold_experience()
    paid = services.booking_confirm(booking=hold_experience())
    ledger_record(
        kind=EntryKind.CHARGE,
        method=Method.CARD,
        amount_cents=to_cents(paid.total_retail),
        booking=paid,
        external_ref="ch_test",
        note="card",
    )
    response = dmc_client.get(URL)
    states = {b.reference: b.payment_state for b in response.context["bookings"]}
    assert states[paid.reference] == "paid"
    assert states[unpaid.reference] == "unpaid"
    assert 'data-payment="paid"' in response.content.decode()
