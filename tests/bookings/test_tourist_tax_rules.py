"""Tourist tax rules over time: the newest rule wins over an older open-ended one,
overlapping rules are refused at entry, exemption reasons are data, and the quarterly return
per establishment and comune adds up nights, exempt nights by reason and the tax."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bookings import services
from bookings.models import TouristTaxExemptionReason, TouristTaxRule
from bookings.policies import TaxRuleView, tourist_tax_for_stay
from bookings.services import LineRequest
from bookings.tourist_tax import quarter_bounds, tourist_tax_return, tourist_tax_return_csv
from operators.pricing import PaxMix
from places.models import Comune
from tests.operators.factories import bookable_stay

pytestmark = pytest.mark.django_db


def _view(rate, valid_from, valid_until=None, categories=()):
    return TaxRuleView(list(categories), Decimal(rate), valid_from, valid_until, 3, None, True)


def test_a_newer_rule_wins_over_an_older_one_without_end_date():
    old = _view("3.50", date(2025, 4, 1))
    raised = _view("4.50", date(2027, 1, 1))
    tax = tourist_tax_for_stay(
        rules=[old, raised],
        category="hotel_3",
        check_in=date(2027, 2, 10),
        check_out=date(2027, 2, 12),
        adult_guests=2,
        children_ages=[],
    )
    assert tax == Decimal("18.00")  # 2 x 2 x 4.50 (was 3.50: the oldest won)
    before = tourist_tax_for_stay(
        rules=[raised, old],
        category="hotel_3",
        check_in=date(2026, 12, 30),
        check_out=date(2027, 1, 1),
        adult_guests=1,
        children_ages=[],
    )
    assert before == Decimal("7.00")


def _rule(comune, valid_from, valid_until=None, categories="", rate="3.50"):
    rule = TouristTaxRule(
        comune=comune,
        categories=categories,
        rate_per_night=Decimal(rate),
        valid_from=valid_from,
        valid_until=valid_until,
    )
    rule.full_clean()
    rule.save()
    return rule


def test_overlapping_rules_are_refused_and_a_succession_is_accepted():
    lucca = Comune.objects.get(name="Lucca")
    _rule(lucca, date(2025, 4, 1), categories="hotel_1,hotel_2,hotel_3")
    _rule(lucca, date(2027, 1, 1), categories="hotel_3", rate="4.00")  # takes over
    _rule(lucca, date(2025, 4, 1), categories="hotel_4")  # another category
    bounded = _rule(lucca, date(2025, 1, 1), date(2025, 12, 31))
    with pytest.raises(ValidationError) as error:
        _rule(lucca, date(2025, 6, 1), date(2025, 8, 31))  # inside a bounded generic rule
    assert "overlaps" in str(error.value)
    with pytest.raises(ValidationError):
        _rule(lucca, date(2027, 1, 1), categories="hotel_2,hotel_3")  # same start
    assert TouristTaxRule.objects.count() == 4 and bounded.pk


def test_exemption_reasons_are_data():
    codes = set(TouristTaxExemptionReason.objects.values_list("code", flat=True))
    assert {"group_driver", "group_escort", "patient", "carer", "emergency"} <= codes


def test_quarterly_return_per_establishment_and_comune():
    hotel, unit_type, start = bookable_stay(units=3, nights=6, price="100.00", net="80.00")
    lucca = Comune.objects.get(name="Lucca")
    hotel.comune = lucca
    hotel.save()
    TouristTaxRule.objects.create(
        comune=lucca,
        rate_per_night=Decimal("3.50"),
        valid_from=start - timedelta(days=400),
        max_nights=3,
        exempt_under_age=12,
    )
    booking = services.booking_hold(
        lines=[
            LineRequest(
                product=hotel,
                day=start,
                unit_type=unit_type,
                check_out=start + timedelta(days=5),
                units=2,
                pax=PaxMix.of(adults=3, children_ages=[8]),
            )
        ],
        channel="web",
        contact_name="A",
        contact_email="a@example.com",
    )
    services.booking_confirm(booking=booking, via="test")
    line = booking.lines.get()
    line.tax_exemptions = {"group_driver": 1}
    line.save(update_fields=["tax_exemptions"])
    quarter = (start.month - 1) // 3 + 1
    assert quarter_bounds(start.year, quarter)[0] <= start
    [row] = tourist_tax_return(year=start.year, quarter=quarter)
    assert row.comune == "Lucca" and row.bookings == [booking.reference]
    assert row.nights == 4 * 5  # 4 guests x 5 nights
    assert row.exempt["under_age"] == 5 and row.exempt["group_driver"] == 5
    assert row.exempt["nightly_cap"] == 2 * 2  # 2 paying guests x 2 nights over the cap
    assert row.taxable_nights == 6 and row.amount == line.tourist_tax
    csv_text = tourist_tax_return_csv([row], ["under_age", "group_driver", "nightly_cap"])
    assert booking.reference in csv_text and "presenze_imponibili" in csv_text
    other = tourist_tax_return(year=start.year, quarter=quarter, operator_ids=[0])
    assert other == []


def test_return_pages_for_the_operator_and_dmc_staff(client):
    from django.urls import reverse

    from accounts.models import Role
    from tests.factories import MembershipFactory, OrganisationFactory

    hotel, unit_type, start = bookable_stay(units=3, nights=3)
    booking = services.booking_hold(
        lines=[
            LineRequest(
                product=hotel,
                day=start,
                unit_type=unit_type,
                check_out=start + timedelta(days=2),
                units=1,
                pax=PaxMix.of(adults=2),
            )
        ],
        channel="web",
        contact_name="A",
        contact_email="a@example.com",
    )
    services.booking_confirm(booking=booking, via="test")
    query = {"year": start.year, "quarter": (start.month - 1) // 3 + 1}
    owner = MembershipFactory(organisation=hotel.organisation, role=Role.OWNER).user
    client.force_login(owner)
    page = client.get(reverse("bookings:operator_tourist_tax"), query)
    assert page.status_code == 200 and booking.reference in page.content.decode()
    csv_response = client.get(reverse("bookings:operator_tourist_tax"), {**query, "format": "csv"})
    assert booking.reference in csv_response.content.decode()
    assert client.get(reverse("bookings:backoffice_tourist_tax")).status_code == 404
    rival = OrganisationFactory(kind="operator")
    client.force_login(MembershipFactory(organisation=rival, role=Role.OWNER).user)
    page = client.get(reverse("bookings:operator_tourist_tax"), query)
    assert booking.reference not in page.content.decode()  # another operator sees nothing
    dmc = OrganisationFactory(kind="dmc")
    client.force_login(MembershipFactory(organisation=dmc, role=Role.OWNER).user)
    page = client.get(reverse("bookings:backoffice_tourist_tax"), query)
    assert page.status_code == 200 and booking.reference in page.content.decode()
