"""A booking with a package follows the package's own deposit terms (deposit %, balance days
before departure); bookings without a package keep the trade contract's terms."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings import services
from bookings.models import TradeContract
from bookings.package_lines import PackageLineRequest
from operators.pricing import PaxMix
from payments.models import OverdueAction
from payments.schedule import schedule_ensure
from tests.bookings.factories import hold_experience
from tests.factories import OrganisationFactory
from tests.packages.conftest import day, trip  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def _book(package, start, **kwargs):
    return services.booking_hold(
        lines=[],
        package_lines=[
            PackageLineRequest(
                package=package, start_date=start, pax=PaxMix.of(adults=2), terms_accepted=True
            )
        ],
        contact_name="Anna",
        contact_email="anna@example.com",
        **kwargs,
    )


def _plan(booking):
    return [
        (i.kind, i.amount, i.due_date, i.overdue_action) for i in schedule_ensure(booking=booking)
    ]


def test_a_package_booking_uses_the_package_deposit_and_balance_days(trip, day):  # noqa: F811
    package = trip["package"]
    package.deposit_percent, package.balance_days_before = Decimal("20"), 5
    package.save()
    booking = _book(package, day, channel="web")  # 300.00, departing in 10 days
    from django.utils import timezone

    assert _plan(booking) == [
        ("deposit", Decimal("60.00"), timezone.localdate(), OverdueAction.CANCEL),
        ("balance", Decimal("240.00"), day - timedelta(days=5), OverdueAction.CANCEL),
    ]  # the old constants (30 %, 30 days before) would have asked for one payment


def test_the_package_terms_win_over_the_partners_contract(trip, day):  # noqa: F811
    package = trip["package"]
    package.deposit_percent, package.balance_days_before = Decimal("25"), 3
    package.save()
    partner = OrganisationFactory(kind="trade", subkind="tour_operator")
    TradeContract.objects.create(
        organisation=partner, deposit_percent=Decimal("50"), balance_days_before=45
    )
    booking = _book(
        package, day, channel="trade", buyer_organisation=partner, hold_for=timedelta(days=2)
    )
    plan = _plan(booking)
    assert [(k, a, d) for k, a, d, _ in plan] == [
        ("deposit", Decimal("75.00"), plan[0][2]),
        ("balance", Decimal("225.00"), day - timedelta(days=3)),
    ]
    assert {action for *_, action in plan} == {OverdueAction.ATTENTION}
    # The same partner's booking without a package keeps the contract's 50 %.
    other = hold_experience(
        adults=10, capacity=20, buyer_organisation=partner, channel="trade", days_ahead=60
    )
    assert [(k, a) for k, a, _d, _o in _plan(other)] == [
        ("deposit", Decimal("150.00")),
        ("balance", Decimal("150.00")),
    ]


@pytest.mark.parametrize("percent", [Decimal("0"), Decimal("100")])
def test_a_package_without_a_deposit_or_with_all_of_it_is_paid_at_once(
    trip,  # noqa: F811
    day,  # noqa: F811
    percent,
):
    package = trip["package"]
    package.deposit_percent, package.balance_days_before = percent, 5
    package.save()
    assert [(k, a) for k, a, _d, _o in _plan(_book(package, day, channel="web"))] == [
        ("full", Decimal("300.00"))
    ]
