"""Issue 10 item 6: the operator cannot cut the DMC's commission; overlapping rates are refused."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.services import DmcGroup, dmc_groups_ensure
from operators import services
from operators.models import OperatorContract, Rate, RateChange, RateChangeStatus
from operators.pricing import PaxMix, price_product
from tests.factories import MembershipFactory, OrganisationFactory, api_key_for
from tests.operators.factories import (
    AccommodationFactory,
    NightFactory,
    ProductFactory,
    RateFactory,
    UnitTypeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(operator_org):
    OperatorContract.objects.create(organisation=operator_org, commission_percent=Decimal("20"))
    product = ProductFactory(organisation=operator_org, status="published")
    RateFactory(product=product, retail_price=Decimal("40.00"), net_price=Decimal("32.00"))
    return product


@pytest.fixture
def product_manager(db):
    dmc = OrganisationFactory(name="Piana DMC", kind="dmc", subkind="")
    user = MembershipFactory(organisation=dmc, role=Role.STAFF).user
    user.groups.add(dmc_groups_ensure()[DmcGroup.PRODUCT_MANAGER])
    return user


def _adult_price(product):
    day = timezone.localdate() + timedelta(days=3)
    return price_product(product, day=day, pax=PaxMix.of(adults=1))


def test_net_equal_to_retail_on_a_live_listing_waits_for_the_dmc(owner_client, listing):
    """The reproduction: net = retail (0% commission) was applied at once with no review."""
    rate = listing.rates.get()
    response = owner_client.post(
        reverse("operators:rates", args=[listing.pk]),
        {
            "form": "rate",
            "rate": rate.pk,
            "pax_category": "adult",
            "weekdays": list("1234567"),
            "min_group": 1,
            "retail_price": "40.00",
            "net_price": "40.00",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "sent to the DMC for approval" in response.content.decode()
    rate.refresh_from_db()
    assert (rate.retail_price, rate.net_price) == (Decimal("40.00"), Decimal("32.00"))
    change = RateChange.objects.get()
    assert change.status == RateChangeStatus.PENDING
    assert change.rate == rate and change.net_price == Decimal("40.00")
    assert change.commission_percent == Decimal("0.00")
    # The old price stays in force for every channel.
    assert _adult_price(listing).commission == Decimal("8.00")


def test_a_net_within_the_contract_applies_at_once(listing):
    result = services.rate_save(
        product=listing,
        rate=listing.rates.get(),
        data={"retail_price": Decimal("50.00"), "net_price": Decimal("40.00")},
    )
    assert isinstance(result, Rate) and result.net_price == Decimal("40.00")
    assert not RateChange.objects.exists()


def test_the_dmc_approves_a_lower_commission_and_it_comes_into_force(
    client, listing, product_manager
):
    rate = listing.rates.get()
    change = services.rate_save(
        product=listing, rate=rate, data={"net_price": Decimal("36.00")}, by_operator=True
    )
    client.force_login(product_manager)
    queue = client.get(reverse("operators:curation_queue"))
    assert "1 price below the contract" in queue.content.decode()
    response = client.post(
        reverse("operators:rate_change_decision", args=[change.pk]), {"action": "approve"}
    )
    assert response.status_code == 302
    rate.refresh_from_db()
    change.refresh_from_db()
    assert rate.net_price == Decimal("36.00")
    assert change.status == RateChangeStatus.APPROVED and change.decided_by == product_manager
    assert _adult_price(listing).commission == Decimal("4.00")
    assert Rate.objects.filter(product=listing).count() == 1


def test_a_rejection_needs_a_reason_and_keeps_the_old_price(client, listing, product_manager):
    change = services.rate_save(
        product=listing, data={"pax_category": "senior", "retail_price": 30, "net_price": 30}
    )
    assert isinstance(change, RateChange) and change.rate is None
    client.force_login(product_manager)
    url = reverse("operators:rate_change_decision", args=[change.pk])
    client.post(url, {"action": "reject", "reason": ""})
    change.refresh_from_db()
    assert change.status == RateChangeStatus.PENDING
    client.post(url, {"action": "reject", "reason": "Contract says 20%."})
    change.refresh_from_db()
    assert change.status == RateChangeStatus.REJECTED and change.reason == "Contract says 20%."
    assert not listing.rates.filter(pax_category="senior").exists()
    with pytest.raises(ValidationError) as exc:
        services.rate_change_approve(change=change, actor=product_manager)
    assert exc.value.code == "rate_change_decided"


def test_operators_cannot_decide_price_changes(owner_client, listing):
    change = services.rate_save(product=listing, rate=listing.rates.get(), data={"net_price": 40})
    response = owner_client.post(
        reverse("operators:rate_change_decision", args=[change.pk]), {"action": "approve"}
    )
    assert response.status_code in (302, 403, 404)
    change.refresh_from_db()
    assert change.status == RateChangeStatus.PENDING


def test_an_overlapping_duplicate_rate_is_refused_with_a_clear_error(listing):
    """The reproduction: an identical second rate was accepted and silently ignored."""
    with pytest.raises(ValidationError) as exc:
        services.rate_save(
            product=listing,
            data={"pax_category": "adult", "weekdays": "67", "retail_price": Decimal("45")},
        )
    error = exc.value.error_dict["weekdays"][0]
    assert error.code == "rate_overlap"
    assert "overlaps an existing one" in error.messages[0]
    assert listing.rates.count() == 1 and not RateChange.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"pax_category": "senior"},
        {"min_group": 20},
        {"pax_category": "child", "age_min": 6, "age_max": 12},
    ],
)
def test_rates_that_cannot_match_the_same_guests_are_accepted(listing, data):
    listing.rates.update(max_group=19)
    rate = services.rate_save(product=listing, data={"retail_price": Decimal("30"), **data})
    assert isinstance(rate, Rate) and rate.net_price == Decimal("24.00")


def test_disjoint_weekdays_are_accepted(listing):
    listing.rates.update(weekdays="12345")
    rate = services.rate_save(
        product=listing, data={"pax_category": "adult", "weekdays": "67", "retail_price": 50}
    )
    assert isinstance(rate, Rate)


def test_the_api_answers_202_for_a_price_below_the_commission_and_400_for_overlaps(
    api_client, listing, operator_org
):
    _key, raw = api_key_for(operator_org)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    url = f"/api/v1/products/{listing.slug}/rates/"
    pending = api_client.post(
        url,
        {"pax_category": "senior", "retail_price": "40.00", "net_price": "40.00"},
        format="json",
    )
    assert pending.status_code == 202, pending.content
    assert pending.json()["status"] == "pending"
    assert pending.json()["commission_percent"] == "0.00"
    assert not listing.rates.filter(pax_category="senior").exists()
    overlap = api_client.post(
        url, {"pax_category": "adult", "retail_price": "40.00"}, format="json"
    )
    assert overlap.status_code == 400
    assert overlap.json()["error"]["code"] == "rate_overlap"


def test_a_nightly_price_override_keeps_the_contract_commission(operator_org):
    OperatorContract.objects.create(organisation=operator_org, commission_percent=Decimal("15"))
    unit = UnitTypeFactory(product=AccommodationFactory(organisation=operator_org))
    day = timezone.localdate() + timedelta(days=10)
    NightFactory(unit_type=unit, date=day)
    services.nights_bulk_update(
        unit_type=unit, start=day, end=day, changes={"price_override": Decimal("100.00")}
    )
    night = unit.nights.get(date=day)
    assert night.net_override == Decimal("85.00")
    with pytest.raises(ValidationError) as exc:
        services.nights_bulk_update(
            unit_type=unit,
            start=day,
            end=day,
            changes={"price_override": Decimal("100"), "net_override": Decimal("100")},
        )
    assert exc.value.error_dict["net_override"][0].code == "commission_below_contract"
