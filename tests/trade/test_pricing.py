"""The partner's price from its contract, and the booking services that use it."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bookings import services
from bookings.package_lines import PackageLineRequest
from operators.pricing import PaxMix
from tests.factories import OrganisationFactory
from tests.operators.factories import bookable_experience, bookable_stay
from tests.packages.conftest import day, trip  # noqa: F401 - fixtures
from trade import services as trade_services
from trade.models import PriceRule
from trade.pricing import partner_price, price_product_for, split_amount

from .factories import contract_with_rules, partner

pytestmark = pytest.mark.django_db

D = Decimal
DAY = date(2030, 5, 10)


def _price(org, **kwargs):
    base = {"retail": D("100.00"), "net": D("70.00"), "kind": "experience", "day": DAY}
    return partner_price(org, **{**base, **kwargs})


def test_a_buyer_that_is_not_a_partner_pays_the_public_price():
    operator = OrganisationFactory(kind="operator", subkind="guide")
    assert _price(operator).amount == D("100.00")
    assert _price(None).basis == "public"


def test_a_partner_without_rules_pays_the_public_price():
    org = partner()
    trade_services.contract_for(organisation=org)
    price = _price(org)
    assert (price.amount, price.basis, price.rule_id) == (D("100.00"), "public", None)


def test_commission_discount_and_markup():
    org = partner()
    _contract, version = contract_with_rules(
        org,
        {"basis": "commission", "percent": 15, "scope": "experience"},
        {"basis": "discount", "percent": 10, "scope": "service"},
        {"basis": "markup", "percent": 20, "scope": "accommodation"},
    )
    commission = _price(org)
    assert (commission.amount, commission.basis, commission.public) == (
        D("85.00"),
        "commission",
        D("100.00"),
    )
    assert _price(org, kind="service").amount == D("90.00")
    markup = _price(org, kind="accommodation")
    assert (markup.amount, markup.basis) == (D("84.00"), "net_rate")
    # a markup never makes the partner pay more than the public price
    assert _price(org, kind="accommodation", net=D("95.00")).amount == D("100.00")
    # goods: no rule, public price
    assert _price(org, kind="goods").amount == D("100.00")


def test_the_most_specific_rule_wins():
    org = partner(country="DE")
    product, _slot = bookable_experience()
    other, _slot2 = bookable_experience()
    _c, version = contract_with_rules(
        org,
        {"basis": "commission", "percent": 5},
        {"basis": "commission", "percent": 10, "scope": "experience"},
        {"basis": "commission", "percent": 12, "scope": "experience", "markets": "de, at"},
        {"basis": "commission", "percent": 20, "product": product},
        {
            "basis": "commission",
            "percent": 30,
            "scope": "experience",
            "markets": "DE",
            "valid_from": date(2030, 7, 1),
            "valid_until": date(2030, 8, 31),
        },
    )
    assert _price(org, kind="goods").amount == D("95.00")  # the rule for everything
    assert _price(org, product_id=other.pk).amount == D("88.00")  # kind + market
    assert _price(org, product_id=other.pk, market="FR").amount == D("90.00")  # kind only
    assert _price(org, product_id=product.pk).amount == D("80.00")  # product rule
    summer = _price(org, product_id=other.pk, day=date(2030, 7, 15))
    assert summer.amount == D("70.00")  # dated rule in its validity
    assert PriceRule.objects.get(pk=summer.rule_id).percent == D("30")


def test_the_version_in_force_on_the_pricing_day_applies():
    org = partner()
    contract, old = contract_with_rules(org, {"basis": "commission", "percent": 10})
    new = trade_services.contract_version_create(
        contract=contract, valid_from=date(2031, 1, 1), copy_rules_from=old
    )
    rule = new.rules.get()
    rule.percent = D("20")
    trade_services.price_rule_save(rule=rule)
    assert _price(org, as_of=date(2030, 12, 31)).amount == D("90.00")
    assert _price(org, as_of=date(2031, 1, 1)).amount == D("80.00")
    assert contract.changes.count() >= 4  # created, 2 versions, rules added and changed


def test_a_version_past_its_end_gives_the_public_price():
    org = partner()
    contract, version = contract_with_rules(org, {"basis": "commission", "percent": 10})
    version.valid_until = date(2030, 1, 31)
    version.save()
    assert _price(org, as_of=date(2030, 2, 1)).basis == "public"


def test_price_product_for_prices_every_line_for_the_partner():
    org = partner()
    contract_with_rules(org, {"basis": "commission", "percent": 15, "scope": "experience"})
    product, slot = bookable_experience(adult="40.00", net="30.00")
    quote = price_product_for(org, product, day=slot.date, pax=PaxMix.of(adults=3))
    assert quote.retail_total == D("102.00")
    assert quote.public_total == D("120.00")
    assert quote.net_total == D("90.00")
    public = price_product_for(None, product, day=slot.date, pax=PaxMix.of(adults=3))
    assert public.retail_total == D("120.00")


def test_split_amount_adds_up_exactly():
    shares = split_amount(D("100.00"), [D("1"), D("1"), D("1")])
    assert sum(shares) == D("100.00")


def _hold(org, product, slot, adults=2):
    return services.booking_hold(
        lines=[
            services.LineRequest(
                product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=adults)
            )
        ],
        channel="trade",
        contact_name="Anna",
        contact_email="anna@example.com",
        buyer_organisation=org,
        hold_for=timedelta(days=3),
    )


def test_a_partner_booking_line_keeps_the_partner_price_and_the_public_price():
    org = partner()
    _c, version = contract_with_rules(
        org, {"basis": "commission", "percent": 15, "scope": "experience"}
    )
    product, slot = bookable_experience(adult="40.00", net="30.00")
    booking = _hold(org, product, slot, adults=2)
    line = booking.lines.get()
    assert line.retail_amount == D("68.00")
    assert line.public_amount == D("80.00")
    assert line.net_amount == D("60.00")
    assert line.commission_amount == D("8.00")
    assert line.partner_pricing["version"] == version.pk
    assert line.partner_pricing["basis"] == "commission"
    assert booking.total_retail == D("68.00")
    # a traveller pays the public price; the line says so
    public = services.booking_hold(
        lines=[
            services.LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=2))
        ],
        channel="web",
        contact_name="Bea",
        contact_email="bea@example.com",
    )
    assert public.lines.get().retail_amount == public.lines.get().public_amount == D("80.00")


def test_a_stay_on_a_net_rate_markup():
    org = partner()
    contract_with_rules(org, {"basis": "markup", "percent": 10, "scope": "accommodation"})
    hotel, room, start = bookable_stay(price="120.00", net="100.00")
    booking = services.booking_hold(
        lines=[
            services.LineRequest(
                product=hotel,
                day=start,
                unit_type=room,
                check_out=start + timedelta(days=2),
                pax=PaxMix.of(adults=2),
            )
        ],
        channel="api",
        contact_name="Anna",
        contact_email="anna@example.com",
        buyer_organisation=org,
    )
    line = booking.lines.get()
    assert (line.retail_amount, line.public_amount, line.net_amount) == (
        D("220.00"),
        D("240.00"),
        D("200.00"),
    )


def test_an_amendment_keeps_the_version_the_booking_was_priced_with():
    org = partner()
    contract, old = contract_with_rules(
        org, {"basis": "commission", "percent": 10}, valid_from=date(2020, 1, 1)
    )
    product, slot = bookable_experience(adult="50.00", net="40.00", capacity=10)
    booking = _hold(org, product, slot, adults=2)
    assert booking.total_retail == D("90.00")
    newer = trade_services.contract_version_create(
        contract=contract, valid_from=timezone.localdate(), copy_rules_from=old
    )
    rule = newer.rules.get()
    rule.percent = D("30")
    trade_services.price_rule_save(rule=rule)
    line = booking.lines.get()
    preview = services.amendment_preview(line=line, pax=PaxMix.of(adults=3))
    assert preview.new_total == D("135.00")
    services.booking_amend(line=line, pax=PaxMix.of(adults=3))
    line.refresh_from_db()
    booking.refresh_from_db()
    assert (line.retail_amount, line.public_amount) == (D("135.00"), D("150.00"))
    assert booking.total_retail == D("135.00")
    assert line.partner_pricing["version"] == old.pk
    # a new booking is priced with the new version
    assert _hold(org, product, slot, adults=1).total_retail == D("35.00")


def test_a_package_for_a_partner_adds_up_to_the_partner_price(trip, day):  # noqa: F811
    org = partner()
    contract_with_rules(org, {"basis": "discount", "percent": 12.5, "scope": "package"})
    booking = services.booking_hold(
        lines=[],
        package_lines=[
            PackageLineRequest(
                package=trip["package"],
                start_date=day,
                pax=PaxMix.of(adults=2),
                terms_accepted=True,
            )
        ],
        channel="trade",
        contact_name="Anna",
        contact_email="anna@example.com",
        buyer_organisation=org,
    )
    parent = booking.lines.get(parent__isnull=True)
    assert parent.public_amount == D("300.00")
    assert parent.retail_amount == D("262.50")
    assert booking.total_retail == D("262.50")
    components = list(parent.components.all())
    assert sum(c.retail_amount for c in components) == D("262.50")
    assert sum(c.public_amount for c in components) == D("300.00")
    assert parent.partner_pricing["basis"] == "net_rate"


def test_cancelling_participants_reprices_the_line_at_the_partner_price():
    from bookings.models import Participant

    org = partner()
    contract_with_rules(org, {"basis": "commission", "percent": 10})
    product, slot = bookable_experience(adult="50.00", net="40.00", capacity=10)
    booking = _hold(org, product, slot, adults=3)
    assert booking.total_retail == D("135.00")
    people = [
        Participant.objects.create(booking=booking, first_name=f"P{i}", last_name="X")
        for i in range(3)
    ]
    services.participants_cancel(booking=booking, participant_ids=[people[0].pk])
    line = booking.lines.get()
    booking.refresh_from_db()
    assert (line.retail_amount, line.public_amount, line.net_amount) == (
        D("90.00"),
        D("100.00"),
        D("80.00"),
    )
    assert booking.total_retail == D("90.00")


def test_a_partner_price_costs_two_queries(django_assert_num_queries):
    org = partner()
    contract_with_rules(org, {"basis": "commission", "percent": 10})
    with django_assert_num_queries(2):  # the version in force, its rules
        assert _price(org).amount == D("90.00")
