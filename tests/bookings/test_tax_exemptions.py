"""Tourist-tax exemptions per booking line: the accommodation operator (and DMC staff) record
exempt guests by reason; never more than the line's guests; the line's tax and the booking's
on-site total follow, and the quarterly return counts the exempt nights. Another operator's
line is 404."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from bookings import services
from bookings.models import TouristTaxRule
from bookings.services import LineRequest
from bookings.tourist_tax import tourist_tax_return
from operators.pricing import PaxMix
from places.models import Comune
from tests.factories import MembershipFactory, OrganisationFactory
from tests.operators.factories import bookable_stay

pytestmark = pytest.mark.django_db


def _stay(adults=3, children_ages=(8,), nights=2):
    """A confirmed stay in Lucca: 3.50 a night, children under 12 exempt, no cap."""
    hotel, unit_type, start = bookable_stay(units=3, nights=nights + 1)
    lucca = Comune.objects.get(name="Lucca")
    hotel.comune = lucca
    hotel.save()
    TouristTaxRule.objects.create(
        comune=lucca,
        rate_per_night=Decimal("3.50"),
        valid_from=start - timedelta(days=400),
        exempt_under_age=12,
    )
    booking = services.booking_hold(
        lines=[
            LineRequest(
                product=hotel,
                day=start,
                unit_type=unit_type,
                check_out=start + timedelta(days=nights),
                units=2,
                pax=PaxMix.of(adults=adults, children_ages=list(children_ages)),
            )
        ],
        channel="web",
        contact_name="A",
        contact_email="a@example.com",
    )
    services.booking_confirm(booking=booking, via="test")
    booking.refresh_from_db()
    return hotel, booking, booking.lines.get(), start


def _url(line, name="bookings:operator_tax_exemptions"):
    return reverse(name, args=[line.booking.reference, line.pk])


def _owner(organisation):
    return MembershipFactory(organisation=organisation, role=Role.OWNER).user


def test_the_operator_records_exempt_guests_and_the_tax_and_return_follow(client):
    hotel, booking, line, start = _stay()
    assert line.tourist_tax == Decimal("21.00")  # 3 adults x 2 nights x 3.50 (child exempt)
    assert booking.tourist_tax == Decimal("21.00")
    client.force_login(_owner(hotel.organisation))
    detail = client.get(reverse("bookings:operator_detail", args=[booking.reference]))
    assert _url(line) in detail.content.decode()
    page = client.get(_url(line))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="group_driver"' in html and 'name="under_age"' not in html
    response = client.post(_url(line), {"group_driver": "1", "group_escort": "1"})
    assert response.status_code == 302
    line.refresh_from_db()
    booking.refresh_from_db()
    assert line.tax_exemptions == {"group_driver": 1, "group_escort": 1}
    assert line.tourist_tax == Decimal("7.00")  # 1 paying adult x 2 nights
    assert booking.tourist_tax == Decimal("7.00")
    [row] = tourist_tax_return(year=start.year, quarter=(start.month - 1) // 3 + 1)
    assert row.exempt["group_driver"] == 2 and row.exempt["group_escort"] == 2
    assert row.exempt["under_age"] == 2
    assert row.taxable_nights == 2 and row.amount == Decimal("7.00")
    # Back to none: the tax is the full one again.
    assert client.post(_url(line), {"group_driver": "0"}).status_code == 302
    line.refresh_from_db()
    assert line.tax_exemptions == {} and line.tourist_tax == Decimal("21.00")


@pytest.mark.parametrize(
    "data",
    [
        {"group_driver": "3", "patient": "2"},  # 5 exempt, 4 guests
        {"group_driver": "5"},  # one field over the guests
        {"group_driver": "-1"},
        {"group_driver": "two"},
    ],
)
def test_never_more_than_the_guests_and_nothing_written(client, data):
    hotel, booking, line, _start = _stay()
    client.force_login(_owner(hotel.organisation))
    response = client.post(_url(line), data)
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    line.refresh_from_db()
    assert line.tax_exemptions == {} and line.tourist_tax == Decimal("21.00")


def test_the_service_refuses_computed_or_unknown_reasons_and_too_many_guests():
    _hotel, _booking, line, _start = _stay()
    for bad in ({"under_age": 1}, {"nonsense": 1}, {"group_driver": 5}, {"patient": -1}):
        with pytest.raises(services.TaxExemptionsInvalid) as error:
            services.booking_line_tax_exemptions_set(line=line, exemptions=bad)
        assert error.value.code == "tax_exemptions_invalid"
    line.refresh_from_db()
    assert line.tax_exemptions == {}


def test_another_operators_line_is_404(client):
    hotel, booking, line, _start = _stay()
    rival = OrganisationFactory(kind="operator")
    client.force_login(_owner(rival))
    assert client.get(_url(line)).status_code == 404
    assert client.post(_url(line), {"group_driver": "1"}).status_code == 404
    line.refresh_from_db()
    assert line.tax_exemptions == {}
    # The back office is DMC staff only.
    assert client.get(_url(line, "bookings:backoffice_tax_exemptions")).status_code == 404


def test_dmc_staff_record_exemptions_from_the_back_office(client):
    _hotel, booking, line, _start = _stay()
    dmc = OrganisationFactory(kind="dmc")
    client.force_login(_owner(dmc))
    url = _url(line, "bookings:backoffice_tax_exemptions")
    detail = client.get(reverse("bookings:backoffice_detail", args=[booking.reference]))
    assert url in detail.content.decode()
    assert client.post(url, {"patient": "1"}).status_code == 302
    line.refresh_from_db()
    assert line.tax_exemptions == {"patient": 1} and line.tourist_tax == Decimal("14.00")


def test_an_amended_stay_keeps_its_exemptions_in_the_tax():
    _hotel, booking, line, start = _stay(nights=2)
    services.booking_line_tax_exemptions_set(line=line, exemptions={"group_driver": 1})
    line.refresh_from_db()
    assert line.tourist_tax == Decimal("14.00")
    services.booking_amend(line=line, check_out=start + timedelta(days=3))
    line.refresh_from_db()
    booking.refresh_from_db()
    assert line.tax_exemptions == {"group_driver": 1}
    assert line.tourist_tax == Decimal("21.00")  # 2 paying adults x 3 nights x 3.50
    assert booking.tourist_tax == Decimal("21.00")
